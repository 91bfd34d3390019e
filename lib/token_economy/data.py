"""Load the collection's tables (``data/*.csv``), checked against their description.

Paths are resolved from the package, never from the working directory, so a
notebook opened from any folder finds the same files::

    >>> from token_economy import data
    >>> df = data.load("price_examples")
    >>> {"source", "as_of"} <= set(df.columns)
    True

**Every table is described** in ``data/datapackage.json``, a Frictionless Data
Package (v2): each column's type, unit, allowed range, whether it may be empty,
the table's unique key, its licence and its sources. :func:`load` checks the file
against that description the first time it reads it (and again whenever the file
changes) and refuses a bad table with a :class:`DataError` that says where, as a
person editing the file sees it::

    data/gpus.csv, line 3, column hbm_tb_s: '3,35' is not a number (write 3.35, with a point)

Line numbers are the editor's (the header is line 1). A table that the
descriptor does not describe is refused too, so a new table cannot slip in
unchecked. The checks are this module's own, driven by the descriptor; they
follow the Frictionless Table Schema rules (``tests/test_datapackage.py`` proves
that the ``frictionless`` library refuses the same mistakes), without importing
``frictionless`` on every notebook start. One deliberate difference: a number
cell reading ``nan`` or ``inf`` is refused here.

Every row also carries a ``source`` (a URL or a document title) and an ``as_of``
date (``YYYY-MM-DD`` or ``YYYY-MM``). The set of sources of a table is kept in
``df.attrs["sources"]`` so a notebook can list them under a figure.

Types in the DataFrame: integer columns are integers (``Int64``, with ``<NA>``,
when the column may be empty), number columns as pandas reads them, strings and
dates as text (ISO dates sort correctly as text).

To describe a new table: ``python data/tables.py draft NAME`` prints a
draft resource to paste into ``data/datapackage.json`` and complete (units,
ranges, licence, sources); ``python data/tables.py check`` checks every
table.

What it leaves out: no downloading or refreshing; the refresh scripts that
rebuild snapshot tables live next to the data (``data/refresh_*.py``).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd

REQUIRED_COLUMNS = ("source", "as_of")
DESCRIPTOR = "datapackage.json"
#: Frictionless defaults (Table Schema): what a boolean cell may read.
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
#: How many problems a DataError lists before it says "and N more".
SHOWN_PROBLEMS = 8


def data_dir() -> Path:
    """The folder holding the tables.

    Order: ``TOKEN_ECONOMY_DATA`` if set; ``data/`` of the source tree (editable
    install); ``token_economy/_data`` inside an installed wheel.
    """
    override = os.environ.get("TOKEN_ECONOMY_DATA")
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent
    for candidate in (here.parents[1] / "data", here / "_data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "token_economy cannot find its data folder; set TOKEN_ECONOMY_DATA to the repository's data/"
    )


def table_names() -> list[str]:
    """Names of all tables, without the ``.csv``: ``['gpus', 'models', ...]``."""
    return sorted(p.stem for p in data_dir().glob("*.csv"))


def path(name: str) -> Path:
    """Path of table ``name`` (with or without ``.csv``)."""
    if not isinstance(name, str):
        raise ValueError(f"name must be a table name (a str), got {type(name).__name__}")
    stem = name[:-4] if name.endswith(".csv") else name
    p = data_dir() / f"{stem}.csv"
    if (not stem or len(stem) > 100 or any(c in stem for c in "/\\\0") or stem.startswith(".")
            or not p.is_file()):  # len: a file name over 255 bytes is an OSError, not a missing table
        raise ValueError(f"no table named {name!r}; the tables are: {', '.join(table_names())}")
    return p


# --------------------------------------------------------------------------- problems
@dataclass(frozen=True)
class Problem:
    """One thing wrong with a table, located as a person editing the file finds it."""

    file: str
    message: str
    line: int | None = None  # 1 = the header
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column{'s' if ', ' in self.column else ''} {self.column}")
        return f"{', '.join(where)}: {self.message}"


class DataError(ValueError):
    """A table that does not match its description; ``problems`` lists every :class:`Problem` found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [str(p) for p in self.problems[:SHOWN_PROBLEMS]]
        if len(self.problems) > SHOWN_PROBLEMS:
            lines.append(f"... and {len(self.problems) - SHOWN_PROBLEMS} more problems")
        super().__init__("\n".join(lines))


