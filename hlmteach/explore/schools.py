"""Per-group views of a fit: OLS against empirical Bayes, reliabilities, random effects, and centring.

Shrinkage is easiest to see group by group.  :func:`school_estimates` gives,
for every group and level-1 coefficient β_qj, the group's own least-squares
estimate, the value its level-2 equation predicts (W_j γ̂), its empirical-Bayes
estimate (that prediction plus û_qj, pulled towards it, most for small or
noisy groups), û_qj's conditional standard deviation (for a caterpillar plot)
and the reliability λ_qj = τ_qq / (τ_qq + σ² v_qj) of the OLS estimate, whose
mean over groups is HLM 7's reliability.  :func:`school_lines` draws the OLS and
EB lines of a few groups; :func:`centring_lines` draws their EB lines on the
predictor's own scale with the point where β̂_0j is read, for a centring.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine.levels import INTERCEPT
from ..hlm.fit import Fit
from ..hlm.spec import TwoLevelModel
from ..hlm.tables import school_ols

__all__ = ["EB", "OLS", "centring_lines", "evenly_spread", "school_estimates", "school_lines"]

OLS = "OLS"  # a group's own least-squares line
EB = "EB"  # its empirical-Bayes line


def _ols(fit: Fit) -> tuple[np.ndarray, np.ndarray]:
    """Each group's own least-squares β̂_j of the level-1 model and diag((D_j'D_j)⁻¹), as HLM 7's χ² tests
    use them (:func:`hlmteach.hlm.tables.school_ols`); NaN for a group whose own regression is not estimable."""
    beta_used, vdiag_used, usable = school_ols(fit)
    shape = (fit.stats.J, fit.stats.DtD.shape[0])
    beta, vdiag = np.full(shape, np.nan), np.full(shape, np.nan)
    beta[usable], vdiag[usable] = beta_used, vdiag_used
    return beta, vdiag


def school_estimates(fit: Fit) -> pd.DataFrame:
    """One row per group and level-1 coefficient: n, OLS, expected (W_j γ̂), EB, û, its sd, and λ.

    ``coefficient`` is the coefficient's R name (``"(Intercept)"``, ``"ses_cwc"``)
    and ``q`` its place (0 for β_0j).  A coefficient without a random effect has
    û = 0, sd = 0 and λ = 0: every group's EB estimate is its expected value.
    OLS and λ are NaN for a group whose own regression cannot be estimated.
    """
    d = fit.design
    levels = d.levels
    ols, vdiag = _ols(fit)
    u, condvar = fit.ranef(condvar=True)
    eb = fit.hlm_coefficients()
    gamma = fit.coef.to_numpy()
    frames = []
    for q, name in enumerate(levels.coefficients):
        cols = levels.columns_of(name)
        expected = levels.W[:, cols] @ gamma[cols]
        if name in u.columns:
            a = list(u.columns).index(name)
            tau = float(fit.tau_matrix[a, a])
            uq, sd = u[name].to_numpy(), np.sqrt(condvar[:, a, a])
            reliability = tau / (tau + fit.sigma2 * vdiag[:, q])
        else:
            uq = sd = np.zeros(len(expected))
            reliability = np.where(np.isnan(vdiag[:, q]), np.nan, 0.0)
        frames.append(
            pd.DataFrame(
                {
                    "group": np.asarray(d.group_levels).astype(str),
                    "j": np.arange(len(expected)),
                    "q": q,
                    "coefficient": name,
                    "random": name in u.columns,
                    "n": fit.stats.nj,
                    "ols": ols[:, q],
                    "expected": expected,
                    "eb": eb[name].to_numpy(),
                    "u": uq,
                    "sd": sd,
                    "reliability": reliability,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def evenly_spread(values: pd.Series, n: int) -> list:
    """The index labels of ``n`` entries of ``values`` evenly spread from its lowest to its highest value."""
    order = values.sort_values(kind="stable").index
    picks = np.unique(np.linspace(0, len(order) - 1, min(n, len(order))).round().astype(int))
    return list(order[picks])


def school_lines(model: TwoLevelModel, fit: Fit, data: pd.DataFrame, predictor: str, sample: list[str]) -> pd.DataFrame:
    """The ``sample`` groups' data and their two lines: the group's own OLS line and its EB line.

    Rows with ``layer`` "point" are the data (``x, y``); rows with ``layer``
    "line" are segments (``x, y`` to ``x2, y2``) over the group's x range, by
    ``kind`` (:data:`OLS` or :data:`EB`).  ``order`` is the group's place in
    ``sample``.  x is the model's level-1 predictor as it enters the model, or
    the raw ``predictor`` when the model leaves it out (its lines are then flat:
    the group's mean and its shrunken mean).
    """
    d = fit.design
    x = d.levels.D[:, 1] if model.predictors else data[predictor].to_numpy(dtype=float)
    names = np.asarray(d.group_levels).astype(str)
    index = {name: j for j, name in enumerate(names)}
    chosen = np.array([index[str(name)] for name in sample])
    order = np.full(len(names), -1)
    order[chosen] = np.arange(len(chosen))
    rows = order[d.groups] >= 0
    points = pd.DataFrame({"layer": "point", "order": order[d.groups][rows], "x": x[rows], "y": d.y[rows]})
    points.insert(1, "group", np.asarray(sample, dtype=object)[points["order"]])
    low, high = np.full(len(chosen), np.inf), np.full(len(chosen), -np.inf)
    np.minimum.at(low, points["order"].to_numpy(), x[rows])
    np.maximum.at(high, points["order"].to_numpy(), x[rows])
    ols, _ = _ols(fit)
    eb = fit.hlm_coefficients().to_numpy()
    lines = []
    for kind, b in ((OLS, ols[chosen]), (EB, eb[chosen])):
        slope = b[:, 1] if b.shape[1] > 1 else np.zeros(len(chosen))
        ok = ~np.isnan(b).any(axis=1)
        lines.append(
            pd.DataFrame(
                {
                    "layer": "line",
                    "group": np.asarray(sample, dtype=object)[ok],
                    "order": np.arange(len(chosen))[ok],
                    "kind": kind,
                    "x": low[ok],
                    "y": (b[:, 0] + slope * low)[ok],
                    "x2": high[ok],
                    "y2": (b[:, 0] + slope * high)[ok],
                }
            )
        )
    return pd.concat([points, *lines], ignore_index=True)


def centring_lines(model: TwoLevelModel, fit: Fit, data: pd.DataFrame, sample: list[str]) -> pd.DataFrame:
    """The ``sample`` groups' EB lines on the predictor's own scale.

    ``model`` has one level-1 predictor, centred as it says: its intercept
    β̂_0j is the line's height at 0 (uncentred), at the grand mean, or at the
    group's own mean.  Columns: ``group``, ``order``, and the segment ``x, y``
    to ``x2, y2`` over the group's range of the raw predictor.
    """
    (p,) = model.predictors
    d = fit.design
    raw = data[p.name].to_numpy(dtype=float)
    names = np.asarray(d.group_levels).astype(str)
    index = {name: j for j, name in enumerate(names)}
    coefficients = fit.hlm_coefficients()
    b0, b1 = coefficients[INTERCEPT].to_numpy(), coefficients[p.column].to_numpy()
    grand = float(raw.mean())
    rows = []
    for order, name in enumerate(sample):
        j = index[str(name)]
        xj = raw[d.groups == j]
        centre = {"none": 0.0, "grand": grand, "group": float(xj.mean())}[p.centering]
        low, high = float(xj.min()), float(xj.max())
        rows.append(
            {
                "group": name,
                "order": order,
                "x": low,
                "y": b0[j] + b1[j] * (low - centre),
                "x2": high,
                "y2": b0[j] + b1[j] * (high - centre),
            }
        )
    return pd.DataFrame(rows)
