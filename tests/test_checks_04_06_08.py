"""The exercise checks of notebooks 04, 06 and 08: right answers (computed here by hand from the data, not by
the check's own code path) pass in any equivalent form, the mistakes a learner makes get their hint, and no
message gives the answer away. tests/test_assignments.py feeds every check hostile values and grades the
built assignments; this file tests what each check knows.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from token_economy import capstone, data, factory, hardware, profit
from token_economy.exercises import Answer, Wrong
from token_economy.exercises.nb04 import exercises as ex04
from token_economy.exercises.nb06 import exercises as ex06
from token_economy.exercises.nb08 import exercises as ex08


def _hint(verdict) -> str:
    assert not verdict.ok, verdict
    return verdict.message


def test_close_to_takes_an_absolute_tolerance_for_answers_near_zero():
    Answer("margin", 0.004).close_to(0.001, rel_tol=0.0, abs_tol=0.005)
    Answer("margin", -0.003).close_to(0.001, rel_tol=0.0, abs_tol=0.005)
    with pytest.raises(Wrong, match="too high"):
        Answer("margin", 0.007).close_to(0.001, rel_tol=0.0, abs_tol=0.005)
    with pytest.raises(Wrong, match="in percent"):   # mistakes are recognised with the same tolerances
        Answer("margin", 0.103).close_to(0.001, rel_tol=0.0, abs_tol=0.005, mistakes={0.1: "in percent"})
    with pytest.raises(Wrong, match="too high"):     # the default stays relative
        Answer("margin", 0.004).close_to(0.001)


# --- notebook 04 ------------------------------------------------------------------------------------


def test_04_kv_cache_per_token():
    m = hardware.get_model("llama-3.1-8b")
    by_hand = 2 * m.n_layers * m.n_kv_heads * m.head_dim * 1
    for answer in (by_hand, float(by_hand), np.int64(by_hand)):
        assert ex04.check("q1", answer).ok, answer
    assert "BF16" in _hint(ex04.check("q1", 2 * by_hand))
    assert "KiB" in _hint(ex04.check("q1", by_hand / 1024))
    assert "key and a value" in _hint(ex04.check("q1", by_hand / 2))
    assert str(by_hand) not in _hint(ex04.check("q1", by_hand + 1))


def test_04_full_attention_cache_and_users():
    m, h100 = hardware.get_model("llama-3.1-70b"), hardware.get_gpu("H100-SXM")
    cache = 2 * m.n_layers * m.n_heads * m.head_dim * 2 * 32768          # bytes, one KV head per query head
    users = math.floor((8 * h100.hbm_gb * 1e9 - m.params_total_b * 1e9 * m.weight_bytes) / cache)
    assert ex04.check("q2", cache / 1e9, users).ok
    assert ex04.check("q2", round(cache / 1e9, 1), float(users)).ok
    assert "GiB" in _hint(ex04.check("q2", cache / 2**30, users))
    assert "round down" in _hint(ex04.check("q2", cache / 1e9, users + 0.5))
    assert "weights" in _hint(ex04.check("q2", cache / 1e9, math.floor(8 * h100.hbm_gb * 1e9 / cache)))


def test_04_cached_prefix():
    f = data.load("deepseek_inference_day6").set_index("quantity")["value"]
    miss, hit = f["r1_usd_per_m_input_cache_miss"], f["r1_usd_per_m_input_cache_hit"]
    without, with_ = 20_000 * 50 * miss / 1e6, (20_000 * miss + 20_000 * 49 * hit) / 1e6
    assert ex04.check("q3", without, with_).ok
    assert "first send" in _hint(ex04.check("q3", without, 20_000 * 50 * hit / 1e6))
    assert "per million" in _hint(ex04.check("q3", without * 1e6, with_))


# --- notebook 06 ------------------------------------------------------------------------------------


def test_06_margin_needs_no_exchange_rate():
    fin = data.load("financials").set_index(["company", "segment"])
    hynix = fin.loc[("SK hynix", "company total")]
    margin = hynix["operating_profit_bn"] / hynix["revenue_bn"]
    assert ex06.check("q1", margin).ok and ex06.check("q1", round(margin, 3)).ok
    assert "percent" in _hint(ex06.check("q1", 100 * margin))
    assert f"{margin:.3f}" not in _hint(ex06.check("q1", 0.5))


def test_06_combined_profit_at_the_q4_rate():
    fin, fx = data.load("financials"), data.load("fx_rates")
    q4 = float(fx[fx["kind"].str.contains("Q4 2025")]["units_per_usd"].iloc[0])
    won = fin[fin["currency"] == "KRW"]
    won = won[won["segment"].str.startswith("DS") | (won["company"] == "SK hynix")]["operating_profit_bn"].sum()
    micron = float(fin.loc[fin["company"] == "Micron Technology", "operating_profit_bn"].iloc[0])
    assert ex06.check("q2", micron + won / q4).ok
    assert "divide" in _hint(ex06.check("q2", micron + won * q4))
    assert "Micron" in _hint(ex06.check("q2", won / q4))
    assert "Q4 2025" in _hint(ex06.check("q2", micron + won / 1484.9))


def test_06_reseller_markup_is_not_its_share_of_the_dollar():
    price = profit.scenario()["price"]
    assert ex06.check("q3", 0.30 * price, 0.30 / 1.30).ok
    assert "own selling price" in _hint(ex06.check("q3", 0.30 * 1.30 * price, 0.30 / 1.30))
    assert "with their input" in _hint(ex06.check("q3", 0.30 * profit.scenario()["usd_per_m_output"], 0.30 / 1.30))
    assert "not 30% of the user's dollar" in _hint(ex06.check("q3", 0.30 * price, 0.30))


def test_06_owning_break_even_and_the_cost_of_capital_that_flips_it():
    s = profit.scenario()
    by_hand = s["gpu_hours_per_m_full"] * s["tco"]["total"] / (s["price"] - s["training_per_m"])
    flip = next(r / 1e4 for r in range(0, 5000) if profit.hour_cost("own", cost_of_capital=r / 1e4) >= s["rent"])
    assert ex06.check("q4", by_hand, flip).ok                      # to a hundredth of a percentage point
    assert ex06.check("q4", by_hand, round(flip, 3)).ok            # to a tenth, as the question asks
    assert "not the rent" in _hint(ex06.check("q4", profit.scenario_break_even(), flip))
    assert "percent" in _hint(ex06.check("q4", by_hand, 100 * flip))
    assert not ex06.check("q4", by_hand, flip + 0.01).ok


# --- notebook 08 ------------------------------------------------------------------------------------


def test_08_thin_reseller_and_bigger_fleet():
    _, market = capstone.presets("reseller")
    thin = capstone.summary(capstone.play("reseller", price=market.start_price * (1 + profit.scenario()["markup"])))
    assert ex08.check("q1", thin["profit"]).ok
    assert "profit in dollars" in _hint(ex08.check("q1", thin["margin"]))
    fleet, _ = capstone.presets("model")
    year = lambda cut, fixed=1.25: capstone.summary(capstone.play(
        "model", strategy="follow", capacity=1.25 * fleet.capacity, fixed_cost=fixed * fleet.fixed_cost,
        market={"price_cut": cut}))["profit"]
    assert ex08.check("q2", year(0.0), year(0.06)).ok
    assert "capacity costs money" in _hint(ex08.check("q2", year(0.0, fixed=1.0), year(0.06)))


def test_08_break_even_rent_is_where_the_year_turns():
    from token_economy.exercises.nb08 import cloud_year_profit
    rent = next(r / 100 for r in range(300, 1000) if cloud_year_profit(r / 100) > 0)   # first cent in profit
    assert cloud_year_profit(rent - 0.01) < 0
    assert ex08.check("q3", rent).ok and ex08.check("q3", rent - 0.01).ok
    assert not ex08.check("q3", rent + 0.05).ok
    assert "twice as much" in _hint(ex08.check("q3", next(
        r / 100 for r in range(100, 1000) if cloud_year_profit(r / 100, gpu_price_factor=1.0) > 0)))


def test_08_a_learners_own_year_is_replayed():
    business, _ = capstone.presets("model")
    choice = {"layer": "model", "strategy": "hold", "price_factor": 0.95, "capacity_factor": 0.7}
    played = capstone.summary(capstone.play("model", strategy="hold", price=0.95 * business.price,
                                            capacity=0.7 * business.capacity, fixed_cost=0.7 * business.fixed_cost))
    assert played["margin"] > capstone.summary(capstone.play("model"))["margin"]
    assert ex08.check("q4", choice, played["margin"]).ok
    assert ex08.check("q4", choice, round(played["margin"], 2)).ok             # half a percentage point
    assert "percent" in _hint(ex08.check("q4", choice, 100 * played["margin"]))
    free = capstone.summary(capstone.play("model", strategy="hold", price=0.95 * business.price,
                                          capacity=0.7 * business.capacity))["margin"]
    assert "capacity costs money" in _hint(ex08.check("q4", choice, free))
    preset = {"layer": "model", "strategy": "hold", "price_factor": 1.0}
    assert "do not beat" in _hint(ex08.check("q4", preset, capstone.summary(capstone.play("model"))["margin"]))
    assert "missing" in _hint(ex08.check("q4", {"layer": "model"}, 0.1))
    assert "layer is one of" in _hint(ex08.check("q4", {**choice, "layer": "bank"}, 0.1))
    assert "never binds" in _hint(ex08.check("q4", {**choice, "layer": "reseller"}, 0.1))
