"""Notebook 06's explorer: price, utilization, GPU price, rent and markup -> each layer's margin and the dollar split.

The default scenario is assembled here from the other stages (so that
:mod:`token_economy.profit` stays a module of plain formulas):

- the model and its serving cost: DeepSeek-V3 on H800 GPUs from
  :func:`token_economy.factory.serving_cost` (batch 512, 4k context), rented at
  the $2 per GPU-hour DeepSeek itself assumes (``data/gpus.csv``);
- its price: the output price of ``deepseek-chat`` in the price sheet
  (:func:`token_economy.pricing.get_price`);
- the GPU owner's costs per hour: :func:`token_economy.factory.gpu_hour_cost`;
- margins of the hardware layer: Nvidia's and Micron's gross margins in
  ``data/financials.csv``; memory's share of an H100's manufacturing cost in
  ``data/memory_cost_share.csv``;
- training: DeepSeek-V3's reported training cost spread over a year of the
  tokens DeepSeek served per day (``data/value_chain_inputs.csv``,
  ``data/deepseek_inference_day6.csv``);
- the reseller's markup: OpenRouter's 5.5% fee (``data/value_chain_inputs.csv``).
"""

from __future__ import annotations

import html
from functools import lru_cache

import ipywidgets as W
import pandas as pd

from .. import data, factory, hardware, pricing, profit
from ..plots import profit as profit_plots
from . import Explorer, register

MODEL, GPU, BATCH, CONTEXT, PRICE_MODEL = "deepseek-v3", "H800-SXM", 512, 4096, "deepseek-chat"
UTILIZATION = 0.5


def _choice(name: str, value, options) -> str:
    """``value`` if it is one of ``options``, else a ``ValueError`` naming ``name`` and listing the options."""
    options = sorted({str(o) for o in options})
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(options)}; got {str(value)[:60]!r}")
    return value


def financial(company: str, column: str, segment: str = "company total") -> float:
    """One figure from ``data/financials.csv`` (e.g. Nvidia's ``gross_margin_pct``).

    >>> financial("Micron Technology", "gross_margin_pct")
    84.6
    """
    df = data.load("financials")
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    column = _choice("column", column, numeric)
    company = _choice("company", company, df["company"])
    segment = _choice("segment", segment, df.loc[df["company"] == company, "segment"])
    row = df[(df["company"] == company) & (df["segment"] == segment)]
    if pd.isna(row[column].iloc[0]):
        raise ValueError(f"column: financials.csv has no {column} for {company} ({segment})")
    return float(row[column].iloc[0])


def input_value(parameter: str) -> float:
    """One value from ``data/value_chain_inputs.csv``.

    >>> input_value("reseller_markup")
    0.055
    """
    table = data.load("value_chain_inputs").set_index("parameter")
    return float(table.loc[_choice("parameter", parameter, table.index), "value"])


def memory_share_of_chip_cost(accelerator: str = "NVIDIA H100 SXM") -> float:
    """HBM's share of an accelerator's estimated manufacturing cost (``data/memory_cost_share.csv``)."""
    df = data.load("memory_cost_share")
    accelerator = _choice("accelerator", accelerator, df["scope"])
    rows = df[(df["scope"] == accelerator) & (df["component"] != "sale price")]
    hbm = rows.loc[rows["component"] == "HBM memory", "usd"].sum()
    total = rows["usd"].sum()
    if not (total > 0) or pd.isna(hbm):
        raise ValueError(f"accelerator: memory_cost_share.csv has no manufacturing cost in dollars for {accelerator}")
    return float(hbm / total)