def _shown(p: Path) -> str:
    """How a message names a data file: ``data/gpus.csv`` in the source tree, the full path elsewhere."""
    here = Path(__file__).resolve().parents[1].parent / "data"
    try:
        return f"data/{Path(p).resolve().relative_to(here.resolve()).as_posix()}"
    except ValueError:
        return str(p)


# --------------------------------------------------------------------------- the descriptor
@lru_cache(maxsize=4)
def _read_descriptor(p: Path, mtime: float) -> dict:
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError([Problem(_shown(p), f"cannot read the table descriptions: {exc}")]) from None


def descriptor() -> dict:
    """The Data Package descriptor, ``data/datapackage.json``, as a dict (cached per version of the file)."""
    p = data_dir() / DESCRIPTOR
    if not p.is_file():
        raise DataError([Problem(_shown(p), "missing: every table must be described in it")])
    return _read_descriptor(p, p.stat().st_mtime)


def resource(name: str) -> dict:
    """The description of table ``name`` in ``data/datapackage.json`` (a Data Package resource)."""
    p = path(name)
    for r in descriptor().get("resources", []):
        if r.get("path") == p.name and "schema" in r:
            return r
    raise DataError([Problem(_shown(p), f"this table is not described in {DESCRIPTOR}: add a resource for "
                                            f"it (python data/tables.py draft {p.stem} prints a draft)")])


# --------------------------------------------------------------------------- reading one cell
def _number(text: str):
    try:
        x = float(text.strip())
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _integer(text: str):
    try:
        return int(text.strip())
    except ValueError:
        return None


def _date(text: str):
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None


def _cell_problem(field: dict, text: str) -> tuple[object, str | None]:
    """``(value, None)`` for a good non-empty cell, ``(None, what is wrong)`` otherwise."""
    kind = field.get("type", "string")
    if kind == "number":
        value = _number(text)
        if value is None:
            hint = f" (write {text.replace(',', '.')}, with a point)" if re.fullmatch(r"\s*-?\d+,\d+\s*", text) else ""
            return None, f"{text!r} is not a number{hint}"
    elif kind == "integer":
        value = _integer(text)
        if value is None:
            return None, f"{text!r} is not a whole number"
    elif kind == "boolean":
        true = field.get("trueValues", TRUE_VALUES)
        false = field.get("falseValues", FALSE_VALUES)
        if text in true:
            value = True
        elif text in false:
            value = False
        else:
            return None, f"{text!r} is not one of {', '.join(map(repr, [*true, *false]))}"
    elif kind == "date":
        value = _date(text)
        if value is None:
            return None, f"{text!r} is not a date (YYYY-MM-DD)"
    elif kind == "string":
        value = text
    else:
        return None, f"the description gives an unknown type {kind!r}"
    c = field.get("constraints", {})
    shown = repr(text)
    if "enum" in c and value not in c["enum"]:
        return None, f"{shown} is not one of the allowed values: {', '.join(map(str, c['enum']))}"
    if "pattern" in c and not re.fullmatch(c["pattern"], text):
        return None, f"{shown} does not have the expected form (pattern {c['pattern']})"
    if "minLength" in c and len(text) < c["minLength"]:
        return None, f"{shown} is shorter than {c['minLength']} characters"
    if "maxLength" in c and len(text) > c["maxLength"]:
        return None, f"{shown} is longer than {c['maxLength']} characters"
    if kind in ("number", "integer"):
        if "minimum" in c and value < c["minimum"]:
            return None, f"must be at least {c['minimum']}, got {text.strip()}"
        if "exclusiveMinimum" in c and value <= c["exclusiveMinimum"]:
            return None, f"must be greater than {c['exclusiveMinimum']}, got {text.strip()}"
        if "maximum" in c and value > c["maximum"]:
            return None, f"must be at most {c['maximum']}, got {text.strip()}"
        if "exclusiveMaximum" in c and value >= c["exclusiveMaximum"]:
            return None, f"must be less than {c['exclusiveMaximum']}, got {text.strip()}"
    return value, None


