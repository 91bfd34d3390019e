"""Every table is described in data/datapackage.json, matches its description, and carries its provenance.

A table or a column without a description fails here by name; so does a table that breaks
its description. The mutations are the mistakes a teacher makes when editing a CSV by hand
(issue 15): a decimal comma, a negative or zero bandwidth, a negative price, a duplicate id,
a fractional count, an empty required cell; and, for every other constraint a description
sets, a value that breaks it (below a minimum, above a maximum, not an allowed value, of the
wrong form, repeated in a unique column, "yes" for True, an impossible date). Each must be
refused with a message that names the file, the line an editor shows (header = line 1) and
the column.
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from token_economy import data

from conftest import ROOT

TABLES = data.table_names()
PACKAGE = data.descriptor()
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}
TABULAR = {r["path"][:-4]: r for r in PACKAGE["resources"] if r.get("type") == "table"}
#: Files in data/ that are not data: the descriptor, scripts (code, MIT) and read-me notes.
NOT_DATA = {"datapackage.json"}
NOT_DATA_SUFFIXES = {".py", ".md"}


# --- every table is described -------------------------------------------------------------------
def test_there_are_tables():
    assert "articles" in TABLES and "price_examples" in TABLES


def test_every_table_is_described_and_every_description_has_its_table():
    assert sorted(TABULAR) == TABLES, (
        f"tables without a description in data/datapackage.json: {sorted(set(TABLES) - set(TABULAR))}; "
        f"descriptions without a table: {sorted(set(TABULAR) - set(TABLES))} "
        "(python data/tables.py draft NAME prints a draft to complete)")


def test_every_file_in_data_is_a_described_resource():
    described = {r["path"] for r in PACKAGE["resources"]}
    undescribed = [p.relative_to(data.data_dir()).as_posix() for p in data.data_dir().rglob("*")
                   if p.is_file() and p.name not in NOT_DATA and p.suffix not in NOT_DATA_SUFFIXES
                   and "__pycache__" not in p.parts and p.relative_to(data.data_dir()).as_posix() not in described]
    assert undescribed == [], f"files in data/ without a resource (and licence) in data/datapackage.json: {undescribed}"
    assert all((data.data_dir() / path).is_file() for path in described)


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_every_resource_has_title_description_licence_and_sources(name):
    r = RESOURCES[name]
    assert r.get("title") and r.get("description"), f"{name}: title and description"
    assert r.get("licenses") and all(x.get("name") or x.get("path") for x in r["licenses"]), f"{name}: licence"
    assert r.get("sources") and all(x.get("title") for x in r["sources"]), f"{name}: sources"


@pytest.mark.parametrize("name", TABLES)
def test_every_column_is_described_with_a_type_a_description_and_a_unit_for_numbers(name):
    r = TABULAR[name]
    with open(data.path(name), encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    fields = r["schema"]["fields"]
    assert [f["name"] for f in fields] == header, f"{name}: described columns differ from the file's header"
    for f in fields:
        assert f.get("type") in {"string", "number", "integer", "boolean", "date"}, f"{name}.{f['name']}: type"
        assert len(f.get("description", "")) >= 10, f"{name}.{f['name']}: no description"
        if f["type"] in ("number", "integer"):
            assert f.get("unit"), f"{name}.{f['name']}: a number needs a unit (the field property 'unit')"
    assert r["schema"].get("primaryKey"), f"{name}: which columns identify a row?"
    assert all(c in header for c in r["schema"]["primaryKey"])


@pytest.mark.parametrize("name", TABLES)
def test_every_table_requires_source_and_as_of(name):
    fields = {f["name"]: f for f in TABULAR[name]["schema"]["fields"]}
    for column in ("source", "as_of"):
        assert fields[column]["constraints"]["required"] is True
        assert fields[column]["constraints"]["pattern"]
    df = pd.read_csv(data.path(name))
    assert data.provenance_problems(df) == []
    assert len(df) > 0
    assert all(c == c.strip().lower() and " " not in c for c in df.columns), "snake_case column names"


@pytest.mark.parametrize("name", TABLES)
def test_every_table_matches_its_description(name):
    assert data.table_problems(data.path(name), TABULAR[name]) == []


# --- load --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", TABLES)
def test_load_works_from_another_directory(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    df = data.load(name)
    assert df.attrs["sources"] and df.attrs["table"] == name


def test_load_gives_the_described_types():
    models = data.load("models")
    assert str(models["n_layers"].dtype) == "int64"
    assert str(models["n_kv_heads"].dtype) == "Int64" and models["n_kv_heads"].isna().any()  # may be empty
    gpus = data.load("gpus")
    assert gpus["purchase_price_is_estimate"].dtype == bool
    assert data.load("corpora")["package_version"].iloc[0] == "0.6"  # a version is text, not the number 0.6


def test_load_refuses_a_table_that_is_not_described(data_copy):
    (data_copy / "extra.csv").write_text("x,source,as_of\n1,somewhere,2026-01\n")
    with pytest.raises(data.DataError, match=r"extra\.csv: this table is not described in datapackage\.json"):
        data.load("extra")


def test_load_refuses_a_description_without_provenance(data_copy):
    package = json.loads((data_copy / "datapackage.json").read_text())
    gpus = next(r for r in package["resources"] if r["name"] == "gpus")
    gpus["schema"]["fields"] = [f for f in gpus["schema"]["fields"] if f["name"] != "as_of"]
    (data_copy / "gpus.csv").write_text("\n".join(line.rsplit(",", 1)[0]
                                                   for line in (data_copy / "gpus.csv").read_text().splitlines()))
    (data_copy / "datapackage.json").write_text(json.dumps(package))
    with pytest.raises(data.DataError, match="missing column as_of"):
        data.load("gpus")


def test_unknown_table_lists_the_known_ones():
    with pytest.raises(ValueError, match="articles"):
        data.load("no_such_table")


def test_load_returns_a_copy():
    a = data.load("articles")
    a.loc[0, "title"] = "changed"
    assert data.load("articles").loc[0, "title"] != "changed"


def test_a_fixed_table_loads_again(data_copy):
    good = (data_copy / "gpus.csv").read_text()
    (data_copy / "gpus.csv").write_text(good.replace(",3.35,", ",-3.35,", 1))
    with pytest.raises(data.DataError):
        data.load("gpus")
    (data_copy / "gpus.csv").write_text(good)
    os.utime(data_copy / "gpus.csv", (1, 1))  # a new mtime even on a coarse clock
    assert len(data.load("gpus")) > 0


# --- what a column's description cannot say on its own ---------------------------------------------
def field(table: str, column: str) -> dict:
    return next(f for f in TABULAR[table]["schema"]["fields"] if f["name"] == column)


#: (table, low column, value column or None, high column): a range and the value it should hold.
RANGES = [("tco_inputs", "low", "value", "high"), ("fleet_utilization", "low", None, "high"),
          ("sensitivity_ranges", "low", None, "high"),
          ("gpus", "usd_purchase_low", "usd_purchase", "usd_purchase_high"),
          ("data_stock", "low", "value", "high"), ("doubao_pricing", "price", None, "price_high")]


@pytest.mark.parametrize("table, low, value, high", RANGES)
def test_every_range_is_ordered_and_holds_its_value(table, low, value, high):
    df = data.load(table)
    both = df[df[low].notna() & df[high].notna()]
    assert len(both) > 0
    assert (both[low] <= both[high]).all(), both[both[low] > both[high]]
    if value:
        inside = (both[low] <= both[value]) & (both[value] <= both[high])
        assert inside.all(), both[~inside]


def test_each_currency_has_one_default_rate():
    fx = data.load("fx_rates")
    defaults = fx[fx["role"] == "default"].groupby("currency").size()
    assert set(defaults.index) == set(fx["currency"]) and (defaults == 1).all(), defaults


def test_allowed_values_are_the_ones_the_code_knows():
    from token_economy import factory, profit, tokens

    shipped = set(tokens.shipped_encodings())
    assert set(field("flores200_token_counts", "encoding")["constraints"]["enum"]) == shipped
    assert set(field("vocabulary_layers", "encoding")["constraints"]["enum"]) == shipped
    assert set(field("sensitivity_ranges", "verdict")["constraints"]["enum"]) == {*profit.VERDICT_INPUTS,
                                                                                  "capstone_year"}
    from_the_table = set(factory.TCO_INPUTS) - {"gpu_price_usd", "rest_of_server_usd_per_gpu"}  # gpus.csv; derived
    assert set(field("tco_inputs", "parameter")["constraints"]["enum"]) == from_the_table | {"gpus_per_server",
                                                                                              "server_price_usd"}


def test_language_codes_are_bcp47_tags_as_the_notebooks_use_them():
    for table in ("flores200_languages", "flores200_token_counts", "petrov2023_premiums", "parallel_corpus"):
        pattern = field(table, "language_code")["constraints"]["pattern"]
        assert all(re.fullmatch(pattern, code) for code in ("en", "shn", "zh-Hant", "sr-Latn-RS", "es-419"))
        assert not any(re.fullmatch(pattern, code) for code in ("zh_Hant", "EN", "zh-hant", "english"))
    measured = set(data.load("flores200_languages")["language_code"])
    assert set(data.load("petrov2023_premiums")["language_code"]) <= measured


def test_every_file_that_is_not_a_table_carries_the_hash_of_its_bytes():
    """Vocabularies and texts carry the sha256 of their bytes; frictionless checks them too (test_datapackage)."""
    import hashlib

    for r in PACKAGE["resources"]:
        if r.get("type") != "table":
            digest = hashlib.sha256((data.data_dir() / r["path"]).read_bytes()).hexdigest()
            assert r["hash"] == f"sha256:{digest}", f"{r['path']}: the file changed; update its hash (and its source)"


# --- the articles -------------------------------------------------------------------------------
def test_cite_unknown_article():
    with pytest.raises(ValueError, match="no article"):
        data.cite("nope")


def test_articles_are_cited_by_outlet_title_date_and_url_never_a_local_copy():
    articles = data.load("articles")
    for _, a in articles.iterrows():
        assert a["url"].startswith(("http://", "https://")) or a["url"].startswith("not found"), a["url"]
        for text in (a["source"], a["url"]):
            assert "seeds/" not in text and "shared/" not in text, "cite the article, not a file on a machine"
    assert "http://www.asiaict.com/ai/16085.html" in data.cite("not_lucrative")
    assert "36Kr" in data.cite("takeout") and "2026-06-25" in data.cite("takeout")


# --- mutations: the mistakes of issue 15, each refused with file, line and column ----------------
@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ (tables and descriptor only) that a test may damage; load() reads it."""
    copy = tmp_path / "data"
    copy.mkdir()
    for p in data.data_dir().glob("*.csv"):
        shutil.copy(p, copy / p.name)
    shutil.copy(data.data_dir() / "datapackage.json", copy / "datapackage.json")
    monkeypatch.setenv("TOKEN_ECONOMY_DATA", str(copy))
    return copy


