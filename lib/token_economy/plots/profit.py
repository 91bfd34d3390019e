"""Figures of notebooks 06 and 08: profits compared, where a dollar goes, break-even, tornado charts, a year's P&L.

Each function returns a matplotlib ``Figure``; ``draw_*`` variants draw into an
existing axes (for the explorers' persistent figures). What it leaves out: any
computation; the numbers come from :mod:`token_economy.profit` and
:mod:`token_economy.capstone`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from . import COLOURS, PALETTE, new_figure, source_note

#: The colour of each layer of the industry (``profit.SLICE_LAYER``'s values), as in every notebook.
SLICE_COLOURS = {
    "reseller": COLOURS["reseller"],
    "model": COLOURS["model"],
    "cloud": COLOURS["cloud"],
    "chip": COLOURS["chip"],
    "memory": COLOURS["memory_maker"],
    "electricity": COLOURS["electricity"],
    "suppliers": COLOURS["suppliers"],
    "capital": COLOURS["capital"],
}
#: A slice that loses money: the loss colour, hatched (the sign is written beside it too).
LOSS_HATCH = "///"


def profit_bars(usd: pd.Series, nvidia_usd: float, target_usd: float, title: str, note: str = ""):
    """One stacked bar of the memory makers' quarterly profit next to Nvidia's, with a target line.

    ``usd``: operating profit in billions of dollars, indexed by company.
    """
    fig, ax = new_figure(7, 3.8)
    bottom = 0.0
    colours = [PALETTE[k] for k in ("reddish_purple", "sky_blue", "bluish_green", "orange")]
    for (name, value), colour in zip(usd.items(), colours):
        ax.bar(0, value, bottom=bottom, color=colour, width=0.5, label=f"{name}: ${value:,.1f} bn")
        bottom += value
    ax.bar(1, nvidia_usd, color=COLOURS["grey"], width=0.5, label=f"Nvidia: ${nvidia_usd:,.1f} bn")
    ax.axhline(target_usd, color=COLOURS["highlight"], ls="--", lw=1)
    ax.annotate(f"${target_usd:,.0f} bn", xy=(-0.45, target_usd), color=COLOURS["highlight"], va="bottom", fontsize=8)
    ax.set_xticks([0, 1], ["three memory makers", "Nvidia"])
    ax.set_xlim(-0.5, 1.6)
    ax.set_ylabel("operating profit in one quarter, US$ bn")
    ax.set_title(title)
    ax.set_ylim(0, max(target_usd, bottom, nvidia_usd) * 1.15)
    ax.legend(loc="center right", fontsize=8)
    if note:
        source_note(ax, note)
    return fig


def fx_sensitivity(rates, totals_usd, *, used_rate: float, lines: dict, title: str, xlabel: str, note: str = ""):
    """How a converted total moves with an exchange rate, with horizontal reference lines.

    ``lines``: ``{label: level}`` drawn as dashed lines; ``used_rate`` marked as a dotted vertical line.
    """
    fig, ax = new_figure(7, 3.6)
    ax.plot(rates, totals_usd, color=COLOURS["memory"], lw=2, label="three memory makers combined")
    for (label, level), colour in zip(lines.items(), [COLOURS["output"], COLOURS["grey"], COLOURS["compute"]]):
        ax.axhline(level, ls="--", lw=1, color=colour, label=label)
    ax.axvline(used_rate, ls=":", color="black", lw=1, label=f"rate used: {used_rate:,.1f}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("US$ bn per quarter")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper right")
    if note:
        source_note(ax, note)
    return fig


def draw_dollar_split(ax, shares: pd.Series, layer_of: dict, title: str) -> None:
    """Horizontal bars: cents of an end user's dollar per slice, in the colour of its layer; a loss is
    drawn to the left, in the loss colour and hatched, with its minus sign."""
    ax.clear()
    cents = shares.iloc[::-1] * 100
    y = np.arange(len(cents))
    colours = [COLOURS["loss"] if v < 0 else SLICE_COLOURS.get(layer_of.get(k, ""), COLOURS["grey"])
               for k, v in cents.items()]
    bars = ax.barh(y, cents.to_numpy(), color=colours, height=0.7)
    for bar, v in zip(bars, cents.to_numpy()):
        if v < 0:
            bar.set(hatch=LOSS_HATCH, edgecolor="white", linewidth=0)
    for yi, v in zip(y, cents.to_numpy()):
        ax.annotate(f"{v:+.1f}" if v < 0 else f"{v:.1f}", xy=(v, yi), xytext=(3 if v >= 0 else -3, 0),
                    textcoords="offset points", va="center", ha="left" if v >= 0 else "right", fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, list(cents.index), fontsize=8)
    lo, hi = min(0.0, cents.min()), max(0.0, cents.max())
    pad = 0.18 * (hi - lo or 1)
    ax.set_xlim(lo - (pad if lo < 0 else 0), hi + pad)
    ax.set_xlabel("cents of each dollar the end user pays")
    ax.set_title(title, fontsize=10)


def dollar_split(shares: pd.Series, layer_of: dict, title: str, note: str = ""):
    """Figure version of :func:`draw_dollar_split`."""
    fig, ax = new_figure(7, 3.8)
    draw_dollar_split(ax, shares, layer_of, title)
    if note:
        source_note(ax, note)
    return fig


def break_even(price: float, cost_at_full_utilization: float, training_usd_per_m: float, cuts, title: str,
               note: str = "", *, xlabel: str = "utilization (share of paid GPU-hours spent serving)",
               ylabel: str = "margin, US$ per million output tokens"):
    """Model company's margin per million tokens against utilization, for the price and price cuts."""
    fig, ax = new_figure(7, 3.8)
    u = np.linspace(0.05, 1.0, 200)
    for i, cut in enumerate(cuts):
        p = price * (1 - cut)
        margin = p - cost_at_full_utilization / u - training_usd_per_m
        label = "list price" if cut == 0 else f"price cut {cut:.0%}"
        line, = ax.plot(u, margin, lw=2 if cut == 0 else 1.3, label=f"{label}: ${p:.3f}/M")
        if p > training_usd_per_m:
            ub = cost_at_full_utilization / (p - training_usd_per_m)
            if ub <= 1:
                ax.plot([ub], [0], "o", color=line.get_color(), ms=5)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylim(-2 * price, price)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    if note:
        source_note(ax, note)
    return fig


