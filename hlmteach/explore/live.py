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
from .lines import CENTRING_CHAPTERS, CENTRINGS, centring_chart, centring_data, lines_data, school_lines_chart
from .results import Result
from .schools import school_lines
from .session import Session, open_session
from .shrinkage import caterpillar_chart, estimates_data, shrinkage_chart
from .tables import tables_html

__all__ = ["PANELS", "LiveExplorer", "live"]

#: Output areas, in the order shown, with their titles ("centring" only where the predictor is always in the model).
PANELS = {
    "overview": "Formula, ICC and plausible values",
    "tables": "HLM 7 and lme4 tables",
    "schools": "School lines: OLS vs empirical Bayes",
    "shrinkage": "Shrinkage",
    "random_effects": "Caterpillar plot",
    "centring": "Centring",
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
        self.sample = session.lines_sample()[:: max(1, len(session.lines_sample()) // sample)][:sample]
        chapter = session.chapter
        self.controls: dict[str, widgets.ValueWidget] = {c.name: _widget(c) for c in chapter.controls}
        self.equations = widgets.HTMLMath()
        self.panels = [name for name in PANELS if name != "centring" or chapter.name in CENTRING_CHAPTERS]
        self.outputs = {name: widgets.Output() for name in self.panels}
        self.result: Result
        self.charts: dict[str, dict[str, Any]] = {}
        self._holding = False  # set() changes several controls, then redraws once
        self._template_specs: dict[tuple[bool, bool], dict[str, dict[str, Any]]] = {}
        tabs = widgets.Tab(children=[self.outputs[name] for name in self.panels[1:]])
        for i, name in enumerate(self.panels[1:]):
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

    def _templates(self, result: Result) -> dict[str, dict[str, Any]]:
        """Each chart panel's Vega-Lite spec without data, built once per shape of model (with or without a
        slope, random or not): Altair is slow, filling in data is not."""
        d = result.fit.design
        shape = (bool(result.model.predictors), len(d.znames) > 1)
        if shape not in self._template_specs:
            s, v = self.session, self.session.chapter.variables
            x, y, groups, levels = v.label(v.predictor), v.label(v.outcome), v.groups, s.colour_levels
            coefficients = ["β0j, intercepts", f"β1j, {x} slopes"][: 1 + shape[0]]
            labels = [f"#{g}, n = {int(s.groups.loc[g, 'n'])}" for g in self.sample]
            panels = {
                "overview": charts.overview_chart(groups, s.plausible_titles()[: 1 + shape[0]]),
                "schools": school_lines_chart(labels, f"{x} as it enters the model", y, levels),
                "shrinkage": alt.vconcat(*(shrinkage_chart(q, c, groups, levels) for q, c in enumerate(coefficients))),
                "random_effects": alt.vconcat(
                    *(caterpillar_chart(q, c, groups, levels) for q, c in enumerate(coefficients[: 1 + shape[1]]))
                ),
                "centring": centring_chart(x, y, levels),
            }
            self._template_specs[shape] = {name: charts.spec(chart) for name, chart in panels.items() if name in self.panels}
        return self._template_specs[shape]

    def draw(self, result: Result) -> dict[str, dict[str, Any]]:
        """The Vega-Lite spec of every chart panel for ``result``: the templates with its data filled in."""
        s, v = self.session, self.session.chapter.variables
        by = s.groups["by"]
        data = {
            "header": charts.records(result.header),
            **charts.overview_data(result.variance, result.plausible),
            **estimates_data(result.schools),
            "schools": charts.groups_data(s.groups),
            **lines_data(school_lines(result.model, result.fit, s.data, v.predictor, self.sample), by),
        }
        if "centring" in self.panels:
            siblings = {c: s.result({**self.setting, "level1": c}) for c, _ in CENTRINGS}
            data["centring"] = centring_data(siblings, s.data, s.centring_sample(), by)
        return {name: charts.with_data(spec, data) for name, spec in self._templates(result).items()}

    def update(self) -> None:
        """Refit for the current setting and replace every output in place."""
        self.result = self.session.result(self.setting)
        self.charts = self.draw(self.result)
        self.equations.value = (
            f"<code>{self.result.model.formula}</code><div style='overflow-x:auto'>$$ {self.result.model.latex()} $$</div>"
        )
        for name, chart in self.charts.items():
            self.outputs[name].outputs = (_display_data(chart),)
        self.outputs["tables"].outputs = (
            {
                "output_type": "display_data",
                "data": {"text/html": tables_html(self.result), "text/plain": self.result.model.formula},
                "metadata": {},
            },
        )

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

    ``sample``: how many groups the OLS-versus-EB panel shows (at most 12).
    """
    return LiveExplorer(open_session(name, data, **variables), sample)
