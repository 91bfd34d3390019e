"""Figures of notebook 07: Gaussian runs collapsing, tails vanishing, and a word model losing its words.

Each ``*_figure`` function makes a new figure with :func:`token_economy.plots.new_figure`.

    >>> from token_economy import collapse
    >>> fig = gaussian_figure(collapse.gaussian_generations(20, 10, runs=30, seed=0))
    >>> len(fig.axes)
    2

The explorers draw with :class:`GaussianPanels` and :class:`TextPanels`, which create
their artists once and update them in place (clearing and redrawing axes costs most
of an explorer's update).

What it leaves out: any computation beyond summaries (medians, quantiles) of the
arrays that :mod:`token_economy.collapse` returns.
"""

from __future__ import annotations

import html

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.ticker import MaxNLocator

from .. import collapse
from . import COLOURS, CYCLE, PALETTE, key_mark, new_figure

#: Human data, and a model fed only on its own output: blue against vermillion (colour-blind safe,
#: never green against red). Runs that keep human data (accumulate) take bluish green.
HUMAN = COLOURS["human"]
MODEL = COLOURS["synthetic"]
MIXED = PALETTE["bluish_green"]
#: Series of a panel that also shows the human reference: the cycle without the human colour.
SERIES = [c for c in CYCLE if c != HUMAN]


