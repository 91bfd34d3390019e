"""The language tax: how many more tokens the same content costs in each language.

A *token premium* compares a language with English on parallel text (the same
sentences, translated): premium = tokens in the language / tokens in English.
A premium of 2.0 means the same conversation is twice as many tokens, so twice
the bill, half the context window and about twice the generation time::

    >>> premium(250, 100)
    2.5
    >>> monthly_bill_usd(10_000_000, premium=2.5, usd_per_million=2.0)  # 25 M tokens at $2 / M
    50.0

The measurement rests on **FLORES-200** (NLLB Team 2022, CC BY-SA 4.0): 2,009
professionally translated sentences per language. The text is not shipped; the
counts derived from it are (``data/flores200_languages.csv``,
``data/flores200_token_counts.csv``, rebuilt by ``data/refresh_flores_counts.py``),
with the sums of squares that give each premium a standard error
(:func:`flores_table`). ``data/petrov2023_premiums.csv`` holds the published
figures of Petrov et al. (NeurIPS 2023) on the same text. The small
``data/parallel_corpus.csv`` (five passages written and translated by an AI
assistant, not reviewed) stays as a readable example.

What it leaves out: output quality (a model may also answer worse in a language
it tokenizes badly), chat-format overhead, and any price a provider sets per
language (none does: the premium is purely the token count).
"""

from __future__ import annotations

import html
import math

import pandas as pd

from . import checks, data, tokens

#: The reference language of every premium.
REFERENCE = "en"


def premium(language_tokens: float, english_tokens: float) -> float:
    """Tokens of a text in some language per token of the same text in English.

    >>> premium(150, 100)
    1.5
    >>> premium(10, 0)
    Traceback (most recent call last):
    ...
    ValueError: english_tokens must be greater than 0, got 0
    """
    n = checks.non_negative("language_tokens", language_tokens)
    return n / checks.positive("english_tokens", english_tokens)


def monthly_bill_usd(english_tokens_per_month: float, premium: float, usd_per_million: float) -> float:
    """What a workload of ``english_tokens_per_month`` (measured in English) costs in a language.

    >>> monthly_bill_usd(1_000_000, 1.0, 3.0)
    3.0
    >>> monthly_bill_usd(1_000_000, 0, 3.0)
    Traceback (most recent call last):
    ...
    ValueError: premium must be greater than 0, got 0
    """
    volume = checks.non_negative("english_tokens_per_month", english_tokens_per_month)
    factor = checks.positive("premium", premium)
    price = checks.non_negative("usd_per_million", usd_per_million)
    return volume * factor * price / 1e6


def load_corpus() -> pd.DataFrame:
    """The parallel corpus: one row per passage and language, with translator and method.

    >>> corpus = load_corpus()
    >>> bool(corpus.groupby("language_code")["passage_id"].nunique().eq(5).all())
    True
    """
    return data.load("parallel_corpus")


def count_corpus(corpus: pd.DataFrame | None = None, encodings=tokens.ENCODINGS) -> pd.DataFrame:
    """The corpus with ``characters``, ``bytes`` and one token-count column per encoding.

    >>> small = pd.DataFrame({"passage_id": ["p", "p"], "language": ["English", "Chinese"],
    ...                       "language_code": ["en", "zh"], "text": ["hello world", "你好世界"]})
    >>> count_corpus(small, ["o200k_base"])[["language_code", "characters", "o200k_base"]].values.tolist()
    [['en', 11, 2], ['zh', 4, 2]]
    """
    df = (load_corpus() if corpus is None else corpus).copy()
    missing = {"passage_id", "language", "language_code", "text"} - set(df.columns)
    if missing:
        raise ValueError(f"corpus is missing the columns {sorted(missing)}")
    texts = df["text"].tolist()
    df["characters"] = [len(t) for t in texts]
    df["bytes"] = [len(t.encode("utf-8")) for t in texts]
    for enc in encodings:
        df[enc] = tokens.count_many(texts, enc)
    return df


