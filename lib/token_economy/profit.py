"""Who keeps the money: the formulas of notebook 06, on plain numbers.

Three groups of formulas, all pure and all in US dollars unless a name says
otherwise:

1. **Reported figures.** Currency conversion, margins, and the exchange rate at
   which a comparison between companies would flip::

       >>> round(margin(33.318, 41.456), 3)         # Micron's operating margin
       0.804
       >>> round(flip_rate(91_310.3, 33.318, 100), 1)  # won per dollar for $100 bn
       1369.3

2. **The three layers per million tokens.** A reseller's markup, a model
   company's price minus its serving cost (which grows as 1 / utilization) and
   training, and the utilization at which it breaks even::

       >>> break_even_utilization(price=2.0, cost_at_full_utilization=0.5)
       0.25

3. **Where one dollar goes.** :func:`value_chain` splits what an end user pays
   for a million tokens into the margins of the reseller, the model company,
   the GPU cloud, the chip maker and the memory maker, plus electricity,
   hosting and the other hardware suppliers. The slices always add up to the
   retail price.

What it leaves out: it knows nothing of GPUs, models or price sheets. The
serving cost, GPU-hours per million tokens and prices come from
:mod:`token_economy.factory` and :mod:`token_economy.pricing` in the notebooks.
Taxes, financing costs, sales and research spending beyond the one training
run, and the many input tokens that come with each output token are left out;
the notebook says where that matters.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import checks

HOURS_PER_YEAR = 24 * 365

#: The slices of one end-user dollar, in the order they are drawn (top of the chain last).
SLICES = (
    "reseller margin",
    "model company margin",
    "training recovery",
    "GPU cloud margin",
    "electricity",
    "data-centre hosting",
    "other hardware suppliers",
    "memory maker gross profit",
    "chip maker gross profit",
)

#: Who receives each slice (the colour key of the figures).
SLICE_LAYER = {
    "reseller margin": "reseller",
    "model company margin": "model",
    "training recovery": "model",
    "GPU cloud margin": "cloud",
    "electricity": "electricity",
    "data-centre hosting": "suppliers",
    "other hardware suppliers": "suppliers",
    "memory maker gross profit": "memory",
    "chip maker gross profit": "chip",
}


# --- 1. reported figures -----------------------------------------------------------------------

def to_usd(amount: float, units_per_usd: float) -> float:
    """An amount in a foreign currency, in dollars, at ``units_per_usd`` units per dollar.

    >>> to_usd(37_610.3, 1_484.9)      # SK hynix's Q1 2026 operating profit, billions of won
    25.32...
    """
    return checks.number("amount", amount) / checks.positive("units_per_usd", units_per_usd)


def from_usd(amount_usd: float, units_per_usd: float) -> float:
    """Dollars converted into another currency at ``units_per_usd``.

    >>> from_usd(10, 7.0)
    70.0
    """
    return checks.number("amount_usd", amount_usd) * checks.positive("units_per_usd", units_per_usd)


def margin(profit: float, revenue: float) -> float:
    """Profit as a share of revenue (operating margin, gross margin, net margin ...).

    >>> margin(35.056, 41.456)          # Micron's gross margin, FQ3 2026
    0.8456...
    >>> margin(-1, 4)
    -0.25
    """
    return checks.number("profit", profit) / checks.positive("revenue", revenue)


def cost_margin(revenue: float, cost: float) -> float:
    """Profit as a share of *cost*, the way DeepSeek stated its "cost profit margin".

    A 545% cost margin means revenue is 6.45 times cost.

    >>> round(cost_margin(562_027, 87_072), 2)
    5.45
    """
    cost = checks.positive("cost", cost)
    return (checks.number("revenue", revenue) - cost) / cost


def revenue_margin_from_cost_margin(m: float) -> float:
    """The same profit as a share of revenue: ``m / (1 + m)``.

    >>> round(revenue_margin_from_cost_margin(5.45), 3)
    0.845
    """
    m = checks.number("m", m, minimum=-1 + 1e-12)
    return m / (1 + m)


def flip_rate(native_amount: float, usd_amount: float, target_usd: float) -> float:
    """Exchange rate (units per dollar) at which ``native/rate + usd_amount`` equals ``target_usd``.

    Below this rate (a stronger foreign currency) the total is above the target;
    above it, below. ``ValueError`` when no positive rate reaches the target,
    which means the verdict does not depend on the exchange rate at all.

    >>> flip_rate(100, 0, 50)
    2.0
    >>> flip_rate(100, 60, 50)
    Traceback (most recent call last):
    ...
    ValueError: target_usd (50) is already exceeded by usd_amount (60) at any exchange rate
    """
    native = checks.positive("native_amount", native_amount)
    usd = checks.non_negative("usd_amount", usd_amount)
    target = checks.positive("target_usd", target_usd)
    if target <= usd:
        raise ValueError(f"target_usd ({target:g}) is already exceeded by usd_amount ({usd:g}) at any exchange rate")
    return native / (target - usd)


def in_usd(amounts, currencies, units_per_usd: dict) -> pd.Series:
    """Convert amounts given in several currencies into dollars with a ``{currency: units per USD}`` dict.

    >>> in_usd([10, 14_849], ["USD", "KRW"], {"KRW": 1_484.9}).tolist()
    [10.0, 10.0]
    """
    amounts, currencies = list(amounts), list(currencies)
    if len(amounts) != len(currencies):
        raise ValueError(f"amounts and currencies must have the same length, got {len(amounts)} and {len(currencies)}")
    rates = {"USD": 1.0, **units_per_usd}
    missing = sorted({c for c in currencies if c not in rates})
    if missing:
        raise ValueError(f"units_per_usd has no rate for {', '.join(missing)}")
    return pd.Series([to_usd(a, rates[c]) for a, c in zip(amounts, currencies)], dtype=float)


# --- 2. the three layers, per million tokens ---------------------------------------------------

def reseller_price(wholesale_usd_per_m: float, markup: float) -> float:
    """What a reseller charges: the wholesale price times ``1 + markup``.

    >>> reseller_price(2.0, 0.3)
    2.6
    """
    return checks.non_negative("wholesale_usd_per_m", wholesale_usd_per_m) * (
        1 + checks.non_negative("markup", markup))


def serving_cost_at(utilization: float, cost_at_full_utilization: float) -> float:
    """Serving cost per million tokens when GPUs are busy only ``utilization`` of the time.

    The GPUs are paid for every hour, so the cost of the tokens made grows as 1 / utilization.

    >>> serving_cost_at(0.25, 0.5)
    2.0
    """
    u = checks.fraction("utilization", utilization, allow_zero=False)
    return checks.non_negative("cost_at_full_utilization", cost_at_full_utilization) / u


def training_cost_per_m(training_cost_usd: float, lifetime_tokens: float) -> float:
    """Training cost spread over every token the model will serve, in dollars per million tokens.

    >>> training_cost_per_m(5.576e6, 61e12)     # $5.6 M run, 61 trillion tokens served
    0.0914...
    """
    return checks.non_negative("training_cost_usd", training_cost_usd) / (
        checks.positive("lifetime_tokens", lifetime_tokens) / 1e6)


def break_even_utilization(price: float, cost_at_full_utilization: float, training_usd_per_m: float = 0.0) -> float:
    """Utilization at which price covers serving cost plus training (both per million tokens).

    Solves ``price = cost_at_full_utilization / u + training``. A result above 1
    means the company cannot break even at this price however busy its GPUs are.

    >>> break_even_utilization(2.0, 0.5, training_usd_per_m=1.0)
    0.5
    >>> break_even_utilization(1.0, 0.5, training_usd_per_m=1.0)
    Traceback (most recent call last):
    ...
    ValueError: price (1) must be above training_usd_per_m (1): otherwise no utilization breaks even
    """
    p = checks.positive("price", price)
    c1 = checks.positive("cost_at_full_utilization", cost_at_full_utilization)
    t = checks.non_negative("training_usd_per_m", training_usd_per_m)
    if p <= t:
        raise ValueError(f"price ({p:g}) must be above training_usd_per_m ({t:g}): otherwise no utilization breaks even")
    return c1 / (p - t)


def price_war(price: float, cost_at_full_utilization: float, training_usd_per_m: float = 0.0,
              cuts=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5)) -> pd.DataFrame:
    """Break-even utilization after each price cut (a share of ``price``).

    ``break_even_utilization`` above 1 means no utilization can save the business;
    the table says so in ``can_break_even``. When the new price is at or below
    training, no utilization at all breaks even: ``break_even_utilization`` is
    then ``None`` (not an infinity) and the column holds Python objects.

    >>> price_war(1.0, 0.5, cuts=[0, 0.25, 0.5])[["price", "break_even_utilization", "can_break_even"]]
       price  break_even_utilization  can_break_even
    0   1.00                0.500000            True
    1   0.75                0.666667            True
    2   0.50                1.000000            True
    """
    p = checks.positive("price", price)
    c1 = checks.positive("cost_at_full_utilization", cost_at_full_utilization)
    t = checks.non_negative("training_usd_per_m", training_usd_per_m)
    rows = []
    for cut in cuts:
        cut = checks.number("cuts", cut, minimum=0, maximum=1)
        new = p * (1 - cut)
        u = c1 / (new - t) if new > t else None
        rows.append({"cut": cut, "price": new, "break_even_utilization": u,
                     "can_break_even": u is not None and u <= 1})
    table = pd.DataFrame(rows, columns=["cut", "price", "break_even_utilization", "can_break_even"])
    if any(r["break_even_utilization"] is None for r in rows):  # keep None: pandas would turn it into NaN
        table["break_even_utilization"] = pd.Series([r["break_even_utilization"] for r in rows], dtype=object)
    return table


@dataclass(frozen=True)
class Layer:
    """One layer's economics for one million tokens, in dollars."""

    name: str
    revenue: float
    cost: float

    @property
    def profit(self) -> float:
        return self.revenue - self.cost

    @property
    def margin(self) -> float:
        """Profit over revenue (0 when there is no revenue)."""
        return self.profit / self.revenue if self.revenue > 0 else 0.0


