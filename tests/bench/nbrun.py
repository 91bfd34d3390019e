"""Run a notebook in a fresh kernel and reduce its outputs to comparable text.

Shared by the benchmarks (``tests/bench/run.py``) and by the offline and
determinism tests (``tests/test_offline_notebooks.py``). As a script it runs
one notebook and writes a JSON report, so that a test can run it inside a
network namespace (``unshare -n``)::

    python tests/bench/nbrun.py notebooks/00_start_here.ipynb --out report.json --transport ipc

``--transport ipc`` talks to the kernel over Unix sockets instead of TCP on
127.0.0.1: inside ``unshare -n`` even the loopback interface is down, and the
notebook must run with no network at all.

What it leaves out: no widget state is kept or compared (the PNG of an explorer
lives in the widget state, not in the outputs); the explorers are measured
separately by ``tests/bench/explorers.py``.
"""

from __future__ import annotations

import argparse
import ast
import base64
import hashlib
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

#: Output mime types compared between runs (the brief's list; widget views are reduced to a marker).
COMPARED_MIMES = ("text/plain", "text/html", "text/markdown", "image/png")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
MARKER = "__TE_BENCH__"

# The last cell injected by the benchmark: the kernel reports its own peak memory.
PEAK_MEMORY_CELL = f"""
import json as _te_json, resource as _te_resource
def _te_peak_rss():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return _te_resource.getrusage(_te_resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
print("{MARKER}" + _te_json.dumps({{"peak_rss_bytes": _te_peak_rss()}}))
"""


def client_config(transport: str = "tcp", workdir: Path | None = None) -> Config:
    """Kernel-manager settings: ``ipc`` puts the kernel's sockets in ``workdir`` (no TCP at all)."""
    cfg = Config()
    if transport == "ipc":
        folder = Path(workdir or tempfile.mkdtemp(prefix="te-ipc-"))
        cfg.KernelManager.transport = "ipc"
        cfg.KernelManager.ip = str(folder / "kernel")
    return cfg


def execute(nb, cwd: Path, timeout: float = 60, transport: str = "tcp") -> tuple:
    """Execute ``nb`` (a NotebookNode, changed in place) in a fresh kernel started in ``cwd``.

    Returns ``(nb, seconds)``: seconds from the call to the end of the last cell
    (kernel start-up included, shutdown excluded), what a learner waits for after
    *Restart Kernel and Run All*. A failing cell raises nbclient's ``CellExecutionError``.
    """
    from nbclient import NotebookClient

    finished = []
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", shutdown_kernel="immediate",
        resources={"metadata": {"path": str(cwd)}}, config=client_config(transport, cwd),
        on_cell_executed=lambda **_: finished.append(time.perf_counter()),
    )
    start = time.perf_counter()
    client.execute()
    end = finished[-1] if finished else time.perf_counter()
    return nb, end - start


