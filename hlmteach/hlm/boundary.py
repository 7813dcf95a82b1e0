"""Likelihood-ratio tests of a variance at its boundary: the χ̄² (mixture) reference distribution.

A variance cannot be negative, so "τ11 = 0" lies on the edge of the
parameter space and the likelihood-ratio statistic for deleting a random
effect does not follow the χ² with as many df as parameters removed.  Deleting
one random effect, its variance and its covariances with the k random
effects that stay, the statistic follows a 50:50 mixture of χ²(k) and χ²(k + 1)
(Self & Liang 1987; Stram & Lee 1994): for a random slope beside a random
intercept, ½χ²(1) + ½χ²(2), whose 5% critical value is 5.14, not χ²(2)'s 5.99;
for the only random intercept, ½χ²(0) + ½χ²(1), half the χ²(1) p-value.
lmerTest's ``ranova`` and R's ``anova`` print the plain χ² p-value, which is
too large (conservative).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import optimize, special

if TYPE_CHECKING:
    from ..engine.fit import MixedFit

__all__ = ["boundary_critical_value", "boundary_p_value", "chibar2_sf", "ranova_boundary"]


def chibar2_sf(statistic: float, weights: Sequence[float]) -> float:
    """P(χ̄² ≥ statistic) for the mixture Σ_k weights[k] χ²(k), k = 0, 1, … (χ²(0) is a point mass at 0)."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or len(w) == 0 or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise ValueError(f"weights must be non-negative and sum to 1, got {list(weights)}")
    x = float(statistic)
    if not np.isfinite(x):
        raise ValueError(f"the statistic must be a finite number, got {statistic}")
    tails = [float(x <= 0) if k == 0 else float(special.chdtrc(k, max(x, 0.0))) for k in range(len(w))]
    return float(np.dot(w, tails))


def _mixture(df: int) -> list[float]:
    if int(df) != df or df < 1:
        raise ValueError(f"df is the number of parameters the deletion removes (at least 1), got {df}")
    weights = [0.0] * (int(df) + 1)
    weights[-1] = weights[-2] = 0.5
    return weights


def boundary_p_value(statistic: float, df: int = 2) -> float:
    """p-value of the likelihood-ratio test that deletes one random effect.

    ``df`` is the number of parameters the deletion removes: the variance and
    its ``df − 1`` covariances (2 for a random slope beside a random intercept,
    1 for the only random intercept).  The reference distribution is
    ½χ²(df − 1) + ½χ²(df).
    """
    return chibar2_sf(statistic, _mixture(df))


def boundary_critical_value(alpha: float = 0.05, df: int = 2) -> float:
    """The critical value of ½χ²(df − 1) + ½χ²(df) at level ``alpha`` (5.14 for df = 2, α = 0.05)."""
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must be between 0 and 0.5, got {alpha}")
    weights = _mixture(df)
    upper = float(special.chdtri(df, alpha / 2))  # beyond it the mixture's tail is below alpha
    return float(optimize.brentq(lambda x: chibar2_sf(x, weights) - alpha, 1e-12, upper, xtol=1e-12))


def ranova_boundary(fit: MixedFit) -> pd.DataFrame:
    """lmerTest's ``ranova`` table with a column ``p_boundary``: each deletion's mixture p-value.

    A row that deletes one of the model's q random effects removes its variance
    and its q − 1 covariances (df = q), and its reference is ½χ²(q − 1) + ½χ²(q).
    Rows that delete several effects at once (a factor's random slopes) get
    NaN: their mixture weights depend on the information matrix.
    """
    table = fit.ranova()
    q = fit.stats.q
    table["p_boundary"] = [
        boundary_p_value(float(x), q) if pd.notna(k) and k == q else np.nan
        for x, k in zip(table["lrt"], table["df"], strict=True)
    ]
    return table
