"""Unit tests of token_economy.sensitivity: flip values and tornado data, checked by hand."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from token_economy import sensitivity as sens


def margin(price, cost, utilization, training):
    """A model company's margin per million tokens: price - cost at full use / utilization - training."""
    return price - cost / utilization - training


BASE = {"price": 0.42, "cost": 0.1325, "utilization": 0.5, "training": 0.02}


def test_flip_of_a_linear_input_is_exact():
    # price - 0.265 - 0.02 = 0 -> price = 0.285
    fl = sens.flip_value(margin, BASE, "price", 0.0, 1.0)
    assert fl.flips and fl.value == pytest.approx(0.285, abs=1e-12)
    assert fl.output_at_base == pytest.approx(0.42 - 0.265 - 0.02)
    assert fl.crossings == 1


def test_flip_of_utilization_is_the_break_even_utilization():
    # 0.42 = 0.1325 / u + 0.02 -> u = 0.1325 / 0.40 = 0.33125
    fl = sens.flip_value(margin, BASE, "utilization", 0.05, 1.0)
    assert fl.value == pytest.approx(0.33125, abs=1e-9)
    assert "flips at 33%" in fl.describe("{:.0%}")


def test_does_not_flip_in_range_is_said_not_hidden():
    fl = sens.flip_value(margin, BASE, "training", 0.0, 0.1)  # needs training 0.135 to flip
    assert fl.value is None and not fl.flips and fl.crossings == 0
    assert fl.describe() == "training: does not flip between 0 and 0.1 (output stays above 0)"


def test_threshold_other_than_zero():
    # a margin of 0.1: price = 0.1 + 0.265 + 0.02 = 0.385
    fl = sens.flip_value(margin, BASE, "price", 0.0, 1.0, threshold=0.1)
    assert fl.value == pytest.approx(0.385)


def test_nearest_of_several_crossings_is_reported():
    # (x - 1)(x - 3) crosses 0 at 1 and at 3; from a base of 2.6 the nearest is 3
    fl = sens.flip_value(lambda x: (x - 1) * (x - 3), {"x": 2.6}, "x", 0.0, 4.0)
    assert fl.crossings == 2 and fl.value == pytest.approx(3.0)
    assert "2 crossings" in fl.describe()


def test_a_crossing_on_a_scan_point_or_an_end_is_found():
    assert sens.flip_value(lambda x: x - 1, {"x": 0.5}, "x", 0.0, 2.0, steps=2).value == 1.0
    assert sens.flip_value(lambda x: x - 2, {"x": 0.5}, "x", 0.0, 2.0).value == 2.0


@given(root=st.floats(0.01, 0.99), slope=st.floats(0.1, 10), curve=st.floats(0, 3))
def test_flip_value_solves_monotone_functions(root, slope, curve):
    f = lambda x: slope * (x - root) + curve * (x ** 3 - root ** 3)  # noqa: E731 - increasing, one root
    fl = sens.flip_value(f, {"x": 0.5}, "x", 0.0, 1.0)
    assert fl.value == pytest.approx(root, abs=1e-8)


def test_tornado_hand_computed_and_sorted_by_swing():
    ranges = {"price": sens.Range(0.28, 0.56, "list prices"), "utilization": (0.25, 1.0, "classroom assumption"),
              "training": (0.0, 0.04)}
    t = sens.tornado(margin, BASE, ranges)
    assert t["input"].tolist() == ["utilization", "price", "training"]
    row = t.set_index("input").loc["utilization"]
    # at u = 0.25: 0.42 - 0.53 - 0.02 = -0.13; at u = 1: 0.42 - 0.1325 - 0.02 = 0.2675
    assert row.output_at_low == pytest.approx(-0.13) and row.output_at_high == pytest.approx(0.2675)
    assert row.swing == pytest.approx(0.3975) and row.basis == "classroom assumption"
    assert t.set_index("input").loc["price", "swing"] == pytest.approx(0.28)
    assert t["output_at_base"].tolist() == pytest.approx([0.135] * 3)


def test_sensitivity_table_and_sentence():
    ranges = {"price": (0.28, 0.56), "utilization": (0.25, 1.0), "training": (0.0, 0.04)}
    s = sens.sensitivity(margin, BASE, ranges)
    flips = dict(zip(s["input"], s["flip"]))
    assert flips["training"] is None
    assert flips["utilization"] == pytest.approx(0.33125) and flips["price"] == pytest.approx(0.285)
    line = sens.sentence(s, formats={"utilization": "{:.0%}", "price": "${:.3f}", "training": "${:.2f}"},
                         labels={"utilization": "utilization"})
    assert line == ("Flips if utilization crosses 33% (range 25% to 100%); or if price crosses $0.285 "
                    "(range $0.280 to $0.560). Does not flip in range: training ($0.00 to $0.04).")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="name must be one of the inputs"):
        sens.flip_value(margin, BASE, "rent", 0, 1)
    with pytest.raises(ValueError, match="low .* must be below high"):
        sens.flip_value(margin, BASE, "price", 1, 1)
    with pytest.raises(ValueError, match="f must be a function"):
        sens.tornado(3, BASE, {"price": (0, 1)})
    with pytest.raises(ValueError, match="ranges"):
        sens.tornado(margin, BASE, {"price": 3})
    with pytest.raises(ValueError, match="low .* must not be above high"):
        sens.Range(2, 1)
    with pytest.raises(ValueError, match="inputs"):
        sens.evaluate(margin, {})


def test_a_verdict_function_that_fails_is_reported_with_the_input_value():
    with pytest.raises(ValueError, match="failed at utilization=0"):
        sens.flip_value(margin, BASE, "utilization", 0.0, 1.0)
    with pytest.raises(ValueError, match="returned nan"):
        sens.evaluate(lambda x: math.nan, {"x": 1.0})
