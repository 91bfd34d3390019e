"""Helpers and fixtures for the real-browser tests (tests/test_browser_pages.py, tests/test_browser_lab.py).

Chromium is Debian's package (``/usr/bin/chromium``), driven by the ``playwright`` Python package;
``playwright install`` is not needed. Without Chromium the browser tests are skipped locally with
a message that says how to install it; with CI=true that is a failure (``conftest.skip_or_fail``).

Test modules import the fixtures they use from here (``from browser import chromium, book_html``).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import ROOT, skip_or_fail

CHROMIUM = Path(os.environ.get("TE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
INSTALL_HINT = ("the browser tests need Debian's Chromium and CJK fonts: "
                "`sudo apt-get install chromium fonts-noto-cjk` (`playwright install` is not needed)")
ARTIFACTS = ROOT / "test-artifacts"
BOOK_HTML = ROOT / "book" / "_build" / "html"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_local(url: str) -> bool:
    """Does ``url`` stay on this machine (127.0.0.1, or a data:/blob:/about: URL)?

    >>> is_local("http://127.0.0.1:8000/x.js"), is_local("blob:http://127.0.0.1:1/abc"), is_local("https://cdn.jsdelivr.net/x")
    (True, True, False)
    """
    parsed = urlparse(url)
    if parsed.scheme in {"data", "blob", "about", "chrome-error"}:
        return True
    return parsed.hostname in {"127.0.0.1", "localhost"}


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` over HTTP on 127.0.0.1 and a random free port; yield the base URL."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Watch:
    """Everything that went wrong on a page: console errors, page errors, failed or non-local requests."""

    def __init__(self, page, ignore_console=()):
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed: list[str] = []
        self.bad_status: list[str] = []
        self.ignore_console = ignore_console
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: self.bad_status.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def _console(self, msg):
        if msg.type == "error" and not any(s in msg.text for s in self.ignore_console):
            where = (msg.location or {}).get("url", "")
            self.console_errors.append(f"{msg.text} [{where}]")

    def problems(self) -> dict[str, list[str]]:
        found = {"console errors": self.console_errors, "page errors": self.page_errors,
                 "failed requests": self.failed, "HTTP errors": self.bad_status}
        return {k: v for k, v in found.items() if v}


def block_non_local(context, record: list[str]) -> None:
    """Abort (and record) every request that would leave this machine: the pages must work offline."""
    def handle(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            record.append(route.request.url)
            route.abort()
    context.route("**/*", handle)


#: One Playwright and one browser per test session. (Each test module imports the fixtures below, and
#: pytest then sees one fixture per module; a second Playwright in the same process would fail.)
_SHARED: dict = {}


@pytest.fixture(scope="session")
def chromium(request):
    """A headless Debian Chromium driven by playwright (skipped locally without it, failed in CI)."""
    if not CHROMIUM.is_file():
        skip_or_fail(INSTALL_HINT)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the browser tests need the playwright Python package (`make setup` installs it)")
    if "browser" not in _SHARED:
        playwright = sync_playwright().start()
        _SHARED["browser"] = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        def stop():
            _SHARED.pop("browser").close()
            playwright.stop()
        request.config.add_cleanup(stop)
    return _SHARED["browser"]


@pytest.fixture(scope="session")
def book_html() -> Path:
    """The built pages (book/_build/html): reused when fresh, else built by book/build.py as `make book` does."""
    if "book" in _SHARED:
        return _SHARED["book"]
    done = subprocess.run([sys.executable, str(ROOT / "book" / "build.py")], capture_output=True, text=True,
                          cwd=ROOT, timeout=1800)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
        if "npm is not installed" in tail and shutil.which("npm") is None:
            skip_or_fail("building the pages the first time needs npm (`sudo apt-get install npm`) to fetch "
                         "the widget renderer into .cache/npm")
        pytest.fail(f"book/build.py failed:\n{tail}")
    _SHARED["book"] = BOOK_HTML
    return BOOK_HTML


def artifact(*parts: str) -> Path:
    """A path under test-artifacts/ (git-ignored), its folder created."""
    path = ARTIFACTS.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# --- small books built from notebooks written by the tests ---------------------------------------------

LO_UP_THEN_RUN = """
import fcntl, os, socket, struct, sys
names = [n for _, n in socket.if_nameindex()]
assert names == ["lo"], names  # no interface but loopback: the network is off
# Kernels talk to the build over 127.0.0.1; bring the (down) loopback up. Nothing leaves the machine.
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, struct.pack("16sH", b"lo", 0))[:18])[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sH", b"lo", flags | 1))
os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
"""


#: Money as the collection writes it (two backslashes: JupyterLab's escape for a dollar sign).
MONEY_MD = "costs \\\\$5 per million tokens and \\\\$7 per hour"
MONEY_SHOWN = "costs $5 per million tokens and $7 per hour"


def small_book(folder, cells_01) -> None:
    """Two notebooks in ``folder``: 00 with maths, money and a widget; 01 with ``cells_01`` (nbformat cells)."""
    import nbformat
    folder.mkdir()
    good = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# 00 · Small\n\n$E = mc^2$ is maths; this {MONEY_MD}."),
        nbformat.v4.new_code_cell(f"from IPython.display import Markdown\nMarkdown(r'Output: this {MONEY_MD}.')"),
        nbformat.v4.new_code_cell("import ipywidgets as W\nW.IntSlider(3, description='users')")])
    good.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(good, folder / "00_small.ipynb")
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01 · Second"), *cells_01])
    other.metadata["kernelspec"] = good.metadata["kernelspec"]
    nbformat.write(other, folder / "01_second.ipynb")


def build_small_book(tmp_path, offline=False) -> subprocess.CompletedProcess:
    """Build the notebooks of tmp_path/nb into tmp_path/out/_build/html (offline: in `unshare -n`)."""
    cmd = [str(ROOT / "book" / "build.py"), "--notebooks", str(tmp_path / "nb"), "--out", str(tmp_path / "out")]
    if offline:
        return subprocess.run(["unshare", "-n", sys.executable, "-c", LO_UP_THEN_RUN, *cmd],
                              capture_output=True, text=True, timeout=600, cwd=ROOT)
    return subprocess.run([sys.executable, *cmd], capture_output=True, text=True, timeout=600, cwd=ROOT)


# --- readable in every theme --------------------------------------------------------------------------

#: The collection's own HTML: claim checks, explorers, tables and anything else with a te- class.
COLLECTION_HTML = '.te-claim-check, [class^="te-"], [class*=" te-"]'

#: WCAG 2.x contrast of the collection's own HTML, as the reader sees it. For every visible element
#: with text of its own inside ``selector``: its text colour against the background it sits on (the
#: background colours up the tree, translucent ones composited over the first opaque one; white if
#: none). Needed: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). Returns the failures as
#: ``{text, ratio, needed, fg, bg, where}``; a colour it cannot read counts as a failure.
LOW_CONTRAST = r"""(selector) => {
  const parse = (c) => {
    let m = /^rgba?\(([^)]+)\)$/.exec(c || '');
    if (m) {
      const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = /^color\(srgb ([^)]+)\)$/.exec(c || '');
    if (m) {
      const p = m[1].split(/[\s\/]+/).filter(Boolean).map(parseFloat);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
    }
    return null;
  };
  const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3])).concat([1]);
  const lum = (c) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c === null) return null;
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const name = (el) => {
    const owner = el.closest('[class*="te-"]') || el;
    return (owner.getAttribute('class') || owner.tagName).split(/\s+/).filter(c => c.startsWith('te-')).join(' ')
      || owner.tagName.toLowerCase();
  };
  const seen = new Set(), bad = [];
  for (const root of document.querySelectorAll(selector)) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (seen.has(el)) continue;
      seen.add(el);
      if (el.closest('script, style, select, option, mjx-container, svg')) continue;
      const own = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim())
        .map(n => n.textContent.trim()).join(' ');
      if (!own || !el.getClientRects().length) continue;
      const s = getComputedStyle(el);
      if (s.visibility !== 'visible' || parseFloat(s.opacity) === 0) continue;
      const bg = background(el), colour = parse(s.color);
      if (bg === null || colour === null) {
        bad.push({text: own.slice(0, 60), ratio: null, needed: 4.5, fg: s.color, bg: 'unreadable', where: name(el)});
        continue;
      }
      const fg = over(colour, bg);
      const l1 = lum(fg), l2 = lum(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
      const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
      if (ratio < needed) {
        bad.push({text: own.slice(0, 60), ratio: Math.round(ratio * 100) / 100, needed,
                  fg: 'rgb(' + fg.slice(0, 3).map(Math.round).join(',') + ')',
                  bg: 'rgb(' + bg.slice(0, 3).map(Math.round).join(',') + ')', where: name(el)});
      }
    }
  }
  return bad;
}"""


def low_contrast(page) -> list[dict]:
    """The collection's own text on ``page`` that fails WCAG AA contrast (see LOW_CONTRAST)."""
    return page.evaluate(LOW_CONTRAST, COLLECTION_HTML)


def summarise_contrast(failures: list[dict], most: int = 8) -> str:
    """Failures as lines a person can act on: where, the text, its ratio and colours."""
    lines = [f"{f['where']}: {f['text']!r} has {f['ratio']}:1 (needs {f['needed']}:1), {f['fg']} on {f['bg']}"
             for f in failures[:most]]
    if len(failures) > most:
        lines.append(f"... and {len(failures) - most} more")
    return "\n  ".join(lines)


#: Images on the page without a text alternative: no alt (or only a file name). A widget's image
#: (ipywidgets Image) cannot carry an alt; its tooltip (the title attribute) names it instead.
IMAGES_WITHOUT_ALT = r"""() => [...document.images].filter(i => {
  const alt = (i.getAttribute('alt') || '').trim();
  const named = alt && !/^[\w.\/-]+\.(png|jpe?g|gif|svg|webp)$/i.test(alt);
  const widget = i.closest('.widget-image, .jupyter-widgets') && (i.getAttribute('title') || '').trim();
  return !(named || widget);
}).map(i => (i.closest('[class*="te-explorer"]') ? 'explorer image ' : '') + (i.getAttribute('src') || '').slice(0, 60))"""