def draw_pnl(axes, pnl: pd.DataFrame, title: str) -> None:
    """Two panels: monthly revenue, costs and profit; and your price against the market's."""
    ax1, ax2 = axes
    ax1.clear()
    ax2.clear()
    m = pnl["month"].to_numpy()
    ax1.bar(m - 0.2, pnl["revenue"] / 1e3, width=0.4, color=COLOURS["input"], label="revenue")
    ax1.bar(m + 0.2, (pnl["variable_cost"] + pnl["fixed_cost"]) / 1e3, width=0.4, color=COLOURS["grey"],
            label="costs")
    ax1.plot(m, pnl["cumulative_profit"] / 1e3, color=COLOURS["output"], marker="o", ms=3,
             label="cumulative profit")
    ax1.axhline(0, color="black", lw=0.8)
    ax1.set_xlabel("month")
    ax1.set_ylabel("US$ thousand")
    ax1.set_title(title, fontsize=10)
    ax1.legend(fontsize=7, loc="upper left")
    ax1.set_xticks(m)
    ax2.plot(m, pnl["market_price"], color=COLOURS["grey"], ls="--", label="competitors' price")
    ax2.plot(m, pnl["your_price"], color=COLOURS["model"], lw=2, label="your price")
    sold = pnl["units_sold"].to_numpy()
    total_cost = (pnl["variable_cost"] + pnl["fixed_cost"]).to_numpy()
    average = np.divide(total_cost, sold, out=np.full(len(sold), np.nan), where=sold > 0)
    ax2.plot(m, average, color=COLOURS["output"], lw=1, label="your average cost per unit sold")
    ax2.set_xlabel("month")
    ax2.set_ylabel("US$ per unit")
    ax2.set_title("prices", fontsize=10)
    ax2.legend(fontsize=7)
    ax2.set_xticks(m)


