"""Checks for the notebooks' exercises: a reader's answer in; "correct", or what is wrong and a hint, out.

Each notebook with checkable exercises has a module here, ``nbNN`` for notebook ``NN``
(``nb00`` for ``00_start_here``), holding one :class:`Exercises` object. In the notebook::

    from token_economy.exercises.nb00 import exercises
    exercises.check("q2", monthly_cost)          # -> ✅ Exercise 2: correct.

The same checks grade the assignments that ``make assignments`` builds (``assignments/``):
there each exercise is an otter-grader question whose test calls :meth:`Exercises.require`.

A check never shows the expected value. It accepts equivalent answers (numbers within a
relative tolerance, dictionaries in any order, any function that returns the right values)
and it recognises the mistakes it was told about (a price per million used as a price per
token, one day instead of a month), each with its own hint.

    >>> demo = Exercises("demo")
    >>> @demo.exercise("q1", "total")
    ... def _total(total):
    ...     total.close_to(12.0, unit="dollars", mistakes={12e6: "prices are per million tokens"})
    >>> demo.check("q1", ...)
    ❌ Exercise 1: `total` is not answered yet: replace the ... with your answer.
    >>> demo.check("q1", 12e6)
    ❌ Exercise 1: `total` is not right yet. Hint: prices are per million tokens.
    >>> demo.check("q1", 12.004)
    ✅ Exercise 1: correct.

What it leaves out: checks are readable by anyone who has the library, like otter's public
tests; they help a learner, they do not keep a secret. A check also runs a learner's
function in the same process, without a time limit.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Answer", "Exercises", "Verdict", "Wrong"]

#: A value that means "not answered": the ``...`` the answer cell starts with, or nothing.
NOT_ANSWERED = (Ellipsis, None)


class Wrong(Exception):
    """An answer that is not right yet; the message says what is wrong and gives a hint."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: ``ok`` and the message a learner sees."""

    exercise: str
    ok: bool
    message: str

    def __repr__(self) -> str:
        return f"{'✅' if self.ok else '❌'} {self.exercise}: {self.message}"

    def _repr_html_(self) -> str:
        """The verdict in a box with a coloured edge (``te-exercise-ok`` / ``te-exercise-wrong`` in
        collection.css: the theme's gain and loss colours, readable in light and dark themes; the ✅ or ❌
        says it without colour); `code` in the message as code, everything else escaped.

        >>> Verdict("Exercise 1", False, "`x` is <b>wrong</b>")._repr_html_().split("</b>: ", 1)[1]
        '<code>x</code> is &lt;b&gt;wrong&lt;/b&gt;</div>'
        """
        from ..display import style_tag

        message = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(self.message))
        box = '<div class="te-exercise te-exercise-ok">' if self.ok else '<div class="te-exercise te-exercise-wrong">'
        return (f'{style_tag()}{box}{"✅" if self.ok else "❌"} <b>{html.escape(self.exercise)}</b>: '
                f"{message}</div>")


