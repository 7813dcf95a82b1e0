"""Tests of linear combinations L'γ of the fixed effects, as lmerTest's ``contest``.

One row of ``L`` is one combination, e.g. the SES slope of a Catholic school,
γ10 + γ11 (``{"cses": 1, "cses:sectorCatholic": 1}``): its estimate L'γ̂,
standard error √(L' Cov(γ̂) L), Satterthwaite df (:mod:`.satterthwaite`), t,
a confidence interval and p — lmerTest's ``contest1D``.

Several rows tested together give lmerTest's ``contestMD`` F test: with the
eigen-decomposition L Cov(γ̂) L' = P diag(d) P', the rotated contrasts P'L are
independent, F = Σ_m (P'_m L γ̂)² / d_m / q on q = rank numerator df, and the
denominator df combine the rows' Satterthwaite df ν_m as
2E / (E − q), E = Σ_m ν_m / (ν_m − 2) (2 if any ν_m ≤ 2; their mean when all agree).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import special

if TYPE_CHECKING:
    from .fit import MixedFit

__all__ = ["contest", "contrast_matrix"]

Contrast = Mapping[str, float] | Sequence[Mapping[str, float]] | np.ndarray | Sequence[float] | Sequence[Sequence[float]]


def contrast_matrix(fit: MixedFit, L: Contrast) -> tuple[np.ndarray, list[str]]:
    """``L`` as an (m, p) matrix over the fit's fixed effects, with a name for each row.

    ``L`` is a mapping from fixed-effect names to weights (one row), a sequence of
    such mappings, or numbers: a vector of length p or an (m, p) array.
    """
    names = list(fit.design.xnames)
    if isinstance(L, Mapping) or (isinstance(L, Sequence) and L and all(isinstance(r, Mapping) for r in L)):
        rows = [L] if isinstance(L, Mapping) else list(L)
        matrix = np.zeros((len(rows), len(names)))
        labels = []
        for i, row in enumerate(rows):
            unknown = [k for k in row if k not in names]
            if unknown:
                raise KeyError(f"{unknown} are not fixed effects of {fit.formula!r}; choose from {names}")
            if not row:
                raise ValueError("a contrast needs at least one fixed effect with a weight")
            for term, weight in row.items():
                matrix[i, names.index(term)] = float(weight)
            labels.append(" ".join(_term(w, t, k == 0) for k, (t, w) in enumerate(row.items())))
        return matrix, labels
    try:
        matrix = np.atleast_2d(np.asarray(L, dtype=float))
    except (TypeError, ValueError):
        raise TypeError("L must be a mapping of fixed-effect names to weights, a list of them, or numbers") from None
    if matrix.ndim != 2 or matrix.shape[1] != len(names) or matrix.shape[0] == 0:
        raise ValueError(f"L must have {len(names)} columns, one per fixed effect {names}; got shape {np.shape(L)}")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("L contains missing or infinite weights")
    return matrix, [f"L{i + 1}" for i in range(matrix.shape[0])]


def _term(weight: float, term: str, first: bool) -> str:
    sign = "-" if weight < 0 else ("" if first else "+")
    size = abs(float(weight))
    text = term if size == 1 else f"{size:g}*{term}"
    return f"{sign} {text}".strip() if not first else f"{sign}{text}"


def contest(
    fit: MixedFit, L: Contrast, rhs: float | Sequence[float] = 0.0, joint: bool | None = None, level: float = 0.95
) -> pd.DataFrame:
    """Test L'γ = rhs with Satterthwaite df, as lmerTest's ``contest``.

    ``joint=False`` tests each row of ``L`` alone: estimate, SE, df, t, a
    ``level`` confidence interval (lower, upper) and p, one row per combination
    (lmerTest's ``contest1D``).  ``joint=True`` tests all rows together: one
    row with lmerTest's columns Sum Sq, Mean Sq, NumDF, DenDF, F value and
    Pr(>F) (as ``sum_sq``, ``mean_sq``, ``num_df``, ``den_df``, ``F``, ``p``;
    lmerTest's ``contestMD``).  The default, ``None``, is the t table for one
    row and the F test for several (lmerTest's own default is ``joint=TRUE``).
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    matrix, labels = contrast_matrix(fit, L)
    rhs_vec = np.broadcast_to(np.asarray(rhs, dtype=float), (matrix.shape[0],)).copy()
    if joint is None:
        joint = matrix.shape[0] > 1
    return _f_test(fit, matrix, rhs_vec) if joint else _t_table(fit, matrix, rhs_vec, labels, level)


def _t_table(fit: MixedFit, L: np.ndarray, rhs: np.ndarray, labels: list[str], level: float) -> pd.DataFrame:
    estimate = L @ fit.evaluation.beta
    se = np.sqrt(np.einsum("mi,ij,mj->m", L, fit.vcov.to_numpy(), L))
    df = fit.satterthwaite(L)
    t = (estimate - rhs) / se
    half = special.stdtrit(df, (1 + level) / 2) * se
    return pd.DataFrame(
        {"estimate": estimate, "se": se, "df": df, "t": t, "lower": estimate - half, "upper": estimate + half},
        index=pd.Index(labels, name="contrast"),
    ).assign(p=2 * special.stdtr(df, -np.abs(t)))


def _ddf(nu: np.ndarray) -> float:
    """lmerTest's ``get_Fstat_ddf``: the F test's denominator df from the rows' df."""
    if len(nu) == 1:
        return float(nu[0])
    if np.all(np.abs(np.diff(nu)) < 1e-8):
        return float(nu.mean())
    if np.any(nu <= 2):
        return 2.0
    E = float(np.sum(nu / (nu - 2)))
    return 2 * E / (E - len(nu))


def _f_test(fit: MixedFit, L: np.ndarray, rhs: np.ndarray) -> pd.DataFrame:
    beta = fit.evaluation.beta
    if np.any(rhs != 0):
        beta = beta - np.linalg.pinv(L) @ rhs
    d, P = np.linalg.eigh(L @ fit.vcov.to_numpy() @ L.T)
    d, P = d[::-1], P[:, ::-1]  # largest first, as R's eigen()
    pos = d > max(np.sqrt(np.finfo(float).eps) * d[0], 0)
    q = int(pos.sum())
    if q == 0:
        raise ValueError("the contrasts have no variance: L Cov(γ̂) L' is zero")
    PtL = P[:, :q].T @ L
    F = float(np.sum((PtL @ beta) ** 2 / d[:q]) / q)
    ddf = _ddf(fit.satterthwaite(PtL))
    mean_sq = F * fit.sigma2
    return pd.DataFrame(
        {"sum_sq": [mean_sq * q], "mean_sq": [mean_sq], "num_df": [q], "den_df": [ddf], "F": [F], "p": [special.fdtrc(q, ddf, F)]}
    )
