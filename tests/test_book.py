"""The rendered pages (book/build.py, Jupyter Book 1.x): what the built site contains, without a browser.

The site is built once per session by the ``book_html`` fixture (or a fresh build is reused, see
book/build.py). Two small books are also built from notebooks written here: one must build with the
network really off (``unshare -n``), one with a failing cell must not build at all.
The browser checks of the same pages are in test_browser_pages.py.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import re
import subprocess
import sys
import time
from html.parser import HTMLParser

import nbformat
import pytest
import yaml

from browser import book_html, build_small_book, small_book  # noqa: F401 - book_html: session fixture
from conftest import NOTEBOOKS, ROOT, netns_available, skip_or_fail
from token_economy.widgets import all_explorers

spec = importlib.util.spec_from_file_location("book_build", ROOT / "book" / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)

STEMS = [p.stem for p in NOTEBOOKS]
EXPLORER_PAGES = sorted({cls.notebook for cls in all_explorers().values()})


def page(html_dir, stem: str) -> str:
    return (html_dir / f"{stem}.html").read_text()


def test_build_script_examples():
    result = doctest.testmod(build, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 2 and result.failed == 0


def test_toc_lists_every_notebook_in_teaching_order():
    toc = build.make_toc(build.notebooks())
    assert [toc["root"], *(c["file"] for c in toc["chapters"])] == STEMS
    assert toc["root"] == "00_start_here"
    with pytest.raises(ValueError, match="paths"):
        build.make_toc([])


def test_notebook_name_pattern_ignores_scratch_files(tmp_path):
    for name in ["00_a.ipynb", "01_b_c.ipynb", "Untitled.ipynb", "1_x.ipynb", "02_copy-1.ipynb"]:
        (tmp_path / name).write_text("{}")
    assert [p.name for p in build.notebooks(tmp_path)] == ["00_a.ipynb", "01_b_c.ipynb"]


def test_config_keeps_the_promises():
    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "force" and config["execute"]["allow_errors"] is False
    sphinx = config["sphinx"]["config"]
    assert sphinx["nb_execution_raise_on_error"] is True
    scripts = list(sphinx["nb_ipywidgets_js"])
    # Served with the site (relative, no host), in the order require.js needs.
    assert scripts == [f"../{s}" for s in build.WIDGET_SCRIPTS]
    assert not list((ROOT / "book" / "_static").rglob("*.js")), "Jupyter Book adds every .js in _static/ to every page"
    # The repository URL lives in pyproject.toml only (book/launch.py); the build writes it into the staged config.
    assert "url" not in config["repository"] and "github.com" not in (ROOT / "book" / "_config.yml").read_text()
    staged = yaml.safe_load(build.staged_config())
    assert staged["repository"]["url"] == build.launch.repository_url()
    assert "mybinder.org" in config["launch_buttons"]["binderhub_url"]
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert (ROOT / "environment.yml").is_file(), "Binder builds its environment from environment.yml"


def test_npm_assets_are_pinned_cached_and_intact(book_html):  # noqa: F811
    from ipywidgets._version import __html_manager_version__ as wanted  # "^1.0.1" for ipywidgets 8
    _, version, _ = build.NPM["html-manager"]
    major, minor, patch = (int(x) for x in version.split("."))
    low = tuple(int(x) for x in wanted.lstrip("^~").split("."))
    assert major == low[0] and (major, minor, patch) >= low, f"html-manager {version} does not satisfy {wanted}"
    for package, version, integrity in build.NPM.values():
        tarball = build.CACHE / build.tarball_name(package, version)
        assert tarball.is_file() and build.integrity_ok(tarball, integrity)
    assert not build.integrity_ok(tarball, integrity.replace(integrity[-6:], "AAAAA="))


def test_generated_toc_is_in_step_with_the_notebooks(book_html):  # noqa: F811
    toc = yaml.safe_load((ROOT / "book" / "_build" / "src" / "_toc.yml").read_text())
    assert [toc["root"], *(c["file"] for c in toc["chapters"])] == STEMS
    assert json.loads((book_html / ".token-economy-build.json").read_text())["notebooks"] == STEMS


def test_site_has_a_page_per_notebook_and_nothing_from_other_hosts(book_html):  # noqa: F811
    assert build.check_site(NOTEBOOKS, book_html) == []
    assert "00_start_here.html" in (book_html / "index.html").read_text()
    assert (book_html / "search.html").is_file() and (book_html / "searchindex.js").is_file()
    index = (book_html / "searchindex.js").read_text()
    for stem in STEMS:
        assert f'"{stem}"' in index, f"{stem} is not in the search index"


def test_build_has_no_warnings_but_links_to_notebooks_not_yet_written(book_html):  # noqa: F811
    warnings = json.loads((book_html / ".token-economy-build.json").read_text())["warnings"]
    missing_notebook = re.compile(r"cross-reference target not found: '(\d\d_[a-z0-9_]+)(\.ipynb)?'")
    unexpected = [w for w in warnings
                  if not ((m := missing_notebook.search(w)) and m.group(1) not in STEMS)]
    assert unexpected == []


@pytest.mark.parametrize("stem", STEMS)
def test_page_has_navigation_download_and_launch(book_html, stem):  # noqa: F811
    html = page(book_html, stem)
    i = STEMS.index(stem)
    if i > 0:
        assert re.search(rf'class="left-prev"[^>]*href="{STEMS[i - 1]}\.html"|href="{STEMS[i - 1]}\.html"[^>]*class="left-prev"', html)
    if i < len(STEMS) - 1:
        assert re.search(rf'class="right-next"[^>]*href="{STEMS[i + 1]}\.html"|href="{STEMS[i + 1]}\.html"[^>]*class="right-next"', html)
    assert f'href="_sources/{stem}.ipynb"' in html, "no download link"
    download = nbformat.read(book_html / "_sources" / f"{stem}.ipynb", as_version=4)
    assert download.cells, "the download is an empty notebook"
    repo = build.launch.slug(build.launch.repository_url())
    assert f"mybinder.org/v2/gh/{repo}/" in html and f"urlpath=lab/tree/notebooks/{stem}.ipynb" in html, \
        "no Binder launch link"
    assert f"colab.research.google.com/github/{repo}/blob/{build.launch.BRANCH}/notebooks/{stem}.ipynb" in html, \
        "no Colab launch link"


@pytest.mark.parametrize("stem", STEMS)
def test_solutions_are_collapsed_and_markdown_links_point_to_pages(book_html, stem):  # noqa: F811
    html = page(book_html, stem)
    assert "<details" in html and "<details open" not in html
    assert "&lt;details" not in html, "a <details> tag was escaped instead of rendered"
    for target in re.findall(r'href="(\d\d_[a-z0-9_]+)\.ipynb"', html):
        assert target not in STEMS, f"link to {target}.ipynb should point to its page {target}.html"


@pytest.mark.parametrize("stem", EXPLORER_PAGES)
def test_explorer_pages_store_the_widgets_default_state(book_html, stem):  # noqa: F811
    html = page(book_html, stem)
    assert 'type="application/vnd.jupyter.widget-state+json"' in html
    assert 'type="application/vnd.jupyter.widget-view+json"' in html
    assert "te-explorer" in html, "the explorer's DOM classes are not in the stored widget state"


# --- small books built here ------------------------------------------------------------------------

@pytest.mark.offline
def test_a_book_builds_with_the_network_off(book_html, tmp_path):  # noqa: F811 - book_html: assets cached
    if not netns_available():
        skip_or_fail("running without network needs `unshare -n` (util-linux) and root")
    small_book(tmp_path / "nb", [nbformat.v4.new_code_cell("print(6 * 7)")])
    done = build_small_book(tmp_path, offline=True)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    html = tmp_path / "out" / "_build" / "html"
    assert build.check_site(build.notebooks(tmp_path / "nb"), html) == []
    first = (html / "00_small.html").read_text()
    assert "widget-state+json" in first and "42" in (html / "01_second.html").read_text()
    assert (html / "mathjax" / "tex-mml-chtml.js").is_file() and "\\(E = mc^2\\)" in first


def test_a_cell_error_fails_the_build(book_html, tmp_path):  # noqa: F811
    small_book(tmp_path / "nb", [nbformat.v4.new_code_cell("1 / 0")])
    done = build_small_book(tmp_path)
    assert done.returncode != 0
    assert "ZeroDivisionError" in done.stdout + done.stderr


INLINE_MATH = re.compile(r'<span class="math notranslate nohighlight">\\\((.*?)\\\)</span>', re.S)


def looks_like_prose(tex: str) -> bool:
    """Is this "maths" really a sentence between two dollar signs (money written as $ in markdown)?

    >>> looks_like_prose("0.15 per million input tokens that is 90 million tokens, ")
    True
    >>> looks_like_prose("1.50 and "), looks_like_prose(r"\\frac{a}{b} = c"), looks_like_prose(r"x \\text{ tokens per second}")
    (True, False, False)
    """
    if tex != tex.strip():
        return True
    bare = re.sub(r"\\(text|mathrm|textrm|operatorname|mbox)\{[^}]*\}|\\[A-Za-z]+", " ", tex)
    return re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", bare) is not None


def test_prose_detector():
    result = doctest.run_docstring_examples(looks_like_prose, {"looks_like_prose": looks_like_prose}, verbose=False)
    assert result is None and looks_like_prose(" x") and not looks_like_prose("E = mc^2")


@pytest.mark.parametrize("stem", STEMS)
def test_money_is_not_typeset_as_maths(book_html, stem):  # noqa: F811
    # JupyterLab and the pages both read $...$ in markdown as maths: "$5 and $7" becomes a formula.
    prose = [m for m in INLINE_MATH.findall(page(book_html, stem)) if looks_like_prose(m)]
    assert prose == [], (f"{stem}: text between two $ signs is typeset as maths (in JupyterLab too): {prose[:3]}. "
                         "Write money as \\\\$5 (two backslashes, JupyterLab's escape) in markdown.")


# --- for every reader: alt text, tables, colours --------------------------------------------------------

def executed(stem: str):
    """The notebook as the build executed it (Jupyter Book keeps it in book/_build/jupyter_execute)."""
    path = ROOT / "book" / "_build" / "jupyter_execute" / f"{stem}.ipynb"
    assert path.is_file(), f"{path.name}: the build kept no executed copy"
    return nbformat.read(path, as_version=4)


def html_outputs(nb) -> list[tuple[str, str]]:
    """``(where, html)`` for every HTML output and every HTML widget's stored value of an executed notebook."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/html")
            if text:
                found.append((f"cell {i}", "".join(text) if isinstance(text, list) else text))
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for model in state.values():
        value = model.get("state", {}).get("value")
        if model.get("model_name") in {"HTMLModel", "HTMLMathModel"} and isinstance(value, str) and value:
            found.append(("an explorer", value))
    return found


