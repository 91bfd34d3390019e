"""Checks for the exercises of notebook 06 (who profits): margins, exchange rates, a reseller, owning GPUs.

Every expected answer is computed from ``data/financials.csv``, ``data/fx_rates.csv`` and notebook 06's
scenario (``profit.scenario()``), so it follows the data.

    >>> exercises.check("q1", 71.5)
    ❌ Exercise 1: `hynix_margin` is not right yet. Hint: write the margin as a fraction of revenue (0.25 for 25%), not in percent.
"""

from __future__ import annotations

from .. import data, profit, sensitivity
from . import Exercises

exercises = Exercises("06_who_profits")

#: Exercise 3's reseller markup on the wholesale price.
RESELLER_MARKUP = 0.30
PERCENT = "write it as a fraction (0.25 for 25%), not in percent"


def _company(company: str, segment: str = "company total"):
    fin = data.load("financials")
    return fin[(fin["company"] == company) & (fin["segment"] == segment)].iloc[0]


def krw_rate(kind: str) -> float:
    """The won per dollar of ``data/fx_rates.csv`` whose ``kind`` contains ``kind`` (e.g. ``"Q4 2025"``)."""
    fx = data.load("fx_rates")
    rows = fx[(fx["currency"] == "KRW") & fx["kind"].str.contains(kind, regex=False)]
    if len(rows) != 1:
        raise ValueError(f"kind: fx_rates.csv has {len(rows)} won rates of kind {kind!r}, expected 1")
    return float(rows["units_per_usd"].iloc[0])


def flip_cost_of_capital() -> float:
    """The cost of capital at which owning an H800-hour costs exactly the scenario's rent.

    >>> 0.0 < flip_cost_of_capital() < 0.5
    True
    """
    rent = profit.scenario()["rent"]
    flip = sensitivity.flip_value(lambda r: profit.hour_cost("own", cost_of_capital=r) - rent,
                                  {"r": 0.1}, "r", 0.0, 0.5)
    if flip.value is None:
        raise ValueError("no cost of capital between 0 and 50% makes owning cost the rent")
    return flip.value


@exercises.exercise("q1", "hynix_margin")
def _hynix_margin(hynix_margin):
    hynix = _company("SK hynix")
    rate = float(data.load("fx_rates").query("currency == 'KRW' and role == 'default'")["units_per_usd"].iloc[0])
    expected = profit.margin(hynix["operating_profit_bn"], hynix["revenue_bn"])
    hynix_margin.close_to(expected, unit="share of revenue", rel_tol=2e-3, mistakes={
        100 * expected: "write the margin as a fraction of revenue (0.25 for 25%), not in percent",
        expected / rate: "profit and revenue must be in the same currency: converting only one of them is wrong",
        expected * rate: "profit and revenue must be in the same currency: converting only one of them is wrong",
        1 / expected: "a margin is profit divided by revenue",
    })


@exercises.exercise("q2", "combined_q4")
def _combined_at_q4(combined_q4):
    micron, hynix = _company("Micron Technology"), _company("SK hynix")
    fin = data.load("financials")
    samsung_ds = fin[fin["segment"].str.startswith("DS division")].iloc[0]
    won_bn = float(hynix["operating_profit_bn"] + samsung_ds["operating_profit_bn"])
    usd_bn, q4 = float(micron["operating_profit_bn"]), krw_rate("Q4 2025")
    default = float(data.load("fx_rates").query("currency == 'KRW' and role == 'default'")["units_per_usd"].iloc[0])
    combined_q4.close_to(usd_bn + won_bn / q4, unit="billion dollars", rel_tol=2e-3, mistakes={
        usd_bn + won_bn * q4: "the rate is won per dollar: divide the won amounts by it",
        won_bn / q4: "add Micron's operating profit, which is already in dollars",
        (usd_bn + won_bn) / q4: "Micron's profit is already in dollars: convert only the won amounts",
        usd_bn + won_bn / default: "that is the default (estimated) rate; use the Q4 2025 quarterly average",
        usd_bn + won_bn / krw_rate("annual average"): "that is the 2025 annual average; use the Q4 2025 quarterly average",
    })


@exercises.exercise("q3", "reseller_profit", "reseller_share")
def _reseller(reseller_profit, reseller_share):
    s = profit.scenario()
    vc = profit.chain(markup=RESELLER_MARKUP)
    expected = float(vc.slices["reseller margin"])
    reseller_profit.close_to(expected, unit="dollars per million output tokens with their input", mistakes={
        expected * (1 + RESELLER_MARKUP): "a markup is a share of the reseller's cost (the wholesale price), "
                                          "not of its own selling price",
        RESELLER_MARKUP * s["usd_per_m_output"]: "the unit is a million output tokens with their input: "
                                                 "use the blended price, profit.scenario()['price']",
        float(profit.chain().slices["reseller margin"]): "that is the default markup; the question sets 30%",
    })
    share = float(vc.shares()["reseller margin"])
    reseller_share.close_to(share, unit="share of the end user's dollar", mistakes={
        RESELLER_MARKUP: "a 30% markup on cost is not 30% of the user's dollar: divide the reseller's profit "
                         "by what the user pays",
        100 * share: PERCENT,
    })


@exercises.exercise("q4", "break_even_own", "flip_cost_of_capital")
def _own_or_rent(break_even_own, flip_cost_of_capital_):
    s = profit.scenario()
    expected = profit.scenario_break_even(ownership="own")
    owned = float(s["tco"]["total"])
    break_even_own.close_to(expected, unit="share of paid hours", rel_tol=2e-3, mistakes={
        profit.scenario_break_even(): "owning, an hour costs its full cost of ownership "
                                      "(profit.scenario()['tco']['total']), not the rent",
        s["gpu_hours_per_m_full"] * owned / s["price"]: "the price must also recover training "
                                                        "(profit.scenario()['training_per_m'])",
        100 * expected: PERCENT,
    })
    flip = flip_cost_of_capital()
    flip_cost_of_capital_.close_to(flip, unit="share per year", rel_tol=0.015, mistakes={
        100 * flip: PERCENT,
    })
