"""Exercises a class can hand in: checks that answer, assignments that build offline and grade.

Library (fast): every exercise check in ``token_economy.exercises`` answers any value a learner can
type (a verdict, never a traceback), accepts equivalent answers and names the mistakes it knows.

Assignments (one build per session, with ``assignments/build.py``, under ``unshare -n`` when this
machine can): the student notebooks hold no solution text; otter-grader, run locally without
Docker (``otter run``), gives the unmodified student notebook less than full marks and the
solutions notebook full marks. That last grading is also what proves that every solution still
gives the answer its check (and its prose, computed from the same variables) states; the readers'
notebooks, solutions included, are executed by tests/test_notebooks.py.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import json
import math
import shutil
import subprocess
import sys

import nbformat
import numpy as np
import pandas as pd
import pytest

from conftest import NOTEBOOKS, ROOT, netns_available, run_offline, skip_or_fail
from hostile import HOSTILE_TEXTS
from token_economy.exercises import Exercises, Verdict


def _load(name: str, path):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


build = _load("assignments_build", ROOT / "assignments" / "build.py")
status = _load("assignments_status", ROOT / "assignments" / "status.py")

CONVERTED = build.convertible()
CHECK_MODULES = {p.stem: importlib.import_module(f"token_economy.exercises.nb{p.name[:2]}") for p in CONVERTED}


# --- the checks ------------------------------------------------------------------------------------


class _BadRepr:
    def __repr__(self):
        raise RuntimeError("no repr")

    def __float__(self):
        raise RuntimeError("no float")


def _raises(*args):
    raise ZeroDivisionError("boom")


#: What a learner may leave in an answer cell. None of these is the right answer to any check.
HOSTILE_ANSWERS = {
    "ellipsis": ..., "none": None, "true": True, "zero": 0, "minus one": -1, "nan": math.nan,
    "inf": math.inf, "beyond any float": 10**400, "number as text": "13.50", "list": [1, 2],
    "empty dict": {}, "dict of text": {"o200k_base": "four", "cl100k_base": None},
    "frame": pd.DataFrame({"x": [1]}), "array": np.array([1.0, np.nan]), "bad repr": _BadRepr(),
    "raising function": _raises, "function returning nan": lambda *a: math.nan,
    "function returning text": lambda *a: "0.1", "function of no arguments": lambda: 1.0,
    **{f"text: {k}": v for k, v in HOSTILE_TEXTS.items()},
}


def test_converted_notebooks_exist_and_have_check_modules():
    assert CONVERTED and CONVERTED[0].name == "00_start_here.ipynb"
    assert all(mod.exercises.notebook == stem for stem, mod in CHECK_MODULES.items())


@pytest.mark.parametrize("stem", sorted(CHECK_MODULES))
def test_every_check_answers_any_value_with_a_verdict(stem):
    exercises = CHECK_MODULES[stem].exercises
    for name in exercises.names:
        n = len(exercises.answers(name))
        for label, value in HOSTILE_ANSWERS.items():
            for position in range(n):
                values = ["Ada"] * n
                values[position] = value
                result = exercises.check(name, *values)
                assert isinstance(result, Verdict) and not result.ok, f"{stem} {name} accepts {label}"
                assert result.message and "Traceback" not in result.message
                with pytest.raises(AssertionError):
                    exercises.require(name, *values)
        assert not exercises.check(name).ok, "a check called without its answers must say so"
    assert not exercises.check("q99", 1).ok and "q99" in exercises.check("q99", 1).message


def test_verdicts_escape_what_a_learner_typed():
    from token_economy.exercises import Wrong
    demo = Exercises("demo")

    @demo.exercise("q1", "name")
    def _judge(name):
        raise Wrong(f"{name.text()} is not a name")

    shown = demo.check("q1", "<script>alert(1)</script>")._repr_html_()
    assert "<script>" not in shown and "&lt;script&gt;" in shown


def test_exercise_names_are_checked():
    demo = Exercises("demo")
    demo.exercise("q1", "x")(lambda x: None)
    for bad in ("q1", "Q2", "exercise 2", ""):
        with pytest.raises(ValueError, match="name"):
            demo.exercise(bad, "x")


def test_notebook_00_checks_accept_equivalent_answers_and_name_known_mistakes():
    from token_economy import tokens
    from token_economy.exercises.nb00 import exercises
    from token_economy.tokens import default_price

    counts = {enc: tokens.count_tokens("Zoë Ñúñez", enc) for enc in reversed(tokens.ENCODINGS)}  # any order
    assert exercises.check("q1", "Zoë Ñúñez", counts).ok
    assert exercises.check("q1", "Zoë Ñúñez", pd.Series(counts)).ok
    off_by_one = {**counts, "o200k_base": counts["o200k_base"] + 1}
    assert "too high" in exercises.check("q1", "Zoë Ñúñez", off_by_one).message

    price, _ = default_price()
    month = 10_000 * 300 * 30
    right = month * price / 1e6
    for answer in (right, np.float64(right), right * (1 + 5e-4), round(right, 2)):
        assert exercises.check("q2", answer).ok, answer
    assert "per million" in exercises.check("q2", month * price).message
    assert "one day" in exercises.check("q2", right / 30).message
    assert exercises.check("q2", right * 1.1).message.endswith("Check each factor and its unit.")
    assert f"{right:.2f}" not in exercises.check("q2", right * 1.1).message, "a hint must not give the answer"

    assert exercises.check("q3", lambda text, usd: tokens.count_tokens(text) * usd / 1e6).ok
    assert "not characters" in exercises.check("q3", lambda text, usd: len(text) * usd / 1e6).message
    assert "returns None" in exercises.check("q3", lambda text, usd: None).message


# --- the build -------------------------------------------------------------------------------------


def test_build_and_status_scripts_examples():
    import doctest
    assert doctest.testmod(build).failed == 0


def test_status_reports_every_notebook_and_the_bar():
    table = status.rows()
    assert {r["notebook"] for r in table} == {p.stem for p in NOTEBOOKS}
    totals = status.summary(table)
    for path in CONVERTED:
        s = totals[path.stem]
        assert s["converted"] == s["exercises"] and s["meets_bar"], (path.name, s)


def _names(source: str, ctx) -> set[str]:
    """Names a cell's code stores (``ast.Store``, defs) or reads (``ast.Load``)."""
    import ast
    tree = ast.parse(source)
    found = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}
    if ctx is ast.Store:
        found |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    return found


