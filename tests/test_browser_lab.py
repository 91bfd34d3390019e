"""The notebooks in JupyterLab, in a real browser, the way a teacher uses them.

A JupyterLab server (from this environment) is started on 127.0.0.1 and a random free port, with a
token, the way `make lab` starts it (root folder and default page taken from the Makefile's ``lab``
target) on a temporary copy of the repository's notebooks/ and lib/ (saving never touches the
repository), with the collection's settings overrides (jupyter/overrides.json, which `make
lab-settings` installs into the environment) and fresh, temporary user settings in JupyterLab's
**dark theme**. Each notebook is opened in headless Chromium and run with the Run menu's
"Run All Cells". Then no cell may show an error or anything on stderr, every explorer of that
notebook must appear, and one control of it is changed in the browser (typed into a text box, a
number field, a slider's readout or a dropdown, with a value from the explorer's
``sample_settings``) until its output changes; the collection's own HTML must then keep WCAG AA
contrast in the dark theme. Requests that would leave the machine are blocked.
Screenshots go to test-artifacts/lab/. The server is stopped by its process id.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import ipywidgets as W
import pytest

from browser import (Watch, artifact, block_non_local, chromium, free_port, low_contrast,  # noqa: F401 - fixture
                     summarise_contrast)
from conftest import NOTEBOOKS, ROOT
from token_economy.widgets import all_explorers

pytestmark = pytest.mark.browser

EXPLORERS = all_explorers()
#: What test_notebook_runs_in_jupyterlab... found typeset as maths, by notebook (read by the test after it).
SEEN_AS_MATHS: dict[str, list[str]] = {}
#: What it found hard to read in the dark theme, by notebook (read by the contrast test after it).
LOW_CONTRAST_DARK: dict[str, list[dict]] = {}
RUN_TIMEOUT_MS = 120_000

#: JupyterLab user settings for the test server: the dark theme, every cell kept in the page (no
#: virtual scrolling, so the checks see all cells), no autosave. The news pop-up and update check
#: are off by the collection's own overrides (jupyter/overrides.json), which is what is tested.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/themes.jupyterlab-settings": {"theme": "JupyterLab Dark"},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def make_lab_options() -> dict[str, str]:
    """The ``--Class.option=value`` arguments of the Makefile's ``lab`` target (how `make lab` starts JupyterLab)."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lab:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "the Makefile has no lab target"
    return dict(re.findall(r"--([A-Za-z]+\.[a-z_]+)=(\S+)", recipe.group(1)))


