"""Argument checks shared by every module: one clear ``ValueError`` naming the argument.

The library promises a correct result or a ``ValueError`` that names the bad
argument, never a silently wrong number (NaN, infinity, a negative count).
The rule for numbers is one: **a finite real number in a sane range**: at most
:data:`LIMIT` in size, and, where a formula divides by it, zero or at least
:data:`SMALLEST` (``1 / 5e-324`` is infinite)::

    >>> number("price", 2)
    2.0
    >>> number("price", -1, minimum=0)
    Traceback (most recent call last):
    ...
    ValueError: price must be at least 0, got -1
    >>> fraction("utilization", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: utilization must be a finite number, got nan

What counts as a number: ``int``, ``float``, ``fractions.Fraction``,
``decimal.Decimal`` and numpy's integer and float scalars (converted to ``float``).
Refused, each with a ``ValueError`` naming the argument: ``True``/``False`` (a
yes/no is not a quantity), text such as ``"5"`` (a number typed as text is
usually a mistake upstream), ``None``, complex numbers and anything else.

Every error is a ``ValueError`` that also carries the argument's name
(``exc.argument``, see :func:`argument_error`), so an explorer can say which control is wrong.
"""

from __future__ import annotations

import decimal
import math
import numbers

import numpy as np

#: No quantity in this collection comes near this size (a year of all the world's tokens is
#: below 1e17). Refusing larger magnitudes keeps every product of a few checked numbers finite,
#: so a formula can never turn a typo like 1e308 into a silent infinity.
LIMIT = 1e18

#: The smallest non-zero magnitude accepted. The smallest real quantity here, a price per single
#: token in dollars, is about 1e-8; below 1e-12 a number is a typo or a probe, and its reciprocal
#: (1 / 5e-324 is infinite) would turn a formula's result into an infinity. Zero stays allowed
#: wherever the argument allows it.
SMALLEST = 1e-12


def argument_error(argument: str, message: str, value=None) -> ValueError:
    """A plain ``ValueError`` about one argument, carrying ``argument`` (its name) and ``value``.

    A plain ``ValueError``, not a subclass, so that tracebacks and doctests read
    ``ValueError: ...`` as everywhere else in the library.

    >>> exc = argument_error("price", "price must be at least 0, got -1", -1)
    >>> type(exc).__name__, exc.argument
    ('ValueError', 'price')
    """
    exc = ValueError(message)
    exc.argument = argument
    exc.value = value
    return exc


def _show(value) -> str:
    """A short repr for a message (a 1 MB string must not end up in a widget)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_float(name: str, value) -> float:
    """``value`` as a float if it is a real number (see the module docstring), else a ``ValueError``.

    Only the type is checked here: NaN and infinities come back as they are.

    >>> _as_float("n", 3)
    3.0
    >>> _as_float("n", True)
    Traceback (most recent call last):
    ...
    ValueError: n must be a number, got True (a yes/no value)
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:  # a numpy scalar in array form, e.g. np.asarray(3.0)
        value = value[()]
    if isinstance(value, (bool, np.bool_)):
        raise argument_error(name, f"{name} must be a number, got {value!r} (a yes/no value)", value)
    if isinstance(value, str):
        raise argument_error(name, f"{name} must be a number, got the text {_show(value)}", value)
    if not isinstance(value, (numbers.Real, decimal.Decimal)):
        shown = "nothing (None)" if value is None else f"{_show(value)} ({type(value).__name__})"
        raise argument_error(name, f"{name} must be a number, got {shown}", value)
    try:
        return float(value)
    except OverflowError:  # an int or Fraction beyond any float, e.g. 10**400
        digits = len(str(int(value))) if isinstance(value, numbers.Integral) else None
        got = f"an integer of {digits} digits" if digits else _show(value)
        raise argument_error(name, f"{name} must be a finite number, got {got}", value) from None
    except (ValueError, ArithmeticError):  # Decimal('sNaN') cannot become a float
        raise argument_error(name, f"{name} must be a finite number, got {_show(value)}", value) from None


