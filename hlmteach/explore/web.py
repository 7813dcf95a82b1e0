"""The kernel-free explorer: every setting fitted at build time, charts and tables that follow the reader's clicks.

A static web page cannot refit a model, so :func:`static_explorer` fits every
combination the chapter's controls allow (with the same package and the same
:mod:`~hlmteach.explore.controls` the live explorer uses) and stacks what each
shows, keyed by a ``setting`` column.  Each panel is a Vega-Lite chart (built
by the live explorer's builders) whose parameters are named as the controls;
its ``setting`` parameter (:meth:`Chapter.key_expr`) picks the rows to draw.
Axis domains are fixed over every setting, so the axes stay put while the
reader compares.  :mod:`~hlmteach.explore.page` lays the panels out with a
form of controls, the HTML tables of every model and a small script that
passes each click to the charts' parameters, swaps the tables and announces
the key numbers.  Nothing is fetched: the data are embedded in the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from ..hlm.quantities import Z95
from . import captions, charts
from .controls import OUT, Chapter, Control
from .lines import CENTRING_CHAPTERS, CENTRINGS, centring_chart, centring_data, lines_data, school_lines_chart
from .page import explorer_html
from .render import RENDERER_NAME
from .results import Result
from .schools import school_lines
from .session import Session, open_session
from .shrinkage import caterpillar_chart, estimates_data, shrinkage_chart
from .tables import header_html, tables_html

__all__ = ["REST_PARAM", "SETTING_PARAM", "Figure", "Panel", "StaticExplorer", "parameters", "static_explorer"]

SETTING_PARAM = "setting"
REST_PARAM = "rest"  # the setting without the centring: the centring figure's rows
WHERE = f"datum.setting == {SETTING_PARAM}"


@dataclass(frozen=True)
class Panel:
    """One chart of the explorer: its Vega-Lite spec (data embedded) and what the model must have for it to apply.

    ``needs`` is ``"slope"`` (the level-1 predictor in the model),
    ``"random_slope"`` (its slope random) or ``""`` (always drawn).
    """

    name: str
    spec: dict[str, Any]
    needs: str = ""


@dataclass(frozen=True)
class Figure:
    """A titled group of panels with a sentence on what to see; ``slot`` names its caption, swapped per model."""

    slot: str
    title: str
    intro: str
    panels: tuple[Panel, ...]


def parameters(chapter: Chapter, bound: bool = False) -> list[alt.Parameter]:
    """One parameter per control (named as the control, at its default), ``setting`` and ``rest``.

    ``bound``: bind each to an input of Vega's own (a chart shown without the
    explorer's form, e.g. in a notebook).
    """
    params = [alt.param(name=c.name, value=c.default, **({"bind": _binding(c)} if bound else {})) for c in chapter.controls]
    return [
        *params,
        alt.param(name=SETTING_PARAM, expr=chapter.key_expr()),
        alt.param(name=REST_PARAM, expr=chapter.key_expr(("level1",))),
    ]


def _binding(control: Control) -> alt.Binding:
    values = [o.value for o in control.options]
    labels = [o.label for o in control.options]
    if control.input == "checkbox":
        return alt.binding_checkbox(name=control.label)
    if control.input == "radio":
        return alt.binding_radio(options=values, labels=labels, name=control.label)
    return alt.binding_select(options=values, labels=labels, name=control.label)


def _tau00(result: Result) -> float:
    return float(result.fit.tau_matrix[0, 0])


def _span(values: pd.Series | np.ndarray, pad: float = 0.04) -> list[float]:
    """[min, max] of the finite values, padded by ``pad`` of the range on each side."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    low, high = float(v.min()), float(v.max())
    margin = pad * (high - low or 1.0)
    return [round(low - margin, 3), round(high + margin, 3)]


