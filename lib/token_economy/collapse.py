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
MAX_WORDS_KEPT = 2_000_000        # words of recent text simulations kept for reuse (or accumulated): 24 MB
MAX_KEPT_FITS = 1_500_000         # fitted (mean, sd) pairs of recent Gaussian simulations kept for reuse: 24 MB
# --------------------------------------------------------------------------------------
# 1. The Gaussian
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GaussianRuns:
    """Fitted means and standard deviations, shape ``(runs, generations + 1)``.

    Column 0 is the fit to human data (``M`` draws from the standard normal);
    column ``g`` is the fit to the data of generation ``g`` (see :func:`gaussian_generations`).
    """

    mean: np.ndarray
    std: np.ndarray
    sample_size: int
    human_share: float
    human_per_generation: int
    unbiased: bool
    accumulate: bool = False

    @property
    def generations(self) -> int:
        return self.std.shape[1] - 1

    @property
    def runs(self) -> int:
        return self.std.shape[0]


#: Normal draws per block of generations: the random numbers of several generations are drawn at once.
_BLOCK_DRAWS = 250_000


class _GaussianLoop:
    """The state of one Gaussian simulation, which can be extended by more generations.

    A run of ``G`` generations is the first ``G + 1`` columns of a longer run with the
    same settings (the random numbers are drawn in the same order), so a simulation is
    kept and extended instead of being started again. Each generation's data are ``M``
    points: ``z`` are standard normal draws, the model-written points are
    ``mean + std * z`` and the human points are fresh standard normal draws. Only the
    mean and the sum of squared deviations of each block are needed, computed from ``z``
    (so a spread of 1e-30 loses no digits), and combined with the pooled-variance rule.
    """

    def __init__(self, m: int, runs: int, share: float, seed: int, unbiased: bool, accumulate: bool):
        self.m, self.runs, self.share, self.accumulate = m, runs, share, accumulate
        self.n_human = int(round(share * m))
        self.n_model = m - self.n_human
        self.ddof = 1 if unbiased else 0
        self.unbiased = unbiased
        self.rng = np.random.default_rng(seed)
        x = self.rng.standard_normal((runs, m))
        mean = x.mean(axis=1)
        ss = np.einsum("ij,ij->i", x - mean[:, None], x - mean[:, None])
        self.count = np.full(runs, float(m))     # points in the current training set
        self.data_mean, self.data_ss = mean, ss  # their mean and sum of squared deviations
        self.means = [mean]
        self.stds = [np.sqrt(ss / (m - self.ddof))]

    @property
    def generations(self) -> int:
        return len(self.stds) - 1

    def extend(self, generations: int, progress=None) -> None:
        """Simulate until ``generations`` generations are done; ``progress(g, generations)`` after each block."""
        runs, m, n_model = self.runs, self.m, self.n_model
        per_generation = runs * m
        while self.generations < generations:
            block = max(1, min(generations - self.generations, _BLOCK_DRAWS // max(per_generation, 1)))
            z = self.rng.standard_normal((block, per_generation))
            zm = z[:, : runs * n_model].reshape(block, runs, n_model)
            zh = z[:, runs * n_model:].reshape(block, runs, self.n_human)
            zm_mean, zm_ss = _block_stats(zm)
            zh_mean, zh_ss = _block_stats(zh)
            for b in range(block):
                self._step(zm_mean[b], zm_ss[b], zh_mean[b], zh_ss[b])
            if progress is not None:
                progress(self.generations, generations)

    def _step(self, zm_mean, zm_ss, zh_mean, zh_ss) -> None:
        mu, sd = self.means[-1], self.stds[-1]
        # this generation's M points: n_model written by the last fit, n_human fresh human points
        mean, ss = _pool(self.n_model, mu + sd * zm_mean, sd * sd * zm_ss, self.n_human, zh_mean, zh_ss)
        if self.accumulate:   # all data so far: the old training set plus the M new points
            self.data_mean, self.data_ss = _pool(self.count, self.data_mean, self.data_ss, self.m, mean, ss)
            self.count = self.count + self.m
            mean, ss, n = self.data_mean, self.data_ss, self.count
        else:
            n = self.m
        self.means.append(mean)
        self.stds.append(np.sqrt(ss / (n - self.ddof)))

    def result(self, generations: int) -> GaussianRuns:
        return GaussianRuns(np.column_stack(self.means[: generations + 1]),
                            np.column_stack(self.stds[: generations + 1]),
                            self.m, self.share, self.n_human, self.unbiased, self.accumulate)


def _block_stats(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sum of squared deviations over the last axis (zeros for an empty axis)."""
    if z.shape[-1] == 0:
        return np.zeros(z.shape[:-1]), np.zeros(z.shape[:-1])
    mean = z.mean(axis=-1)
    d = z - mean[..., None]
    return mean, np.einsum("...i,...i->...", d, d)


def _pool(n1, mean1, ss1, n2, mean2, ss2):
    """Mean and sum of squared deviations of two groups together (Chan et al.'s pairwise rule).

    >>> _pool(2, 1.0, 2.0, 2, 3.0, 2.0)        # [0, 2] and [2, 4]: mean 2, deviations 4 + 0 + 0 + 4
    (2.0, 8.0)
    """
    n = n1 + n2
    delta = mean2 - mean1
    return mean1 + delta * (n2 / n), ss1 + ss2 + delta * delta * (n1 * n2 / n)


_LOOPS: dict = {}


def gaussian_generations(sample_size, generations, runs=200, *, human_share=0.0, seed=0,
                         unbiased=True, accumulate=False, progress=None) -> GaussianRuns:
    """Fit a normal distribution to ``sample_size`` points, sample from the fit, refit, ``generations`` times.

    The human data are draws from N(0, 1). In every later generation ``M = sample_size``
    new points are made: a share ``human_share`` of them fresh human data (rounded to whole
    points), the rest drawn from the previous fit. With ``accumulate=False`` (the paper's
    theorem) each generation is fitted to its ``M`` new points only: the data are
    *replaced*. With ``accumulate=True`` (Gerstgrasser et al. 2024) it is fitted to all
    points so far, the human data of generation 0 included: the data *accumulate*.
    ``unbiased=True`` fits the variance with the ``n - 1`` divisor, as in the paper's
    theorem; ``False`` uses the maximum-likelihood ``n`` divisor. All runs are simulated at
    once, several generations per block of random draws; ``progress(g, generations)`` is
    called after each block (for a progress bar). The same arguments give the same numbers,
    and a run is the first generations of any longer run with the same settings (recent
    simulations are kept and extended, so asking again costs nothing).

    >>> g = gaussian_generations(sample_size=5, generations=3, runs=2, seed=0)
    >>> g.mean.shape, g.human_per_generation
    ((2, 4), 0)
    >>> gaussian_generations(5, 3, human_share=0.5).human_per_generation   # 2.5 rounds to 2
    2
    >>> longer = gaussian_generations(5, 10, runs=2, seed=0)
    >>> bool((longer.std[:, :4] == g.std).all())                      # a prefix of the longer run
    True
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
    key = (m, n_runs, share, seed, bool(unbiased), bool(accumulate))
    loop = _LOOPS.pop(key, None) or _GaussianLoop(m, n_runs, share, seed, bool(unbiased), bool(accumulate))
    loop.extend(n_gen, progress)
    _LOOPS[key] = loop                      # most recently used last
    while len(_LOOPS) > 1 and (len(_LOOPS) > 12 or sum(lp.runs * (lp.generations + 1) for lp in _LOOPS.values())
                               > MAX_KEPT_FITS):
        _LOOPS.pop(next(iter(_LOOPS)))
    return loop.result(n_gen)


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
    with np.errstate(divide="ignore", invalid="ignore"):
        upper = (b - mean) / std
        lower = (b + mean) / std
    # std = 0 is a point mass: nothing lies beyond a bound it sits exactly on (0 / 0 -> z = +inf).
    upper, lower = np.where(np.isnan(upper), np.inf, upper), np.where(np.isnan(lower), np.inf, lower)
    return np.asarray(_normal_sf(upper) + _normal_sf(lower), dtype=float)


def _normal_sf(z: np.ndarray) -> np.ndarray:
    """P(Z > z) for a standard normal Z, elementwise: ``erfc(z / sqrt 2) / 2`` with ``math.erfc``.

    ``map`` over a plain list calls ``math.erfc`` about three times faster than ``np.frompyfunc``
    with a lambda (notebook 07's tails figure makes 600,000 calls), with the same results.

    >>> _normal_sf(np.array([0.0, np.inf, -np.inf])).tolist()
    [0.5, 0.0, 1.0]
    """
    x = (np.asarray(z, dtype=float) / math.sqrt(2)).ravel()
    erfc = np.empty_like(x)
    for start in range(0, x.size, _SF_CHUNK):   # a list of floats takes 32 bytes each: a chunk at a time
        part = x[start:start + _SF_CHUNK]
        erfc[start:start + part.size] = np.fromiter(map(math.erfc, part.tolist()), dtype=float, count=part.size)
    return 0.5 * erfc.reshape(np.shape(z))


#: Values per chunk in :func:`_normal_sf` (a list of Python floats takes 32 bytes a value: 600,000, as
#: notebook 07 asks for, would hold 19 MB at once).
_SF_CHUNK = 65_536


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
    keys: np.ndarray          # previous * V + next, one per pair occurrence, sorted (int32 when V * V < 2**31)
    row_start: np.ndarray     # per previous word: index of its first pair in keys
    row_total: np.ndarray     # per previous word: how many pairs start with it
    unigram: np.ndarray       # per word: how often it occurs
    tokens: np.ndarray        # the text itself, flattened (to draw start words)

    def pair_counts(self, previous, following) -> np.ndarray:
        """How often each (previous, following) pair occurs (0 for unseen pairs)."""
        keys = (np.asarray(previous, dtype=np.int64) * self.vocabulary_size + following).astype(self.keys.dtype)
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
    return _fit(_word_rows(rows, v), v)


#: Largest model (pairs) that :func:`_fit` sorts with ``np.lexsort``: above it, a sort in place spares
#: the kernel's peak memory (lexsort's index and 16-bit key copies take 12 bytes a pair; with lexsort
#: at every size, notebook 07's kernel peaked 17 MB higher, at 304 MB in ``make bench``).
_LEXSORT_MAX_PAIRS = 2**18


def _fit(rows: np.ndarray, v: int) -> Bigram:
    """:func:`fit_bigram` for rows already checked (a 2-D int64 array of ids below ``v``)."""
    prev, nxt = rows[:, :-1].ravel(), rows[:, 1:].ravel()
    dtype = np.int32 if v * v < 2**31 else np.int64      # smaller keys sort twice as fast
    keys = prev.astype(dtype) * dtype(v) + nxt.astype(dtype)
    if v <= 2**16 and keys.size <= _LEXSORT_MAX_PAIRS:
        # sort by previous word, then next word: NumPy sorts 16-bit ids by radix, a third faster
        keys = keys.take(np.lexsort((nxt.astype(np.uint16), prev.astype(np.uint16))))
    else:   # in place: lexsort's index takes 8 bytes a pair (notebook 07's accumulated models: 875,000 pairs)
        keys.sort()
    row_total = np.bincount(prev, minlength=v).astype(np.int64)
    row_start = np.concatenate(([0], np.cumsum(row_total)[:-1]))
    unigram = np.bincount(rows.ravel(), minlength=v)
    return Bigram(v, keys, row_start, row_total, unigram, rows.ravel())


def _word_rows(rows, vocabulary_size: int) -> np.ndarray:
    """``rows`` as a 2-D int64 array of word ids below ``vocabulary_size``, else ValueError naming rows."""
    return _word_ids("rows", rows, 2, vocabulary_size - 1, "vocabulary_size - 1")


def _word_ids(name: str, values, ndim: int, highest: int, highest_name: str) -> np.ndarray:
    """``values`` as an int64 array of ``ndim`` dimensions of whole word ids from 0 to ``highest``.

    Anything else (ragged lists, text, NaN, fractions, negative or too large ids, too few
    words) is a ValueError naming ``name``.
    """
    shape = "a 2-D array of word ids (one row per passage)" if ndim == 2 else "a 1-D array of word ids"
    try:
        arr = np.asarray(values)
    except Exception:  # noqa: BLE001 - ragged lists and other oddities
        raise ValueError(f"{name} must be {shape}") from None
    if arr.ndim != ndim or (ndim == 2 and (arr.shape[0] < 1 or arr.shape[1] < 2)) or (ndim == 1 and arr.size < 2):
        least = "at least one row of two words" if ndim == 2 else "at least two words"
        raise ValueError(f"{name} must be {shape} with {least}, got shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind != "f" or not np.isfinite(arr).all() or (arr != np.round(arr)).any():
            raise ValueError(f"{name} must hold whole-number word ids (no NaN, no fractions), got dtype {arr.dtype}")
    if arr.min() < 0 or arr.max() > highest:
        raise ValueError(f"{name} must hold word ids from 0 to {highest_name} = {highest}, "
                         f"got ids from {arr.min():g} to {arr.max():g}")
    return arr.astype(np.int64, copy=False)


def _merge_bigram(a: Bigram, b: Bigram) -> Bigram:
    """The bigram model of two texts together, from the models of each (no refit of the first).

    The same as fitting the rows of ``a`` followed by the rows of ``b``:

    >>> a, b = np.array([[0, 1, 1]]), np.array([[1, 0, 2]])
    >>> merged, joint = _merge_bigram(fit_bigram(a, 3), fit_bigram(b, 3)), fit_bigram(np.vstack([a, b]), 3)
    >>> merged.keys.tolist() == joint.keys.tolist(), merged.tokens.tolist() == joint.tokens.tolist()
    (True, True)
    """
    keys = np.concatenate([a.keys, b.keys])
    keys.sort(kind="stable")             # two sorted runs: a linear merge
    row_total = a.row_total + b.row_total
    row_start = np.concatenate(([0], np.cumsum(row_total)[:-1]))
    return Bigram(a.vocabulary_size, keys, row_start, row_total, a.unigram + b.unigram,
                  np.concatenate([a.tokens, b.tokens]))


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
    out = np.empty((length, rows), dtype=np.int64)        # one contiguous row per step, transposed at the end
    out[0] = model.tokens[rng.integers(model.tokens.size, size=rows)]
    # successors of each pair occurrence, plus one slot for words without successors (replaced below);
    # filled in place: np.append then astype copied all pairs twice (1.5 million in an accumulated model)
    successors = np.empty(model.keys.size + 1, dtype=np.int64)
    successors[:-1] = model.keys % model.vocabulary_size
    successors[-1] = 0
    row_start, row_total = model.row_start, model.row_total
    for t in range(1, length):         # seven numpy calls per step: this loop is most of a generation's time
        cur = out[t - 1]
        total = row_total.take(cur)
        u = rng.random(rows)
        u *= total
        slot = row_start.take(cur)
        np.add(slot, u, out=slot, casting="unsafe")   # start + floor(u x total): u >= 0, so truncation is floor
        nxt = out[t]
        successors.take(slot, out=nxt)
        if np.count_nonzero(total) < rows:
            dead = total == 0
            nxt[dead] = model.tokens[rng.integers(model.tokens.size, size=int(dead.sum()))]
    return out.T.copy()


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
    >>> held_out_perplexity(b, np.array([0, -1, 1]))
    Traceback (most recent call last):
    ...
    ValueError: held_out must hold word ids from 0 to vocabulary_size (the unknown word) = 2, got ids from -1 to 1
    """
    if not isinstance(model, Bigram):
        raise ValueError(f"model must be a Bigram (from fit_bigram), got {type(model).__name__}")
    lam = checks.fraction("weight", weight)
    k = checks.positive("k", k)
    v = model.vocabulary_size
    held_out = _word_ids("held_out", held_out, 1, v, "vocabulary_size (the unknown word)")
    return _perplexity(model, held_out, lam, k)


def _perplexity(model: Bigram, held_out: np.ndarray, lam: float = 0.8, k: float = 0.1) -> float:
    """:func:`held_out_perplexity` without the argument checks (for ids known to be valid)."""
    return _perplexity_of(model, _HeldOutPairs(held_out, model.vocabulary_size, model.keys.dtype), lam, k)


class _HeldOutPairs:
    """The word pairs of a held-out text, prepared once for scoring many models of the same vocabulary."""

    def __init__(self, held_out: np.ndarray, v: int, dtype):
        self.v, self.dtype = v, dtype
        self.prev, self.nxt = held_out[:-1], held_out[1:]
        known = (self.prev < v) & (self.nxt < v)
        self.known = np.flatnonzero(known)
        queries = (self.prev[self.known] * v + self.nxt[self.known]).astype(dtype)
        self.order = np.argsort(queries, kind="stable")   # sorted queries search faster
        self.queries = queries[self.order]


def _perplexity_of(model: Bigram, q: _HeldOutPairs, lam: float = 0.8, k: float = 0.1) -> float:
    v = model.vocabulary_size
    unigram = np.append(model.unigram, 0).astype(float)
    p_uni = (unigram + k) / (unigram.sum() + k * (v + 1))
    found = np.empty(q.queries.size, dtype=np.int64)
    found[q.order] = (np.searchsorted(model.keys, q.queries, side="right")
                      - np.searchsorted(model.keys, q.queries, side="left"))
    pair = np.zeros(q.prev.size, dtype=np.int64)
    pair[q.known] = found
    row = np.append(model.row_total, 0)[q.prev]
    lam_row = np.where(row > 0, lam, 0.0)
    p = lam_row * pair / np.maximum(row, 1) + (1 - lam_row) * p_uni[q.nxt]
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
    accumulate: bool = False


class _TextLoop:
    """The state of one text simulation, which can be extended by more generations.

    As for the Gaussian, a run of ``G`` generations is the start of any longer run with
    the same settings (the random draws come in the same order), so a simulation is kept
    and extended rather than started again.
    """

    def __init__(self, c: Corpus, share: float, n_words: int, seed: int, accumulate: bool):
        self.c, self.share, self.accumulate = c, share, accumulate
        self.length = c.train.shape[1]
        self.rows = n_words // self.length
        self.n_human = int(round(share * self.rows))
        self.rng = np.random.default_rng(seed)
        original = np.bincount(c.train.ravel(), minlength=c.vocabulary_size)
        self.bands = {label: (original >= lo) & ((original <= hi) if hi else True) for lo, hi, label in BANDS}
        self.band_of = np.argmax(np.vstack(list(self.bands.values())), axis=0)   # each word's band
        self.band_size = np.bincount(self.band_of, minlength=len(BANDS))
        self.records, self.survival, self.samples = [], [], {}
        self.model: Bigram | None = None
        self.written: np.ndarray | None = None
        v = c.vocabulary_size
        self.held_out = _HeldOutPairs(c.held_out, v, np.int32 if v * v < 2**31 else np.int64)
        self.human_words = 0

    @property
    def generations(self) -> int:
        return len(self.records) - 1

    @property
    def kept_words(self) -> int:
        return 0 if self.model is None else int(self.model.tokens.size)

    def extend(self, generations: int, progress=None) -> None:
        c, length, rng = self.c, self.length, self.rng
        while self.generations < generations:
            g = self.generations + 1
            if g == 0:
                current = c.train
            else:
                fresh = c.train[rng.choice(c.train.shape[0], self.n_human, replace=self.n_human > c.train.shape[0])]
                current = np.concatenate([self.written[:-1], fresh])
            fitted = _fit(current, c.vocabulary_size)
            self.model = _merge_bigram(self.model, fitted) if self.accumulate and g > 0 else fitted
            new_human = c.train_words if g == 0 else self.n_human * length
            self.human_words = self.human_words + new_human if self.accumulate else new_human
            model = self.model
            present = model.unigram > 0
            self.records.append((int(present.sum()), present.sum() / c.vocabulary_size, entropy_bits(model.unigram),
                                 _perplexity_of(model, self.held_out), self.human_words, int(model.tokens.size)))
            self.survival.append(list(np.bincount(self.band_of, weights=present, minlength=len(BANDS)) / self.band_size))
            self.written = sample_bigram(model, self.rows - self.n_human + 1, length, rng)
            self.samples[g] = " ".join(c.vocabulary[self.written[-1, :20]])
            if progress is not None:
                progress(g, generations)

    def result(self, generations: int) -> "TextRun":
        metrics = pd.DataFrame(self.records[: generations + 1], columns=TEXT_METRICS)
        metrics.index.name = "generation"
        survival = pd.DataFrame(self.survival[: generations + 1], columns=list(self.bands))
        survival.index.name = "generation"
        samples = {g: self.samples[g] for g in range(generations + 1)}
        return TextRun(self.c, self.share, self.rows * self.length, metrics, survival, samples, self.accumulate)


TEXT_METRICS = ["vocabulary", "vocabulary_kept", "entropy_bits", "held_out_perplexity", "human_words",
                "training_words"]
_TEXT_LOOPS: dict = {}


def text_generations(corpus="hamlet", generations=20, *, human_share=0.0, words_per_generation=None,
                     seed=0, accumulate=False, progress=None) -> TextRun:
    """Train a word bigram model on human text, then on its own text, ``generations`` times.

    Model 0 is fitted to the human training text. Each later generation adds
    ``words_per_generation`` new words (default: as many as the human text), of which a
    share ``human_share`` are fresh passages of the human text, drawn at random each
    generation, and the rest are written by model ``g - 1``. With ``accumulate=False``
    model ``g`` is fitted to these new words only (the data are *replaced*, as in the
    paper); with ``accumulate=True`` to all words so far, the human text of generation 0
    included (the data *accumulate*, as in Gerstgrasser et al. 2024). ``progress(g,
    generations)`` is called after each generation computed (for a progress bar); recent
    runs are kept and extended, so asking again, or for fewer generations, costs nothing.

    ``metrics`` columns: distinct words the model can write (``vocabulary``, and as a share
    of the human text's, ``vocabulary_kept``), the entropy of its word distribution, its
    perplexity on held-out human text, and the human and total words of its training set.

    >>> run = text_generations("hamlet", generations=3, seed=0)
    >>> list(run.metrics.columns)
    ['vocabulary', 'vocabulary_kept', 'entropy_bits', 'held_out_perplexity', 'human_words', 'training_words']
    >>> run.metrics["vocabulary"].is_monotonic_decreasing      # no human data: words only vanish
    True
    >>> kept = text_generations("hamlet", generations=3, seed=0, accumulate=True)
    >>> bool((kept.metrics["vocabulary_kept"] == 1).all())     # the play is never thrown away
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
    if accumulate and n_words * (n_gen + 1) > MAX_WORDS_KEPT:
        raise ValueError(f"with accumulate=True, words_per_generation x (generations + 1) = {n_words * (n_gen + 1):,} "
                         f"words are kept in memory, more than {MAX_WORDS_KEPT:,}: "
                         "make generations or words_per_generation smaller")
    key = (c.corpus_id, share, n_words // length, seed, bool(accumulate))
    loop = _TEXT_LOOPS.pop(key, None) or _TextLoop(c, share, n_words, seed, bool(accumulate))
    loop.extend(n_gen, progress)
    _TEXT_LOOPS[key] = loop                       # most recently used last
    while len(_TEXT_LOOPS) > 1 and (len(_TEXT_LOOPS) > 12
                                    or sum(lp.kept_words for lp in _TEXT_LOOPS.values()) > MAX_WORDS_KEPT):
        _TEXT_LOOPS.pop(next(iter(_TEXT_LOOPS)))
    return loop.result(n_gen)


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


# --------------------------------------------------------------------------------------
# 3. The explorers' defaults and summaries (notebook 07 shows the same defaults as static twins)
# --------------------------------------------------------------------------------------

#: Default settings of the Gaussian explorer (and its static twin): M, generations, human share, seed, runs.
GAUSSIAN_DEFAULTS = dict(sample_size=100, generations=100, human_share=0.0, seed=0, runs=200)
#: Default settings of the word-model explorer (``words_per_generation=None``: as many as the human text).
TEXT_DEFAULTS = dict(corpus="hamlet", words_per_generation=None, generations=50, human_share=0.1, seed=0)


def default_words(corpus="hamlet") -> int:
    """Words per generation by default: as many as the human training text of the corpus.

    >>> default_words("hamlet") == load_corpus("hamlet").train_words
    True
    """
    return load_corpus(corpus).train_words


def text_with_reference(corpus="hamlet", generations=50, *, human_share=0.1, words_per_generation=None, seed=0,
                        progress=None) -> dict:
    """``{label: TextRun}``: the chosen run and, for comparison, the same settings with no human text.

    >>> list(text_with_reference("macbeth", 2, human_share=0.25, words_per_generation=2_000))
    ['no human text', '25% human text']
    """
    share = checks.fraction("human_share", human_share)
    chosen = text_generations(corpus, generations, human_share=share, words_per_generation=words_per_generation,
                              seed=seed, progress=progress)
    if share == 0:
        return {"no human text": chosen}
    reference = text_generations(corpus, generations, words_per_generation=words_per_generation, seed=seed)
    return {"no human text": reference, f"{share:.0%} human text": chosen}


def gaussian_summary(runs: GaussianRuns) -> str:
    """One or two sentences on a Gaussian simulation, for an explorer's note (plain text).

    >>> gaussian_summary(gaussian_generations(4, 10, runs=20, human_share=0.1))[:40]
    '10% of 4 points rounds to 0 human points'
    """
    if not isinstance(runs, GaussianRuns):
        raise ValueError(f"runs must be the result of gaussian_generations, got {type(runs).__name__}")
    m = runs.sample_size
    if 0 < runs.human_share and runs.human_per_generation == 0:
        return (f"{runs.human_share:.0%} of {m} points rounds to 0 human points per generation: "
                "this is the same as no human data.")
    return (f"With no human data the typical variance halves about every {halving_generations(m, runs.unbiased):.1f} "
            f"generations at M = {m}. Median fitted sd at generation {runs.generations}: "
            f"{float(np.median(runs.std[:, -1])):.3f}.")


def text_summary(run: TextRun) -> str:
    """One sentence on a text simulation, for an explorer's note (plain text)."""
    if not isinstance(run, TextRun):
        raise ValueError(f"run must be the result of text_generations, got {type(run).__name__}")
    g = int(run.metrics.index[-1])
    kept = run.metrics["vocabulary_kept"].iloc[-1]
    return f"After {g} generations the model still uses {kept:.0%} of the words of the human text."


# --------------------------------------------------------------------------------------
# 4. How much human text there is (Villalobos et al., Epoch AI)
# --------------------------------------------------------------------------------------

DATA_STOCK_TABLE = "data_stock"


def data_stock() -> pd.DataFrame:
    """Estimates of the stock of human-written public text and of training-set sizes, indexed by ``key``.

    From ``data/data_stock.csv`` (Villalobos et al. 2022 and 2024, Epoch AI; model reports),
    each row with its source: ``value`` (central), ``low`` and ``high`` (the interval
    named in ``interval``), ``unit``.

    >>> s = data_stock()
    >>> float(s.loc["stock_2024", "value"]), s.loc["stock_2024", "unit"]
    (300000000000000.0, 'tokens')
    """
    table = data.load(DATA_STOCK_TABLE)
    out = table.set_index("key")
    out.attrs.update(table.attrs)
    return out


def _stock_value(value, unit: str) -> str:
    """One value of the data-stock table for people: tokens in trillions, years as years, "n/a" if missing.

    >>> _stock_value(3e14, "tokens"), _stock_value(1e15, "tokens"), _stock_value(2024.5, "year")
    ('300 trillion', '1,000 trillion', '2024.5')
    >>> _stock_value(7, "percent per year")
    '7% per year'
    """
    if value is None or pd.isna(value):
        return "n/a"
    if unit == "tokens":
        trillions = value / 1e12
        return f"{trillions:,.0f} trillion" if abs(trillions) >= 100 else f"{trillions:.3g} trillion"
    if unit == "year":
        return f"{value:g}"
    if unit == "percent per year":
        return f"{value:g}% per year"
    return f"{value:g} {unit}"


def data_stock_table() -> pd.DataFrame:
    """:func:`data_stock` for reading: one row per estimate, values written with their units, "n/a" where missing."""
    s = data_stock()
    out = pd.DataFrame({col: [_stock_value(v, u) for v, u in zip(s[col], s["unit"])] for col in ("value", "low", "high")},
                       index=pd.Index(s["quantity"].to_numpy(), name="estimate"))
    out.columns = ["central", "low", "high"]
    out["interval"] = s["interval"].fillna("n/a").to_numpy()
    out["as of"] = s["as_of"].to_numpy()
    return out


def dataset_shares() -> pd.DataFrame:
    """Each listed pre-training set as a share of the effective stock: central estimate and the stock's 90% range.

    >>> d = dataset_shares()
    >>> round(float(d.loc["Llama 3 pre-training set", "share_of_stock"]), 3)   # 15T / 300T
    0.05
    """
    s = data_stock()
    stock = s.loc["stock_2024"]
    sets = s[s.index.str.startswith("dataset_")]
    out = pd.DataFrame({"tokens": sets["value"].to_numpy(),
                        "share_of_stock": (sets["value"] / stock["value"]).to_numpy(),
                        "share_if_stock_high": (sets["value"] / stock["high"]).to_numpy(),
                        "share_if_stock_low": (sets["value"] / stock["low"]).to_numpy(),
                        "as_of": sets["as_of"].to_numpy()},
                       index=pd.Index(sets["quantity"].to_numpy(), name="training set"))
    return out
