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

Conventions where a sheet is silent: no cache-write price -> writes cost the input
price (OpenAI and Google charge no write premium); no batch price -> batch requests
cost the standard price (the provider may have no batch API; ``Bill.notes`` says so).
No cached-input price is different: most providers discount cached tokens but the
snapshot does not say by how much, so the price is *missing*. Such a bill charges the
cached tokens the full input price, books them as input (not as "cached input"),
names the missing price in ``Bill.missing`` and is an upper bound, not a price;
:func:`compare` leaves it out of the ranking (``attrs["unpriced"]``).

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
DOUBAO_TABLE = "doubao_pricing"
PRICE_FIELDS = ("usd_per_m_input", "usd_per_m_cached_input", "usd_per_m_cache_write", "usd_per_m_output",
                "usd_per_m_input_batch", "usd_per_m_cached_input_batch", "usd_per_m_output_batch")
#: Readable names of the price columns, for tables and sentences.
PRICE_LABELS = {"usd_per_m_input": "input", "usd_per_m_cached_input": "cached input",
                "usd_per_m_cache_write": "cache write", "usd_per_m_output": "output",
                "usd_per_m_input_batch": "batch input", "usd_per_m_cached_input_batch": "batch cached input",
                "usd_per_m_output_batch": "batch output"}


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


def sheet_table(models: Iterable[str] | None = None) -> pd.DataFrame:
    """Price-sheet rows for reading: readable headers with units, indexed by model, NaN where a price is missing.

    Show it with ``.style.format(precision=3, na_rep="n/a")``: a missing price is missing, not zero.

    >>> t = sheet_table(["gpt-4o", "qwen3-max"])
    >>> t.loc["gpt-4o", "input (US$/M)"], bool(pd.isna(t.loc["qwen3-max", "cached input (US$/M)"]))
    (np.float64(2.5), True)
    """
    sheet = price_sheet().set_index("model_id")
    if models is not None:
        models = list(models)
        for m in models:
            _tiers(m)
        sheet = sheet.loc[models]
    cols = {f: f"{label} (US$/M)" for f, label in PRICE_LABELS.items() if f in ("usd_per_m_input", "usd_per_m_cached_input",
                                                                                  "usd_per_m_cache_write", "usd_per_m_output")}
    out = sheet[["provider", *cols]].rename(columns=cols)
    out["batch discount"] = sheet["batch_discount"]
    out["context window (tokens)"] = sheet["context_window_tokens"].astype(int)
    out["context tiers"] = sheet["n_tiers"].astype(int)
    out.index.name = "model"
    return out


def doubao_pricing() -> pd.DataFrame:
    """Dated events in Doubao's pricing in China (``data/doubao_pricing.csv``): API launch price, input-length
    bands, the consumer app's paid tiers; each row says whether its source is a press report or a summary.

    >>> float(doubao_pricing().iloc[0]["price"])     # yuan per million input tokens, May 2024
    0.8
    """
    return data.load(DOUBAO_TABLE)


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
    #: Prices the workload needs that the sheet does not list (the bill is then an upper bound, not a price).
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def priced(self) -> bool:
        """True when every price the workload needs is listed."""
        return not self.missing

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
    missing = []
    if w.cache_hit_share > 0 and t.get("usd_per_m_cached_input") is None:
        notes.append("no cached-input price listed: cached tokens billed at the full input price, "
                     "so this bill is an upper bound")
        missing.append("usd_per_m_cached_input")
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
    if missing:   # without a cached price the "cached" tokens are billed, and booked, as input
        fresh, cached = fresh + cached, 0.0
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
                notes=tuple(notes), missing=tuple(missing))


