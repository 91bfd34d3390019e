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

With ``strategy="follow"`` the business keeps its starting premium or discount
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
from functools import lru_cache

import numpy as np
import pandas as pd

from . import checks, data

#: The layers a student can run, with the unit each one sells.
LAYERS = {
    "reseller": "million tokens",
    "model": "million tokens",
    "cloud": "GPU-hours",
}
#: The two pricing strategies: keep your own price, or follow the competitors' cuts.
STRATEGIES = ("hold", "follow")


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
            # units sold (at most the capacity) make the revenue the margin is divided by: 0, or not tiny
            checks.non_negative("capacity", self.capacity, divided_by=True)
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
    month, price, demand = _paths(market)
    return pd.DataFrame({"month": month, "market_price": price, "market_demand": demand})


def _paths(market: Market) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Month numbers, competitors' price and market demand as arrays (see :func:`market_paths`)."""
    rng = np.random.default_rng(market.seed)
    n = market.months
    cuts = np.clip(rng.normal(market.price_cut, market.cut_noise, n), -0.5, 0.9)
    noise = np.clip(rng.normal(1.0, market.demand_noise, n), 0, None)
    cuts[0], noise[0] = 0.0, 1.0  # month 1 is the starting point
    price = market.start_price * np.cumprod(1 - cuts)
    demand = market.demand * (1 + market.growth) ** np.arange(n) * noise
    return np.arange(1, n + 1), price, demand


def simulate(business: Business, market: Market) -> pd.DataFrame:
    """The monthly profit and loss statement of ``business`` in ``market``.

    Columns: month, market_price, market_demand, your_price, share, units_wanted, units_sold,
    lost_units (demand beyond capacity), utilization (units sold / capacity; 0 with no limit),
    unit_cost, revenue, variable_cost, fixed_cost, profit, cumulative_profit.
    """
    return pd.DataFrame(_year(business, market))


