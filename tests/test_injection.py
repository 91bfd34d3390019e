"""Injection probe: user text shown as HTML is always escaped.

Every library function that renders HTML (or Markdown, which Jupyter renders
with inline HTML) is found automatically: it is a public function with a text
argument whose result, for ordinary text, contains HTML tags. Each text
argument is fed markup and script; the output must show it escaped. Every text
control of every explorer gets the same treatment, and everything the explorer
then shows is checked.
"""

from __future__ import annotations

import re
import warnings

import pytest

import hostile
from test_hostile import DRIVEN, EXPLORER_NAMES, EXPLORERS, TEXT_WIDGETS, rendered_text

PAYLOADS = {
    "script": "<script>alert('te')</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "double-quote breakout": '" onmouseover="alert(1)',
    "single-quote breakout": "' onfocus='alert(1)",
    "closing tags": "</td></tr></table></div><b>bold</b>",
}
#: What must never appear in rendered output: a live tag or an attribute that escaped its quotes.
LIVE = re.compile(r"<script|<img|<b>bold|onmouseover=\"alert|onfocus='alert|</table></div><b>", re.I)
HTML_TAG = re.compile(r"<(div|span|table|tr|td|th|p|b|i|em|small|details|br|ul|li|code|pre)\b", re.I)


def rendered(result) -> str | None:
    """The HTML/Markdown text of a result, or None when it is not rendered markup."""
    text = result if isinstance(result, str) else getattr(result, "data", None)
    if isinstance(text, str) and (HTML_TAG.search(text) or type(result).__name__ in {"Markdown", "HTML"}):
        return text
    return None


def renderers() -> dict:
    """``{qualname: (fn, args, text params)}`` for the functions whose ordinary-text result is markup."""
    found = {}
    for qualname, fn in DRIVEN.items():
        args, unknown = hostile.plan(qualname, fn)
        text_params = [p for p, s in args.items() if s.kind in ("text", "texts", "samples")]
        if unknown or not text_params:
            continue
        try:
            with warnings.catch_warnings(), hostile.time_limit(30):
                warnings.simplefilter("ignore")
                result = hostile.call(fn, args)
        except Exception:  # noqa: BLE001 - the hostile suite reports functions whose valid call fails
            continue
        if rendered(result) is not None:
            found[qualname] = (fn, args, text_params)
    return found


RENDERERS = renderers()


def payload_value(spec, payload):
    if spec.kind == "texts":
        return [payload]
    if spec.kind == "samples":
        return {payload: payload}
    return payload


def test_renderers_are_found():
    # The collection renders user text in at least these places; if discovery finds none, it is broken.
    assert {"tokens.render_tokens_html", "display.claim_check"} <= set(RENDERERS)


@pytest.mark.parametrize("qualname", sorted(RENDERERS))
def test_library_output_escapes_markup(qualname):
    fn, args, text_params = RENDERERS[qualname]
    problems = []
    for pname in text_params:
        for label, payload in PAYLOADS.items():
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = hostile.call(fn, args, {pname: payload_value(args[pname], payload)})
            except ValueError:
                continue  # refused (an id that does not exist): nothing rendered
            html_text = rendered(result) or ""
            live = LIVE.search(html_text)
            if live:
                problems.append(f"{pname}={label}: live markup in output: ...{html_text[max(0, live.start() - 40):live.end() + 20]!r}")
    assert problems == [], f"{qualname}:\n  " + "\n  ".join(problems)


def _with_text_controls() -> list[str]:
    return [n for n in EXPLORER_NAMES
            if any(isinstance(c, TEXT_WIDGETS) for c in EXPLORERS[n]().controls.values())]


@pytest.mark.parametrize("name", _with_text_controls())
def test_explorer_shows_markup_escaped(name):
    ex = EXPLORERS[name]()
    text_controls = [k for k, c in ex.controls.items() if isinstance(c, TEXT_WIDGETS)]
    problems = []
    for key in text_controls:
        for label, payload in PAYLOADS.items():
            ex.set(**{key: payload})
            shown = rendered_text(ex.widget)
            live = LIVE.search(shown)
            if live:
                problems.append(f"{key}={label}: live markup shown: ...{shown[max(0, live.start() - 40):live.end() + 20]!r}")
    assert problems == [], f"explorer {name}:\n  " + "\n  ".join(problems)


def test_the_probe_sees_live_markup():
    """The probe itself: unescaped output is caught, escaped output is not."""
    import html
    for payload in PAYLOADS.values():
        assert LIVE.search(f"<div>{payload}</div>") or "onmouseover" in payload or "onfocus" in payload
        assert not LIVE.search(f"<div title=\"{html.escape(payload)}\">{html.escape(payload)}</div>")
    assert LIVE.search('<span title="" onmouseover="alert(1)">')
