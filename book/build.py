"""Build the rendered pages of the collection (Jupyter Book 1.x) into book/_build/html.

    python book/build.py            # build if any input changed since the last build
    python book/build.py --force    # build anyway
    python book/build.py --fetch    # only fetch the JavaScript assets into .cache/npm (needs the npm registry once)
    python book/build.py --notebooks DIR --out DIR   # another folder of notebooks (used by tests/test_book.py)

What it does, in order:

1. Fetches, once, the JavaScript the pages need to work offline, from the npm registry with
   ``npm pack`` into ``.cache/npm/`` (git-ignored), and checks each tarball against the integrity
   hash pinned below: the ipywidgets renderer (``@jupyter-widgets/html-manager``, the ``embed-amd.js``
   that ipywidgets 8 documents), ``require.js`` (package ``requirejs``) and MathJax 3. Later builds
   read the cache and work with the network off. Without the cache and without a network, it stops
   within seconds and says what to do (npm itself would retry for minutes per package).
2. Stages the book source in ``book/_build/src``: a copy of every ``notebooks/NN_*.ipynb``, a copy
   of ``book/_config.yml`` with the repository URL from pyproject.toml (for the Binder and Colab
   launch buttons; see book/launch.py), the collection's style sheet (``collection.css``, dark mode
   included) in ``_static/``, a ``_toc.yml`` generated from the notebooks present (in teaching order,
   so a new notebook joins the book without editing anything), and the assets in ``_assets/``,
   which Sphinx copies to the site root (``html_extra_path``). They are deliberately not in a
   ``_static/`` folder: Jupyter Book adds every ``.js`` file found there to every page, and the
   widget renderer would then run twice. (``book/_static/`` holds only the pages' style sheet.)
3. Runs ``jupyter-book build --all``: every notebook is executed in a fresh kernel and a cell error
   fails the build (``nb_execution_raise_on_error``); the executed notebooks keep the widgets'
   default state, which the offline renderer draws on the page.
4. Checks the result: a page per notebook, no script or stylesheet loaded from another host, the
   widget renderer loaded exactly once on every page that has widgets; and it lists (as warnings)
   images without a text alternative. Then it records a fingerprint of the inputs, so that the next
   run (and the browser tests) can reuse a fresh build.

What it leaves out: PDF output, and publishing (copy book/_build/html to any static web host).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import launch  # noqa: E402 - book/launch.py, next to this script

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOK_DIR = ROOT / "notebooks"
BUILD = BOOK / "_build"
SRC = BUILD / "src"
HTML = BUILD / "html"
CACHE = ROOT / ".cache" / "npm"
FINGERPRINT = HTML / ".token-economy-build.json"

#: npm packages taken at build time: (name, exact version, integrity as published by the registry).
#: html-manager 1.x is the renderer ipywidgets 8 embeds (ipywidgets._version.__html_manager_version__ = "^1.0.1").
NPM = {
    "html-manager": ("@jupyter-widgets/html-manager", "1.0.15",
                     "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA=="),
    "requirejs": ("requirejs", "2.3.8",
                  "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw=="),
    "mathjax": ("mathjax", "3.2.2",
                "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="),
}

#: What to take from each tarball (paths inside ``package/``) and where it goes under the site root.
#: Every entry ending in "/" is a folder copied whole.
ASSETS = {
    "html-manager": ("ipywidgets", ["dist/embed-amd.js", "LICENSE"], re.compile(r"dist/[0-9a-f]{20}\.(woff2?|ttf|eot|svg)$")),
    "requirejs": ("ipywidgets", ["require.js"], None),
    "mathjax": ("mathjax", ["LICENSE", "es5/tex-mml-chtml.js", "es5/core.js", "es5/loader.js", "es5/startup.js",
                            "es5/output/chtml/", "es5/input/", "es5/a11y/", "es5/ui/", "es5/sre/", "es5/adaptors/"], None),
}

#: Script URLs as the pages load them (relative to the site root; see _config.yml).
WIDGET_SCRIPTS = ("ipywidgets/require.js", "ipywidgets/setup.js", "ipywidgets/embed-amd.js")

NOTEBOOK_NAME = re.compile(r"^[0-9]{2}_[a-z0-9_]+\.ipynb$")


# --- inputs -----------------------------------------------------------------------------------
def notebooks(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The collection's notebooks in teaching order (``NN_name.ipynb``, sorted by number)."""
    return sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def make_toc(paths: list[Path]) -> dict:
    """The Jupyter Book table of contents for ``paths``: the first is the landing page.

    >>> make_toc([Path("00_a.ipynb"), Path("01_b.ipynb"), Path("02_c.ipynb")])
    {'format': 'jb-book', 'root': '00_a', 'chapters': [{'file': '01_b'}, {'file': '02_c'}]}
    """
    if not paths:
        raise ValueError("paths: no notebooks to put in the book")
    stems = [p.stem for p in paths]
    return {"format": "jb-book", "root": stems[0], "chapters": [{"file": s} for s in stems[1:]]}