def _fast_axes(ax, x_ticks: int) -> None:
    """Fewer tick labels (each costs about a millisecond to draw) and fixed axis-label positions.

    A fixed label position (``set_label_coords``) spares matplotlib measuring every tick
    label of the figure to place the axis labels on each redraw.
    """
    ax.xaxis.set_major_locator(MaxNLocator(x_ticks, integer=True, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_label_coords(0.5, -0.11)
    ax.yaxis.set_label_coords(-0.08, 0.5)


class GaussianPanels:
    """Two panels of Gaussian runs, drawn once and then updated in place (fast enough for an explorer).

    Left: the fitted standard deviation per generation (some single runs, the median and
    the 10-90% band of runs, the theory for a typical run); right: histograms of the
    fitted spread across runs at a few generations. :meth:`update` changes the data of
    existing artists instead of clearing the axes, which saves most of a redraw.
    """

    SHOWN_RUNS = 25

    def __init__(self, ax_fan, ax_hist, colour: str = MODEL, *, legend: bool = True):
        self.ax_fan, self.ax_hist, self.colour, self.show_legend = ax_fan, ax_hist, colour, legend
        self.paths = LineCollection([], colors=colour, linewidths=0.5, alpha=0.25)
        ax_fan.add_collection(self.paths)
        self.band = ax_fan.fill_between([0, 1], [0, 0], [0, 0], color=colour, alpha=0.18, lw=0, label="10-90% of runs")
        (self.median,) = ax_fan.plot([], [], color=colour, lw=2.2, label="median over runs")
        (self.theory,) = ax_fan.plot([], [], color="black", lw=1, ls="--")
        ax_fan.axhline(1, color=HUMAN, lw=1, ls=":", label="human data (sd 1)")
        ax_fan.set_xlabel("generation")
        ax_fan.set_ylabel("fitted standard deviation")
        self.fan_title = ax_fan.set_title(" ", y=1.0)      # a fixed y skips matplotlib's title placement pass
        if not legend:   # an explorer shows the titles and legends as HTML (text is most of a redraw)
            for ax in (ax_fan, ax_hist):
                _fast_axes(ax, x_ticks=5)
        self.steps = [ax_hist.stairs([0], [0, 1], lw=1.6, color=c, baseline=0) for c in SERIES[:4]]
        ax_hist.axvline(1, color=HUMAN, lw=1, ls=":")
        ax_hist.set_xlabel("fitted standard deviation")
        ax_hist.set_ylabel("runs")
        self.hist_title = ax_hist.set_title("Spread of the fits across runs", y=1.0)
        if not legend:
            self.fan_title.set_visible(False)
            self.hist_title.set_visible(False)
        self._legends = (None, None)

    def update(self, runs: collapse.GaussianRuns, generations=None) -> None:
        """Show ``runs``; ``generations``: the generations shown as histograms (default: up to four)."""
        gens = np.arange(runs.generations + 1)
        paths = runs.std[: self.SHOWN_RUNS]
        self.paths.set_segments(np.stack([np.broadcast_to(gens, paths.shape), paths], axis=-1))
        q10, q50, q90 = np.quantile(runs.std, [0.1, 0.5, 0.9], axis=0)
        self.band.set_data(gens, q10, q90)
        self.median.set_data(gens, q50)
        drift = collapse.log_variance_drift(runs.sample_size, runs.unbiased)
        self.theory.set_data(gens, np.exp(drift * gens / 2))
        replaced = not runs.accumulate
        if runs.human_per_generation == 0 and replaced:
            self.theory.set(color="black", label="typical run, theory")
        else:
            self.theory.set(color=COLOURS["grey"], label="typical run with no human data, data replaced")
        self.ax_fan.set_xlim(0, max(runs.generations, 1))
        self.ax_fan.set_ylim(0, 1.05 * max(float(paths.max()), float(q90.max()), 1.0))
        share = f"{runs.human_share:.0%} human data" if runs.human_per_generation else "no human data"
        kept = ", data accumulate" if runs.accumulate else ""
        self.fan_title.set_text(f"{runs.runs} runs, M = {runs.sample_size}, {share}{kept}")

        g_max = runs.generations
        if generations is None:
            generations = sorted({1, max(1, g_max // 10), max(1, g_max // 2), g_max} - {0}) if g_max else [0]
        generations = list(generations)[: len(self.steps)]
        top = max(float(np.quantile(runs.std[:, generations], 0.99)), 1.2)
        edges = np.linspace(0, top, 40)
        highest = 1
        for step, g in zip(self.steps, generations):     # the widest 1% of runs are drawn in the last bin
            counts, _ = np.histogram(np.minimum(runs.std[:, g], top), bins=edges)
            step.set_data(counts, edges)
            step.set(visible=True, label=f"generation {g}")
            highest = max(highest, int(counts.max()))
        for step in self.steps[len(generations):]:
            step.set(visible=False, label="_hidden")
        self.ax_hist.set_xlim(0, top)
        self.ax_hist.set_ylim(0, 1.05 * highest)
        for ax in (self.ax_fan, self.ax_hist):   # data changed in place: the alt text reads the data limits
            ax.relim(visible_only=True)
        self._legend()

    def _legend(self) -> None:
        if not self.show_legend:
            return
        labels = (self.theory.get_label(), tuple(s.get_label() for s in self.steps if s.get_visible()))
        if labels != self._legends:       # a legend is rebuilt only when its entries change
            self.ax_fan.legend(fontsize=8, loc="upper right")
            self.ax_hist.legend(fontsize=8)
            self._legends = labels


    def key(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """The titles and legend entries of both panels: ``[(title, [(label, colour, marker), ...]), ...]``.

        ``marker`` is ``"band"``, ``"line"``, ``"dashed"`` or ``"dotted"``; an explorer shows them as HTML.
        """
        fan = [("10-90% of runs", self.colour, "band"), ("median over runs", self.colour, "line"),
               (self.theory.get_label(), self.theory.get_color(), "dashed"), ("human data (sd 1)", HUMAN, "dotted")]
        hist = [(s.get_label(), s.get_edgecolor(), "line") for s in self.steps if s.get_visible()]
        return [(self.fan_title.get_text(), fan), (self.hist_title.get_text(), hist)]


def key_html(key: list[tuple[str, list[tuple[str, str, str]]]]) -> str:
    """The titles and legends of :meth:`GaussianPanels.key` (or :meth:`TextPanels.key`) as one HTML line.

    Each entry is a shape in the series' colour (a swatch for a band, a short solid, dashed or
    dotted line otherwise, as ``te-swatch`` and ``te-line`` in collection.css draw them) before
    its label in the text colour: the label says what the colour means.

    >>> key_html([("A title", [("median <run>", "#2563eb", "line")])])
    '<div class="te-key"><b>A title</b>: <span class="te-line" style="border-color:#2563eb"></span>median &lt;run&gt;</div>'
    """
    parts = []
    for title, entries in key:
        items = " ".join(f"{key_mark(colour, marker)}{html.escape(label)}" for label, colour, marker in entries)
        parts.append(f"<b>{html.escape(title)}</b>: {items}" if title else items)
    return '<div class="te-key">' + " &nbsp;&middot;&nbsp; ".join(parts) + "</div>"


def gaussian_figure(runs: collapse.GaussianRuns):
    """Two panels: the runs over generations, and the distribution of their spread."""
    fig, (a, b) = new_figure(10, 3.8, 1, 2)
    GaussianPanels(a, b).update(runs)
    return fig


def accumulate_figure(replaced: collapse.GaussianRuns, accumulated: collapse.GaussianRuns,
                      text: dict | None = None):
    """Replace versus accumulate: the median fitted variance with its 10-90% band (and, given
    ``text = {label: TextRun}``, the word model's held-out perplexity) per generation."""
    fig, axes = new_figure(11 if text else 7, 3.8, 1, 2 if text else 1)
    ax = axes[0] if text else axes
    for colour, label, runs in ((MODEL, "data replaced", replaced), (MIXED, "data accumulate", accumulated)):
        gens = np.arange(runs.generations + 1)
        q10, q50, q90 = np.quantile(runs.std ** 2, [0.1, 0.5, 0.9], axis=0)
        ax.fill_between(gens, q10, q90, color=colour, alpha=0.15, lw=0)
        ax.plot(gens, q50, color=colour, lw=2, label=f"{label}: median, 10-90% of runs")
    ax.axhline(1, color=HUMAN, lw=1, ls=":", label="human data (variance 1)")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("generation")
    ax.set_ylabel("fitted variance")
    ax.set_title(f"Gaussian, M = {replaced.sample_size}, {replaced.runs} runs")
    ax.legend(fontsize=8, loc="upper right")
    if text:
        for (label, run), colour in zip(text.items(), (MODEL, MIXED, *SERIES[:2])):
            axes[1].plot(run.metrics.index, run.metrics["held_out_perplexity"], color=colour, lw=2, label=label)
        axes[1].set_xlabel("generation")
        axes[1].set_ylabel("perplexity on held-out human text")
        axes[1].set_title(f"Word model of {next(iter(text.values())).corpus.title}")
        axes[1].legend(fontsize=8)
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
    ax.set_title("The farther out, the faster it vanishes (median over runs)")
    ax.legend(fontsize=8)
    return fig


TEXT_PANELS = (("vocabulary_kept", "share of original words still used", True),
               ("entropy_bits", "entropy of word use (bits)", False),
               ("held_out_perplexity", "perplexity on held-out human text", False))


class TextPanels:
    """Vocabulary kept, entropy and held-out perplexity per generation, one line per run, updated in place."""

    MAX_RUNS = 4

    def __init__(self, axes, *, legend: bool = True):
        self.axes, self.show_legend = list(axes), legend
        self.lines = [[ax.plot([], [], lw=2)[0] for _ in range(self.MAX_RUNS)] for ax in self.axes]
        for ax, (_, ylabel, percent) in zip(self.axes, TEXT_PANELS):
            ax.set_xlabel("generation")
            ax.set_ylabel(ylabel)
            if percent:
                ax.set_ylim(0, 1.05)
                ax.yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
            if not legend:   # an explorer shows legend and panel names as HTML (text is most of a redraw)
                _fast_axes(ax, x_ticks=4)
                ax.yaxis.label.set_visible(False)
                ax.xaxis.label.set_visible(ax is self.axes[len(self.axes) // 2])
        self._labels = None

    def update(self, runs: dict, colours=None) -> None:
        """Show ``runs`` (``{label: TextRun}``, at most four); ``colours``: ``{label: colour}`` to override."""
        colours = colours or {}
        items = list(runs.items())[: self.MAX_RUNS]
        g_max = max(run.metrics.index.max() for _, run in items)
        for ax, lines, (column, _, percent) in zip(self.axes, self.lines, TEXT_PANELS):
            low, high = np.inf, -np.inf
            for i, line in enumerate(lines):
                if i < len(items):
                    label, run = items[i]
                    values = run.metrics[column].to_numpy()
                    line.set_data(run.metrics.index.to_numpy(), values)
                    line.set(visible=True, label=label, color=colours.get(label, SERIES[i % len(SERIES)]))
                    low, high = min(low, float(values.min())), max(high, float(values.max()))
                else:
                    line.set(visible=False, label="_hidden")
            ax.set_xlim(0, max(g_max, 1))
            ax.relim(visible_only=True)          # data changed in place: the alt text reads the data limits
            if not percent:
                pad = 0.05 * (high - low) or 0.05 * abs(high) or 1.0
                ax.set_ylim(low - pad, high + pad)
        labels = tuple(label for label, _ in items)
        if self.show_legend and labels != self._labels:
            self.axes[0].legend(fontsize=8)
            self._labels = labels


    def key(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """The legend entries, as in :meth:`GaussianPanels.key` (no title)."""
        return [("", [(line.get_label(), line.get_color(), "line") for line in self.lines[0] if line.get_visible()])]

    @staticmethod
    def names() -> list[str]:
        """The panels' names (their y-axis labels), left to right."""
        return [ylabel for _, ylabel, _ in TEXT_PANELS]


def panel_names_html(names: list[str]) -> str:
    """Names of side-by-side panels as an HTML row of equal columns (an explorer's axis labels).

    >>> panel_names_html(["a", "b<"])
    '<div class="te-panel-names" style="display:flex"><div style="flex:1;padding-left:4%"><small>a</small></div><div style="flex:1;padding-left:4%"><small>b&lt;</small></div></div>'
    """
    cells = "".join(f'<div style="flex:1;padding-left:4%"><small>{html.escape(n)}</small></div>' for n in names)
    return f'<div class="te-panel-names" style="display:flex">{cells}</div>'


def text_figure(runs: dict, colours=None):
    """Three panels comparing text runs (``{label: TextRun}``)."""
    fig, axes = new_figure(11, 3.5, 1, 3)
    TextPanels(axes).update(runs, colours)
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
