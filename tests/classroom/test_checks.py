"""The self-checks: each accepts its right answer, rejects wrong ones with a hint, and never leaks the answer.

Reference values come from the package (``reference_answer``); where the seed
document's lme4 or HLM 7 output has the same quantity, the tests also compare
with those shipped reference outputs, so a self-check that computes the wrong
quantity fails here and not only in a student's hands.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import hlmteach
from hlmteach.classroom import CheckResult, answers, check, reference_answer, tolerance
from hlmteach.classroom.answers import ANSWERS

KEYS = sorted(answers())
CHAPTERS = {"unconditional", "means_as_outcomes", "random_coefficient", "intercepts_slopes", "capstone"}


def shifted(value, by: float):
    return tuple(v + by for v in value) if isinstance(value, tuple) else value + by


def leaks(result: CheckResult, value) -> bool:
    """Whether the message shows the reference value, at any usual rounding."""
    numbers = value if isinstance(value, tuple) else (value,)
    message = re.sub(r"±[0-9.e-]+", "±tol", result.message)  # the tolerance (±0.0002) is not the answer
    return any(f"{v:.{d}f}" in message for v in numbers for d in (2, 3, 4, 6))


@pytest.mark.parametrize("key", KEYS)
def test_accepts_the_right_answer_within_its_tolerance(key):
    right, tol = reference_answer(key), tolerance(key)
    for answer in (right, shifted(right, 0.9 * tol), shifted(right, -0.9 * tol)):
        result = check(key, answer)
        assert result.ok and bool(result), result.message
        assert result.message.startswith("✓")


@pytest.mark.parametrize("key", KEYS)
def test_rejects_a_wrong_answer_with_a_hint_and_without_the_answer(key):
    right, tol = reference_answer(key), tolerance(key)
    for wrong in (shifted(right, 1.5 * tol), shifted(right, -30 * tol), shifted(right, abs(np.ravel(right)[0]) + 1)):
        result = check(key, wrong)
        assert not result.ok and result.message.startswith("✗"), result.message
        assert "Hint" in result.message or "not quite" in result.message
        assert not leaks(result, right), result.message


@pytest.mark.parametrize("key", [k for k in KEYS if ANSWERS[k].mistakes])
def test_each_anticipated_mistake_gets_its_own_hint(key):
    right, tol = reference_answer(key), tolerance(key)
    for compute, hint in ANSWERS[key].mistakes:
        mistake = compute()
        if all(abs(a - b) <= tol for a, b in zip(np.ravel(mistake), np.ravel(right), strict=True)):
            continue  # this mistake happens to give the right number here
        result = check(key, mistake)
        assert not result.ok and hint in result.message, result.message


@pytest.mark.parametrize("key", [k for k in KEYS if ANSWERS[k].proportion and abs(reference_answer(k)) > 0.01])
def test_a_percentage_for_a_proportion_gets_a_hint(key):
    result = check(key, 100 * reference_answer(key))
    assert not result.ok and "percentage" in result.message


def test_unanswered_and_malformed_answers():
    key = "unconditional.icc"
    for unanswered in (..., None):
        result = check(key, unanswered)
        assert not result.ok and "not answered" in result.message
    assert "give a number" in check(key, "about a fifth").message
    assert "give a number" in check(key, True).message
    assert "give a number" in check(key, math.nan).message
    assert "2 numbers" in check("unconditional.school_mean_range", reference_answer(key)).message
    assert "one number" in check(key, (0.1, 0.2)).message


def test_answers_in_the_forms_students_produce_them():
    right = reference_answer("unconditional.grand_mean")
    fit = hlmteach.TwoLevelModel(outcome="mAch", group="school").fit(hlmteach.load_hsb())
    for answer in (fit.coef["(Intercept)"], fit.coef[["(Intercept)"]], np.array([right]), f"{right:.2f}", round(right, 2)):
        assert check("unconditional.grand_mean", answer).ok
    low, high = reference_answer("unconditional.school_mean_range")
    for pair in ((low, high), [low, high], np.array([low, high]), pd.Series([low, high])):
        assert check("unconditional.school_mean_range", pair).ok


def test_unknown_key_suggests_the_close_ones():
    with pytest.raises(KeyError, match=r"did you mean 'unconditional\.icc'"):
        check("unconditional.icc_", 0.2)


def test_result_shows_as_its_message():
    result = check("unconditional.icc", "<b>")
    assert str(result) == repr(result) == result.message
    assert "<b>" not in result._repr_html_() and "&lt;b&gt;" in result._repr_html_()
    assert 'data-ok="false"' in result._repr_html_()


def test_keys_name_their_chapter():
    assert {key.split(".")[0] for key in KEYS} == CHAPTERS
    assert all(question for question in answers().values())


def _lme4(model: str, term: str) -> float:
    return hlmteach.seed_outputs()["lme4"][model]["fixed"][term]["Estimate"]


def _lme4_variance(model: str, effect: str) -> float:
    rows = hlmteach.seed_outputs()["lme4"][model]["varcorr"]
    return next(r["vcov"] for r in rows if r["var1"] == effect and r["var2"] is None)


def _lme4_lrt(model: str) -> float:
    return hlmteach.seed_outputs()["lme4"][model]["ranova"][1]["LRT"]


def _hlm7(model: str, term: str, column: str) -> float:
    return hlmteach.seed_outputs()["hlm7"][model]["fixed"][term][column]


@pytest.mark.parametrize(
    ("key", "published", "tol"),
    [
        ("unconditional.grand_mean", lambda: _lme4("unconditional", "(Intercept)"), 1e-4),
        ("unconditional.tau00", lambda: _lme4_variance("unconditional", "(Intercept)"), 1e-3),
        ("means_as_outcomes.gamma01", lambda: _hlm7("means_as_outcomes", "MEANSES", "estimate"), 1e-5),
        ("means_as_outcomes.gamma01_robust_se", lambda: _hlm7("means_as_outcomes", "MEANSES", "se"), 1e-5),
        ("means_as_outcomes.gamma00_r", lambda: _lme4("means_as_outcomes", "(Intercept)"), 1e-4),
        ("random_coefficient.gamma10", lambda: _lme4("random_coefficient", "cses"), 1e-4),
        ("random_coefficient.tau11", lambda: _lme4_variance("random_coefficient", "cses"), 1e-3),
        ("random_coefficient.lrt", lambda: _lme4_lrt("random_coefficient"), 1e-2),
        ("intercepts_slopes.gamma01", lambda: _lme4("intercepts_slopes", "sectorCatholic"), 1e-4),
        ("intercepts_slopes.gamma11", lambda: _lme4("intercepts_slopes", "cses:sectorCatholic"), 1e-4),
        ("intercepts_slopes.lrt_slope", lambda: _lme4_lrt("intercepts_slopes"), 1e-2),
    ],
)
def test_reference_answers_agree_with_the_seeds_published_output(key, published, tol):
    assert reference_answer(key) == pytest.approx(published(), abs=tol)


def test_derived_answers_agree_with_a_direct_computation():
    hsb = hlmteach.load_hsb()
    unconditional = hlmteach.lmer("mAch ~ 1 + (1 | school)", hsb)
    rho = unconditional.tau.iloc[0, 0] / (unconditional.tau.iloc[0, 0] + unconditional.sigma2)
    assert reference_answer("unconditional.icc") == pytest.approx(rho, rel=1e-6)
    rc = hlmteach.lmer("mAch ~ 1 + cses + (1 + cses | school)", hsb)
    gamma, tau = rc.coef["cses"], rc.tau.loc["cses", "cses"]
    low, high = reference_answer("random_coefficient.slope_range")
    z = norm.ppf(0.975)
    assert (low, high) == pytest.approx((gamma - z * tau**0.5, gamma + z * tau**0.5), abs=1e-4)
    full = hlmteach.lmer("mAch ~ cses * (MEANSES + sector) + (1 + cses | school)", hsb)
    slope = full.coef["cses"] + 0.5 * full.coef["cses:MEANSES"] + full.coef["cses:sectorCatholic"]
    assert reference_answer("capstone.slope_catholic") == pytest.approx(slope, abs=1e-6)
    assert reference_answer("capstone.deviance") == pytest.approx(full.deviance, abs=1e-4)