def fingerprint() -> str:
    """sha256 over everything a build depends on: notebooks, library, data, book config, this script, pins."""
    h = hashlib.sha256()
    files = [*notebooks(), BOOK / "_config.yml", BOOK / "favicon.svg", BOOK / "launch.py",
             *sorted(p for d in ("_static", "_ext") for p in (BOOK / d).rglob("*.*") if p.is_file() and p.suffix != ".pyc"),
             Path(__file__), ROOT / "pyproject.toml"]
    for folder in (ROOT / "lib", ROOT / "data"):
        files += sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def is_fresh() -> bool:
    """Is book/_build/html a complete build of the current inputs?"""
    try:
        return json.loads(FINGERPRINT.read_text())["inputs"] == fingerprint()
    except (OSError, ValueError, KeyError):
        return False


# --- JavaScript assets from npm -----------------------------------------------------------------
def tarball_name(package: str, version: str) -> str:
    """The file name ``npm pack`` gives a package.

    >>> tarball_name("@jupyter-widgets/html-manager", "1.0.15")
    'jupyter-widgets-html-manager-1.0.15.tgz'
    """
    return f"{package.lstrip('@').replace('/', '-')}-{version}.tgz"


def integrity_ok(path: Path, integrity: str) -> bool:
    algo, _, digest = integrity.partition("-")
    return base64.b64encode(hashlib.new(algo, path.read_bytes()).digest()).decode() == digest


DEFAULT_REGISTRY = "https://registry.npmjs.org/"


