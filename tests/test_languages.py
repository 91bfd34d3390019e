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


@pytest.mark.parametrize("control, value, label", [
    ("usd_per_m_input", 1e308, "$ / M input"), ("usd_per_m_output", 2e6, "$ / M output"),
    ("input_millions", 1e13, "input M/mo"), ("output_millions", -1, "output M/mo")])
def test_language_tax_explorer_refuses_absurd_values_by_name(control, value, label):
    from token_economy.widgets.tokens import LanguageTaxExplorer

    ex = LanguageTaxExplorer()
    ex.set(**{control: value})
    assert isinstance(ex.last_error, ValueError) and label in ex.message.value
    assert ex.table.value == "", "the old bills must not stay under the message"
    ex.set(**{control: 1.0})
    assert ex.last_error is None and "$" in ex.table.value


def test_language_tax_explorer_picks_languages_with_checkboxes_and_prices_output():
    import ipywidgets as W

    from token_economy.widgets.tokens import LanguageTaxExplorer

    ex = LanguageTaxExplorer()
    boxes = {k: c for k, c in ex.controls.items() if k.startswith("show_")}
    assert len(boxes) >= 20 and all(isinstance(c, W.Checkbox) for c in boxes.values())
    ex.set(**{k: False for k in boxes})
    assert "tick at least one" in ex.message.value
    ex.set(show_en=True, show_hi=True, encoding="cl100k_base", input_millions=10, output_millions=0,
           usd_per_m_input=1.0, usd_per_m_output=100.0)
    hi = languages.flores_table(["cl100k_base"]).loc["hi", "premium_cl100k_base"]
    assert f"${10 * hi:,.2f}" in ex.table.value  # 10 M English tokens x premium at $1 / M
    ex.set(output_millions=1)  # 1 M English output tokens x premium at $100 / M
    assert f"${10 * hi + 100 * hi:,.2f}" in ex.table.value


# --- FLORES-200 counts -------------------------------------------------------------------------


