"""The χ̄² reference distribution of a likelihood-ratio test that deletes a random slope,
against values recorded in R (tests/fixtures/make_inference_references.R)."""

from __future__ import annotations

import pytest

import hlmteach
from tests.support.files import fixture

REF = fixture("inference_references.json")


@pytest.mark.parametrize("model", ["random_coefficient", "intercepts_slopes", "capstone"])
def test_mixture_p_values(model):
    ref = REF["boundary"][model]
    assert hlmteach.boundary_p_value(ref["lrt"], 2) == pytest.approx(ref["p_mixture"], rel=1e-10)
    assert hlmteach.chibar2_sf(ref["lrt"], [0, 0, 1]) == pytest.approx(ref["p_chi2"], rel=1e-10)


def test_critical_value_is_5_14():
    assert hlmteach.boundary_critical_value(0.05, 2) == pytest.approx(REF["mixture_critical_05"], abs=1e-8)
    assert round(hlmteach.boundary_critical_value(), 2) == 5.14


def test_random_intercept_alone_halves_the_chi2_p():
    p = hlmteach.chibar2_sf(3.0, [0, 1])
    assert hlmteach.boundary_p_value(3.0, 1) == pytest.approx(p / 2)
    assert hlmteach.boundary_p_value(0.0, 1) == pytest.approx(1.0)


def test_ranova_boundary_column(seed_fits, lme4_reference):
    for name in ("random_coefficient", "intercepts_slopes"):
        table = hlmteach.ranova_boundary(seed_fits[name])
        assert table["p"].iloc[1] == pytest.approx(lme4_reference[name]["ranova"][1]["p"], rel=1e-4)
        assert table["p_boundary"].iloc[1] == pytest.approx(REF["boundary"][name]["p_mixture"], rel=1e-4)
        assert table["p_boundary"].iloc[1] < table["p"].iloc[1]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: hlmteach.boundary_p_value(1.0, 0), "at least 1"),
        (lambda: hlmteach.chibar2_sf(1.0, [0.2, 0.2]), "sum to 1"),
        (lambda: hlmteach.chibar2_sf(float("nan"), [0.5, 0.5]), "finite"),
        (lambda: hlmteach.boundary_critical_value(0.7), "alpha"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
