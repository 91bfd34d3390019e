"""`make classroom-bench STUDENTS=N`: the worst minute of a class, measured on this machine.

A JupyterHub is started as `make hub` starts it (workshop mode, the students' shared environment
.hub/env with the collection installed from its wheel). N students log in through the login form at
once (each login starts that student's server), and each pulls the notebooks with the class's
nbgitpuller link. Then, notebook by notebook, every student opens the notebook (its kernel starts)
and all press Run All at the same moment (a barrier): the cells are sent one by one over the kernel's
websocket, as JupyterLab does, and each student's time from the first cell sent to the last cell done
is recorded, with the kernel's peak memory (VmHWM, reported by an extra last cell) and any error
or output on stderr. The student then closes the notebook (the kernel stops). The memory of the hub
and everything it started (servers, kernels, proxy) is sampled as PSS, so shared pages count once.

It writes .bench/classroom.json (one entry per N measured, kept across runs on the same machine)
and prints the capacity table: for each N, the slowest student's Run All, failures and memory; the
largest N whose slowest Run All stays under 30 s with no failure gives students per core, and the
memory per student gives students per GB.

    make classroom-bench STUDENTS=5
    python tests/bench/classroom.py --students 10 --notebooks 00,03     # a subset, quicker
    python tests/bench/classroom.py --report-only --update-readme       # rewrite README's table
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import secrets
import shutil
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT / "tests"), str(ROOT / "classroom")]

import hubenv  # noqa: E402
import nbrun  # noqa: E402
import shared_env  # noqa: E402
from link import TARGET, nbgitpuller_link  # noqa: E402
from run import machine  # noqa: E402

RESULTS = ROOT / ".bench" / "classroom.json"
README = ROOT / "README.md"
START, END = "<!-- classroom-bench:start -->", "<!-- classroom-bench:end -->"
TARGET_SECONDS = 30.0
GB = 1e9
MB = 1e6


def notebooks(only: list[str]) -> list[str]:
    names = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return [n for n in names if not only or any(n.startswith(o) or o in n for o in only)]


def kernel_peak(result: dict) -> int | None:
    text = hubenv.printed(result)
    if nbrun.MARKER in text:
        return json.loads(text.split(nbrun.MARKER, 1)[1].splitlines()[0])["peak_rss_bytes"]
    return None


def measure(n: int, only: list[str], cell_timeout: float) -> dict:
    env = shared_env.build(ROOT / ".hub" / "env")
    workdir = hubenv.public_tempdir("te-classroom-bench-")
    repo, branch = hubenv.repository_clone(workdir)
    password = secrets.token_urlsafe(12)
    hub = hubenv.Hub(env, workdir, accounts="workshop", password=password, watch_interval=1.0)
    students = [f"s{i:02d}" for i in range(1, n + 1)]
    record = {"students": n, "notebooks": notebooks(only), "runs": [], "logins": {}, "failures": [],
              "load_before": os.getloadavg()[0]}  # other work on the machine skews every figure
    try:
        hub.wait_ready()
        time.sleep(2)
        record["baseline_memory_bytes"] = hub.total_memory()  # hub and proxy, no student yet
        link = nbgitpuller_link(hub.base, repo, branch)

        def arrive(user: str) -> dict:
            t0 = time.perf_counter()
            try:
                session = hubenv.login(hub.base, user, password)
                hub.wait_server(user, timeout=600)
                ready = time.perf_counter() - t0
                events = hubenv.pull(session, hub.base, user, link, timeout=600)
                if not events or events[-1].get("phase") != "finished":
                    raise RuntimeError(f"nbgitpuller did not finish: {events[-3:]}")
                return {"server_ready_s": ready, "pulled_s": time.perf_counter() - t0}
            except Exception as exc:  # noqa: BLE001 - a failed student is a result, not a crash
                return {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}

        print(f"{n} students log in at once and pull the notebooks...", flush=True)
        with ThreadPoolExecutor(n) as pool:
            record["logins"] = dict(zip(students, pool.map(arrive, students)))
        present = [s for s in students if "error" not in record["logins"][s]]
        record["failures"] += [f"{s}: login: {record['logins'][s]['error']}" for s in students if s not in present]

        for name in record["notebooks"]:
            path = f"{TARGET}/notebooks/{name}"
            cells = hubenv.code_cells(hub, present[0], path) + [nbrun.PEAK_MEMORY_CELL]
            barrier = threading.Barrier(len(present), timeout=900)

            def run_all(user: str) -> dict:
                waited = []

                def ready():  # this student's kernel answers: wait for the others, then all press Run All
                    waited.append(True)
                    barrier.wait()

                try:
                    result = hubenv.run_in_kernel(hub, user, cells, path, timeout=cell_timeout, before_run=ready)
                except Exception as exc:  # noqa: BLE001
                    if not waited:  # a kernel that never started: the others still run (it counts as a failure)
                        try:
                            barrier.wait()
                        except threading.BrokenBarrierError:
                            pass
                    return {"student": user, "notebook": name, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}
                return {"student": user, "notebook": name, "kernel_start_s": result["start_s"],
                        "kernel_start_retries": result["start_retries"],
                        "run_all_s": result["run_s"], "kernel_peak_bytes": kernel_peak(result),
                        "errors": result["errors"]}

            with ThreadPoolExecutor(len(present)) as pool:
                rows = list(pool.map(run_all, present))
            record["runs"] += rows
            times = [r["run_all_s"] for r in rows if "run_all_s" in r]
            bad = [r for r in rows if r.get("error") or r.get("errors")]
            record["failures"] += [f"{r['student']} {name}: {r.get('error') or r['errors'][:2]}" for r in bad]
            print(f"  {name}: slowest Run All {max(times, default=float('nan')):.1f} s, "
                  f"median {statistics.median(times) if times else float('nan'):.1f} s, failures {len(bad)}", flush=True)
        servers = [pid for pid in hub.seen if "jupyterhub-singleuser" in hub.cmdline(pid)]
        record["server_peak_max_bytes"] = max(map(hubenv.peak_rss_bytes, servers), default=None)
    finally:
        record["peak_memory_bytes"] = hub.peak_total
        leaks = hub.stop()
        record["leaked_processes"] = leaks
        shutil.rmtree(workdir, ignore_errors=True)
    return summarise(record)


def summarise(record: dict) -> dict:
    ok = [r for r in record["runs"] if "run_all_s" in r]
    times = [r["run_all_s"] for r in ok]
    peaks = [r["kernel_peak_bytes"] for r in ok if r.get("kernel_peak_bytes")]
    n = record["students"]
    record.update(
        slowest_run_all_s=max(times) if times else None,
        median_run_all_s=statistics.median(times) if times else None,
        slowest_notebook=max(ok, key=lambda r: r["run_all_s"])["notebook"] if ok else None,
        slowest_server_ready_s=max((v.get("server_ready_s", 0) for v in record["logins"].values()), default=None),
        kernel_peak_max_bytes=max(peaks) if peaks else None,
        memory_per_student_bytes=(record["peak_memory_bytes"] - record.get("baseline_memory_bytes", 0)) / n,
        n_failures=len(record["failures"]),
        kernel_start_retries=sum(r.get("kernel_start_retries", 0) for r in ok),
    )
    record["passes"] = (record["n_failures"] == 0 and record["slowest_run_all_s"] is not None
                        and record["slowest_run_all_s"] < TARGET_SECONDS)
    return record


def load() -> dict:
    try:
        return json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return {}


def save(record: dict) -> dict:
    data = load()
    here = machine()
    if data.get("machine", {}).get("cores") != here["cores"] or data.get("machine", {}).get("memory_bytes") != here["memory_bytes"]:
        data = {}  # figures from another machine do not belong in the same table
    data["machine"] = here
    record = {**record, "commit": here["commit"]}   # sizes measured on different days may differ in code
    data.setdefault("by_students", {})[str(record["students"])] = record
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=1))
    return data


def capacity(data: dict, *, on_time: bool = False) -> dict:
    """The largest N that passed, and students per core and per GB from it (``on_time``: the largest N
    whose slowest Run All stayed under the target, failures aside)."""
    rows = sorted(data.get("by_students", {}).values(), key=lambda r: r["students"])
    passed = [r for r in rows if ((r["slowest_run_all_s"] is not None and r["slowest_run_all_s"] < TARGET_SECONDS)
                                  if on_time else r["passes"])]
    if not passed:
        return {"supported": 0}
    best = passed[-1]
    m = data["machine"]
    per_student = max(r["memory_per_student_bytes"] for r in passed)
    return {"supported": best["students"], "per_core": best["students"] / m["cores"],
            "memory_per_student_mb": per_student / MB, "per_gb": GB / per_student,
            "larger_failed": [r["students"] for r in rows if r["students"] > best["students"] and not r["passes"]]}


def fmt(x, digits=1, unit=""):
    return "n/a" if x is None else f"{x:,.{digits}f}{unit}"


def commits(data: dict) -> str:
    """The commit each class size was measured at, in a few words (one commit when they agree).

    >>> commits({"machine": {"commit": "c"}, "by_students": {"5": {"students": 5, "commit": "a"},
    ...          "10": {"students": 10, "commit": "a"}, "20": {"students": 20}}})
    'commit a (5, 10 students), c (20 students)'
    >>> commits({"machine": {"commit": "c"}, "by_students": {"5": {"students": 5}}})
    'commit c'
    """
    rows = sorted(data.get("by_students", {}).values(), key=lambda r: r["students"])
    by_commit: dict[str, list[str]] = {}
    for r in rows:
        by_commit.setdefault(r.get("commit") or data["machine"]["commit"], []).append(str(r["students"]))
    if len(by_commit) <= 1:
        return f"commit {next(iter(by_commit), data['machine']['commit'])}"
    return "commit " + ", ".join(f"{c} ({', '.join(sizes)} students)" for c, sizes in by_commit.items())


def table(data: dict, note: str = "") -> str:
    m = data["machine"]
    rows = sorted(data.get("by_students", {}).values(), key=lambda r: r["students"])
    lines = [f"Measured with `make classroom-bench` on {m['date']}: {m['cores']} cores, "
             f"{m['memory_bytes'] / 2**30:.1f} GiB, Python {m['python']}, {m['platform']}, {commits(data)}. "
             f"Every student runs each of the {len(rows[0]['notebooks']) if rows else 0} notebooks with Run All at the "
             f"same moment as the others; target: the slowest student's Run All under {TARGET_SECONDS:.0f} s, no failure."
             + (f" {note}" if note else ""),
             "",
             "| students | slowest Run All (s) | in notebook | median Run All (s) | slowest server start (s) "
             "| failures | kernels asked again at start | peak memory, whole hub (GB) | per student (MB) "
             "| largest kernel (MB) | load before (1-min avg) | verdict |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['students']} | {fmt(r['slowest_run_all_s'])} | {r['slowest_notebook'] or 'n/a'} "
            f"| {fmt(r['median_run_all_s'])} | {fmt(r['slowest_server_ready_s'])} | {r['n_failures']} "
            f"| {r.get('kernel_start_retries', 'n/a')} "
            f"| {fmt(r['peak_memory_bytes'] / GB, 2)} | {fmt(r['memory_per_student_bytes'] / MB, 0)} "
            f"| {fmt((r['kernel_peak_max_bytes'] or 0) / MB, 0)} | {fmt(r.get('load_before'))} "
            f"| {'pass' if r['passes'] else '**FAIL**'} |")
    cap = capacity(data)
    lines.append("")
    if cap["supported"]:
        lines.append(f"**Capacity**: up to {cap['supported']} students on {m['cores']} cores with Run All under "
                     f"{TARGET_SECONDS:.0f} s, that is {cap['per_core']:.1f} students per core; each student takes "
                     f"up to {cap['memory_per_student_mb']:.0f} MB at the worst moment (server and one kernel), that is "
                     f"{cap['per_gb']:.1f} students per GB. "
                     + (f"Larger classes measured here failed: {', '.join(map(str, cap['larger_failed']))} students (on time, or with a failure: see the table)." if cap["larger_failed"] else
                        "No larger class was measured."))
    else:
        timely = capacity(data, on_time=True)
        lines.append("**Capacity**: no class size measured here passed."
                     + (f" On time alone (failures aside), up to {timely['supported']} students on {m['cores']} cores "
                        f"kept Run All under {TARGET_SECONDS:.0f} s, that is {timely['per_core']:.1f} students per core; "
                        f"each student takes up to {timely['memory_per_student_mb']:.0f} MB at the worst moment, that is "
                        f"{timely['per_gb']:.1f} students per GB." if timely["supported"] else ""))
    failed = [(r["students"], f) for r in rows for f in r.get("failures", [])]
    if failed:
        lines.append("")
        lines.append("*Failures*: " + "; ".join(f"{n} students: {f[:160]}" for n, f in failed[:6])
                     + (f"; and {len(failed) - 6} more" if len(failed) > 6 else "") + ".")
    if any(r.get("kernel_start_retries") for r in rows):
        lines.append("")
        lines.append("*Kernels asked again at start*: kernels whose first answer never came, because servers that "
                     "start kernels at the same moment can pick the same free port; the kernel that loses dies and "
                     "its server starts it again on new ports. JupyterLab then asks again, and so does the bench "
                     "(the wait delays that kernel's start, which the Run All times do not include).")
    return "\n".join(lines)


Z2JH = ROOT / "classroom" / "z2jh" / "config.yaml"
Z2JH_START, Z2JH_END = "# classroom-bench:start", "# classroom-bench:end"
MIB = 2**20


def round_up(value: float, step: float) -> float:
    """``value`` rounded up to a multiple of ``step`` (a float's last-digit noise is not a step).

    >>> round_up(300, 64), round_up(320, 64), round_up(2 / 10, 0.05)
    (320, 320, 0.2)
    """
    return round(math.ceil(value / step - 1e-9) * step, 10)


def z2jh_resources(data: dict) -> str | None:
    """Zero to JupyterHub's per-student CPU and memory, derived from the measured figures.

    memory guarantee: one student's server plus one running notebook (the largest server and the
    largest kernel, peak resident memory, VmHWM); memory limit: the server plus three notebooks open at
    once; CPU guarantee: the share of a core per student at the largest class that stayed under the
    target; CPU limit: one core (a kernel runs its cells on one thread)."""
    rows = [r for r in data.get("by_students", {}).values() if r.get("server_peak_max_bytes")]
    cap, caveat = capacity(data), ""
    if not cap["supported"]:  # every class size had a failure: size by time, and say so
        cap, caveat = capacity(data, on_time=True), " (failures aside: see the README's table)"
    if not rows or not cap["supported"]:
        return None
    server = max(r["server_peak_max_bytes"] for r in rows) / MIB
    kernel = max(r["kernel_peak_max_bytes"] for r in rows) / MIB
    m = data["machine"]
    guarantee, limit = round_up(server + kernel, 64), round_up(server + 3 * kernel, 128)
    cpu = round_up(m["cores"] / cap["supported"], 0.05)
    return "\n".join([
        f"  # Derived by tests/bench/classroom.py from .bench/classroom.json ({m['date']}, {m['cores']} cores,",
        f"  # {commits(data)}):",
        f"  # a student's server peaked at {server:.0f} MiB and the largest kernel at {kernel:.0f} MiB (VmHWM);",
        f"  # Run All stayed under {TARGET_SECONDS:.0f} s for up to {cap['supported']} students on {m['cores']} cores"
        f"{caveat}.",
        "  memory:",
        f"    guarantee: {guarantee:.0f}M   # server + one running notebook",
        f"    limit: {limit:.0f}M       # server + three notebooks open at once",
        "  cpu:",
        f"    guarantee: {cpu:.2f}     # {m['cores']} cores / {cap['supported']} students",
        "    limit: 1.0          # one core: a kernel runs its cells on one thread"])


def update_z2jh(block: str) -> None:
    text = Z2JH.read_text()
    head, rest = text.split(Z2JH_START, 1)
    _, tail = rest.split(Z2JH_END, 1)
    Z2JH.write_text(f"{head}{Z2JH_START}\n{block}\n{Z2JH_END}{tail}")


def update_readme(text: str) -> None:
    readme = README.read_text()
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md has no {START} ... {END} block to rewrite")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{text}\n{END}{tail}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=5)
    parser.add_argument("--notebooks", default="", help="comma-separated prefixes (default: every notebook)")
    parser.add_argument("--cell-timeout", type=float, default=600)
    parser.add_argument("--report-only", action="store_true", help="measure nothing; print the stored table")
    parser.add_argument("--update-readme", action="store_true",
                        help="write the table into README.md and the per-student resources into classroom/z2jh/config.yaml")
    parser.add_argument("--note", default="", help="a sentence to print under the table's heading")
    args = parser.parse_args(argv)
    if args.report_only:
        data = load()
        if not data:
            raise SystemExit(f"no results in {RESULTS}; run make classroom-bench first")
    else:
        if args.students < 1:
            raise SystemExit("--students must be 1 or more")
        record = measure(args.students, [o for o in args.notebooks.split(",") if o], args.cell_timeout)
        record["measured_at"] = dt.datetime.now().isoformat(timespec="seconds")
        data = save(record)
        if record["leaked_processes"]:
            print(f"WARNING: processes left after the hub stopped (killed by id): {record['leaked_processes']}")
    text = table(data, args.note)
    print(text)
    resources = z2jh_resources(data)
    if resources:
        print(f"\nZero to JupyterHub, per student:\n{resources}")
    if args.update_readme:
        update_readme(text)
        print(f"\nwrote the table into {README.name}")
        if resources:
            update_z2jh(resources)
            print(f"wrote the per-student resources into {Z2JH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