class TableReader(HTMLParser):
    """Every ``<table>`` of an HTML text, as header rows and body rows of ``(tag, text)`` cells."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self._open, self._cell = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._open.append({"head": [], "body": []})
            self.tables.append(self._open[-1])
        elif tag == "tr" and self._open:
            table = self._open[-1]
            table["head" if table.get("in_head") else "body"].append([])
        elif tag == "thead" and self._open:
            self._open[-1]["in_head"] = True
        elif tag in ("td", "th") and self._open:
            self._cell = [tag, ""]

    def handle_endtag(self, tag):
        if tag == "table" and self._open:
            self._open.pop()
        elif tag == "thead" and self._open:
            self._open[-1]["in_head"] = False
        elif tag in ("td", "th") and self._cell and self._open:
            table = self._open[-1]
            rows = table["head" if table.get("in_head") else "body"]
            if not rows:
                rows.append([])
            rows[-1].append((self._cell[0], " ".join(self._cell[1].split())))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data


NOT_A_NUMBER = {"nan", "<na>", "nat", "none", "inf", "-inf"}
WHOLE_WITH_DECIMALS = re.compile(r"^-?\$?\d{1,3}(,\d{3})*\.0+$|^-?\$?\d+\.0+$")


def table_problems(html_text: str) -> list[str]:
    """What keeps the tables of ``html_text`` from reading as tables: a bare 0..n (integer) index,
    missing values shown as NaN, whole numbers shown with decimals.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"gpu": ["H100", "H200"], "hbm_gb": [80.0, 141.0], "price": [2.5, float("nan")]})
    >>> table_problems(df.to_html())
    ['table (gpu, hbm_gb, price): a bare 0..n index', 'table (gpu, hbm_gb, price): "NaN" shown for a missing value', 'table (gpu, hbm_gb, price): column hbm_gb shows whole numbers with decimals (80.0)']
    >>> from token_economy.display import table
    >>> table_problems(table(df).to_html()) + table_problems(df.set_index("gpu").to_html(na_rep="n/a"))
    ['table (hbm_gb, price): column hbm_gb shows whole numbers with decimals (80.0)']
    """
    reader = TableReader()
    reader.feed(html_text)
    problems = []
    for table in reader.tables:
        head = [cells for cells in table["head"] if cells]
        body = [cells for cells in table["body"] if cells]
        while not table["head"] and body and all(tag == "th" for tag, _ in body[0]):  # header rows without <thead>
            head.append(body.pop(0))
        columns = [text for _, text in head[0]] if head else []
        name = f"table ({', '.join(c for c in columns if c)[:80]})"
        labels = [cells[0][1] for cells in body if cells[0][0] == "th"]
        index_named = any(cells[0][0] == "th" and cells[0][1] and not any(t for _, t in cells[1:]) for cells in head[1:])
        if body and len(labels) == len(body) and all(re.fullmatch(r"\d+", t) for t in labels) \
                and [int(t) for t in labels] == sorted({int(t) for t in labels}) and not index_named \
                and not (columns and columns[0]):
            problems.append(f"{name}: a bare 0..n index" if labels[0] == "0" else f"{name}: an unnamed integer index")
        if any(text.lower() in NOT_A_NUMBER for cells in body for _, text in cells):
            shown = next(text for cells in body for _, text in cells if text.lower() in NOT_A_NUMBER)
            problems.append(f'{name}: "{shown}" shown for a missing value')
        data_rows = [[text for tag, text in cells if tag == "td"] for cells in body]
        width = max((len(r) for r in data_rows), default=0)
        data_columns = columns[len(columns) - width:] if width and len(columns) >= width else [""] * width
        for j in range(width):
            values = [r[j] for r in data_rows if len(r) == width and r[j] not in ("", "n/a")]
            if values and all(WHOLE_WITH_DECIMALS.match(v) for v in values):
                problems.append(f"{name}: column {data_columns[j] or j + 1} shows whole numbers with decimals ({values[0]})")
    return problems


def test_table_checker():
    result = doctest.run_docstring_examples(table_problems, {"table_problems": table_problems}, verbose=False)
    assert result is None
    assert table_problems("<table><tr><th></th><th>x</th></tr><tr><th>0</th><td>1.5</td></tr></table>") \
        == ["table (x): a bare 0..n index"]


@pytest.mark.parametrize("stem", STEMS)
def test_tables_read_as_tables(book_html, stem):  # noqa: F811
    # Tables are for people: no bare 0..n index, missing values as "n/a", integers as integers
    # (display.table does all three). Checked on the notebook as the build executed it, outputs and explorers.
    problems = [f"{where}: {p}" for where, text in html_outputs(executed(stem)) for p in table_problems(text)]
    assert problems == [], f"{stem}: tables that do not read as tables (use token_economy.display.table):\n  " \
        + "\n  ".join(problems)


@pytest.mark.parametrize("stem", STEMS)
def test_figures_have_alt_text_and_colour_blind_safe_colours(book_html, stem):  # noqa: F811
    problems = []
    for i, cell in enumerate(executed(stem).cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data and 'class="te-figure"' not in "".join(data.get("text/html", "")):
                problems.append(f"cell {i}: a figure without alt text (not a matplotlib Figure shown by token_economy)")
            if 'class="te-figure"' in "".join(data.get("text/html", "")):
                audit = out.get("metadata", {}).get("text/html", {}).get("token_economy", {})
                if not audit.get("alt"):
                    problems.append(f"cell {i}: a figure without alt text")
                problems += [f"cell {i}: {clash}" for clash in audit.get("colour_clashes", [])]
    assert problems == [], f"{stem}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("stem", STEMS)
def test_every_image_on_the_page_has_alt_text(book_html, stem):  # noqa: F811
    missing = build.images_without_alt(page(book_html, stem))
    assert missing == [], f"{stem}: images without alt text: {missing[:3]}"


def test_the_collection_style_sheet_is_on_every_page(book_html):  # noqa: F811
    assert (book_html / "_static" / "collection.css").read_text() == build.COLLECTION_CSS.read_text()
    for stem in STEMS:
        assert "_static/collection.css" in page(book_html, stem), f"{stem}: the collection's style sheet is not linked"


# --- the first build offline ------------------------------------------------------------------------

def test_registry_probe_answers_in_seconds():
    start = time.monotonic()
    assert build.unreachable("http://127.0.0.1:9/", timeout=3) is not None
    assert time.monotonic() - start < 5


@pytest.mark.offline
def test_first_build_offline_fails_fast_and_says_what_to_do(tmp_path):
    # npm alone retries each package for minutes with the network off; the build must stop in seconds.
    if not netns_available():
        skip_or_fail("running without network needs `unshare -n` (util-linux) and root")
    code = ("import sys; from pathlib import Path; sys.path.insert(0, 'book'); import build; "
            f"build.fetch(Path({str(tmp_path / 'npm')!r}))")
    start = time.monotonic()
    done = subprocess.run(["unshare", "-n", sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    elapsed = time.monotonic() - start
    assert done.returncode != 0
    assert elapsed < 45, f"took {elapsed:.0f} s to give up"
    message = done.stderr
    assert "cannot reach the npm registry" in message and "copy the" in message and "make book" in message, message
    assert "@jupyter-widgets/html-manager@" in message, "the message should say what is missing"
