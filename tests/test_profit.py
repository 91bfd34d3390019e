"""Unit tests of token_economy.profit (notebook 06's formulas) and of notebook 06's default scenario."""

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from token_economy import checks, data, profit
from token_economy.widgets import profit as wp

# A rent the value chain divides by: 0, or at least checks.SMALLEST (1e-164 is refused by name, see test_checks).
money = st.one_of(st.just(0.0), st.floats(min_value=checks.SMALLEST, max_value=100))
share = st.floats(min_value=0, max_value=1, allow_nan=False)


def test_micron_operating_margin_from_the_data():
    fin = data.load("financials").set_index("company")
    m = profit.margin(fin.loc["Micron Technology", "operating_profit_bn"], fin.loc["Micron Technology", "revenue_bn"])
    assert round(m, 3) == 0.804  # 33.318 / 41.456 = 0.80370


def test_to_usd_and_back():
    assert profit.to_usd(14_849, 1_484.9) == pytest.approx(10.0)
    assert profit.from_usd(10, 7.0404) == pytest.approx(70.404)
    with pytest.raises(ValueError, match="units_per_usd"):
        profit.to_usd(1, 0)


def test_in_usd_names_missing_currencies():
    assert profit.in_usd([1, 700], ["USD", "CNY"], {"CNY": 7.0}).tolist() == [1.0, 100.0]
    with pytest.raises(ValueError, match="KRW"):
        profit.in_usd([1], ["KRW"], {})


def test_flip_rate_hand_computed():
    # (37,610.3 + 53,700) bn won / rate + 33.318 = 100  ->  rate = 91,310.3 / 66.682 = 1,369.34
    assert profit.flip_rate(91_310.3, 33.318, 100) == pytest.approx(1369.34, abs=0.01)
    # at the flip rate the total is exactly the target
    r = profit.flip_rate(500, 20, 70)
    assert 500 / r + 20 == pytest.approx(70)
    with pytest.raises(ValueError, match="already exceeded"):
        profit.flip_rate(500, 80, 70)


def test_cost_margin_is_deepseeks_545_percent():
    day6 = data.load("deepseek_inference_day6").set_index("quantity")["value"]
    m = profit.cost_margin(day6["revenue_usd_per_day_theoretical"], day6["cost_usd_per_day"])
    assert round(m * 100) == day6["cost_profit_margin_pct"] == 545  # (562,027 - 87,072) / 87,072 = 5.4548
    assert profit.revenue_margin_from_cost_margin(m) == pytest.approx(1 - 87_072 / 562_027)


def test_break_even_utilization_hand_computed():
    # price 0.42, cost 0.1325 at full use, training 0.02: u = 0.1325 / 0.40 = 0.33125
    assert profit.break_even_utilization(0.42, 0.1325, 0.02) == pytest.approx(0.33125)
    with pytest.raises(ValueError, match="price"):
        profit.break_even_utilization(0.02, 0.1, 0.02)


@given(price=st.floats(0.1, 10), c1=st.floats(0.01, 5), t=st.floats(0, 0.09))
def test_at_break_even_the_margin_is_zero(price, c1, t):
    u = profit.break_even_utilization(price, c1, t)
    assert price - c1 / u - t == pytest.approx(0, abs=1e-9)


def test_price_war_raises_break_even_and_flags_impossible_prices():
    table = profit.price_war(1.0, 0.5, 0.1, cuts=[0, 0.3, 0.5, 0.95])
    # 0.5 / (1 - 0.1) = 0.556; 0.5 / (0.7 - 0.1) = 0.833; 0.5 / (0.5 - 0.1) = 1.25: impossible
    assert table["break_even_utilization"].iloc[:3].round(3).tolist() == [0.556, 0.833, 1.25]
    assert table["can_break_even"].tolist() == [True, True, False, False]
    assert table["break_even_utilization"].iloc[:3].astype(float).is_monotonic_increasing
    # 1 x (1 - 0.95) = 0.05 is below training (0.1): no utilization breaks even, said with None, not infinity
    assert table["break_even_utilization"].iloc[3] is None