@lru_cache(maxsize=1)
def scenario() -> dict:
    """The default numbers of notebook 06, each from a table or a stage module (see the module docstring)."""
    g = hardware.get_gpu(GPU)
    rent = float(g.usd_per_hour_rental)
    full = factory.serving_cost(MODEL, GPU, batch=BATCH, context_tokens=CONTEXT, utilization=1.0,
                                usd_per_gpu_hour=rent)
    hour = factory.gpu_hour_cost(GPU)
    day6 = data.load("deepseek_inference_day6").set_index("quantity")["value"]
    tokens_per_day = float(day6["input_tokens"] + day6["output_tokens"])
    lifetime_tokens = tokens_per_day * 365 * input_value("model_service_years")
    return {
        "model": MODEL, "gpu": GPU, "batch": BATCH, "context_tokens": CONTEXT, "n_gpus": full.n_gpus,
        "price_model": PRICE_MODEL,
        "price": float(pricing.get_price(PRICE_MODEL)["usd_per_m_output"]),
        "utilization": UTILIZATION,
        "rent": rent,
        "gpu_price": float(g.usd_purchase),
        "years": factory.YEARS,
        "gpu_hours_per_m_full": full.usd_per_m_output_tokens / rent,
        "electricity": hour.power_usd,
        "hosting": hour.hosting_usd,
        "training_usd": input_value("deepseek_v3_training_usd"),
        "lifetime_tokens": lifetime_tokens,
        "training_per_m": profit.training_cost_per_m(input_value("deepseek_v3_training_usd"), lifetime_tokens),
        "markup": input_value("reseller_markup"),
        "chip_gross_margin": financial("Nvidia", "gross_margin_pct") / 100,
        "memory_gross_margin": financial("Micron Technology", "gross_margin_pct") / 100,
        "memory_share": memory_share_of_chip_cost(),
    }


def chain(price=None, utilization=None, gpu_price=None, rent=None, markup=None) -> profit.ValueChain:
    """:func:`token_economy.profit.value_chain` at the default scenario, with any setting changed."""
    s = scenario()
    u = profit.checks.fraction("utilization", s["utilization"] if utilization is None else utilization,
                               allow_zero=False)
    return profit.value_chain(
        wholesale_usd_per_m=s["price"] if price is None else price,
        reseller_markup=s["markup"] if markup is None else markup,
        gpu_hours_per_m=s["gpu_hours_per_m_full"] / u,
        rental_usd_per_gpu_hour=s["rent"] if rent is None else rent,
        gpu_price_usd=s["gpu_price"] if gpu_price is None else gpu_price, gpu_years=s["years"],
        electricity_usd_per_gpu_hour=s["electricity"], hosting_usd_per_gpu_hour=s["hosting"],
        training_usd_per_m=s["training_per_m"], chip_gross_margin=s["chip_gross_margin"],
        memory_share_of_chip_cost=s["memory_share"], memory_gross_margin=s["memory_gross_margin"])


def split_html(shares: pd.Series, layer_of: dict, title: str) -> str:
    """The dollar split as HTML bars (fast to redraw): cents per slice, losses in red to the left."""
    cents = shares * 100
    scale = 150 / max(1e-9, float(cents.abs().max()))
    neg_width = int(round(scale * max(0.0, -float(cents.min()))))
    rows = []
    for name, c in cents.items():
        colour = "#b91c1c" if c < 0 else profit_plots.SLICE_COLOURS.get(layer_of.get(name, ""), "#6b7280")
        bar = f'<div style="display:inline-block;height:12px;width:{int(round(abs(c) * scale))}px;background:{colour}"></div>'
        left = bar if c < 0 else ""
        right = "" if c < 0 else bar
        rows.append(f'<tr><td style="text-align:right;padding-right:6px">{html.escape(str(name))}</td>'
                    f'<td style="text-align:right;width:{neg_width}px;padding:0">{left}</td>'
                    f'<td style="border-left:1px solid black;padding:0 4px 0 0">{right}</td>'
                    f'<td style="text-align:right">{c:+.1f}</td></tr>')
    return (f"<b>{html.escape(title)}</b><table class=\"te-split\" style=\"border-collapse:collapse;font-size:0.9em\">"
            + "".join(rows) + "</table><small>cents of each dollar the end user pays; the slices add up to 100</small>")


