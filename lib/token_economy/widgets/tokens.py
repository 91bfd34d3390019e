"""Explorers of notebooks 01 and 02: one text's tokens, and the language tax on a monthly bill."""

from __future__ import annotations

import html
from functools import lru_cache

import ipywidgets as W
import pandas as pd
from IPython.display import HTML

from .. import checks, languages, tokens
from ..plots import COLOURS
from . import Explorer, register
from .start import default_price

#: Above this many tokens the coloured view is cut (the counts stay exact).
MAX_SHOWN_TOKENS = 2_000

#: Highest price the explorers accept: a million dollars per million tokens, far above any real price.
MAX_USD_PER_MILLION = 1e6

TOKEN_DEFAULT_TEXT = "Tokenization isn't free: 1,000,000 tokens ≈ $0.15. 词元不是免费的。トークン 🙂"


def _fmt(x: float, spec: str) -> str:
    return "–" if x != x else format(x, spec)  # NaN (empty text) shows as a dash


def stats_html(text: str, encoding: str, usd_per_million: float) -> str:
    """Counts and price of ``text`` as a small HTML table (only numbers and our own labels)."""
    price = checks.number("usd_per_million", usd_per_million, minimum=0, maximum=MAX_USD_PER_MILLION)
    s = tokens.text_stats(text, encoding)
    cells = [("characters", f"{s['characters']:,}"), ("words", f"{s['words']:,}"), ("UTF-8 bytes", f"{s['bytes']:,}"),
             ("tokens", f"{s['tokens']:,}"), ("tokens / character", _fmt(s["tokens_per_character"], ".3f")),
             ("characters / token", _fmt(s["characters"] / s["tokens"] if s["tokens"] else float("nan"), ".2f")),
             ("price of this text", f"${s['tokens'] * price / 1e6:.6f}"),
             ("price of 1,000 such texts", f"${s['tokens'] * price / 1e3:,.4f}")]
    head = "".join(f"<th>{html.escape(k)}</th>" for k, _ in cells)
    body = "".join(f"<td>{v}</td>" for _, v in cells)
    return f'<table class="te-table"><tr>{head}</tr><tr>{body}</tr></table>'


def special_token_note(text: str, encoding: str) -> str | None:
    """A sentence for the learner when ``text`` contains a special-token string of ``encoding``."""
    found = sorted(s for s in tokens.get_encoding(encoding).special_tokens_set if s in text)
    if not found:
        return None
    return (f"The text contains {', '.join(found)}: counted as ordinary text, as token_economy always does "
            "(tiktoken's encode() would refuse it; encode_ordinary() does not).")


@register
class TokenExplorer(Explorer):
    name = "tokens"
    title = "Your text, token by token: counts, bytes and price"
    notebook = "01_what_is_a_token"

    def make_controls(self):
        price, label = default_price()
        return {
            "text": W.Textarea(value=TOKEN_DEFAULT_TEXT, description="Text",
                               layout=W.Layout(width="95%", height="6em")),
            "encoding": W.Dropdown(options=list(tokens.ENCODINGS), value="o200k_base", description="Encoding"),
            "usd_per_million": W.FloatText(value=price, description="$ / M tokens", tooltip=label, step=0.05),
        }

    def make_body(self):
        self.table = W.HTML()
        self.view = W.HTML()
        return W.VBox([self.table, self.view])

    def update(self, text, encoding, usd_per_million):
        self.table.value = stats_html(text, encoding, usd_per_million)
        self.view.value = tokens.render_tokens_html(text, encoding, max_tokens=MAX_SHOWN_TOKENS)
        notes = []
        if not text:
            notes.append("The text is empty: zero tokens, zero cost. Type or paste something above.")
        elif tokens.count_tokens(text, encoding) > MAX_SHOWN_TOKENS:
            notes.append(f"Long text: the counts are exact; the coloured view shows the first {MAX_SHOWN_TOKENS:,} tokens.")
        special = special_token_note(text, encoding)
        if special:
            notes.append(special)
        return " ".join(notes) or None

    def static(self):
        price, _ = default_price()
        text = self.controls["text"].value
        return HTML(stats_html(text, "o200k_base", price) + tokens.render_tokens_html(text, "o200k_base"))

    @classmethod
    def sample_settings(cls, rng):
        words = ["token", "Tokenization", "价格", "词元", "メモリ", "토큰", "हिन्दी", "مرحبا", "🙂", "👩‍👩‍👧",
                 "<|endoftext|>", "<script>", "12345", "def f(x):", "\n", "\t", "  "]
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 80)))
        return {"text": text, "encoding": rng.choice(tokens.ENCODINGS),
                "usd_per_million": round(rng.uniform(0, 20), 2)}


