"""Checks for the exercises of notebook 05 (price sheets and bills): monthly bills, cache savings, tiers.

Every expected answer is a bill computed by :mod:`token_economy.pricing` from the price sheet
(``data/api_prices.csv``), so it follows the sheet: a new snapshot moves the answers with it.

    >>> exercises.check("q1", {"gpt-4o-mini": 36}, {})
    ❌ Exercise 1: `monthly_bill` should have exactly the keys ['claude-haiku-4.5', 'gpt-4o-mini']; missing ['claude-haiku-4.5'].
"""

from __future__ import annotations

from .. import checks, pricing
from . import Exercises, Wrong

exercises = Exercises("05_pricing_and_bills")

#: Exercise 1: the support bot, and the two models it is billed on.
SUPPORT_BOT = pricing.Workload(requests_per_day=5_000, input_tokens=800, output_tokens=200)
BOT_MODELS = ("gpt-4o-mini", "claude-haiku-4.5")
#: Exercise 2: the notebook's agent workload, its cache-hit share raised to CACHE_TARGET, on two models.
AGENT = pricing.Workload(requests_per_day=2_000, input_tokens=100_000, output_tokens=800, cache_hit_share=0.8)
CACHE_TARGET = 0.95
AGENT_MODELS = ("claude-sonnet-4.5", "deepseek-v4-flash")
#: Exercise 3: which model becomes dearer than which, the output of the request, the prompts to try.
DEARER, CHEAPER, OUTPUT_TOKENS = "qwen3-max", "gpt-5", 1_000
PROMPT_STEP, LONGEST_PROMPT = 1_000, 250_000

_PERCENT = "a share is a fraction between 0 and 1 (0.25 for 25%)"


def _each(models, value) -> dict:
    return {m: value(m) for m in models}


@exercises.exercise("q1", "monthly_bill", "output_share")
def _support_bot(monthly_bill, output_share):
    bills = _each(BOT_MODELS, lambda m: pricing.bill(m, SUPPORT_BOT))
    per_token = _each(BOT_MODELS, lambda m: pricing.get_price(m))
    swapped = {m: SUPPORT_BOT.requests_per_day * SUPPORT_BOT.days_per_month / 1e6
               * (SUPPORT_BOT.input_tokens * p["usd_per_m_output"] + SUPPORT_BOT.output_tokens * p["usd_per_m_input"])
               for m, p in per_token.items()}
    monthly_bill.close_to_each({m: b.usd_per_month for m, b in bills.items()}, unit="dollars a month", mistakes={
        m: {b.usd_per_day: "that is one day; the question asks for a month of 30 days",
            b.usd_per_request: "that is one request; multiply by the requests of a month",
            b.usd_per_month * 1e6: "prices are per million tokens",
            b.split("month")["input"]: "that is the input alone; add the output",
            b.split("month")["output"]: "that is the output alone; add the input",
            swapped[m]: "input tokens are billed at the input price, output tokens at the output price"}
        for m, b in bills.items()})
    token_share = SUPPORT_BOT.output_tokens / (SUPPORT_BOT.input_tokens + SUPPORT_BOT.output_tokens)
    shares = {m: b.usd_output / b.usd_per_request for m, b in bills.items()}
    output_share.close_to_each(shares, unit="the bill (0 to 1)", mistakes={
        m: {token_share: "that is the output's share of the tokens; an output token costs more than an input token",
            s * 100: _PERCENT, 1 - s: "that is the input's share of the bill; the question asks for the output's"}
        for m, s in shares.items()})


@exercises.exercise("q2", "saving", "relative_saving")
def _deeper_cache(saving, relative_saving):
    deeper = AGENT.replace(cache_hit_share=CACHE_TARGET)
    before = _each(AGENT_MODELS, lambda m: pricing.bill(m, AGENT).usd_per_month)
    after = _each(AGENT_MODELS, lambda m: pricing.bill(m, deeper).usd_per_month)
    saved = {m: before[m] - after[m] for m in AGENT_MODELS}
    saving.close_to_each(saved, unit="dollars a month", mistakes={
        m: {-s: "a saving is positive: the bill at 0.8 minus the bill at 0.95",
            s / AGENT.days_per_month: "that is one day; the question asks for a month of 30 days",
            s / (AGENT.days_per_month * AGENT.requests_per_day): "that is one request; multiply by the requests of a month",
            after[m]: "that is the new bill; the saving is the difference between the two bills"}
        for m, s in saved.items()})
    relative = {m: saved[m] / before[m] for m in AGENT_MODELS}
    relative_saving.close_to_each(relative, unit="the bill at 0.8 (0 to 1)", mistakes={
        m: {r * 100: _PERCENT,
            saved[m] / after[m]: "divide by the bill before the change (at 0.8), not the one after",
            1 - r: "that is the new bill as a share of the old one; the saving is what is taken off"}
        for m, r in relative.items()})


def _request_usd(model: str, prompt_tokens: int) -> float:
    return pricing.bill(model, pricing.Workload(1, prompt_tokens, OUTPUT_TOKENS)).usd_per_request


def _dearer(prompt_tokens: int) -> bool:
    return _request_usd(DEARER, prompt_tokens) > _request_usd(CHEAPER, prompt_tokens)


def crossing(step: int = PROMPT_STEP) -> tuple[int, int]:
    """``(exact, on_grid)``: the first prompt length at which ``DEARER`` costs more than ``CHEAPER``, to the token,
    and the first multiple of ``step`` (up to ``LONGEST_PROMPT``) at which it does.

    The exact length is found by bisection between the last grid point where ``DEARER`` is not
    dearer and the first where it is (the bills change sign once there: a tier boundary).

    >>> exact, on_grid = crossing()
    >>> on_grid - PROMPT_STEP < exact <= on_grid and _dearer(exact) and not _dearer(exact - 1)
    True
    """
    step = checks.whole("step", step, minimum=1, maximum=LONGEST_PROMPT)
    on_grid = next((n for n in range(step, LONGEST_PROMPT + 1, step) if _dearer(n)), None)
    if on_grid is None:
        raise checks.argument_error("step", f"step: no multiple of {step:,} up to {LONGEST_PROMPT:,} prompt tokens "
                                            f"makes {DEARER} dearer than {CHEAPER}", step)
    lo, hi = on_grid - step, on_grid           # not dearer at lo (or lo = 0), dearer at hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if _dearer(mid) else (mid, hi)
    return hi, on_grid


@exercises.exercise("q3", "crossing_tokens")
def _tier_crossing(crossing_tokens):
    x = crossing_tokens.number("prompt tokens")
    exact, on_grid = crossing()
    if exact - 1 <= x <= on_grid:     # the last length at which it is not dearer, up to the first grid point
        return
    if exact - 1 <= x * 1_000 <= on_grid:
        raise Wrong("`crossing_tokens` is not right yet. Hint: give the prompt length in tokens, not thousands of tokens.")
    boundaries = pricing.price_tiers(DEARER)["context_from_tokens"].iloc[1:]
    if x > on_grid and any(b <= x <= b + PROMPT_STEP for b in boundaries):
        raise Wrong(f"`crossing_tokens` is not right yet. Hint: {DEARER} steps up to a dearer tier there, but it is "
                    "already dearer at shorter prompts; look for the first length at which it is.")
    if x < exact - 1:
        raise Wrong(f"`crossing_tokens` is too low: at that prompt length {DEARER} is still cheaper than {CHEAPER} "
                    "(compare the two bills at that length).")
    raise Wrong(f"`crossing_tokens` is too high: {DEARER} is already dearer than {CHEAPER} at shorter prompts; "
                "look for the first length at which it is.")
