"""Likelihood-ratio comparisons: lmerTest's ``ranova`` and R's ``anova`` on models.

``ranova`` reduces one random term at a time by lmerTest's rule and refits
with the same criterion (REML for REML fits): a term with only an intercept,
``(1 | g)``, is deleted; otherwise each of its terms that no other term
contains is deleted in turn, and a term with a single effect and no
intercept, ``(0 + x | g)``, becomes ``(1 | g)`` (a row with Df 0).  Reducing
a term only selects rows and columns of the group statistics (plus, when no
random effect is an intercept, one sum per group), so the data are never
read again.
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


def _with_intercept(fit: MixedFit) -> tuple[GroupStats, int]:
    """The group statistics with a column of ones after Z's columns (unless Z has one), and its position."""
    d, st = fit.design, fit.stats
    for block in d.random:
        for col, label in zip(block.columns, block.labels, strict=True):
            if label == INTERCEPT:
                return st, col
    W = np.column_stack([d.X, d.y])
    zsum = np.stack([np.bincount(d.groups, weights=c, minlength=d.J) for c in d.Z.T])  # (q, J)
    wsum = np.stack([np.bincount(d.groups, weights=c, minlength=d.J) for c in W.T])  # (p+1, J)
    q = st.q
    ZtZ = np.empty((q + 1, q + 1, d.J))
    ZtZ[:q, :q], ZtZ[q, :q], ZtZ[:q, q], ZtZ[q, q] = st.ZtZ, zsum, zsum, st.nj
    ZtW = np.concatenate([st.ZtW, wsum[None]], axis=0)
    return replace(st, q=q + 1, ZtZ=ZtZ, ZtW=ZtW), q


def _reduced_blocks(fit: MixedFit, intercept: int) -> list[tuple[str, list[tuple[int, ...]]]]:
    """lmerTest's reductions: (row name, the random blocks' columns that remain) for each row of ranova."""
    blocks = [b.columns for b in fit.design.random]
    out = []
    for k, block in enumerate(fit.design.random):
        term = block.term
        others = blocks[:k] + blocks[k + 1 :]
        scope = [t for t in term.terms if not any(t < u for u in term.terms)]  # R's drop.scope
        if not scope:
            out.append((term.text, others))
            continue
        for t in scope:
            label = term.term_label(t)
            if len(term.terms) == 1:  # (0 + x | g) and (1 + x | g) both become (1 | g)
                kept = (intercept,)
            else:
                kept = tuple(c for c, lab in zip(block.columns, block.labels, strict=True) if lab != label)
            out.append((f"{label} in {term.text}", [*blocks[:k], kept, *blocks[k + 1 :]]))
    return out


def _refit_reduced(fit: MixedFit, stats: GroupStats, blocks: list[tuple[int, ...]]) -> tuple[int, float]:
    """npar and log-likelihood of the model with random blocks ``blocks`` (columns of ``stats``).

    A term that is already in the model is merged with it, as R's ``update`` of the formula
    merges ``(1 | g) + (1 | g)``.  A block whose columns all lie in a larger block adds nothing to
    the likelihood (the larger block's covariance absorbs it): it is counted in npar, as lmerTest
    counts it, but not fitted.
    """
    blocks = list(dict.fromkeys(tuple(sorted(b)) for b in blocks))
    npar = fit.stats.p + 1 + sum(len(b) * (len(b) + 1) // 2 for b in blocks)
    fitted = [b for b in blocks if not any(set(b) < set(o) for o in blocks)]
    if not fitted:
        return npar, -fixed_only_deviance(fit.stats.WtW_total, fit.nobs, fit.reml) / 2
    idx = np.array([c for b in fitted for c in b])
    reduced = replace(stats, q=len(idx), ZtZ=stats.ZtZ[np.ix_(idx, idx)], ZtW=stats.ZtW[idx], blocks=tuple(map(len, fitted)))
    criterion = ProfiledDeviance(reduced, fit.reml)
    start = None
    if np.all(idx < fit.stats.q):  # warm start from the kept blocks of T/σ²
        lam = np.zeros((len(idx), len(idx)))
        T = fit.tau_matrix[np.ix_(idx, idx)] / fit.sigma2
        at = 0
        for b in fitted:
            w, V = np.linalg.eigh(T[at : at + len(b), at : at + len(b)])
            lam[at : at + len(b), at : at + len(b)] = np.linalg.cholesky((V * np.maximum(w, 1e-6)) @ V.T)
            at += len(b)
        start = lam[criterion.tril]
    return npar, -optimize(criterion, start).deviance / 2


def ranova(fit: MixedFit) -> pd.DataFrame:
    """Likelihood-ratio tests reducing each random term, laid out as lmerTest's ``ranova``."""
    stats, intercept = _with_intercept(fit)
    rows = [("<none>", fit.npar, fit.loglik)]
    for name, blocks in _reduced_blocks(fit, intercept):
        rows.append((name, *_refit_reduced(fit, stats, [b for b in blocks if b])))
    table = pd.DataFrame(rows, columns=["term", "npar", "loglik"]).set_index("term")
    table["aic"] = -2 * table["loglik"] + 2 * table["npar"]
    lrt = 2 * (table["loglik"].iloc[0] - table["loglik"])
    dof = table["npar"].iloc[0] - table["npar"]
    first = np.arange(len(table)) == 0
    table["lrt"] = lrt.mask(first)
    table["df"] = dof.mask(first).astype("Int64")
    table["p"] = [
        np.nan if f or k <= 0 else float(special.chdtrc(k, max(x, 0.0))) for f, x, k in zip(first, lrt, dof, strict=True)
    ]
    return table


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
