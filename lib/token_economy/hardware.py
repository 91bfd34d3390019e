"""GPUs and models as numbers: KV cache, memory capacity, and the roofline of one decoding step.

This module holds the physics of notebooks 03 and 04; :mod:`token_economy.factory`
turns its seconds into dollars and joules. All sizes are in bytes, times in
seconds, and "GB" means 10**9 bytes, as on the datasheets.

**KV cache.** To write token *t+1* a model re-reads the keys and values of every
earlier token, so it keeps them in GPU memory (HBM). Per token::

    grouped-query attention (Llama):  2 x layers x kv_heads x head_dim x kv_bytes
    latent attention (DeepSeek):      layers x (kv_lora_rank + qk_rope_head_dim) x kv_bytes

(the 2 is one key and one value; latent attention stores one compressed vector
from which both are rebuilt).

**The roofline of one decoding step.** A step makes one new token for each of
``batch`` sequences. It must read the weights and every sequence's KV cache from
HBM, and do about ``2 x active parameters`` FLOPs per token plus attention. With
``n`` GPUs sharing the work::

    memory time  = (weight bytes read + batch x context x KV bytes per token) / (n x HBM bandwidth)
    compute time = batch x (2 x active params + attention FLOPs per token) / (n x peak FLOP/s)
    step time    = max(memory time, compute time)

The larger term is the **bottleneck**. Weights are read once per step however
large the batch, so at small batch decoding is memory-bound and a bigger batch
makes each token cheaper; past the **crossover batch** compute dominates. For a
mixture of experts, a small batch touches only some experts: the expected share
of experts read is ``1 - (1 - k/E) ** batch`` (k of E experts per token).

**Prefill** (reading the prompt) processes all prompt tokens in one pass: the
same weights, many tokens, so it is usually compute-bound.

What it leaves out, on purpose: communication between GPUs (NVLink, InfiniBand;
for DeepSeek's wide expert parallelism it is a large share of a step), kernel
launch and scheduling overheads, activation memory, and speculative decoding.
The roofline is an upper bound on speed; :mod:`token_economy.factory` applies an
achieved fraction of it (``utilization``).

    >>> m = get_model("llama-3.1-70b")
    >>> kv_cache_bytes_per_token(m)          # 2 x 80 x 8 x 128 x 2
    327680
    >>> get_gpu("H100-SXM").hbm_gb
    80.0
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

from . import checks, data

GB = 1e9
TERA = 1e12

#: Upper bounds on the counts the functions take: far beyond any real deployment, yet small enough that
#: every product of them stays a finite float (and an int conversion cannot fail).
MAX_BATCH = 1 << 20  # sequences decoded together (about a million)
MAX_CONTEXT_TOKENS = 100_000_000  # tokens of context per sequence (100 million)
MAX_GPUS = 1_000_000  # GPUs serving one model replica
MAX_BYTES_PER_VALUE = 8  # bytes per weight or KV value (8 = FP64, the widest format)


def _bounded(name: str, value, *, maximum: float, minimum: float = 0.0, strictly_positive: bool = False):
    """A checked number, or a checked array of numbers (for the vectorised functions), within bounds."""
    if np.ndim(value) == 0:
        return checks.number(name, value, minimum=minimum, maximum=maximum, strictly_positive=strictly_positive)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be numbers, got {str(value)[:80]}") from None
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must hold finite numbers only, got {str(value)[:80]}")
    if arr.size and (arr.min() < minimum or (strictly_positive and arr.min() <= 0)):
        raise ValueError(f"{name} must be {'greater than' if strictly_positive else 'at least'} {minimum:g}, "
                         f"got {arr.min():g}")
    if arr.size and arr.max() > maximum:
        raise ValueError(f"{name} must be at most {maximum:g}, got {arr.max():g}")
    return arr


def _batch(value, name: str = "batch", *, minimum: float = 0.0, strictly_positive: bool = False):
    return _bounded(name, value, maximum=MAX_BATCH, minimum=minimum, strictly_positive=strictly_positive)


def _context(value, name: str = "context_tokens", *, strictly_positive: bool = False):
    return _bounded(name, value, maximum=MAX_CONTEXT_TOKENS, strictly_positive=strictly_positive)


def _n_gpus(value) -> int:
    return checks.whole("n_gpus", value, minimum=1, maximum=MAX_GPUS)


def _kv_bytes(value) -> float:
    return checks.number("kv_bytes", value, strictly_positive=True, maximum=MAX_BYTES_PER_VALUE)


# --------------------------------------------------------------------------- records
@dataclass(frozen=True)
class GPU:
    """One accelerator, from ``data/gpus.csv`` (dense, not sparse, FLOP/s)."""

    gpu_id: str
    name: str
    bf16_dense_tflops: float
    hbm_gb: float
    hbm_tb_s: float
    tdp_w: float
    fp8_dense_tflops: float | None = None
    usd_purchase: float | None = None
    usd_per_hour_rental: float | None = None
    vendor: str = ""

    @property
    def hbm_bytes(self) -> float:
        return self.hbm_gb * GB

    @property
    def bandwidth_bytes_s(self) -> float:
        return self.hbm_tb_s * TERA

    def peak_flops(self, weight_bytes: float = 2) -> float:
        """Dense peak FLOP/s for matrix products with weights of ``weight_bytes`` (1 = FP8, 2 = BF16).

        A GPU without FP8 tensor cores (A100) runs FP8 weights at its BF16 rate.
        """
        if weight_bytes <= 1 and self.fp8_dense_tflops:
            return self.fp8_dense_tflops * TERA
        return self.bf16_dense_tflops * TERA


@dataclass(frozen=True)
class Model:
    """One language model's shape, from ``data/models.csv``."""

    model_id: str
    name: str
    attention: str  # "gqa" (grouped-query) or "mla" (multi-head latent)
    n_layers: int
    hidden_size: int
    n_heads: int
    params_total_b: float
    params_active_b: float
    weight_bytes: float = 2
    n_kv_heads: int | None = None
    head_dim: int | None = None
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    qk_nope_head_dim: int | None = None
    v_head_dim: int | None = None
    moe_layers: int = 0
    n_routed_experts: int = 0
    experts_per_token: int = 0
    moe_intermediate_size: int = 0
    max_context_tokens: int = 131072

    @property
    def is_moe(self) -> bool:
        return self.n_routed_experts > 0


