"""Counting tokens and showing where a tokenizer cuts a text.

Thin, honest wrappers over the shipped encodings: tiktoken's ``o200k_base`` and
``cl100k_base`` (OpenAI), DeepSeek-V3's vocabulary (``deepseek_v3``, read with Hugging
Face ``tokenizers``) and Qwen's (``qwen`` for Qwen2.5/Qwen3, ``qwen3_5`` for
Qwen3.5/Qwen3.6); see :mod:`token_economy.encodings`. User text is always treated as
ordinary text: a string such as ``"<|endoftext|>"`` typed by a user is counted as the
handful of ordinary tokens it is made of, never as the special token, and never
raises (tiktoken's ``encode`` refuses it by default; ``encode_ordinary`` does not)::

    >>> count_tokens("hello world")
    2
    >>> count_tokens("<|endoftext|>")  # ordinary text, not the special token
    7
    >>> count_tokens("你好，世界", "deepseek_v3"), count_tokens("你好，世界", "qwen")
    (3, 3)
    >>> count_tokens("")
    0

tiktoken's Rust regex overflows its stack on a run of hundreds of thousands of
spaces or tabs (a ``PanicException``, which is not an ``Exception``); such runs are
cut out and encoded as the single piece tiktoken's own pre-split would make of them,
so the counts stay exact (:func:`encode`).

What it leaves out: chat-message overhead (the few tokens each message's role
markers add) is not counted; it differs between models and is explained in
notebook 01.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import pandas as pd
import regex
import tiktoken

from . import checks
from . import encodings as vocabularies

#: The four vocabularies the notebooks compare: OpenAI's two, DeepSeek-V3's and Qwen's (Qwen2.5/Qwen3).
ENCODINGS = ("o200k_base", "cl100k_base", "deepseek_v3", "qwen")
#: OpenAI's encodings (tiktoken), newest first.
OPENAI_ENCODINGS = ("o200k_base", "cl100k_base")


@lru_cache(maxsize=1)
def shipped_encodings() -> tuple[str, ...]:
    """Every encoding name this module accepts: tiktoken's offline ones and the Chinese models'.

    >>> shipped_encodings()
    ('cl100k_base', 'o200k_base', 'o200k_harmony', 'deepseek_v3', 'qwen', 'qwen3_5')
    """
    return (*vocabularies.offline_tiktoken_names(), *vocabularies.VOCABULARIES)


_ENCODERS: dict = {}


def _check_encoding(name) -> str:
    if isinstance(name, str) and name in _ENCODERS:  # fast path: a name already loaded
        return name
    if not isinstance(name, str):
        raise ValueError(f"encoding must be one of {', '.join(shipped_encodings())}; got {repr(name)[:60]}")
    if name not in shipped_encodings():
        vocabularies.open_encoding(name)  # raises the clear message
    return name


def get_encoding(name: str = "o200k_base"):
    """The encoding ``name`` (loaded once): a ``tiktoken.Encoding`` or, for ``deepseek_v3``, an
    object with the same ``encode_ordinary``/``decode_single_token_bytes`` methods.

    An encoding tiktoken knows but the collection does not ship (``r50k_base``, ``gpt2`` ...)
    is refused with a ``ValueError`` that says so, instead of a network error.
    """
    name = _check_encoding(name)
    if name not in _ENCODERS:
        _ENCODERS[name] = vocabularies.open_encoding(name)
    return _ENCODERS[name]


def _check_text(text) -> str:
    return checks.text("text", text)


#: Runs of horizontal whitespace at least this long are encoded by hand (see :func:`encode`).
LONG_BLANK_RUN = 10_000
_BLANK = "\t\x0b\x0c \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_LONG_BLANK = re.compile(f"[{_BLANK}]{{{LONG_BLANK_RUN},}}")


def _ordinary(enc, text: str) -> list[int]:
    """``enc.encode_ordinary(text)``, with long blank runs cut out so tiktoken's regex never overflows.

    Every pre-split pattern of the shipped tiktoken encodings makes a run of horizontal
    whitespace that is not next to a newline one piece, less its last character when a
    non-space follows (that character starts the next piece). Matching from a position
    depends only on the text after it, so the text before the run, the run, and the text
    from its last character on can be encoded apart and give exactly the same tokens.
    """
    if len(text) < LONG_BLANK_RUN or not isinstance(enc, tiktoken.Encoding) or not _LONG_BLANK.search(text):
        return enc.encode_ordinary(text)
    if isinstance(enc, vocabularies.NFCEncoding):  # normalise once, so that the cut pieces are NFC too
        text = unicodedata.normalize("NFC", text)
    ids: list[int] = []
    start = 0
    for run in _LONG_BLANK.finditer(text):
        s, e = run.span()
        if e < len(text) and text[e] in "\r\n":
            continue  # part of a run that ends in newlines: tiktoken's \s*[\r\n]+ takes it, safely
        ids += enc.encode_ordinary(text[start:s])
        cut = e if e == len(text) else e - 1
        ids += enc._encode_single_piece(text[s:cut].encode("utf-8"))
        start = cut
    ids += enc.encode_ordinary(text[start:])
    return ids


#: Texts longer than this are kept (the last four) so that counting and drawing encode them once.
_CACHE_FROM_CHARS = 10_000


@lru_cache(maxsize=4)
def _encode_cached(text: str, encoding: str) -> tuple[int, ...]:
    # An explorer counts and draws the same text: encode it once.
    return tuple(_ordinary(get_encoding(encoding), text))


def encode(text: str, encoding: str = "o200k_base") -> list[int]:
    """Token ids of ``text``, special-token strings treated as ordinary text.

    >>> encode("hello world")
    [24912, 2375]
    >>> len(encode(" " * 1_000_000 + "x", "o200k_base"))  # tiktoken alone would panic here
    7814
    """
    return list(_encode_cached(_check_text(text), _check_encoding(encoding)))


def count_tokens(text: str, encoding: str = "o200k_base") -> int:
    """Number of tokens in ``text`` (special-token strings count as ordinary text).

    >>> count_tokens("Tokens are not free.")
    5
    """
    if type(text) is str and type(encoding) is str and len(text) < _CACHE_FROM_CHARS:
        enc = _ENCODERS.get(encoding)  # fast path: a short text in an encoding already loaded
        if enc is not None:
            return len(enc.encode_ordinary(text))
    text = _check_text(text)
    if len(text) >= _CACHE_FROM_CHARS:  # long texts are counted and drawn: encode them once
        return len(_encode_cached(text, _check_encoding(encoding)))
    return len(get_encoding(encoding).encode_ordinary(text))


def count_many(texts, encoding: str = "o200k_base", num_threads: int = 2) -> list[int]:
    """Token counts of many texts in one call to the encoding's batch encoder.

    >>> count_many(["hello world", "", "你好"])
    [2, 0, 1]
    """
    texts = [_check_text(t) for t in texts]
    num_threads = checks.whole("num_threads", num_threads, minimum=1, maximum=64)
    enc = get_encoding(encoding)
    long = {i for i, t in enumerate(texts) if len(t) >= LONG_BLANK_RUN and _LONG_BLANK.search(t)}
    if not long:
        return [len(ids) for ids in enc.encode_ordinary_batch(texts, num_threads=num_threads)]
    rest = iter(enc.encode_ordinary_batch([t for i, t in enumerate(texts) if i not in long],
                                          num_threads=num_threads))
    return [len(_ordinary(enc, t)) if i in long else len(next(rest)) for i, t in enumerate(texts)]


def token_pieces(text: str, encoding: str = "o200k_base",
                 max_tokens: int | None = None) -> list[tuple[str, list[int]]]:
    """Split ``text`` into the pieces a reader sees, each with the token ids behind it.

    Usually one piece is one token. A token may end in the middle of a UTF-8
    character (common for emoji and rarer CJK characters); such tokens are kept
    together with their neighbours until the bytes form whole characters again,
    so every piece is readable text and the pieces join back to the input (for Qwen's
    encodings, to the input in Unicode NFC, which is what Qwen's tokenizers read).
    With ``max_tokens``, stop after the piece that reaches that many tokens.

    >>> token_pieces("hi there")
    [('hi', [3686]), (' there', [1354])]
    >>> [(p, len(ids)) for p, ids in token_pieces("🦙")]
    [('🦙', 3)]
    """
    enc = get_encoding(encoding)
    pieces: list[tuple[str, list[int]]] = []
    pending_ids: list[int] = []
    pending_bytes = b""
    ids = _encode_cached(_check_text(text), _check_encoding(encoding))
    if max_tokens is not None:
        max_tokens = checks.whole("max_tokens", max_tokens, minimum=0)
        ids = ids[: max_tokens + 8]  # a few spare tokens to finish a split character
    used = 0
    for token in ids:
        if max_tokens is not None and used >= max_tokens and not pending_ids:
            break
        used += 1
        pending_ids.append(token)
        pending_bytes += enc.decode_single_token_bytes(token)
        try:
            piece = pending_bytes.decode("utf-8")
        except UnicodeDecodeError:
            continue
        pieces.append((piece, pending_ids))
        pending_ids, pending_bytes = [], b""
    if pending_ids:
        pieces.append((pending_bytes.decode("utf-8", errors="replace"), pending_ids))
    return pieces


_PALETTE = ("#fde2e4", "#dbeafe", "#dcfce7", "#fef3c7", "#ede9fe", "#cffafe")


def render_tokens_html(text: str, encoding: str = "o200k_base", max_tokens: int | None = None) -> str:
    """``text`` as HTML with each token on its own coloured background.

    Every piece of user text is HTML-escaped; whitespace is made visible
    (a space as ``·``-free but preserved, a newline as ``↵``). A piece made of
    several tokens (part of one character each) gets a dashed border and says
    how many tokens it holds. With ``max_tokens``, only the first tokens are
    drawn and a note says how many were left out.

    >>> render_tokens_html("<b>")
    '<div class="te-tokens mathjax_ignore" ...'
    """
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise ValueError(f"max_tokens must be a positive whole number, got {max_tokens!r}")
    pieces = token_pieces(text, encoding, max_tokens=max_tokens)
    out = ['<div class="te-tokens mathjax_ignore" style="font-family: ui-monospace, monospace; '
           'line-height: 1.9; white-space: pre-wrap; word-break: break-word">']
    shown = 0
    for i, (piece, ids) in enumerate(pieces):
        if max_tokens is not None and shown + len(ids) > max_tokens:
            break
        shown += len(ids)
        colour = _PALETTE[i % len(_PALETTE)]
        visible = html.escape(piece).replace("\n", "↵\n").replace("\t", "⇥\t")
        title = "token id " + ", ".join(map(str, ids))
        border = "border: 1px dashed currentColor; " if len(ids) > 1 else ""  # the chip's dark text colour
        if len(ids) > 1:
            title += f" ({len(ids)} tokens for this text)"
        out.append(f'<span title="{title}" style="background:{colour}; {border}'
                   f'border-radius: 3px; padding: 1px 0; margin-right: 1px">{visible}</span>')
    out.append("</div>")
    total = count_tokens(text, encoding)
    if shown < total:
        out.append(f'<p class="te-note"><em>Showing the first {shown:,} of {total:,} tokens.</em></p>')
    return "".join(out)


_UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}]")
_LETTER_OR_MARK = regex.compile(r"[\p{L}\p{M}]")


def spaces_separate_words(text: str) -> bool:
    """Whether spaces mark words in ``text``: False when most of its letters belong to scripts
    written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Burmese, Tibetan).

    There a "word" counted between spaces is a phrase or a whole sentence, so tokens per
    word means nothing; read tokens per character instead. (The first 100,000 characters decide.)

    >>> spaces_separate_words("The cat sat."), spaces_separate_words("一个词元是最小单位。")
    (True, False)
    >>> spaces_separate_words("トークンはAIが読み書きする最小の単位です。")
    False
    """
    head = _check_text(text)[:100_000]
    letters = len(_LETTER_OR_MARK.findall(head))
    return letters == 0 or len(_UNSPACED.findall(head)) <= letters / 2


def _words(text: str) -> float:
    """Words between spaces, or NaN (shown as n/a) where spaces do not separate words."""
    return float(len(text.split())) if spaces_separate_words(text) else float("nan")


def text_stats(text: str, encoding: str = "o200k_base") -> dict[str, float]:
    """Characters, words, UTF-8 bytes and tokens of ``text``, and tokens per character and per word.

    A character is a Unicode code point (what ``len`` counts in Python): an accented
    letter typed as one code point is one character, and the family emoji 👩‍👩‍👧 is five
    (three people joined by two zero-width joiners). Words are runs of non-space
    characters; for text in a script written without spaces (:func:`spaces_separate_words`)
    ``words`` and ``tokens_per_word`` are NaN (n/a).

    >>> s = text_stats("hello world")
    >>> s["tokens"], s["words"]
    (2, 2.0)
    >>> text_stats("👩‍👩‍👧")["characters"]
    5
    """
    text = _check_text(text)
    chars = len(text)
    words = _words(text)
    tokens = count_tokens(text, encoding)
    return {
        "characters": chars,
        "words": words,
        "bytes": len(text.encode("utf-8", errors="surrogatepass")),
        "tokens": tokens,
        "tokens_per_character": tokens / chars if chars else float("nan"),
        "tokens_per_word": tokens / words if words else float("nan"),
    }


def cost_table(text: str, usd_per_million: float, encodings=ENCODINGS) -> pd.DataFrame:
    """Tokens and cost of ``text`` in each encoding at ``usd_per_million`` dollars per million tokens.

    >>> cost_table("hello world", 1.0)["tokens"].to_dict()
    {'o200k_base': 2, 'cl100k_base': 2, 'deepseek_v3': 2, 'qwen': 2}
    """
    text = _check_text(text)
    # A bound keeps every cost finite (a million dollars per million tokens is far above any real price).
    price = checks.number("usd_per_million", usd_per_million, minimum=0, maximum=1e6)
    rows = []
    for enc in encodings:
        n = count_tokens(text, enc)
        rows.append({"encoding": enc, "characters": len(text), "tokens": n,
                     "tokens_per_character": n / len(text) if text else float("nan"),
                     "usd": n * price / 1e6,
                     "usd_per_1000_such_texts": n * price / 1e3})
    return pd.DataFrame(rows).set_index("encoding")


def claim_check_table(samples: dict[str, str], encodings=ENCODINGS) -> pd.DataFrame:
    """Characters, words and tokens per character of labelled samples, per encoding.

    The measurement behind the claim "one character is one token".

    >>> int(claim_check_table({"en": "hello world"}).loc["en", "characters"])
    11
    """
    rows = {}
    for label, text in samples.items():
        text = _check_text(text)
        row = {"characters": len(text), "words": _words(text)}
        for enc in encodings:
            n = count_tokens(text, enc)
            row[f"{enc} tokens"] = n
            row[f"{enc} tokens per character"] = n / len(text) if text else float("nan")
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index")


# --- Added for notebooks 01 and 02: models, token tables, rates, side-by-side views ---------------


def model_encodings(models) -> pd.DataFrame:
    """The encoding tiktoken uses for each model name, and whether the collection ships it offline.

    The name comes from tiktoken's own table (what ``tiktoken.encoding_for_model``
    looks up), without loading the vocabulary, so older models work too.

    >>> model_encodings(["gpt-4o", "gpt-4", "davinci"]).to_dict("index")
    {'gpt-4o': {'encoding': 'o200k_base', 'shipped_offline': True}, 'gpt-4': {'encoding': 'cl100k_base', 'shipped_offline': True}, 'davinci': {'encoding': 'r50k_base', 'shipped_offline': False}}
    """
    from tiktoken.model import encoding_name_for_model

    if isinstance(models, str):
        models = [models]
    rows = {}
    for model in models:
        try:
            name = encoding_name_for_model(model)
        except (KeyError, TypeError, AttributeError):
            raise ValueError(f"models: tiktoken does not know the model {model!r}") from None
        rows[model] = {"encoding": name, "shipped_offline": name in shipped_encodings()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")


def token_table(text: str, encoding: str = "o200k_base", max_tokens: int = 50) -> pd.DataFrame:
    """One row per token: its id, its bytes, and whether those bytes are text on their own.

    A token is a sequence of bytes, not of characters: a token that holds only
    part of a character's UTF-8 bytes is not text by itself (``whole_characters``
    is False) and decodes to the replacement character ``\\ufffd``.

    >>> token_table("hi 🦙", "cl100k_base")[["token_id", "bytes", "whole_characters"]].to_dict("list")
    {'token_id': [6151, 11410, 99, 247], 'bytes': [b'hi', b' \\xf0\\x9f', b'\\xa6', b'\\x99'], 'whole_characters': [True, False, False, False]}
    """
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise ValueError(f"max_tokens must be a positive whole number, got {max_tokens!r}")
    enc = get_encoding(encoding)
    rows = []
    for i, token in enumerate(encode(text, encoding)[:max_tokens]):
        raw = enc.decode_single_token_bytes(token)
        try:
            shown, whole = raw.decode("utf-8"), True
        except UnicodeDecodeError:
            shown, whole = raw.decode("utf-8", errors="replace"), False
        rows.append({"position": i, "token_id": token, "bytes": raw, "n_bytes": len(raw),
                     "text": shown, "whole_characters": whole})
    columns = ["position", "token_id", "bytes", "n_bytes", "text", "whole_characters"]
    return pd.DataFrame(rows, columns=columns).set_index("position", drop=False).rename_axis(None)


def rates_table(samples: dict[str, str], encodings=ENCODINGS) -> pd.DataFrame:
    """Characters, words, bytes, tokens, tokens per character and per word of labelled texts.

    Each encoding counts all samples in one batch (:func:`count_many`). Words are
    runs of non-space characters; for texts in scripts written without spaces
    (Chinese, Japanese, Thai ...) words and tokens per word are NaN (n/a): read
    tokens per character there.

    >>> t = rates_table({"en": "hello world", "zh": "你好"}, ["o200k_base"])
    >>> t.loc["en", ["characters", "words", "o200k_base tokens", "o200k_base tokens per word"]].tolist()
    [11.0, 2.0, 2.0, 1.0]
    >>> bool(pd.isna(t.loc["zh", "o200k_base tokens per word"]))
    True
    """
    if not isinstance(samples, dict):
        raise ValueError(f"samples must be a dict of label -> text, got {type(samples).__name__}")
    labels = list(samples)
    texts = [_check_text(samples[k]) for k in labels]
    table = pd.DataFrame({
        "characters": [len(t) for t in texts],
        "words": [_words(t) for t in texts],
        "bytes": [len(t.encode("utf-8", errors="surrogatepass")) for t in texts],
    }, index=labels)
    for enc in encodings:
        n = pd.Series(count_many(texts, enc), index=labels)
        table[f"{enc} tokens"] = n
        table[f"{enc} tokens per character"] = n / table["characters"].where(table["characters"] > 0)
        table[f"{enc} tokens per word"] = n / table["words"].where(table["words"] > 0)
    return table


def render_comparison_html(samples: dict[str, str], encodings=ENCODINGS, max_tokens: int = 300) -> str:
    """An HTML table: one row per labelled text, one column per encoding, tokens coloured.

    Labels and texts are escaped.

    >>> "&lt;b&gt;" in render_comparison_html({"<b>": "x"})
    True
    """
    if not isinstance(samples, dict):
        raise ValueError(f"samples must be a dict of label -> text, got {type(samples).__name__}")
    head = "".join(f"<th>{html.escape(enc)}</th>" for enc in encodings)
    rows = []
    for label, text in samples.items():
        cells = "".join(
            f'<td style="vertical-align:top;text-align:left"><small>{count_tokens(text, enc):,} tokens</small>'
            f"{render_tokens_html(text, enc, max_tokens=max_tokens)}</td>"
            for enc in encodings)
        rows.append(f'<tr><th style="vertical-align:top;text-align:left">{html.escape(str(label))}</th>{cells}</tr>')
    return (f'<table class="te-table te-compare mathjax_ignore"><tr><th>text</th>{head}</tr>{"".join(rows)}</table>')


# --- Defaults and small HTML views of the explorers of notebooks 00 and 01 ------------------------

#: The default text of notebook 00's explorer: an English half and a Chinese half.
START_TEXT = "Tokens are the smallest unit of AI text. 一个词元是AI文本的最小单位。"
#: The default text of notebook 01's explorer: punctuation, a number, three scripts and an emoji.
EXPLORER_TEXT = "Tokenization isn't free: 1,000,000 tokens ≈ $0.15. 词元不是免费的。トークン 🙂"


def default_price(kind: str = "input") -> tuple[float, str]:
    """Price in dollars per million ``kind`` tokens (``"input"`` or ``"output"``) of the model with the
    cheapest input in ``data/price_examples.csv``, and a label naming the model and the date.

    >>> usd_in, label = default_price()
    >>> usd_in < default_price("output")[0] and "as of" in label
    True
    """
    from . import data

    if kind not in ("input", "output"):
        raise ValueError(f"kind must be 'input' or 'output', got {kind!r}")
    row = data.load("price_examples").sort_values("usd_per_m_input").iloc[0]
    return float(row[f"usd_per_m_{kind}"]), f"{row['model']} {kind} price, as of {row['as_of']}"


def _fmt(x: float, spec: str) -> str:
    return "n/a" if x != x else format(x, spec)  # NaN (empty text, or words in Chinese) shows as n/a


def cost_table_html(table: pd.DataFrame) -> str:
    """A :func:`cost_table` as small HTML (numbers only; the encoding names are escaped anyway).

    >>> "n/a" in cost_table_html(cost_table("", 1.0))
    True
    """
    rows = "".join(
        f"<tr><td>{html.escape(str(enc))}</td><td>{int(r.tokens):,}</td>"
        f"<td>{_fmt(r.tokens_per_character, '.3f')}</td><td>${r.usd:.6f}</td><td>${r.usd_per_1000_such_texts:.4f}</td></tr>"
        for enc, r in table.iterrows()
    )
    return ('<table class="te-table"><tr><th>encoding</th><th>tokens</th><th>tokens / character</th>'
            f"<th>cost of this text</th><th>cost of 1,000 such texts</th></tr>{rows}</table>")


def stats_html(text: str, encoding: str, usd_per_million: float, name: str = "usd_per_million") -> str:
    """Counts and price of ``text`` as a one-row HTML table (only numbers and our own labels).

    ``name`` is how an error message calls the price (an explorer passes its control's label).

    >>> "n/a" in stats_html("一个词元", "qwen", 1.0)  # words between spaces mean nothing in Chinese
    True
    """
    price = checks.number(name, usd_per_million, minimum=0, maximum=1e6)
    s = text_stats(text, encoding)
    cells = [("characters (code points)", f"{s['characters']:,}"), ("words", _fmt(s["words"], ",.0f")),
             ("UTF-8 bytes", f"{s['bytes']:,}"), ("tokens", f"{s['tokens']:,}"),
             ("tokens / character", _fmt(s["tokens_per_character"], ".3f")),
             ("characters / token", _fmt(s["characters"] / s["tokens"] if s["tokens"] else float("nan"), ".2f")),
             ("price of this text", f"${s['tokens'] * price / 1e6:.6f}"),
             ("price of 1,000 such texts", f"${s['tokens'] * price / 1e3:,.4f}")]
    head = "".join(f"<th>{html.escape(k)}</th>" for k, _ in cells)
    body = "".join(f"<td>{v}</td>" for _, v in cells)
    return f'<table class="te-table"><tr>{head}</tr><tr>{body}</tr></table>'


def special_token_note(text: str, encoding: str) -> str | None:
    """A sentence for the learner when ``text`` contains a control-token string of ``encoding``'s models.

    >>> special_token_note("hi <|endoftext|>", "o200k_base")[:40]
    'The text contains <|endoftext|>: counted'
    >>> special_token_note("hello", "qwen") is None
    True
    """
    text = _check_text(text)
    enc = get_encoding(encoding)
    spec = vocabularies.VOCABULARIES.get(encoding)
    known = set(getattr(enc, "special_tokens_set", ())) | set(spec.control_tokens if spec else ())
    found = sorted(s for s in known if s in text)
    if not found:
        return None
    return (f"The text contains {', '.join(found)}: counted as ordinary text, as token_economy always does "
            "(a model's own control token would be a single token that only the application may insert).")


# --- What a vocabulary holds, and what it costs inside a model (notebooks 01 and 02) --------------


def vocabulary_table(names=None) -> pd.DataFrame:
    """The shipped vocabularies: which models use each, how many token ids it defines, how it is read.

    >>> int(vocabulary_table(["qwen"]).loc["qwen", "token_ids"])
    151643
    """
    names = list(names) if names is not None else [*ENCODINGS, "qwen3_5"]
    rows = {}
    for name in names:
        enc = get_encoding(name)
        rows[name] = {"models": vocabularies.LABELS[name], "token_ids": enc.n_vocab,
                      "read_with": "Hugging Face tokenizers" if isinstance(enc, vocabularies.HFByteLevelEncoding)
                      else "tiktoken"}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("encoding")


#: Scripts told apart by :func:`vocabulary_by_script` (Unicode script names, as the ``regex`` module knows them).
SCRIPTS = ("Latin", "Cyrillic", "Greek", "Arabic", "Hebrew", "Devanagari", "Bengali", "Tamil", "Thai",
           "Han", "Hiragana", "Katakana", "Hangul", "Ethiopic", "Myanmar")
_SCRIPT = regex.compile("|".join(f"(?P<{s}>\\p{{Script={s}}})" for s in SCRIPTS) + r"|(?P<other>\p{L})")


def _token_bytes(enc) -> list[bytes]:
    if isinstance(enc, vocabularies.HFByteLevelEncoding):
        pieces = (enc._tokenizer.id_to_token(i) for i in range(enc._tokenizer.get_vocab_size()))
        return [bytes(enc._bytes[c] for c in p) for p in pieces if p not in enc.special_tokens_set]
    return enc.token_byte_values()


@lru_cache(maxsize=8)
def vocabulary_by_script(encoding: str = "o200k_base") -> pd.Series:
    """How many tokens of the vocabulary belong to each script, by the script of their first letter.

    Tokens without a letter (digits, punctuation, spaces) count as ``"no letter"``; tokens whose
    bytes are only part of a character's UTF-8 as ``"part of a character"``; letters of scripts
    not in :data:`SCRIPTS` as ``"other letters"``. Control tokens are not counted.

    >>> s = vocabulary_by_script("cl100k_base")
    >>> int(s.sum()) == 100_256 and s.idxmax()
    'Latin'
    """
    enc = get_encoding(_check_encoding(encoding))
    counts = dict.fromkeys([*SCRIPTS, "other letters", "no letter", "part of a character"], 0)
    script_of: dict[str, str] = {}  # first letter -> its script, looked up once per distinct letter
    for raw in _token_bytes(enc):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            counts["part of a character"] += 1
            continue
        letter = next((c for c in text if c.isalpha()), None)
        if letter is None:
            counts["no letter"] += 1
            continue
        if letter not in script_of:
            m = _SCRIPT.match(letter)
            script_of[letter] = "other letters" if m is None or m.lastgroup == "other" else m.lastgroup
        counts[script_of[letter]] += 1
    return pd.Series(counts, name=encoding)


def embedding_parameters(vocab_size: int, hidden_size: int, tied: bool = False) -> int:
    """Parameters a vocabulary costs inside a model: one row of ``hidden_size`` numbers per token in
    the input embedding table, and again in the output layer unless the model ties the two.

    >>> embedding_parameters(100_000, 4096, tied=False)  # 100k x 4096 twice
    819200000
    >>> embedding_parameters(100_000, 4096, tied=True)
    409600000
    """
    v = checks.whole("vocab_size", vocab_size, minimum=1)
    d = checks.whole("hidden_size", hidden_size, minimum=1)
    if not isinstance(tied, bool):
        raise ValueError(f"tied must be True or False, got {tied!r}")
    return v * d * (1 if tied else 2)


def vocabulary_layers(extra_tokens: int | None = None) -> pd.DataFrame:
    """Real models' vocabulary layers (``data/vocabulary_layers.csv``): embedding and output parameters,
    their share of all parameters, and what ``extra_tokens`` more vocabulary would add at each model's width
    (default: the difference between ``o200k_base`` and ``cl100k_base``).

    >>> t = vocabulary_layers()
    >>> bool(t.loc["qwen3-4b", "tie_word_embeddings"]), int(t.loc["qwen3-4b", "output_params"])
    (True, 0)
    """
    from . import data

    if extra_tokens is None:
        extra_tokens = get_encoding("o200k_base").n_vocab - get_encoding("cl100k_base").n_vocab
    extra = checks.whole("extra_tokens", extra_tokens, minimum=0, maximum=10_000_000)
    t = data.load("vocabulary_layers").set_index("model")
    t["input_params"] = t["vocab_size"] * t["hidden_size"]
    t["output_params"] = t["input_params"].where(~t["tie_word_embeddings"], 0)
    t["vocabulary_share"] = (t["input_params"] + t["output_params"]) / (t["params_total_b"] * 1e9)
    t["extra_params_for_more_tokens"] = [embedding_parameters(extra, int(d), bool(tied)) if extra else 0
                                         for d, tied in zip(t["hidden_size"], t["tie_word_embeddings"])]
    t["extra_share"] = t["extra_params_for_more_tokens"] / (t["params_total_b"] * 1e9)
    return t


def pieces_per_word(words, encodings=ENCODINGS) -> pd.DataFrame:
    """How many tokens each word takes (with its leading space, as inside a sentence), per encoding:
    the share of words that are one, two, three, four or more tokens, and the most any word takes.

    >>> t = pieces_per_word(["the", "antidisestablishmentarianism"], ["o200k_base"])
    >>> t.loc["o200k_base", ["one token", "four or more", "most pieces"]].tolist()
    [0.5, 0.5, 6.0]
    """
    words = [_check_text(w) for w in words]
    if not words:
        raise ValueError("words must hold at least one word")
    rows = {}
    for enc in encodings:
        n = pd.Series(count_many([" " + w for w in words], enc))
        rows[enc] = {"words": len(n), "one token": (n == 1).mean(), "two": (n == 2).mean(),
                     "three": (n == 3).mean(), "four or more": (n >= 4).mean(), "most pieces": n.max()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("encoding")