def _shown(value, limit: int = 40) -> str:
    """A short, safe repr of a learner's value for a message."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a learner's object may break even repr
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[:limit - 1] + "…"


class Answer:
    """A learner's answer under its variable name. Each method reads it, or raises :class:`Wrong`."""

    def __init__(self, name: str, value):
        self.name, self.value = name, value

    def given(self):
        if any(self.value is v for v in NOT_ANSWERED):
            raise Wrong(f"`{self.name}` is not answered yet: replace the ... with your answer.")
        return self.value

    def number(self, unit: str = "") -> float:
        """The answer as a finite float (an int, a float, a numpy number, not a bool or a text)."""
        value, what = self.given(), f"a number{f' of {unit}' if unit else ''}"
        if isinstance(value, str):
            raise Wrong(f"`{self.name}` is a text ({_shown(value)}); it should be {what}, without quotes.")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise Wrong(f"`{self.name}` should be {what}, got {type(value).__name__}.")
        try:
            x = float(value)
        except (OverflowError, ValueError, TypeError):
            x = math.nan
        if not math.isfinite(x):
            raise Wrong(f"`{self.name}` is not a finite number; it should be {what}.")
        return x

    def text(self) -> str:
        value = self.given()
        if not isinstance(value, str) or not value.strip():
            raise Wrong(f"`{self.name}` should be a text in quotes, such as \"Ada Lovelace\", got {_shown(value)}.")
        return value

    def function(self) -> Callable:
        value = self.given()
        if not callable(value):
            raise Wrong(f"`{self.name}` should be a function (def {self.name}(...): ...), got {type(value).__name__}.")
        return value

    def close_to(self, expected: float, *, unit: str = "", rel_tol: float = 1e-3, abs_tol: float = 0.0,
                 mistakes: Mapping[float, str] | None = None) -> None:
        """Right if within ``rel_tol`` (relative) or ``abs_tol`` (absolute) of ``expected``; ``mistakes`` maps a
        known wrong value to its hint (recognised with the same tolerances).

        ``abs_tol`` is for answers that may be near zero, such as a margin: a relative tolerance of a
        margin of 0.001 would ask for six digits.

        >>> Answer("margin", 0.004).close_to(0.001, abs_tol=0.005)
        >>> Answer("margin", 0.004).close_to(0.001)
        Traceback (most recent call last):
        ...
        token_economy.exercises.Wrong: `margin` is too high. Check each factor and its unit.
        """
        x = self.number(unit)
        if _close(x, expected, rel_tol, abs_tol):
            return
        for wrong_value, hint in (mistakes or {}).items():
            if _close(x, wrong_value, rel_tol, abs_tol):
                raise Wrong(f"`{self.name}` is not right yet. Hint: {hint}.")
        direction = "too high" if x > expected else "too low"
        raise Wrong(f"`{self.name}` is {direction}. Check each factor and its unit.")

    def keyed_like(self, expected: Mapping) -> dict:
        """The answer as a dict with exactly the keys of ``expected`` (any order; a pandas Series is read too).

        >>> Answer("bills", {"b": 2, "a": 1}).keyed_like({"a": 0, "b": 0})
        {'b': 2, 'a': 1}
        >>> Answer("bills", {"a": 1}).keyed_like({"a": 0, "b": 0})
        Traceback (most recent call last):
        ...
        token_economy.exercises.Wrong: `bills` should have exactly the keys ['a', 'b']; missing ['b'].
        """
        value = self.given()
        if not isinstance(value, Mapping) and not hasattr(value, "to_dict"):
            raise Wrong(f"`{self.name}` should be a dict such as {{{', '.join(f'{k!r}: ...' for k in expected)}}}, "
                        f"got {type(value).__name__}.")
        try:
            given = dict(value.to_dict() if hasattr(value, "to_dict") else value)
        except Exception:  # noqa: BLE001
            raise Wrong(f"`{self.name}` could not be read as a dict.") from None
        missing = [k for k in expected if k not in given]
        extra = [k for k in given if k not in expected]
        if missing or extra:
            raise Wrong(f"`{self.name}` should have exactly the keys {sorted(expected)}; "
                        + (f"missing {missing}" if missing else f"unexpected {[_shown(k) for k in extra[:3]]}") + ".")
        return given

    def same_counts(self, expected: Mapping[str, int], *, hint: str) -> None:
        """Right if the answer maps exactly the keys of ``expected`` (any order) to the same counts."""
        given = self.keyed_like(expected)
        for key, count in expected.items():
            got = Answer(f"{self.name}[{key!r}]", given[key]).number("tokens")
            if got != count:
                raise Wrong(f"`{self.name}[{key!r}]` is {'too high' if got > count else 'too low'}. Hint: {hint}.")

    def close_to_each(self, expected: Mapping[str, float], *, unit: str = "",
                      mistakes: Mapping[str, Mapping[float, str]] | None = None, **tolerance) -> None:
        """Right if the answer maps exactly the keys of ``expected`` (any order) to numbers close to each value.

        One number per key, such as a bill per model. Each value is checked by :meth:`close_to`
        under the name ``answer[key]``, with ``mistakes[key]`` (known wrong values and their hints)
        and the tolerances given (``rel_tol=...``).

        >>> expected = {"gpt-4o-mini": 36.0, "claude-haiku-4.5": 270.0}
        >>> Answer("bills", {"claude-haiku-4.5": 270.1, "gpt-4o-mini": 36}).close_to_each(expected)
        >>> Answer("bills", {"gpt-4o-mini": 1.2, "claude-haiku-4.5": 9.0}).close_to_each(
        ...     expected, unit="dollars a month", mistakes={k: {v / 30: "that is one day"} for k, v in expected.items()})
        Traceback (most recent call last):
        ...
        token_economy.exercises.Wrong: `bills['gpt-4o-mini']` is not right yet. Hint: that is one day.
        """
        given = self.keyed_like(expected)
        for key, value in expected.items():
            Answer(f"{self.name}[{key!r}]", given[key]).close_to(
                value, unit=unit, mistakes=(mistakes or {}).get(key), **tolerance)

    def returns(self, cases: list[tuple[tuple, float]], *, rel_tol: float = 1e-6,
                mistakes: Mapping[str, Callable] | None = None) -> None:
        """Right if the function returns, for each ``(arguments, expected)``, a number close to ``expected``.

        ``mistakes`` maps a hint to a wrong function: if the learner's results match it on every
        case, that hint is given.
        """
        fn, results = self.function(), []
        for args, expected in cases:
            call = f"{self.name}({', '.join(_shown(a, 24) for a in args)})"
            try:
                got = fn(*args)
            except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything
                raise Wrong(f"`{call}` raised {type(exc).__name__}: {_shown(str(exc), 80)}") from None
            if got is None:
                raise Wrong(f"`{call}` returns None: end the function with `return` and its result.")
            results.append(Answer(f"the result of {call}", got).number())
        for hint, wrong_fn in (mistakes or {}).items():
            if all(_close(r, wrong_fn(*args), rel_tol) for r, (args, _) in zip(results, cases)):
                raise Wrong(f"`{self.name}` is not right yet. Hint: {hint}.")
        for result, (args, expected) in zip(results, cases):
            if not _close(result, expected, rel_tol):
                call = f"{self.name}({', '.join(_shown(a, 24) for a in args)})"
                raise Wrong(f"`{call}` returns a value that is {'too high' if result > expected else 'too low'}.")