def premium_table(counts: pd.DataFrame | None = None, encodings=tokens.ENCODINGS,
                  reference: str = REFERENCE) -> pd.DataFrame:
    """Per language: total characters, bytes, tokens per encoding, and the premium over ``reference``.

    Premiums are ratios of totals over the same passages (as Petrov et al. do),
    so a long passage weighs more than a short one. ``premium_min``/``premium_max``
    give the range over single passages: a small corpus is a rough measurement.

    >>> t = premium_table()
    >>> float(t.loc["en", "premium_o200k_base"])
    1.0
    """
    counts = count_corpus(encodings=encodings) if counts is None else counts
    if reference not in set(counts["language_code"]):
        raise ValueError(f"reference must be a language_code in the corpus, got {reference!r}")
    passages = counts.groupby("language_code")["passage_id"].apply(frozenset)
    unequal = passages[passages != passages[reference]]
    if len(unequal):
        raise ValueError(f"corpus: languages {list(unequal.index)} do not have the same passages as {reference!r}")
    names = counts.groupby("language_code")["language"].first()
    totals = counts.groupby("language_code")[["characters", "bytes", *encodings]].sum()
    table = pd.DataFrame({"language": names}).join(totals.rename(columns={e: f"tokens_{e}" for e in encodings}))
    for enc in encodings:
        table[f"premium_{enc}"] = table[f"tokens_{enc}"] / table.loc[reference, f"tokens_{enc}"]
        per_passage = counts.pivot(index="passage_id", columns="language_code", values=enc)
        ratios = per_passage.div(per_passage[reference], axis=0)
        table[f"premium_min_{enc}"] = ratios.min()
        table[f"premium_max_{enc}"] = ratios.max()
    table["tokens_per_character_" + encodings[0]] = table[f"tokens_{encodings[0]}"] / table["characters"]
    return table.sort_values(f"premium_{encodings[0]}")


def select_languages(table: pd.DataFrame, languages) -> pd.DataFrame:
    """Rows of a premium table picked by language code (``"zh"``) or name (``"Chinese"``), in order given.

    >>> select_languages(premium_table(), ["Chinese", "en"]).index.tolist()
    ['zh', 'en']
    """
    if isinstance(languages, str):
        languages = [languages]
    by_name = {str(name).lower(): code for code, name in table["language"].items()}
    codes = []
    for lang in languages:
        key = lang if lang in table.index else by_name.get(str(lang).lower())
        if key is None:
            raise ValueError(f"languages: no language {lang!r}; known: {', '.join(table.index)}")
        codes.append(key)
    return table.loc[codes]


def bill_table(table: pd.DataFrame, encoding: str, english_tokens_per_month: float,
               usd_per_million: float, languages=None, *, english_output_tokens_per_month: float = 0.0,
               usd_per_million_output: float = 0.0) -> pd.DataFrame:
    """Monthly bill of the same workload in each language, and the extra over English.

    The workload is measured in English tokens: ``english_tokens_per_month`` of input
    (priced at ``usd_per_million``) and ``english_output_tokens_per_month`` of output
    (priced at ``usd_per_million_output``). In a language with premium p, both are p times
    as many tokens: the question and the answer are both in that language.

    >>> t = flores_table(["o200k_base"])
    >>> b = bill_table(t, "o200k_base", 1e6, 1.0, ["en"], english_output_tokens_per_month=1e6,
    ...                usd_per_million_output=4.0)
    >>> b.loc["en", ["usd_input_per_month", "usd_output_per_month", "usd_per_month", "extra_usd_per_month"]].tolist()
    [1.0, 4.0, 5.0, 0.0]
    """
    column = f"premium_{tokens._check_encoding(encoding)}"
    if column not in table.columns:
        raise ValueError(f"encoding {encoding!r} was not counted in this premium table")
    volume = checks.non_negative("english_tokens_per_month", english_tokens_per_month)
    out_volume = checks.non_negative("english_output_tokens_per_month", english_output_tokens_per_month)
    price = checks.non_negative("usd_per_million", usd_per_million)
    price_out = checks.non_negative("usd_per_million_output", usd_per_million_output)
    rows = table if languages is None else select_languages(table, languages)
    out = pd.DataFrame({"language": rows["language"], "premium": rows[column]})
    if f"premium_se_{encoding}" in rows.columns:
        out["premium_se"] = rows[f"premium_se_{encoding}"]
    out["input_tokens_per_month"] = volume * out["premium"]
    out["output_tokens_per_month"] = out_volume * out["premium"]
    out["tokens_per_month"] = out["input_tokens_per_month"] + out["output_tokens_per_month"]
    out["usd_input_per_month"] = out["input_tokens_per_month"] * price / 1e6
    out["usd_output_per_month"] = out["output_tokens_per_month"] * price_out / 1e6
    out["usd_per_month"] = out["usd_input_per_month"] + out["usd_output_per_month"]
    out["extra_usd_per_month"] = out["usd_per_month"] - (volume * price + out_volume * price_out) / 1e6
    return out