def _npm_config(npm: str, key: str) -> str:
    """``npm config get key`` ('' when unset or when npm does not answer in 20 s)."""
    try:
        done = subprocess.run([npm, "config", "get", key], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    value = done.stdout.strip()
    return "" if done.returncode != 0 or value in {"", "null", "undefined"} else value


def unreachable(url: str, timeout: float = 6.0, proxy: str = "") -> str | None:
    """Why ``url`` cannot be reached in ``timeout`` seconds, or None when it answers (any HTTP status).

    >>> unreachable("http://127.0.0.1:9/", timeout=2) is not None    # port 9 (discard): nothing listens
    True
    """
    handlers = [urllib.request.ProxyHandler({"http": proxy, "https": proxy})] if proxy else []
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return None
    except urllib.error.HTTPError:  # an answer, even 404 or 405: the registry is there
        return None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return str(getattr(exc, "reason", exc)) or type(exc).__name__


def offline_message(registry: str, reason: str, missing: list[str], cache: Path) -> str:
    """What to do when the first build has no network (the packages are fetched only once)."""
    shown = cache.relative_to(ROOT) if cache.is_relative_to(ROOT) else cache
    return (f"book: cannot reach the npm registry ({registry}: {reason}).\n"
            f"The first `make book` fetches the pages' JavaScript once ({', '.join(missing)}) into {shown}/; "
            "later builds work offline. Do one of these, then run `make book` again:\n"
            "  - connect this machine to the network (or set a proxy: HTTPS_PROXY, or `npm config set https-proxy URL`);\n"
            f"  - copy the {shown}/ folder from a machine that has built the pages (its files are checked against pinned hashes);\n"
            "  - run `python book/build.py --fetch` on a connected machine and copy that folder.")


def fetch(cache: Path = CACHE) -> dict[str, Path]:
    """Make sure every pinned tarball is in ``cache`` and intact; fetch the missing ones with npm.

    Before asking npm, checks in a few seconds that the registry answers: offline, npm would retry
    each package for minutes before failing.
    """
    cache.mkdir(parents=True, exist_ok=True)
    found, missing = {}, []
    for key, (package, version, integrity) in NPM.items():
        path = cache / tarball_name(package, version)
        if path.is_file() and not integrity_ok(path, integrity):
            print(f"book: {path.name} in the cache is damaged; fetching it again", flush=True)
            path.unlink()
        if not path.is_file():
            missing.append(f"{package}@{version}")
        found[key] = path
    if not missing:
        return found
    npm = shutil.which("npm")
    if npm is None:
        shown = cache.relative_to(ROOT) if cache.is_relative_to(ROOT) else cache
        sys.exit(f"book: {', '.join(missing)} not in {shown}/ and npm is not installed. "
                 "Install Node.js/npm (e.g. `apt-get install npm`) and run `make book` once with the "
                 "npm registry reachable; later builds work offline.")
    registry = _npm_config(npm, "registry") or DEFAULT_REGISTRY
    proxy = _npm_config(npm, "https-proxy") or _npm_config(npm, "proxy")
    reason = unreachable(registry, proxy=proxy)
    if reason is not None:
        sys.exit(offline_message(registry, reason, missing, cache))
    for key, (package, version, integrity) in NPM.items():
        path = found[key]
        if not path.is_file():
            print(f"book: fetching {package}@{version} from the npm registry (once; kept in .cache/npm)", flush=True)
            try:
                done = subprocess.run([npm, "pack", f"{package}@{version}", "--pack-destination", str(cache),
                                       "--silent"], capture_output=True, text=True, cwd=cache, timeout=600)
            except subprocess.TimeoutExpired:
                sys.exit(f"book: `npm pack {package}@{version}` took over 10 minutes; is the network working?")
            if done.returncode != 0 or not path.is_file():
                sys.exit(f"book: `npm pack {package}@{version}` failed (is the npm registry reachable?):\n"
                         f"{done.stderr.strip()}")
            if not integrity_ok(path, integrity):
                path.unlink()
                sys.exit(f"book: {package}@{version} from npm does not match its pinned integrity hash; refused")
    return found


def extract_assets(tarballs: dict[str, Path], dest: Path) -> None:
    """Copy the files listed in ASSETS from the tarballs to ``dest`` (the site root's extra files)."""
    shutil.rmtree(dest, ignore_errors=True)
    for key, (folder, wanted, pattern) in ASSETS.items():
        with tarfile.open(tarballs[key]) as tar:
            for member in tar.getmembers():
                if not member.isfile() or not member.name.startswith("package/"):
                    continue
                inner = member.name.removeprefix("package/")
                take = any(inner == w or (w.endswith("/") and inner.startswith(w)) for w in wanted)
                if not take and not (pattern and pattern.match(inner)):
                    continue
                # Flatten the package's top folder (dist/, es5/) so the URLs are short.
                rel = inner.split("/", 1)[1] if inner.startswith(("dist/", "es5/")) else inner
                if rel == "LICENSE":
                    rel = f"LICENSE-{key}"
                target = dest / folder / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())


# --- staging and building ---------------------------------------------------------------------------
#: Loaded between require.js and the renderer (written by this script, not from npm). Two fixes:
#: 1. The renderer loads its icon fonts relative to the URLs require.js gives its modules; point
#:    those modules' folders at this one, so the fonts are found next to it.
#: 2. The renderer typesets widget labels with MathJax 2's ``MathJax.Hub.Queue``; these pages use
#:    MathJax 3, which has no ``Hub``: a script error on any page with both maths and widgets.
#:    Give whatever object becomes ``window.MathJax`` a ``Hub.Queue`` that does the same with MathJax 3.
SETUP_JS = """// Written by book/build.py: see the comment on SETUP_JS there.
(function () {
  var here = document.currentScript.src.replace(/\\/[^\\/]*$/, "");
  require.config({paths: {"@jupyter-widgets/html-manager/dist": here, "@jupyter-widgets": here}});

  var Hub = {Queue: function (job) {
    var M = window.MathJax, el = job && job[2];
    if (el && M && M.startup && M.startup.promise && M.typesetPromise) {
      M.startup.promise.then(function () { return M.typesetPromise([el]); }).catch(function () {});
    }
  }};
  // Whatever becomes window.MathJax (a configuration, then MathJax 3 itself) gets that Hub.
  function withHub(m) {
    if (m && typeof m === "object" && !m.Hub) { try { m.Hub = Hub; } catch (e) { /* frozen: leave it */ } }
    return m;
  }
  var current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {configurable: true, enumerable: true,
    get: function () { return current; }, set: function (value) { current = withHub(value); }});
})();
"""


#: ``\\$`` (two backslashes and a dollar) outside code: how JupyterLab escapes a dollar sign in markdown.
LAB_DOLLAR = re.compile(r"(```.*?```|`[^`\n]*`)|\\\\\$", re.S)