def reseller_layer(wholesale_usd_per_m: float, markup: float, opex_usd_per_m: float = 0.0) -> Layer:
    """The reseller buys at wholesale and sells with a markup; no GPUs, no training.

    >>> r = reseller_layer(2.0, 0.25)
    >>> r.revenue, r.profit, r.margin
    (2.5, 0.5, 0.2)
    """
    revenue = reseller_price(wholesale_usd_per_m, markup)
    cost = checks.non_negative("wholesale_usd_per_m", wholesale_usd_per_m) + checks.non_negative(
        "opex_usd_per_m", opex_usd_per_m)
    return Layer("reseller", revenue, cost)


def model_layer(price_usd_per_m: float, serving_cost_usd_per_m: float, training_usd_per_m: float = 0.0) -> Layer:
    """The model company sells at its list price and pays for serving and training.

    >>> m = model_layer(2.0, 1.5, 0.1)
    >>> round(m.profit, 2), round(m.margin, 2)
    (0.4, 0.2)
    """
    price = checks.non_negative("price_usd_per_m", price_usd_per_m)
    cost = (checks.non_negative("serving_cost_usd_per_m", serving_cost_usd_per_m)
            + checks.non_negative("training_usd_per_m", training_usd_per_m))
    return Layer("model company", price, cost)


