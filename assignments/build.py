"""Build the assignments: the readers' notebooks become otter-grader assignments (``make assignments``).

    python assignments/build.py                   # every notebook whose exercises are converted
    python assignments/build.py 00 03             # only these notebooks (by number)
    python assignments/build.py --no-run-tests    # skip otter's own run of the solutions (faster)
    python assignments/build.py --fold notebooks/NN_name.ipynb   # fold the cells tagged "solution"

Writes, offline, into ``assignments/dist/`` (git-ignored):

- ``student/NN_name.ipynb``: the notebook without solutions, each checkable exercise followed by
  ``grader.check("qN")``; the tests travel inside the notebook's metadata, so the file is all a
  student needs (keep its name: otter finds its tests by it);
- ``autograder/NN_name.zip``: what ``otter run -a`` grades with (no Docker);
- ``autograder/NN_name.ipynb``: the solutions notebook (for the teacher);
- ``master/NN_name.ipynb``: the otter-assign master notebook generated from the readers' notebook.

How a readers' notebook marks its exercises (see ``assignments/CONVERTING.md``): in the section
``## Exercises``, each exercise starts with a markdown cell ``**Exercise N ...``; code cells tagged
``answer`` (where the reader writes, starting with ``...``), ``check`` (the in-place check,
``exercises.check("qN", var, ...)``) and ``solution`` (code, folded; or a markdown ``<details>``).
An exercise with a check is autograded (1 point); one without is an open question, graded by hand.

What it leaves out: PDFs, Gradescope and Docker images (otter's ``generate`` files are in the zip
but install nothing on their own: grading uses the collection's environment).
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
DIST = ROOT / "assignments" / "dist"
NOTEBOOK_NAME = re.compile(r"^([0-9]{2})_[a-z0-9_]+\.ipynb$")
EXERCISE = re.compile(r"^\*\*Exercise ([0-9]+)\b", re.M)
ROLES = ("answer", "check", "solution")
#: Cell metadata that folds a solution in JupyterLab and on the rendered pages (see CONVERTING.md).
FOLDED = {"jupyter": {"source_hidden": True, "outputs_hidden": True},
          "mystnb": {"code_prompt_show": "Show solution", "code_prompt_hide": "Hide solution"}}
FOLD_TAG = "hide-cell"


# --- reading a readers' notebook -------------------------------------------------------------------
@dataclass
class Exercise:
    """One exercise of a readers' notebook: its cells by role."""

    number: int
    question: list = field(default_factory=list)   # cells shown in both versions
    answer: list = field(default_factory=list)
    check: list = field(default_factory=list)
    solution: list = field(default_factory=list)
    details: bool = False                           # an old-style <details> solution in markdown

    @property
    def name(self) -> str:
        return f"q{self.number}"

    @property
    def checked_answers(self) -> tuple[str, ...] | None:
        """The variables the check cell passes, or None without a check (an open question)."""
        calls = [c for cell in self.check for c in check_calls(cell.source)]
        if not calls:
            return None
        if len(calls) > 1 or calls[0][0] != self.name:
            raise ValueError(f"exercise {self.number}: one check cell calling exercises.check({self.name!r}, ...) "
                             f"expected, found {calls}")
        return calls[0][1]


def role(cell) -> str | None:
    found = [r for r in ROLES if r in cell.get("metadata", {}).get("tags", [])]
    if len(found) > 1:
        raise ValueError(f"a cell has more than one of the tags {ROLES}: {cell.source[:60]!r}")
    return found[0] if found else None


def check_calls(source: str) -> list[tuple[str, tuple[str, ...]]]:
    """``[(question, (variable, ...))]`` for each ``exercises.check("qN", a, b)`` in ``source``.

    >>> check_calls('exercises.check("q2", monthly_cost)')
    [('q2', ('monthly_cost',))]
    >>> check_calls("from token_economy.exercises.nb00 import exercises")
    []
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "check"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "exercises"):
            name, *values = node.args or [None]
            if not isinstance(name, ast.Constant) or not all(isinstance(v, ast.Name) for v in values):
                raise ValueError(f"a check must read exercises.check(\"qN\", variable, ...): {source!r}")
            found.append((name.value, tuple(v.id for v in values)))
    return found


def sections(nb) -> tuple[list, list, list[Exercise], list]:
    """Split a notebook into (cells before ``## Exercises``, the section's opening cells, exercises, the rest)."""
    cells = nb.cells
    start = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"
                  and re.search(r"^## Exercises", c.source, re.M)), None)
    if start is None:
        raise ValueError("no '## Exercises' section")
    end = next((i for i in range(start + 1, len(cells)) if cells[i].cell_type == "markdown"
                and re.search(r"^## ", cells[i].source, re.M)), len(cells))
    opening, exercises = [], []
    for cell in cells[start:end]:
        number = EXERCISE.search(cell.source) if cell.cell_type == "markdown" else None
        if number:
            exercises.append(Exercise(int(number.group(1))))
        target = exercises[-1] if exercises else None
        kind = role(cell)
        if target is None:
            if kind not in (None, "check"):
                raise ValueError(f"a cell tagged {kind!r} comes before the first exercise")
            opening.append(cell)
            continue
        if cell.cell_type == "markdown" and "<details>" in cell.source and kind is None:
            target.details = True
        getattr(target, kind or "question").append(cell)
    return cells[:start], opening, exercises, cells[end:]


