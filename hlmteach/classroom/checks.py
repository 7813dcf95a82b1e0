"""Self-checks for the book's exercises: right or wrong, with a hint, never the answer.

A student computes a number and asks::

    from hlmteach.classroom import check
    check("unconditional.icc", my_icc)

``check`` compares the answer with a reference value that the package
computes on demand (it fits the model the exercise is about, see
:mod:`hlmteach.classroom.answers`), within the answer's tolerance, so 0.18 and
0.1804 both count for an ICC of 0.18035.  A wrong answer gets a hint: a
specific one when it matches a mistake the exercise anticipates (a
percentage for a proportion, a standard deviation for a variance, HLM 7's
printed value where the question asks for this fit's), a general one
otherwise.  The reference value is never shown, so a student's notebook can
call ``check`` without giving the solution away.  ``answers()`` lists the
questions; ``reference_answer`` and ``tolerance`` are for instructors and tests.
"""

from __future__ import annotations

import difflib
import html
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from numbers import Real

import numpy as np
import pandas as pd

from .answers import ANSWERS, Answer, Value

__all__ = ["CheckResult", "answers", "check", "reference_answer", "tolerance"]


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer: ``ok`` (also its truth value) and a message for the student.

    A notebook shows it as its message (``✓ …``, ``✗ …`` or ``✎ …``).
    """

    key: str
    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        colour = "#009E73" if self.ok else "#D55E00"
        return (
            f'<div class="hlmteach-check" data-ok="{str(self.ok).lower()}" '
            f'style="border-left:4px solid {colour};padding:0.2em 0.6em">{html.escape(self.message)}</div>'
        )


def _numbers(value: object) -> tuple[float, ...] | None:
    """The answer as a tuple of floats (numbers, numeric strings, arrays, Series), or None if it is not numeric."""
    if isinstance(value, pd.DataFrame | pd.Series | np.ndarray | list | tuple):
        items = np.asarray(value, dtype=object).ravel().tolist()
    else:
        items = [value]
    out = []
    for item in items:
        if isinstance(item, str):
            try:
                item = float(item)
            except ValueError:
                return None
        if isinstance(item, bool | np.bool_) or not isinstance(item, Real | np.number):
            return None
        out.append(float(item))
    return tuple(out)


def _as_tuple(value: Value) -> tuple[float, ...]:
    return tuple(float(v) for v in value) if isinstance(value, tuple) else (float(value),)


def _matches(given: tuple[float, ...], target: tuple[float, ...], tol: float) -> bool:
    return len(given) == len(target) and all(abs(g - t) <= tol for g, t in zip(given, target, strict=True))


def _lookup(key: str) -> Answer:
    if key not in ANSWERS:
        close = difflib.get_close_matches(key, list(ANSWERS), n=3)
        suggestion = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise KeyError(f"no self-check is called {key!r}{suggestion} (hlmteach.classroom.answers() lists them)")
    return ANSWERS[key]


@cache
def _evaluate(compute: Callable[[], Value]) -> tuple[float, ...]:
    """A reference or mistake value, computed once per session."""
    return _as_tuple(compute())


def _mistake(spec: Answer, given: tuple[float, ...], target: tuple[float, ...]) -> str | None:
    """The hint of the first anticipated mistake that ``given`` matches (and the right answer does not)."""
    for compute, hint in spec.mistakes:
        wrong = _evaluate(compute)
        if _matches(given, wrong, spec.tol) and not _matches(wrong, target, spec.tol):
            return hint
    if spec.proportion and any(abs(g) > 1 for g in given) and _matches(tuple(g / 100 for g in given), target, spec.tol):
        return "Give a proportion between 0 and 1, not a percentage."
    return None


def check(key: str, answer: object) -> CheckResult:
    """Compare ``answer`` with the reference value of self-check ``key``, within its tolerance.

    ``answer`` is a number (or a ``(low, high)`` pair for a range); ``...``
    or ``None`` mean "not answered yet".  Returns a :class:`CheckResult`,
    which a notebook shows as ✓ or ✗ with a hint; it never contains the
    reference value.  An unknown ``key`` raises ``KeyError``.
    """
    spec = _lookup(key)
    if answer is None or answer is Ellipsis:
        return CheckResult(key, False, f"✎ {key}: not answered yet (replace the ... by your answer).")
    given = _numbers(answer)
    if given is None or not all(math.isfinite(g) for g in given):
        return CheckResult(key, False, f"✗ {key}: give a number (or numbers), not {type(answer).__name__} {answer!r}.")
    target = _evaluate(spec.compute)
    if len(given) != len(target):
        shape = "one number" if len(target) == 1 else f"{len(target)} numbers (low, high)"
        return CheckResult(key, False, f"✗ {key}: the answer is {shape}; you gave {len(given)}.")
    if _matches(given, target, spec.tol):
        return CheckResult(key, True, f"✓ {key}: right ({spec.question}).")
    hint = _mistake(spec, given, target)
    if hint is not None:
        return CheckResult(key, False, f"✗ {key}: not quite. {hint}")
    if _matches(given, target, 10 * spec.tol):
        return CheckResult(key, False, f"✗ {key}: close, but not within ±{spec.tol:g}; keep more decimals. Hint: {spec.hint}")
    return CheckResult(key, False, f"✗ {key}: not right. Hint: {spec.hint}")


def answers() -> Mapping[str, str]:
    """Every self-check: key → what its answer is."""
    return {key: spec.question for key, spec in ANSWERS.items()}


def reference_answer(key: str) -> Value:
    """The reference value of self-check ``key``, computed by the package (for instructors and tests)."""
    value = _evaluate(_lookup(key).compute)
    return value if len(value) > 1 else value[0]


def tolerance(key: str) -> float:
    """The absolute tolerance of self-check ``key``, on each number of the answer."""
    return _lookup(key).tol
