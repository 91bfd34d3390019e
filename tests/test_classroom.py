"""The classroom server (issue 16): a real JupyterHub, as `make hub` starts it, used by three students.

The hub runs from a shared environment in which the collection is installed from its wheel
(tests/hubenv.py), with classroom/jupyterhub_config.py, on random free ports. The students' link
is an nbgitpuller link (classroom/link.py) to a local bare clone of this repository, so the test
is offline. Each student, in headless Chromium: opens the link, logs in with the form, gets their
own copy of the notebooks, runs notebook 00 with Run All Cells, and changes a control of its
explorer. Then: a student cannot reach another student's server (the hub's access control), and,
as root, where every student has their own Unix account (home folders of mode 0700), a student's
kernel cannot read another student's notebooks. Nothing is written into the shared environment.
Last, the hub is stopped by its process id, and every process it started (proxy, servers, kernels)
must be gone: anything left is killed by its id and fails the test.

As root (CI) the hub uses per-student Unix accounts (`make hub ACCOUNTS=unix`); as an ordinary
user, the workshop mode (`make hub`: one shared password, one Unix user). Screenshots and the hub's
log go to test-artifacts/classroom/.
"""

from __future__ import annotations

import doctest
import json
import os
import secrets
import shutil
import subprocess
import time

import pytest
import requests

import hubenv
from browser import Watch, artifact, block_non_local, chromium  # noqa: F401 - fixture
from conftest import skip_or_fail
from hubenv import Hub, login, public_tempdir, shared_env, snapshot  # noqa: F401 - fixture
from test_browser_lab import CELLS_DONE, EXPLORERS, interact, start_kernel

import link as link_module  # classroom/link.py (hubenv puts classroom/ on sys.path)

pytestmark = pytest.mark.browser

AS_ROOT = os.geteuid() == 0
ACCOUNTS = "unix" if AS_ROOT else "workshop"
TAG = secrets.token_hex(2)
STUDENTS = [f"te{TAG}{who}" for who in ("ada", "ben", "cy")]
NOTEBOOK = "00_start_here"


def create_accounts(group: str, password: str) -> None:
    """What a teacher does for `make hub ACCOUNTS=unix`: a group, and an account per student whose
    home folder only its owner can enter (Debian's useradd makes homes 0755 unless told)."""
    subprocess.run(["groupadd", group], check=True)
    for name in STUDENTS:
        subprocess.run(["useradd", "--create-home", "--key", "HOME_MODE=0700", "--groups", group,
                        "--shell", "/bin/bash", name], check=True)
    subprocess.run(["chpasswd"], input="".join(f"{n}:{password}\n" for n in STUDENTS), text=True, check=True)


def remove_accounts(group: str) -> None:
    for name in STUDENTS:
        subprocess.run(["userdel", "--remove", name], capture_output=True)
    subprocess.run(["groupdel", group], capture_output=True)


def home(hub: Hub, name: str):
    from pathlib import Path
    return Path(f"/home/{name}") if hub.accounts == "unix" else hub.workdir / "homes" / name


@pytest.fixture(scope="module")
def classroom(shared_env):  # noqa: F811 - fixture from hubenv
    workdir = public_tempdir("te-hub-")
    repo, branch = hubenv.repository_clone(workdir)
    password = secrets.token_urlsafe(12)
    group = f"te-cls-{TAG}"
    if ACCOUNTS == "unix":
        create_accounts(group, password)
    env_before = snapshot(shared_env)
    hub = Hub(shared_env, workdir, accounts=ACCOUNTS, password=password, group=group,
              extra_env={"TE_HUB_LOCAL_REPOS": repo.removeprefix("file://")})
    state = {"hub": hub, "password": password, "link": link_module.nbgitpuller_link(hub.base, repo, branch),
             "env_before": env_before, "env": shared_env, "leaks": None}
    try:
        hub.wait_ready()
        yield state
    finally:
        if state["leaks"] is None:
            state["leaks"] = hub.stop()
        shutil.copy2(hub.log_path, artifact("classroom", "jupyterhub.log"))
        if ACCOUNTS == "unix":
            remove_accounts(group)
        shutil.rmtree(workdir, ignore_errors=True)


