"""Notebook 06's explorer: price, utilization, rent or own, cost of capital and markup -> each layer's margin.

It reads the controls, calls :func:`token_economy.profit.chain` (the scenario lives in
:mod:`token_economy.profit`) and shows the layers' books and the split of one end-user dollar
as HTML (fast to redraw).
"""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd

from .. import profit
from ..display import money
from ..plots import COLOURS
from ..plots import profit as profit_plots
from . import Explorer, register


def split_html(shares: pd.Series, layer_of: dict, title: str) -> str:
    """The dollar split as HTML bars (fast to redraw): cents per slice in the colour of its layer, as in
    the figure (``plots.profit.SLICE_COLOURS``); a loss to the left, hatched in the loss colour, with its sign."""
    cents = shares * 100
    scale = 150 / max(1e-9, float(cents.abs().max()))
    neg_width = int(round(scale * max(0.0, -float(cents.min()))))
    rows = []
    for name, c in cents.items():
        width = int(round(abs(c) * scale))
        if c < 0:
            bar = (f'<div class="te-bar te-bar-loss" style="height:12px;width:{width}px;'
                   f'background-color:{COLOURS["loss"]}"></div>')
        else:
            colour = profit_plots.SLICE_COLOURS.get(layer_of.get(name, ""), COLOURS["grey"])
            bar = f'<div class="te-bar" style="height:12px;width:{width}px;background:{colour}"></div>'
        left = bar if c < 0 else ""
        right = "" if c < 0 else bar
        rows.append(f'<tr><td style="text-align:right;padding-right:6px">{html.escape(str(name))}</td>'
                    f'<td style="text-align:right;width:{neg_width}px;padding:0">{left}</td>'
                    f'<td style="border-left:1px solid currentColor;padding:0 4px 0 0">{right}</td>'
                    f'<td class="te-num" style="text-align:right">{c:+.1f}</td></tr>')
    return (f"<b>{html.escape(title)}</b><table class=\"te-split\" style=\"border-collapse:collapse;font-size:0.9em\">"
            + "".join(rows) + "</table><small>cents of each dollar the end user pays; the slices add up to 100</small>")


def layer_html(layers: pd.DataFrame) -> str:
    """The layers' books for one million tokens as a small HTML table (layer names are ours, escaped anyway)."""
    rows = "".join(
        f'<tr><td>{html.escape(str(name))}</td><td class="te-num">{money(r.revenue, 4)}</td>'
        f'<td class="te-num">{money(r.cost, 4)}</td>'
        + (f'<td class="te-num te-loss">{money(r.profit, 4, sign=True)}</td>' if r.profit < 0
           else f'<td class="te-num">{money(r.profit, 4, sign=True)}</td>')
        + f'<td class="te-num">{r.margin:+.0%}</td></tr>'
        for name, r in layers.iterrows())
    return ('<table class="te-table"><tr><th>layer</th><th>revenue</th><th>cost</th><th>profit</th>'
            f"<th>margin</th></tr>{rows}</table><small>US$ per million output tokens; costs include the "
            "cost of capital</small>")


@register
class ProfitExplorer(Explorer):
    name = "profit"
    title = "Who keeps the money: margin per layer and the split of one end-user dollar"
    notebook = "06_who_profits"
    labels = {"wholesale_usd_per_m": "price", "rental_usd_per_gpu_hour": "rent", "gpu_price_usd": "gpu_price",
              "reseller_markup": "markup_pct"}  # profit.value_chain's arguments -> this explorer's controls

    def make_controls(self):
        s = profit.scenario()
        style = {"description_width": "190px"}
        return {
            "price": W.FloatText(value=s["price"], step=0.02, description="Model price ($/M output)", style=style),
            "utilization": W.FloatSlider(value=round(s["utilization"], 2), min=0.0, max=1.0, step=0.01,
                                         description="Utilization", style=style),
            "ownership": W.ToggleButtons(options=[("rent GPUs", "rent"), ("own GPUs", "own")], value="rent",
                                         description="Model company's GPUs", style=style),
            "rent": W.FloatText(value=s["rent"], step=0.1, description="GPU rent ($/hour)", style=style),
            "cost_of_capital_pct": W.FloatText(value=round(s["cost_of_capital"] * 100, 2), step=1,
                                               description="Cost of capital (%/year)", style=style),
            "markup_pct": W.FloatText(value=round(s["markup"] * 100, 2), step=1,
                                      description="Reseller markup (%)", style=style),
        }

    def make_body(self):
        self.table = W.HTML()
        self.split = W.HTML()
        return W.HBox([self.split, self.table], layout=W.Layout(flex_flow="row wrap", grid_gap="24px"))

    def update(self, price, utilization, ownership, rent, cost_of_capital_pct, markup_pct):
        self.table.value = self.split.value = ""  # an invalid setting leaves no stale result behind
        self.controls["rent"].disabled = ownership == "own"
        if utilization <= 0:
            raise ValueError("utilization must be above 0: idle GPUs make no tokens, so a token's cost is unbounded.")
        if price <= 0:
            raise ValueError("price must be above $0 per million tokens to split a dollar.")
        if markup_pct < 0:
            raise ValueError("markup_pct: a negative markup means selling below the wholesale price; use 0 or more.")
        if ownership == "rent" and rent < 0:
            raise ValueError("rent cannot be negative; use 0 or more.")
        if not 0 <= cost_of_capital_pct <= 100:
            raise ValueError("cost_of_capital_pct must be between 0% and 100% a year.")
        vc = profit.chain(price=price, utilization=utilization, rent=rent, markup=markup_pct / 100,
                          ownership=ownership, cost_of_capital=cost_of_capital_pct / 100)
        self.table.value = layer_html(vc.layers)
        self.split.value = split_html(vc.shares(), profit.SLICE_LAYER,
                                      f"One dollar of token spend (end user pays {money(vc.retail, 3)} per M)")
        notes = []
        u_star = profit.scenario_break_even(price, ownership, rent, cost_of_capital_pct / 100)
        who = "The model company" + (" (owning its GPUs)" if ownership == "own" else "")
        if u_star is None:
            notes.append(f"{who} cannot break even: the price does not even cover training")
        elif u_star > 1:
            notes.append(f"{who} cannot break even at this price, even at 100% utilization")
        else:
            notes.append(f"{who} breaks even at {u_star:.0%} utilization (you set {utilization:.0%})")
        if "GPU cloud" in vc.layers.index and vc.layers.loc["GPU cloud", "profit"] < 0:
            notes.append("the GPU cloud loses money: the rent is below its full cost per hour rented")
        return "; ".join(notes) + "."

    def static(self):
        vc = profit.chain()
        return profit_plots.dollar_split(vc.shares(), profit.SLICE_LAYER, "One dollar of token spend (defaults)")

    @classmethod
    def sample_settings(cls, rng):
        return {"price": round(rng.uniform(-0.5, 5), 2), "utilization": round(rng.uniform(0, 1), 2),
                "ownership": rng.choice(["rent", "own"]), "rent": round(rng.uniform(-1, 6), 2),
                "cost_of_capital_pct": round(rng.uniform(-5, 40), 1), "markup_pct": round(rng.uniform(-10, 100), 1)}
