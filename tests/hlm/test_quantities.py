"""The chapter-4 answers the package computes: ICC, variance explained, plausible-value ranges."""

from __future__ import annotations

import numpy as np
import pytest

import hlmteach


def test_icc_is_the_seeds_018(seed_fits):
    fit = seed_fits["unconditional"]
    value = hlmteach.icc(fit)
    assert value == pytest.approx(fit.tau.iloc[0, 0] / (fit.tau.iloc[0, 0] + fit.sigma2))
    assert round(value, 4) == 0.1804  # the seed: 8.614 / (8.614 + 39.148) = 0.1803526


def test_variance_explained_by_meanses(seed_fits):
    base, fit = seed_fits["unconditional"], seed_fits["means_as_outcomes"]
    share = hlmteach.variance_explained(base, fit)
    assert share == pytest.approx(1 - fit.tau.iloc[0, 0] / base.tau.iloc[0, 0])
    assert round(share, 3) == 0.694  # the seed: 69.36%
    assert hlmteach.variance_explained(base, fit, "Residual") == pytest.approx(1 - fit.sigma2 / base.sigma2)
    with pytest.raises(KeyError, match="'cses' is not a random effect"):
        hlmteach.variance_explained(base, fit, "cses")


def test_plausible_range_of_slopes(seed_fits):
    """Full precision gives 0.560 to 3.826; the seed's 0.557 to 3.823 come from its rounded 2.19 and 0.694."""
    fit = seed_fits["random_coefficient"]
    low, high = hlmteach.plausible_range(fit, "cses")
    gamma, tau = fit.coef["cses"], fit.tau.loc["cses", "cses"]
    assert (low, high) == pytest.approx((gamma - 1.959964 * np.sqrt(tau), gamma + 1.959964 * np.sqrt(tau)), abs=1e-5)
    assert (round(low, 3), round(high, 3)) == (0.560, 3.826)
    seed_low, seed_high = hlmteach.plausible_value_range(round(gamma, 2), round(tau, 3))
    assert (round(seed_low, 3), round(seed_high, 3)) == (0.557, 3.823)
    assert isinstance(low, float) and isinstance(seed_high, float)


def test_catholic_slope_and_its_range(seed_fits):
    fit = seed_fits["intercepts_slopes"]
    public = hlmteach.expected_coefficient(fit, "cses")
    catholic = hlmteach.expected_coefficient(fit, "cses", {"sectorCatholic": 1})
    assert public == pytest.approx(fit.coef["cses"])
    assert catholic == pytest.approx(fit.coef["cses"] + fit.coef["cses:sectorCatholic"])
    assert (round(public, 2), round(catholic, 2)) == (2.80, 1.46)
    low, high = hlmteach.plausible_range(fit, "cses", {"sectorCatholic": 1})
    assert (low + high) / 2 == pytest.approx(catholic)
    with pytest.raises(KeyError, match="do not predict 'cses'"):
        hlmteach.expected_coefficient(fit, "cses", {"MEANSES": 1})
    with pytest.raises(KeyError, match="not a level-1 coefficient"):
        hlmteach.expected_coefficient(fit, "ses")


def test_range_needs_a_random_effect_and_a_valid_level(seed_fits):
    fit = seed_fits["means_as_outcomes"]
    with pytest.raises(ValueError, match="has no random effect"):
        hlmteach.plausible_range(fit, "meanses")
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        hlmteach.plausible_value_range(0.0, 1.0, level=95)
    with pytest.raises(ValueError, match="cannot be negative"):
        hlmteach.plausible_value_range(0.0, -1.0)


def test_icc_needs_a_random_intercept(hsb):
    fit = hlmteach.lmer("mAch ~ cses + (0 + cses | school)", hsb)
    with pytest.raises(ValueError, match="needs a random intercept"):
        hlmteach.icc(fit)


def test_criterion_given_variances(seed_fits):
    fit = seed_fits["random_coefficient"]
    T = fit.tau.to_numpy()
    at_optimum, corr = hlmteach.criterion_given_variances(fit, np.diag(T), fit.sigma2)
    assert at_optimum == pytest.approx(fit.deviance, abs=1e-6)
    assert corr == pytest.approx(T[0, 1] / np.sqrt(T[0, 0] * T[1, 1]), abs=1e-4)
    hlm = hlmteach.seed_outputs()["hlm7"]["random_coefficient"]["variance"]
    at_hlm, _ = hlmteach.criterion_given_variances(
        fit, [hlm["(Intercept)"]["variance"], hlm["cses"]["variance"]], hlm["Residual"]["variance"]
    )
    assert 0 < at_hlm - fit.deviance < 0.05  # HLM 7 stopped short, but only just
    with pytest.raises(ValueError, match="give 2 positive variances"):
        hlmteach.criterion_given_variances(fit, [1.0], 1.0)
