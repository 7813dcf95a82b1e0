"""Bad input gets a clear error naming the column or problem, or a warned repair."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import hlmteach

F = "mAch ~ cses + (1 | school)"


@pytest.fixture
def small(hsb):
    return hsb[hsb["school"].isin(hsb["school"].cat.categories[:20])].copy()


def test_missing_values_dropped_with_warning(small):
    data = small.copy()
    data.loc[data.index[:3], "mAch"] = np.nan
    data.loc[data.index[5], "cses"] = np.nan
    before = data.copy()
    with pytest.warns(UserWarning, match=r"dropped 4 of \d+ rows with missing values \(mAch: 3, cses: 1\)"):
        fit = hlmteach.lmer(F, data)
    assert fit.nobs == len(data) - 4
    pd.testing.assert_frame_equal(data, before)
    clean = hlmteach.lmer(F, data.dropna(subset=["mAch", "cses"]))
    assert fit.loglik == pytest.approx(clean.loglik)


def test_missing_in_unused_column_is_ignored(small):
    data = small.assign(unused=np.nan)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hlmteach.lmer(F, data)


def test_all_rows_missing(small):
    with pytest.raises(ValueError, match="every row has a missing value"):
        hlmteach.lmer(F, small.assign(mAch=np.nan))


@pytest.mark.parametrize("column", ["mAch", "cses"])
def test_infinite_values(small, column):
    data = small.copy()
    data.loc[data.index[2], column] = np.inf
    with pytest.raises(ValueError, match=rf"{column!r} has infinite values in 1 rows"):
        hlmteach.lmer(F, data)


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("mAch ~ csess + (1 | school)", "predictor 'csess' is not a column of the data; did you mean 'cses'"),
        ("mAch ~ cses + (1 | schol)", "grouping factor 'schol' is not a column"),
        ("math ~ cses + (1 | school)", "outcome 'math' is not a column"),
        ("mAch ~ cses + (1 + foo | school)", "predictor 'foo' is not a column"),
    ],
)
def test_unknown_columns(small, formula, message):
    with pytest.raises(KeyError, match=re.escape(message)):
        hlmteach.lmer(formula, small)


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("mAch ~ cses", "has no random-effects term"),
        ("mAch cses + (1 | school)", "has no '~'"),
        ("mAch ~ cses + (1 | school", "ends too early"),
        ("mAch ~ cses + * (1 | school)", "unexpected '\\*'"),
        ("mAch ~ factor(ses) + (1 | school)", "function 'factor' is not supported"),
        ("mAch ~ ses^x + (1 | school)", "the power in ses\\^x must be a whole number"),
        ("mAch ~ ses + (1 | school/sector)", "only two-level models with one grouping factor.*use R's lme4"),
        ("mAch ~ ses + (1 | school) + (1 | sector)", "only two-level models with one grouping factor.*use R's lme4"),
        ("mAch ~ ses + (1 | school:sector)", "only two-level models with one grouping factor.*use R's lme4"),
        ("mAch ~ ses + (1 | school) + (1 | school)", "appears twice"),
        ("mAch ~ ses + (1 | school) + (1 + ses | school)", "appears in both"),
        ("mAch ~ ses * (1 | school)", "must stand on its own"),
        ("mAch ~ mAch + (1 | school)", "also appears as a predictor"),
        ("mAch ~ ses + (0 | school)", "has no effects"),
        ("mAch ~ __import__('os') + (1 | school)", "unexpected character '_'"),
        ("mAch ~ ses; import os + (1|school)", "unexpected character ';'"),
    ],
)
def test_malformed_formulas(small, formula, message):
    with pytest.raises(ValueError, match=message):
        hlmteach.lmer(formula, small)


def test_formula_must_be_text(small):
    with pytest.raises(TypeError, match="formula must be a string"):
        hlmteach.lmer(42, small)


def test_data_must_be_a_dataframe():
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        hlmteach.lmer(F, {"mAch": [1, 2]})


def test_reml_must_be_bool(small):
    with pytest.raises(TypeError, match="reml must be True or False"):
        hlmteach.lmer(F, small, reml="yes")


@pytest.mark.parametrize("outcome", [["a", "b"], [True, False]])
def test_non_numeric_outcome(small, outcome):
    data = small.assign(mAch=np.resize(outcome, len(small)))
    with pytest.raises(TypeError, match="outcome 'mAch' must be numeric"):
        hlmteach.lmer(F, data)


def test_single_group(small):
    with pytest.raises(ValueError, match="'school' has only 1 level"):
        hlmteach.lmer(F, small.assign(school="1224"))


def test_one_row_per_group(small):
    data = small.assign(school=np.arange(len(small)))
    with pytest.raises(ValueError, match="one row per group"):
        hlmteach.lmer(F, data)


def test_too_many_random_effects(small):
    data = small.groupby("school", observed=True).head(2)
    with pytest.raises(ValueError, match="too few for"):
        hlmteach.lmer("mAch ~ cses + (1 + cses | school)", data)


def test_collinear_predictors(small):
    data = small.assign(cses2=2 * small["cses"])
    with pytest.raises(ValueError, match=r"'cses2' is a linear combination of cses: the predictors are collinear"):
        hlmteach.lmer("mAch ~ cses + cses2 + (1 | school)", data)


def test_constant_predictor_collides_with_intercept(small):
    with pytest.raises(ValueError, match=r"'k' is a linear combination of \(Intercept\)"):
        hlmteach.lmer("mAch ~ k + (1 | school)", small.assign(k=3.0))


def test_empty_data(small):
    with pytest.raises(ValueError, match="data has no rows"):
        hlmteach.lmer(F, small.iloc[:0])


def test_unsupported_predictor_type(small):
    data = small.assign(when=pd.Timestamp("2020-01-01"))
    with pytest.raises(TypeError, match="column 'when' has type datetime"):
        hlmteach.lmer("mAch ~ when + (1 | school)", data)


def test_random_effect_zero_everywhere(small):
    with pytest.raises(ValueError, match="random effect 'z' is zero in every row"):
        hlmteach.lmer("mAch ~ cses + (1 + z | school)", small.assign(z=0.0))


def test_callers_frame_is_never_modified(hsb):
    data = hsb.copy()
    before = data.copy()
    fit = hlmteach.lmer("mAch ~ cses * sector + (1 + cses | school)", data)
    fit.ranova()
    fit.hlm_variance_components()
    pd.testing.assert_frame_equal(data, before)


def test_string_columns_are_factors_in_sorted_order(small):
    data = small.assign(sector=small["sector"].astype(str))
    fit = hlmteach.lmer("mAch ~ sector + (1 | school)", data)
    assert list(fit.fixed.index) == ["(Intercept)", "sectorPublic"]  # R sorts levels: Catholic first


# --- what used to crash from inside numpy or pandas, or mislead -------------------------------


def test_duplicate_column_names_are_named(small):
    data = small.copy()
    data.insert(3, "cses", data["cses"], allow_duplicates=True)
    with pytest.raises(ValueError, match="data has 2 columns named 'cses', so the predictor 'cses' is ambiguous"):
        hlmteach.lmer(F, data)
    hlmteach.lmer("mAch ~ ses + (1 | school)", data)  # duplicates the formula does not use are harmless


def test_integer_column_names(small):
    data = small.rename(columns={"school": 7})
    fit = hlmteach.lmer("mAch ~ cses + (1 | `7`)", data)
    assert fit.group == "7" and fit.ngroups == 20
    with pytest.raises(KeyError, match="grouping factor '8' is not a column of the data"):
        hlmteach.lmer("mAch ~ cses + (1 | `8`)", data)


@pytest.mark.parametrize("kind", [object, str])
def test_numeric_column_with_a_stray_string(small, kind):
    data = small.assign(x=small["ses"].astype(kind))
    data.iloc[5, data.columns.get_loc("x")] = "abc"
    message = r"column 'x' mixes numbers and text: 1 of 813 values are not numbers \(e.g. 'abc' in row \d+\)"
    with pytest.raises(ValueError, match=message + r".*factor with \d+ levels.*pd.to_numeric"):
        hlmteach.lmer("mAch ~ x + (1 | school)", data)


def test_as_many_fixed_effects_as_rows(small):
    data = small.assign(k=pd.Categorical(np.arange(len(small))))
    with pytest.raises(ValueError, match=r"813 fixed effects for 813 observations.*the factor 'k' alone has 813 levels"):
        hlmteach.lmer("mAch ~ k + (1 | school)", data)


@pytest.mark.parametrize(("column", "scale"), [("mAch", 1e200), ("cses", 1e200), ("cses", 1e-200)])
def test_values_too_large_or_small_for_floating_point(small, column, scale):
    data = small.assign(**{column: small[column] * scale})
    with pytest.raises(ValueError, match=rf"'{column}' has values of magnitude .* to square in floating point; rescale it"):
        hlmteach.lmer(F, data)


@pytest.mark.parametrize("column", ["mAch", "cses"])
def test_complex_columns_are_refused(small, column):
    with pytest.raises(TypeError, match=f"column '{column}' holds complex numbers"):
        hlmteach.lmer(F, small.assign(**{column: small[column] + 1j}))


def test_deeply_nested_formula(small):
    text = "mAch ~ " + "(" * 3000 + "cses" + ")" * 3000 + " + (1 | school)"
    with pytest.raises(ValueError, match="nested more than 200 levels deep"):
        hlmteach.lmer(text, small)
    with pytest.raises(ValueError, match="nests more than 200 operators"):
        hlmteach.lmer("mAch ~ " + " + ".join(["cses"] * 300) + " + (1 | school)", small)


def test_column_named_intercept(small):
    data = small.assign(**{"(Intercept)": np.random.default_rng(0).normal(size=len(small))})
    fit = hlmteach.lmer("mAch ~ `(Intercept)` + (1 | school)", data)
    assert list(fit.fixed.index) == ["(Intercept)", "`(Intercept)`"]  # R's names


@pytest.mark.parametrize(
    ("formula", "error", "message"),
    [
        (
            "mAch ~ log(ses) + (1 | school)",
            ValueError,
            r"log\(ses\) is not a finite number in \d+ rows \(e.g. row \d+, where ses = ",
        ),
        ("mAch ~ sqrt(ses - 10) + (1 | school)", ValueError, r"sqrt\(ses - 10\) is not a finite number"),
        ("mAch ~ scale(k) + (1 | school)", ValueError, r"scale\(k\): the values are constant"),
        ("mAch ~ I(2) + (1 | school)", ValueError, r"I\(2\) uses no column of the data"),
        ("mAch ~ log(sector) + (1 | school)", TypeError, r"log\(sector\) needs numbers, but column 'sector' is a factor"),
        ("mAch ~ poly(b, 2) + (1 | school)", ValueError, r"the degree must be less than the number of distinct values of b"),
        ("mAch ~ poly(ses, 2.5) + (1 | school)", ValueError, r"degree of poly\(\) must be a whole number"),
        ("mAch ~ poly(ses, 2, TRUE) + (1 | school)", ValueError, r"poly\(\) takes \(x, degree\) and optionally raw = TRUE"),
        ("mAch ~ log(ses, 2) + (1 | school)", ValueError, r"use log2\(\) or log10\(\)"),
        ("mAch ~ I(poly(ses, 2)) + (1 | school)", ValueError, r"gives several columns"),
        ("mAch ~ I(ses | cses) + (1 | school)", ValueError, r"operator '\|' cannot be used inside a function's arguments"),
        ("mAch ~ ses + (. | school)", ValueError, r"'\.' \(all other columns\) may only be used in the fixed part"),
        ("mAch ~ (ses + cses)^0.5 + (1 | school)", ValueError, r"must be a whole number of at least 1"),
        ("mAch ~ ses/cses + (1 | school)", ValueError, r"operator '/' \(nesting\) is not supported"),
        ("~ ses + (1 | school)", ValueError, r"has no outcome before '~'"),
    ],
)
def test_functions_and_operators_refused_with_a_reason(small, formula, error, message):
    data = small.assign(k=1.0, b=np.arange(len(small)) % 2)
    with pytest.raises(error, match=message):
        hlmteach.lmer(formula, data)


def test_poly_refuses_missing_values_as_r_does(small):
    data = small.assign(ses=small["ses"].where(np.arange(len(small)) % 50 != 0))
    with pytest.raises(ValueError, match=r"missing values are not allowed in poly\(\) \(R refuses them too\)"):
        hlmteach.lmer("mAch ~ poly(ses, 2) + (1 | school)", data)
    with pytest.warns(UserWarning, match="dropped 17 of 813 rows"):
        hlmteach.lmer("mAch ~ scale(ses) + (1 | school)", data)  # scale() uses the values there are
