"""The built introduction and chapters 1–2 (the unconditional and means-as-outcomes models).

Each page must exist, show the numbers the package computes (formatted as the
page formats them), quote the seed's HLM 7 and lme4 reference values beside
them, and state only facts the package's own computation supports.  Every
chart on these pages must have a title and a description (alt text).

Skips only when the book has not been built (``jupyter-book build -W .``);
set ``HLMTEACH_BUILT_HTML`` to test a site built elsewhere.
"""

from __future__ import annotations

import numpy as np
import pytest

import hlmteach
from hlmteach.explore.render import RENDERER_NAME
from tests.support.book_html import assert_shows, needs_build, read_page

PAGES = {
    "intro": "Two-level models with HLM 7, lme4 and hlmteach",
    "unconditional": "The unconditional model",
    "means_as_outcomes": "Regression with means-as-outcomes",
}

pytestmark = needs_build


@pytest.fixture(scope="module")
def text():
    """Each page's visible text with whitespace collapsed, by page name."""
    return {name: read_page(name).text for name in PAGES}


@pytest.fixture(scope="module")
def fits(hsb):
    unconditional = hlmteach.TwoLevelModel(outcome="mAch", group="school")
    means = hlmteach.TwoLevelModel(outcome="mAch", group="school", intercept_level2=("MEANSES",))
    return {
        "unconditional": unconditional.fit(hsb),
        "means": means.fit(hsb),
        "means_r": hlmteach.lmer("mAch ~ 1 + meanses + (1 | school)", hsb),
    }


@pytest.mark.parametrize("name", list(PAGES))
def test_page_exists_with_its_title(name):
    assert read_page(name).titles("h1") == [PAGES[name]]


@pytest.mark.parametrize("name", list(PAGES))
def test_charts_have_titles_and_alt_text(name):
    page = read_page(name)
    specs = page.chart_specs()
    assert specs, f"{name}: no chart drawn by the {RENDERER_NAME} renderer"
    for spec in specs:
        assert spec.get("title"), f"{name}: a chart has no title"
        assert len(spec.get("description", "")) > 40, f"{name}: a chart has no real description (alt text)"


@pytest.mark.parametrize("name", ["unconditional", "means_as_outcomes"])
def test_model_chapters_have_the_four_sections_and_links(name):
    page = read_page(name)
    assert page.titles("h2") == ["Research questions", "The model", "Analysis", "Answers", "Explore and practise"]
    for section in (f"explore_{name}.html", f"exercises_{name}.html"):
        assert any(link.split("#")[0] == section for link in page.links), f"{name}: no link to {section}"


def test_intro_describes_the_two_files_and_the_merge(text, hsb):
    students, schools = hlmteach.hsb_students(), hlmteach.hsb_schools()
    merged = hlmteach.merge_levels(students, schools, "school")
    assert len(merged) == len(students) == len(hsb)
    catholic = int((schools["sector"] == "Catholic").sum())
    assert_shows(text["intro"], f"{len(students):,d} students in {len(schools)} US high schools", f"{catholic} are Catholic")
    assert_shows(text["intro"], "merge_levels", "Make MDM", "hsb_students()", "hsb_schools()", "load_hsb()")


def test_intro_explains_cses_and_the_two_school_means(text, hsb):
    # cses is group-mean-centred ses and meanses the sample mean, as the page says ...
    assert np.allclose(hsb["cses"], hlmteach.center(hsb, "ses", "group", group="school"))
    assert np.allclose(hsb["meanses"], hlmteach.group_means(hsb, "ses", "school"))
    # ... and the school file's MEANSES differs from it, as the page's example shows.
    first = hsb.iloc[0]
    assert round(first["meanses"], 3) != round(first["MEANSES"], 3)
    assert_shows(text["intro"], f"For school {first['school']} the sample mean is {first['meanses']:.4f}")
    assert_shows(text["intro"], f"the school file says {first['MEANSES']:.3f}")


def test_intro_centring_moves_each_school_mean_to_zero(hsb):
    group_centred = hlmteach.center(hsb, "ses", "group", group="school")
    grand_centred = hlmteach.center(hsb, "ses", "grand")
    assert np.allclose(group_centred.groupby(hsb["school"], observed=True).mean(), 0)
    # grand-mean centring shifts every school by the same amount
    shift = (hsb["ses"] - grand_centred).groupby(hsb["school"], observed=True).mean()
    assert np.allclose(shift, shift.iloc[0])


