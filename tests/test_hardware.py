"""hardware.py: KV cache, memory capacity and the roofline, pinned with hand-computed cases."""

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from token_economy import hardware as hw

MODELS = ["llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "deepseek-v3"]
GPUS = ["A100-80GB-SXM", "H100-SXM", "H800-SXM", "H200-SXM", "B200", "MI300X"]


def test_tables_have_the_required_rows_and_dense_figures():
    g = hw.gpus().set_index("gpu_id")
    assert set(GPUS) <= set(g.index)
    # dense BF16 is half the sparse datasheet figure for Hopper: 1,979 / 2
    assert g.loc["H100-SXM", "bf16_dense_tflops"] == pytest.approx(1979 / 2, abs=0.5)
    assert g.loc["H100-SXM", "fp8_dense_tflops"] == pytest.approx(2 * g.loc["H100-SXM", "bf16_dense_tflops"], rel=0.01)
    assert set(MODELS) <= set(hw.models()["model_id"])


def test_ids_and_records_are_both_accepted():
    by_id = hw.get_model("llama-3.1-70b")
    row = hw.models().set_index("model_id", drop=False).loc["llama-3.1-70b"]
    assert hw.get_model(row) == by_id
    assert hw.get_model(by_id) is by_id
    assert hw.get_gpu(dict(hw.gpus().iloc[0])).gpu_id == hw.gpus().iloc[0]["gpu_id"]


@pytest.mark.parametrize("bad", ["H100", "", 3])
def test_unknown_ids_name_the_argument(bad):
    with pytest.raises(ValueError, match="gpu"):
        hw.get_gpu(bad)


def test_kv_cache_per_token_gqa():
    # Llama-3.1-70B in BF16: 2 (K and V) x 80 layers x 8 KV heads x 128 dims x 2 bytes = 327,680 bytes
    assert hw.kv_cache_bytes_per_token("llama-3.1-70b") == 2 * 80 * 8 * 128 * 2 == 327_680
    # FP8 cache halves it
    assert hw.kv_cache_bytes_per_token("llama-3.1-70b", kv_bytes=1) == 163_840
    # 405B: 2 x 126 x 8 x 128 x 2 = 516,096
    assert hw.kv_cache_bytes_per_token("llama-3.1-405b") == 516_096


def test_kv_cache_per_token_latent_attention():
    # DeepSeek-V3: 61 layers x (kv_lora_rank 512 + rope dim 64) x 2 bytes = 70,272 bytes
    assert hw.kv_cache_bytes_per_token("deepseek-v3") == 61 * (512 + 64) * 2 == 70_272
    # were it ordinary multi-head attention (128 heads of 128 dims for K and V) it would be 61 x 2 x 128 x 128 x 2
    assert hw.kv_cache_bytes_per_token("deepseek-v3") < 61 * 2 * 128 * 128 * 2 / 50


def test_parameter_counts_match_the_config_shapes():
    # Llama 3.1 8B: embeddings and head 2 x 128,256 x 4,096; per layer attention 4096*(4096+1024+1024+4096)
    # plus MLP 3 x 4,096 x 14,336 plus two norms; 32 layers; final norm.
    per_layer = 4096 * (4096 + 1024 + 1024 + 4096) + 3 * 4096 * 14336 + 2 * 4096
    total = 2 * 128256 * 4096 + 32 * per_layer + 4096
    assert hw.get_model("llama-3.1-8b").params_total_b == pytest.approx(total / 1e9, abs=0.005)
    # DeepSeek-V3 routed experts: 58 layers x 256 experts x 3 x 7,168 x 2,048
    assert hw.routed_expert_params("deepseek-v3") == 58 * 256 * 3 * 7168 * 2048


def test_expert_fraction():
    assert hw.expert_fraction_read("llama-3.1-70b", 5) == 1.0
    assert hw.expert_fraction_read("deepseek-v3", 1) == pytest.approx(8 / 256)
    # 1 - (31/32)^2 = 63/1024 + ... = 0.0615234375
    assert hw.expert_fraction_read("deepseek-v3", 2) == pytest.approx(1 - (31 / 32) ** 2)
    assert hw.expert_fraction_read("deepseek-v3", 10_000) == pytest.approx(1.0)


def test_weights_and_capacity():
    assert hw.weights_bytes("llama-3.1-70b") == pytest.approx(70.55e9 * 2)
    assert hw.weights_bytes("deepseek-v3") == pytest.approx(671e9)  # FP8: one byte per parameter
    assert hw.min_gpus_for_weights("llama-3.1-8b", "H100-SXM") == 1
    assert hw.min_gpus_for_weights("llama-3.1-70b", "H100-SXM") == 2  # 141.1 GB / 80 GB
    assert hw.min_gpus_for_weights("deepseek-v3", "H200-SXM") == 5  # 671 / 141 = 4.76
    # 405B on one H100: nothing fits
    assert hw.max_batch("llama-3.1-405b", "H100-SXM", 4096) == 0
    # 70B on 2 x H100 at 4,096 tokens: (160 - 141.1) GB / (4,096 x 327,680 B) = 14.08
    assert hw.max_batch("llama-3.1-70b", "H100-SXM", 4096, n_gpus=2) == 14


def test_decode_step_hand_computed():
    # Llama 3.1 8B on one H100, batch 8, context 2,000:
    # memory = (16.06e9 + 8 x 2,000 x 131,072) / 3.35e12 = (16.06e9 + 2.097e9) / 3.35e12 = 5.420 ms
    # compute = 8 x 2 x 8.03e9 / 989.5e12 + 8 x 4 x 32 x 32 x 128 x 2,000 / 989.5e12 = 0.1298 + 0.0085 ms
    s = hw.decode_step("llama-3.1-8b", "H100-SXM", 8, 2000)
    assert s.memory_seconds == pytest.approx((16.06e9 + 8 * 2000 * 131072) / 3.35e12)
    assert s.compute_seconds == pytest.approx((8 * 2 * 8.03e9 + 8 * 4 * 32 * 32 * 128 * 2000) / 989.5e12)
    assert s.bottleneck == "memory" and s.seconds == s.memory_seconds
    assert hw.decode_step_seconds("llama-3.1-8b", "H100-SXM", 8, 2000) == s.seconds


def test_fp8_runs_at_bf16_rate_on_a100():
    g = hw.get_gpu("A100-80GB-SXM")
    assert g.peak_flops(1) == g.peak_flops(2) == 312e12
    assert hw.get_gpu("H100-SXM").peak_flops(1) == 1979e12


def test_crossover_batch_is_the_ridge_point_for_a_dense_model_without_context():
    # memory = W / BW, compute = B x W / peak (2 FLOPs per parameter, 2 bytes per parameter)
    # so B* = peak / BW = 989.5 / 3.35 = 295.4 -> first whole batch above it: 296
    assert hw.crossover_batch("llama-3.1-70b", "H100-SXM", 0) == 296
    assert hw.ridge_point("H100-SXM") == pytest.approx(295.37, abs=0.01)
    # at 4k context the 8B model's KV reads grow as fast as its FLOPs: never compute-bound
    assert hw.crossover_batch("llama-3.1-8b", "H100-SXM", 4096) is None


def test_prefill_hand_computed():
    # 70B, 2 prompts of 1,000 tokens on 2 H100s: compute = 2 x 70.55e9 x 2,000 / (2 x 989.5e12)
    # + attention 4 x 80 x 64 x 128 x 500 x 2,000 / (2 x 989.5e12)
    p = hw.prefill("llama-3.1-70b", "H100-SXM", 1000, batch=2, n_gpus=2)
    expected = (2 * 70.55e9 * 2000 + 4 * 80 * 64 * 128 * 500 * 2000) / (2 * 989.5e12)
    assert p.compute_seconds == pytest.approx(expected)
    assert p.bottleneck == "compute"
    assert hw.prefill_seconds("llama-3.1-70b", "H100-SXM", 1000, 2, 2) == p.seconds


@pytest.mark.parametrize("kwargs, name", [
    (dict(batch=0), "batch"), (dict(batch=-1), "batch"), (dict(context_tokens=-5), "context_tokens"),
    (dict(n_gpus=0), "n_gpus"), (dict(n_gpus=1.5), "n_gpus"), (dict(kv_bytes=0), "kv_bytes"),
    (dict(batch=float("nan")), "batch"),
])
def test_bad_arguments_raise_naming_the_argument(kwargs, name):
    args = dict(batch=1, context_tokens=100, n_gpus=1) | kwargs
    with pytest.raises(ValueError, match=name):
        hw.decode_step_seconds("llama-3.1-8b", "H100-SXM", args.pop("batch"), args.pop("context_tokens"), **args)


@settings(max_examples=60, deadline=None)
@given(model=st.sampled_from(MODELS), gpu=st.sampled_from(GPUS), batch=st.integers(1, 4096),
       ctx=st.integers(0, 200_000), n=st.integers(1, 64))
def test_step_properties(model, gpu, batch, ctx, n):
    s = hw.decode_step(model, gpu, batch, ctx, n)
    assert s.seconds > 0 and math.isfinite(s.seconds)
    assert s.seconds == max(s.memory_seconds, s.compute_seconds)
    # a bigger batch never makes the step shorter, and never makes a token dearer in GPU-time
    s2 = hw.decode_step(model, gpu, batch + 1, ctx, n)
    assert s2.seconds >= s.seconds * (1 - 1e-12)
    assert s2.seconds / (batch + 1) <= s.seconds / batch * (1 + 1e-12)
    # more GPUs never slow the roofline down
    assert hw.decode_step(model, gpu, batch, ctx, n + 1).seconds <= s.seconds * (1 + 1e-12)


def test_records_as_frame():
    df = pd.DataFrame([hw.as_dict(hw.get_gpu(g)) for g in GPUS])
    assert (df["hbm_tb_s"] > 1).all() and (df["tdp_w"] >= 400).all()


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), 1e308, 10**400, hw.MAX_CONTEXT_TOKENS + 1])
def test_context_and_prompt_errors_name_the_argument_the_caller_wrote(bad):
    with pytest.raises(ValueError, match="context_tokens"):
        hw.attention_flops_per_token("llama-3.1-8b", bad)
    with pytest.raises(ValueError, match="context_tokens"):
        hw.decode_step_arrays("llama-3.1-8b", "H100-SXM", [1, 8], bad)
    with pytest.raises(ValueError, match="prompt_tokens"):
        hw.prefill("llama-3.1-8b", "H100-SXM", bad)
    with pytest.raises(ValueError, match="users"):
        hw.memory_needed_bytes("llama-3.1-8b", 1000, bad)


