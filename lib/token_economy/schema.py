r"""Check a CSV table against its Table Schema: the Frictionless rules, with messages for people.

:mod:`token_economy.data` describes every table in ``data/datapackage.json`` (a
Frictionless Data Package, v2); this module applies one table's description to the
text of its CSV file and says what does not match, located as a person editing the
file finds it (the header is line 1; a quoted cell may span lines)::

    >>> res = {"schema": {"fields": [
    ...     {"name": "gpu_id", "type": "string", "constraints": {"required": True}},
    ...     {"name": "hbm_tb_s", "type": "number", "constraints": {"exclusiveMinimum": 0}}],
    ...     "primaryKey": ["gpu_id"]}}
    >>> for p in table_problems("gpus.csv", res, 'gpu_id,hbm_tb_s\nH100,"3,35"\nH100,0\n'):
    ...     print(p)
    gpus.csv, line 2, column hbm_tb_s: '3,35' is not a number (write 3.35, with a point)
    gpus.csv, line 3, column hbm_tb_s: must be greater than 0, got 0
    gpus.csv, line 3, column gpu_id: 'H100' appears twice (also on line 2); each row needs its own gpu_id

What it checks, as the Table Schema specifies: the header against the described
columns (same names, same order); per cell the type (``string``, ``number``,
``integer``, ``boolean``, ``date``) and the constraints ``required``, ``minimum``,
``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``, ``enum``, ``pattern``,
``minLength``, ``maxLength``, ``unique``; the primary key; empty cells as missing
(``missingValues``, default ``[""]``). ``tests/test_datapackage.py`` proves that the
``frictionless`` library refuses the same mistakes on the same lines and columns.
One deliberate difference: a number cell reading ``nan`` or ``inf`` is refused here.

What it leaves out: foreign keys, other field types and formats, and dialects other
than plain UTF-8 CSV with commas; the collection's tables use none of them.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

#: The file that describes the tables (a Data Package), in the data folder.
DESCRIPTOR = "datapackage.json"
#: Frictionless defaults (Table Schema): what a boolean cell may read.
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
#: How many problems a DataError lists before it says "and N more".
SHOWN_PROBLEMS = 8


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


def display_path(p: Path | str) -> str:
    """How a message names a data file: ``data/gpus.csv`` in the source tree, the full path elsewhere.

    A str is taken as the name to show, as it is.
    """
    if isinstance(p, str):
        return p
    here = Path(__file__).resolve().parents[1].parent / "data"
    try:
        return f"data/{Path(p).resolve().relative_to(here.resolve()).as_posix()}"
    except ValueError:
        return str(p)


# --------------------------------------------------------------------------- cells and tables
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


def table_problems(p: Path | str, res: dict, text: str | None = None) -> list[Problem]:
    """Everything in table file ``p`` (or in ``text``, its content) that does not match resource ``res``.

    Empty when the table is good. ``res`` is a Data Package resource with a ``schema``.
    """
    file = display_path(p)
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


def frame(text: str, res: dict) -> pd.DataFrame:
    """The (checked) CSV text as a DataFrame with the described types.

    Integer columns are ``int64``, or ``Int64`` (with ``<NA>``) where a value may be
    missing; strings and dates are text (ISO dates sort correctly as text); booleans
    are ``bool``; numbers as pandas reads them.
    """
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


def draft_resource(p: Path) -> dict:
    """A first description of the table in file ``p`` to paste into ``data/datapackage.json`` and complete.

    Types are guessed from the values (integer, number, boolean, date, string); columns
    without an empty cell are marked required; the first column is proposed as the key.
    Units, ranges, licence and sources are left for a person to fill in.
    """
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
