"""Checks for the exercises of notebook 07 (when AI feeds on AI): halving times, biased fits, human text kept.

The expected answers come from :mod:`token_economy.collapse`: the theory from its formulas, the
simulated answers from the same seeded simulations the questions name (``seed=0``), so a check,
the notebook's solution and the grading agree. A simulation the check needs is kept by
``collapse`` and reused, so asking again costs nothing.

    >>> exercises.check("q3", 60)
    ❌ Exercise 3: `smallest_share` is not right yet. Hint: a share is a fraction between 0 and 1 (0.25 for 25%).
"""

from __future__ import annotations

import math

import numpy as np

from .. import collapse
from . import Exercises, Wrong

exercises = Exercises("07_ai_feeds_on_ai")

#: Exercise 1: sample size, runs, seed, and enough generations for the median variance to halve.
HALVING_M, HALVING_RUNS, HALVING_GENERATIONS, SEED = 20, 2_000, 60, 0
#: Exercise 2: the maximum-likelihood loop: sample size, generations, runs.
ML_M, ML_GENERATIONS, ML_RUNS = 10, 50, 2_000
#: Exercise 3: the play, its generations, the vocabulary to keep, the shares tried (0, 0.1, ..., 1).
CORPUS, TEXT_GENERATIONS, KEEP = "hamlet", 50, 0.8
SHARES = tuple(k / 10 for k in range(11))

_PERCENT = "a share is a fraction between 0 and 1 (0.25 for 25%)"


@exercises.exercise("q1", "halving_theory", "halving_simulated")
def _halving(halving_theory, halving_simulated):
    drift = collapse.log_variance_drift(HALVING_M)
    # The exact formula, or its approximation 0.69 (M - 1): 2% apart at M = 20, both right.
    halving_theory.close_to(collapse.halving_generations(HALVING_M), unit="generations", rel_tol=0.02, mistakes={
        -drift: "that is how much the log variance drifts per generation; halving takes ln 2 divided by it",
        1 / -drift: "a halving takes ln 2 / drift generations, not 1 / drift",
        math.log(2) * HALVING_M: "the approximation is 0.69 (M - 1), not 0.69 M (or use collapse.halving_generations)",
        collapse.halving_generations(HALVING_M, unbiased=False): "the loop fits the unbiased variance (M - 1 divisor)",
    })
    x = halving_simulated.number("generations")
    runs = collapse.gaussian_generations(HALVING_M, HALVING_GENERATIONS, runs=HALVING_RUNS, seed=SEED)
    expected = collapse.median_halving_generation(runs)
    if x == expected:
        return
    if math.isclose(x, collapse.halving_generations(HALVING_M), rel_tol=0.02):
        raise Wrong("`halving_simulated` is the theory's value; give the generation the simulation finds, a whole number.")
    raise Wrong(f"`halving_simulated` is {'too high' if x > expected else 'too low'}. Hint: simulate {HALVING_RUNS:,} runs "
                f"with seed={SEED} and take the first generation at which the median variance over the runs is at most "
                "half (collapse.median_halving_generation does it).")


@exercises.exercise("q2", "mean_variance_50", "per_generation")
def _biased_fit(mean_variance_50, per_generation):
    runs = collapse.gaussian_generations(ML_M, ML_GENERATIONS, runs=ML_RUNS, seed=SEED, unbiased=False)
    unbiased = collapse.gaussian_generations(ML_M, ML_GENERATIONS, runs=ML_RUNS, seed=SEED)
    variance = runs.std[:, ML_GENERATIONS] ** 2
    mean_variance_50.close_to(float(variance.mean()), unit="variance", mistakes={
        float(np.median(variance)): "that is the median over the runs; the question asks for the mean",
        float(runs.std[:, ML_GENERATIONS].mean()): "that is the mean standard deviation; square each run's sd first",
        float((unbiased.std[:, ML_GENERATIONS] ** 2).mean()): "that is the unbiased fit; use unbiased=False",
    })
    factor = (ML_M - 1) / ML_M
    # The theory, or the simulation's estimate of it: within 1% of each other.
    per_generation.close_to(factor, unit="factor per generation", rel_tol=0.01, mistakes={
        1.0: "that is the unbiased fit, whose mean stays put; dividing by M makes each fit biased low",
        1 / ML_M: "that is the share lost per generation; give the factor the mean variance is multiplied by",
        1 / factor: "the mean variance shrinks, so the factor is below 1",
        math.sqrt(factor): "that is the factor for the standard deviation; the question asks for the variance",
        factor ** ML_GENERATIONS: f"that is the factor over {ML_GENERATIONS} generations; give it per generation",
    })


def vocabulary_kept(share: float) -> float:
    """Share of the play's vocabulary the model still uses after ``TEXT_GENERATIONS`` generations (seed 0).

    >>> vocabulary_kept(1.0)       # all human text: nothing is lost
    1.0
    """
    run = collapse.text_generations(CORPUS, TEXT_GENERATIONS, human_share=share, seed=SEED)
    return float(run.metrics["vocabulary_kept"].iloc[-1])


def smallest_share() -> float:
    """The smallest of ``SHARES`` that keeps at least ``KEEP`` of the vocabulary (1.0 always does)."""
    return next(s for s in SHARES if vocabulary_kept(s) >= KEEP)


@exercises.exercise("q3", "smallest_share")
def _human_share(smallest_share_):
    x = smallest_share_.number("share")
    if 1 < x <= 100:
        raise Wrong(f"`{smallest_share_.name}` is not right yet. Hint: {_PERCENT}.")
    if not 0 <= x <= 1:
        raise Wrong(f"`{smallest_share_.name}` should be a share between 0 and 1.")
    if abs(x * 10 - round(x * 10)) > 1e-6:
        raise Wrong(f"`{smallest_share_.name}` should be one of the shares tried, in steps of 0.1 (0.1, 0.2, ..., 0.9).")
    expected = smallest_share()
    if math.isclose(x, expected):
        return
    if x < expected:
        raise Wrong(f"`{smallest_share_.name}` is too low: at that share the model keeps less than {KEEP:.0%} of the "
                    f"vocabulary after {TEXT_GENERATIONS} generations (seed={SEED}; read `vocabulary_kept` in the last row).")
    raise Wrong(f"`{smallest_share_.name}` is too high: a smaller share also keeps at least {KEEP:.0%} of the vocabulary.")
