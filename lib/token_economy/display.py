r"""Small display helpers shared by the notebooks: claim-check boxes, tables for people, Markdown with money.

A claim check puts an article's claim next to a measurement and a verdict::

    >>> box = claim_check("Each character is one token.", "not_lucrative",
    ...                   "English: 0.23 tokens per character", "Wrong for English.", label="false")
    >>> "Claim check" in box.data and "not_lucrative" not in box.data and "te-verdict-false" in box.data
    True

Every string is HTML-escaped; the source is cited from ``data/articles.csv``
when it is an article key, and shown as given otherwise. The box carries the class
``mathjax_ignore``, so that JupyterLab does not typeset "$5 ... $7" in it as a formula.

**Readable in every theme.** The collection's own HTML is styled by classes (``te-claim-check``,
``te-verdict-*``, ``te-warning``, ``te-gain``, ``te-loss``, ``te-highlight`` ...) defined in
``collection.css``, next to this module: colours come from the theme's variables (JupyterLab's, the
pages' light and dark modes), never a light background without its text colour. HTML the
collection shows starts with :func:`style_tag` (a ``<style>`` element with that style sheet), so it
works in JupyterLab, Colab and VS Code with no extension: ``HTML(display.style_tag() + markup)``.
The rendered pages also load the style sheet from ``_static/``.

**Tables for people.** :func:`table` shows a DataFrame with no bare 0..n index, integers as
integers, units in the headers, money as money and missing values as "n/a".

Money in Markdown: JupyterLab reads ``$...$`` as maths, so ``md()`` writes every dollar sign
as ``\\$`` (two backslashes, the escape JupyterLab understands; the book build shows ``$``)
and shows raw HTML as text.
Use ``IPython.display.Markdown`` directly for text that holds a real formula.
"""

from __future__ import annotations

import functools
import hashlib
import html
import math
import re
from collections.abc import Iterable, Mapping
from importlib import resources

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler
from IPython.display import HTML, Markdown

from . import data

#: The verdict labels a claim check uses (the same claim gets the same label wherever it is checked).
#: Each has a badge class ``te-verdict-<label with hyphens>`` in collection.css; other labels get a neutral badge.
VERDICTS = ("true", "roughly true", "imprecise", "misleading", "false", "wrong")


