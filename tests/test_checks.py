"""One rule for numbers (token_economy.checks): a finite real number in a sane range, or a ValueError naming it."""

import decimal
import fractions
import math

import numpy as np
import pytest

import hostile
from token_economy import checks


@pytest.mark.parametrize("value, expected", [
    (3, 3.0), (2.5, 2.5), (fractions.Fraction(1, 4), 0.25), (decimal.Decimal("2.5"), 2.5),
    (np.float64(1.5), 1.5), (np.int64(7), 7.0), (np.float32(0.5), 0.5), (0, 0.0), (-0.0, 0.0),
])
def test_real_numbers_of_any_type_are_converted_to_float(value, expected):
    x = checks.number("price", value)
    assert type(x) is float and x == expected


@pytest.mark.parametrize("value, words", [
    (True, "yes/no"), (False, "yes/no"), (np.bool_(True), "yes/no"), ("5", "text"), (None, "None"),
    (1 + 1j, "complex"), ([1], "list"), (decimal.Decimal("NaN"), "finite"), (decimal.Decimal("sNaN"), "finite"),
    (np.float64("nan"), "finite"), (math.inf, "finite"), (10**400, "401 digits"),
    (fractions.Fraction(10**400, 3), "finite"),
], ids=lambda v: repr(v)[:20])
def test_anything_else_is_a_value_error_naming_the_argument(value, words):
    with pytest.raises(ValueError, match=r"^price ") as info:
        checks.number("price", value)
    assert words in str(info.value) and info.value.argument == "price"


def test_whole_numbers_stay_exact_and_fractions_are_refused():
    assert checks.whole("n", 2**59 + 1) == 2**59 + 1  # no round trip through a float
    assert checks.whole("n", 8.0) == 8 and checks.whole("n", np.int64(8)) == 8
    with pytest.raises(ValueError, match="n must be a whole number, got 80.5"):
        checks.whole("n", 80.5)
    with pytest.raises(ValueError, match="yes/no"):
        checks.whole("n", True)


def test_tiny_magnitudes_are_refused_only_where_they_would_be_divided_by():
    with pytest.raises(ValueError, match="cost is too small: at least 1e-12, got 5e-324"):
        checks.positive("cost", 5e-324)
    with pytest.raises(ValueError, match="too small"):
        checks.fraction("utilization", 1e-300, allow_zero=False)
    with pytest.raises(ValueError, match="revenue is too small: use 0 or a size of at least 1e-12"):
        checks.non_negative("revenue", 5e-324, divided_by=True)
    with pytest.raises(ValueError, match="too small"):  # a Decimal that rounds to 0.0 is still not 0
        checks.positive("cost", decimal.Decimal("1e-400"))
    assert checks.non_negative("revenue", 0, divided_by=True) == 0.0
    assert checks.fraction("share", 1 - 0.95 - 0.05) >= 0  # a rounding residue of 1e-17 multiplies harmlessly
    assert checks.positive("usd_per_token", 2.5e-6) == 2.5e-6  # real prices per token are far above the floor


#: The functions where 5e-324 (a subnormal, 1 / 5e-324 = inf) gave an infinity, -inf% or OverflowError
#: before checks refused tiny divisors (issue 15), with the argument that did it.
SUBNORMAL_CASES = [
    ("factory.serving_cost", "kv_bytes"),
    ("hardware.max_batch", "context_tokens"),
    ("hardware.max_batch", "kv_bytes"),
    ("hardware.users_that_fit", "context_tokens"),
    ("hardware.users_that_fit", "kv_bytes"),
    ("languages.premium", "english_tokens"),
    ("profit.break_even_utilization", "price"),
    ("profit.cost_margin", "cost"),
    ("profit.depreciation_per_hour", "years"),
    ("profit.margin", "revenue"),
    ("profit.price_war", "price"),
    ("profit.serving_cost_at", "utilization"),
    ("profit.to_usd", "units_per_usd"),
    ("profit.training_cost_per_m", "lifetime_tokens"),
    ("profit.value_chain", "cloud_occupancy"),
    ("profit.value_chain", "rental_usd_per_gpu_hour"),
    ("profit.value_chain", "wholesale_usd_per_m"),
]


@pytest.mark.parametrize("qualname, argument", SUBNORMAL_CASES)
@pytest.mark.parametrize("value", [5e-324, 1e-300])
def test_a_subnormal_divisor_is_refused_by_name(qualname, argument, value):
    fn = hostile.public_functions()[qualname]
    args, unknown = hostile.plan(qualname, fn)
    assert not unknown
    result = hostile.call(fn, args)  # valid values work
    assert not hostile.nonfinite(result)
    with pytest.raises(ValueError, match=argument):
        hostile.call(fn, args, {argument: value})