@lru_cache(maxsize=1)
def _premiums() -> pd.DataFrame:
    # Counting the corpus takes a few milliseconds; do it once per kernel.
    return languages.premium_table()


DEFAULT_LANGUAGES = ("en", "es", "zh", "ja", "hi", "ar", "sw")
DEFAULT_MILLIONS_PER_MONTH = 100.0


@register
class LanguageTaxExplorer(Explorer):
    name = "language_tax"
    title = "The language tax on a monthly bill"
    notebook = "02_tokenizer_and_language_tax"

    def make_controls(self):
        table = _premiums()
        price, label = default_price()
        options = [(f"{row.language} ({code})", code) for code, row in table.sort_values("language").iterrows()]
        return {
            "languages": W.SelectMultiple(options=options, value=DEFAULT_LANGUAGES, rows=6,
                                          description="Languages"),
            "encoding": W.Dropdown(options=list(tokens.ENCODINGS), value="o200k_base", description="Encoding"),
            "millions_per_month": W.FloatText(value=DEFAULT_MILLIONS_PER_MONTH, description="M tokens/mo",
                                              tooltip="monthly workload, in millions of tokens as measured in English"),
            "usd_per_million": W.FloatText(value=price, description="$ / M tokens", tooltip=label, step=0.05),
        }

    def make_body(self):
        # An HTML table with CSS bars: redraws in a few milliseconds, where a PNG figure takes ~100 ms.
        self.table = W.HTML()
        return self.table

    def bills(self, languages_, encoding, millions_per_month, usd_per_million) -> pd.DataFrame:
        if not languages_:
            raise ValueError("Pick at least one language (hold Ctrl or Cmd to pick several).")
        # A trillion million tokens a month is far beyond any workload; the cap keeps every bill finite.
        volume = checks.number("millions_per_month", millions_per_month, minimum=0, maximum=1e12) * 1e6
        price = checks.number("usd_per_million", usd_per_million, minimum=0, maximum=MAX_USD_PER_MILLION)
        table = _premiums()
        return languages.bill_table(table, encoding, volume, price, list(languages_)).sort_values("premium")

    def update(self, languages, encoding, millions_per_month, usd_per_million):
        bills = self.bills(languages, encoding, millions_per_month, usd_per_million)
        self.table.value = bills_html(bills)
        if "en" not in languages:
            return "English is not selected: the 'extra' column still compares with English."
        return None

    def static(self):
        price, _ = default_price()
        bills = self.bills(DEFAULT_LANGUAGES, "o200k_base", DEFAULT_MILLIONS_PER_MONTH, price)
        return bills.assign(tokens_per_month=bills["tokens_per_month"] / 1e6).rename(
            columns={"tokens_per_month": "m_tokens_per_month"})

    @classmethod
    def sample_settings(cls, rng):
        codes = list(_premiums().index)
        return {"languages": tuple(rng.sample(codes, rng.randint(1, len(codes)))),
                "encoding": rng.choice(tokens.ENCODINGS),
                "millions_per_month": round(rng.uniform(0, 1000), 1),
                "usd_per_million": round(rng.uniform(0, 20), 2)}


def bills_html(bills: pd.DataFrame) -> str:
    """The bill table as HTML, each bill with a bar proportional to it (language names escaped).

    >>> b = pd.DataFrame({"language": ["<b>"], "premium": [2.0], "tokens_per_month": [2e6],
    ...                   "usd_per_month": [4.0], "extra_usd_per_month": [2.0]})
    >>> "&lt;b&gt;" in bills_html(b) and "width:100.0%" in bills_html(b)
    True
    """
    top = float(bills["usd_per_month"].max()) if len(bills) else 0.0
    rows = []
    for r in bills.itertuples():
        width = 100 * r.usd_per_month / top if top > 0 else 0.0
        colour = COLOURS["input"] if r.premium <= 1.0001 else COLOURS["output"]
        bar = (f'<div style="background:{colour};height:0.9em;width:{width:.1f}%;min-width:1px;'
               'border-radius:2px"></div>')
        rows.append(f"<tr><td>{html.escape(str(r.language))}</td><td>{r.premium:.2f}x</td>"
                    f"<td>{r.tokens_per_month / 1e6:,.1f} M</td><td>${r.usd_per_month:,.2f}</td>"
                    f"<td>${r.extra_usd_per_month:+,.2f}</td><td style=\"width:35%\">{bar}</td></tr>")
    return ('<table class="te-table" style="width:100%"><tr><th>language</th><th>premium over English</th>'
            "<th>tokens / month</th><th>bill / month</th><th>extra vs English</th><th></th></tr>"
            f"{''.join(rows)}</table>")
