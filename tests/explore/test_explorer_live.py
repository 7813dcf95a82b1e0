"""The live (ipywidgets) explorer, without a browser: set each control, read what it rendered.

Each control is set through its widget (as a click would), one at a time from
the chapter's default; the data sets the explorer's chart widgets hold and
the HTML of its tables widget must then show the numbers of a direct hlmteach
fit of the model that setting means (see ``explorer_expect``), and its
per-school charts the direct fit's empirical-Bayes estimates.  Its tables are
the website's HTML, from the same function.  (tests/live/ checks the same in a
real JupyterLab.)
"""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import numpy as np
import pytest

import hlmteach
from hlmteach.explore.controls import CHAPTERS
from hlmteach.explore.live import HTML_PANELS, live
from hlmteach.explore.render import chart_data
from hlmteach.explore.tables import tables_html
from hlmteach.explore.web import static_explorer
from tests.support import explorer_expect as expect


def drawn(explorer) -> dict[str, dict | str]:
    """What each panel's widget holds (what the front end draws): a chart's data sets, the tables' HTML.

    Each tab is selected in turn, because a hidden tab is redrawn when it is selected.
    """
    out: dict[str, dict | str] = {}
    selected = explorer.tabs.selected_index
    for name, widget in explorer.panels.items():
        if name in explorer.tabbed:
            explorer.tabs.selected_index = explorer.tabbed.index(name)
        if name in HTML_PANELS:
            assert isinstance(widget, widgets.HTML), name
            out[name] = widget.value
        else:
            assert isinstance(widget, alt.JupyterChart), name
            out[name] = {"datasets": chart_data(widget)}
    explorer.tabs.selected_index = selected
    return out


def shown(explorer) -> dict[str, list[dict]]:
    specs = drawn(explorer)
    data = specs["overview"]["datasets"]
    icc = data["icc"][0]["icc_text"]
    plausible = [{"panel": q, **r} for q in (0, 1) for r in data.get(f"plausible{q}", [])]
    variance = [{**r, "icc_text": icc} for r in data["variance"]]
    header = data["header"][0]
    return expect.shown_from_html(specs["tables"], header, variance, plausible)


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
        assert ex.panels.keys() == panels.keys() and all(ex.panels[k] is panels[k] for k in panels)  # redrawn in place
    ex.set(**expect.DEFAULTS[name])


@pytest.mark.parametrize("name", ["random_coefficient", "intercepts_slopes"])
def test_school_lines_and_caterpillar_show_the_direct_fit(name, explorers):
    ex = explorer_for(explorers, name)
    setting = {**expect.DEFAULTS[name], "level1": "grand"}
    ex.set(**setting)
    direct = expect.fit(setting)
    coef = direct.hlm_coefficients()
    data = expect.hsb()
    specs = drawn(ex)
    (lines,) = specs["schools"]["datasets"]["lines"]
    (points,) = specs["schools"]["datasets"]["lines_points"]
    assert len(set(points["order"])) == 12 == len(ex.sample)
    for order, group in enumerate(ex.sample):
        rows = data[data["school"] == group]
        ys = [y for o, y in zip(points["order"], points["y"], strict=True) if o == order]
        assert sorted(ys) == pytest.approx(sorted(rows["mAch"]), abs=0.06)  # drawn to 3 significant digits
        for kind, (a, b) in {
            "EB": (coef.loc[group, "(Intercept)"], coef.loc[group, "ses_cgm"]),
            "OLS": np.polynomial.polynomial.polyfit(rows["ses_cgm"], rows["mAch"], 1),
        }.items():
            (i,) = [i for i, (o, k) in enumerate(zip(lines["order"], lines["kind"], strict=True)) if o == order and k == kind]
            for x, y in ((lines["x"][i], lines["y"][i]), (lines["x2"][i], lines["y2"][i])):
                assert y == pytest.approx(a + b * x, abs=0.06), (group, kind)
    u, condvar = direct.ranef(condvar=True)
    for q, column in enumerate(("(Intercept)", "ses_cgm")):
        (effects,) = specs["random_effects"]["datasets"][f"caterpillar{q}"]
        assert effects["u"] == pytest.approx(list(u[column]), abs=0.006)
        assert effects["sd"] == pytest.approx(list(np.sqrt(condvar[:, q, q])), abs=0.006)
    ex.set(**expect.DEFAULTS[name])


def test_tables_are_the_websites_html(explorers):
    """Both front ends show the HTML of one function, for the same setting the same HTML."""
    ex = explorer_for(explorers, "random_coefficient")
    ex.set(level1="grand", random_slope=False)
    website = static_explorer("random_coefficient")
    slots, settings = website.models()
    assert drawn(ex)["tables"] == tables_html(ex.result)
    assert drawn(ex)["tables"] == slots[settings["grand|false"]["model"]]["tables"]
    assert set(drawn(ex)) == {"overview", "tables", "schools", "shrinkage", "random_effects", "centring"}
    ex.set(**expect.DEFAULTS["random_coefficient"])


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
    rows = {r["label"]: r for r in expect.parse_tables(drawn(ex)["tables"])["lme4_fixed"]}
    for term, r in direct.fixed.iterrows():
        assert expect.close(rows[term]["estimate_text"], r["estimate"]), term
    assert len(set(drawn(ex)["schools"]["datasets"]["lines_points"][0]["order"])) == 6
    curves = {r["group"] for r in drawn(ex)["overview"]["datasets"]["plausible0"]}
    assert curves == set(schools["sector"].unique())