def compare(workload: Workload, models: Iterable | None = None, *, unpriced: str = "exclude") -> pd.DataFrame:
    """Bills of one workload on many models (default: the whole sheet), cheapest first.

    Models whose context window is shorter than the prompt are left out and listed
    in ``df.attrs["skipped"]``. Models that lack a price the workload needs (a cached-input
    price when there are cache hits) have no real bill: with ``unpriced="exclude"`` (the
    default) they are left out of the ranking and listed in ``df.attrs["unpriced"]``
    (``{model_id: note}``); with ``unpriced="include"`` they stay in, at their upper-bound
    bill, with ``priced`` False. Columns: provider, tier, $/request, $/day, $/month, the
    monthly split, ``times_cheapest`` (monthly bill / cheapest *priced* monthly bill),
    ``priced``, ``batch_priced`` (whether the batch share got a batch price) and ``notes``.

    >>> df = compare(Workload(1000, 2000, 500), ["gpt-4o", "gpt-4o-mini"])
    >>> df["model_id"].tolist(), df["usd_per_month"].round(2).tolist(), round(float(df["times_cheapest"].iloc[-1]), 2)
    (['gpt-4o-mini', 'gpt-4o'], [18.0, 300.0], 16.67)
    >>> compare(Workload(1, 1000, 100, cache_hit_share=0.5), ["gpt-4o", "qwen3-max"]).attrs["unpriced"]
    {'qwen3-max': 'no cached-input price listed: ...'}
    """
    if not isinstance(workload, Workload):
        raise ValueError(f"workload must be a Workload, got {type(workload).__name__}")
    if unpriced not in ("exclude", "include"):
        raise ValueError(f"unpriced must be 'exclude' or 'include', got {unpriced!r}")
    models = model_ids() if models is None else list(models)
    if not models:
        raise ValueError("models must name at least one model (or be None for the whole sheet)")
    rows, skipped, without_price = [], [], {}
    for m in models:
        try:
            b = bill(m, workload)
        except ValueError as exc:
            if "exceeds the context window" not in str(exc):
                raise
            skipped.append(m if isinstance(m, str) else dict(m).get("model_id", "custom"))
            continue
        if b.missing:
            without_price[b.model_id] = "; ".join(n for n in b.notes if "cached-input" in n)
            if unpriced == "exclude":
                continue
        split = b.split("month")
        rows.append({"model_id": b.model_id, "provider": b.provider, "tier": b.tier,
                     "usd_per_request": b.usd_per_request, "usd_per_day": b.usd_per_day,
                     "usd_per_month": b.usd_per_month, "usd_input_month": split["input"],
                     "usd_cached_input_month": split["cached input"], "usd_cache_write_month": split["cache write"],
                     "usd_output_month": split["output"], "priced": b.priced,
                     "batch_priced": workload.batch_share == 0 or not any("batch" in n for n in b.notes),
                     "notes": "; ".join(b.notes)})
    if not rows:
        if without_price and not skipped:
            raise ValueError("no model in models has every price this workload needs "
                             f"(unpriced: {', '.join(without_price)})")
        raise ValueError(f"input_tokens={workload.input_tokens:,.0f} is longer than every model's context window")
    df = pd.DataFrame(rows).sort_values(["priced", "usd_per_month", "model_id"], ascending=[False, True, True],
                                        kind="stable").reset_index(drop=True)
    priced = df.loc[df["priced"], "usd_per_month"]
    cheapest = priced.iloc[0] if len(priced) else np.nan
    df["times_cheapest"] = df["usd_per_month"] / cheapest if cheapest > 0 else np.nan
    df.index = pd.RangeIndex(1, len(df) + 1, name="rank")
    df.attrs["skipped"] = skipped
    df.attrs["unpriced"] = without_price
    df.attrs["as_of"] = as_of()
    return df


