"""Formula parsing and model matrices: R's term order, coding and names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hlmteach
from hlmteach.engine.design import build_design
from hlmteach.engine.formula import parse_formula


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("mAch ~ 1 + (1 | school)", []),
        ("mAch ~ cses * sector + (1 + cses | school)", ["cses", "sector", "cses:sector"]),
        ("mAch ~ cses + sector + cses:sector + (cses | school)", ["cses", "sector", "cses:sector"]),
        ("mAch ~ sector:cses + cses + (1 | school)", ["cses", "sector:cses"]),
        ("mAch ~ (cses + ses) * sector - ses:sector + (1 | school)", ["cses", "ses", "sector", "cses:sector"]),
        ("mAch ~ a * b * c + (1 | g)", ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"]),
    ],
)
def test_terms_in_r_order(text, fixed):
    f = parse_formula(text)
    assert [f.term_label(t) for t in f.terms] == fixed


def test_intercepts():
    assert parse_formula("y ~ x + (1 | g)").intercept
    assert not parse_formula("y ~ x - 1 + (1 | g)").intercept
    assert not parse_formula("y ~ 0 + x + (1 | g)").intercept
    bar = parse_formula("y ~ x + (0 + x | g)").random[0]
    assert not bar.intercept and bar.text == "(0 + x | g)"
    assert parse_formula("y ~ x + (x | g)").random[0].intercept


def test_backquoted_names():
    """R names a non-syntactic column with backquotes (its term is `` `ses value` ``); the grouping
    factor keeps its column name."""
    f = parse_formula("`math score` ~ `ses value` + (1 | `school id`)")
    assert f.response == "`math score`" and f.group == "school id"
    assert [f.term_label(t) for t in f.terms] == ["`ses value`"]


def test_column_names_match_r(hsb):
    d = build_design(parse_formula("mAch ~ cses * sector + minrty + (1 + cses | school)"), hsb)
    assert d.xnames == ("(Intercept)", "cses", "sectorCatholic", "minrtyYes", "cses:sectorCatholic")
    assert d.znames == ("(Intercept)", "cses")


def test_factor_without_its_main_effect_gets_indicator_coding(hsb):
    """R's rule: cses:sector without sector codes sector by one indicator per level."""
    d = build_design(parse_formula("mAch ~ cses:sector + (1 | school)"), hsb)
    assert d.xnames == ("(Intercept)", "cses:sectorPublic", "cses:sectorCatholic")
    d = build_design(parse_formula("mAch ~ 0 + sector + (1 | school)"), hsb)
    assert d.xnames == ("sectorPublic", "sectorCatholic")


def test_hlm_structure(hsb):
    """Each fixed column knows its level-1 coefficient and level-2 predictor."""
    d = build_design(parse_formula("mAch ~ cses * sector + MEANSES + (1 + cses | school)"), hsb)
    levels = d.levels
    assert levels.coefficients == ("(Intercept)", "cses")
    assert dict(zip(d.xnames, zip(levels.level1, levels.level2, strict=True), strict=True)) == {
        "(Intercept)": ("(Intercept)", ""),
        "cses": ("cses", ""),
        "sectorCatholic": ("(Intercept)", "sectorCatholic"),
        "MEANSES": ("(Intercept)", "MEANSES"),
        "cses:sectorCatholic": ("cses", "sectorCatholic"),
    }
    schools = hlmteach.hsb_schools().set_index("school")
    np.testing.assert_allclose(levels.W[:, 3], schools.loc[list(d.group_levels), "meanses"])
    assert levels.columns_of("(Intercept)") == [0, 2, 3] and levels.columns_of("cses") == [1, 4]
    assert levels.level2_of("(Intercept)") == ["sectorCatholic", "MEANSES"] and levels.level2_of("cses") == ["sectorCatholic"]
    assert levels.column_of("cses", "sectorCatholic") == 4 and levels.index("cses") == 1
    with pytest.raises(KeyError, match="MEANSES"):
        levels.column_of("cses", "MEANSES")


def test_level1_factor_is_a_level1_coefficient(hsb):
    d = build_design(parse_formula("mAch ~ minrty + (1 | school)"), hsb)
    assert d.levels.coefficients == ("(Intercept)", "minrtyYes")