#: Languages ticked by default in the language-tax explorer (codes of data/flores200_languages.csv).
DEFAULT_LANGUAGES = ("en", "es", "zh", "ja", "ko", "hi", "ar", "sw", "yo", "my")
#: The explorer's default workload, in millions of tokens a month as measured in English. A classroom
#: assumption (a mid-sized chatbot, with answers a fifth as long as the prompts), not a measured figure.
DEFAULT_INPUT_MILLIONS = 100.0
DEFAULT_OUTPUT_MILLIONS = 20.0


def bills_html(bills: pd.DataFrame) -> str:
    """A :func:`bill_table` as HTML, each bill with a bar proportional to it (language names escaped).

    >>> b = pd.DataFrame({"language": ["<b>"], "premium": [2.0], "tokens_per_month": [2e6],
    ...                   "usd_input_per_month": [1.0], "usd_output_per_month": [3.0],
    ...                   "usd_per_month": [4.0], "extra_usd_per_month": [2.0]})
    >>> "&lt;b&gt;" in bills_html(b) and "width:100.0%" in bills_html(b)
    True
    """
    top = float(bills["usd_per_month"].max()) if len(bills) else 0.0
    rows = []
    for r in bills.itertuples():
        width = 100 * r.usd_per_month / top if top > 0 else 0.0
        # Colour-blind safe pair (blue for English or cheaper, orange for a premium).
        colour = "#0072b2" if r.premium <= 1.0001 else "#e69f00"
        se = getattr(r, "premium_se", float("nan"))
        premium = f"{r.premium:.2f}x" + (f" ± {se:.2f}" if se == se and se > 0 else "")
        bar = (f'<div style="background:{colour};height:0.9em;width:{width:.1f}%;min-width:1px;'
               'border-radius:2px"></div>')
        rows.append(f"<tr><td>{html.escape(str(r.language))}</td><td>{premium}</td>"
                    f"<td>{r.tokens_per_month / 1e6:,.1f} M</td><td>${r.usd_input_per_month:,.2f}</td>"
                    f"<td>${r.usd_output_per_month:,.2f}</td><td>${r.usd_per_month:,.2f}</td>"
                    f"<td>${r.extra_usd_per_month:+,.2f}</td><td style=\"width:30%\">{bar}</td></tr>")
    return ('<table class="te-table" style="width:100%"><tr><th>language</th><th>premium over English (± s.e.)</th>'
            "<th>tokens / month</th><th>input / month</th><th>output / month</th><th>bill / month</th>"
            "<th>extra vs English</th><th></th></tr>"
            f"{''.join(rows)}</table>")


def bills_view(bills: pd.DataFrame):
    """A :func:`bill_table` as a table for people: units in the headers, money as money, no index.

    >>> b = bill_table(flores_table(["o200k_base"]), "o200k_base", 1e6, 1.0, ["en", "zh"])
    >>> list(bills_view(b).data.columns)[:3]
    ['language', 'premium over English', 's.e.']
    """
    view = pd.DataFrame({
        "language": bills["language"], "premium over English": bills["premium"],
        "s.e.": bills.get("premium_se", pd.Series(float("nan"), index=bills.index)),
        "M tokens / month": bills["tokens_per_month"] / 1e6,
        "input $ / month": bills["usd_input_per_month"], "output $ / month": bills["usd_output_per_month"],
        "bill $ / month": bills["usd_per_month"], "extra vs English $ / month": bills["extra_usd_per_month"]})
    money = {c: "${:,.2f}" for c in view.columns if "$" in c}
    return view.style.hide(axis="index").format(
        {"premium over English": "{:.2f}x", "s.e.": "{:.3f}", "M tokens / month": "{:,.1f}", **money}, na_rep="n/a"
    ).set_table_attributes('class="te-table mathjax_ignore"')  # "$15 ... $12" is money, not maths


def petrov_premiums(tokenizer: str = "cl100k_base") -> pd.DataFrame:
    """Published FLORES-200 premiums of Petrov et al. (2023) for one tokenizer, by language code.

    >>> round(float(petrov_premiums().loc["en", "premium"]), 3)
    1.0
    """
    df = data.load("petrov2023_premiums")
    known = sorted(set(df["tokenizer"]))
    if tokenizer not in known:
        raise ValueError(f"tokenizer must be one of {', '.join(known)}; got {tokenizer!r}")
    return df[df["tokenizer"] == tokenizer].set_index("language_code")


