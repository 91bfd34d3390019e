"""factory.py: GPU-hour cost, $ and joules per token, DeepSeek's published arithmetic."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from token_economy import factory, hardware


def test_gpu_hour_cost_parts_hand_computed():
    # H100: $27,500 over 4 years: 27,500 / 35,040 h = $0.7848; power 0.7 kW x 1.56 x $0.08 = $0.08736;
    # hosting $184.06 per kW-month x 0.7 kW / 730 h = $0.17650
    c = factory.gpu_hour_cost("H100-SXM")
    assert c.capital_usd == pytest.approx(27_500 / (4 * 8760))
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


def test_serving_cost_hand_computed_memory_bound():
    # Llama 3.1 8B, one H100 rented at $3/h, batch 1, context 1,000, utilization 1:
    # step = (16.06e9 + 1,000 x 131,072) / 3.35e12 = 4.8331 ms -> 206.9 tokens/s
    s = factory.serving_cost("llama-3.1-8b", "H100-SXM", batch=1, context_tokens=1000, utilization=1.0,
                             usd_per_gpu_hour=3.0)
    step = (16.06e9 + 1000 * 131072) / 3.35e12
    assert s.output_tokens_per_second == pytest.approx(1 / step)
    assert s.usd_per_m_output_tokens == pytest.approx(3.0 / (3600 / step) * 1e6)
    # joules: 700 W x PUE 1.56 / 206.9 tokens/s
    assert s.joules_per_output_token == pytest.approx(700 * 1.56 * step)
    assert s.bottleneck == "memory" and s.n_gpus == 1 and s.usd_per_gpu_hour == 3.0


def test_utilization_scales_cost_inversely():
    a = factory.serving_cost("llama-3.1-70b", "H200-SXM", utilization=1.0)
    b = factory.serving_cost("llama-3.1-70b", "H200-SXM", utilization=0.25)
    assert b.usd_per_m_output_tokens == pytest.approx(4 * a.usd_per_m_output_tokens)
    assert b.joules_per_output_token == pytest.approx(4 * a.joules_per_output_token)
    assert b.bottleneck == a.bottleneck


def test_batching_makes_tokens_cheaper_and_input_cheaper_than_output():
    small = factory.serving_cost("llama-3.1-70b", "H100-SXM", batch=1, n_gpus=4)
    big = factory.serving_cost("llama-3.1-70b", "H100-SXM", batch=64, n_gpus=4)
    assert big.usd_per_m_output_tokens < small.usd_per_m_output_tokens / 10
    assert big.usd_per_m_input_tokens < big.usd_per_m_output_tokens


def test_default_gpus_are_the_fewest_that_fit():
    # 70B, batch 64 x 4,096 tokens: 141.1 GB + 64 x 4,096 x 327,680 B = 141.1 + 85.9 = 227.0 GB -> 3 x 80 GB
    assert factory.serving_cost("llama-3.1-70b", "H100-SXM").n_gpus == 3
    assert factory.n_gpus_needed("llama-3.1-8b", "H100-SXM") == 1


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_gpus=0), "n_gpus"), (dict(n_gpus=1), "does not fit"), (dict(utilization=0), "utilization"),
    (dict(utilization=1.2), "utilization"), (dict(batch=0), "batch"), (dict(context_tokens=0), "context_tokens"),
    (dict(usd_per_gpu_hour=-1), "usd_per_gpu_hour"),
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
