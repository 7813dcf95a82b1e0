"""HLM 7's test of homogeneity of level-1 variance (R&B 2002, ch. 9) against R: the statistic
computed from each school's own ``lm`` fit (tests/fixtures/make_inference_references.R)."""

from __future__ import annotations

import pytest

import hlmteach
from tests.support.files import fixture

REF = fixture("inference_references.json")["homogeneity"]
FORMULAS = {
    "capstone": "mAch ~ cses * (MEANSES + sector) + (1 + cses | school)",
    "unconditional": "mAch ~ 1 + (1 | school)",
    "sex": "mAch ~ cses + sx + (1 + cses | school)",
}


@pytest.mark.parametrize("name", list(FORMULAS))
def test_statistic_matches_r(hsb, name):
    test = hlmteach.level1_homogeneity(hlmteach.lmer(FORMULAS[name], hsb))
    assert test.chi2 == pytest.approx(REF[name]["chi2"], rel=1e-9)
    assert test.df == REF[name]["df"]
    assert test.p == pytest.approx(REF[name]["p"], rel=1e-6)


def test_single_sex_schools_are_left_out_and_said_so(hsb):
    test = hlmteach.level1_homogeneity(hlmteach.lmer(FORMULAS["sex"], hsb))
    assert (test.used, test.groups) == (123, 160)
    assert "based on only 123 of 160 units" in str(test)
    assert len(test.by_group) == 123


def test_min_df_drops_small_schools(hsb):
    fit = hlmteach.lmer(FORMULAS["capstone"], hsb)
    small = int((hsb.groupby("school", observed=True).size() - 2 < 40).sum())
    assert hlmteach.level1_homogeneity(fit, min_df=40).used == 160 - small
    with pytest.raises(ValueError, match="min_df"):
        hlmteach.level1_homogeneity(fit, min_df=0)
