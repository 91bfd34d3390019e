"""Checks for the exercises of notebook 04 (the memory wall): KV cache sizes, users that fit, cached input.

Every expected answer is computed with the library from ``data/models.csv``, ``data/gpus.csv`` and
DeepSeek's published day (``data/deepseek_inference_day6.csv``), so it follows the data.

    >>> exercises.check("q1", 64)
    ❌ Exercise 1: `kv_bytes_fp8` is not right yet. Hint: in bytes, not KiB (1 KiB = 1,024 bytes).
"""

from __future__ import annotations

import math

from .. import factory, hardware
from . import Exercises, Wrong

exercises = Exercises("04_memory_wall")

#: Exercise 2: the model given full multi-head attention, the context and the server.
MODEL, CONTEXT, GPU, N_GPUS = "llama-3.1-70b", 32768, "H100-SXM", 8
#: Exercise 3: the agent's prefix, in tokens, and how many times it is sent in a session.
PREFIX_TOKENS, SENDS = 20_000, 50


def mha_variant(model: str = MODEL) -> dict:
    """``model`` with one KV head per query head (full multi-head attention), as a record the library reads.

    >>> mha_variant()["n_kv_heads"]
    64
    """
    m = hardware.get_model(model)
    return dict(hardware.as_dict(m), model_id=f"{m.model_id}-mha", name=f"{m.name} (MHA)", n_kv_heads=m.n_heads)


@exercises.exercise("q1", "kv_bytes_fp8")
def _kv_per_token(kv_bytes_fp8):
    m = hardware.get_model("llama-3.1-8b")
    expected = hardware.kv_cache_bytes_per_token(m, kv_bytes=1)
    kv_bytes_fp8.close_to(expected, unit="bytes", rel_tol=1e-9, mistakes={
        expected / 2**10: "in bytes, not KiB (1 KiB = 1,024 bytes)",
        hardware.kv_cache_bytes_per_token(m, kv_bytes=2): "an FP8 cache keeps one byte per number; two is BF16",
        expected / 2: "each layer and KV head keeps two vectors, a key and a value",
        expected * m.n_heads / m.n_kv_heads: "only the KV heads are cached; in grouped-query attention several "
                                             "query heads share one KV head",
    })


@exercises.exercise("q2", "mha_user_gb", "mha_users")
def _full_attention(mha_user_gb, mha_users):
    mha, gqa = mha_variant(), hardware.get_model(MODEL)
    cache = hardware.kv_cache_bytes(mha, CONTEXT)
    mha_user_gb.close_to(cache / 1e9, unit="GB", rel_tol=5e-3, mistakes={
        cache / 2**30: "GB here is 10^9 bytes, the unit of the datasheets' HBM, not GiB (2^30 bytes)",
        cache: "in GB (10^9 bytes), not bytes",
        hardware.kv_cache_bytes(gqa, CONTEXT) / 1e9: "full multi-head attention keeps one KV head per query head",
        hardware.kv_cache_bytes(mha, CONTEXT, kv_bytes=1) / 1e9: "a BF16 cache keeps two bytes per number",
    })
    hbm = N_GPUS * hardware.get_gpu(GPU).hbm_bytes
    free = hbm - hardware.weights_bytes(gqa)
    if not float(mha_users.number("users")).is_integer():
        raise Wrong("`mha_users` should be a whole number: a user's cache fits whole or not at all, so round down.")
    mha_users.close_to(hardware.max_batch(mha, GPU, CONTEXT, n_gpus=N_GPUS), unit="users", rel_tol=1e-9, mistakes={
        math.floor(hbm / cache): "the weights take their share of the HBM first",
        hardware.max_batch(gqa, GPU, CONTEXT, n_gpus=N_GPUS): "that is grouped-query attention; with a KV head "
                                                              "per query head each user's cache is larger",
        math.floor(free / (cache / 2**30 * 1e9)): "the HBM is in GB (10^9 bytes): count the cache in the same unit",
    })


@exercises.exercise("q3", "without_cache", "with_cache")
def _cached_prefix(without_cache, with_cache):
    f = factory.day6_figures()
    miss, hit = f["r1_usd_per_m_input_cache_miss"], f["r1_usd_per_m_input_cache_hit"]
    tokens = PREFIX_TOKENS * SENDS
    without_cache.close_to(tokens * miss / 1e6, unit="dollars", mistakes={
        tokens * miss: "prices are per million tokens",
        tokens * hit / 1e6: "without a cache every send is a miss: use the cache-miss price",
        PREFIX_TOKENS * miss / 1e6: "the prefix is sent 50 times",
    })
    expected = (PREFIX_TOKENS * miss + (SENDS - 1) * PREFIX_TOKENS * hit) / 1e6
    with_cache.close_to(expected, unit="dollars", mistakes={
        tokens * hit / 1e6: "the first send finds nothing in the cache: it is a miss, the 49 after it hit",
        expected * 1e6: "prices are per million tokens",
        (SENDS - 1) * PREFIX_TOKENS * hit / 1e6: "the first send is paid too, at the cache-miss price",
    })
