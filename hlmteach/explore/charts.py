"""Altair charts of the explorers, shared by the static website and live notebooks.

Every chart reads *named* data sets (``header``, ``variance``, ``plausible``,
the four tables, ``schools``, ``random_effects``), so its spec is built once
per explorer and only the data change: :func:`spec` turns a chart into a
Vega-Lite dict, :func:`with_data` puts the data sets in (made by
:func:`datasets` from the tables of :mod:`hlmteach.explore.results`).  The live
explorer fills them with the current model's rows and no filter, so a refit
redraws without rebuilding any Altair object.  The static explorer fills them
with the rows of every setting (a ``setting`` column) and builds the charts
with ``where="datum.setting == setting"``, so that parameters bound to inputs
pick the rows to draw in the reader's browser.  Every layout is driven by the
data (row counts, curves per panel), so one spec fits every setting.

Tables are drawn with text marks (a band per row, columns at fixed pixel
positions), so that they re-draw without a kernel like any other chart.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from ..hlm.quantities import Z95
from .render import OKABE_ITO, hlmteach_theme

__all__ = [
    "TABLE_LAYOUTS",
    "caterpillar_chart",
    "data_names",
    "datasets",
    "header_chart",
    "overview_chart",
    "plausible_chart",
    "school_lines_chart",
    "spec",
    "table_chart",
    "tables_chart",
    "variance_chart",
    "with_data",
]

WIDTH = 600  # the book's text column is about 680 pixels wide next to both sidebars
MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"
# z values of the plausible-value curves: a grid, plus ±z₀.₉₇₅ so the shaded 95% range ends exactly there.
Z_GRID = sorted({round(-3.5 + 0.1 * i, 2) for i in range(71)} | {-Z95, Z95})
CURVE_COLOURS = [c for c in OKABE_ITO if c != OKABE_ITO[1]]  # orange is the within-group colour
COMPONENTS = alt.Scale(domain=["between", "within"], range=[OKABE_ITO[0], OKABE_ITO[1]])


@dataclass(frozen=True)
class Column:
    """A table column: the field it prints, its header, and its pixel position (left edge or right edge)."""

    field: str
    header: str
    x: int
    align: str = "right"


TABLE_LAYOUTS: dict[str, tuple[str, tuple[Column, ...]]] = {
    "hlm_fixed": (
        "HLM 7: final estimation of fixed effects (with robust standard errors)",
        (
            Column("label", "Fixed effect", 0, "left"),
            Column("estimate_text", "Coefficient", 250),
            Column("se_text", "Standard error", 365),
            Column("t_text", "t-ratio", 430),
            Column("df_text", "Approx. df", 510),
            Column("p_text", "p-value", 590),
        ),
    ),
    "hlm_random": (
        "HLM 7: final estimation of variance components",
        (
            Column("label", "Random effect", 0, "left"),
            Column("sd_text", "Std. dev.", 190),
            Column("variance_text", "Variance component", 360),
            Column("df_text", "df", 395),
            Column("chi2_text", "χ²", 465),
            Column("p_text", "p-value", 525),
            Column("reliability_text", "Reliability", 612),
        ),
    ),
    "lme4_fixed": (
        "lme4/lmerTest: fixed effects (Satterthwaite df)",
        (
            Column("label", "Term", 0, "left"),
            Column("estimate_text", "Estimate", 260),
            Column("se_text", "Std. Error", 350),
            Column("df_text", "df", 420),
            Column("t_text", "t value", 495),
            Column("p_text", "Pr(>|t|)", 575),
        ),
    ),
    "lme4_random": (
        "lme4: random effects (REML)",
        (
            Column("group", "Groups", 0, "left"),
            Column("label", "Name", 80, "left"),
            Column("variance_text", "Variance", 300),
            Column("sd_text", "Std.Dev.", 380),
            Column("corr_text", "Corr", 440),
        ),
    ),
}
ESTIMATE_TABLES = tuple(TABLE_LAYOUTS)

# --------------------------------------------------------------------------- data


def _values(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts of Python values, NaN as None (several times faster than Altair's sanitizer)."""
    columns = {}
    for name in frame.columns:
        values = frame[name].tolist()
        columns[str(name)] = [None if isinstance(v, float) and v != v else v for v in values]
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def datasets(tables: dict[str, pd.DataFrame]) -> dict[str, list[dict[str, Any]]]:
    """The charts' named data sets from tables of :mod:`hlmteach.explore.results` (and, live, ``schools``/``random_effects``).

    Each table keeps only the fields drawn (plus ``setting`` when present), and
    gets its header row (``row`` −1) first.
    """
    out = {}
    for name, frame in tables.items():
        if name in TABLE_LAYOUTS:
            columns = TABLE_LAYOUTS[name][1]
            keep = [c for c in ("setting", "row", "bold") if c in frame.columns] + [c.field for c in columns]
            header = pd.DataFrame([{"row": -1, "bold": True, **{c.field: c.header for c in columns}}])
            frame = pd.concat([header, frame[keep]], ignore_index=True).assign(table=name)
        out[name] = _values(frame)
    return out


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """A chart as a Vega-Lite dict in the book's theme, its named data sets still to be filled."""
    out = chart.to_dict()
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


