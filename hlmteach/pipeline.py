"""The whole pipeline in one call, as lme4's ``lmer``.

parse formula → build model matrices → group statistics → profiled criterion
→ optimise and check → package.  Each step is a function of its own
(``parse_formula``, ``build_design``, ``group_stats``, ``ProfiledDeviance``,
``optimize``, ``Fit``) so the book can show them one at a time.
"""

from __future__ import annotations

import pandas as pd

from .design import build_design
from .deviance import ProfiledDeviance
from .fit import Fit
from .formula import parse_formula
from .optimize import optimize
from .stats import group_stats

__all__ = ["lmer"]


def lmer(formula: str, data: pd.DataFrame, reml: bool = True, hlm_names: dict[str, str] | None = None) -> Fit:
    """Fit a two-level linear mixed model written in lme4's formula syntax.

    ``formula`` is parsed, never evaluated: ``"mAch ~ cses * sector + (1 + cses | school)"``.
    Rows with missing values in the model's columns are dropped with a warning;
    ``data`` itself is never modified.  ``hlm_names`` optionally renames
    variables in HLM 7-style tables (e.g. ``{"cses": "SES"}``).
    """
    if not isinstance(reml, bool):
        raise TypeError(f"reml must be True or False, got {reml!r}")
    design = build_design(parse_formula(formula), data)
    stats = group_stats(design)
    criterion = ProfiledDeviance(stats, reml)
    return Fit(design, stats, criterion, optimize(criterion), hlm_names)
