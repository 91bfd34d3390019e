"""Who keeps the money: the formulas and the scenario of notebook 06 (and the scenario of notebook 08).

All amounts in US dollars unless a name says otherwise.

1. **Reported figures.** Currency conversion, margins, and the exchange rate at
   which a comparison between companies would flip::

       >>> round(margin(33.318, 41.456), 3)         # Micron's operating margin
       0.804
       >>> round(flip_rate(91_310.3, 33.318, 100), 1)  # won per dollar for $100 bn
       1369.3

   Table lookups with their sources: :func:`financial`, :func:`input_value` and the one HBM
   share of an H100's cost the collection uses, :func:`hbm_share_of_gpu_cost`.

2. **The layers per million tokens.** A reseller's markup, a model company's price minus its
   serving cost (which grows as 1 / utilization) and training, and the utilization at which it
   breaks even::

       >>> break_even_utilization(price=2.0, cost_at_full_utilization=0.5)
       0.25

3. **Where one dollar goes.** :func:`value_chain` splits what an end user pays for a million
   tokens into the margins of the reseller, the model company, the GPU cloud, the chip maker and
   the memory maker, plus every part of a GPU-hour's full cost (cost of capital, electricity,
   hosting, maintenance, the server and network). The slices always add up to the retail price.

4. **The scenario** (:func:`scenario`, :func:`chain`): DeepSeek-V3 on H800 GPUs, per million
   output tokens with the input that comes with them, at DeepSeek's measured speed and
   ``deepseek-chat``'s prices; the GPU-hour from :func:`token_economy.factory.tco_per_gpu_hour`.

5. **Memory's two scales** (:func:`memory_reconciliation`): a sliver per token, a fortune in aggregate.

6. **Verdicts and what flips them** (:func:`verdict_value`, :func:`verdict_sensitivity`): the model
   company's and the GPU cloud's margins as functions of their inputs, with sourced or labelled
   ranges (``data/sensitivity_ranges.csv``) for :mod:`token_economy.sensitivity`.

7. **DeepSeek's published day** (:func:`day6_reconciliation`): from its 545% markup to the
   scenario's margin, one change at a time; and its price path (:func:`deepseek_price_path`).

What it leaves out: taxes, interest on debt beyond the cost of capital of the GPUs, sales and
research spending beyond the one published training run, free users and discounts (the scenario
bills every token at list prices), and any link between the layers' prices (each layer takes the
others' prices as given). The notebook says where that matters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from . import checks, data, hardware

HOURS_PER_YEAR = 24 * 365

#: The slices of one end-user dollar, in the order they are drawn (top of the chain first).
SLICES = (
    "reseller margin",
    "model company margin",
    "training recovery",
    "GPU cloud margin",
    "cost of capital",
    "electricity",
    "data-centre hosting",
    "maintenance and staff",
    "server and network makers",
    "other chip suppliers",
    "memory maker gross profit",
    "chip maker gross profit",
)

#: Who receives each slice (the colour key of the figures).
SLICE_LAYER = {
    "reseller margin": "reseller",
    "model company margin": "model",
    "training recovery": "model",
    "GPU cloud margin": "cloud",
    "cost of capital": "capital",
    "electricity": "electricity",
    "data-centre hosting": "suppliers",
    "maintenance and staff": "suppliers",
    "server and network makers": "suppliers",
    "other chip suppliers": "suppliers",
    "memory maker gross profit": "memory",
    "chip maker gross profit": "chip",
}

#: Components of a GPU-hour's full cost (``factory.tco_per_gpu_hour``) that have a slice of their own;
#: every other component except ``total`` goes to "maintenance and staff".
TCO_SLICES = {"server_and_network": "server and network makers", "power": "electricity",
              "hosting": "data-centre hosting", "capital": "cost of capital"}


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


# --- table lookups: the inputs of the chain, each from a table with its source ----------------

def _choice(name: str, value, options) -> str:
    """``value`` if it is one of ``options``, else a ``ValueError`` naming ``name`` and listing the options."""
    options = sorted({str(o) for o in options})
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(options)}; got {str(value)[:60]!r}")
    return value


def financial(company: str, column: str, segment: str = "company total") -> float:
    """One figure from ``data/financials.csv`` (e.g. Nvidia's ``gross_margin_pct``).

    >>> financial("Micron Technology", "gross_margin_pct")
    84.6
    """
    df = data.load("financials")
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    column = _choice("column", column, numeric)
    company = _choice("company", company, df["company"])
    segment = _choice("segment", segment, df.loc[df["company"] == company, "segment"])
    row = df[(df["company"] == company) & (df["segment"] == segment)]
    if pd.isna(row[column].iloc[0]):
        raise ValueError(f"column: financials.csv has no {column} for {company} ({segment})")
    return float(row[column].iloc[0])


def input_value(parameter: str) -> float:
    """One value from ``data/value_chain_inputs.csv``.

    >>> input_value("reseller_markup")
    0.055
    """
    table = data.load("value_chain_inputs").set_index("parameter")
    return float(table.loc[_choice("parameter", parameter, table.index), "value"])


#: What an HBM share can be a share of (see :func:`hbm_share_of_gpu_cost`).
HBM_SHARE_BASES = ("manufacturing cost", "sale price")


def hbm_share_of_gpu_cost(gpu_or_accelerator: str = "H100-SXM", of: str = "manufacturing cost") -> float:
    """HBM's share of one accelerator's estimated manufacturing cost (or sale price), ``data/memory_cost_share.csv``.

    ``gpu_or_accelerator``: a ``gpu_id`` of ``data/gpus.csv`` (``"H100-SXM"``) or the table's own
    ``scope`` (``"NVIDIA H100 SXM"``). The one HBM share of an H100 that notebooks 04 and 06 use;
    hand check from Silicon Analysts' estimates: HBM $1,350 of $300 + 1,350 + 750 + 920 = $3,320
    to make, and of a $28,000 sale price:

    >>> round(hbm_share_of_gpu_cost(), 4), round(hbm_share_of_gpu_cost("H100-SXM", of="sale price"), 4)
    (0.4066, 0.0482)
    >>> hbm_share_of_gpu_cost("H800-SXM")
    Traceback (most recent call last):
    ...
    ValueError: gpu_or_accelerator must be one of AMD Instinct MI300X, H100-SXM, MI300X, NVIDIA H100 SXM; got 'H800-SXM'
    """
    df = data.load("memory_cost_share")
    priced = df[df["usd"].notna()]
    scopes = set(priced["scope"])
    ids = {g: hardware.get_gpu(g).name for g in hardware.gpu_ids()}
    by_id = {g: name for g, name in ids.items() if name in scopes}
    key = _choice("gpu_or_accelerator", gpu_or_accelerator, scopes | set(by_id))
    of = _choice("of", of, HBM_SHARE_BASES)
    rows = priced[priced["scope"] == by_id.get(key, key)].set_index("component")["usd"]
    hbm = float(rows.get("HBM memory", float("nan")))
    total = float(rows.drop("sale price", errors="ignore").sum()) if of == "manufacturing cost" else float(
        rows.get("sale price", float("nan")))
    if not (total > 0 and hbm >= 0):
        raise ValueError(f"gpu_or_accelerator: memory_cost_share.csv has no HBM cost and {of} for {key}")
    return hbm / total


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

    ``slices``: dollars per million tokens by :data:`SLICES` (they add up to ``retail``; "GPU cloud
    margin" is absent when the model company owns its GPUs).
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


def _tco_parts(tco) -> dict:
    """A GPU-hour's cost components as ``{name: dollars}``, checked; ``total`` (if given) must be their sum."""
    try:
        items = dict(tco.items())
    except AttributeError:
        raise ValueError("tco_usd_per_gpu_hour must be a mapping (or pandas Series) of cost components "
                         f"in $ per GPU-hour, got {type(tco).__name__}") from None
    parts = {str(k): checks.non_negative(f"tco_usd_per_gpu_hour[{k!r}]", v) for k, v in items.items()
             if k != "total"}
    if "gpu" not in parts:
        raise ValueError("tco_usd_per_gpu_hour must have a 'gpu' component (the GPU's price per hour)")
    if "total" in items:
        total = checks.non_negative("tco_usd_per_gpu_hour['total']", items["total"])
        if abs(total - sum(parts.values())) > 1e-9 * max(1.0, total):
            raise ValueError(f"tco_usd_per_gpu_hour['total'] ({total:g}) is not the sum of its components "
                             f"({sum(parts.values()):g})")
    return parts


def value_chain(*, wholesale_usd_per_m: float, reseller_markup: float, gpu_hours_per_m: float,
                tco_usd_per_gpu_hour, rental_usd_per_gpu_hour: float | None, training_usd_per_m: float,
                chip_gross_margin: float, memory_share_of_chip_cost: float, memory_gross_margin: float,
                cloud_occupancy: float = 1.0) -> ValueChain:
    """Follow the retail price of one million tokens up the chain, layer by layer.

    - the user pays ``wholesale * (1 + reseller_markup)``; the reseller keeps the markup;
    - the model company receives the wholesale price and pays for ``gpu_hours_per_m`` GPU-hours and
      ``training_usd_per_m``; the rest is its margin (may be negative). It rents the hours at
      ``rental_usd_per_gpu_hour``, or owns its GPUs (``rental_usd_per_gpu_hour=None``) and pays their
      full cost ``tco_usd_per_gpu_hour`` itself;
    - a GPU cloud that rents them out pays the full cost of every hour it owns; it rents out
      ``cloud_occupancy`` of them, so each rented hour carries ``1 / cloud_occupancy`` hours of cost;
    - the full cost of an hour (``tco_usd_per_gpu_hour``, components in $ per GPU-hour, as
      ``factory.tco_per_gpu_hour`` returns them) is split by component: ``gpu`` is the GPU's price spread
      over its life and goes to the chip maker; ``capital`` to lenders and shareholders (the cost of
      capital); ``power``, ``hosting`` and ``server_and_network`` to their suppliers; the rest to
      maintenance and staff;
    - the chip maker keeps ``chip_gross_margin`` of the GPU's price; of its cost of goods,
      ``memory_share_of_chip_cost`` buys HBM, of which the memory maker keeps ``memory_gross_margin``;
      the rest goes to other chip suppliers (foundry, packaging, test).

    Hand check: 0.5 GPU-hours at a $2 rent; an hour costs $1.20 (GPU 0.5, capital 0.3, power 0.1,
    hosting 0.2, server 0.1); chip margin 75%, memory 40% of the chip's cost at a 50% margin:

    >>> tco = {"gpu": 0.5, "capital": 0.3, "power": 0.1, "hosting": 0.2, "server_and_network": 0.1}
    >>> kw = dict(wholesale_usd_per_m=2.0, reseller_markup=0.25, gpu_hours_per_m=0.5,
    ...           tco_usd_per_gpu_hour=tco, training_usd_per_m=0.5, chip_gross_margin=0.75,
    ...           memory_share_of_chip_cost=0.4, memory_gross_margin=0.5)
    >>> vc = value_chain(rental_usd_per_gpu_hour=2.0, **kw)
    >>> vc.slices[["model company margin", "GPU cloud margin", "cost of capital", "chip maker gross profit"]].round(4).tolist()
    [0.5, 0.4, 0.15, 0.1875]
    >>> round(vc.retail, 10)       # every slice accounted for: the retail price
    2.5
    >>> own = value_chain(rental_usd_per_gpu_hour=None, **kw)   # the model company owns: no cloud, no rent
    >>> round(float(own.slices["model company margin"]), 4), "GPU cloud margin" in own.slices
    (0.9, False)
    """
    wholesale = checks.non_negative("wholesale_usd_per_m", wholesale_usd_per_m, divided_by=True)
    retail = reseller_price(wholesale, checks.non_negative("reseller_markup", reseller_markup))
    hours = checks.non_negative("gpu_hours_per_m", gpu_hours_per_m)
    parts = _tco_parts(tco_usd_per_gpu_hour)
    owns = rental_usd_per_gpu_hour is None
    rent = None if owns else checks.non_negative("rental_usd_per_gpu_hour", rental_usd_per_gpu_hour, divided_by=True)
    occupancy = checks.fraction("cloud_occupancy", cloud_occupancy, allow_zero=False)
    training = checks.non_negative("training_usd_per_m", training_usd_per_m)
    chip_gm = checks.fraction("chip_gross_margin", chip_gross_margin)
    mem_share = checks.fraction("memory_share_of_chip_cost", memory_share_of_chip_cost)
    mem_gm = checks.fraction("memory_gross_margin", memory_gross_margin)

    owned_hours = hours if owns else hours / occupancy   # hours paid for per million tokens
    hour_cost = sum(parts.values())
    chip_revenue = owned_hours * parts["gpu"]
    chip_cogs = chip_revenue * (1 - chip_gm)
    memory_revenue = chip_cogs * mem_share
    memory_profit = memory_revenue * mem_gm
    values = dict.fromkeys(SLICES, 0.0)
    values["reseller margin"] = retail - wholesale
    values["training recovery"] = training
    if owns:
        values["model company margin"] = wholesale - owned_hours * hour_cost - training
        del values["GPU cloud margin"]
    else:
        values["model company margin"] = wholesale - hours * rent - training
        values["GPU cloud margin"] = hours * rent - owned_hours * hour_cost
    for name, value in parts.items():
        if name != "gpu":
            values[TCO_SLICES.get(name, "maintenance and staff")] += owned_hours * value
    values["other chip suppliers"] = chip_cogs - memory_profit
    values["memory maker gross profit"] = memory_profit
    values["chip maker gross profit"] = chip_revenue * chip_gm
    slices = pd.Series(values, name="usd_per_m_tokens", dtype=float)
    books = [Layer("reseller", retail, wholesale)]
    if owns:
        books.append(Layer("model company", wholesale, owned_hours * hour_cost + training))
    else:
        books += [Layer("model company", wholesale, hours * rent + training),
                  Layer("GPU cloud", hours * rent, owned_hours * hour_cost)]
    books += [Layer("chip maker", chip_revenue, chip_cogs),
              Layer("memory maker", memory_revenue, memory_revenue - memory_profit)]
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


# --- 4. notebook 06's scenario: one model, one GPU, one price sheet ----------------------------

#: The scenario of notebooks 06 and 08: DeepSeek-V3 on H800 GPUs, sold at the ``deepseek-chat`` prices.
MODEL, GPU, PRICE_MODEL = "deepseek-v3", "H800-SXM", "deepseek-chat"
#: The ways the model company can get its GPU-hours (see :func:`chain`).
OWNERSHIP = ("rent", "own")


def blended_price(output_usd: float, input_usd: float, cached_input_usd: float, input_per_output: float,
                  cache_hit_share: float) -> float:
    """What a million output tokens bring in together with the input tokens that come with them.

    ``input_per_output`` input tokens arrive with each output token, ``cache_hit_share`` of them hit
    the cache (billed at ``cached_input_usd``), the rest at ``input_usd``; all prices per million tokens.
    DeepSeek's day: 608 bn input and 168 bn output tokens, 56% cache hits; at ``deepseek-chat``'s
    prices (0.42 output, 0.28 input, 0.028 cached):

    >>> round(blended_price(0.42, 0.28, 0.028, 608 / 168, 342 / 608), 4)   # 0.42 + 3.619 x 0.13825
    0.9203
    """
    out = checks.non_negative("output_usd", output_usd)
    inp = checks.non_negative("input_usd", input_usd)
    cached = checks.non_negative("cached_input_usd", cached_input_usd)
    ratio = checks.non_negative("input_per_output", input_per_output)
    hit = checks.fraction("cache_hit_share", cache_hit_share)
    return out + ratio * (hit * cached + (1 - hit) * inp)


def served_gpu_hours(gpus_per_node: float, decode_tokens_per_s_per_node: float,
                     prefill_tokens_per_s_per_node: float, input_per_output: float) -> float:
    """GPU-hours to serve a million output tokens and their input at measured node throughputs.

    Decode and prefill run on separate nodes (as DeepSeek runs them); each is charged the node-time it
    uses. DeepSeek's averages (14,800 output and 73,700 input tokens/s per 8-GPU node):

    >>> round(served_gpu_hours(8, 14_800, 73_700, 608 / 168), 4)      # 0.1502 decode + 0.1091 prefill
    0.2593
    """
    n = checks.positive("gpus_per_node", gpus_per_node)
    dec = checks.positive("decode_tokens_per_s_per_node", decode_tokens_per_s_per_node)
    pre = checks.positive("prefill_tokens_per_s_per_node", prefill_tokens_per_s_per_node)
    ratio = checks.non_negative("input_per_output", input_per_output)
    return n * 1e6 / 3600 * (1 / dec + ratio / pre)


@lru_cache(maxsize=64)
def _tco(cost_of_capital: float | None = None) -> pd.Series:
    """The full cost of one of the scenario's GPU-hours by component (``factory.tco_per_gpu_hour``; cached,
    read-only: callers copy before changing it)."""
    from . import factory

    overrides = {} if cost_of_capital is None else {"cost_of_capital": cost_of_capital}
    return factory.tco_per_gpu_hour(GPU, **overrides)


@lru_cache(maxsize=1)
def _scenario() -> dict:
    from . import factory, pricing

    g = hardware.get_gpu(GPU)
    day = factory.day6_figures()
    ratio = day["input_tokens"] / day["output_tokens"]
    hit = day["input_tokens_cache_hit"] / day["input_tokens"]
    sheet = pricing.get_price(PRICE_MODEL)
    prices = {k: float(sheet[k]) for k in ("usd_per_m_output", "usd_per_m_input", "usd_per_m_cached_input")}
    service_years = input_value("model_service_years")
    training_usd = input_value("deepseek_v3_training_usd")
    lifetime_output = day["output_tokens"] * 365 * service_years
    tco = _tco()
    return {
        "model": MODEL, "gpu": GPU, "price_model": PRICE_MODEL, **prices,
        "input_per_output": ratio, "cache_hit_share": hit,
        "price": blended_price(prices["usd_per_m_output"], prices["usd_per_m_input"],
                               prices["usd_per_m_cached_input"], ratio, hit),
        "gpus_per_node": day["gpus_per_node"],
        "decode_tokens_per_s_per_node": day["decode_tokens_per_s_per_node"],
        "prefill_tokens_per_s_per_node": day["prefill_tokens_per_s_per_node"],
        "gpu_hours_per_m_full": served_gpu_hours(day["gpus_per_node"], day["decode_tokens_per_s_per_node"],
                                                 day["prefill_tokens_per_s_per_node"], ratio),
        "decode_nodes_per_unit": day["decode_nodes_per_unit"],
        "utilization": float(factory.default_load_factor()),
        "roofline_share": float(factory.default_utilization()),
        "rent": float(g.usd_per_hour_rental),
        "tco": tco,
        "cost_of_capital": float(tco.attrs["inputs"]["cost_of_capital"]),
        "service_life_years": float(tco.attrs["inputs"]["service_life_years"]),
        "gpu_price": float(g.usd_purchase),
        "training_usd": training_usd,
        "service_years": service_years,
        "lifetime_output_tokens": lifetime_output,
        "training_per_m": training_cost_per_m(training_usd, lifetime_output),
        "markup": input_value("reseller_markup"),
        "chip_gross_margin": financial("Nvidia", "gross_margin_pct") / 100,
        "memory_gross_margin": financial("Micron Technology", "gross_margin_pct") / 100,
        # the H800 is the H100 die with its NVLink cut and the same 80 GB of HBM3
        "memory_share": hbm_share_of_gpu_cost("H100-SXM"),
        "cloud_occupancy": input_value("cloud_occupancy"),
    }


def scenario() -> dict:
    """The default numbers of notebooks 06 and 08, each from a table or a stage module (a fresh copy).

    The unit is **one million output tokens and the input tokens that come with them** on DeepSeek's
    published day (3.6 input tokens per output token, 56% of them cache hits):

    - ``price``: what that million brings in at ``deepseek-chat``'s list prices (:func:`blended_price`);
    - ``gpu_hours_per_m_full``: the GPU-hours it takes at DeepSeek's measured decode and prefill speeds
      (:func:`served_gpu_hours`), if every paid hour is spent serving;
    - ``utilization``: the share of paid GPU-hours spent serving, the factory's evidence-based default
      (DeepSeek's average over peak nodes); ``roofline_share`` says how far DeepSeek's speed is from the
      factory's roofline;
    - ``rent``: the H800 rental price in ``data/gpus.csv`` (DeepSeek's own assumption);
    - ``tco``: the full cost of owning one H800-hour, by component (``factory.tco_per_gpu_hour``);
    - training: DeepSeek-V3's reported run spread over ``model_service_years`` of DeepSeek's output;
    - chip and memory gross margins (Nvidia, Micron), HBM's share of an H100's cost, the reseller's
      markup and the GPU cloud's occupancy: ``data/financials.csv``, ``data/memory_cost_share.csv``,
      ``data/value_chain_inputs.csv``.
    """
    s = _scenario()
    return {**s, "tco": s["tco"].copy()}


def chain(price=None, utilization=None, rent=None, markup=None, ownership: str = "rent",
          cost_of_capital=None) -> ValueChain:
    """:func:`value_chain` at the default scenario, with any setting changed.

    ``ownership="own"``: the model company owns its GPUs and pays their full cost, at
    ``cost_of_capital`` (a share per year; default the factory's) instead of a rent.
    """
    s = _scenario()
    ownership = _choice("ownership", ownership, OWNERSHIP)
    u = checks.fraction("utilization", s["utilization"] if utilization is None else utilization, allow_zero=False)
    price = s["price"] if price is None else checks.non_negative("price", price, divided_by=True)
    markup = s["markup"] if markup is None else checks.non_negative("markup", markup)
    tco = s["tco"] if cost_of_capital is None else _tco(checks.number("cost_of_capital", cost_of_capital,
                                                                      minimum=0, maximum=1))
    rent = s["rent"] if rent is None else checks.non_negative("rent", rent, divided_by=True)
    return value_chain(
        wholesale_usd_per_m=price, reseller_markup=markup,
        gpu_hours_per_m=s["gpu_hours_per_m_full"] / u, tco_usd_per_gpu_hour=tco,
        rental_usd_per_gpu_hour=None if ownership == "own" else rent,
        training_usd_per_m=s["training_per_m"], chip_gross_margin=s["chip_gross_margin"],
        memory_share_of_chip_cost=s["memory_share"], memory_gross_margin=s["memory_gross_margin"],
        cloud_occupancy=s["cloud_occupancy"])


# --- 5. memory: a sliver per token, a fortune in aggregate ---------------------------------------

def memory_figure(quantity: str, period: str) -> float:
    """One value of ``data/memory_market.csv`` (TrendForce, Epoch AI, company results).

    >>> memory_figure("dram_industry_revenue", "2025-Q4")
    53.58
    """
    df = data.load("memory_market")
    quantity = _choice("quantity", quantity, df["quantity"])
    period = _choice("period", period, df.loc[df["quantity"] == quantity, "period"])
    return float(df.loc[(df["quantity"] == quantity) & (df["period"] == period), "value"].iloc[0])


def memory_reconciliation(shares: pd.Series | None = None) -> dict:
    """The two scales of memory's profit, each from sourced figures (``data/memory_market.csv``).

    Per token: the memory maker's slice of one end-user dollar (``shares`` from :meth:`ValueChain.shares`;
    default: the scenario's chain), which counts only the HBM inside the GPU. In aggregate: why memory
    makers earn more than that slice suggests:

    - ``hbm_share_of_dram_revenue_2025``: HBM bought for AI chips in 2025 (Epoch AI) over the DRAM
      industry's revenue in the four quarters of 2025 (TrendForce): most DRAM revenue is not HBM;
    - ``dram_revenue_multiple``: DRAM industry revenue in 2026-Q1 over 2025-Q1;
    - ``conventional_price_multiple``: how much conventional DRAM contract prices multiplied over
      2025-Q4 and 2026-Q1 together (TrendForce midpoints): HBM takes about ``hbm_wafer_ratio`` times
      the wafer capacity per GB of DDR5, so AI demand makes every other DRAM scarce;
    - ``micron_data_centre_share``: the share of Micron's quarter sold to data centres (HBM, server
      DRAM and SSDs).

    >>> r = memory_reconciliation(pd.Series({"memory maker gross profit": 0.02, "other": 0.98}))
    >>> round(r["hbm_share_of_dram_revenue_2025"], 3), round(r["conventional_price_multiple"], 2)
    (0.208, 2.88)
    """
    if shares is None:
        shares = chain().shares()
    if not isinstance(shares, pd.Series) or "memory maker gross profit" not in shares.index:
        raise ValueError("shares must be a Series of dollar shares with a 'memory maker gross profit' slice")
    dram_2025 = sum(memory_figure("dram_industry_revenue", f"2025-Q{q}") for q in range(1, 5))
    price_multiple = ((1 + memory_figure("conventional_dram_contract_price_change", "2025-Q4"))
                      * (1 + memory_figure("conventional_dram_contract_price_change", "2026-Q1")))
    data_centre = (memory_figure("micron_cloud_memory_bu_revenue", "FQ3 FY2026")
                   + memory_figure("micron_core_data_center_bu_revenue", "FQ3 FY2026"))
    return {
        "memory_cents_per_dollar": 100 * float(shares["memory maker gross profit"]),
        "dram_revenue_by_quarter": pd.Series(
            {p: memory_figure("dram_industry_revenue", p)
             for p in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1")}, name="usd_bn"),
        "hbm_spending_2025": memory_figure("hbm_spending", "2025"),
        "dram_revenue_2025": dram_2025,
        "hbm_share_of_dram_revenue_2025": memory_figure("hbm_spending", "2025") / dram_2025,
        "dram_revenue_multiple": (memory_figure("dram_industry_revenue", "2026-Q1")
                                  / memory_figure("dram_industry_revenue", "2025-Q1")),
        "conventional_price_multiple": price_multiple,
        "conventional_price_change": pd.Series(
            {p: memory_figure("conventional_dram_contract_price_change", p) for p in ("2025-Q4", "2026-Q1")},
            name="share_qoq"),
        "hbm_wafer_ratio": memory_figure("hbm_wafer_per_gb_vs_ddr5", "2025-12"),
        "micron_data_centre_share": data_centre / memory_figure("micron_revenue", "FQ3 FY2026"),
    }


def hour_cost(ownership: str = "rent", rent=None, cost_of_capital=None) -> float:
    """What the model company pays per GPU-hour: the rent, or (owning) the full cost at ``cost_of_capital``."""
    s = _scenario()
    if _choice("ownership", ownership, OWNERSHIP) == "rent":
        return checks.non_negative("rent", s["rent"] if rent is None else rent)
    if cost_of_capital is None:
        return float(s["tco"]["total"])
    return float(_tco(checks.number("cost_of_capital", cost_of_capital, minimum=0, maximum=1))["total"])


def scenario_break_even(price=None, ownership: str = "rent", rent=None, cost_of_capital=None) -> float | None:
    """The model company's break-even utilization at the scenario (None: no utilization covers training).

    A value above 1 means no utilization breaks even at this price.
    """
    s = _scenario()
    price = checks.positive("price", s["price"] if price is None else price)
    c1 = s["gpu_hours_per_m_full"] * hour_cost(ownership, rent, cost_of_capital)
    if c1 <= 0:
        return 0.0
    try:
        return break_even_utilization(price, c1, s["training_per_m"])
    except ValueError:
        return None


# --- 6. verdicts and what flips them --------------------------------------------------------------

def model_company_margin(price: float, utilization: float, hour_cost: float, gpu_hours_per_m_full: float,
                         training_usd_per_m: float) -> float:
    """The model company's margin on revenue: ``(price - hours / utilization x hour cost - training) / price``.

    >>> round(model_company_margin(1.0, 0.5, 2.0, 0.2, 0.1), 10)     # (1 - 0.4 x 2 - 0.1) / 1
    0.1
    """
    p = checks.positive("price", price)
    u = checks.fraction("utilization", utilization, allow_zero=False)
    cost = (checks.non_negative("gpu_hours_per_m_full", gpu_hours_per_m_full) / u
            * checks.non_negative("hour_cost", hour_cost) + checks.non_negative("training_usd_per_m", training_usd_per_m))
    return _finite_ratio("price or utilization", p - cost, p)


def cloud_margin(rent: float, tco_total: float, occupancy: float) -> float:
    """A GPU cloud's margin on revenue: each rented hour carries ``1 / occupancy`` hours of full cost.

    >>> round(cloud_margin(2.0, 1.5, 0.75), 10)       # (2 - 1.5 / 0.75) / 2
    0.0
    """
    r = checks.positive("rent", rent)
    cost = checks.non_negative("tco_total", tco_total) / checks.fraction("occupancy", occupancy, allow_zero=False)
    return _finite_ratio("rent or occupancy", r - cost, r)


def _finite_ratio(name: str, numerator: float, denominator: float) -> float:
    """``numerator / denominator``, or a ``ValueError`` naming ``name`` when the ratio is not a finite number."""
    value = numerator / denominator
    if not math.isfinite(value) or abs(value) > checks.LIMIT:
        raise ValueError(f"{name}: no meaningful margin, a cost of {denominator - numerator:.3g} on a revenue of "
                         f"{denominator:.3g}")
    return value


#: The verdicts whose inputs :func:`verdict_sensitivity` can vary, with the inputs it varies.
VERDICT_INPUTS = {
    "model_margin": ("price_level", "utilization", "rent", "training_multiple", "service_years"),
    "cloud_margin": ("rent", "occupancy", "cost_of_capital", "service_life_years", "electricity_usd_per_kwh"),
}


def verdict_value(verdict: str, **inputs) -> float:
    """The scenario's margin of a layer (``model_margin`` or ``cloud_margin``) with some inputs changed.

    ``model_margin``: ``price_level`` (share of today's list prices), ``utilization``, ``rent``,
    ``training_multiple`` (times the published training cost), ``service_years``.
    ``cloud_margin``: ``rent``, ``occupancy``, and the cost-of-ownership inputs ``cost_of_capital``,
    ``service_life_years``, ``electricity_usd_per_kwh``.
    """
    verdict = _choice("verdict", verdict, VERDICT_INPUTS)
    unknown = set(inputs) - set(VERDICT_INPUTS[verdict])
    if unknown:
        raise ValueError(f"inputs: {verdict} has no input {sorted(unknown)[0]!r}; "
                         f"known: {', '.join(VERDICT_INPUTS[verdict])}")
    s = _scenario()
    if verdict == "model_margin":
        years = checks.positive("service_years", inputs.get("service_years", s["service_years"]))
        training = training_cost_per_m(s["training_usd"] * checks.non_negative(
            "training_multiple", inputs.get("training_multiple", 1.0)), s["lifetime_output_tokens"] / s["service_years"] * years)
        return model_company_margin(s["price"] * checks.positive("price_level", inputs.get("price_level", 1.0)),
                                    inputs.get("utilization", s["utilization"]), inputs.get("rent", s["rent"]),
                                    s["gpu_hours_per_m_full"], training)
    overrides = {k: inputs[k] for k in ("cost_of_capital", "service_life_years", "electricity_usd_per_kwh")
                 if k in inputs}
    tco = _tco_with(**overrides)
    return cloud_margin(inputs.get("rent", s["rent"]), tco, inputs.get("occupancy", s["cloud_occupancy"]))


@lru_cache(maxsize=256)
def _tco_total(items: tuple) -> float:
    from . import factory

    return float(factory.tco_per_gpu_hour(GPU, **dict(items))["total"])


def _tco_with(**overrides) -> float:
    return _tco_total(tuple(sorted(overrides.items())))


def verdict_base(verdict: str) -> dict:
    """The base values of a verdict's inputs (the scenario's)."""
    verdict = _choice("verdict", verdict, VERDICT_INPUTS)
    s = _scenario()
    if verdict == "model_margin":
        return {"price_level": 1.0, "utilization": s["utilization"], "rent": s["rent"], "training_multiple": 1.0,
                "service_years": s["service_years"]}
    inputs = s["tco"].attrs["inputs"]
    return {"rent": s["rent"], "occupancy": s["cloud_occupancy"], "cost_of_capital": inputs["cost_of_capital"],
            "service_life_years": inputs["service_life_years"],
            "electricity_usd_per_kwh": inputs["electricity_usd_per_kwh"]}


def verdict_ranges(verdict: str) -> dict:
    """Each input's low and high value with its basis (``data/sensitivity_ranges.csv``), as ``sensitivity.Range``."""
    from .sensitivity import Range

    verdict = _choice("verdict", verdict, VERDICT_INPUTS)
    df = data.load("sensitivity_ranges")
    rows = df[df["verdict"] == verdict].set_index("input")
    return {name: Range(float(rows.loc[name, "low"]), float(rows.loc[name, "high"]), str(rows.loc[name, "basis"]))
            for name in VERDICT_INPUTS[verdict] if name in rows.index}


def verdict_sensitivity(verdict: str) -> pd.DataFrame:
    """Tornado data and flip values of a verdict (see :mod:`token_economy.sensitivity`): the margin crosses 0.

    Both margins are monotone in each input, so a coarse scan of 4 steps brackets any crossing (the
    root finder then refines it); it keeps the cloud's verdict, which prices a GPU-hour for every
    value tried, fast.
    """
    from . import sensitivity

    verdict = _choice("verdict", verdict, VERDICT_INPUTS)
    return sensitivity.sensitivity(lambda **kw: verdict_value(verdict, **kw), verdict_base(verdict),
                                   verdict_ranges(verdict), steps=4)


# --- 7. DeepSeek's published day, reconciled with the scenario --------------------------------------

def day6_reconciliation() -> pd.DataFrame:
    """From DeepSeek's 545% to the scenario's margin, one change at a time, per million output tokens with their input.

    Rows (``step``): DeepSeek's theoretical day at R1 prices (every token billed); the same tokens at
    today's list prices; plus training; plus a fleet sized for the peak (paid all day, serving
    ``utilization`` of the time; the scenario's default); owning the GPUs at their full cost instead of
    renting at DeepSeek's rate. Columns: revenue and cost in US$, ``margin`` (on revenue) and
    ``markup`` (on cost, the way DeepSeek states its 545%).
    """
    from . import factory

    s = _scenario()
    day = factory.day6_figures()
    out_m = day["output_tokens"] / 1e6
    day_cost = day["cost_usd_per_day"] / out_m
    hours = s["gpu_hours_per_m_full"]
    steps = [
        ("DeepSeek's day at R1 prices, every token billed (theoretical)",
         day["revenue_usd_per_day_theoretical"] / out_m, day_cost),
        (f"the same tokens at today's {PRICE_MODEL} prices", s["price"], day_cost),
        ("+ training, recovered over the model's service", s["price"], day_cost + s["training_per_m"]),
        ("+ a fleet sized for the peak (the scenario)", s["price"],
         hours / s["utilization"] * s["rent"] + s["training_per_m"]),
        ("owning the GPUs at their full cost instead of renting", s["price"],
         hours / s["utilization"] * float(s["tco"]["total"]) + s["training_per_m"]),
    ]
    table = pd.DataFrame(steps, columns=["step", "revenue_usd", "cost_usd"])
    table["margin"] = (table["revenue_usd"] - table["cost_usd"]) / table["revenue_usd"]
    table["markup"] = (table["revenue_usd"] - table["cost_usd"]) / table["cost_usd"]
    return table


def deepseek_price_path() -> pd.DataFrame:
    """DeepSeek's output price per million tokens: V3 at launch, V3.1, and today's ``deepseek-chat``.

    Columns: ``model``, ``date``, ``usd_per_m_output``, ``change_from_previous``. The V3.1 price was a
    *rise* from V3's, so a cut measured from V3.1 is larger than the cut since V3's launch.
    """
    from . import pricing

    history = pricing.price_history().set_index("model")
    rows = [(m, str(history.loc[m, "launch_date"]), float(history.loc[m, "usd_per_m_output"]))
            for m in ("deepseek-v3", "deepseek-v3.1")]
    rows.append((PRICE_MODEL, str(pricing.as_of()), float(pricing.get_price(PRICE_MODEL)["usd_per_m_output"])))
    table = pd.DataFrame(rows, columns=["model", "date", "usd_per_m_output"])
    table["change_from_previous"] = table["usd_per_m_output"].pct_change()
    return table
