"""Model collapse, simulated: models trained on the output of earlier models.

Two small, exact simulations of the loop studied by Shumailov et al., "AI models
collapse when trained on recursively generated data", Nature 631, 755-759 (2024):
fit a model to data, sample new data from the fit, fit the next model to that,
and repeat. A share of each generation's data can be fresh human data instead.

1. **A Gaussian** (the paper's Theorem 3.1): fit mean and standard deviation to
   ``M`` samples, draw ``M`` new samples from the fit, refit, for many runs at once::

       >>> g = gaussian_generations(sample_size=10, generations=200, runs=400, seed=1)
       >>> g.std.shape                        # runs x (generations + 1)
       (400, 201)
       >>> bool(np.median(g.std[:, -1]) < 0.1 * np.median(g.std[:, 0]))
       True

2. **Words**: a word bigram model of a public-domain play (``data/corpora/``),
   retrained on its own text generation after generation, measured by the words it
   can still produce, the entropy of its word distribution and its perplexity on
   held-out human text (see :func:`text_generations`).

Everything is vectorised with NumPy and seeded with ``numpy.random.default_rng``:
the same arguments give the same numbers.

What it leaves out: neural networks and fine-tuning (the paper fine-tunes OPT-125m
on wikitext2; a bigram model shows the same statistical mechanism, the loss of rare
events by finite sampling, in milliseconds), sampling tricks such as temperature or
beam search, and data that accumulate across generations (here each generation
replaces the last, as in the paper's theorem).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from . import checks, data

#: Caps on the simulations' work, so an absurd argument gets a message instead of minutes of
#: computing (or an out-of-memory error). Notebook 07 uses at most 2e7 draws and 1.5e6 words.
MAX_DRAWS = 50_000_000            # runs x sample_size x (generations + 1) normal draws: about 1 s
MAX_WORDS_WRITTEN = 20_000_000    # words_per_generation x (generations + 1) words written: about 1 s
MAX_VOCABULARY = 1_000_000        # distinct words of a bigram model (Hamlet has about 4,500)
# --------------------------------------------------------------------------------------
# 1. The Gaussian
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GaussianRuns:
    """Fitted means and standard deviations, shape ``(runs, generations + 1)``.

    Column 0 is the fit to human data (``M`` draws from the standard normal);
    column ``g`` is the fit to the data sampled from fit ``g - 1``.
    """

    mean: np.ndarray
    std: np.ndarray
    sample_size: int
    human_share: float
    human_per_generation: int
    unbiased: bool

    @property
    def generations(self) -> int:
        return self.std.shape[1] - 1

    @property
    def runs(self) -> int:
        return self.std.shape[0]


def gaussian_generations(sample_size, generations, runs=200, *, human_share=0.0, seed=0,
                         unbiased=True, progress=None) -> GaussianRuns:
    """Fit a normal distribution to ``sample_size`` points, sample from the fit, refit, ``generations`` times.

    The human data are draws from N(0, 1). In every later generation a share
    ``human_share`` of the ``sample_size`` points is fresh human data (rounded to whole
    points) and the rest is drawn from the previous fit. ``unbiased=True`` fits the
    variance with the ``M - 1`` divisor, as in the paper's theorem; ``False`` uses the
    maximum-likelihood ``M`` divisor. All runs are simulated at once;
    ``progress(g, generations)`` is called after each generation (for a progress bar).

    >>> g = gaussian_generations(sample_size=5, generations=3, runs=2, seed=0)
    >>> g.mean.shape, g.human_per_generation
    ((2, 4), 0)
    >>> gaussian_generations(5, 3, human_share=0.5).human_per_generation   # 2.5 rounds to 2
    2
    >>> gaussian_generations(1, 3)
    Traceback (most recent call last):
    ...
    ValueError: sample_size must be at least 2, got 1
    >>> gaussian_generations(1000, 1000, runs=1000)
    Traceback (most recent call last):
    ...
    ValueError: runs x sample_size x (generations + 1) = 1,001,000,000 draws is more than 50,000,000 ...
    """
    m = checks.whole("sample_size", sample_size, minimum=2, maximum=MAX_DRAWS)
    n_gen = checks.whole("generations", generations, minimum=0, maximum=MAX_DRAWS)
    n_runs = checks.whole("runs", runs, minimum=1, maximum=MAX_DRAWS)
    share = checks.fraction("human_share", human_share)
    seed = checks.whole("seed", seed, minimum=0)
    if n_runs * m * (n_gen + 1) > MAX_DRAWS:
        raise ValueError(f"runs x sample_size x (generations + 1) = {n_runs * m * (n_gen + 1):,} draws is more than "
                         f"{MAX_DRAWS:,} (about a second of computing): make runs, sample_size or generations smaller")
    n_human = int(round(share * m))
    n_model = m - n_human
    ddof = 1 if unbiased else 0

    rng = np.random.default_rng(seed)
    mean = np.empty((n_runs, n_gen + 1))
    std = np.empty((n_runs, n_gen + 1))
    x = rng.standard_normal((n_runs, m))
    mean[:, 0], std[:, 0] = x.mean(axis=1), x.std(axis=1, ddof=ddof)
    for g in range(1, n_gen + 1):
        x[:, :n_model] = mean[:, g - 1, None] + std[:, g - 1, None] * rng.standard_normal((n_runs, n_model))
        x[:, n_model:] = rng.standard_normal((n_runs, n_human))
        mean[:, g], std[:, g] = x.mean(axis=1), x.std(axis=1, ddof=ddof)
        if progress is not None:
            progress(g, n_gen)
    return GaussianRuns(mean, std, m, share, n_human, bool(unbiased))


def spread_summary(runs: GaussianRuns, quantiles=(0.1, 0.5, 0.9)) -> pd.DataFrame:
    """Per generation: quantiles of the fitted standard deviation over runs, and mean and median variance.

    >>> s = spread_summary(gaussian_generations(10, 2, runs=50, seed=0))
    >>> list(s.columns)
    ['std_q10', 'std_q50', 'std_q90', 'mean_variance', 'median_variance']
    >>> s.index.name, len(s)
    ('generation', 3)
    """
    qs = np.quantile(runs.std, quantiles, axis=0)
    out = pd.DataFrame({f"std_q{round(q * 100):02d}": row for q, row in zip(quantiles, qs)})
    var = runs.std ** 2
    out["mean_variance"] = var.mean(axis=0)
    out["median_variance"] = np.median(var, axis=0)
    out.index.name = "generation"
    return out


def _digamma_minus_log(x: float) -> float:
    """``digamma(x) - ln(x)`` for x > 0 (recurrence, then the asymptotic series).

    Computed without forming ``ln(x)`` for large x, so it stays accurate (about ``-1/(2x)``)
    where ``digamma(x)`` and ``ln(x)`` agree to more digits than a float holds.
    """
    result, start = 0.0, x
    while x < 6:
        result -= 1 / x
        x += 1
    if x != start:
        result += math.log(x / start)
    f = 1 / (x * x)
    return result - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))))


def log_variance_drift(sample_size, unbiased=True) -> float:
    """Expected change of the log of the fitted variance per generation, with no human data.

    Each refit multiplies the variance by ``chi2(M-1) / (M-1)`` (unbiased) or
    ``chi2(M-1) / M`` (maximum likelihood), so the log variance is a random walk whose
    step has mean ``digamma((M-1)/2) + ln(2/(M-1))`` (plus ``ln((M-1)/M)``). The mean
    is negative: the typical run shrinks, even though the unbiased variance keeps its
    average. For large ``M`` the step is close to ``-1/(M-1)``.

    >>> round(log_variance_drift(100), 5), round(-1 / 99, 5)
    (-0.01014, -0.0101)
    >>> round(log_variance_drift(100, unbiased=False), 5)      # about -2/M
    -0.02019
    >>> log_variance_drift(10**15) * 1e15                     # still about -1/(M - 1)
    -1.0...
    """
    m = checks.whole("sample_size", sample_size, minimum=2)
    k = m - 1
    drift = _digamma_minus_log(k / 2)   # digamma(k/2) + ln(2/k)
    return drift if unbiased else drift + math.log1p(-1 / m)


def halving_generations(sample_size, unbiased=True) -> float:
    """Generations after which the typical (median) fitted variance has halved: ``ln 2 / -drift``.

    >>> round(halving_generations(10), 1), round(halving_generations(100), 1)
    (6.0, 68.4)
    >>> f"{halving_generations(10**18):.2e}"                  # 0.69 (M - 1): finite for any checked M
    '6.93e+17'
    """
    return math.log(2) / -log_variance_drift(sample_size, unbiased)


def median_halving_generation(runs: GaussianRuns) -> int | None:
    """First generation at which the median fitted variance of ``runs`` is at most half the truth (1).

    The simulated counterpart of :func:`halving_generations`; None if it never halves.

    >>> median_halving_generation(gaussian_generations(10, 60, runs=400, seed=1)) is not None
    True
    >>> median_halving_generation(gaussian_generations(10, 60, runs=50, human_share=1.0, seed=1)) is None
    True
    """
    if not isinstance(runs, GaussianRuns):
        raise ValueError(f"runs must be the result of gaussian_generations, got {type(runs).__name__}")
    below = np.median(runs.std ** 2, axis=0) <= 0.5
    return int(np.argmax(below)) if below.any() else None


def _finite_array(name: str, values) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a number or an array of numbers") from None
    if not np.isfinite(arr).all() or (np.abs(arr) > checks.LIMIT).any():
        raise ValueError(f"{name} must hold finite numbers of at most {checks.LIMIT:.0e} in size")
    return arr


def tail_mass(mean, std, beyond=2.0) -> np.ndarray:
    """Probability that N(mean, std) puts beyond ``beyond`` (both sides), elementwise.

    >>> round(float(tail_mass(0.0, 1.0, 2.0)), 4)      # the original 2-sigma tails
    0.0455
    >>> float(tail_mass(0.0, 0.5, 2.0)) < 0.0001       # half the spread: almost no tail left
    True
    """
    b = checks.positive("beyond", beyond)
    mean, std = _finite_array("mean", mean), _finite_array("std", std)
    if (std < 0).any():
        raise ValueError("std must not be negative")
    sf = np.frompyfunc(lambda z: 0.5 * math.erfc(z / math.sqrt(2)), 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        upper = (b - mean) / std
        lower = (b + mean) / std
    # std = 0 is a point mass: nothing lies beyond a bound it sits exactly on (0 / 0 -> z = +inf).
    upper, lower = np.where(np.isnan(upper), np.inf, upper), np.where(np.isnan(lower), np.inf, lower)
    return np.asarray(sf(upper) + sf(lower), dtype=float)


# --------------------------------------------------------------------------------------
# 2. Words
# --------------------------------------------------------------------------------------

WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")

#: Frequency bands of words in the human training text, for "which words go first".
BANDS = ((1, 1, "seen once"), (2, 4, "2-4 times"), (5, 19, "5-19 times"), (20, None, "20+ times"))


def words(text: str) -> list[str]:
    """Lower-case words (letters and inner apostrophes); punctuation and digits dropped.

    >>> words("To be, or not to be: that is the question. 'Tis NOBLER!")
    ['to', 'be', 'or', 'not', 'to', 'be', 'that', 'is', 'the', 'question', 'tis', 'nobler']
    """
    return WORD.findall(checks.text("text", text).lower())


@dataclass(frozen=True)
class Corpus:
    """A human text from ``data/corpora.csv``, split into training rows and held-out words.

    ``train`` is an int array of shape ``(rows, row_length)`` of word ids; ``held_out``
    is a 1-D int array where id ``len(vocabulary)`` stands for a word the training
    text never uses. Every tenth block of ``row_length`` words is held out.
    """

    corpus_id: str
    title: str
    author: str
    vocabulary: np.ndarray
    train: np.ndarray
    held_out: np.ndarray
    record: pd.Series = field(repr=False, compare=False)

    @property
    def vocabulary_size(self) -> int:
        return len(self.vocabulary)

    @property
    def train_words(self) -> int:
        return self.train.size


def corpus_record(corpus) -> pd.Series:
    """The row of ``data/corpora.csv`` for an id (``"hamlet"``) or a record (returned as is)."""
    if isinstance(corpus, pd.Series):
        return corpus
    corpus = checks.text("corpus", corpus)
    table = data.load("corpora").set_index("corpus_id", drop=False)
    if corpus not in table.index:
        raise ValueError(f"corpus must be one of {', '.join(table.index)}, got {corpus!r}")
    return table.loc[corpus]


def read_text(corpus) -> str:
    """The text of a corpus, checked against the sha256 recorded in ``data/corpora.csv``.

    >>> read_text("hamlet")[:9]
    'HAMLET, P'
    """
    record = corpus_record(corpus)
    raw = (data.data_dir() / record["file"]).read_bytes()
    if hashlib.sha256(raw).hexdigest() != record["sha256"]:
        raise ValueError(f"corpus file {record['file']} does not match its sha256 in corpora.csv")
    return raw.decode("utf-8")


def load_corpus(corpus="hamlet", row_length=50) -> Corpus:
    """Read, tokenize and split a corpus (cached per id and row length).

    >>> c = load_corpus("hamlet")
    >>> c.train.shape[1], c.vocabulary_size > 4000, 0.09 < c.held_out.size / (c.train.size + c.held_out.size) < 0.11
    (50, True, True)
    """
    record = corpus_record(corpus)
    length = checks.whole("row_length", row_length, minimum=2, maximum=1000)
    return _load_corpus(record["corpus_id"], length)


@lru_cache(maxsize=8)
def _load_corpus(corpus_id: str, length: int) -> Corpus:
    record = corpus_record(corpus_id)
    tokens = np.array(words(read_text(record)))
    blocks = len(tokens) // length
    tokens = tokens[: blocks * length].reshape(blocks, length)
    is_held_out = np.arange(blocks) % 10 == 9
    vocabulary, train = np.unique(tokens[~is_held_out], return_inverse=True)
    held = tokens[is_held_out].ravel()
    pos = np.searchsorted(vocabulary, held).clip(max=len(vocabulary) - 1)
    held_ids = np.where(vocabulary[pos] == held, pos, len(vocabulary))
    return Corpus(record["corpus_id"], record["title"], record["author"], vocabulary,
                  train.reshape(-1, length), held_ids, record)


@dataclass(frozen=True)
class Bigram:
    """Word-pair counts of a text, sorted by (previous word, next word), ready to sample from.

    ``keys`` holds one entry per pair occurrence (``previous * V + next``), sorted, so
    the pairs starting with word ``v`` fill the slice ``row_start[v]`` to
    ``row_start[v] + row_total[v]``: drawing a uniform slot of that slice draws the next
    word in proportion to its count.
    """

    vocabulary_size: int
    keys: np.ndarray          # previous * V + next, one per pair occurrence, sorted
    row_start: np.ndarray     # per previous word: index of its first pair in keys
    row_total: np.ndarray     # per previous word: how many pairs start with it
    unigram: np.ndarray       # per word: how often it occurs
    tokens: np.ndarray        # the text itself, flattened (to draw start words)

    def pair_counts(self, previous, following) -> np.ndarray:
        """How often each (previous, following) pair occurs (0 for unseen pairs)."""
        keys = np.asarray(previous, dtype=np.int64) * self.vocabulary_size + following
        return np.searchsorted(self.keys, keys, side="right") - np.searchsorted(self.keys, keys, side="left")


def fit_bigram(rows: np.ndarray, vocabulary_size: int) -> Bigram:
    """Count word pairs within each row (a row is one passage; pairs never cross rows).

    >>> b = fit_bigram(np.array([[0, 1, 0, 1], [1, 1, 0, 2]]), 3)
    >>> b.keys.tolist()                  # pairs 0-1, 0-1, 0-2, 1-0, 1-0, 1-1 as 3 * previous + next
    [1, 1, 2, 3, 3, 4]
    >>> b.row_start.tolist(), b.row_total.tolist(), b.unigram.tolist()
    ([0, 3, 6], [3, 3, 0], [3, 4, 1])
    >>> b.pair_counts([0, 1, 2], [1, 1, 0]).tolist()
    [2, 1, 0]
    >>> fit_bigram(np.array([[0, 5]]), 3)
    Traceback (most recent call last):
    ...
    ValueError: rows must hold word ids from 0 to vocabulary_size - 1 = 2, got ids from 0 to 5
    """
    v = checks.whole("vocabulary_size", vocabulary_size, minimum=1, maximum=MAX_VOCABULARY)
    rows = _word_rows(rows, v)
    prev, nxt = rows[:, :-1].ravel(), rows[:, 1:].ravel()
    keys = np.sort(prev.astype(np.int64) * v + nxt)
    row_total = np.bincount(prev, minlength=v).astype(np.int64)
    row_start = np.concatenate(([0], np.cumsum(row_total)[:-1]))
    unigram = np.bincount(rows.ravel(), minlength=v)
    return Bigram(v, keys, row_start, row_total, unigram, rows.ravel())


def _word_rows(rows, vocabulary_size: int) -> np.ndarray:
    """``rows`` as a 2-D int64 array of word ids below ``vocabulary_size``, else ValueError naming rows."""
    try:
        arr = np.asarray(rows)
    except Exception:  # noqa: BLE001 - ragged lists and other oddities
        raise ValueError("rows must be a 2-D array of word ids (one row per passage)") from None
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 2:
        raise ValueError(f"rows must be a 2-D array of word ids with at least one row of two words, "
                         f"got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind != "f" or not np.isfinite(arr).all() or (arr != np.round(arr)).any():
            raise ValueError(f"rows must hold whole-number word ids, got dtype {arr.dtype}")
    if arr.min() < 0 or arr.max() >= vocabulary_size:
        raise ValueError(f"rows must hold word ids from 0 to vocabulary_size - 1 = {vocabulary_size - 1}, "
                         f"got ids from {arr.min():g} to {arr.max():g}")
    return arr.astype(np.int64, copy=False)


def sample_bigram(model: Bigram, rows: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Write ``rows`` passages of ``length`` words with the bigram model, all passages at once.

    Each passage starts at a word drawn from the model's text; each next word is drawn
    in proportion to how often it followed the current word. A word that never had a
    successor restarts from a random word of the text.

    >>> b = fit_bigram(np.array([[0, 1, 0, 1, 0, 1]]), 3)
    >>> sample_bigram(b, 2, 4, np.random.default_rng(0)).tolist()     # 0 and 1 alternate
    [[1, 0, 1, 0], [1, 0, 1, 0]]
    """
    rows = checks.whole("rows", rows, minimum=0, maximum=MAX_WORDS_WRITTEN)
    length = checks.whole("length", length, minimum=1, maximum=MAX_WORDS_WRITTEN)
    if rows * length > MAX_WORDS_WRITTEN:
        raise ValueError(f"rows x length = {rows * length:,} words is more than {MAX_WORDS_WRITTEN:,}: "
                         "ask for fewer rows or shorter ones")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator (numpy.random.default_rng(seed)), "
                         f"got {type(rng).__name__}")
    out = np.empty((rows, length), dtype=np.int64)
    out[:, 0] = model.tokens[rng.integers(model.tokens.size, size=rows)]
    successors = model.keys % model.vocabulary_size
    last = successors.size - 1
    for t in range(1, length):
        cur = out[:, t - 1]
        total = model.row_total[cur]
        slot = model.row_start[cur] + (rng.random(rows) * total).astype(np.int64)
        nxt = successors[np.minimum(slot, last)]
        dead = total == 0
        if dead.any():
            nxt[dead] = model.tokens[rng.integers(model.tokens.size, size=int(dead.sum()))]
        out[:, t] = nxt
    return out