@functools.cache
def stylesheet() -> str:
    """The collection's style sheet (``collection.css``), comments and spare whitespace removed.

    >>> ".te-claim-check{" in stylesheet() and "/*" not in stylesheet()
    True
    """
    css = resources.files(__package__).joinpath("collection.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r"\s*([{};,])\s*", r"\1", css).strip()


def style_tag() -> str:
    """``<style>`` with the collection's style sheet, to put next to the collection's HTML.

    A ``<style>`` in an output applies to the whole JupyterLab page and lasts as long as that output,
    so every piece of HTML carries its own (the rules are the same; a repeat changes nothing).
    """
    return f'<style data-te="collection">{stylesheet()}</style>'


def verdict_badge(label: str) -> str:
    """A verdict label as a badge (HTML), styled by its class.

    >>> verdict_badge("Roughly true")
    '<span class="te-verdict te-verdict-roughly-true">Roughly true</span>'
    >>> verdict_badge("won per US dollar")
    '<span class="te-verdict te-verdict-other">won per US dollar</span>'
    """
    if not isinstance(label, str) or not label.strip():
        raise ValueError("label must be a non-empty string such as 'true' or 'imprecise'")
    key = " ".join(label.lower().split())
    kind = key.replace(" ", "-") if key in VERDICTS else "other"
    return f'<span class="te-verdict te-verdict-{kind}">{html.escape(label.strip())}</span>'


def claim_check(claim: str, source: str, measurement: str, verdict: str, label: str | None = None) -> HTML:
    """An HTML box: the claim (paraphrased or a short quote), its source, our measurement, the verdict.

    ``label`` is a one- or two-word verdict (``"true"``, ``"roughly true"``, ``"imprecise"``, ``"false"``)
    shown as a badge.
    """
    for name, value in (("claim", claim), ("source", source), ("measurement", measurement), ("verdict", verdict)):
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string, got {type(value).__name__}")
    try:
        cited = data.cite(source)
    except ValueError:
        cited = source
    badge = verdict_badge(label) if label else ""
    return HTML(
        style_tag() + '<div class="te-claim-check mathjax_ignore" role="note" aria-label="Claim check">'
        f"<b>Claim check</b>{badge}<br>"
        f"<b>Claim:</b> {html.escape(claim)}<br>"
        f'<span class="te-source"><b>Source:</b> {html.escape(cited)}</span><br>'
        f"<b>Measured:</b> {html.escape(measurement)}<br>"
        f"<b>Verdict:</b> {html.escape(verdict)}</div>"
    )


# --- tables for people -------------------------------------------------------------------------------

def _columns_arg(name: str, value, columns, default: int) -> dict:
    """``value`` (column names, or a mapping of column name to decimals) as {column: decimals}."""
    if value is None:
        return {}
    if isinstance(value, str):
        value = [value]
    if isinstance(value, Mapping):
        chosen = dict(value)
    elif isinstance(value, Iterable):
        chosen = {c: default for c in value}
    else:
        raise ValueError(f"{name} must be column names or a mapping of column name to decimals")
    unknown = [c for c in chosen if c not in columns]
    if unknown:
        raise ValueError(f"{name}: no column {unknown[0]!r}; columns are {', '.join(map(str, columns))}")
    for column, places in chosen.items():
        if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 12:
            raise ValueError(f"{name}: decimals for {column!r} must be a whole number from 0 to 12")
    return chosen


def _integer(value, separators: bool | None = None) -> str:
    """A whole number: separators from 10,000 on (so years stay 2026), or as ``separators`` says
    (:func:`table` decides per column, so that a column reads the same all the way down).

    >>> _integer(2026), _integer(12345.0), _integer(-1234567), _integer(4096, separators=True)
    ('2026', '12,345', '-1,234,567', '4,096')
    """
    n = int(round(value))
    return f"{n:,}" if (abs(n) >= 10_000 if separators is None else separators) else str(n)


def _decimal(value, places: int, separators: bool | None = None) -> str:
    """A number with ``places`` decimals; one too small to show that way keeps two significant digits.

    >>> _decimal(3.14159, 2), _decimal(0.000123, 2), _decimal(12345.678, 1), _decimal(0.0, 2)
    ('3.14', '0.00012', '12,345.7', '0.00')
    """
    if value != 0 and abs(value) < 0.5 * 10 ** -places:
        digits = min(12, 1 - math.floor(math.log10(abs(value))))
        return f"{value:.{digits}f}"
    big = abs(value) >= 10_000 if separators is None else separators
    return f"{value:,.{places}f}" if big else f"{value:.{places}f}"


def _all_bool(series: pd.Series) -> bool:
    """A column of yes/no values stored as objects (True, False and missing values).

    >>> _all_bool(pd.Series([True, None, False])), _all_bool(pd.Series([True, "x"]))
    (True, False)
    """
    values = series.dropna()
    return series.dtype == object and len(values) > 0 and all(isinstance(v, (bool, np.bool_)) for v in values)


def _separators(series: pd.Series) -> bool:
    """Whether a column of numbers gets thousands separators: yes if any of its values reaches 10,000
    (a column of years, all below, stays 2026; a column of counts is 4,096 above 32,768)."""
    values = pd.to_numeric(series, errors="coerce").abs()
    return bool(values.max() >= 10_000) if values.notna().any() else False


def _money(value, places: int, currency: str) -> str:
    """``-$1,234.50``: the sign before the currency, separators always.

    >>> _money(-1234.5, 2, "$"), _money(0.15, 2, "$"), _money(3e9, 0, "$")
    ('-$1,234.50', '$0.15', '$3,000,000,000')
    """
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value != 0 and value < 0.5 * 10 ** -places:
        return f"{sign}{currency}{_decimal(value, places)}"
    return f"{sign}{currency}{value:,.{places}f}"


def _is_whole(series: pd.Series) -> bool:
    values = series.dropna()
    return len(values) > 0 and bool(((values % 1) == 0).all()) and bool((values.abs() < 2 ** 53).all())


def table(df, *, index=None, money=None, percent=None, decimals=2, units=None, caption: str | None = None,
          na: str = "n/a", currency: str = "$"):
    """``df`` as a table for people (a pandas ``Styler``; display it, or chain more formatting).

    - **Index**: ``index=None`` hides an unnamed integer index (the bare 0..n of a fresh DataFrame)
      and keeps any other; ``index="col"`` shows that column as the row labels; ``True``/``False``
      keep or hide the index.
    - **Numbers**: integers (and float columns holding only whole numbers, as counts with a gap
      become) show as integers; other numbers with ``decimals`` places (an int, or a mapping of
      column to places); thousands separators in a column that reaches 10,000 (the whole column,
      so 4,096 sits above 32,768; years stay 2026); a value too small for the places keeps two
      significant digits instead of showing 0.00.
    - **Money**: ``money`` names the columns (or maps them to decimals, default 2), shown as
      ``$1,234.50`` / ``-$3.00``; ``percent`` names fractions shown as ``12.5%`` (default 1 place).
    - **Units**: ``units={"price": "USD per M tokens"}`` writes them into the headers.
    - **Missing values** show as ``na`` ("n/a"), never NaN. Text is HTML-escaped; the table has the
      classes ``te-table mathjax_ignore`` (so "$5 ... $7" is not typeset as maths).

    >>> t = table(pd.DataFrame({"model": ["a<b>", "c"], "tokens": [1200.0, None],
    ...                         "price": [0.15, 12.5], "share": [0.125, 1.0]}),
    ...           money=["price"], percent="share", units={"price": "USD per M tokens"})
    >>> html_text = t.to_html()
    >>> [s in html_text for s in ("a&lt;b&gt;", ">1200<", ">n/a<", ">$12.50<", ">12.5%<", "price (USD per M tokens)")]
    [True, True, True, True, True, True]
    >>> "row_heading" in html_text     # the 0, 1 index is hidden
    False
    """
    if isinstance(df, pd.Series):
        df = df.to_frame(name=df.name if df.name is not None else "value")
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame or Series, got {type(df).__name__}")
    if not df.columns.is_unique:
        raise ValueError("df has repeated column names; give every column its own name")
    for name, text in (("na", na), ("currency", currency)):
        if not isinstance(text, str):
            raise ValueError(f"{name} must be a string, got {type(text).__name__}")
    if caption is not None and not isinstance(caption, str):
        raise ValueError(f"caption must be a string, got {type(caption).__name__}")
    df = df.copy()
    if isinstance(index, str):
        if index not in df.columns:
            raise ValueError(f"index: no column {index!r}; columns are {', '.join(map(str, df.columns))}")
        df = df.set_index(index)
        index = True
    elif index is None:
        bare = df.index.nlevels == 1 and df.index.name is None and pd.api.types.is_integer_dtype(df.index)
        index = not bare
    elif not isinstance(index, bool):
        raise ValueError("index must be None, True, False or a column name")

    money_places = _columns_arg("money", money, df.columns, 2)
    percent_places = _columns_arg("percent", percent, df.columns, 1)
    if isinstance(decimals, Mapping):
        decimal_places = _columns_arg("decimals", decimals, df.columns, 2)
        default_places = 2
    else:
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 12:
            raise ValueError("decimals must be a whole number from 0 to 12, or a mapping of column to decimals")
        decimal_places, default_places = {}, decimals
    units = dict(units or {})
    unknown = [c for c in units if c not in df.columns]
    if unknown:
        raise ValueError(f"units: no column {unknown[0]!r}; columns are {', '.join(map(str, df.columns))}")

    na, currency = html.escape(na), html.escape(currency)

    def missing(fmt):
        return lambda v: na if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)) else fmt(v)

    formats, numeric = {}, []
    for column in df.columns:
        series = df[column]
        if column in money_places:
            places = money_places[column]
            formats[column] = missing(lambda v, p=places: _money(float(v), p, currency))
        elif column in percent_places:
            places = percent_places[column]
            formats[column] = missing(lambda v, p=places: f"{float(v) * 100:.{p}f}%")
        elif pd.api.types.is_bool_dtype(series) or _all_bool(series):
            formats[column] = missing(lambda v: "yes" if v else "no")
            continue
        elif pd.api.types.is_integer_dtype(series) or (pd.api.types.is_float_dtype(series) and _is_whole(series)
                                                        and column not in decimal_places):
            formats[column] = missing(lambda v, s=_separators(series): _integer(v, s))
        elif pd.api.types.is_float_dtype(series):
            places = decimal_places.get(column, default_places)
            formats[column] = missing(lambda v, p=places, s=_separators(series): _decimal(float(v), p, s))
        else:
            continue
        numeric.append(column)

    renamed = {c: f"{c} ({u})" for c, u in units.items()}
    df = df.rename(columns=renamed)
    formats = {renamed.get(c, c): f for c, f in formats.items()}
    numeric = [renamed.get(c, c) for c in numeric]

    # A fixed id (from the content): the same table gives the same HTML in every run.
    uid = hashlib.sha1((df.to_csv() + repr((index, caption))).encode()).hexdigest()[:10]
    styler = Styler(df, uuid=uid, cell_ids=False).format(formats, na_rep=na, escape="html")
    styler = styler.format_index(escape="html", na_rep=na, axis=0).format_index(escape="html", na_rep=na, axis=1)
    classes = pd.DataFrame("", index=df.index, columns=df.columns)
    for column in numeric:
        classes[column] = "te-num"
    styler = styler.set_td_classes(classes).set_table_attributes('class="te-table mathjax_ignore"')
    if caption:
        styler = styler.set_caption(html.escape(caption))
    if not index:
        styler = styler.hide(axis="index")
    return styler