def exercises_of(path: Path) -> list[Exercise]:
    return sections(nbformat.read(path, as_version=4))[2]


def is_folded(cell) -> bool:
    """Is a solution cell hidden until asked for: folded in JupyterLab and behind *Show solution* on the pages?

    A markdown solution cell must be a ``<details>`` block (markdown cells cannot be folded on the pages).
    A code solution starts with a comment line (``# Solution``): folded, JupyterLab still shows a cell's
    first line, and that line must not give the answer away.
    """
    if cell.cell_type == "markdown":
        return cell.source.lstrip().startswith("<details>")
    meta = cell.get("metadata", {})
    return (FOLD_TAG in meta.get("tags", []) and all(meta.get("jupyter", {}).get(k) for k in FOLDED["jupyter"])
            and meta.get("mystnb", {}).get("code_prompt_show") == FOLDED["mystnb"]["code_prompt_show"]
            and cell.source.startswith("# "))


def is_converted(ex: Exercise) -> bool:
    """Converted: a folded, runnable (code) solution, no old-style <details> solution left in the question."""
    return (any(c.cell_type == "code" for c in ex.solution) and all(is_folded(c) for c in ex.solution)
            and not ex.details)


def fold(path: Path) -> int:
    """Give every code cell tagged ``solution`` in the notebook at ``path`` the folding metadata and, unless
    it starts with a comment, a first line ``# Solution``; clear every output.

    Returns the number of solution cells. (``python assignments/build.py --fold notebooks/NN_name.ipynb``)
    """
    nb = nbformat.read(path, as_version=4)
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if cell.cell_type == "code" and role(cell) == "solution":
            tags = cell.metadata.setdefault("tags", [])
            tags.extend(t for t in [FOLD_TAG] if t not in tags)
            for key, value in FOLDED.items():
                cell.metadata[key] = {**cell.metadata.get(key, {}), **value}
            if not cell.source.startswith("# "):
                cell.source = "# Solution\n" + cell.source
            count += 1
    nbformat.write(nb, path)
    return count


# --- the otter-assign master notebook ---------------------------------------------------------------------
def raw(text: str):
    cell = nbformat.v4.new_raw_cell(text)
    del cell["id"]  # given a stable id by master_notebook
    return cell


def unfolded(cell):
    """A copy of a solution cell without the folding metadata (the teacher's notebook shows it open)."""
    cell = copy.deepcopy(cell)
    meta = cell.metadata
    meta["tags"] = [t for t in meta.get("tags", []) if t not in (FOLD_TAG, *ROLES)]
    if not meta["tags"]:
        del meta["tags"]
    for key in FOLDED:
        meta.pop(key, None)
    return cell


def solution_cells(ex: Exercise) -> list:
    """The solution block: code becomes otter's ``# BEGIN SOLUTION NO PROMPT``, the answer cell its prompt."""
    out, prompt = [], "".join(c.source.rstrip() + "\n" for c in ex.answer)
    if '"""' in prompt:
        raise ValueError(f"exercise {ex.number}: an answer cell cannot contain triple quotes")
    for cell in ex.solution:
        cell = unfolded(cell)
        if cell.cell_type == "code":
            head = f'""" # BEGIN PROMPT\n{prompt}"""; # END PROMPT\n' if prompt else ""
            cell.source = f"{head}# BEGIN SOLUTION NO PROMPT\n{cell.source.rstrip()}\n# END SOLUTION"
            prompt = ""
        out.append(cell)
    if prompt:  # an answer cell without a code solution: still the student's cell
        out.insert(0, nbformat.v4.new_code_cell(f'""" # BEGIN PROMPT\n{prompt}"""; # END PROMPT'))
    for cell in out:
        cell.pop("id", None)
    return out


def open_prompt(ex: Exercise) -> list:
    """An open question without an answer cell: the student answers in words (and may compute in the
    empty code cell otter leaves in place of the worked example)."""
    if ex.checked_answers is not None or ex.answer:
        return []
    cell = nbformat.v4.new_markdown_cell("_Type your answer here, replacing this text._")
    del cell["id"]
    return [raw("# BEGIN PROMPT"), cell, raw("# END PROMPT")]


def test_cell(module: str, ex: Exercise) -> str:
    """An otter exception-based test: the library check, raising AssertionError with its hint."""
    params = ", ".join(ex.checked_answers)
    return (f"def test_{ex.name}({params}):\n"
            f"    from token_economy.exercises.{module} import exercises\n"
            f"    exercises.require({ex.name!r}, {params})")


