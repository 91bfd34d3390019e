"""token_economy.languages and the two language tables: premiums, bills, the published comparison."""

import pandas as pd
import pytest
import tiktoken

from token_economy import data, languages

REQUIRED = {"en", "zh", "ja", "ko", "hi", "ar", "ru", "es"}


def test_corpus_is_parallel_and_honest_about_its_translations():
    corpus = data.load("parallel_corpus")
    assert {"passage_id", "language", "language_code", "text", "translator", "method", "source", "as_of"} <= set(corpus.columns)
    codes = set(corpus["language_code"])
    assert len(codes) >= 10 and REQUIRED <= codes
    per_language = corpus.groupby("language_code")["passage_id"].apply(frozenset)
    assert per_language.nunique() == 1, "every language must have the same passages"
    assert not corpus.duplicated(["passage_id", "language_code"]).any()
    translated = corpus[corpus["language_code"] != "en"]
    assert translated["method"].str.contains("not reviewed by a native speaker").all()
    assert (corpus["text"].str.strip().str.len() > 20).all()


def test_premium_and_bill_arithmetic():
    assert languages.premium(300, 120) == pytest.approx(2.5)  # 300 / 120
    # 20 M English tokens x premium 1.5 = 30 M tokens; at $4 / M = $120
    assert languages.monthly_bill_usd(20e6, 1.5, 4.0) == pytest.approx(120.0)


@pytest.mark.parametrize("args,name", [((-1, 10), "language_tokens"), ((1, 0), "english_tokens"),
                                       ((1, float("nan")), "english_tokens")])
def test_premium_names_bad_arguments(args, name):
    with pytest.raises(ValueError, match=name):
        languages.premium(*args)


@pytest.mark.parametrize("args,name", [((-1, 1, 1), "english_tokens_per_month"), ((1, 0, 1), "premium"),
                                       ((1, 1, float("inf")), "usd_per_million")])
def test_bill_names_bad_arguments(args, name):
    with pytest.raises(ValueError, match=name):
        languages.monthly_bill_usd(*args)


def test_count_corpus_uses_the_same_counts_as_tiktoken():
    counts = languages.count_corpus()
    for enc in ("o200k_base", "cl100k_base"):
        e = tiktoken.get_encoding(enc)
        assert counts[enc].tolist() == [len(e.encode_ordinary(t)) for t in counts["text"]]


def test_premium_table_is_a_ratio_of_totals():
    counts = languages.count_corpus()
    table = languages.premium_table(counts)
    for enc in ("o200k_base", "cl100k_base"):
        en = counts.loc[counts["language_code"] == "en", enc].sum()
        zh = counts.loc[counts["language_code"] == "zh", enc].sum()
        assert table.loc["zh", f"premium_{enc}"] == pytest.approx(zh / en)
        assert (table[f"premium_min_{enc}"] <= table[f"premium_{enc}"] + 1e-12).all()
        assert (table[f"premium_{enc}"] <= table[f"premium_max_{enc}"] + 1e-12).all()
    assert table.loc["en", "premium_o200k_base"] == 1.0


def test_a_larger_vocabulary_lowers_the_tax_for_most_languages():
    t = languages.premium_table()
    lower = (t["premium_o200k_base"] < t["premium_cl100k_base"]).sum()
    assert lower >= len(t) - 2


def test_premium_table_refuses_unequal_passages():
    small = pd.DataFrame({"passage_id": ["a", "b", "a"], "language": ["English", "English", "Chinese"],
                          "language_code": ["en", "en", "zh"], "text": ["one", "two", "一"]})
    with pytest.raises(ValueError, match="same passages"):
        languages.premium_table(languages.count_corpus(small))
    with pytest.raises(ValueError, match="reference"):
        languages.premium_table(languages.count_corpus(small), reference="xx")


def test_select_languages_by_code_or_name():
    t = languages.premium_table()
    assert languages.select_languages(t, ["hindi", "ZH".lower(), "English"]).index.tolist() == ["hi", "zh", "en"]
    with pytest.raises(ValueError, match="languages"):
        languages.select_languages(t, ["Klingon"])


def test_bill_table():
    t = languages.premium_table()
    bills = languages.bill_table(t, "cl100k_base", 10e6, 2.0, ["en", "hi"])
    p = t.loc["hi", "premium_cl100k_base"]
    # Hindi: 10 M x p tokens at $2 / M = 20 p dollars; extra over English ($20) = 20 (p - 1)
    assert bills.loc["hi", "usd_per_month"] == pytest.approx(20 * p)
    assert bills.loc["hi", "extra_usd_per_month"] == pytest.approx(20 * (p - 1))
    with pytest.raises(ValueError, match="encoding"):
        languages.bill_table(t, "gpt2-ish", 1, 1)
    with pytest.raises(ValueError, match="usd_per_million"):
        languages.bill_table(t, "o200k_base", 1, -2)


def test_petrov_table_recomputes_its_premiums():
    df = data.load("petrov2023_premiums")
    assert set(df["tokenizer"]) >= {"cl100k_base"}
    assert "o200k_base" not in set(df["tokenizer"]), "the 2023 study predates o200k_base"
    assert (df["premium"] - df["tokens_total"] / df["english_tokens_total"]).abs().max() < 5e-4
    cl = languages.petrov_premiums("cl100k_base")
    # the abstract's "up to 15 times": Shan, 795,074 / 52,835 tokens = 15.05
    assert cl.loc["shn", "premium"] == pytest.approx(15.05, abs=0.01)
    with pytest.raises(ValueError, match="tokenizer"):
        languages.petrov_premiums("o200k_base")


def test_our_premiums_agree_with_petrov_in_order_of_magnitude():
    comparison = languages.compare_with_petrov(languages.premium_table())
    assert len(comparison) >= 10
    assert comparison["ratio"].between(0.5, 2.0).all()
    # and in rank: the correlation of the two measurements is strong
    assert comparison["ours"].rank().corr(comparison["petrov2023"].rank()) > 0.7  # Spearman, without scipy


@pytest.mark.parametrize("control, value", [("usd_per_million", 1e308), ("usd_per_million", 2e6),
                                            ("millions_per_month", 1e13), ("millions_per_month", -1)])
def test_language_tax_explorer_refuses_absurd_values_by_name(control, value):
    from token_economy.widgets.tokens import LanguageTaxExplorer

    ex = LanguageTaxExplorer()
    ex.set(**{control: value})
    assert isinstance(ex.last_error, ValueError) and ex.label_for(control) in ex.message.value
    ex.set(**{control: 1.0})
    assert ex.last_error is None and "$" in ex.table.value