def set_cell(text: str, line: int, column: str, value: str, *, quote: bool = True) -> str:
    """``text`` with the cell at (editor line, column) replaced; ``quote=False`` writes it raw (no quotes)."""
    rows = list(csv.reader(io.StringIO(text)))
    k = rows[0].index(column)
    rows[line - 1][k] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    if quote:
        return out.getvalue()
    lines = out.getvalue().split("\n")
    lines[line - 1] = lines[line - 1].replace(f'"{value}"', value)
    return "\n".join(lines)


ISSUE_MUTATIONS = [
    # (table, line, column, new cell, quoted?, expected message after "data/<table>.csv, line N, column C: ")
    ("gpus", 3, "hbm_tb_s", "3,35", True, "'3,35' is not a number (write 3.35, with a point)"),
    ("models", 3, "params_total_b", "70,55", False, "'70,55' is not a number (write 70.55, with a point): the "
                                                    "comma split the row into one value too many"),
    ("gpus", 3, "hbm_tb_s", "-3.35", True, "must be greater than 0, got -3.35"),
    ("gpus", 3, "hbm_tb_s", "0", True, "must be greater than 0, got 0"),
    ("gpus", 4, "gpu_id", "H100-SXM", True, "'H100-SXM' appears twice (also on line 3); each row needs its own "
                                            "gpu_id"),
    ("gpus", 3, "hbm_gb", "", True, "is empty, but a value is required"),
    ("models", 3, "n_layers", "80.5", True, "'80.5' is not a whole number"),
    ("api_prices", 2, "usd_per_m_output", "-10", True, "must be at least 0, got -10"),
    ("price_examples", 2, "usd_per_m_input", "-0.15", True, "must be at least 0, got -0.15"),
]


