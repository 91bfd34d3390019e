"""Small display helpers shared by the notebooks: claim-check boxes and Markdown tables.

A claim check puts an article's claim next to a measurement and a verdict::

    >>> box = claim_check("Each character is one token.", "not_lucrative",
    ...                   "English: 0.23 tokens per character", "Wrong for English.")
    >>> "Claim check" in box.data and "not_lucrative" not in box.data
    True

Every string is HTML-escaped; the source is cited from ``data/articles.csv``
when it is an article key, and shown as given otherwise.
"""

from __future__ import annotations

import html

from IPython.display import HTML

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
        '<div class="te-claim-check" style="border-left:4px solid #2563eb;background:#eff6ff;'
        'padding:8px 12px;margin:8px 0;border-radius:4px">'
        f"<b>Claim check</b>{badge}<br>"
        f"<b>Claim:</b> {html.escape(claim)}<br>"
        f"<small><b>Source:</b> {html.escape(cited)}</small><br>"
        f"<b>Measured:</b> {html.escape(measurement)}<br>"
        f"<b>Verdict:</b> {html.escape(verdict)}</div>"
    )
