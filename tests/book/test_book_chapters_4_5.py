"""Chapters 4 and 5 of the built book: the random-coefficient and intercepts-and-slopes models.

Reads the built pages (``HLMTEACH_BUILT_HTML``, default ``_build/html``) and
checks that the numbers they state are the package's own results, formatted as
the pages format them, and that the facts the prose asserts (the Catholic
slope is γ10 + γ11, the seed's range comes from rounded inputs, the uncentred
slope lies between the within- and between-school slopes, ...) hold for the
package's estimates.  No expected number is written here: each one is computed
with hlmteach or read from the seed's reference output.

Skips only when the book has not been built (``jupyter-book build -W .``).
"""

from __future__ import annotations

import json
import re

import pytest
from scipy.stats import chi2 as chi2_distribution

import hlmteach
from tests.support.book_html import BUILT_HTML, BookPage, assert_shows, needs_build, read_page

pytestmark = needs_build

RANDOM_COEFFICIENT = "mAch ~ 1 + cses + (1 + cses | school)"
INTERCEPTS_SLOPES = "mAch ~ cses * sector + (1 + cses | school)"
CATHOLIC = {"sectorCatholic": 1}


def chi2_sf(statistic: float, df: int) -> float:
    return float(chi2_distribution.sf(statistic, df))


@pytest.fixture(scope="module")
def rc_page() -> BookPage:
    return read_page("random_coefficient")


@pytest.fixture(scope="module")
def is_page() -> BookPage:
    return read_page("intercepts_slopes")


@pytest.fixture(scope="module")
def rc(hsb):
    return hlmteach.lmer(RANDOM_COEFFICIENT, hsb)


@pytest.fixture(scope="module")
def slopes(hsb):
    return hlmteach.lmer(INTERCEPTS_SLOPES, hsb, hlm_names={"cses": "SES"})


def assert_on_page(page: BookPage, *phrases: str) -> None:
    assert_shows(page.text, *phrases)


# --- chapter 4: the random-coefficient model ----------------------------------------


def test_random_coefficient_plausible_range_at_full_precision(rc_page, rc):
    low, high = hlmteach.plausible_range(rc, "cses")
    assert (low, high) == hlmteach.plausible_value_range(rc.coef["cses"], rc.tau.loc["cses", "cses"])
    assert_on_page(rc_page, f"runs from {low:.3f} to {high:.3f} points", f"From {low:.3f} to {high:.3f} math points")


def test_seed_range_is_left_to_the_comparison_chapter(rc_page):
    assert_on_page(rc_page, "computed from rounded estimates")


def test_random_coefficient_tests_of_slope_variance(rc_page, rc, lme4_reference, hlm7_reference):
    chi = rc.hlm_variance_components().loc["cses"]
    lrt = rc.ranova().iloc[1]
    assert f"{lrt['lrt']:.4f}" == f"{lme4_reference['random_coefficient']['ranova'][1]['LRT']:.4f}"
    ref_chi2 = hlm7_reference["random_coefficient"]["variance"]["cses"]["chi2"]
    assert_on_page(
        rc_page,
        f"χ² = {chi['chi2']:.2f} on {chi['df']} df, p = {chi['p']:.3f}",
        f"LRT = {lrt['lrt']:.4f} on {int(lrt['df'])} df, p = {lrt['p']:.4f}",
        f"χ² = {ref_chi2:.2f}, which gives p = {chi2_sf(ref_chi2, chi['df']):.3f}",
    )
    # both tests reject equal slopes, as the answer says
    assert chi["p"] < 0.05 and lrt["p"] < 0.05
    # the boundary: the mixture's p and critical value, beside what lmerTest prints
    p_mixture = hlmteach.boundary_p_value(lrt["lrt"], 2)
    assert p_mixture < lrt["p"]
    critical = hlmteach.boundary_critical_value(0.05, 2)
    assert_on_page(
        rc_page,
        f"The mixture’s p-value is {p_mixture:.4f}",
        f"critical value is {critical:.2f}, not {chi2_distribution.ppf(0.95, 2):.2f}",
        f"or {p_mixture:.4f} against the mixture",
    )


def test_random_coefficient_hlm7_stopped_early_remark(rc_page, rc, hlm7_reference):
    printed = hlm7_reference["random_coefficient"]["variance"]["cses"]["variance"]
    optimum = float(rc.tau.loc["cses", "cses"])
    assert f"{printed:.5f}" != f"{optimum:.5f}"
    assert_on_page(rc_page, f"slope variance of {printed:.5f} for the same model because it stopped iterating")