@pytest.mark.parametrize("table, line, column, value, quoted, expected", ISSUE_MUTATIONS)
def test_the_mistakes_of_issue_15_are_refused_by_file_line_and_column(data_copy, table, line, column, value,
                                                                      quoted, expected):
    p = data_copy / f"{table}.csv"
    p.write_text(set_cell(p.read_text(), line, column, value, quote=quoted))
    with pytest.raises(data.DataError) as info:
        data.load(table)
    assert f"{table}.csv, line {line}, column {column}: {expected}" in str(info.value)
    assert [(x.line, x.column) for x in info.value.problems] == [(line, column)]


def test_an_unquoted_decimal_comma_between_numbers_names_every_candidate():
    text = set_cell(data.path("gpus").read_text(), 3, "hbm_tb_s", "3,35", quote=False)  # 1979,80,3,35,700
    [problem] = data.table_problems(data.path("gpus"), TABULAR["gpus"], text)
    assert problem.line == 3 and "'3,35' in column hbm_tb_s" in problem.message
    assert "'1979,80' in column fp8_dense_tflops" in problem.message  # just as possible, by the description


def test_messages_name_the_file_as_the_repository_shows_it():
    res = TABULAR["gpus"]
    text = set_cell(data.path("gpus").read_text(), 3, "hbm_tb_s", "3,35")
    [problem] = data.table_problems(data.path("gpus"), res, text)
    assert str(problem) == "data/gpus.csv, line 3, column hbm_tb_s: '3,35' is not a number (write 3.35, with a point)"


