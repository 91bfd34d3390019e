"""Load the collection's tables (``data/*.csv``) with their provenance.

Paths are resolved from the package, never from the working directory, so a
notebook opened from any folder finds the same files::

    >>> from token_economy import data
    >>> df = data.load("price_examples")
    >>> {"source", "as_of"} <= set(df.columns)
    True

Every table must carry a ``source`` column (a URL or a document title) and an
``as_of`` column (an ISO date, ``YYYY-MM-DD``, or a month, ``YYYY-MM``) on every
row; :func:`load` refuses a table that lacks them. The set of sources of a table is
kept in ``df.attrs["sources"]`` so a notebook can list them under a figure.

What it leaves out: no downloading or refreshing; the refresh scripts that
rebuild snapshot tables live next to the data (``data/refresh_*.py``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

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


@lru_cache(maxsize=None)
def _read(p: Path, mtime: float) -> pd.DataFrame:
    return pd.read_csv(p, comment=None, keep_default_na=True)


def load(name: str) -> pd.DataFrame:
    """Read table ``name`` as a DataFrame (a fresh copy each call), checking provenance.

    Raises ``ValueError`` when the table is missing a ``source`` or ``as_of``
    column or has an empty value in either.
    """
    p = path(name)
    df = _read(p, p.stat().st_mtime).copy()
    problems = provenance_problems(df)
    if problems:
        raise ValueError(f"table {p.name}: " + "; ".join(problems))
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
    """A one-line citation of a seed article from ``data/articles.csv``.

    >>> cite("not_lucrative")
    '"Token Is Not a Lucrative Business", republished article (original outlet not named), 2026-05-22'
    """
    df = load("articles").set_index("key")
    if key not in df.index:
        raise ValueError(f"no article {key!r}; known: {', '.join(df.index)}")
    r = df.loc[key]
    by = "" if r["author"] == "not named" else f"{r['author']}, "
    return f'{by}"{r["title"]}", {r["outlet"]}, {r["date"]}'
