"""Altair charts of the explorers' overview, shared by the static website and live notebooks.

Every chart reads *named* data sets (``header``, ``variance``, ``plausible``,
and the figures' of :mod:`.lines` and :mod:`.shrinkage`), so its spec is
built once per explorer and only the data change: :func:`spec` turns a chart
into a Vega-Lite dict, :func:`with_data` puts the data sets in.  The live
explorer fills them with the current model's rows and no filter, so a refit
redraws without rebuilding any Altair object.  The static explorer fills them
with the rows of every setting (a ``setting`` column) and builds the charts
with ``where="datum.setting == setting"``, so that the reader's clicks pick
the rows to draw.  Layouts are driven by the data (row counts, curves per
panel), while axis domains are fixed by the caller: the static explorer
passes the range of every setting, so that the axes stay put as the reader
compares settings.

Each panel is at most :data:`PANEL_WIDTH` pixels wide (plus its axis), so that
two fit side by side in the book's text column and one on a 390-pixel phone.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from ..hlm.quantities import Z95
from .render import GROUP_COLOURS, PALETTE, hlmteach_theme

__all__ = [
    "PANEL_WIDTH",
    "data_names",
    "density_domains",
    "fixed_scale",
    "group_colour",
    "groups_data",
    "header_chart",
    "icc_chart",
    "overview_chart",
    "overview_data",
    "pack",
    "per_group",
    "plausible_chart",
    "records",
    "source",
    "spec",
    "variance_chart",
    "with_data",
]

PANEL_WIDTH = 260  # plot width of one panel; with its axis about 330 pixels, a phone's column is 358
MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"
# z values of the plausible-value curves: a grid, plus ±z₀.₉₇₅ so the shaded 95% range ends exactly there.
Z_GRID = sorted({round(-3.5 + 0.1 * i, 2) for i in range(71)} | {-Z95, Z95})
Z_MAX = 3.5
LEGEND_INDENT = 45  # the plausible values' heading starts left of the plot, over its axis, to fit a phone
LEVELS = alt.Scale(domain=["between", "within"], range=[PALETTE["green"], PALETTE["purple"]])

# --------------------------------------------------------------------------- data


def _plain(value: Any, digits: int | None = None) -> Any:
    if isinstance(value, (float, np.floating)):
        if value != value:
            return None
        if digits is None:
            return float(value)
        rounded = round(float(value), digits)
        return int(rounded) if digits == 0 else rounded
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts of Python values, NaN as None (several times faster than Altair's sanitizer)."""
    columns = {str(name): [_plain(v) for v in frame[name].tolist()] for name in frame.columns}
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _decimals(values: pd.Series, significant: int) -> int | None:
    """Decimals that keep ``significant`` digits of the column's largest magnitude (None for text)."""
    if not pd.api.types.is_float_dtype(values):
        return None
    top = float(np.nanmax(np.abs(values.to_numpy()))) if values.notna().any() else 0.0
    return int(max(0, significant - 1 - np.floor(np.log10(top)))) if top > 0 else 0


