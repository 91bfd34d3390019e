"""The token factory: from the cost of a GPU-hour to dollars and joules per million tokens.

Notebook 03's formulas, in four steps. Every input is a row of a data table with
its source (``data/tco_inputs.csv``, ``data/gpus.csv``, ``data/deepseek_inference_day6.csv``).

**1. What an owned GPU-hour costs** (:func:`tco_per_gpu_hour`), per GPU of an 8-GPU server::

    hardware      = GPU price + the rest of the server + the cluster network
    gpu           = GPU price / (life x 8,760 h)                       straight-line depreciation
    server_and_network = (rest of server + network) / (life x 8,760 h)
    capital       = (annuity - hardware / life) / 8,760 h             interest on the money tied up
    annuity       = hardware x r / (1 - (1 + r) ** -life)              the yearly payment of a loan at rate r
    power         = server kW / 8 x load x PUE x $ per kWh
    hosting       = server kW / 8 x colocation $ per kW-month / 730 h
    maintenance   = hardware x maintenance share per year / 8,760 h
    total         = the sum of the six parts

:func:`gpu_hour_cost` keeps the narrower GPU-only figure (the card, its own TDP in power and
hosting) for comparison; a rental price per GPU-hour can replace either (``usd_per_gpu_hour=``).

**2. How many tokens an hour makes** (:func:`serving_cost`), from the roofline of
:mod:`token_economy.hardware` in a real deployment (1, 2, 4 or 8 GPUs, then whole nodes;
a mixture of experts in DeepSeek's expert-parallel layout), run at ``utilization`` (the achieved
share of the roofline while serving) and ``load_factor`` (the share of paid hours spent serving)::

    output tokens/s per user = utilization / decode step time
    output tokens/s          = batch x output tokens/s per user
    input tokens/s           = batch x prompt tokens / prefill time x utilization

Input and output are costed separately, as if prefill and decode ran on their own GPUs
(as DeepSeek does). Both defaults come from DeepSeek's published day
(:func:`utilization_evidence`): its decode nodes made about a third of our roofline, and
it ran on average 82% of its peak nodes.

**3. Dollars and joules per million tokens**::

    $ per million output tokens = n_gpus x $ per GPU-hour / (output tokens/s x load_factor x 3,600) x 10**6
    joules per output token     = n_gpus x server kW / 8 x load x PUE x 1,000 / output tokens/s

**4. The cost-speed frontier** (:func:`frontier`): every feasible deployment and batch, dollars per
million output tokens against the speed each user sees. A bigger batch is cheaper per token and
slower per user; :func:`cost_at_speed` picks the cheapest point that keeps a stated speed
(DeepSeek's own 20 tokens/s per user by default), and :func:`cost_table` compares models there.

What it leaves out: the owner's own staff (no public figure), taxes, storage, network time
between GPUs (DeepSeek overlaps it with computation), idle power of idle hours, and any residual
value of the hardware at the end of its life.

    >>> t = tco_per_gpu_hour("H100-SXM")
    >>> round(float(t["total"]), 2), list(t.index)[:3]
    (2.1, ['gpu', 'server_and_network', 'power'])
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from . import checks, data, hardware, sensitivity

HOURS_PER_YEAR = 8760
HOURS_PER_MONTH = 730
#: Shortest service life accepted, in years (about four days): below it the capital cost per hour is meaningless.
MIN_YEARS = 0.01
#: Lowest utilization accepted (0.1% of the roofline): below it a token's cost has no useful meaning.
MIN_UTILIZATION = 0.001
#: The parts of an owned GPU-hour, in the order of the stacked chart (plus ``total``).
TCO_COMPONENTS = ("gpu", "server_and_network", "power", "hosting", "maintenance", "capital")
_TCO_INDEX = pd.Index([*TCO_COMPONENTS, "total"])

# --------------------------------------------------------------------------- 1. the cost of a GPU-hour
#: Inputs of :func:`tco_per_gpu_hour` that ``data/tco_inputs.csv`` (or ``data/gpus.csv``) provides,
#: with the bounds an override must keep: ``(minimum, maximum, strictly positive)``.
TCO_INPUTS = {
    "gpu_price_usd": (0, 1e7, False),
    "rest_of_server_usd_per_gpu": (0, 1e7, False),
    "network_usd_per_gpu": (0, 1e7, False),
    "server_power_kw": (0, 1000, True),
    "power_load_factor": (0, 1, False),
    "pue": (1, 10, False),
    "electricity_usd_per_kwh": (0, 100, False),
    "hosting_usd_per_kw_month": (0, 1e5, False),
    "maintenance_share_per_year": (0, 1, False),
    "cost_of_capital": (0, 1, False),
    "service_life_years": (MIN_YEARS, 100, True),
}


#: Readable names of the inputs, for tables and charts.
TCO_LABELS = {"gpu_price_usd": "GPU price ($)", "rest_of_server_usd_per_gpu": "rest of the server ($ per GPU)",
              "network_usd_per_gpu": "network ($ per GPU)", "server_power_kw": "server power (kW)",
              "power_load_factor": "share of maximum power drawn", "pue": "PUE",
              "electricity_usd_per_kwh": "electricity ($ per kWh)", "hosting_usd_per_kw_month": "hosting ($ per kW-month)",
              "maintenance_share_per_year": "maintenance (share of price per year)",
              "cost_of_capital": "cost of capital (per year)", "service_life_years": "service life (years)"}


#: How to print each input's values (for tornado charts and tables).
TCO_FORMATS = {"gpu_price_usd": "${:,.0f}", "rest_of_server_usd_per_gpu": "${:,.0f}", "network_usd_per_gpu": "${:,.0f}",
               "server_power_kw": "{:.1f} kW", "power_load_factor": "{:.0%}", "pue": "{:.2f}",
               "electricity_usd_per_kwh": "${:.2f}", "hosting_usd_per_kw_month": "${:.0f}",
               "maintenance_share_per_year": "{:.0%}", "cost_of_capital": "{:.0%}", "service_life_years": "{:.0f} years"}


@lru_cache(maxsize=4)
def _tco_rows(mtime: float) -> tuple[pd.DataFrame, dict]:
    rows = data.load("tco_inputs")
    values = {(p, a): float(v) for p, a, v in zip(rows["parameter"], rows["applies_to"], rows["value"])}
    return rows, values


@lru_cache(maxsize=8)
def _table_path(name: str, data_dir_setting: str | None):
    """The path of a table (cached per setting of TOKEN_ECONOMY_DATA: resolving it is slow, and it rarely changes)."""
    return data.data_dir() / f"{name}.csv"


def _mtime(name: str) -> float:
    return _table_path(name, os.environ.get("TOKEN_ECONOMY_DATA")).stat().st_mtime


def _tco_table() -> tuple[pd.DataFrame, dict]:
    return _tco_rows(_mtime("tco_inputs"))


def tco_inputs() -> pd.DataFrame:
    """The table of cost-of-ownership inputs (``data/tco_inputs.csv``), one row per parameter and GPU, with sources."""
    return _tco_table()[0].copy()


def _tco_value(parameter: str, gpu_id: str = "all", values: dict | None = None) -> float:
    """One input of the table: the row for ``gpu_id`` if there is one, else the row for ``all``."""
    values = _tco_table()[1] if values is None else values
    for key in ((parameter, gpu_id), (parameter, "all")):
        if key in values:
            return values[key]
    raise ValueError(f"gpu: data/tco_inputs.csv has no {parameter} for {gpu_id}")


def rest_of_server_usd_per_gpu() -> float:
    """The parts of an 8-GPU server other than the GPUs, per GPU: (H100 server price - 8 x H100 price) / 8.

    >>> rest_of_server_usd_per_gpu()     # (310,000 - 8 x 27,500) / 8
    11250.0
    """
    values = _tco_table()[1]
    n = _tco_value("gpus_per_server", values=values)
    return (_tco_value("server_price_usd", "H100-SXM", values) - n * hardware.get_gpu("H100-SXM").usd_purchase) / n


def tco_parameters(gpu, **overrides) -> dict:
    """The inputs of :func:`tco_per_gpu_hour` for ``gpu``: from the tables, with any of them overridden.

    Keys: see :data:`TCO_INPUTS`. An unknown key or a value out of bounds is a ``ValueError`` naming it.

    >>> p = tco_parameters("B200", cost_of_capital=0.08)
    >>> p["server_power_kw"], p["cost_of_capital"], p["gpu_price_usd"]
    (14.3, 0.08, 35000.0)
    """
    g = hardware.get_gpu(gpu)
    unknown = set(overrides) - set(TCO_INPUTS)
    if unknown:
        raise ValueError(f"{sorted(unknown)[0]}: not an input of the cost of ownership; known: {', '.join(TCO_INPUTS)}")
    if g.usd_purchase is None and "gpu_price_usd" not in overrides:
        raise ValueError(f"gpu: {g.gpu_id} has no purchase price; pass gpu_price_usd, or a rental price instead")
    table = _tco_table()[1]
    values = {"gpu_price_usd": g.usd_purchase, "rest_of_server_usd_per_gpu": rest_of_server_usd_per_gpu()}
    for name in TCO_INPUTS:
        if name not in values:
            values[name] = _tco_value(name, g.gpu_id, table)
    for name, value in overrides.items():
        if value is not None:
            values[name] = value
    out = {}
    for name, value in values.items():
        low, high, positive = TCO_INPUTS[name]
        out[name] = checks.number(name, value, minimum=low, maximum=high, strictly_positive=positive)
    return out


def annuity_factor(rate: float, years: float) -> float:
    """The yearly payment that repays 1 dollar over ``years`` at interest ``rate``: ``r / (1 - (1 + r) ** -n)``.

    At rate 0 it is ``1 / years`` (straight-line).

    >>> round(annuity_factor(0.11, 5), 5), annuity_factor(0, 4)
    (0.27057, 0.25)
    """
    r = checks.number("rate", rate, minimum=0, maximum=1)
    n = checks.number("years", years, minimum=MIN_YEARS, maximum=100, strictly_positive=True)
    return 1 / n if r == 0 else r / -math.expm1(-n * math.log1p(r))   # = r / (1 - (1 + r) ** -n), exact for tiny r


def tco_per_gpu_hour(gpu, **overrides) -> pd.Series:
    """The full cost of owning and running one GPU for an hour, by part, in dollars (see the module docstring).

    ``overrides``: any input of :data:`TCO_INPUTS` (e.g. ``cost_of_capital=0.08``). The Series'
    ``attrs["inputs"]`` holds every input used.

    Hand check, H100 (inputs of ``data/tco_inputs.csv``): hardware 27,500 + 11,250 + 4,247.5 =
    42,997.5 USD; gpu 27,500 / 43,800 h = 0.6279; server and network 15,497.5 / 43,800 = 0.3538;
    power 1.275 kW x 1.56 x 0.08 = 0.1591; hosting 1.275 x 184.06 / 730 = 0.3215; maintenance
    0.06 x 42,997.5 / 8,760 = 0.2945; capital (0.27057 - 0.2) x 42,997.5 / 8,760 = 0.3464.

    >>> t = tco_per_gpu_hour("H100-SXM")
    >>> [round(float(t[k]), 4) for k in ("gpu", "server_and_network", "power", "hosting", "maintenance", "capital")]
    [0.6279, 0.3538, 0.1591, 0.3215, 0.2945, 0.3464]
    >>> round(float(t["total"]), 2)
    2.1
    """
    g = hardware.get_gpu(gpu)
    p = tco_parameters(g, **overrides)
    years = p["service_life_years"]
    hours = years * HOURS_PER_YEAR
    hardware_usd = p["gpu_price_usd"] + p["rest_of_server_usd_per_gpu"] + p["network_usd_per_gpu"]
    kw = p["server_power_kw"] / _tco_value("gpus_per_server")
    parts = {
        "gpu": p["gpu_price_usd"] / hours,
        "server_and_network": (p["rest_of_server_usd_per_gpu"] + p["network_usd_per_gpu"]) / hours,
        "power": kw * p["power_load_factor"] * p["pue"] * p["electricity_usd_per_kwh"],
        "hosting": kw * p["hosting_usd_per_kw_month"] / HOURS_PER_MONTH,
        "maintenance": hardware_usd * p["maintenance_share_per_year"] / HOURS_PER_YEAR,
        "capital": hardware_usd * (annuity_factor(p["cost_of_capital"], years) - 1 / years) / HOURS_PER_YEAR,
    }
    parts["total"] = sum(parts.values())
    series = pd.Series(np.fromiter(parts.values(), float, len(parts)), index=_TCO_INDEX, name=g.gpu_id, copy=False)
    series.attrs["inputs"] = p
    return series


def tco_table(gpu_ids=None, **overrides) -> pd.DataFrame:
    """:func:`tco_per_gpu_hour` for several GPUs (default: all of ``data/gpus.csv``), one row each.

    Adds ``gpu_only`` (:func:`gpu_hour_cost`, the narrow figure, over the same service life).

    >>> t = tco_table(["H100-SXM"])
    >>> round(float(t.loc["H100-SXM", "total"]), 2), round(float(t.loc["H100-SXM", "gpu_only"]), 2)
    (2.1, 0.89)
    """
    gpu_ids = hardware.gpu_ids() if gpu_ids is None else [hardware.get_gpu(g).gpu_id for g in gpu_ids]
    rows = {}
    for gid in gpu_ids:
        row = tco_per_gpu_hour(gid, **overrides).to_dict()
        years = overrides.get("service_life_years")
        row["gpu_only"] = gpu_hour_cost(gid, **({"years": years} if years is not None else {})).total_usd
        rows[gid] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "gpu"
    return table


def tco_ranges(gpu) -> dict:
    """The low and high value of each uncertain input of :func:`tco_per_gpu_hour`, with where the range comes from.

    ``{input: sensitivity.Range(low, high, basis)}`` from the ``low``, ``high`` and ``range_basis``
    columns of ``data/tco_inputs.csv`` and the ``usd_purchase_low`` / ``_high`` columns of
    ``data/gpus.csv`` (a GPU without a published range gets +-20%, labelled a classroom assumption).
    The rest of the server follows the range of the H100 server price.

    >>> r = tco_ranges("H100-SXM")
    >>> (r["gpu_price_usd"].low, r["gpu_price_usd"].high), (r["cost_of_capital"].low, r["cost_of_capital"].high)
    ((25000.0, 30000.0), (0.07, 0.15))
    """
    g = hardware.get_gpu(gpu)
    rows = tco_inputs()
    ranges = {}
    gpus = hardware.gpus().set_index("gpu_id")
    lo, hi = gpus.loc[g.gpu_id, "usd_purchase_low"], gpus.loc[g.gpu_id, "usd_purchase_high"]
    if pd.notna(lo) and pd.notna(hi):
        ranges["gpu_price_usd"] = sensitivity.Range(float(lo), float(hi), "published range (data/gpus.csv)")
    elif g.usd_purchase is not None:
        ranges["gpu_price_usd"] = sensitivity.Range(0.8 * g.usd_purchase, 1.2 * g.usd_purchase,
                                                    "classroom assumption: +-20% around the estimate")
    n = _tco_value("gpus_per_server")
    h100 = hardware.get_gpu("H100-SXM").usd_purchase
    for _, r in rows.iterrows():
        if not (r["high"] > r["low"]):
            continue
        if r["parameter"] == "server_price_usd":  # the H100 server's non-GPU parts stand for every server
            ranges["rest_of_server_usd_per_gpu"] = sensitivity.Range(
                (r["low"] - n * h100) / n, (r["high"] - n * h100) / n, r["range_basis"])
        elif r["applies_to"] not in ("all", g.gpu_id):
            continue
        elif r["parameter"] in TCO_INPUTS and (r["applies_to"] == g.gpu_id or r["parameter"] not in ranges):
            ranges[r["parameter"]] = sensitivity.Range(float(r["low"]), float(r["high"]), r["range_basis"])
    return ranges


def own_or_rent(gpu, rental: float | None = None) -> pd.DataFrame:
    """Which inputs decide "owning is cheaper than renting", and where it would flip.

    The verdict's output is ``rental - full cost of owning`` in $ per GPU-hour (positive: owning is
    cheaper); one row per uncertain input (:func:`tco_ranges`), the widest swing first, with its flip value
    (None: does not flip in its range). ``rental``: default the GPU's price in ``data/gpus.csv``.

    >>> t = own_or_rent("H100-SXM")
    >>> t.iloc[0]["input"], bool(t["flips"].any())      # widest swing; no input flips it in its range
    ('rest_of_server_usd_per_gpu', False)
    """
    g = hardware.get_gpu(gpu)
    rent = g.usd_per_hour_rental if rental is None else rental
    if rent is None:
        raise ValueError(f"rental: no rental price for {g.gpu_id} in data/gpus.csv; pass one")
    rent = checks.number("rental", rent, minimum=0, maximum=1e4)
    ranges = tco_ranges(g)
    base = tco_parameters(g)
    inputs = {k: base[k] for k in ranges}

    def gap(**values):
        return rent - float(tco_per_gpu_hour(g, **values)["total"])

    return sensitivity.sensitivity(gap, inputs, ranges)


#: Defaults of the GPU-only cost (from ``data/tco_inputs.csv``; sources there).
ELECTRICITY_USD_PER_KWH = _tco_value("electricity_usd_per_kwh")
PUE = _tco_value("pue")
COLOCATION_USD_PER_KW_MONTH = _tco_value("hosting_usd_per_kw_month")
YEARS = _tco_value("service_life_years")


@dataclass(frozen=True)
class GPUHourCost:
    """The GPU-only cost of an hour, by part, in US dollars (for comparison with :func:`tco_per_gpu_hour`)."""

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
    """The GPU-only cost of an hour: the card's price spread over its life, its own TDP in power and hosting.

    The narrow figure that leaves out the rest of the server, the network, maintenance and
    the cost of capital (compare :func:`tco_per_gpu_hour`). ``hosting_usd_per_hour=None``
    charges CBRE's colocation rent for the GPU's TDP. Hand check for an H100 ($27,500, 700 W,
    5 years): capital 27,500 / 43,800 h = $0.628; power 0.7 kW x 1.56 x $0.08 = $0.087;
    hosting 184.06 x 0.7 / 730 = $0.176.

    >>> round(gpu_hour_cost("H100-SXM").total_usd, 2)
    0.89
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


