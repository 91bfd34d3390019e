"""The additions to token_economy.tokens made for notebooks 01-02."""

import html
import re

import pytest
import tiktoken
from hypothesis import given, settings
from hypothesis import strategies as st

from token_economy import tokens


def test_model_encodings_follow_tiktoken():
    table = tokens.model_encodings(["gpt-4o", "gpt-4", "gpt-3.5-turbo", "davinci"])
    assert table.loc["gpt-4o", "encoding"] == tiktoken.encoding_for_model("gpt-4o").name == "o200k_base"
    assert table.loc["gpt-4", "encoding"] == "cl100k_base"
    assert table.loc["davinci", "encoding"] == "r50k_base" and not table.loc["davinci", "shipped_offline"]
    with pytest.raises(ValueError, match="models"):
        tokens.model_encodings(["no-such-model-xyz"])


@pytest.mark.parametrize("encoding", tokens.ENCODINGS)
@pytest.mark.parametrize("text", ["hello world", "词元 🦙 トークン", "  x\n\n", "<|endoftext|>"])
def test_token_table_bytes_join_back_to_the_text(text, encoding):
    t = tokens.token_table(text, encoding, max_tokens=1000)
    assert b"".join(t["bytes"]) == text.encode("utf-8")
    assert t["token_id"].tolist() == tokens.encode(text, encoding)
    assert (t["n_bytes"] == t["bytes"].map(len)).all()
    # a token is whole characters exactly when its bytes decode on their own
    for raw, whole in zip(t["bytes"], t["whole_characters"]):
        try:
            raw.decode("utf-8")
            assert whole
        except UnicodeDecodeError:
            assert not whole


def test_token_table_cuts_and_validates():
    assert len(tokens.token_table("word " * 100, max_tokens=7)) == 7
    assert tokens.token_table("").empty
    for bad in (0, -3, 1.5, True):
        with pytest.raises(ValueError, match="max_tokens"):
            tokens.token_table("x", max_tokens=bad)


def test_rates_table_arithmetic():
    t = tokens.rates_table({"en": "hello world", "zh": "你好", "empty": ""})
    # "hello world": 11 characters, 2 words, 2 tokens in o200k_base -> 2/11 per character, 1 per word
    assert t.loc["en", "o200k_base tokens"] == 2
    assert t.loc["en", "o200k_base tokens per character"] == pytest.approx(2 / 11)
    assert t.loc["en", "o200k_base tokens per word"] == pytest.approx(1.0)
    assert t.loc["zh", "bytes"] == 6  # two CJK characters, 3 UTF-8 bytes each
    assert t.loc["empty", "o200k_base tokens"] == 0
    assert t["o200k_base tokens per character"].isna().tolist() == [False, False, True]
    with pytest.raises(ValueError, match="samples"):
        tokens.rates_table(["not", "a", "dict"])


def test_rates_table_matches_single_counts():
    samples = {"a": "Tokens are not free.", "b": "トークンは無料ではない", "c": "🙂🙂"}
    t = tokens.rates_table(samples)
    for label, text in samples.items():
        for enc in tokens.ENCODINGS:
            assert t.loc[label, f"{enc} tokens"] == tokens.count_tokens(text, enc)


def test_comparison_html_escapes_labels_and_text():
    probe = '<img src=x onerror=alert(1)>'
    out = tokens.render_comparison_html({probe: probe, "ok": "fine"})
    assert "<img" not in out
    # the label, and the text once per encoding
    assert html.unescape(re.sub(r"<[^>]+>", "", out)).count(probe) == 1 + len(tokens.ENCODINGS)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_new_functions_never_raise_on_any_text(text):
    t = tokens.rates_table({"x": text})
    assert t.loc["x", "o200k_base tokens"] == tokens.count_tokens(text)
    table = tokens.token_table(text, max_tokens=10_000)
    assert len(table) == tokens.count_tokens(text)
    tokens.render_comparison_html({"x": text}, max_tokens=50)


def test_stats_html_refuses_an_absurd_price_by_name():
    from token_economy.tokens import stats_html

    with pytest.raises(ValueError, match="usd_per_million"):
        stats_html("hello", "o200k_base", 1e7)      # above a million dollars per million tokens
    # 1 token at the cap: 1 * 1e6 / 1e6 = $1.000000
    assert "$1.000000" in stats_html("hello", "o200k_base", 1e6)


# --- vocabularies, their cost inside a model, and the explorers' helpers -------------------------


def test_vocabulary_by_script_counts_every_ordinary_token_once():
    cl, o2 = tokens.vocabulary_by_script("cl100k_base"), tokens.vocabulary_by_script("o200k_base")
    assert cl.sum() == 100_256 and o2.sum() == 199_998  # control tokens are not counted
    assert tokens.vocabulary_by_script("deepseek_v3").sum() == 128_000 - 3  # ids 0-2 are control tokens
    non_latin = lambda s: s.drop(["Latin", "no letter", "part of a character"]).sum()  # noqa: E731
    assert non_latin(o2) > 10 * non_latin(cl), "o200k_base spent most of its new tokens outside Latin script"
    assert tokens.vocabulary_by_script("deepseek_v3")["Han"] > 4 * o2["Han"]


def test_embedding_parameters_count_the_untied_output_layer():
    layers = tokens.vocabulary_layers(extra_tokens=1000)
    ds = layers.loc["deepseek-v3"]
    assert ds["input_params"] == 129_280 * 7168 and ds["output_params"] == 129_280 * 7168  # untied
    assert ds["extra_params_for_more_tokens"] == 2 * 1000 * 7168
    qwen = layers.loc["qwen3-4b"]
    assert qwen["output_params"] == 0 and qwen["extra_params_for_more_tokens"] == 1000 * 2560  # tied
    with pytest.raises(ValueError, match="tied"):
        tokens.embedding_parameters(10, 10, tied="no")


@pytest.mark.parametrize("text, spaced", [("The cat sat on the mat.", True), ("고양이가 매트 위에 앉았다.", True),
                                          ("แมวนั่งบนเสื่อ", False), ("ကြောင်သည် ဖျာပေါ်တွင် ထိုင်သည်။", False),
                                          ("猫坐在垫子上。", False), ("", True)])
def test_spaces_separate_words(text, spaced):
    assert tokens.spaces_separate_words(text) is spaced
    words = tokens.text_stats(text)["words"]
    assert (words == words) is spaced or text == ""


def test_explorer_helpers_escape_and_name_the_control():
    assert "n/a" in tokens.stats_html("一个词元是最小单位", "deepseek_v3", 1.0)
    with pytest.raises(ValueError, match=r"\$ / M tokens"):
        tokens.stats_html("x", "o200k_base", -1, name="$ / M tokens")
    note = tokens.special_token_note("a <\uff5cbegin\u2581of\u2581sentence\uff5c> b", "deepseek_v3")
    assert note and "ordinary text" in note
    assert tokens.special_token_note("<|im_start|>", "qwen") and tokens.special_token_note("plain", "qwen") is None
    assert "n/a" in tokens.cost_table_html(tokens.cost_table("", 1.0))
