"""A small byte-pair-encoding (BPE) trainer, written to be read.

Byte-pair encoding builds a vocabulary from data. Start from the 256 possible
bytes; count every pair of neighbouring tokens in the training text; give the
most frequent pair a new token id; replace it everywhere; repeat. Each round
adds one token, and the list of merges *is* the tokenizer::

    >>> tok = train("low lower lowest", vocab_size=258, pattern=None)
    >>> [(m.token, m.count) for m in tok.merges]
    [(b'lo', 3), (b'low', 3)]
    >>> tok.encode("lowest")
    [257, 101, 115, 116]
    >>> tok.decode(tok.encode("lowest"))
    'lowest'

Before counting, GPT-style tokenizers cut the text into chunks with a regular
expression (words with their leading space, runs of up to three digits,
punctuation, whitespace), and merges never cross a chunk boundary. Pass
``pattern=None`` to switch that off and see why it matters (notebook 02).

Training counts each distinct chunk once, weighted by how often it occurs, and
then keeps the counts up to date instead of counting again: a merge changes only
the pairs right next to each place it merges, in the chunks that hold the pair
(an index from pair to chunks finds them), and a heap hands out the most frequent
pair. Encoding applies merges the same way. That is enough to learn 768 merges on
the 130 kB teaching corpus in well under a second.

What it leaves out: special tokens, the byte reordering of tiktoken's
vocabularies, saving and loading, and speed (pure Python; tiktoken's encoder is
written in Rust). It follows the shape of Karpathy's minbpe.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import regex

from . import checks

#: The pre-split pattern of GPT-4's ``cl100k_base`` in the readable form used by
#: minbpe: contractions, words with one leading non-letter, 1-3 digits,
#: punctuation runs, newlines, other whitespace.
GPT4_SPLIT_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*"""
    r"""|\s*[\r\n]|\s+(?!\S)|\s+"""
)

#: Largest vocabulary :func:`train` accepts (a pure-Python trainer is for teaching).
MAX_VOCAB_SIZE = 256 + 20_000


def pair_counts(ids, counts: dict | None = None, weight: int = 1) -> dict[tuple[int, int], int]:
    """How often each pair of neighbours occurs in ``ids`` (added to ``counts`` if given).

    >>> pair_counts([1, 2, 3, 1, 2])
    {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    >>> pair_counts([1, 2], {(1, 2): 5}, weight=10)
    {(1, 2): 15}
    """
    weight = checks.whole("weight", weight, minimum=0)
    return _pair_counts(ids, {} if counts is None else counts, weight)


def _pair_counts(ids, counts: dict, weight: int) -> dict:
    # The unchecked inner loop of pair_counts (train calls it thousands of times).
    for pair in zip(ids, ids[1:]):
        counts[pair] = counts.get(pair, 0) + weight
    return counts


