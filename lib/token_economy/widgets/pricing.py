"""Notebook 05's explorer: build a workload, see the ranked monthly bills, and what switching saves."""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd

from .. import checks, pricing
from ..plots import COLOURS
from ..plots import pricing as pplots
from . import Explorer, register

DEFAULTS = dict(requests_per_day=10_000, input_tokens=3_000, output_tokens=400, cache_hit_share=0.0,
                batch_share=0.0, model="gpt-4o", cache_target=0.5)
TOP = 15


def summary(model: str, w: pricing.Workload, cache_target: float) -> tuple[pricing.Bill, object, str]:
    """The bill of ``model``, the ranked table, and an HTML summary of what switching or caching saves."""
    cache_target = checks.fraction("cache_target", cache_target)
    ranked = pricing.compare(w)
    mine = pricing.bill(model, w)
    cheapest = ranked.iloc[0]
    cached = pricing.bill(model, w.replace(cache_hit_share=cache_target,
                                           cache_write_share=min(w.cache_write_share, 1 - cache_target)))
    rank = int(ranked.index[ranked["model_id"] == model][0])
    e = html.escape
    lines = [
        f"<b>{e(model)}</b>: ${mine.usd_per_month:,.2f} per month (${mine.usd_per_request:.5f} per request), "
        f"rank {rank} of {len(ranked)}.",
        f"Cheapest on the sheet: <b>{e(cheapest['model_id'])}</b> ({e(cheapest['provider'])}) at "
        f"${cheapest['usd_per_month']:,.2f}; switching saves ${mine.usd_per_month - cheapest['usd_per_month']:,.2f} "
        f"a month ({1 - cheapest['usd_per_month'] / mine.usd_per_month:.0%})." if mine.usd_per_month > 0 else "",
        f"Cache hits {w.cache_hit_share:.0%} &rarr; {cache_target:.0%} on {e(model)}: "
        f"${cached.usd_per_month:,.2f} per month (saves ${mine.usd_per_month - cached.usd_per_month:,.2f}).",
        f"<small>Prices as of {e(pricing.as_of())}. {len(ranked.attrs['skipped'])} models skipped: "
        f"prompt longer than their context window.</small>",
    ]
    if mine.notes:
        lines.append(f"<small>Note: {e('; '.join(mine.notes))}.</small>")
    return mine, ranked, "<br>".join(x for x in lines if x)


def static_figure():
    """The explorer's default state as a figure: the cheapest ``TOP`` monthly bills of the default workload."""
    v = {k: DEFAULTS[k] for k in ("requests_per_day", "input_tokens", "output_tokens", "cache_hit_share", "batch_share")}
    ranked = pricing.compare(pricing.Workload(**v))
    return pplots.bills(ranked, f"Default workload: cheapest {TOP} of {len(ranked)} models "
                        f"(prices as of {pricing.as_of()})", top=TOP)


@register
class BillExplorer(Explorer):
    name = "bills"
    title = "Your workload in the model supermarket: ranked monthly bills"
    notebook = "05_pricing_and_bills"

    def make_controls(self):
        style = {"description_width": "150px"}
        slider = dict(min=0.0, max=1.0, step=0.05, style=style, readout_format=".0%")
        return {
            "requests_per_day": W.FloatText(value=DEFAULTS["requests_per_day"], description="requests / day", style=style),
            "input_tokens": W.FloatText(value=DEFAULTS["input_tokens"], description="input tokens / req.", style=style),
            "output_tokens": W.FloatText(value=DEFAULTS["output_tokens"], description="output tokens / req.", style=style),
            "cache_hit_share": W.FloatSlider(value=DEFAULTS["cache_hit_share"], description="cache-hit share", **slider),
            "batch_share": W.FloatSlider(value=DEFAULTS["batch_share"], description="batch share", **slider),
            "model": W.Dropdown(options=pricing.model_ids(), value=DEFAULTS["model"], description="your model", style=style),
            "cache_target": W.FloatSlider(value=DEFAULTS["cache_target"], description="what if cache hits =", **slider),
        }

    def make_body(self):
        # An HTML table with CSS bars redraws in a few milliseconds (a matplotlib PNG takes ~0.2 s here).
        self.text = W.HTML()
        self.table = W.HTML()
        return W.VBox([self.text, self.table])

    def update(self, requests_per_day, input_tokens, output_tokens, cache_hit_share, batch_share, model, cache_target):
        w = pricing.Workload(requests_per_day, input_tokens, output_tokens, cache_hit_share, batch_share)
        if requests_per_day == 0 or input_tokens + output_tokens == 0:
            raise ValueError("The workload is empty: set requests_per_day and at least one token count above 0.")
        mine, ranked, text = summary(model, w, cache_target)
        self.text.value = text
        self.table.value = bills_html(ranked, highlight=model, top=TOP)
        return None

    def static(self):
        return static_figure()

    @classmethod
    def sample_settings(cls, rng):
        return {
            "requests_per_day": rng.choice([1, 100, 5_000, 1e6]) * rng.uniform(0.5, 2),
            "input_tokens": rng.choice([50, 2_000, 30_000, 150_000, 500_000]),
            "output_tokens": rng.choice([0, 100, 1_000, 8_000]),
            "cache_hit_share": round(rng.uniform(0, 0.95), 2),
            "batch_share": rng.choice([0.0, 0.5, 1.0]),
            "model": rng.choice(pricing.model_ids()),
            "cache_target": round(rng.uniform(0, 1), 2),
        }


def bills_html(ranked, highlight: str | None = None, top: int = TOP) -> str:
    """The cheapest ``top`` bills (plus ``highlight`` if it ranks lower) as an HTML table with stacked bars."""
    top = checks.whole("top", top, minimum=1)
    rows = ranked.head(top)
    if highlight is not None and highlight in set(ranked["model_id"]) and highlight not in set(rows["model_id"]):
        rows = pd.concat([rows, ranked[ranked["model_id"] == highlight]])
    scale = float(rows["usd_per_month"].max()) or 1.0
    colours = [(col, COLOURS[key]) for col, key in (("usd_input_month", "input"), ("usd_cached_input_month", "cached"),
                                                    ("usd_cache_write_month", "memory"), ("usd_output_month", "output"))]
    out = []
    for rank, r in rows.iterrows():
        bar = "".join(f'<span style="display:inline-block;height:10px;background:{c};width:{200 * r[col] / scale:.1f}px"></span>'
                      for col, c in colours if r[col] > 0)
        weight = "font-weight:bold;background:#fef9c3;" if r["model_id"] == highlight else ""
        out.append(f'<tr style="{weight}"><td>{rank}</td><td>{html.escape(str(r["model_id"]))}</td>'
                   f'<td>{html.escape(str(r["provider"]))}</td><td style="text-align:right">${r["usd_per_month"]:,.2f}</td>'
                   f'<td style="text-align:right">{r["times_cheapest"]:.1f}x</td><td>{bar}</td></tr>')
    legend = " ".join(f'<span style="color:{c}">&#9632;</span> {name}' for name, c in
                      (("input", COLOURS["input"]), ("cached input", COLOURS["cached"]),
                       ("cache write", COLOURS["memory"]), ("output", COLOURS["output"])))
    return ('<table class="te-table"><tr><th>rank</th><th>model</th><th>provider</th><th>US$ / month</th>'
            f'<th>x cheapest</th><th>{legend}</th></tr>{"".join(out)}</table>')
