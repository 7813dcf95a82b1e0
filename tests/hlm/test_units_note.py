"""HLM 7 computes its χ² tests and reliabilities only over the units with enough data for their own
OLS fit, and says how many it used; with none, there is no test to print — never df −1 or χ² 0."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import hlmteach
from tests.support.r_datasets import r_dataset


def fit(formula: str, data: pd.DataFrame) -> hlmteach.Fit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hlmteach.lmer(formula, data)


def test_no_unit_with_enough_data():
    """ergoStool: 4 rows per subject, 4 level-1 coefficients (intercept and three Type dummies)."""
    f = fit("effort ~ Type + (1 | Subject)", r_dataset("ergoStool"))
    table = f.hlm_variance_components()
    assert table.attrs["units_used"] == 0 and table.attrs["units"] == 9
    assert table["df"].isna().all() and table["chi2"].isna().all() and table["reliability"].isna().all()
    text = f.hlm_summary()
    words = " ".join(text.split())  # the note is wrapped at 80 characters
    assert "Note: no unit has sufficient data for its own OLS regression (more rows than its 4 level-1 coefficients)" in words
    assert "not computable (no unit with sufficient data)" in text
    assert " -1 " not in text and "0.00000" not in text


def test_random_slopes_without_intercept():
    table = fit("score ~ Machine + (0 + Machine | Worker)", r_dataset("Machines")).hlm_variance_components()
    assert table.attrs["units_used"] == 0 and table["df"].isna().all()


def test_only_some_units_qualify(hsb):
    """Half the schools keep 2 students (no own fit of intercept and slope), half keep 3."""
    rows = hsb.groupby("school", observed=True).cumcount() < 2 + (hsb["school"].cat.codes % 2)
    f = fit("mAch ~ cses + (1 + cses | school)", hsb[rows])
    table = f.hlm_variance_components()
    assert table.attrs == {
        "units": 160,
        "units_used": 80,
        "note": "Note: The chi-square statistics reported above are based on only 80 of 160 units that had "
        "sufficient data for computation. Fixed effects and variance components are based on all the data.",
    }
    assert list(table["df"].iloc[:2]) == [79, 79]
    assert np.isfinite(table["chi2"].iloc[:2]).all() and np.isfinite(table["reliability"].iloc[:2]).all()
    assert "based on only 80 of 160 units" in " ".join(f.hlm_summary().split())


def test_every_unit_qualifies(seed_fits):
    table = seed_fits["intercepts_slopes"].hlm_variance_components()
    assert table.attrs["units_used"] == table.attrs["units"] == 160 and table.attrs["note"] == ""
    assert "Note:" not in seed_fits["intercepts_slopes"].hlm_summary()
