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


# --- The fast trainer and encoder against a straightforward reference -------------------------------
# train() keeps pair counts up to date (only the pairs around each merge change) and picks the best
# pair from a heap; the encoder and compression_curve apply merges the same way. These references
# count everything again at every step, as the notebook's loop does; the results must be identical.

def reference_train(text, vocab_size, pattern=bpe.GPT4_SPLIT_PATTERN):
    chunks = [list(chunk.encode("utf-8", errors="surrogatepass")) for chunk in bpe.split_text(text, pattern)]
    merges = []
    for new_id in range(256, vocab_size):
        stats = {}
        for ids in chunks:
            bpe.pair_counts(ids, stats)
        if not stats:
            break
        pair = max(stats, key=lambda p: (stats[p], -p[0], -p[1]))
        if stats[pair] < 2:
            break
        merges.append((pair, new_id, stats[pair]))
        chunks = [bpe.merge(ids, pair, new_id) for ids in chunks]
    return merges


def reference_encode(tok, text):
    ranks = {m.pair: m.new_id for m in tok.merges}
    out = []
    for chunk in bpe.split_text(text, tok.pattern):
        ids = list(chunk.encode("utf-8", errors="surrogatepass"))
        while len(ids) >= 2:
            pair = min(zip(ids, ids[1:]), key=lambda p: ranks.get(p, float("inf")))
            if pair not in ranks:
                break
            ids = bpe.merge(ids, pair, ranks[pair])
        out += ids
    return out


REFERENCE_TEXTS = {
    "corpus": CORPUS,
    "runs": "aaaaaaa aaaa aaa " * 5 + "abababab abab " * 4 + "aabbaabb " * 3,
    "non-ASCII": "Ünïcödé 词元 トークン 🙂🙂 Привет, привет мир! " * 6,
    "teaching": bpe.teaching_corpus()[0][:4_000],
}


@pytest.mark.parametrize("pattern", [bpe.GPT4_SPLIT_PATTERN, None], ids=["split", "no split"])
@pytest.mark.parametrize("name", list(REFERENCE_TEXTS))
def test_trainer_and_encoder_equal_a_full_recount(name, pattern):
    text = REFERENCE_TEXTS[name]
    tok = bpe.train(text, 256 + 120, pattern=pattern)
    assert [(m.pair, m.new_id, m.count) for m in tok.merges] == reference_train(text, 256 + 120, pattern)
    assert len(tok.merges) >= 10  # enough merges for the comparison to mean something
    for other in REFERENCE_TEXTS.values():
        assert tok.encode(other) == reference_encode(tok, other)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab c\u00e9\n", max_size=300), st.integers(256, 330), st.booleans())
def test_trainer_equals_a_full_recount_on_any_text(text, size, split):
    pattern = bpe.GPT4_SPLIT_PATTERN if split else None
    tok = bpe.train(text, size, pattern=pattern)
    assert [(m.pair, m.new_id, m.count) for m in tok.merges] == reference_train(text, size, pattern)
    assert tok.encode(text[::-1]) == reference_encode(tok, text[::-1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 3), max_size=40), st.integers(0, 3), st.integers(0, 3), st.integers(1, 5))
def test_merge_counted_changes_exactly_the_pair_counts(ids, a, b, weight):
    changes = bpe.Counter()
    merged = bpe._merge_counted(ids, (a, b), 9, changes, weight)
    assert merged == bpe.merge(ids, (a, b), 9)
    before, after = bpe.pair_counts(ids, weight=weight), bpe.pair_counts(merged, weight=weight)
    for pair in set(before) | set(after) | set(changes):
        assert changes[pair] == after.get(pair, 0) - before.get(pair, 0), pair


@pytest.mark.parametrize("pattern", [bpe.GPT4_SPLIT_PATTERN, None], ids=["split", "no split"])
def test_compression_curve_equals_encoding_with_each_truncated_vocabulary(pattern):
    tok = bpe.train(CORPUS + REFERENCE_TEXTS["runs"] + REFERENCE_TEXTS["non-ASCII"], 256 + 90, pattern=pattern)
    texts = {name: text[:2_000] for name, text in REFERENCE_TEXTS.items()}
    curve = bpe.compression_curve(tok, texts, steps=6)
    assert list(curve.columns) == list(texts)
    for size, row in curve.iterrows():
        small = bpe.truncated(tok, size - 256)
        for name, text in texts.items():
            assert row[name] == bpe.bytes_per_token(text, reference_encode(small, text)), (size, name)