def test_price_war_keeps_a_float_column_when_every_price_can_break_even():
    table = profit.price_war(1.0, 0.5, cuts=[0, 0.5])
    assert table["break_even_utilization"].dtype == float
    assert table["break_even_utilization"].tolist() == [0.5, 1.0]  # 0.5 / 1, 0.5 / 0.5


def test_price_war_and_value_chain_name_their_bad_arguments():
    with pytest.raises(ValueError, match="cuts"):
        profit.price_war(1.0, 0.5, cuts=[0, 1.5])
    with pytest.raises(ValueError, match="training_usd_per_m"):
        profit.price_war(1.0, 0.5, float("nan"))
    kw = dict(wholesale_usd_per_m=2.0, reseller_markup=0.25, gpu_hours_per_m=0.5, rental_usd_per_gpu_hour=2.0,
              gpu_price_usd=35_040, gpu_years=4, electricity_usd_per_gpu_hour=0.1, hosting_usd_per_gpu_hour=0.2,
              training_usd_per_m=0.5, chip_gross_margin=0.75, memory_share_of_chip_cost=0.4,
              memory_gross_margin=0.5)
    for bad in (-1, float("inf"), 10**400):
        with pytest.raises(ValueError, match="reseller_markup"):
            profit.value_chain(**{**kw, "reseller_markup": bad})


def test_serving_cost_grows_as_one_over_utilization():
    assert profit.serving_cost_at(0.5, 1.0) == 2.0
    with pytest.raises(ValueError, match="utilization"):
        profit.serving_cost_at(0, 1.0)
    with pytest.raises(ValueError, match="utilization"):
        profit.serving_cost_at(1.5, 1.0)


def test_training_cost_per_million():
    # $5.576 M over 776 bn tokens a day for a year: 5.576e6 / (776e9 x 365 / 1e6) = $0.01969 per M
    assert profit.training_cost_per_m(5.576e6, 776e9 * 365) == pytest.approx(0.019687, abs=1e-6)


def test_reseller_and_model_layers():
    r = profit.reseller_layer(0.42, 0.2)
    assert (r.revenue, round(r.profit, 3), round(r.margin, 4)) == (0.504, 0.084, 0.1667)  # 0.084 / 0.504
    m = profit.model_layer(0.42, 0.53, 0.02)
    assert round(m.profit, 2) == -0.13 and m.margin < 0
    assert profit.Layer("x", 0, 1).margin == 0.0
    with pytest.raises(ValueError, match="markup"):
        profit.reseller_layer(1, -0.1)


def hand_chain(**changes):
    kw = dict(wholesale_usd_per_m=1.0, reseller_markup=0.1, gpu_hours_per_m=0.25, rental_usd_per_gpu_hour=2.0,
              gpu_price_usd=8760 * 4, gpu_years=4, electricity_usd_per_gpu_hour=0.2,
              hosting_usd_per_gpu_hour=0.2, training_usd_per_m=0.1, chip_gross_margin=0.8,
              memory_share_of_chip_cost=0.5, memory_gross_margin=0.6)
    kw.update(changes)
    return profit.value_chain(**kw)


def test_value_chain_hand_computed():
    s = hand_chain().slices
    # retail 1.1; rent 0.25 x 2 = 0.5; model margin 1 - 0.5 - 0.1 = 0.4
    # depreciation $1/h: chip revenue 0.25, chip GP 0.2, COGS 0.05, memory revenue 0.025, memory GP 0.015
    # cloud margin 0.25 x (2 - 1 - 0.2 - 0.2) = 0.15
    expected = {"reseller margin": 0.1, "model company margin": 0.4, "training recovery": 0.1,
                "GPU cloud margin": 0.15, "electricity": 0.05, "data-centre hosting": 0.05,
                "other hardware suppliers": 0.035, "memory maker gross profit": 0.015,
                "chip maker gross profit": 0.2}
    assert s.round(10).to_dict() == pytest.approx(expected)
    assert list(s.index) == list(profit.SLICES)


