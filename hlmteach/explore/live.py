"""The live explorer: ipywidgets controls that refit the model through hlmteach on every change.

:func:`live` builds a :class:`LiveExplorer` for a chapter, on the HSB data or
on your own (e.g. from :func:`hlmteach.merge_levels`).  Its controls are made
from the same :mod:`hlmteach.explore.controls` definition as the website's, and its
charts by the same :mod:`hlmteach.explore.charts` builders; on top of the website's
panels it draws the current model's equations and two per-school charts (OLS
against empirical-Bayes lines for a sample of schools, and a caterpillar plot
of the random effects).

Each output area is an ``ipywidgets.Output`` whose ``outputs`` are replaced
in one assignment when a control changes, so a refit redraws in place: no
flicker, no outputs piling up.  The explorer keeps what it last drew
(:attr:`LiveExplorer.result`, and :attr:`LiveExplorer.charts`, the Vega-Lite
specs), so it can be driven and checked without a browser.  The Altair
charts are built once; a refit only fills their named data sets in
(:func:`hlmteach.explore.charts.with_data`), which keeps a toggle well under 100 ms.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import ipywidgets as widgets
import pandas as pd

from . import charts
from .controls import Control, Value
from .results import Result
from .schools import random_effects, school_lines
from .session import Session, open_session

__all__ = ["PANELS", "LiveExplorer", "live"]

#: Output areas, in the order shown, with their titles.
PANELS = {
    "overview": "Formula, ICC and plausible values",
    "tables": "HLM 7 and lme4 tables",
    "schools": "Schools: OLS and empirical-Bayes lines",
    "random_effects": "Random effects",
}


def _widget(control: Control) -> widgets.ValueWidget:
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="auto")
    if control.input == "checkbox":
        return widgets.Checkbox(value=control.default, description=control.label, style=style, layout=layout, indent=False)
    options = [(o.label, o.value) for o in control.options]
    kind = widgets.RadioButtons if control.input == "radio" else widgets.Dropdown
    return kind(options=options, value=control.default, description=control.label.rstrip(": "), style=style, layout=layout)


def _display_data(chart_spec: dict[str, Any]) -> dict[str, Any]:
    """A Vega-Lite spec as one display_data output, drawn by the active Altair renderer."""
    bundle = alt.renderers.get()(chart_spec)
    data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
    return {"output_type": "display_data", "data": data, "metadata": metadata or {}}


class LiveExplorer:
    """A chapter's explorer in a live notebook (see the module docstring); display it as the cell's value."""

    def __init__(self, session: Session, sample: int = 12) -> None:
        self.session = session
        self.sample = sample
        chapter = session.chapter
        self.controls: dict[str, widgets.ValueWidget] = {c.name: _widget(c) for c in chapter.controls}
        self.equations = widgets.HTMLMath()
        self.outputs = {name: widgets.Output() for name in PANELS}
        self.result: Result
        self.charts: dict[str, dict[str, Any]] = {}
        self._holding = False  # set() changes several controls, then redraws once
        self._template_specs = self._templates()
        self._data_names = {name: charts.data_names(spec) for name, spec in self._template_specs.items()}
        tabs = widgets.Tab(children=[self.outputs[name] for name in list(PANELS)[1:]])
        for i, name in enumerate(list(PANELS)[1:]):
            tabs.set_title(i, PANELS[name])
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h3>{chapter.title}: explore the model</h3>"),
                widgets.VBox(list(self.controls.values())),
                self.equations,
                self.outputs["overview"],
                tabs,
            ]
        )
        self.update()
        for w in self.controls.values():
            w.observe(self._changed, names="value")

    @property
    def setting(self) -> dict[str, Value]:
        """The controls' current values."""
        return {name: w.value for name, w in self.controls.items()}

    def set(self, **values: Value) -> None:
        """Set controls by name (e.g. ``level1="grand"``) and redraw once."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(f"no control named {sorted(unknown)}; the controls are {list(self.controls)}")
        self.session.chapter.check({**self.setting, **values})
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self.update()

    def _changed(self, change: dict[str, Any]) -> None:
        if not self._holding:
            self.update()

    def _templates(self) -> dict[str, dict[str, Any]]:
        """Each panel's Vega-Lite spec without data, built once (Altair is slow; filling in data is not)."""
        v = self.session.chapter.variables
        predictor = v.label(v.predictor)
        return {
            "overview": charts.spec(charts.overview_chart(v.label(v.outcome), v.groups, self.session.plausible_titles())),
            "tables": charts.spec(charts.tables_chart()),
            "schools": charts.spec(charts.school_lines_chart(predictor, v.label(v.outcome), v.groups)),
            "random_effects": charts.spec(charts.caterpillar_chart(v.groups)),
        }

    def draw(self, result: Result) -> dict[str, dict[str, Any]]:
        """The Vega-Lite spec of every panel for ``result``: the templates with its data filled in."""
        v = self.session.chapter.variables
        tables = {
            **result.tables(),
            "schools": school_lines(result.model, result.fit, self.session.data, v.predictor, self.sample),
            "random_effects": random_effects(result.fit),
        }
        data = charts.datasets(tables)
        return {name: charts.with_data(spec, data, self._data_names[name]) for name, spec in self._template_specs.items()}

    def update(self) -> None:
        """Refit for the current setting and replace every output in place."""
        self.result = self.session.result(self.setting)
        self.charts = self.draw(self.result)
        self.equations.value = (
            f"<code>{self.result.model.formula}</code><div style='overflow-x:auto'>$$ {self.result.model.latex()} $$</div>"
        )
        for name, chart in self.charts.items():
            self.outputs[name].outputs = (_display_data(chart),)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        return self.widget._repr_mimebundle_(**kwargs)


def live(name: str, data: pd.DataFrame | None = None, *, sample: int = 12, **variables: object) -> LiveExplorer:
    """The live explorer of chapter ``name`` (``"unconditional"``, ``"means_as_outcomes"``,
    ``"random_coefficient"`` or ``"intercepts_slopes"``).

    Without ``data`` it explores the High School and Beyond data.  With your
    own data (one row per level-1 unit, level-2 variables merged in, e.g. by
    :func:`hlmteach.merge_levels`), name the roles::

        live("intercepts_slopes", data, outcome="score", group="class",
             predictor="hours", level2=("track", "class_mean_hours"),
             labels={"score": "SCORE"}, groups="classes")

    ``sample``: how many groups the OLS-versus-EB panel shows.
    """
    return LiveExplorer(open_session(name, data, **variables), sample)
