"""Figures of notebook 07: Gaussian runs collapsing, tails vanishing, and a word model losing its words.

Each ``draw_*`` function draws into given axes (the explorers reuse them); each
``*_figure`` function makes a new figure with :func:`token_economy.plots.new_figure`.

    >>> from token_economy import collapse
    >>> fig = gaussian_figure(collapse.gaussian_generations(20, 10, runs=30, seed=0))
    >>> len(fig.axes)
    2

What it leaves out: any computation beyond summaries (medians, quantiles) of the
arrays that :mod:`token_economy.collapse` returns.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from .. import collapse
from . import COLOURS, CYCLE, new_figure

HUMAN = "#16a34a"
MODEL = "#dc2626"


def draw_spread_fan(ax, runs: collapse.GaussianRuns, shown_runs: int = 25, colour: str = CYCLE[0],
                    theory: bool = True) -> None:
    """Fitted standard deviation per generation: some single runs, the median and the 10-90% band."""
    gens = np.arange(runs.generations + 1)
    paths = runs.std[:shown_runs]
    # One LineCollection instead of one Line2D per run: the same picture, drawn faster.
    ax.add_collection(LineCollection([np.column_stack([gens, p]) for p in paths], colors=colour, linewidths=0.5,
                                     alpha=0.25))
    q10, q50, q90 = np.quantile(runs.std, [0.1, 0.5, 0.9], axis=0)
    ax.fill_between(gens, q10, q90, color=colour, alpha=0.18, lw=0, label="10-90% of runs")
    ax.plot(gens, q50, color=colour, lw=2.2, label="median run")
    if theory and runs.human_per_generation == 0:
        drift = collapse.log_variance_drift(runs.sample_size, runs.unbiased)
        ax.plot(gens, np.exp(drift * gens / 2), color="black", lw=1, ls="--", label="typical run, theory")
    elif theory:
        drift = collapse.log_variance_drift(runs.sample_size, runs.unbiased)
        ax.plot(gens, np.exp(drift * gens / 2), color=COLOURS["grey"], lw=1, ls="--",
                label="typical run with no human data")
    ax.axhline(1, color=HUMAN, lw=1, ls=":", label="human data (sd 1)")
    ax.set_xlabel("generation")
    ax.set_ylabel("fitted standard deviation")
    ax.set_ylim(bottom=0)
    share = f"{runs.human_share:.0%} human data" if runs.human_per_generation else "no human data"
    ax.set_title(f"{runs.runs} runs, M = {runs.sample_size}, {share}")
    ax.legend(fontsize=8, loc="upper right")


def draw_spread_histograms(ax, runs: collapse.GaussianRuns, generations=None) -> None:
    """Histograms of the fitted standard deviation over runs at a few generations."""
    g_max = runs.generations
    if generations is None:
        generations = sorted({1, max(1, g_max // 10), max(1, g_max // 2), g_max} - {0}) if g_max else [0]
    top = max(float(np.quantile(runs.std[:, generations], 0.99)), 1.2)
    bins = np.linspace(0, top, 40)
    for colour, g in zip(CYCLE, generations):      # the widest 1% of runs are drawn in the last bin
        ax.hist(np.minimum(runs.std[:, g], top), bins=bins, histtype="step", lw=1.6, color=colour,
                label=f"generation {g}")
    ax.axvline(1, color=HUMAN, lw=1, ls=":")
    ax.set_xlabel("fitted standard deviation")
    ax.set_ylabel("runs")
    ax.set_title("Spread of the fits across runs")
    ax.legend(fontsize=8)


def gaussian_figure(runs: collapse.GaussianRuns):
    """Two panels: the runs over generations, and the distribution of their spread."""
    fig, (a, b) = new_figure(10, 3.8, 1, 2)
    draw_spread_fan(a, runs)
    draw_spread_histograms(b, runs)
    return fig


def speed_figure(runs_by_size: dict):
    """Median fitted variance per generation (log scale) for several sample sizes, with the theory."""
    fig, ax = new_figure(7, 4)
    for colour, (m, runs) in zip(CYCLE, sorted(runs_by_size.items())):
        gens = np.arange(runs.generations + 1)
        ax.plot(gens, np.median(runs.std ** 2, axis=0), color=colour, lw=2, label=f"M = {m}")
        drift = collapse.log_variance_drift(m, runs.unbiased)
        ax.plot(gens, np.exp(drift * gens), color=colour, lw=1, ls="--")
    ax.set_yscale("log")
    ax.set_xlabel("generation")
    ax.set_ylabel("median fitted variance (log scale)")
    ax.set_title("Smaller samples collapse faster (dashed: theory)")
    ax.legend(fontsize=8)
    return fig


def tails_figure(runs: collapse.GaussianRuns, beyond=(1.0, 2.0, 3.0)):
    """Median probability beyond 1, 2, 3 original standard deviations, relative to the human data."""
    fig, ax = new_figure(7, 4)
    gens = np.arange(runs.generations + 1)
    for colour, b in zip(CYCLE, beyond):
        ratio = collapse.tail_mass(runs.mean, runs.std, b) / float(collapse.tail_mass(0.0, 1.0, b))
        ax.plot(gens, np.median(ratio, axis=0), color=colour, lw=2, label=f"beyond {b:g} sd")
    ax.set_yscale("log")
    ax.set_xlabel("generation")
    ax.set_ylabel("probability / its value for human data")
    ax.set_title("The farther out, the faster it vanishes (median run)")
    ax.legend(fontsize=8)
    return fig


TEXT_PANELS = (("vocabulary_kept", "share of original words still used", True),
               ("entropy_bits", "entropy of word use (bits)", False),
               ("held_out_perplexity", "perplexity on held-out human text", False))


def draw_text_panels(axes, runs: dict, colours=None) -> None:
    """Vocabulary kept, entropy and held-out perplexity per generation, one line per run."""
    colours = colours or {}
    for i, (label, run) in enumerate(runs.items()):
        colour = colours.get(label, CYCLE[i % len(CYCLE)])
        for ax, (column, _, _) in zip(axes, TEXT_PANELS):
            ax.plot(run.metrics.index, run.metrics[column], color=colour, lw=2, label=label)
    for ax, (_, ylabel, percent) in zip(axes, TEXT_PANELS):
        ax.set_xlabel("generation")
        ax.set_ylabel(ylabel)
        if percent:
            ax.set_ylim(0, 1.05)
            ax.yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
    axes[0].legend(fontsize=8)


def text_figure(runs: dict, colours=None):
    """Three panels comparing text runs (``{label: TextRun}``)."""
    fig, axes = new_figure(11, 3.5, 1, 3)
    draw_text_panels(axes, runs, colours)
    first = next(iter(runs.values()))
    fig.suptitle(f"A word bigram model of {first.corpus.title} trained on its own text", fontweight="bold")
    return fig


def survival_figure(run: collapse.TextRun):
    """Share of the original words still used, by how often they occur in the human text."""
    fig, ax = new_figure(7, 4)
    for colour, band in zip(CYCLE, run.survival.columns):
        ax.plot(run.survival.index, run.survival[band], color=colour, lw=2, label=f"words {band}")
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
    ax.set_xlabel("generation")
    ax.set_ylabel("share still used")
    share = f"{run.human_share:.0%} human text per generation" if run.human_share else "no human text"
    ax.set_title(f"Rare words go first ({share})")
    ax.legend(fontsize=8)
    return fig