@pytest.mark.parametrize("path", CONVERTED, ids=lambda p: p.stem)
def test_solutions_change_nothing_that_later_cells_read(path):
    """The student notebook has no solutions: a later cell must not read a name that a solution sets."""
    import ast
    nb = nbformat.read(path, as_version=4)
    _, _, exercises, _ = build.sections(nb)
    solutions = [c for ex in exercises for c in ex.solution]
    set_so_far, problems = set(), []
    for cell in nb.cells[nb.cells.index(solutions[0]):]:
        if cell.cell_type != "code" or build.role(cell) in ("answer", "check"):
            continue  # answer and check cells are the student's and otter's in the student notebook
        if any(cell is s for s in solutions):
            set_so_far |= _names(cell.source, ast.Store)
        elif read := _names(cell.source, ast.Load) & set_so_far:
            problems.append(f"{cell.source[:40]!r} reads {sorted(read)}")
    assert set_so_far, "no names set by the solutions: is the parser broken?"
    assert problems == [], problems


def test_master_notebook_marks_each_exercise_for_otter():
    master = build.master_notebook(CONVERTED[0])
    raw = [c.source for c in master.cells if c.cell_type == "raw"]
    exercises = build.exercises_of(CONVERTED[0])
    assert raw[0].startswith("# ASSIGNMENT CONFIG")
    assert sum(s.startswith("# BEGIN QUESTION") for s in raw) == len(exercises)
    assert sum("manual: true" in s for s in raw) == sum(ex.checked_answers is None for ex in exercises)
    assert not any("hide-cell" in c.metadata.get("tags", []) or c.metadata.get("jupyter") for c in master.cells), \
        "folding metadata must not reach the students' answer cells"


