"""Notebook 00's explorer: a text, its tokens in four vocabularies, and what they cost."""

from __future__ import annotations

import ipywidgets as W

from .. import checks, tokens
from . import Explorer, register

#: Above this many tokens the highlighted view is cut (the counts stay exact).
MAX_SHOWN_TOKENS = 2_000


@register
class StartExplorer(Explorer):
    name = "start"
    title = "Type a text: see its tokens and what they cost"
    notebook = "00_start_here"

    def make_controls(self):
        usd_in, label = tokens.default_price()
        return {
            "text": W.Textarea(value=tokens.START_TEXT, description="Text",
                               layout=W.Layout(width="95%", height="5em")),
            "usd_per_million": W.FloatText(value=usd_in, description="$ / M tokens",
                                           tooltip=label, step=0.05),
        }

    def make_body(self):
        self.table = W.HTML()
        self.views = {enc: W.HTML() for enc in tokens.ENCODINGS}
        boxes = [W.VBox([W.HTML(f"<b>{enc}</b>"), view]) for enc, view in self.views.items()]
        return W.VBox([self.table, *boxes])

    def update(self, text, usd_per_million):
        self.table.value = ""  # an invalid setting clears the old result
        for view in self.views.values():
            view.value = ""
        price = checks.number("usd_per_million", usd_per_million, minimum=0, maximum=1e6)
        table = tokens.cost_table(text, price)
        self.table.value = tokens.cost_table_html(table)
        for enc, view in self.views.items():
            view.value = tokens.render_tokens_html(text, enc, max_tokens=MAX_SHOWN_TOKENS)
        if not text:
            return "The text is empty: zero tokens, zero cost. Type something above."
        if table["tokens"].max() > MAX_SHOWN_TOKENS:
            return f"Long text: counts are exact, the coloured view shows the first {MAX_SHOWN_TOKENS:,} tokens."
        return None

    def static(self):
        usd_in, _ = tokens.default_price()
        return tokens.cost_table(self.controls["text"].value, usd_in)

    @classmethod
    def sample_settings(cls, rng):
        words = ["token", "GPU", "价格", "メモリ", "🙂", "<|endoftext|>", "price", "cache", "\n"]
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 60)))
        return {"text": text, "usd_per_million": round(rng.uniform(0, 20), 2)}