def test_line_numbers_are_the_editors_when_a_quoted_cell_spans_lines():
    res = TABULAR["price_examples"]
    text = data.path("price_examples").read_text()
    text = set_cell(text, 2, "source", "OpenAI,\ntwo lines")  # line 2 now covers editor lines 2 and 3
    text = set_cell(text, 3, "usd_per_m_output", "ten")  # the next record starts on editor line 4
    [problem] = data.table_problems(data.path("price_examples"), res, text)
    assert (problem.line, problem.column) == (4, "usd_per_m_output")


def _number_text(x: float) -> str:
    """How a number is written in a cell: ``3`` for a whole number, ``0.5`` otherwise."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _off_pattern(pattern: str, good: str) -> str:
    """A cell value that does not have the form ``pattern`` asks for: ``good`` as a hurried editor spoils it
    (slashes for hyphens, a stray character, capitals), or a blank."""
    spoiled = (good.replace("-", "/"), good + "!", good.upper(), " ")
    return next(v for v in spoiled if not re.fullmatch(pattern, v))


def _not_allowed(field: dict) -> str:
    """A cell value of the field's type that its ``enum`` does not allow."""
    allowed = field["constraints"]["enum"]
    if field["type"] in ("integer", "number"):
        return _number_text(next(k for k in range(1, 10**6) if k not in allowed))
    return next(v for v in ("not-allowed", "unknown", "x") if v not in allowed)


#: Constraints that ``generic_mutations`` breaks (minLength 1 is what "required" already asks).
MUTATED_CONSTRAINTS = {"required", "minimum", "exclusiveMinimum", "maximum", "enum", "pattern", "unique"}