# --- 3. where one dollar goes ------------------------------------------------------------------

def depreciation_per_hour(gpu_price_usd: float, years: float) -> float:
    """Purchase price spread evenly over every hour of the GPU's life.

    >>> round(depreciation_per_hour(25_000, 4), 3)
    0.713
    """
    return checks.non_negative("gpu_price_usd", gpu_price_usd) / (checks.positive("years", years) * HOURS_PER_YEAR)


@dataclass(frozen=True)
class ValueChain:
    """The result of :func:`value_chain`: the slices of the retail price and each layer's books.

    ``slices``: dollars per million tokens by :data:`SLICES` (they add up to ``retail``).
    ``layers``: revenue, cost, profit and margin of each layer for the same million tokens.
    """

    slices: pd.Series
    layers: pd.DataFrame

    @property
    def retail(self) -> float:
        """What the end user pays for one million tokens."""
        return float(self.slices.sum())

    def shares(self) -> pd.Series:
        """Each slice as a share of the end user's dollar (see :func:`dollar_split`)."""
        return dollar_split(self.slices)


def value_chain(*, wholesale_usd_per_m: float, reseller_markup: float, gpu_hours_per_m: float,
                rental_usd_per_gpu_hour: float, gpu_price_usd: float, gpu_years: float,
                electricity_usd_per_gpu_hour: float, hosting_usd_per_gpu_hour: float,
                training_usd_per_m: float, chip_gross_margin: float, memory_share_of_chip_cost: float,
                memory_gross_margin: float) -> ValueChain:
    """Follow the retail price of one million tokens up the chain, layer by layer.

    - the user pays ``wholesale * (1 + reseller_markup)``; the reseller keeps the markup;
    - the model company receives the wholesale price and pays ``gpu_hours_per_m`` GPU-hours at
      ``rental_usd_per_gpu_hour`` plus ``training_usd_per_m``; the rest is its margin (may be negative);
    - the GPU cloud receives the rent and pays, per GPU-hour, the GPU's purchase price spread over
      ``gpu_years`` (every hour rented out), electricity and hosting; the rest is its margin;
    - the purchase price goes to the chip maker, which keeps ``chip_gross_margin`` of it; of its cost of
      goods, ``memory_share_of_chip_cost`` buys memory, of which the memory maker keeps
      ``memory_gross_margin``; the rest goes to other suppliers (foundry, packaging, assembly).

    >>> vc = value_chain(wholesale_usd_per_m=2.0, reseller_markup=0.25, gpu_hours_per_m=0.5,
    ...                  rental_usd_per_gpu_hour=2.0, gpu_price_usd=8760 * 4, gpu_years=4,
    ...                  electricity_usd_per_gpu_hour=0.1, hosting_usd_per_gpu_hour=0.2,
    ...                  training_usd_per_m=0.5, chip_gross_margin=0.75,
    ...                  memory_share_of_chip_cost=0.4, memory_gross_margin=0.5)
    >>> vc.slices[["reseller margin", "model company margin", "GPU cloud margin", "chip maker gross profit"]].tolist()
    [0.5, 0.5, 0.35, 0.375]
    >>> round(vc.retail, 10)       # every slice accounted for: the retail price
    2.5
    >>> vc.layers.loc["model company", ["revenue", "cost", "profit"]].tolist()
    [2.0, 1.5, 0.5]
    """
    wholesale = checks.non_negative("wholesale_usd_per_m", wholesale_usd_per_m, divided_by=True)
    retail = reseller_price(wholesale, checks.non_negative("reseller_markup", reseller_markup))
    hours = checks.non_negative("gpu_hours_per_m", gpu_hours_per_m)
    rent = checks.non_negative("rental_usd_per_gpu_hour", rental_usd_per_gpu_hour, divided_by=True)
    dep = depreciation_per_hour(gpu_price_usd, checks.positive("gpu_years", gpu_years))
    power = checks.non_negative("electricity_usd_per_gpu_hour", electricity_usd_per_gpu_hour)
    hosting = checks.non_negative("hosting_usd_per_gpu_hour", hosting_usd_per_gpu_hour)
    training = checks.non_negative("training_usd_per_m", training_usd_per_m)
    chip_gm = checks.fraction("chip_gross_margin", chip_gross_margin)
    mem_share = checks.fraction("memory_share_of_chip_cost", memory_share_of_chip_cost)
    mem_gm = checks.fraction("memory_gross_margin", memory_gross_margin)

    rent_total = hours * rent
    chip_revenue = hours * dep
    chip_cogs = chip_revenue * (1 - chip_gm)
    memory_revenue = chip_cogs * mem_share
    memory_profit = memory_revenue * mem_gm
    values = {
        "reseller margin": retail - wholesale,
        "model company margin": wholesale - rent_total - training,
        "training recovery": training,
        "GPU cloud margin": rent_total - hours * (dep + power + hosting),
        "electricity": hours * power,
        "data-centre hosting": hours * hosting,
        "other hardware suppliers": chip_cogs - memory_profit,
        "memory maker gross profit": memory_profit,
        "chip maker gross profit": chip_revenue * chip_gm,
    }
    slices = pd.Series(values, name="usd_per_m_tokens")[list(SLICES)]
    books = [
        Layer("reseller", retail, wholesale),
        Layer("model company", wholesale, rent_total + training),
        Layer("GPU cloud", rent_total, hours * (dep + power + hosting)),
        Layer("chip maker", chip_revenue, chip_cogs),
        Layer("memory maker", memory_revenue, memory_revenue - memory_profit),
    ]
    layers = pd.DataFrame([{"layer": b.name, "revenue": b.revenue, "cost": b.cost, "profit": b.profit,
                            "margin": b.margin} for b in books]).set_index("layer")
    return ValueChain(slices, layers)


def dollar_split(slices: pd.Series) -> pd.Series:
    """Each slice as a share of the retail price (the shares add up to 1).

    >>> dollar_split(pd.Series({"a": 1.0, "b": 3.0})).tolist()
    [0.25, 0.75]
    """
    total = float(slices.sum())
    if total <= 0:
        raise ValueError(f"the retail price must be above 0 to split a dollar, got {total:g}")
    return (slices / total).rename("share_of_end_user_dollar")
