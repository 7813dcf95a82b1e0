"""The fit readers use: the engine's numbers, HLM 7's tables, and both programs' printouts.

:class:`Fit` is the engine's :class:`~hlmteach.engine.fit.MixedFit` (what
lme4 computes) with HLM 7's view added (robust SEs and J − S − 1 df, χ²
tests and reliabilities, its printed tables) and R's ``summary()`` text.
:func:`lmer` runs the engine's pipeline and returns one.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from ..engine.contest import Contrast, contest
from ..engine.fit import MixedFit
from ..engine.pipeline import lmer as engine_lmer
from ..rtext.summary import lmer_summary
from .tables import hlm_fixed_table, hlm_variance_table
from .text import hlm_summary

__all__ = ["Fit", "lmer"]


class Fit(MixedFit):
    """A two-level model fitted by REML or ML (what ``hlmteach.lmer`` returns)."""

    def hlm_fixed(self, robust: bool = True) -> pd.DataFrame:
        """HLM 7's fixed-effects table (robust SEs by default; df = J − S_q − 1)."""
        return hlm_fixed_table(self, robust)

    @cached_property
    def _hlm_variance(self) -> pd.DataFrame:
        return hlm_variance_table(self)

    def hlm_variance_components(self) -> pd.DataFrame:
        """HLM 7's variance components: SD, variance, df, χ², p and reliability."""
        return self._hlm_variance.copy()

    @property
    def hlm_reliability(self) -> pd.Series:
        """HLM 7's reliability of each school's OLS estimate of β_qj, averaged over schools."""
        return self._hlm_variance["reliability"].iloc[:-1].astype(float)

    def contest(self, L: Contrast, rhs: float = 0.0, joint: bool | None = None, level: float = 0.95) -> pd.DataFrame:
        """Test linear combinations L'γ with Satterthwaite df, as lmerTest's ``contest``
        (see :func:`hlmteach.contest`): e.g. ``fit.contest({"cses": 1, "cses:sectorCatholic": 1})``."""
        return contest(self, L, rhs, joint, level)

    def summary(self, data_name: str = "data") -> str:
        """Text laid out as R's ``summary()`` of an lmerTest fit."""
        return lmer_summary(self, data_name)

    def hlm_summary(self) -> str:
        """Text laid out as HLM 7's final-estimation tables."""
        return hlm_summary(self)


def lmer(formula: str, data: pd.DataFrame, reml: bool = True, hlm_names: dict[str, str] | None = None) -> Fit:
    """Fit a two-level linear mixed model written in lme4's formula syntax.

    ``formula`` is parsed, never evaluated: ``"mAch ~ cses * sector + (1 + cses | school)"``.
    Rows with missing values in the model's columns are dropped with a warning;
    ``data`` itself is never modified.  ``hlm_names`` optionally renames
    variables in HLM 7-style tables (e.g. ``{"cses": "SES"}``).
    """
    return engine_lmer(formula, data, reml, hlm_names, fit_type=Fit)
