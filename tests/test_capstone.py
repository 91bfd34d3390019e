"""Unit tests of token_economy.capstone (notebook 08's simulation) and its presets."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from token_economy import capstone, checks, profit


def quiet_market(**kw):
    base = dict(start_price=1.0, demand=1000, growth=0, price_cut=0, cut_noise=0, demand_noise=0,
                elasticity=2, fair_share=0.1, months=3)
    base.update(kw)
    return capstone.Market(**base)


def test_hand_computed_month():
    # price 2x the market, elasticity 2: share 0.1 x (1/2)^2 = 0.025 -> 25 units of 1000
    b = capstone.Business("model", price=2.0, capacity=100, unit_cost=0.5, fixed_cost=10)
    pnl = capstone.simulate(b, quiet_market())
    row = pnl.iloc[0]
    assert row["share"] == pytest.approx(0.025) and row["units_sold"] == pytest.approx(25)
    assert row["revenue"] == pytest.approx(50) and row["profit"] == pytest.approx(50 - 12.5 - 10)
    assert pnl["cumulative_profit"].iloc[-1] == pytest.approx(3 * 27.5)


def test_capacity_caps_sales_and_counts_lost_units():
    b = capstone.Business("model", price=1.0, capacity=60, unit_cost=0, fixed_cost=0)
    pnl = capstone.simulate(b, quiet_market())  # wants 100 a month
    assert pnl["units_sold"].tolist() == [60, 60, 60]
    assert pnl["lost_units"].tolist() == [40, 40, 40]
    assert pnl["utilization"].tolist() == [1, 1, 1]


def test_unlimited_capacity():
    b = capstone.Business("reseller", price=1.0, capacity=math.inf, unit_cost=0.5, fixed_cost=0)
    pnl = capstone.simulate(b, quiet_market())
    assert pnl["lost_units"].sum() == 0 and pnl["utilization"].sum() == 0


def test_competitor_cuts_hurt_a_business_that_holds_its_price():
    b = capstone.Business("model", price=1.0, capacity=1e6, unit_cost=0, fixed_cost=0, strategy="hold")
    pnl = capstone.simulate(b, quiet_market(price_cut=0.1, elasticity=3))
    # month 2: market 0.9, share 0.1 x 0.9^3 = 0.0729
    assert pnl["share"].iloc[1] == pytest.approx(0.0729)
    assert pnl["revenue"].is_monotonic_decreasing


def test_follow_keeps_the_share_and_the_premium():
    b = capstone.Business("reseller", price=1.2, capacity=1e6, unit_cost=1.0, fixed_cost=0, strategy="follow",
                          cost_follows_market=True)
    pnl = capstone.simulate(b, quiet_market(price_cut=0.1))
    assert pnl["share"].round(12).nunique() == 1
    assert (pnl["your_price"] / pnl["market_price"]).round(12).eq(1.2).all()
    # the reseller's margin per unit follows the wholesale price down: 0.2 x 0.9^(m-1)
    assert (pnl["your_price"] - pnl["unit_cost"]).round(6).tolist() == [0.2, 0.18, 0.162]


def test_same_seed_same_year_different_seed_different_year():
    m1 = capstone.Market(start_price=1, demand=100, seed=7)
    b = capstone.Business("model", price=1, capacity=1e6, unit_cost=0, fixed_cost=0)
    assert capstone.simulate(b, m1).equals(capstone.simulate(b, m1))
    m2 = capstone.Market(start_price=1, demand=100, seed=8)
    assert not capstone.simulate(b, m1)["market_demand"].equals(capstone.simulate(b, m2)["market_demand"])


def test_bad_settings_name_the_argument():
    with pytest.raises(ValueError, match="layer"):
        capstone.Business("bank", 1, 1, 0, 0)
    with pytest.raises(ValueError, match="price"):
        capstone.Business("model", 0, 1, 0, 0)
    with pytest.raises(ValueError, match="capacity"):
        capstone.Business("model", 1, -1, 0, 0)
    with pytest.raises(ValueError, match="capacity is too small"):  # the revenue it allows is divided by
        capstone.Business("model", 1, 5e-324, 0, 0)
    with pytest.raises(ValueError, match="strategy"):
        capstone.Business("model", 1, 1, 0, 0, strategy="guess")
    with pytest.raises(ValueError, match="fair_share"):
        capstone.Market(start_price=1, demand=1, fair_share=2)
    with pytest.raises(ValueError, match="months"):
        capstone.Market(start_price=1, demand=1, months=0)


@settings(max_examples=50, deadline=None)
@given(price=st.floats(0.01, 10), capacity=st.one_of(st.just(0.0), st.floats(checks.SMALLEST, 1e6)), unit_cost=st.floats(0, 5),
       fixed=st.floats(0, 1e5), cut=st.floats(-0.5, 0.9), seed=st.integers(0, 10_000),
       strategy=st.sampled_from(capstone.STRATEGIES))
def test_books_always_balance(price, capacity, unit_cost, fixed, cut, seed, strategy):
    b = capstone.Business("model", price, capacity, unit_cost, fixed, strategy=strategy)
    pnl = capstone.simulate(b, capstone.Market(start_price=1, demand=1e4, price_cut=cut, seed=seed))
    assert (pnl["units_sold"] <= capacity + 1e-9).all() and (pnl["units_sold"] >= 0).all()
    assert (pnl["profit"] - (pnl["revenue"] - pnl["variable_cost"] - pnl["fixed_cost"])).abs().max() < 1e-6
    assert pnl.notna().all().all()
    assert capstone.statement(pnl).loc["profit", "year"] == pytest.approx(capstone.summary(pnl)["profit"])


def test_summary_margin_is_none_without_sales():
    b = capstone.Business("model", price=1, capacity=0, unit_cost=0, fixed_cost=10)
    s = capstone.summary(capstone.simulate(b, quiet_market()))
    assert s["margin"] is None and s["profit"] == -30 and s["profitable_months"] == 0


def test_presets_come_from_the_scenario():
    s = profit.scenario()
    b, m = capstone.presets("model")
    assert b.price == s["price"] and m.start_price == s["price"]
    gpus = capstone.assumption("model", "gpus")
    assert b.fixed_cost == pytest.approx(gpus * s["rent"] * 730)
    assert b.capacity == pytest.approx(gpus * 730 / s["gpu_hours_per_m_full"])
    r, _ = capstone.presets("reseller")
    assert r.cost_follows_market and r.unit_cost == s["price"] and r.strategy == "follow"
    c, cm = capstone.presets("cloud")
    from token_economy import factory, hardware
    tco = factory.tco_per_gpu_hour(capstone.CLOUD_GPU)
    assert cm.start_price == c.price == hardware.get_gpu(capstone.CLOUD_GPU).usd_per_hour_rental
    assert c.capacity == 1000 * 730 and c.unit_cost == pytest.approx(tco["power"])
    assert c.fixed_cost == pytest.approx(1000 * (tco["total"] - tco["power"]) * 730)
    with pytest.raises(ValueError, match="layer"):
        capstone.presets("bank")


@pytest.mark.parametrize("layer", ["model", "cloud"])
def test_a_fair_share_never_exceeds_the_capacity(layer):
    b, m = capstone.presets(layer)
    start = capstone.assumption(layer, "start_utilization")
    assert m.fair_share * m.demand == pytest.approx(start * b.capacity)
    assert m.fair_share * m.demand < b.capacity


def test_the_outcome_depends_on_the_choices():
    # in the default market, following the competitors' cuts beats holding for both capital-heavy layers,
    # and the best and the worst choice differ by a wide margin
    for layer in ("model", "cloud"):
        follow = capstone.summary(capstone.play(layer, strategy="follow"))["margin"]
        hold = capstone.summary(capstone.play(layer, strategy="hold"))["margin"]
        assert follow > hold
        table = capstone.choices(layer)
        assert table["margin"].is_monotonic_decreasing
        assert table["margin"].iloc[0] - table["margin"].iloc[-1] > 0.3
    assert len(capstone.choices("reseller")) == 2 * 3   # capacity never binds for a reseller


def test_layers_are_ranked_by_margin():
    table = capstone.compare_layers()
    assert list(table.index) == sorted(capstone.LAYERS, key=lambda l: -table.loc[l, "margin"])
    assert capstone.compare_layers(model={"strategy": "follow"}).loc["model", "margin"] > table.loc["model", "margin"]


def test_year_sensitivity_flips_where_the_margin_is_zero():
    sens = capstone.year_sensitivity("model").set_index("input")
    cut = sens.loc["price_cut", "flip"]
    assert 0 < cut < 0.08
    assert capstone.year_margin("model", price_cut=cut) == pytest.approx(0, abs=1e-6)
    assert capstone.year_margin("model", price_cut=cut - 0.005) > 0 > capstone.year_margin("model", price_cut=cut + 0.005)


def test_play_names_unknown_decisions_and_settings():
    with pytest.raises(ValueError, match="decisions"):
        capstone.play("model", colour="red")
    with pytest.raises(ValueError, match="market"):
        capstone.play("model", market={"weather": 1})
    with pytest.raises(ValueError, match="parameter"):
        capstone.assumption("model", "nope")


def test_summary_accepts_the_fast_arrays_and_agrees_with_the_table():
    b, m = capstone.presets("cloud")
    assert capstone.summary(capstone._year(b, m)) == capstone.summary(capstone.simulate(b, m))


def test_explorer_clears_the_old_result_after_an_invalid_setting():
    from token_economy.widgets.capstone import CapstoneExplorer

    ex = CapstoneExplorer()
    assert ex.summary.value and ex.chart.value
    ex.set(capacity=-5)
    assert isinstance(ex.last_error, ValueError) and "Capacity" in ex.message.value
    assert ex.summary.value == "" and ex.chart.value == ""
    ex.set(capacity=1000, strategy="follow")
    assert ex.last_error is None and ex.summary.value