def compare_with_petrov(table: pd.DataFrame, encoding: str = "cl100k_base") -> pd.DataFrame:
    """Our premiums next to Petrov et al.'s for the languages in both (same tokenizer).

    >>> c = compare_with_petrov(premium_table())
    >>> {"ours", "petrov2023", "ratio"} <= set(c.columns)
    True
    """
    theirs = petrov_premiums(encoding)
    both = [code for code in table.index if code in theirs.index]
    out = pd.DataFrame({"language": table.loc[both, "language"],
                        "ours": table.loc[both, f"premium_{encoding}"],
                        "petrov2023": theirs.loc[both, "premium"]})
    out["ratio"] = out["ours"] / out["petrov2023"]
    return out.sort_values("petrov2023")


# --- FLORES-200: the measurement the notebooks use ------------------------------------------------

#: Vocabularies counted on FLORES-200 (see data/refresh_flores_counts.py), in the notebooks' order.
FLORES_ENCODINGS = ("o200k_base", "cl100k_base", "deepseek_v3", "qwen", "qwen3_5")


def ratio_se(num_sum: float, num_sq: float, den_sum: float, den_sq: float, cross: float, n: int) -> float:
    """Standard error of the ratio of totals R = sum(x) / sum(y) over n paired units (delta method).

    SE = sqrt((sum x^2 - 2 R sum xy + R^2 sum y^2) / (n (n - 1))) / mean(y). Units here are
    sentences: x and y are a sentence's tokens in a language and in English (a premium), or
    its tokens and its characters (tokens per character).

    >>> # two sentences, x = (2, 4), y = (1, 2): x is exactly 2 y, so R = 2 with no error
    >>> ratio_se(6, 20, 3, 5, 10, 2)
    0.0
    >>> # x = (2, 3), y = (1, 2): R = 5/3, residuals x - R y = (1/3, -1/3),
    >>> # sqrt((2/9) / (2 * 1)) = 1/3, divided by mean(y) = 1.5
    >>> round(ratio_se(5, 13, 3, 5, 8, 2), 4)
    0.2222
    """
    n = checks.whole("n", n, minimum=2)
    num_sum, num_sq, cross, den_sq = (checks.non_negative(k, v) for k, v in (
        ("num_sum", num_sum), ("num_sq", num_sq), ("cross", cross), ("den_sq", den_sq)))
    den_sum = checks.number("den_sum", den_sum, minimum=1)  # a sum of counts: at least one token or character
    den_mean = den_sum / n
    r = num_sum / den_sum
    residual = num_sq - 2 * r * cross + r * r * den_sq
    return math.sqrt(max(residual, 0.0) / (n * (n - 1))) / den_mean


