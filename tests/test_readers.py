"""For every reader, without a browser: colours readable in light and dark themes, colour-blind-safe
figures with alt text, tables for people, and JupyterLab set up as a class sees it.

The browser checks of the same promises are in test_browser_pages.py (pages, light and dark mode)
and test_browser_lab.py (JupyterLab's dark theme); the checks over the executed notebooks (tables,
figures) are in test_book.py.
"""

from __future__ import annotations

import ast
import base64
import re
import subprocess

import pandas as pd
import pytest
from matplotlib.figure import Figure

from conftest import ROOT
from token_economy import display, plots
from token_economy.widgets import FigureView, all_explorers

CSS = (ROOT / "lib" / "token_economy" / "collection.css").read_text()
EXPLORERS = all_explorers()


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours.

    >>> round(contrast("#000000", "#ffffff"), 1), round(contrast("#777777", "#ffffff"), 2)
    (21.0, 4.48)
    """
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0 and round(contrast("#777777", "#ffffff"), 2) == 4.48


def block(selector_start: str) -> str:
    """The declarations of the first CSS rule whose selector starts with ``selector_start``."""
    match = re.search(re.escape(selector_start) + r"[^{]*\{([^}]*)\}", CSS)
    assert match, f"collection.css has no rule for {selector_start}"
    return match.group(1)


def declared(rule: str) -> dict[str, str]:
    return dict(re.findall(r"(--te-[a-z-]+):\s*([^;]+);", rule))


def own_colour(value: str) -> str:
    """The literal colour of a declaration: itself, or the last fallback of a var() chain."""
    return re.findall(r"#[0-9a-fA-F]{6}", value)[-1]


#: Backgrounds the collection's text sits on, by theme: page, cell output and surfaces (claim checks).
#: JupyterLab 4's themes (--jp-layout-color0..2), pydata-sphinx-theme 0.17 (--pst-color-background,
#: on-background, surface), and collection.css's own fallbacks for pages without a theme.
BACKGROUNDS = {
    "light": {"JupyterLab Light": ["#ffffff", "#eeeeee"], "pages, light": ["#ffffff", "#f3f4f5"],
              "no theme, light": ["#ffffff", "#f1f5f9"], "highlighted row": ["#fdf0b5"]},
    "dark": {"JupyterLab Dark": ["#111111", "#212121", "#424242"], "pages, dark": ["#121212", "#14181e", "#222832", "#29313d"],
             "no theme, dark": ["#111111", "#1e293b"], "highlighted row": ["#4a3b06"]},
}


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_our_own_colours_are_readable_on_every_background_of_their_theme(theme):
    rule = block(":root") if theme == "light" else block('body[data-jp-theme-light="false"]')
    colours = declared(rule)
    low = []
    for name in ("--te-fg", "--te-muted", "--te-warn", "--te-info", "--te-gain", "--te-loss"):
        colour = own_colour(colours[name])
        for where, backgrounds in BACKGROUNDS[theme].items():
            low += [f"{name} {colour} on {bg} ({where}): {contrast(colour, bg):.2f}"
                    for bg in backgrounds if contrast(colour, bg) < 4.5]
    assert low == [], "colours below WCAG AA (4.5:1):\n  " + "\n  ".join(low)


def test_dark_values_are_the_same_for_every_dark_theme():
    themed = declared(block('body[data-jp-theme-light="false"]'))
    system = declared(CSS[CSS.index("@media (prefers-color-scheme: dark)"):])
    assert {k: own_colour(v) for k, v in themed.items()} == {k: own_colour(v) for k, v in system.items()}


def test_a_background_never_comes_without_its_text_colour():
    for selector, rule in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)):
        if re.search(r"(^|;)\s*background(-color)?\s*:", rule) and ".te-verdict-" not in selector:
            assert re.search(r"(^|;)\s*color\s*:", rule), f"{selector.strip()}: a background without a text colour"


def test_verdict_badges_are_readable():
    rules = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        background = re.search(r"background:\s*(#[0-9a-f]{6})", body)
        for label in re.findall(r"\.te-verdict-([a-z-]+)", selectors):
            rules[label] = background.group(1)
    assert {v.replace(" ", "-") for v in display.VERDICTS} <= set(rules)
    low = {label: round(contrast(colour, "#ffffff"), 2) for label, colour in rules.items()
           if contrast(colour, "#ffffff") < 4.5}
    assert low == {}, f"white text on these verdict badges is below 4.5:1: {low}"


def test_every_class_the_library_writes_is_styled():
    css_classes = set(re.findall(r"\.(te-[a-z-]+)", CSS))
    written = set()
    for path in (ROOT / "lib" / "token_economy").rglob("*.py"):
        for found in re.findall(r'class="([^"{]*)"', path.read_text()):
            written |= {c for c in found.split() if c.startswith("te-")}
    structural = {"te-explorer", "te-message", "te-compare", "te-split", "te-figure-row"}
    assert written - css_classes - structural == set()


def test_claim_check_carries_its_style_and_escapes_everything():
    box = display.claim_check("<b>claim</b>", "<i>source</i>", "measured & checked", "verdict", label="roughly true")
    assert box.data.startswith(display.style_tag())
    assert "&lt;b&gt;claim&lt;/b&gt;" in box.data and "&lt;i&gt;source&lt;/i&gt;" in box.data
    assert "te-verdict-roughly-true" in box.data and "style=" not in box.data.split("</style>", 1)[1]
    with pytest.raises(ValueError, match="label"):
        display.verdict_badge("  ")


def test_explorer_messages_use_classes_not_colours():
    ex = EXPLORERS["start"]()
    ex.set(usd_per_million=-3)
    assert 'class="te-warning"' in ex.message.value and "color:" not in ex.message.value.split("</style>")[-1]
    ex.show_message("a note", kind="info")
    assert 'class="te-info"' in ex.message.value


# --- tables for people -------------------------------------------------------------------------------

def test_table_hides_a_bare_index_and_keeps_a_meaningful_one():
    df = pd.DataFrame({"gpu": ["H100", "H200"], "hbm_gb": [80, 141]})
    assert "row_heading" not in display.table(df).to_html()
    shown = display.table(df, index="gpu").to_html()
    assert 'class="index_name level0" >gpu<' in shown and ">H200<" in shown
    assert "row_heading" in display.table(df.set_index("gpu")).to_html()
    assert "row_heading" in display.table(df.rename_axis("row"), index=None).to_html()  # named: kept
    assert "row_heading" not in display.table(df.set_index("gpu"), index=False).to_html()


def test_table_numbers_money_percent_units_and_missing_values():
    df = pd.DataFrame({"tokens": [1200.0, 125_000.0, None], "year": [2025, 2026, 2026],
                       "usd": [-3.0, 1234.5, 0.00012], "share": [0.125, 1.0, None],
                       "ratio": [1.23456, 0.000123, 12345.678], "ok": [True, False, True]})
    shown = display.table(df, money="usd", percent={"share": 0}, units={"usd": "USD per month"}).to_html()
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", shown)
    assert cells[:6] == ["1,200", "2025", "-$3.00", "12%", "1.23", "yes"]  # separators: the whole tokens column, as it reaches 125,000
    assert cells[6:12] == ["125,000", "2026", "$1,234.50", "100%", "0.00012", "no"]
    assert cells[12:] == ["n/a", "2026", "$0.00012", "n/a", "12,345.68", "yes"]
    assert ">usd (USD per month)<" in shown and "mathjax_ignore" in shown
    assert "nan" not in shown.lower()


def test_table_is_the_same_html_every_run_and_refuses_bad_arguments():
    df = pd.DataFrame({"a": [1, 2]})
    assert display.table(df).to_html() == display.table(df.copy()).to_html()
    for kwargs, word in [({"money": "b"}, "money"), ({"units": {"b": "s"}}, "units"), ({"index": "b"}, "index"),
                         ({"decimals": -1}, "decimals"), ({"percent": {"a": 1.5}}, "percent")]:
        with pytest.raises(ValueError, match=word):
            display.table(df, **kwargs)
    with pytest.raises(ValueError, match="df"):
        display.table([1, 2])
    assert display.table(pd.Series([1, 2], name="tokens")).to_html().count(">tokens<") == 1


# --- figures: palette, colour-blind checks, alt text ---------------------------------------------------

def test_palette_and_semantic_colours_are_colour_blind_safe():
    assert plots.colour_clashes(list(plots.PALETTE.values())) == []
    assert set(plots.COLOURS.values()) <= set(plots.PALETTE.values())
    assert set(plots.CYCLE) <= set(plots.PALETTE.values()) and len(set(plots.CYCLE)) == len(plots.CYCLE)
    pairs = [("input", "cached", "output"), ("memory", "compute"), ("gain", "loss"), ("human", "synthetic"),
             ("o200k_base", "cl100k_base"), ("chip", "memory_maker", "cloud", "model", "reseller", "electricity",
                                             "suppliers")]
    for group in pairs:
        colours = [plots.COLOURS[k] for k in group]
        assert len(set(colours)) == len(colours) and plots.colour_clashes(colours) == [], group


def test_clash_detector_finds_red_next_to_green_and_lookalikes():
    assert plots.colour_clashes(["#dc2626", "#16a34a"])[0][2] == "red next to green"
    assert "deuteranopia" in plots.colour_clashes(["#2563eb", "#7c3aed"])[0][2]
    assert plots.colour_clashes(["red", (0.2, 0.8, 0.2)])  # names and tuples too
    fig, ax = plots.new_figure()
    ax.bar([0, 1], [1, 2], color=["#dc2626", "#16a34a"])  # colour-coded bars without a legend
    assert plots.figure_colour_clashes(fig)
    with pytest.raises(ValueError, match="colours"):
        plots.colour_clashes(["#0072B2", "not a colour"])


#: Colours a drawing module may write literally: neutral ones. Every other colour comes from plots.PALETTE.
NEUTRAL = {"black", "white", "none", "k", "w", "#000000", "#ffffff", "#000", "#fff"}
COLOUR_LITERAL = re.compile(r"""(?<![\w&])#[0-9a-fA-F]{6}\b|(?<![\w&])#[0-9a-fA-F]{3}\b""")
COLOUR_KEYWORDS = {"color", "colour", "colors", "colours", "ecolor", "edgecolor", "facecolor", "c", "mec", "mfc"}
NAMED_COLOURS = {"red", "green", "blue", "orange", "purple", "yellow", "lime", "crimson", "darkgreen", "tab:red",
                 "tab:green", "forestgreen", "firebrick", "salmon", "gold", "pink", "brown", "cyan", "magenta"}