def test_counts_are_bounded_so_results_stay_finite():
    with pytest.raises(ValueError, match="batch"):
        hw.expert_fraction_read("deepseek-v3", 10**400)
    with pytest.raises(ValueError, match="max_batch_searched"):
        hw.crossover_batch("llama-3.1-8b", "H100-SXM", 0, max_batch_searched=1e308)
    with pytest.raises(ValueError, match="n_gpus"):
        hw.decode_step_arrays("llama-3.1-8b", "H100-SXM", [1], 0, n_gpus=0)
    with pytest.raises(ValueError, match="kv_bytes"):
        hw.kv_cache_bytes_per_token("llama-3.1-8b", kv_bytes=1e308)
    with pytest.raises(ValueError, match="phase"):
        hw.attention_flops_per_token("llama-3.1-8b", 10, phase="decoding")
    # the largest accepted inputs still give finite numbers
    s = hw.decode_step("deepseek-v3", "H100-SXM", hw.MAX_BATCH, hw.MAX_CONTEXT_TOKENS, n_gpus=hw.MAX_GPUS,
                       kv_bytes=hw.MAX_BYTES_PER_VALUE)
    assert math.isfinite(s.seconds) and math.isfinite(s.arithmetic_intensity)


def test_users_that_fit_fills_the_fewest_gpus_holding_the_weights():
    # Llama 3.1 70B in BF16: 70.55e9 x 2 = 141.1 GB of weights -> 2 H100s (2 x 80 GB);
    # 160 - 141.1 = 18.9 GB left; a 4,096-token user needs 4,096 x 327,680 B = 1.342 GB -> 14 users.
    assert hw.min_gpus_for_weights("llama-3.1-70b", "H100-SXM") == 2
    assert hw.users_that_fit("llama-3.1-70b", "H100-SXM", 4096) == 14
    # A 128k context of Llama 3.1 70B (42.9 GB) does not fit in the 18.9 GB left.
    assert hw.users_that_fit("llama-3.1-70b", "H100-SXM", 131072) == 0