def test_the_link_generator():
    assert doctest.testmod(link_module).failed == 0
    with pytest.raises(ValueError, match="hub_url"):
        link_module.nbgitpuller_link("hub.example.edu", "https://github.com/o/r")


@pytest.mark.parametrize("student", range(len(STUDENTS)), ids=lambda i: f"student{i + 1}")
def test_a_student_opens_the_link_logs_in_and_runs_notebook_00(classroom, chromium, student):  # noqa: F811
    hub, name = classroom["hub"], STUDENTS[student]
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    outside: list[str] = []
    block_non_local(context, outside)
    page = context.new_page()
    watch = Watch(page)
    try:
        page.goto(classroom["link"], wait_until="domcontentloaded")
        page.locator("#username_input").fill(name)  # the link asks the student to log in first
        page.locator("#password_input").fill(classroom["password"])
        page.locator("#login_submit").click()
        # The hub starts the student's server, nbgitpuller copies the notebooks, JupyterLab opens 00.
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=240_000)
        assert f"/user/{name}/lab" in page.url, page.url
        copy = home(hub, name) / link_module.TARGET / "notebooks" / f"{NOTEBOOK}.ipynb"
        assert copy.is_file(), f"nbgitpuller did not put the notebooks in {name}'s home"

        start_kernel(page, {"base": f"{hub.base}/user/{name}", "token": hub.token}, f"{NOTEBOOK}.ipynb")
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        page.wait_for_function(CELLS_DONE, timeout=180_000, polling=500)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=180_000)
        stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        assert stderr.count() == 0, [stderr.nth(i).inner_text()[:300] for i in range(stderr.count())]

        (explorer_name, cls), = [(n, c) for n, c in EXPLORERS.items() if c.notebook == NOTEBOOK]
        explorer = page.locator(f".te-explorer-{explorer_name}").first
        explorer.wait_for(state="visible", timeout=60_000)
        explorer.scroll_into_view_if_needed()
        changed = interact(page, explorer, cls)
        assert "went wrong" not in explorer.locator(".te-message").inner_text()
        page.screenshot(path=artifact("classroom", f"{name[-3:]}-{NOTEBOOK}.png"))
        assert outside == [], f"the hub's pages asked for files from other hosts: {outside[:5]}"
        artifact("classroom", f"{name[-3:]}.json").write_text(json.dumps(
            {"student": name, "changed": changed, **watch.problems()}, indent=1))
    except BaseException:
        page.screenshot(path=artifact("classroom", f"{name[-3:]}-failure.png"))
        raise
    finally:
        context.close()


def test_a_student_cannot_reach_another_students_server(classroom):
    hub = classroom["hub"]
    a, b = STUDENTS[0], STUDENTS[1]
    for who in (a, b):  # both servers running (they are after the browser test; started here if run alone)
        if not hub.api(f"/users/{who}")["servers"]:
            hub.api(f"/users/{who}/server", "POST")
        hub.wait_server(who)
    session = login(hub.base, a, classroom["password"])
    own = session.get(f"{hub.base}/user/{a}/api/contents", timeout=60)
    assert own.status_code == 200, f"{a} cannot read their own server: {own.status_code}"
    api = session.get(f"{hub.base}/user/{b}/api/contents/{link_module.TARGET}/notebooks", timeout=60)
    assert api.status_code == 403, f"{a} read {b}'s files through {b}'s server: {api.status_code}"
    page = session.get(f"{hub.base}/user/{b}/lab", timeout=60)  # follows the OAuth redirects
    assert page.status_code == 403 and f"/user/{b}/lab" not in page.url, (page.status_code, page.url)
    stranger = requests.get(f"{hub.base}/user/{b}/api/contents", timeout=60)
    assert stranger.status_code == 403, f"anyone reaches {b}'s server without logging in: {stranger.status_code}"


PROBE = """
import json, os
from pathlib import Path
def attempt(path):
    try:
        return len(Path(path).read_bytes())
    except OSError as exc:
        return type(exc).__name__
print(json.dumps({"uid": os.getuid(), "own": attempt(%r), "other": attempt(%r)}))
"""


