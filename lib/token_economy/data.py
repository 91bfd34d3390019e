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
unchecked. The checks are the collection's own (:mod:`token_economy.schema`),
driven by the descriptor; they follow the Frictionless Table Schema rules
(``tests/test_datapackage.py`` proves that the ``frictionless`` library refuses the
same mistakes) without importing ``frictionless`` (0.3 s) on every notebook start.

Every row also carries a ``source`` (a URL or a document title) and an ``as_of``
date (``YYYY-MM-DD`` or ``YYYY-MM``). The set of sources of a table is kept in
``df.attrs["sources"]`` so a notebook can list them under a figure.

Types in the DataFrame follow the description: integer columns are integers
(``Int64``, with ``<NA>``, where a value may be missing), strings and dates are text.

To describe a new table: ``python data/tables.py draft NAME`` prints a
draft resource to paste into ``data/datapackage.json`` and complete (units,
ranges, licence, sources); ``python data/tables.py check`` checks every
table.

What it leaves out: no downloading or refreshing; the refresh scripts that
rebuild snapshot tables live next to the data (``data/refresh_*.py``).
"""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import schema
from .schema import DESCRIPTOR, DataError, Problem, display_path, table_problems  # noqa: F401 - also data's

REQUIRED_COLUMNS = ("source", "as_of")


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


# --------------------------------------------------------------------------- the descriptor
@lru_cache(maxsize=4)
def _read_descriptor(p: Path, mtime: float) -> dict:
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError([Problem(display_path(p), f"cannot read the table descriptions: {exc}")]) from None


def descriptor() -> dict:
    """The Data Package descriptor, ``data/datapackage.json``, as a dict (cached per version of the file)."""
    p = data_dir() / DESCRIPTOR
    if not p.is_file():
        raise DataError([Problem(display_path(p), "missing: every table must be described in it")])
    return _read_descriptor(p, p.stat().st_mtime)


def resource(name: str) -> dict:
    """The description of table ``name`` in ``data/datapackage.json`` (a Data Package resource)."""
    p = path(name)
    for r in descriptor().get("resources", []):
        if r.get("path") == p.name and "schema" in r:
            return r
    raise DataError([Problem(display_path(p), f"this table is not described in {DESCRIPTOR}: add a resource for "
                                            f"it (python data/tables.py draft {p.stem} prints a draft)")])


@lru_cache(maxsize=None)
def _read(p: Path, mtime: float, descriptor_mtime: float) -> pd.DataFrame:
    res = resource(p.stem)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError([Problem(display_path(p), f"is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV")]) \
            from None
    problems = table_problems(p, res, text)
    if problems:
        raise DataError(problems)
    df = schema.frame(text, res)
    problems = provenance_problems(df)
    if problems:  # the description itself forgot to require source or as_of
        raise DataError([Problem(display_path(p), problem) for problem in problems])
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

    Types are guessed from the values; see :func:`token_economy.schema.draft_resource`.
    """
    return schema.draft_resource(path(name))


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
