"""Where each notebook's exercises stand: converted, runnable, checkable (to track the conversion).

    python assignments/status.py            # a table, one row per exercise, and a line per notebook
    python assignments/status.py --strict   # exit 1 unless every notebook meets the issue's bar

Per exercise:

- *converted*: its solution is a folded code cell tagged ``solution`` (no ``<details>`` left);
- *runnable*: it has a solution code cell, so ``make test`` executes it with the notebook;
- *checkable*: it has a ``check`` cell (``exercises.check("qN", ...)``) whose question is defined in
  ``token_economy.exercises.nbNN`` with the same answer variables.

The bar (issue 14): every notebook has at least 3 runnable exercises and at least 2 checkable ones.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path


def _load_build():
    """assignments/build.py, beside this file (loaded by path: the name ``build`` is a PyPI package too)."""
    name = "assignments_build"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parent / "build.py")
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


build = _load_build()

MIN_RUNNABLE, MIN_CHECKABLE = 3, 2


def checkable(module: str, ex: build.Exercise) -> tuple[bool, str]:
    """(checkable?, why not) for one exercise of notebook module ``nbNN``."""
    try:
        answers = ex.checked_answers
    except ValueError as exc:
        return False, str(exc)
    if answers is None:
        return False, "no check cell"
    try:
        exercises = importlib.import_module(f"token_economy.exercises.{module}").exercises
    except ImportError:
        return False, f"no module token_economy.exercises.{module}"
    if ex.name not in exercises.names:
        return False, f"{module} defines no check {ex.name}"
    if exercises.answers(ex.name) != answers:
        return False, f"the check cell passes {answers}, {module} expects {exercises.answers(ex.name)}"
    return True, ""


def rows(folder: Path = build.NOTEBOOK_DIR) -> list[dict]:
    """One dict per exercise of every notebook (a notebook that cannot be read gets one row saying why)."""
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        match = build.NOTEBOOK_NAME.match(path.name)
        if not match:
            continue
        try:
            exercises = build.exercises_of(path)
        except ValueError as exc:
            found.append({"notebook": path.stem, "exercise": "-", "converted": False, "runnable": False,
                          "checkable": False, "note": str(exc)})
            continue
        for ex in exercises:
            ok, why = checkable("nb" + match.group(1), ex)
            converted = build.is_converted(ex)
            if ex.details:
                why = "old format: solution in <details>"
            elif not converted:
                why = "solution cells must be folded (see CONVERTING.md)" if ex.solution else "no solution cell"
            elif not (ex.check or ex.answer):
                why = "open question: worked example and discussion, graded by hand"
            found.append({"notebook": path.stem, "exercise": ex.number, "converted": converted,
                          "runnable": any(c.cell_type == "code" for c in ex.solution),
                          "checkable": ok, "note": why})
    return found


def summary(table: list[dict]) -> dict[str, dict]:
    """Per notebook: counts of exercises, converted, runnable, checkable, and whether it meets the bar."""
    out: dict[str, dict] = {}
    for row in table:
        s = out.setdefault(row["notebook"], {"exercises": 0, "converted": 0, "runnable": 0, "checkable": 0})
        s["exercises"] += row["exercise"] != "-"
        for key in ("converted", "runnable", "checkable"):
            s[key] += bool(row[key])
    for s in out.values():
        s["meets_bar"] = s["runnable"] >= MIN_RUNNABLE and s["checkable"] >= MIN_CHECKABLE
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 unless every notebook meets the bar")
    args = parser.parse_args(argv)
    table = rows()
    yes = {True: "yes", False: "-"}
    print(f"{'notebook':32} {'ex.':>4}  {'converted':9}  {'runnable':8}  {'checkable':9}  note")
    for r in table:
        print(f"{r['notebook']:32} {r['exercise']!s:>4}  {yes[r['converted']]:9}  {yes[r['runnable']]:8}  "
              f"{yes[r['checkable']]:9}  {r['note']}")
    print()
    totals = summary(table)
    for name, s in totals.items():
        print(f"{name:32} {s['exercises']} exercises: {s['converted']} converted, {s['runnable']} runnable, "
              f"{s['checkable']} checkable  {'meets the bar' if s['meets_bar'] else 'below the bar'} "
              f"(>= {MIN_RUNNABLE} runnable, >= {MIN_CHECKABLE} checkable)")
    return 1 if args.strict and not all(s["meets_bar"] for s in totals.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
