"""The formula syntax lme4 users type, against lme4 1.1-31 + lmerTest 3.1-3 fits of the same models
(tests/fixtures/lme4_syntax_models.json, recorded by make_lme4_syntax.R): -1 and + 0 anywhere,
functions of columns on either side of ~, poly(), scale(), (a + b)^2, ., non-ASCII and backquoted
names, ||, several random terms for one factor, ordered factors, names that collide, random terms
without an intercept and boundary fits.

hlmteach must name every coefficient as R does, reach lme4's optimum (or a lower criterion where
lme4 stops short) and give the same estimates; at a boundary it must land on θ = 0 exactly.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import hlmteach
from tests.support.r_datasets import SYNTAX, r_dataset


def fit_model(name: str) -> hlmteach.Fit:
    ref = SYNTAX[name]
    data = r_dataset(ref["data"])
    if name == "dot":  # R's '.' would also take the grouping factor; hlmteach's leaves it out
        data = data[["y", "x", "v", "w", "g"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hlmteach.lmer(ref["formula"], data, reml=ref["reml"])


@pytest.fixture(scope="module")
def fits() -> dict[str, hlmteach.Fit]:
    return {name: fit_model(name) for name in SYNTAX}


@pytest.mark.parametrize("name", list(SYNTAX))
def test_fit_matches_lme4(fits, name):
    ref, fit = SYNTAX[name], fits[name]
    assert fit.converged
    assert list(fit.fixed.index) == [row["term"] for row in ref["fixed"]]
    assert fit.deviance <= ref["criterion"] + 1e-6  # never a worse optimum than lme4's
    assert fit.deviance == pytest.approx(ref["criterion"], abs=1e-4)
    assert fit.singular == ref["singular"]
    for k, row in enumerate(ref["fixed"]):
        assert fit.fixed["estimate"].iloc[k] == pytest.approx(row["Estimate"], rel=1e-4, abs=1e-6)
        assert fit.fixed["se"].iloc[k] == pytest.approx(row["Std. Error"], rel=1e-4)
        if "df" in row:
            assert fit.fixed["df"].iloc[k] == pytest.approx(row["df"], rel=2e-3)
    for mine, theirs in zip(fit.varcorr.itertuples(), ref["varcorr"], strict=True):
        assert [None if pd.isna(v) else v for v in (mine.grp, mine.var1, mine.var2)] == [
            theirs["grp"],
            theirs["var1"],
            theirs["var2"],
        ]
        if theirs["var2"] is None:  # a variance
            assert mine.vcov == pytest.approx(theirs["vcov"], rel=1e-3, abs=1e-8)
        else:  # a covariance: compare the correlation (near-zero covariances sit in a flat direction)
            assert mine.sdcor == pytest.approx(theirs["sdcor"], abs=2e-3)


@pytest.mark.parametrize("name", ["dyestuff2", "tiny", "dyestuff2_ml"])
def test_boundary_is_landed_on_exactly(fits, name):
    """lme4 reaches θ = 0 exactly for these singular fits, and so must hlmteach (not 1e-9 above it)."""
    assert SYNTAX[name]["theta"] == 0
    fit = fits[name]
    assert fit.theta.tolist() == [0.0]
    assert fit.tau.iloc[0, 0] == 0.0
    assert fit.ranova()["lrt"].iloc[1] == 0.0  # the model without the term is the same model


def test_uncorrelated_random_effects_are_two_blocks(fits):
    """(Days || Subject) is (1 | Subject) + (0 + Days | Subject): τ is diagonal, θ has two entries."""
    a, b = fits["double_bar_sleepstudy"], fits["two_terms_sleepstudy"]
    assert a.design.blocks == (1, 1) and len(a.theta) == 2
    assert a.tau.iloc[0, 1] == 0.0
    np.testing.assert_allclose(a.theta, b.theta, rtol=1e-10)
    assert [r.text for r in a.design.formula.random] == ["(1 | Subject)", "(0 + Days | Subject)"]


def test_block_diagonal_tau(fits):
    fit = fits["block_diagonal"]
    assert fit.design.blocks == (2, 1)
    T = fit.tau.to_numpy()
    assert T[0, 2] == T[1, 2] == 0.0 and T[0, 1] != 0.0


def test_ordered_factor_gets_polynomial_contrasts(fits):
    """R's contr.poly(3): .L = (−1, 0, 1)/√2, .Q = (1, −2, 1)/√6."""
    d = fits["ordered_factor"].design
    data = r_dataset("sim")
    L, Q = d.X[:, d.xnames.index("o.L")], d.X[:, d.xnames.index("o.Q")]
    codes = data["o"].cat.codes.to_numpy()
    np.testing.assert_allclose(L, np.array([-1, 0, 1])[codes] / np.sqrt(2), atol=1e-15)
    np.testing.assert_allclose(Q, np.array([1, -2, 1])[codes] / np.sqrt(6), atol=1e-15)


def test_columns_with_colliding_names_stay_apart(fits):
    """A dummy f1 of factor f and a numeric column f1: two columns, both named f1 as in R."""
    fit = fits["dummy_name_equals_column"]
    assert list(fit.design.xnames) == ["(Intercept)", "f1", "f1"]
    data = r_dataset("sim")
    np.testing.assert_array_equal(fit.design.X[:, 1], (data["f"] == "1").astype(float))
    np.testing.assert_array_equal(fit.design.X[:, 2], data["f1"])


def test_lme4_coef_is_r_coef_and_hlm_coefficients_add_level2_terms(fits):
    fit, ref = fits["hsb_coef"], SYNTAX["hsb_coef"]["coef"]
    ours = fit.lme4_coef()
    assert list(ours.columns) == ref["columns"]
    np.testing.assert_allclose(ours.loc[ref["rows"]].to_numpy(), np.array(ref["values"]), rtol=2e-4)
    beta = fit.hlm_coefficients()
    catholic = fit.design.levels.W[:, fit.design.levels.column_of("(Intercept)", "sectorCatholic")] == 1
    gamma = fit.coef
    np.testing.assert_allclose(
        beta["(Intercept)"] - ours["(Intercept)"], np.where(catholic, gamma["sectorCatholic"], 0.0), atol=1e-12
    )
    with pytest.warns(DeprecationWarning, match="hlm_coefficients"):
        old = fit.coefficients()
    pd.testing.assert_frame_equal(old, beta)


def test_lme4_coef_puts_random_effects_without_fixed_ones_first(fits):
    """(0 + Machine | Worker) has MachineA, which the fixed part lacks: lme4 adds it at 0, first."""
    coef = fits["no_intercept_machines"].lme4_coef()
    assert list(coef.columns) == ["MachineA", "(Intercept)", "MachineB", "MachineC"]
    u = fits["no_intercept_machines"].ranef()
    np.testing.assert_allclose(coef["MachineA"], u["MachineA"])