def test_unconditional_estimates(text, fits, lme4_reference, hlm7_reference):
    fit = fits["unconditional"]
    page = text["unconditional"]
    g00 = fit.coef["(Intercept)"]
    tau00 = fit.tau.iloc[0, 0]
    assert_shows(page, f"= {g00:.3f}", f"= {tau00:.3f}", f"= {fit.sigma2:.3f}")
    hlm7, lme4 = hlm7_reference["unconditional"], lme4_reference["unconditional"]
    assert_shows(page, f"{hlm7['fixed']['(Intercept)']['estimate']:.6f}", f"{lme4['fixed']['(Intercept)']['Estimate']:.4f}")
    assert f"{g00:.3f}" == f"{hlm7['fixed']['(Intercept)']['estimate']:.3f}"
    hlm_fixed = fit.hlm_fixed().loc["(Intercept)"]
    lmertest = fit.fixed.loc["(Intercept)"]
    assert_shows(page, f"{lmertest['se']:.4f}", f"{hlm_fixed['se']:.6f}", f"({lmertest['df']:.1f})")
    assert_shows(page, f"({int(hlm_fixed['df'])})", f"{fit.hlm_reliability.iloc[0]:.3f} on average")


def test_unconditional_grand_mean_is_a_weighted_mean(text, fits, hsb):
    g00 = fits["unconditional"].coef["(Intercept)"]
    student_mean = hsb["mAch"].mean()
    school_mean = hsb.groupby("school", observed=True)["mAch"].mean().mean()
    assert min(student_mean, school_mean) < g00 < max(student_mean, school_mean)
    assert_shows(text["unconditional"], f"({student_mean:.3f})", f"({school_mean:.3f})")
    low, high = hlmteach.plausible_range(fits["unconditional"])
    assert_shows(text["unconditional"], f"from {low:.1f} to {high:.1f}")


def test_unconditional_icc(text, fits, lme4_reference):
    fit = fits["unconditional"]
    rho = hlmteach.icc(fit)
    assert_shows(text["unconditional"], f"= {rho:.3f}", f"about {rho:.0%} of the", f"other {1 - rho:.0%} lies")
    # The page's "about 18%" is the lme4 reference's ICC too.
    ref = {row["grp"]: row["vcov"] for row in lme4_reference["unconditional"]["varcorr"]}
    assert round(rho, 2) == round(ref["school"] / (ref["school"] + ref["Residual"]), 2)
    assert 1 / 6 < rho < 1 / 5, "the page says nearly a fifth of the variance lies between schools"


def test_unconditional_three_tests_of_tau00(text, fits, hsb, lme4_reference, hlm7_reference):
    fit = fits["unconditional"]
    page = text["unconditional"]
    components = fit.hlm_variance_components().loc["(Intercept)"]
    lrt = fit.ranova()["lrt"].iloc[1]
    comparison = hlmteach.anova(hlmteach.lm("mAch ~ 1", hsb), fit)
    chisq = comparison["chisq"].iloc[1]
    assert_shows(page, f"χ² = {components['chi2']:.2f} on {int(components['df'])} df", f"LRT = {lrt:.2f} on 1 df")
    assert_shows(page, f"χ² = {chisq:.2f}", f"{fit.refit(reml=False).loglik:.3f}")
    assert_shows(page, f"{hlm7_reference['unconditional']['variance']['(Intercept)']['chi2']:.5f}")
    lme4 = lme4_reference["unconditional"]
    assert_shows(page, f"{lme4['ranova'][1]['LRT']:.2f}", f"{lme4['ml_loglik']:.3f}")
    # The page's by-hand formula is HLM 7's statistic.
    by_school = hsb.groupby("school", observed=True)["mAch"].agg(["mean", "size"])
    by_hand = (by_school["size"] * (by_school["mean"] - fit.coef["(Intercept)"]) ** 2).sum() / fit.sigma2
    assert by_hand == pytest.approx(components["chi2"], rel=1e-9)
    # REML and ML likelihood ratios differ, and all three tests reject τ00 = 0.
    assert f"{lrt:.2f}" != f"{chisq:.2f}"
    assert max(components["p"], fit.ranova()["p"].iloc[1], comparison["p"].iloc[1]) < 0.001


