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
