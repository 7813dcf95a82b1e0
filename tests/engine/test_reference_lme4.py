"""hlmteach against lme4 1.1-31 + lmerTest 3.1-3 (hlmteach/data/reference/lme4_seed_models.json).

Tolerances from the engine issue: REML criterion and log-likelihood 1e-4
absolute; estimates, SEs and t 1e-4 relative; Satterthwaite df 2e-3 relative
(lmerTest differentiates numerically); variance components 1e-3 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

NAMES = [
    "unconditional",
    "means_as_outcomes",
    "means_as_outcomes_hlm_meanses",
    "random_coefficient",
    "intercepts_slopes",
    "unconditional_ml",
    "intercepts_slopes_ml",
]


@pytest.mark.parametrize("name", NAMES)
def test_likelihood(seed_fits, lme4_reference, name):
    fit, ref = seed_fits[name], lme4_reference[name]
    assert fit.converged and fit.singular == ref["singular"]
    assert fit.nobs == ref["nobs"] and fit.ngroups == ref["ngroups"]["school"]
    assert fit.loglik == pytest.approx(ref["loglik"], abs=1e-4)
    if ref["reml"]:
        assert fit.reml_criterion == pytest.approx(ref["reml_criterion"], abs=1e-4)
    else:
        assert fit.reml_criterion is None
        assert fit.deviance == pytest.approx(ref["deviance_ml"], abs=1e-4)
    assert fit.aic == pytest.approx(ref["aic"], abs=1e-4)
    assert fit.bic == pytest.approx(ref["bic"], abs=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_fixed_effects(seed_fits, lme4_reference, name):
    fixed, ref = seed_fits[name].fixed, lme4_reference[name]["fixed"]
    assert list(fixed.index) == list(ref)
    for term, row in ref.items():
        assert fixed.loc[term, "estimate"] == pytest.approx(row["Estimate"], rel=1e-4)
        assert fixed.loc[term, "se"] == pytest.approx(row["Std. Error"], rel=1e-4)
        assert fixed.loc[term, "t"] == pytest.approx(row["t value"], rel=1e-4)
        assert fixed.loc[term, "df"] == pytest.approx(row["df"], rel=2e-3)
        assert fixed.loc[term, "p"] == pytest.approx(row["Pr(>|t|)"], rel=2e-2)


@pytest.mark.parametrize("name", NAMES)
def test_variance_components(seed_fits, lme4_reference, name):
    fit, ref = seed_fits[name], lme4_reference[name]
    ours = fit.varcorr
    assert len(ours) == len(ref["varcorr"])
    for mine, theirs in zip(ours.itertuples(), ref["varcorr"], strict=True):
        names = [None if pd.isna(v) else v for v in (mine.grp, mine.var1, mine.var2)]
        assert names == [theirs["grp"], theirs["var1"], theirs["var2"]]
        assert mine.vcov == pytest.approx(theirs["vcov"], rel=1e-3)
        assert mine.sdcor == pytest.approx(theirs["sdcor"], rel=1e-3)
    assert fit.sigma == pytest.approx(ref["sigma"], rel=1e-4)


@pytest.mark.parametrize("name", [n for n in NAMES if not n.endswith("_ml")])
def test_ranova(seed_fits, lme4_reference, name):
    table, ref = seed_fits[name].ranova(), lme4_reference[name]["ranova"]
    assert list(table.index) == [r["term"] for r in ref]
    for (_, row), theirs in zip(table.iterrows(), ref, strict=True):
        assert row["npar"] == theirs["npar"]
        assert row["loglik"] == pytest.approx(theirs["logLik"], abs=1e-4)
        if theirs["LRT"] is not None:
            assert row["lrt"] == pytest.approx(theirs["LRT"], rel=1e-4, abs=1e-4)
            assert row["df"] == theirs["Df"]
            assert row["p"] == pytest.approx(theirs["p"], rel=1e-3)


@pytest.mark.parametrize("name", [n for n in NAMES if not n.endswith("_ml")])
def test_ml_refit(seed_fits, lme4_reference, name):
    ml = seed_fits[name].refit(reml=False)
    assert not ml.reml
    assert ml.loglik == pytest.approx(lme4_reference[name]["ml_loglik"], abs=1e-4)


def test_seed_anova_against_lm(hsb, seed_fits):
    """The seed's anova(unconditional, lm(mAch ~ 1)): χ² 983.92 on 1 df, after ML refits."""
    import hlmteach

    table = hlmteach.anova(hlmteach.lm("mAch ~ 1", hsb), seed_fits["unconditional"], names=["lm", "unconditional"])
    assert list(table["npar"]) == [2, 3]
    assert np.round(table["aic"].to_numpy()).tolist() == [48104, 47122]
    assert np.round(table["bic"].to_numpy()).tolist() == [48117, 47142]
    assert table.loc["unconditional", "chisq"] == pytest.approx(983.92, abs=0.005)
    assert table.loc["unconditional", "loglik"] == pytest.approx(-23557.9051122588, abs=1e-4)