def merge(ids, pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every occurrence of ``pair`` in ``ids`` (left to right) by ``new_id``.

    >>> merge([1, 2, 3, 1, 2], (1, 2), 4)
    [4, 3, 4]
    >>> merge([7, 7, 7], (7, 7), 9)  # non-overlapping, from the left
    [9, 7]
    """
    return _merge(ids, pair, checks.whole("new_id", new_id, minimum=0))


def _merge(ids, pair, new_id: int) -> list[int]:
    # The unchecked inner loop of merge (training and encoding call it for every chunk).
    out, i, n = [], 0, len(ids)
    while i < n:
        if i < n - 1 and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def _occurrences(ids: list, pair) -> Iterator[int]:
    """Where ``merge`` replaces ``pair`` in ``ids``: its positions, left to right, not overlapping.

    >>> list(_occurrences([1, 2, 3, 1, 2], (1, 2)))
    [0, 3]
    >>> list(_occurrences([7, 7, 7, 7, 7], (7, 7)))
    [0, 2]
    """
    a, b = pair
    i, last = 0, len(ids) - 1
    while True:
        try:
            i = ids.index(a, i, last)  # list.index scans in C: much faster than a Python loop
        except ValueError:
            return
        if ids[i + 1] == b:
            yield i
            i += 2
        else:
            i += 1


def _merge_counted(ids: list, pair, new_id: int, changes: Counter, weight: int) -> list:
    """``merge(ids, pair, new_id)``, adding to ``changes`` how each pair count changes (times ``weight``).

    Only pairs next to a merged occurrence change: for ``x a b y`` -> ``x N y``, the pairs
    (x, a), (a, b), (b, y) go and (x, N), (N, y) come; every other pair stays. This is how
    training and encoding keep pair counts up to date without counting a chunk again.
    ``new_id`` must not occur in ``ids`` yet (true for a freshly made token).

    >>> changes = Counter()
    >>> _merge_counted([5, 1, 2, 1, 2, 3], (1, 2), 9, changes, weight=10)
    [5, 9, 9, 3]
    >>> dict(changes)  # 5 1 2 1 2 3 -> 5 9 9 3
    {(1, 2): -20, (5, 1): -10, (5, 9): 10, (2, 1): -10, (9, 9): 10, (2, 3): -10, (9, 3): 10}
    """
    a, b = pair
    out, done, n = [], 0, len(ids)  # ids[:done] are in out already
    for i in _occurrences(ids, pair):
        out += ids[done:i]  # the unchanged stretch before this occurrence
        changes[pair] -= weight
        if out:  # a left neighbour x
            if i > done:  # x is an old token (else it is the previous N, and (b, a) went with it)
                changes[(ids[i - 1], a)] -= weight
            changes[(out[-1], new_id)] += weight
        if i + 2 < n:  # a right neighbour y
            changes[(b, ids[i + 2])] -= weight
            if not (i + 3 < n and ids[i + 2] == a and ids[i + 3] == b):  # y is not merged next
                changes[(new_id, ids[i + 2])] += weight
        out.append(new_id)
        done = i + 2
    out += ids[done:]
    return out


def _apply_merges(ids: list, ranks: dict) -> Iterator[tuple[int, list[int]]]:
    """Encode ``ids`` step by step: yield ``(new_id, ids)`` after each merge, earliest-learned first.

    ``ranks`` maps a pair to its token id. The earliest-learned pair present is merged first,
    as in training; a merge only makes pairs with the new token, learned later, so the ids
    come out in increasing order and stopping before id ``256 + n`` gives the encoding by
    the first ``n`` merges.

    >>> [(new_id, ids) for new_id, ids in _apply_merges([1, 2, 1, 2, 3], {(1, 2): 256, (256, 256): 257})]
    [(256, [256, 256, 3]), (257, [257, 3])]
    """
    counts = _pair_counts(ids, {}, 1)
    queue = [(ranks[pair], pair) for pair in counts if pair in ranks]  # candidates, smallest id first
    heapq.heapify(queue)
    while queue:
        new_id, pair = heapq.heappop(queue)
        if counts.get(pair, 0) <= 0:
            continue  # merged away by an earlier merge
        changes = Counter()
        ids = _merge_counted(ids, pair, new_id, changes, 1)
        for p, c in changes.items():
            counts[p] = counts.get(p, 0) + c
            if c > 0 and p in ranks:
                heapq.heappush(queue, (ranks[p], p))
        yield new_id, ids


def split_text(text: str, pattern: str | None = GPT4_SPLIT_PATTERN) -> list[str]:
    """Cut ``text`` into the chunks BPE works inside (``pattern=None``: one chunk).

    >>> split_text("Hello world, 12345!")
    ['Hello', ' world', ',', ' ', '123', '45', '!']
    >>> split_text("Hello world", pattern=None)
    ['Hello world']
    """
    text = checks.text("text", text)
    if pattern is None:
        return [text] if text else []
    return regex.findall(pattern, text)


def _to_bytes(text: str) -> bytes:
    # "surrogatepass" keeps even lone surrogates, so decode(encode(s)) == s for every str.
    return text.encode("utf-8", errors="surrogatepass")


@dataclass(frozen=True)
class Merge:
    """One training step: ``pair`` became token ``new_id`` (bytes ``token``), seen ``count`` times."""

    rank: int
    pair: tuple[int, int]
    new_id: int
    token: bytes
    count: int

    @property
    def text(self) -> str:
        """The token as readable text (a space shown as itself, broken UTF-8 as \\ufffd)."""
        return self.token.decode("utf-8", errors="replace")


@dataclass
class BPETokenizer:
    """A trained byte-level BPE tokenizer: 256 byte tokens plus one token per merge."""

    merges: list[Merge]
    pattern: str | None = GPT4_SPLIT_PATTERN
    vocab: dict[int, bytes] = field(init=False, repr=False)
    _ranks: dict[tuple[int, int], int] = field(init=False, repr=False)
    _cache: dict[str, list[int]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self):
        self.vocab = {i: bytes([i]) for i in range(256)}
        self._ranks = {}
        for m in self.merges:
            self.vocab[m.new_id] = self.vocab[m.pair[0]] + self.vocab[m.pair[1]]
            self._ranks[m.pair] = m.new_id

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def _encode_chunk(self, chunk: str) -> list[int]:
        if chunk in self._cache:
            return self._cache[chunk]
        ids = list(_to_bytes(chunk))
        for _, ids in _apply_merges(ids, self._ranks):  # the earliest-learned merge first, as in training
            pass
        if len(self._cache) < 50_000:
            self._cache[chunk] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``.

        >>> train("aaab", 257, pattern=None).encode("aaaa")
        [256, 256]
        """
        return [i for chunk in split_text(text, self.pattern) for i in self._encode_chunk(chunk)]

    def decode(self, ids) -> str:
        """Text of a list of token ids (a cut through a character shows as \\ufffd).

        >>> tok = train("aaab", 257, pattern=None)
        >>> tok.decode([256, 98])
        'aab'
        """
        try:
            data = b"".join(self.vocab[i] for i in ids)
        except (KeyError, TypeError):
            raise ValueError(f"ids must be token ids between 0 and {self.vocab_size - 1}, got {ids!r}") from None
        try:
            return data.decode("utf-8", errors="surrogatepass")
        except UnicodeDecodeError:
            return data.decode("utf-8", errors="replace")


def train(text: str, vocab_size: int, pattern: str | None = GPT4_SPLIT_PATTERN) -> BPETokenizer:
    """Learn ``vocab_size - 256`` merges from ``text`` (fewer if no pair repeats any more).

    Ties between equally frequent pairs go to the smaller pair of ids, so training
    is deterministic.

    >>> tok = train("the cat the hat", vocab_size=259)
    >>> [(m.text, m.count) for m in tok.merges]  # 'at', 'th', 'he' tie at 2: 'at' has the smallest ids
    [('at', 2), ('he', 2), ('the', 2)]
    >>> train("abc", vocab_size=300).vocab_size  # every pair occurs once: nothing to merge
    256
    """
    text = checks.text("text", text)
    vocab_size = checks.whole("vocab_size", vocab_size, minimum=256, maximum=MAX_VOCAB_SIZE)
    chunks = Counter(split_text(text, pattern))
    words = [list(_to_bytes(chunk)) for chunk in chunks]  # each distinct chunk once ...
    weights = list(chunks.values())  # ... with how often it occurs
    stats: dict[tuple[int, int], int] = {}
    where: dict[tuple[int, int], set[int]] = {}  # pair -> the words that hold it
    for w, ids in enumerate(words):
        _pair_counts(ids, stats, weights[w])
        for pair in zip(ids, ids[1:]):
            where.setdefault(pair, set()).add(w)
    # The pairs by count, most frequent first, ties to the smaller pair (a heap). A pair whose
    # count changed gets a new entry; an entry whose count is out of date is skipped when it surfaces.
    queue = [(-count, pair) for pair, count in stats.items()]
    heapq.heapify(queue)
    vocab = {i: bytes([i]) for i in range(256)}
    merges: list[Merge] = []
    for new_id in range(256, vocab_size):
        while queue and stats.get(queue[0][1]) != -queue[0][0]:  # drop entries with an outdated count
            heapq.heappop(queue)
        if not queue or -queue[0][0] < 2:  # no pair repeats any more
            break
        count, pair = -queue[0][0], queue[0][1]
        vocab[new_id] = vocab[pair[0]] + vocab[pair[1]]
        merges.append(Merge(len(merges), pair, new_id, vocab[new_id], count))
        changed = set()
        for w in where.pop(pair):  # only these words change, and in them only the pairs around the merge
            changes = Counter()
            words[w] = _merge_counted(words[w], pair, new_id, changes, weights[w])
            for p, c in changes.items():
                stats[p] = stats.get(p, 0) + c
                if c > 0:
                    where.setdefault(p, set()).add(w)
            changed.update(changes)
        for p in changed:
            if stats[p] > 0:
                heapq.heappush(queue, (-stats[p], p))
            else:
                del stats[p]
    return BPETokenizer(merges, pattern)


def truncated(tok: BPETokenizer, n_merges: int) -> BPETokenizer:
    """The tokenizer ``tok`` would have been after its first ``n_merges`` merges.

    BPE training is incremental, so a smaller vocabulary is a prefix of the merges.

    >>> tok = train("low lower lowest", 258, pattern=None)
    >>> truncated(tok, 1).encode("low")
    [256, 119]
    """
    n = checks.whole("n_merges", n_merges, minimum=0, maximum=len(tok.merges))
    return BPETokenizer(tok.merges[:n], tok.pattern)


def compression_curve(tok: BPETokenizer, texts: dict[str, str], steps: int = 8) -> "pd.DataFrame":
    """Bytes per token of each text as the vocabulary grows from 256 to ``tok.vocab_size``.

    >>> tok = train("low lower lowest " * 3, 260)
    >>> compression_curve(tok, {"train": "lowest"}, steps=2)["train"].tolist()
    [1.0, 1.5]
    >>> compression_curve(tok, {"none": ""})
    Traceback (most recent call last):
    ...
    ValueError: texts['none'] is empty: an empty text has no compression to measure
    """
    import pandas as pd

    steps = checks.whole("steps", steps, minimum=2, maximum=200)
    if not isinstance(texts, dict):
        raise ValueError(f"texts must be a dict of name -> text, got {type(texts).__name__}")
    for name, text in texts.items():
        if not checks.text(f"texts[{name!r}]", text):
            raise ValueError(f"texts[{name!r}] is empty: an empty text has no compression to measure")
    sizes = sorted({round(i * len(tok.merges) / (steps - 1)) for i in range(steps)})
    # Same numbers as bytes_per_token(text, truncated(tok, n).encode(text)) for each n, in one pass.
    lengths = {name: _token_counts(tok, text, sizes) for name, text in texts.items()}
    rows = [{"vocab_size": 256 + n,
             **{name: len(_to_bytes(text)) / lengths[name][n] for name, text in texts.items()}} for n in sizes]
    return pd.DataFrame(rows).set_index("vocab_size")


def _token_counts(tok: BPETokenizer, text: str, sizes) -> dict[int, int]:
    """How many tokens ``truncated(tok, n).encode(text)`` has, for each ``n`` in ``sizes``.

    Each distinct chunk is encoded once: the encoding by the first ``n`` merges is the
    state just before the first merge numbered ``256 + n`` or above (see ``_apply_merges``).

    >>> tok = train("low lower lowest", 258, pattern=None)
    >>> _token_counts(tok, "lowest", [0, 1, 2]), [len(truncated(tok, n).encode("lowest")) for n in [0, 1, 2]]
    ({0: 6, 1: 5, 2: 4}, [6, 5, 4])
    """
    counts = dict.fromkeys(sizes, 0)
    for chunk, times in Counter(split_text(text, tok.pattern)).items():
        ids = list(_to_bytes(chunk))
        steps = [(new_id, len(merged)) for new_id, merged in _apply_merges(ids, tok._ranks)]
        for n in sizes:
            length = len(ids)
            for new_id, length_after in steps:
                if new_id >= 256 + n:
                    break
                length = length_after
            counts[n] += times * length
    return counts


def bytes_per_token(text: str, ids) -> float:
    """Compression: UTF-8 bytes of ``text`` per token (higher means fewer tokens for the same text).

    >>> bytes_per_token("hello", [1, 2])
    2.5
    """
    text = checks.text("text", text)
    if len(ids) == 0:
        raise ValueError("ids must hold at least one token to measure compression")
    return len(_to_bytes(text)) / len(ids)


#: Sections of the Python language reference used as training and held-out text.
TRAIN_TOPICS = ("execmodel", "naming", "exceptions", "objects", "types", "import", "compound", "assignment")
HELD_OUT_TOPICS = ("class", "function", "for", "while", "try", "with", "comparisons", "numbers")


def teaching_corpus() -> tuple[str, str]:
    """English training text and held-out text that every Python installation has offline.

    Both are sections of the Python language reference, which ships inside the
    standard library (``pydoc_data.topics``, the text behind ``help()``); the
    exact text differs a little between Python versions. If a stripped-down
    Python lacks it, the docstrings of this library are used instead.

    >>> train_text, held_out = teaching_corpus()
    >>> len(train_text) > 20_000 and len(held_out) > 5_000
    True
    """
    try:
        from pydoc_data.topics import topics
    except ImportError:  # pragma: no cover - only on Pythons built without pydoc_data
        import importlib
        import pkgutil

        import token_economy

        docs = [importlib.import_module(f"token_economy.{m.name}").__doc__ or ""
                for m in pkgutil.iter_modules(token_economy.__path__) if not m.ispkg]
        text = "\n\n".join(docs) * 3
        cut = int(len(text) * 0.8)
        return text[:cut], text[cut:]
    return ("\n\n".join(topics.get(k, "") for k in TRAIN_TOPICS),
            "\n\n".join(topics.get(k, "") for k in HELD_OUT_TOPICS))
