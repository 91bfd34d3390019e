"""Price sheets and bills: what a workload costs at the list prices of many model sellers.

The price sheet (``data/api_prices.csv``) is a dated snapshot of LiteLLM's public
price database plus a few hand-added rows (see ``data/refresh_api_prices.py``).
It has one row per model *and context tier*: most models have one tier, some
charge more for long prompts (Gemini Pro above 200k tokens, GPT-5.5 above 272k,
Qwen and Doubao by prompt-length bands). :func:`price_sheet` shows one row per
model (its first tier, with the number of tiers), :func:`price_tiers` all rows.

A bill follows the providers' rules::

    cost of one request = uncached input x input price
                        + cached input x cached-input price
                        + cache writes x cache-write price (where one is charged)
                        + output x output price          (all per million tokens)

with the prices of the context tier that contains the request's prompt length
(the *whole* request is billed at that tier, as Gemini, Qwen and Doubao do), and a
share of requests sent through the batch API at the batch prices.

    >>> w = Workload(requests_per_day=1000, input_tokens=2000, output_tokens=500)
    >>> b = bill("gpt-4o-mini", w)
    >>> round(b.usd_per_request, 6)      # 2000 x 0.15/1e6 + 500 x 0.60/1e6
    0.0006
    >>> round(b.usd_per_month, 2)        # x 1000 requests x 30 days
    18.0

Conventions where a sheet is silent: no cached-input price -> cached tokens cost
the input price; no cache-write price -> writes cost the input price; no batch
price -> batch requests cost the standard price (``Bill.notes`` says so).

What it leaves out: taxes, free tiers, volume contracts and enterprise discounts,
per-hour cache storage fees, priority/flex tiers, tool and search fees, images and
audio; reasoning tokens are counted as output, as providers bill them.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from . import checks, data

TABLE = "api_prices"
HISTORY_TABLE = "price_history"
PRICE_FIELDS = ("usd_per_m_input", "usd_per_m_cached_input", "usd_per_m_cache_write", "usd_per_m_output",
                "usd_per_m_input_batch", "usd_per_m_cached_input_batch", "usd_per_m_output_batch")


# --- the sheet -------------------------------------------------------------------
def price_tiers(model_id: str | None = None) -> pd.DataFrame:
    """All rows of the snapshot (one per model and context tier), or those of one model.

    >>> price_tiers("gemini-2.5-pro")[["tier", "context_from_tokens", "context_to_tokens", "usd_per_m_input"]]
       tier  context_from_tokens  context_to_tokens  usd_per_m_input
    0     1                    0             200000             1.25
    1     2               200000            1048576             2.50
    """
    df = data.load(TABLE)
    if model_id is None:
        return df
    _tiers(model_id)  # raises a ValueError with close matches for an unknown id
    return df[df["model_id"] == model_id].reset_index(drop=True)


def price_sheet() -> pd.DataFrame:
    """The snapshot, one row per model: first-tier prices plus derived columns.

    Added columns: ``context_window_tokens`` (longest prompt billed), ``n_tiers``,
    ``tier_threshold_tokens`` (prompt length above which a dearer tier starts; NaN
    if none), ``output_to_input`` (output price / input price), ``cache_discount``
    (share off the input price for cached tokens) and ``batch_discount`` (share off
    the input price in the batch API; NaN where there is no batch price).

    >>> sheet = price_sheet()
    >>> sheet.set_index("model_id").loc["gpt-4o", ["usd_per_m_input", "usd_per_m_output", "batch_discount"]].tolist()
    [2.5, 10.0, 0.5]
    """
    tiers = data.load(TABLE)
    first = tiers[tiers["tier"] == 1].copy()
    g = tiers.groupby("model_id", sort=False)
    first["n_tiers"] = first["model_id"].map(g.size())
    first["context_window_tokens"] = first["model_id"].map(
        g.apply(lambda t: min(t["max_input_tokens"].max(), t["context_to_tokens"].max()), include_groups=False))
    first["tier_threshold_tokens"] = np.where(first["n_tiers"] > 1, first["context_to_tokens"], np.nan)
    first["output_to_input"] = first["usd_per_m_output"] / first["usd_per_m_input"]
    first["cache_discount"] = 1 - first["usd_per_m_cached_input"] / first["usd_per_m_input"]
    first["batch_discount"] = 1 - first["usd_per_m_input_batch"] / first["usd_per_m_input"]
    first = first.drop(columns=["tier", "context_from_tokens", "context_to_tokens"]).reset_index(drop=True)
    first.attrs.update(tiers.attrs)
    return first


def as_of() -> str:
    """The snapshot date(s) of the price sheet, e.g. ``'2026-11-23'``."""
    return ", ".join(data.load(TABLE).attrs["as_of"])


def model_ids() -> list[str]:
    """Ids of all models in the sheet, in sheet order."""
    return list(_sheet_tiers())


@lru_cache(maxsize=4)
def _sheet_tiers_cached(mtime: float) -> dict[str, tuple[dict, ...]]:
    df = data.load(TABLE)
    out: dict[str, list[dict]] = {}
    for rec in df.to_dict("records"):
        rec = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()}
        out.setdefault(rec["model_id"], []).append(rec)
    return {k: tuple(sorted(v, key=lambda r: r["tier"])) for k, v in out.items()}


def _sheet_tiers() -> dict[str, tuple[dict, ...]]:
    return _sheet_tiers_cached(data.path(TABLE).stat().st_mtime)


def _tiers(model_id: str) -> tuple[dict, ...]:
    checks.text("model_id", model_id)
    sheet = _sheet_tiers()
    if model_id not in sheet:
        close = difflib.get_close_matches(model_id, list(sheet), n=5, cutoff=0.4)
        hint = f"; close matches: {', '.join(close)}" if close else f"; known ids: {', '.join(list(sheet)[:10])}, ..."
        raise ValueError(f"model_id {model_id!r} is not in the price sheet{hint}")
    return sheet[model_id]


def get_price(model_id: str) -> pd.Series:
    """The price-sheet row of one model (first tier); ``ValueError`` with close matches if unknown.

    >>> float(get_price("deepseek-chat")["usd_per_m_output"])
    0.42
    >>> get_price("gpt4o")
    Traceback (most recent call last):
    ...
    ValueError: model_id 'gpt4o' is not in the price sheet; close matches: gpt-4o, ...
    """
    _tiers(model_id)
    sheet = price_sheet()
    return sheet[sheet["model_id"] == model_id].iloc[0]


# --- workloads and bills -----------------------------------------------------------
@dataclass(frozen=True)
class Workload:
    """What an application sends: requests per day and tokens per request (averages).

    ``cache_hit_share``: share of input tokens read from the provider's prompt cache;
    ``cache_write_share``: share written to it (billed at the cache-write price where
    one is charged, e.g. Anthropic); ``batch_share``: share of requests sent through
    the batch API (answers within hours, not seconds).

    >>> Workload(100, 1000, 200, cache_hit_share=1.5)
    Traceback (most recent call last):
    ...
    ValueError: cache_hit_share must be at most 1, got 1.5
    """

    requests_per_day: float
    input_tokens: float
    output_tokens: float
    cache_hit_share: float = 0.0
    batch_share: float = 0.0
    days_per_month: float = 30
    cache_write_share: float = 0.0

    def __post_init__(self):
        checked = {  # stored as the floats the checks return (a Decimal or numpy value becomes a float)
            "requests_per_day": checks.non_negative("requests_per_day", self.requests_per_day),
            "input_tokens": checks.non_negative("input_tokens", self.input_tokens),
            "output_tokens": checks.non_negative("output_tokens", self.output_tokens),
            "cache_hit_share": checks.fraction("cache_hit_share", self.cache_hit_share),
            "batch_share": checks.fraction("batch_share", self.batch_share),
            "cache_write_share": checks.fraction("cache_write_share", self.cache_write_share),
            "days_per_month": checks.number("days_per_month", self.days_per_month, strictly_positive=True,
                                            maximum=31),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        if self.cache_hit_share + self.cache_write_share > 1 + 1e-12:
            raise ValueError(f"cache_hit_share + cache_write_share must be at most 1, got "
                             f"{self.cache_hit_share} + {self.cache_write_share}")

    def replace(self, **changes) -> "Workload":
        """A copy with some fields changed (validated again)."""
        return Workload(**{**asdict(self), **changes})


@dataclass(frozen=True)
class Bill:
    """A workload's cost on one model; the split is per request, in dollars."""

    model_id: str
    provider: str
    tier: int
    usd_per_request: float
    usd_per_day: float
    usd_per_month: float
    usd_input: float
    usd_cached_input: float
    usd_cache_write: float
    usd_output: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def split(self, per: str = "month") -> dict[str, float]:
        """The split (input, cached input, cache write, output) per ``request``, ``day`` or ``month``."""
        factor = {"request": 1.0, "day": self.usd_per_day / self.usd_per_request if self.usd_per_request else 0.0,
                  "month": self.usd_per_month / self.usd_per_request if self.usd_per_request else 0.0}
        if per not in factor:
            raise ValueError(f"per must be 'request', 'day' or 'month', got {per!r}")
        f = factor[per]
        return {"input": self.usd_input * f, "cached input": self.usd_cached_input * f,
                "cache write": self.usd_cache_write * f, "output": self.usd_output * f}

    def as_dict(self) -> dict:
        return asdict(self)