def colour_literals(path) -> list[str]:
    """Colours written literally in a module: hex codes anywhere in its strings, and colour names passed
    as colour arguments. ``#rrggbb`` inside plots/__init__.py's palette is the one allowed place."""
    tree = ast.parse(path.read_text())
    docstrings = {id(body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and (body := node.body)
                  and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found += [m.group(0) for m in COLOUR_LITERAL.finditer(node.value)]
        if isinstance(node, ast.keyword) and node.arg in COLOUR_KEYWORDS and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str) and node.value.value.lower() in NAMED_COLOURS:
            found.append(node.value.value)
    return found


DRAWING_MODULES = sorted([*(ROOT / "lib" / "token_economy" / "plots").glob("*.py"),
                          *(ROOT / "lib" / "token_economy" / "widgets").glob("*.py"),
                          ROOT / "lib" / "token_economy" / "tokens.py"])


@pytest.mark.parametrize("path", DRAWING_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_drawing_modules_take_colours_from_the_palette(path):
    allowed = {c.lower() for c in plots.PALETTE.values()} | NEUTRAL
    if path.name == "tokens.py" and path.parent.name == "token_economy":
        allowed |= {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}", path.read_text().split("_PALETTE = ")[1][:120])}
    outside = sorted({c for c in colour_literals(path) if c.lower() not in allowed})
    assert outside == [], (f"{path.name} writes colours outside the palette: {outside}. Use plots.COLOURS "
                           "(figures, bars) or a te- class from collection.css (text: te-gain, te-loss, te-warning ...)")


def reachable_figures(explorer) -> list[Figure]:
    """The figures an explorer draws into (its FigureViews' figures and any Figure it holds)."""
    found = []
    for value in vars(explorer).values():
        values = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, FigureView):
                found.append(item.fig)
            elif isinstance(item, Figure):
                found.append(item)
    return found


def explorer_figures(name: str) -> list[Figure]:
    """The figures of a new explorer in its default state: those it draws into, and its static twin."""
    ex = EXPLORERS[name]()
    figures = reachable_figures(ex)
    twin = ex.static()
    if isinstance(twin, Figure):
        figures.append(twin)
    return figures


@pytest.mark.parametrize("name", EXPLORERS)
def test_explorer_figures_are_colour_blind_safe(name):
    figures = explorer_figures(name)
    clashes = [c for fig in figures for c in plots.figure_colour_clashes(fig)]
    assert clashes == [], f"explorer {name}: {clashes}"


@pytest.mark.parametrize("name", EXPLORERS)
def test_explorer_alt_text_states_the_ranges_of_the_data_drawn(name):
    # An explorer updates its artists in place; the alt text reads the axes' data limits, which
    # matplotlib does not update on set_data: they must be recomputed, or the text states the ranges
    # of the empty artists the panels were built with ("runs, from 0 to 0").
    for fig in explorer_figures(name):
        said = plots.alt_text(fig)
        for ax in fig.axes:
            ax.relim(visible_only=True)
        assert plots.alt_text(fig) == said, f"explorer {name}"


def test_a_figure_shows_as_an_image_with_alt_text_and_as_png():
    fig, ax = plots.new_figure()
    ax.plot([1, 2, 3], [3, 2, 1], label="o200k_base")
    ax.set_title("Tokens <per> word")
    ax.set_xlabel("month")
    data, meta = plots.figure_bundle(fig)
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert data["text/html"].startswith('<img class="te-figure" alt="Line chart &quot;Tokens &lt;per&gt; word&quot;')
    assert data["image/png"] in data["text/html"]
    assert meta["text/html"]["token_economy"] == {"alt": plots.alt_text(fig), "colour_clashes": []}
    plots.describe(fig, "Tokens per word fall from 3 to 1.")
    assert 'alt="Tokens per word fall from 3 to 1."' in plots.figure_bundle(fig)[0]["text/html"]


def test_a_notebook_shows_a_figure_with_its_alt_text():
    # The display hook registered on import, as a kernel runs it (IPython's formatter, no pyplot).
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        plots._show_figures_in_ipython()
        fig, ax = plots.new_figure()
        ax.barh(["H100", "H200"], [80, 141])
        ax.set_xlabel("HBM (GB)")
        data, meta = shell.display_formatter.format(fig)
        assert 'alt="Bar chart: x axis HBM (GB), from 0 to 141; y axis H100, H200."' in data["text/html"]
        assert "image/png" in data and meta["text/html"]["token_economy"]["colour_clashes"] == []
    finally:
        InteractiveShell.clear_instance()


# --- JupyterLab as a class sees it --------------------------------------------------------------------

def test_lab_settings_override_switches_off_the_news_popup():
    import json

    overrides = json.loads((ROOT / "jupyter" / "overrides.json").read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    from jupyterlab.commands import get_app_dir

    schema = json.loads((ROOT / get_app_dir() / "schemas" / "@jupyterlab" / "apputils-extension"
                         / "notification.json").read_text())
    assert {"fetchNews", "checkForUpdates"} <= set(schema["properties"])
    assert "false" in [choice["const"] for choice in schema["properties"]["fetchNews"]["oneOf"]]


def test_make_lab_settings_installs_the_override_where_jupyterlab_reads_it(tmp_path):
    done = subprocess.run(["make", "--no-print-directory", "lab-settings", f"VENV={tmp_path / 'venv'}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    installed = tmp_path / "venv" / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert installed.read_text() == (ROOT / "jupyter" / "overrides.json").read_text()
    # JupyterLab reads overrides.json from <prefix>/share/jupyter/lab/settings (its app settings folder).
    from jupyterlab.commands import get_app_dir
    assert get_app_dir().endswith("share/jupyter/lab")


def test_make_lab_roots_jupyterlab_at_the_repository_and_opens_notebook_00():
    recipe = re.search(r"^lab:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    options = dict(re.findall(r"--([A-Za-z]+\.[a-z_]+)=(\S+)", recipe))
    assert options["ServerApp.root_dir"] == "."
    url = options["LabApp.default_url"]
    assert url.startswith("/lab/tree/") and (ROOT / url.removeprefix("/lab/tree/")).is_file()
    assert url.endswith("00_start_here.ipynb")
    assert re.search(r"^lab:.*\blab-settings\b", (ROOT / "Makefile").read_text(), re.M), \
        "make lab should install the settings override first"
