"""HLM 7's test of homogeneity of level-1 variance (Raudenbush & Bryk 2002, ch. 9).

The model assumes one σ² in every school.  Each school's own OLS regression
of the outcome on the level-1 predictors leaves a residual variance
S_j² = RSS_j / f_j on f_j = n_j − Q − 1 df.  Under homogeneity the log
variances scatter around their pooled mean only by sampling error, with
variance ≈ 2 / f_j, so

    d_j = [ln S_j² − Σ_j f_j ln S_j² / Σ_j f_j] / √(2 / f_j),   H = Σ_j d_j²

is approximately χ² on J_used − 1 df.  Like HLM 7's χ² tests of the variance
components, it uses only the schools with enough data for their own
regression (more students than level-1 coefficients, predictors that vary);
Snijders & Bosker (2012, §10.4) advise f_j ≥ 10 for the χ² approximation,
which ``min_df`` can impose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import special

from .tables import school_ols

if TYPE_CHECKING:
    from ..engine.fit import MixedFit

__all__ = ["HomogeneityTest", "level1_homogeneity"]


@dataclass(frozen=True)
class HomogeneityTest:
    """The statistic H, its df and p, and the schools' own residual variances (``by_group``)."""

    chi2: float
    df: int
    p: float
    used: int
    groups: int
    by_group: pd.DataFrame

    def __str__(self) -> str:
        p = "<0.001" if self.p < 0.001 else f"{self.p:.3f}"
        note = (
            ""
            if self.used == self.groups
            else f"\nNote: The chi-square statistic is based on only {self.used} of {self.groups} units with sufficient data."
        )
        return (
            "Test of homogeneity of level-1 variance\n"
            f"Chi-square statistic = {self.chi2:.5f}\nNumber of degrees of freedom = {self.df}\nP-value = {p}{note}"
        )


def level1_homogeneity(fit: MixedFit, min_df: int = 1) -> HomogeneityTest:
    """HLM 7's test that σ² is the same in every group (R&B 2002, ch. 9), from each group's own OLS fit.

    The level-1 predictors are those of the fit's level-1 model (every column
    that varies within groups), centred as in the fit.  Groups whose regression
    leaves fewer than ``min_df`` residual df, or whose predictors do not vary,
    are left out, as HLM 7 does.
    """
    if int(min_df) != min_df or min_df < 1:
        raise ValueError(f"min_df must be a whole number of at least 1, got {min_df}")
    st = fit.stats
    f = st.nj - st.DtD.shape[0]
    beta, _, usable = school_ols(fit, min_df)
    if usable.sum() < 2:
        raise ValueError(f"only {int(usable.sum())} groups have enough data for their own regression; the test needs two")
    rss = st.WtW[st.p, st.p, usable] - np.einsum("ja,aj->j", beta, st.Dty[:, usable])
    fj = f[usable].astype(float)
    s2 = rss / fj
    if np.any(s2 <= 0):
        raise ValueError("a group's own regression fits its outcome exactly (residual variance 0), so ln S_j² is undefined")
    log_s2 = np.log(s2)
    pooled = float(np.sum(fj * log_s2) / np.sum(fj))
    d = (log_s2 - pooled) / np.sqrt(2 / fj)
    chi2 = float(np.sum(d**2))
    df = int(usable.sum()) - 1
    by_group = pd.DataFrame(
        {"n": st.nj[usable], "df": f[usable], "s2": s2, "d": d},
        index=pd.Index(np.asarray(fit.design.group_levels)[usable], name=fit.group),
    )
    return HomogeneityTest(chi2, df, float(special.chdtrc(df, chi2)), int(usable.sum()), st.J, by_group)