def pack(frame: pd.DataFrame, by: Sequence[str], fields: Sequence[str], significant: int = 3) -> list[dict[str, Any]]:
    """One row per group of ``by`` whose ``fields`` hold arrays, for a chart to flatten.

    The per-group figures draw 160 schools in each of up to 96 settings; as
    arrays rounded to ``significant`` digits of each field's largest value
    (plenty for a point on a chart), their data take a fraction of the space
    of one row per school.
    """
    digits = {f: _decimals(frame[f], significant) for f in fields}

    def arrays(rows: pd.DataFrame) -> dict[str, list]:
        return {f: [_plain(v, digits[f]) for v in rows[f].tolist()] for f in fields}

    if not by:
        return [arrays(frame)]
    out = []
    for keys, rows in frame.groupby(list(by), sort=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        out.append({**{k: _plain(v) for k, v in zip(by, keys, strict=True)}, **arrays(rows)})
    return out


ICC_FIELDS = ["level", "label", "share", "share_text", "icc", "icc_text"]
VARIANCE_FIELDS = ["component", "level", "label", "ratio", "explained_text", "values_text"]
PLAUSIBLE_FIELDS = ["title", "group", "order", "colour", "mean", "sd", "lo", "hi", "random", "label"]


def overview_data(variance: pd.DataFrame, plausible: pd.DataFrame, keys: Sequence[str] = ()) -> dict[str, list[dict[str, Any]]]:
    """The data sets of :func:`icc_chart`, :func:`variance_chart` and :func:`plausible_chart` (``plausible{panel}``),
    from :mod:`~hlmteach.explore.results` tables (with the columns ``keys`` naming their setting, if any)."""
    keys = list(keys)
    out = {
        "icc": records(variance.loc[variance["share"].notna(), keys + ICC_FIELDS]),
        "variance": records(variance[keys + VARIANCE_FIELDS]),
    }
    for panel, rows in plausible.groupby("panel"):
        out[f"plausible{panel}"] = records(rows[keys + PLAUSIBLE_FIELDS])
    return out


def groups_data(groups: pd.DataFrame) -> list[dict[str, Any]]:
    """The ``schools`` data set: each group's place ``j`` in the fits, name, size, colour group and mean predictor.

    The per-group figures look these up by ``j``: they are the same in every setting.
    ``groups`` is :attr:`~hlmteach.explore.session.Session.groups`.
    """
    frame = pd.DataFrame(
        {
            "j": np.arange(len(groups)),
            "group": groups.index,
            "n": groups["n"].to_numpy(),
            "by": groups["by"].to_numpy(),
            "mean_x": groups["mean_x"].round(4).to_numpy(),
        }
    )
    return records(frame)


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """A chart as a Vega-Lite dict in the book's theme, its named data sets still to be filled."""
    out = chart.to_dict(validate=False)  # the tests compile every spec with the book's Vega-Lite instead
    out["config"] = copy.deepcopy(hlmteach_theme()["config"])
    return out


def data_names(chart_spec: Any) -> set[str]:
    """Names of the data sets a Vega-Lite spec reads (``{"data": {"name": ...}}`` anywhere in it)."""
    if isinstance(chart_spec, list):
        return set().union(*map(data_names, chart_spec))
    if not isinstance(chart_spec, dict):
        return set()
    found = {chart_spec["data"]["name"]} if isinstance(chart_spec.get("data"), dict) and "name" in chart_spec["data"] else set()
    return found.union(*(data_names(v) for k, v in chart_spec.items() if k != "datasets"))


def with_data(chart_spec: dict[str, Any], data: dict[str, list[dict[str, Any]]], names: set[str] | None = None) -> dict[str, Any]:
    """``chart_spec`` (from :func:`spec`) with the named data sets it reads filled in (a new top-level dict).

    ``names``: :func:`data_names` of ``chart_spec``, if already known.
    """
    wanted = data_names(chart_spec) if names is None else names
    missing = wanted - set(data) - set(chart_spec.get("datasets", {}))
    if missing:
        raise KeyError(f"no data for {sorted(missing)}")
    return {**chart_spec, "datasets": {**chart_spec.get("datasets", {}), **{k: v for k, v in data.items() if k in wanted}}}


def group_colour(levels: Sequence[str]) -> alt.Color | alt.ColorValue:
    """Colour by ``by``, the group of a two-valued level-2 variable (sector), with a legend below the chart."""
    if not levels:
        return alt.value(PALETTE["ink"])
    scale = alt.Scale(domain=list(levels), range=GROUP_COLOURS[: len(levels)])
    return alt.Color("by:N", scale=scale, title=None, legend=alt.Legend(orient="bottom", direction="vertical"))


def fixed_scale(domain: Sequence[float] | None, **options: Any) -> alt.Scale:
    """A scale over ``domain`` (fixed by the caller, e.g. over every setting), or Altair's default if None."""
    return alt.Scale(domain=list(domain), nice=False, **options) if domain is not None else alt.Scale(**options)


def per_group(chart: alt.Chart, fields: Sequence[str]) -> alt.Chart:
    """``chart``'s rows (one per group, in the fits' order, after flattening) with ``fields`` of ``schools`` looked up."""
    lookup = alt.LookupData(alt.Data(name="schools"), key="j", fields=list(fields))
    return (
        chart.transform_window(j="row_number()").transform_calculate(j="datum.j - 1").transform_lookup(lookup="j", from_=lookup)
    )


def source(name: str, where: str | None) -> alt.Chart:
    """A chart of the named data set, keeping the rows ``where`` selects (all rows if None)."""
    chart = alt.Chart(alt.Data(name=name))
    return chart.transform_filter(where) if where else chart


# --------------------------------------------------------------------------- panels


def header_chart(where: str | None = None) -> alt.LayerChart:
    """The model's lme4 formula (fixed part, then random part), its deviance, and any warning (live notebooks)."""
    base = source("header", where)
    formula = base.mark_text(align="left", baseline="top", font=MONO, fontSize=12, lineBreak="\n", lineHeight=16)
    deviance = base.mark_text(align="left", baseline="middle")
    notes = base.mark_text(align="left", baseline="middle", color=PALETTE["vermillion"])
    return alt.layer(
        formula.encode(x=alt.value(0), y=alt.value(0), text="formula:N"),
        deviance.encode(x=alt.value(0), y=alt.value(46), text="deviance_text:N"),
        notes.encode(x=alt.value(0), y=alt.value(68), text="notes:N"),
    ).properties(
        width=PANEL_WIDTH,
        height=76,
        description="The lme4 formula of the model currently selected, its deviance, and any warning about its fit.",
    )


def icc_chart(groups: str = "groups", where: str | None = None) -> alt.LayerChart:
    """The ICC as a bar split into the variance between groups (τ00) and within them (σ²)."""
    base = source("icc", where)
    split = base.transform_calculate(
        start="datum.level == 'between' ? 0 : datum.icc", end="datum.level == 'between' ? datum.icc : 1"
    )
    bar = split.mark_bar().encode(
        x=alt.X("start:Q", title="Share of the variance", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        x2="end:Q",
        y=alt.value(30),
        y2=alt.value(58),
        color=alt.Color("level:N", scale=LEVELS, legend=None),
        tooltip=[alt.Tooltip("label:N", title="Component"), alt.Tooltip("share_text:N", title="Share")],
    )
    said = split.transform_calculate(
        text=f"datum.share_text + (datum.level == 'between' ? ' between {groups} (τ00)' : ' within {groups} (σ²)')",
        row="datum.level == 'between' ? 72 : 90",
    ).mark_text(align="left", baseline="middle")
    title = split.transform_filter("datum.level == 'between'").mark_text(align="left", fontSize=15, fontWeight="bold")
    swatch = split.transform_calculate(row="datum.level == 'between' ? 72 : 90").mark_square(size=110, opacity=1)
    return alt.layer(
        bar,
        swatch.encode(x=alt.value(6), y=alt.Y("row:Q", scale=None), color=alt.Color("level:N", scale=LEVELS, legend=None)),
        said.encode(x=alt.value(18), y=alt.Y("row:Q", scale=None), text="text:N"),
        title.encode(x=alt.value(0), y=alt.value(10), text="icc_text:N"),
    ).properties(
        width=PANEL_WIDTH,
        height=100,
        title=alt.Title("Intraclass correlation"),
        description=f"A bar split into the share of the variance between {groups} (the ICC) and within {groups}.",
    )


def variance_chart(groups: str = "groups", ratio_max: float = 1.0, where: str | None = None) -> alt.LayerChart:
    """Each variance component as a share of R&B's baseline for it, and the share explained.

    Reads ``variance`` (``label``, ``level``, ``ratio``, ``explained_text``,
    ``values_text``).  The grey bar is the baseline (100%), the coloured one
    the component now; ``ratio_max`` fixes the axis (1 or more).
    """
    base = source("variance", where)
    y = alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelFontWeight="bold", labelPadding=6, labelLimit=120))
    scale = alt.Scale(domain=[0, max(1.0, ratio_max)])
    x = alt.X("ratio:Q", title="Share of the baseline's variance", scale=scale, axis=alt.Axis(format="%", tickCount=4))
    baseline = base.transform_calculate(one="1").mark_bar(
        color=PALETTE["light"], stroke=PALETTE["grey"], strokeWidth=1, size=16, yOffset=-9
    )
    baseline = baseline.encode(x=alt.X("one:Q", scale=scale), y=y)
    now = base.mark_bar(size=8, yOffset=-9).encode(
        x=x,
        y=y,
        color=alt.Color("level:N", scale=LEVELS, legend=None),
        tooltip=[alt.Tooltip("values_text:N", title="Baseline → now")],
    )
    said = base.mark_text(align="left", baseline="middle", dy=8).encode(x=alt.value(0), y=y, text="explained_text:N")
    values = base.mark_text(align="left", baseline="middle", dy=22, fontSize=12, color="#444444")
    values = values.encode(x=alt.value(0), y=y, text="values_text:N")
    return alt.layer(baseline, now, said, values).properties(
        width=PANEL_WIDTH - 70,
        height=alt.Step(56),
        title=alt.Title(
            "Variance explained",
            subtitle=[
                "Grey: R&B's baseline, 100%. For τ: the same",
                "level-1 model without level-2 predictors;",
                "for σ²: the unconditional model.",
            ],
        ),
        description=f"Bars of each variance component of this model as a share of R&B's baseline for it, with the share "
        f"explained: for the variances between {groups} the same level-1 model without level-2 predictors, for the "
        "variance within them the unconditional model.",
    )