def test_with_accounts_per_student_a_kernel_cannot_read_another_students_notebooks(classroom):
    if not AS_ROOT:
        skip_or_fail("per-student Unix accounts need root (the hub starts each server as its student)")
    import pwd

    hub = classroom["hub"]
    a, b = STUDENTS[0], STUDENTS[1]
    nb = f"{link_module.TARGET}/notebooks/{NOTEBOOK}.ipynb"
    for who in (a, b):
        if not hub.api(f"/users/{who}")["servers"]:
            hub.api(f"/users/{who}/server", "POST")
        hub.wait_server(who)
    assert (home(hub, b) / nb).is_file(), "student b has no notebooks to protect (the browser test pulls them)"
    code = PROBE % (str(home(hub, a) / nb), str(home(hub, b) / nb))
    result = hubenv.run_in_kernel(hub, a, [code], nb)
    seen = json.loads(hubenv.printed(result).strip().splitlines()[-1])
    assert seen["uid"] == pwd.getpwnam(a).pw_uid, f"{a}'s kernel does not run as {a}: {seen}"
    assert isinstance(seen["own"], int) and seen["own"] > 0, f"{a}'s kernel cannot read {a}'s own notebook: {seen}"
    assert seen["other"] == "PermissionError", f"{a}'s kernel can read {b}'s notebook: {seen}"


SOCKETS_PROBE = """
import json, os
from pathlib import Path
from ipykernel.connect import get_connection_file
connection = Path(get_connection_file())
info = json.loads(connection.read_text())
folder = connection.parent
def listing(path):
    try:
        return sorted(os.listdir(path))
    except OSError as exc:
        return type(exc).__name__
print(json.dumps({"transport": info["transport"], "ip": info["ip"], "folder": str(folder),
                  "mode": folder.stat().st_mode & 0o777, "owner": folder.stat().st_uid, "uid": os.getuid(),
                  "sockets": sorted(str(p) for p in folder.iterdir() if p.is_socket()),
                  "other": listing(%r)}))
"""


def test_kernels_talk_to_their_server_over_unix_sockets_in_a_folder_of_their_students_own(classroom):
    """No kernel's channel takes a TCP port (two servers starting kernels at once could pick the same
    one; the port ipykernel binds for subprocesses' output it picks and binds itself): its five
    sockets are files in its student's runtime folder, mode 0700, with paths short enough for a socket.
    With per-student accounts, the folder is the student's and another student's cannot be listed.
    When the kernel stops, its sockets are removed."""
    hub = classroom["hub"]
    a, b = STUDENTS[0], STUDENTS[1]
    for who in (a, b):
        if not hub.api(f"/users/{who}")["servers"]:
            hub.api(f"/users/{who}/server", "POST")
        hub.wait_server(who)
    folders = {}
    for who, other in ((b, a), (a, b)):
        nb = f"{link_module.TARGET}/notebooks/{NOTEBOOK}.ipynb"
        result = hubenv.run_in_kernel(hub, who, [SOCKETS_PROBE % folders.get(other, "/nonexistent")], nb)
        assert result["errors"] == [], f"the probe failed in {who}'s kernel: {result['errors']}"
        seen = json.loads(hubenv.printed(result).strip().splitlines()[-1])
        folders[who] = seen["folder"]
        assert seen["transport"] == "ipc", f"{who}'s kernel uses {seen['transport']}, not Unix sockets: {seen}"
        assert seen["ip"].startswith(seen["folder"] + "/"), seen
        assert len(seen["sockets"]) >= 5, f"the kernel's five sockets are not files in its folder: {seen}"
        assert all(len(s.encode()) <= 107 for s in seen["sockets"]), f"a socket path is too long: {seen['sockets']}"
        assert seen["mode"] == 0o700 and seen["owner"] == seen["uid"], f"{who}'s runtime folder is not theirs alone: {seen}"
        if hub.accounts == "unix" and other in folders:
            assert seen["other"] == "PermissionError", f"{who}'s kernel can list {other}'s runtime folder: {seen}"
        deadline = time.monotonic() + 30  # run_in_kernel shut the kernel down: its sockets go with it
        while any(os.path.exists(s) for s in seen["sockets"]) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert not any(os.path.exists(s) for s in seen["sockets"]), f"{who}'s stopped kernel left its sockets"
    assert folders[a] != folders[b]