def server_watts_per_gpu(gpu, **overrides) -> float:
    """Watts at the wall per GPU while serving: server maximum / 8 x load x PUE.

    >>> round(server_watts_per_gpu("H100-SXM"))     # 10,200 W / 8 x 1.0 x 1.56
    1989
    """
    p = tco_parameters(gpu, **overrides)
    return p["server_power_kw"] * 1000 / _tco_value("gpus_per_server") * p["power_load_factor"] * p["pue"]


# --------------------------------------------------------------------------- 2. utilization from evidence
def day6_figures() -> dict:
    """DeepSeek's published day of inference (``data/deepseek_inference_day6.csv``) as ``{quantity: value}``.

    >>> day6_figures()["nodes_average"]
    226.75
    """
    return dict(_day6_for(_mtime("deepseek_inference_day6")))


@lru_cache(maxsize=4)
def _day6_for(mtime: float) -> dict:
    df = data.load("deepseek_inference_day6")
    return {q: float(v) for q, v in zip(df["quantity"], df["value"])}


def day6_roofline(figures: dict | None = None, *, kv_bytes: float = 2) -> dict:
    """DeepSeek's day on our roofline, deployed as DeepSeek deploys it, and the share of it they achieved.

    Decode: 18-node units (144 H800s, routed experts spread over all of them, attention copied to each);
    sequences per GPU = measured tokens/s per GPU / measured speed per user (20-22 tokens/s, midpoint);
    context = the published average KV length. ``kv_bytes=2``: a BF16 KV cache (FlashMLA, which DeepSeek
    released the same week, shipped with BF16 caches). Prefill: 4-node units, one prompt of the average
    KV length per GPU; only cache misses cost computation.

    >>> r = day6_roofline()
    >>> r["sequences_per_gpu"], round(r["decode_fraction"], 3)
    (88, 0.329)
    """
    f = day6_figures() if figures is None else figures
    per_user = (f["output_speed_per_user_low"] + f["output_speed_per_user_high"]) / 2
    per_gpu = round(f["decode_tokens_per_s_per_node"] / f["gpus_per_node"] / per_user)
    gpus = int(f["decode_nodes_per_unit"] * f["gpus_per_node"])
    context = int(f["kv_length_per_output_token"])
    step = hardware.decode_step("deepseek-v3", "H800-SXM", per_gpu * gpus, context, gpus, kv_bytes=kv_bytes,
                                layout="expert")
    roof_node = step.tokens_per_second / f["decode_nodes_per_unit"]
    pre_gpus = int(f["prefill_nodes_per_unit"] * f["gpus_per_node"])
    pre = hardware.prefill("deepseek-v3", "H800-SXM", context, batch=pre_gpus, n_gpus=pre_gpus, kv_bytes=kv_bytes)
    pre_node = pre.tokens_per_second / f["prefill_nodes_per_unit"]
    hit = f["input_tokens_cache_hit"] / f["input_tokens"]
    computed = f["prefill_tokens_per_s_per_node"] * (1 - hit)
    most = hardware.max_batch("deepseek-v3", "H800-SXM", context, gpus, kv_bytes=kv_bytes, layout="expert")
    return {
        "sequences_per_gpu": per_gpu, "decode_gpus": gpus, "context_tokens": context, "decode_step": step,
        "max_sequences_per_gpu": most // gpus,
        "roofline_decode_tokens_per_s_per_node": roof_node,
        "roofline_tokens_per_s_per_user": 1 / step.seconds,
        "decode_fraction": f["decode_tokens_per_s_per_node"] / roof_node,
        "roofline_prefill_tokens_per_s_per_node": pre_node,
        "prefill_fraction_computed": computed / pre_node,
        "prefill_fraction_with_hits": f["prefill_tokens_per_s_per_node"] / pre_node,
        "average_over_peak_nodes": f["nodes_average"] / f["nodes_peak"],
    }


