"""The live (ipywidgets) explorer, without a browser: set each control, read what it rendered.

Each control is set through its widget (as a click would), one at a time from
the chapter's default; the Vega-Lite specs the explorer put into its chart
widgets and the HTML of its tables widget must then show the numbers of a
direct hlmteach fit of the model that setting means (see ``explorer_expect``),
and its per-school charts the direct fit's empirical-Bayes estimates.
(tests/live/ checks the same in a real JupyterLab.)
"""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import numpy as np
import pytest

import hlmteach
from hlmteach.explore.controls import CHAPTERS
from hlmteach.explore.live import HTML_PANELS, PANELS, TABBED, live
from hlmteach.explore.render import chart_data
from tests.support import explorer_expect as expect
from tests.support.html_tables import table_rows


def drawn(explorer) -> dict[str, dict]:
    """The data sets each chart widget holds (what the front end draws), by panel, each tab selected in turn."""
    out = {}
    selected = explorer.tabs.selected_index
    for name, widget in explorer.panels.items():
        if name not in HTML_PANELS:
            if name in TABBED:
                explorer.tabs.selected_index = TABBED.index(name)  # a hidden tab is redrawn when it is selected
            assert isinstance(widget, alt.JupyterChart), name
            out[name] = {"datasets": chart_data(widget)}
    explorer.tabs.selected_index = selected
    return out


def shown(explorer) -> dict[str, list[dict]]:
    data = drawn(explorer)["overview"]["datasets"]
    tables = explorer.panels["tables"]
    assert isinstance(tables, widgets.HTML)
    return {**{name: expect.body_rows(data[name]) for name in ("header", "variance", "plausible")}, **table_rows(tables.value)}


@pytest.fixture(scope="module")
def explorers():
    return {}


def explorer_for(explorers: dict, name: str):
    if name not in explorers:
        explorers[name] = live(name)
    return explorers[name]


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_control_refits_and_redraws_what_a_direct_fit_gives(name, explorers):
    ex = explorer_for(explorers, name)
    panels = dict(ex.panels)
    for setting in expect.one_at_a_time(name):
        for control, value in setting.items():
            ex.controls[control].value = value  # the widget's observer refits, as on a click
        assert ex.setting == setting
        failures = expect.check(setting, shown(ex))
        assert not failures, f"{name} {setting}:\n  " + "\n  ".join(failures)
        assert all(ex.panels[k] is panels[k] for k in PANELS)  # redrawn in place
    ex.set(**expect.DEFAULTS[name])


@pytest.mark.parametrize("name", ["random_coefficient", "intercepts_slopes"])
def test_school_lines_and_caterpillar_show_the_direct_fit(name, explorers):
    ex = explorer_for(explorers, name)
    setting = {**expect.DEFAULTS[name], "level1": "grand"}
    ex.set(**setting)
    direct = expect.fit(setting)
    coef = direct.coefficients()
    data = expect.hsb()
    specs = drawn(ex)
    schools = specs["schools"]["datasets"]["schools"]
    groups = {r["group"] for r in schools}
    assert len(groups) == 12
    for group in groups:
        rows = data[data["school"] == group]
        points = [r for r in schools if r["group"] == group and r["layer"] == "point"]
        assert sorted(r["y"] for r in points) == pytest.approx(sorted(rows["mAch"]))
        for kind, (a, b) in {
            "Empirical Bayes": (coef.loc[group, "(Intercept)"], coef.loc[group, "ses_cgm"]),
            "OLS, this group alone": np.polynomial.polynomial.polyfit(rows["ses_cgm"], rows["mAch"], 1),
        }.items():
            ends = [r for r in schools if r["group"] == group and r["kind"] == kind]
            assert len(ends) == 2
            for r in ends:
                assert r["y"] == pytest.approx(a + b * r["x"], abs=1e-8), (group, kind)
    u = direct.ranef()
    effects = specs["random_effects"]["datasets"]["random_effects"]
    assert len(effects) == u.size
    for r in effects:
        column = "(Intercept)" if r["effect"].startswith("INTRCPT1") else "ses_cgm"
        assert r["u"] == pytest.approx(u.loc[r["group"], column], abs=1e-9)
        assert r["lo"] < r["u"] < r["hi"]
    ex.set(**expect.DEFAULTS[name])


def test_equations_follow_the_model(explorers):
    ex = explorer_for(explorers, "intercepts_slopes")
    ex.set(slope_by="none")
    assert r"\gamma_{11}" not in ex.equations.value
    assert "ses_cwc + sector" in ex.equations.value
    ex.set(slope_by="sector+MEANSES")
    assert r"\gamma_{12}\text{MEANSES}_{j}" in ex.equations.value
    ex.set(**expect.DEFAULTS["intercepts_slopes"])


def test_set_changes_several_controls_with_one_redraw(explorers, monkeypatch):
    ex = explorer_for(explorers, "intercepts_slopes")
    calls = []
    original = ex.update
    monkeypatch.setattr(ex, "update", lambda: (calls.append(1), original())[1])
    ex.set(level1="none", random_slope=False, intercept_by="MEANSES")
    assert calls == [1]
    assert expect.check(ex.setting, shown(ex)) == []
    with pytest.raises(ValueError, match="not an option"):
        ex.set(level1="out")
    with pytest.raises(KeyError, match="no control named"):
        ex.set(centring="group")
    monkeypatch.undo()
    ex.set(**expect.DEFAULTS["intercepts_slopes"])


def test_own_data_merged_from_two_files():
    students, schools = hlmteach.hsb_students(), hlmteach.hsb_schools()
    data = hlmteach.merge_levels(students, schools, "school")
    ex = live(
        "intercepts_slopes",
        data,
        outcome="mathach",
        group="school",
        predictor="ses",
        level2=("sector", "meanses"),
        labels={"mathach": "MATHACH", "ses": "SES"},
        groups="schools",
        sample=6,
    )
    assert [w.description for w in ex.controls.values()][:1] == ["Centring of SES"]
    ex.set(intercept_by="sector+meanses", slope_by="meanses")
    direct = hlmteach.lmer(
        "mathach ~ 1 + ses_cwc + sector + meanses + ses_cwc:meanses + (1 + ses_cwc | school)",
        data.assign(ses_cwc=data["ses"] - data.groupby("school")["ses"].transform("mean")),
    )
    rows = {r["label"]: r for r in table_rows(ex.panels["tables"].value)["lme4_fixed"]}
    for term, r in direct.fixed.iterrows():
        assert expect.close(rows[term]["estimate_text"], r["estimate"]), term
    assert len({r["group"] for r in drawn(ex)["schools"]["datasets"]["schools"]}) == 6
    curves = {r["group"] for r in drawn(ex)["overview"]["datasets"]["plausible"] if r["panel"] == 0}
    assert curves == set(schools["sector"].unique())
