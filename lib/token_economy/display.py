r"""Small display helpers shared by the notebooks: claim-check boxes and Markdown text with money.

A claim check puts an article's claim next to a measurement and a verdict::

    >>> box = claim_check("Each character is one token.", "not_lucrative",
    ...                   "English: 0.23 tokens per character", "Wrong for English.")
    >>> "Claim check" in box.data and "not_lucrative" not in box.data
    True

Every string is HTML-escaped; the source is cited from ``data/articles.csv``
when it is an article key, and shown as given otherwise. The box carries the class
``mathjax_ignore``, so that JupyterLab does not typeset "$5 ... $7" in it as a formula.

Money in Markdown: JupyterLab reads ``$...$`` as maths, so ``md()`` writes every dollar sign
as ``\\$`` (two backslashes, the escape JupyterLab understands; the book build shows ``$``)
and shows raw HTML as text.
Use ``IPython.display.Markdown`` directly for text that holds a real formula.
"""

from __future__ import annotations

import html
import re

from IPython.display import HTML, Markdown

from . import data

VERDICT_COLOURS = {"true": "#15803d", "roughly true": "#65a30d", "imprecise": "#ca8a04",
                   "misleading": "#ea580c", "false": "#b91c1c", "wrong": "#b91c1c"}


def claim_check(claim: str, source: str, measurement: str, verdict: str, label: str | None = None) -> HTML:
    """An HTML box: the claim (paraphrased or a short quote), its source, our measurement, the verdict.

    ``label`` is a one- or two-word verdict (``"true"``, ``"imprecise"``, ``"false"`` ...) shown as a badge.
    """
    try:
        cited = data.cite(source)
    except ValueError:
        cited = source
    badge = ""
    if label:
        colour = VERDICT_COLOURS.get(label.lower(), "#374151")
        badge = (f'<span style="background:{colour};color:white;border-radius:4px;padding:1px 6px;'
                 f'margin-left:6px;font-size:0.85em">{html.escape(label)}</span>')
    return HTML(
        '<div class="te-claim-check mathjax_ignore" style="border-left:4px solid #2563eb;background:#eff6ff;'
        'padding:8px 12px;margin:8px 0;border-radius:4px">'
        f"<b>Claim check</b>{badge}<br>"
        f"<b>Claim:</b> {html.escape(claim)}<br>"
        f"<small><b>Source:</b> {html.escape(cited)}</small><br>"
        f"<b>Measured:</b> {html.escape(measurement)}<br>"
        f"<b>Verdict:</b> {html.escape(verdict)}</div>"
    )


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