def spread_table(bills: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Cheapest, median and dearest monthly bill per workload, from :func:`compare` results (priced bills only).

    Columns: models billed, models left out (window too short; price missing), cheapest and
    dearest model and bill, median bill, and ``dearest_over_cheapest``.

    >>> w = Workload(1000, 2000, 500)
    >>> t = spread_table({"small": compare(w, ["gpt-4o", "gpt-4o-mini", "deepseek-chat"])})
    >>> t.loc["small", ["cheapest", "dearest"]].tolist(), round(float(t.loc["small", "dearest_over_cheapest"]), 1)
    (['gpt-4o-mini', 'gpt-4o'], 16.7)
    """
    rows = {}
    for name, b in bills.items():
        ranked = b[b["priced"]] if "priced" in b else b
        if ranked.empty:
            raise ValueError(f"bills[{name!r}] has no priced bill")
        cheap, dear = ranked.iloc[0], ranked.iloc[-1]
        rows[name] = {"models_billed": len(ranked), "skipped_window_too_short": len(b.attrs.get("skipped", [])),
                      "left_out_price_missing": len(b.attrs.get("unpriced", {})),
                      "cheapest": cheap["model_id"], "usd_cheapest_month": cheap["usd_per_month"],
                      "usd_median_month": ranked["usd_per_month"].median(), "dearest": dear["model_id"],
                      "usd_dearest_month": dear["usd_per_month"],
                      "dearest_over_cheapest": dear["usd_per_month"] / cheap["usd_per_month"]
                      if cheap["usd_per_month"] > 0 else np.nan}
    out = pd.DataFrame(rows).T
    out.index.name = "workload"
    return out.infer_objects()


#: The bill explorer's default settings (notebook 05 shows the same workload as its static twin).
EXPLORER_DEFAULTS = dict(requests_per_day=10_000, input_tokens=3_000, output_tokens=400, cache_hit_share=0.0,
                         batch_share=0.0, model="gpt-4o", cache_target=0.5)


def default_workload() -> Workload:
    """The bill explorer's default workload: 10,000 requests a day, 3,000 input and 400 output tokens each."""
    d = EXPLORER_DEFAULTS
    return Workload(d["requests_per_day"], d["input_tokens"], d["output_tokens"], d["cache_hit_share"],
                    d["batch_share"])


@dataclass(frozen=True)
class Switch:
    """What one model costs for a workload, where it ranks, and what switching or caching would save.

    ``rank`` is None when the model lacks a price the workload needs (its bill is then an
    upper bound); ``cached`` is the bill at ``cache_target`` cache hits, None when the model
    lists no cached-input price.
    """

    bill: Bill
    ranked: pd.DataFrame = field(repr=False)
    rank: int | None
    cheapest: str
    cheapest_provider: str
    usd_cheapest_month: float
    cache_target: float
    cached: Bill | None

    @property
    def saving_usd_month(self) -> float:
        """What switching to the cheapest priced model saves a month (negative if it is dearer)."""
        return self.bill.usd_per_month - self.usd_cheapest_month

    @property
    def saving_share(self) -> float | None:
        """The saving as a share of the current bill (None for a zero bill)."""
        return self.saving_usd_month / self.bill.usd_per_month if self.bill.usd_per_month > 0 else None


def switch(model: str, workload: Workload, cache_target=0.5) -> Switch:
    """The bill of ``model``, its rank among all priced bills, and what switching or caching saves.

    >>> s = switch("gpt-4o", Workload(1000, 2000, 500), cache_target=0.5)
    >>> s.rank > 1, s.cheapest == s.ranked["model_id"].iloc[0], round(s.cached.usd_per_month, 2)
    (True, True, 262.5)
    """
    cache_target = checks.fraction("cache_target", cache_target)
    ranked = compare(workload)
    mine = bill(model, workload)
    at = ranked.index[ranked["model_id"] == mine.model_id]
    target = workload.replace(cache_hit_share=cache_target,
                              cache_write_share=min(workload.cache_write_share, 1 - cache_target))
    cached = bill(model, target)
    top = ranked.iloc[0]
    return Switch(mine, ranked, int(at[0]) if len(at) else None, top["model_id"], top["provider"],
                  float(top["usd_per_month"]), cache_target, None if cached.missing else cached)


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
