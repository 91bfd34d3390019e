"""Every table in data/ carries its provenance and loads from any working directory."""

import os

import pandas as pd
import pytest

from token_economy import data

TABLES = data.table_names()


def test_there_are_tables():
    assert "articles" in TABLES and "price_examples" in TABLES


@pytest.mark.parametrize("name", TABLES)
def test_every_table_has_source_and_as_of_on_every_row(name):
    df = pd.read_csv(data.path(name))
    assert data.provenance_problems(df) == []
    assert len(df) > 0
    assert all(c == c.strip().lower() and " " not in c for c in df.columns), "snake_case column names"


@pytest.mark.parametrize("name", TABLES)
def test_load_works_from_another_directory(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    df = data.load(name)
    assert df.attrs["sources"] and df.attrs["table"] == name


def test_load_refuses_a_table_without_provenance(tmp_path, monkeypatch):
    (tmp_path / "bad.csv").write_text("x,source\n1,somewhere\n")
    monkeypatch.setenv("TOKEN_ECONOMY_DATA", str(tmp_path))
    with pytest.raises(ValueError, match="missing column as_of"):
        data.load("bad")


def test_unknown_table_lists_the_known_ones():
    with pytest.raises(ValueError, match="articles"):
        data.load("no_such_table")


def test_load_returns_a_copy():
    a = data.load("articles")
    a.loc[0, "title"] = "changed"
    assert data.load("articles").loc[0, "title"] != "changed"


def test_cite_unknown_article():
    with pytest.raises(ValueError, match="no article"):
        data.cite("nope")


def test_no_stray_files_in_data():
    allowed = {".csv", ".md", ".py", ".gz", ".txt", ".json"}
    stray = [p.name for p in data.data_dir().rglob("*") if p.is_file() and p.suffix not in allowed]
    assert stray == [] or os.environ.get("TOKEN_ECONOMY_DATA")