def _source(name: str, where: str | None) -> alt.Chart:
    chart = alt.Chart(alt.Data(name=name))
    return chart.transform_filter(where) if where else chart


# --------------------------------------------------------------------------- panels


def table_chart(name: str, where: str | None = None) -> alt.LayerChart:
    """One of :data:`TABLE_LAYOUTS` drawn as text: a bold header row, then a row per line of the table."""
    title, columns = TABLE_LAYOUTS[name]
    base = alt.Chart(alt.Data(name=name)).transform_filter(f"datum.row < 0 || ({where})" if where else "true")
    layers = []
    for align in ("left", "right"):
        cols = [c for c in columns if c.align == align]
        positions = "[" + ", ".join(str(c.x) for c in cols) + "]"
        keys = "[" + ", ".join(f"'{c.field}'" for c in cols) + "]"
        layers.append(
            base.transform_fold([c.field for c in cols], as_=["key", "value"])
            .transform_calculate(x=f"{positions}[indexof({keys}, datum.key)]")
            .mark_text(align=align, baseline="middle", fontWeight=alt.expr("datum.bold ? 'bold' : 'normal'"))
            .encode(x=alt.X("x:Q", scale=None), y=alt.Y("row:O", axis=None), text="value:N")
        )
    return alt.layer(*layers).properties(
        title=title,
        width=WIDTH,
        height=alt.Step(20),
        description=f"Table: {title}. Each row is one estimate of the model currently selected.",
    )


def header_chart(where: str | None = None) -> alt.LayerChart:
    """The model's lme4 formula (fixed part, then random part), its deviance, and any warning about the fit."""
    base = _source("header", where)
    formula = base.mark_text(align="left", baseline="top", font=MONO, fontSize=12, lineBreak="\n", lineHeight=16)
    deviance = base.mark_text(align="left", baseline="middle")
    notes = base.mark_text(align="left", baseline="middle", color=OKABE_ITO[3])
    return alt.layer(
        formula.encode(x=alt.value(0), y=alt.value(0), text="formula:N"),
        deviance.encode(x=alt.value(0), y=alt.value(46), text="deviance_text:N"),
        notes.encode(x=alt.value(0), y=alt.value(68), text="notes:N"),
    ).properties(
        width=WIDTH,
        height=76,
        description="The lme4 formula of the model currently selected, its deviance, and any warning about its fit.",
    )


