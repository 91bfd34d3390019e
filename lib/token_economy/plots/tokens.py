"""Figures of notebooks 01 and 02: tokens per character, the language tax, vocabularies, BPE compression.

Each function takes a table from :mod:`token_economy.tokens`,
:mod:`token_economy.languages` or :mod:`token_economy.bpe` and returns a
matplotlib ``Figure`` (or draws into ``ax`` when given one, for explorers).
Labels are language names in English: no CJK glyphs inside figures. Error bars
are 95% intervals (1.96 standard errors) where the table has standard errors.

    >>> from token_economy import languages
    >>> fig = premium_bars(languages.flores_table(["o200k_base", "cl100k_base"]))
    >>> type(fig).__name__
    'Figure'

What it leaves out: interactivity (see :mod:`token_economy.widgets.tokens`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import COLOURS, PALETTE, new_figure, source_note

#: One colour per vocabulary: OpenAI's keep the collection's colours; the others come from the
#: colour-blind-safe Okabe-Ito palette.
ENCODING_COLOURS = {"o200k_base": COLOURS["o200k_base"], "cl100k_base": COLOURS["cl100k_base"],
                    "deepseek_v3": PALETTE["bluish_green"], "qwen": PALETTE["reddish_purple"],
                    "qwen3_5": PALETTE["sky_blue"]}
#: Error bars: a neutral dark line over any bar colour.
ERROR_COLOUR = PALETTE["black"]

FLORES_NOTE = "Source: FLORES-200 dev + devtest (NLLB Team 2022, CC BY-SA 4.0), counts in data/flores200_*.csv"


def _figure_of(ax, width, height):
    if ax is None:
        return new_figure(width, height)
    return ax.figure, ax


def _grouped_bars(ax, table, column, encodings, se_column=None):
    """Horizontal bars, one group per row of ``table`` and one bar per encoding; returns the y positions."""
    y = np.arange(len(table))
    height = 0.8 / len(encodings)
    for i, enc in enumerate(encodings):
        values = table[column.format(enc=enc)].to_numpy(float)
        err = None
        if se_column and se_column.format(enc=enc) in table.columns:
            err = 1.96 * table[se_column.format(enc=enc)].to_numpy(float)
        ax.barh(y + i * height, values, height=height, color=ENCODING_COLOURS.get(enc, COLOURS["grey"]),
                label=enc, xerr=err, error_kw={"elinewidth": 0.8, "capsize": 1.5, "ecolor": ERROR_COLOUR})
    ax.set_yticks(y + height * (len(encodings) - 1) / 2, list(table["language"]))
    ax.invert_yaxis()
    return y


def per_character_bars(table: pd.DataFrame, encodings, ax=None, rule: dict | None = None):
    """Tokens per character of each language (a :func:`languages.flores_table`), one bar per encoding,
    with the "one token per character" line and, optionally, rules of thumb as dotted lines."""
    fig, ax = _figure_of(ax, 7.5, 0.1 * len(table) * len(encodings) + 1.4)
    _grouped_bars(ax, table, "tokens_per_character_{enc}", encodings, "tokens_per_character_se_{enc}")
    ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
    ax.text(1.01, 0.99, '"one token per character"', transform=ax.get_xaxis_transform(), fontsize=8,
            va="top", ha="left")
    for label, value in (rule or {}).items():
        ax.axvline(value, color=COLOURS["grey"], linestyle=":", linewidth=1)
        ax.text(value, 1.0, label, transform=ax.get_xaxis_transform(), fontsize=7, color=COLOURS["grey"],
                rotation=90, va="top", ha="right")
    ax.set_xlabel("tokens per character (Unicode code point)")
    ax.legend(loc="center right")
    ax.set_title("How many tokens does one character cost? (FLORES-200)")
    source_note(ax, FLORES_NOTE)
    return fig


def premium_bars(table: pd.DataFrame, encodings=("o200k_base", "cl100k_base"), ax=None, title=None):
    """Token premium over English per language and encoding; whiskers are 95% intervals when the
    table has standard errors (FLORES-200), the range over single passages otherwise (small corpus)."""
    fig, ax = _figure_of(ax, 7.5, 0.1 * len(table) * len(encodings) + 1.4)
    ax.clear()
    if f"premium_se_{encodings[0]}" in table.columns:
        _grouped_bars(ax, table, "premium_{enc}", encodings, "premium_se_{enc}")
        source_note(ax, FLORES_NOTE)
    else:
        y = _grouped_bars(ax, table, "premium_{enc}", encodings)
        height = 0.8 / len(encodings)
        for i, enc in enumerate(encodings):
            mid = table[f"premium_{enc}"].to_numpy(float)
            ax.errorbar(mid, y + i * height, xerr=[mid - table[f"premium_min_{enc}"], table[f"premium_max_{enc}"] - mid],
                        fmt="none", elinewidth=0.8, capsize=2, ecolor=ERROR_COLOUR)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xlabel("tokens for the same content, relative to English (1.0 = English)")
    ax.legend(loc="center right")
    ax.set_title(title or "The language tax: same sentences, more tokens")
    return fig


def script_bars(by_script: pd.DataFrame):
    """Tokens of each vocabulary by script (a frame of :func:`tokens.vocabulary_by_script` columns)."""
    fig, ax = new_figure(7.5, 4.6)
    shown = by_script.drop(index=["no letter", "part of a character"], errors="ignore")
    shown = shown.loc[shown.max(axis=1).sort_values(ascending=False).index]
    x = np.arange(len(shown))
    width = 0.8 / len(shown.columns)
    for i, enc in enumerate(shown.columns):
        ax.bar(x + i * width, shown[enc], width=width, color=ENCODING_COLOURS.get(enc, COLOURS["grey"]), label=enc)
    ax.set_yscale("log")
    ax.set_xticks(x + width * (len(shown.columns) - 1) / 2, list(shown.index), rotation=45, ha="right")
    ax.set_ylabel("tokens in the vocabulary (log scale)")
    ax.set_title("Where each vocabulary spends its tokens (script of a token's first letter)")
    ax.legend(loc="upper right", ncols=2)
    return fig


def corpora_scatter(comparison: pd.DataFrame, encoding: str = "cl100k_base"):
    """Premiums on the five AI-translated passages against FLORES-200, with the line of agreement
    (a :func:`languages.compare_corpora` table)."""
    fig, ax = new_figure(5.5, 4.5)
    ax.scatter(comparison["premium_flores"], comparison["premium_ai"],
               color=ENCODING_COLOURS.get(encoding, COLOURS["grey"]), zorder=3)
    for i, (_, r) in enumerate(comparison.iterrows()):
        # Alternate label sides so that neighbours do not overprint each other.
        ax.annotate(r["language"], (r["premium_flores"], r["premium_ai"]), xytext=(5, 3) if i % 2 else (5, -10),
                    textcoords="offset points", fontsize=8)
    top = float(max(comparison["premium_flores"].max(), comparison["premium_ai"].max())) * 1.1
    ax.plot([0, top], [0, top], color=COLOURS["grey"], linestyle="--", linewidth=1, label="same premium")
    ax.set_xlim(0.8, top)
    ax.set_ylim(0.8, top)
    ax.set_xlabel("premium on FLORES-200 (2,009 professionally translated sentences)")
    ax.set_ylabel("premium on our 5 AI-translated passages")
    ax.set_title(f"Two corpora, one tokenizer ({encoding})")
    ax.legend(loc="upper left")
    source_note(ax, "Sources: data/parallel_corpus.csv; data/flores200_token_counts.csv")
    return fig


def compression_lines(curve: pd.DataFrame, references: dict[str, float] | None = None):
    """Bytes per token against vocabulary size for each text in ``curve``, with reference levels.

    Our texts are neutral (black, grey) and told apart by marker and line style as well; the
    reference levels take their vocabulary's colour, dashed.
    """
    fig, ax = new_figure(7, 3.8)
    styles = [("black", "o", "-"), (COLOURS["grey"], "s", "-"), (COLOURS["grey"], "^", ":")]
    for column, (colour, marker, line) in zip(curve.columns, styles * len(curve.columns)):
        ax.plot(curve.index, curve[column], marker=marker, ls=line, color=colour, label=f"our BPE, {column}")
    for name, value in (references or {}).items():
        colour = ENCODING_COLOURS.get(name, COLOURS["grey"])
        ax.axhline(value, color=colour, linestyle="--", linewidth=1, label=f"{name}: {value:.2f}")
    ax.set_xlabel("vocabulary size (256 bytes + merges)")
    ax.set_ylabel("bytes per token (higher = fewer tokens)")
    top = max([float(curve.max().max()), *(references or {}).values()])
    ax.set_ylim(0.9, top * 1.08)
    ax.set_title("Each merge shortens the text a little less")
    ax.legend(loc="lower right", fontsize=8)
    return fig
