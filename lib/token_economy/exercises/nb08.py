"""Checks for the exercises of notebook 08 (capstone): a learner's year, verified by simulating it again.

Each check replays the year with ``token_economy.capstone`` in the class's default market (the presets'
seed), so the expected answers follow ``data/capstone_presets.csv`` and notebook 06's scenario. Exercise 4
takes a learner's own decisions, re-simulates them and accepts the margin they report within half a
percentage point, if the decisions beat the preset.

    >>> exercises.check("q4", {"layer": "model", "strategy": "hold"}, 0.1)
    ❌ Exercise 4: `my_choice` needs the keys layer, strategy, price_factor (and capacity_factor, if you change the capacity); missing ['price_factor'].
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import lru_cache

from .. import capstone, checks, factory, hardware, profit, sensitivity
from . import Answer, Exercises, Wrong

exercises = Exercises("08_capstone")

#: Exercise 2: how much bigger the model company's fleet is, and the price war it faces.
FLEET_FACTOR, WAR_CUT = 1.25, 0.06
#: Exercise 3: how much more the cloud paid for each GPU.
GPU_PRICE_FACTOR = 2.0
#: Exercise 4: how close the reported margin must be to the replayed one (a share of revenue).
MARGIN_TOLERANCE = 0.005
PERCENT = "write it as a fraction (0.25 for 25%), not in percent"
CHOICE_EXAMPLE = "{'layer': 'model', 'strategy': 'hold', 'price_factor': 0.95, 'capacity_factor': 0.8}"


def _year(layer: str, **kw) -> dict:
    return capstone.summary(capstone.play(layer, **kw))


@exercises.exercise("q1", "thin_profit")
def _thin_reseller(thin_profit):
    business, market = capstone.presets("reseller")
    fee = profit.scenario()["markup"]
    thin = _year("reseller", price=market.start_price * (1 + fee))
    thin_profit.close_to(thin["profit"], unit="dollars", mistakes={
        _year("reseller", price=business.price * (1 + fee))["profit"]:
            "the fee is added to the list price (the competitors' price, the market's start_price), "
            "not to the preset's own price",
        _year("reseller")["profit"]: "that is the preset's premium; charge OpenRouter's fee instead",
        _year("reseller", price=market.start_price * (1 + fee), strategy="hold")["profit"]:
            "keep the preset's strategy: the reseller follows the market's price",
        thin["margin"]: "that is the margin; the question asks for the year's profit in dollars",
    })


@lru_cache(maxsize=64)
def _fleet(cut: float, *, fleet: float = FLEET_FACTOR, fixed: float | None = None, strategy: str = "follow") -> float:
    business, _ = capstone.presets("model")
    fixed = fleet if fixed is None else fixed
    return _year("model", strategy=strategy, capacity=fleet * business.capacity,
                 fixed_cost=fixed * business.fixed_cost, market={"price_cut": cut})["profit"]


@exercises.exercise("q2", "bigger_calm", "bigger_war")
def _bigger_fleet(bigger_calm, bigger_war):
    bigger_calm.number("dollars"), bigger_war.number("dollars")   # read both answers before simulating
    for answer, cut in ((bigger_calm, 0.0), (bigger_war, WAR_CUT)):
        answer.close_to(_fleet(cut), unit="dollars", mistakes={
            _fleet(cut, fixed=1.0): "capacity costs money: a quarter more GPUs is a quarter more rent "
                                    "(scale fixed_cost with capacity)",
            _fleet(cut, strategy="hold"): "the company follows the competitors' cuts (strategy=\"follow\")",
            _fleet(cut, fleet=1.0): "that is the preset fleet; rent a quarter more GPUs",
            _fleet(capstone.market_assumptions()["price_cut"]): "set the competitors' average cut with "
                                                                "market={\"price_cut\": ...}",
        })


@lru_cache(maxsize=8)
def _dear_fixed_cost(gpu_price_factor: float, whole_hour: bool) -> float:
    business, _ = capstone.presets("cloud")
    if whole_hour:
        return business.fixed_cost * gpu_price_factor
    price = hardware.get_gpu(capstone.CLOUD_GPU).usd_purchase
    tco = factory.tco_per_gpu_hour(capstone.CLOUD_GPU, gpu_price_usd=gpu_price_factor * price)
    return capstone.assumption("cloud", "gpus") * float(tco["total"] - tco["power"]) * capstone.HOURS_PER_MONTH


def cloud_year_profit(rent: float, *, gpu_price_factor: float = GPU_PRICE_FACTOR, whole_hour: bool = False) -> float:
    """The cloud's year profit (following the market) when the whole market starts at ``rent`` and its GPUs
    cost ``gpu_price_factor`` times the price in ``data/gpus.csv`` (``whole_hour``: the mistake of
    multiplying the whole cost of an hour instead)."""
    rent = checks.number("rent", rent, strictly_positive=True, maximum=1_000)
    gpu_price_factor = checks.number("gpu_price_factor", gpu_price_factor, minimum=0, maximum=1_000)
    business, market = capstone.presets("cloud")
    dear = dataclasses.replace(business, fixed_cost=_dear_fixed_cost(gpu_price_factor, whole_hour), price=rent,
                               strategy="follow")
    return capstone.summary(capstone.simulate(dear, dataclasses.replace(market, start_price=rent)))["profit"]


@lru_cache(maxsize=8)
def break_even_rent(**kw) -> float | None:
    """The starting rent at which :func:`cloud_year_profit` is 0 (None if none between $0.50 and $50).

    >>> 0 < break_even_rent(gpu_price_factor=1.0) < break_even_rent()
    True
    """
    # Revenue grows with the rent while costs do not: the profit is monotone, so a coarse scan brackets the root.
    return sensitivity.flip_value(lambda rent: cloud_year_profit(rent, **kw), {"rent": 3.0}, "rent", 0.5, 50.0,
                                  steps=8).value


@exercises.exercise("q3", "break_even_rent")
def _dear_cloud(break_even_rent_):
    break_even_rent_.number("dollars per GPU-hour")      # read the answer before the searches below
    mistakes = {break_even_rent(gpu_price_factor=1.0): "the GPUs cost twice as much: price an hour with "
                                                       "factory.tco_per_gpu_hour(..., gpu_price_usd=...)",
                break_even_rent(whole_hour=True): "only the GPU's price doubles; the rest of the server, power "
                                                  "and hosting cost what they did"}
    break_even_rent_.close_to(break_even_rent(), unit="dollars per GPU-hour", rel_tol=5e-3,
                              mistakes={k: v for k, v in mistakes.items() if k is not None})


def _read_choice(answer: Answer) -> dict:
    """A learner's ``my_choice`` dict, checked: layer, strategy, price_factor and (optional) capacity_factor."""
    value = answer.given()
    if not isinstance(value, Mapping):
        raise Wrong(f"`{answer.name}` should be a dict such as {CHOICE_EXAMPLE}.")
    keys = set(value)
    missing = [k for k in ("layer", "strategy", "price_factor") if k not in keys]
    extra = sorted(str(k)[:20] for k in keys - {"layer", "strategy", "price_factor", "capacity_factor"})
    if missing or extra:
        raise Wrong(f"`{answer.name}` needs the keys layer, strategy, price_factor (and capacity_factor, if you "
                    f"change the capacity); " + (f"missing {missing}" if missing else f"unexpected {extra}") + ".")
    layer = Answer(f"{answer.name}['layer']", value["layer"]).text()
    strategy = Answer(f"{answer.name}['strategy']", value["strategy"]).text()
    if layer not in capstone.LAYERS or strategy not in capstone.STRATEGIES:
        raise Wrong(f"`{answer.name}`: layer is one of {', '.join(capstone.LAYERS)}; strategy is "
                    f"{' or '.join(capstone.STRATEGIES)}.")
    price = Answer(f"{answer.name}['price_factor']", value["price_factor"]).number("times the preset price")
    capacity = Answer(f"{answer.name}['capacity_factor']", value.get("capacity_factor", 1.0)).number(
        "times the preset capacity")
    if not (0 < price <= 100 and 0 <= capacity <= 100):
        raise Wrong(f"`{answer.name}`: price_factor must be above 0 and capacity_factor at least 0 (both at most 100).")
    if layer == "reseller" and capacity != 1:
        raise Wrong(f"`{answer.name}`: the reseller's capacity never binds; leave capacity_factor at 1.")
    return {"layer": layer, "strategy": strategy, "price_factor": price, "capacity_factor": capacity}