def default_utilization() -> float:
    """The default achieved share of the roofline: DeepSeek's decode throughput against our roofline (about 0.33).

    >>> round(default_utilization(), 2)
    0.33
    """
    return _defaults()[0]


def default_load_factor() -> float:
    """The default share of paid GPU-hours spent serving: DeepSeek's average over peak nodes (226.75 / 278).

    >>> round(default_load_factor(), 3)
    0.816
    """
    return _defaults()[1]


def service_level() -> float:
    """The default speed each user must see, in output tokens/s: DeepSeek's own (20 to 22), low end.

    >>> service_level()
    20.0
    """
    return day6_figures()["output_speed_per_user_low"]


@lru_cache(maxsize=4)
def _defaults_for(mtime: float) -> tuple[float, float]:
    r = day6_roofline()
    return r["decode_fraction"], r["average_over_peak_nodes"]


def _defaults() -> tuple[float, float]:
    return _defaults_for(_mtime("deepseek_inference_day6"))


def utilization_evidence() -> pd.DataFrame:
    """What the evidence says about utilization: DeepSeek's day on our roofline, and public fleet figures.

    Columns: ``measure``, ``value`` (a share; for public ranges the midpoint), ``low``, ``high``,
    ``kind`` (``derived`` from DeepSeek's figures and our model, ``public`` figure, or ``default``),
    ``basis``. Public figures come from ``data/fleet_utilization.csv``; a single figure has low = high.

    >>> e = utilization_evidence().set_index("measure")
    >>> round(float(e.loc["default: decode share of the roofline", "value"]), 2)
    0.33
    """
    r = day6_roofline()
    day6 = "derived from DeepSeek's Day 6 figures (data/deepseek_inference_day6.csv) and our roofline"
    rows = [
        ("DeepSeek decode: measured / roofline", r["decode_fraction"], None, None, "derived",
         f"{day6}; BF16 KV cache. With an FP8 cache the roofline is faster and the share "
         f"{day6_roofline(kv_bytes=1)['decode_fraction']:.0%}"),
        ("DeepSeek prefill: computed (cache-miss) tokens / roofline", r["prefill_fraction_computed"],
         r["prefill_fraction_computed"], r["prefill_fraction_with_hits"], "derived",
         f"{day6}; counting cache hits as processed gives the high end"),
        ("DeepSeek fleet: average / peak nodes", r["average_over_peak_nodes"], None, None, "derived",
         f"{day6}: 226.75 average of 278 peak nodes; DeepSeek lends the rest to research at night"),
    ]
    for _, p in data.load("fleet_utilization").iterrows():
        rows.append((p["measure"], (p["low"] + p["high"]) / 2, p["low"], p["high"], "public", p["source"]))
    rows += [
        ("default: decode share of the roofline", r["decode_fraction"], None, None, "default",
         "utilization of serving_cost and frontier: DeepSeek's decode share, applied to every model and GPU "
         "(a classroom assumption beyond DeepSeek's own deployment)"),
        ("default: share of paid hours serving", r["average_over_peak_nodes"], None, None, "default",
         "load_factor of serving_cost and frontier: a factory sized for DeepSeek's peak, idle the rest of the day"),
    ]
    rows = [(m, v, v if lo is None else lo, v if hi is None else hi, k, b) for m, v, lo, hi, k, b in rows]
    return pd.DataFrame(rows, columns=["measure", "value", "low", "high", "kind", "basis"])


