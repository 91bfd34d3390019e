"""Update latency of every explorer, measured in a fresh kernel per explorer.

An explorer is built and displayed in a real ipykernel (so each change also
sends its widget messages, as in JupyterLab). Then settings drawn by the
explorer's own ``sample_settings(random.Random(seed))`` are applied one control
at a time, the way a learner moves one slider: each assignment fires the
control's observer, which recomputes and redraws. The time of each assignment
is one update. What it leaves out: the browser's own rendering of the new
image or HTML (the kernel side is what a slow classroom server adds).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import statistics
import tempfile
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

try:
    from . import nbrun
except ImportError:  # run as a script from tests/bench
    import nbrun

SETUP = """
import json, random, time
from IPython.display import display
from token_economy.widgets import all_explorers
cls = all_explorers()[{name!r}]
_t = time.perf_counter()
ex = cls()
first_ms = (time.perf_counter() - _t) * 1e3
display(ex.widget)
"""

MEASURE = """
rng = random.Random({seed})
walls, internal, errors = [], [], []
for _ in range(50 * {n}):
    if len(walls) >= {n}:
        break
    for key, value in cls.sample_settings(rng).items():
        try:
            if ex.controls[key].value == value:
                continue
        except ValueError:  # values without a plain truth value (arrays): just set them
            pass
        _t = time.perf_counter()
        ex.controls[key].value = value
        walls.append((time.perf_counter() - _t) * 1e3)
        internal.append(ex.last_update_seconds * 1e3)
        if ex.last_error is not None:
            errors.append(f"{{type(ex.last_error).__name__}}: {{ex.last_error}}"[:200])
print("{marker}" + json.dumps(dict(first_ms=first_ms, walls=walls, internal=internal, errors=errors[:5],
                                   n_errors=len(errors))))
"""


def discover() -> tuple[dict, dict]:
    """``({name: class}, {module: import error})``: explorers of every ``widgets`` submodule that imports."""
    from token_economy import widgets

    failures = {}
    for info in pkgutil.iter_modules(widgets.__path__):
        module = f"{widgets.__name__}.{info.name}"
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - another engineer's module may be half-written
            failures[module] = f"{type(exc).__name__}: {exc}"
    return dict(sorted(widgets.EXPLORERS.items())), failures


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between closest ranks.

    >>> percentile([1, 2, 3, 4, 5], 50), percentile([1, 2, 3, 4, 5], 95)
    (3.0, 4.8)
    """
    xs = sorted(values)
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (k - lo))


def measure(name: str, notebook: str, n_updates: int = 25, seed: int = 2026, timeout: float = 120) -> dict:
    """Latency of explorer ``name``: median and 95th percentile of ``n_updates`` handler calls, in ms."""
    nb = new_notebook(cells=[new_code_cell(SETUP.format(name=name)),
                             new_code_cell(MEASURE.format(seed=seed, n=n_updates, marker=nbrun.MARKER)),
                             new_code_cell(nbrun.PEAK_MEMORY_CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    row = {"explorer": name, "notebook": notebook}
    with tempfile.TemporaryDirectory(prefix="te-bench-") as cwd:
        try:
            nb, seconds = nbrun.execute(nb, Path(cwd), timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - report, keep benchmarking the others
            row["error"] = f"{type(exc).__name__}: {str(exc)[-400:]}"
            return row
    report = None
    for out in nb.cells[1].get("outputs", []):
        if out.get("output_type") == "stream" and nbrun.MARKER in out.get("text", ""):
            report = json.loads(out["text"].split(nbrun.MARKER, 1)[1])
    if not report or not report["walls"]:
        row["error"] = "no updates measured (sample_settings never changed a control)"
        return row
    walls = report["walls"]
    row.update(
        updates=len(walls),
        median_ms=statistics.median(walls),
        p95_ms=percentile(walls, 95),
        max_ms=max(walls),
        compute_median_ms=statistics.median(report["internal"]),
        first_draw_ms=report["first_ms"],
        unexpected_errors=[e for e in report["errors"] if not e.startswith("ValueError")],
        n_value_errors=report["n_errors"],
        peak_rss_bytes=nbrun.peak_memory(nb),
    )
    return row