def _replay(choice: dict) -> dict:
    """The year of ``choice`` (see :func:`_read_choice`) as ``capstone.choices`` plays it: the fixed cost
    (GPUs rented or owned) grows with capacity. Returns the margin of the choice and of the other strategy."""
    table = capstone.choices(choice["layer"], price_factors=(choice["price_factor"],),
                             capacity_factors=(choice["capacity_factor"],)).set_index("strategy")
    business, _ = capstone.presets(choice["layer"])
    free_capacity = _year(choice["layer"], strategy=choice["strategy"],
                          price=business.price * choice["price_factor"],
                          capacity=business.capacity * choice["capacity_factor"])
    other = next(s for s in capstone.STRATEGIES if s != choice["strategy"])
    return {"margin": table.loc[choice["strategy"], "margin"], "profit": table.loc[choice["strategy"], "profit"],
            "other_strategy": table.loc[other, "margin"], "free_capacity": free_capacity["margin"],
            "preset": _year(choice["layer"])["margin"]}


@exercises.exercise("q4", "my_choice", "my_margin")
def _my_year(my_choice, my_margin):
    choice = _read_choice(my_choice)
    year = _replay(choice)
    if year["margin"] is None:
        raise Wrong("with these choices the business sells nothing all year: lower the price.")
    mistakes = {100 * year["margin"]: PERCENT,
                year["profit"]: "that is the year's profit; the margin is profit over revenue"}
    for key, hint in (("other_strategy", "that is the margin of the other strategy"),
                      ("free_capacity", "capacity costs money: capstone.choices scales the fixed cost with the "
                                        "capacity; use it to compute your margin")):
        if year[key] is not None and abs(year[key] - year["margin"]) > MARGIN_TOLERANCE:
            mistakes[year[key]] = hint
    my_margin.close_to(year["margin"], unit="share of revenue", rel_tol=0.0, abs_tol=MARGIN_TOLERANCE,
                       mistakes=mistakes)
    if year["preset"] is not None and year["margin"] <= year["preset"]:
        raise Wrong(f"your margin is right, but these choices do not beat the preset {choice['layer']}'s margin "
                    "yet. Hint: look at the utilization of its capacity and at what the price war does to it.")
