"""Unit tests of token_economy.profit (notebook 06's formulas) and of notebook 06's default scenario."""

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from token_economy import checks, data, profit, sensitivity

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


TCO = {"gpu": 0.5, "capital": 0.3, "power": 0.1, "hosting": 0.2, "server_and_network": 0.1}


def test_price_war_and_value_chain_name_their_bad_arguments():
    with pytest.raises(ValueError, match="cuts"):
        profit.price_war(1.0, 0.5, cuts=[0, 1.5])
    with pytest.raises(ValueError, match="training_usd_per_m"):
        profit.price_war(1.0, 0.5, float("nan"))
    kw = dict(wholesale_usd_per_m=2.0, reseller_markup=0.25, gpu_hours_per_m=0.5, tco_usd_per_gpu_hour=TCO,
              rental_usd_per_gpu_hour=2.0, training_usd_per_m=0.5, chip_gross_margin=0.75,
              memory_share_of_chip_cost=0.4, memory_gross_margin=0.5)
    for bad in (-1, float("inf"), 10**400):
        with pytest.raises(ValueError, match="reseller_markup"):
            profit.value_chain(**{**kw, "reseller_markup": bad})
    with pytest.raises(ValueError, match="tco_usd_per_gpu_hour"):
        profit.value_chain(**{**kw, "tco_usd_per_gpu_hour": 3.0})
    with pytest.raises(ValueError, match="'gpu' component"):
        profit.value_chain(**{**kw, "tco_usd_per_gpu_hour": {"power": 1.0}})
    with pytest.raises(ValueError, match="not the sum"):
        profit.value_chain(**{**kw, "tco_usd_per_gpu_hour": {**TCO, "total": 9.0}})
    with pytest.raises(ValueError, match="cloud_occupancy"):
        profit.value_chain(**{**kw, "cloud_occupancy": 0})


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
    kw = dict(wholesale_usd_per_m=1.0, reseller_markup=0.1, gpu_hours_per_m=0.25, tco_usd_per_gpu_hour=TCO,
              rental_usd_per_gpu_hour=2.0, training_usd_per_m=0.1, chip_gross_margin=0.8,
              memory_share_of_chip_cost=0.5, memory_gross_margin=0.6, cloud_occupancy=0.8)
    kw.update(changes)
    return profit.value_chain(**kw)


def test_value_chain_hand_computed():
    s = hand_chain().slices
    # retail 1.1; rent 0.25 x 2 = 0.5; model margin 1 - 0.5 - 0.1 = 0.4
    # the cloud pays for 0.25 / 0.8 = 0.3125 hours at $1.20: 0.375, margin 0.5 - 0.375 = 0.125
    # chip revenue 0.3125 x 0.5 = 0.15625, GP 0.125, COGS 0.03125, memory revenue 0.015625, memory GP 0.009375
    expected = {"reseller margin": 0.1, "model company margin": 0.4, "training recovery": 0.1,
                "GPU cloud margin": 0.125, "cost of capital": 0.09375, "electricity": 0.03125,
                "data-centre hosting": 0.0625, "maintenance and staff": 0.0, "server and network makers": 0.03125,
                "other chip suppliers": 0.021875, "memory maker gross profit": 0.009375,
                "chip maker gross profit": 0.125}
    assert s.round(10).to_dict() == pytest.approx(expected)
    assert list(s.index) == list(profit.SLICES)


def test_value_chain_when_the_model_company_owns_its_gpus():
    vc = hand_chain(rental_usd_per_gpu_hour=None)
    # no cloud, no occupancy: 0.25 hours at the full $1.20 = 0.3; model margin 1 - 0.3 - 0.1 = 0.6
    assert "GPU cloud margin" not in vc.slices and "GPU cloud" not in vc.layers.index
    assert vc.slices["model company margin"] == pytest.approx(0.6)
    assert vc.layers.loc["model company", "cost"] == pytest.approx(0.4)
    assert vc.retail == pytest.approx(1.1)


def test_unknown_cost_components_go_to_maintenance_and_staff():
    vc = hand_chain(tco_usd_per_gpu_hour={**TCO, "maintenance": 0.08, "staff": 0.02})
    assert vc.slices["maintenance and staff"] == pytest.approx(0.3125 * 0.1)