# --------------------------------------------------------------------------- 3. serving cost
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
    crossover_batch: int | None  # smallest batch that fits and is compute-bound (None: none that fits)
    layout: str = "tensor"
    load_factor: float = 1.0

    @property
    def usd_per_hour(self) -> float:
        return self.n_gpus * self.usd_per_gpu_hour

    @property
    def output_tokens_per_second_per_user(self) -> float:
        return self.output_tokens_per_second / self.batch

    def as_dict(self) -> dict:
        return asdict(self)


def n_gpus_needed(model, gpu, *, batch: int = 1, context_tokens: float = 0, weight_bytes: float | None = None,
                  kv_bytes: float = 2, layout: str | None = None) -> int:
    """Fewest GPUs, in a real deployment size, that hold the weights and the KV cache of ``batch`` sequences.

    >>> n_gpus_needed("llama-3.1-70b", "H100-SXM", batch=64, context_tokens=4096)  # 141 GB + 86 GB: 3 would do
    4
    """
    batch = checks.number("batch", batch, minimum=0, maximum=hardware.MAX_BATCH)
    context_tokens = checks.number("context_tokens", context_tokens, minimum=0, maximum=hardware.MAX_CONTEXT_TOKENS)
    return hardware.smallest_deployment(model, gpu, context_tokens, batch, layout=layout,
                                        weight_bytes=weight_bytes, kv_bytes=kv_bytes)


