"""The explorers' one definition of controls: options, defaults, keys and the model each setting means."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest

import hlmteach
from hlmteach.explore.controls import CHAPTERS, Variables, chapter, hsb_variables
from hlmteach.explore.session import open_session
from tests.support import explorer_expect as expect

SEED_MODEL = {
    "unconditional": "unconditional",
    "means_as_outcomes": "means_as_outcomes_hlm_meanses",
    "random_coefficient": "random_coefficient",
    "intercepts_slopes": "intercepts_slopes",
}


@pytest.mark.parametrize("name", CHAPTERS)
def test_controls_offer_the_options_of_the_chapter(name):
    ch = chapter(name)
    assert ch.default == expect.DEFAULTS[name]
    inputs = {"level1": "radio", "random_slope": "checkbox", "slope_by": "select"}
    inputs["intercept_by"] = "checkbox" if name == "means_as_outcomes" else "select"
    for control in ch.controls:
        assert [o.value for o in control.options] == expect.options(name, control.name)
        assert control.input == inputs[control.name]
        assert control.label.strip()


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_setting_once_default_first_with_distinct_keys(name):
    ch = chapter(name)
    settings = ch.settings()
    assert len(settings) == math.prod(len(c.options) for c in ch.controls)
    assert settings[0] == ch.default
    keys = [ch.key(s) for s in settings]
    assert len(set(keys)) == len(keys)
    assert ch.key(ch.default) == "|".join(("true" if v else "false") if isinstance(v, bool) else v for v in ch.default.values())


@pytest.mark.parametrize("name", CHAPTERS)
def test_each_setting_means_the_model_written_out_by_hand(name):
    ch = chapter(name)
    for setting in ch.settings():
        model = ch.model(setting)
        assert expect._terms(model.formula) == expect._terms(expect.formula(setting)), setting


@pytest.mark.parametrize("name", CHAPTERS)
def test_the_default_setting_is_the_seed_model(name, lme4_reference):
    session = open_session(name)
    result = session.result(session.chapter.default)
    reference = lme4_reference[SEED_MODEL[name]]
    estimates = result.fit.coef.rename(lambda term: term.replace("ses_cwc", "cses"))
    for term, row in reference["fixed"].items():
        assert estimates[term] == pytest.approx(row["Estimate"], rel=1e-5, abs=1e-6), term
    assert result.fit.sigma == pytest.approx(reference["sigma"], rel=1e-5)


def test_a_random_slope_without_the_predictor_is_the_model_without_it():
    ch = chapter("means_as_outcomes")
    assert ch.model({"level1": "out", "random_slope": True, "intercept_by": False}).formula == "mAch ~ 1 + (1 | school)"


def test_bad_settings_and_chapters_are_refused():
    ch = chapter("random_coefficient")
    with pytest.raises(ValueError, match="not an option of 'level1'"):
        ch.model({"level1": "out", "random_slope": True})
    with pytest.raises(ValueError, match="no value for control 'random_slope'"):
        ch.key({"level1": "group"})
    with pytest.raises(ValueError, match="unknown chapter"):
        chapter("chapter_six")
    with pytest.raises(ValueError, match="needs at least one level-2 predictor"):
        chapter("intercepts_slopes", Variables("y", "g", "x"))
    with pytest.raises(ValueError, match="cannot contain"):
        Variables("y", "g", "x", ("a+b",))


def test_other_variables_get_the_same_controls_with_their_names():
    v = Variables("score", "class", "hours", ("track", "size", "mean_hours"), {"score": "SCORE"}, "classes")
    ch = chapter("intercepts_slopes", v)
    select = next(c for c in ch.controls if c.name == "slope_by")
    assert len(select.options) == 8
    assert select.options[-1].label == "track and size and mean_hours"
    assert select.default == "track"
    model = ch.model({**ch.default, "intercept_by": "size+mean_hours", "level1": "grand"})
    assert model.formula == "score ~ 1 + hours_cgm + size + mean_hours + hours_cgm:track + (1 + hours_cgm | class)"
    three = chapter("means_as_outcomes", v)
    assert next(c for c in three.controls if c.name == "intercept_by").input == "select"
    assert chapter("means_as_outcomes", hsb_variables("means_as_outcomes")).controls[2].input == "checkbox"


def test_a_session_fits_each_model_once_to_the_complete_rows():
    students, schools = hlmteach.hsb_students(), hlmteach.hsb_schools()
    data = hlmteach.merge_levels(students, schools, "school")
    data.loc[:4, "ses"] = float("nan")
    with pytest.warns(UserWarning, match="leaves out 5 rows"):
        session = open_session("random_coefficient", data, outcome="mathach", group="school", predictor="ses", level2=["sector"])
    assert len(session.data) == len(data) - 5
    first = session.result(session.chapter.default)
    assert session.result(dict(session.chapter.default)).fit is first.fit
    direct = session.chapter.model(session.chapter.default).fit(data.dropna(subset=["ses"]))
    pd.testing.assert_series_equal(first.fit.coef, direct.coef)
    assert first.fit.sigma2 == pytest.approx(direct.sigma2, rel=1e-10)


def test_sessions_refuse_confused_arguments():
    with pytest.raises(TypeError, match="pass data= too"):
        open_session("unconditional", outcome="mAch")
    with pytest.raises(TypeError, match="name its variables"):
        open_session("unconditional", hlmteach.load_hsb())
    with pytest.raises(KeyError, match="no column 'score'"):
        open_session("unconditional", hlmteach.load_hsb(), outcome="score", group="school", predictor="ses")


def test_subset_options_cover_every_combination():
    ch = chapter("intercepts_slopes")
    values = [o.value for o in ch.controls[2].options]
    combos = {"+".join(c) or "none" for r in range(3) for c in itertools.combinations(("sector", "MEANSES"), r)}
    assert set(values) == combos


@pytest.mark.parametrize("name", CHAPTERS)
def test_rb_baselines_keep_the_level1_part_and_drop_the_level2_predictors(name):
    ch = chapter(name)
    for setting in ch.settings():
        assert expect._terms(ch.baseline(setting).formula) == expect._terms(expect.tau_baseline(setting)), setting
    assert ch.unconditional().formula == expect.UNCONDITIONAL


def test_controls_that_change_nothing_say_why():
    ch = chapter("means_as_outcomes")
    assert ch.unavailable({"level1": "out", "random_slope": True, "intercept_by": True}) == {
        "random_slope": "SES is not in the model"
    }
    assert ch.unavailable({"level1": "grand", "random_slope": True, "intercept_by": True}) == {}
    assert chapter("random_coefficient").key({"level1": "grand", "random_slope": True}, ("level1",)) == "true"
    assert chapter("random_coefficient").key_expr(("level1",)) == "'' + random_slope"


def test_figures_colour_by_a_two_valued_level2_variable_only():
    data = hlmteach.merge_levels(hlmteach.hsb_students(), hlmteach.hsb_schools(), "school")
    roles = dict(outcome="mathach", group="school", predictor="ses", level2=("sector", "meanses"))
    session = open_session("intercepts_slopes", data, **roles)
    assert session.colour_by == "sector" and session.colour_levels == ["Catholic", "Public"]  # R's level order of text
    assert session.two_valued == {}  # sector is categorical; meanses has 160 values
    with pytest.raises(ValueError, match="colour_by='meanses' must be a level-2 variable with two values"):
        open_session("intercepts_slopes", data, colour_by="meanses", **roles)
    with pytest.raises(ValueError, match="'ses' varies within schools"):
        open_session("intercepts_slopes", data, colour_by="ses", **{**roles, "groups": "schools"})
