"""The live explorer: ipywidgets controls that refit the model through hlmteach on every change.

:func:`live` builds a :class:`LiveExplorer` for a chapter, on the HSB data or
on your own (e.g. from :func:`hlmteach.merge_levels`).  Its controls are made
from the same :mod:`hlmteach.explore.controls` definition as the website's,
its charts by the same builders (:mod:`~hlmteach.explore.charts`,
:mod:`~hlmteach.explore.lines`, :mod:`~hlmteach.explore.shrinkage`) and its
tables by the same :func:`~hlmteach.explore.tables.tables_html`; on top of the
website's panels it draws the current model's equations.

Each panel (:data:`PANELS`) is one widget, made once and changed in place on
every refit: a chart is Altair's ``JupyterChart`` in offline mode
(:func:`hlmteach.explore.render.live_chart`), which gets the new rows of its
named data sets (:func:`~hlmteach.explore.render.set_chart_data`: Vega
re-runs its dataflow and re-draws the marks, without re-compiling the chart;
only when the model changes shape — a slope in or out, random or not — is a
new spec embedded), and the HLM 7 and lme4 tables are an ``ipywidgets.HTML``
of real ``<table>`` elements, whose ``value`` is replaced.  Nothing is
re-displayed, so nothing flickers or piles up.  A click redraws the panels on
screen (the overview and the selected tab); the other tabs are redrawn when
they are selected.  The explorer keeps what it last computed
(:attr:`LiveExplorer.result`, :attr:`LiveExplorer.charts`,
:attr:`LiveExplorer.html`), so it can be driven and checked without a
browser.

In a front end without widgets, the explorer's output falls back to HTML:
the formula and the tables of the model it was first shown with.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import altair as alt
import ipywidgets as widgets
import pandas as pd

from . import charts
from .controls import Control, Value
from .lines import CENTRING_CHAPTERS, CENTRINGS, centring_chart, centring_data, lines_data, school_lines_chart
from .render import live_chart, set_chart_data, set_chart_spec
from .results import Result
from .schools import school_lines
from .session import Session, open_session
from .shrinkage import caterpillar_chart, estimates_data, shrinkage_chart
from .tables import tables_html

__all__ = ["HTML_PANELS", "PANELS", "LiveExplorer", "live"]

#: Panels, in the order shown, with their titles ("centring" only where the predictor is always in the model).
PANELS = {
    "overview": "Formula, ICC and plausible values",
    "tables": "HLM 7 and lme4 tables",
    "schools": "School lines: OLS vs empirical Bayes",
    "shrinkage": "Shrinkage",
    "random_effects": "Caterpillar plot",
    "centring": "Centring",
}
#: The panels that are HTML; the others are charts.
HTML_PANELS = ("tables",)

Shape = tuple[bool, bool]  # (the level-1 predictor is in the model, its slope is random)


def _widget(control: Control) -> widgets.ValueWidget:
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="auto")
    if control.input == "checkbox":
        return widgets.Checkbox(value=control.default, description=control.label, style=style, layout=layout, indent=False)
    options = [(o.label, o.value) for o in control.options]
    kind = widgets.RadioButtons if control.input == "radio" else widgets.Dropdown
    return kind(options=options, value=control.default, description=control.label.rstrip(": "), style=style, layout=layout)


class LiveExplorer:
    """A chapter's explorer in a live notebook (see the module docstring); display it as the cell's value."""

    def __init__(self, session: Session, sample: int = 12) -> None:
        self.session = session
        groups = session.lines_sample()
        self.sample = groups[:: max(1, len(groups) // sample)][:sample]
        chapter = session.chapter
        self.controls: dict[str, widgets.ValueWidget] = {c.name: _widget(c) for c in chapter.controls}
        for name, w in self.controls.items():
            w.add_class(f"hlmteach-control-{name}")  # names the control in the page, for tests and styles
        self.equations = widgets.HTMLMath()
        names = [name for name in PANELS if name != "centring" or chapter.name in CENTRING_CHAPTERS]
        self._names = names
        self.tabbed = names[1:]  # the panels under the overview, one tab each
        self.result: Result
        self._holding = False  # set() changes several controls, then redraws once
        self._templates: dict[Shape, dict[str, dict[str, Any]]] = {}
        self._refit()
        self.panels: dict[str, widgets.DOMWidget] = {
            name: widgets.HTML(self.panel_html(name)) if name in HTML_PANELS else live_chart(self.chart(name)) for name in names
        }
        self._embedded = {name: self._shape for name in names if name not in HTML_PANELS}  # the template each chart shows
        for name, panel in self.panels.items():
            panel.add_class("hlmteach-panel").add_class(f"hlmteach-panel-{name}")
        self._show_equations()
        self._stale: set[str] = set()  # panels whose widget has not been sent the current result yet
        self.tabs = widgets.Tab(children=[self.panels[name] for name in self.tabbed], titles=[PANELS[n] for n in self.tabbed])
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h3>{html.escape(chapter.title)}: explore the model</h3>"),
                widgets.VBox(list(self.controls.values())),
                self.equations,
                self.panels["overview"],
                self.tabs,
            ]
        ).add_class("hlmteach-live")
        for w in self.controls.values():
            w.observe(self._changed, names="value")
        self.tabs.observe(self._tab_selected, names="selected_index")

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

    # --- what the panels show -------------------------------------------------------
    @property
    def _shape(self) -> Shape:
        return bool(self.result.model.predictors), len(self.result.fit.design.znames) > 1

    def _template(self, name: str) -> tuple[dict[str, Any], set[str]]:
        """Chart panel ``name``'s Vega-Lite spec without data, and the data sets it reads, built once per
        shape of model: Altair is slow, filling in data is not."""
        shape = self._shape
        if shape not in self._templates:
            s, v = self.session, self.session.chapter.variables
            x, y, groups, levels = v.label(v.predictor), v.label(v.outcome), v.groups, s.colour_levels
            coefficients = ["β0j, intercepts", f"β1j, {x} slopes"][: 1 + shape[0]]
            labels = [f"#{g}, n = {int(s.groups.loc[g, 'n'])}" for g in self.sample]
            built = {
                "overview": charts.overview_chart(groups, s.plausible_titles()[: 1 + shape[0]]),
                "schools": school_lines_chart(labels, f"{x} as it enters the model", y, levels),
                "shrinkage": alt.vconcat(*(shrinkage_chart(q, c, groups, levels) for q, c in enumerate(coefficients))),
                "random_effects": alt.vconcat(
                    *(caterpillar_chart(q, c, groups, levels) for q, c in enumerate(coefficients[: 1 + shape[1]]))
                ),
                "centring": centring_chart(x, y, levels),
            }
            specs = {n: charts.spec(chart) for n, chart in built.items() if n in self._names}
            self._templates[shape] = {n: (spec, charts.data_names(spec)) for n, spec in specs.items()}
        return self._templates[shape][name]

    def _sources(self) -> list[Callable[[], dict[str, list[dict[str, Any]]]]]:
        """Makers of the charts' named data sets for the current result, cheapest first."""
        s, v, result = self.session, self.session.chapter.variables, self.result
        by = s.groups["by"]

        def overview() -> dict[str, list[dict[str, Any]]]:
            return {"header": charts.records(result.header), **charts.overview_data(result.variance, result.plausible)}

        def schools() -> dict[str, list[dict[str, Any]]]:
            return {"schools": charts.groups_data(s.groups), **estimates_data(result.schools)}

        def lines() -> dict[str, list[dict[str, Any]]]:
            return lines_data(school_lines(result.model, result.fit, s.data, v.predictor, self.sample), by)

        def centring() -> dict[str, list[dict[str, Any]]]:  # fits the setting's siblings: only when shown
            siblings = {c: s.result({**self.setting, "level1": c}) for c, _ in CENTRINGS}
            return {"centring": centring_data(siblings, s.data, s.centring_sample(), by)}

        return [overview, schools, lines, centring]

    def chart(self, name: str) -> dict[str, Any]:
        """The Vega-Lite spec (with its data) of chart panel ``name`` for the current result, made once per result."""
        if name not in self._charts:
            spec, wanted = self._template(name)
            while not wanted <= self._data.keys() and self._pending:
                self._data.update(self._pending.pop(0)())
            self._charts[name] = charts.with_data(spec, self._data, wanted)
        return self._charts[name]

    def panel_html(self, name: str) -> str:
        """The HTML of panel ``name`` (one of :data:`HTML_PANELS`) for the current result, made once per result."""
        if name not in self._html:
            self._html[name] = tables_html(self.result)
        return self._html[name]

    @property
    def charts(self) -> dict[str, dict[str, Any]]:
        """Every chart panel's Vega-Lite spec, with its data, for the current result."""
        return {name: self.chart(name) for name in self.panels if name not in HTML_PANELS}

    @property
    def html(self) -> dict[str, str]:
        """Every HTML panel's HTML for the current result."""
        return {name: self.panel_html(name) for name in HTML_PANELS}

    def _refit(self) -> None:
        self.result = self.session.result(self.setting)
        self._charts: dict[str, dict[str, Any]] = {}
        self._html: dict[str, str] = {}
        self._data: dict[str, list[dict[str, Any]]] = {}
        self._pending = self._sources()

    def _show_equations(self) -> None:
        self.equations.value = (
            f"<code>{html.escape(self.result.model.formula)}</code>"
            f"<div style='overflow-x:auto'>$$ {self.result.model.latex()} $$</div>"
        )

    # --- drawing ----------------------------------------------------------------------
    @property
    def visible(self) -> list[str]:
        """The panels on screen: the overview, and the panel of the selected tab."""
        selected = self.tabs.selected_index
        return ["overview", *([self.tabbed[selected]] if selected is not None else [])]

    def _send(self, name: str) -> None:
        """Give panel ``name``'s widget what the current result shows (the front end redraws it in place)."""
        panel = self.panels[name]
        if name in HTML_PANELS:
            panel.value = self.panel_html(name)
        elif self._embedded[name] != self._shape:  # another shape of chart: embed its spec
            set_chart_spec(panel, self.chart(name))
            self._embedded[name] = self._shape
        else:
            datasets = self.chart(name)["datasets"]
            set_chart_data(panel, {d: datasets[d] for d in self._template(name)[1]})
        self._stale.discard(name)

    def _tab_selected(self, change: dict[str, Any]) -> None:
        for name in self.visible:
            if name in self._stale:
                self._send(name)

    def update(self) -> None:
        """Refit for the current setting and redraw the panels on screen in place.

        The charts on screen go first, so that the front end draws them while
        the kernel makes the tables; the equations go last, because MathJax's
        typesetting would hold the charts back.  The panels of the other tabs
        are redrawn when their tab is selected, so a click costs only what the
        student sees.
        """
        self._refit()
        self._stale = set(self.panels)
        for name in sorted(self.visible, key=lambda name: name in HTML_PANELS):
            self._send(name)
        self._show_equations()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """The widget view, and for front ends without widgets an HTML snapshot: formula and tables."""
        data = self.widget._repr_mimebundle_(**kwargs)
        snapshot = (
            f"<div class='hlmteach-live-snapshot'><h3>{html.escape(self.session.chapter.title)}: explore the model</h3>"
            f"<p><code>{html.escape(self.result.model.formula)}</code></p>{self.panel_html('tables')}"
            "<p><em>A snapshot of the live explorer: run this notebook in JupyterLab, Notebook 7 or VS Code "
            "to use its controls and see its charts.</em></p></div>"
        )
        return {**data, "text/html": snapshot}


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
