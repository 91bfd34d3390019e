"""Hostile text that breaks tiktoken itself: long runs of blanks (issue 15).

tiktoken's Rust regex overflows its stack on a run of some hundreds of thousands of spaces or
tabs and raises ``pyo3_runtime.PanicException``, which is a ``BaseException``, not an
``Exception``. ``token_economy.tokens`` cuts such runs out and encodes them as the single piece
tiktoken's pre-split makes of them; these tests check that the counts stay exact.
"""

import random
import re

import pytest

from token_economy import tokens

BLANKS = [" ", "\t", "\u3000", "\xa0", "\u2000", "\u2001", "\u205f", "\x0b", "\x0c"]
OTHERS = ["x", "word", "!", "?!", ".", "\n", "\r\n", "12", "\u4f60", "\u00e9", "\u0301", "'s", "/", " \n", "\n\n "]
TIKTOKEN_BASED = ["cl100k_base", "o200k_base", "qwen", "qwen3_5"]


@pytest.mark.parametrize("name", TIKTOKEN_BASED)
def test_cutting_blank_runs_gives_tiktokens_own_tokens(name, monkeypatch):
    # With the threshold lowered to 5, the cutting runs on short texts that tiktoken handles itself.
    monkeypatch.setattr(tokens, "LONG_BLANK_RUN", 5)
    monkeypatch.setattr(tokens, "_LONG_BLANK", re.compile(f"[{tokens._BLANK}]{{5,}}"))
    enc = tokens.get_encoding(name)
    rng = random.Random(13)
    cut = 0
    for _ in range(600):
        parts = [("".join(rng.choice(BLANKS) for _ in range(rng.randint(1, 30))) if rng.random() < 0.5
                  else rng.choice(OTHERS)) for _ in range(rng.randint(1, 8))]
        text = "".join(parts)
        cut += bool(tokens._LONG_BLANK.search(text))
        assert tokens._ordinary(enc, text) == enc.encode_ordinary(text), repr(text)
    assert cut > 200, "the random texts must exercise the cutting"


@pytest.mark.parametrize("name", TIKTOKEN_BASED)
def test_long_runs_below_the_panic_are_counted_exactly(name):
    enc = tokens.get_encoding(name)
    for text in [" " * 200_000 + "x", "x" + "\t" * 150_000, "a " + "\u3000" * 100_000 + " b\n", " " * 50_000]:
        assert tokens.count_tokens(text, name) == len(enc.encode_ordinary(text))


@pytest.mark.parametrize("name", TIKTOKEN_BASED)
def test_a_million_blanks_never_panic(name):
    for text in [" " * 1_000_000 + "x", "\t" * 1_000_000, " \t" * 500_000 + "end"]:
        assert tokens.count_tokens(text, name) == len(tokens.encode(text, name)) > 0
    assert tokens.count_many(["ok", " " * 1_000_000 + "x", "fine"], name) == [
        tokens.count_tokens("ok", name), tokens.count_tokens(" " * 1_000_000 + "x", name),
        tokens.count_tokens("fine", name)]


def test_deepseeks_reader_takes_a_million_blanks_too():
    # Hugging Face tokenizers does not panic here; checked once, because it takes about a second.
    assert tokens.count_tokens(" " * 1_000_000 + "x", "deepseek_v3") > 1000


def test_the_pieces_of_a_million_blanks_join_back():
    text = "start" + " " * 1_000_000 + "end"
    pieces = tokens.token_pieces(text, "o200k_base")
    assert "".join(p for p, _ in pieces) == text
    assert "Showing the first 50" in tokens.render_tokens_html(text, "o200k_base", max_tokens=50)
