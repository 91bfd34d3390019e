"""Grade a folder of submissions locally with ``otter run`` (no Docker): one CSV row per submission.

    python assignments/grade.py assignments/dist/autograder/00_start_here.zip submissions/00 -o grades-00.csv

A submission is what a student hands in: the notebook itself (``.ipynb``) or the zip that the
notebook's last cell (``grader.export``) makes. Each one is executed from a fresh kernel in this
environment (the collection's), then graded with the autograder zip that ``make assignments``
built. The CSV has a column per autograded question (its score), the total, the maximum, and a
``problem`` column when a submission could not be graded (with otter's message). Open questions
are not in it: read them in the notebooks.

``-j 2`` grades two submissions at a time (one per core). Grading runs the students' code on this
machine, as its user: for submissions you do not trust, run it in a throwaway account or container.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def grade_one(submission: Path, autograder: Path, timeout: float = 600, debug: bool = False) -> dict:
    """``{"submission": path, "q1": score, ..., "score": total, "max_score": max, "problem": ""}``.

    ``debug``: a cell that raises stops the grading (otter's ``--debug``); by default otter goes on
    past a student's failing cell, and only the checks that fail because of it lose points.
    """
    row = {"submission": str(submission)}
    with tempfile.TemporaryDirectory(prefix="grade-") as out:
        try:
            done = subprocess.run([sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder.resolve()),
                                   "-o", out, str(submission.resolve()), *(["--debug"] if debug else [])],
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {**row, "problem": f"not graded: took longer than {timeout:.0f} s"}
        results = Path(out) / "results.json"
        if done.returncode != 0 or not results.is_file():
            last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
            return {**row, "problem": f"not graded: {last[0][:300]}"}
        tests = [t for t in json.loads(results.read_text())["tests"] if "max_score" in t]
    for t in tests:
        row[t["name"]] = t["score"]
    row["score"] = sum(t["score"] for t in tests)
    row["max_score"] = sum(t["max_score"] for t in tests)
    row["problem"] = ""
    return row


def submissions_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".ipynb", ".zip") and not p.name.startswith("."))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("autograder", type=Path, help="the autograder zip, e.g. assignments/dist/autograder/00_start_here.zip")
    parser.add_argument("submissions", type=Path, nargs="+", help="submission files, or folders of them")
    parser.add_argument("-o", "--output", type=Path, default=Path("grades.csv"), help="CSV to write (default grades.csv)")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="submissions graded at a time (default 1)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per submission (default 600)")
    parser.add_argument("--debug", action="store_true",
                        help="a cell that raises stops that submission's grading (to test an assignment itself)")
    args = parser.parse_args(argv)
    if not args.autograder.is_file():
        parser.error(f"no autograder zip at {args.autograder}: run `make assignments` first")
    files = [f for p in args.submissions for f in (submissions_in(p) if p.is_dir() else [p])]
    if not files:
        parser.error("no submissions (.ipynb or .zip) found")
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        rows = list(pool.map(lambda f: grade_one(f, args.autograder, args.timeout, debug=args.debug), files))
    questions = sorted({k for r in rows for k in r} - {"submission", "score", "max_score", "problem"},
                       key=lambda q: (len(q), q))
    with args.output.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, ["submission", *questions, "score", "max_score", "problem"])
        writer.writeheader()
        writer.writerows(rows)
    for r in rows:
        print(f"{r['submission']}: " + (r["problem"] or f"{r['score']:g} / {r['max_score']:g}"))
    print(f"grades written to {args.output}")
    return 0 if all(not r["problem"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