# --------------------------------------------------------------------------- checking a table
def _records(text: str):
    """``(first line of the record, cells)`` for every record of a CSV text (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


def _split_decimal_comma(cells: list[str], fields: list[dict]) -> list[tuple[str, str]]:
    """Where an unquoted decimal comma (``3,35``) may have split a row into one cell too many.

    ``[(column, "3,35"), ...]``: each place where joining two neighbouring cells with a comma
    gives a decimal number and leaves a row that matches its description.
    """
    found = []
    for k, field in enumerate(fields):
        if field.get("type") in ("number", "integer") and k + 1 < len(cells):
            joined = f"{cells[k]},{cells[k + 1]}"
            if re.fullmatch(r"\s*-?\d+,\d+\s*", joined):
                row = cells[:k] + [joined.replace(",", ".")] + cells[k + 2:]
                if all(c == "" or _cell_problem(f, c)[1] is None for f, c in zip(fields, row)):
                    found.append((field["name"], joined))
    return found


def table_problems(p: Path, res: dict, text: str | None = None) -> list[Problem]:
    """Everything in table file ``p`` that does not match resource ``res`` (empty when the table is good)."""
    file = _shown(p)
    if text is None:
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            return [Problem(file, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV")]
    text = text.removeprefix("\ufeff")
    schema = res.get("schema", {})
    fields = schema.get("fields", [])
    names = [f["name"] for f in fields]
    missing_values = set(schema.get("missingValues", [""]))
    try:
        return _problems(file, text, fields, names, missing_values, schema)
    except csv.Error as exc:  # e.g. a quote never closed, so one cell swallows the rest of the file
        return [Problem(file, f"is not a readable CSV file ({exc}); look for a quote that is never closed")]


def _problems(file: str, text: str, fields: list[dict], names: list[str], missing_values: set,
              schema: dict) -> list[Problem]:
    problems: list[Problem] = []
    records = _records(text)
    try:
        _, header = next(records)
    except StopIteration:
        return [Problem(file, "is empty: the first line must name the columns")]
    if header != names:
        extra = [h for h in header if h not in names]
        absent = [n for n in names if n not in header]
        parts = []
        if absent:
            parts.append(f"missing column{'s' * (len(absent) > 1)} {', '.join(absent)}")
        if extra:
            parts.append(f"column{'s' * (len(extra) > 1)} {', '.join(extra)} not described in {DESCRIPTOR}")
        if not parts:
            parts.append(f"the columns are in another order than in {DESCRIPTOR}: {', '.join(names)}")
        return [Problem(file, "; ".join(parts), line=1)]
    keys: dict[tuple, dict] = {}
    key_sets = [tuple(schema["primaryKey"])] if schema.get("primaryKey") else []
    key_sets += [(f["name"],) for f in fields if f.get("constraints", {}).get("unique")]
    for line, cells in records:
        if not cells or all(c == "" for c in cells):
            problems.append(Problem(file, "an empty row: delete it", line=line))
            continue
        if len(cells) != len(names):
            split = _split_decimal_comma(cells, fields) if len(cells) == len(names) + 1 else []
            if len(split) == 1:
                column, joined = split[0]
                problems.append(Problem(file, f"{joined!r} is not a number (write {joined.replace(',', '.')}, with "
                                              "a point): the comma split the row into one value too many",
                                        line=line, column=column))
            elif split:
                where = " or ".join(f"{joined!r} in column {column}" for column, joined in split)
                problems.append(Problem(file, f"{len(cells)} values, but the header names {len(names)} columns: "
                                              f"a decimal comma, {where}? Write numbers with a point (3.35)",
                                        line=line))
            elif any("\n" in c for c in cells):
                problems.append(Problem(file, 'a quote (") opened on this line is never closed, so the lines after '
                                              "it are read as one value", line=line))
            else:
                problems.append(Problem(file, f"{len(cells)} values, but the header names {len(names)} columns "
                                              "(a comma inside a value needs quotes)", line=line))
            continue
        for field, cell in zip(fields, cells):
            if cell in missing_values:
                if field.get("constraints", {}).get("required"):
                    problems.append(Problem(file, "is empty, but a value is required", line=line,
                                            column=field["name"]))
                continue
            _, wrong = _cell_problem(field, cell)
            if wrong:
                problems.append(Problem(file, wrong, line=line, column=field["name"]))
        row = dict(zip(names, cells))
        for key in key_sets:
            values = tuple(row[k] for k in key)
            if any(v in missing_values for v in values):
                continue
            seen = keys.setdefault(key, {})
            if values in seen:
                shown = repr(values[0]) if len(key) == 1 else repr(values)
                problems.append(Problem(file, f"{shown} appears twice (also on line {seen[values]}); each row "
                                              f"needs its own {', '.join(key)}", line=line, column=", ".join(key)))
            else:
                seen[values] = line
    return problems


def _frame(text: str, res: dict) -> pd.DataFrame:
    """The checked CSV text as a DataFrame with the described types."""
    fields = res["schema"]["fields"]
    dtype, true_values, false_values = {}, set(), set()
    for f in fields:
        kind = f.get("type", "string")
        if kind in ("string", "date"):
            dtype[f["name"]] = "str"
        elif kind == "integer":
            dtype[f["name"]] = "int64" if f.get("constraints", {}).get("required") else "Int64"
        elif kind == "boolean":
            dtype[f["name"]] = "bool"
            true_values.update(f.get("trueValues", TRUE_VALUES))
            false_values.update(f.get("falseValues", FALSE_VALUES))
    missing = res["schema"].get("missingValues", [""])
    return pd.read_csv(io.StringIO(text.removeprefix("\ufeff")), dtype=dtype, keep_default_na=False,
                       na_values=missing, true_values=sorted(true_values) or None,
                       false_values=sorted(false_values) or None)


@lru_cache(maxsize=None)
def _read(p: Path, mtime: float, descriptor_mtime: float) -> pd.DataFrame:
    res = resource(p.stem)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError([Problem(_shown(p), f"is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV")]) \
            from None
    problems = table_problems(p, res, text)
    if problems:
        raise DataError(problems)
    df = _frame(text, res)
    problems = provenance_problems(df)
    if problems:  # the description itself forgot to require source or as_of
        raise DataError([Problem(_shown(p), problem) for problem in problems])
    return df


def load(name: str) -> pd.DataFrame:
    """Read table ``name`` as a DataFrame (a fresh copy each call), checked against its description.

    Raises :class:`DataError` (a ``ValueError``) naming the file, line and column of every
    problem, when the table is not described in ``data/datapackage.json`` or does not match
    its description (a value of the wrong type or out of range, a missing required value, a
    duplicate key, a missing ``source`` or ``as_of``).
    """
    p = path(name)
    d = data_dir() / DESCRIPTOR
    df = _read(p, p.stat().st_mtime, d.stat().st_mtime if d.is_file() else 0.0).copy()
    df.attrs["table"] = p.stem
    df.attrs["sources"] = sorted(set(df["source"]))
    df.attrs["as_of"] = sorted(set(df["as_of"].astype(str)))
    return df


def provenance_problems(df: pd.DataFrame) -> list[str]:
    """What is wrong with a table's provenance columns, as sentences (empty when fine).

    >>> provenance_problems(pd.DataFrame({"x": [1], "source": ["a"], "as_of": ["2025-01-01"]}))
    []
    >>> provenance_problems(pd.DataFrame({"x": [1]}))
    ['missing column source', 'missing column as_of']
    """
    problems = [f"missing column {c}" for c in REQUIRED_COLUMNS if c not in df.columns]
    for c in REQUIRED_COLUMNS:
        if c in df.columns:
            empty = df[c].isna() | (df[c].astype(str).str.strip() == "")
            if empty.any():
                problems.append(f"empty {c} in rows {list(df.index[empty][:5])}")
    if "as_of" in df.columns and not problems:
        bad = ~df["as_of"].astype(str).str.fullmatch(r"\d{4}-\d{2}(-\d{2})?")
        if bad.any():
            problems.append(f"as_of is not YYYY-MM-DD or YYYY-MM in rows {list(df.index[bad][:5])}")
    return problems


def check_all() -> list[Problem]:
    """Problems of every table in ``data/`` (empty when all match their descriptions)."""
    problems = []
    for name in table_names():
        try:
            load(name)
        except DataError as exc:
            problems.extend(exc.problems)
    return problems


def draft_resource(name: str) -> dict:
    """A first description of table ``name`` to paste into ``data/datapackage.json`` and complete.

    Types are guessed from the values (integer, number, boolean, date, string); columns
    without an empty cell are marked required; the first column is proposed as the key.
    Units, ranges, licence and sources are left for a person to fill in.
    """
    p = path(name)
    text = p.read_text(encoding="utf-8").removeprefix("\ufeff")
    rows = [cells for _, cells in _records(text)]
    header, body = rows[0], rows[1:]
    fields = []
    for k, column in enumerate(header):
        values = [r[k] for r in body if k < len(r) and r[k] != ""]
        kind = "string"
        for candidate, test in (("integer", _integer), ("number", _number), ("date", _date)):
            if values and all(test(v) is not None for v in values):
                kind = candidate
                break
        if values and all(v in TRUE_VALUES + FALSE_VALUES for v in values) and kind != "integer":
            kind = "boolean"
        field = {"name": column, "type": kind, "description": "TODO: what it is", "unit": "TODO (numbers only)"}
        if kind not in ("integer", "number"):
            del field["unit"]
        if len(values) == len(body):
            field["constraints"] = {"required": True}
        fields.append(field)
    return {"name": p.stem, "type": "table", "path": p.name, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "title": "TODO", "description": "TODO",
            "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                          "title": "TODO: the table's licence"}],
            "sources": [{"title": "TODO: where the rows come from"}],
            "schema": {"fields": fields, "primaryKey": header[:1], "missingValues": [""]}}


def sources_markdown(*names: str) -> str:
    """A Markdown list of the sources behind the given tables, for a notebook's Sources section."""
    lines = []
    for name in names:
        df = load(name)
        dates = ", ".join(df.attrs["as_of"])
        lines.append(f"- **data/{df.attrs['table']}.csv** (as of {dates}):")
        lines.extend(f"  - {s}" for s in df.attrs["sources"])
    return "\n".join(lines)