def _clean(value):
    """NaN and empty cells become None; whole floats become ints."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        value = float(value)
    return value


def _from_record(cls, record, id_field):
    known = {f.name for f in fields(cls)}
    values = {k: _clean(v) for k, v in dict(record).items() if k in known}
    if id_field not in values or values[id_field] is None:
        raise ValueError(f"a {cls.__name__} record needs a {id_field!r}")
    ints = {f.name for f in fields(cls) if "int" in str(f.type) and "float" not in str(f.type)}
    for k in ints & set(values):
        if values[k] is not None:
            values[k] = int(values[k])
    floats = {f.name for f in fields(cls) if str(f.type).startswith("float")}
    for k in floats & set(values):
        if values[k] is not None:
            values[k] = float(values[k])
    try:
        return cls(**{k: v for k, v in values.items() if v is not None})
    except TypeError as exc:
        raise ValueError(f"incomplete {cls.__name__} record: {exc}") from None


# --------------------------------------------------------------------------- tables
_RECORDS: dict = {}


def _records(table: str, cls, id_field: str) -> dict:
    """All records of a table by id, parsed once per version of the file (explorers call this often)."""
    path = data.data_dir() / f"{table}.csv"  # not data.path(): it lists the folder on every call
    key = (table, str(path), path.stat().st_mtime)
    if key not in _RECORDS:
        df = data.load(table)
        _RECORDS[key] = {r[id_field]: _from_record(cls, r, id_field) for _, r in df.iterrows()}
    return _RECORDS[key]


def gpu_ids() -> list[str]:
    """The GPU ids of ``data/gpus.csv``, in table order (cached: cheap to call)."""
    return list(_records("gpus", GPU, "gpu_id"))


def model_ids() -> list[str]:
    """The model ids of ``data/models.csv``, in table order (cached: cheap to call)."""
    return list(_records("models", Model, "model_id"))


def gpus() -> pd.DataFrame:
    """The GPU table (``data/gpus.csv``), one row per GPU, with sources."""
    return data.load("gpus")


def models() -> pd.DataFrame:
    """The model table (``data/models.csv``), one row per model, with sources."""
    return data.load("models")


def get_gpu(id_or_record) -> GPU:
    """A :class:`GPU` from an id in ``data/gpus.csv``, a :class:`GPU`, a dict or a table row.

    >>> get_gpu("MI300X").hbm_tb_s
    5.3
    >>> get_gpu("H100")
    Traceback (most recent call last):
    ...
    ValueError: gpu: unknown GPU 'H100'; known: A100-80GB-SXM, B200, H100-SXM, H200-SXM, H800-SXM, MI300X
    """
    return _lookup(id_or_record, GPU, "gpus", "gpu_id", "gpu", "GPU")


def get_model(id_or_record) -> Model:
    """A :class:`Model` from an id in ``data/models.csv``, a :class:`Model`, a dict or a table row.

    >>> get_model("deepseek-v3").params_active_b
    37.0
    """
    return _lookup(id_or_record, Model, "models", "model_id", "model", "model")


def _lookup(id_or_record, cls, table: str, id_field: str, argument: str, what: str):
    """The record behind an id of ``table``, or the record itself; a ValueError naming ``argument``."""
    if isinstance(id_or_record, cls):
        return id_or_record
    if isinstance(id_or_record, str):
        known = _records(table, cls, id_field)
        if id_or_record not in known:
            raise ValueError(f"{argument}: unknown {what} {id_or_record!r}; known: {', '.join(sorted(known))}")
        return known[id_or_record]
    if isinstance(id_or_record, (dict, pd.Series)):
        return _from_record(cls, id_or_record, id_field)
    raise ValueError(f"{argument} must be an id (str) or a record, got {type(id_or_record).__name__}")


def as_dict(record) -> dict:
    """A GPU or Model as a plain dict (for tables)."""
    return asdict(record)


# --------------------------------------------------------------------------- memory
def kv_cache_bytes_per_token(model, kv_bytes: float = 2) -> int | float:
    """Bytes of KV cache one token keeps in memory (``kv_bytes`` = 2 for BF16, 1 for FP8).

    >>> kv_cache_bytes_per_token("llama-3.1-8b")      # 2 x 32 layers x 8 heads x 128 x 2 bytes
    131072
    >>> kv_cache_bytes_per_token("deepseek-v3")       # 61 layers x (512 + 64) x 2 bytes
    70272
    """
    m = get_model(model)
    kv_bytes = _kv_bytes(kv_bytes)
    if m.attention == "mla":
        per_layer = m.kv_lora_rank + m.qk_rope_head_dim
    elif m.attention in ("gqa", "mha"):
        per_layer = 2 * m.n_kv_heads * m.head_dim
    else:
        raise ValueError(f"model: unknown attention type {m.attention!r} (expected 'gqa' or 'mla')")
    total = m.n_layers * per_layer * kv_bytes
    return int(total) if float(total).is_integer() else total


def kv_cache_bytes(model, context_tokens, batch=1, kv_bytes: float = 2) -> float:
    """KV cache of ``batch`` sequences of ``context_tokens`` each, in bytes."""
    context_tokens = _context(context_tokens)
    batch = _batch(batch)
    return kv_cache_bytes_per_token(model, kv_bytes) * context_tokens * batch


def _weight_bytes_per_param(model, weight_bytes):
    m = get_model(model)
    return checks.number("weight_bytes", m.weight_bytes if weight_bytes is None else weight_bytes,
                         strictly_positive=True, maximum=MAX_BYTES_PER_VALUE)


def weights_bytes(model, weight_bytes: float | None = None) -> float:
    """Bytes of all weights (``weight_bytes`` per parameter; default: the released precision).

    >>> weights_bytes("llama-3.1-70b") / 1e9     # 70.55 B params x 2 bytes
    141.1
    """
    m = get_model(model)
    return m.params_total_b * 1e9 * _weight_bytes_per_param(m, weight_bytes)


def routed_expert_params(model) -> float:
    """Parameters in routed experts: MoE layers x experts x 3 matrices x hidden x expert width.

    >>> round(routed_expert_params("deepseek-v3") / 1e9, 1)   # 58 x 256 x 3 x 7168 x 2048
    653.9
    >>> routed_expert_params("llama-3.1-8b")
    0.0
    """
    m = get_model(model)
    return float(m.moe_layers * m.n_routed_experts * 3 * m.hidden_size * m.moe_intermediate_size)


def expert_fraction_read(model, batch):
    """Expected share of routed experts a decoding step must read: ``1 - (1 - k/E) ** batch``.

    Assumes tokens pick experts independently and uniformly (real routers are
    somewhat uneven). Dense models: 1.

    >>> round(float(expert_fraction_read("deepseek-v3", 1)), 4)    # 8 of 256
    0.0312
    >>> round(float(expert_fraction_read("deepseek-v3", 64)), 3)
    0.869
    """
    m = get_model(model)
    b = np.asarray(_batch(batch), dtype=float)
    if not m.is_moe:
        return np.ones_like(b) if b.ndim else 1.0
    share = 1.0 - (1.0 - m.experts_per_token / m.n_routed_experts) ** b
    return share if b.ndim else float(share)


def weight_bytes_read_per_step(model, batch, weight_bytes: float | None = None):
    """Bytes of weights one decoding step reads: everything but the unused experts."""
    m = get_model(model)
    per_param = _weight_bytes_per_param(m, weight_bytes)
    routed = routed_expert_params(m)
    always = m.params_total_b * 1e9 - routed
    return (always + routed * expert_fraction_read(m, batch)) * per_param


def min_gpus_for_weights(model, gpu, weight_bytes: float | None = None) -> int:
    """Fewest GPUs whose HBM together holds the weights (nothing left for the KV cache yet).

    >>> min_gpus_for_weights("llama-3.1-70b", "H100-SXM")     # 141 GB over 80 GB cards
    2
    >>> min_gpus_for_weights("llama-3.1-405b", "H100-SXM")    # 812 GB
    11
    """
    g = get_gpu(gpu)
    return max(1, math.ceil(weights_bytes(model, weight_bytes) / g.hbm_bytes))


def max_batch(model, gpu, context_tokens, n_gpus: int = 1, *, weight_bytes: float | None = None,
              kv_bytes: float = 2) -> int:
    """Most sequences of ``context_tokens`` whose KV cache fits next to the weights (0 if none).

    >>> max_batch("llama-3.1-8b", "H100-SXM", 4096)   # (80 - 16.06) GB / (4096 x 131072 B)
    119
    """
    m, g = get_model(model), get_gpu(gpu)
    context_tokens = _context(context_tokens, strictly_positive=True)
    n_gpus = _n_gpus(n_gpus)
    free = n_gpus * g.hbm_bytes - weights_bytes(m, weight_bytes)
    if free <= 0:
        return 0
    return int(free // (kv_cache_bytes_per_token(m, kv_bytes) * context_tokens))


def users_that_fit(model, gpu, context_tokens, *, kv_bytes: float = 2) -> int:
    """How many sequences of ``context_tokens`` fit next to the weights on the fewest GPUs that hold them.

    The KV cache fills what the weights leave of those GPUs' HBM (activations and
    buffers are ignored, so real servers fit somewhat fewer). Zero means those GPUs
    cannot hold even one such context: more GPUs are needed for memory alone.

    >>> users_that_fit("llama-3.1-8b", "H100-SXM", 4096) > users_that_fit("llama-3.1-8b", "H100-SXM", 131072)
    True
    """
    return max_batch(model, gpu, context_tokens, min_gpus_for_weights(model, gpu), kv_bytes=kv_bytes)


def memory_needed_bytes(model, context_tokens, users, *, weight_bytes: float | None = None,
                        kv_bytes: float = 2) -> dict:
    """Weights plus the KV cache of ``users`` sequences of ``context_tokens``, in bytes.

    >>> round(memory_needed_bytes("llama-3.1-8b", 1000, 10)["kv_cache"] / 1e9, 2)   # 10 x 1,000 x 131,072 B
    1.31
    """
    users = _batch(users, "users")
    context_tokens = _context(context_tokens)
    w = weights_bytes(model, weight_bytes)
    kv = kv_cache_bytes(model, context_tokens, users, kv_bytes)
    return {"weights": w, "kv_cache": kv, "total": w + kv}


# --------------------------------------------------------------------------- compute
def attention_flops_per_token(model, context_tokens, phase: str = "decode") -> float:
    """FLOPs one new token spends attending to ``context_tokens`` earlier tokens.

    Grouped-query attention: ``4 x layers x heads x head_dim x context`` (scores and
    weighted sum). Latent attention at decode time works in the compressed space:
    ``2 x layers x heads x (2 x kv_lora_rank + rope_dim) x context``; at prefill it
    expands keys and values: ``2 x layers x heads x (nope + rope + v_dim) x context``.

    >>> attention_flops_per_token("llama-3.1-8b", 1000)    # 4 x 32 x 32 x 128 x 1000
    524288000.0
    """
    m = get_model(model)
    ctx = np.asarray(_context(context_tokens), dtype=float)
    if phase not in ("decode", "prefill"):
        raise ValueError(f"phase must be 'decode' or 'prefill', got {str(phase)[:40]!r}")
    if m.attention == "mla":
        if phase == "decode":
            width = 2 * m.kv_lora_rank + m.qk_rope_head_dim
        else:
            width = m.qk_nope_head_dim + m.qk_rope_head_dim + m.v_head_dim
        flops = 2.0 * m.n_layers * m.n_heads * width * ctx
    else:
        flops = 4.0 * m.n_layers * m.n_heads * m.head_dim * ctx
    return flops if ctx.ndim else float(flops)


@dataclass(frozen=True)
class Step:
    """The roofline of one pass: its two lower bounds, the larger one, and why."""

    memory_seconds: float
    compute_seconds: float
    bytes_read: float
    flops: float
    tokens: float  # tokens produced (decode) or processed (prefill) by the pass

    @property
    def seconds(self) -> float:
        return max(self.memory_seconds, self.compute_seconds)

    @property
    def bottleneck(self) -> str:
        return "memory" if self.memory_seconds >= self.compute_seconds else "compute"

    @property
    def arithmetic_intensity(self) -> float:
        """FLOPs per byte read from HBM (the x axis of a roofline chart)."""
        return self.flops / self.bytes_read

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds


def _check_common(model, gpu, batch, context_tokens, n_gpus, kv_bytes, weight_bytes):
    m, g = get_model(model), get_gpu(gpu)
    batch = _batch(batch, strictly_positive=True)
    context_tokens = _context(context_tokens)
    n_gpus = _n_gpus(n_gpus)
    _kv_bytes(kv_bytes)
    wb = _weight_bytes_per_param(m, weight_bytes)
    return m, g, batch, context_tokens, n_gpus, wb


def decode_step(model, gpu, batch, context_tokens, n_gpus: int = 1, *, weight_bytes: float | None = None,
                kv_bytes: float = 2) -> Step:
    """The roofline of one decoding step (one new token for each of ``batch`` sequences).

    >>> s = decode_step("llama-3.1-8b", "H100-SXM", batch=1, context_tokens=0)
    >>> round(s.memory_seconds * 1e3, 2), s.bottleneck     # 16.06 GB / 3.35 TB/s
    (4.79, 'memory')
    """
    m, g, batch, ctx, n, wb = _check_common(model, gpu, batch, context_tokens, n_gpus, kv_bytes, weight_bytes)
    bytes_read = weight_bytes_read_per_step(m, batch, wb) + batch * ctx * kv_cache_bytes_per_token(m, kv_bytes)
    matmul = 2.0 * m.params_active_b * 1e9 * batch
    attention = attention_flops_per_token(m, ctx, "decode") * batch
    compute_s = matmul / (n * g.peak_flops(wb)) + attention / (n * g.peak_flops(2))
    return Step(memory_seconds=bytes_read / (n * g.bandwidth_bytes_s), compute_seconds=compute_s,
                bytes_read=bytes_read, flops=matmul + attention, tokens=batch)


def decode_step_seconds(model, gpu, batch, context_tokens, n_gpus: int = 1, *, weight_bytes: float | None = None,
                        kv_bytes: float = 2) -> float:
    """Seconds of one decoding step at the roofline: ``max(memory time, compute time)``.

    Hand check, Llama-3.1-70B on 2 H100s, batch 1, context 1,000: memory =
    (141.1 GB + 1,000 x 327,680 B) / (2 x 3.35 TB/s) = 21.11 ms.

    >>> round(decode_step_seconds("llama-3.1-70b", "H100-SXM", 1, 1000, n_gpus=2) * 1e3, 2)
    21.11
    """
    return decode_step(model, gpu, batch, context_tokens, n_gpus, weight_bytes=weight_bytes,
                       kv_bytes=kv_bytes).seconds


def prefill(model, gpu, prompt_tokens, batch=1, n_gpus: int = 1, *, weight_bytes: float | None = None,
            kv_bytes: float = 2) -> Step:
    """The roofline of reading ``batch`` prompts of ``prompt_tokens`` in one pass.

    Compute: ``2 x active params`` per token plus causal attention (token *t* attends
    to *t* earlier tokens, on average half the prompt). Memory: all weights once,
    plus writing the new KV cache.
    """
    prompt_tokens = _context(prompt_tokens, "prompt_tokens", strictly_positive=True)
    m, g, batch, tokens, n, wb = _check_common(model, gpu, batch, prompt_tokens, n_gpus, kv_bytes, weight_bytes)
    total_tokens = batch * tokens
    bytes_read = weights_bytes(m, wb) + total_tokens * kv_cache_bytes_per_token(m, kv_bytes)
    matmul = 2.0 * m.params_active_b * 1e9 * total_tokens
    attention = attention_flops_per_token(m, tokens / 2, "prefill") * total_tokens
    compute_s = matmul / (n * g.peak_flops(wb)) + attention / (n * g.peak_flops(2))
    return Step(memory_seconds=bytes_read / (n * g.bandwidth_bytes_s), compute_seconds=compute_s,
                bytes_read=bytes_read, flops=matmul + attention, tokens=total_tokens)


def prefill_seconds(model, gpu, prompt_tokens, batch=1, n_gpus: int = 1, *, weight_bytes: float | None = None,
                    kv_bytes: float = 2) -> float:
    """Seconds to read ``batch`` prompts of ``prompt_tokens`` at the roofline.

    Hand check, Llama-3.1-8B on one H100, one 1,000-token prompt: compute =
    2 x 8.03e9 x 1,000 / 989.5e12 = 16.23 ms, plus attention 4 x 32 x 32 x 128 x 500
    x 1,000 / 989.5e12 = 0.26 ms.

    >>> round(prefill_seconds("llama-3.1-8b", "H100-SXM", 1000) * 1e3, 2)
    16.5
    """
    return prefill(model, gpu, prompt_tokens, batch, n_gpus, weight_bytes=weight_bytes, kv_bytes=kv_bytes).seconds


def crossover_batch(model, gpu, context_tokens, n_gpus: int = 1, *, weight_bytes: float | None = None,
                    kv_bytes: float = 2, max_batch_searched: int = 1 << 20) -> int | None:
    """Smallest batch at which a decoding step becomes compute-bound (None: never, up to the search limit).

    Every extra sequence adds KV bytes *and* FLOPs; at long context the KV bytes
    grow as fast as the FLOPs and decoding can stay memory-bound at any batch.

    >>> crossover_batch("llama-3.1-70b", "H100-SXM", 0, n_gpus=2)   # ridge point: about 295 FLOP per byte
    296
    """
    m, g, _, ctx, n, wb = _check_common(model, gpu, 1, context_tokens, n_gpus, kv_bytes, weight_bytes)
    max_batch_searched = checks.whole("max_batch_searched", max_batch_searched, minimum=1, maximum=MAX_BATCH)
    b = np.arange(1, max_batch_searched + 1, dtype=float)
    step = decode_step_arrays(m, g, b, ctx, n, wb, kv_bytes)
    hit = np.nonzero(step["compute_seconds"] > step["memory_seconds"])[0]
    return int(b[hit[0]]) if hit.size else None


def decode_step_arrays(model, gpu, batches, context_tokens, n_gpus=1, weight_bytes=None, kv_bytes=2) -> dict:
    """Vectorised :func:`decode_step` over an array of batch sizes (for charts and searches).

    >>> d = decode_step_arrays("llama-3.1-8b", "H100-SXM", [1, 64], 0)
    >>> [round(float(x) * 1e3, 2) for x in d["seconds"]]     # memory-bound: the weights dominate both
    [4.79, 4.79]
    """
    m, g = get_model(model), get_gpu(gpu)
    wb = _weight_bytes_per_param(m, weight_bytes)
    b = np.asarray(_batch(batches, "batches", strictly_positive=True), dtype=float)
    context_tokens = _context(context_tokens)
    n_gpus = _n_gpus(n_gpus)
    bytes_read = weight_bytes_read_per_step(m, b, wb) + b * context_tokens * kv_cache_bytes_per_token(m, kv_bytes)
    matmul = 2.0 * m.params_active_b * 1e9 * b
    attention = attention_flops_per_token(m, context_tokens, "decode") * b
    memory_s = bytes_read / (n_gpus * g.bandwidth_bytes_s)
    compute_s = matmul / (n_gpus * g.peak_flops(wb)) + attention / (n_gpus * g.peak_flops(2))
    return {"batch": b, "memory_seconds": memory_s, "compute_seconds": compute_s,
            "seconds": np.maximum(memory_s, compute_s), "bytes_read": bytes_read, "flops": matmul + attention}


def ridge_point(gpu, weight_bytes: float = 2) -> float:
    """FLOPs per byte at which a GPU turns from memory- to compute-bound: peak FLOP/s / bandwidth.

    >>> round(ridge_point("H100-SXM"))     # 989.5e12 / 3.35e12
    295
    """
    weight_bytes = checks.number("weight_bytes", weight_bytes, strictly_positive=True, maximum=MAX_BYTES_PER_VALUE)
    g = get_gpu(gpu)
    return g.peak_flops(weight_bytes) / g.bandwidth_bytes_s
