"""Likelihood-ratio comparisons: lmerTest's ``ranova`` and R's ``anova`` on models.

``ranova`` deletes one random term at a time and refits with the same
criterion (REML for REML fits), so it never needs the data again: dropping a
random effect only drops rows and columns of the group statistics.
``anova`` compares nested models on the ML criterion, refitting REML fits by
ML first, exactly as lme4's ``anova`` announces ("refitting model(s) with ML").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import special
from scipy.linalg import lapack

from .criteria import InformationCriteria
from .design import build_fixed_design
from .deviance import ProfiledDeviance, minus_two_loglik
from .levels import INTERCEPT
from .optimize import optimize
from .stats import GroupStats

if TYPE_CHECKING:
    from .fit import MixedFit

__all__ = ["LinearFit", "anova", "fixed_only_deviance", "lm", "ranova"]


def fixed_only_deviance(WtW: np.ndarray, n: int, reml: bool) -> float:
    """−2 log L of the linear model without random effects (R's ``logLik(lm, REML)``).

    The criterion of :mod:`~hlmteach.engine.deviance` with V = σ²I: from the
    Cholesky factor R of W'W (W = [X y]), log|X'X| = 2 Σ log R_ii and r² = R_yy².
    """
    p = WtW.shape[0] - 1
    R, info = lapack.dpotrf(WtW, lower=0, clean=1)
    if info != 0:
        raise ValueError("the fixed-effect predictors are collinear or fit the outcome exactly")
    k = n - p if reml else n
    return minus_two_loglik(0.0, 2 * float(np.log(np.diag(R)[:p]).sum()), float(R[p, p] ** 2), k, reml)


@dataclass(frozen=True)
class LinearFit(InformationCriteria):
    """A linear model without random effects, for likelihood-ratio comparisons
    (the seed's ``lm(mAch ~ 1)``)."""

    formula: str
    nobs: int
    p: int
    WtW: np.ndarray
    y: np.ndarray
    reml: bool = False

    @property
    def npar(self) -> int:
        return self.p + 1

    @property
    def deviance(self) -> float:
        return fixed_only_deviance(self.WtW, self.nobs, self.reml)

    @property
    def loglik(self) -> float:
        return -self.deviance / 2

    def refit(self, reml: bool) -> LinearFit:
        return replace(self, reml=reml)


def lm(formula: str, data: pd.DataFrame) -> LinearFit:
    """Fit ``outcome ~ predictors`` without random effects (by ML, as R's ``lm`` for ``anova``)."""
    y, X, _ = build_fixed_design(formula, data)
    W = np.column_stack([X, y])
    return LinearFit(formula.strip(), len(y), X.shape[1], W.T @ W, y)


def _drop_effects(stats: GroupStats, keep: list[int]) -> GroupStats:
    idx = np.array(keep)
    return replace(stats, q=len(keep), ZtZ=stats.ZtZ[np.ix_(idx, idx)], ZtW=stats.ZtW[idx])


def ranova(fit: MixedFit) -> pd.DataFrame:
    """Single-term deletions of random effects, laid out as lmerTest's ``ranova``."""
    d = fit.design
    bar = d.formula.random[0]
    rows = [("<none>", fit.npar, fit.loglik)]
    terms = list(dict.fromkeys(d.zterms))
    removable = [t for t in terms if t != INTERCEPT] if len(terms) > 1 else terms
    for term in removable:
        keep = [i for i, t in enumerate(d.zterms) if t != term]
        if keep:
            stats = _drop_effects(fit.stats, keep)
            criterion = ProfiledDeviance(stats, fit.reml)
            opt = optimize(criterion, _reduce_theta(fit, keep, criterion))
            rows.append((f"{term} in {bar.text}", criterion.npar, -opt.deviance / 2))
        else:
            loglik = -fixed_only_deviance(fit.stats.WtW_total, fit.nobs, fit.reml) / 2
            rows.append((bar.text, fit.stats.p + 1, loglik))
    table = pd.DataFrame(rows, columns=["term", "npar", "loglik"]).set_index("term")
    table["aic"] = -2 * table["loglik"] + 2 * table["npar"]
    lrt = 2 * (table["loglik"].iloc[0] - table["loglik"])
    dof = table["npar"].iloc[0] - table["npar"]
    table["lrt"] = lrt.where(dof > 0)
    table["df"] = dof.where(dof > 0).astype("Int64")
    table["p"] = [float(special.chdtrc(k, x)) if k > 0 else np.nan for x, k in zip(lrt, dof, strict=True)]
    return table


def _reduce_theta(fit: MixedFit, keep: list[int], criterion: ProfiledDeviance) -> np.ndarray:
    """A start for the reduced model: the Cholesky factor of the kept block of T/σ²."""
    T = fit.tau_matrix[np.ix_(keep, keep)] / fit.sigma2
    w, V = np.linalg.eigh(T)
    return np.linalg.cholesky((V * np.maximum(w, 1e-6)) @ V.T)[criterion.tril]


def anova(*models: MixedFit | LinearFit, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Compare nested models by likelihood ratio on the ML criterion (R's ``anova``).

    REML fits are refitted by ML first, as lme4 does.  Rows are ordered by the
    number of parameters; each χ² compares a model with the row above it.
    """
    if len(models) < 2:
        raise ValueError("anova needs at least two models to compare")
    names = list(names) if names is not None else [m.formula for m in models]
    if len(names) != len(models):
        raise ValueError(f"{len(names)} names given for {len(models)} models")
    first = models[0]
    for m in models[1:]:
        if m.nobs != first.nobs or not np.array_equal(_outcome(m), _outcome(first)):
            raise ValueError("models were not all fitted to the same observations of the same outcome")
    ml = [m.refit(reml=False) for m in models]
    order = np.argsort([m.npar for m in ml], kind="stable")
    rows = []
    for i in order:
        m = ml[i]
        rows.append((names[i], m.npar, m.aic, m.bic, m.loglik, m.deviance))
    table = pd.DataFrame(rows, columns=["model", "npar", "aic", "bic", "loglik", "deviance"]).set_index("model")
    chisq = 2 * table["loglik"].diff()
    dof = table["npar"].diff()
    table["chisq"] = chisq
    table["df"] = dof.astype("Int64")
    pairs = zip(chisq.fillna(-1), dof.fillna(0), strict=True)
    table["p"] = [float(special.chdtrc(k, x)) if k > 0 and x >= 0 else np.nan for x, k in pairs]
    return table


def _outcome(model: MixedFit | LinearFit) -> np.ndarray:
    return model.y if isinstance(model, LinearFit) else model.design.y
