"""Notebook 08's explorer: run a token business for 12 months and read its profit and loss.

The starting settings of each layer are :func:`token_economy.capstone.presets`; this module only
reads the controls, calls :func:`token_economy.capstone.simulate` and draws the year as HTML.
"""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd

from .. import capstone
from ..display import money
from ..plots import COLOURS, key_mark
from ..plots import profit as profit_plots
from . import Explorer, register

STRATEGY_LABELS = {"hold": "hold my price", "follow": "follow competitors' cuts"}


def pnl_html(pnl: pd.DataFrame, unit: str) -> str:
    """Monthly profit as HTML bars plus the profit and loss statement (numbers only, escaped labels).

    A profit is a bar above the line in the gain colour, a loss a hatched bar below it in the loss
    colour (``plots.COLOURS``, colour-blind safe); each bar's tooltip and the statement give the sum
    with its sign, so colour is never the only cue. Text colours come from collection.css classes.
    """
    top = max(1.0, float(pnl["profit"].abs().max()))
    gain, loss = COLOURS["gain"], COLOURS["loss"]
    bars = []
    for m, p in zip(pnl["month"], pnl["profit"]):
        h = int(round(45 * abs(p) / top))
        up = f'<div class="te-bar" style="height:{h if p >= 0 else 0}px;width:18px;background:{gain};margin-top:auto"></div>'
        down = (f'<div class="te-bar te-bar-loss" style="height:{h if p < 0 else 0}px;width:18px;'
                f'background-color:{loss}"></div>')
        bars.append(f'<div style="display:flex;flex-direction:column;align-items:center;margin:0 2px" title="{money(p)}">'
                    f'<div style="height:45px;display:flex">{up}</div>'
                    f'<div class="te-axis" style="border-top:1px solid;height:45px">{down}</div><small>{m}</small></div>')
    chart = (f"<div><b>Profit by month</b> ({key_mark(gain)}profit, above the line; {key_mark(loss, 'loss')}loss, "
             'below it)<div style="display:flex;align-items:flex-start">' + "".join(bars) + "</div></div>")
    st = capstone.statement(pnl)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in st.columns)
    body = "".join(f"<tr><td>{html.escape(i)}</td>" + "".join(
        f'<td class="te-num te-loss">{money(v)}</td>' if v < 0 else f'<td class="te-num">{money(v)}</td>'
        for v in r) + "</tr>" for i, r in st.iterrows())
    prices = "".join(f'<td class="te-num">{v:.3f}</td>' for v in pnl["your_price"])
    market = "".join(f'<td class="te-num">{v:.3f}</td>' for v in pnl["market_price"])
    table = (f'<table class="te-table" style="font-size:0.8em"><tr><th></th>{head}</tr>{body}'
             f"<tr><td>your price ($ per {html.escape(unit)})</td>{prices}<td></td></tr>"
             f"<tr><td>competitors' price</td>{market}<td></td></tr></table>")
    return chart + table


