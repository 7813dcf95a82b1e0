"""Per-group views of a fit for the live explorer: OLS against empirical-Bayes lines, and random effects.

Shrinkage is easiest to see group by group: :func:`school_lines` gives, for a
sample of groups, the data and two lines, the group's own least-squares line
and its empirical-Bayes line (pulled towards the average, most for small or
noisy groups); :func:`random_effects` gives every group's û_qj with a 95%
interval from its conditional variance, for a caterpillar plot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..hlm.fit import Fit
from ..hlm.quantities import Z95
from ..hlm.spec import TwoLevelModel
from ..hlm.tables import equation_labels

__all__ = ["random_effects", "school_lines"]


def school_lines(model: TwoLevelModel, fit: Fit, data: pd.DataFrame, predictor: str, n: int = 12) -> pd.DataFrame:
    """A sample of ``n`` groups spread over the outcome's range: their rows, and OLS and EB lines.

    Rows with ``layer`` "point" are the data (``x, y``); rows with ``layer``
    "line" the two ends of each group's lines over its x range, by ``kind``:
    "OLS, this group alone" (the group's own regression on the model's level-1
    predictors) or "Empirical Bayes" (β̂_j, the γ̂ part plus û_j).  ``order``
    ranks the groups by their mean outcome.  x is the model's level-1
    predictor, or the raw ``predictor`` when the model leaves it out (its lines
    are then flat).
    """
    d = fit.design
    x = d.levels.D[:, 1] if model.predictors else data[predictor].to_numpy(dtype=float)
    y, groups = d.y, d.groups
    means = np.bincount(groups, y) / np.bincount(groups)
    order = np.argsort(means, kind="stable")
    chosen = order[np.unique(np.linspace(0, len(order) - 1, min(n, len(order))).round().astype(int))]
    eb = fit.hlm_coefficients().to_numpy()
    slope = len(d.levels.coefficients) > 1
    columns: dict[str, list] = {"layer": [], "group": [], "order": [], "kind": [], "x": [], "y": []}

    def add(layer: str, group: str, rank: int, kind: str, xs: np.ndarray, ys: np.ndarray) -> None:
        for key, value in (("layer", layer), ("group", group), ("order", rank), ("kind", kind)):
            columns[key].extend([value] * len(xs))
        columns["x"].extend(xs.tolist())
        columns["y"].extend(ys.tolist())

    for rank, j in enumerate(chosen):
        rows = groups == j
        xj, yj, Dj = x[rows], y[rows], d.levels.D[rows]
        name = d.group_levels[j]
        add("point", name, rank, "", xj, yj)
        ends = np.array([xj.min(), xj.max()])
        lines = [("Empirical Bayes", eb[j])]
        if len(yj) > Dj.shape[1] and np.linalg.matrix_rank(Dj) == Dj.shape[1]:
            lines.insert(0, ("OLS, this group alone", np.linalg.lstsq(Dj, yj, rcond=None)[0]))
        for kind, b in lines:
            add("line", name, rank, kind, ends, b[0] + (b[1] * ends if slope else 0.0 * ends))
    return pd.DataFrame(columns)


def random_effects(fit: Fit) -> pd.DataFrame:
    """Each group's û_qj with its 95% interval from the conditional variance, ranked within each effect."""
    u, cv = fit.ranef(condvar=True)
    labels = equation_labels(fit)
    frames = []
    for a, name in enumerate(u.columns):
        sd = np.sqrt(cv[:, a, a])
        values = u[name].to_numpy()
        rank = np.argsort(np.argsort(values, kind="stable"), kind="stable")
        frames.append(
            pd.DataFrame(
                {
                    "effect": f"{labels[name]}: u{fit.design.levels.index(name)}j",
                    "group": u.index.astype(str),
                    "rank": rank + 1,
                    "u": values,
                    "lo": values - Z95 * sd,
                    "hi": values + Z95 * sd,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
