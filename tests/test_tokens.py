"""token_economy.tokens against tiktoken itself, plus properties that must hold for any text."""

import html
import re

import pytest
import tiktoken
from hypothesis import given, settings
from hypothesis import strategies as st

from token_economy import tokens

SAMPLES = [
    "hello world",
    "Tokens are not free.",
    "一个词元是AI文本的最小单位。",
    "トークンは無料ではない",
    "🦙🦙 llamas 👩‍👩‍👧",
    "def f(x):\n    return x ** 2\n",
    "1234567890 3.14159",
    "",
]


@pytest.mark.parametrize("encoding", tokens.OPENAI_ENCODINGS)
@pytest.mark.parametrize("text", SAMPLES)
def test_count_matches_tiktoken(text, encoding):
    assert tokens.count_tokens(text, encoding) == len(tiktoken.get_encoding(encoding).encode(text))


@pytest.mark.parametrize("special", ["<|endoftext|>", "<|fim_prefix|>", "<|endofprompt|>"])
def test_special_token_strings_are_ordinary_text(special):
    enc = tiktoken.get_encoding("cl100k_base")
    with pytest.raises(ValueError):
        enc.encode(special)  # tiktoken refuses it by default ...
    n = tokens.count_tokens(special, "cl100k_base")  # ... we count it as text
    assert n == len(enc.encode_ordinary(special)) and n > 1
    assert enc.eot_token not in tokens.encode(special, "cl100k_base")


def test_count_many_matches_single_counts():
    assert tokens.count_many(SAMPLES) == [tokens.count_tokens(s) for s in SAMPLES]


@pytest.mark.parametrize("bad", [None, 3, b"bytes", ["a"]])
def test_non_text_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="text must be"):
        tokens.count_tokens(bad)


@pytest.mark.parametrize("bad", ["nope", None, ["o200k_base"]])
def test_unknown_encoding_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="encoding must be one of"):
        tokens.count_tokens("x", bad)


@pytest.mark.parametrize("text", SAMPLES)
def test_pieces_join_back_and_hold_every_token(text):
    pieces = tokens.token_pieces(text)
    assert "".join(p for p, _ in pieces) == text
    assert [i for _, ids in pieces for i in ids] == tokens.encode(text)


def test_emoji_split_across_tokens_is_one_piece():
    pieces = tokens.token_pieces("🦙", "cl100k_base")
    assert len(pieces) == 1 and len(pieces[0][1]) > 1


def test_render_escapes_markup():
    probe = '<script>alert("x")</script><img src=x onerror=alert(1)> & \'q\''
    out = tokens.render_tokens_html(probe)
    assert "<script" not in out and "<img" not in out and "onerror=alert" not in out.replace("onerror=alert(1)&gt;", "")
    visible = re.sub(r"<[^>]+>", "", out)
    assert html.unescape(visible).replace("↵", "") == probe


def test_render_cuts_long_text_and_says_so():
    text = "word " * 5000
    out = tokens.render_tokens_html(text, max_tokens=100)
    assert out.count("<span") <= 100
    assert f"of {tokens.count_tokens(text):,} tokens" in out


@pytest.mark.parametrize("bad", [0, -1, 2.5])
def test_render_rejects_bad_max_tokens(bad):
    with pytest.raises(ValueError, match="max_tokens"):
        tokens.render_tokens_html("x", max_tokens=bad)


def test_cost_table_arithmetic():
    t = tokens.cost_table("hello world", 2.5)
    assert t.loc["o200k_base", "tokens"] == 2
    assert t.loc["o200k_base", "usd"] == pytest.approx(2 * 2.5 / 1e6)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "abc"])
def test_cost_table_rejects_bad_prices(bad):
    with pytest.raises(ValueError, match="usd_per_million"):
        tokens.cost_table("x", bad)


def test_text_stats_handles_empty_text():
    s = tokens.text_stats("")
    assert s["tokens"] == 0 and s["characters"] == 0


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_roundtrip_and_count_never_raise(text):
    ids = tokens.encode(text)
    enc = tokens.get_encoding()
    # Lone surrogates cannot be encoded as UTF-8; tiktoken replaces them, as we do.
    expected = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    assert enc.decode(ids) == expected
    assert tokens.count_tokens(text) == len(ids)
    assert "".join(p for p, _ in tokens.token_pieces(text)) == expected