def load_flores() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two FLORES-200 count tables: per language, and per language and encoding.

    >>> langs, counts = load_flores()
    >>> int(langs.loc["en", "sentences"]), sorted(set(counts["encoding"])) == sorted(FLORES_ENCODINGS)
    (2009, True)
    """
    langs = data.load("flores200_languages").set_index("language_code")
    counts = data.load("flores200_token_counts")
    return langs, counts


def flores_table(encodings=FLORES_ENCODINGS, reference: str = REFERENCE) -> pd.DataFrame:
    """Per language (index: language code): size of the text and, per encoding, tokens,
    premium over ``reference`` with its standard error, tokens per character (with its
    standard error), characters per token, UTF-8 bytes per token and tokens per word.

    Tokens per word is NaN (n/a) where spaces do not separate words. Sorted by the first
    encoding's premium.

    >>> t = flores_table(["cl100k_base"])
    >>> float(t.loc["en", "premium_cl100k_base"]), float(t.loc["en", "premium_se_cl100k_base"])
    (1.0, 0.0)
    >>> round(float(t.loc["shn", "premium_cl100k_base"]), 1)
    15.0
    """
    langs, counts = load_flores()
    if reference not in langs.index:
        raise ValueError(f"reference must be one of {', '.join(langs.index)}; got {reference!r}")
    table = langs[["language", "flores_code", "script", "spaces_separate_words", "sentences",
                   "characters", "bytes", "words"]].copy()
    chars, chars_sq = langs["characters"], langs["characters_sq"]
    for enc in encodings:
        rows = counts[counts["encoding"] == tokens._check_encoding(enc)].set_index("language_code")
        if rows.empty:
            raise ValueError(f"encoding {enc!r} was not counted on FLORES-200; counted: {', '.join(FLORES_ENCODINGS)}")
        ref = rows.loc[reference]
        t = rows["tokens"].reindex(table.index)
        table[f"tokens_{enc}"] = t
        table[f"premium_{enc}"] = t / ref["tokens"]
        table[f"premium_se_{enc}"] = [
            ratio_se(r.tokens, r.tokens_sq, ref["tokens"], ref["tokens_sq"], r.tokens_x_english, int(r.sentences))
            for r in rows.reindex(table.index).itertuples()]
        table[f"tokens_per_character_{enc}"] = t / chars
        table[f"tokens_per_character_se_{enc}"] = [
            ratio_se(r.tokens, r.tokens_sq, chars[code], chars_sq[code], r.tokens_x_characters, int(r.sentences))
            for code, r in rows.reindex(table.index).iterrows()]
        table[f"characters_per_token_{enc}"] = chars / t
        table[f"bytes_per_token_{enc}"] = table["bytes"] / t
        table[f"tokens_per_word_{enc}"] = (t / table["words"]).where(table["spaces_separate_words"])
        table[f"tokens_joined_{enc}"] = rows["tokens_joined"].reindex(table.index)
    return table.sort_values(f"premium_{encodings[0]}")


def spearman(x, y) -> float:
    """Spearman's rank correlation of two equally long sequences (Pearson's r of their ranks).

    >>> spearman([1, 2, 3, 4], [10, 20, 30, 40]), spearman([1, 2, 3], [3, 2, 1])
    (1.0, -1.0)
    """
    a, b = pd.Series(list(x), dtype=float), pd.Series(list(y), dtype=float)
    if len(a) != len(b) or len(a) < 3:
        raise ValueError(f"x and y must have the same length, at least 3; got {len(a)} and {len(b)}")
    return float(a.rank().corr(b.rank()))


def swapped_pairs(x: pd.Series, y: pd.Series) -> list[tuple[str, str]]:
    """Pairs of labels that ``x`` and ``y`` put in opposite order (discordant pairs).

    >>> swapped_pairs(pd.Series({"a": 1, "b": 2, "c": 3}), pd.Series({"a": 1, "b": 3, "c": 2}))
    [('b', 'c')]
    """
    labels = [k for k in x.index if k in y.index]
    return [(p, q) for i, p in enumerate(labels) for q in labels[i + 1:]
            if (x[p] - x[q]) * (y[p] - y[q]) < 0]


def compare_corpora(encoding: str = "cl100k_base") -> pd.DataFrame:
    """The AI-translated passages next to FLORES-200, per language both have: why premiums differ.

    A premium is (length of the translation relative to English, in characters) x (tokens per
    character of the translation) / (tokens per character of English); the table gives each
    factor for both corpora, and UTF-8 bytes per character (heavier characters, such as letters
    with tone marks, cost more bytes and usually more tokens).

    >>> c = compare_corpora()
    >>> bool((c["premium_flores"] > 0).all()) and "yo" in c.index
    True
    """
    small = premium_table(encodings=[encoding])
    flores = flores_table([encoding])
    codes = [c for c in small.index if c in flores.index]
    out = pd.DataFrame({"language": flores.loc[codes, "language"]})
    for name, t in (("ai", small), ("flores", flores)):
        out[f"length_vs_english_{name}"] = t.loc[codes, "characters"] / t.loc["en", "characters"]
        out[f"bytes_per_character_{name}"] = t.loc[codes, "bytes"] / t.loc[codes, "characters"]
        out[f"tokens_per_character_{name}"] = t.loc[codes, f"tokens_{encoding}"] / t.loc[codes, "characters"]
        out[f"premium_{name}"] = t.loc[codes, f"premium_{encoding}"]
    return out.sort_values("premium_flores")


def with_se(table: pd.DataFrame, what: str = "premium", encodings=FLORES_ENCODINGS, codes=None) -> pd.DataFrame:
    """A view of :func:`flores_table` for people: ``what`` (``"premium"`` or ``"tokens_per_character"``)
    per language and encoding, written "value ± standard error", languages by name.

    >>> with_se(flores_table(["qwen"]), "tokens_per_character", ["qwen"], ["zh"]).iloc[0, 0]
    '0.639 ± 0.002'
    """
    if what not in ("premium", "tokens_per_character"):
        raise ValueError(f"what must be 'premium' or 'tokens_per_character', got {repr(what)[:60]}")
    rows = table if codes is None else select_languages(table, codes)
    digits = 2 if what == "premium" else 3
    out = pd.DataFrame({enc: [f"{v:.{digits}f} ± {s:.3f}" for v, s in
                              zip(rows[f"{what}_{enc}"], rows[f"{what}_se_{enc}"])] for enc in encodings},
                       index=pd.Index(rows["language"], name="language"))
    return out
