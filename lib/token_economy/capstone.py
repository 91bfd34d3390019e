"""The capstone's simulation: run one token business for a year against price-cutting competitors.

A student picks a layer (a token reseller, a model company or a GPU cloud) and
sets a price, a capacity and costs. Each month:

1. competitors cut their price by ``price_cut`` on average (with seeded noise);
2. the whole market's demand grows by ``growth`` (with seeded noise);
3. the business wins a share of demand that depends on its price relative to
   the competitors'::

       share = fair_share x (competitors' price / your price) ** elasticity   (at most max_share)

4. it sells what it can (at most its ``capacity``), pays a cost per unit sold and
   a fixed cost per month, and books the difference as profit.

With ``strategy="match"`` the business keeps its starting premium or discount
over the competitors (it follows their cuts); with ``"hold"`` it keeps its own
price. A reseller's cost per unit is the wholesale price, which falls with the
competitors' price (``cost_follows_market=True``); a model company's or a
cloud's costs do not.

    >>> b = Business("model", price=1.0, capacity=100, unit_cost=0.1, fixed_cost=20)
    >>> m = Market(start_price=1.0, demand=1000, growth=0, price_cut=0, cut_noise=0, demand_noise=0,
    ...            fair_share=0.1, months=2)
    >>> simulate(b, m)[["month", "units_sold", "revenue", "profit"]]
       month  units_sold  revenue  profit
    0      1       100.0    100.0    70.0
    1      2       100.0    100.0    70.0

What it leaves out: competitors that react to you, customers who stay out of
habit, cash and financing, taxes, and any link between layers (each student
plays one layer alone). It is a classroom game, not a forecast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import checks

#: The layers a student can run, with the unit each one sells.
LAYERS = {
    "reseller": "million tokens",
    "model": "million tokens",
    "cloud": "GPU-hours",
}
STRATEGIES = ("hold", "match")


@dataclass(frozen=True)
class Business:
    """The student's decisions (prices and costs in US$ per unit of the layer, see :data:`LAYERS`).

    ``capacity``: most units that can be sold in a month (``math.inf`` for no limit, e.g. a reseller).
    """

    layer: str
    price: float
    capacity: float
    unit_cost: float
    fixed_cost: float
    strategy: str = "hold"
    cost_follows_market: bool = False

    def __post_init__(self):
        if self.layer not in LAYERS:
            raise ValueError(f"layer must be one of {', '.join(LAYERS)}, got {self.layer!r}")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {self.strategy!r}")
        checks.positive("price", self.price)
        if not (isinstance(self.capacity, (int, float)) and self.capacity == math.inf):
            checks.non_negative("capacity", self.capacity)
        checks.non_negative("unit_cost", self.unit_cost)
        checks.non_negative("fixed_cost", self.fixed_cost)


@dataclass(frozen=True)
class Market:
    """The competitors and the customers (seeded, so a class can replay the same year)."""

    start_price: float
    demand: float
    growth: float = 0.05
    price_cut: float = 0.03
    cut_noise: float = 0.02
    demand_noise: float = 0.10
    elasticity: float = 3.0
    fair_share: float = 0.10
    max_share: float = 0.8
    months: int = 12
    seed: int = 0

    def __post_init__(self):
        checks.positive("start_price", self.start_price)
        checks.non_negative("demand", self.demand)
        checks.number("growth", self.growth, minimum=-0.9, maximum=2)
        checks.number("price_cut", self.price_cut, minimum=-0.5, maximum=0.9)
        checks.number("cut_noise", self.cut_noise, minimum=0, maximum=0.5)
        checks.number("demand_noise", self.demand_noise, minimum=0, maximum=1)
        checks.number("elasticity", self.elasticity, minimum=0, maximum=20)
        checks.fraction("fair_share", self.fair_share)
        checks.fraction("max_share", self.max_share)
        checks.whole("months", self.months, minimum=1, maximum=120)
        checks.whole("seed", self.seed, minimum=0)


def market_paths(market: Market) -> pd.DataFrame:
    """Competitors' price and total demand, month by month (the same for every student with the same seed).

    Monthly cuts are drawn from a normal distribution around ``price_cut`` and clipped
    to [-0.5, 0.9]; demand noise is a normal factor around 1, clipped at 0.

    >>> market_paths(Market(start_price=1, demand=100, growth=0.1, price_cut=0.5, cut_noise=0,
    ...                     demand_noise=0, months=3))
       month  market_price  market_demand
    0      1          1.00          100.0
    1      2          0.50          110.0
    2      3          0.25          121.0
    """
    rng = np.random.default_rng(market.seed)
    n = market.months
    cuts = np.clip(rng.normal(market.price_cut, market.cut_noise, n), -0.5, 0.9)
    noise = np.clip(rng.normal(1.0, market.demand_noise, n), 0, None)
    cuts[0], noise[0] = 0.0, 1.0  # month 1 is the starting point
    price = market.start_price * np.cumprod(1 - cuts)
    demand = market.demand * (1 + market.growth) ** np.arange(n) * noise
    return pd.DataFrame({"month": np.arange(1, n + 1), "market_price": price, "market_demand": demand})


def simulate(business: Business, market: Market) -> pd.DataFrame:
    """The monthly profit and loss statement of ``business`` in ``market``.

    Columns: month, market_price, market_demand, your_price, share, units_wanted, units_sold,
    lost_units (demand beyond capacity), utilization (units sold / capacity; 0 with no limit),
    unit_cost, revenue, variable_cost, fixed_cost, profit, cumulative_profit.
    """
    paths = market_paths(market)
    relative = paths["market_price"] / market.start_price
    if business.strategy == "match":
        your_price = business.price * relative
    else:
        your_price = pd.Series(business.price, index=paths.index, dtype=float)
    unit_cost = business.unit_cost * (relative if business.cost_follows_market else 1.0)
    share = np.minimum(market.max_share,
                       market.fair_share * (paths["market_price"] / your_price) ** market.elasticity)
    wanted = paths["market_demand"] * share
    sold = np.minimum(wanted, business.capacity)
    revenue = sold * your_price
    variable = sold * unit_cost
    fixed = pd.Series(float(business.fixed_cost), index=paths.index)
    profit_ = revenue - variable - fixed
    utilization = sold / business.capacity if math.isfinite(business.capacity) and business.capacity > 0 else sold * 0
    return paths.assign(your_price=your_price, share=share, units_wanted=wanted, units_sold=sold,
                        lost_units=wanted - sold, utilization=utilization, unit_cost=unit_cost,
                        revenue=revenue, variable_cost=variable, fixed_cost=fixed, profit=profit_,
                        cumulative_profit=profit_.cumsum())


def summary(pnl: pd.DataFrame) -> dict:
    """The year in a dict: revenue, costs, profit, margin, units, lost sales, utilization, worst month.

    ``margin`` is profit / revenue, or None when nothing was sold.

    >>> pnl = pd.DataFrame({"month": [1, 2], "revenue": [100.0, 50.0], "variable_cost": [10.0, 10.0],
    ...                     "fixed_cost": [20.0, 20.0], "units_sold": [10.0, 5.0], "lost_units": [0.0, 1.0],
    ...                     "utilization": [1.0, 0.5]})
    >>> s = summary(pnl.assign(profit=pnl.revenue - pnl.variable_cost - pnl.fixed_cost))
    >>> s["profit"], s["margin"], s["worst_month"]
    (90.0, 0.6, 2)
    """
    revenue = float(pnl["revenue"].sum())
    costs = float(pnl["variable_cost"].sum() + pnl["fixed_cost"].sum())
    profit_ = float(pnl["profit"].sum())
    return {
        "revenue": revenue,
        "costs": costs,
        "profit": profit_,
        "margin": profit_ / revenue if revenue > 0 else None,
        "units_sold": float(pnl["units_sold"].sum()),
        "lost_units": float(pnl["lost_units"].sum()),
        "average_utilization": float(pnl["utilization"].mean()),
        "worst_month": int(pnl.loc[pnl["profit"].idxmin(), "month"]),
        "profitable_months": int((pnl["profit"] > 0).sum()),
    }


def statement(pnl: pd.DataFrame) -> pd.DataFrame:
    """A profit and loss statement in the accountant's layout: lines as rows, months (and the year) as columns.

    >>> pnl = pd.DataFrame({"month": [1, 2], "revenue": [100.0, 50.0], "variable_cost": [10.0, 10.0],
    ...                     "fixed_cost": [20.0, 20.0]})
    >>> statement(pnl.assign(profit=pnl.revenue - pnl.variable_cost - pnl.fixed_cost)).loc["profit"].tolist()
    [70.0, 20.0, 90.0]
    """
    lines = pnl.set_index("month")[["revenue", "variable_cost", "fixed_cost", "profit"]].T
    lines.columns = [f"M{m}" for m in lines.columns]
    lines["year"] = lines.sum(axis=1)
    lines.index = ["revenue", "cost of units sold", "fixed costs", "profit"]
    return lines
