"""The exercise checks of notebooks 05 and 07: right answers (computed here from the data or the simulations,
not by the check's own code path) pass in any equivalent form, the mistakes a learner makes get their hint,
and no message gives the answer away. tests/test_assignments.py feeds every check hostile values and grades
the built assignments; this file tests what each check knows, and ``Answer.close_to_each``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from token_economy import collapse, data
from token_economy.exercises import Answer, Wrong
from token_economy.exercises.nb05 import exercises as ex05
from token_economy.exercises.nb07 import exercises as ex07


def _hint(verdict) -> str:
    assert not verdict.ok, verdict
    return verdict.message


def test_close_to_each_checks_every_key_in_any_order():
    expected = {"a": 36.0, "b": 270.0}
    Answer("bills", {"b": 270.1, "a": np.float64(36)}).close_to_each(expected)
    Answer("bills", pd.Series({"a": 36.0, "b": 270.0})).close_to_each(expected)
    Answer("bills", {"a": 36.5, "b": 270.0}).close_to_each(expected, rel_tol=0.02)
    with pytest.raises(Wrong, match=r"`bills\['b'\]` is too high"):
        Answer("bills", {"a": 36.0, "b": 300.0}).close_to_each(expected)
    with pytest.raises(Wrong, match="one day"):
        Answer("bills", {"a": 36.0, "b": 9.0}).close_to_each(expected, mistakes={"b": {9.0: "one day"}})
    with pytest.raises(Wrong, match="missing"):
        Answer("bills", {"a": 36.0}).close_to_each(expected)
    with pytest.raises(Wrong, match="unexpected"):
        Answer("bills", {"a": 36.0, "b": 270.0, "c": 1.0}).close_to_each(expected)
    with pytest.raises(Wrong, match="should be a dict"):
        Answer("bills", [36.0, 270.0]).close_to_each(expected)
    with pytest.raises(Wrong, match="not a finite number"):
        Answer("bills", {"a": math.nan, "b": 270.0}).close_to_each(expected)


# --- notebook 05 ------------------------------------------------------------------------------------


def _prices(model: str) -> pd.Series:
    sheet = data.load("api_prices")
    return sheet[(sheet["model_id"] == model) & (sheet["tier"] == 1)].iloc[0]


def _request(model: str, fresh: float, cached: float, output: float) -> float:
    p = _prices(model)
    return (fresh * p["usd_per_m_input"] + cached * p["usd_per_m_cached_input"] + output * p["usd_per_m_output"]) / 1e6


def test_05_support_bot_bills_and_output_shares():
    models = ("gpt-4o-mini", "claude-haiku-4.5")
    per_request = {m: _request(m, 800, 0, 200) for m in models}
    month = {m: r * 5_000 * 30 for m, r in per_request.items()}
    share = {m: _request(m, 0, 0, 200) / r for m, r in per_request.items()}
    assert ex05.check("q1", month, share).ok
    assert ex05.check("q1", pd.Series(month)[::-1], {m: round(s, 3) for m, s in share.items()}).ok   # any order, rounded
    assert math.isclose(share["gpt-4o-mini"], 0.5), "output is half of gpt-4o-mini's bill (4x the price, a fifth of the tokens)"
    assert "30 days" in _hint(ex05.check("q1", {m: v / 30 for m, v in month.items()}, share))
    assert "per million" in _hint(ex05.check("q1", {m: v * 1e6 for m, v in month.items()}, share))
    assert "share of the tokens" in _hint(ex05.check("q1", month, {m: 0.2 for m in models}))
    assert "0.25 for 25%" in _hint(ex05.check("q1", month, {m: 100 * s for m, s in share.items()}))
    wrong = _hint(ex05.check("q1", {m: v * 1.1 for m, v in month.items()}, share))
    assert f"{month['gpt-4o-mini']:.2f}" not in wrong and "36" not in wrong


def test_05_deeper_cache_saves_deepseek_a_larger_share():
    saving, relative = {}, {}
    for m in ("claude-sonnet-4.5", "deepseek-v4-flash"):
        before = _request(m, 20_000, 80_000, 800) * 2_000 * 30
        after = _request(m, 5_000, 95_000, 800) * 2_000 * 30
        saving[m], relative[m] = before - after, (before - after) / before
    assert round(relative["claude-sonnet-4.5"], 2) == 0.42 and round(relative["deepseek-v4-flash"], 2) == 0.59, \
        "the notebook's prose and the issue: DeepSeek's deeper cache discount saves 59% against Claude's 42%"
    assert ex05.check("q2", saving, relative).ok
    assert "positive" in _hint(ex05.check("q2", {m: -s for m, s in saving.items()}, relative))
    assert "before the change" in _hint(ex05.check("q2", saving, {m: saving[m] / (saving[m] / relative[m] - saving[m])
                                                                  for m in saving}))
    assert "0.25 for 25%" in _hint(ex05.check("q2", saving, {m: 100 * r for m, r in relative.items()}))


def test_05_qwen_becomes_dearer_than_gpt5_past_its_first_tier():
    qwen, gpt5 = _prices("qwen3-max"), _prices("gpt-5")
    edge = int(qwen["context_to_tokens"])
    below = (edge * qwen["usd_per_m_input"] + 1_000 * qwen["usd_per_m_output"]) / 1e6
    assert below < (edge * gpt5["usd_per_m_input"] + 1_000 * gpt5["usd_per_m_output"]) / 1e6
    on_grid = (edge // 1_000 + 1) * 1_000
    for answer in (edge, edge + 1, on_grid, float(on_grid), np.int64(on_grid)):
        assert ex05.check("q3", answer).ok, answer
    assert "thousands" in _hint(ex05.check("q3", on_grid / 1_000))
    assert "still cheaper" in _hint(ex05.check("q3", edge - 1_000))
    assert "already dearer" in _hint(ex05.check("q3", 128_500))
    assert str(on_grid) not in _hint(ex05.check("q3", on_grid + 1))


# --- notebook 07 ------------------------------------------------------------------------------------


def test_07_halving_time_theory_and_simulation():
    rule_of_thumb = math.log(2) * (20 - 1)
    runs = collapse.gaussian_generations(20, 40, runs=2000, seed=0)
    simulated = int(np.argmax(np.median(runs.std ** 2, axis=0) <= 0.5))
    assert abs(simulated - rule_of_thumb) < 2
    assert ex07.check("q1", rule_of_thumb, simulated).ok
    assert ex07.check("q1", collapse.halving_generations(20), float(simulated)).ok
    assert "ln 2 divided by it" in _hint(ex07.check("q1", 1 / 19, simulated))
    assert "0.69 M" in _hint(ex07.check("q1", math.log(2) * 20, simulated))
    assert "theory's value" in _hint(ex07.check("q1", rule_of_thumb, rule_of_thumb))
    assert "seed=0" in _hint(ex07.check("q1", rule_of_thumb, simulated + 3))
    assert str(simulated) not in _hint(ex07.check("q1", rule_of_thumb, simulated + 3))


def test_07_biased_fit_shrinks_the_mean_variance():
    runs = collapse.gaussian_generations(10, 50, runs=2000, seed=0, unbiased=False)
    mean_50 = float((runs.std[:, 50] ** 2).mean())
    estimate = (mean_50 / float((runs.std[:, 0] ** 2).mean())) ** (1 / 50)
    assert ex07.check("q2", mean_50, 0.9).ok
    assert ex07.check("q2", np.float64(mean_50), estimate).ok, "the simulation's estimate of the factor is accepted"
    assert "median" in _hint(ex07.check("q2", float(np.median(runs.std[:, 50] ** 2)), 0.9))
    assert "unbiased=False" in _hint(ex07.check("q2", float((collapse.gaussian_generations(
        10, 50, runs=2000, seed=0).std[:, 50] ** 2).mean()), 0.9))
    assert "unbiased fit" in _hint(ex07.check("q2", mean_50, 1.0))
    assert "standard deviation" in _hint(ex07.check("q2", mean_50, math.sqrt(0.9)))
    assert "per generation" in _hint(ex07.check("q2", mean_50, 0.9 ** 50))


def test_07_smallest_human_share_that_keeps_most_words():
    def kept(share):
        return collapse.text_generations("hamlet", 50, human_share=share, seed=0).metrics["vocabulary_kept"].iloc[-1]
    below, enough = 0.5, 0.6
    assert kept(below) < 0.8 <= kept(enough), "the notebook's answer: between 0.5 and 0.6 with seed 0"
    assert all(kept(s) < 0.8 for s in (0.0, 0.1, 0.2, 0.3, 0.4))
    assert ex07.check("q3", enough).ok and ex07.check("q3", np.float64(0.6000000000000001)).ok
    assert "too low" in _hint(ex07.check("q3", below)) and "too high" in _hint(ex07.check("q3", 0.7))
    assert "0.25 for 25%" in _hint(ex07.check("q3", 60))
    assert "steps of 0.1" in _hint(ex07.check("q3", 0.55))
    assert "0.6" not in _hint(ex07.check("q3", 0.7))
