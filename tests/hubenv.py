"""Helpers for the install and classroom tests and the classroom benchmark.

- :func:`shared_env`: the collection installed from a freshly built wheel into a fresh venv, the way
  a hub's shared environment is made (classroom/shared_env.py), once per test session, in a folder
  every Unix user can read (students with their own accounts use it too).
- :class:`Hub`: a JupyterHub started from that environment with classroom/jupyterhub_config.py on
  random free ports; it records every process the hub starts (proxy, students' servers, kernels), and
  :meth:`Hub.stop` stops the hub by its process id, then reports (and kills, by id) any survivor.
- :func:`snapshot`: every file of a folder with its size and modification time, to show that running
  the notebooks writes nothing into the shared environment.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import ROOT, skip_or_fail

CLASSROOM = ROOT / "classroom"
sys.path.insert(0, str(CLASSROOM))
sys.path.insert(0, str(ROOT / "tools"))

import shared_env as shared_env_module  # noqa: E402

_SHARED: dict = {}


def free_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports on 127.0.0.1 that are free right now."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def public_tempdir(prefix: str) -> Path:
    """A new folder that every Unix user may enter and read (mode 0755), unlike pytest's tmp_path."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def build_shared_env(folder: Path) -> Path:
    """Build the wheel from this working tree and a fresh shared environment ``folder/env``."""
    wheel = shared_env_module.build_wheel(folder / "dist")
    return shared_env_module.build(folder / "env", wheel)


@pytest.fixture(scope="session")
def shared_env(request) -> Path:
    """A fresh venv with the collection installed from its wheel (not editable), once per session.

    (While working on these tests, TE_REUSE_SHARED_ENV=path reuses an environment built before by
    `python classroom/shared_env.py path`; `make test` leaves it unset and builds a fresh one.)"""
    reuse = os.environ.get("TE_REUSE_SHARED_ENV")
    if reuse:
        return shared_env_module.build(Path(reuse))
    if "env" not in _SHARED:
        folder = public_tempdir("te-shared-env-")
        request.config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        try:
            _SHARED["env"] = build_shared_env(folder)
        except Exception as exc:  # noqa: BLE001 - pip needs the package index the first time
            skip_or_fail(f"building the shared environment failed (pip needs the package index): {exc}")
    return _SHARED["env"]


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """``{relative path: (size, mtime_ns)}`` of every file and folder under ``folder``."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            st = p.lstat()
            found[str(p.relative_to(folder))] = (st.st_size if not p.is_dir() else 0, st.st_mtime_ns)
    return found


def changed(before: dict, after: dict) -> list[str]:
    """Paths added, removed or modified between two :func:`snapshot`."""
    return sorted({k for k in before.keys() | after.keys() if before.get(k) != after.get(k)})


# --- processes -----------------------------------------------------------------------------------

def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time in clock ticks) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), int(fields[19])


def descendants(root: int) -> dict[int, int]:
    """``{pid: start time}`` of every live descendant of ``root``."""
    children: dict[int, list[int]] = {}
    starts = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st:
                children.setdefault(st[0], []).append(int(entry))
                starts[int(entry)] = st[1]
    found, todo = {}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found[child] = starts[child]
                todo.append(child)
    return found


def alive(pid: int, start: int) -> bool:
    st = _stat(pid)
    if st is None:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return st[1] == start and state != "Z"


def peak_rss_bytes(pid: int) -> int:
    """The largest resident memory a live process has had (VmHWM), 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def memory_bytes(pid: int) -> int:
    """Memory of a process, its shared pages divided among their users (PSS, from smaps_rollup; RSS
    where that is unreadable), so that a sum over processes is the memory they take together."""
    for file, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
        except OSError:
            continue
    return 0


# --- the hub -------------------------------------------------------------------------------------

TEST_CONFIG = """
load_subconfig({config!r})
c.JupyterHub.services = [{{"name": "te-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "te-test", "services": ["te-test"],
    "scopes": ["admin:users", "admin:servers", "access:servers", "tokens", "list:users", "read:users"]}}]
c.JupyterHub.log_level = "INFO"
"""


