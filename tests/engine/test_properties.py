"""Properties every correct REML fit has, on generated data (hypothesis)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hlmteach
from hlmteach.engine.derivatives import hessian
from hlmteach.engine.deviance import ProfiledDeviance

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def simulate(seed: int, J: int, n: int, gamma=(10.0, 2.0, 1.5), tau=((4.0, 0.5), (0.5, 0.8)), sigma2=9.0) -> pd.DataFrame:
    """Students in schools: y = γ00 + γ01 w_j + γ10 x_ij + u_0j + u_1j x_ij + r_ij."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(max(3, n // 2), n + 1, size=J)  # more students than random effects
    school = np.repeat(np.arange(J), sizes)
    w = rng.permutation(np.arange(J) % 2).astype(float)  # both sectors always present
    x = rng.normal(size=school.size)
    u = rng.multivariate_normal([0, 0], np.array(tau), size=J)
    y = gamma[0] + gamma[1] * w[school] + (gamma[2] + u[school, 1]) * x + u[school, 0]
    y = y + rng.normal(scale=np.sqrt(sigma2), size=school.size)
    return pd.DataFrame({"y": y, "x": x, "w": w[school], "school": school.astype(str)})


def fit_quietly(formula: str, data: pd.DataFrame, reml: bool = True) -> hlmteach.Fit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hlmteach.lmer(formula, data, reml=reml)


FORMULA = "y ~ x * w + (1 + x | school)"
datasets = st.builds(simulate, st.integers(0, 2**31), st.integers(8, 30), st.integers(3, 12))


