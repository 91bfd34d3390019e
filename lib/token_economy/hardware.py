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
``n`` GPUs sharing the work evenly (one node; the layouts below refine it)::

    memory time  = (weight bytes read + batch x context x KV bytes per token) / (n x HBM bandwidth)
    compute time = batch x (2 x active params + attention FLOPs per token) / (n x peak FLOP/s)
    step time    = max(memory time, compute time)

The larger term is the **bottleneck**. Weights are read once per step however
large the batch, so at small batch decoding is memory-bound and a bigger batch
makes each token cheaper; past the **crossover batch** compute dominates. For a
mixture of experts, a small batch touches only some experts: the expected share
of experts read is ``1 - (1 - k/E) ** batch`` (k of E experts per token).

**Deployments and layouts.** Servers come in 1, 2, 4 or 8 GPUs, then whole 8-GPU
nodes (:func:`deployment_size`). How the weights and the KV cache are spread over
them (:func:`memory_per_gpu`, :func:`decode_step`):

- ``"tensor"`` (dense models): the GPUs of a node split every layer; nodes form a
  pipeline, each taking a slice of the layers, so a token passes them one after
  another. A GPU beyond the number of KV heads keeps a copy of the cache, so
  latent attention's single cache vector is copied to every GPU of a node.
- ``"expert"`` (a mixture of experts, as DeepSeek serves V3): attention, shared
  experts and dense layers are copied to every GPU, each GPU decodes its own
  sequences, and the routed experts are spread over all GPUs.

**Prefill** (reading the prompt) processes all prompt tokens in one pass: the
same weights, many tokens, so it is usually compute-bound.