# --------------------------------------------------------------------------- deployments and layouts
def test_deployment_sizes_are_what_servers_use():
    assert [hw.deployment_size(n) for n in (1, 2, 3, 5, 8, 9, 16, 17)] == [1, 2, 4, 8, 8, 16, 16, 24]
    assert hw.deployment_sizes(40) == [1, 2, 4, 8, 16, 24, 32, 40]
    with pytest.raises(ValueError, match="n_gpus"):
        hw.deployment_size(0)


def test_tensor_layout_splits_gqa_cache_but_copies_latent_cache():
    # Llama 3.1 70B on 4 GPUs: 8 KV heads split 4 ways: each GPU keeps a quarter of the cache
    m = hw.memory_per_gpu("llama-3.1-70b", 4096, 10, n_gpus=4)
    assert m["weights"] == pytest.approx(141.1e9 / 4)
    assert m["kv_cache"] == pytest.approx(10 * 4096 * 327_680 / 4)
    # DeepSeek-V3 in the tensor layout: one latent vector per token and layer, so all 8 GPUs keep all of it
    d = hw.memory_per_gpu("deepseek-v3", 4096, 10, n_gpus=8, layout="tensor")
    assert d["kv_cache"] == pytest.approx(10 * 4096 * 70_272)
    # ... and across 2 nodes (a pipeline of 2 stages) each node keeps half the layers
    d16 = hw.memory_per_gpu("deepseek-v3", 4096, 10, n_gpus=16, layout="tensor")
    assert d16["kv_cache"] == pytest.approx(10 * 4096 * 70_272 / 2)


