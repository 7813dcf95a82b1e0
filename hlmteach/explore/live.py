"""The live explorer: ipywidgets controls that refit the model through hlmteach on every change.

:func:`live` builds a :class:`LiveExplorer` for a chapter, on the HSB data or
on your own (e.g. from :func:`hlmteach.merge_levels`).  Its controls are made
from the same :mod:`hlmteach.explore.controls` definition as the website's, and its
charts by the same :mod:`hlmteach.explore.charts` builders; on top of the website's
panels it draws the current model's equations and two per-school charts (OLS
against empirical-Bayes lines for a sample of schools, and a caterpillar plot
of the random effects).

Each panel (:data:`PANELS`) is one widget, made once and changed in place on
every refit: a chart is Altair's ``JupyterChart`` in offline mode
(:func:`hlmteach.explore.render.live_chart`), which gets the new rows of its
named data sets (:func:`~hlmteach.explore.render.set_chart_data`: Vega
re-runs its dataflow and re-draws the marks, without re-compiling the
chart), and the HLM 7 and lme4 tables are an ``ipywidgets.HTML`` (real
``<table>`` elements: the numbers show where charts cannot, copy into an
assignment and are read by screen readers), whose ``value`` is replaced.
Nothing is re-displayed, so nothing flickers or piles up.  A click redraws
the panels on screen (the overview and the selected tab); the other tabs
are redrawn when they are selected.  The explorer keeps what it last
computed (:attr:`LiveExplorer.result`; :attr:`LiveExplorer.charts`, the
Vega-Lite specs with their data; :attr:`LiveExplorer.html`, the HTML
panels), so it can be driven and checked without a browser.  The Altair
charts are built once; a refit only fills their named data sets in
(:func:`hlmteach.explore.charts.with_data`).

In a front end without widgets, the explorer's output falls back to HTML:
the formula and the tables of the model it was first shown with.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import pandas as pd

from . import charts
from .charts import TABLE_LAYOUTS
from .controls import Control, Value
from .render import live_chart, set_chart_data
from .results import Result
from .schools import random_effects, school_lines
from .session import Session, open_session

__all__ = ["HTML_PANELS", "PANELS", "TABBED", "LiveExplorer", "live", "tables_html"]

#: Panels, in the order shown, with their titles.
PANELS = {
    "overview": "Formula, ICC and plausible values",
    "tables": "HLM 7 and lme4 tables",
    "schools": "Schools: OLS and empirical-Bayes lines",
    "random_effects": "Random effects",
}
#: The panels that are HTML; the others are charts.
HTML_PANELS = ("tables",)
#: The panels under the overview, one tab each.
TABBED = tuple(PANELS)[1:]

# One style sheet for the four tables (Styler's per-table styles cost more than the tables themselves).
_TABLE_CSS = """<style>
.hlmteach-table { border-collapse: collapse; margin: 0 0 1.2em; font-variant-numeric: tabular-nums; }
.hlmteach-table caption { caption-side: top; text-align: left; font-weight: bold; padding: 0 0 0.3em; }
.hlmteach-table th { text-align: right; padding: 0.15em 0.7em; border-bottom: 1px solid currentColor; }
.hlmteach-table td { text-align: right; padding: 0.15em 0.7em; }
.hlmteach-table th:first-child, .hlmteach-table td:first-child { padding-left: 0; }
.hlmteach-table .bold { font-weight: bold; }
%s
</style>"""


def _left_columns() -> str:
    """CSS that aligns each table's text columns left, as on the website (numbers stay right)."""
    rules = []
    for name, (_, columns) in TABLE_LAYOUTS.items():
        for i, column in enumerate(columns, 1):
            if column.align == "left":
                rules.append(f'.hlmteach-table[data-table="{name}"] :is(th, td):nth-child({i}) {{ text-align: left; }}')
    return "\n".join(rules)


_TABLE_STYLE = _TABLE_CSS % _left_columns()