def _resolve(model) -> tuple[dict, ...]:
    """Tiers for a model id, a sheet row (Series/dict) or a custom price record."""
    if isinstance(model, str):
        return _tiers(model)
    if isinstance(model, pd.Series):
        model = model.to_dict()
    if not isinstance(model, Mapping):
        raise ValueError(f"model must be a model id (str) or a price record, got {type(model).__name__}")
    rec = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in model.items()}
    known = _sheet_tiers().get(rec.get("model_id"))
    if known and all(rec.get(f) == known[0].get(f) for f in PRICE_FIELDS if f in rec):
        return known  # an unmodified sheet row: use all its tiers
    for f in ("usd_per_m_input", "usd_per_m_output"):
        if f not in rec or rec[f] is None:
            raise ValueError(f"a price record needs {f}")
        checks.non_negative(f, rec[f])
    for f in PRICE_FIELDS:
        if rec.get(f) is not None:
            checks.non_negative(f, rec[f])
    rec.setdefault("model_id", "custom")
    rec.setdefault("provider", "custom")
    rec["tier"] = 1
    rec["context_from_tokens"] = 0
    rec["context_to_tokens"] = rec.get("context_window_tokens") or rec.get("max_input_tokens") or math.inf
    return (rec,)


def _pick_tier(tiers: tuple[dict, ...], input_tokens: float) -> dict:
    window = min(tiers[-1]["context_to_tokens"], tiers[-1].get("max_input_tokens") or math.inf)
    if input_tokens > window:
        raise ValueError(f"input_tokens={input_tokens:,.0f} exceeds the context window of "
                         f"{tiers[0]['model_id']} ({window:,.0f} tokens)")
    for t in tiers:
        if input_tokens <= t["context_to_tokens"]:
            return t
    return tiers[-1]  # pragma: no cover - guarded by the window check