def _close(x: float, expected: float, rel_tol: float, abs_tol: float = 0.0) -> bool:
    return math.isclose(x, expected, rel_tol=rel_tol, abs_tol=max(abs_tol, 1e-12))


class Exercises:
    """The checks of one notebook's exercises, by question name (``q1``, ``q2`` ...)."""

    def __init__(self, notebook: str):
        self.notebook = notebook
        self._judges: dict[str, tuple[tuple[str, ...], Callable]] = {}

    def exercise(self, name: str, *answers: str):
        """Decorator: register ``judge(*Answer)`` as the check of question ``name``.

        ``answers`` are the variable names the learner fills in, in the order the check takes them.
        The judge returns normally when the answer is right and raises :class:`Wrong` otherwise.
        """
        if not re.fullmatch(r"q[0-9]+", name) or name in self._judges:
            raise ValueError(f"name must be q1, q2 ... and new in {self.notebook}, got {name!r}")

        def register(judge: Callable) -> Callable:
            self._judges[name] = (answers, judge)
            return judge
        return register

    @property
    def names(self) -> list[str]:
        return list(self._judges)

    def answers(self, name: str) -> tuple[str, ...]:
        """The variable names question ``name`` checks, e.g. ``("monthly_cost",)``."""
        return self._judges[name][0]

    def check(self, name: str, *values) -> Verdict:
        """Check the answer(s) to question ``name``; the result shows as ✅ or ❌ with a hint."""
        label = f"Exercise {name[1:]}" if re.fullmatch(r"q[0-9]+", str(name)) else _shown(name)
        if name not in self._judges:
            return Verdict(label, False, f"notebook {self.notebook} has no exercise {_shown(name)}; "
                                         f"its checks are {', '.join(self._judges)}.")
        answers, judge = self._judges[name]
        if len(values) != len(answers):
            return Verdict(label, False, f"this check takes {len(answers)} answer(s): {', '.join(answers)}.")
        try:
            judge(*(Answer(a, v) for a, v in zip(answers, values)))
        except Wrong as exc:
            return Verdict(label, False, str(exc))
        except Exception as exc:  # noqa: BLE001 - whatever a learner's answer does, the check answers
            return Verdict(label, False, f"the check could not read your answer ({type(exc).__name__}: "
                                         f"{_shown(str(exc), 80)}).")
        return Verdict(label, True, "correct.")

    def require(self, name: str, *values) -> None:
        """Like :meth:`check`, but a wrong answer raises ``AssertionError`` (otter-grader's tests call this)."""
        result = self.check(name, *values)
        if not result.ok:
            raise AssertionError(result.message)
