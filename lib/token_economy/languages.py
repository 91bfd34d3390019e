"""The language tax: how many more tokens the same content costs in each language.

A *token premium* compares a language with English on parallel text (the same
passages, translated): premium = tokens in the language / tokens in English.
A premium of 2.0 means the same conversation is twice as many tokens, so twice
the bill, half the context window and about twice the generation time::

    >>> premium(250, 100)
    2.5
    >>> monthly_bill_usd(10_000_000, premium=2.5, usd_per_million=2.0)  # 25 M tokens at $2 / M
    50.0

The corpus is ``data/parallel_corpus.csv`` (five passages in twelve languages,
written for the collection); the published comparison is
``data/petrov2023_premiums.csv`` (Petrov et al., NeurIPS 2023, on FLORES-200).
Counting a corpus is one call to tiktoken's batch encoder per encoding
(:func:`token_economy.tokens.count_many`, a thin layer over
``encode_ordinary_batch``).

What it leaves out: output quality (a model may also answer worse in a language
it tokenizes badly), chat-format overhead, and any price a provider sets per
language (none does: the premium is purely the token count).
"""

from __future__ import annotations

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
               usd_per_million: float, languages=None) -> pd.DataFrame:
    """Monthly bill of the same workload in each language, and the extra over English.

    >>> t = premium_table()
    >>> b = bill_table(t, "o200k_base", 1e6, 1.0, ["en"])
    >>> b.loc["en", ["usd_per_month", "extra_usd_per_month"]].tolist()
    [1.0, 0.0]
    """
    column = f"premium_{tokens._check_encoding(encoding)}"
    if column not in table.columns:
        raise ValueError(f"encoding {encoding!r} was not counted in this premium table")
    volume = checks.non_negative("english_tokens_per_month", english_tokens_per_month)
    price = checks.non_negative("usd_per_million", usd_per_million)
    rows = table if languages is None else select_languages(table, languages)
    out = pd.DataFrame({"language": rows["language"], "premium": rows[column]})
    out["tokens_per_month"] = volume * out["premium"]
    out["usd_per_month"] = out["tokens_per_month"] * price / 1e6
    out["extra_usd_per_month"] = out["usd_per_month"] - volume * price / 1e6
    return out


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
