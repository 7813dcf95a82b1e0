"""The numbers R&B's chapter 4 asks for: ICC, variance explained, plausible-value range."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import special

from ..engine.fit import MixedFit
from ..engine.levels import INTERCEPT

__all__ = [
    "Z95",
    "criterion_given_variances",
    "expected_coefficient",
    "icc",
    "plausible_range",
    "plausible_value_range",
    "variance_explained",
]


#: The normal quantile of a two-sided 95% range (1.95996…): plausible values, EB intervals.
Z95 = float(special.ndtri(0.975))


def icc(fit: MixedFit) -> float:
    """Intraclass correlation τ00 / (τ00 + σ²): the share of variance between groups.

    With random slopes this is the share at level-1 predictors equal to zero.
    """
    if INTERCEPT not in fit.design.znames:
        raise ValueError("the ICC needs a random intercept, and this model has none")
    q = fit.design.znames.index(INTERCEPT)
    tau00 = float(fit.tau_matrix[q, q])
    return tau00 / (tau00 + fit.sigma2)


def variance_explained(base: MixedFit, fit: MixedFit, component: str = INTERCEPT) -> float:
    """Proportional reduction in a variance component from ``base`` to ``fit``.

    ``component`` is a random effect's name (τ_qq) or ``"Residual"`` (σ²).
    """

    def variance(m: MixedFit) -> float:
        if component == "Residual":
            return m.sigma2
        if component not in m.design.znames:
            raise KeyError(f"{component!r} is not a random effect of {m.formula!r}")
        return float(m.tau.loc[component, component])

    before = variance(base)
    return (before - variance(fit)) / before


def plausible_value_range(mean: float, variance: float, level: float = 0.95) -> tuple[float, float]:
    """The range mean ± z √variance holding ``level`` of a normal distribution of coefficients."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    if variance < 0:
        raise ValueError(f"a variance cannot be negative, got {variance}")
    half = float(special.ndtri((1 + level) / 2)) * float(np.sqrt(variance))
    return float(mean - half), float(mean + half)


def expected_coefficient(fit: MixedFit, coefficient: str, level2: Mapping[str, float] | None = None) -> float:
    """γ_q0 + Σ_s γ_qs W_s: the mean of β_qj for schools with level-2 values ``level2``.

    ``level2`` maps fixed-effect column names of the level-2 predictors (e.g.
    ``{"sectorCatholic": 1}``) to values; unnamed ones are taken as 0.
    """
    levels = fit.design.levels
    if coefficient not in levels.coefficients:
        raise KeyError(f"{coefficient!r} is not a level-1 coefficient; choose from {list(levels.coefficients)}")
    level2 = dict(level2 or {})
    known = levels.level2_of(coefficient)
    unknown = set(level2) - set(known)
    if unknown:
        raise KeyError(f"{sorted(unknown)} do not predict {coefficient!r}; its level-2 predictors are {sorted(known)}")
    gamma = fit.evaluation.beta
    return float(
        sum(gamma[c] * (level2.get(levels.level2[c], 0.0) if levels.level2[c] else 1.0) for c in levels.columns_of(coefficient))
    )


def plausible_range(
    fit: MixedFit, coefficient: str = INTERCEPT, level2: Mapping[str, float] | None = None, level: float = 0.95
) -> tuple[float, float]:
    """R&B's 95% plausible-value range of β_qj: γ ± 1.96 √τ_qq from a fitted model."""
    if coefficient not in fit.design.znames:
        raise ValueError(f"{coefficient!r} has no random effect in {fit.formula!r}, so every school shares one value")
    mean = expected_coefficient(fit, coefficient, level2)
    return plausible_value_range(mean, float(fit.tau.loc[coefficient, coefficient]), level)


def criterion_given_variances(fit: MixedFit, variances: Sequence[float], sigma2: float) -> tuple[float, float]:
    """The smallest −2 log L with T's variances and σ² held at given values, over the covariance.

    For output that prints variances but not their covariance, as HLM 7's
    variance-component table does: how far from the optimum are its estimates?
    Returns the criterion and the correlation that attains it (0 for one random effect).
    Models with more than two random effects are not supported.
    """
    v = np.asarray(variances, float)
    if v.shape != (fit.stats.q,) or np.any(v <= 0):
        raise ValueError(f"give {fit.stats.q} positive variances, one per random effect, got {list(v)}")
    if fit.stats.q == 1:
        return fit.criterion_at(np.diag(v), sigma2), 0.0
    if fit.stats.q > 2:
        raise ValueError("criterion_given_variances handles one or two random effects")
    sd = np.sqrt(v)

    def at(r: float) -> float:
        return fit.criterion_at(np.diag(v) + r * sd[0] * sd[1] * (1 - np.eye(2)), sigma2)

    from scipy.optimize import minimize_scalar  # only here: scipy.optimize is slow to import

    best = minimize_scalar(at, bounds=(-0.999, 0.999), method="bounded", options={"xatol": 1e-9})
    return float(best.fun), float(best.x)