def api(base: str, token: str, path: str, method: str = "GET"):
    req = urllib.request.Request(f"{base}{path}", method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
    return json.loads(body) if body else None


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium):  # noqa: F811 - needs the browser first: no server without it
    tmp = tmp_path_factory.mktemp("lab")
    options = make_lab_options()
    assert options.get("ServerApp.root_dir") == ".", "make lab should open JupyterLab on the repository"
    root = tmp / "repository"  # what `make lab` shows: the notebooks and the library beside them
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(ROOT / "lib", root / "lib", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for rel, values in LAB_SETTINGS.items():
        path = tmp / "settings" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    (tmp / "app-settings").mkdir()
    shutil.copy2(ROOT / "jupyter" / "overrides.json", tmp / "app-settings" / "overrides.json")
    port, token = free_port(), os.urandom(16).hex()
    exe = Path(sys.executable).parent / "jupyter-lab"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "jupyterlab"]
    cmd += ["--no-browser", "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
            f"--LabApp.default_url={options['LabApp.default_url']}",
            f"--LabApp.app_settings_dir={tmp / 'app-settings'}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "config"), "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime")}
    log = open(tmp / "lab.log", "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                pytest.fail(f"jupyter lab exited ({server.returncode}):\n{(tmp / 'lab.log').read_text()[-3000:]}")
            try:
                api(base, token, "/api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not start in 90 s:\n{(tmp / 'lab.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield {"base": base, "token": token, "root": root, "log": tmp / "lab.log"}
    finally:
        server.terminate()  # by its process id; the server shuts its kernels down
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
        shutil.copy2(tmp / "lab.log", artifact("lab", "jupyter-lab.log"))


# --- changing one control of an explorer ------------------------------------------------------------

#: What the reader sees of an explorer apart from its title and controls: the message and the body.
OUTPUT_FINGERPRINT = """el => [...el.children].slice(2)
  .map(c => c.innerText + [...c.querySelectorAll('img')].map(i => i.src).join(',')).join('|')"""

#: Index of the control row (label + input) whose label is the given description.
CONTROL_INDEX = """([el, description]) => [...el.querySelectorAll('.widget-inline-hbox')]
  .findIndex(row => [...row.children].some(c => c.matches('label') && c.textContent.trim() === description))"""


def kind(widget) -> str | None:
    if isinstance(widget, (W.Textarea, W.Text)) and not isinstance(widget, W.Password):
        return "text"
    if isinstance(widget, (W.FloatText, W.IntText, W.BoundedFloatText, W.BoundedIntText)):
        return "number"
    if isinstance(widget, (W.FloatSlider, W.IntSlider)):
        return "slider"
    if isinstance(widget, W.Dropdown):
        return "dropdown"
    return None


def candidate_changes(cls) -> list[tuple[str, object, object]]:
    """(control, widget, new value) to try: text boxes first, then numbers, sliders, dropdowns; for each
    control up to two values from the explorer's ``sample_settings`` that differ from its default."""
    defaults = cls().controls
    rng = random.Random(0)
    samples = [cls.sample_settings(rng) for _ in range(30)]
    found = []
    for wanted in ("text", "number", "slider", "dropdown"):
        for key, widget in defaults.items():
            if kind(widget) != wanted or not widget.description or getattr(widget, "disabled", False):
                continue  # a greyed-out control (e.g. a GPU count chosen automatically) cannot be changed
            values = []
            for s in samples:
                if key in s and s[key] != widget.value and s[key] not in values:
                    values.append(s[key])
            found += [(key, widget, v) for v in values[:2]]
    return found


def apply_change(row, widget, value) -> None:
    k = kind(widget)
    if k == "text":
        box = row.locator("textarea, input[type=text]").first
        box.fill(str(value))
        box.press("Tab")
    elif k == "number":
        box = row.locator("input").first
        box.fill(str(value))
        box.press("Enter")
        box.press("Tab")
    elif k == "slider":
        readout = row.locator(".widget-readout").first
        readout.click()
        readout.press("Control+A")
        readout.type(str(value))
        readout.press("Enter")
    elif k == "dropdown":
        index = list(widget._options_values).index(value)
        row.locator("select").first.select_option(index=index)


def interact(page, explorer, cls) -> str:
    """Change one control in the browser until the explorer's output changes; return what was changed.

    A value that the explorer answers with a warning (sample settings are valid together, not always
    one by one) counts only if no value gives a plain new result."""
    handle = explorer.element_handle()
    tried, warned = [], None
    for key, widget, value in candidate_changes(cls)[:6]:
        index = page.evaluate(CONTROL_INDEX, [handle, widget.description])
        if index < 0:
            tried.append(f"{key}: no control labelled {widget.description!r}")
            continue
        row = explorer.locator(".widget-inline-hbox").nth(index)
        row.scroll_into_view_if_needed()
        before = page.evaluate(OUTPUT_FINGERPRINT, handle)
        apply_change(row, widget, value)
        try:
            page.wait_for_function(f"([el, before]) => ({OUTPUT_FINGERPRINT})(el) !== before", arg=[handle, before],
                                   timeout=10_000)
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: try the next control
            tried.append(f"{key} = {value!r}: output did not change")
            continue
        page.wait_for_timeout(200)
        message = explorer.locator(".te-message").inner_text()
        if "⚠" not in message:
            return f"{key} = {value!r}"
        warned = warned or f"{key} = {value!r} (answered with: {message.strip()[:100]})"
    if warned:
        return warned
    pytest.fail(f"explorer {cls.name} did not respond in the browser: {tried}")


# --- the test -------------------------------------------------------------------------------------

#: Formulas that are really sentences: a run of 8 or more one-letter "variables" in a row, which is
#: what JupyterLab's MathJax makes of "$5 per million tokens ... $7" (money written as $ in markdown).
#: Returns the text around each such formula.
PROSE_AS_MATHS = """() => [...document.querySelectorAll('.jp-NotebookPanel mjx-container')].filter(c => {
    let run = 0, best = 0;
    for (const el of c.querySelectorAll('mjx-math > *')) {
      run = el.matches('mjx-mi') ? run + 1 : 0;
      best = Math.max(best, run);
    }
    return best >= 8;
  }).map(c => (c.parentElement.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 100))"""

CELLS_DONE = """() => {
  const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt')]
    .map(p => p.textContent.trim());
  return prompts.length > 0 && prompts.every(t => /^\\[\\d+\\]:$/.test(t));
}"""


def start_kernel(page, lab, name: str) -> bool:
    """Wait until the notebook's kernel runs (the server lists it) and the page shows it idle. If
    JupyterLab asks which kernel to start (it may, when its kernel list arrives after the notebook
    opens), accept its proposal, the notebook's own kernel, as a reader would. Returns whether it asked."""
    dialog = page.locator(".jp-Dialog").filter(has_text="Select Kernel")
    idle = page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']")
    asked = False
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if dialog.count() and dialog.first.is_visible():
            dialog.first.locator("button.jp-mod-accept").click()
            asked = True
        else:
            running = [s for s in api(lab["base"], lab["token"], "/api/sessions")
                       if s["path"].endswith(name) and s.get("kernel")]
            if running and idle.count() and not page.locator(".jp-Dialog").count():
                return asked
        page.wait_for_timeout(300)
    pytest.fail("the notebook's kernel did not start in 90 s")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_jupyterlab_and_its_explorers_respond(lab, chromium, path):  # noqa: F811
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    outside: list[str] = []
    block_non_local(context, outside)
    page = context.new_page()
    watch = Watch(page)
    try:
        # A workspace of its own: only this notebook open, nothing restored from an earlier test.
        page.goto(f"{lab['base']}/lab/workspaces/{path.stem}/tree/notebooks/{path.name}?reset&token={lab['token']}",
                  wait_until="domcontentloaded")
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=90_000)
        kernel_dialog = start_kernel(page, lab, path.name)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        page.wait_for_function(CELLS_DONE, timeout=RUN_TIMEOUT_MS, polling=500)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=RUN_TIMEOUT_MS)

        SEEN_AS_MATHS[path.stem] = page.evaluate(PROSE_AS_MATHS)  # checked by the next test
        stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        shown = [stderr.nth(i).inner_text()[:300] for i in range(stderr.count())]
        assert shown == [], f"{path.name}: cells show errors or stderr output in JupyterLab"

        done = []
        for name, cls in EXPLORERS.items():
            if cls.notebook != path.stem:
                continue
            explorer = page.locator(f".te-explorer-{name}").first
            explorer.wait_for(state="visible", timeout=30_000)
            explorer.scroll_into_view_if_needed()
            explorer.screenshot(path=artifact("lab", f"{path.stem}--{name}-before.png"))
            done.append(interact(page, explorer, cls))
            message = explorer.locator(".te-message").inner_text()
            assert "went wrong" not in message, f"{name} after {done[-1]}: {message}"
            explorer.screenshot(path=artifact("lab", f"{path.stem}--{name}-after.png"))
        assert stderr.count() == 0, "an interaction wrote to stderr"
        assert page.evaluate("document.body.dataset.jpThemeLight") == "false", "JupyterLab is not in its dark theme"
        LOW_CONTRAST_DARK[path.stem] = low_contrast(page)  # checked by the contrast test below
        page.screenshot(path=artifact("lab", f"{path.stem}.png"))
        assert outside == [], f"JupyterLab asked for files from other hosts (it must work offline): {outside[:5]}"
        artifact("lab", f"{path.stem}.json").write_text(json.dumps(
            {"changed": done, "kernel_dialog_shown": kernel_dialog, "blocked_requests": outside,
             **watch.problems()}, indent=1))
    except BaseException:
        page.screenshot(path=artifact("lab", f"{path.stem}-failure.png"))
        raise
    finally:
        try:
            for session in api(lab["base"], lab["token"], "/api/sessions"):
                if session["path"].endswith(path.name):
                    api(lab["base"], lab["token"], f"/api/sessions/{session['id']}", method="DELETE")
        finally:
            context.close()


def seen_while_running(store: dict, path):
    """What the first test recorded for this notebook (skipped when that test did not get so far)."""
    if path.stem not in store:
        pytest.skip("needs test_notebook_runs_in_jupyterlab_and_its_explorers_respond for this notebook first")
    return store[path.stem]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_money_is_not_typeset_as_maths_in_jupyterlab(path):
    # JupyterLab typesets $...$ as maths in markdown cells and in Markdown/HTML outputs:
    # "$5 per million ... $7" becomes an italic formula. Seen while the test above ran the notebook.
    prose = seen_while_running(SEEN_AS_MATHS, path)
    assert prose == [], (f"{path.name}: text between two $ signs is typeset as maths in JupyterLab, next to: "
                         f"{prose[:4]}. Write money as \\\\$5 (two backslashes) in markdown cells and Markdown() text, "
                         "and put HTML with dollar signs in an element of class mathjax_ignore.")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_collection_html_is_readable_in_jupyterlab_dark_theme(path):
    # Claim checks, explorers and tables (te- classes) after Run All Cells and one change per explorer,
    # in JupyterLab's dark theme: WCAG AA contrast (4.5:1; 3:1 for large text). Seen by the first test.
    failures = seen_while_running(LOW_CONTRAST_DARK, path)
    assert failures == [], (f"{path.name} in JupyterLab's dark theme: the collection's HTML is hard to read:\n  "
                            + summarise_contrast(failures))


def test_make_lab_opens_notebook_00_beside_the_library_without_the_news_popup(lab, chromium):  # noqa: F811
    # The server runs as `make lab` starts it (root folder and default page from the Makefile).
    # Overrides become the schema's defaults; the (fresh) user settings do not touch them.
    plugin = api(lab["base"], lab["token"], "/lab/api/settings/@jupyterlab/apputils-extension:notification")
    effective = {k: v.get("default") for k, v in plugin["schema"]["properties"].items()} | plugin["settings"]
    assert effective["fetchNews"] == "false" and effective["checkForUpdates"] is False, \
        "the collection's overrides (jupyter/overrides.json) should switch off the news pop-up and update check"
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    outside: list[str] = []
    block_non_local(context, outside)
    page = context.new_page()
    try:
        page.goto(f"{lab['base']}/?token={lab['token']}", wait_until="domcontentloaded")  # what the browser opens
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=90_000)
        title = page.locator(".jp-NotebookPanel .jp-MarkdownCell h1").first.inner_text()
        assert title.startswith("00"), f"make lab should open notebook 00 first, opened: {title!r}"
        # A library module the notebooks tell students to open, opened from JupyterLab's file browser path.
        page.goto(f"{lab['base']}/lab/workspaces/library/tree/lib/token_economy/bpe.py?reset&token={lab['token']}",
                  wait_until="domcontentloaded")
        editor = page.locator(".jp-FileEditor .cm-content").first
        editor.wait_for(timeout=60_000)
        assert "def " in editor.inner_text(), "lib/token_economy/bpe.py did not open in JupyterLab"
        page.wait_for_timeout(3000)  # JupyterLab asks about news a moment after start-up, when it asks
        toasts = " ".join(page.locator(".Toastify, .jp-toast-container").all_inner_texts()).lower()
        assert "news" not in toasts, f"JupyterLab asks about news: {toasts[:200]}"
        page.screenshot(path=artifact("lab", "library-module.png"))
        assert outside == []
    finally:
        try:
            for session in api(lab["base"], lab["token"], "/api/sessions"):
                api(lab["base"], lab["token"], f"/api/sessions/{session['id']}", method="DELETE")
        finally:
            context.close()