def number(name: str, value, *, minimum: float | None = None, maximum: float | None = None,
           strictly_positive: bool = False, smallest: float | None = None) -> float:
    """``value`` as a finite float within bounds, else a ``ValueError`` naming ``name``.

    Magnitudes above :data:`LIMIT` are refused too. A number that a formula divides by must
    not be tiny either: with ``strictly_positive`` it must be at least :data:`SMALLEST`, and
    with ``smallest`` (for an argument that may be 0 but is divided by when it is not) a
    non-zero magnitude below ``smallest`` is refused. Other arguments may be tiny: a share
    of 1e-17 (the residue of ``1 - 0.95 - 0.05``) multiplies harmlessly.

    >>> number("tokens", 1e300)
    Traceback (most recent call last):
    ...
    ValueError: tokens is too large: at most 1e+18 in size, got 1e+300
    >>> number("cost", 5e-324, strictly_positive=True)
    Traceback (most recent call last):
    ...
    ValueError: cost is too small: at least 1e-12, got 5e-324
    >>> number("revenue", 5e-324, minimum=0, smallest=SMALLEST)
    Traceback (most recent call last):
    ...
    ValueError: revenue is too small: use 0 or a size of at least 1e-12, got 5e-324
    """
    x = _as_float(name, value)
    if not math.isfinite(x):
        raise argument_error(name, f"{name} must be a finite number, got {_show(value)}", value)
    if abs(x) > LIMIT:
        raise argument_error(name, f"{name} is too large: at most {LIMIT:.0e} in size, got {x:.3g}", value)
    if strictly_positive and x <= 0 and value <= 0:  # value: a tiny Decimal that rounds to 0.0 is positive
        raise argument_error(name, f"{name} must be greater than 0, got {_show(value)}", value)
    if strictly_positive and x < SMALLEST:
        raise argument_error(name, f"{name} is too small: at least {SMALLEST:g}, got {_show(value)}", value)
    if smallest is not None and abs(x) < smallest and (x != 0 or value != 0):
        raise argument_error(name, f"{name} is too small: use 0 or a size of at least {smallest:g}, "
                                   f"got {_show(value)}", value)
    if minimum is not None and x < minimum:
        raise argument_error(name, f"{name} must be at least {minimum:g}, got {_show(value)}", value)
    if maximum is not None and x > maximum:
        raise argument_error(name, f"{name} must be at most {maximum:g}, got {_show(value)}", value)
    return x


def positive(name: str, value) -> float:
    """A finite number greater than zero (at least :data:`SMALLEST`: it may be divided by)."""
    return number(name, value, strictly_positive=True)


def non_negative(name: str, value, *, divided_by: bool = False) -> float:
    """A finite number, zero or more (``divided_by``: if not 0, at least :data:`SMALLEST`)."""
    return number(name, value, minimum=0, smallest=SMALLEST if divided_by else None)


def fraction(name: str, value, *, allow_zero: bool = True) -> float:
    """A share between 0 and 1 (``allow_zero=False``: strictly above 0)."""
    return number(name, value, minimum=0, maximum=1, strictly_positive=not allow_zero)


def whole(name: str, value, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number (an int, or a float with no fractional part) within bounds.

    >>> whole("n_gpus", 8.0)
    8
    >>> whole("n_gpus", 80.5)
    Traceback (most recent call last):
    ...
    ValueError: n_gpus must be a whole number, got 80.5
    """
    x = number(name, value, minimum=minimum, maximum=maximum)
    if x != int(x):
        raise argument_error(name, f"{name} must be a whole number, got {_show(value)}", value)
    if isinstance(value, numbers.Integral):
        return int(value)  # exact, also beyond 2**53
    return int(x)


def text(name: str, value) -> str:
    """A str (any content, including empty)."""
    if not isinstance(value, str):
        raise argument_error(name, f"{name} must be text (a str), got {type(value).__name__}", value)
    return value