class Hub:
    """A JupyterHub from ``env`` with classroom/jupyterhub_config.py; every process it starts is recorded."""

    def __init__(self, env: Path, workdir: Path, accounts: str = "workshop", password: str | None = None,
                 group: str | None = None, extra_env: dict | None = None, watch_interval: float = 0.25):
        self.env, self.workdir, self.accounts = Path(env), Path(workdir), accounts
        self.password = password or secrets.token_urlsafe(12)
        self.token = secrets.token_hex(24)
        port, proxy_port, hub_port = free_ports(3)
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = self.workdir / "jupyterhub.log"
        config = self.workdir / "test_config.py"
        config.write_text(TEST_CONFIG.format(config=str(CLASSROOM / "jupyterhub_config.py"), token=self.token))
        self.variables = {
            "TE_HUB_ENV": str(self.env), "TE_HUB_STATE": str(self.workdir / "state"),
            "TE_HUB_HOMES": str(self.workdir / "homes"), "TE_HUB_ACCOUNTS": accounts,
            "TE_HUB_PORT": str(port), "TE_HUB_PROXY_API_PORT": str(proxy_port), "TE_HUB_HUB_PORT": str(hub_port),
            "TE_HUB_PASSWORD": self.password, **({"TE_HUB_GROUP": group} if group else {}), **(extra_env or {}),
        }
        environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as on a real hub
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen([str(self.env / "bin" / "jupyterhub"), "-f", str(config)], cwd=self.workdir,
                                     env={**environ, **self.variables}, stdout=self._log, stderr=subprocess.STDOUT)
        self.watch_interval = watch_interval
        self.seen: dict[int, int] = {}
        self.peak_memory: dict[int, int] = {}
        self.peak_total = 0  # bytes: the largest sum of memory (PSS) of the hub and all it started
        self._cmdlines: dict[int, str] = {}
        self._stop_watch = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stop_watch.is_set():
            live = descendants(self.proc.pid)
            self.peak_total = max(self.peak_total, memory_bytes(self.proc.pid) + sum(map(memory_bytes, live)))
            for pid, start in live.items():
                if pid not in self.seen:
                    self.seen[pid] = start
                    try:
                        self._cmdlines[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                    except OSError:
                        self._cmdlines[pid] = "?"
                self.peak_memory[pid] = max(self.peak_memory.get(pid, 0), memory_bytes(pid))
            self._stop_watch.wait(self.watch_interval)

    def total_memory(self) -> int:
        """Memory (PSS) of the hub and everything it started, right now (bytes)."""
        return memory_bytes(self.proc.pid) + sum(map(memory_bytes, descendants(self.proc.pid)))

    def cmdline(self, pid: int) -> str:
        return self._cmdlines.get(pid, "?")

    def log_tail(self, n: int = 60) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if requests.get(f"{self.base}/hub/api/", timeout=5).ok:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyterhub did not answer in {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.5)

    def api(self, path: str, method: str = "GET", **kw):
        r = requests.request(method, f"{self.base}/hub/api{path}", headers={"Authorization": f"token {self.token}"},
                             timeout=60, **kw)
        r.raise_for_status()
        return r.json() if r.content else None

    def server_api(self, user: str, path: str, method: str = "GET", **kw):
        r = requests.request(method, f"{self.base}/user/{user}/api{path}",
                             headers={"Authorization": f"token {self.token}"}, timeout=60, **kw)
        r.raise_for_status()
        return r.json() if r.content else None

    def wait_server(self, user: str, timeout: float = 240) -> None:
        """Wait until ``user``'s server is up (started by a login, a link or the API)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = (self.api(f"/users/{user}").get("servers") or {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.5)
        raise RuntimeError(f"{user}'s server did not start in {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 60) -> list[str]:
        """Stop the hub by its process id (it stops the servers, kernels and proxy it started); then
        kill, by id, anything it started that is still alive, and return those as leaks."""
        leaks = []
        try:
            for pid, start in descendants(self.proc.pid).items():  # the last ones, just in case
                self.seen.setdefault(pid, start)
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    leaks.append(f"jupyterhub (pid {self.proc.pid}) ignored SIGTERM for {timeout:.0f} s")
                    self.proc.kill()
                    self.proc.wait(timeout=10)
            deadline = time.monotonic() + 15  # kernels get a moment to exit after their servers
            while time.monotonic() < deadline and any(alive(p, s) for p, s in self.seen.items()):
                time.sleep(0.25)
            for pid, start in self.seen.items():
                if alive(pid, start):
                    leaks.append(f"pid {pid}: {self.cmdline(pid)[:200]}")
                    os.kill(pid, signal.SIGKILL)
        finally:
            self._stop_watch.set()
            self._watcher.join(timeout=5)
            self._log.close()
        return leaks


def login(base: str, user: str, password: str) -> requests.Session:
    """A requests session logged in to the hub as ``user`` with the login form (XSRF included)."""
    s = requests.Session()
    page = s.get(f"{base}/hub/login", timeout=60)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
    r = s.post(f"{base}/hub/login", data={"username": user, "password": password,
                                          "_xsrf": xsrf.group(1) if xsrf else ""}, timeout=240)
    if "/hub/login" in r.url:
        raise RuntimeError(f"login as {user} failed: {r.status_code} {r.url}")
    return s


def pull(session: requests.Session, base: str, user: str, link: str, timeout: float = 180) -> list[dict]:
    """Run an nbgitpuller link's pull for ``user`` through nbgitpuller's event stream; return its events."""
    # Opening the link as a browser does completes the login to the student's own server (OAuth).
    opened = session.get(link, timeout=timeout)
    if f"/user/{user}/" not in opened.url:
        raise RuntimeError(f"the link did not lead to {user}'s server: {opened.status_code} {opened.url}")
    query = link.split("?", 1)[1]
    events = []
    with session.get(f"{base}/user/{user}/git-pull/api?{query}", stream=True, timeout=timeout) as r:
        r.raise_for_status()
        for line in r.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                events.append(json.loads(line[5:]))
    return events


# --- running code in a student's kernel over the Jupyter Server API ------------------------------

def _message(session: str, code: str) -> dict:
    import datetime as dt
    import uuid
    return {"header": {"msg_id": uuid.uuid4().hex, "username": "te-test", "session": session,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": dt.datetime.now(dt.timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}


def decode_message(raw) -> dict:
    """A kernel message from the server's websocket: JSON text, or (when the message carries binary
    buffers, as a widget's image does) Jupyter Server's binary frame: a count n, n offsets, then the
    JSON and the buffers.

    >>> import json, struct
    >>> body = json.dumps({"msg_type": "comm_msg"}).encode()
    >>> decode_message(struct.pack("!III", 2, 12, 12 + len(body)) + body + b"\\x89PNG")
    {'msg_type': 'comm_msg'}
    >>> decode_message('{"msg_type": "status"}')
    {'msg_type': 'status'}
    """
    import struct

    if isinstance(raw, str):
        return json.loads(raw)
    (nbufs,) = struct.unpack("!I", raw[:4])
    offsets = struct.unpack(f"!{nbufs}I", raw[4:4 + 4 * nbufs])
    end = offsets[1] if nbufs > 1 else len(raw)
    return json.loads(raw[offsets[0]:end].decode("utf-8"))


#: Seconds the kernel-start probe waits for an answer before it asks again, and before it gives up
#: (a kernel that has not answered in 3 minutes is a failure a student would see; see :func:`run_in_kernel`).
START_PROBE_S, START_DEADLINE_S = 45.0, 180.0


async def _run_cells(ws_url: str, token: str, cells: list[str], timeout: float) -> list[dict]:
    """Execute ``cells`` one after another on a kernel's websocket; per cell its outputs and status."""
    import asyncio
    import uuid

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    conn = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {token}"},
                                               request_timeout=timeout), max_message_size=64 * 2**20)
    session, results = uuid.uuid4().hex, []
    try:
        for code in cells:
            msg = _message(session, code)
            await conn.write_message(json.dumps(msg))
            outputs, status, idle = [], None, False
            while status is None or not idle:
                raw = await asyncio.wait_for(conn.read_message(), timeout)
                if raw is None:
                    raise RuntimeError("the kernel's websocket closed")
                reply = decode_message(raw)
                if reply.get("parent_header", {}).get("msg_id") != msg["header"]["msg_id"]:
                    continue
                kind = reply["msg_type"]
                if kind == "execute_reply":
                    status = reply["content"]["status"]
                elif kind == "status" and reply["content"]["execution_state"] == "idle":
                    idle = True
                elif kind in {"stream", "error", "display_data", "execute_result"}:
                    outputs.append({"type": kind, **reply["content"]})
            results.append({"status": status, "outputs": outputs})
            if status != "ok":
                break
    finally:
        conn.close()
    return results