def _rates(utilization, load_factor) -> tuple[float, float]:
    u = default_utilization() if utilization is None else checks.fraction("utilization", utilization)
    if u < MIN_UTILIZATION:
        raise ValueError(f"utilization must be at least {MIN_UTILIZATION:g} (0.1% of the roofline), got {u:g}")
    load = default_load_factor() if load_factor is None else checks.fraction("load_factor", load_factor)
    if load < MIN_UTILIZATION:
        raise ValueError(f"load_factor must be at least {MIN_UTILIZATION:g} (0.1% of the hours), got {load:g}")
    return u, load


def _hour_price(g, usd_per_gpu_hour, tco: dict) -> float:
    if usd_per_gpu_hour is None:
        return float(tco_per_gpu_hour(g, **tco)["total"])
    return checks.number("usd_per_gpu_hour", usd_per_gpu_hour, minimum=0, maximum=1e6)


def _tco_overrides(electricity_usd_per_kwh, pue, years) -> dict:
    return {k: v for k, v in {"electricity_usd_per_kwh": electricity_usd_per_kwh, "pue": pue,
                              "service_life_years": years}.items() if v is not None}


def serving_cost(model, gpu, *, batch: int = 64, context_tokens: int = 4096, utilization: float | None = None,
                 n_gpus: int | None = None, usd_per_gpu_hour: float | None = None,
                 electricity_usd_per_kwh: float | None = None, pue: float | None = None,
                 years: float | None = None, weight_bytes: float | None = None, kv_bytes: float = 2,
                 layout: str | None = None, load_factor: float | None = None) -> ServingCost:
    """Dollars and joules per million tokens for ``model`` on ``gpu`` at one batch size.

    ``context_tokens`` is the prompt length and the KV length while decoding; ``n_gpus=None`` takes
    the smallest real deployment that holds the weights and the batch's KV cache; ``usd_per_gpu_hour=None``
    is the full cost of owning (:func:`tco_per_gpu_hour`; ``electricity_usd_per_kwh``, ``pue`` and
    ``years`` change its inputs). ``utilization`` (achieved share of the roofline) and ``load_factor``
    (share of paid hours spent serving) default to DeepSeek's evidence (:func:`utilization_evidence`).
    ``layout``: see :func:`token_economy.hardware.memory_per_gpu`.

    >>> s = serving_cost("llama-3.1-8b", "H100-SXM", batch=1, context_tokens=1000,
    ...                  utilization=1.0, load_factor=1.0, usd_per_gpu_hour=3.0)
    >>> s.bottleneck, s.n_gpus, round(s.output_tokens_per_second)   # 1 / 4.83 ms
    ('memory', 1, 207)
    >>> round(s.usd_per_m_output_tokens, 2)                          # $3 / (207 x 3,600) x 1e6
    4.03
    >>> serving_cost("llama-3.1-405b", "H100-SXM", n_gpus=4)
    Traceback (most recent call last):
    ...
    ValueError: n_gpus: Llama 3.1 405B does not fit: each of 4 x H100-SXM would hold 237 GB (weights 203 GB + KV cache 34 GB) but has 80 GB. Use at least 16 GPUs, or a smaller batch or context.
    """
    m, g = hardware.get_model(model), hardware.get_gpu(gpu)
    batch = checks.whole("batch", batch, minimum=1, maximum=hardware.MAX_BATCH)
    context_tokens = checks.whole("context_tokens", context_tokens, minimum=1, maximum=hardware.MAX_CONTEXT_TOKENS)
    u, load = _rates(utilization, load_factor)
    layout = hardware._layout(m, layout)
    tco = _tco_overrides(electricity_usd_per_kwh, pue, years)
    kw = dict(weight_bytes=weight_bytes, kv_bytes=kv_bytes, layout=layout)
    if n_gpus is None:
        n_gpus = hardware.smallest_deployment(m, g, context_tokens, batch, **kw)
    n_gpus = checks.whole("n_gpus", n_gpus, minimum=1, maximum=hardware.MAX_GPUS)
    mem = hardware.memory_per_gpu(m, context_tokens, batch, n_gpus, **kw)
    if mem["total"] > g.hbm_bytes:
        need = hardware.smallest_deployment(m, g, context_tokens, batch, **kw)
        raise ValueError(
            f"n_gpus: {m.name} does not fit: each of {n_gpus} x {g.gpu_id} would hold {mem['total'] / 1e9:,.0f} GB "
            f"(weights {mem['weights'] / 1e9:,.0f} GB + KV cache {mem['kv_cache'] / 1e9:,.0f} GB) but has "
            f"{g.hbm_gb:g} GB. Use at least {need} GPUs, or a smaller batch or context.")
    price = _hour_price(g, usd_per_gpu_hour, tco)
    top = hardware.max_batch(m, g, context_tokens, n_gpus, **kw)
    step = hardware.decode_step(m, g, batch, context_tokens, n_gpus, **kw)
    pre = hardware.prefill(m, g, context_tokens, batch, n_gpus, weight_bytes=weight_bytes, kv_bytes=kv_bytes)
    out_tps = batch / step.seconds * u
    in_tps = batch * context_tokens / pre.seconds * u
    usd_per_hour = n_gpus * price
    watts = n_gpus * server_watts_per_gpu(g, **{k: v for k, v in tco.items() if k == "pue"})
    return ServingCost(
        model_id=m.model_id, gpu_id=g.gpu_id, n_gpus=n_gpus, batch=batch, context_tokens=context_tokens,
        utilization=u, usd_per_gpu_hour=price,
        decode_step_seconds=step.seconds / u, prefill_seconds=pre.seconds / u,
        output_tokens_per_second=out_tps, input_tokens_per_second=in_tps,
        usd_per_m_output_tokens=usd_per_hour / (out_tps * load * 3600) * 1e6,
        usd_per_m_input_tokens=usd_per_hour / (in_tps * load * 3600) * 1e6,
        joules_per_output_token=watts / out_tps, joules_per_input_token=watts / in_tps,
        bottleneck=step.bottleneck, memory_seconds=step.memory_seconds, compute_seconds=step.compute_seconds,
        max_batch=top,
        crossover_batch=hardware.crossover_batch(m, g, context_tokens, n_gpus, **kw,
                                                 max_batch_searched=max(1, min(1 << 16, top))),
        layout=layout, load_factor=load,
    )


