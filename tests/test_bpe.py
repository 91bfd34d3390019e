"""token_economy.bpe: the teaching BPE trainer, checked by hand, by properties and against tiktoken."""

import pytest
import regex
import tiktoken
from hypothesis import given, settings
from hypothesis import strategies as st

from token_economy import bpe

CORPUS = ("The cat sat on the mat. The dog sat on the log. " * 20
          + "Tokens are counted, priced and sold by the million. 1234567 tokens! " * 10)


def test_pair_counts_and_merge_by_hand():
    # [1, 2, 3, 1, 2]: pairs (1,2) twice, (2,3) once, (3,1) once
    assert bpe.pair_counts([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    assert bpe.pair_counts([]) == {} and bpe.pair_counts([5]) == {}
    assert bpe.merge([1, 2, 3, 1, 2], (1, 2), 9) == [9, 3, 9]
    # overlapping occurrences merge left to right: (7 7)(7 7) 7
    assert bpe.merge([7, 7, 7, 7, 7], (7, 7), 8) == [8, 8, 7]


def test_first_merges_on_a_tiny_corpus_by_hand():
    # "aaabdaaabac" (Wikipedia's BPE example), counted by hand:
    # a a a b d a a a b a c -> pairs: aa x4, ab x2, bd, da, ba, ac
    tok = bpe.train("aaabdaaabac", 257, pattern=None)
    assert tok.merges[0].token == b"aa" and tok.merges[0].count == 4
    # merge 'aa' = X (non-overlapping, from the left): X a b d X a b a c -> Xa x2, ab x2: a tie;
    # ab = (97, 98) has smaller ids than Xa = (256, 97), so Y = ab; then X Y d X Y a c -> XY x2
    tok = bpe.train("aaabdaaabac", 259, pattern=None)
    assert [m.token for m in tok.merges] == [b"aa", b"ab", b"aaab"]
    assert tok.encode("aaabdaaabac") == [258, 100, 258, 97, 99]


def test_training_stops_when_nothing_repeats():
    tok = bpe.train("abcdef", 1000)
    assert tok.vocab_size == 256 and tok.merges == []


def test_vocab_holds_every_merge_and_grows_by_one_per_merge():
    tok = bpe.train(CORPUS, 256 + 40)
    assert tok.vocab_size == 256 + len(tok.merges) == 296
    for m in tok.merges:
        assert tok.vocab[m.new_id] == tok.vocab[m.pair[0]] + tok.vocab[m.pair[1]] == m.token
    counts = [m.count for m in tok.merges]
    assert counts[0] == max(counts)


def test_training_is_deterministic():
    a = bpe.train(CORPUS, 300)
    b = bpe.train(CORPUS, 300)
    assert [m.pair for m in a.merges] == [m.pair for m in b.merges]


def test_merges_never_cross_a_chunk_boundary_with_the_split():
    tok = bpe.train(CORPUS, 400)
    for m in tok.merges:
        text = m.token.decode("utf-8", errors="replace")
        assert len(bpe.split_text(text)) <= 1, f"merge {text!r} spans two chunks"
    # without the split, some merge glues a word to the space after it
    loose = bpe.train(CORPUS, 400, pattern=None)
    assert any(m.token.endswith(b" ") and m.token.strip() for m in loose.merges)


def test_split_matches_tiktoken_cl100k_chunks():
    enc = tiktoken.get_encoding("cl100k_base")
    text = "Hello world! It's 2026: 1234567 tokens cost $0.15.\n\n  def f(x):\n\treturn x"
    theirs = regex.findall(enc._pat_str, text)  # private attribute: the test pins our copy to it
    assert bpe.split_text(text) == theirs


def test_truncated_and_compression_curve():
    tok = bpe.train(CORPUS, 300)
    assert bpe.truncated(tok, 0).encode("cat") == list(b"cat")
    curve = bpe.compression_curve(tok, {"corpus": CORPUS}, steps=5)
    assert curve.index[0] == 256 and curve.index[-1] == tok.vocab_size
    assert curve["corpus"].iloc[0] == 1.0  # bytes only: one byte per token
    assert curve["corpus"].is_monotonic_increasing


def test_learned_merges_are_tokens_tiktoken_also_has():
    # On English text the most frequent pairs are common enough that cl100k_base has them too.
    tok = bpe.train(CORPUS, 256 + 10)
    enc = tiktoken.get_encoding("cl100k_base")
    for m in tok.merges:
        assert enc.encode_single_token(m.token) >= 0


@pytest.mark.parametrize("bad", [255, -1, 2.5, "many", bpe.MAX_VOCAB_SIZE + 1])
def test_bad_vocab_size_is_named(bad):
    with pytest.raises(ValueError, match="vocab_size"):
        bpe.train("abc", bad)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="text"):
        bpe.train(b"bytes", 300)
    tok = bpe.train("aaaa", 257)
    with pytest.raises(ValueError, match="ids"):
        tok.decode([999])
    with pytest.raises(ValueError, match="ids"):
        bpe.bytes_per_token("x", [])
    with pytest.raises(ValueError, match="n_merges"):
        bpe.truncated(tok, 5)


def test_decoding_a_cut_character_is_lossy_not_an_error():
    tok = bpe.train("", 256)
    ids = tok.encode("é")  # two bytes, two tokens
    assert len(ids) == 2 and tok.decode(ids[:1]) == "\ufffd"


TRAINED = bpe.train(CORPUS + "Ünïcödé 词元 トークン 🙂🙂", 350)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_roundtrip_for_any_unicode(text):
    assert TRAINED.decode(TRAINED.encode(text)) == text
    assert bpe.bytes_per_token(text, TRAINED.encode(text) or [0]) >= 0


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=200), st.integers(256, 300))
def test_training_on_any_text_roundtrips_and_never_raises(text, size):
    tok = bpe.train(text, size)
    assert tok.vocab_size <= size
    assert tok.decode(tok.encode(text)) == text


@pytest.mark.parametrize("call, name", [
    (lambda: bpe.pair_counts([1, 2], weight=1e308), "weight"),
    (lambda: bpe.pair_counts([1, 2], weight=0.5), "weight"),
    (lambda: bpe.merge([1, 2], (1, 2), float("nan")), "new_id"),
    (lambda: bpe.merge([1, 2], (1, 2), -1), "new_id"),
    (lambda: bpe.compression_curve(bpe.train("low lower", 258), {"empty": ""}), "texts"),
    (lambda: bpe.compression_curve(bpe.train("low lower", 258), ["low"]), "texts"),
])
def test_bad_arguments_are_named(call, name):
    with pytest.raises(ValueError, match=name):
        call()
