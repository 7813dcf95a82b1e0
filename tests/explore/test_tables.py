"""format_table: the package's tables as a reader expects them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hlmteach
from hlmteach.explore import format_table


@pytest.fixture(scope="module")
def fit(hsb):
    return hlmteach.lmer("mAch ~ cses * sector + (1 + cses | school)", hsb)


def cells(table: pd.DataFrame) -> list[str]:
    return [str(v) for v in table.to_numpy().ravel()]


def test_variance_components_have_blanks_where_no_test_applies(fit):
    raw = fit.hlm_variance_components()
    shown = format_table(raw)
    assert shown.loc["Residual", "χ²"] == "" and shown.loc["Residual", "p"] == "" and shown.loc["Residual", "df"] == ""
    assert shown.loc["(Intercept)", "p"] == "<0.001"
    assert shown.loc["cses", "p"] == hlmteach.hlm.format_p(raw.loc["cses", "p"])  # three digits
    assert shown.loc["(Intercept)", "df"] == str(int(raw.loc["(Intercept)", "df"]))
    assert list(shown.columns) == ["HLM 7 label", "Std. dev.", "Variance", "df", "χ²", "p", "Reliability"]
    assert shown.columns.name == "Random effect" and shown.index.name is None  # one header row


@pytest.mark.parametrize("table", ["fixed", "hlm_fixed", "ranova", "hlm_variance_components"])
def test_no_raw_missing_values_or_e_notation(fit, table):
    value = getattr(fit, table)
    shown = format_table(value() if callable(value) else value)
    text = " ".join(cells(shown))
    for raw in ("nan", "NaN", "<NA>", "None", "e-"):
        assert raw not in text


def test_decimals_by_kind_and_by_request(fit):
    shown = format_table(fit.fixed)
    est = fit.fixed.loc["cses"]
    assert shown.loc["cses", "Estimate"] == f"{est['estimate']:.3f}"
    assert shown.loc["cses", "t"] == f"{est['t']:.2f}"
    assert shown.loc["cses", "df"] == f"{est['df']:.1f}"  # Satterthwaite's, not whole
    assert format_table(fit.fixed, digits={"estimate": 5}).loc["cses", "Estimate"] == f"{est['estimate']:.5f}"
    assert format_table(fit.fixed, digits=1).loc["cses", "Std. error"] == f"{est['se']:.1f}"


def test_other_tables_and_titles_pass_through():
    frame = pd.DataFrame({"x": [1.23456, np.nan], "name": ["a", None]}, index=pd.Index(["r1", "r2"], name="row"))
    shown = format_table(frame, titles={"x": "The x"})
    assert shown.loc["r1", "The x"] == "1.235" and shown.loc["r2", "The x"] == "" and shown.loc["r2", "name"] == ""
    assert shown.columns.name == "row"
    assert frame.loc["r1", "x"] == 1.23456  # the caller's frame is untouched


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="DataFrame"):
        format_table([1, 2])
