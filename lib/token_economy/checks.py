"""Argument checks shared by every module: one clear ``ValueError`` naming the argument.

The library promises a correct result or a ``ValueError`` that names the bad
argument, never a silently wrong number (NaN, infinity, a negative count)::

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
"""

from __future__ import annotations

import math
import numbers

#: No quantity in this collection comes near this size (a year of all the world's tokens is
#: below 1e17). Refusing larger magnitudes keeps every product of a few checked numbers finite,
#: so a formula can never turn a typo like 1e308 into a silent infinity.
LIMIT = 1e18


def number(name: str, value, *, minimum: float | None = None, maximum: float | None = None,
           strictly_positive: bool = False) -> float:
    """``value`` as a finite float within bounds, else ``ValueError`` naming ``name``.

    Magnitudes above :data:`LIMIT` are refused too.

    >>> number("tokens", 1e300)
    Traceback (most recent call last):
    ...
    ValueError: tokens is too large: at most 1e+18 in size, got 1e+300
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number, got {value!r}") from None
    try:
        x = float(value)
    except OverflowError:  # an int beyond any float, e.g. 10**400
        raise ValueError(f"{name} must be a finite number, got an integer of {len(str(value))} digits") from None
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if abs(x) > LIMIT:
        raise ValueError(f"{name} is too large: at most {LIMIT:.0e} in size, got {x:.3g}")
    if strictly_positive and x <= 0:
        raise ValueError(f"{name} must be greater than 0, got {value!r}")
    if minimum is not None and x < minimum:
        raise ValueError(f"{name} must be at least {minimum:g}, got {value!r}")
    if maximum is not None and x > maximum:
        raise ValueError(f"{name} must be at most {maximum:g}, got {value!r}")
    return x


def positive(name: str, value) -> float:
    """A finite number greater than zero."""
    return number(name, value, strictly_positive=True)


def non_negative(name: str, value) -> float:
    """A finite number, zero or more."""
    return number(name, value, minimum=0)


def fraction(name: str, value, *, allow_zero: bool = True) -> float:
    """A share between 0 and 1 (``allow_zero=False``: strictly above 0)."""
    x = number(name, value, minimum=0, maximum=1)
    if not allow_zero and x == 0:
        raise ValueError(f"{name} must be greater than 0, got {value!r}")
    return x


def whole(name: str, value, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number (an int, or a float with no fractional part) within bounds."""
    x = number(name, value, minimum=minimum, maximum=maximum)
    if x != int(x):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(x)


def text(name: str, value) -> str:
    """A str (any content, including empty)."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text (a str), got {type(value).__name__}")
    return value
