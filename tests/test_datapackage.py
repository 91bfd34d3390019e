"""The frictionless library accepts data/datapackage.json and refuses the same mistakes as token_economy.data.

``token_economy.data`` checks the tables with its own small validator, driven by the same
descriptor, so that a notebook does not import ``frictionless`` (about 0.3 s) at every start.
This file proves the two agree: the package as shipped is valid for frictionless (types,
constraints, keys, licences, the hashes of the text and vocabulary files), and every
mutation of ``tests/test_data.py`` is refused by both, on the same line and column.
"""

import json
import warnings

import pytest

frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev dependency (pip install -e .[dev])")

from token_economy import data  # noqa: E402

from test_data import MUTATIONS, TABULAR, mutate  # noqa: E402

PACKAGE_PATH = data.data_dir() / "datapackage.json"
PACKAGE = json.loads(PACKAGE_PATH.read_text())


def test_the_descriptor_is_a_data_package_v2():
    package = json.loads(PACKAGE_PATH.read_text())
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert package["licenses"] and package["name"]


def test_frictionless_validates_the_whole_package():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = frictionless.validate(str(PACKAGE_PATH))
    problems = [f"{task.name}: {e.type}: {e.message}" for task in report.tasks for e in task.errors]
    problems += [f"{e.type}: {e.message}" for e in report.errors]
    assert report.valid, "\n".join(problems[:20])


def frictionless_problems(name: str, text: str, folder) -> list[tuple[int | None, str | None, str]]:
    """``(row number = editor line, field name, error type)`` of every error frictionless finds in ``text``.

    The table is validated inside a one-resource Data Package v2 (frictionless reads the
    v2 constraints, such as exclusiveMinimum, only in a package that declares v2).
    """
    (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    package = frictionless.Package({"$schema": PACKAGE["$schema"], "name": "one-table",
                                    "resources": [TABULAR[name]]}, basepath=str(folder))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = package.validate()
    problems = [(getattr(e, "row_number", None), getattr(e, "field_name", None), e.type)
                for task in report.tasks for e in task.errors]
    return problems + [(None, None, f"{e.type}: {e.message}") for e in report.errors]


@pytest.mark.parametrize("name", sorted(TABULAR))
def test_both_accept_every_table_as_shipped(name, tmp_path):
    text = data.path(name).read_text(encoding="utf-8")
    assert frictionless_problems(name, text, tmp_path) == []
    assert data.table_problems(data.path(name), TABULAR[name], text) == []


@pytest.mark.parametrize("name, kind, line, column, value, word", MUTATIONS,
                         ids=[f"{m[0]}-{m[1]}-{m[3]}" for m in MUTATIONS])
def test_frictionless_refuses_each_mistake_on_the_same_line_and_column(name, kind, line, column, value, word,
                                                                      tmp_path):
    text = mutate(name, kind, line, column, value)
    ours = [(p.line, p.column) for p in data.table_problems(data.path(name), TABULAR[name], text)]
    theirs = frictionless_problems(name, text, tmp_path)
    assert theirs, f"frictionless accepts {kind} in {name}.{column}"
    if kind == "duplicate key":  # frictionless names no field for a primary-key error, only the row
        assert {(row, kind) for row, _, kind in theirs} == {(line, "primary-key")}
        assert ours == [(line, column.replace(",", ", "))]
    else:  # an empty key cell is also a primary-key error (no field) for frictionless
        assert {(row, field) for row, field, kind in theirs if kind != "primary-key"} == set(ours) == {(line, column)}


def top_level_alternation(pattern: str) -> bool:
    """Whether ``pattern`` has a ``|`` outside every group and character class (``a|b``, not ``(a|b)``)."""
    depth, in_class, escaped = 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch in "()":
            depth += 1 if ch == "(" else -1
        elif ch == "|" and depth == 0:
            return True
    return False


def test_no_pattern_means_something_else_once_anchored():
    """token_economy.schema matches a pattern against the whole cell; frictionless writes ^pattern$,
    which splits a top-level alternation (^a|b$: starts with a, or ends with b). Group it: (a|b)."""
    assert top_level_alternation("a|b") and not top_level_alternation("(a|b)") and not top_level_alternation("[|]")
    loose = [(r["name"], f["name"]) for r in PACKAGE["resources"] for f in r.get("schema", {}).get("fields", [])
             if top_level_alternation(f.get("constraints", {}).get("pattern", ""))]
    assert loose == []