def plausible_chart(
    panel: int,
    axis_title: str,
    groups: str = "groups",
    x_domain: Sequence[float] | None = None,
    y_max: float | None = None,
    where: str | None = None,
) -> alt.VConcatChart:
    """R&B's plausible-value range of one level-1 coefficient: its normal distribution across groups, 95% shaded.

    ``panel`` 0 is the intercept, 1 the slope; one curve per group of a
    two-valued level-2 predictor, drawn in its ``colour``; its heading and one
    line per curve above the plot.  ``x_domain`` and ``y_max`` fix the axes.
    """
    colour = alt.Color("colour:N", scale=None)
    base = source(f"plausible{panel}", where)
    heading = (
        base.transform_filter("datum.order == 0")
        .transform_calculate(line="-1")
        .mark_text(align="left", baseline="middle", fontWeight="bold", fontSize=14, limit=PANEL_WIDTH + LEGEND_INDENT)
    )
    labels = base.transform_calculate(line="datum.order").mark_text(
        align="left", baseline="middle", limit=PANEL_WIDTH + LEGEND_INDENT
    )
    y = alt.Y("line:O", axis=None)
    legend = alt.layer(
        heading.encode(x=alt.value(-LEGEND_INDENT), y=y, text="title:N"),
        labels.encode(x=alt.value(-LEGEND_INDENT), y=y, text="label:N", color=colour),
    ).properties(width=PANEL_WIDTH, height=alt.Step(18))
    curve = (
        base.transform_filter("datum.random")
        .transform_calculate(z=str(Z_GRID))
        .transform_flatten(["z"])
        .transform_calculate(
            value="datum.mean + datum.z * datum.sd",
            density="exp(-datum.z * datum.z / 2) / (datum.sd * sqrt(2 * PI))",
            inside=f"abs(datum.z) <= {Z95}",
        )
    )
    x = alt.X("value:Q", title=axis_title, scale=fixed_scale(x_domain, zero=False))
    density = alt.Y("density:Q", title=f"Density across {groups}", scale=fixed_scale([0, y_max] if y_max else None))
    line = curve.mark_line().encode(x=x, y=density, color=colour, detail="order:N")
    shade = curve.transform_filter("datum.inside").mark_area(opacity=0.25)  # one area per curve, not stacked
    shade = shade.encode(x=x, y=alt.Y("density:Q", stack=None), color=colour, detail="order:N")
    ends = base.transform_filter("datum.random").transform_fold(["lo", "hi"], as_=["end", "value"])
    ends = ends.mark_rule(strokeDash=[4, 3]).encode(x="value:Q", color=colour)
    fixed = base.transform_filter("!datum.random").transform_calculate(value="datum.mean")
    fixed = fixed.mark_rule(strokeWidth=3).encode(x="value:Q", color=colour)
    plot = alt.layer(shade, line, ends, fixed).properties(width=PANEL_WIDTH, height=140)
    return alt.vconcat(legend, plot, spacing=4).properties(
        description="The normal distribution of the group-specific coefficient implied by the model, "
        f"with the range holding 95% of {groups} shaded and its ends labelled.",
    )


