"""The kernel-free explorer: every setting fitted at build time, one chart that re-draws in the browser.

A static web page cannot refit a model, so :func:`static_explorer` fits every
combination the chapter's controls allow (with the same package and the same
:mod:`hlmteach.explore.controls` the live explorer uses), stacks what each shows into
long tables keyed by a ``setting`` column, and returns one Vega-Lite chart
(built by :mod:`hlmteach.explore.charts`, the live explorer's builders) whose
top-level parameters are bound to radio buttons, checkboxes and select lists.
A click changes a parameter; the chart's ``setting`` parameter (a Vega
expression of the controls, :meth:`Chapter.key_expr`) changes with it, and
every panel re-filters its rows: formula, ICC, variance explained, plausible
values and the HLM 7 and lme4 tables.  Nothing is fetched: the data are
embedded in the page.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from . import charts
from .controls import Chapter, Control
from .results import TABLES
from .session import Session, open_session

__all__ = [
    "EXPLORER_CSS",
    "SETTING_PARAM",
    "StaticExplorer",
    "explorer_chart",
    "explorer_tables",
    "parameters",
    "static_explorer",
]

SETTING_PARAM = "setting"
WHERE = f"datum.setting == {SETTING_PARAM}"


def explorer_tables(session: Session) -> dict[str, pd.DataFrame]:
    """Every table of :data:`~hlmteach.explore.results.TABLES` for every setting, with a ``setting`` key column."""
    chapter = session.chapter
    stacked: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for setting in chapter.settings():
        key = chapter.key(setting)
        for name, table in session.result(setting).tables().items():
            stacked[name].append(table.assign(setting=key))
    return {name: pd.concat(frames, ignore_index=True) for name, frames in stacked.items()}


def _binding(control: Control) -> alt.Binding:
    values = [o.value for o in control.options]
    labels = [o.label for o in control.options]
    if control.input == "checkbox":
        return alt.binding_checkbox(name=control.label)
    if control.input == "radio":
        return alt.binding_radio(options=values, labels=labels, name=control.label)
    return alt.binding_select(options=values, labels=labels, name=control.label)


def parameters(chapter: Chapter) -> list[alt.Parameter]:
    """One bound parameter per control (named as the control, at its default), and ``setting``."""
    bound = [alt.param(name=c.name, value=c.default, bind=_binding(c)) for c in chapter.controls]
    return [*bound, alt.param(name=SETTING_PARAM, expr=chapter.key_expr())]


# The controls go above the chart (vega-embed puts them below, out of sight under a tall chart).
EXPLORER_CSS = """
.hlmteach-explorer .chart-wrapper { display: flex; flex-direction: column; }
.hlmteach-explorer form.vega-bindings {
  order: -1; margin: 0 0 1rem; padding: 0.5rem 0.9rem;
  border: 1px solid rgba(127, 127, 127, 0.35); border-radius: 6px; background: rgba(127, 127, 127, 0.07);
}
"""


class StaticExplorer:
    """A finished Vega-Lite spec (data embedded) that displays through the active Altair renderer.

    An HTML rendering is wrapped in ``<div class="hlmteach-explorer">`` with
    :data:`EXPLORER_CSS`, which moves the controls above the chart.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def to_dict(self) -> dict[str, Any]:
        return self.spec

    def _repr_mimebundle_(self, *args: Any, **kwargs: Any) -> Any:
        bundle = alt.renderers.get()(self.spec)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, None)
        if "text/html" in data:
            html = f'<style>{EXPLORER_CSS}</style><div class="hlmteach-explorer">{data["text/html"]}</div>'
            data = {**data, "text/html": html}
        return (data, metadata) if metadata is not None else data


def explorer_chart(session: Session, where: str | None) -> alt.VConcatChart:
    """All panels, top to bottom: formula, ICC and variance left, plausible values, HLM 7's and lme4's tables."""
    v = session.chapter.variables
    return alt.vconcat(
        charts.overview_chart(v.label(v.outcome), v.groups, session.plausible_titles(), where),
        charts.tables_chart(where),
        spacing=28,
    ).resolve_scale(color="independent", x="independent", y="independent")


def static_explorer(name: str, data: pd.DataFrame | None = None, **variables: object) -> StaticExplorer:
    """The chapter's explorer as one chart with controls that work without a kernel.

    ``name`` is a chapter (:data:`hlmteach.explore.controls.CHAPTERS`); ``data`` and
    ``variables`` as for :func:`hlmteach.explore.session.open_session` (HSB by default).
    Display the result (the last value of a cell) to draw it.
    """
    session = open_session(name, data, **variables)
    chapter = session.chapter
    controls = "; ".join(c.label.strip(": ") for c in chapter.controls)
    chart = (
        explorer_chart(session, WHERE)
        .add_params(*parameters(chapter))
        .properties(
            description=f"Explorer of {chapter.title.lower()}: controls ({controls}) choose the model; the panels show "
            "its lme4 formula, the ICC and variance left compared with the unconditional model, the plausible-value "
            "ranges of the group-specific coefficients, and HLM 7's and lme4's tables of estimates.",
        )
    )
    return StaticExplorer(charts.with_data(charts.spec(chart), charts.datasets(explorer_tables(session))))