def bill(model, workload: Workload) -> Bill:
    """What ``workload`` costs on ``model`` (an id from the sheet, a sheet row, or a custom record).

    Hand-computed example, Gemini 2.5 Pro just above its 200k tier boundary:
    200,001 input tokens x $2.50/M + 1,000 output x $15/M = $0.5000025 + $0.015.

    >>> b = bill("gemini-2.5-pro", Workload(10, 200_001, 1_000))
    >>> b.tier, round(b.usd_per_request, 7)
    (2, 0.5150025)
    >>> bill({"usd_per_m_input": 1, "usd_per_m_output": 4}, Workload(1, 1e6, 1e6)).usd_per_request
    5.0
    """
    if not isinstance(workload, Workload):
        raise ValueError(f"workload must be a Workload, got {type(workload).__name__}")
    tiers = _resolve(model)
    t = _pick_tier(tiers, workload.input_tokens)
    w = workload
    notes = []

    def price(name, fallback):
        return t.get(name) if t.get(name) is not None else fallback

    p_in = t["usd_per_m_input"]
    p_out = t["usd_per_m_output"]
    p_cached = price("usd_per_m_cached_input", p_in)
    p_write = price("usd_per_m_cache_write", p_in)
    if w.cache_hit_share > 0 and t.get("usd_per_m_cached_input") is None:
        notes.append("no cached-input price listed: cached tokens billed at the input price")
    has_batch = t.get("usd_per_m_input_batch") is not None
    if w.batch_share > 0 and not has_batch:
        notes.append("no batch price listed: batch requests billed at the standard price")
    b_in = price("usd_per_m_input_batch", p_in)
    b_out = price("usd_per_m_output_batch", p_out)
    b_cached = price("usd_per_m_cached_input_batch", p_cached)
    b_write = p_write if not has_batch else p_write * b_in / p_in if p_in else p_write

    cached = w.input_tokens * w.cache_hit_share
    written = w.input_tokens * w.cache_write_share
    fresh = w.input_tokens - cached - written
    s, b = 1 - w.batch_share, w.batch_share
    usd_input = fresh * (s * p_in + b * b_in) / 1e6
    usd_cached = cached * (s * p_cached + b * b_cached) / 1e6
    usd_write = written * (s * p_write + b * b_write) / 1e6
    usd_output = w.output_tokens * (s * p_out + b * b_out) / 1e6
    per_request = usd_input + usd_cached + usd_write + usd_output
    per_day = per_request * w.requests_per_day
    return Bill(model_id=t["model_id"], provider=t.get("provider", "custom"), tier=int(t["tier"]),
                usd_per_request=per_request, usd_per_day=per_day, usd_per_month=per_day * w.days_per_month,
                usd_input=usd_input, usd_cached_input=usd_cached, usd_cache_write=usd_write, usd_output=usd_output,
                notes=tuple(notes))