def generic_mutations(name: str) -> list[tuple[str, int, str, str, str]]:
    """Every mistake that applies to table ``name``: (kind, line, column, new cell, word in message).

    The mistakes of issue 15 (a decimal comma, a negative or zero value, a fraction in a count, an
    empty required cell, a duplicate key), and one that breaks each other constraint the table's
    description sets: a value below its minimum or above its maximum, outside its allowed values,
    of the wrong form, repeated in a unique column; "yes" in a True/False column; an impossible date.
    """
    res = TABULAR[name]
    fields = res["schema"]["fields"]
    rows = list(csv.reader(io.StringIO(data.path(name).read_text(encoding="utf-8"))))
    out = []
    for k, f in enumerate(fields):
        c = f.get("constraints", {})
        filled = [i + 1 for i, r in enumerate(rows[1:], start=1) if r[k] != ""]
        line = filled[0] if filled else 2
        if f["type"] in ("number", "integer"):
            out.append(("decimal comma", line, f["name"], "3,35", "3,35"))
            floor = c.get("minimum", c.get("exclusiveMinimum"))
            if floor is not None and floor >= 0:
                out.append(("negative", line, f["name"], "-1", "-1"))
            if c.get("exclusiveMinimum") == 0:
                out.append(("zero", line, f["name"], "0", "0"))
            if c.get("minimum", 0) != 0:
                out.append(("below minimum", line, f["name"], _number_text(c["minimum"] - 1), "at least"))
            if c.get("exclusiveMinimum", 0) != 0:
                out.append(("below minimum", line, f["name"], _number_text(c["exclusiveMinimum"]), "greater than"))
            if "maximum" in c:
                out.append(("above maximum", line, f["name"], _number_text(c["maximum"] + 1), "at most"))
        if f["type"] == "integer":
            out.append(("fraction in an integer", line, f["name"], "80.5", "80.5"))
        if f["type"] == "boolean":
            out.append(("not a boolean", line, f["name"], "yes", "is not one of"))
        if f["type"] == "date":
            out.append(("impossible date", line, f["name"], "2026-02-30", "not a date"))
        if "enum" in c:
            out.append(("not an allowed value", line, f["name"], _not_allowed(f), "allowed values"))
        if "pattern" in c:
            out.append(("wrong form", line, f["name"], _off_pattern(c["pattern"], rows[line - 1][k]), "expected form"))
        if c.get("unique") and len(filled) > 1:
            out.append(("repeated unique value", filled[1], f["name"], rows[filled[0] - 1][k], "twice"))
        if c.get("required"):
            out.append(("missing required value", line, f["name"], "", "empty"))
    key = res["schema"]["primaryKey"]
    out.append(("duplicate key", 3, ",".join(key), "", "twice"))  # a one-row table: its row pasted twice
    return out


def mutate(name, kind, line, column, value):
    text = data.path(name).read_text(encoding="utf-8")
    if kind != "duplicate key":
        return set_cell(text, line, column, value)
    rows = list(csv.reader(io.StringIO(text)))  # duplicate key: copy the key of line 2 into line 3
    if len(rows) < 3:
        rows.append(list(rows[1]))
    for col in column.split(","):
        k = rows[0].index(col)
        rows[2][k] = rows[1][k]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


MUTATIONS = [(name, *m) for name in TABLES for m in generic_mutations(name)]


def test_every_table_gets_the_mutations_that_apply_to_it():
    kinds = {(name, kind) for name, kind, *_ in MUTATIONS}
    assert all((name, "missing required value") in kinds for name in TABLES)
    assert all((name, "duplicate key") in kinds for name in TABLES)
    assert {kind for _, kind in kinds} == {"decimal comma", "negative", "zero", "fraction in an integer",
                                          "missing required value", "duplicate key", "below minimum",
                                          "above maximum", "not a boolean", "impossible date",
                                          "not an allowed value", "wrong form", "repeated unique value"}


@pytest.mark.parametrize("name", TABLES)
def test_every_constraint_of_every_column_is_broken_by_some_mutation(name):
    """A constraint that no mutation breaks would be a promise nobody checks."""
    mutated = {(column, kind) for table, kind, _, column, *_ in MUTATIONS if table == name}
    by_constraint = {"required": "missing required value", "enum": "not an allowed value", "pattern": "wrong form",
                     "maximum": "above maximum", "unique": "repeated unique value"}
    for f in TABULAR[name]["schema"]["fields"]:
        c = dict(f.get("constraints", {}))
        if c.get("minLength") == 1 and c.get("required"):
            del c["minLength"]  # an empty cell: already the missing required value
        assert set(c) <= MUTATED_CONSTRAINTS, f"{name}.{f['name']}: add a mutation for {set(c) - MUTATED_CONSTRAINTS}"
        for constraint, kind in by_constraint.items():
            if c.get(constraint, False) is not False:
                assert (f["name"], kind) in mutated, f"{name}.{f['name']}: nothing breaks its {constraint}"
        for bound in ("minimum", "exclusiveMinimum"):
            if bound in c:
                assert {(f["name"], k) for k in ("negative", "below minimum")} & mutated, f"{name}.{f['name']}: {bound}"


@pytest.mark.parametrize("name, kind, line, column, value, word", MUTATIONS,
                         ids=[f"{m[0]}-{m[1]}-{m[3]}" for m in MUTATIONS])
