"""Figures of notebooks 01 and 02: tokens per character, the language tax, BPE compression.

Each function takes a table from :mod:`token_economy.tokens`,
:mod:`token_economy.languages` or :mod:`token_economy.bpe` and returns a
matplotlib ``Figure`` (or draws into ``ax`` when given one, for explorers).
Labels are language names in English: no CJK glyphs inside figures.

    >>> from token_economy import languages
    >>> fig = premium_bars(languages.premium_table())
    >>> type(fig).__name__
    'Figure'

What it leaves out: interactivity (see :mod:`token_economy.widgets.tokens`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import COLOURS, new_figure, source_note


def _figure_of(ax, width, height):
    if ax is None:
        return new_figure(width, height)
    return ax.figure, ax


def rates_bars(rates: pd.DataFrame, encodings=("o200k_base", "cl100k_base"), ax=None):
    """Tokens per character of each labelled text, one bar per encoding, with the "one per character" line."""
    fig, ax = _figure_of(ax, 7, 3.6)
    labels = list(rates.index)
    y = np.arange(len(labels))
    height = 0.8 / len(encodings)
    for i, enc in enumerate(encodings):
        ax.barh(y + i * height, rates[f"{enc} tokens per character"], height=height,
                color=COLOURS.get(enc), label=enc)
    ax.axvline(1.0, color=COLOURS["output"], linestyle="--", linewidth=1)
    ax.text(0.99, 0.98, '"one token per character"', transform=ax.get_xaxis_transform(),
            color=COLOURS["output"], fontsize=8, va="top", ha="right")
    ax.set_yticks(y + height * (len(encodings) - 1) / 2, labels)
    ax.invert_yaxis()
    ax.set_xlabel("tokens per character")
    ax.set_xlim(0, max(1.15, float(np.nanmax(rates[[f"{e} tokens per character" for e in encodings]].values)) * 1.1))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("How many tokens does one character cost?")
    return fig


def premium_bars(table: pd.DataFrame, encodings=("o200k_base", "cl100k_base"), ax=None, title=None):
    """Token premium over English per language and encoding; whiskers span single passages."""
    fig, ax = _figure_of(ax, 7, 4)
    ax.clear()
    names = list(table["language"])
    y = np.arange(len(names))
    height = 0.8 / len(encodings)
    for i, enc in enumerate(encodings):
        mid = table[f"premium_{enc}"].to_numpy(float)
        lo = mid - table[f"premium_min_{enc}"].to_numpy(float)
        hi = table[f"premium_max_{enc}"].to_numpy(float) - mid
        ax.barh(y + i * height, mid, height=height, color=COLOURS.get(enc), label=enc,
                xerr=[lo, hi], error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "#374151"})
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(y + height * (len(encodings) - 1) / 2, names)
    ax.invert_yaxis()
    ax.set_xlabel("tokens for the same content, relative to English (1.0 = English)")
    ax.legend(loc="upper right")
    ax.set_title(title or "The language tax: same passages, more tokens")
    return fig


def petrov_scatter(comparison: pd.DataFrame, encoding: str = "cl100k_base"):
    """Our premiums (five passages) against Petrov et al.'s (FLORES-200), with the line of agreement."""
    fig, ax = new_figure(5.5, 4.5)
    ax.scatter(comparison["petrov2023"], comparison["ours"], color=COLOURS.get(encoding), zorder=3)
    for i, (_, r) in enumerate(comparison.iterrows()):
        # Alternate label sides so that neighbours do not overprint each other.
        ax.annotate(r["language"], (r["petrov2023"], r["ours"]), xytext=(5, 3) if i % 2 else (5, -10),
                    textcoords="offset points", fontsize=8)
    top = float(max(comparison["petrov2023"].max(), comparison["ours"].max())) * 1.1
    ax.plot([0, top], [0, top], color=COLOURS["grey"], linestyle="--", linewidth=1, label="same premium")
    ax.set_xlim(0.8, top)
    ax.set_ylim(0.8, top)
    ax.set_xlabel("Petrov et al. 2023 premium (FLORES-200, 2,009 sentences)")
    ax.set_ylabel("our premium (5 passages)")
    ax.set_title(f"Two measurements of the language tax, {encoding}")
    ax.legend(loc="upper left")
    source_note(ax, "Sources: data/parallel_corpus.csv; data/petrov2023_premiums.csv")
    return fig


def compression_lines(curve: pd.DataFrame, references: dict[str, float] | None = None):
    """Bytes per token against vocabulary size for each text in ``curve``, with reference levels."""
    fig, ax = new_figure(7, 3.8)
    for i, column in enumerate(curve.columns):
        ax.plot(curve.index, curve[column], marker="o", label=f"our BPE, {column}")
    left, right = float(curve.index.min()), float(curve.index.max())
    for i, (name, value) in enumerate((references or {}).items()):
        colour = COLOURS.get(name, COLOURS["grey"])
        ax.axhline(value, color=colour, linestyle="--", linewidth=1)
        # Labels side by side, so that two nearly equal levels stay readable.
        ax.text(left + (0.02 + 0.3 * i) * (right - left), value, f"{name}: {value:.2f}", va="bottom",
                fontsize=8, color=colour)
    ax.set_xlabel("vocabulary size (256 bytes + merges)")
    ax.set_ylabel("bytes per token (higher = fewer tokens)")
    top = max([float(curve.max().max()), *(references or {}).values()])
    ax.set_ylim(0.9, top * 1.08)
    ax.set_title("Each merge shortens the text a little less")
    ax.legend(loc="lower right")
    return fig

