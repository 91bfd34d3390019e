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
    from token_economy.widgets.tokens import stats_html

    with pytest.raises(ValueError, match="usd_per_million"):
        stats_html("hello", "o200k_base", 1e7)      # above a million dollars per million tokens
    # 1 token at the cap: 1 * 1e6 / 1e6 = $1.000000
    assert "$1.000000" in stats_html("hello", "o200k_base", 1e6)