def _year(business: Business, market: Market) -> dict:
    """The columns of :func:`simulate` as arrays (fast: the sensitivity tests call it hundreds of times)."""
    month, price, demand = _paths(market)
    relative = price / market.start_price
    your_price = business.price * relative if business.strategy == "follow" else np.full(len(price), business.price)
    unit_cost = business.unit_cost * (relative if business.cost_follows_market else np.ones(len(price)))
    with np.errstate(over="ignore"):  # a price near 0 wins the whole share: inf, then capped at max_share
        share = np.minimum(market.max_share, market.fair_share * (price / your_price) ** market.elasticity)
    wanted = demand * share
    sold = np.minimum(wanted, business.capacity)
    revenue = sold * your_price
    variable = sold * unit_cost
    fixed = np.full(len(price), float(business.fixed_cost))
    profit_ = revenue - variable - fixed
    limited = math.isfinite(business.capacity) and business.capacity > 0
    utilization = sold / business.capacity if limited else np.zeros(len(price))
    return {"month": month, "market_price": price, "market_demand": demand, "your_price": your_price,
            "share": share, "units_wanted": wanted, "units_sold": sold, "lost_units": wanted - sold,
            "utilization": utilization, "unit_cost": unit_cost, "revenue": revenue, "variable_cost": variable,
            "fixed_cost": fixed, "profit": profit_, "cumulative_profit": np.cumsum(profit_)}


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
    col = (lambda k: np.asarray(pnl[k])) if isinstance(pnl, dict) else (lambda k: pnl[k].to_numpy())
    revenue = float(col("revenue").sum())
    costs = float(col("variable_cost").sum() + col("fixed_cost").sum())
    monthly = col("profit")
    profit_ = float(monthly.sum())
    return {
        "revenue": revenue,
        "costs": costs,
        "profit": profit_,
        "margin": profit_ / revenue if revenue > 0 else None,
        "units_sold": float(col("units_sold").sum()),
        "lost_units": float(col("lost_units").sum()),
        "average_utilization": float(col("utilization").mean()),
        "worst_month": int(col("month")[monthly.argmin()]),
        "profitable_months": int((monthly > 0).sum()),
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


# --- the starting businesses of notebook 08 -----------------------------------------------------

#: Hours in an average month (8,760 / 12).
HOURS_PER_MONTH = 730
#: The GPU the capstone's cloud owns: an H100, the GPU with a public market rent in ``data/gpus.csv``
#: (notebook 06's H800 rent of $2 is DeepSeek's own costing assumption, not a market price).
CLOUD_GPU = "H100-SXM"


def assumption(layer: str, parameter: str) -> float:
    """One value of ``data/capstone_presets.csv`` (a classroom assumption, each with its reason).

    >>> assumption("all", "elasticity")
    3.0
    """
    df = data.load("capstone_presets")
    layer = checks.text("layer", layer)
    parameter = checks.text("parameter", parameter)
    row = df[(df["layer"] == layer) & (df["parameter"] == parameter)]
    if row.empty:
        known = ", ".join(sorted(f"{a}/{b}" for a, b in zip(df["layer"], df["parameter"])))
        raise ValueError(f"parameter: capstone_presets.csv has no {parameter[:40]!r} for layer {layer[:40]!r}; "
                         f"known: {known}")
    return float(row["value"].iloc[0])


def market_assumptions() -> dict:
    """The competitors and customers every layer faces (``layer == "all"`` in ``data/capstone_presets.csv``).

    >>> market_assumptions()["price_cut"]
    0.03
    """
    return {k: assumption("all", k) for k in ("growth", "price_cut", "cut_noise", "demand_noise", "elasticity",
                                              "max_share")}


@lru_cache(maxsize=None)
def presets(layer: str) -> tuple[Business, Market]:
    """The starting business and market of one layer, from notebook 06's scenario and the classroom assumptions.

    - **reseller**: buys ``deepseek-chat`` at its list price and sells with a premium; its cost follows
      the list price down; no GPUs, a small fixed cost.
    - **model company**: rents ``gpus`` H800s by the month (a fixed cost at the scenario's rent); its
      capacity is what they make in a month at DeepSeek's measured speed, every hour serving (the game
      itself decides how many hours are used); it sells notebook 06's unit (a million output tokens with
      their input) at notebook 06's price, and each unit also carries notebook 06's share of training.
    - **GPU cloud**: owns ``gpus`` H100 GPUs (:data:`CLOUD_GPU`) and rents them at the going H100 rent
      of ``data/gpus.csv``; its fixed cost is their full cost per hour (``factory.tco_per_gpu_hour``:
      GPU, server, network, hosting, maintenance, cost of capital) except electricity, which it pays per
      hour sold.

    The model company's and the cloud's fair share of the market is derived so that it fills
    ``start_utilization`` of their capacity in month 1: a fair share can never exceed the capacity.
    """
    from . import factory, hardware, profit

    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {', '.join(LAYERS)}, got {str(layer)[:40]!r}")
    s = profit.scenario()
    common = market_assumptions()
    day6 = data.load("deepseek_inference_day6").set_index("quantity")["value"]
    token_market = float(day6["output_tokens"]) / 1e6 * assumption("model", "market_demand_days")
    if layer == "reseller":
        business = Business("reseller", price=s["price"] * (1 + assumption("reseller", "premium")),
                            capacity=assumption("reseller", "capacity"), unit_cost=s["price"],
                            fixed_cost=assumption("reseller", "fixed_cost"), strategy="follow",
                            cost_follows_market=True)
        return business, Market(start_price=s["price"], demand=token_market,
                                fair_share=assumption("reseller", "fair_share"), **common)
    if layer == "model":
        gpus = assumption("model", "gpus")
        capacity = gpus * HOURS_PER_MONTH / s["gpu_hours_per_m_full"]
        business = Business("model", price=s["price"], capacity=capacity, unit_cost=s["training_per_m"],
                            fixed_cost=gpus * s["rent"] * HOURS_PER_MONTH, strategy="hold")
        share = assumption("model", "start_utilization") * capacity / token_market
        return business, Market(start_price=s["price"], demand=token_market, fair_share=share, **common)
    gpus = assumption("cloud", "gpus")
    tco = factory.tco_per_gpu_hour(CLOUD_GPU)
    rent = float(hardware.get_gpu(CLOUD_GPU).usd_per_hour_rental)
    capacity = gpus * HOURS_PER_MONTH
    business = Business("cloud", price=rent, capacity=capacity, unit_cost=float(tco["power"]),
                        fixed_cost=gpus * float(tco["total"] - tco["power"]) * HOURS_PER_MONTH, strategy="hold")
    demand = assumption("cloud", "market_gpu_hours")
    share = assumption("cloud", "start_utilization") * capacity / demand
    return business, Market(start_price=rent, demand=demand, fair_share=share, **common)


#: The decisions a student makes (fields of :class:`Business` that :func:`play` may change).
DECISIONS = ("price", "capacity", "unit_cost", "fixed_cost", "strategy")
#: The market settings :func:`play` may change (fields of :class:`Market`).
MARKET_SETTINGS = ("growth", "price_cut", "cut_noise", "demand_noise", "elasticity", "max_share", "seed")


def _setup(layer: str, market: dict | None, decisions: dict) -> tuple[Business, Market]:
    business, base = presets(layer)
    unknown = set(decisions) - set(DECISIONS)
    if unknown:
        raise ValueError(f"decisions: unknown {sorted(unknown)}; use {', '.join(DECISIONS)}")
    market = dict(market or {})
    unknown = set(market) - set(MARKET_SETTINGS)
    if unknown:
        raise ValueError(f"market: unknown {sorted(unknown)}; use {', '.join(MARKET_SETTINGS)}")
    return Business(**{**business.__dict__, **decisions}), Market(**{**base.__dict__, **market})


def play(layer: str, *, market: dict | None = None, **decisions) -> pd.DataFrame:
    """The year of ``layer``'s preset business with some decisions changed (:data:`DECISIONS`), in its
    preset market with some settings changed (``market={"price_cut": 0.06, "seed": 7}``, :data:`MARKET_SETTINGS`).

    >>> play("cloud", strategy="follow", market={"seed": 3})["month"].tolist()[-1]
    12
    """
    return simulate(*_setup(layer, market, decisions))


def compare_layers(*, market: dict | None = None, **decisions_by_layer) -> pd.DataFrame:
    """Each layer's year at its presets, side by side, ranked by margin (profit over revenue, after all costs).

    ``decisions_by_layer``: ``model={"strategy": "follow"}`` and the like. Margin is the common yardstick:
    absolute profits of layers a hundred times apart in size say nothing about which business is better,
    and every cost is counted (the GPUs' cost of capital in the cloud's fixed cost and in the model
    company's rent), so a positive margin is a return above what the money could earn elsewhere.
    """
    rows = {}
    for layer in LAYERS:
        rows[layer] = summary(play(layer, market=market, **decisions_by_layer.get(layer, {})))
    table = pd.DataFrame(rows).T
    table.index.name = "layer"
    return table.sort_values("margin", ascending=False, key=lambda m: m.astype(float).fillna(-math.inf))


def choices(layer: str, *, price_factors=(0.9, 1.0, 1.1), capacity_factors=(0.75, 1.0, 1.25),
            market: dict | None = None) -> pd.DataFrame:
    """Every combination of strategy, starting price and capacity around the preset, best margin first.

    Capacity costs money: for the model company and the cloud the fixed cost (GPUs rented or owned)
    grows with capacity. The reseller's capacity never binds, so only its price and strategy vary.
    Columns: strategy, price_factor, capacity_factor, price, capacity, margin, profit,
    average_utilization, lost_units.
    """
    business, _ = presets(layer)
    caps = (1.0,) if layer == "reseller" else tuple(capacity_factors)
    rows = []
    for strategy in STRATEGIES:
        for pf in price_factors:
            pf = checks.number("price_factors", pf, strictly_positive=True, maximum=100)
            for cf in caps:
                cf = checks.number("capacity_factors", cf, minimum=0, maximum=100)
                s = summary(play(layer, market=market, strategy=strategy, price=business.price * pf,
                                 capacity=business.capacity * cf, fixed_cost=business.fixed_cost * (
                                     1.0 if layer == "reseller" else cf)))
                rows.append({"strategy": strategy, "price_factor": pf, "capacity_factor": cf,
                             "price": business.price * pf, "capacity": business.capacity * cf,
                             "margin": s["margin"], "profit": s["profit"],
                             "average_utilization": s["average_utilization"], "lost_units": s["lost_units"]})
    table = pd.DataFrame(rows)
    return table.sort_values("margin", ascending=False, key=lambda m: m.astype(float).fillna(-math.inf),
                             kind="stable").reset_index(drop=True)


#: Market settings whose ranges ``data/sensitivity_ranges.csv`` gives for the capstone (verdict ``capstone_year``).
YEAR_INPUTS = ("price_cut", "growth", "elasticity")


def year_margin(layer: str, *, decisions: dict | None = None, **market) -> float:
    """The year's margin of ``layer`` (0 when nothing is sold) with some market settings changed."""
    m = summary(_year(*_setup(layer, market, dict(decisions or {}))))["margin"]
    return 0.0 if m is None else float(m)


def year_sensitivity(layer: str, decisions: dict | None = None) -> pd.DataFrame:
    """Tornado data and flip values of a layer's year (margin crosses 0) over the market assumptions.

    Ranges: ``data/sensitivity_ranges.csv``, verdict ``capstone_year`` (classroom assumptions).
    """
    from . import sensitivity

    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {', '.join(LAYERS)}, got {str(layer)[:40]!r}")
    _, market = presets(layer)
    df = data.load("sensitivity_ranges")
    rows = df[df["verdict"] == "capstone_year"].set_index("input")
    ranges = {k: sensitivity.Range(float(rows.loc[k, "low"]), float(rows.loc[k, "high"]), str(rows.loc[k, "basis"]))
              for k in YEAR_INPUTS}
    base = {k: float(getattr(market, k)) for k in YEAR_INPUTS}
    return sensitivity.sensitivity(lambda **kw: year_margin(layer, decisions=decisions, **kw), base, ranges)