def test_value_chain_layers_books():
    layers = hand_chain().layers
    assert layers.loc["memory maker", "revenue"] == pytest.approx(0.015625)
    assert layers.loc["GPU cloud", "margin"] == pytest.approx(0.125 / 0.5)
    assert layers.loc["chip maker", "margin"] == pytest.approx(0.8)


@given(w=st.floats(0.01, 50), markup=st.floats(0, 2), hours=st.floats(0, 5), rent=money, gpu=st.floats(0, 5),
       power=st.floats(0, 1), hosting=st.floats(0, 1), training=st.floats(0, 1), cgm=share, ms=share, mgm=share,
       occupancy=st.floats(0.05, 1), owns=st.booleans())
def test_slices_always_add_up_to_the_retail_price(w, markup, hours, rent, gpu, power, hosting, training, cgm, ms, mgm,
                                                  occupancy, owns):
    vc = profit.value_chain(wholesale_usd_per_m=w, reseller_markup=markup, gpu_hours_per_m=hours,
                            tco_usd_per_gpu_hour={"gpu": gpu, "power": power, "hosting": hosting, "capital": 0.1},
                            rental_usd_per_gpu_hour=None if owns else rent, training_usd_per_m=training,
                            chip_gross_margin=cgm, memory_share_of_chip_cost=ms, memory_gross_margin=mgm,
                            cloud_occupancy=occupancy)
    assert vc.retail == pytest.approx(w * (1 + markup), rel=1e-9, abs=1e-9)
    assert vc.shares().sum() == pytest.approx(1.0)
    assert all(math.isfinite(v) for v in vc.slices)


def test_value_chain_rejects_bad_margins_by_name():
    with pytest.raises(ValueError, match="chip_gross_margin"):
        hand_chain(chip_gross_margin=1.2)
    with pytest.raises(ValueError, match="rental_usd_per_gpu_hour"):
        hand_chain(rental_usd_per_gpu_hour=-1)


def test_dollar_split_refuses_a_zero_price():
    with pytest.raises(ValueError, match="retail price"):
        profit.dollar_split(pd.Series({"a": 0.0}))


def test_default_scenario_comes_from_the_tables():
    s = profit.scenario()
    day = data.load("deepseek_inference_day6").set_index("quantity")["value"]
    ratio, hit = 608 / 168, 342 / 608
    assert s["input_per_output"] == pytest.approx(ratio) and s["cache_hit_share"] == pytest.approx(hit)
    # deepseek-chat: 0.42 output, 0.28 input, 0.028 cached (data/api_prices.csv)
    assert s["price"] == pytest.approx(0.42 + ratio * (hit * 0.028 + (1 - hit) * 0.28))
    # 8 GPUs x 1e6 / 3600 x (1 / 14,800 + ratio / 73,700)
    assert s["gpu_hours_per_m_full"] == pytest.approx(8e6 / 3600 * (1 / 14_800 + ratio / 73_700))
    assert s["utilization"] == pytest.approx(day["nodes_average"] / day["nodes_peak"])   # 226.75 / 278
    assert s["chip_gross_margin"] == pytest.approx(0.749) and s["memory_gross_margin"] == pytest.approx(0.846)
    assert s["memory_share"] == pytest.approx(1350 / 3320)  # H100: HBM / (300 + 1350 + 750 + 920)
    assert s["markup"] == 0.055 and s["rent"] == 2.0 and s["cloud_occupancy"] == 0.85
    # training per million output tokens: $5.576 M over a year of 168 bn output tokens a day
    assert s["training_per_m"] == pytest.approx(5.576e6 / (168e9 * 365 / 1e6))
    assert s["tco"]["total"] == pytest.approx(s["tco"].drop("total").sum())


def test_at_full_utilization_our_cost_is_deepseeks_published_cost():
    # DeepSeek's $87,072 a day over its 168 bn output tokens equals our served GPU-hours at its $2 rent:
    # the measured node speeds account for the average nodes it reports
    s = profit.scenario()
    day = data.load("deepseek_inference_day6").set_index("quantity")["value"]
    assert s["gpu_hours_per_m_full"] * s["rent"] == pytest.approx(day["cost_usd_per_day"] / 168e3, rel=2e-3)


