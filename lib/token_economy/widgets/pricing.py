"""Notebook 05's explorer: build a workload, see the ranked monthly bills, and what switching saves.

The numbers come from :func:`token_economy.pricing.switch` (bill, rank, cheapest model,
the bill at a higher cache-hit share); the table from :func:`token_economy.plots.pricing.bills_html`.
This module only reads the controls and writes the sentences around them.
"""

from __future__ import annotations

import html

import ipywidgets as W

from .. import pricing
from ..plots import pricing as pplots
from . import Explorer, register

TOP = 15


def _summary_html(s: pricing.Switch, w: pricing.Workload) -> str:
    e = html.escape
    b = s.bill
    n = len(s.ranked)
    if s.rank is None:
        first = (f"<b>{e(b.model_id)}</b>: at most ${b.usd_per_month:,.2f} per month, not ranked: "
                 f"{e('; '.join(n_ for n_ in b.notes if 'cached-input' in n_))}.")
    else:
        first = (f"<b>{e(b.model_id)}</b>: ${b.usd_per_month:,.2f} per month (${b.usd_per_request:.5f} per request), "
                 f"rank {s.rank} of {n} priced bills.")
    lines = [first]
    if b.usd_per_month > 0 and s.rank is not None:
        lines.append(f"Cheapest on the sheet: <b>{e(s.cheapest)}</b> ({e(s.cheapest_provider)}) at "
                     f"${s.usd_cheapest_month:,.2f}; switching saves ${s.saving_usd_month:,.2f} a month "
                     f"({s.saving_share:.0%}).")
    if s.cached is None:
        lines.append(f"Cache hits {w.cache_hit_share:.0%} &rarr; {s.cache_target:.0%}: n/a, {e(b.model_id)} "
                     "lists no cached-input price.")
    else:
        lines.append(f"Cache hits {w.cache_hit_share:.0%} &rarr; {s.cache_target:.0%} on {e(b.model_id)}: "
                     f"${s.cached.usd_per_month:,.2f} per month (saves ${b.usd_per_month - s.cached.usd_per_month:,.2f}).")
    left_out = []
    if s.ranked.attrs["skipped"]:
        left_out.append(f"{len(s.ranked.attrs['skipped'])} models skipped: prompt longer than their context window")
    if s.ranked.attrs["unpriced"]:
        left_out.append(f"{len(s.ranked.attrs['unpriced'])} not ranked, no cached-input price listed "
                        f"({e(', '.join(s.ranked.attrs['unpriced']))})")
    lines.append(f"<small>Prices as of {e(pricing.as_of())}. {'. '.join(left_out) + '.' if left_out else ''}</small>")
    other = [n_ for n_ in b.notes if "cached-input" not in n_]
    if other:
        lines.append(f"<small>Note: {e('; '.join(other))}.</small>")
    return '<div class="mathjax_ignore">' + "<br>".join(lines) + "</div>"


@register
class BillExplorer(Explorer):
    name = "bills"
    title = "Your workload in the model supermarket: ranked monthly bills"
    notebook = "05_pricing_and_bills"

    def make_controls(self):
        d = pricing.EXPLORER_DEFAULTS
        style = {"description_width": "150px"}
        slider = dict(min=0.0, max=1.0, step=0.05, style=style, readout_format=".0%")
        return {
            "requests_per_day": W.FloatText(value=d["requests_per_day"], description="requests / day", style=style),
            "input_tokens": W.FloatText(value=d["input_tokens"], description="input tokens / req.", style=style),
            "output_tokens": W.FloatText(value=d["output_tokens"], description="output tokens / req.", style=style),
            "cache_hit_share": W.FloatSlider(value=d["cache_hit_share"], description="cache-hit share", **slider),
            "batch_share": W.FloatSlider(value=d["batch_share"], description="batch share", **slider),
            "model": W.Dropdown(options=pricing.model_ids(), value=d["model"], description="your model", style=style),
            "cache_target": W.FloatSlider(value=d["cache_target"], description="what if cache hits =", **slider),
        }

    def make_body(self):
        # An HTML table with CSS bars redraws in a few milliseconds (a matplotlib PNG takes ~0.2 s here).
        self.text = W.HTML()
        self.table = W.HTML()
        return W.VBox([self.text, self.table])

    def update(self, requests_per_day, input_tokens, output_tokens, cache_hit_share, batch_share, model, cache_target):
        w = pricing.Workload(requests_per_day, input_tokens, output_tokens, cache_hit_share, batch_share)
        if requests_per_day == 0 or input_tokens + output_tokens == 0:
            raise ValueError("The workload is empty: set requests_per_day, and input_tokens or output_tokens, above 0.")
        s = pricing.switch(model, w, cache_target)
        self.text.value = _summary_html(s, w)
        extra = {} if s.rank is not None else {model: (s.bill.provider, s.bill.usd_per_month, "upper bound: "
                                                       "no cached-input price listed")}
        self.table.value = pplots.bills_html(s.ranked, highlight=model, top=TOP, extra=extra)
        return None

    def refresh(self) -> None:
        super().refresh()
        if self.last_error is not None:   # no stale result under the message
            self.text.value = ""
            self.table.value = ""

    def static(self):
        ranked = pricing.compare(pricing.default_workload())
        return pplots.bills(ranked, f"Default workload: cheapest {TOP} of {len(ranked)} models "
                            f"(prices as of {pricing.as_of()})", top=TOP)

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