def cite(key: str) -> str:
    """A one-line citation of a seed article from ``data/articles.csv``: author, title, outlet, date, URL.

    >>> cite("not_lucrative")
    '"Token Is Not a Lucrative Business", AsiaICT (asiaict.com; English republication, original outlet not named), 2026-05-22, http://www.asiaict.com/ai/16085.html'
    """
    df = load("articles").set_index("key")
    if key not in df.index:
        raise ValueError(f"no article {key!r}; known: {', '.join(df.index)}")
    r = df.loc[key]
    by = "" if r["author"] == "not named" else f"{r['author']}, "
    url = f", {r['url']}" if str(r["url"]).startswith(("http://", "https://")) else ""
    return f'{by}"{r["title"]}", {r["outlet"]}, {r["date"]}{url}'


def _main(argv: list[str] | None = None) -> int:
    """``python data/tables.py check`` | ``draft NAME``."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["check"] and len(args) == 1:
        problems = check_all()
        for problem in problems:
            print(problem)
        print(f"{len(table_names())} tables checked, {len(problems)} problems")
        return 1 if problems else 0
    if args[:1] == ["draft"] and len(args) == 2:
        print(json.dumps(draft_resource(args[1]), indent=2, ensure_ascii=False))
        return 0
    print("usage: python -m token_economy.data check | draft NAME", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main())
