"""Figures of the chapters: static Altair charts drawn from one fit.

:func:`school_lines_by_group` draws every group's empirical-Bayes regression
line, one panel per level of a two-valued level-2 factor (public and Catholic
schools), with that level's average line on top: the picture of a
cross-level interaction.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..engine.coding import factor_levels
from ..hlm.fit import Fit
from ..hlm.quantities import expected_coefficient
from .render import PALETTE, SECTOR_COLOURS

__all__ = ["school_lines_by_group"]


def school_lines_by_group(
    fit: Fit,
    data: pd.DataFrame,
    predictor: str,
    by: str,
    x_title: str,
    y_title: str,
    units: str = "schools",
) -> alt.FacetChart:
    """Each group's EB line (β̂_0j + β̂_1j x over its range of ``predictor``), one panel per level of ``by``.

    ``predictor`` is the level-1 column of the model's slope (e.g. ``cses``)
    and ``by`` a two-valued level-2 factor of ``data`` that predicts both the
    intercept and the slope (e.g. ``sector``); each panel's thick black line is
    that level's average line γ_00 + γ_01 W + (γ_10 + γ_11 W) x.
    """
    coefs = fit.hlm_coefficients()
    intercept, slope = fit.design.levels.coefficients[:2]
    group = fit.group
    ranges = data.groupby(group, observed=True).agg(level=(by, "first"), low=(predictor, "min"), high=(predictor, "max"))
    ranges.index = ranges.index.astype(str)
    ranges = ranges.loc[coefs.index]
    levels = list(factor_levels(data[by].dropna())[1])
    if len(levels) != 2:
        raise ValueError(f"{by!r} must have two levels to split the schools into two panels, it has {len(levels)}")
    dummy = f"{by}{levels[1]}"
    rows = []
    for end in ("low", "high"):
        x = ranges[end].to_numpy()
        rows.append(
            pd.DataFrame(
                {
                    "group": ranges.index.astype(str),
                    "level": ranges["level"].astype(str).to_numpy(),
                    "x": x,
                    "y": coefs[intercept].to_numpy() + coefs[slope].to_numpy() * x,
                    "line": "each",
                }
            )
        )
    for k, level in enumerate(levels):
        a = expected_coefficient(fit, intercept, {dummy: float(k)})
        b = expected_coefficient(fit, slope, {dummy: float(k)})
        mine = ranges[ranges["level"].astype(str) == level]
        for x in (mine["low"].min(), mine["high"].max()):
            rows.append(pd.DataFrame([{"group": f"average {level}", "level": level, "x": x, "y": a + b * x, "line": "average"}]))
    lines = pd.concat(rows, ignore_index=True)
    x = alt.X("x:Q", title=x_title)
    y = alt.Y("y:Q", title=y_title)
    colour = alt.Color("level:N", title=by, scale=alt.Scale(domain=levels, range=SECTOR_COLOURS), legend=None)
    thin = (
        alt.Chart()
        .transform_filter("datum.line == 'each'")
        .mark_line(strokeWidth=1, opacity=0.35)
        .encode(x=x, y=y, color=colour, detail="group:N", tooltip=["group:N", "level:N"])
    )
    thick = (
        alt.Chart()
        .transform_filter("datum.line == 'average'")
        .mark_line(strokeWidth=4, color=PALETTE["ink"])
        .encode(x=x, y=y, detail="group:N")
    )
    slopes = {level: expected_coefficient(fit, slope, {dummy: float(k)}) for k, level in enumerate(levels)}
    return (
        alt.layer(thin, thick, data=lines)
        .properties(width=250, height=280)
        .facet(column=alt.Column("level:N", title=None, sort=levels), title=f"{units.capitalize()}' regression lines, by {by}")
        .properties(
            description=(
                f"Two panels, {levels[0]} and {levels[1]} {units}, each with one thin line per school showing its "
                f"empirical-Bayes regression of {y_title} on {x_title}, and a thick black line for the average. "
                f"The {levels[0]} average line rises {slopes[levels[0]]:.2f} per unit, "
                f"the {levels[1]} one {slopes[levels[1]]:.2f}."
            )
        )
    )