def density_domains(plausible: pd.DataFrame) -> dict[int, tuple[list[float], float]]:
    """Per panel, the x range and the highest density of every curve in ``plausible`` (rows of every setting).

    A curve runs over mean ± 3.5 sd; a coefficient without a random effect is a
    rule at its mean.  Padded by 2% so no curve ends on the frame.
    """
    out = {}
    for panel, rows in plausible.groupby("panel"):
        spread = Z_MAX * rows["sd"].where(rows["random"], 0.0)
        low, high = float((rows["mean"] - spread).min()), float((rows["mean"] + spread).max())
        pad = 0.02 * (high - low or 1.0)
        sd = rows.loc[rows["random"] & (rows["sd"] > 0), "sd"]
        peak = float(1 / (sd.min() * np.sqrt(2 * np.pi))) if len(sd) else 1.0
        out[int(panel)] = ([low - pad, high + pad], 1.05 * peak)
    return out


def overview_chart(groups: str, axis_titles: list[str], where: str | None = None) -> alt.VConcatChart:
    """Formula, ICC, variance explained, and a plausible-value panel per title, one above the other (live notebooks)."""
    return alt.vconcat(
        header_chart(where),
        icc_chart(groups, where),
        variance_chart(groups, where=where),
        *(plausible_chart(q, title, groups, where=where) for q, title in enumerate(axis_titles)),
        spacing=28,
    ).resolve_scale(color="independent", x="independent", y="independent")
