"""The built "side by side" and "How REML works" chapters.

Each number the prose states must be the package's own result (or the seed's
reference value it quotes), formatted as the page formats it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import hlmteach
from tests.support.book_html import assert_shows, needs_build, read_page

pytestmark = needs_build


@pytest.fixture(scope="module")
def comparison():
    return read_page("comparison")


@pytest.fixture(scope="module")
def reml():
    return read_page("reml")


def test_comparison_titles_and_tables(comparison):
    assert comparison.titles("h1") == ["HLM 7, lme4 and hlmteach side by side"]
    assert "Why the numbers differ" in comparison.titles("h2")
    headers = [" ".join(t[0]) for t in comparison.tables if t]
    side_by_side = [h for h in headers if "HLM 7 (seed)" in h and "hlmteach, lme4's way" in h]
    assert len(side_by_side) == 4, "one side-by-side table per seed model"


def test_comparison_tables_hold_every_printed_hlm7_number(comparison, hsb):
    """Each HLM 7 value the seed prints appears in a table next to hlmteach's value for it."""
    cells = {cell for table in comparison.tables for row in table for cell in row}
    for name, model in hlmteach.seed_outputs()["hlm7"].items():
        fit = hlmteach.lmer(model["formula"], hsb)
        robust = fit.hlm_fixed()
        for term, row in model["fixed"].items():
            assert f"{row['estimate']:.8g}" in cells and f"{robust.loc[term, 'estimate']:.8g}" in cells, (name, term)
            assert f"{row['se']:.8g}" in cells and f"{robust.loc[term, 'se']:.8g}" in cells, (name, term)
        variance = fit.hlm_variance_components()
        for effect, row in model["variance"].items():
            assert f"{row['variance']:.8g}" in cells and f"{variance.loc[effect, 'variance']:.8g}" in cells, (name, effect)


def test_comparison_reasons(comparison, seed_fits, hsb):
    m1 = seed_fits["unconditional"]
    robust, model = m1.hlm_fixed()["se"].iloc[0], m1.fixed["se"].iloc[0]
    lrt = m1.ranova()["lrt"].iloc[1]
    ml_chisq = hlmteach.anova(hlmteach.lm("mAch ~ 1", hsb), m1)["chisq"].iloc[1]
    chi2 = m1.hlm_variance_components().loc["(Intercept)", "chi2"]
    assert_shows(comparison.text, f"{robust:.6f} (robust) and {model:.6f} (model-based)")
    assert_shows(comparison.text, f"{chi2:.2f} on 159 degrees of freedom", f"LRT = {lrt:.2f}", f"{ml_chisq:.2f}")
    m4 = seed_fits["intercepts_slopes"]
    p_chi2 = m4.hlm_variance_components().loc["cses", "p"]
    p_lrt = m4.ranova()["p"].iloc[1]
    assert p_chi2 > 0.05 > 0.01 > p_lrt  # the two tests disagree, as the prose says
    assert_shows(comparison.text, f"{p_chi2:.3f}", f"{p_lrt:.4f}")


def test_comparison_hlm7_stopping_gaps(comparison, seed_fits):
    hlm7 = hlmteach.seed_outputs()["hlm7"]
    for name in ["random_coefficient", "intercepts_slopes"]:
        fit = seed_fits[name]
        ref = hlm7[name]["variance"]
        at_hlm, _ = hlmteach.criterion_given_variances(
            fit, [ref[e]["variance"] for e in fit.design.znames], ref["Residual"]["variance"]
        )
        gap = at_hlm - fit.deviance
        assert 0 < gap < 0.1
        assert_shows(comparison.text, f"{gap:.4f}")


def test_comparison_two_meanses(comparison, seed_fits):
    hlm_way, lme4_way = seed_fits["means_as_outcomes_hlm_meanses"], seed_fits["means_as_outcomes"]
    assert_shows(comparison.text, f"{hlm_way.coef.iloc[0]:.3f}", f"{lme4_way.coef.iloc[0]:.3f}")
    assert hlm_way.coef.iloc[1] == pytest.approx(lme4_way.coef.iloc[1], abs=1e-3)


