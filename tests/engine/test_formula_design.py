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