def test_uncentred_slope_blends_within_and_between(rc_page, hsb, rc):
    spec = hlmteach.TwoLevelModel("mAch", "school", (hlmteach.Level1Predictor("ses", "none", True),))
    uncentred = float(spec.fit(hsb).coef["ses"])
    within = float(rc.coef["cses"])
    between = float(hlmteach.lmer("mAch ~ 1 + meanses + (1 | school)", hsb).coef["meanses"])
    assert within < uncentred < between
    assert_on_page(rc_page, f"The uncentred slope, {uncentred:.2f}, lies between the within-school slope {within:.2f}")
    assert_on_page(rc_page, f"on mean SES, {between:.2f}")


def test_centring_from_the_research_question(rc_page, hsb):
    within_mean = hlmteach.lmer("mAch ~ cses + meanses + (1 | school)", hsb)
    uncentred = hlmteach.lmer("mAch ~ ses + meanses + (1 | school)", hsb)
    contextual = within_mean.contest({"meanses": 1, "cses": -1}).iloc[0]
    direct = uncentred.contest({"meanses": 1}).iloc[0]
    # the two parameterisations are one model: the same contextual effect and SE
    assert contextual["estimate"] == pytest.approx(direct["estimate"], rel=1e-6)
    assert contextual["se"] == pytest.approx(direct["se"], rel=1e-5)
    g10, g01 = within_mean.coef["cses"], within_mean.coef["meanses"]
    assert contextual["estimate"] == pytest.approx(g01 - g10)
    assert_on_page(
        rc_page,
        f"= {g01:.3f} − {g10:.3f} = {contextual['estimate']:.3f}",
        f"contextual effect: {direct['estimate']:.3f}, standard error {direct['se']:.3f}",
        f"{contextual['estimate']:.3f} with standard error {contextual['se']:.3f}",
        "Enders and Tofighi 2007",
    )


# --- chapter 5: intercepts and slopes as outcomes -----------------------------------


def test_slope_by_sector(is_page, slopes):
    public = hlmteach.expected_coefficient(slopes, "cses")
    catholic = hlmteach.expected_coefficient(slopes, "cses", CATHOLIC)
    gamma = slopes.fixed["estimate"]
    assert public == pytest.approx(gamma["cses"])
    assert catholic == pytest.approx(gamma["cses"] + gamma["cses:sectorCatholic"])
    assert_on_page(
        is_page,
        f"expected to score {public:.2f} points higher",
        f"in Catholic schools, only {catholic:.2f} points higher",
        f"the average SES slope is {public:.2f} points per unit of SES in public schools but {catholic:.2f} in Catholic schools",
    )


def test_gamma11_and_references(is_page, slopes, hlm7_reference):
    g11 = slopes.fixed.loc["cses:sectorCatholic"]
    hlm = slopes.hlm_fixed().loc["cses:sectorCatholic"]
    ref = hlm7_reference["intercepts_slopes"]["fixed"]["cses:sectorCatholic"]["estimate"]
    assert_on_page(
        is_page,
        f"= {g11['estimate']:.2f} (HLM 7’s reference: {ref:.2f}), with t = {g11['t']:.2f} on {g11['df']:.1f} Satterthwaite df",
        f"HLM 7’s robust test gives t = {hlm['t']:.2f} on {hlm['df']} df",
    )


def test_mapping_table_follows_r_order(is_page, slopes):
    hlm = slopes.hlm_fixed()
    tables = [t for t in is_page.tables if t and any("R term (R's order)" in cell for row in t for cell in row)]
    assert len(tables) == 1, "the page should have one table mapping R's terms to the γ's"
    rows = [r for r in tables[0] if r and r[0] in hlm.index]
    assert [r[0] for r in rows] == list(slopes.fixed.index), "rows are not in R's order"
    gammas = [label.split(", ")[1] for label in hlm["label"]]
    assert [r[1] for r in rows] == gammas
    assert [r[2] for r in rows] == [f"For {e}: {lab}" for e, lab in zip(hlm["equation"], hlm["label"], strict=True)]
    # the point of the table: R's order is not HLM 7's equation-by-equation order
    assert gammas != sorted(gammas)


def test_plausible_ranges_by_sector(is_page, slopes):
    public = hlmteach.plausible_range(slopes, "cses")
    catholic = hlmteach.plausible_range(slopes, "cses", CATHOLIC)
    assert_on_page(
        is_page,
        f"between {public[0]:.2f} and {public[1]:.2f}; in 95%",
        f"of Catholic schools between {catholic[0]:.2f} and {catholic[1]:.2f}",
    )
    # the prose: the ranges overlap, and the average Catholic slope lies below the public range
    assert catholic[1] > public[0]
    assert hlmteach.expected_coefficient(slopes, "cses", CATHOLIC) < public[0]