def test_means_as_outcomes_two_intercepts(text, fits, lme4_reference, hlm7_reference):
    page = text["means_as_outcomes"]
    hlm_fit, r_fit = fits["means"], fits["means_r"]
    hlm7 = hlm7_reference["means_as_outcomes"]["fixed"]
    lme4 = lme4_reference["means_as_outcomes"]["fixed"]
    assert_shows(page, f"{hlm_fit.coef['(Intercept)']:.6f} with MEANSES", f"{r_fit.coef['(Intercept)']:.4f} with meanses")
    assert_shows(page, f"{hlm7['(Intercept)']['estimate']:.6f}", f"{lme4['(Intercept)']['Estimate']:.4f}")
    # hlmteach reproduces each program's intercept from that program's variable
    assert f"{hlm_fit.coef['(Intercept)']:.5f}" == f"{hlm7['(Intercept)']['estimate']:.5f}"
    assert f"{r_fit.coef['(Intercept)']:.4f}" == f"{lme4['(Intercept)']['Estimate']:.4f}"
    # ... and the same slope from both
    assert f"{hlm_fit.coef['MEANSES']:.5f}" == f"{r_fit.coef['meanses']:.5f}"
    assert_shows(page, f"{hlm_fit.coef['MEANSES']:.4f}", f"{hlm7['MEANSES']['estimate']:.6f}")


def test_means_as_outcomes_leaves_the_shift_to_the_comparison_chapter(text):
    assert_shows(text["means_as_outcomes"], "accounts for the whole gap between the two intercepts")


def test_means_as_outcomes_centring_changes_only_the_intercept(text, hsb):
    centred = hsb.assign(
        MEANSES_gc=hlmteach.center(hsb, "MEANSES", "grand"),
        meanses_gc=hlmteach.center(hsb, "meanses", "grand"),
    )
    raw = hlmteach.lmer("mAch ~ 1 + MEANSES + (1 | school)", centred)
    a = hlmteach.lmer("mAch ~ 1 + MEANSES_gc + (1 | school)", centred)
    b = hlmteach.lmer("mAch ~ 1 + meanses_gc + (1 | school)", centred)
    assert a.coef.iloc[1] == pytest.approx(raw.coef.iloc[1], rel=1e-6)
    assert a.tau.iloc[0, 0] == pytest.approx(raw.tau.iloc[0, 0], rel=1e-6)
    assert f"{a.coef.iloc[0]:.4f}" == f"{b.coef.iloc[0]:.4f}"
    assert_shows(text["means_as_outcomes"], f"same intercept, {a.coef.iloc[0]:.4f} and {b.coef.iloc[0]:.4f}")


def test_means_as_outcomes_answers(text, fits, hsb, hlm7_reference):
    page = text["means_as_outcomes"]
    base, fit, r_fit = fits["unconditional"], fits["means"], fits["means_r"]
    explained = hlmteach.variance_explained(base, fit)
    assert_shows(
        page, f"{explained:.1%} of the between-school variance", f"{hlmteach.variance_explained(base, r_fit):.1%} with R"
    )
    assert_shows(page, f"falls from {base.tau.iloc[0, 0]:.3f} to {fit.tau.iloc[0, 0]:.3f}")
    assert_shows(
        page, f"from {base.sigma2:.3f} to {fit.sigma2:.3f}", f"{hlmteach.icc(fit):.3f}, is down from {hlmteach.icc(base):.3f}"
    )
    assert_shows(page, f"= {fit.coef['MEANSES']:.2f} points per unit of mean SES")
    hlm_fixed = fit.hlm_fixed().loc["MEANSES"]
    assert_shows(page, f"t = {hlm_fixed['t']:.2f} on {int(hlm_fixed['df'])} df", f"t = {fit.fixed.loc['MEANSES', 't']:.2f}")
    components = fit.hlm_variance_components().loc["(Intercept)"]
    assert_shows(page, f"χ² = {components['chi2']:.2f} on {int(components['df'])} df", f"LRT = {fit.ranova()['lrt'].iloc[1]:.2f}")
    assert_shows(page, f"{hlm7_reference['means_as_outcomes']['variance']['(Intercept)']['chi2']:.5f}")
    # The page's claims: σ² hardly moves, reliability falls, Catholic schools lie above the line.
    assert abs(fit.sigma2 - base.sigma2) < 0.01 * base.sigma2
    assert fit.hlm_reliability.iloc[0] < base.hlm_reliability.iloc[0]
    assert_shows(page, f"from {base.hlm_reliability.iloc[0]:.3f} to {fit.hlm_reliability.iloc[0]:.3f}")
    schools = hsb.groupby("school", observed=True).agg(
        sector=("sector", "first"), MEANSES=("MEANSES", "first"), mean_math=("mAch", "mean")
    )
    residual = schools["mean_math"] - fit.coef["(Intercept)"] - fit.coef["MEANSES"] * schools["MEANSES"]
    by_sector = residual.groupby(schools["sector"], observed=True).mean()
    assert by_sector["Catholic"] > 0 > by_sector["Public"]