def cost_by_batch(model, gpu, batches, *, context_tokens: int = 4096, n_gpus: int | None = None, **kw):
    """A table of :func:`serving_cost` over several batch sizes (with ``n_gpus`` set: skipping those that do not fit).

    >>> t = cost_by_batch("llama-3.1-70b", "H100-SXM", [1, 64, 100_000], n_gpus=4)
    >>> t["batch"].tolist()          # 100,000 sequences of 4,096 tokens do not fit in 4 x 80 GB
    [1, 64]
    """
    m, g = hardware.get_model(model), hardware.get_gpu(gpu)
    batches = [checks.whole("batches", b, minimum=1, maximum=hardware.MAX_BATCH) for b in batches]
    fits = {b: True for b in batches}
    if n_gpus is not None:
        n_gpus = checks.whole("n_gpus", n_gpus, minimum=1, maximum=hardware.MAX_GPUS)
        layout = hardware._layout(m, kw.get("layout"))
        top = hardware.max_batch(m, g, checks.whole("context_tokens", context_tokens, minimum=1,
                                                    maximum=hardware.MAX_CONTEXT_TOKENS),
                                 n_gpus, weight_bytes=kw.get("weight_bytes"), kv_bytes=kw.get("kv_bytes", 2),
                                 layout=layout)
        fits = {b: b <= top for b in batches}
    rows = [serving_cost(m, g, batch=b, context_tokens=context_tokens, n_gpus=n_gpus, **kw).as_dict()
            for b in batches if fits[b]]
    if not rows:  # still check the other arguments, so that a bad one is reported rather than an empty table
        serving_cost(m, g, batch=1, context_tokens=context_tokens, **kw)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- 4. the cost-speed frontier
FRONTIER_COLUMNS = ("layout", "n_gpus", "batch", "tokens_per_s_per_user", "output_tokens_per_s",
                    "usd_per_m_output", "usd_per_m_input", "joules_per_output_token", "bottleneck",
                    "memory_per_gpu_gb", "on_frontier", "at_service_level")
#: Points within this share of the cheapest count as equally cheap; :func:`cost_at_speed` then takes
#: the one with the fewest GPUs (simpler, and our roofline leaves out the network of a larger one).
COST_TIE = 0.02


def _batch_for_speed(m, g, ctx, n, wb, kv_bytes, layout, u, speed, top) -> int | None:
    """Largest batch (at most ``top``) whose users each still get ``speed`` tokens/s; None if even one cannot.

    The step time grows with the batch: a coarse geometric grid brackets the answer, a fine one finds it.
    """
    limit = u / speed  # longest roofline step that keeps the speed
    grid = np.unique(np.round(np.geomspace(1, top, 200)))
    ok = hardware._decode(m, g, grid, ctx, n, wb, kv_bytes, layout)["seconds"] <= limit
    if not ok[0]:
        return None
    if ok[-1]:
        return int(top)
    i = int(np.count_nonzero(ok))
    fine = np.arange(grid[i - 1], grid[i] + 1)
    fine_ok = hardware._decode(m, g, fine, ctx, n, wb, kv_bytes, layout)["seconds"] <= limit
    return int(fine[np.count_nonzero(fine_ok) - 1])


def frontier(model, gpu, context_tokens: int = 4096, *, weight_bytes: float | None = None, kv_bytes: float = 2,
             utilization: float | None = None, load_factor: float | None = None,
             usd_per_gpu_hour: float | None = None, layouts=None, max_gpus: int = 144, points: int = 24,
             min_tokens_per_s_per_user: float | None = None, n_gpus: int | None = None) -> pd.DataFrame:
    """Every feasible way to serve ``model`` on ``gpu``: dollars per million tokens against the speed per user.

    Deployments of 1, 2, 4 or 8 GPUs, then whole 8-GPU nodes up to ``max_gpus`` (default 144, DeepSeek's
    decode unit); for each, ``points`` batch sizes from 1 to the largest whose KV cache fits, plus the
    largest batch that still gives each user ``min_tokens_per_s_per_user`` (default :func:`service_level`;
    those rows have ``at_service_level``). ``n_gpus``: one deployment size only. Layouts: ``"tensor"``, and for a mixture of experts also
    ``"expert"`` (default: every one that applies). ``on_frontier`` marks the points that no other
    point beats on both speed and cost. ``weight_bytes``, ``kv_bytes``: bytes per number of the weights
    and the KV cache (1 = FP8, 2 = BF16; weights default to the released precision).

    >>> f = frontier("llama-3.1-8b", "H100-SXM", 4096, utilization=1, load_factor=1, usd_per_gpu_hour=3.0,
    ...              max_gpus=1, points=2, min_tokens_per_s_per_user=1000)
    >>> f[["n_gpus", "batch"]].values.tolist()       # batch 1 and the largest that fits (119)
    [[1, 1], [1, 119]]
    >>> round(float(f["usd_per_m_output"].iloc[0]), 2)   # (16.06 GB + 4,096 x 131,072 B) / 3.35 TB/s = 4.95 ms
    4.13
    """
    m, g = hardware.get_model(model), hardware.get_gpu(gpu)
    ctx = checks.whole("context_tokens", context_tokens, minimum=1, maximum=hardware.MAX_CONTEXT_TOKENS)
    u, load = _rates(utilization, load_factor)
    points = checks.whole("points", points, minimum=2, maximum=200)
    speed = service_level() if min_tokens_per_s_per_user is None else checks.number(
        "min_tokens_per_s_per_user", min_tokens_per_s_per_user, strictly_positive=True, maximum=1e6)
    sizes = hardware.deployment_sizes(checks.whole("max_gpus", max_gpus, minimum=1, maximum=4096))
    if n_gpus is not None:
        sizes = [checks.whole("n_gpus", n_gpus, minimum=1, maximum=hardware.MAX_GPUS)]
    if layouts is None:
        layouts = hardware.LAYOUTS if m.is_moe else ("tensor",)
    elif isinstance(layouts, str):
        layouts = (layouts,)
    layouts = [hardware._layout(m, lay) for lay in layouts]
    wb = hardware._weight_bytes_per_param(m, weight_bytes)
    hardware._kv_bytes(kv_bytes)
    price = _hour_price(g, usd_per_gpu_hour, {})
    watts = server_watts_per_gpu(g)
    table = _frontier(m, g, ctx, wb, kv_bytes, u, load, price, watts, tuple(layouts), tuple(sizes), points, speed)
    return table.copy()