def test_flores_tables_cover_the_required_languages_and_encodings():
    langs, counts = languages.load_flores()
    required = {"en", "zh", "zh-Hant", "ja", "ko", "hi", "ar", "ru", "sw", "yo", "am", "my", "shn"}
    assert required <= set(langs.index) and len(langs) >= 20
    assert (langs["sentences"] == 2009).all() and (counts["sentences"] == 2009).all()
    assert set(counts["encoding"]) == set(languages.FLORES_ENCODINGS)
    assert counts.groupby("encoding")["language_code"].nunique().eq(len(langs)).all()
    assert langs["licence"].str.contains("CC BY-SA 4.0").all() and counts["licence"].str.contains("CC BY-SA 4.0").all()
    assert langs["dev_sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    # words only where spaces separate them
    assert langs.loc[~langs["spaces_separate_words"], "words"].isna().all()
    assert set(langs.index[~langs["spaces_separate_words"]]) >= {"zh", "zh-Hant", "ja", "th", "my", "shn"}
    # Cauchy-Schwarz: a sum of squares is at least (sum)^2 / n
    assert (counts["tokens_sq"] * counts["sentences"] >= counts["tokens"] ** 2).all()


def test_cl100k_premiums_match_petrov_et_al_within_5_percent():
    # Petrov et al. counted dev + devtest (2,009 sentences) joined into one text per language.
    ours = languages.flores_table(["cl100k_base"])
    comparison = languages.compare_with_petrov(ours, "cl100k_base")
    assert len(comparison) >= 20
    worst = (comparison["ratio"] - 1).abs().max()
    assert worst < 0.05, comparison[(comparison["ratio"] - 1).abs() >= 0.05]


@pytest.mark.parametrize("encoding, tokenizer", [("cl100k_base", "cl100k_base"), ("qwen", "qwen")])
def test_joined_counts_reproduce_petrovs_totals_exactly(encoding, tokenizer):
    ours = languages.flores_table([encoding])
    theirs = languages.petrov_premiums(tokenizer)
    both = theirs.index.intersection(ours.index)
    assert len(both) >= 20
    assert (ours.loc[both, f"tokens_joined_{encoding}"] == theirs.loc[both, "tokens_total"]).all()


def test_flores_table_premiums_and_standard_errors():
    t = languages.flores_table()
    for enc in languages.FLORES_ENCODINGS:
        assert t.loc["en", f"premium_{enc}"] == 1.0 and t.loc["en", f"premium_se_{enc}"] == 0.0
        others = t.drop("en")
        # 2,009 sentences: standard errors are small but not zero, well under 2% of the premium
        assert (others[f"premium_se_{enc}"] > 0).all()
        assert (others[f"premium_se_{enc}"] < 0.02 * others[f"premium_{enc}"]).all()
        assert t[f"tokens_per_word_{enc}"].isna().eq(~t["spaces_separate_words"]).all()
    # hand check for Hindi in cl100k_base from the raw sums
    _, counts = languages.load_flores()
    row = counts[(counts["encoding"] == "cl100k_base")].set_index("language_code")
    assert t.loc["hi", "premium_cl100k_base"] == pytest.approx(row.loc["hi", "tokens"] / row.loc["en", "tokens"])


def test_ratio_se_against_a_brute_force_bootstrap_free_formula():
    import numpy as np

    rng = np.random.default_rng(0)
    y = rng.integers(10, 40, 500).astype(float)
    x = 2.5 * y + rng.normal(0, 3, 500)
    r = x.sum() / y.sum()
    direct = np.sqrt(((x - r * y) ** 2).sum() / (500 * 499)) / y.mean()
    assert languages.ratio_se(x.sum(), (x * x).sum(), y.sum(), (y * y).sum(), (x * y).sum(), 500) == pytest.approx(direct)


def test_spearman_and_swapped_pairs():
    a = pd.Series({"x": 1.0, "y": 2.0, "z": 3.0, "w": 4.0})
    b = pd.Series({"x": 1.0, "y": 3.0, "z": 2.0, "w": 4.0})
    assert languages.swapped_pairs(a, b) == [("y", "z")]
    assert languages.spearman(a, b) == pytest.approx(0.8)  # 1 - 6 * 2 / (4 * 15)
    with pytest.raises(ValueError):
        languages.spearman([1, 2], [1, 2])


def test_refresh_script_counts_a_tiny_flores(tmp_path, monkeypatch):
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("refresh", ROOT / "data" / "refresh_flores_counts.py")
    refresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(refresh)
    monkeypatch.setattr(refresh, "LANGUAGES", [("eng_Latn", "en", "English", "Latin"),
                                               ("zho_Hans", "zh", "Chinese (Simplified)", "Han")])
    texts = {"eng_Latn": (["Hello world.", "Tokens cost money."], ["One more."]),
             "zho_Hans": (["你好，世界。", "词元要花钱。"], ["再来一句。"])}
    for code, (dev, devtest) in texts.items():
        for split, lines in (("dev", dev), ("devtest", devtest)):
            (tmp_path / "flores" / split).mkdir(parents=True, exist_ok=True)
            (tmp_path / "flores" / split / f"{code}.{split}").write_text("\n".join(lines) + "\n")
    refresh.main([str(tmp_path / "flores"), "--out", str(tmp_path)])
    langs = pd.read_csv(tmp_path / "flores200_languages.csv").set_index("language_code")
    counts = pd.read_csv(tmp_path / "flores200_token_counts.csv")
    assert langs.loc["en", "sentences"] == 3 and langs.loc["en", "characters"] == 12 + 18 + 9
    assert langs.loc["en", "characters_sq"] == 12 ** 2 + 18 ** 2 + 9 ** 2 and langs.loc["en", "words"] == 2 + 3 + 2
    assert pd.isna(langs.loc["zh", "words"]) and not langs.loc["zh", "spaces_separate_words"]
    from token_economy import tokens
    en = [tokens.count_tokens(s, "o200k_base") for s in ["Hello world.", "Tokens cost money.", "One more."]]
    zh = [tokens.count_tokens(s, "o200k_base") for s in ["你好，世界。", "词元要花钱。", "再来一句。"]]
    row = counts[(counts["encoding"] == "o200k_base") & (counts["language_code"] == "zh")].iloc[0]
    assert row["tokens"] == sum(zh) and row["tokens_sq"] == sum(t * t for t in zh)
    assert row["tokens_x_english"] == sum(a * b for a, b in zip(zh, en))
    assert row["tokens_joined"] == tokens.count_tokens("你好，世界。 词元要花钱。  再来一句。 ", "o200k_base")