def test_comparison_meanses_shift_explains_the_gap(comparison, seed_fits, hsb):
    schools = hsb.groupby("school", observed=True)[["MEANSES", "meanses"]].first()
    difference = schools["meanses"] - schools["MEANSES"]
    # MEANSES has three decimals, and the shift is the same sign in every school
    assert np.allclose(schools["MEANSES"] * 1000, np.round(schools["MEANSES"] * 1000))
    assert (difference < 0).all()
    assert difference.max() - difference.min() <= 1e-3 + 1e-12
    assert_shows(comparison.text, f"between {difference.min():.4f} and {difference.max():.4f}")
    hlm_fit, r_fit = seed_fits["means_as_outcomes_hlm_meanses"], seed_fits["means_as_outcomes"]
    gap = r_fit.coef["(Intercept)"] - hlm_fit.coef["(Intercept)"]
    predicted = -hlm_fit.coef["MEANSES"] * difference.mean()
    assert f"{gap:.4f}" == f"{predicted:.4f}"
    assert_shows(comparison.text, f"= {predicted:.4f}", f"intercepts, {gap:.4f}")


def test_comparison_seed_range_is_ours_from_rounded_inputs(comparison, seed_fits, lme4_reference):
    rc = seed_fits["random_coefficient"]
    gamma10, tau11 = float(rc.coef["cses"]), float(rc.tau.loc["cses", "cses"])
    seed_low, seed_high = hlmteach.plausible_value_range(round(gamma10, 2), round(tau11, 3))
    seed_range = f"{seed_low:.3f} to {seed_high:.3f}"
    # lme4's own estimates, rounded the same way, give the same printed range: it is the seed's
    ref = lme4_reference["random_coefficient"]
    ref_tau11 = next(v["vcov"] for v in ref["varcorr"] if v["var1"] == "cses" and v["var2"] is None)
    ref_low, ref_high = hlmteach.plausible_value_range(round(ref["fixed"]["cses"]["Estimate"], 2), round(ref_tau11, 3))
    assert f"{ref_low:.3f} to {ref_high:.3f}" == seed_range
    low, high = hlmteach.plausible_range(rc, "cses")
    assert f"{low:.3f} to {high:.3f}" != seed_range
    assert_shows(comparison.text, f"slopes as {seed_range}", f"{round(gamma10, 2):.2f} ± 1.96·√{round(tau11, 3):.3f}")


def test_comparison_df_rule_and_parameter_counts(comparison, seed_fits, hsb):
    minority = hlmteach.lmer("mAch ~ minrty + (1 | school)", hsb).hlm_fixed()
    capstone_fixed = hlmteach.lmer("mAch ~ cses * (MEANSES + sector) + (1 | school)", hsb).hlm_fixed()
    assert minority.loc["minrtyYes", "df"] == hsb.shape[0] - 2
    assert_shows(
        comparison.text,
        f"MINORITY slope (exercise 1.5) gets {minority.loc['minrtyYes', 'df']} df",
        f"capstone’s last model {capstone_fixed.loc['cses', 'df']}",
        "2285 for the slope",
    )
    m4 = seed_fits["intercepts_slopes"]
    assert m4.npar == 8
    assert_shows(comparison.text, f"{m4.npar} for the intercepts-and-slopes model", "σ²: 4")
    p_mixture = hlmteach.boundary_p_value(float(m4.ranova()["lrt"].iloc[1]), 2)
    assert_shows(comparison.text, f"{p_mixture:.4f} here")


def test_reml_chapter_numbers(reml, seed_fits, lme4_reference):
    fit = seed_fits["unconditional"]
    ml = seed_fits["unconditional_ml"]
    theta = float(fit.theta[0])
    assert theta == pytest.approx(np.sqrt(fit.tau.iloc[0, 0] / fit.sigma2))
    assert_shows(
        reml.text,
        f"{theta:.5f}",
        f"{fit.reml_criterion:.4f}",
        f"lme4 reports {lme4_reference['unconditional']['reml_criterion']:.4f}",
        f"{fit.tau.iloc[0, 0]:.3f}",
        f"{ml.tau.iloc[0, 0]:.3f}",
    )
    assert ml.tau.iloc[0, 0] < fit.tau.iloc[0, 0]  # ML's estimate is the smaller, as the prose says


def test_reml_chapter_plot(reml, seed_fits):
    """The criteria near their optimum: the whole bowl, then a zoom in which both minima are marked and apart."""
    specs = reml.chart_specs()
    assert len(specs) == 2 and all(s["title"] and len(s["description"]) > 40 for s in specs)
    tau = {"REML": seed_fits["unconditional"].tau.iloc[0, 0], "ML": seed_fits["unconditional_ml"].tau.iloc[0, 0]}
    zoom = json.dumps(specs[1], ensure_ascii=False)
    for name, value in tau.items():
        assert f"{name}: {value:.3f}" in zoom, f"the {name} minimum is not marked"
    curves = [r for rows in specs[1]["datasets"].values() for r in rows if "excess" in r and "label" not in r]
    assert max(r["excess"] for r in curves) < 0.1  # close enough to the bottom that the two minima are apart
    assert {r["criterion"] for r in curves} == {"REML", "ML"}