def _in_own_loop(coroutine_function, *args):
    """Run ``coroutine_function(*args)`` to its end in a new event loop on a thread of its own (the
    calling thread may already run a loop: Playwright's sync API keeps one)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine_function(*args))).result()


def run_in_kernel(hub: Hub, user: str, cells: list[str], notebook_path: str, timeout: float = 300,
                  before_run=None) -> dict:
    """Open a session on ``notebook_path`` in ``user``'s server (its kernel starts in the notebook's folder,
    as JupyterLab does), call ``before_run()`` (a barrier, say), run ``cells``, shut the kernel down.

    Returns ``{"start_s", "start_retries", "run_s", "cells", "errors"}``: seconds to start the kernel (and how
    often the start probe had to ask again), seconds from the first
    cell sent to the last cell done (what a student waits for after Run All), per-cell results, and the
    error or stderr outputs."""
    t0 = time.perf_counter()
    session = hub.server_api(user, "/sessions", "POST", json={
        "path": notebook_path, "type": "notebook", "name": Path(notebook_path).name, "kernel": {"name": "python3"}})
    try:
        kernel = session["kernel"]["id"]
        ws = hub.base.replace("http://", "ws://") + f"/user/{user}/api/kernels/{kernel}/channels"
        # The kernel has started when it answers: run an empty cell. If the kernel dies at start (over
        # TCP, two servers starting kernels at the same moment could pick the same free port; the hub now
        # gives kernels Unix sockets), the server's restarter starts it again and the message sent
        # before is lost. JupyterLab asks again after a restart; so does this probe, and counts it.
        retries, deadline = 0, t0 + min(timeout, START_DEADLINE_S)
        while True:
            try:
                _in_own_loop(_run_cells, ws, hub.token, [""], min(START_PROBE_S, max(1.0, deadline - time.perf_counter())))
                break
            except Exception as exc:  # noqa: BLE001 - a timeout, a refused or closed websocket: ask again until the deadline
                if time.perf_counter() >= deadline:
                    raise RuntimeError(f"the kernel never answered in the {time.perf_counter() - t0:.0f} s after it "
                                       f"was started (asked {retries + 1} times; last: {type(exc).__name__}: {exc})"
                                       ) from exc
                retries += 1
                time.sleep(1)
        start_s = time.perf_counter() - t0
        if before_run:
            before_run()
        t1 = time.perf_counter()
        results = _in_own_loop(_run_cells, ws, hub.token, cells, timeout)
        run_s = time.perf_counter() - t1
    finally:
        try:
            hub.server_api(user, f"/sessions/{session['id']}", "DELETE")
        except requests.RequestException:
            pass
    errors = []
    for i, cell in enumerate(results):
        for out in cell["outputs"]:
            if out["type"] == "error":
                errors.append(f"cell {i}: {out['ename']}: {out['evalue']}")
            elif out["type"] == "stream" and out.get("name") == "stderr":
                errors.append(f"cell {i} wrote to stderr: {out['text'][:300]}")
        if cell["status"] != "ok" and not any(o["type"] == "error" for o in cell["outputs"]):
            errors.append(f"cell {i}: status {cell['status']}")
    return {"start_s": start_s, "start_retries": retries, "run_s": run_s, "cells": results, "errors": errors}


def printed(result: dict) -> str:
    """Everything the cells of a :func:`run_in_kernel` result printed to stdout."""
    return "".join(o.get("text", "") for c in result["cells"] for o in c["outputs"]
                   if o["type"] == "stream" and o.get("name") == "stdout")


def code_cells(hub: Hub, user: str, notebook_path: str) -> list[str]:
    """The code cells of a notebook in ``user``'s server, read through the contents API."""
    model = hub.server_api(user, f"/contents/{notebook_path}")
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in model["content"]["cells"] if c["cell_type"] == "code"]


def repository_clone(folder: Path) -> tuple[str, str]:
    """A bare clone of this repository's current commit (branch ``classroom``) in ``folder``: the
    offline stand-in for the collection's public repository. Returns (file:// URL, branch)."""
    bare = folder / "token-economy.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    subprocess.run(["git", "-C", str(ROOT), "push", "--quiet", str(bare), "HEAD:refs/heads/classroom"], check=True)
    subprocess.run(["git", "-C", str(bare), "symbolic-ref", "HEAD", "refs/heads/classroom"], check=True)
    subprocess.run(["chmod", "-R", "a+rX", str(bare)], check=True)
    return f"file://{bare}", "classroom"