@lru_cache(maxsize=32)
def _frontier(m, g, ctx, wb, kv_bytes, u, load, price, watts, layouts, sizes, points, speed) -> pd.DataFrame:
    """The work of :func:`frontier` on checked arguments (cached: an explorer asks again when the batch moves)."""
    columns = {k: [] for k in FRONTIER_COLUMNS if k != "on_frontier"}
    for layout in layouts:
        for n in sizes:
            top = hardware.max_batch(m, g, ctx, n, weight_bytes=wb, kv_bytes=kv_bytes, layout=layout)
            if top < 1:
                continue
            batches = set(np.unique(np.round(np.geomspace(1, top, points)).astype(int)).tolist())
            target = _batch_for_speed(m, g, ctx, n, wb, kv_bytes, layout, u, speed, top)
            b = np.array(sorted(batches | ({target} if target else set())), dtype=float)
            d = hardware._decode(m, g, b, ctx, n, wb, kv_bytes, layout)
            pre = hardware.prefill_arrays(m, g, ctx, b, n, weight_bytes=wb, kv_bytes=kv_bytes)
            per_user = u / d["seconds"]
            out_tps = b * per_user
            in_tps = pre["tokens"] / pre["seconds"] * u
            mem = hardware.memory_per_gpu(m, ctx, 1, n, layout=layout, weight_bytes=wb, kv_bytes=kv_bytes)
            for key, value in (
                    ("layout", np.full(b.size, layout, dtype=object)), ("n_gpus", np.full(b.size, n)),
                    ("batch", b.astype(int)), ("tokens_per_s_per_user", per_user), ("output_tokens_per_s", out_tps),
                    ("usd_per_m_output", n * price / (out_tps * load * 3600) * 1e6),
                    ("usd_per_m_input", n * price / (in_tps * load * 3600) * 1e6),
                    ("joules_per_output_token", n * watts / out_tps),
                    ("bottleneck", np.where(d["memory_seconds"] >= d["compute_seconds"], "memory", "compute")),
                    ("memory_per_gpu_gb", (mem["weights"] + mem["kv_cache"] * b) / 1e9),
                    ("at_service_level", b == (target or 0))):
                columns[key].append(value)
    if not columns["batch"]:
        raise ValueError(f"context_tokens: {m.name} cannot hold even one {ctx:,}-token context on up to "
                         f"{sizes[-1]} x {g.gpu_id}")
    table = pd.DataFrame({k: np.concatenate(v) for k, v in columns.items()})
    order = np.lexsort((table["usd_per_m_output"].to_numpy(), -table["tokens_per_s_per_user"].to_numpy()))
    cost = table["usd_per_m_output"].to_numpy()[order]
    previous = np.concatenate([[np.inf], np.minimum.accumulate(cost)[:-1]])
    on = np.zeros(len(table), dtype=bool)
    on[order] = cost < previous
    table["on_frontier"] = on
    table = table[list(FRONTIER_COLUMNS)]
    table.attrs.update(min_tokens_per_s_per_user=speed, utilization=u, load_factor=load, usd_per_gpu_hour=price,
                       weight_bytes=wb, kv_bytes=kv_bytes)
    return table


def cost_at_speed(table: pd.DataFrame, min_tokens_per_s_per_user: float | None = None) -> pd.Series | None:
    """The cheapest point of a :func:`frontier` table whose users each get at least the stated speed (None: none do).

    Points within :data:`COST_TIE` (2%) of the cheapest count as equally cheap: the one with the fewest
    GPUs is chosen. Default speed: the one the table was computed for.

    >>> f = frontier("llama-3.1-70b", "H100-SXM", 4096)
    >>> best = cost_at_speed(f, 20)
    >>> bool(best["tokens_per_s_per_user"] >= 20), int(best["n_gpus"])
    (True, 8)
    """
    if not isinstance(table, pd.DataFrame) or not set(FRONTIER_COLUMNS) <= set(table.columns):
        raise ValueError("table must be the result of frontier()")
    if min_tokens_per_s_per_user is None:
        speed = table.attrs.get("min_tokens_per_s_per_user", service_level())
    else:
        speed = checks.number("min_tokens_per_s_per_user", min_tokens_per_s_per_user, minimum=0, maximum=1e6)
    ok = table[table["tokens_per_s_per_user"] >= speed * (1 - 1e-9)]
    if ok.empty:
        return None
    near = ok[ok["usd_per_m_output"] <= ok["usd_per_m_output"].min() * (1 + COST_TIE)]
    fewest = near[near["n_gpus"] == near["n_gpus"].min()]
    return fewest.loc[fewest["usd_per_m_output"].idxmin()]


def cost_table(model_ids=None, gpu_ids=None, *, context_tokens: int = 4096,
               min_tokens_per_s_per_user: float | None = None, **frontier_options) -> pd.DataFrame:
    """The cheapest way to serve each model on each GPU at a stated speed per user (default: DeepSeek's 20 tokens/s).

    One row per (model, GPU) pair that can keep that speed, from :func:`frontier` and :func:`cost_at_speed`;
    pairs that cannot are left out (shown as n/a in a pivot). ``frontier_options``: see :func:`frontier`.

    >>> t = cost_table(["llama-3.1-70b", "deepseek-v3"], ["H800-SXM"])
    >>> t.set_index("model")["usd_per_m_output"].round(2).to_dict()
    {'Llama 3.1 70B': 1.28, 'DeepSeek-V3': 0.31}
    """
    model_ids = hardware.model_ids() if model_ids is None else list(model_ids)
    gpu_ids = hardware.gpu_ids() if gpu_ids is None else list(gpu_ids)
    rows = []
    for mid in model_ids:
        for gid in gpu_ids:
            try:
                f = frontier(mid, gid, context_tokens, min_tokens_per_s_per_user=min_tokens_per_s_per_user,
                             **frontier_options)
            except ValueError as exc:
                if str(exc).startswith("context_tokens:"):
                    continue
                raise
            best = cost_at_speed(f)
            if best is None:
                continue
            rows.append({"model": hardware.display_name(mid), "gpu": hardware.get_gpu(gid).gpu_id,
                         **{k: best[k] for k in FRONTIER_COLUMNS if k not in ("on_frontier", "at_service_level")}})
    columns = [c for c in FRONTIER_COLUMNS if c not in ("on_frontier", "at_service_level")]
    return pd.DataFrame(rows, columns=["model", "gpu", *columns])


def cost_difference(model, other: str, gpu, min_tokens_per_s_per_user: float | None = None,
                    context_tokens: int = 4096, **frontier_options) -> float:
    """How much dearer ``other`` is than ``model`` per million output tokens, both at their cheapest at a speed.

    Positive: ``model`` is cheaper. A ``ValueError`` when either cannot keep the speed.

    >>> round(cost_difference("deepseek-v3", "llama-3.1-70b", "H800-SXM", 20), 2)
    0.97
    """
    costs = []
    for m in (model, other):
        best = cost_at_speed(frontier(m, gpu, context_tokens, min_tokens_per_s_per_user=min_tokens_per_s_per_user,
                                      **frontier_options))
        if best is None:
            raise ValueError(f"min_tokens_per_s_per_user: {hardware.display_name(m)} cannot give each user "
                             f"{min_tokens_per_s_per_user or service_level():g} tokens/s on {hardware.get_gpu(gpu).gpu_id}")
        costs.append(float(best["usd_per_m_output"]))
    return costs[1] - costs[0]