def held_out_perplexity(model: Bigram, held_out: np.ndarray, weight=0.8, k=0.1) -> float:
    """Perplexity of an interpolated bigram model on held-out word ids (lower is better).

    Smoothing keeps it finite for words the model can no longer produce: the unigram
    part is add-``k`` over the original vocabulary plus one "unknown word" slot, and the
    bigram part gets ``weight`` (0.8) where the previous word has successors, else 0::

        p(w | v) = weight * c(v, w) / c(v) + (1 - weight) * (c(w) + k) / (N + k (V + 1))

    >>> b = fit_bigram(np.array([[0, 1, 0, 1]]), 2)
    >>> # every held-out pair is seen: 0.8 * 1 + 0.2 * (2 + 0.1) / (4 + 0.1 * 3) = 0.8977; 1 / 0.8977 = 1.114
    >>> round(held_out_perplexity(b, np.array([0, 1, 0, 1])), 3)
    1.114
    >>> held_out_perplexity(b, np.array([0, 2, 2])) < float("inf")      # 2 = unknown word
    True
    """
    lam = checks.fraction("weight", weight)
    k = checks.positive("k", k)
    v = model.vocabulary_size
    unigram = np.append(model.unigram, 0).astype(float)
    p_uni = (unigram + k) / (unigram.sum() + k * (v + 1))
    prev, nxt = held_out[:-1], held_out[1:]
    known = (prev < v) & (nxt < v)
    pair = np.where(known, model.pair_counts(np.minimum(prev, v - 1), np.minimum(nxt, v - 1)), 0)
    row = np.append(model.row_total, 0)[prev]
    lam_row = np.where(row > 0, lam, 0.0)
    p = lam_row * pair / np.maximum(row, 1) + (1 - lam_row) * p_uni[nxt]
    return float(np.exp(-np.mean(np.log(p))))


