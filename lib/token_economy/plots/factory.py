"""Figures of notebooks 03 and 04: the roofline, cost against batch size, the cost-speed frontier,
the parts of a GPU-hour, and memory against HBM.

Each function draws into an ``ax`` it is given (so the explorers can redraw a
persistent figure) or makes a new figure and returns it.

    >>> fig = roofline_chart("H100-SXM", "llama-3.1-70b", batches=[1, 64], context_tokens=4096, n_gpus=2)
    >>> type(fig).__name__
    'Figure'
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from .. import factory, hardware
from . import COLOURS, CYCLE, PALETTE, new_figure


def _plain_log(ax, which="xy"):
    """Log axes with plain tick labels (1, 10, 100) and no minor ticks: easier to read, much faster to draw."""
    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}")
    for name in which:
        axis = ax.xaxis if name == "x" else ax.yaxis
        if getattr(axis, "_te_plain_log", False):
            continue  # already set up: re-setting locators rebuilds every tick (slow)
        axis._te_plain_log = True
        axis.set_major_locator(LogLocator(base=10, numticks=8))
        axis.set_major_formatter(fmt)
        axis.set_minor_locator(NullLocator())


def _axes(ax, width=7.0, height=4.0):
    if ax is None:
        fig, ax = new_figure(width, height)
        return fig, ax
    return ax.figure, ax


def _log(ax):
    """Both axes logarithmic, without resetting them when they already are (keeps redraws fast)."""
    if ax.get_xscale() != "log":
        ax.set_xscale("log")
    if ax.get_yscale() != "log":
        ax.set_yscale("log")
    _plain_log(ax)


def soft_clear(ax) -> None:
    """Remove the data drawn on ``ax`` but keep its axes and ticks (much faster than ``ax.clear()``)."""
    for artist in [*ax.lines, *ax.collections, *ax.texts, *ax.patches, *ax.images]:
        artist.remove()
    ax.containers.clear()  # bar containers would otherwise pile up (and feed the legend)
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.relim()


def roofline_chart(gpu, model=None, batches=(1, 8, 64, 512), context_tokens=4096, n_gpus=1, *,
                   highlight=None, ax=None, weight_bytes=None, kv_bytes=2, layout=None):
    """The roofline of ``gpu``: attainable TFLOP/s against arithmetic intensity (FLOPs per byte).

    Points show decoding steps of ``model`` at each batch size that fits next to the weights on
    ``n_gpus`` (larger ones are left out and the legend says how many fit); ``highlight`` marks one batch.
    """
    g = hardware.get_gpu(gpu)
    fig, ax = _axes(ax)
    wb = hardware.get_model(model).weight_bytes if (model is not None and weight_bytes is None) else (weight_bytes or 2)
    peak = g.peak_flops(wb) / 1e12
    bw = g.hbm_tb_s
    ridge = peak / bw
    x = np.logspace(-1, 4, 200)
    ax.plot(x, np.minimum(peak, bw * x), color=COLOURS["grey"], lw=2)
    ax.axvline(ridge, color=COLOURS["grey"], ls=":", lw=1)
    ax.annotate(f"ridge: {ridge:,.0f} FLOP/byte", (ridge, peak), xytext=(6, -40), textcoords="offset points",
                fontsize=8, color=COLOURS["grey"])
    ax.fill_between(x, 0, np.minimum(peak, bw * x), where=x < ridge, color=COLOURS["memory"], alpha=0.06)
    ax.fill_between(x, 0, np.minimum(peak, bw * x), where=x >= ridge, color=COLOURS["compute"], alpha=0.06)
    ax.text(0.02, 0.95, "memory-bound", transform=ax.transAxes, color=COLOURS["memory"], fontsize=9, va="top")
    ax.text(0.98, 0.05, "compute-bound", transform=ax.transAxes, color=COLOURS["compute"], fontsize=9,
            ha="right")
    if model is not None:
        m = hardware.get_model(model)
        kw = dict(weight_bytes=weight_bytes, kv_bytes=kv_bytes, layout=layout)
        top = hardware.max_batch(m, g, max(context_tokens, 1), n_gpus, **kw)
        fitting = [b for b in batches if 1 <= b <= top]
        label = f"{hardware.display_name(m)}, {context_tokens:,}-token context, {n_gpus} GPU" + (
            "s" if n_gpus > 1 else "")
        if len(fitting) < len(batches):
            label += f" (at most {top:,} fit)"
        if fitting:
            steps = hardware.decode_step_arrays(m, g, fitting, context_tokens, n_gpus, weight_bytes, kv_bytes,
                                                layout=layout)
            intensity = steps["flops"] / steps["bytes_read"]
            achieved = steps["flops"] / steps["seconds"] / n_gpus / 1e12
            ax.plot(intensity, achieved, "o-", color=COLOURS["model"], ms=5, lw=1, label=label)
            for b, xi, yi in zip(fitting, intensity, achieved):
                ax.annotate(f"{b:g}", (xi, yi), xytext=(4, 4), textcoords="offset points", fontsize=7)
        if highlight is not None and 1 <= highlight <= max(top, 1):
            s = hardware.decode_step(m, g, highlight, context_tokens, n_gpus, **kw)
            ax.plot([s.arithmetic_intensity], [s.flops / s.seconds / n_gpus / 1e12], "*", ms=14,
                    color=COLOURS["output"], label=f"batch {highlight:g}: {s.bottleneck}-bound")
        ax.legend(loc="upper left", bbox_to_anchor=(0, 0.88), fontsize=8)
    _log(ax)
    ax.set_xlim(0.1, 1e4)
    ax.set_ylim(peak / 3000, peak * 2.5)
    ax.set_xlabel("arithmetic intensity (FLOPs per byte read from HBM)")
    ax.set_ylabel("TFLOP/s per GPU")
    ax.set_title(f"Roofline of one {g.gpu_id}: {peak:,.0f} TFLOP/s, {bw:g} TB/s")
    return fig


def cost_vs_batch_chart(model, gpu, *, context_tokens=4096, n_gpus=None, usd_per_gpu_hour=None, highlight=None,
                        ax=None, **frontier_options):
    """$ per million output tokens against batch size on one deployment, up to the largest batch that fits.

    ``n_gpus=None``: the smallest real deployment that holds the weights; the curve is
    :func:`token_economy.factory.frontier` restricted to that size (``frontier_options`` pass on).
    """
    m, g = hardware.get_model(model), hardware.get_gpu(gpu)
    fig, ax = _axes(ax)
    kw = {k: frontier_options[k] for k in ("weight_bytes", "kv_bytes", "layout") if k in frontier_options}
    if n_gpus is None:
        n_gpus = hardware.smallest_deployment(m, g, context_tokens, highlight or 1, **kw)
    layouts = frontier_options.pop("layout", None) or hardware.default_layout(m)
    t = factory.frontier(m, g, context_tokens, n_gpus=n_gpus, layouts=layouts, usd_per_gpu_hour=usd_per_gpu_hour,
                         points=40, **frontier_options)
    batches, usd = t["batch"].to_numpy(dtype=float), t["usd_per_m_output"].to_numpy()
    mem = (t["bottleneck"] == "memory").to_numpy()
    ax.plot(batches, usd, color=COLOURS["grey"], lw=1)
    for where, name in ((mem, "memory"), (~mem, "compute")):
        if where.any():
            ax.plot(batches[where], usd[where], "o", ms=3, color=COLOURS[name], label=f"{name}-bound")
    top = int(batches.max())
    if highlight is not None and 1 <= highlight <= top:
        options = {k: v for k, v in frontier_options.items()
                   if k in ("weight_bytes", "kv_bytes", "utilization", "load_factor")}
        s = factory.serving_cost(m, g, batch=highlight, context_tokens=context_tokens, n_gpus=n_gpus, layout=layouts,
                                 usd_per_gpu_hour=usd_per_gpu_hour, **options)
        ax.plot([highlight], [s.usd_per_m_output_tokens], "*", ms=14, color=COLOURS["output"],
                label=f"batch {highlight:,}: ${s.usd_per_m_output_tokens:,.3f} per M")
    _log(ax)
    ax.autoscale_view()
    ax.set_xlabel(f"batch (sequences decoded together; at most {top:,} fit)")
    ax.set_ylabel("$ per million output tokens")
    ax.set_title(f"{hardware.display_name(m)}: {n_gpus} x {g.gpu_id}, {context_tokens:,} tokens")
    ax.legend(fontsize=8)
    return fig


def frontier_chart(tables: dict, *, speed=None, highlight=None, ax=None, title=None, show_all=True):
    """The cost-speed frontier: $ per million output tokens against output tokens/s each user sees.

    ``tables``: ``{label: factory.frontier(...)}``, one curve each (its ``on_frontier`` points; with
    ``show_all`` the other feasible points faintly). ``speed``: the service level, a dashed line and, on
    each curve, the cheapest point that keeps it (a diamond). ``highlight``: ``(tokens/s per user, $ per M,
    label)`` of one setting (a star).
    """
    fig, ax = _axes(ax)
    for i, (label, t) in enumerate(tables.items()):
        colour = CYCLE[i % len(CYCLE)]
        if show_all:
            ax.plot(t["tokens_per_s_per_user"], t["usd_per_m_output"], ".", ms=2, color=colour, alpha=0.25)
        f = t[t["on_frontier"]].sort_values("tokens_per_s_per_user")
        ax.plot(f["tokens_per_s_per_user"], f["usd_per_m_output"], "-", lw=2, color=colour, label=label)
        if speed is not None:
            best = factory.cost_at_speed(t, speed)
            if best is not None:
                ax.plot([best["tokens_per_s_per_user"]], [best["usd_per_m_output"]], "D", ms=7, color=colour,
                        markeredgecolor="black")
    if speed is not None:
        ax.axvline(speed, color=COLOURS["grey"], ls="--", lw=1)
        ax.annotate(f"{speed:g} tokens/s per user", (speed, 0), xycoords=("data", "axes fraction"),
                    xytext=(4, 6), textcoords="offset points", fontsize=8, color=COLOURS["grey"])
    if highlight is not None:
        x, y, text = highlight
        ax.plot([x], [y], "*", ms=14, color=COLOURS["output"], label=text, zorder=5)
    _log(ax)
    if not getattr(ax.xaxis, "_te_subs", False):  # a narrow range of speeds needs ticks at 2 and 5 too
        ax.xaxis._te_subs = True
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5), numticks=12))
    ax.autoscale_view()
    ax.set_xlabel("output tokens/s each user sees (faster to the right)")
    ax.set_ylabel("$ per million output tokens")
    ax.set_title(title or "The cost-speed frontier")
    ax.legend(fontsize=8, loc="upper left")
    return fig


#: Colours of the parts of a GPU-hour, from the palette (colour-blind safe); the GPU, power and capital
#: take the colours of the chip maker, electricity and capital in notebook 06's split of a dollar.
TCO_COLOURS = {"gpu": COLOURS["chip"], "server_and_network": PALETTE["sky_blue"], "power": COLOURS["electricity"],
               "hosting": PALETTE["bluish_green"], "maintenance": COLOURS["grey"], "capital": COLOURS["capital"]}


def tco_chart(table, rentals=None, ax=None):
    """Stacked bars: $ per GPU-hour by part for each GPU (``factory.tco_table()``), with rental prices as diamonds.

    ``rentals``: ``{gpu_id: $ per hour}`` (missing or None: no diamond); a line marks the GPU-only figure.
    """
    fig, ax = _axes(ax, 8.0, 3.8)
    gpus = list(table.index)
    x = np.arange(len(gpus))
    bottom = np.zeros(len(gpus))
    stack = []
    for part in factory.TCO_COMPONENTS:
        values = table[part].to_numpy()
        stack.append(ax.bar(x, values, bottom=bottom, color=TCO_COLOURS[part], width=0.6,
                            label=part.replace("_", " ")))
        bottom += values
    for xi, total in zip(x, bottom):
        ax.annotate(f"${total:.2f}", (xi, total), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8)
    others = []
    if "gpu_only" in table:
        others.append(ax.hlines(table["gpu_only"], x - 0.3, x + 0.3, colors="black", linestyles=":", lw=1.5,
                                label="GPU-only figure (card, its TDP, its rack space)"))
    rentals = rentals or {}
    rx = [xi for xi, g in zip(x, gpus) if rentals.get(g) is not None]
    ry = [rentals[g] for g in gpus if rentals.get(g) is not None]
    if rx:
        others.extend(ax.plot(rx, ry, "D", ms=8, color="black", label="rental price (data/gpus.csv)"))
    ax.set_xticks(x, gpus, fontsize=7, rotation=12)
    ax.set_ylabel("$ per GPU-hour")
    ax.set_title("What an owned GPU-hour costs, part by part, against the rental price")
    handles = stack[::-1] + others  # the stack's legend top-down, as the bars are drawn bottom-up
    ax.legend(handles, [h.get_label() for h in handles], fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def gpu_capacities(gpu_ids=None) -> list[tuple[float, list[str], str]]:
    """``(HBM GB, GPU ids, colour)`` for each distinct HBM size, smallest first (the dashed lines of :func:`memory_chart`)."""
    gpu_ids = gpu_ids or hardware.gpu_ids()
    by_capacity: dict[float, list[str]] = {}
    for gid in gpu_ids:
        by_capacity.setdefault(hardware.get_gpu(gid).hbm_gb, []).append(gid)
    return [(cap, ids, CYCLE[(i + 2) % len(CYCLE)]) for i, (cap, ids) in enumerate(sorted(by_capacity.items()))]


def memory_chart(model_ids, context_tokens, users, gpu_ids=None, *, kv_bytes=2, ax=None, gpu_key=True):
    """Stacked bars: weights + KV cache of ``users`` sequences, against the HBM of one GPU of each kind.

    ``gpu_key=False`` leaves the GPUs out of the legend (the explorer shows them as HTML, which is faster).
    """
    fig, ax = _axes(ax, 9.0, 3.8)
    names, weights, kvs = [], [], []
    for mid in model_ids:
        need = hardware.memory_needed_bytes(mid, context_tokens, users, kv_bytes=kv_bytes)
        names.append(hardware.display_name(mid))
        weights.append(need["weights"] / 1e9)
        kvs.append(need["kv_cache"] / 1e9)
    y = np.arange(len(names))
    ax.barh(y, weights, color=COLOURS["model"], label="weights")
    ax.barh(y, kvs, left=weights, color=COLOURS["memory"], label=f"KV cache: {users:,} users x {context_tokens:,} tokens")
    top = max(w + k for w, k in zip(weights, kvs))
    for yi, w, k in zip(y, weights, kvs):
        ax.annotate(f"{w + k:,.0f} GB", (w + k, yi), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=8)
    capacities = gpu_capacities(gpu_ids)
    for cap, ids, colour in capacities:
        ax.axvline(cap, color=colour, ls="--", lw=1.2, label=f"{cap:g} GB: {', '.join(ids)}" if gpu_key else None)
    ax.set_xlim(0, max(top, capacities[-1][0]) * 1.18)
    ax.set_yticks(y, names)
    if not ax.yaxis_inverted():
        ax.invert_yaxis()
    ax.set_xlabel("memory needed (GB = 10^9 bytes, as on datasheets); dashed lines: the HBM of one GPU")
    if gpu_key:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Memory needed vs one GPU's HBM")
    return fig


def kv_per_token_chart(model_ids=None, *, kv_bytes=2, ax=None):
    """Bars: KV cache per token (KB) for each model."""
    fig, ax = _axes(ax, 6.5, 3.0)
    model_ids = model_ids or hardware.model_ids()
    values = [hardware.kv_cache_bytes_per_token(m, kv_bytes) / 1e3 for m in model_ids]
    names = [hardware.display_name(m) for m in model_ids]
    bars = ax.barh(names, values, color=[COLOURS["memory"] if hardware.get_model(m).attention == "gqa"
                                         else COLOURS["cached"] for m in model_ids])
    ax.bar_label(bars, [f"{v:,.0f} KB" for v in values], padding=3, fontsize=8)
    if not ax.yaxis_inverted():
        ax.invert_yaxis()
    ax.set_xlabel(f"KV cache per token (KB = 1,000 bytes, {'BF16' if kv_bytes == 2 else 'FP8'})")
    ax.set_title("How much memory one token of context keeps")
    ax.set_xlim(0, max(values) * 1.25)
    return fig


def component_share_chart(table, ax=None):
    """Stacked bars of component shares (percent) per period, from ``data/memory_cost_share.csv`` rows."""
    fig, ax = _axes(ax, 8.0, 2.6)
    shares = table.pivot_table(index="period", columns="component", values="share_pct", aggfunc="sum")
    order = [c for c in ["HBM memory", "logic dies", "advanced packaging (CoWoS)", "auxiliary components"]
             if c in shares.columns]
    left = np.zeros(len(shares))
    colours = [COLOURS["memory"], COLOURS["compute"], COLOURS["model"], COLOURS["grey"]]
    for comp, colour in zip(order, colours):
        vals = shares[comp].to_numpy()
        ax.barh(shares.index, vals, left=left, color=colour, label=comp)
        for yi, (l, v) in enumerate(zip(left, vals)):
            ax.text(l + v / 2, yi, f"{v:.0f}%", ha="center", va="center", color="white", fontsize=8)
        left += vals
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of AI chip component spending (%)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("Where the money for an AI chip's parts goes (Epoch AI estimates)")
    return fig
