"""Checks for the exercises of notebook 03 (the token factory): cost of ownership, roofline, DeepSeek's day.

The expected answers come from the collection's model (``factory``, ``hardware``) and its data
(``data/tco_inputs.csv``, ``data/gpus.csv``, ``data/deepseek_inference_day6.csv``), so they follow them.

    >>> exercises.check("q3", 91_563, 83.7)
    ❌ Exercise 3: `markup_pct` is not right yet. Hint: DeepSeek's figure is a markup on cost, (revenue - cost) / cost, not a share of revenue.
"""

from __future__ import annotations

from .. import factory, hardware
from . import Exercises, Wrong

exercises = Exercises("03_token_factory")

#: Exercise 1: the GPU, and the input moved to the top of its range.
GPU_Q1, INPUT_Q1 = "MI300X", "electricity_usd_per_kwh"
#: Exercise 2: model, GPU, GPUs and context of the roofline question (the GPU section 4 did not use).
MODEL_Q2, GPU_Q2, OTHER_GPU_Q2, N_GPUS_Q2, CONTEXT_Q2 = "llama-3.1-70b", "H200-SXM", "H100-SXM", 4, 1024
#: Exercise 4: the speed each user is promised, in tokens per second, the GPU and the context.
SPEED_Q4, GPU_Q4, CONTEXT_Q4 = 50.0, "H800-SXM", 4096
MODELS_Q4 = ("deepseek-v3", "llama-3.1-70b")


def _dear_electricity() -> float:
    rows = factory.tco_inputs()
    return float(rows.loc[rows["parameter"] == INPUT_Q1, "high"].iloc[0])


@exercises.exercise("q1", "hour_cost", "power_change")
def _electricity(hour_cost, power_change):
    base = factory.tco_per_gpu_hour(GPU_Q1)
    dear = factory.tco_per_gpu_hour(GPU_Q1, **{INPUT_Q1: _dear_electricity()})
    change = float(dear["power"] - base["power"])
    inputs = base.attrs["inputs"]
    price_step = _dear_electricity() - inputs[INPUT_Q1]
    tdp_kw = float(hardware.gpus().set_index("gpu_id").loc[GPU_Q1, "tdp_w"]) / 1000
    hour_cost.close_to(float(dear["total"]), unit="dollars per GPU-hour", rel_tol=5e-3, mistakes={
        float(base["total"]): "that is the full cost at the default electricity price",
        float(base["gpu"]) + change: "that is the card and the change; the question asks for the full cost of "
                                      "section 6, every part",
        float(dear["power"]): "that is the power part alone; the full cost adds every part",
    })
    power_change.close_to(change, unit="dollars per GPU-hour", rel_tol=5e-3, mistakes={
        float(dear["power"]): "that is the whole power part at the new price; the question asks how much it changes",
        change / inputs["pue"]: "the data centre's cooling multiplies the power at the wall (its PUE)",
        tdp_kw * inputs["power_load_factor"] * inputs["pue"] * price_step: "count the GPU's share of the whole "
                                                                           "server's power at the wall, not the "
                                                                           "card's TDP alone",
        8 * change: "that is the whole 8-GPU server; the question asks per GPU",
    })


@exercises.exercise("q2", "crossover", "largest_batch")
def _roofline(crossover, largest_batch):
    x = hardware.crossover_batch(MODEL_Q2, GPU_Q2, CONTEXT_Q2, n_gpus=N_GPUS_Q2)
    fits = hardware.max_batch(MODEL_Q2, GPU_Q2, CONTEXT_Q2, n_gpus=N_GPUS_Q2)
    if x is None:  # pragma: no cover - the data would have to change for the question to lose its answer
        raise Wrong("with the current data this decoding step never becomes compute-bound; tell your teacher.")
    crossover.close_to(x, unit="sequences", rel_tol=1e-9, mistakes={
        x - 1: "at that batch the step is still memory-bound: the smallest batch that is compute-bound",
        round(hardware.ridge_point(GPU_Q2)): "the ridge point would be the batch if the weights were all a step reads; "
                                             "each sequence's KV cache adds bytes too",
        hardware.crossover_batch(MODEL_Q2, OTHER_GPU_Q2, CONTEXT_Q2, n_gpus=N_GPUS_Q2) or -1: "that is the H100; "
                                                                                              "use the H200",
    })
    largest_batch.close_to(fits, unit="sequences", rel_tol=1e-9, mistakes={
        hardware.max_batch(MODEL_Q2, GPU_Q2, CONTEXT_Q2, n_gpus=1): "four GPUs hold the weights and the KV cache",
        hardware.max_batch(MODEL_Q2, OTHER_GPU_Q2, CONTEXT_Q2, n_gpus=N_GPUS_Q2): "that is the H100; use the H200",
        hardware.max_batch(MODEL_Q2, GPU_Q2, 4096, n_gpus=N_GPUS_Q2): "that is at 4,096 tokens of context; "
                                                                     "the question has 1,024",
    })


@exercises.exercise("q3", "daily_cost", "markup_pct")
def _deepseek_owned(daily_cost, markup_pct):
    figures = factory.day6_figures()
    owned = factory.tco_per_gpu_hour("H800-SXM")
    mine = factory.day6_arithmetic(figures | {"usd_per_gpu_hour": float(owned["total"])})
    theirs = factory.day6_arithmetic(figures)
    peak_share = figures["nodes_peak"] / figures["nodes_average"]
    daily_cost.close_to(mine["cost_usd_per_day"], unit="dollars a day", rel_tol=2e-3, mistakes={
        theirs["cost_usd_per_day"]: "that is the cost at DeepSeek's lease price; use the full cost of owning an H800",
        mine["cost_usd_per_day"] * peak_share: "DeepSeek's cost counts the average number of nodes, not the peak",
        mine["cost_usd_per_day"] * float(owned["gpu"] / owned["total"]): "that is the card's share alone; use the "
                                                                          "full cost of owning (`total`)",
        mine["cost_usd_per_day"] / 24: "that is one hour; the question asks for a day",
    })
    markup_pct.close_to(mine["cost_profit_margin_pct"], unit="percent", rel_tol=2e-3, mistakes={
        mine["gross_margin_pct"]: "DeepSeek's figure is a markup on cost, (revenue - cost) / cost, not a share of "
                                  "revenue",
        mine["cost_profit_margin_pct"] / 100: f"give it in percent, as DeepSeek states its "
                                              f"{figures['cost_profit_margin_pct']:.0f}%",
        theirs["cost_profit_margin_pct"]: "that is the markup at DeepSeek's lease price",
    })


def _cost_at(model: str, speed: float, gpu: str = GPU_Q4) -> float:
    best = factory.cost_at_speed(factory.frontier(model, gpu, CONTEXT_Q4), speed)
    return float("nan") if best is None else float(best["usd_per_m_output"])


@exercises.exercise("q4", "deepseek_cost", "llama_cost")
def _cost_at_speed(deepseek_cost, llama_cost):
    slow = factory.service_level()
    for answer, model in zip((deepseek_cost, llama_cost), MODELS_Q4):
        other = next(m for m in MODELS_Q4 if m != model)
        answer.close_to(_cost_at(model, SPEED_Q4), unit="dollars per million output tokens",
                        rel_tol=factory.COST_TIE, mistakes={
            _cost_at(model, slow): "that is the cost at DeepSeek's own speed; ask for 50 tokens per second "
                                   "(the second argument of cost_at_speed)",
            _cost_at(other, SPEED_Q4): "that is the other model",
            _cost_at(model, SPEED_Q4, "H100-SXM"): "that is on H100s; the question is about H800s",
        })