def test_bool_and_integer_predictors():
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"y": rng.normal(size=60), "flag": np.tile([True, False, False], 20)})
    data = data.assign(k=rng.integers(0, 5, 60), g=np.repeat(range(6), 10))
    d = build_design(parse_formula("y ~ flag + k + (1 | g)"), data)
    assert d.xnames == ("(Intercept)", "flagTRUE", "k")


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("y ~ I(x * 1e6 + w) + I(x/1000) + I(-x+2*w) + (1 | g)", ["I(x * 1e+06 + w)", "I(x/1000)", "I(-x + 2 * w)"]),
        (
            "y ~ I(1e-7*x) + I(x*123456789) + I(x*0.1) + I(100000 * x) + (1 | g)",
            ["I(1e-07 * x)", "I(x * 123456789)", "I(x * 0.1)", "I(1e+05 * x)"],
        ),
        ("y ~ poly(x,2) + poly(x, 3, raw=TRUE) + log( z ) + (1 | g)", ["poly(x, 2)", "poly(x, 3, raw = TRUE)", "log(z)"]),
        ("y ~ (a + b + c)^2 + (1 | g)", ["a", "b", "c", "a:b", "a:c", "b:c"]),
        ("y ~ (a + b + c)^2 - a:b + (1 | g)", ["a", "b", "c", "a:c", "b:c"]),
        ("y ~ w:x + (x | g)", ["w:x"]),  # the fixed part's own order, as lme4's nobars() formula has it
        ("y ~ größe + `a b` + (1 | g)", ["größe", "`a b`"]),
        ("y ~ x + + w + (1 | g)", ["x", "w"]),  # unary plus, as R allows
    ],
)
def test_terms_are_named_as_r_deparses_them(text, fixed):
    f = parse_formula(text)
    assert [f.term_label(t) for t in f.terms] == fixed


@pytest.mark.parametrize(
    ("text", "intercept", "random"),
    [
        ("y ~ x + (-1 + x | g)", True, [("(-1 + x | g)", False)]),
        ("y ~ x + (x - 1 | g)", True, [("(x - 1 | g)", False)]),
        ("y ~ x + 0 + (1 | g)", False, [("(1 | g)", True)]),
        ("y ~ x - 1 + (0 + x | g)", False, [("(0 + x | g)", False)]),
        ("y ~ 0 + x - 0 + (1 | g)", True, [("(1 | g)", True)]),  # R: '- 0' puts the intercept back
        ("y ~ x + (x || g)", True, [("(1 | g)", True), ("(0 + x | g)", False)]),
        ("y ~ x + (0 + x + w || g)", True, [("(0 + x | g)", False), ("(0 + w | g)", False)]),
        ("y ~ x + (1 | g) + (0 + x | g)", True, [("(1 | g)", True), ("(0 + x | g)", False)]),
    ],
)
def test_intercepts_and_random_terms(text, intercept, random):
    f = parse_formula(text)
    assert f.intercept is intercept
    assert [(r.text, r.intercept) for r in f.random] == random


def test_dot_is_every_other_column_but_the_grouping_factor():
    f = parse_formula("log(y) ~ . - w + (1 | g)", columns=["g", "y", "x", "w", "z"])
    assert [f.term_label(t) for t in f.terms] == ["x", "z"] and not f.dot
    assert parse_formula("y ~ . + (1 | g)").dot  # expanded by build_design, which knows the columns


def test_dot_expands_on_the_data(hsb):
    data = hsb[["mAch", "cses", "sector", "school"]]
    assert build_design(parse_formula("mAch ~ . + (1 | school)"), data).xnames == ("(Intercept)", "cses", "sectorCatholic")


def test_poly_and_scale_are_rs(hsb):
    """poly(x, 2) is orthonormal, and each column correlates positively with its power; scale(x) has mean 0, SD 1."""
    d = build_design(parse_formula("mAch ~ poly(ses, 2) + (1 | school)"), hsb)
    P = d.X[:, 1:3]
    np.testing.assert_allclose(P.T @ P, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(P.sum(axis=0), 0, atol=1e-10)
    ses = hsb["ses"].to_numpy()
    assert np.corrcoef(P[:, 0], ses)[0, 1] > 0.99 and (P[:, 1] @ (ses - ses.mean()) ** 2) > 0
    z = build_design(parse_formula("mAch ~ scale(ses) + (1 | school)"), hsb).X[:, 1]
    assert z.mean() == pytest.approx(0, abs=1e-12) and z.std(ddof=1) == pytest.approx(1)