def test_expert_layout_copies_attention_and_spreads_experts():
    routed = 58 * 256 * 3 * 7168 * 2048
    e = hw.memory_per_gpu("deepseek-v3", 4096, 144, n_gpus=144)      # FP8 weights: 1 byte per parameter
    assert e["weights"] == pytest.approx(671e9 - routed + routed / 144)
    assert e["kv_cache"] == pytest.approx(4096 * 70_272)                # one sequence per GPU
    with pytest.raises(ValueError, match="layout"):
        hw.memory_per_gpu("llama-3.1-8b", 100, 1, layout="expert")


def test_decode_step_in_the_expert_layout_hand_computed():
    # 16 H100s, 160 sequences of 1,000 tokens: each GPU reads its 17.1 GB copy, 1/16 of the experts used by
    # 160 tokens, and the cache of its 10 sequences; computes 10 tokens x (74 GFLOP at FP8 + attention at BF16)
    routed = 58 * 256 * 3 * 7168 * 2048
    used = 1 - (1 - 8 / 256) ** 160
    per_gpu = (671e9 - routed) + routed * used / 16 + 10 * 1000 * 70_272
    s = hw.decode_step("deepseek-v3", "H100-SXM", 160, 1000, 16)
    assert s.memory_seconds == pytest.approx(per_gpu / 3.35e12)
    attention = 2 * 61 * 128 * (2 * 512 + 64) * 1000
    assert s.compute_seconds == pytest.approx(10 * (2 * 37e9 / 1979e12 + attention / 989.5e12))


def test_pipeline_across_nodes_reads_the_weights_once_per_microbatch():
    # Llama 3.1 405B on 2 nodes of H100: each token passes both stages, so one sequence goes no faster
    # than on a single node with room for the weights: round = 2 x (weights / 16) / bandwidth
    one = hw.decode_step("llama-3.1-405b", "H100-SXM", 1, 0, 16)
    assert one.memory_seconds == pytest.approx(405.85e9 * 2 / 8 / 3.35e12)


def test_smallest_deployment_and_fit_tables():
    assert hw.smallest_deployment("llama-3.1-405b", "H100-SXM") == 16      # 812 GB: 11 GPUs, servers use 16
    assert hw.smallest_deployment("llama-3.1-405b", "H100-SXM", weight_bytes=1) == 8
    assert hw.smallest_deployment("deepseek-v3", "H200-SXM") == 8           # 17.1 + 653.9 / 8 = 98.8 GB < 141 GB
    t = hw.fit_table([4096, 131072])
    assert set(t["n_gpus"]) <= set(hw.deployment_sizes(1024))
    pivot = t.pivot_table(index=["context_tokens", "model"], columns="gpu", values="users")
    assert (pivot.loc[4096] >= pivot.loc[131072]).all().all()
    u = hw.users_table(32768, 16)
    assert u.loc["Llama 3.1 405B", "H100-SXM GPUs"] == 16 and (u["total GB"] > u["weights GB"]).all()