def myst_dollars(markdown: str) -> str:
    r"""Rewrite JupyterLab's dollar escape (two backslashes) as MyST's (one), leaving code alone.

    >>> print(myst_dollars(r"costs \\$5, not \\$7; `\\$x` stays; $x^2$ stays"))
    costs \$5, not \$7; `\\$x` stays; $x^2$ stays
    """
    return LAB_DOLLAR.sub(lambda m: m.group(1) or "\\$", markdown)


def stage_notebook(path: Path, target: Path) -> None:
    """Copy a notebook into the book source, with its markdown cells' dollar escapes made MyST's."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = myst_dollars(text)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    os.utime(target, (path.stat().st_atime, path.stat().st_mtime))


#: The collection's own style sheet (token_economy.display ships it with its HTML; the pages load it too).
COLLECTION_CSS = ROOT / "lib" / "token_economy" / "collection.css"


def staged_config(config: Path = BOOK / "_config.yml") -> str:
    """book/_config.yml with the repository URL from pyproject.toml (book/launch.py reads it).

    >>> yaml.safe_load(staged_config())["repository"]["url"] == launch.repository_url()
    True
    """
    settings = yaml.safe_load(config.read_text())
    settings.setdefault("repository", {})["url"] = launch.repository_url()
    settings["repository"]["branch"] = launch.BRANCH
    return ("# Generated by book/build.py from book/_config.yml and pyproject.toml; do not edit.\n"
            + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True))


def stage(tarballs: dict[str, Path], notebook_dir: Path = NOTEBOOK_DIR, src: Path = SRC) -> list[Path]:
    """Prepare the book source in ``src``: notebooks, config, generated toc, assets. Returns the notebooks."""
    paths = notebooks(notebook_dir)
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    for path in paths:
        stage_notebook(path, src / path.name)
    shutil.copytree(BOOK / "_ext", src / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(BOOK / "favicon.svg", src / "favicon.svg")
    (src / "_config.yml").write_text(staged_config())
    # Style sheets only: Jupyter Book links every .css and .js under _static/ into every page.
    shutil.copytree(BOOK / "_static", src / "_static")
    shutil.copy2(COLLECTION_CSS, src / "_static" / COLLECTION_CSS.name)
    toc = make_toc(paths)
    (src / "_toc.yml").write_text("# Generated by book/build.py from notebooks/NN_*.ipynb; do not edit.\n"
                                  + yaml.safe_dump(toc, sort_keys=False))
    extract_assets(tarballs, src / "_assets")
    (src / "_assets" / "ipywidgets" / "setup.js").write_text(SETUP_JS)
    return paths


#: A Sphinx warning or error line ("file:line: WARNING: ..."); kernel log lines ("[IPKernelApp] WARNING | ...") are not.
SPHINX_PROBLEM = re.compile(r"(^|: )(WARNING|ERROR|CRITICAL|SEVERE):")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_jupyter_book(src: Path = SRC, out: Path = BOOK) -> list[str]:
    """Build ``src`` into ``out/_build/html``, echo the output, return the warning lines. Exits on failure."""
    exe = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(exe) if exe.exists() else "jupyter-book", "build", str(src), "--path-output", str(out), "--all"]
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT)
    warnings = []
    for line in proc.stdout:
        sys.stdout.write(line)
        plain = ANSI.sub("", line)
        if SPHINX_PROBLEM.search(plain):
            warnings.append(plain.strip())
    if proc.wait() != 0:
        sys.exit("book: jupyter-book build failed (see above); a notebook cell that raises fails the build")
    errors = [w for w in warnings if "ERROR" in w or "Executing notebook failed" in w]
    if errors:
        sys.exit("book: the build reported errors:\n  " + "\n  ".join(errors))
    return warnings


EXTERNAL_ASSET = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)=["'](?:https?:)?//[^"']+["'][^>]*>""", re.I)


