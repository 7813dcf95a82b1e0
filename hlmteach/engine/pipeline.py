"""The whole pipeline in one call, as lme4's ``lmer``.

parse formula → model matrices → group statistics → profiled criterion →
optimise → check convergence → package.  Each step is a function of its own
(``parse_formula``, ``build_design``, ``group_stats``, ``ProfiledDeviance``,
``newton`` and ``check_convergence`` (together ``optimize``), ``MixedFit``)
so the book can show them one at a time.
"""

from __future__ import annotations

from typing import TypeVar

import pandas as pd

from .design import build_design
from .deviance import ProfiledDeviance
from .fit import MixedFit
from .formula import parse_formula
from .optimize import optimize
from .stats import group_stats

__all__ = ["lmer"]

F = TypeVar("F", bound=MixedFit)


def lmer(
    formula: str,
    data: pd.DataFrame,
    reml: bool = True,
    hlm_names: dict[str, str] | None = None,
    *,
    fit_type: type[F] = MixedFit,  # type: ignore[assignment]
) -> F:
    """Fit a two-level linear mixed model written in lme4's formula syntax.

    ``formula`` is parsed, never evaluated: ``"mAch ~ cses * sector + (1 + cses | school)"``.
    Rows with missing values in the model's columns are dropped with a warning;
    ``data`` itself is never modified.  ``hlm_names`` optionally renames
    variables in HLM 7-style tables (e.g. ``{"cses": "SES"}``).  ``fit_type``
    is the class of the result (:class:`MixedFit` or a subclass such as
    :class:`hlmteach.Fit`).
    """
    if not isinstance(reml, bool):
        raise TypeError(f"reml must be True or False, got {reml!r}")
    design = build_design(parse_formula(formula), data)
    criterion = ProfiledDeviance(group_stats(design), reml)  # one block of τ per random term
    return fit_type(design, criterion, optimize(criterion), hlm_names)