def compare(workload: Workload, models: Iterable | None = None) -> pd.DataFrame:
    """Bills of one workload on many models (default: the whole sheet), cheapest first.

    Models whose context window is shorter than the prompt are left out and listed
    in ``df.attrs["skipped"]``. Columns: provider, tier, $/request, $/day, $/month,
    the monthly split, ``times_cheapest`` (monthly bill / cheapest monthly bill) and
    ``batch_priced`` (whether the batch share got a batch price).

    >>> df = compare(Workload(1000, 2000, 500), ["gpt-4o", "gpt-4o-mini"])
    >>> df["model_id"].tolist(), df["usd_per_month"].round(2).tolist(), round(float(df["times_cheapest"].iloc[-1]), 2)
    (['gpt-4o-mini', 'gpt-4o'], [18.0, 300.0], 16.67)
    """
    if not isinstance(workload, Workload):
        raise ValueError(f"workload must be a Workload, got {type(workload).__name__}")
    models = model_ids() if models is None else list(models)
    if not models:
        raise ValueError("models must name at least one model (or be None for the whole sheet)")
    rows, skipped = [], []
    for m in models:
        try:
            b = bill(m, workload)
        except ValueError as exc:
            if "exceeds the context window" not in str(exc):
                raise
            skipped.append(m if isinstance(m, str) else dict(m).get("model_id", "custom"))
            continue
        split = b.split("month")
        rows.append({"model_id": b.model_id, "provider": b.provider, "tier": b.tier,
                     "usd_per_request": b.usd_per_request, "usd_per_day": b.usd_per_day,
                     "usd_per_month": b.usd_per_month, "usd_input_month": split["input"],
                     "usd_cached_input_month": split["cached input"], "usd_cache_write_month": split["cache write"],
                     "usd_output_month": split["output"],
                     "batch_priced": workload.batch_share == 0 or not any("batch" in n for n in b.notes)})
    if not rows:
        raise ValueError(f"input_tokens={workload.input_tokens:,.0f} is longer than every model's context window")
    df = pd.DataFrame(rows).sort_values(["usd_per_month", "model_id"], kind="stable").reset_index(drop=True)
    cheapest = df["usd_per_month"].iloc[0]
    df["times_cheapest"] = df["usd_per_month"] / cheapest if cheapest > 0 else np.nan
    df.index = pd.RangeIndex(1, len(df) + 1, name="rank")
    df.attrs["skipped"] = skipped
    df.attrs["as_of"] = as_of()
    return df


def blended_price(model, input_share: float = 0.75) -> float:
    """One $/M figure for a model: a weighted mean of its first-tier input and output prices.

    The common "3:1 blend" weights input 0.75 and output 0.25:

    >>> blended_price("gpt-4o")      # 0.75 x 2.50 + 0.25 x 10.00
    4.375
    """
    input_share = checks.fraction("input_share", input_share)
    t = _resolve(model)[0]
    return input_share * t["usd_per_m_input"] + (1 - input_share) * t["usd_per_m_output"]


# --- prices over time -------------------------------------------------------------------
def price_history() -> pd.DataFrame:
    """Launch prices of notable models (``data/price_history.csv``) with a parsed ``date``."""
    df = data.load(HISTORY_TABLE)
    df["date"] = pd.to_datetime(df["launch_date"])
    return df.sort_values("date").reset_index(drop=True)


def trend(dates, prices) -> tuple[float, np.ndarray]:
    """``(factor by which the price falls per year, fitted prices at dates)``, from a log-linear fit.

    >>> factor, fitted = trend(["2023-01-01", "2024-01-01"], [10, 1])
    >>> round(factor, 1), fitted.round(1).tolist()
    (10.0, [10.0, 1.0])
    """
    t = pd.to_datetime(pd.Series(list(dates)))
    p = np.asarray(list(prices), dtype=float)
    if len(p) != len(t) or len(p) < 2:
        raise ValueError("dates and prices need the same length, at least 2")
    if not np.all(np.isfinite(p)) or np.any(p <= 0):
        raise ValueError("prices must be finite and greater than 0")
    years = (t - t.min()).dt.days.to_numpy() / 365.25
    if np.ptp(years) == 0:
        raise ValueError("dates must not all be the same day")
    slope, intercept = np.polyfit(years, np.log(p), 1)
    return float(np.exp(-slope)), np.exp(intercept + slope * years)


def decline_per_year(dates, prices) -> float:
    """Factor by which a price falls per year, from a least-squares fit of log(price) on time.

    A price that halves every year falls 2x per year:

    >>> round(decline_per_year(["2023-01-01", "2024-01-01", "2025-01-01"], [8, 4, 2]), 2)
    2.0
    """
    return trend(dates, prices)[0]
