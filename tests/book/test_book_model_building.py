"""The capstone's and the model-building chapter's new statements, against the package's own numbers.

The capstone: R&B's Table 4.5 beside the fit (and the σ² that reproduces both
printed χ²), the mixture p-value for switching u1j off, what "no evidence"
can and cannot say, and the homogeneity test.  The model-building chapter:
the singular fit, the cost of dropping a varying slope, the homogeneity test.
Skips only when the book has not been built.
"""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import chi2

import hlmteach
from tests.support.book_html import assert_shows, needs_build, read_page

pytestmark = needs_build
CAPSTONE = "mAch ~ cses * (MEANSES + sector) + (1 + cses | school)"
CAPSTONE_FIXED = "mAch ~ cses * (MEANSES + sector) + (1 | school)"


@pytest.fixture(scope="module")
def capstone(hsb):
    return hlmteach.lmer(CAPSTONE, hsb)


def test_table_4_5_beside_the_fit(capstone):
    page = read_page("capstone").text
    textbook = hlmteach.textbook_table_4_5()
    assert textbook["formula"] == CAPSTONE
    ours = capstone.hlm_variance_components()
    for effect, row in textbook["variance"].items():
        # the variances agree to the printed digits; the χ² statistics do not
        assert round(ours.loc[effect, "variance"], 2) == row["variance"]
        assert ours.loc[effect, "df"] == row["df"]
        assert 0 < abs(ours.loc[effect, "chi2"] - row["chi2"]) < 0.5
    needed = capstone.sigma2 * ours.loc["(Intercept)", "chi2"] / textbook["variance"]["(Intercept)"]["chi2"]
    u1 = ours.loc["cses", "chi2"] * capstone.sigma2 / needed
    assert abs(u1 - textbook["variance"]["cses"]["chi2"]) < 0.01  # one σ² explains both gaps
    assert_shows(page, f"gives R&B's χ² for u0: {needed:.3f}", f"the χ² for u1 is {u1:.2f} (R&B print 162.30)")


def test_capstone_slope_test_and_what_it_cannot_say(capstone, hsb):
    page = read_page("capstone").text
    fixed = hlmteach.lmer(CAPSTONE_FIXED, hsb)
    lrt = fixed.deviance - capstone.deviance
    p = hlmteach.boundary_p_value(lrt, 2)
    assert p > 0.05
    assert_shows(page, f"p = {p:.3f} against ½χ²(1) + ½χ²(2)", f"p = {chi2.sf(lrt, 2):.3f})")
    sd = capstone.tau.loc["cses", "cses"] ** 0.5
    assert 0.25 < sd < 0.4  # "about a third of a point per unit of SES"
    assert capstone.hlm_reliability["cses"] < 0.1  # "so unreliable"
    assert_shows(
        page,
        "a choice of parsimony, not a finding",
        f"reliability of a school's SES slope: {capstone.hlm_reliability['cses']:.3f}",
    )
    # the fixed-slope model's slope coefficients are tested on the level-1 df
    assert_shows(page, f"{int(fixed.hlm_fixed().loc['cses', 'df'])}")


def test_capstone_homogeneity(capstone, hsb):
    page = read_page("capstone").text
    test = hlmteach.level1_homogeneity(capstone)
    assert_shows(page, f"Chi-square statistic = {test.chi2:.5f}", f"Number of degrees of freedom = {test.df}")
    by_sector = pd.Series(capstone.residuals**2).groupby(hsb["sector"].to_numpy(), observed=True).mean()
    assert by_sector["Catholic"] < by_sector["Public"]  # "students vary less ... in Catholic schools"
    assert test.p < 0.001  # "far above its degrees of freedom"


def test_model_building_singular_fit_and_the_cost_of_a_fixed_slope(hsb):
    page = read_page("model_building").text
    public = hsb[hsb["sector"] == "Public"]
    with pytest.warns(UserWarning, match="singular"):
        fit = hlmteach.lmer("mAch ~ cses * MEANSES + (1 + cses | school)", public)
    assert fit.singular
    corr = fit.varcorr.query("var2 == 'cses'")["sdcor"].iloc[0]
    test = hlmteach.ranova_boundary(fit).iloc[1]
    assert test["p_boundary"] < 0.05  # "the slope variance itself seems real"
    assert_shows(page, f"estimated at {corr:.3f}", f"LRT = {test['lrt']:.2f}, p = {test['p_boundary']:.3f}")
    random, fixed = hlmteach.lmer("mAch ~ cses + (1 + cses | school)", hsb), hlmteach.lmer("mAch ~ cses + (1 | school)", hsb)
    shrink = 1 - fixed.fixed.loc["cses", "se"] / random.fixed.loc["cses", "se"]
    assert shrink > 0.1
    assert abs(fixed.hlm_fixed().loc["cses", "se"] / random.fixed.loc["cses", "se"] - 1) < 0.05  # robust SE stays close
    assert_shows(
        page,
        f"{shrink:.0%} smaller",
        f"jump from {random.fixed.loc['cses', 'df']:.0f}",
        f"to {fixed.fixed.loc['cses', 'df']:.0f}",
    )
    homogeneity = hlmteach.level1_homogeneity(hlmteach.lmer(CAPSTONE, hsb))
    assert_shows(page, f"statistic is {homogeneity.chi2:.2f} on {homogeneity.df} df")