#: Code (fenced blocks, inline code spans) and dollar signs already escaped JupyterLab's way: kept as
#: they are. Any other dollar sign, bare or with one backslash, is money; the other characters are markup.
_DOLLAR = re.compile(r"(?P<keep>^[ \t]*(?P<fence>```|~~~).*?^[ \t]*(?P=fence)"
                     r"|(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)"
                     r"|\\\\\$)"
                     r"|\\?\$", re.S | re.M)
_MARKUP = re.compile(_DOLLAR.pattern.removesuffix(r"|\\?\$") + r"""|\\?\$|[&<"']""", re.S | re.M)
_ENTITY = {"&": "&amp;", "<": "&lt;", '"': "&quot;", "'": "&#39;"}


def escape_dollars(text: str) -> str:
    r"""``text`` with every dollar sign outside code written as ``\\$``, JupyterLab's escape.

    >>> print(escape_dollars(r"costs $5, not \$7; `$x` and \\$9 stay"))
    costs \\$5, not \\$7; `$x` and \\$9 stay
    >>> print(escape_dollars("US$ bn\n```\nprint('$1')\n```"))
    US\\$ bn
    ```
    print('$1')
    ```
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    return _DOLLAR.sub(lambda m: m.group("keep") or "\\\\$", text)


def md(text: str) -> Markdown:
    r"""``IPython.display.Markdown`` for prose with money in it: ``$5`` shows as $5, not as maths.

    JupyterLab typesets ``$...$`` in Markdown output, so "$5 and $7" would become an italic
    formula. Every dollar sign outside code is escaped (see :func:`escape_dollars`); this text
    can therefore hold no formula. Markdown formatting works; raw HTML does not: outside code,
    ``& < " '`` are written as character references, which show as the characters themselves.

    >>> md("At $0.15 per million, $13.50 a month; `cost = $x` is code").data
    'At \\\\$0.15 per million, \\\\$13.50 a month; `cost = $x` is code'
    >>> md("**DeepSeek's** <b>R&D</b> `a<b`").data
    '**DeepSeek&#39;s** &lt;b>R&amp;D&lt;/b> `a<b`'
    >>> md(5)
    Traceback (most recent call last):
    ...
    ValueError: text must be a string, got int
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    return Markdown(_MARKUP.sub(lambda m: m.group("keep") or _ENTITY.get(m.group(0), "\\\\$"), text))


def money(x, decimals: int = 0, *, sign: bool = False) -> str:
    """Dollars as people write them: ``-$1,234``, ``$0.42``; ``sign=True`` adds ``+`` to gains.

    A ``ValueError`` naming ``x`` for NaN, infinity or absurd sizes (see :mod:`token_economy.checks`).

    >>> money(-1234.4), money(0.4213, 2), money(0.5, 3, sign=True)
    ('-$1,234', '$0.42', '+$0.500')
    """
    from . import checks

    x = checks.number("x", x)
    decimals = checks.whole("decimals", decimals, minimum=0, maximum=12)
    lead = "-" if x < 0 and round(abs(x), decimals) > 0 else ("+" if sign else "")
    return f"{lead}${abs(x):,.{decimals}f}"