def tables_html(result: Result) -> str:
    """HLM 7's and lme4's tables of ``result`` as HTML tables (pandas' Styler), with the texts the website prints.

    Each ``<table>`` has a caption (the table's title) and ``data-table`` naming it
    (``hlm_fixed``, ``hlm_random``, ``lme4_fixed``, ``lme4_random``).
    """
    parts = [_TABLE_STYLE]
    for name, (title, columns) in TABLE_LAYOUTS.items():
        frame = getattr(result, name)
        shown = frame[[c.field for c in columns]].rename(columns={c.field: c.header for c in columns})
        styler = shown.style.format(escape="html").hide(axis="index").set_caption(html.escape(title)).set_uuid(f"hlmteach-{name}")
        styler = styler.set_table_attributes(f'class="hlmteach-table" data-table="{name}"')
        bold = frame["bold"].fillna(False).astype(bool).to_numpy() if "bold" in frame else None
        if bold is not None and bold.any():
            classes = pd.DataFrame([["bold" if b else ""] * len(columns) for b in bold], index=shown.index, columns=shown.columns)
            styler = styler.set_td_classes(classes)
        parts.append(styler.to_html(cell_ids=False))
    return "\n".join(parts)


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
        self.sample = sample
        chapter = session.chapter
        self.controls: dict[str, widgets.ValueWidget] = {c.name: _widget(c) for c in chapter.controls}
        for name, w in self.controls.items():
            w.add_class(f"hlmteach-control-{name}")  # names the control in the page, for tests and styles
        self.equations = widgets.HTMLMath()
        self.result: Result
        self._holding = False  # set() changes several controls, then redraws once
        self._template_specs = self._templates()
        self._data_names = {name: charts.data_names(spec) for name, spec in self._template_specs.items()}
        self._refit()
        panels: dict[str, widgets.DOMWidget] = {name: live_chart(self.chart(name)) for name in self._template_specs}
        panels.update({name: widgets.HTML(self.panel_html(name)) for name in HTML_PANELS})
        self.panels = {name: panels[name] for name in PANELS}
        for name, panel in self.panels.items():
            panel.add_class("hlmteach-panel").add_class(f"hlmteach-panel-{name}")
        self._show_equations()
        self._stale: set[str] = set()  # panels whose widget has not been sent the current result yet
        self.tabs = widgets.Tab(children=[self.panels[name] for name in TABBED], titles=[PANELS[name] for name in TABBED])
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

    def _templates(self) -> dict[str, dict[str, Any]]:
        """Each chart panel's Vega-Lite spec without data, built once (Altair is slow; filling in data is not)."""
        v = self.session.chapter.variables
        predictor = v.label(v.predictor)
        return {
            "overview": charts.spec(charts.overview_chart(v.label(v.outcome), v.groups, self.session.plausible_titles())),
            "schools": charts.spec(charts.school_lines_chart(predictor, v.label(v.outcome), v.groups)),
            "random_effects": charts.spec(charts.caterpillar_chart(v.groups)),
        }

    def _chart(self, name: str, result: Result) -> dict[str, Any]:
        v = self.session.chapter.variables
        wanted = self._data_names[name]
        tables = {n: table for n, table in result.tables().items() if n in wanted}
        if "schools" in wanted:
            tables["schools"] = school_lines(result.model, result.fit, self.session.data, v.predictor, self.sample)
        if "random_effects" in wanted:
            tables["random_effects"] = random_effects(result.fit)
        return charts.with_data(self._template_specs[name], charts.datasets(tables), wanted)

    def chart(self, name: str) -> dict[str, Any]:
        """The Vega-Lite spec (with its data) of chart panel ``name`` for the current result, made once per result."""
        if name not in self._charts:
            self._charts[name] = self._chart(name, self.result)
        return self._charts[name]

    def panel_html(self, name: str) -> str:
        """The HTML of panel ``name`` (one of :data:`HTML_PANELS`) for the current result, made once per result."""
        if name not in self._html:
            self._html[name] = tables_html(self.result)
        return self._html[name]

    @property
    def charts(self) -> dict[str, dict[str, Any]]:
        """Every chart panel's Vega-Lite spec, with its data, for the current result."""
        return {name: self.chart(name) for name in self._template_specs}

    @property
    def html(self) -> dict[str, str]:
        """Every HTML panel's HTML for the current result."""
        return {name: self.panel_html(name) for name in HTML_PANELS}

    def _refit(self) -> None:
        self.result = self.session.result(self.setting)
        self._charts: dict[str, dict[str, Any]] = {}
        self._html: dict[str, str] = {}

    def _show_equations(self) -> None:
        self.equations.value = (
            f"<code>{html.escape(self.result.model.formula)}</code>"
            f"<div style='overflow-x:auto'>$$ {self.result.model.latex()} $$</div>"
        )

    @property
    def visible(self) -> list[str]:
        """The panels on screen: the overview, and the panel of the selected tab."""
        selected = self.tabs.selected_index
        return ["overview", *([TABBED[selected]] if selected is not None else [])]

    def _send(self, name: str) -> None:
        """Give panel ``name``'s widget what the current result shows (the front end redraws it in place)."""
        if name in HTML_PANELS:
            self.panels[name].value = self.panel_html(name)
        else:
            datasets = self.chart(name)["datasets"]
            set_chart_data(self.panels[name], {d: datasets[d] for d in self._data_names[name]})
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
        self._stale = set(PANELS)
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

    ``sample``: how many groups the OLS-versus-EB panel shows.
    """
    return LiveExplorer(open_session(name, data, **variables), sample)