def assignment_config(stem: str) -> str:
    config = {
        "name": stem,
        "init_cell": True,
        "check_all_cell": False,
        "export_cell": {"pdf": False, "instructions": "Hand in the .zip file it makes (or this notebook), "
                                                      "as your teacher asks."},
        "generate": {"pdf": False},
        "tests": {"files": False, "ok_format": False},
        "run_tests": True,
    }
    return "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False)


def master_notebook(path: Path):
    """The otter-assign master notebook generated from the readers' notebook at ``path``."""
    nb = nbformat.read(path, as_version=4)
    before, opening, exercises, after = sections(nb)
    module = "nb" + NOTEBOOK_NAME.match(path.name).group(1)
    cells = [raw(assignment_config(path.stem)), *before, *[c for c in opening if role(c) != "check"]]
    for ex in exercises:
        if not is_converted(ex):
            raise ValueError(f"{path.name}: exercise {ex.number} is not converted (see assignments/CONVERTING.md)")
        checked = ex.checked_answers is not None
        config = {"name": ex.name, "points": 1} if checked else {"name": ex.name, "manual": True, "points": 1}
        cells += [raw("# BEGIN QUESTION\n" + yaml.safe_dump(config, sort_keys=False)), *ex.question,
                  *open_prompt(ex), raw("# BEGIN SOLUTION"), *solution_cells(ex), raw("# END SOLUTION")]
        if checked:
            test = nbformat.v4.new_code_cell(test_cell(module, ex))
            del test["id"]
            cells += [raw("# BEGIN TESTS"), test, raw("# END TESTS")]
        cells.append(raw("# END QUESTION"))
    cells += after
    master = copy.deepcopy(nb)
    master.cells = [copy.deepcopy(c) for c in cells]
    for i, cell in enumerate(master.cells):
        if not cell.get("id") or cell.id in {c.id for c in master.cells[:i]}:
            cell.id = f"assign-{i}"
    return master


# --- building ----------------------------------------------------------------------------------------------
def convertible(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The notebooks whose every exercise is converted, in teaching order."""
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        if NOTEBOOK_NAME.match(path.name):
            exercises = exercises_of(path)
            if exercises and all(is_converted(ex) for ex in exercises):
                found.append(path)
    return found


def build(path: Path, dist: Path = DIST, run_tests: bool = True) -> dict[str, Path]:
    """Build one notebook's assignment into ``dist``; returns the paths written."""
    stem = path.stem
    with tempfile.TemporaryDirectory(prefix="assign-") as tmp:
        master_path = Path(tmp) / "master" / path.name
        master_path.parent.mkdir()
        nbformat.write(master_notebook(path), master_path)
        args = [sys.executable, "-m", "otter", "assign", str(master_path), str(Path(tmp) / "out")]
        done = subprocess.run(args + ([] if run_tests else ["--no-run-tests"]), capture_output=True,
                              text=True, cwd=tmp)
        if done.returncode != 0:
            raise RuntimeError(f"otter assign failed for {path.name}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        out = Path(tmp) / "out"
        zips = sorted((out / "autograder").glob("*.zip"))
        if len(zips) != 1:
            raise RuntimeError(f"otter assign made {len(zips)} autograder zips for {path.name}")
        written = {"student": dist / "student" / path.name, "autograder": dist / "autograder" / f"{stem}.zip",
                   "solutions": dist / "autograder" / path.name, "master": dist / "master" / path.name}
        for target in written.values():
            target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(out / "student" / path.name, written["student"])
        shutil.copy2(zips[0], written["autograder"])
        shutil.copy2(out / "autograder" / path.name, written["solutions"])
        shutil.copy2(master_path, written["master"])
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("numbers", nargs="*", help="notebook numbers (00, 03 ...); default: every converted one")
    parser.add_argument("--no-run-tests", action="store_true", help="skip otter's run of the solutions")
    parser.add_argument("--dist", type=Path, default=DIST, help="output folder (default assignments/dist)")
    parser.add_argument("--fold", type=Path, metavar="NOTEBOOK",
                        help="only fold the solution cells of NOTEBOOK (see CONVERTING.md) and exit")
    args = parser.parse_args(argv)
    if args.fold:
        print(f"assignments: folded {fold(args.fold)} solution cell(s) of {args.fold}")
        return 0
    paths = convertible()
    if args.numbers:
        chosen = [p for p in sorted(NOTEBOOK_DIR.glob("*.ipynb")) if p.name[:2] in args.numbers]
        if len(chosen) != len(args.numbers):
            parser.error(f"no notebook numbered {sorted(set(args.numbers) - {p.name[:2] for p in chosen})}")
        paths = chosen
    if not paths:
        print("assignments: no notebook has converted exercises yet (see assignments/CONVERTING.md)")
        return 1
    for path in paths:
        print(f"assignments: {path.name} ...", flush=True)
        written = build(path, args.dist, run_tests=not args.no_run_tests)
        for kind, target in written.items():
            print(f"  {kind:10} {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