def test_every_table_refuses_each_mistake_by_line_and_column(name, kind, line, column, value, word):
    problems = data.table_problems(data.path(name), TABULAR[name], mutate(name, kind, line, column, value))
    assert problems, f"{name}: {kind} in {column} on line {line} was accepted"
    located = [p for p in problems if p.line == line and p.column == column.replace(",", ", ")]
    assert located, [str(p) for p in problems]
    assert word in located[0].message and str(located[0]).startswith(f"data/{name}.csv, line {line}, column")


# --- the explorers survive a damaged table ------------------------------------------------------
def test_explorers_show_a_damaged_table_instead_of_raising(data_copy):
    """In a fresh interpreter (no cache of the good tables): every explorer builds; those that need
    a damaged table say which file, line and column is wrong."""
    for table, line, column, value in [("gpus", 3, "hbm_tb_s", "3,35"), ("models", 3, "n_layers", "80.5"),
                                       ("api_prices", 2, "usd_per_m_output", "-10"),
                                       ("price_examples", 2, "usd_per_m_input", "-1"),
                                       ("corpora", 2, "sha256", "")]:
        p = data_copy / f"{table}.csv"
        p.write_text(set_cell(p.read_text(), line, column, value))
    script = (
        "import json\n"
        "from token_economy.widgets import all_explorers\n"
        "out = {}\n"
        "for name, cls in all_explorers().items():\n"
        "    try:\n"
        "        ex = cls()\n"
        "        out[name] = [type(ex.last_error).__name__ if ex.last_error else None, ex.message.value]\n"
        "    except BaseException as exc:\n"
        "        out[name] = ['RAISED ' + type(exc).__name__, str(exc)]\n"
        "print(json.dumps(out))\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "TOKEN_ECONOMY_DATA": str(data_copy)}, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    raised = {k: v for k, v in results.items() if v[0] and v[0].startswith("RAISED")}
    assert raised == {}
    stopped = {k: v[1] for k, v in results.items() if v[0] == "DataError"}
    assert len(stopped) >= 3, results  # factory, bills, start, tokens ... need the damaged tables
    for name, message in stopped.items():
        assert "cannot start" in message and ".csv, line " in message and "column" in message, (name, message)


def test_the_check_script_reports_every_problem(data_copy):
    p = data_copy / "gpus.csv"
    p.write_text(set_cell(set_cell(p.read_text(), 3, "hbm_tb_s", "0"), 4, "tdp_w", "-1"))
    run = subprocess.run([sys.executable, str(ROOT / "data" / "tables.py"), "check"], capture_output=True,
                         text=True, env={**os.environ, "TOKEN_ECONOMY_DATA": str(data_copy)}, timeout=120)
    assert run.returncode == 1
    assert "gpus.csv, line 3, column hbm_tb_s: must be greater than 0, got 0" in run.stdout
    assert "gpus.csv, line 4, column tdp_w: must be greater than 0, got -1" in run.stdout


def test_draft_describes_a_new_table(data_copy):
    (data_copy / "new_table.csv").write_text("item_id,count,share,flag,day,source,as_of\n"
                                             "a,3,0.5,True,2026-01-02,somewhere,2026-01\n"
                                             "b,4,,False,2026-01-03,somewhere,2026-01\n")
    draft = data.draft_resource("new_table")
    types = {f["name"]: f["type"] for f in draft["schema"]["fields"]}
    assert types == {"item_id": "string", "count": "integer", "share": "number", "flag": "boolean", "day": "date",
                     "source": "string", "as_of": "string"}
    required = {f["name"] for f in draft["schema"]["fields"] if f.get("constraints", {}).get("required")}
    assert "share" not in required and "count" in required
    package = json.loads((data_copy / "datapackage.json").read_text())
    package["resources"].append(draft)
    (data_copy / "datapackage.json").write_text(json.dumps(package))
    assert len(data.load("new_table")) == 2


def test_a_quote_never_closed_is_named():
    text = data.path("gpus").read_text()
    last = text.count("\n") + 1
    text += 'H900,"NVIDIA H900\nNVIDIA,2027\n'  # the quote swallows the line after it
    [problem] = data.table_problems(data.path("gpus"), TABULAR["gpus"], text)
    assert problem.line == last and "never closed" in problem.message
