"""Figures of notebook 05: price ladders, ranked bills, and prices over time.

Each function takes the tables of :mod:`token_economy.pricing` and returns a
matplotlib ``Figure`` (``draw_*`` variants draw into an existing axes, for the
explorer's persistent figure). What it leaves out: any computation of prices.
"""

from __future__ import annotations

import html

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from . import COLOURS, CYCLE, key_mark, new_figure, source_note

SPLIT = [("usd_input_month", "input", COLOURS["input"]),
         ("usd_cached_input_month", "cached input", COLOURS["cached"]),
         ("usd_cache_write_month", "cache write", COLOURS["memory"]),
         ("usd_output_month", "output", COLOURS["output"])]


def price_ladder(sheet: pd.DataFrame, as_of: str):
    """Input, cached-input and output price of each model (log scale), dearest output on top."""
    df = sheet.sort_values("usd_per_m_output")
    fig, ax = new_figure(8, max(3.5, 0.2 * len(df) + 1))
    y = np.arange(len(df))
    ax.scatter(df["usd_per_m_cached_input"], y, marker="|", s=80, color=COLOURS["cached"], label="cached input")
    ax.scatter(df["usd_per_m_input"], y, marker="o", s=18, color=COLOURS["input"], label="input")
    ax.scatter(df["usd_per_m_output"], y, marker="s", s=18, color=COLOURS["output"], label="output")
    ax.hlines(y, df[["usd_per_m_cached_input", "usd_per_m_input"]].min(axis=1), df["usd_per_m_output"],
              color=COLOURS["grey"], lw=0.6)
    for yi, (_, r) in zip(y, df.iterrows()):   # a missing cached price is said, not left blank
        if pd.isna(r["usd_per_m_cached_input"]):
            ax.annotate("cached: n/a", (r["usd_per_m_input"], yi), xytext=(-6, 0), textcoords="offset points",
                        ha="right", va="center", fontsize=6, color=COLOURS["grey"])
    ax.set_yticks(y, [f"{m} ({p})" for m, p in zip(df["model_id"], df["provider"])], fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel("US$ per million tokens (log scale)")
    ax.set_title(f"Price sheet: first context tier of each model, as of {as_of}")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def draw_bills(ax, ranked: pd.DataFrame, title: str, top: int = 15) -> None:
    """Stacked horizontal bars of the monthly bill (input, cached, write, output), cheapest on top."""
    ax.clear()
    df = ranked.head(top).iloc[::-1]
    y = np.arange(len(df))
    left = np.zeros(len(df))
    for col, label, colour in SPLIT:
        vals = df[col].to_numpy()
        if vals.any():
            ax.barh(y, vals, left=left, color=colour, label=label, height=0.7)
        left += vals
    ax.set_yticks(y, [f"{m} ({p})" for m, p in zip(df["model_id"], df["provider"])], fontsize=7)
    ax.set_xlabel("US$ per month")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=7)


def bills(ranked: pd.DataFrame, title: str, top: int = 15):
    """The ranked monthly bills of :func:`token_economy.pricing.compare` as a figure."""
    fig, ax = new_figure(8, max(3.5, 0.25 * min(top, len(ranked)) + 1.2))
    draw_bills(ax, ranked, title, top)
    return fig


def spread(bills_by_workload: dict[str, pd.DataFrame], as_of: str):
    """Cheapest, median and dearest monthly bill for several workloads (log scale); priced bills only."""
    fig, ax = new_figure(7.5, 3.4)
    names = list(bills_by_workload)
    for i, name in enumerate(names):
        b = bills_by_workload[name]
        m = b.loc[b["priced"], "usd_per_month"] if "priced" in b else b["usd_per_month"]
        ax.plot([m.min(), m.max()], [i, i], color=COLOURS["grey"], lw=2, zorder=1)
        ax.scatter(m, np.full(len(m), i), s=14, color=CYCLE[i % len(CYCLE)], alpha=0.6, zorder=2)
        ax.annotate(f"{m.max() / m.min():,.0f}x", (m.max(), i), xytext=(6, -3), textcoords="offset points", fontsize=8)
    ax.set_yticks(range(len(names)), names)
    ax.set_xscale("log")
    ax.set_xlabel("US$ per month (log scale); each dot is one model")
    ax.set_title(f"The model supermarket: one workload, many bills (prices as of {as_of})")
    return fig