def imports_of(nb) -> list[str]:
    """The top-level import statements of a notebook's code cells, in order, without duplicates.

    >>> nb = new_notebook(cells=[new_code_cell("import os\\nx = 1\\nfrom math import pi, tau"),
    ...                          new_code_cell("import os\\nif x:\\n    import json")])
    >>> imports_of(nb)     # not the conditional one: it may never run (a Colab-only import, say)
    ['import os', 'from math import pi, tau']
    """
    seen: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics: keep the lines that parse
            tree = ast.parse("\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))))
        for node in tree.body:     # top-level statements only: they always run
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                statement = ast.unparse(node)
                if statement not in seen:
                    seen.append(statement)
    return seen


def import_floor(nb):
    """A notebook that only imports what ``nb`` imports: the floor of its running time."""
    floor = new_notebook(cells=[new_code_cell("\n".join(imports_of(nb)))])
    floor.metadata = nb.metadata
    return floor


def with_peak_memory_cell(nb):
    """A copy of ``nb`` with a last cell that prints the kernel's peak memory."""
    copy = nbformat.from_dict(json.loads(json.dumps(nb)))
    copy.cells.append(new_code_cell(PEAK_MEMORY_CELL))
    return copy


def peak_memory(nb) -> int | None:
    """Bytes reported by :data:`PEAK_MEMORY_CELL` in an executed notebook."""
    for cell in reversed(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and MARKER in out.get("text", ""):
                return json.loads(out["text"].split(MARKER, 1)[1])["peak_rss_bytes"]
    return None


_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
_MODEL_ID = re.compile(r"\b[0-9a-f]{32}\b")
_STYLER_ID = re.compile(r"\bT_[0-9a-f]{5}(?=[_\"\s])")  # pandas Styler's random table id


def normalise_text(text: str) -> str:
    """Remove what legitimately differs between runs: memory addresses, widget model ids, Styler ids.

    >>> normalise_text("<Figure at 0x7f3a2c1d5e90> model 0123456789abcdef0123456789abcdef")
    '<Figure at 0x…> model <model-id>'
    >>> normalise_text('<table id="T_31e4a"><th id="T_31e4a_level0_col0">')
    '<table id="T_…"><th id="T_…_level0_col0">'
    """
    return _STYLER_ID.sub("T_…", _MODEL_ID.sub("<model-id>", _ADDRESS.sub("0x…", text)))


def normalised_outputs(nb) -> list[dict]:
    """Per code cell, its outputs reduced to the compared mime types (PNG as a sha256).

    Printed text is joined per stream and put first: where a flush falls between a
    ``print`` and a displayed value differs from run to run, the text does not.
    """
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        outs, streams = [], {}
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream":
                streams[out["name"]] = streams.get(out["name"], "") + out["text"]
            elif kind == "error":
                outs.append({"error": f"{out['ename']}: {out['evalue']}"})
            else:
                data = out.get("data", {})
                entry = {}
                for mime in COMPARED_MIMES:
                    if mime in data:
                        value = data[mime]
                        value = "".join(value) if isinstance(value, list) else value
                        if mime == "image/png":
                            entry[mime] = "sha256:" + hashlib.sha256(base64.b64decode(value)).hexdigest()
                        else:
                            entry[mime] = normalise_text(value)
                if WIDGET_MIME in data:
                    entry[WIDGET_MIME] = "<widget view>"
                outs.append(entry)
        printed = [{"stream": name, "text": normalise_text(text)} for name, text in sorted(streams.items())]
        cells.append({"cell": index, "outputs": printed + outs})
    return cells


def problems(nb) -> list[str]:
    """Errors and anything written to stderr, by cell."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out['ename']}: {out['evalue']}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append(f"cell {i} wrote to stderr: {out['text'][:300]}")
    return found


def differences(a: list[dict], b: list[dict]) -> list[str]:
    """Human-readable differences between two :func:`normalised_outputs`."""
    found = []
    if len(a) != len(b):
        return [f"different number of code cells: {len(a)} vs {len(b)}"]
    for ca, cb in zip(a, b):
        if ca != cb:
            for oa, ob in zip(ca["outputs"], cb["outputs"]):
                for key in sorted(set(oa) | set(ob)):
                    if oa.get(key) != ob.get(key):
                        found.append(f"cell {ca['cell']} {key}: {str(oa.get(key))[:160]!r} != {str(ob.get(key))[:160]!r}")
            if len(ca["outputs"]) != len(cb["outputs"]):
                found.append(f"cell {ca['cell']}: {len(ca['outputs'])} outputs vs {len(cb['outputs'])}")
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="JSON report to write")
    parser.add_argument("--transport", choices=["tcp", "ipc"], default="tcp")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per cell")
    args = parser.parse_args(argv)
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.read(args.notebook, as_version=4)
    report = {"notebook": args.notebook.name}
    with tempfile.TemporaryDirectory(prefix="te-nbrun-") as cwd:
        try:
            nb, seconds = execute(nb, Path(cwd), timeout=args.timeout, transport=args.transport)
        except (CellExecutionError, CellTimeoutError) as exc:
            report.update(ok=False, failure=str(exc)[-3000:], outputs=normalised_outputs(nb), problems=problems(nb))
        else:
            report.update(ok=True, seconds=seconds, outputs=normalised_outputs(nb), problems=problems(nb))
    args.out.write_text(json.dumps(report, indent=1))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