def pnl(pnl_table: pd.DataFrame, title: str):
    """Figure version of :func:`draw_pnl`."""
    fig, axes = new_figure(9, 3.6, 1, 2, width_ratios=[3, 2])
    draw_pnl(axes, pnl_table, title)
    return fig


def tornado(table: pd.DataFrame, title: str, *, xlabel: str, labels: dict | None = None,
            formats: dict | None = None, threshold: float | None = 0.0, value_format: str = "{:+.2f}",
            percent: bool = False, note: str = ""):
    """A tornado chart from :func:`token_economy.sensitivity.tornado` (or ``sensitivity``), widest bar on top.

    Each bar runs from the output at an input's low value to the output at its high value, the other
    inputs at their base values; the bar is split at the base output. Inputs are labelled with their range
    (``formats``: ``{input: "{:.0%}"}``), a flip value when the table has one, and the basis of the range.
    ``threshold``: a dashed line where the verdict flips (None: no line). ``percent``: the output is a share
    (a margin) and the axis is labelled in percent.
    """
    labels, formats = dict(labels or {}), dict(formats or {})
    rows = table.iloc[::-1]
    n = len(rows)
    fig, ax = new_figure(8, 1.0 + 0.55 * n)
    base = float(table["output_at_base"].iloc[0])
    lo_colour, hi_colour = PALETTE["blue"], PALETTE["orange"]   # safe for colour-blind readers
    for y, r in enumerate(rows.itertuples()):
        for end, colour in ((r.output_at_low, lo_colour), (r.output_at_high, hi_colour)):
            ax.barh(y, end - base, left=base, color=colour, height=0.6)
        fmt = formats.get(r.input, "{:g}")
        for end, text in ((r.output_at_low, fmt.format(r.low)), (r.output_at_high, fmt.format(r.high))):
            right = end >= base
            ax.annotate(text, xy=(end, y), xytext=(3 if right else -3, 0), textcoords="offset points",
                        va="center", ha="left" if right else "right", fontsize=7)
    ticks = []
    for r in rows.itertuples():
        fmt = formats.get(r.input, "{:g}")
        flip = getattr(r, "flip", None)
        flip_text = "no flip in range" if flip is None and hasattr(r, "flip") else (
            f"flips at {fmt.format(flip)}" if flip is not None else "")
        basis = f" [{r.basis}]" if getattr(r, "basis", "") else ""
        ticks.append(f"{labels.get(r.input, r.input)}{basis}\n{flip_text}".rstrip())
    ax.set_yticks(range(n), ticks, fontsize=7)
    ax.axvline(base, color="black", lw=0.8)
    ax.annotate(f"base {value_format.format(base)}", xy=(base, n - 0.4), ha="center", fontsize=7)
    if threshold is not None:
        ax.axvline(threshold, color=COLOURS["grey"], ls="--", lw=1)
    ax.set_ylim(-0.6, n - 0.1)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ends = [base, *table["output_at_low"], *table["output_at_high"]] + ([threshold] if threshold is not None else [])
    lo, hi = min(ends), max(ends)
    pad = 0.15 * (hi - lo or 1)
    ax.set_xlim(lo - pad, hi + pad)
    if percent:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.legend(handles=[Patch(color=lo_colour, label="input at its low value"),
                       Patch(color=hi_colour, label="input at its high value")], fontsize=7, loc="lower right")
    if note:
        source_note(ax, note)
    return fig


