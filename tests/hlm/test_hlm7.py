"""``hlmteach.hlm7``: HLM 7's estimation emulated, against HLM 7's printouts of the seed's four models.

The unconditional model must be reproduced exactly: every printed digit of
both tables and HLM's iteration count (4, printed by an HLM 6 run of the same
model).  For the other three the emulation is approximate; its distance from
each printed figure is recorded in ``tests/fixtures/hlm7_fidelity.json``
(``make_hlm7_fidelity.py``) and may only shrink.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hlmteach

FIDELITY = json.loads((Path(__file__).parents[1] / "fixtures" / "hlm7_fidelity.json").read_text(encoding="utf-8"))
MODELS = ["unconditional", "means_as_outcomes", "random_coefficient", "intercepts_slopes"]


@pytest.fixture(scope="module")
def hlm7_fits(hsb, hlm7_reference):
    return {name: hlmteach.hlm7(hlm7_reference[name]["formula"], hsb) for name in MODELS}


def test_unconditional_model_reproduces_every_printed_digit(hlm7_fits, hlm7_reference):
    fit = hlm7_fits["unconditional"]
    table = hlmteach.compare_printout(fit, hlm7_reference["unconditional"])
    assert len(table) == 12  # γ00: coefficient, SE, t, df, p; u0: SD, variance, df, χ², p; r: SD, variance
    assert table["matches"].all(), table.loc[~table["matches"], ["printed", "shown"]]
    assert fit.n_iterations == 4
    assert fit.converged and fit.stop_reason == "Iterations stopped due to small change in likelihood function"


def test_unconditional_printout_lines(hlm7_fits):
    text = hlm7_fits["unconditional"].hlm_summary()
    for line in (
        " STARTING VALUES",
        " σ²(0) = 39.14163",
        " Iterations stopped due to small change in likelihood function",
        " Final Results - Iteration 4",
        " σ² = 39.14831",
        " INTRCPT1,β0          8.61431",
        # the value HLM 6 prints for this model at its iteration 4
        " The value of the log-likelihood function at iteration 4 = -2.355840E+004",
        "    INTRCPT2, γ00          12.636972   0.243628    51.870      159   <0.001",
        "INTRCPT1, u0            2.93501     8.61431   159   1660.23259   <0.001",
        "level-1, r              6.25686    39.14831",
        "INTRCPT1, β0                  0.901",
    ):
        assert line in text.splitlines(), line
    assert text.index("STARTING VALUES") < text.index("Iterations stopped") < text.index("Final estimation of fixed effects")


@pytest.mark.parametrize("name", MODELS)
def test_distance_from_the_printout_does_not_grow(hlm7_fits, hlm7_reference, name):
    table = hlmteach.compare_printout(hlm7_fits[name], hlm7_reference[name])
    recorded = FIDELITY[name]
    assert hlm7_fits[name].n_iterations == recorded["iterations"]
    assert set(recorded["matched"]) <= set(table.index[table["matches"]]), "a figure that was reproduced no longer is"
    bounds = pd.Series(recorded["relative_difference"])
    rel = table["relative difference"].dropna()
    assert set(rel.index) == set(bounds.index)
    worse = rel[rel > bounds[rel.index]]
    assert worse.empty, f"{name}: further from HLM 7's printout than recorded:\n{worse}"


def test_every_model_stops_on_hlms_criterion_and_reports_its_last_iterate(hlm7_fits):
    for fit in hlm7_fits.values():
        assert fit.converged
        it = fit.iterations
        last, previous = it.iloc[-1], it.iloc[-2]
        assert abs(last["change"]) < 1e-8 * abs(last["loglik"]) <= abs(previous["change"])
        tau = fit.tau_matrix
        assert it.filter(like="tau[").iloc[-1].to_numpy() == pytest.approx(tau[np.triu_indices(len(tau))])
        assert last["sigma2"] == fit.sigma2
        assert fit.coef.to_numpy() == pytest.approx(it.filter(like="gamma[").iloc[-1].to_numpy(), rel=0)
        assert fit.hlm_variance_components()["variance"].to_numpy() == pytest.approx([*np.diag(tau), fit.sigma2])


def test_iterations_table(hlm7_fits):
    fit = hlm7_fits["random_coefficient"]
    it = fit.iterations
    assert list(it.index) == list(range(fit.n_iterations + 1))
    assert list(it.columns) == [
        "loglik",
        "deviance",
        "change",
        "accelerated",
        "gamma[(Intercept)]",
        "gamma[cses]",
        "tau[(Intercept)]",
        "tau[(Intercept),cses]",
        "tau[cses]",
        "sigma2",
    ]
    start = it.iloc[0]
    assert np.isnan(start["loglik"]) and start["tau[cses]"] == fit.start.tau[1, 1] and start["sigma2"] == fit.start.sigma2
    assert it["deviance"].iloc[1:].to_numpy() == pytest.approx(-2 * it["loglik"].iloc[1:].to_numpy())
    assert list(it.index[it["accelerated"]]) == list(range(5, fit.n_iterations + 1, 5))
    assert (it["change"].iloc[2:] > 0).all(), "every iteration raises the REML likelihood"


def test_start_values_are_hlms_ols_based_ones(hsb, hlm7_fits):
    """σ²₀ = pooled within-school residual variance; T₀ = D̄ − V̄ (R&B ch. 3), recomputed school by school."""
    fit = hlm7_fits["random_coefficient"]
    rows, rss, dfs, cov = [], 0.0, 0, []
    for _, school in hsb.groupby("school", observed=True):
        X = np.column_stack([np.ones(len(school)), school["cses"]])
        beta, res, *_ = np.linalg.lstsq(X, school["mAch"].to_numpy(), rcond=None)
        rows.append(beta)
        rss += float(res[0])
        dfs += len(school) - 2
        cov.append(np.linalg.inv(X.T @ X))
    sigma2 = rss / dfs
    X_all = np.column_stack([np.ones(len(hsb)), hsb["cses"]])
    gamma = np.linalg.lstsq(X_all, hsb["mAch"].to_numpy(), rcond=None)[0]
    dev = np.array(rows) - gamma
    tau0 = dev.T @ dev / (len(rows) - 1) - sigma2 * np.mean(cov, axis=0)
    assert fit.start.sigma2 == pytest.approx(sigma2, rel=1e-12)
    assert fit.start.tau == pytest.approx(tau0, rel=1e-10)
    assert not fit.start.repaired and fit.start.schools_used == 160
    assert hlm7_fits["unconditional"].start.tau[0, 0] == pytest.approx(8.782697, abs=5e-7)


def test_a_start_that_is_not_positive_definite_is_repaired(hlm7_fits):
    start = hlm7_fits["intercepts_slopes"].start
    assert np.linalg.eigvalsh(start.dbar - start.vbar)[0] < 0
    assert start.repaired and start.tau == pytest.approx(start.dbar)
    assert "τ(0) = D̄" in hlm7_fits["intercepts_slopes"].hlm_summary()


def test_em_step_is_at_rest_at_the_reml_optimum(seed_fits):
    """The REML optimum lme4 and hlmteach find is a fixed point of the EM step, with the same γ and likelihood."""
    from hlmteach.hlm.em import e_step

    for name in ("means_as_outcomes_hlm_meanses", "intercepts_slopes"):
        fit = seed_fits[name]
        step = e_step(fit.stats, fit.tau_matrix, fit.sigma2)
        assert step.tau_next == pytest.approx(fit.tau_matrix, rel=1e-7, abs=1e-9)
        assert step.sigma2_next == pytest.approx(fit.sigma2, rel=1e-9)
        assert step.gamma == pytest.approx(fit.coef.to_numpy(), rel=1e-9)
        assert -2 * step.loglik == pytest.approx(fit.reml_criterion, rel=1e-12)
        assert step.vgamma == pytest.approx(fit.vcov.to_numpy(), rel=1e-8)  # (X'V⁻¹X)⁻¹


def test_iterating_on_reaches_the_reml_optimum(hsb, seed_fits):
    tight = hlmteach.HLM7Settings(stopval=1e-13, max_iterations=5000)
    fit = hlmteach.hlm7("mAch ~ 1 + cses + (1 + cses | school)", hsb, settings=tight)
    optimum = seed_fits["random_coefficient"]
    assert fit.n_iterations > 32 and fit.converged
    assert fit.tau_matrix == pytest.approx(optimum.tau_matrix, rel=1e-5)
    assert fit.sigma2 == pytest.approx(optimum.sigma2, rel=1e-7)
    assert fit.deviance == pytest.approx(optimum.reml_criterion, abs=1e-6)


def test_plain_em_without_acceleration(hsb):
    plain = hlmteach.hlm7("mAch ~ 1 + cses + (1 + cses | school)", hsb, settings=hlmteach.HLM7Settings(accel=0))
    assert not plain.iterations["accelerated"].any()
    assert plain.n_iterations == 42  # with the accelerated steps HLM 7 needs 34


def test_a_two_level_model_gives_the_same_fit_as_its_formula(hsb, hlm7_fits):
    model = hlmteach.TwoLevelModel(
        "mAch",
        "school",
        predictors=(hlmteach.Level1Predictor("ses", centering="group", random=True, level2=("sector",)),),
        intercept_level2=("sector",),
    )
    fit = hlmteach.hlm7(model, hsb)
    other = hlm7_fits["intercepts_slopes"]
    assert fit.n_iterations == other.n_iterations
    assert fit.sigma2 == pytest.approx(other.sigma2, rel=1e-10)
    assert sorted(fit.hlm_fixed()["label"]) == ["INTRCPT2, γ00", "INTRCPT2, γ10", "SECTOR, γ01", "SECTOR, γ11"]
    assert "For SES slope, β1" in fit.hlm_summary()


def test_iteration_limit(hsb):
    fit = hlmteach.hlm7("mAch ~ 1 + cses + (1 + cses | school)", hsb, settings=hlmteach.HLM7Settings(max_iterations=10))
    assert fit.n_iterations == 10 and not fit.converged
    assert fit.stop_reason == "Iterations stopped because the maximum number of iterations was reached"
    assert fit.stop_reason in fit.hlm_summary()


def test_bad_input_gets_a_clear_error(hsb):
    with pytest.raises(ValueError, match="every level-1 coefficient has a random effect; 'cses' has none"):
        hlmteach.hlm7("mAch ~ cses + (1 | school)", hsb)
    with pytest.raises(TypeError, match="TwoLevelModel or an lme4 formula"):
        hlmteach.hlm7(42, hsb)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="settings must be an HLM7Settings"):
        hlmteach.hlm7("mAch ~ 1 + (1 | school)", hsb, settings={"stopval": 1e-6})  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="'mach'"):
        hlmteach.hlm7("mach ~ 1 + (1 | school)", hsb)
    for bad, message in (
        ({"stopval": -1.0}, "stopval"),
        ({"accel": 2.5}, "accel must"),
        ({"accel_cap": 0.5}, "accel_cap"),
        ({"max_iterations": 0}, "max_iterations"),
    ):
        with pytest.raises(ValueError, match=message):
            hlmteach.HLM7Settings(**bad)


def test_the_data_are_not_modified(hsb):
    data = hsb.copy()
    hlmteach.hlm7("mAch ~ 1 + MEANSES + (1 | school)", data)
    pd.testing.assert_frame_equal(data, hsb)


def test_compare_printout_reads_an_ordinary_fit_too(seed_fits, hlm7_reference):
    """At the REML optimum (what lme4 reaches) the unconditional model's τ00 no longer prints as HLM 7's."""
    table = hlmteach.compare_printout(seed_fits["unconditional"], hlm7_reference["unconditional"])
    assert not table.loc["INTRCPT1, u0: variance component", "matches"]
    assert table.loc["INTRCPT1, u0: variance component", "shown"] == "8.61402"
    assert table.loc["INTRCPT1, u0: variance component", "beyond rounding"] > 0
    assert table.loc["INTRCPT2, γ00: d.f.", "matches"]