def entropy_bits(counts) -> float:
    """Shannon entropy of a count vector, in bits (zeros ignored).

    >>> entropy_bits([1, 1, 1, 1]), entropy_bits([5, 0, 0]), entropy_bits([3, 1])
    (2.0, 0.0, 0.8112781244591328)
    """
    c = np.asarray(counts, dtype=float)
    c = c[c > 0]
    p = c / c.sum()
    return float(-(p * np.log2(p)).sum()) + 0.0


@dataclass(frozen=True)
class TextRun:
    """What happened over the generations of one text simulation.

    ``metrics``: one row per generation (vocabulary, entropy, perplexity ...);
    ``survival``: share of the original words still in use, by frequency band;
    ``samples``: a line written by each generation's model.
    """

    corpus: Corpus
    human_share: float
    words_per_generation: int
    metrics: pd.DataFrame
    survival: pd.DataFrame
    samples: dict = field(repr=False)


def text_generations(corpus="hamlet", generations=20, *, human_share=0.0, words_per_generation=None,
                     seed=0, progress=None) -> TextRun:
    """Train a word bigram model on human text, then on its own text, ``generations`` times.

    Model 0 is fitted to the human training text. Model ``g`` is fitted to
    ``words_per_generation`` words (default: as many as the human text), of which a
    share ``human_share`` are fresh passages of the human text, drawn at random each
    generation, and the rest are written by model ``g - 1``. ``progress(g, generations)``
    is called after each generation (for a progress bar).

    >>> run = text_generations("hamlet", generations=3, seed=0)
    >>> list(run.metrics.columns)
    ['vocabulary', 'vocabulary_kept', 'entropy_bits', 'held_out_perplexity', 'human_words']
    >>> run.metrics["vocabulary"].is_monotonic_decreasing      # no human data: words only vanish
    True
    """
    c = load_corpus(corpus)
    n_gen = checks.whole("generations", generations, minimum=0)
    share = checks.fraction("human_share", human_share)
    seed = checks.whole("seed", seed, minimum=0)
    length = c.train.shape[1]
    if words_per_generation is None:
        words_per_generation = c.train_words
    n_words = checks.whole("words_per_generation", words_per_generation, minimum=length,
                           maximum=MAX_WORDS_WRITTEN)
    if n_words * (n_gen + 1) > MAX_WORDS_WRITTEN:
        raise ValueError(f"words_per_generation x (generations + 1) = {n_words * (n_gen + 1):,} words is more "
                         f"than {MAX_WORDS_WRITTEN:,} (about a second of computing): "
                         "make generations or words_per_generation smaller")
    rows = n_words // length
    n_human = int(round(share * rows))
    rng = np.random.default_rng(seed)

    original = np.bincount(c.train.ravel(), minlength=c.vocabulary_size)
    bands = {label: (original >= lo) & ((original <= hi) if hi else True) for lo, hi, label in BANDS}
    records, survival, samples = [], [], {}
    current = c.train
    for g in range(n_gen + 1):
        model = fit_bigram(current, c.vocabulary_size)
        present = model.unigram > 0
        human_words = c.train_words if g == 0 else n_human * length
        records.append((int(present.sum()), present.sum() / c.vocabulary_size, entropy_bits(model.unigram),
                        held_out_perplexity(model, c.held_out), human_words))
        survival.append([present[mask].mean() for mask in bands.values()])
        written = sample_bigram(model, rows - n_human + 1, length, rng)
        samples[g] = " ".join(c.vocabulary[written[-1, :20]])
        if g < n_gen:
            fresh = c.train[rng.choice(c.train.shape[0], n_human, replace=n_human > c.train.shape[0])]
            current = np.concatenate([written[:-1], fresh])
        if progress is not None:
            progress(g, n_gen)
    metrics = pd.DataFrame(records, columns=["vocabulary", "vocabulary_kept", "entropy_bits",
                                             "held_out_perplexity", "human_words"])
    metrics.index.name = "generation"
    survival = pd.DataFrame(survival, columns=list(bands))
    survival.index.name = "generation"
    return TextRun(c, share, rows * length, metrics, survival, samples)


def band_sizes(corpus="hamlet") -> pd.Series:
    """How many distinct words of the human training text fall in each frequency band.

    >>> s = band_sizes("hamlet")
    >>> list(s.index) == [label for _, _, label in BANDS] and int(s.sum()) == load_corpus("hamlet").vocabulary_size
    True
    """
    c = load_corpus(corpus)
    original = np.bincount(c.train.ravel(), minlength=c.vocabulary_size)
    return pd.Series({label: int(((original >= lo) & ((original <= hi) if hi else True)).sum())
                      for lo, hi, label in BANDS}, name="words")
