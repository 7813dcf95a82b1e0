"""The explorers' words: each figure's text alternative with its numbers, and the line announced after a click.

A chart is a picture; a reader who cannot see it (or wants the numbers)
reads its caption instead.  Each function here writes the caption of one
figure for one model, from the same tables the figure draws, so the words and
the picture cannot disagree.  :func:`status` is the summary the static
explorer announces (``aria-live``) after every change of the controls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..hlm.quantities import Z95
from .controls import Variables
from .results import Result, fmt

__all__ = ["caterpillar", "centring", "lines", "plausible", "shrinkage", "status", "variance"]


def _coefficient(q: int, variables: Variables) -> str:
    return "β0j (intercepts)" if q == 0 else f"β{q}j ({variables.label(variables.predictor)} slopes)"


def status(result: Result) -> str:
    """The model and its key numbers, e.g. "τ00 = 6.740 (22.4% explained), ..., ICC = 0.155"."""
    parts = []
    for r in result.variance.itertuples():
        said = "" if r.same else f" ({r.explained_text})"
        parts.append(f"{r.symbol} = {fmt(r.current, 3)}{said}")
    icc = result.variance["icc_text"].iloc[0]
    return f"Showing {result.model.formula}: {', '.join(parts)}; {icc}; deviance {fmt(result.fit.deviance, 2)}."


def variance(result: Result) -> str:
    """Each variance component against its baseline, with the baseline named."""
    parts = []
    for r in result.variance.itertuples():
        if r.same:
            parts.append(f"{r.symbol} is {fmt(r.current, 3)}; its baseline is this model ({r.explained_text})")
        else:
            parts.append(
                f"{r.symbol} went from {fmt(r.baseline, 3)} in {r.baseline_name} to {fmt(r.current, 3)}: {r.explained_text}"
            )
    return "; ".join(parts) + "."


def plausible(result: Result, panel: int) -> str:
    """The plausible-value range of one coefficient, per curve."""
    rows = result.plausible[result.plausible["panel"] == panel]
    return f"{rows['title'].iloc[0]}: " + "; ".join(rows["label"]) + "." if len(rows) else ""


def lines(result: Result, sample: pd.DataFrame, variables: Variables) -> str:
    """The sample's OLS and EB lines, summarised: ranges of intercepts and slopes, and the most shrunken group."""
    segments = sample[sample["layer"] == "line"]
    groups = variables.groups
    if segments.empty:
        return ""
    with_slope = bool(result.model.predictors)
    parts = []
    for kind in segments["kind"].unique():
        rows = segments[segments["kind"] == kind]
        x, y, x2, y2 = (rows[c].to_numpy() for c in ("x", "y", "x2", "y2"))
        width = np.where(x2 != x, x2 - x, np.nan)
        slope = np.where(np.isnan(width), 0.0, (y2 - y) / width)
        at0 = y - slope * x
        text = f"{kind} lines: intercepts from {fmt(at0.min(), 2)} to {fmt(at0.max(), 2)}"
        if with_slope and fmt(slope.min(), 2) == fmt(slope.max(), 2):
            text += f", the same slope {fmt(slope.min(), 2)} in every one"
        elif with_slope:
            text += f", slopes from {fmt(slope.min(), 2)} to {fmt(slope.max(), 2)}"
        parts.append(text)
    n = len(segments["group"].unique())
    return f"{n} {groups} from the lowest to the highest mean. " + "; ".join(parts) + "."


def shrinkage(result: Result, q: int, variables: Variables) -> str:
    """How far the OLS and EB estimates of β_qj lie from their prediction, and the reliabilities."""
    rows = result.schools[(result.schools["q"] == q) & result.schools["ols"].notna()]
    if rows.empty:
        return ""
    groups = variables.groups
    ols = rows["ols"] - rows["expected"]
    name = _coefficient(q, variables)
    if not rows["random"].iloc[0]:
        return (
            f"{name}: no random effect, so every EB estimate is its prediction (λ = 0); the {len(rows)} {groups}' own OLS "
            f"estimates lie from {fmt(ols.min(), 2)} to {fmt(ols.max(), 2)} around it."
        )
    small, large = rows.loc[rows["n"].idxmin()], rows.loc[rows["n"].idxmax()]
    return (
        f"{name}: the {len(rows)} {groups}' OLS estimates lie from {fmt(ols.min(), 2)} to {fmt(ols.max(), 2)} around their "
        f"prediction, their EB estimates from {fmt(rows['u'].min(), 2)} to {fmt(rows['u'].max(), 2)}. The reliability "
        f"λ_j is {fmt(small['reliability'], 2)} for the smallest (n = {int(small['n'])}) and "
        f"{fmt(large['reliability'], 2)} for the largest (n = {int(large['n'])}); its mean, HLM 7's reliability, is "
        f"{fmt(rows['reliability'].mean(), 3)}."
    )


def caterpillar(result: Result, q: int, variables: Variables) -> str:
    """The range of the EB random effects û_qj and how many intervals exclude zero."""
    rows = result.schools[(result.schools["q"] == q) & result.schools["random"]]
    if rows.empty:
        return ""
    lo, hi = rows["u"] - Z95 * rows["sd"], rows["u"] + Z95 * rows["sd"]
    away = int(((lo > 0) | (hi < 0)).sum())
    return (
        f"û{q}j of the {len(rows)} {variables.groups} range from {fmt(rows['u'].min(), 2)} to {fmt(rows['u'].max(), 2)}; "
        f"the 95% intervals of {away} of them exclude 0."
    )


def centring(taus: dict[str, float], grand_mean: float, variables: Variables) -> str:
    """τ00 under each centring, with where each reads the intercept."""
    x = variables.label(variables.predictor)
    return (
        f"τ00 is {fmt(taus['none'], 2)} with {x} uncentred (intercepts read at {x} = 0), {fmt(taus['grand'], 2)} "
        f"grand-mean centred (at {x} = {fmt(grand_mean, 4)}), and {fmt(taus['group'], 2)} group-mean centred "
        f"(at each of the {variables.groups}' own mean {x})."
    )
