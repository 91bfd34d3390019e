"""factory.py: the full cost of a GPU-hour, $ and joules per token, the frontier, DeepSeek's published day."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from token_economy import factory, hardware


# --------------------------------------------------------------------------- cost of a GPU-hour
def test_gpu_hour_cost_parts_hand_computed():
    # H100, GPU only: $27,500 over 5 years: 27,500 / 43,800 h = $0.6279; power 0.7 kW x 1.56 x $0.08 = $0.08736;
    # hosting $184.06 per kW-month x 0.7 kW / 730 h = $0.17650
    c = factory.gpu_hour_cost("H100-SXM")
    assert c.capital_usd == pytest.approx(27_500 / (5 * 8760))
    assert c.power_usd == pytest.approx(0.7 * 1.56 * 0.08)
    assert c.hosting_usd == pytest.approx(184.06 * 0.7 / 730)
    assert c.total_usd == pytest.approx(c.capital_usd + c.power_usd + c.hosting_usd)
    assert c.as_dict()["total_usd"] == c.total_usd


def test_gpu_hour_cost_options():
    c = factory.gpu_hour_cost("A100-80GB-SXM", years=2, electricity_usd_per_kwh=0.2, pue=1.2,
                              hosting_usd_per_hour=0.5, utilization_of_power=0.5)
    # 15,000 / 17,520 = 0.8562; 0.4 kW x 0.5 x 1.2 x 0.2 = 0.048
    assert c.capital_usd == pytest.approx(15_000 / 17_520)
    assert c.power_usd == pytest.approx(0.048)
    assert c.hosting_usd == 0.5


@pytest.mark.parametrize("kwargs, name", [
    (dict(years=0), "years"), (dict(pue=0.9), "pue"), (dict(electricity_usd_per_kwh=-1), "electricity"),
    (dict(utilization_of_power=1.5), "utilization_of_power"), (dict(hosting_usd_per_hour=-2), "hosting"),
])
def test_gpu_hour_cost_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory.gpu_hour_cost("H100-SXM", **kwargs)


def test_tco_per_gpu_hour_hand_computed():
    # H100 with the inputs of data/tco_inputs.csv:
    # hardware = 27,500 (GPU) + 11,250 (rest of the server: (310,000 - 8 x 27,500) / 8) + 4,247.5 (network)
    hw_usd = 27_500 + (310_000 - 8 * 27_500) / 8 + 4_247.5
    assert hw_usd == 42_997.5
    t = factory.tco_per_gpu_hour("H100-SXM")
    hours = 5 * 8760
    assert t["gpu"] == pytest.approx(27_500 / hours)
    assert t["server_and_network"] == pytest.approx((11_250 + 4_247.5) / hours)
    assert t["power"] == pytest.approx(10.2 / 8 * 1.0 * 1.56 * 0.08)              # 1.275 kW at the wall
    assert t["hosting"] == pytest.approx(10.2 / 8 * 184.06 / 730)
    assert t["maintenance"] == pytest.approx(0.06 * hw_usd / 8760)
    annuity = 0.11 / (1 - 1.11 ** -5)                                              # 0.270570 per dollar per year
    assert t["capital"] == pytest.approx((annuity - 1 / 5) * hw_usd / 8760)
    assert t["total"] == pytest.approx(sum(t[k] for k in factory.TCO_COMPONENTS))
    assert t["total"] == pytest.approx(0.6279 + 0.3538 + 0.1591 + 0.3215 + 0.2945 + 0.3464, abs=1e-4)
    # the full cost is well above the GPU-only figure, and below the market rental of $3
    assert factory.gpu_hour_cost("H100-SXM").total_usd < t["total"] < hardware.get_gpu("H100-SXM").usd_per_hour_rental


def test_tco_overrides_and_capital():
    base = factory.tco_per_gpu_hour("B200")
    free_money = factory.tco_per_gpu_hour("B200", cost_of_capital=0)
    assert free_money["capital"] == 0 and free_money["gpu"] == base["gpu"]
    dear = factory.tco_per_gpu_hour("B200", cost_of_capital=0.2)
    assert dear["capital"] > base["capital"] > 0
    # a longer life halves depreciation per hour; interest on the average balance hardly moves
    long = factory.tco_per_gpu_hour("B200", service_life_years=10)
    assert long["gpu"] == pytest.approx(base["gpu"] / 2) and long["total"] < base["total"]
    assert long["capital"] == pytest.approx(base["capital"], rel=0.05)
    assert factory.tco_per_gpu_hour("B200", gpu_price_usd=0)["gpu"] == 0
    assert base.attrs["inputs"]["server_power_kw"] == 14.3


@pytest.mark.parametrize("kwargs, name", [
    (dict(cost_of_capital=-0.1), "cost_of_capital"), (dict(pue=0.5), "pue"), (dict(service_life_years=0), "life"),
    (dict(colour="red"), "colour"), (dict(server_power_kw=float("nan")), "server_power_kw"),
])
def test_tco_rejects_bad_input_naming_it(kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory.tco_per_gpu_hour("H100-SXM", **kwargs)


def test_annuity_factor():
    # 11% over 5 years: 0.11 / (1 - 1.11^-5) = 0.11 / 0.406549 = 0.270570
    assert factory.annuity_factor(0.11, 5) == pytest.approx(0.270570, abs=1e-6)
    assert factory.annuity_factor(0, 4) == 0.25
    assert factory.annuity_factor(0.05, 1) == pytest.approx(1.05)


def test_tco_table_has_every_gpu_with_the_gpu_only_figure():
    t = factory.tco_table()
    assert list(t.index) == hardware.gpu_ids()
    assert (t["total"] > t["gpu_only"]).all() and not t.isna().any().any()
    assert factory.rest_of_server_usd_per_gpu() == 11_250


# --------------------------------------------------------------------------- utilization from evidence
def test_day6_roofline_hand_computed():
    r = factory.day6_roofline()
    # 14,800 tokens/s per node / 8 GPUs / 21 tokens/s per user = 88.1 -> 88 sequences per GPU, 144 GPUs per unit
    assert r["sequences_per_gpu"] == 88 and r["decode_gpus"] == 144
    # per GPU and step: its copy of the 17.1 B non-expert parameters (FP8), 1/144 of the 653.9 B expert
    # parameters (all experts are used by 12,672 tokens), and its 88 sequences' BF16 KV cache
    routed = 58 * 256 * 3 * 7168 * 2048
    per_gpu = (671e9 - routed) + routed / 144 * (1 - (1 - 8 / 256) ** (88 * 144)) + 88 * 4989 * 70272
    step = per_gpu / 3.35e12
    assert r["decode_step"].memory_seconds == pytest.approx(step)
    roof_node = 88 * 144 / step / 18
    assert r["decode_fraction"] == pytest.approx(14_800 / roof_node)
    assert 0.3 < r["decode_fraction"] < 0.35
    assert r["average_over_peak_nodes"] == pytest.approx(226.75 / 278)
    assert factory.default_utilization() == r["decode_fraction"]
    assert factory.default_load_factor() == r["average_over_peak_nodes"]


def test_utilization_evidence_lists_derived_public_and_default_rows():
    e = factory.utilization_evidence()
    assert set(e["kind"]) == {"derived", "public", "default"}
    assert (e["value"].between(0, 1)).all()
    assert (e["basis"].str.len() > 20).all()
    public = e[e["kind"] == "public"]
    assert len(public) >= 3 and (public["low"] <= public["high"]).all()


def test_service_level_is_deepseeks_low_end():
    assert factory.service_level() == factory.day6_figures()["output_speed_per_user_low"] == 20


# --------------------------------------------------------------------------- serving cost
def test_serving_cost_hand_computed_memory_bound():
    # Llama 3.1 8B, one H100 rented at $3/h, batch 1, context 1,000, utilization 1, every hour used:
    # step = (16.06e9 + 1,000 x 131,072) / 3.35e12 = 4.8331 ms -> 206.9 tokens/s
    s = factory.serving_cost("llama-3.1-8b", "H100-SXM", batch=1, context_tokens=1000, utilization=1.0,
                             load_factor=1.0, usd_per_gpu_hour=3.0)
    step = (16.06e9 + 1000 * 131072) / 3.35e12
    assert s.output_tokens_per_second == pytest.approx(1 / step)
    assert s.usd_per_m_output_tokens == pytest.approx(3.0 / (3600 / step) * 1e6)
    # joules: a server's 10.2 kW / 8 GPUs x PUE 1.56, over 206.9 tokens/s
    assert s.joules_per_output_token == pytest.approx(10_200 / 8 * 1.56 * step)
    assert s.bottleneck == "memory" and s.n_gpus == 1 and s.usd_per_gpu_hour == 3.0 and s.layout == "tensor"


def test_serving_cost_defaults_to_the_full_cost_of_owning():
    s = factory.serving_cost("llama-3.1-8b", "H100-SXM")
    assert s.usd_per_gpu_hour == pytest.approx(factory.tco_per_gpu_hour("H100-SXM")["total"])
    assert s.utilization == factory.default_utilization() and s.load_factor == factory.default_load_factor()


def test_utilization_and_load_factor():
    a = factory.serving_cost("llama-3.1-70b", "H200-SXM", utilization=1.0, load_factor=1.0)
    b = factory.serving_cost("llama-3.1-70b", "H200-SXM", utilization=0.25, load_factor=1.0)
    assert b.usd_per_m_output_tokens == pytest.approx(4 * a.usd_per_m_output_tokens)
    assert b.joules_per_output_token == pytest.approx(4 * a.joules_per_output_token)
    assert b.output_tokens_per_second_per_user == pytest.approx(a.output_tokens_per_second_per_user / 4)
    # idle hours cost money but do not slow anybody down
    c = factory.serving_cost("llama-3.1-70b", "H200-SXM", utilization=1.0, load_factor=0.5)
    assert c.usd_per_m_output_tokens == pytest.approx(2 * a.usd_per_m_output_tokens)
    assert c.output_tokens_per_second == pytest.approx(a.output_tokens_per_second)


def test_batching_makes_tokens_cheaper_and_input_cheaper_than_output():
    small = factory.serving_cost("llama-3.1-70b", "H100-SXM", batch=1, n_gpus=4)
    big = factory.serving_cost("llama-3.1-70b", "H100-SXM", batch=64, n_gpus=4)
    assert big.usd_per_m_output_tokens < small.usd_per_m_output_tokens / 10
    assert big.usd_per_m_input_tokens < big.usd_per_m_output_tokens


def test_default_gpus_are_the_smallest_real_deployment_that_fits():
    # 70B, batch 64 x 4,096 tokens: 141.1 GB + 64 x 4,096 x 327,680 B = 227.0 GB: 3 x 80 GB would hold it,
    # but servers come in 1, 2, 4 or 8 GPUs: 4
    assert factory.serving_cost("llama-3.1-70b", "H100-SXM").n_gpus == 4
    assert factory.n_gpus_needed("llama-3.1-8b", "H100-SXM") == 1
    # DeepSeek-V3 in the expert layout: 17.1 GB on every GPU + 653.9 GB of experts -> 16 H100s
    assert factory.serving_cost("deepseek-v3", "H100-SXM", batch=1).n_gpus == 16


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_gpus=0), "n_gpus"), (dict(n_gpus=1), "does not fit"), (dict(utilization=0), "utilization"),
    (dict(utilization=1.2), "utilization"), (dict(batch=0), "batch"), (dict(context_tokens=0), "context_tokens"),
    (dict(usd_per_gpu_hour=-1), "usd_per_gpu_hour"), (dict(load_factor=0), "load_factor"),
    (dict(layout="expert"), "layout"), (dict(layout="pipeline"), "layout"),
])
def test_serving_cost_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory.serving_cost("llama-3.1-70b", "H100-SXM", **kwargs)


def test_record_inputs_work_like_ids():
    m = hardware.models().set_index("model_id", drop=False).loc["deepseek-v3"]
    g = hardware.gpus().set_index("gpu_id", drop=False).loc["H200-SXM"]
    assert factory.serving_cost(m, g) == factory.serving_cost("deepseek-v3", "H200-SXM")


def test_day6_arithmetic_reproduces_deepseek():
    r = factory.day6_arithmetic()
    # 226.75 nodes x 8 GPUs x 24 h x $2 = $87,072
    assert r["cost_usd_per_day"] == pytest.approx(87_072)
    # 342B x $0.14 + 266B x $0.55 + 168B x $2.19 = 47,880 + 146,300 + 367,920 = $562,100 (DeepSeek: $562,027)
    assert r["revenue_usd_per_day"] == pytest.approx(562_100)
    assert r["cost_profit_margin_pct"] == pytest.approx(545.6, abs=0.1)
    assert r["cache_hit_share"] == pytest.approx(0.5625, abs=1e-3)
    # 168e9 / 86,400 / 14,800 = 131.4 decode nodes; 608e9 / 86,400 / 73,700 = 95.5 prefill nodes
    assert r["decode_nodes_implied"] == pytest.approx(131.38, abs=0.01)
    assert r["prefill_nodes_implied"] == pytest.approx(95.48, abs=0.01)
    # $16 per node-hour / (14,800 x 3,600) tokens = $0.300 per million
    assert r["usd_per_m_output_decode_only"] == pytest.approx(16 / (14_800 * 3600) * 1e6)
    assert factory.day6_arithmetic(paid_share=0.5)["revenue_usd_per_day"] == pytest.approx(281_050)


@settings(max_examples=40, deadline=None)
@given(model=st.sampled_from(["llama-3.1-8b", "llama-3.1-70b", "deepseek-v3"]),
       gpu=st.sampled_from(["H100-SXM", "H200-SXM", "B200", "MI300X"]), batch=st.integers(1, 256),
       ctx=st.integers(1, 32_768), u=st.floats(0.01, 1.0))
def test_serving_cost_is_finite_and_positive(model, gpu, batch, ctx, u):
    s = factory.serving_cost(model, gpu, batch=batch, context_tokens=ctx, utilization=u)
    for v in (s.usd_per_m_output_tokens, s.usd_per_m_input_tokens, s.joules_per_output_token,
              s.output_tokens_per_second):
        assert v > 0 and math.isfinite(v)
    assert s.bottleneck in ("memory", "compute")
    assert s.max_batch >= batch
    assert s.n_gpus in hardware.deployment_sizes(hardware.MAX_GPUS if s.n_gpus > 144 else 144)


def test_serving_cost_refuses_impossible_sizes_naming_them():
    with pytest.raises(ValueError, match="batch"):
        factory.serving_cost("llama-3.1-8b", "H100-SXM", batch=1e308)
    with pytest.raises(ValueError, match="context_tokens"):
        factory.serving_cost("llama-3.1-8b", "H100-SXM", context_tokens=10**30)
    with pytest.raises(ValueError, match="years"):
        factory.serving_cost("llama-3.1-8b", "H100-SXM", years=1e-300)   # capital cost would be ~1e303 $/hour
    with pytest.raises(ValueError, match="utilization"):
        factory.serving_cost("llama-3.1-8b", "H100-SXM", utilization=1e-300)
    # a million sequences of 100 million tokens would need more GPUs than exist: said, not computed
    with pytest.raises(ValueError, match="batch x context_tokens"):
        factory.serving_cost("llama-3.1-8b", "H100-SXM", batch=1_000_000, context_tokens=100_000_000)


def test_cost_by_batch_reports_a_bad_context_instead_of_an_empty_table():
    with pytest.raises(ValueError, match="context_tokens"):
        factory.cost_by_batch("llama-3.1-70b", "H100-SXM", [1, 8], context_tokens=float("nan"), n_gpus=4)


# --------------------------------------------------------------------------- the frontier
def test_frontier_point_hand_computed():
    # Llama 3.1 8B on one H100 at $3/h, utilization 1, all hours used, 4,096-token context, batch 1:
    # step = (16.06e9 + 4,096 x 131,072) / 3.35e12 = 4.954 ms -> 201.9 tokens/s for the one user
    f = factory.frontier("llama-3.1-8b", "H100-SXM", 4096, utilization=1, load_factor=1, usd_per_gpu_hour=3.0,
                         max_gpus=1, points=2, min_tokens_per_s_per_user=1000)
    first = f.iloc[0]
    step = (16.06e9 + 4096 * 131072) / 3.35e12
    assert first["batch"] == 1 and first["n_gpus"] == 1
    assert first["tokens_per_s_per_user"] == pytest.approx(1 / step)
    assert first["usd_per_m_output"] == pytest.approx(3.0 / (3600 / step) * 1e6)
    # the largest batch: (80 - 16.06) GB / (4,096 x 131,072 B) = 119.1 -> 119 sequences
    assert f.iloc[-1]["batch"] == 119
    assert not f["at_service_level"].any()      # 1,000 tokens/s per user is out of reach


def test_frontier_points_fit_and_use_real_deployment_sizes():
    f = factory.frontier("deepseek-v3", "H800-SXM", 4096)
    assert set(f["layout"]) == {"tensor", "expert"}
    assert set(f["n_gpus"]) <= set(hardware.deployment_sizes(144))
    assert (f["memory_per_gpu_gb"] <= 80 + 1e-9).all()
    # on_frontier: nothing else is both at least as fast and cheaper
    for _, p in f[f["on_frontier"]].iterrows():
        better = f[(f["tokens_per_s_per_user"] >= p["tokens_per_s_per_user"]) &
                   (f["usd_per_m_output"] < p["usd_per_m_output"])]
        assert better.empty
    # a bigger batch on the same deployment: cheaper per token, slower per user
    one = f[(f["layout"] == "expert") & (f["n_gpus"] == 144)].sort_values("batch")
    assert np.all(np.diff(one["usd_per_m_output"]) < 0) and np.all(np.diff(one["tokens_per_s_per_user"]) <= 0)


def test_service_level_point_is_the_largest_batch_that_keeps_the_speed():
    f = factory.frontier("llama-3.1-70b", "H100-SXM", 4096, max_gpus=8)
    row = f[f["at_service_level"] & (f["n_gpus"] == 8)].iloc[0]
    u = factory.default_utilization()
    assert row["tokens_per_s_per_user"] >= 20
    slower = hardware.decode_step("llama-3.1-70b", "H100-SXM", row["batch"] + 1, 4096, 8)
    assert u / slower.seconds < 20


def test_cost_at_speed_and_cost_table():
    f = factory.frontier("llama-3.1-70b", "H100-SXM", 4096)
    best = factory.cost_at_speed(f, 20)
    ok = f[f["tokens_per_s_per_user"] >= 20]
    assert best["usd_per_m_output"] <= ok["usd_per_m_output"].min() * (1 + factory.COST_TIE)
    assert factory.cost_at_speed(f, 10_000) is None
    t = factory.cost_table(["llama-3.1-70b", "deepseek-v3"], ["H800-SXM"]).set_index("model")
    # at the same speed per user, the mixture of experts (37 B active) is cheaper than the dense 70 B model
    assert t.loc["DeepSeek-V3", "usd_per_m_output"] < t.loc["Llama 3.1 70B", "usd_per_m_output"] / 2
    assert t.loc["DeepSeek-V3", "layout"] == "expert"
    with pytest.raises(ValueError, match="frontier"):
        factory.cost_at_speed("not a table")


def test_precision_options_change_the_frontier():
    bf16 = factory.cost_at_speed(factory.frontier("llama-3.1-70b", "H100-SXM", 4096, max_gpus=8))
    fp8 = factory.cost_at_speed(factory.frontier("llama-3.1-70b", "H100-SXM", 4096, max_gpus=8,
                                                 weight_bytes=1, kv_bytes=1))
    assert fp8["usd_per_m_output"] < bf16["usd_per_m_output"]


# --------------------------------------------------------------------------- verdicts and their flip values
def test_day6_break_evens_hand_computed():
    r = factory.day6_arithmetic()
    assert r["gross_margin_pct"] == pytest.approx((562_100 - 87_072) / 562_100 * 100)      # 84.5%
    assert r["break_even_paid_share"] == pytest.approx(87_072 / 562_100)                     # 15.5%
    assert r["break_even_usd_per_gpu_hour"] == pytest.approx(562_100 / 43_536)               # $12.91
    nothing = factory.day6_arithmetic(paid_share=0)
    assert nothing["gross_margin_pct"] is None and nothing["break_even_paid_share"] == r["break_even_paid_share"]


def test_cache_discount_hand_computed():
    c = factory.cache_discount()
    handled = 16 / (73_700 * 3600) * 1e6                          # a prefill node's $16 per hour over every token
    computed = 16 / (73_700 * (1 - 342 / 608) * 3600) * 1e6       # ... over the cache misses only
    assert c["price_gap"] == pytest.approx(0.55 - 0.14)
    assert c["saving_low"] == pytest.approx(handled) and c["saving_high"] == pytest.approx(computed)
    assert c["ratio_low"] == pytest.approx(0.41 / computed) and c["ratio_high"] == pytest.approx(0.41 / handled)
    assert c["break_even_usd_per_gpu_hour"] == pytest.approx(2 * 0.41 / computed)


def test_tco_ranges_come_from_the_tables():
    r = factory.tco_ranges("H100-SXM")
    assert (r["gpu_price_usd"].low, r["gpu_price_usd"].high) == (25_000, 30_000)
    assert r["rest_of_server_usd_per_gpu"].low == pytest.approx((269_010 - 8 * 27_500) / 8)
    assert r["rest_of_server_usd_per_gpu"].high == pytest.approx((360_800 - 8 * 27_500) / 8)
    assert "server_power_kw" not in r and "gpus_per_server" not in r     # no range: not uncertain
    mi = factory.tco_ranges("MI300X")["gpu_price_usd"]                  # no published range: +-20%, said so
    assert (mi.low, mi.high) == (12_000, 18_000) and "classroom" in mi.basis


def test_own_or_rent_is_the_gap_at_each_end():
    t = factory.own_or_rent("H800-SXM").set_index("input")
    base = 2.0 - factory.tco_per_gpu_hour("H800-SXM")["total"]          # DeepSeek's $2 lease minus owning
    assert t["output_at_base"].iloc[0] == pytest.approx(base)
    low_life = 2.0 - factory.tco_per_gpu_hour("H800-SXM", service_life_years=4)["total"]
    assert t.loc["service_life_years", "output_at_low"] == pytest.approx(low_life)
    flip = t.loc["service_life_years", "flip"]                           # owning becomes cheaper past this life
    assert factory.tco_per_gpu_hour("H800-SXM", service_life_years=flip)["total"] == pytest.approx(2.0, abs=1e-6)
    with pytest.raises(ValueError, match="rental"):
        factory.own_or_rent("B200")


def test_parity_price_and_speed_flip_are_where_the_costs_meet():
    kw = dict(batch=16, context_tokens=32768)
    price = factory.parity_gpu_price("llama-3.1-70b", "H200-SXM", "H100-SXM", **kw)
    hour = factory.tco_per_gpu_hour("H200-SXM", gpu_price_usd=price)["total"]
    assert factory.serving_cost("llama-3.1-70b", "H200-SXM", usd_per_gpu_hour=hour, **kw).usd_per_m_output_tokens == \
        pytest.approx(factory.serving_cost("llama-3.1-70b", "H100-SXM", **kw).usd_per_m_output_tokens, rel=1e-6)
    flip = factory.speed_flip("deepseek-v3", "llama-3.1-70b", "H800-SXM")
    assert flip.output_at_base > 0                                       # DeepSeek-V3 cheaper at 20 tokens/s
    assert factory.cost_difference("deepseek-v3", "llama-3.1-70b", "H800-SXM", flip.value * 0.9) > 0
    assert factory.cost_difference("deepseek-v3", "llama-3.1-70b", "H800-SXM", flip.value * 1.1) < 0