def test_default_chain_matches_its_parts():
    s = profit.scenario()
    vc = profit.chain(utilization=0.25)
    hours = s["gpu_hours_per_m_full"] / 0.25
    assert vc.layers.loc["GPU cloud", "revenue"] == pytest.approx(hours * s["rent"])
    assert vc.layers.loc["GPU cloud", "cost"] == pytest.approx(hours / s["cloud_occupancy"] * s["tco"]["total"])
    assert vc.retail == pytest.approx(s["price"] * (1 + s["markup"]))
    own = profit.chain(ownership="own", utilization=0.25)
    assert own.layers.loc["model company", "cost"] == pytest.approx(hours * s["tco"]["total"] + s["training_per_m"])
    with pytest.raises(ValueError, match="ownership must be one of"):
        profit.chain(ownership="lease")
    with pytest.raises(ValueError, match="cost_of_capital"):
        profit.chain(cost_of_capital=2)


def test_a_higher_cost_of_capital_raises_the_owners_break_even():
    low = profit.scenario_break_even(ownership="own", cost_of_capital=0.05)
    high = profit.scenario_break_even(ownership="own", cost_of_capital=0.15)
    assert low < profit.scenario_break_even(ownership="own") < high
    s = profit.scenario()
    # renting: break-even u = hours x rent / (price - training)
    assert profit.scenario_break_even() == pytest.approx(
        s["gpu_hours_per_m_full"] * s["rent"] / (s["price"] - s["training_per_m"]))
    assert profit.scenario_break_even(price=s["training_per_m"] / 2) is None


def test_margin_formulas_hand_computed():
    assert profit.model_company_margin(1.0, 0.5, 2.0, 0.2, 0.1) == pytest.approx(0.1)   # (1 - 0.8 - 0.1) / 1
    assert profit.cloud_margin(2.0, 1.2, 0.8) == pytest.approx(0.25)                  # (2 - 1.5) / 2
    assert profit.blended_price(1.0, 0.5, 0.1, 2.0, 0.25) == pytest.approx(1.0 + 2 * (0.025 + 0.375))
    assert profit.served_gpu_hours(8, 1000, 4000, 2.0) == pytest.approx(8e6 / 3600 * (1 / 1000 + 2 / 4000))
    with pytest.raises(ValueError, match="price"):
        profit.model_company_margin(5e-324, 0.5, 2.0, 0.2, 0.1)


def test_verdict_flips_agree_with_the_closed_forms():
    s = profit.scenario()
    model = profit.verdict_sensitivity("model_margin").set_index("input")
    assert model.loc["utilization", "flip"] == pytest.approx(profit.scenario_break_even(), abs=1e-6)
    # rent at which the margin is 0: (price - training) / hours x utilization
    assert model.loc["rent", "flip"] == pytest.approx(
        (s["price"] - s["training_per_m"]) * s["utilization"] / s["gpu_hours_per_m_full"], abs=1e-6)
    cloud = profit.verdict_sensitivity("cloud_margin").set_index("input")
    assert cloud.loc["rent", "flip"] == pytest.approx(s["tco"]["total"] / s["cloud_occupancy"], abs=1e-6)
    assert profit.verdict_value("cloud_margin", rent=3.0) == pytest.approx(
        (3.0 - s["tco"]["total"] / s["cloud_occupancy"]) / 3.0)
    with pytest.raises(ValueError, match="has no input 'rent2'"):
        profit.verdict_value("model_margin", rent2=1)
    assert set(model.index) == set(profit.VERDICT_INPUTS["model_margin"])


def test_reconciliation_starts_at_deepseeks_545_percent_and_ends_at_the_scenario():
    steps = profit.day6_reconciliation()
    assert steps["markup"].iloc[0] == pytest.approx(5.4547, abs=1e-4)      # (562,027 - 87,072) / 87,072
    assert steps["margin"].iloc[0] == pytest.approx(1 - 87_072 / 562_027)
    assert steps["cost_usd"].is_monotonic_increasing
    assert steps["margin"].iloc[3] == pytest.approx(profit.chain().layers.loc["model company", "margin"])
    assert steps["margin"].iloc[4] == pytest.approx(profit.chain(ownership="own").layers.loc["model company", "margin"])


