"""Tests of token_economy.collapse: the Gaussian loop, the word model, the corpus and the explorers."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from token_economy import collapse, data
from token_economy.widgets.collapse import GaussianCollapseExplorer, TextCollapseExplorer

# --------------------------------------------------------------------------- the Gaussian


def test_no_human_data_the_typical_variance_shrinks():
    g = collapse.gaussian_generations(10, 50, runs=2000, seed=1)
    log_var = np.log(g.std ** 2)
    # drift about -1/9 per generation: 50 generations take the mean log variance down by ~5.6
    assert log_var[:, -1].mean() < log_var[:, 0].mean() - 3
    assert np.median(g.std[:, -1] ** 2) < 0.05


def test_maximum_likelihood_fit_the_mean_variance_decreases():
    # with the M divisor E[var_n] = ((M - 1) / M)^n = 0.9^50 = 0.005 for M = 10
    g = collapse.gaussian_generations(10, 50, runs=2000, seed=2, unbiased=False)
    mean_var = (g.std ** 2).mean(axis=0)
    assert mean_var[-1] < 0.05 < 0.5 < mean_var[0]
    assert mean_var[10] < mean_var[0]


def test_unbiased_fit_keeps_its_average_for_one_generation():
    # E[s1^2] = E[s0^2] = 1; sd of the mean over 20,000 runs is about 0.005
    g = collapse.gaussian_generations(10, 1, runs=20_000, seed=3)
    assert abs((g.std[:, 1] ** 2).mean() - 1) < 0.03


def test_all_human_data_does_not_collapse():
    g = collapse.gaussian_generations(100, 200, runs=500, seed=4, human_share=1.0)
    assert g.human_per_generation == 100
    assert 0.9 < np.median(g.std[:, -1] ** 2) < 1.1
    log_var = np.log(g.std ** 2)
    assert abs(log_var[:, -1].mean() - log_var[:, 0].mean()) < 0.05


def test_a_tenth_of_human_data_holds_the_spread():
    kept = collapse.gaussian_generations(100, 300, runs=500, seed=5, human_share=0.1)
    lost = collapse.gaussian_generations(100, 300, runs=500, seed=5, human_share=0.0)
    # no human data: median variance about exp(-0.0101 * 300) = 0.05
    assert np.median(lost.std[:, -1] ** 2) < 0.15
    assert np.median(kept.std[:, -1] ** 2) > 0.5


def test_generation_zero_is_the_same_human_data_whatever_the_share():
    a = collapse.gaussian_generations(20, 5, runs=10, seed=6, human_share=0.0)
    b = collapse.gaussian_generations(20, 5, runs=10, seed=6, human_share=0.5)
    assert np.array_equal(a.mean[:, 0], b.mean[:, 0]) and np.array_equal(a.std[:, 0], b.std[:, 0])
    assert not np.array_equal(a.std[:, 5], b.std[:, 5])


def test_seeded():
    a = collapse.gaussian_generations(20, 5, runs=10, seed=7)
    b = collapse.gaussian_generations(20, 5, runs=10, seed=7)
    c = collapse.gaussian_generations(20, 5, runs=10, seed=8)
    assert np.array_equal(a.std, b.std) and not np.array_equal(a.std, c.std)


@pytest.mark.parametrize("kwargs, name", [
    (dict(sample_size=1, generations=3), "sample_size"),
    (dict(sample_size=2.5, generations=3), "sample_size"),
    (dict(sample_size=10, generations=-1), "generations"),
    (dict(sample_size=10, generations=3, runs=0), "runs"),
    (dict(sample_size=10, generations=3, human_share=-0.1), "human_share"),
    (dict(sample_size=10, generations=3, human_share=1.5), "human_share"),
    (dict(sample_size=10, generations=3, human_share=float("nan")), "human_share"),
    (dict(sample_size=10, generations=3, seed=-1), "seed"),
])
def test_gaussian_rejects_impossible_settings(kwargs, name):
    with pytest.raises(ValueError, match=name):
        collapse.gaussian_generations(**kwargs)


@settings(max_examples=40, deadline=None)
@given(m=st.integers(2, 40), generations=st.integers(0, 6), share=st.floats(0, 1), seed=st.integers(0, 2**32 - 1))
def test_gaussian_shapes_and_values(m, generations, share, seed):
    g = collapse.gaussian_generations(m, generations, runs=3, human_share=share, seed=seed)
    assert g.std.shape == g.mean.shape == (3, generations + 1)
    assert np.isfinite(g.std).all() and (g.std >= 0).all() and np.isfinite(g.mean).all()
    assert g.human_per_generation == round(share * m)


def test_spread_summary_columns_and_values():
    g = collapse.gaussian_generations(10, 3, runs=101, seed=0)
    s = collapse.spread_summary(g)
    assert s.loc[3, "std_q50"] == pytest.approx(np.median(g.std[:, 3]))
    assert s.loc[3, "mean_variance"] == pytest.approx((g.std[:, 3] ** 2).mean())
    assert (s["std_q10"] <= s["std_q50"]).all() and (s["std_q50"] <= s["std_q90"]).all()


def test_log_variance_drift_hand_value_and_limit():
    # M = 2: digamma(1/2) + ln 2 = (-gamma - 2 ln 2) + ln 2 = -0.5772 - 0.6931 = -1.2704
    assert collapse.log_variance_drift(2) == pytest.approx(-0.5772157 - math.log(2), abs=1e-6)
    # large M: about -1/(M - 1) (unbiased), about -2/M (maximum likelihood)
    assert collapse.log_variance_drift(1000) == pytest.approx(-1 / 999, rel=0.01)
    assert collapse.log_variance_drift(1000, unbiased=False) == pytest.approx(-2 / 1000, rel=0.01)
    assert all(collapse.log_variance_drift(m) < 0 for m in range(2, 200))


def test_halving_generations_matches_the_simulation():
    m = 20
    n = round(collapse.halving_generations(m))          # about 13
    g = collapse.gaussian_generations(m, n, runs=4000, seed=9)
    assert 0.4 < np.median(g.std[:, -1] ** 2) < 0.6


def test_tail_mass_hand_values():
    # two-sided normal tails: 31.73% beyond 1 sd, 0.27% beyond 3 sd
    assert float(collapse.tail_mass(0, 1, 1)) == pytest.approx(0.3173, abs=1e-4)
    assert float(collapse.tail_mass(0, 1, 3)) == pytest.approx(0.0027, abs=1e-4)
    assert float(collapse.tail_mass(0.5, 1, 2)) == pytest.approx(float(collapse.tail_mass(-0.5, 1, 2)))
    assert float(collapse.tail_mass(0, 0.0, 2)) == 0.0
    with pytest.raises(ValueError, match="beyond"):
        collapse.tail_mass(0, 1, 0)


# --------------------------------------------------------------------------- the corpus


def test_corpora_table_describes_existing_public_domain_files():
    table = data.load("corpora")
    assert {"corpus_id", "title", "author", "file", "sha256", "status", "package", "source", "as_of"} <= set(table)
    for _, row in table.iterrows():
        size = (data.data_dir() / row["file"]).stat().st_size
        assert 100_000 <= size <= 400_000
        assert row["status"] == "public domain"
        assert collapse.read_text(row["corpus_id"])


def test_corpus_by_id_or_record_and_unknown_id():
    record = collapse.corpus_record("macbeth")
    assert collapse.corpus_record(record) is record
    assert collapse.load_corpus(record).title == "Macbeth"
    with pytest.raises(ValueError, match="corpus"):
        collapse.load_corpus("war_and_peace")


def test_a_changed_corpus_file_is_refused(tmp_path, monkeypatch):
    record = collapse.corpus_record("hamlet")
    (tmp_path / "corpora").mkdir()
    (tmp_path / "corpora" / "hamlet.txt").write_text("Something is rotten.")
    monkeypatch.setenv("TOKEN_ECONOMY_DATA", str(tmp_path))
    with pytest.raises(ValueError, match="sha256"):
        collapse.read_text(record)


def test_held_out_split():
    c = collapse.load_corpus("hamlet")
    total = c.train.size + c.held_out.size
    assert c.held_out.size == pytest.approx(total / 10, rel=0.02)
    assert set(np.unique(c.train)) == set(range(c.vocabulary_size))       # every vocabulary word is used
    unknown = c.held_out == c.vocabulary_size
    assert 0 < unknown.mean() < 0.2                                        # some held-out words are new


def test_words():
    assert collapse.words("O, that this too too solid flesh would melt!") == \
        ["o", "that", "this", "too", "too", "solid", "flesh", "would", "melt"]
    assert collapse.words("") == []
    with pytest.raises(ValueError, match="text"):
        collapse.words(None)


# --------------------------------------------------------------------------- the word model


def test_fit_bigram_hand_example():
    # text "a b a b" / "b c": pairs a-b (2), b-a (1), b-c (1)
    b = collapse.fit_bigram(np.array([[0, 1, 0, 1], [1, 2, 2, 2]]), 3)
    assert b.pair_counts([0, 1, 1, 2, 0], [1, 0, 2, 2, 0]).tolist() == [2, 1, 1, 2, 0]
    assert b.row_total.tolist() == [2, 2, 2]
    assert b.unigram.tolist() == [2, 3, 3]


def test_samples_use_only_pairs_the_model_has_seen():
    c = collapse.load_corpus("macbeth")
    model = collapse.fit_bigram(c.train, c.vocabulary_size)
    written = collapse.sample_bigram(model, 200, 30, np.random.default_rng(0))
    counts = model.pair_counts(written[:, :-1].ravel(), written[:, 1:].ravel())
    dead_end = model.row_total[written[:, :-1].ravel()] == 0         # restarts are allowed only there
    assert ((counts > 0) | dead_end).all()


def test_held_out_perplexity_hand_value():
    # model from "0 1 1": c(0,1)=1, c(1,1)=1; unigram c = [1, 2], N = 3, V = 2, k = 0.1
    b = collapse.fit_bigram(np.array([[0, 1, 1]]), 2)
    p_uni_1 = (2 + 0.1) / (3 + 0.1 * 3)                    # 0.63636
    p_uni_unk = 0.1 / 3.3                                   # 0.030303
    p1 = 0.8 * 1 / 1 + 0.2 * p_uni_1                        # pair 0-1: 0.92727
    p2 = 0.8 * 0 + 0.2 * p_uni_unk                          # pair 1-unknown: never seen, so only the unigram part
    expected = math.exp(-(math.log(p1) + math.log(p2)) / 2)
    assert collapse.held_out_perplexity(b, np.array([0, 1, 2])) == pytest.approx(expected)
    with pytest.raises(ValueError, match="weight"):
        collapse.held_out_perplexity(b, np.array([0, 1]), weight=1.5)


def test_entropy_bits():
    assert collapse.entropy_bits([2, 2]) == 1.0
    assert collapse.entropy_bits([1, 1, 2]) == pytest.approx(1.5)       # 1/4*2 + 1/4*2 + 1/2*1


@pytest.mark.parametrize("seed", [0, 1])
def test_no_human_text_words_only_vanish_and_perplexity_rises(seed):
    run = collapse.text_generations("macbeth", 15, seed=seed)
    m = run.metrics
    assert m["vocabulary"].is_monotonic_decreasing
    assert m["vocabulary"].iloc[-1] < 0.6 * m["vocabulary"].iloc[0]
    assert m["held_out_perplexity"].iloc[-1] > 1.3 * m["held_out_perplexity"].iloc[0]
    assert m["entropy_bits"].iloc[-1] < m["entropy_bits"].iloc[0]
    assert (m["human_words"].iloc[1:] == 0).all()


def test_rare_words_go_first():
    run = collapse.text_generations("hamlet", 10, seed=0)
    last = run.survival.iloc[-1]
    assert last["seen once"] < last["2-4 times"] < last["5-19 times"] < last["20+ times"]
    assert (run.survival.iloc[0] == 1).all()


def test_all_human_text_keeps_everything():
    run = collapse.text_generations("macbeth", 5, human_share=1.0, seed=0)
    assert (run.metrics["vocabulary_kept"] == 1).all()
    assert run.metrics["held_out_perplexity"].nunique() == 1


def test_a_tenth_of_human_text_keeps_more_words():
    kept = collapse.text_generations("hamlet", 30, human_share=0.1, seed=3)
    lost = collapse.text_generations("hamlet", 30, human_share=0.0, seed=3)
    assert kept.metrics["vocabulary"].iloc[-1] > 1.5 * lost.metrics["vocabulary"].iloc[-1]
    assert kept.metrics["held_out_perplexity"].iloc[-1] < lost.metrics["held_out_perplexity"].iloc[-1]
    assert kept.metrics["human_words"].iloc[1] == round(0.1 * (kept.words_per_generation // 50)) * 50


def test_text_progress_and_samples():
    calls = []
    run = collapse.text_generations("macbeth", 3, words_per_generation=2_000, seed=0,
                                    progress=lambda g, n: calls.append((g, n)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert run.words_per_generation == 2_000 and sorted(run.samples) == [0, 1, 2, 3]
    assert all(len(s.split()) == 20 for s in run.samples.values())


@pytest.mark.parametrize("kwargs, name", [
    (dict(generations=-1), "generations"),
    (dict(human_share=1.01), "human_share"),
    (dict(words_per_generation=10), "words_per_generation"),
    (dict(seed=0.5), "seed"),
])
def test_text_rejects_impossible_settings(kwargs, name):
    with pytest.raises(ValueError, match=name):
        collapse.text_generations("macbeth", **{"generations": 2, **kwargs})


def test_band_sizes_add_up():
    s = collapse.band_sizes("macbeth")
    assert isinstance(s, pd.Series) and s.sum() == collapse.load_corpus("macbeth").vocabulary_size
    assert s["seen once"] > s["20+ times"]


# --------------------------------------------------------------------------- the explorers


@pytest.mark.parametrize("values, words", [
    (dict(sample_size=1), "M"),
    (dict(sample_size=5000), "M"),
    (dict(human_share=-0.1), "share"),
    (dict(human_share=1.5), "share"),
    (dict(generations=0), "“generations”"),
    (dict(generations=10_000), "“generations”"),
])
def test_gaussian_explorer_messages(values, words):
    ex = GaussianCollapseExplorer()
    ex.set(**values)
    assert isinstance(ex.last_error, ValueError) and words in ex.message.value
    ex.set(sample_size=10, generations=20, human_share=0.1, seed=1)
    assert ex.last_error is None and ex.progress.value == ex.progress.max == 20


def test_gaussian_explorer_warns_when_the_share_rounds_to_nothing():
    ex = GaussianCollapseExplorer(sample_size=4, human_share=0.1)
    assert ex.last_error is None and "rounds to 0" in ex.message.value


def test_text_explorer_messages_and_progress():
    ex = TextCollapseExplorer(generations=5)
    assert ex.last_error is None and ex.progress.value == 5 and "Generation 5" in ex.sample.value
    ex.set(words_per_generation=999)
    assert isinstance(ex.last_error, ValueError) and "“words / gen.”" in ex.message.value
    ex.set(words_per_generation=2_000, human_share=2.0)
    assert isinstance(ex.last_error, ValueError) and "share" in ex.message.value


# --------------------------------------------------------------------------- absurd arguments


@pytest.mark.parametrize("call, name", [
    (lambda: collapse.gaussian_generations(10**6, 10**6), "generations"),     # 200 runs x 1e12 draws: refused
    (lambda: collapse.gaussian_generations(1e308, 5), "sample_size"),
    (lambda: collapse.text_generations("hamlet", 10**9), "generations"),
    (lambda: collapse.fit_bigram(np.array([[0, 1]]), -1), "vocabulary_size"),
    (lambda: collapse.fit_bigram(np.array([[0, 3]]), 3), "rows"),             # id 3 needs 4 words
    (lambda: collapse.fit_bigram(np.array([0, 1]), 3), "rows"),               # 1-D: not passages
    (lambda: collapse.sample_bigram(collapse.fit_bigram(np.array([[0, 1]]), 2), -1, 5,
                                    np.random.default_rng(0)), "rows"),
    (lambda: collapse.sample_bigram(collapse.fit_bigram(np.array([[0, 1]]), 2), 10**6, 10**6,
                                    np.random.default_rng(0)), "rows"),
    (lambda: collapse.tail_mass(0.0, -1.0), "std"),
    (lambda: collapse.tail_mass(float("nan"), 1.0), "mean"),
])
def test_absurd_arguments_are_refused_by_name(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_drift_and_halving_stay_finite_and_accurate_for_huge_samples():
    # digamma(k/2) + ln(2/k) = -1/k - 1/(3 k^2) + ...: at M = 1e12 the drift is -1/(M - 1) to 12 digits
    assert collapse.log_variance_drift(10**12) == pytest.approx(-1 / (10**12 - 1), rel=1e-9)
    # halving = ln 2 / (1 / (M - 1)) = 0.693 (M - 1)
    assert collapse.halving_generations(10**15) == pytest.approx(math.log(2) * (10**15 - 1), rel=1e-9)


def test_tail_mass_of_a_point_mass():
    # sd 0: all mass at the mean; beyond +-2 only if |mean| > 2, and nothing when it sits on the bound
    assert collapse.tail_mass([0.0, 2.0, 3.0, -3.0], 0.0, 2.0).tolist() == [0.0, 0.0, 1.0, 1.0]


def test_median_halving_generation_tracks_the_theory():
    # Theory for M = 10: ln 2 / |drift| is about 6 generations; the simulated median halves close to it.
    runs = collapse.gaussian_generations(10, 60, runs=1000, seed=1)
    simulated = collapse.median_halving_generation(runs)
    assert simulated is not None
    assert abs(simulated - collapse.halving_generations(10)) <= 3
    # With all-human data every generation the spread never collapses.
    fresh = collapse.gaussian_generations(10, 60, runs=200, human_share=1.0, seed=1)
    assert collapse.median_halving_generation(fresh) is None
    with pytest.raises(ValueError, match="runs"):
        collapse.median_halving_generation([1, 2])


# --------------------------------------------------------------------------- speed-ups keep the results


def _naive_gaussian(m, generations, runs, share, seed, unbiased=True):
    """The loop of the paper written plainly (the library's first version): refit on the samples themselves."""
    n_human = int(round(share * m))
    n_model, ddof = m - n_human, (1 if unbiased else 0)
    rng = np.random.default_rng(seed)
    mean, std = np.empty((runs, generations + 1)), np.empty((runs, generations + 1))
    x = rng.standard_normal((runs, m))
    mean[:, 0], std[:, 0] = x.mean(axis=1), x.std(axis=1, ddof=ddof)
    for g in range(1, generations + 1):
        x[:, :n_model] = mean[:, g - 1, None] + std[:, g - 1, None] * rng.standard_normal((runs, n_model))
        x[:, n_model:] = rng.standard_normal((runs, n_human))
        mean[:, g], std[:, g] = x.mean(axis=1), x.std(axis=1, ddof=ddof)
    return mean, std


@pytest.mark.parametrize("m, generations, runs, share, seed, unbiased", [
    (100, 60, 50, 0.0, 0, True), (10, 40, 30, 0.1, 1, True), (7, 30, 20, 0.5, 2, False), (20, 10, 5, 1.0, 3, True),
    (3000, 3, 400, 0.2, 4, True),       # more draws per generation than one block: several blocks
])
def test_gaussian_matches_the_plain_loop(m, generations, runs, share, seed, unbiased):
    collapse._LOOPS.clear()
    mean, std = _naive_gaussian(m, generations, runs, share, seed, unbiased)
    g = collapse.gaussian_generations(m, generations, runs, human_share=share, seed=seed, unbiased=unbiased)
    assert g.mean == pytest.approx(mean, rel=1e-9, abs=1e-12)
    assert g.std == pytest.approx(std, rel=1e-9, abs=1e-12)


def test_a_shorter_run_is_the_start_of_a_longer_one_and_extending_gives_the_same():
    collapse._LOOPS.clear()
    long = collapse.gaussian_generations(30, 50, runs=40, human_share=0.2, seed=11)
    collapse._LOOPS.clear()
    short = collapse.gaussian_generations(30, 20, runs=40, human_share=0.2, seed=11)
    extended = collapse.gaussian_generations(30, 50, runs=40, human_share=0.2, seed=11)   # extends the kept run
    assert np.array_equal(short.std, long.std[:, :21]) and np.array_equal(extended.std, long.std)
    assert np.array_equal(extended.mean, long.mean)


def test_collapsed_runs_keep_their_digits():
    # M = 2 loses about 1.27 in log variance per generation: after 100 generations sd ~ e^-63, still positive
    g = collapse.gaussian_generations(2, 100, runs=50, seed=0)
    assert (g.std[:, -1] > 0).all() and np.median(g.std[:, -1]) < 1e-10


def test_text_extended_run_equals_a_fresh_run():
    collapse._TEXT_LOOPS.clear()
    collapse.text_generations("macbeth", 4, human_share=0.3, words_per_generation=3_000, seed=5)
    extended = collapse.text_generations("macbeth", 9, human_share=0.3, words_per_generation=3_000, seed=5)
    collapse._TEXT_LOOPS.clear()
    fresh = collapse.text_generations("macbeth", 9, human_share=0.3, words_per_generation=3_000, seed=5)
    assert extended.metrics.equals(fresh.metrics) and extended.samples == fresh.samples
    assert extended.survival.equals(fresh.survival)
    shorter = collapse.text_generations("macbeth", 3, human_share=0.3, words_per_generation=3_000, seed=5)
    assert shorter.metrics.equals(fresh.metrics.iloc[:4]) and sorted(shorter.samples) == [0, 1, 2, 3]


def _plain_fit(rows, v):
    """fit_bigram as first written: one sort of the keys previous * V + next."""
    prev, nxt = rows[:, :-1].ravel(), rows[:, 1:].ravel()
    dtype = np.int32 if v * v < 2**31 else np.int64
    keys = np.sort(prev.astype(dtype) * dtype(v) + nxt.astype(dtype))
    row_total = np.bincount(prev, minlength=v)
    return keys, np.concatenate(([0], np.cumsum(row_total)[:-1])), row_total, np.bincount(rows.ravel(), minlength=v)


# vocabularies around the switch to 64-bit keys (46,341^2 > 2^31) and the 16-bit radix sort (2^16 ids)
@pytest.mark.parametrize("v", [1, 2, 50, 4483, 46340, 46341, 65535, 65536, 65537, 200_000])
@pytest.mark.parametrize("shape", [(1, 2), (3, 7), (300, 50)])
@pytest.mark.parametrize("lexsort_max", [collapse._LEXSORT_MAX_PAIRS, 0])   # both ways of sorting, at every size
def test_fit_bigram_sorts_pairs_as_a_plain_sort(v, shape, lexsort_max, monkeypatch):
    monkeypatch.setattr(collapse, "_LEXSORT_MAX_PAIRS", lexsort_max)
    rows = np.random.default_rng(v).integers(0, v, shape)
    rows[0, :2] = v - 1                                   # the largest id is always there
    b = collapse.fit_bigram(rows, v)
    keys, row_start, row_total, unigram = _plain_fit(rows, v)
    assert b.keys.dtype == keys.dtype and np.array_equal(b.keys, keys)
    assert np.array_equal(b.row_start, row_start) and np.array_equal(b.row_total, row_total)
    assert np.array_equal(b.unigram, unigram) and np.array_equal(b.tokens, rows.ravel())


def test_sample_bigram_matches_the_plain_sampler():
    """The sampler gives the same words as a step-by-step loop over passages, dead ends included."""
    c = collapse.load_corpus("macbeth")
    model = collapse.fit_bigram(c.train[:40], c.vocabulary_size)   # short text: many words without a successor
    written = collapse.sample_bigram(model, 60, 30, np.random.default_rng(8))
    rng = np.random.default_rng(8)
    out = np.empty((30, 60), dtype=np.int64)
    out[0] = model.tokens[rng.integers(model.tokens.size, size=60)]
    for t in range(1, 30):
        u = rng.random(60)
        total = model.row_total[out[t - 1]]
        for r in range(60):
            slot = model.row_start[out[t - 1, r]] + int(u[r] * total[r])
            out[t, r] = model.keys[slot] % c.vocabulary_size if total[r] else -1
        dead = total == 0
        if dead.any():
            out[t, dead] = model.tokens[rng.integers(model.tokens.size, size=int(dead.sum()))]
    assert (model.row_total[written[:, :-1]] == 0).any()     # the test reaches dead ends
    assert np.array_equal(written, out.T)


@pytest.mark.parametrize("chunk", [collapse._SF_CHUNK, 7])    # one chunk, and chunks that split rows
def test_tail_mass_is_erfc_element_by_element(chunk, monkeypatch):
    monkeypatch.setattr(collapse, "_SF_CHUNK", chunk)
    rng = np.random.default_rng(3)
    mean, std = rng.normal(0, 2, (40, 30)), np.abs(rng.normal(0, 1, (40, 30)))
    std[0, :5] = 0.0                                     # point masses, on and off the bound
    mean[0, :2] = 2.0
    got = collapse.tail_mass(mean, std, 2.0)
    sf = lambda z: 0.5 * math.erfc(z / math.sqrt(2)) if not math.isnan(z) else 0.0   # noqa: E731
    with np.errstate(divide="ignore", invalid="ignore"):
        want = [[sf((2.0 - m) / s) + sf((2.0 + m) / s) for m, s in zip(mr, sr)] for mr, sr in zip(mean, std)]
    assert got.shape == (40, 30) and got.tolist() == want
    assert isinstance(collapse.tail_mass(0.0, 1.0), np.ndarray) and collapse.tail_mass(0.0, 1.0).shape == ()


# --------------------------------------------------------------------------- accumulate versus replace


def test_pooled_mean_and_squares_by_hand():
    # [1, 2, 3] (mean 2, squares 2) and [10] (mean 10, squares 0): all four have mean 4, squares 2 + 0 + 48 = 50
    assert collapse._pool(3, 2.0, 2.0, 1, 10.0, 0.0) == (4.0, 50.0)


def test_accumulated_gaussian_fits_all_data_so_far():
    # one generation by hand: the fit of generation 1 is the fit of the 2 M points of generations 0 and 1
    runs = collapse.gaussian_generations(5, 1, runs=3, seed=21, accumulate=True)
    rng = np.random.default_rng(21)
    x0 = rng.standard_normal((3, 5))
    x1 = x0.mean(axis=1)[:, None] + x0.std(axis=1, ddof=1)[:, None] * rng.standard_normal((3, 5))
    both = np.hstack([x0, x1])
    assert runs.mean[:, 1] == pytest.approx(both.mean(axis=1)) and runs.std[:, 1] == pytest.approx(both.std(axis=1, ddof=1))


def test_accumulating_data_stops_the_collapse():
    replaced = collapse.gaussian_generations(20, 200, runs=500, seed=12)
    kept = collapse.gaussian_generations(20, 200, runs=500, seed=12, accumulate=True)
    assert np.median(replaced.std[:, -1] ** 2) < 0.01          # e^(-0.053 x 200) = 0.00002 for a typical run
    # accumulated: the variance stays near 1 in most runs (Gerstgrasser et al. 2024: the error stays bounded)
    assert 0.7 < np.median(kept.std[:, -1] ** 2) < 1.3
    assert np.quantile(kept.std[:, -1] ** 2, 0.1) > 0.3


def test_accumulated_text_keeps_every_word_and_perplexity_rises_less():
    replaced = collapse.text_generations("macbeth", 12, seed=2)
    kept = collapse.text_generations("macbeth", 12, seed=2, accumulate=True)
    assert (kept.metrics["vocabulary_kept"] == 1).all()
    assert kept.metrics["training_words"].iloc[-1] == 13 * kept.metrics["training_words"].iloc[0]
    rise = lambda run: run.metrics["held_out_perplexity"].iloc[-1] / run.metrics["held_out_perplexity"].iloc[0]  # noqa: E731
    assert 1 < rise(kept) < rise(replaced)


def test_merged_bigram_equals_a_fit_of_both_texts():
    c = collapse.load_corpus("macbeth")
    a, b = c.train[:100], c.train[100:250]
    merged = collapse._merge_bigram(collapse.fit_bigram(a, c.vocabulary_size), collapse.fit_bigram(b, c.vocabulary_size))
    joint = collapse.fit_bigram(np.vstack([a, b]), c.vocabulary_size)
    for name in ("keys", "row_start", "row_total", "unigram", "tokens"):
        assert np.array_equal(getattr(merged, name), getattr(joint, name)), name


# --------------------------------------------------------------------------- bad held-out ids (issue 15)


@pytest.mark.parametrize("ids", [
    np.array([0.0, float("nan"), 1.0]), np.array([0, -1, 1]), np.array([[0, 1, 2]]), np.array([0]),
    np.array([0.0, 0.5]), np.array([0, 3]), np.array(["a", "b"]), [[0, 1], [2]],
])
def test_held_out_perplexity_refuses_bad_ids_by_name(ids):
    b = collapse.fit_bigram(np.array([[0, 1, 1]]), 2)      # ids 0, 1 and 2 (= unknown word) are valid
    with pytest.raises(ValueError, match="held_out"):
        collapse.held_out_perplexity(b, ids)
    with pytest.raises(ValueError, match="model"):
        collapse.held_out_perplexity("not a model", np.array([0, 1]))


# --------------------------------------------------------------------------- explorers clear after bad input


def test_explorers_clear_the_old_result_after_an_invalid_setting():
    g = GaussianCollapseExplorer(generations=10)
    assert g.view.image.value and g.key.value
    g.set(sample_size=1)
    assert isinstance(g.last_error, ValueError) and g.view.image.value == b"" and g.key.value == ""
    g.set(sample_size=10)
    assert g.last_error is None and g.view.image.value
    t = TextCollapseExplorer(generations=3)
    assert t.sample.value and t.view.image.value
    t.set(human_share=-1)
    assert t.sample.value == "" and t.view.image.value == b"" and t.progress.value == 0


def test_explorer_defaults_come_from_the_model_module():
    g, t = GaussianCollapseExplorer(), TextCollapseExplorer()
    assert {k: g.values()[k] for k in ("sample_size", "generations", "human_share", "seed")} == \
        {k: v for k, v in collapse.GAUSSIAN_DEFAULTS.items() if k != "runs"}
    assert t.values()["words_per_generation"] == collapse.default_words(collapse.TEXT_DEFAULTS["corpus"])
    assert t.values()["generations"] == collapse.TEXT_DEFAULTS["generations"]


def test_data_stock_table_and_dataset_shares():
    s = collapse.data_stock()
    assert s.loc["full_use_year", ["value", "low", "high"]].tolist() == [2028, 2026, 2032]
    d = collapse.dataset_shares()
    # Qwen3: 36e12 / 3e14 = 0.12 of the central stock, 0.036 of the high end (1e15), 0.36 of the low end (1e14)
    assert d.loc["Qwen3 pre-training set", ["share_of_stock", "share_if_stock_high", "share_if_stock_low"]].tolist() == \
        pytest.approx([0.12, 0.036, 0.36])
    table = collapse.data_stock_table()
    assert table.loc["Llama 3 pre-training set", "central"] == "15 trillion"
    assert (table.loc["Llama 3 pre-training set", ["low", "high", "interval"]] == "n/a").all()