@register
class CapstoneExplorer(Explorer):
    name = "capstone"
    title = "Run a token business for 12 months"
    notebook = "08_capstone"

    def make_controls(self):
        b, m = capstone.presets("model")
        style = {"description_width": "200px"}
        return {
            "layer": W.Dropdown(options=[("token reseller", "reseller"), ("model company", "model"),
                                         ("GPU cloud", "cloud")], value="model", description="Your layer",
                                style=style),
            "strategy": W.Dropdown(options=[(label, key) for key, label in STRATEGY_LABELS.items()],
                                   value=b.strategy, description="Pricing strategy", style=style),
            "price": W.FloatText(value=round(b.price, 4), step=0.01, description="Your starting price ($/unit)",
                                 style=style),
            "capacity": W.FloatText(value=round(b.capacity), step=1000, description="Capacity (units/month)",
                                    style=style),
            "unit_cost": W.FloatText(value=round(b.unit_cost, 4), step=0.01, description="Cost per unit sold ($)",
                                     style=style),
            "fixed_cost": W.FloatText(value=round(b.fixed_cost), step=1000, description="Fixed cost ($/month)",
                                      style=style),
            "price_cut_pct": W.FloatSlider(value=m.price_cut * 100, min=-5, max=20, step=0.5,
                                           description="Competitors' cut (%/month)", style=style),
            "seed": W.IntText(value=m.seed, description="Random seed", style=style),
        }

    def make_body(self):
        self.summary = W.HTML()
        self.chart = W.HTML()
        self.controls["layer"].observe(self._apply_preset, names="value")
        return W.VBox([self.summary, self.chart])

    def _apply_preset(self, change) -> None:
        if self._holding:
            return
        b, m = capstone.presets(change["new"])
        with self._hold():
            self.controls["strategy"].value = b.strategy
            self.controls["price"].value = round(b.price, 4)
            self.controls["capacity"].value = round(b.capacity)
            self.controls["unit_cost"].value = round(b.unit_cost, 4)
            self.controls["fixed_cost"].value = round(b.fixed_cost)
            self.controls["price_cut_pct"].value = m.price_cut * 100

    def update(self, layer, strategy, price, capacity, unit_cost, fixed_cost, price_cut_pct, seed):
        self.summary.value = self.chart.value = ""  # an invalid setting leaves no stale result behind
        if price <= 0:
            raise ValueError("price must be above $0: a business that gives its units away earns nothing.")
        for key, value in (("capacity", capacity), ("unit_cost", unit_cost), ("fixed_cost", fixed_cost)):
            if value < 0:
                raise ValueError(f"{key} cannot be negative; use 0 or more.")
        if seed < 0:
            raise ValueError("seed must be 0 or a positive whole number.")
        base_b, base_m = capstone.presets(layer)
        business = capstone.Business(layer, price=price, capacity=capacity, unit_cost=unit_cost,
                                     fixed_cost=fixed_cost, strategy=strategy,
                                     cost_follows_market=base_b.cost_follows_market)
        market = capstone.Market(**{**base_m.__dict__, "price_cut": price_cut_pct / 100, "seed": int(seed)})
        pnl = capstone.simulate(business, market)
        s = capstone.summary(pnl)
        unit = capstone.LAYERS[layer]
        margin = "n/a" if s["margin"] is None else f"{s['margin']:+.0%}"
        profit_class = "te-loss" if s["profit"] < 0 else "te-gain"  # the sign is in the text too
        self.summary.value = (
            f"<b>Year: revenue {money(s['revenue'])}, costs {money(s['costs'])}, profit "
            f'<span class="{profit_class}">{money(s["profit"])}</span> '
            f"(margin {margin})</b>; {s['profitable_months']} of 12 months in profit; "
            f"average utilization {s['average_utilization']:.0%}; sales lost for lack of capacity: "
            f"{s['lost_units']:,.0f} {html.escape(unit)}.")
        self.chart.value = pnl_html(pnl, unit)
        if capacity == 0:
            return "With zero capacity you sell nothing and pay only the fixed cost."
        if s["lost_units"] > 0.2 * s["units_sold"]:
            return "You turned away many customers: more capacity, or a higher price, would earn more."
        return None

    def static(self):
        b, m = capstone.presets("model")
        return profit_plots.pnl(capstone.simulate(b, m), "Model company, default settings")

    @classmethod
    def sample_settings(cls, rng):
        layer = rng.choice(list(capstone.LAYERS))
        b, _ = capstone.presets(layer)
        return {"layer": layer, "strategy": rng.choice(list(capstone.STRATEGIES)),
                "price": round(b.price * rng.uniform(-0.2, 2.0), 4),
                "capacity": round(b.capacity * rng.uniform(-0.1, 2.0)),
                "unit_cost": round(b.unit_cost * rng.uniform(0, 2), 4),
                "fixed_cost": round(b.fixed_cost * rng.uniform(0, 2)),
                "price_cut_pct": round(rng.uniform(-5, 20), 1), "seed": rng.randint(0, 1000)}
