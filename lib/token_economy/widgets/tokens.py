"""Explorers of notebooks 01 and 02: one text's tokens, and the language tax on a monthly bill."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as W
import pandas as pd
from IPython.display import HTML

from .. import checks, encodings, languages, tokens
from . import Explorer, register

#: Above this many tokens the coloured view is cut (the counts stay exact).
MAX_SHOWN_TOKENS = 2_000
#: The vocabularies offered: the four compared in the notebooks, and Qwen3.5's.
CHOICES = (*tokens.ENCODINGS, "qwen3_5")


def _options(names):
    return [(f"{name} ({encodings.LABELS[name]})", name) for name in names]


@register
class TokenExplorer(Explorer):
    name = "tokens"
    title = "Your text, token by token: counts, bytes and price"
    notebook = "01_what_is_a_token"

    def make_controls(self):
        usd_in, label = tokens.default_price()
        return {
            "text": W.Textarea(value=tokens.EXPLORER_TEXT, description="Text",
                               layout=W.Layout(width="95%", height="6em")),
            "encoding": W.Dropdown(options=_options(CHOICES), value="o200k_base", description="Encoding"),
            "usd_per_million": W.FloatText(value=usd_in, description="$ / M tokens",
                                           tooltip=label, step=0.05),
        }

    def make_body(self):
        self.table = W.HTML()
        self.view = W.HTML()
        return W.VBox([self.table, self.view])

    def update(self, text, encoding, usd_per_million):
        self.table.value = self.view.value = ""  # an invalid setting clears the old result
        self.table.value = tokens.stats_html(text, encoding, usd_per_million, name="$ / M tokens")
        self.view.value = tokens.render_tokens_html(text, encoding, max_tokens=MAX_SHOWN_TOKENS)
        notes = []
        if not text:
            notes.append("The text is empty: zero tokens, zero cost. Type or paste something above.")
        elif tokens.count_tokens(text, encoding) > MAX_SHOWN_TOKENS:
            notes.append(f"Long text: the counts are exact; the coloured view shows the first {MAX_SHOWN_TOKENS:,} tokens.")
        special = tokens.special_token_note(text, encoding)
        if special:
            notes.append(special)
        return " ".join(notes) or None

    def static(self):
        usd_in, _ = tokens.default_price()
        text = self.controls["text"].value
        return HTML(tokens.stats_html(text, "o200k_base", usd_in) + tokens.render_tokens_html(text, "o200k_base"))

    @classmethod
    def sample_settings(cls, rng):
        words = ["token", "Tokenization", "价格", "词元", "メモリ", "토큰", "हिन्दी", "مرحبا", "🙂", "👩‍👩‍👧",
                 "<|endoftext|>", "<|im_start|>", "<script>", "12345", "def f(x):", "\n", "\t", "  "]
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 80)))
        return {"text": text, "encoding": rng.choice(CHOICES),
                "usd_per_million": round(rng.uniform(0, 20), 2)}


@lru_cache(maxsize=1)
def _premiums() -> pd.DataFrame:
    # The FLORES-200 premiums of every counted vocabulary, read once per kernel.
    return languages.flores_table(languages.FLORES_ENCODINGS)


#: A trillion million tokens a month is far beyond any workload; the cap keeps every bill finite.
MAX_MILLIONS = 1e12


@register
class LanguageTaxExplorer(Explorer):
    name = "language_tax"
    title = "The language tax on a monthly bill (FLORES-200 premiums)"
    notebook = "02_tokenizer_and_language_tax"

    def make_controls(self):
        (usd_in, label_in), (usd_out, label_out) = tokens.default_price(), tokens.default_price("output")
        table = _premiums().sort_values("language")
        controls = {
            "encoding": W.Dropdown(options=_options(languages.FLORES_ENCODINGS), value="o200k_base",
                                   description="Encoding"),
            "input_millions": W.FloatText(value=languages.DEFAULT_INPUT_MILLIONS, description="input M/mo",
                                          tooltip="input tokens a month, in millions, as measured in English"),
            "output_millions": W.FloatText(value=languages.DEFAULT_OUTPUT_MILLIONS, description="output M/mo",
                                           tooltip="output tokens a month, in millions, as measured in English"),
            "usd_per_m_input": W.FloatText(value=usd_in, description="$ / M input", tooltip=label_in, step=0.05),
            "usd_per_m_output": W.FloatText(value=usd_out, description="$ / M output", tooltip=label_out, step=0.05),
        }
        for code, row in table.iterrows():
            controls[f"show_{code}"] = W.Checkbox(value=code in languages.DEFAULT_LANGUAGES,
                                                  description=str(row.language), indent=False,
                                                  layout=W.Layout(width="auto"))
        return controls

    def layout_controls(self):
        boxes = [c for key, c in self.controls.items() if key.startswith("show_")]
        numbers = [c for key, c in self.controls.items() if not key.startswith("show_")]
        grid = W.GridBox(boxes, layout=W.Layout(grid_template_columns="repeat(4, minmax(11em, 1fr))"))
        return W.VBox([W.HBox(numbers[:3]), W.HBox(numbers[3:]), W.HTML("<b>Languages</b>"), grid])

    def make_body(self):
        # An HTML table with CSS bars: redraws in a few milliseconds, where a PNG figure takes ~100 ms.
        self.table = W.HTML()
        return self.table

    def bills(self, picked, encoding, input_millions, output_millions, usd_per_m_input, usd_per_m_output):
        if not picked:
            raise ValueError("Languages: tick at least one box.")
        volume_in = checks.number("input_millions", input_millions, minimum=0, maximum=MAX_MILLIONS) * 1e6
        volume_out = checks.number("output_millions", output_millions, minimum=0, maximum=MAX_MILLIONS) * 1e6
        price_in = checks.number("usd_per_m_input", usd_per_m_input, minimum=0, maximum=1e6)
        price_out = checks.number("usd_per_m_output", usd_per_m_output, minimum=0, maximum=1e6)
        return languages.bill_table(_premiums(), encoding, volume_in, price_in, list(picked),
                                    english_output_tokens_per_month=volume_out,
                                    usd_per_million_output=price_out).sort_values("premium")

    def update(self, encoding, input_millions, output_millions, usd_per_m_input, usd_per_m_output, **shown):
        picked = [key.removeprefix("show_") for key, on in shown.items() if on]
        self.table.value = ""  # an invalid setting clears the old result
        bills = self.bills(picked, encoding, input_millions, output_millions, usd_per_m_input, usd_per_m_output)
        self.table.value = languages.bills_html(bills)
        if "en" not in picked:
            return "English is not ticked: the 'extra' column still compares with English."
        return None

    def static(self):
        usd_in, usd_out = tokens.default_price()[0], tokens.default_price("output")[0]
        bills = self.bills(languages.DEFAULT_LANGUAGES, "o200k_base", languages.DEFAULT_INPUT_MILLIONS,
                           languages.DEFAULT_OUTPUT_MILLIONS, usd_in, usd_out)
        return bills

    @classmethod
    def sample_settings(cls, rng):
        codes = list(_premiums().index)
        picked = set(rng.sample(codes, rng.randint(1, len(codes))))
        return {"encoding": rng.choice(languages.FLORES_ENCODINGS),
                "input_millions": round(rng.uniform(0, 1000), 1), "output_millions": round(rng.uniform(0, 300), 1),
                "usd_per_m_input": round(rng.uniform(0, 20), 2), "usd_per_m_output": round(rng.uniform(0, 80), 2),
                **{f"show_{code}": code in picked for code in codes}}