def speed_flip(model, other: str, gpu, context_tokens: int = 4096, low: float | None = None,
               high: float | None = None, **frontier_options) -> sensitivity.Flip:
    """The speed per user at which ``model`` stops being cheaper than ``other`` (or starts), between ``low`` and ``high``.

    Default range: from the slowest to the fastest speed both models reach on ``gpu``.

    Reads both costs off finely sampled frontiers (60 batch sizes per deployment), so the speed is
    found to within a few per cent; the output of the :class:`~token_economy.sensitivity.Flip` is
    ``other``'s cost minus ``model``'s at the :func:`service_level`.

    >>> round(speed_flip("deepseek-v3", "llama-3.1-70b", "H800-SXM", low=10, high=60).value)
    48
    """
    tables = [frontier(m, gpu, context_tokens, points=60, **frontier_options) for m in (model, other)]
    fastest = min(float(t["tokens_per_s_per_user"].max()) for t in tables)
    slowest = max(float(t["tokens_per_s_per_user"].min()) for t in tables)
    low = slowest if low is None else checks.number("low", low, strictly_positive=True, maximum=fastest)
    high = fastest if high is None else checks.number("high", high, strictly_positive=True, maximum=fastest)
    if not low < high:
        raise ValueError(f"context_tokens, low, high: on {hardware.get_gpu(gpu).gpu_id} with {context_tokens:,} tokens of "
                         f"context the two models share no range of speeds per user from {low:g} to {high:g}")

    def gap(speed):
        best = [cost_at_speed(t, speed) for t in tables]
        if best[0] is None or best[1] is None:
            raise ValueError(f"no point of the frontier reaches {speed:g} tokens/s per user")
        return float(best[1]["usd_per_m_output"] - best[0]["usd_per_m_output"])

    return sensitivity.flip_value(gap, {"speed": service_level()}, "speed", low, high, steps=50)


def parity_gpu_price(model, gpu, other_gpu: str, **serving) -> float | None:
    """The purchase price of ``gpu`` at which it makes ``model``'s output tokens as cheap as ``other_gpu`` does.

    Both owned (:func:`tco_per_gpu_hour`), both at the same :func:`serving_cost` settings (``serving``);
    None when no price between 0 and ten times today's gives parity.

    >>> round(parity_gpu_price("llama-3.1-70b", "H200-SXM", "H100-SXM", batch=16, context_tokens=32768), -2)
    51600.0
    """
    g = hardware.get_gpu(gpu)
    if "usd_per_gpu_hour" in serving:
        raise ValueError("usd_per_gpu_hour: parity_gpu_price costs both GPUs at the full cost of owning them")
    other_cost = serving_cost(model, other_gpu, **serving).usd_per_m_output_tokens

    def gap(price):
        hour = float(tco_per_gpu_hour(g, gpu_price_usd=price)["total"])
        return other_cost - serving_cost(model, g, usd_per_gpu_hour=hour, **serving).usd_per_m_output_tokens

    flip = sensitivity.flip_value(gap, {"price": g.usd_purchase}, "price", 0.0, 10 * g.usd_purchase, steps=16)
    return flip.value


def cache_discount(figures: dict | None = None) -> dict:
    """DeepSeek's price gap between a cache miss and a cache hit, against the GPU time a hit saves.

    A hit skips prefill. The GPU time saved per million hit tokens is a prefill node's cost per million
    tokens: at most the cost per token it actually computes (cache misses only), at least the cost per
    token it handles (hits included). ``ratio_low`` / ``ratio_high``: the price gap over those savings.
    ``break_even_usd_per_gpu_hour``: the GPU-hour price at which the larger saving would equal the gap.

    >>> c = cache_discount()
    >>> round(c["price_gap"], 2), round(c["ratio_low"], 1), round(c["ratio_high"], 1)
    (0.41, 3.0, 6.8)
    """
    f = day6_figures() if figures is None else figures
    r = day6_arithmetic(f)
    gap = f["r1_usd_per_m_input_cache_miss"] - f["r1_usd_per_m_input_cache_hit"]
    high, low = r["usd_per_m_input_computed_only"], r["usd_per_m_input_prefill_only"]
    return {"price_gap": gap, "saving_high": high, "saving_low": low, "ratio_low": gap / high, "ratio_high": gap / low,
            "break_even_usd_per_gpu_hour": f["usd_per_gpu_hour"] * gap / high}


# --------------------------------------------------------------------------- DeepSeek's published day
def day6_arithmetic(figures: dict | None = None, *, paid_share: float = 1.0) -> dict:
    """Re-compute DeepSeek's cost, theoretical revenue and "cost profit margin" from its own figures.

    ``cost = nodes x 8 GPUs x 24 h x $ per GPU-hour``; ``revenue`` bills cache-hit
    input, cache-miss input and output at R1's prices, times ``paid_share`` (the
    share of tokens actually billed; 1 = DeepSeek's theoretical case);
    ``margin = (revenue - cost) / cost`` (a markup on cost, as DeepSeek states it), ``gross_margin_pct``
    the same profit as a share of revenue (None without revenue). ``break_even_paid_share`` and
    ``break_even_usd_per_gpu_hour``: where the theoretical profit would vanish. ``usd_per_m_input_computed_only``: a prefill node's cost
    per million input tokens it actually computes (cache misses).

    >>> r = day6_arithmetic()
    >>> r["cost_usd_per_day"], round(r["revenue_usd_per_day"]), round(r["cost_profit_margin_pct"])
    (87072.0, 562100, 546)
    """
    f = day6_figures() if figures is None else figures
    # revenue (a multiple of paid_share) is divided by for the gross margin: 0, or not tiny
    paid_share = checks.number("paid_share", paid_share, minimum=0, maximum=1, smallest=checks.SMALLEST)
    gpu_hours = f["nodes_average"] * f["gpus_per_node"] * 24
    cost = gpu_hours * f["usd_per_gpu_hour"]
    hit = f["input_tokens_cache_hit"]
    miss = f["input_tokens"] - hit
    full = (hit * f["r1_usd_per_m_input_cache_hit"] + miss * f["r1_usd_per_m_input_cache_miss"]
            + f["output_tokens"] * f["r1_usd_per_m_output"]) / 1e6
    revenue = paid_share * full
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
        "usd_per_m_input_computed_only": node_hour / (
            f["prefill_tokens_per_s_per_node"] * (1 - hit / f["input_tokens"]) * 3600) * 1e6,
        "gross_margin_pct": (revenue - cost) / revenue * 100 if revenue > 0 else None,
        "break_even_paid_share": cost / full if full > 0 else None,
        "break_even_usd_per_gpu_hour": revenue / gpu_hours,
    }
