"""lmerTest's ``contest`` against recorded lmerTest output (tests/fixtures/make_inference_references.R).

One combination: estimate, SE, Satterthwaite df, t, 95% interval and p (contest1D);
several: the F test with Satterthwaite denominator df (contestMD).  Estimates and
SEs agree to 1e-6 relative; the df to 1e-4 (lmerTest differentiates numerically,
hlmteach exactly, see :mod:`hlmteach.engine.satterthwaite`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hlmteach
from tests.support.files import fixture

REF = fixture("inference_references.json")
FORMULAS = {
    "catholic_slope": "mAch ~ cses * sector + (1 + cses | school)",
    "catholic_mean": "mAch ~ cses * sector + (1 + cses | school)",
    "contextual_difference": "mAch ~ cses + meanses + (1 | school)",
    "contextual_direct": "mAch ~ ses + meanses + (1 | school)",
    "capstone_contextual": "mAch ~ cses * (MEANSES + sector) + (1 + cses | school)",
}


@pytest.fixture(scope="module")
def fits(hsb):
    return {f: hlmteach.lmer(f, hsb) for f in set(FORMULAS.values())}


@pytest.mark.parametrize("name", list(FORMULAS))
def test_one_combination_matches_lmertest(fits, name):
    ref = REF["contest"][name]
    row = hlmteach.contest(fits[FORMULAS[name]], ref["L"]).iloc[0]
    for key in ("estimate", "se", "t", "lower", "upper"):
        assert row[key] == pytest.approx(ref[key], rel=1e-5), key
    assert row["df"] == pytest.approx(ref["df"], rel=1e-4)
    assert row["p"] == pytest.approx(ref["p"], rel=1e-3)


@pytest.mark.parametrize("name", ["sector_both", "all_but_intercept"])
def test_joint_f_test_matches_lmertest(fits, name):
    ref = REF["ftest"][name]
    row = hlmteach.contest(fits[FORMULAS["catholic_slope"]], ref["L"]).iloc[0]
    assert row["num_df"] == ref["num_df"]
    for key in ("F", "sum_sq", "mean_sq"):
        assert row[key] == pytest.approx(ref[key], rel=1e-4), key
    assert row["den_df"] == pytest.approx(ref["den_df"], rel=1e-4)
    assert row["p"] == pytest.approx(ref["p"], rel=1e-2)


def test_named_weights_give_the_same_row_as_a_vector(fits):
    fit = fits[FORMULAS["catholic_slope"]]
    named = fit.contest({"cses": 1, "cses:sectorCatholic": 1})
    vector = hlmteach.contest(fit, [0, 1, 0, 1])
    assert named.index[0] == "cses + cses:sectorCatholic"
    np.testing.assert_allclose(named.to_numpy(), vector.to_numpy(), rtol=1e-12)
    assert named["estimate"].iloc[0] == pytest.approx(hlmteach.expected_coefficient(fit, "cses", {"sectorCatholic": 1}))


def test_one_unit_contrast_is_the_summary_row(fits):
    fit = fits[FORMULAS["catholic_slope"]]
    row = fit.contest({"cses:sectorCatholic": 1}).iloc[0]
    summary = fit.fixed.loc["cses:sectorCatholic"]
    for key in ("estimate", "se", "df", "t", "p"):
        assert row[key] == pytest.approx(summary[key], rel=1e-10)


def test_one_row_jointly_is_t_squared(fits):
    fit = fits[FORMULAS["catholic_slope"]]
    t = fit.contest({"cses": 1, "cses:sectorCatholic": 1}).iloc[0]
    F = fit.contest({"cses": 1, "cses:sectorCatholic": 1}, joint=True).iloc[0]
    assert F["F"] == pytest.approx(t["t"] ** 2) and F["den_df"] == pytest.approx(t["df"]) and F["p"] == pytest.approx(t["p"])


def test_several_rows_separately(fits):
    fit = fits[FORMULAS["catholic_slope"]]
    table = fit.contest([{"sectorCatholic": 1}, {"cses:sectorCatholic": 1}], joint=False)
    assert isinstance(table, pd.DataFrame) and list(table.index) == ["sectorCatholic", "cses:sectorCatholic"]
    assert table["t"].to_numpy() == pytest.approx(fit.fixed["t"].iloc[2:].to_numpy(), rel=1e-10)


def test_rhs_shifts_the_null_value(fits):
    fit = fits[FORMULAS["catholic_slope"]]
    row = fit.contest({"cses": 1}, rhs=2.0).iloc[0]
    assert row["t"] == pytest.approx((fit.coef["cses"] - 2) / fit.fixed.loc["cses", "se"])


@pytest.mark.parametrize(
    ("L", "error", "match"),
    [
        ({"nonsense": 1}, KeyError, "nonsense"),
        ({}, ValueError, "at least one"),
        ([1, 2], ValueError, "4 columns"),
        ([[np.nan, 0, 0, 1]], ValueError, "missing"),
        ("cses", TypeError, "mapping"),
    ],
)
def test_bad_contrasts_get_clear_errors(fits, L, error, match):
    with pytest.raises(error, match=match):
        hlmteach.contest(fits[FORMULAS["catholic_slope"]], L)


def test_bad_level(fits):
    with pytest.raises(ValueError, match="level"):
        hlmteach.contest(fits[FORMULAS["catholic_slope"]], {"cses": 1}, level=95)