def layer_html(layers: pd.DataFrame) -> str:
    """The layers' books for one million tokens as a small HTML table (layer names are ours, escaped anyway)."""
    rows = "".join(
        f"<tr><td>{html.escape(str(name))}</td><td>${r.revenue:.4f}</td><td>${r.cost:.4f}</td>"
        f'<td style="color:{"#b91c1c" if r.profit < 0 else "inherit"}">{"-" if r.profit < 0 else "+"}${abs(r.profit):.4f}</td>'
        f"<td>{r.margin:+.0%}</td></tr>"
        for name, r in layers.iterrows())
    return ('<table class="te-table"><tr><th>layer</th><th>revenue</th><th>cost</th><th>profit</th>'
            f"<th>margin</th></tr>{rows}</table><small>US$ per million output tokens</small>")


@register
class ProfitExplorer(Explorer):
    name = "profit"
    title = "Who keeps the money: margin per layer and the split of one end-user dollar"
    notebook = "06_who_profits"
    labels = {"wholesale_usd_per_m": "price", "rental_usd_per_gpu_hour": "rent", "gpu_price_usd": "gpu_price",
              "reseller_markup": "markup_pct"}  # profit.value_chain's arguments -> this explorer's controls

    def make_controls(self):
        s = scenario()
        style = {"description_width": "190px"}
        return {
            "price": W.FloatText(value=s["price"], step=0.02, description="Model price ($/M output)", style=style),
            "utilization": W.FloatSlider(value=s["utilization"], min=0.0, max=1.0, step=0.01,
                                         description="Utilization", style=style),
            "gpu_price": W.FloatText(value=s["gpu_price"], step=1000, description="GPU purchase price ($)",
                                     style=style),
            "rent": W.FloatText(value=s["rent"], step=0.1, description="GPU rent ($/hour)", style=style),
            "markup_pct": W.FloatText(value=round(s["markup"] * 100, 2), step=1,
                                      description="Reseller markup (%)", style=style),
        }

    def make_body(self):
        self.table = W.HTML()
        self.split = W.HTML()
        return W.HBox([self.split, self.table], layout=W.Layout(flex_flow="row wrap", grid_gap="24px"))

    def update(self, price, utilization, gpu_price, rent, markup_pct):
        if utilization <= 0:
            raise ValueError("Utilization must be above 0: idle GPUs make no tokens, so a token's cost is unbounded.")
        if price <= 0:
            raise ValueError("The model price must be above $0 per million tokens to split a dollar.")
        if markup_pct < 0:
            raise ValueError("A negative reseller markup means selling below the wholesale price; use 0 or more.")
        vc = chain(price=price, utilization=utilization, gpu_price=gpu_price, rent=rent, markup=markup_pct / 100)
        self.table.value = layer_html(vc.layers)
        self.split.value = split_html(vc.shares(), profit.SLICE_LAYER,
                                      f"One dollar of token spend (end user pays ${vc.retail:.3f} per M)")
        notes = []
        s = scenario()
        try:
            u_star = profit.break_even_utilization(price, s["gpu_hours_per_m_full"] * rent, s["training_per_m"])
            notes.append(f"The model company breaks even at {u_star:.0%} utilization" if u_star <= 1 else
                         "The model company cannot break even at this price, even at 100% utilization")
        except ValueError:
            notes.append("The price does not even cover training")
        if vc.layers.loc["GPU cloud", "profit"] < 0:
            notes.append("the GPU cloud loses money: its rent is below the GPU's cost per hour")
        return "; ".join(notes) + "."

    def static(self):
        vc = chain()
        return profit_plots.dollar_split(vc.shares(), profit.SLICE_LAYER, "One dollar of token spend (defaults)")

    @classmethod
    def sample_settings(cls, rng):
        return {"price": round(rng.uniform(-0.5, 5), 2), "utilization": round(rng.uniform(0, 1), 2),
                "gpu_price": round(rng.uniform(0, 60_000), -2), "rent": round(rng.uniform(0, 6), 2),
                "markup_pct": round(rng.uniform(-10, 100), 1)}
