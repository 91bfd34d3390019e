"""The Explorer base class: messages that name the control, no traceback for any error, no stale result.

- A library ``ValueError`` names its argument (``usd_per_million``); the explorer shows the
  label of the control the learner changed ("$ / M tokens") instead, on every explorer.
- Every ``BaseException`` that is not an interrupt becomes a message (pyo3's
  ``PanicException``, raised by tiktoken, derives from ``BaseException``); ``KeyboardInterrupt``,
  ``SystemExit`` and ``GeneratorExit`` pass through.
- An explorer whose controls cannot be built (a damaged data table) shows why instead of raising.
- While a message shows an error, the old result is hidden.
"""

import html
import math
import random
import re

import ipywidgets as W
import pytest
from traitlets import TraitError

from token_economy import checks
from token_economy.widgets import Explorer, all_explorers

EXPLORERS = all_explorers()
NUMBER_WIDGETS = (W.FloatText, W.IntText, W.BoundedFloatText, W.BoundedIntText, W.FloatSlider, W.IntSlider)


class PanicException(BaseException):
    """Stands in for pyo3_runtime.PanicException (a BaseException, not an Exception)."""


class Toy(Explorer):
    name = "toy-test"
    title = "toy"
    labels = {"usd_per_m_tokens": "price"}

    def make_controls(self):
        return {"price": W.FloatText(value=1.0, description="$ / M tokens"),
                "batch_size": W.IntText(value=4, description="batch (sequences)"),
                "what": W.Dropdown(options=["ok", "panic", "interrupt", "exit", "generator", "zero", "plain"],
                                   value="ok", description="mode")}

    def make_body(self):
        self.out = W.HTML()
        return self.out

    def update(self, price, batch_size, what):
        checks.non_negative("usd_per_m_tokens", price)
        checks.whole("batch_size", batch_size, minimum=1)
        raising = {"panic": PanicException("called `Result::unwrap()` on an `Err` value"),
                   "interrupt": KeyboardInterrupt(), "exit": SystemExit(1), "generator": GeneratorExit(),
                   "zero": ZeroDivisionError("division by zero"),
                   "plain": ValueError("batch_size and usd_per_m_tokens cannot both be that large")}
        if what in raising:
            raise raising[what]
        self.out.value = f"{price * batch_size:.2f}"
        return None


def test_a_library_error_names_the_control_not_the_argument():
    ex = Toy()
    ex.set(price=-1)
    assert isinstance(ex.last_error, ValueError) and str(ex.last_error).startswith("usd_per_m_tokens")
    assert "“$ / M tokens” must be at least 0" in html.unescape(ex.message.value)
    assert "usd_per_m_tokens" not in ex.message.value
    ex.set(price=1, batch_size=0)
    assert "“batch (sequences)” must be at least 1" in html.unescape(ex.message.value)
    ex.set(batch_size=2, what="plain")  # a plain ValueError without .argument: names with "_" are replaced
    assert "“batch (sequences)” and “$ / M tokens” cannot both be that large" in html.unescape(ex.message.value)


def test_any_base_exception_but_an_interrupt_becomes_a_message():
    ex = Toy()
    ex.set(what="panic")
    assert isinstance(ex.last_error, PanicException)
    assert "went wrong" in ex.message.value and "PanicException" in ex.message.value
    ex.set(what="zero")
    assert isinstance(ex.last_error, ZeroDivisionError) and "went wrong" in ex.message.value
    ex.set(what="ok")
    assert ex.last_error is None and ex.message.value == "" and ex.out.value == "4.00"
    for mode, kind in [("interrupt", KeyboardInterrupt), ("exit", SystemExit), ("generator", GeneratorExit)]:
        with pytest.raises(kind):
            ex.set(what=mode)


def test_the_old_result_is_hidden_while_an_error_shows():
    ex = Toy()
    assert ex.body.layout.display in (None, "")
    ex.set(price=-1)
    assert ex.body.layout.display == "none"
    ex.set(price=2)
    assert ex.body.layout.display in (None, "") and ex.out.value == "8.00"


class Sentences(Toy):
    name = "sentences-test"

    def update(self, price, batch_size, what):
        if price > 100:
            raise ValueError("That is more than any provider charges.")
        return super().update(price, batch_size, what)


def test_a_message_that_names_no_control_gets_the_label_of_the_control_just_changed():
    ex = Sentences()
    ex.set(price=1000)
    assert "“$ / M tokens”: That is more than any provider charges." in html.unescape(ex.message.value)
    ex.set(batch_size=3)  # the same error, left over: not blamed on the batch
    assert "“batch (sequences)”" not in html.unescape(ex.message.value)
    ex.set(price=1)
    ex.controls["price"].value = 5000  # a learner's change through the widget itself
    assert "“$ / M tokens”: That is" in html.unescape(ex.message.value)


def test_an_explorer_that_cannot_be_built_says_why():
    class NeedsATable(Toy):
        name = "needs-a-table-test"

        def make_controls(self):
            raise ValueError("data/gpus.csv, line 3, column hbm_tb_s: '3,35' is not a number")

    ex = NeedsATable()  # no exception
    assert isinstance(ex.build_error, ValueError) and ex.controls == {}
    assert "cannot start" in ex.message.value and "data/gpus.csv, line 3, column hbm_tb_s" in ex.message.value
    ex.refresh()  # nothing to compute, no new error
    assert "cannot start" in ex.message.value
    assert "te-explorer" in ex.widget._dom_classes


def test_an_interrupt_while_building_passes_through():
    class Interrupted(Toy):
        name = "interrupted-test"

        def make_controls(self):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Interrupted()


def refused_value(control):
    """A value the control takes but the library refuses: NaN, or a huge count where NaN is not allowed."""
    for value in (math.nan, -10**15, 10**15):
        try:
            control.value = value
        except TraitError:
            continue
        return value
    return None


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_every_explorer_names_the_control_the_learner_changed(name):
    """Sample settings, then one numeric control set to a value the library refuses: the message names it."""
    cls = EXPLORERS[name]
    ex = cls()
    rng = random.Random(15)
    checked = 0
    for key, control in ex.controls.items():
        if not isinstance(control, NUMBER_WIDGETS):
            continue
        for _ in range(50):  # valid settings to start from (some sample settings are refused on purpose)
            ex.set(**cls.sample_settings(rng))
            if ex.last_error is None:
                break
        assert ex.last_error is None, f"{name}: no valid sample setting in 50 draws"
        probe = W.FloatText() if isinstance(control, (W.FloatText, W.BoundedFloatText, W.FloatSlider)) else W.IntText()
        value = refused_value(probe)
        try:
            ex.set(**{key: value})
        except TraitError:  # a bounded slider clamps or refuses: the learner cannot enter it
            continue
        if not isinstance(ex.last_error, ValueError):
            continue
        checked += 1
        shown = html.unescape(ex.message.value).lower()
        label = (control.description or key).lower()
        assert label in shown or key.replace("_", " ") in shown, (key, shown)
        leaked = set(re.findall(r"(?<![\w/.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.])", shown))
        assert not leaked, f"{name}: internal names {leaked} in {shown!r} (map them in the explorer's labels)"
    numeric = [k for k, c in ex.controls.items() if isinstance(c, NUMBER_WIDGETS)]
    assert checked or not numeric, f"{name}: no refused value reached the library"