def memory_two_scales(rec: dict, *, memory_profit_usd_bn: float, nvidia_profit_usd_bn: float, title: str,
                      note: str = ""):
    """One picture of memory's two scales, from :func:`token_economy.profit.memory_reconciliation`.

    Left: the memory maker's cents of one end-user dollar (HBM inside the GPU only). Middle: the memory
    makers' quarterly operating profit next to Nvidia's. Right: DRAM industry revenue by quarter, with
    2025's average quarter of HBM for AI chips marked and the contract-price rises of conventional DRAM
    written over the bars: the money comes from every DRAM and SSD that AI makes scarce, not from the
    HBM slice of each token alone.
    """
    fig, (ax1, ax2, ax3) = new_figure(10, 3.8, 1, 3, width_ratios=[1, 1.2, 2.6])
    cents = rec["memory_cents_per_dollar"]
    ax1.bar(0, 100 - cents, color=COLOURS["grey"], width=0.6, label="everyone else")
    ax1.bar(0, cents, bottom=100 - cents, color=SLICE_COLOURS["memory"], width=0.6, label="memory maker (HBM)")
    ax1.annotate(f"{cents:.1f} cents", xy=(0.32, 100 - cents / 2), va="center", fontsize=8,
                 color=SLICE_COLOURS["memory"])
    ax1.set_xticks([0], ["one dollar\nof tokens"])
    ax1.set_xlim(-0.5, 1.2)
    ax1.set_ylim(0, 100)
    ax1.set_ylabel("cents")
    ax1.set_title("per token", fontsize=10)
    ax2.bar([0, 1], [memory_profit_usd_bn, nvidia_profit_usd_bn], color=[SLICE_COLOURS["memory"], COLOURS["grey"]],
            width=0.6)
    for x, v in enumerate([memory_profit_usd_bn, nvidia_profit_usd_bn]):
        ax2.annotate(f"${v:,.0f} bn", xy=(x, v), ha="center", va="bottom", fontsize=8)
    ax2.set_xticks([0, 1], ["3 memory\nmakers", "Nvidia"])
    ax2.set_ylabel("operating profit in a quarter, US$ bn")
    ax2.set_title("in aggregate", fontsize=10)
    ax2.set_ylim(0, max(memory_profit_usd_bn, nvidia_profit_usd_bn) * 1.18)
    rev = rec["dram_revenue_by_quarter"]
    x = np.arange(len(rev))
    ax3.bar(x, rev.to_numpy(), color=SLICE_COLOURS["memory"], alpha=0.55, width=0.6, label="DRAM industry revenue")
    hbm_q = rec["hbm_spending_2025"] / 4
    ax3.hlines(hbm_q, -0.4, 3.4, color="black", lw=1.5, label=f"HBM for AI chips, 2025 average quarter (${hbm_q:.0f} bn)")
    for xi, v in zip(x, rev.to_numpy()):
        ax3.annotate(f"${v:,.0f}", xy=(xi, v), ha="center", va="bottom", fontsize=8)
    for i, (period, change) in enumerate(rec["conventional_price_change"].items()):
        if period in rev.index:
            text = f"conventional\nDRAM prices\n{change:+.0%}" if i == 0 else f"{change:+.0%}"
            ax3.annotate(text, xy=(list(rev.index).index(period), rev[period] * 0.5), ha="center", fontsize=7)
    ax3.set_xticks(x, list(rev.index), fontsize=8)
    ax3.set_ylabel("US$ bn per quarter")
    ax3.set_ylim(0, float(rev.max()) * 1.15)
    ax3.set_title("where it comes from: all of DRAM", fontsize=10)
    ax3.legend(fontsize=7, loc="upper left")
    fig.suptitle(title, fontsize=11, fontweight="bold")
    if note:
        source_note(ax3, note)
    return fig


def table(df: pd.DataFrame, formats: dict | None = None, *, index: bool = False):
    """:func:`token_economy.display.table` (no bare 0..n index, integers as integers, yes/no, missing
    values as "n/a", no maths typesetting of "$"), then ``formats`` per column (``"${:,.2f}"``,
    ``"{:.0%}"`` ...) for the money and shares of notebooks 06 and 08; ``index=True`` keeps the index."""
    from ..display import table as people_table

    styler = people_table(df, index=index)
    return styler.format(formats, na_rep="n/a") if formats else styler