@SETTINGS
@given(datasets, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(data, rnd):
    order = list(range(len(data)))
    rnd.shuffle(order)
    a, b = fit_quietly(FORMULA, data), fit_quietly(FORMULA, data.iloc[order])
    assert b.loglik == pytest.approx(a.loglik, abs=1e-6)
    np.testing.assert_allclose(b.fixed["estimate"], a.fixed["estimate"], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(b.tau, a.tau, rtol=1e-4, atol=1e-7)


@SETTINGS
@given(datasets, st.randoms(use_true_random=False))
def test_group_labels_do_not_matter(data, rnd):
    labels = sorted(data["school"].unique())
    renamed = dict(zip(labels, rnd.sample([f"s{k:04d}" for k in range(10_000)], len(labels)), strict=True))
    a = fit_quietly(FORMULA, data)
    b = fit_quietly(FORMULA, data.assign(school=data["school"].map(renamed)))
    assert b.loglik == pytest.approx(a.loglik, abs=1e-6)
    np.testing.assert_allclose(b.fixed["estimate"], a.fixed["estimate"], rtol=1e-5, atol=1e-7)
    ra, rb = a.ranef(), b.ranef()
    rb.index = [dict((v, k) for k, v in renamed.items())[s] for s in rb.index]
    np.testing.assert_allclose(rb.loc[ra.index].to_numpy(), ra.to_numpy(), rtol=1e-4, atol=1e-6)


@SETTINGS
@given(datasets)
def test_reml_equals_ml_without_fixed_effects(data):
    """With no fixed effects the REML and ML criteria are the same function."""
    data = data.assign(y=data["y"] - data["y"].mean())
    a = fit_quietly("y ~ 0 + (1 | school)", data, reml=True)
    b = fit_quietly("y ~ 0 + (1 | school)", data, reml=False)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-8)
    assert a.sigma2 == pytest.approx(b.sigma2, rel=1e-8)


@SETTINGS
@given(datasets, st.floats(0.1, 10), st.floats(-50, 50))
def test_linear_change_of_outcome_units(data, scale, shift):
    """y → a·y + b rescales the estimates and shifts the REML log-likelihood by −(n − p) log a."""
    a = fit_quietly(FORMULA, data)
    b = fit_quietly(FORMULA, data.assign(y=scale * data["y"] + shift))
    assert b.loglik == pytest.approx(a.loglik - (a.nobs - len(a.coef)) * np.log(scale), abs=1e-5)
    expected = scale * a.fixed["estimate"].to_numpy()
    expected[0] += shift
    np.testing.assert_allclose(b.fixed["estimate"], expected, rtol=1e-5, atol=1e-6 * scale)
    np.testing.assert_allclose(b.fixed["t"].iloc[1:], a.fixed["t"].iloc[1:], rtol=1e-4)


@SETTINGS
@given(datasets, st.lists(st.floats(0.05, 2.0), min_size=3, max_size=3), st.booleans())
def test_exact_derivatives_match_finite_differences(data, theta, reml):
    fit = fit_quietly(FORMULA, data)
    dev = ProfiledDeviance(fit.stats, reml)
    theta = np.array(theta)
    theta[1] -= 1.0  # the off-diagonal element may be negative
    ev = dev.evaluate(theta)
    g, H = dev.gradient_from(ev), hessian(dev, ev)
    h = 1e-6
    num_g = [(dev(theta + h * e) - dev(theta - h * e)) / (2 * h) for e in np.eye(3)]
    grad = lambda t: dev.gradient_from(dev.evaluate(t))  # noqa: E731
    num_H = [(grad(theta + h * e) - grad(theta - h * e)) / (2 * h) for e in np.eye(3)]
    scale = max(1.0, np.abs(g).max())
    np.testing.assert_allclose(g, num_g, atol=1e-4 * scale)
    np.testing.assert_allclose(H, np.array(num_H), atol=1e-4 * max(1.0, np.abs(H).max()))


def test_simulated_parameters_are_recovered():
    data = simulate(2024, J=400, n=40)
    fit = hlmteach.lmer(FORMULA, data)
    truth = {"(Intercept)": 10.0, "w": 2.0, "x": 1.5, "x:w": 0.0}
    for term, value in truth.items():
        row = fit.fixed.loc[term]
        assert abs(row["estimate"] - value) < 4 * row["se"], term
    np.testing.assert_allclose(fit.tau.to_numpy(), [[4.0, 0.5], [0.5, 0.8]], rtol=0.25, atol=0.15)
    assert fit.sigma2 == pytest.approx(9.0, rel=0.05)


def test_zero_slope_variance_is_reported_as_singular():
    """Every school has exactly the same OLS slope, so the slope variance is
    estimated at zero: the fit sits at the boundary, is flagged, and warns."""
    x = np.tile([-1.0, 0.0, 1.0, 2.0, 3.0], 12)
    school = np.repeat(np.arange(12), 5)
    noise = np.tile([1.0, -2.0, 0.0, 2.0, -1.0], 12)  # orthogonal to 1 and x within each school
    y = np.random.default_rng(1).normal(scale=2.0, size=12)[school] + 1.5 * x + noise
    data = pd.DataFrame({"y": y, "x": x, "school": school})
    with pytest.warns(UserWarning, match="boundary \\(singular\\) fit"):
        fit = hlmteach.lmer("y ~ x + (1 + x | school)", data)
    assert fit.singular and fit.converged
    assert fit.tau.loc["x", "x"] == pytest.approx(0.0, abs=1e-8)


def _same_tau(T: np.ndarray, reference: np.ndarray) -> None:
    """Variances to 1e-6; covariances (which sit in flatter directions) to 1e-5 of the SDs' product."""
    sd = np.sqrt(np.diag(reference))
    allowed = 1e-6 * np.abs(reference) + 1e-5 * np.outer(sd, sd) + 1e-12
    assert np.all(np.abs(T - reference) <= allowed), f"{T} against {reference}"


def _units_check(a: hlmteach.Fit, b: hlmteach.Fit, c: float) -> None:
    """``b`` is ``a`` refitted with x in units c times smaller (x → c·x, in FORMULA's slope and interaction)."""
    assert b.converged == a.converged and b.singular == a.singular
    # REML: log|X'V⁻¹X| gains 2 log c for each of the two columns holding x (x and x:w)
    assert b.deviance == pytest.approx(a.deviance + 4 * np.log(c), abs=1e-6)
    per_x = np.array([1.0 if "x" not in term else 1.0 / c for term in a.fixed.index])
    np.testing.assert_allclose(b.fixed["estimate"] / per_x, a.fixed["estimate"], rtol=1e-6, atol=1e-6 * a.fixed["se"].min())
    np.testing.assert_allclose(b.fixed["se"] / per_x, a.fixed["se"], rtol=1e-6)
    np.testing.assert_allclose(b.fixed["t"], a.fixed["t"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(b.fixed["df"], a.fixed["df"], rtol=1e-6)
    units = np.array([1.0, 1.0 / c])
    _same_tau(b.tau.to_numpy() / np.outer(units, units), a.tau.to_numpy())
    assert b.sigma2 == pytest.approx(a.sigma2, rel=1e-8)
    np.testing.assert_allclose(b.hlm_fixed()["t"], a.hlm_fixed()["t"], rtol=1e-6)
    va, vb = a.hlm_variance_components(), b.hlm_variance_components()
    np.testing.assert_allclose(vb[["chi2", "reliability"]].iloc[:-1], va[["chi2", "reliability"]].iloc[:-1], rtol=1e-6)


@SETTINGS
@given(datasets, st.floats(-8, 8))
def test_results_do_not_depend_on_a_predictors_units(data, log10_scale):
    """Rescaling a predictor by 10^±8 changes only the units of what is reported: the optimum, the
    convergence and singularity verdicts, t, Satterthwaite df and HLM 7's χ² stay the same."""
    c = 10.0**log10_scale
    _units_check(fit_quietly(FORMULA, data), fit_quietly(FORMULA, data.assign(x=c * data["x"])), c)


@pytest.mark.parametrize("log10_scale", [-8, -6, -4, 4, 6, 8])
def test_a_zero_variance_is_singular_in_any_units(log10_scale):
    """The singularity test looks at θ in units that do not depend on the predictor's."""
    x = np.tile([-1.0, 0.0, 1.0, 2.0, 3.0], 12)
    school = np.repeat(np.arange(12), 5)
    noise = np.tile([1.0, -2.0, 0.0, 2.0, -1.0], 12)
    y = np.random.default_rng(1).normal(scale=2.0, size=12)[school] + 1.5 * x + noise
    data = pd.DataFrame({"y": y, "x": x * 10.0**log10_scale, "school": school})
    with pytest.warns(UserWarning, match="boundary \\(singular\\) fit"):
        fit = hlmteach.lmer("y ~ x + (1 + x | school)", data)
    assert fit.singular and fit.converged
    assert fit.tau.loc["x", "x"] * 10.0 ** (2 * log10_scale) == pytest.approx(0.0, abs=1e-8)


@SETTINGS
@given(datasets, st.floats(-8, 8))
def test_outcome_units_do_not_matter(data, log10_scale):
    """y → s·y, for s in 10^±8: estimates scale with s, the REML log-likelihood shifts by −(n − p) log s."""
    s = 10.0**log10_scale
    a, b = fit_quietly(FORMULA, data), fit_quietly(FORMULA, data.assign(y=s * data["y"]))
    assert b.converged == a.converged and b.singular == a.singular
    assert b.loglik == pytest.approx(a.loglik - (a.nobs - len(a.coef)) * np.log(s), abs=1e-6)
    np.testing.assert_allclose(b.fixed["estimate"] / s, a.fixed["estimate"], rtol=1e-6, atol=1e-6 * a.fixed["se"].min())
    np.testing.assert_allclose(b.fixed["t"], a.fixed["t"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(b.fixed["df"], a.fixed["df"], rtol=1e-6)
    _same_tau(b.tau.to_numpy() / s**2, a.tau.to_numpy())