What it leaves out, on purpose: communication between GPUs (NVLink, InfiniBand;
for DeepSeek's wide expert parallelism DeepSeek overlaps it with computation),
uneven load on experts, kernel launch and scheduling overheads, activation memory,
and speculative decoding. HBM capacity is the datasheets' GB; software sees a few
per cent more (``hbm_mib_reported`` in ``data/gpus.csv``).
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
import os
from dataclasses import asdict, dataclass, fields
from functools import lru_cache

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
    if np.ndim(value) == 0:  # a 0-d array (from np.asarray of one number) is read as its number
        value = value.item() if isinstance(value, np.ndarray) else value
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


@lru_cache(maxsize=16)
def _table_path(table: str, data_dir_setting: str | None):
    """A table's path, per setting of TOKEN_ECONOMY_DATA (resolving the data folder is slow; it rarely changes)."""
    return data.data_dir() / f"{table}.csv"  # not data.path(): it lists the folder on every call


def _records(table: str, cls, id_field: str) -> dict:
    """All records of a table by id, parsed once per version of the file (explorers call this often)."""
    path = _table_path(table, os.environ.get("TOKEN_ECONOMY_DATA"))
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


# --------------------------------------------------------------------------- deployments
#: GPUs in one server (node): DGX and HGX servers hold eight (``data/tco_inputs.csv``).
GPUS_PER_NODE = 8
#: How a model's weights and KV cache are spread over its GPUs (see :func:`memory_per_gpu`).
LAYOUTS = ("tensor", "expert")


def deployment_size(n_gpus: float) -> int:
    """The smallest deployment real servers use with at least ``n_gpus`` GPUs: 1, 2, 4 or 8, then whole nodes.

    >>> [deployment_size(n) for n in (1, 3, 5, 8, 9, 17)]
    [1, 4, 8, 8, 16, 24]
    """
    n = math.ceil(checks.number("n_gpus", n_gpus, minimum=1, maximum=MAX_GPUS))
    if n <= GPUS_PER_NODE:
        return next(size for size in (1, 2, 4, 8) if size >= n)
    return min(MAX_GPUS, -(-n // GPUS_PER_NODE) * GPUS_PER_NODE)


def deployment_sizes(max_gpus: int = 18 * GPUS_PER_NODE) -> list[int]:
    """Every deployment size up to ``max_gpus``: 1, 2, 4, 8, then each whole number of 8-GPU nodes.

    >>> deployment_sizes(32)
    [1, 2, 4, 8, 16, 24, 32]
    """
    max_gpus = checks.whole("max_gpus", max_gpus, minimum=1, maximum=MAX_GPUS)
    small = [n for n in (1, 2, 4, 8) if n <= max_gpus]
    return small + list(range(2 * GPUS_PER_NODE, max_gpus + 1, GPUS_PER_NODE))


def default_layout(model) -> str:
    """``"expert"`` for a mixture of experts (served as DeepSeek serves V3), ``"tensor"`` for a dense model.

    >>> default_layout("deepseek-v3"), default_layout("llama-3.1-70b")
    ('expert', 'tensor')
    """
    return "expert" if get_model(model).is_moe else "tensor"


def _layout(model, layout) -> str:
    m = get_model(model)
    if layout is None:
        return default_layout(m)
    if not isinstance(layout, str) or layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {str(layout)[:40]!r}")
    if layout == "expert" and not m.is_moe:
        raise ValueError(f"layout: {m.name} has no experts; the 'expert' layout is for a mixture of experts")
    return layout


def kv_heads(model) -> int:
    """Key-value heads per layer: grouped-query attention's ``n_kv_heads``; latent attention keeps one vector.

    >>> kv_heads("llama-3.1-70b"), kv_heads("deepseek-v3")
    (8, 1)
    """
    m = get_model(model)
    return 1 if m.attention == "mla" else int(m.n_kv_heads or m.n_heads)


def replicated_params(model) -> float:
    """Parameters outside the routed experts (attention, shared experts, dense layers, embeddings).

    The expert layout copies these to every GPU.

    >>> round(replicated_params("deepseek-v3") / 1e9, 1)     # 671 B - 653.9 B
    17.1
    """
    m = get_model(model)
    return m.params_total_b * 1e9 - routed_expert_params(m)


def _pipeline(n: float) -> tuple[float, float]:
    """``(tp, pp)``: GPUs of a node that split each layer, and stages (nodes) that each take a slice of layers."""
    tp = min(n, GPUS_PER_NODE)
    return tp, n / tp


def memory_per_gpu(model, context_tokens, batch, n_gpus: int = 1, *, layout: str | None = None,
                   weight_bytes: float | None = None, kv_bytes: float = 2) -> dict:
    """Bytes each GPU must hold: its share of the weights and of the KV cache of ``batch`` sequences.

    **Tensor layout** (any model): the ``tp = min(n, 8)`` GPUs of a node split every layer, and
    ``pp = n / tp`` nodes each take a slice of the layers (a pipeline)::

        weights  = all weights / n
        KV cache = batch x context x KV per token / (pp x min(tp, KV heads))

    Splitting a layer splits its KV heads; a GPU beyond the number of KV heads must keep a copy.
    Latent attention has one (compressed) KV vector per token, so every GPU of a node keeps all
    of it: this is why DeepSeek does not serve V3 this way.

    **Expert layout** (a mixture of experts, as DeepSeek serves V3): attention, shared experts and
    dense layers are copied to every GPU, each GPU decodes its own sequences (data-parallel attention),
    and the routed experts are spread over all ``n`` GPUs (expert parallelism)::

        weights  = non-expert weights + routed-expert weights / n
        KV cache = batch x context x KV per token / n

    >>> mem = memory_per_gpu("llama-3.1-70b", 4096, 14, n_gpus=2)
    >>> round(mem["weights"] / 1e9, 2), round(mem["kv_cache"] / 1e9, 2)    # 141.1 / 2; 14 x 4,096 x 327,680 / 2
    (70.55, 9.4)
    >>> round(memory_per_gpu("deepseek-v3", 0, 0, n_gpus=144)["weights"] / 1e9, 1)   # 17.1 + 653.9 / 144
    21.6
    """
    m = get_model(model)
    layout = _layout(m, layout)
    context_tokens = _context(context_tokens)
    batch = _batch(batch)
    n = _n_gpus(n_gpus)
    per_param = _weight_bytes_per_param(m, weight_bytes)
    kv = kv_cache_bytes_per_token(m, kv_bytes) * context_tokens * batch
    if layout == "expert":
        weights = (replicated_params(m) + routed_expert_params(m) / n) * per_param
        kv_gpu = kv / n
    else:
        tp, pp = _pipeline(n)
        weights = weights_bytes(m, per_param) / n
        kv_gpu = kv / (pp * min(tp, kv_heads(m)))
    return {"weights": weights, "kv_cache": kv_gpu, "total": weights + kv_gpu}


def max_batch(model, gpu, context_tokens, n_gpus: int = 1, *, weight_bytes: float | None = None,
              kv_bytes: float = 2, layout: str | None = None) -> int:
    """Most sequences of ``context_tokens`` whose KV cache fits next to the weights on ``n_gpus`` (0 if none).

    Each GPU's HBM must hold its share (:func:`memory_per_gpu`).

    >>> max_batch("llama-3.1-8b", "H100-SXM", 4096)   # (80 - 16.06) GB / (4096 x 131072 B)
    119
    """
    m, g = get_model(model), get_gpu(gpu)
    layout = _layout(m, layout)
    context_tokens = _context(context_tokens, strictly_positive=True)
    n = _n_gpus(n_gpus)
    one = memory_per_gpu(m, context_tokens, 1, n, layout=layout, weight_bytes=weight_bytes, kv_bytes=kv_bytes)
    free = g.hbm_bytes - one["weights"]
    if free <= 0:
        return 0
    if layout == "expert":  # each GPU keeps whole sequences of its own
        return min(MAX_BATCH, n * int(min(free // (one["kv_cache"] * n), MAX_BATCH)))
    return int(min(free // one["kv_cache"], MAX_BATCH))


def smallest_deployment(model, gpu, context_tokens=0, batch=0, *, layout: str | None = None,
                        weight_bytes: float | None = None, kv_bytes: float = 2) -> int:
    """Fewest GPUs, in a real deployment size (:func:`deployment_size`), that hold the weights and the KV cache.

    >>> smallest_deployment("llama-3.1-70b", "H100-SXM", 4096, 64)   # 227 GB: 3 GPUs would do; servers use 4
    4
    >>> smallest_deployment("deepseek-v3", "H100-SXM")   # 17.1 GB on every GPU + 653.9 GB of experts
    16
    """
    m, g = get_model(model), get_gpu(gpu)
    layout = _layout(m, layout)
    kw = dict(layout=layout, weight_bytes=weight_bytes, kv_bytes=kv_bytes)
    for n in (1, 2, 4, 8):
        if memory_per_gpu(m, context_tokens, batch, n, **kw)["total"] <= g.hbm_bytes:
            return n
    # from one node on, every term falls as 1 / n (see memory_per_gpu): solve for n
    at_one_node = memory_per_gpu(m, context_tokens, batch, GPUS_PER_NODE, **kw)
    per_param = _weight_bytes_per_param(m, weight_bytes)
    fixed = replicated_params(m) * per_param if layout == "expert" else 0.0
    if g.hbm_bytes <= fixed:
        chosen = "" if weight_bytes is None else f" at weight_bytes = {per_param:g} per parameter"
        remedy = "use the tensor layout" + ("" if weight_bytes is None else " or fewer weight_bytes")
        raise ValueError(f"gpu: {m.name}'s non-expert weights ({fixed / GB:,.1f} GB{chosen}, copied to every GPU "
                         f"in the expert layout) do not fit in one {g.gpu_id} ({g.hbm_gb:g} GB); {remedy}")
    need = GPUS_PER_NODE * (at_one_node["total"] - fixed) / (g.hbm_bytes - fixed)
    if need > MAX_GPUS:
        raise ValueError(f"batch x context_tokens: {m.name} would need {need:,.0f} GPUs, beyond any deployment "
                         f"(at most {MAX_GPUS:,}); use a smaller batch or context")
    n = deployment_size(max(GPUS_PER_NODE + 1, math.ceil(need * (1 - 1e-12))))
    if memory_per_gpu(m, context_tokens, batch, n, **kw)["total"] > g.hbm_bytes:  # rounding at the edge
        n = min(MAX_GPUS, n + GPUS_PER_NODE)
    return n


def users_that_fit(model, gpu, context_tokens, *, kv_bytes: float = 2, layout: str | None = None,
                   weight_bytes: float | None = None) -> int:
    """How many sequences of ``context_tokens`` fit on the smallest real deployment that holds the weights.

    The KV cache fills what the weights leave of those GPUs' HBM (activations and
    buffers are ignored, so real servers fit somewhat fewer). Zero means those GPUs
    cannot hold even one such context: more GPUs are needed for memory alone.

    >>> users_that_fit("llama-3.1-8b", "H100-SXM", 4096) > users_that_fit("llama-3.1-8b", "H100-SXM", 131072)
    True
    """
    n = smallest_deployment(model, gpu, layout=layout, weight_bytes=weight_bytes, kv_bytes=kv_bytes)
    return max_batch(model, gpu, context_tokens, n, kv_bytes=kv_bytes, layout=layout, weight_bytes=weight_bytes)


def fit_table(contexts=(4096, 32768, 131072), model_ids=None, gpu_ids=None, *, kv_bytes: float = 2,
              weight_bytes: float | None = None) -> pd.DataFrame:
    """Users that fit on the smallest real deployment of each GPU that holds each model, at each context.

    One row per (context, model, GPU): ``n_gpus`` of that deployment, ``layout`` (the model's
    default), ``users``. Weights in each model's released precision unless ``weight_bytes`` is set.

    >>> t = fit_table([4096], ["llama-3.1-70b"], ["H100-SXM"])
    >>> t[["n_gpus", "users"]].values.tolist()
    [[2, 14]]
    """
    model_ids = list(_records("models", Model, "model_id")) if model_ids is None else list(model_ids)
    gpu_ids = list(_records("gpus", GPU, "gpu_id")) if gpu_ids is None else list(gpu_ids)
    rows = []
    for ctx in contexts:
        ctx = checks.whole("contexts", ctx, minimum=1, maximum=MAX_CONTEXT_TOKENS)
        for mid in model_ids:
            m = get_model(mid)
            for gid in gpu_ids:
                n = smallest_deployment(m, gid, weight_bytes=weight_bytes, kv_bytes=kv_bytes)
                rows.append({"context_tokens": ctx, "model": display_name(m), "gpu": get_gpu(gid).gpu_id,
                             "n_gpus": n, "layout": default_layout(m),
                             "users": max_batch(m, gid, ctx, n, kv_bytes=kv_bytes, weight_bytes=weight_bytes)})
    return pd.DataFrame(rows)


def users_table(context_tokens, users, *, kv_bytes: float = 2) -> pd.DataFrame:
    """For each model: memory for ``users`` sequences, and the GPUs of each kind (a real deployment size) it takes.

    >>> int(users_table(4096, 1).loc["Llama 3.1 8B", "H100-SXM GPUs"])
    1
    """
    context_tokens = checks.whole("context_tokens", context_tokens, minimum=1, maximum=MAX_CONTEXT_TOKENS)
    users = checks.whole("users", users, minimum=1, maximum=MAX_BATCH)
    rows = []
    for mid in model_ids():
        m = get_model(mid)
        need = memory_needed_bytes(m, context_tokens, users, kv_bytes=kv_bytes)
        row = {"model": display_name(m), "weights GB": need["weights"] / GB,
               "KV cache GB": need["kv_cache"] / GB, "total GB": need["total"] / GB}
        for gid in gpu_ids():
            row[f"{gid} GPUs"] = smallest_deployment(m, gid, context_tokens, users, kv_bytes=kv_bytes)
        rows.append(row)
    return pd.DataFrame(rows).set_index("model")


def display_name(model) -> str:
    """A model's name for tables and charts (without the "(and R1)" of the data table).

    >>> display_name("deepseek-v3")
    'DeepSeek-V3'
    """
    return get_model(model).name.replace(" (and R1)", "")


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


def _decode(m: Model, g: GPU, b, ctx: float, n: int, wb: float, kv_bytes: float, layout: str) -> dict:
    """The roofline of a decoding step for an array of batch sizes ``b`` (arguments already checked).

    Times are per GPU: every GPU works in parallel, so the slowest (any, they are alike) sets the step.
    Tensor layout with ``pp`` pipeline stages: a token passes the stages one after another, so a step
    (every sequence one token further) is ``pp`` stage steps of ``b / pp`` sequences each (at least one);
    each stage reads its weights once per microbatch. Expert layout: each GPU reads its copy of the
    non-expert weights, the used share of its own experts, and its own sequences' KV cache.
    """
    b = np.asarray(b, dtype=float)
    kv_token = kv_cache_bytes_per_token(m, kv_bytes)
    flops_token = 2.0 * m.params_active_b * 1e9
    attention_token = attention_flops_per_token(m, ctx, "decode")
    peak, peak_attention = g.peak_flops(wb), g.peak_flops(2)
    if layout == "expert":
        per_gpu = ((replicated_params(m) + routed_expert_params(m) * expert_fraction_read(m, b) / n) * wb
                   + b / n * ctx * kv_token)
        compute_s = b / n * (flops_token / peak + attention_token / peak_attention)
    else:
        tp, pp = _pipeline(n)
        micro = np.maximum(b / pp, 1.0)
        per_gpu = pp * (weight_bytes_read_per_step(m, micro, wb) / n
                        + micro * ctx * kv_token / (pp * min(tp, kv_heads(m))))
        compute_s = pp * micro / n * (flops_token / peak + attention_token / peak_attention)
    memory_s = per_gpu / g.bandwidth_bytes_s
    return {"batch": b, "memory_seconds": memory_s, "compute_seconds": compute_s,
            "seconds": np.maximum(memory_s, compute_s), "bytes_read": n * per_gpu,
            "flops": b * (flops_token + attention_token)}


def decode_step(model, gpu, batch, context_tokens, n_gpus: int = 1, *, weight_bytes: float | None = None,
                kv_bytes: float = 2, layout: str | None = None) -> Step:
    """The roofline of one decoding step (one new token for each of ``batch`` sequences) on ``n_gpus``.

    ``layout``: ``"tensor"`` or ``"expert"`` (see :func:`memory_per_gpu`); default: the model's own
    (:func:`default_layout`). ``memory_seconds`` and ``compute_seconds`` are per GPU; ``bytes_read``
    and ``flops`` add up all GPUs.

    >>> s = decode_step("llama-3.1-8b", "H100-SXM", batch=1, context_tokens=0)
    >>> round(s.memory_seconds * 1e3, 2), s.bottleneck     # 16.06 GB / 3.35 TB/s
    (4.79, 'memory')
    """
    m, g, batch, ctx, n, wb = _check_common(model, gpu, batch, context_tokens, n_gpus, kv_bytes, weight_bytes)
    d = _decode(m, g, batch, ctx, n, wb, kv_bytes, _layout(m, layout))
    return Step(memory_seconds=float(d["memory_seconds"]), compute_seconds=float(d["compute_seconds"]),
                bytes_read=float(d["bytes_read"]), flops=float(d["flops"]), tokens=float(batch))


def decode_step_seconds(model, gpu, batch, context_tokens, n_gpus: int = 1, *, weight_bytes: float | None = None,
                        kv_bytes: float = 2, layout: str | None = None) -> float:
    """Seconds of one decoding step at the roofline: ``max(memory time, compute time)``.

    Hand check, Llama-3.1-70B on 2 H100s, batch 1, context 1,000: memory =
    (141.1 GB + 1,000 x 327,680 B) / (2 x 3.35 TB/s) = 21.11 ms.

    >>> round(decode_step_seconds("llama-3.1-70b", "H100-SXM", 1, 1000, n_gpus=2) * 1e3, 2)
    21.11
    """
    return decode_step(model, gpu, batch, context_tokens, n_gpus, weight_bytes=weight_bytes,
                       kv_bytes=kv_bytes, layout=layout).seconds


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


def prefill_arrays(model, gpu, prompt_tokens, batches, n_gpus=1, weight_bytes=None, kv_bytes=2) -> dict:
    """Vectorised :func:`prefill` over an array of batch sizes (for the cost-speed frontier).

    >>> d = prefill_arrays("llama-3.1-8b", "H100-SXM", 1000, [1, 2])
    >>> [round(float(x) * 1e3, 2) for x in d["seconds"]]     # compute-bound: twice the prompts, twice the time
    [16.5, 32.99]
    """
    m, g = get_model(model), get_gpu(gpu)
    wb = _weight_bytes_per_param(m, weight_bytes)
    tokens = _context(prompt_tokens, "prompt_tokens", strictly_positive=True)
    b = np.asarray(_batch(batches, "batches", strictly_positive=True), dtype=float)
    n = _n_gpus(n_gpus)
    total = b * tokens
    bytes_read = weights_bytes(m, wb) + total * kv_cache_bytes_per_token(m, kv_bytes)
    matmul = 2.0 * m.params_active_b * 1e9 * total
    attention = attention_flops_per_token(m, tokens / 2, "prefill") * total
    memory_s = bytes_read / (n * g.bandwidth_bytes_s)
    compute_s = matmul / (n * g.peak_flops(wb)) + attention / (n * g.peak_flops(2))
    return {"batch": b, "tokens": total, "memory_seconds": memory_s, "compute_seconds": compute_s,
            "seconds": np.maximum(memory_s, compute_s)}


def crossover_batch(model, gpu, context_tokens, n_gpus: int = 1, *, weight_bytes: float | None = None,
                    kv_bytes: float = 2, max_batch_searched: int = 1 << 20, layout: str | None = None) -> int | None:
    """Smallest batch at which a decoding step becomes compute-bound (None: never, up to the search limit).

    Every extra sequence adds KV bytes *and* FLOPs; at long context the KV bytes
    grow as fast as the FLOPs and decoding can stay memory-bound at any batch.

    >>> crossover_batch("llama-3.1-70b", "H100-SXM", 0, n_gpus=2)   # ridge point: about 295 FLOP per byte
    296
    """
    m, g, _, ctx, n, wb = _check_common(model, gpu, 1, context_tokens, n_gpus, kv_bytes, weight_bytes)
    max_batch_searched = checks.whole("max_batch_searched", max_batch_searched, minimum=1, maximum=MAX_BATCH)
    b = np.arange(1, max_batch_searched + 1, dtype=float)
    step = _decode(m, g, b, ctx, n, wb, kv_bytes, _layout(m, layout))
    hit = np.nonzero(step["compute_seconds"] > step["memory_seconds"])[0]
    return int(b[hit[0]]) if hit.size else None


def decode_step_arrays(model, gpu, batches, context_tokens, n_gpus=1, weight_bytes=None, kv_bytes=2,
                       layout: str | None = None) -> dict:
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
    _kv_bytes(kv_bytes)
    return _decode(m, g, b, context_tokens, n_gpus, wb, kv_bytes, _layout(m, layout))


def ridge_point(gpu, weight_bytes: float = 2) -> float:
    """FLOPs per byte at which a GPU turns from memory- to compute-bound: peak FLOP/s / bandwidth.

    >>> round(ridge_point("H100-SXM"))     # 989.5e12 / 3.35e12
    295
    """
    weight_bytes = checks.number("weight_bytes", weight_bytes, strictly_positive=True, maximum=MAX_BYTES_PER_VALUE)
    g = get_gpu(gpu)
    return g.peak_flops(weight_bytes) / g.bandwidth_bytes_s