def check_site(paths: list[Path], html: Path = HTML) -> list[str]:
    """Problems with the built site (empty list when all is well)."""
    problems = []
    for path in paths:
        page = html / f"{path.stem}.html"
        if not page.is_file():
            problems.append(f"{page.name}: missing")
            continue
        text = page.read_text()
        problems += [f"{page.name}: loads from another host: {m[:120]}" for m in EXTERNAL_ASSET.findall(text)
                     if "rel=\"preconnect\"" not in m]
        if "application/vnd.jupyter.widget-state+json" in text:
            for script in WIDGET_SCRIPTS:
                n = len(re.findall(rf"<script[^>]*src=\"[^\"]*{re.escape(script)}", text))
                if n != 1:
                    problems.append(f"{page.name}: {script} loaded {n} times (want 1)")
    for rel in WIDGET_SCRIPTS + ("mathjax/tex-mml-chtml.js",):
        if not (html / rel).is_file():
            problems.append(f"{rel}: not copied into the site")
    return problems


IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
ALT = re.compile(r"""\balt=(["'])(.*?)\1""", re.I | re.S)
#: An alt text that is only a file name or path (what Sphinx writes when a figure has none).
FILE_NAME_ALT = re.compile(r"^[\w./-]+\.(png|jpe?g|gif|svg|webp)$", re.I)


def images_without_alt(page_html: str) -> list[str]:
    """The ``<img>`` tags of a page with no text alternative (no alt, an empty one, or a file name).

    >>> images_without_alt('<img src="a.png" alt="_images/ab12.png"><img alt="Costs fall." src="b.png"><img src="c">')
    ['<img src="a.png" alt="_images/ab12.png">', '<img src="c">']
    """
    missing = []
    for tag in IMG_TAG.findall(page_html):
        alt = ALT.search(tag)
        text = alt.group(2).strip() if alt else ""
        if not text or FILE_NAME_ALT.match(text):
            missing.append(tag if len(tag) < 160 else tag[:150] + "...>")
    return missing


def build(force: bool = False, notebook_dir: Path = NOTEBOOK_DIR, out: Path = BOOK) -> Path:
    """Build the pages of ``notebook_dir`` into ``out/_build/html`` unless a fresh build exists; return that folder.

    The defaults build the collection (notebooks/ into book/_build/html); tests pass other folders.
    """
    html, src = out / "_build" / "html", out / "_build" / "src"
    stamp = html / FINGERPRINT.name
    default = notebook_dir == NOTEBOOK_DIR and out == BOOK
    if default and not force and is_fresh():
        print(f"book: {HTML.relative_to(ROOT)} is up to date (use --force to rebuild)")
        return HTML
    inputs = fingerprint()
    tarballs = fetch()
    paths = stage(tarballs, notebook_dir, src)
    print(f"book: building {len(paths)} notebook(s): {', '.join(p.stem for p in paths)}", flush=True)
    stamp.unlink(missing_ok=True)
    warnings = run_jupyter_book(src, out)
    for path in paths:  # the download link gives the notebook as it is in the repository
        shutil.copy2(path, html / "_sources" / path.name)
    problems = check_site(paths, html)
    if problems:
        sys.exit("book: the built site has problems:\n  " + "\n  ".join(problems))
    for path in paths:
        no_alt = images_without_alt((html / f"{path.stem}.html").read_text())
        if no_alt:
            line = f"{path.stem}.html: WARNING: {len(no_alt)} image(s) without alt text, e.g. {no_alt[0][:100]}"
            print(f"book: {line}", flush=True)
            warnings.append(line)
    if launch.repository_url() == launch.PLACEHOLDER:
        print("book: note: pyproject.toml holds the placeholder repository URL; the launch buttons lead nowhere "
              "until you set [project.urls] Repository", flush=True)
    if default:
        stamp.write_text(json.dumps({"inputs": inputs, "notebooks": [p.stem for p in paths],
                                     "warnings": warnings}, indent=1))
    if warnings:
        print(f"book: {len(warnings)} warning(s), listed above", flush=True)
    shown = html.relative_to(ROOT) if html.is_relative_to(ROOT) else html
    print(f"book: done. Open {shown}/index.html, or serve it: python -m http.server -d {shown} 8000", flush=True)
    return html


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if the inputs did not change")
    parser.add_argument("--fetch", action="store_true", help="only fetch the JavaScript assets into .cache/npm")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOK_DIR,
                        help="folder of NN_name.ipynb notebooks (default: notebooks/)")
    parser.add_argument("--out", type=Path, default=BOOK, help="build into OUT/_build (default: book/)")
    args = parser.parse_args(argv)
    if args.fetch:
        fetch()
        print(f"book: assets cached in {CACHE.relative_to(ROOT)}")
        return
    build(force=args.force, notebook_dir=args.notebooks.resolve(), out=args.out.resolve())


if __name__ == "__main__":
    main()