def test_value_chain_layers_books():
    layers = hand_chain().layers
    assert layers.loc["memory maker", "revenue"] == pytest.approx(0.025)
    assert layers.loc["GPU cloud", "margin"] == pytest.approx(0.15 / 0.5)
    assert layers.loc["chip maker", "margin"] == pytest.approx(0.8)


@given(w=st.floats(0.01, 50), markup=st.floats(0, 2), hours=st.floats(0, 5), rent=money, gpu=st.floats(0, 1e5),
       power=st.floats(0, 1), hosting=st.floats(0, 1), training=st.floats(0, 1), cgm=share, ms=share, mgm=share)
def test_slices_always_add_up_to_the_retail_price(w, markup, hours, rent, gpu, power, hosting, training, cgm, ms, mgm):
    vc = profit.value_chain(wholesale_usd_per_m=w, reseller_markup=markup, gpu_hours_per_m=hours,
                            rental_usd_per_gpu_hour=rent, gpu_price_usd=gpu, gpu_years=4,
                            electricity_usd_per_gpu_hour=power, hosting_usd_per_gpu_hour=hosting,
                            training_usd_per_m=training, chip_gross_margin=cgm, memory_share_of_chip_cost=ms,
                            memory_gross_margin=mgm)
    assert vc.retail == pytest.approx(w * (1 + markup), rel=1e-9, abs=1e-9)
    assert vc.shares().sum() == pytest.approx(1.0)
    assert all(math.isfinite(v) for v in vc.slices)


def test_value_chain_rejects_bad_margins_by_name():
    with pytest.raises(ValueError, match="chip_gross_margin"):
        hand_chain(chip_gross_margin=1.2)
    with pytest.raises(ValueError, match="gpu_years"):
        hand_chain(gpu_years=0)


def test_dollar_split_refuses_a_zero_price():
    with pytest.raises(ValueError, match="retail price"):
        profit.dollar_split(pd.Series({"a": 0.0}))


def test_default_scenario_comes_from_the_tables():
    s = wp.scenario()
    assert s["price"] == 0.42  # deepseek-chat output price in data/api_prices.csv
    assert s["chip_gross_margin"] == pytest.approx(0.749) and s["memory_gross_margin"] == pytest.approx(0.846)
    assert s["memory_share"] == pytest.approx(1400 / 3370)  # H100: HBM / (300 + 1400 + 750 + 920)
    assert s["markup"] == 0.055
    assert 0 < s["gpu_hours_per_m_full"] < 1


def test_default_chain_matches_its_parts():
    s = wp.scenario()
    vc = wp.chain(utilization=0.25)
    hours = s["gpu_hours_per_m_full"] / 0.25
    assert vc.layers.loc["GPU cloud", "revenue"] == pytest.approx(hours * s["rent"])
    assert vc.retail == pytest.approx(s["price"] * (1 + s["markup"]))


def test_table_lookups_of_the_explorer_name_the_bad_key_and_list_the_valid_ones():
    from token_economy.widgets import profit as wp
    with pytest.raises(ValueError, match="column must be one of .*gross_margin_pct"):
        wp.financial("Nvidia", "")
    with pytest.raises(ValueError, match="segment must be one of"):
        wp.financial("Nvidia", "gross_margin_pct", segment="moon base")
    with pytest.raises(ValueError, match="parameter must be one of .*reseller_markup"):
        wp.input_value("nope")
    with pytest.raises(ValueError, match="accelerator must be one of .*NVIDIA H100 SXM"):
        wp.memory_share_of_chip_cost("")
    # 1,400 / (300 + 1,400 + 750 + 920): HBM's share of the H100's estimated cost of goods
    assert wp.memory_share_of_chip_cost() == pytest.approx(1400 / 3370)