def test_fold_gives_solution_cells_the_folding_metadata(tmp_path):
    solution = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]})
    solution.outputs = [nbformat.v4.new_output("stream", text="1")]
    other = nbformat.v4.new_code_cell("y = 2", metadata={"tags": ["answer"]})
    nbformat.write(nbformat.v4.new_notebook(cells=[solution, other]), tmp_path / "00_x.ipynb")
    assert build.fold(tmp_path / "00_x.ipynb") == 1
    folded, untouched = nbformat.read(tmp_path / "00_x.ipynb", as_version=4).cells
    assert build.is_folded(folded) and not folded.outputs and folded.metadata["tags"] == ["solution", "hide-cell"]
    assert folded.source == "# Solution\nx = 1", "folded, JupyterLab shows the first line: a comment, not the answer"
    assert not build.is_folded(untouched)


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """Every converted notebook built into a temporary dist folder, with the network off when possible."""
    out = tmp_path_factory.mktemp("dist")
    args = [sys.executable, str(ROOT / "assignments" / "build.py"), "--no-run-tests", "--dist", str(out)]
    offline = netns_available()
    done = run_offline(args, timeout=600) if offline else subprocess.run(args, capture_output=True, text=True,
                                                                         timeout=600)
    assert done.returncode == 0, f"build failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return out, offline


@pytest.mark.offline
def test_assignments_build_with_the_network_off(dist):
    _, offline = dist
    if not offline:
        skip_or_fail("building with the network off needs `unshare -n` (util-linux) and root")


@pytest.mark.parametrize("path", CONVERTED, ids=lambda p: p.stem)
def test_student_notebooks_hold_no_solution_text(dist, path):
    out, _ = dist
    reader = nbformat.read(path, as_version=4)
    _, _, exercises, _ = build.sections(reader)
    solutions = [c for ex in exercises for c in ex.solution]
    # Solution lines, less those the notebook also shows outside its solutions (`def cost_of(...)`, `# Solution`).
    elsewhere = "\n".join(c.source for c in reader.cells if not any(c is s for s in solutions))
    lines = {line.strip() for c in solutions for line in c.source.splitlines()}
    lines = {line for line in lines if len(line) > 8 and line not in elsewhere}
    assert len(lines) > 10, "too few solution lines to test"
    student, teacher = (nbformat.read(out / folder / path.name, as_version=4) for folder in ("student", "autograder"))
    student_text, teacher_text = (json.dumps(nb, ensure_ascii=False) + "\n".join(c.source for c in nb.cells)
                                  for nb in (student, teacher))
    leaked = [line for line in lines if line in student_text]
    assert leaked == [], f"solution text in the student notebook: {leaked[:3]}"
    assert all(line in teacher_text for line in lines), "the solutions notebook lacks solutions"
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    checks = [c.source for c in student.cells if c.source.startswith("grader.check(")]
    assert checks == [f'grader.check("{ex.name}")' for ex in exercises if ex.checked_answers is not None]


@pytest.mark.notebooks
@pytest.mark.parametrize("path", CONVERTED, ids=lambda p: p.stem)
def test_otter_grades_student_below_and_solutions_at_full_marks(dist, path, tmp_path):
    """The teacher's grading command (assignments/grade.py: `otter run`, no Docker), two submissions at once.

    With ``--debug`` a cell that raises fails the grading: both notebooks must run top to bottom, the
    student's with its answers still ``...`` (no later cell may need a solution's variables).
    """
    out, _ = dist
    submissions = {}
    for kind, folder in (("unanswered", "student"), ("solutions", "autograder")):
        (tmp_path / kind).mkdir()  # the file keeps its name: otter's first cell reads the notebook by it
        submissions[kind] = shutil.copy(out / folder / path.name, tmp_path / kind / path.name)
    grades = tmp_path / "grades.csv"
    done = subprocess.run([sys.executable, str(ROOT / "assignments" / "grade.py"), str(out / "autograder" / f"{path.stem}.zip"),
                           *map(str, submissions.values()), "-o", str(grades), "-j", "2", "--debug", "--timeout", "1800"],
                          capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, f"grading failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    rows = {r["submission"]: r for r in csv.DictReader(grades.open())}
    solutions, student = rows[str(submissions["solutions"])], rows[str(submissions["unanswered"])]
    questions = [ex.name for ex in build.exercises_of(path) if ex.checked_answers is not None]
    assert [q for q in solutions if q.startswith("q")] == questions
    assert float(solutions["score"]) == float(solutions["max_score"]) == len(questions), solutions
    assert all(float(solutions[q]) == 1 for q in questions)
    assert float(student["score"]) < float(student["max_score"]), student
    assert all(float(student[q]) == 0 for q in questions), "an unanswered question scored"
