"""Notebook execution is the main test: every notebook runs top to bottom in a fresh kernel.

A cell that raises, prints a warning (anything on stderr), or runs longer than
60 s fails the suite. Notebooks must also be stored clean and follow the
anatomy of the guide (goals, exercises with hidden solutions, summary, sources, next link).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from conftest import ABSOLUTE_PATH, NOTEBOOKS, ROOT

CELL_TIMEOUT_S = 60


def execute(path, cwd=None):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd or path.parent)}})
    client.execute()
    return nb


def problems_in_outputs(nb) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"cell {i}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                found.append(f"cell {i} wrote to stderr: {out.text[:300]}")
            elif "Warning" in str(out.get("text", "")):
                found.append(f"cell {i} printed a warning: {out.text[:300]}")
    return found


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_start_here.ipynb"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_clean_in_a_fresh_kernel(path, tmp_path):
    # Run from a foreign working directory: data must be found from the package.
    try:
        nb = execute(path, cwd=tmp_path)
    except CellTimeoutError as exc:
        pytest.fail(f"{path.name}: a cell ran longer than {CELL_TIMEOUT_S} s: {exc}")
    except CellExecutionError as exc:
        pytest.fail(f"{path.name}: a cell raised:\n{exc}")
    assert problems_in_outputs(nb) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_clean(path):
    raw = json.loads(path.read_text())
    for i, cell in enumerate(raw["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {i} has stored outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"
    assert "widgets" not in raw.get("metadata", {}), f"{path.name} stores widget state"
    assert not ABSOLUTE_PATH.search(path.read_text()), f"{path.name} contains an absolute path"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_draws_each_figure_once(path):
    """No ``%matplotlib inline``: the collection shows figures with ``plots.figure_bundle`` and needs no magic.

    The magic registers IPython's own PNG formatter for ``Figure``, which outranks the bundle's PNG,
    so every figure is drawn a second time (with a tight bounding box, a different image from the one
    JupyterLab shows): 2.4 of notebook 07's 8.1 s of kernel time before it was removed.
    """
    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert not re.search(r"^\s*%matplotlib\b", code, re.M), f"{path.name} turns on %matplotlib"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_anatomy(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "title first"
    for heading in ("Learning goals", "Prerequisites", "Time"):
        assert heading.lower() in markdown.lower(), f"{path.name}: missing {heading!r}"
    assert re.search(r"^## Exercises", markdown, re.M), f"{path.name}: no Exercises section"
    for problem in exercise_problems(path):
        pytest.fail(f"{path.name}: {problem}")
    assert re.search(r"^## Summary", markdown, re.M), f"{path.name}: no Summary"
    assert re.search(r"^## Sources", markdown, re.M), f"{path.name}: no Sources"
    if path != NOTEBOOKS[-1]:
        assert "**Next:**" in markdown, f"{path.name}: no link to the next notebook"
    long_cells = [c.source for c in nb.cells if c.cell_type == "code" and len(c.source.splitlines()) > 20]
    assert not long_cells, f"{path.name}: code cells over 20 lines belong in lib/: {long_cells[0][:80]!r}"


def exercise_problems(path) -> list[str]:
    """What is wrong with a notebook's exercises (assignments/CONVERTING.md describes the format).

    Every exercise has a solution hidden until asked for: a code cell tagged ``solution`` (or, for a
    long discussion, a markdown cell tagged ``solution``), folded in JupyterLab and behind *Show
    solution* on the pages, plus a check for an exercise with a definite answer. The old format, a
    solution to read in a markdown ``<details>`` block that nothing runs, is no longer accepted.
    """
    spec = importlib.util.spec_from_file_location("assignments_build", ROOT / "assignments" / "build.py")
    build = sys.modules.get(spec.name)
    if build is None:
        build = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(build)
    exercises = build.exercises_of(path)
    problems = [] if exercises else ["no '**Exercise N' in the Exercises section"]
    for ex in exercises:
        if not ex.solution:
            problems.append(f"exercise {ex.number} has no solution (a code cell tagged 'solution')"
                            + (": its <details> block is the old format, which nothing runs" if ex.details else ""))
        elif not all(build.is_folded(c) for c in ex.solution):
            problems.append(f"exercise {ex.number}: its solution is not folded (see assignments/CONVERTING.md)")
        elif ex.answer and not ex.check:
            problems.append(f"exercise {ex.number} has an answer cell but no check cell")
        else:
            try:
                ex.checked_answers
            except ValueError as exc:
                problems.append(str(exc))
    return problems


def test_notebook_links_point_to_existing_notebooks():
    names = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    missing = []
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                for target in re.findall(r"\]\(([0-9]{2}_[a-z0-9_]+\.ipynb)\)", cell.source):
                    if target not in names:
                        missing.append(f"{path.name} -> {target}")
    # Links to notebooks not written yet are allowed only from the map in notebook 00.
    missing = [m for m in missing if not m.startswith("00_start_here")]
    assert missing == []


#: Code in markdown (fenced blocks, inline spans): dollar signs there are Python, not prose.
MD_CODE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1|(`+)(?!`).+?(?<!`)\2(?!`)", re.S | re.M)


def money_written_as_maths(markdown: str) -> list[str]:
    """Currency amounts ("$5 ...") in markdown prose not written as ``\\$5``, JupyterLab's escape."""
    prose = MD_CODE.sub("", markdown)
    return [prose[m.start():m.start() + 25] for m in re.finditer(r"\$(?=[0-9])", prose)
            if prose[max(0, m.start() - 2):m.start()] != "\\\\"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_money_in_markdown_cells_is_escaped(path):
    # JupyterLab and the pages read "$5 and $7" as a formula; tests/test_browser_lab.py sees that only
    # in a browser, so catch the cause here. First the checker: one backslash is not JupyterLab's escape,
    # two are, code is not prose, and "$x$" (maths) is not money.
    checked = money_written_as_maths("costs $5, \\$6, \\\\$7; `$8` and $x$\n```\n$9\n```\n")
    assert [hit[:2] for hit in checked] == ["$5", "$6"]
    nb = nbformat.read(path, as_version=4)
    found = [hit for cell in nb.cells if cell.cell_type == "markdown" for hit in money_written_as_maths(cell.source)]
    assert found == [], (f"{path.name}: money written as $ in markdown, typeset as maths in JupyterLab: {found[:3]}. "
                         "Write \\\\$5 (two backslashes; the book build shows $5).")


def test_exercise_problems_are_found(tmp_path):
    """The anatomy's exercise rules on small notebooks: each rule can fail."""
    fold = {"tags": ["solution", "hide-cell"], "jupyter": {"source_hidden": True, "outputs_hidden": True},
            "mystnb": {"code_prompt_show": "Show solution", "code_prompt_hide": "Hide solution"}}

    def problems(*cells):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Exercises"), *cells,
                                             nbformat.v4.new_markdown_cell("## Summary")])
        nbformat.write(nb, tmp_path / "00_x.ipynb")
        return exercise_problems(tmp_path / "00_x.ipynb")

    question = nbformat.v4.new_markdown_cell("**Exercise 1.** Compute x.")
    answer = nbformat.v4.new_code_cell("x = ...", metadata={"tags": ["answer"]})
    check = nbformat.v4.new_code_cell('exercises.check("q1", x)', metadata={"tags": ["check"]})
    solution = nbformat.v4.new_code_cell("# Solution\nx = 1", metadata=fold)
    assert problems(question, answer, check, solution) == []
    old = problems(question, nbformat.v4.new_markdown_cell("<details><summary>Solution</summary>1</details>"))
    assert "old format" in old[0]  # a solution to read, which nothing runs, is refused
    assert "not folded" in problems(question, nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]}))[0]
    assert "not folded" in problems(question, answer, check, nbformat.v4.new_code_cell("x = 1", metadata=fold))[0]
    assert "no check cell" in problems(question, answer, solution)[0]
    assert "no solution" in problems(question, answer, check)[0]
    wrong_name = nbformat.v4.new_code_cell('exercises.check("q2", x)', metadata={"tags": ["check"]})
    assert "q1" in problems(question, answer, wrong_name, solution)[0]
    assert problems() == ["no '**Exercise N' in the Exercises section"]


