"""Which inputs decide a verdict, and at what value it flips.

A verdict here is a number computed from named inputs (a margin, a profit, a
ratio) read against a threshold: "the model company makes money" means
``margin > 0``. Two questions an expert asks of every such verdict:

1. **The flip value** of one input: holding every other input at its base
   value, at what value of this one does the output cross the threshold?
   :func:`flip_value` scans the input's range, then solves for each crossing; the
   answer is the crossing nearest the base value, or ``None``, said in words as
   "does not flip in range", when the output stays on one side over the whole
   range::

       >>> margin = lambda price, cost: price - cost
       >>> flip_value(margin, {"price": 2.0, "cost": 1.5}, "cost", 0.0, 3.0).value
       2.0
       >>> flip_value(margin, {"price": 2.0, "cost": 1.5}, "cost", 0.0, 1.9).describe()
       'cost: does not flip between 0 and 1.9 (output stays above 0)'

2. **The tornado**: the output at the low and the high end of each input's
   range (a sourced range, or one labelled as a classroom assumption), the
   others at their base values, sorted by how far it swings. The widest bar is
   the input that decides the verdict (:func:`tornado`; the figure is
   :func:`token_economy.plots.profit.tornado`).

:func:`sensitivity` puts both in one table, one row per input, and
:func:`sentence` turns that table into the one-line "sensitivity" shown beside
a verdict.

What it leaves out: inputs moved together (one at a time only, the classic
tornado), probabilities of the ranges (no Monte Carlo), and more than one
crossing in a range (the one nearest the base value is reported; the scan
notes how many it found).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

import pandas as pd

from . import checks

#: Points of the scan that brackets crossings before root finding (per input).
STEPS = 64
#: Root finding stops when its estimate moves less than this share of the range.
TOLERANCE = 1e-10


@dataclass(frozen=True)
class Range:
    """The low and high value of one input, and where that range comes from.

    ``basis``: a source (a table, a filing) or the words "classroom assumption".

    >>> Range(0.2, 0.9, "classroom assumption").low
    0.2
    >>> Range(1, 0)
    Traceback (most recent call last):
    ...
    ValueError: low (1) must not be above high (0)
    """

    low: float
    high: float
    basis: str = ""

    def __post_init__(self):
        low = checks.number("low", self.low)
        high = checks.number("high", self.high)
        checks.text("basis", self.basis)
        if low > high:
            raise ValueError(f"low ({low:g}) must not be above high ({high:g})")


@dataclass(frozen=True)
class Flip:
    """The result of :func:`flip_value`. ``value`` is None when the verdict does not flip in the range."""

    input: str
    base: float
    value: float | None
    low: float
    high: float
    output_at_base: float
    threshold: float
    crossings: int

    @property
    def flips(self) -> bool:
        """Does the verdict flip somewhere in the range?"""
        return self.value is not None

    def describe(self, fmt: str = "{:g}") -> str:
        """One sentence: where it flips, or that it does not (``fmt`` formats the input's values).

        >>> Flip("u", 0.5, 0.25, 0.1, 1.0, 1.0, 0.0, 1).describe("{:.0%}")
        'u: flips at 25% (base 50%; output above 0 at the base)'
        """
        side = "above" if self.output_at_base > self.threshold else "below"
        t = f"{self.threshold:g}"
        if self.value is None:
            return (f"{self.input}: does not flip between {fmt.format(self.low)} and {fmt.format(self.high)} "
                    f"(output stays {side} {t})")
        more = f"; {self.crossings} crossings in the range, nearest shown" if self.crossings > 1 else ""
        return (f"{self.input}: flips at {fmt.format(self.value)} (base {fmt.format(self.base)}; "
                f"output {side} {t} at the base{more})")


def _function(f) -> Callable:
    if not callable(f):
        raise ValueError(f"f must be a function of the named inputs, got {type(f).__name__}")
    return f


def _inputs(inputs) -> dict:
    if not isinstance(inputs, Mapping) or not inputs:
        raise ValueError("inputs must be a non-empty dict of {name: base value}")
    return {str(k): checks.number(f"inputs[{k!r}]", v) for k, v in inputs.items()}


def _name(name, inputs: dict) -> str:
    if not isinstance(name, str) or name not in inputs:
        raise ValueError(f"name must be one of the inputs ({', '.join(inputs)}); got {str(name)[:60]!r}")
    return name


def evaluate(f: Callable, inputs: Mapping, **changes) -> float:
    """``f(**inputs)`` with some inputs changed, checked to be a finite number.

    >>> evaluate(lambda a, b: a / b, {"a": 1.0, "b": 4.0}, a=2.0)
    0.5
    >>> evaluate(lambda a, b: a / b, {"a": 1.0, "b": 4.0}, b=0.0)
    Traceback (most recent call last):
    ...
    ValueError: the verdict function failed at b=0: ZeroDivisionError: float division by zero
    """
    f = _function(f)
    base = _inputs(inputs)
    for k in changes:
        _name(k, base)
    values = {**base, **changes}
    where = ", ".join(f"{k}={v:g}" for k, v in changes.items()) or "the base values"
    try:
        out = f(**values)
    except (ValueError, ArithmeticError, TypeError) as exc:
        raise ValueError(f"the verdict function failed at {where}: {type(exc).__name__}: {exc}") from None
    try:
        out = float(out)
    except (TypeError, ValueError):
        raise ValueError(f"the verdict function must return a number, got {type(out).__name__} at {where}") from None
    if not math.isfinite(out):
        raise ValueError(f"the verdict function returned {out} at {where}")
    return out


def flip_value(f: Callable, inputs: Mapping, name: str, low: float, high: float, *, threshold: float = 0.0,
               steps: int = STEPS) -> Flip:
    """The value of input ``name`` in ``[low, high]`` at which ``f`` crosses ``threshold`` (others at base).

    Scans ``steps`` equal intervals, solves in every interval whose ends lie on
    opposite sides of the threshold, and reports the crossing nearest the base
    value. Hand check: a margin ``p - c / u`` with price 2 and cost 0.5 at full
    use breaks even at ``u = 0.5 / 2 = 0.25``:

    >>> fl = flip_value(lambda p, c, u: p - c / u, {"p": 2.0, "c": 0.5, "u": 0.6}, "u", 0.1, 1.0)
    >>> round(fl.value, 9), fl.flips
    (0.25, True)
    """
    f = _function(f)
    base_inputs = _inputs(inputs)
    name = _name(name, base_inputs)
    lo = checks.number("low", low)
    hi = checks.number("high", high)
    if not lo < hi:
        raise ValueError(f"low ({lo:g}) must be below high ({hi:g})")
    t = checks.number("threshold", threshold)
    n = checks.whole("steps", steps, minimum=1, maximum=10_000)
    base = base_inputs[name]
    at_base = evaluate(f, base_inputs)

    def g(x: float) -> float:
        return evaluate(f, base_inputs, **{name: x}) - t

    xs = [lo + (hi - lo) * i / n for i in range(n + 1)]
    if lo < base < hi:
        xs = sorted(set(xs) | {base})
    gs = [g(x) for x in xs]
    roots = []
    for (a, ga), (b, gb) in zip(zip(xs, gs), zip(xs[1:], gs[1:])):
        if ga == 0:
            roots.append(a)
        elif ga * gb < 0:
            roots.append(_solve(g, a, b, ga, gb, tol=TOLERANCE * (hi - lo)))
    if gs[-1] == 0:
        roots.append(xs[-1])
    roots = sorted(set(roots))
    value = min(roots, key=lambda r: (abs(r - base), r)) if roots else None
    return Flip(name, base, value, lo, hi, at_base, t, len(roots))


def _solve(g: Callable[[float], float], a: float, b: float, ga: float, gb: float, tol: float) -> float:
    """A root of ``g`` in ``[a, b]`` where ``g(a)`` and ``g(b)`` have opposite signs.

    Regula falsi with the Illinois step (exact in one step for a straight line,
    never slower than a few bisections otherwise); stops when the estimate moves
    less than ``tol``.

    >>> round(_solve(lambda x: x * x - 2, 1.0, 2.0, -1.0, 2.0, 1e-12), 12)
    1.414213562373
    >>> _solve(lambda x: 3 * x - 1.5, 0.0, 2.0, -1.5, 4.5, 1e-12)
    0.5
    """
    side, c = 0, a
    for _ in range(200):
        c_new = (a * gb - b * ga) / (gb - ga)
        if not a <= c_new <= b:  # rounding at the edge of the bracket: fall back to its middle
            c_new = (a + b) / 2
        done = abs(c_new - c) < tol
        c = c_new
        gc = g(c)
        if gc == 0 or done or b - a < tol:
            return c
        if (gc < 0) == (gb < 0):
            b, gb = c, gc
            if side == -1:
                ga /= 2
            side = -1
        else:
            a, ga = c, gc
            if side == +1:
                gb /= 2
            side = +1
    return c


def _ranges(ranges, inputs: dict) -> dict[str, Range]:
    if not isinstance(ranges, Mapping) or not ranges:
        raise ValueError("ranges must be a non-empty dict of {input name: Range(low, high, basis)}")
    out = {}
    for k, r in ranges.items():
        _name(k, inputs)
        if isinstance(r, Range):
            out[k] = r
        elif isinstance(r, (tuple, list)) and len(r) in (2, 3):
            out[k] = Range(*r)
        else:
            raise ValueError(f"ranges[{k!r}] must be a Range or a (low, high[, basis]) tuple, got {r!r}"[:200])
    return out


def tornado(f: Callable, inputs: Mapping, ranges: Mapping) -> pd.DataFrame:
    """The output at each input's low and high value (the others at base), widest swing first.

    Columns: ``input``, ``base``, ``low``, ``high``, ``basis``, ``output_at_low``,
    ``output_at_high``, ``output_at_base``, ``swing`` (``|high - low|`` of the output).

    >>> t = tornado(lambda a, b: a - 2 * b, {"a": 1.0, "b": 1.0}, {"a": (0, 2), "b": (0.5, 1.5, "guess")})
    >>> t[["input", "output_at_low", "output_at_high", "swing"]]
      input  output_at_low  output_at_high  swing
    0     a           -2.0             0.0    2.0
    1     b            0.0            -2.0    2.0
    """
    f = _function(f)
    base_inputs = _inputs(inputs)
    rs = _ranges(ranges, base_inputs)
    at_base = evaluate(f, base_inputs)
    rows = []
    for k, r in rs.items():
        lo = evaluate(f, base_inputs, **{k: r.low})
        hi = evaluate(f, base_inputs, **{k: r.high})
        rows.append({"input": k, "base": base_inputs[k], "low": r.low, "high": r.high, "basis": r.basis,
                     "output_at_low": lo, "output_at_high": hi, "output_at_base": at_base, "swing": abs(hi - lo)})
    table = pd.DataFrame(rows)
    order = table.sort_values(["swing", "input"], ascending=[False, True], kind="stable").index
    return table.loc[order].reset_index(drop=True)


def sensitivity(f: Callable, inputs: Mapping, ranges: Mapping, *, threshold: float = 0.0,
                steps: int = STEPS) -> pd.DataFrame:
    """:func:`tornado` plus each input's flip value (``flip``, NaN-free: None when it does not flip).

    ``steps``: points of the scan per input (see :func:`flip_value`); a verdict known to be monotone in
    each input needs only a few, which matters when ``f`` is slow.

    >>> s = sensitivity(lambda p, c: p - c, {"p": 2.0, "c": 1.5}, {"p": (1, 3), "c": (1, 1.8)})
    >>> s[["input", "flip", "flips"]]
      input flip  flips
    0     p  1.5   True
    1     c  None  False
    """
    table = tornado(f, inputs, ranges)
    base_inputs = _inputs(inputs)
    t = checks.number("threshold", threshold)
    flips = []
    for row in table.itertuples():
        if row.low < row.high:
            flips.append(flip_value(f, base_inputs, row.input, row.low, row.high, threshold=t, steps=steps))
        else:
            flips.append(None)
    table["flip"] = pd.Series([fl.value if fl else None for fl in flips], dtype=object)
    table["flips"] = [bool(fl and fl.flips) for fl in flips]
    table["crossings"] = [fl.crossings if fl else 0 for fl in flips]
    table.attrs["threshold"] = t
    return table


def sentence(table: pd.DataFrame, formats: Mapping | None = None, labels: Mapping | None = None) -> str:
    """The sensitivity line of a verdict, from a :func:`sensitivity` table.

    ``formats``: ``{input: "{:.0%}"}`` for its values; ``labels``: ``{input: "utilization"}``.

    >>> s = sensitivity(lambda p, c: p - c, {"p": 2.0, "c": 1.5}, {"p": (1, 3), "c": (1, 1.8)})
    >>> sentence(s, labels={"p": "price", "c": "cost"})
    'Flips if price crosses 1.5 (range 1 to 3). Does not flip in range: cost (1 to 1.8).'
    """
    if not isinstance(table, pd.DataFrame) or not {"input", "flip", "low", "high"} <= set(table.columns):
        raise ValueError("table must be the result of sensitivity()")
    formats, labels = dict(formats or {}), dict(labels or {})
    flipping, steady = [], []
    for row in table.itertuples():
        fmt = formats.get(row.input, "{:g}")
        label = labels.get(row.input, row.input)
        span = f"{fmt.format(row.low)} to {fmt.format(row.high)}"
        if row.flip is None:
            steady.append(f"{label} ({span})")
        else:
            flipping.append(f"{label} crosses {fmt.format(row.flip)} (range {span})")
    parts = []
    if flipping:
        parts.append("Flips if " + "; or if ".join(flipping) + ".")
    if steady:
        parts.append("Does not flip in range: " + ", ".join(steady) + ".")
    return " ".join(parts)