def test_price_path_shows_the_v31_rise():
    path = profit.deepseek_price_path()
    assert path["usd_per_m_output"].tolist()[:2] == [1.10, 1.68]
    assert path["change_from_previous"].iloc[1] == pytest.approx(1.68 / 1.10 - 1)


def test_memory_reconciliation_from_sourced_figures():
    rec = profit.memory_reconciliation(pd.Series({"memory maker gross profit": 0.02, "rest": 0.98}))
    assert rec["memory_cents_per_dollar"] == pytest.approx(2.0)
    assert rec["dram_revenue_2025"] == pytest.approx(27.01 + 31.63 + 41.4 + 53.58)
    assert rec["hbm_share_of_dram_revenue_2025"] == pytest.approx(32 / 153.62)
    assert rec["conventional_price_multiple"] == pytest.approx(1.475 * 1.955)
    assert rec["micron_data_centre_share"] == pytest.approx((13.769 + 11.524) / 41.456)
    with pytest.raises(ValueError, match="shares"):
        profit.memory_reconciliation(pd.Series({"a": 1.0}))


def test_every_sensitivity_range_has_a_basis_and_a_source():
    ranges = data.load("sensitivity_ranges")
    assert (ranges["low"] <= ranges["high"]).all()
    assert ranges["basis"].str.len().gt(0).all()
    for verdict in profit.VERDICT_INPUTS:
        assert set(profit.verdict_ranges(verdict)) == set(profit.VERDICT_INPUTS[verdict])


def test_explorer_clears_the_old_result_after_an_invalid_setting():
    from token_economy.widgets.profit import ProfitExplorer

    ex = ProfitExplorer()
    assert ex.table.value and ex.split.value
    ex.set(utilization=0)
    assert isinstance(ex.last_error, ValueError) and "Utilization" in ex.message.value
    assert ex.table.value == "" and ex.split.value == ""
    ex.set(utilization=0.8, ownership="own", cost_of_capital_pct=150)
    assert "Cost of capital" in ex.message.value and ex.table.value == ""
    ex.set(cost_of_capital_pct=8)
    assert ex.last_error is None and "owning" in ex.message.value and "GPU cloud" not in ex.table.value
    assert ex.controls["rent"].disabled


def test_table_lookups_name_the_bad_key_and_list_the_valid_ones():
    with pytest.raises(ValueError, match="column must be one of .*gross_margin_pct"):
        profit.financial("Nvidia", "")
    with pytest.raises(ValueError, match="segment must be one of"):
        profit.financial("Nvidia", "gross_margin_pct", segment="moon base")
    with pytest.raises(ValueError, match="parameter must be one of .*reseller_markup"):
        profit.input_value("nope")
    with pytest.raises(ValueError, match="gpu_or_accelerator must be one of .*H100-SXM"):
        profit.hbm_share_of_gpu_cost("")
    with pytest.raises(ValueError, match="of must be one of"):
        profit.hbm_share_of_gpu_cost("H100-SXM", of="price")


def test_hbm_share_of_an_h100_is_one_figure_from_the_page_totals():
    # Silicon Analysts: total $3,320 to make; HBM = 3,320 - 300 (logic) - 750 (packaging) - 920 (test) = 1,350
    rows = data.load("memory_cost_share").query("scope == 'NVIDIA H100 SXM'").set_index("component")["usd"]
    assert rows["HBM memory"] == 1350 and rows.drop("sale price").sum() == 3320
    assert profit.hbm_share_of_gpu_cost() == pytest.approx(1350 / 3320)
    assert profit.hbm_share_of_gpu_cost("NVIDIA H100 SXM") == profit.hbm_share_of_gpu_cost("H100-SXM")
    assert profit.hbm_share_of_gpu_cost("H100-SXM", of="sale price") == pytest.approx(1350 / 28_000)
    # MI300X: 2,900 / (600 + 2,900 + 1,200 + 600); its delta over the H100 is the page's +114.8%
    assert profit.hbm_share_of_gpu_cost("MI300X") == pytest.approx(2900 / 5300)
    assert 2900 / 1350 - 1 == pytest.approx(1.148, abs=5e-4)
