"""Charts of HLM 7's iterations: where its EM path goes, where it stops, and what converging would change.

:func:`hlm7_path_chart` draws one model's path from :func:`hlmteach.hlm7`
(iterated on past HLM 7's stop): the deviance above the REML optimum, on a
log scale, and each variance τ_qq against the iteration, with HLM 7's stop and
the optimum lme4 and hlmteach reach marked.  :func:`hlm7_stop_chart` is the
kernel-free control: two radio buttons choose a model and "HLM 7's stop" or
"converged", and a table of every figure HLM 7 printed shows that figure at
HLM 7's stop or at the REML optimum, with the change.
"""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import pandas as pd

from ..hlm.fit import Fit
from ..hlm.hlm7 import DECIMALS, HLM7Fit, compare_printout
from .charts import spec
from .render import PALETTE, in_book_build, live_chart

__all__ = ["STATES", "ChartStack", "hlm7_path_chart", "hlm7_stop_chart", "stop_table"]

PATH, STOP, OPTIMUM, GREY = PALETTE["blue"], PALETTE["vermillion"], PALETTE["ink"], PALETTE["grey"]
STATES = {"stop": "HLM 7's stop", "converged": "converged"}
AXIS = 44  # pixels for the y axis' labels, so that the panels of a path chart line up


FLOOR = 1e-9  # deviance gaps below this are the optimum's own numerical accuracy


def _path_data(continued: HLM7Fit, stop: int, optimum: Fit) -> pd.DataFrame:
    """Long rows (iteration, quantity, value, segment): the deviance gap and each τ_qq, iteration 0 the start.

    The stop iteration belongs to both segments, so that the two lines meet."""
    rows = []
    for k, row in continued.iterations.iterrows():
        segments = ["HLM 7"] * (k <= stop) + ["iterating on"] * (k >= stop)
        gap = row["deviance"] - optimum.reml_criterion
        for segment in segments:
            if k > 0 and gap > FLOOR:  # the deviance of the start is iteration 1's
                rows.append({"iteration": k, "quantity": "deviance", "value": gap, "segment": segment})
            for name in continued.design.znames:
                rows.append({"iteration": k, "quantity": name, "value": row[f"tau[{name}]"], "segment": segment})
    return pd.DataFrame(rows)


# vega-embed makes its element an inline-block, which has no width of its own for a chart as wide as its container.
STACK_CSS = ".hlmteach-stack .vega-embed { display: block; width: 100%; }"


class ChartStack:
    """Charts shown one below the other, each as wide as the page or cell (``width="container"``).

    In the book each is drawn by the book renderer into one HTML block; in a live
    notebook each is an offline ``JupyterChart`` widget, stacked in an ipywidgets box.
    """

    def __init__(self, charts: list[alt.TopLevelMixin]) -> None:
        self.charts = charts

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        if not in_book_build():
            return widgets.VBox([live_chart(spec(chart)) for chart in self.charts])._repr_mimebundle_()
        html = []
        for chart in self.charts:
            bundle = chart._repr_mimebundle_(include, exclude)
            data = bundle[0] if isinstance(bundle, tuple) else bundle
            html.append(data["text/html"])
        body = "\n".join(html)
        return {
            "text/html": f'<style>{STACK_CSS}</style><div class="hlmteach-stack">{body}</div>',
            "text/plain": f"<{len(self.charts)} charts>",
        }


def hlm7_path_chart(continued: HLM7Fit, stop: int, optimum: Fit) -> ChartStack:
    """One model's EM path: deviance above the optimum, then each τ_qq, against the iteration (one chart each).

    ``continued`` is :func:`hlmteach.hlm7` iterated on past HLM 7's stop (the
    same path, e.g. with ``HLM7Settings(stopval=0, max_iterations=...)``),
    ``stop`` the iteration at which HLM 7 stops, ``optimum`` the REML fit that
    lme4 and hlmteach reach.  Each chart is as wide as the page's text column.
    """
    data = _path_data(continued, stop, optimum)
    x = alt.X(
        "iteration:Q",
        title="iteration",
        scale=alt.Scale(domain=[0, int(data["iteration"].max())], nice=False),
        axis=alt.Axis(tickMinStep=1, format="d", tickCount=alt.ExprRef("ceil(width / 60)"), labelOverlap=True),
    )
    charts = [
        _deviance_panel(data, x, stop).properties(
            description=(
                f"The deviance of HLM 7's EM iterations above the REML optimum, on a log scale; HLM 7 stops at iteration "
                f"{stop}, the grey line goes on towards the optimum lme4 and hlmteach reach."
            )
        )
    ]
    for q, name in enumerate(continued.design.znames):
        opt = float(optimum.tau.loc[name, name])
        charts.append(
            _tau_panel(data, x, name, q, stop, opt).properties(
                description=f"τ{q}{q} at each of HLM 7's iterations, its stop at iteration {stop}, the REML optimum {opt:.5f}."
            )
        )
    return ChartStack(charts)