def variance_chart(outcome: str, groups: str = "groups", where: str | None = None) -> alt.HConcatChart:
    """The ICC as a split bar, and each variance component next to the unconditional model's."""
    base = _source("variance", where)
    split = base.transform_calculate(
        start="datum.component == 'between' ? 0 : datum.icc", end="datum.component == 'between' ? datum.icc : 1"
    )
    bar = split.mark_bar().encode(
        x=alt.X("start:Q", title="Share of the variance", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        x2="end:Q",
        y=alt.value(34),
        y2=alt.value(70),
        color=alt.Color("component:N", scale=COMPONENTS, legend=None),
        tooltip=[alt.Tooltip("label:N", title="Component"), alt.Tooltip("share_text:N", title="Share")],
    )
    share = split.transform_calculate(mid="(datum.start + datum.end) / 2").transform_filter("datum.end - datum.start > 0.2")
    share = share.mark_text(color="white", fontWeight="bold").encode(x="mid:Q", y=alt.value(52), text="share_text:N")
    title = split.transform_filter("datum.component == 'between'").mark_text(align="left", fontSize=15, fontWeight="bold")
    icc = alt.layer(bar, share, title.encode(x=alt.value(0), y=alt.value(12), text="icc_text:N")).properties(
        width=230,
        height=70,
        title=alt.Title("Intraclass correlation", subtitle=[f"blue: between {groups} (τ00)", f"orange: within {groups} (σ²)"]),
        description=f"A bar split into the share of variance between {groups} (the ICC) and within {groups}.",
    )
    kept = base.encode(y=alt.Y("label:N", title=None, sort=None))
    before = kept.mark_bar(color="#d9d9d9", size=26).encode(
        x=alt.X("baseline:Q", title=f"Variance ({outcome} units²)"),
        tooltip=[alt.Tooltip("baseline:Q", title="Unconditional model", format=".3f")],
    )
    now = kept.mark_bar(size=12).encode(
        x="current:Q",
        color=alt.Color("component:N", scale=COMPONENTS, legend=None),
        tooltip=[alt.Tooltip("current:Q", title="This model", format=".3f")],
    )
    said = kept.transform_calculate(end="max(datum.baseline, datum.current)").mark_text(align="left", dx=4)
    explained = alt.layer(before, now, said.encode(x="end:Q", text="explained_text:N")).properties(
        width=140,
        height=80,
        title=alt.Title("Variance left", subtitle=["grey: the unconditional model", "colour: this model"]),
        description=f"Bars of the variance between and within {groups} in this model against the unconditional model.",
    )
    return alt.hconcat(icc, explained, spacing=30).resolve_scale(color="independent")


def plausible_chart(axis_titles: list[str], groups: str = "groups", where: str | None = None) -> alt.VConcatChart:
    """R&B's plausible-value range: each coefficient's normal distribution across groups, 95% shaded.

    One panel per level-1 coefficient, one above the other (``axis_titles``
    gives each panel's x title), one curve per level of a categorical level-2
    predictor, coloured by its ``order``; its heading and one line per curve
    above the plot.
    """
    colour = alt.Color("order:N", scale=alt.Scale(domain=list(range(len(CURVE_COLOURS))), range=CURVE_COLOURS), legend=None)
    panels = []
    for q, x_title in enumerate(axis_titles):
        base = _source("plausible", where).transform_filter(f"datum.panel == {q}")
        heading = (
            base.transform_filter("datum.order == 0")
            .transform_calculate(line="-1")
            .mark_text(align="left", baseline="middle", fontWeight="bold", fontSize=14)
        )
        labels = base.transform_calculate(line="datum.order").mark_text(align="left", baseline="middle")
        y = alt.Y("line:O", axis=None)
        legend = alt.layer(
            heading.encode(x=alt.value(0), y=y, text="title:N"), labels.encode(x=alt.value(0), y=y, text="label:N", color=colour)
        ).properties(width=WIDTH - 60, height=alt.Step(18))
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
        x = alt.X("value:Q", title=x_title, scale=alt.Scale(zero=False))
        line = curve.mark_line().encode(
            x=x, y=alt.Y("density:Q", title=f"Density across {groups}"), color=colour, detail="order:N"
        )
        shade = (
            curve.transform_filter("datum.inside")
            .mark_area(opacity=0.3)
            .encode(x=x, y="density:Q", color=colour, detail="order:N")
        )
        ends = base.transform_filter("datum.random").transform_fold(["lo", "hi"], as_=["end", "value"])
        ends = ends.mark_rule(strokeDash=[4, 3]).encode(x="value:Q", color=colour)
        fixed = base.transform_filter("!datum.random && isValid(datum.mean)").transform_calculate(value="datum.mean")
        fixed = fixed.mark_rule(strokeWidth=3).encode(x="value:Q", color=colour)
        plot = alt.layer(shade, line, ends, fixed).properties(width=WIDTH - 60, height=150)
        panels.append(alt.vconcat(legend, plot, spacing=4))
    return (
        alt.vconcat(*panels, spacing=24)
        .resolve_scale(x="independent", y="independent")
        .properties(
            description="Normal distributions of the group-specific coefficients implied by the model, "
            f"with the range holding 95% of {groups} shaded and its ends labelled.",
        )
    )


def overview_chart(outcome: str, groups: str, axis_titles: list[str], where: str | None = None) -> alt.VConcatChart:
    """Formula, ICC and variance left, and plausible values, one above the other."""
    return alt.vconcat(
        header_chart(where), variance_chart(outcome, groups, where), plausible_chart(axis_titles, groups, where), spacing=28
    ).resolve_scale(color="independent", x="independent", y="independent")


def tables_chart(where: str | None = None) -> alt.VConcatChart:
    """HLM 7's and lme4's tables, one above the other."""
    return alt.vconcat(*(table_chart(name, where) for name in ESTIMATE_TABLES), spacing=28).resolve_scale(y="independent")


def school_lines_chart(x_title: str, y_title: str, groups: str = "groups") -> alt.FacetChart:
    """A sample of groups, one small panel each: the data, the group's own OLS line and its EB line.

    Reads ``schools``: rows with ``layer`` "point" (``x, y``) or "line" (``kind, x, y``), and ``group``/``order``.
    """
    base = alt.Chart()
    dots = base.transform_filter("datum.layer == 'point'").mark_point(size=12, color="#999999", opacity=0.6)
    dots = dots.encode(x=alt.X("x:Q", title=x_title), y=alt.Y("y:Q", title=y_title))
    kinds = alt.Scale(domain=["OLS, this group alone", "Empirical Bayes"], range=[OKABE_ITO[1], OKABE_ITO[0]])
    fitted = base.transform_filter("datum.layer == 'line'").mark_line()
    colour = alt.Color("kind:N", scale=kinds, title=None, legend=alt.Legend(orient="bottom"))
    fitted = fitted.encode(x="x:Q", y="y:Q", color=colour, detail="kind:N")
    return (
        alt.layer(dots, fitted, data=alt.Data(name="schools"))
        .properties(width=130, height=100)
        .facet(facet=alt.Facet("group:N", title=None, sort=alt.EncodingSortField("order", op="min")), columns=4)
        .properties(
            title=alt.Title(
                f"{groups.capitalize()}' own OLS lines and their empirical-Bayes lines",
                subtitle=[
                    f"A sample of {groups} from the lowest to the highest mean; EB lines shrink towards the average,",
                    f"most for small {groups}. x is {x_title} as it enters the model (uncentred when it is left out).",
                ],
            ),
            description=f"Small panels for a sample of {groups}: the data as dots, each one's own least-squares "
            "line and its empirical-Bayes line, which is pulled towards the overall line, most for small groups.",
        )
    )


def caterpillar_chart(groups: str = "groups") -> alt.FacetChart:
    """Each group's random effect with its 95% interval, ranked (a caterpillar plot), one panel per effect.

    Reads ``random_effects`` (``effect, group, rank, u, lo, hi``).
    """
    base = alt.Chart()
    bars = base.mark_rule(color="#999999").encode(
        x=alt.X("rank:Q", title=f"{groups.capitalize()}, ranked by their estimate"),
        y=alt.Y("lo:Q", title="û with 95% interval"),
        y2="hi:Q",
    )
    tooltip = ["group:N", alt.Tooltip("u:Q", format=".3f", title="û")]
    dots = base.mark_point(size=14, filled=True).encode(x="rank:Q", y="u:Q", tooltip=tooltip)
    return (
        alt.layer(bars, dots, data=alt.Data(name="random_effects"))
        .properties(width=280, height=200)
        .facet(column=alt.Facet("effect:N", title=None))
        .resolve_scale(y="independent")
        .properties(
            title=f"Random effects of all {groups} (caterpillar plot)",
            description=f"Each of the {groups}' empirical-Bayes random effects, ranked, "
            "with a 95% interval from its conditional variance.",
        )
    )