def test_nothing_is_written_into_the_shared_environment(classroom):
    changes = hubenv.changed(classroom["env_before"], snapshot(classroom["env"]))
    assert changes == [], f"running the class wrote into the shared environment: {changes[:10]}"


def test_the_hub_and_everything_it_started_stop_by_their_ids(classroom):
    hub = classroom["hub"]
    started = [hub.cmdline(pid) for pid in hub.seen]
    classroom["leaks"] = leaks = hub.stop()
    assert any("classroom/proxy.py" in c for c in started), "the test never saw the proxy: nothing was checked"
    assert any("jupyterhub-singleuser" in c for c in started), "the test never saw a student's server"
    assert leaks == [], f"processes the hub started were still alive after it stopped (killed now): {leaks}"
    assert hub.proc.returncode is not None


def test_the_capacity_table_and_the_kubernetes_figures_follow_from_the_measurements():
    import importlib.util
    import sys

    from conftest import ROOT
    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    spec = importlib.util.spec_from_file_location("classroom_bench", ROOT / "tests" / "bench" / "classroom.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    def row(n, slowest, failures, per_student_mb, server_mb=100, kernel_mb=260):
        return {"students": n, "notebooks": ["00_start_here.ipynb"], "slowest_run_all_s": slowest,
                "slowest_notebook": "00_start_here.ipynb", "median_run_all_s": slowest / 2, "slowest_server_ready_s": 5.0,
                "n_failures": failures, "peak_memory_bytes": n * per_student_mb * 1e6, "memory_per_student_bytes":
                per_student_mb * 1e6, "kernel_peak_max_bytes": kernel_mb * 2**20, "server_peak_max_bytes": server_mb * 2**20,
                "passes": failures == 0 and slowest < bench.TARGET_SECONDS}
    data = {"machine": {"cores": 2, "memory_bytes": 8 * 2**30, "date": "2026-01-01", "python": "3.11", "platform": "Linux",
                        "commit": "abc"},
            "by_students": {"5": row(5, 12.0, 0, 300), "10": row(10, 25.0, 0, 350), "20": row(20, 55.0, 0, 330),
                            "40": row(40, 20.0, 3, 320)}}
    cap = bench.capacity(data)
    # 10 students is the largest class under 30 s with no failure: 10 / 2 cores; 1 GB / 350 MB.
    assert cap["supported"] == 10 and cap["per_core"] == 5.0 and cap["larger_failed"] == [20, 40]
    assert abs(cap["per_gb"] - 1e9 / 350e6) < 1e-9
    text = bench.table(data)
    assert "| 20 | 55.0 |" in text and "**FAIL**" in text and "5.0 students per core" in text
    block = bench.z2jh_resources(data)
    # guarantee: 100 + 260 MiB -> 384M (next 64); limit: 100 + 3 x 260 = 880 MiB -> 896M (next 128); CPU 2/10.
    assert "guarantee: 384M" in block and "limit: 896M" in block and "guarantee: 0.20" in block
    # A failure at every size: no class passes, but the table and the figures say what held on time, and why not more.
    data["by_students"]["5"] = {**row(5, 12.0, 1, 300), "failures": ["s04 05: the kernel never answered"]}
    data["by_students"]["10"] = {**row(10, 25.0, 2, 350), "failures": ["s01: login: 503", "s02: login: 503"]}
    # on time alone, 40 students (20 s, with 3 failures) is the largest class under 30 s
    assert bench.capacity(data)["supported"] == 0 and bench.capacity(data, on_time=True)["supported"] == 40
    text = bench.table(data)
    assert "no class size measured here passed" in text and "up to 40 students on 2 cores" in text
    assert "5 students: s04 05: the kernel never answered" in text and "10 students: s01: login: 503" in text
    assert "failures aside" in bench.z2jh_resources(data) and "guarantee: 0.05" in bench.z2jh_resources(data)
    # Sizes measured at different commits say so (a row saved before rows kept their commit: the machine's).
    assert "commit abc." in text
    data["by_students"]["5"]["commit"] = "0ld"
    assert "commit 0ld (5 students), abc (10, 20, 40 students)." in bench.table(data)