def _colour(legend: bool) -> alt.Color:
    scale = alt.Scale(domain=["HLM 7", "iterating on"], range=[PATH, GREY])
    return alt.Color("segment:N", scale=scale, legend=alt.Legend(title=None, orient="bottom-left") if legend else None)


def _deviance_panel(data: pd.DataFrame, x: alt.X, stop: int) -> alt.LayerChart:
    base = alt.Chart(data).transform_filter("datum.quantity == 'deviance'")
    decade = "abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-6"
    text = "datum.value >= 0.001 ? format(datum.value, '~g') : replace(format(datum.value, '.0e'), '-', '−')"
    labels = f"{decade} ? ({text}) : ''"  # label the powers of ten only
    axis = alt.Axis(labelExpr=labels, minExtent=AXIS)
    y = alt.Y("value:Q", title="−2 log L − optimum", scale=alt.Scale(type="log"), axis=axis)
    line = _line(base, x, y, points=int((data["quantity"] == "deviance").sum()) <= 80, legend=True)
    tooltip = [alt.Tooltip("iteration:Q"), alt.Tooltip("value:Q", title="deviance − optimum", format=".2e")]
    at_stop = base.transform_filter(f"datum.iteration == {stop}")
    mark = at_stop.mark_point(size=140, shape="diamond", filled=True, color=STOP, opacity=1).encode(x=x, y=y, tooltip=tooltip)
    label = at_stop.mark_text(align="left", dx=10, dy=-14, color=STOP, fontWeight="bold", lineBreak="\n").encode(
        x=x, y=y, text=alt.value(f"HLM 7 stops\n(iteration {stop})")
    )
    title = "Deviance above the optimum"
    return alt.layer(line, mark, label).properties(width="container", height=180, title=title)


def _line(base: alt.Chart, x: alt.X, y: alt.Y, points: bool, legend: bool = False) -> alt.Chart:
    mark = base.mark_line(point=alt.OverlayMarkDef(size=18, filled=True) if points else False, clip=True)
    return mark.encode(x=x, y=y, color=_colour(legend), detail="segment:N")


