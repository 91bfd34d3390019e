"""The token factory: from a GPU-hour to dollars and joules per million tokens.

Notebook 03's formulas, in three steps.

**1. What a GPU-hour costs** (:func:`gpu_hour_cost`), if you own the GPU::

    capital  = purchase price / (years x 8,760 hours)
    power    = TDP (kW) x utilization_of_power x PUE x electricity price ($/kWh)
    hosting  = colocation rent ($ per kW of IT load per month) x TDP (kW) / 730 hours
    total    = capital + power + hosting

or simply a rental price per GPU-hour (``usd_per_gpu_hour=`` in :func:`serving_cost`).
Defaults and their sources:

- ``years=4``: a conservative service life; cloud providers depreciate servers
  over 5 to 6 years, but a GPU generation is overtaken in about 2.
- ``electricity_usd_per_kwh=0.08``: a round US industrial electricity price for
  2024 (US EIA, *Electric Power Monthly*, table 5.6.B, year to date July 2024:
  Pennsylvania 7.79, Indiana 8.05, Illinois 8.95 cents per kWh).
- ``pue=1.56``: average power usage effectiveness (facility power / IT power)
  reported in the Uptime Institute *Global Data Center Survey 2024*.
- hosting: $184.06 per kW per month, CBRE's average asking rate for a
  250-500 kW wholesale colocation requirement in North American primary markets
  (*North America Data Center Trends H2 2024*); space, cooling and backup power,
  not the electricity itself.

**2. How many tokens an hour makes** (:func:`serving_cost`), from the roofline of
:mod:`token_economy.hardware`, run at ``utilization`` (the achieved fraction of the
roofline, 0 < u <= 1)::

    output tokens/s = batch / decode step time x utilization
    input tokens/s  = batch x prompt tokens / prefill time x utilization

Input and output are costed separately, as if prefill and decode ran on their own
GPUs (as DeepSeek does): each is charged the GPU-time it uses.

**3. Dollars and joules per token**::

    $ per million output tokens = n_gpus x $ per GPU-hour / (output tokens/s x 3,600) x 10**6
    joules per output token     = n_gpus x TDP (W) x PUE / output tokens/s

What it leaves out: staff, networking gear and CPUs (beyond the hosting rent),
idle capacity (a factory that runs half the day costs twice as much per token;
see notebook 03), taxes and the cost of capital. Power is taken at TDP, an upper
bound for a busy GPU.

    >>> c = gpu_hour_cost("H100-SXM")
    >>> round(c.capital_usd, 3), round(c.power_usd, 3), round(c.hosting_usd, 3)
    (0.785, 0.087, 0.176)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from . import checks, hardware

HOURS_PER_YEAR = 8760
HOURS_PER_MONTH = 730

#: US industrial electricity price, 2024, rounded (US EIA, Electric Power Monthly, table 5.6.B), $/kWh.
ELECTRICITY_USD_PER_KWH = 0.08
#: Average data-centre PUE, Uptime Institute Global Data Center Survey 2024.
PUE = 1.56
#: Wholesale colocation asking rent, $ per kW per month (CBRE, North America Data Center Trends H2 2024).
COLOCATION_USD_PER_KW_MONTH = 184.06
#: Service life of a GPU in years (a choice, see the module docstring).
YEARS = 4
#: Shortest service life accepted, in years (about four days): below it the capital cost per hour is meaningless.
MIN_YEARS = 0.01
#: Lowest utilization accepted (0.1% of the roofline): below it a token's cost has no useful meaning.
MIN_UTILIZATION = 0.001

DEFAULT_SOURCES = {
    "electricity_usd_per_kwh": "US EIA, Electric Power Monthly, table 5.6.B: industrial prices of about 8 cents per kWh in 2024 (rounded)",
    "pue": "Uptime Institute, Global Data Center Survey 2024 (average annual PUE 1.56)",
    "hosting": "CBRE, North America Data Center Trends H2 2024 ($184.06 per kW per month, 250-500 kW)",
    "years": "a choice: conservative service life (cloud providers depreciate servers over 5-6 years)",
}


@dataclass(frozen=True)
class GPUHourCost:
    """What one GPU-hour costs, by part, in US dollars."""

    gpu_id: str
    capital_usd: float
    power_usd: float
    hosting_usd: float

    @property
    def total_usd(self) -> float:
        return self.capital_usd + self.power_usd + self.hosting_usd

    def as_dict(self) -> dict:
        return {**asdict(self), "total_usd": self.total_usd}


def gpu_hour_cost(gpu, *, years: float = YEARS, electricity_usd_per_kwh: float = ELECTRICITY_USD_PER_KWH,
                  pue: float = PUE, hosting_usd_per_hour: float | None = None,
                  utilization_of_power: float = 1.0) -> GPUHourCost:
    """The cost of owning and running one GPU for an hour: capital + power + hosting.

    ``hosting_usd_per_hour=None`` charges CBRE's colocation rent for the GPU's TDP.
    Hand check for an H100 (price $27,500, 700 W): capital 27,500 / (4 x 8,760) =
    $0.785; power 0.7 kW x 1.56 x $0.08 = $0.087; hosting 184.06 x 0.7 / 730 = $0.176.

    >>> round(gpu_hour_cost("H100-SXM").total_usd, 2)
    1.05
    >>> gpu_hour_cost("H100-SXM", years=0)
    Traceback (most recent call last):
    ...
    ValueError: years must be greater than 0, got 0
    """
    g = hardware.get_gpu(gpu)
    years = checks.number("years", years, strictly_positive=True, minimum=MIN_YEARS)
    price = checks.non_negative("electricity_usd_per_kwh", electricity_usd_per_kwh)
    pue = checks.number("pue", pue, minimum=1)
    share = checks.fraction("utilization_of_power", utilization_of_power)
    if g.usd_purchase is None:
        raise ValueError(f"gpu: {g.gpu_id} has no purchase price; pass usd_per_gpu_hour (a rental price) instead")
    kw = g.tdp_w / 1000
    hosting = (COLOCATION_USD_PER_KW_MONTH * kw / HOURS_PER_MONTH if hosting_usd_per_hour is None
               else checks.non_negative("hosting_usd_per_hour", hosting_usd_per_hour))
    return GPUHourCost(gpu_id=g.gpu_id, capital_usd=g.usd_purchase / (years * HOURS_PER_YEAR),
                       power_usd=kw * share * pue * price, hosting_usd=hosting)


@dataclass(frozen=True)
class ServingCost:
    """The economics of serving one model on one kind of GPU at one setting."""

    model_id: str
    gpu_id: str
    n_gpus: int
    batch: int
    context_tokens: int
    utilization: float
    usd_per_gpu_hour: float
    decode_step_seconds: float  # achieved, i.e. roofline / utilization
    prefill_seconds: float  # achieved, for the whole batch of prompts
    output_tokens_per_second: float
    input_tokens_per_second: float
    usd_per_m_output_tokens: float
    usd_per_m_input_tokens: float
    joules_per_output_token: float
    joules_per_input_token: float
    bottleneck: str  # of the decoding step: "memory" or "compute"
    memory_seconds: float  # roofline parts of one decoding step
    compute_seconds: float
    max_batch: int  # at this context on these GPUs
    crossover_batch: int | None

    @property
    def usd_per_hour(self) -> float:
        return self.n_gpus * self.usd_per_gpu_hour

    @property
    def output_tokens_per_second_per_user(self) -> float:
        return self.output_tokens_per_second / self.batch

    def as_dict(self) -> dict:
        return asdict(self)


def n_gpus_needed(model, gpu, *, batch: int = 1, context_tokens: float = 0, weight_bytes: float | None = None,
                  kv_bytes: float = 2) -> int:
    """Fewest GPUs whose HBM holds the weights and the KV cache of ``batch`` sequences.

    >>> n_gpus_needed("llama-3.1-70b", "H100-SXM", batch=64, context_tokens=4096)  # 141 GB + 86 GB
    3
    """
    batch = checks.number("batch", batch, minimum=0, maximum=hardware.MAX_BATCH)
    context_tokens = checks.number("context_tokens", context_tokens, minimum=0, maximum=hardware.MAX_CONTEXT_TOKENS)
    need = hardware.memory_needed_bytes(model, context_tokens, batch, weight_bytes=weight_bytes,
                                        kv_bytes=kv_bytes)["total"]
    g = hardware.get_gpu(gpu)
    return max(1, -int(-need // g.hbm_bytes))


def serving_cost(model, gpu, *, batch: int = 64, context_tokens: int = 4096, utilization: float = 0.5,
                 n_gpus: int | None = None, usd_per_gpu_hour: float | None = None,
                 electricity_usd_per_kwh: float = ELECTRICITY_USD_PER_KWH, pue: float = PUE,
                 years: float = YEARS, weight_bytes: float | None = None, kv_bytes: float = 2) -> ServingCost:
    """Dollars and joules per million tokens for ``model`` on ``gpu``.

    ``context_tokens`` is the prompt length and the KV length while decoding;
    ``n_gpus=None`` takes the fewest GPUs that hold the weights and the batch's KV
    cache; ``usd_per_gpu_hour=None`` uses :func:`gpu_hour_cost` (ownership).
    ``utilization`` is the achieved fraction of the roofline.

    >>> s = serving_cost("llama-3.1-8b", "H100-SXM", batch=1, context_tokens=1000,
    ...                  utilization=1.0, usd_per_gpu_hour=3.0)
    >>> s.bottleneck, s.n_gpus, round(s.output_tokens_per_second)   # 1 / 4.83 ms
    ('memory', 1, 207)
    >>> round(s.usd_per_m_output_tokens, 2)                          # $3 / (207 x 3,600) x 1e6
    4.03
    >>> serving_cost("llama-3.1-405b", "H100-SXM", n_gpus=4)
    Traceback (most recent call last):
    ...
    ValueError: n_gpus: Llama 3.1 405B does not fit: it needs 947 GB (weights 812 GB + KV cache 135 GB) but 4 x H100-SXM hold 320 GB. Use at least 12 GPUs, or a smaller batch or context.
    """
    m, g = hardware.get_model(model), hardware.get_gpu(gpu)
    batch = checks.whole("batch", batch, minimum=1, maximum=hardware.MAX_BATCH)
    context_tokens = checks.whole("context_tokens", context_tokens, minimum=1, maximum=hardware.MAX_CONTEXT_TOKENS)
    utilization = checks.fraction("utilization", utilization)
    if utilization < MIN_UTILIZATION:
        raise ValueError(f"utilization must be at least {MIN_UTILIZATION:g} (0.1% of the roofline), got {utilization:g}")
    pue = checks.number("pue", pue, minimum=1)
    need = n_gpus_needed(m, g, batch=batch, context_tokens=context_tokens, weight_bytes=weight_bytes,
                         kv_bytes=kv_bytes)
    if n_gpus is None:
        if need > hardware.MAX_GPUS:
            raise ValueError(f"batch x context_tokens: {batch:,} sequences of {context_tokens:,} tokens need "
                             f"{need:,} GPUs, beyond any deployment (at most {hardware.MAX_GPUS:,}); "
                             "use a smaller batch or context")
        n_gpus = need
    n_gpus = checks.whole("n_gpus", n_gpus, minimum=1, maximum=hardware.MAX_GPUS)
    if n_gpus < need:
        mem = hardware.memory_needed_bytes(m, context_tokens, batch, weight_bytes=weight_bytes, kv_bytes=kv_bytes)
        raise ValueError(
            f"n_gpus: {m.name} does not fit: it needs {mem['total'] / 1e9:,.0f} GB (weights "
            f"{mem['weights'] / 1e9:,.0f} GB + KV cache {mem['kv_cache'] / 1e9:,.0f} GB) but {n_gpus} x "
            f"{g.gpu_id} hold {n_gpus * g.hbm_gb:,.0f} GB. Use at least {need} GPUs, or a smaller batch or context.")
    if usd_per_gpu_hour is None:
        usd_per_gpu_hour = gpu_hour_cost(g, years=years, electricity_usd_per_kwh=electricity_usd_per_kwh,
                                         pue=pue).total_usd
    usd_per_gpu_hour = checks.non_negative("usd_per_gpu_hour", usd_per_gpu_hour)

    kw = dict(weight_bytes=weight_bytes, kv_bytes=kv_bytes)
    step = hardware.decode_step(m, g, batch, context_tokens, n_gpus, **kw)
    pre = hardware.prefill(m, g, context_tokens, batch, n_gpus, **kw)
    out_tps = batch / step.seconds * utilization
    in_tps = batch * context_tokens / pre.seconds * utilization
    usd_per_hour = n_gpus * usd_per_gpu_hour
    watts = n_gpus * g.tdp_w * pue
    return ServingCost(
        model_id=m.model_id, gpu_id=g.gpu_id, n_gpus=n_gpus, batch=batch, context_tokens=context_tokens,
        utilization=utilization, usd_per_gpu_hour=usd_per_gpu_hour,
        decode_step_seconds=step.seconds / utilization, prefill_seconds=pre.seconds / utilization,
        output_tokens_per_second=out_tps, input_tokens_per_second=in_tps,
        usd_per_m_output_tokens=usd_per_hour / (out_tps * 3600) * 1e6,
        usd_per_m_input_tokens=usd_per_hour / (in_tps * 3600) * 1e6,
        joules_per_output_token=watts / out_tps, joules_per_input_token=watts / in_tps,
        bottleneck=step.bottleneck, memory_seconds=step.memory_seconds, compute_seconds=step.compute_seconds,
        max_batch=hardware.max_batch(m, g, context_tokens, n_gpus, **kw),
        crossover_batch=hardware.crossover_batch(m, g, context_tokens, n_gpus, max_batch_searched=1 << 16, **kw),
    )


def cost_by_batch(model, gpu, batches, *, context_tokens: int = 4096, utilization: float = 0.5,
                  n_gpus: int | None = None, usd_per_gpu_hour: float | None = None, **kw):
    """A table of :func:`serving_cost` over several batch sizes (with ``n_gpus`` set: skipping those that do not fit).

    >>> t = cost_by_batch("llama-3.1-70b", "H100-SXM", [1, 64, 100_000], n_gpus=4)
    >>> t["batch"].tolist()          # 100,000 sequences of 4,096 tokens do not fit in 4 x 80 GB
    [1, 64]
    """
    import pandas as pd

    m, g = hardware.get_model(model), hardware.get_gpu(gpu)
    batches = [checks.whole("batches", b, minimum=1, maximum=hardware.MAX_BATCH) for b in batches]
    if n_gpus is not None:
        n_gpus = checks.whole("n_gpus", n_gpus, minimum=1, maximum=hardware.MAX_GPUS)
    fits = {b: True for b in batches}
    if n_gpus is not None:
        # checks context_tokens too, whatever the batches
        fits = {b: n_gpus_needed(m, g, batch=b, context_tokens=context_tokens,
                                 weight_bytes=kw.get("weight_bytes"), kv_bytes=kw.get("kv_bytes", 2)) <= n_gpus
                for b in batches}
    rows = [serving_cost(m, g, batch=b, context_tokens=context_tokens, utilization=utilization, n_gpus=n_gpus,
                         usd_per_gpu_hour=usd_per_gpu_hour, **kw).as_dict() for b in batches if fits[b]]
    if not rows:  # still check the other arguments, so that a bad one is reported rather than an empty table
        serving_cost(m, g, batch=1, context_tokens=context_tokens, utilization=utilization,
                     usd_per_gpu_hour=usd_per_gpu_hour, **kw)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- DeepSeek's published day
def day6_figures() -> dict:
    """DeepSeek's published day of inference (``data/deepseek_inference_day6.csv``) as ``{quantity: value}``.

    >>> day6_figures()["nodes_average"]
    226.75
    """
    from . import data

    df = data.load("deepseek_inference_day6")
    return {q: float(v) for q, v in zip(df["quantity"], df["value"])}


def day6_arithmetic(figures: dict | None = None, *, paid_share: float = 1.0) -> dict:
    """Re-compute DeepSeek's cost, theoretical revenue and "cost profit margin" from its own figures.

    ``cost = nodes x 8 GPUs x 24 h x $ per GPU-hour``; ``revenue`` bills cache-hit
    input, cache-miss input and output at R1's prices, times ``paid_share`` (the
    share of tokens actually billed; 1 = DeepSeek's theoretical case);
    ``margin = (revenue - cost) / cost``.

    >>> r = day6_arithmetic()
    >>> r["cost_usd_per_day"], round(r["revenue_usd_per_day"]), round(r["cost_profit_margin_pct"])
    (87072.0, 562100, 546)
    """
    f = day6_figures() if figures is None else figures
    paid_share = checks.fraction("paid_share", paid_share)
    gpu_hours = f["nodes_average"] * f["gpus_per_node"] * 24
    cost = gpu_hours * f["usd_per_gpu_hour"]
    hit = f["input_tokens_cache_hit"]
    miss = f["input_tokens"] - hit
    revenue = paid_share * (hit * f["r1_usd_per_m_input_cache_hit"] + miss * f["r1_usd_per_m_input_cache_miss"]
                            + f["output_tokens"] * f["r1_usd_per_m_output"]) / 1e6
    decode_nodes = f["output_tokens"] / 86400 / f["decode_tokens_per_s_per_node"]
    prefill_nodes = f["input_tokens"] / 86400 / f["prefill_tokens_per_s_per_node"]
    node_hour = f["gpus_per_node"] * f["usd_per_gpu_hour"]
    return {
        "gpu_hours_per_day": gpu_hours,
        "cost_usd_per_day": cost,
        "revenue_usd_per_day": revenue,
        "cost_profit_margin_pct": (revenue - cost) / cost * 100,
        "cache_hit_share": hit / f["input_tokens"],
        "decode_nodes_implied": decode_nodes,
        "prefill_nodes_implied": prefill_nodes,
        "usd_per_m_output_decode_only": node_hour / (f["decode_tokens_per_s_per_node"] * 3600) * 1e6,
        "usd_per_m_input_prefill_only": node_hour / (f["prefill_tokens_per_s_per_node"] * 3600) * 1e6,
    }


def cost_table(model_ids=None, gpu_ids=None, **kw):
    """:func:`serving_cost` for every model x GPU pair, as a tidy table (one row per pair)."""
    import pandas as pd

    model_ids = list(hardware.models()["model_id"]) if model_ids is None else list(model_ids)
    gpu_ids = list(hardware.gpus()["gpu_id"]) if gpu_ids is None else list(gpu_ids)
    rows = []
    for m in model_ids:
        for g in gpu_ids:
            s = serving_cost(m, g, **kw)
            rows.append({"model": hardware.get_model(m).name, "gpu": g, "n_gpus": s.n_gpus,
                         "usd_per_gpu_hour": s.usd_per_gpu_hour,
                         "usd_per_m_output": s.usd_per_m_output_tokens, "usd_per_m_input": s.usd_per_m_input_tokens,
                         "joules_per_output_token": s.joules_per_output_token, "bottleneck": s.bottleneck})
    return pd.DataFrame(rows)
