"""Notebook 00's explorer: a text, its tokens in two encodings, and what they cost."""

from __future__ import annotations

import html
import math

import ipywidgets as W
import pandas as pd

from .. import data, tokens
from . import Explorer, register

#: Above this many tokens the highlighted view is cut (the counts stay exact).
MAX_SHOWN_TOKENS = 2_000

DEFAULT_TEXT = "Tokens are the smallest unit of AI text. 一个词元是AI文本的最小单位。"


def default_price() -> tuple[float, str]:
    """Input price of the cheapest model in ``data/price_examples.csv`` and its label."""
    sheet = data.load("price_examples").sort_values("usd_per_m_input")
    row = sheet.iloc[0]
    return float(row["usd_per_m_input"]), f"{row['model']} input price, as of {row['as_of']}"


@register
class StartExplorer(Explorer):
    name = "start"
    title = "Type a text: see its tokens and what they cost"
    notebook = "00_start_here"

    def make_controls(self):
        price, label = default_price()
        return {
            "text": W.Textarea(value=DEFAULT_TEXT, description="Text",
                               layout=W.Layout(width="95%", height="5em")),
            "usd_per_million": W.FloatText(value=price, description="$ / M tokens",
                                           tooltip=label, step=0.05),
        }

    def make_body(self):
        self.table = W.HTML()
        self.views = {enc: W.HTML() for enc in tokens.ENCODINGS}
        boxes = [W.VBox([W.HTML(f"<b>{enc}</b>"), view]) for enc, view in self.views.items()]
        return W.VBox([self.table, *boxes])

    def update(self, text, usd_per_million):
        table = tokens.cost_table(text, usd_per_million)
        self.table.value = format_table_html(table)
        for enc, view in self.views.items():
            view.value = tokens.render_tokens_html(text, enc, max_tokens=MAX_SHOWN_TOKENS)
        if not text:
            return "The text is empty: zero tokens, zero cost. Type something above."
        if table["tokens"].max() > MAX_SHOWN_TOKENS:
            return f"Long text: counts are exact, the coloured view shows the first {MAX_SHOWN_TOKENS:,} tokens."
        return None

    def static(self):
        price, _ = default_price()
        return tokens.cost_table(self.controls["text"].value, price)

    @classmethod
    def sample_settings(cls, rng):
        words = ["token", "GPU", "价格", "メモリ", "🙂", "<|endoftext|>", "price", "cache", "\n"]
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 60)))
        return {"text": text, "usd_per_million": round(rng.uniform(0, 20), 2)}


def _ratio(x: float) -> str:
    """A ratio to three decimals; a dash when undefined (tokens per character of an empty text)."""
    return f"{x:.3f}" if math.isfinite(x) else "–"


def format_table_html(table: pd.DataFrame) -> str:
    """The cost table as small HTML (numbers only; the encoding names are ours, escaped anyway)."""
    rows = "".join(
        f"<tr><td>{html.escape(str(enc))}</td><td>{int(r.tokens):,}</td>"
        f"<td>{_ratio(r.tokens_per_character)}</td><td>${r.usd:.6f}</td><td>${r.usd_per_1000_such_texts:.4f}</td></tr>"
        for enc, r in table.iterrows()
    )
    return ('<table class="te-table"><tr><th>encoding</th><th>tokens</th><th>tokens / character</th>'
            f"<th>cost of this text</th><th>cost of 1,000 such texts</th></tr>{rows}</table>")
