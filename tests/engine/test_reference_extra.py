"""Models beyond the seed's four against lme4 1.1-31 + lmerTest 3.1-3
(tests/fixtures/lme4_extra_models.json, recorded by make_lme4_extra.R):
three correlated random effects, factors at level 1, no random intercept,
an interaction without its main effect, ML, and uncentred SES.

Where lme4 converged cleanly hlmteach must match it; where lme4 itself warned
(a boundary it stopped at, a gradient above its tolerance) hlmteach must reach
at least as low a criterion, and converge.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import hlmteach
from tests.support.files import fixture

MODELS = fixture("lme4_extra_models.json")


@pytest.fixture(scope="module")
def fits(hsb):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {m["name"]: hlmteach.lmer(m["formula"], hsb, reml=m["reml"]) for m in MODELS}


@pytest.mark.parametrize("ref", MODELS, ids=[m["name"] for m in MODELS])
def test_extra_model(fits, ref):
    fit = fits[ref["name"]]
    assert fit.converged
    assert list(fit.fixed.index) == list(ref["fixed"])
    if ref["lme4_messages"]:
        assert fit.deviance <= ref["criterion"] + 1e-6, "lme4 warned here, but hlmteach must not do worse"
        return
    assert fit.deviance == pytest.approx(ref["criterion"], abs=1e-4)
    assert fit.singular == ref["singular"]
    for term, row in ref["fixed"].items():
        assert fit.fixed.loc[term, "estimate"] == pytest.approx(row["Estimate"], rel=1e-4, abs=1e-8)
        assert fit.fixed.loc[term, "se"] == pytest.approx(row["Std. Error"], rel=1e-4)
        assert fit.fixed.loc[term, "df"] == pytest.approx(row["df"], rel=2e-3)
    ours = fit.varcorr
    for mine, theirs in zip(ours.itertuples(), ref["varcorr"], strict=True):
        assert [None if pd.isna(v) else v for v in (mine.var1, mine.var2)] == [theirs["var1"], theirs["var2"]]
        if theirs["var2"] is None:  # a variance
            assert mine.vcov == pytest.approx(theirs["vcov"], rel=1e-3)
        else:  # a covariance: compare the correlation (near-zero covariances sit in a flat direction)
            assert mine.sdcor == pytest.approx(theirs["sdcor"], abs=2e-3)


def test_hlmteach_beats_lme4_where_lme4_stopped_at_a_boundary(fits):
    """With three random effects lme4's BOBYQA stops at a singular boundary (θ
    with a zero) 8 units of deviance above the optimum that hlmteach finds."""
    ref = next(m for m in MODELS if m["name"] == "three_random_effects")
    fit = fits["three_random_effects"]
    assert ref["singular"] and 0.0 in ref["theta"]
    assert not fit.singular
    assert ref["criterion"] - fit.deviance > 1.0
    assert np.all(np.linalg.eigvalsh(fit.tau.to_numpy()) > 0)