def _tau_panel(data: pd.DataFrame, x: alt.X, name: str, q: int, stop: int, optimum: float) -> alt.LayerChart:
    """τ_qq against the iteration; the y axis covers the approach to the optimum (an early transient may leave it)."""
    rows = data[data["quantity"] == name]
    late = rows[rows["iteration"] >= max(2, stop // 4)]["value"]
    if rows["value"].max() - rows["value"].min() < 4 * (late.max() - late.min()):
        late = rows["value"]  # no early transient to leave off the scale
    low, high = min(late.min(), optimum), max(late.max(), optimum)
    pad = 0.08 * (high - low) or 0.01 * abs(optimum)
    from_below = float(rows.loc[rows["iteration"] == stop, "value"].iloc[0]) < optimum
    low, high = (low - pad, high + 3 * pad) if from_below else (low - 3 * pad, high + pad)  # room for the label
    clipped = bool((rows["value"] < low).any() or (rows["value"] > high).any())
    base = alt.Chart(data).transform_filter(alt.datum.quantity == name)
    y = alt.Y(
        "value:Q", title=f"τ{q}{q}", scale=alt.Scale(domain=[low, high], nice=False, zero=False), axis=alt.Axis(minExtent=AXIS)
    )
    line = _line(base, x, y, points=len(rows) <= 80)
    rule = alt.Chart(pd.DataFrame({"value": [optimum]})).mark_rule(color=OPTIMUM, strokeDash=[6, 4]).encode(y="value:Q")
    rule_label = (
        alt.Chart(pd.DataFrame({"value": [optimum], "text": [f"REML optimum {optimum:.5f}"]}))
        .mark_text(align="right", dy=-9 if from_below else 13, color=OPTIMUM)
        .encode(x=alt.value("width"), y="value:Q", text="text:N")
    )
    at_stop = base.transform_filter(f"datum.iteration == {stop}")
    mark = at_stop.mark_point(size=140, shape="diamond", filled=True, color=STOP, opacity=1).encode(
        x=x, y=y, tooltip=[alt.Tooltip("iteration:Q"), alt.Tooltip("value:Q", title=f"τ{q}{q}", format=".5f")]
    )
    title = alt.Title(f"τ{q}{q}, the variance of u{q}", subtitle=["the first iterations start off the scale"] if clipped else [])
    return alt.layer(line, rule, rule_label, mark).properties(width="container", height=150, title=title)


def stop_table(printouts: dict[str, dict], converged: dict[str, Fit], labels: dict[str, str]) -> pd.DataFrame:
    """Every figure of each HLM 7 printout, as printed (``stop``) and as printed at the REML optimum (``converged``).

    ``printouts`` maps a model's key to its HLM 7 printout
    (``seed_outputs()["hlm7"][key]``), ``converged`` to its REML fit,
    ``labels`` to the name shown on its radio button.
    """
    rows = []
    for key, printout in printouts.items():
        table = compare_printout(converged[key], printout)
        for order, (figure, r) in enumerate(table.iterrows()):
            common = {"model": key, "model_label": labels[key], "order": order, "figure": figure}
            rows.append({**common, "state": "stop", "value": r["printed"], "change": "", "changed": False})
            rows.append({**common, "state": "converged", "value": r["shown"], "change": _change(r), "changed": not r["matches"]})
    return pd.DataFrame(rows)


def _change(r: pd.Series) -> str:
    """How a figure moves from HLM 7's stop to the optimum, in its printed decimals and in per cent."""
    if r["matches"]:
        return "unchanged"
    if r["column"] in ("p", "df"):
        return f"was {r['printed']}"
    printed = float(r["printed"])
    diff = float(r["shown"]) - printed
    return f"{diff:+.{DECIMALS[r['column']]}f} ({100 * diff / abs(printed):+.2g} %)".replace("-", "−")


def hlm7_stop_chart(table: pd.DataFrame, width: int = 500) -> alt.LayerChart:
    """The control: radio buttons for the model and for "HLM 7's stop" / "converged", and the printout's figures.

    ``table`` is :func:`stop_table`'s.  Its parameters are bound to inputs, so in the book
    (controls above the chart, as ``_static/book.css`` places every chart's inputs) it works
    without a kernel.
    """
    models = list(dict.fromkeys(table["model"]))
    labels = list(dict.fromkeys(table["model_label"]))
    model = alt.param(name="model", value=models[0], bind=alt.binding_radio(options=models, labels=labels, name="Model: "))
    state = alt.param(
        name="state",
        value="stop",
        bind=alt.binding_radio(options=list(STATES), labels=list(STATES.values()), name="Numbers at: "),
    )
    base = alt.Chart(table).transform_filter("datum.model == model && datum.state == state")
    y = alt.Y("order:O", axis=None)
    colour = alt.condition("datum.changed", alt.value(STOP), alt.value(PALETTE["ink"]))
    figure = base.mark_text(align="left").encode(x=alt.value(0), y=y, text="figure:N")
    value_x = int(width * 0.62)
    value = base.mark_text(align="right", fontWeight=alt.expr("datum.changed ? 'bold' : 'normal'")).encode(
        x=alt.value(value_x), y=y, text="value:N", color=colour
    )
    change = base.mark_text(align="left", color=GREY).encode(x=alt.value(value_x + 14), y=y, text="change:N")

    def header(text: str, x: int, align: str) -> alt.Chart:
        return (
            alt.Chart(pd.DataFrame([{"text": text}]))
            .mark_text(align=align, fontWeight="bold")
            .encode(x=alt.value(x), y=alt.value(-14), text="text:N")
        )

    headers = [
        header("Figure HLM 7 printed", 0, "left"),
        header("value", value_x, "right"),
        header("change from HLM 7's stop", value_x + 14, "left"),
    ]
    chart = (
        alt.layer(figure, value, change, *headers)
        .add_params(model, state)
        .properties(
            width=width,
            height=alt.Step(20),
            description=(
                "Every figure HLM 7 printed for the chosen model, at HLM 7's stop or at the REML optimum; "
                "figures whose printed digits change are in bold, with the change."
            ),
        )
    )
    return chart