class StaticExplorer:
    """A chapter's explorer with every setting precomputed; display it as a cell's value.

    In the book (whose renderer returns HTML) it shows as the explorer of
    :mod:`~hlmteach.explore.page`: a form, panels, tables and captions.
    Elsewhere it shows :attr:`spec`, all panels in one Vega-Lite chart with
    Vega's own bound inputs, through the active Altair renderer.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        chapter = self.chapter = session.chapter
        self.settings = chapter.settings()
        self.keys = [chapter.key(s) for s in self.settings]
        self.results = {key: session.result(s) for key, s in zip(self.keys, self.settings, strict=True)}
        v = chapter.variables
        self.x_label, self.y_label = v.label(v.predictor), v.label(v.outcome)
        self.by = session.groups["by"]
        self.levels = session.colour_levels
        self.centring = chapter.name in CENTRING_CHAPTERS
        self.data = self._data()
        self.figures = self._figures()

    # --- data of every setting ------------------------------------------------
    def _stack(self, name: str) -> pd.DataFrame:
        return pd.concat([getattr(r, name).assign(setting=k) for k, r in self.results.items()], ignore_index=True)

    def _data(self) -> dict[str, list[dict[str, Any]]]:
        s = self.session
        v = self.chapter.variables
        self.variance, self.plausible = self._stack("variance"), self._stack("plausible")
        self.estimates = self._stack("schools")
        self.lines = pd.concat(
            [
                school_lines(r.model, r.fit, s.data, v.predictor, s.lines_sample()).assign(
                    setting=k, level1=st.get("level1", OUT)
                )
                for (k, r), st in zip(self.results.items(), self.settings, strict=True)
            ],
            ignore_index=True,
        )
        first = {}  # the data points move only with the centring: those of the first setting of each
        for key, st in zip(self.keys, self.settings, strict=True):
            first.setdefault(st.get("level1", OUT), key)
        points = self.lines[(self.lines["layer"] == "point") & self.lines["setting"].isin(list(first.values()))]
        line_rows = self.lines[self.lines["layer"] == "line"]
        data = {
            **charts.overview_data(self.variance, self.plausible, ["setting"]),
            **estimates_data(self.estimates, ["setting"]),
            **lines_data(pd.concat([line_rows, points]), self.by, ["setting"], ["level1"]),
        }
        data["schools"] = charts.groups_data(s.groups)
        if self.centring:
            rows = []
            for st in self.settings:
                if st["level1"] != "group":  # one set of rows per setting of the other controls
                    continue
                siblings = {c: s.result({**st, "level1": c}) for c, _ in CENTRINGS}
                rest = self.chapter.key(st, ("level1",))
                rows += [{"rest": rest, **row} for row in centring_data(siblings, s.data, s.centring_sample(), self.by)]
            self.centred = rows
            data["centring"] = rows
        return data

    # --- panels ---------------------------------------------------------------
    def _panel(self, name: str, chart: alt.TopLevelMixin, needs: str = "") -> Panel:
        spec = charts.spec(chart)
        # The controls are variable parameters, which Vega-Lite takes at the top of any view: set there,
        # they give the spec ``chart.add_params`` gives, without Altair copying every sub-chart (4x faster).
        spec["params"] = [*spec.get("params", []), *(p.param.to_dict() for p in parameters(self.chapter))]
        return Panel(name, charts.with_data(spec, self.data), needs)

    def _figures(self) -> list[Figure]:
        figures = [*self._overview(), self._lines(), *self._per_school()]
        return [*figures, self._centring()] if self.centring else figures

    def _overview(self) -> list[Figure]:
        """The variance and plausible-value figures."""
        groups = self.chapter.variables.groups
        titles = self.session.plausible_titles()
        domains = charts.density_domains(self.plausible)
        ratio = float(self.variance["ratio"].max())
        variance = Figure(
            "variance",
            "Variance: how much is left, and where",
            f"The intraclass correlation splits the variance left into a part between {groups} and a part within them; "
            "each component is set against the baseline R&B use for it.",
            (
                self._panel("icc", charts.icc_chart(groups, WHERE)),
                self._panel("variance", charts.variance_chart(groups, ratio, WHERE)),
            ),
        )
        plausible = Figure(
            "plausible",
            "Plausible values",
            f"The normal distribution of the {groups}' coefficients that the model implies, the middle 95% shaded. "
            "The axes are the same in every setting, so you can watch a distribution move, narrow or widen.",
            tuple(
                self._panel(
                    f"plausible{q}", charts.plausible_chart(q, titles[q], groups, *domains[q], WHERE), "slope" if q else ""
                )
                for q in sorted(domains)
            ),
        )
        return [variance, plausible]

    def _lines(self) -> Figure:
        """The sample's OLS and EB lines, on axes that hold every setting's."""
        groups, x, y = self.chapter.variables.groups, self.x_label, self.y_label
        points = self.lines[self.lines["layer"] == "point"]
        segments = self.lines[self.lines["layer"] == "line"]
        domains = (
            _span(pd.concat([points["x"], segments["x"], segments["x2"]]), 0.02),
            _span(pd.concat([points["y"], segments["y"], segments["y2"]]), 0.02),
        )
        sample = self.session.groups.loc[self.session.lines_sample()]
        labels = [f"#{g}, n = {int(r.n)}" for g, r in sample.iterrows()]
        chart = school_lines_chart(
            labels, f"{x} as it enters the model", y, self.levels, domains, WHERE, "datum.level1 == level1"
        )
        return Figure(
            "lines",
            "School lines: OLS vs empirical Bayes",
            f"{len(sample)} {groups}, from the lowest to the highest mean {y}: each one's data, its own least-squares line "
            f"(dashed) and its empirical-Bayes line (solid). The EB line is pulled towards the average line, most where "
            f"a {groups[:-1]} has few students or they vary little in {x}.",
            (self._panel("lines", chart),),
        )

    def _per_school(self) -> list[Figure]:
        """The shrinkage and caterpillar figures: one panel per level-1 coefficient, on axes that hold every setting's."""
        groups, x = self.chapter.variables.groups, self.x_label
        estimates = self.estimates.assign(dev=self.estimates["ols"] - self.estimates["expected"])
        count, n_max = int(estimates["j"].max()) + 1, float(estimates["n"].max()) * 1.05
        shrink, cater = [], []
        for q in sorted(estimates["q"].unique()):
            rows = estimates[estimates["q"] == q]
            name = "β0j, intercepts" if q == 0 else f"β{q}j, {x} slopes"
            span = _span(pd.concat([rows["dev"], rows["u"]]))
            chart = shrinkage_chart(int(q), name, groups, self.levels, span, n_max, WHERE)
            shrink.append(self._panel(f"shrinkage{q}", chart, "slope" if q else ""))
            randoms = rows[rows["random"]]
            band = _span(pd.concat([randoms["u"] - Z95 * randoms["sd"], randoms["u"] + Z95 * randoms["sd"]]))
            chart = caterpillar_chart(int(q), name, groups, self.levels, band, count, WHERE)
            cater.append(self._panel(f"caterpillar{q}", chart, "random_slope" if q else ""))
        shrinkage = Figure(
            "shrinkage",
            f"Shrinkage: small {groups} are pulled hardest",
            f"Each {groups[:-1]}'s own OLS estimate (hollow) and its empirical-Bayes estimate (filled), as distances from "
            "what its level-2 equation predicts, against its number of students; below, the reliability λ_j of its OLS "
            "estimate. The less reliable, the harder the pull towards the prediction.",
            tuple(shrink),
        )
        caterpillar = Figure(
            "caterpillar",
            "Caterpillar plot of the random effects",
            f"Every {groups[:-1]}'s empirical-Bayes random effect, ranked, with its 95% interval from its conditional "
            f"variance. Intervals that cross zero belong to {groups} the data cannot tell from average.",
            tuple(cater),
        )
        return [shrinkage, caterpillar]

    def _centring(self) -> Figure:
        """The centring figure, on axes that hold every setting's lines, intercepts and brackets."""
        groups, x, y = self.chapter.variables.groups, self.x_label, self.y_label
        rows = self.centred
        xs = [v for r in rows for f in ("x", "x2") for v in r[f]] + list(self.session.groups["mean_x"])
        ys = [v for r in rows for f in ("y", "y2", "b0") for v in r[f]]
        ys += [r["gamma00"] + sign * Z95 * r["tau00"] ** 0.5 for r in rows for sign in (-1, 1)]
        chart = centring_chart(x, y, self.levels, (_span(xs, 0.06), _span(ys, 0.02)), f"datum.rest == {REST_PARAM}")
        return Figure(
            "centring",
            "Centring: where the intercept β0j is read",
            f"The same {groups}' empirical-Bayes lines on {x}'s own scale, three times, and a dot for every "
            f"{groups[:-1]}'s intercept β0j where that centring reads it: at {x} = 0 (uncentred), at the grand mean, "
            f"or at the {groups[:-1]}'s own mean. The bracket on the right spans the middle 95% of the dots, "
            "γ00 ± 1.96√τ00.",
            (self._panel("centring", chart),),
        )

    # --- what changes per model -------------------------------------------------
    def _missing(self, result: Result) -> list[str]:
        """What the panels may need that this model lacks: ``"slope"``, ``"random_slope"``."""
        slope = bool(result.model.predictors)
        return [n for n, has in (("slope", slope), ("random_slope", len(result.fit.design.znames) > 1)) if not has]

    def _slots(self, key: str, setting: dict) -> dict[str, str]:
        """The HTML of every part that changes with the model, by slot name (see :mod:`~hlmteach.explore.page`)."""
        r, v, s = self.results[key], self.chapter.variables, self.session
        lines = self.lines[self.lines["setting"] == key]
        slots = {
            "status": captions.status(r),
            "header": header_html(r),
            "note": s.centring_note(setting),
            "tables": tables_html(r),
            "caption-variance": captions.variance(r),
            "caption-plausible": " ".join(captions.plausible(r, q) for q in sorted(r.plausible["panel"].unique())),
            "caption-lines": captions.lines(r, lines, v),
            "caption-shrinkage": " ".join(captions.shrinkage(r, q, v) for q in sorted(r.schools["q"].unique())),
            "caption-caterpillar": " ".join(captions.caterpillar(r, q, v) for q in sorted(r.schools["q"].unique())),
        }
        if self.centring:
            taus = {c: _tau00(s.result({**setting, "level1": c})) for c, _ in CENTRINGS}
            slots["caption-centring"] = captions.centring(taus, s.grand_mean(), v)
        return slots

    def models(self) -> tuple[list[dict[str, str]], dict[str, dict[str, Any]]]:
        """The slots of each distinct model, and per setting key: its model's index, its controls that are off
        (with why) and what its model lacks."""
        index: dict[str, int] = {}
        slots: list[dict[str, str]] = []
        settings = {}
        for key, setting in zip(self.keys, self.settings, strict=True):
            result = self.results[key]
            formula = result.model.formula
            if formula not in index:
                index[formula] = len(slots)
                slots.append(self._slots(key, setting))
            settings[key] = {"model": index[formula], "off": self.chapter.unavailable(setting), "lacks": self._missing(result)}
        return slots, settings

    # --- display ----------------------------------------------------------------
    @property
    def spec(self) -> dict[str, Any]:
        """Every panel in one Vega-Lite chart, with Vega's own inputs bound to the parameters."""
        members, datasets = [], {}
        for figure in self.figures:
            for panel in figure.panels:
                datasets.update(panel.spec["datasets"])
                members.append({k: val for k, val in panel.spec.items() if k not in ("$schema", "config", "datasets", "params")})
        first = self.figures[0].panels[0].spec
        return {
            "$schema": first["$schema"],
            "vconcat": members,
            "spacing": 28,
            "params": [p.param.to_dict() for p in parameters(self.chapter, bound=True)],
            "datasets": datasets,
            "config": first["config"],
            "description": f"Explorer of {self.chapter.title.lower()}: controls choose the model; the panels show its "
            "variance components, plausible values, and each school's OLS and empirical-Bayes estimates.",
        }

    def to_dict(self) -> dict[str, Any]:
        return self.spec

    def _repr_mimebundle_(self, *args: Any, **kwargs: Any) -> Any:
        if alt.renderers.active == RENDERER_NAME:
            return {"text/html": explorer_html(self), "text/plain": f"<{self.chapter.title}: the explorer>"}
        return alt.renderers.get()(self.spec)


def static_explorer(name: str, data: pd.DataFrame | None = None, **variables: object) -> StaticExplorer:
    """The chapter's explorer, every setting precomputed, with controls that work without a kernel.

    ``name`` is a chapter (:data:`hlmteach.explore.controls.CHAPTERS`); ``data`` and
    ``variables`` as for :func:`hlmteach.explore.session.open_session` (HSB by default).
    Display the result (the last value of a cell) to draw it.
    """
    return StaticExplorer(open_session(name, data, **variables))