#: A claim check's claim and its verdict label, as written in a notebook cell (literal strings only).
CLAIM = re.compile(r'claim=\(?\s*"((?:[^"\\]|\\.)*)"', re.S)
LABEL = re.compile(r'label\s*=\s*"([^"]+)"')


def claim_labels() -> list[tuple[str, str, str]]:
    """(claim, label, where) for every claim_check call in the notebooks' code cells."""
    found = []
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for call in cell.source.split("claim_check(")[1:]:
                claim, label = CLAIM.search(call), LABEL.search(call)
                if claim and label:
                    found.append((" ".join(claim.group(1).split()).lower(), label.group(1).lower(),
                                  f"{path.stem} cell {i}"))
    return found


def test_the_same_claim_gets_the_same_verdict_everywhere():
    # GUIDE section 6: the verdict label is the same wherever the same claim is checked (00 and 01
    # both check "each character it generates is one token").
    found = claim_labels()
    assert len(found) >= 12, "the claim checks were not found: has claim_check's call changed?"
    labels: dict[str, set] = {}
    for claim, label, where in found:
        labels.setdefault(claim, set()).add((label, where))
    repeated = {c: v for c, v in labels.items() if len(v) > 1}
    assert repeated, "no claim is checked twice any more: keep this test honest by updating it"
    clashes = {c: sorted(v) for c, v in repeated.items() if len({label for label, _ in v}) > 1}
    assert clashes == {}
