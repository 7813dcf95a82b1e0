"""The explorers' pictures of school lines: OLS against empirical Bayes, and what centring does to β0j.

:func:`school_lines_chart` draws a sample of groups in small panels, each with
its data, its own least-squares line (dashed) and its empirical-Bayes line
(solid), coloured by a two-valued level-2 variable (sector): the picture of
shrinkage.  :func:`centring_chart` draws the same groups' EB lines on the
predictor's own scale three times, with the intercept read at 0 (uncentred),
at the grand mean and at each group's own mean, so that the spread of the
dots is τ00 under each centring.  Both read packed data sets
(:func:`~.charts.pack`) made by :func:`lines_data` and :func:`centring_data`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from ..engine.levels import INTERCEPT
from ..hlm.quantities import Z95
from .charts import PANEL_WIDTH, fixed_scale, group_colour, pack, per_group, source
from .render import PALETTE
from .results import Result
from .schools import EB, OLS, centring_lines

__all__ = ["CENTRINGS", "CENTRING_CHAPTERS", "centring_chart", "centring_data", "lines_data", "school_lines_chart"]

LINE_FIELDS = ["order", "kind", "by", "x", "y", "x2", "y2"]
POINT_FIELDS = ["order", "x", "y"]
CENTRING_FIELDS = ["order", "by", "x", "y", "x2", "y2"]
#: The centring figure's panels: the level-1 control's value and where β0j is read.
CENTRINGS = (
    ("none", ("uncentred:", "at {x} = 0")),
    ("grand", ("grand-mean:", "at its mean")),
    ("group", ("group-mean:", "at each mean")),
)
#: The chapters whose explorers draw the centring figure: its dots spread by τ00 only when no level-2 predictor
#: explains the intercepts, as in the random-coefficient model.
CENTRING_CHAPTERS = ("random_coefficient",)
COLUMNS = 3  # small panels per row: three fit a phone
KIND_LEGEND = alt.Legend(
    orient="bottom",
    direction="vertical",
    symbolType="stroke",
    labelExpr=f"datum.label == '{OLS}' ? 'OLS, the school alone' : 'Empirical Bayes'",
)


def lines_data(
    lines: pd.DataFrame, by: pd.Series, line_keys: Sequence[str] = (), point_keys: Sequence[str] = ()
) -> dict[str, list[dict]]:
    """Packed data sets ``lines`` and ``lines_points`` from :func:`~.schools.school_lines` rows.

    ``by`` maps each group to its colour group; ``line_keys``/``point_keys``
    are the columns that say which setting a row belongs to (none in a live
    notebook; the static explorer keys lines by ``setting`` and the data
    points, which move only with the centring, by ``level1``).
    """
    frame = lines.assign(by=lines["group"].astype(str).map(by).fillna(""))
    segments, points = frame[frame["layer"] == "line"], frame[frame["layer"] == "point"]
    return {"lines": pack(segments, line_keys, LINE_FIELDS), "lines_points": pack(points, point_keys, POINT_FIELDS)}


def school_lines_chart(
    labels: Sequence[str],
    x_title: str,
    y_title: str,
    levels: Sequence[str] = (),
    domains: tuple[Sequence[float], Sequence[float]] | None = None,
    where: str | None = None,
    where_points: str | None = None,
) -> alt.ConcatChart:
    """One small panel per sample group (titled by ``labels``): its data, its OLS and its EB line.

    ``levels``: the colour groups (e.g. ``["Public", "Catholic"]``); ``domains``
    the (x, y) axis ranges, fixed over settings; ``where``/``where_points``
    select the lines' and the points' rows of the current setting.
    """
    x_domain, y_domain = domains if domains else (None, None)
    width = (PANEL_WIDTH - 10 * (COLUMNS - 1)) // COLUMNS
    panels = []
    for i, label in enumerate(labels):
        left, bottom = i % COLUMNS == 0, i >= len(labels) - COLUMNS
        x = alt.X(
            "x:Q",
            title=x_title if bottom and i % COLUMNS == 1 else None,
            scale=fixed_scale(x_domain),
            axis=alt.Axis(labels=bottom, ticks=bottom, tickCount=3, grid=False),
        )
        y = alt.Y(
            "y:Q",
            title=y_title if left and i // COLUMNS == 1 else None,
            scale=fixed_scale(y_domain),
            axis=alt.Axis(labels=left, ticks=left, tickCount=3, grid=False),
        )
        dots = (
            source("lines_points", where_points)
            .transform_flatten(POINT_FIELDS)
            .transform_filter(f"datum.order == {i}")
            .mark_circle(size=9, color=PALETTE["grey"], opacity=0.55)
            .encode(x=x, y=y)
        )
        kinds = alt.Scale(domain=[OLS, EB], range=[[4, 3], [1, 0]])
        segments = (
            source("lines", where)
            .transform_flatten(LINE_FIELDS)
            .transform_filter(f"datum.order == {i}")
            .mark_rule(strokeWidth=2)
            .encode(
                x="x:Q",
                y="y:Q",
                x2="x2:Q",
                y2="y2:Q",
                color=group_colour(levels),
                strokeDash=alt.StrokeDash("kind:N", scale=kinds, title=None, legend=KIND_LEGEND),
            )
        )
        # Titled over the plot itself ("group"), not over its bounds, which the axis title widens in the bottom row.
        title = alt.Title(label, fontSize=10, offset=2, anchor="start", frame="group", limit=width + 10)
        panels.append(alt.layer(dots, segments).properties(width=width, height=70, title=title))
    return alt.concat(*panels, columns=COLUMNS, spacing={"row": 24, "column": 12}, bounds="flush").properties(
        description="Small panels for a sample of schools: the data as grey dots, each school's own least-squares line "
        "(dashed) and its empirical-Bayes line (solid), which is pulled towards the average line, most for small schools.",
    )


def centring_data(results: Mapping[str, Result], data: pd.DataFrame, sample: Sequence[str], by: pd.Series) -> list[dict]:
    """The ``centring`` data set: for each centring of ``results`` (by the level-1 control's value), one row.

    Each row holds the fit's τ00 and γ00, ``at`` (where β0j is read for every
    group alike: 0 uncentred, the grand mean grand-mean centred; None when each
    group's own mean), every group's β̂0j (``b0``, in the fits' order), and the
    EB lines of the ``sample`` groups on the predictor's own scale.
    """
    rows = []
    for centring, result in results.items():
        lines = centring_lines(result.model, result.fit, data, sample)
        lines = lines.assign(by=lines["group"].astype(str).map(by).fillna(""))
        (packed,) = pack(lines, [], CENTRING_FIELDS)
        at = {"none": 0.0, "grand": float(data[result.model.predictors[0].name].mean())}.get(centring)
        (b0,) = pack(result.fit.hlm_coefficients()[[INTERCEPT]].rename(columns={INTERCEPT: "b0"}), [], ["b0"])
        rows.append(
            {
                "centring": centring,
                "tau00": float(result.fit.tau_matrix[0, 0]),
                "gamma00": float(result.fit.coef.iloc[0]),
                "at": at,
                **b0,
                **packed,
            }
        )
    return rows


def centring_chart(
    predictor: str,
    y_title: str,
    levels: Sequence[str] = (),
    domains: tuple[Sequence[float], Sequence[float]] | None = None,
    where: str | None = None,
) -> alt.ConcatChart:
    """The sample's EB lines three times, with every group's β0j read at 0, at the grand mean, or at its own mean.

    Reads ``centring`` (:func:`centring_data`) and ``schools``.  Each panel's
    dots are every group's intercept where that centring reads it; the bracket
    on the right is γ00 ± 1.96 √τ00, the middle 95% of them.
    """
    x_domain, y_domain = domains if domains else (None, None)
    width = (PANEL_WIDTH - 10 * (COLUMNS - 1)) // COLUMNS
    right = x_domain[1] if x_domain else 0
    panels = []
    for i, (centring, read) in enumerate(CENTRINGS):
        base = source("centring", where).transform_filter(f"datum.centring == '{centring}'")
        x = alt.X(
            "x:Q",
            title=predictor if i == 1 else None,
            scale=fixed_scale(x_domain),
            axis=alt.Axis(tickCount=3, grid=False),
        )
        y = alt.Y(
            "y:Q",
            title=y_title if i == 0 else None,
            scale=fixed_scale(y_domain),
            axis=alt.Axis(labels=i == 0, ticks=i == 0, grid=False),
        )
        colour = group_colour(levels)
        lines = base.transform_flatten(CENTRING_FIELDS).mark_rule(strokeWidth=1.2, opacity=0.55)
        lines = lines.encode(x=x, y=y, x2="x2:Q", y2="y2:Q", color=colour)
        dots = per_group(base.transform_flatten(["b0"]), ["by", "mean_x"]).transform_calculate(
            xi="isValid(datum.at) ? datum.at : datum.mean_x"
        )
        dots = dots.mark_circle(size=12, opacity=0.8).encode(x="xi:Q", y="b0:Q", color=colour)
        band = base.transform_calculate(
            lo=f"datum.gamma00 - {Z95} * sqrt(datum.tau00)", hi=f"datum.gamma00 + {Z95} * sqrt(datum.tau00)", edge=str(right)
        )
        bracket = band.mark_rule(strokeWidth=3, color=PALETTE["ink"]).encode(x="edge:Q", y="lo:Q", y2="hi:Q")
        tau = base.transform_calculate(text="'τ00 = ' + format(datum.tau00, '.2f')").mark_text(
            align="right", baseline="bottom", fontWeight="bold", fontSize=12, dx=-6
        )
        layers = [lines, dots, bracket, tau.encode(x=alt.value(width), y=alt.value(150 - 2), text="text:N")]
        if centring != "group":  # one vertical line where every intercept is read
            at = base.mark_rule(color=PALETTE["grey"], strokeDash=[2, 2]).encode(x="at:Q")
            layers.insert(0, at)
        title = alt.Title([line.format(x=predictor) for line in read], fontSize=11, offset=2)
        panels.append(alt.layer(*layers).properties(width=width, height=150, title=title))
    return alt.concat(*panels, columns=COLUMNS, spacing=12, bounds="flush").properties(
        description="Three panels of the same schools' empirical-Bayes lines on the raw predictor's scale, with a dot for "
        "every school's intercept where it is read: at 0 (uncentred), at the grand mean, and at the school's own mean; "
        "a bracket on the right of each marks the middle 95% of intercepts.",
    )