def history(hist: pd.DataFrame, fits: dict[str, tuple[float, pd.Series, pd.Series]], price_col: str = "blended"):
    """Launch prices over time (log scale) with fitted trend lines.

    ``fits`` maps a segment name to ``(factor per year, dates, fitted prices)``.
    """
    fig, ax = new_figure(8, 4.2)
    segments = list(dict.fromkeys(hist["segment"]))
    for i, seg in enumerate(segments):
        s = hist[hist["segment"] == seg]
        colour = CYCLE[i % len(CYCLE)]
        ax.scatter(s["date"], s[price_col], color=colour, label=seg, zorder=3)
        for _, r in s.iterrows():
            ax.annotate(r["model"], (r["date"], r[price_col]), xytext=(4, 3), textcoords="offset points", fontsize=7)
        if seg in fits:
            factor, dates, fitted = fits[seg]
            ax.plot(dates, fitted, color=colour, lw=1.2, ls="--",
                    label=f"{seg} trend: /{factor:.1f} per year")
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=[1, 7]))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.set_yscale("log")
    ax.set_ylabel("US$ per million tokens\n(blend: 3 input : 1 output)")
    ax.set_title("Launch prices of notable models")
    ax.legend(fontsize=7, loc="lower left", ncol=2)
    source_note(ax, "Sources: data/price_history.csv (announcements, DeepSeek API docs, LiteLLM price database)")
    return fig


def bills_html(ranked: pd.DataFrame, highlight: str | None = None, top: int = 15, extra: dict | None = None) -> str:
    """The cheapest ``top`` bills of :func:`token_economy.pricing.compare` as an HTML table with stacked bars.

    ``highlight`` (a model id) is a highlighted row (``te-highlight``: bold, on the theme's highlight
    colour, readable in light and dark themes), and added below the top rows if it ranks
    lower. ``extra``: ``{model_id: (provider, usd_per_month, note)}`` rows shown after the
    ranking with rank "n/a" (bills that are only an upper bound). An HTML table redraws in
    a few milliseconds; a matplotlib PNG takes about 0.2 s.

    >>> from token_economy import pricing
    >>> t = bills_html(pricing.compare(pricing.Workload(1, 100, 10), ["gpt-4o", "gpt-4o-mini"]), highlight="gpt-4o", top=1)
    >>> t.count("<tr"), t.count('class="te-highlight"')
    (3, 1)
    """
    from .. import checks

    top = checks.whole("top", top, minimum=1)
    rows = ranked.head(top)
    if highlight is not None and highlight in set(ranked["model_id"]) and highlight not in set(rows["model_id"]):
        rows = pd.concat([rows, ranked[ranked["model_id"] == highlight]])
    scale = float(rows["usd_per_month"].max()) or 1.0
    out = []
    for rank, r in rows.iterrows():
        bar = "".join(f'<span class="te-bar" style="height:10px;background:{colour};'
                      f'width:{200 * r[col] / scale:.1f}px"></span>' for col, _, colour in SPLIT if r[col] > 0)
        row = '<tr class="te-highlight">' if r["model_id"] == highlight else "<tr>"
        out.append(f'{row}<td class="te-num">{rank}</td><td>{html.escape(str(r["model_id"]))}</td>'
                   f'<td>{html.escape(str(r["provider"]))}</td><td class="te-num">${r["usd_per_month"]:,.2f}</td>'
                   f'<td class="te-num">{r["times_cheapest"]:.1f}x</td><td>{bar}</td></tr>')
    for model_id, (provider, usd, note) in (extra or {}).items():
        row = '<tr class="te-highlight">' if model_id == highlight else "<tr>"
        out.append(f'{row}<td>n/a</td><td>{html.escape(str(model_id))}</td><td>{html.escape(str(provider))}</td>'
                   f'<td class="te-num">at most ${usd:,.2f}</td><td class="te-num">n/a</td>'
                   f'<td><small>{html.escape(note)}</small></td></tr>')
    legend = " ".join(f"{key_mark(colour)}{label}" for _, label, colour in SPLIT)
    return ('<table class="te-table mathjax_ignore"><tr><th>rank</th><th>model</th><th>provider</th><th>US$ / month</th>'
            f'<th>x cheapest</th><th>{legend}</th></tr>{"".join(out)}</table>')
