"""Every registered explorer builds, shows its default state without error, and survives its sample settings."""

import random

import pytest

from token_economy.widgets import Explorer, all_explorers

from conftest import ROOT

EXPLORERS = all_explorers()


def test_registry_is_not_empty():
    assert "start" in EXPLORERS


@pytest.mark.parametrize("name", EXPLORERS)
def test_default_state_has_no_error_and_a_static_twin(name):
    ex = EXPLORERS[name]()
    assert ex.last_error is None, ex.message.value
    assert "te-explorer" in ex.widget._dom_classes
    assert ex.static() is not None


@pytest.mark.parametrize("name", EXPLORERS)
def test_sample_settings_never_give_an_unexpected_error(name):
    ex = EXPLORERS[name]()
    rng = random.Random(1)
    for _ in range(20):
        ex.set(**EXPLORERS[name].sample_settings(rng))
        assert ex.last_error is None or isinstance(ex.last_error, ValueError), repr(ex.last_error)


@pytest.mark.parametrize("name", EXPLORERS)
def test_explorer_is_shown_in_its_notebook(name):
    cls = EXPLORERS[name]
    nb = ROOT / "notebooks" / f"{cls.notebook}.ipynb"
    assert nb.is_file(), f"{name}: notebook {cls.notebook} missing"
    assert cls.__name__ in nb.read_text(), f"{cls.__name__} is not used in {nb.name}"


def test_base_class_turns_errors_into_messages():
    class Broken(Explorer):
        name = "broken-test"

        def make_controls(self):
            import ipywidgets as W
            return {"x": W.FloatText(value=1)}

        def make_body(self):
            import ipywidgets as W
            return W.HTML()

        def update(self, x):
            if x < 0:
                raise ValueError("x must be at least 0 <b>")
            if x == 0:
                raise ZeroDivisionError("boom")
            return None

    ex = Broken()
    ex.set(x=-1)
    assert isinstance(ex.last_error, ValueError) and "&lt;b&gt;" in ex.message.value
    ex.set(x=0)
    assert isinstance(ex.last_error, ZeroDivisionError) and "went wrong" in ex.message.value
    ex.set(x=2)
    assert ex.last_error is None and ex.message.value == ""
    with pytest.raises(ValueError, match="no control"):
        ex.set(y=1)


def test_start_explorer_messages():
    ex = EXPLORERS["start"]()
    ex.set(usd_per_million=-3)
    assert isinstance(ex.last_error, ValueError) and "“$ / M tokens”" in ex.message.value  # the control's label
    assert "usd_per_million" not in ex.message.value  # not the library's argument name
    ex.set(usd_per_million=1.0, text="")
    assert ex.last_error is None and "empty" in ex.message.value
    ex.set(text="<|endoftext|><script>alert(1)</script>")
    assert ex.last_error is None
    assert all("<script" not in v.value for v in ex.views.values())