def test_slope_variance_explained_by_sector(is_page, rc, slopes):
    before, after = float(rc.tau.loc["cses", "cses"]), float(slopes.tau.loc["cses", "cses"])
    share = hlmteach.variance_explained(rc, slopes, "cses")
    assert share == pytest.approx((before - after) / before)
    assert_on_page(is_page, f"falls from {before:.3f} to {after:.3f}: sector accounts for {share:.1%}")


def test_intercepts_slopes_tests_disagree(is_page, slopes, lme4_reference, hlm7_reference):
    chi = slopes.hlm_variance_components().loc["cses"]
    lrt = slopes.ranova().iloc[1]
    ref = lme4_reference["intercepts_slopes"]["ranova"][1]
    assert f"{lrt['lrt']:.4f}" == f"{ref['LRT']:.4f}"
    ref_chi2 = hlm7_reference["intercepts_slopes"]["variance"]["cses"]["chi2"]
    assert_on_page(
        is_page,
        f"χ² = {chi['chi2']:.2f} on {chi['df']} df, p = {chi['p']:.3f}",
        f"χ² = {ref_chi2:.2f}, which gives p = {chi2_sf(ref_chi2, chi['df']):.3f}",
        f"LRT = {lrt['lrt']:.4f} on {int(lrt['df'])} df, p = {lrt['p']:.4f}",
    )
    # "the two tests disagree": one is significant at 5%, the other is not
    assert chi["p"] > 0.05 > lrt["p"]


def test_intercepts_slopes_hlm7_stopped_early_remark(is_page, slopes, hlm7_reference):
    printed = hlm7_reference["intercepts_slopes"]["variance"]["cses"]["variance"]
    optimum = float(slopes.tau.loc["cses", "cses"])
    assert_on_page(is_page, f"slope variance of {printed:.5f} for this model where the REML optimum is {optimum:.5f}")


def test_simple_slopes_with_their_uncertainty(is_page, slopes):
    catholic = slopes.contest({"cses": 1, "cses:sectorCatholic": 1}).iloc[0]
    assert catholic["estimate"] == pytest.approx(hlmteach.expected_coefficient(slopes, "cses", CATHOLIC))
    assert catholic["lower"] > 0
    assert_on_page(
        is_page,
        f"standard error {catholic['se']:.3f} ({catholic['df']:.1f} df)",
        f"between {catholic['lower']:.2f} and {catholic['upper']:.2f} with 95% confidence",
        f"(t = {catholic['t']:.2f})",
    )


def test_testing_fixed_effects(is_page, slopes, hsb):
    without = hlmteach.lmer("mAch ~ cses + (1 + cses | school)", hsb)
    ml = hlmteach.anova(without, slopes)
    f = slopes.contest([{"sectorCatholic": 1}, {"cses:sectorCatholic": 1}]).iloc[0]
    assert_on_page(
        is_page,
        f"χ² = {ml['chisq'].iloc[1]:.2f} on {ml['df'].iloc[1]} df (p = {ml['p'].iloc[1]:.1e})",
        f"F = {f['F']:.2f} on {int(f['num_df'])} and {f['den_df']:.1f} df (p = {f['p']:.1e})",
        "refits by ML whenever it is given REML fits",
    )


def test_boundary_p_for_the_remaining_slope_variance(is_page, slopes):
    lrt = slopes.ranova().iloc[1]
    p_mixture = hlmteach.boundary_p_value(lrt["lrt"], 2)
    assert_on_page(
        is_page,
        f"p = {p_mixture:.4f}, not the printed {lrt['p']:.4f}",
        "Raudenbush and Bryk compute it only between models with the same level-1 specification",
    )


# --- both chapters ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["random_coefficient", "intercepts_slopes"])
def test_chapter_sections_equations_and_links(name):
    text = read_page(name).text
    for section in ("Research questions", "The model", "Analysis", "Answers"):
        assert f"{section}#" in text, f"no section {section!r}"
    assert "\\begin{aligned}" in text and "Mixed:" in text, "the equations from TwoLevelModel.latex() are missing"
    html = (BUILT_HTML / "book" / f"{name}.html").read_text(encoding="utf-8")
    for target in (f"explore_{name}.html", f"exercises_{name}.html", "comparison.html"):
        assert f'href="{target}' in html, f"no link to {target}"


@pytest.mark.parametrize("name", ["random_coefficient", "intercepts_slopes"])
def test_charts_have_titles_axes_and_alt_text(name):
    specs = read_page(name).chart_specs()
    assert specs, "the chapter has no chart"
    for spec in specs:
        assert spec.get("description"), "a chart has no alt text (description)"
        assert spec.get("title"), "a chart has no title"
        axis_titles = re.findall(r'"title": ?"([^"]*)"', json.dumps(spec, ensure_ascii=False))
        assert any("(" in t and ")" in t for t in axis_titles), "no axis title names its units"
