"""The self-checks' answers: the models they come from, their tolerances and their hints.

Every reference value is computed on demand by fitting, on the High School
and Beyond data, the model an exercise is about (each fit is made once per
session); nothing here is a typed-in result.  Keys are
``<chapter>.<quantity>``, the chapter being the exercise page's
(``unconditional``, ``means_as_outcomes``, ``random_coefficient``,
``intercepts_slopes``, ``capstone``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..hlm.homogeneity import level1_homogeneity
from ..hlm.quantities import expected_coefficient, icc, plausible_range, variance_explained
from .fits import (
    _M,
    _boundary_p,
    _chi2_p,
    _coef,
    _data,
    _explained,
    _fit,
    _hlm7_printed,
    _hlm_p,
    _lrt,
    _naive_se_ratio,
    _school_range_ci,
    _se,
    _slope_range_ci,
    _tau,
)

__all__ = ["ANSWERS", "Answer", "Value"]

Value = float | tuple[float, ...]


# --- the answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One checkable answer: how to compute it, how close counts, and what to say when wrong.

    ``tol`` is the absolute tolerance on each number; ``mistakes`` pairs values
    that anticipated mistakes give with a hint for each; ``proportion`` adds
    the mistake of answering in percent.
    """

    question: str
    compute: Callable[[], Value]
    tol: float
    hint: str
    mistakes: tuple[tuple[Callable[[], Value], str], ...] = ()
    proportion: bool = False


_SD_HINT = "That looks like a standard deviation; a variance component is the square of it."
_PVR_HINT = "That is a confidence interval for the mean (it uses the standard error); plausible values use √τ."
_HLM7_TAU = "That is HLM 7's printed value: HLM 7 stops iterating earlier. Use the fit above."
_A = Answer
_C = "(Intercept)"
_S = "ses_cwc"

# fmt: off
ANSWERS: dict[str, Answer] = {
    # --- the unconditional model ---------------------------------------------------------------------
    "unconditional.grand_mean": _A(
        "γ00, the grand mean of math achievement", _coef("unconditional", _C), 0.01,
        "Read γ00 (INTRCPT2) from the fixed-effects table.",
        ((lambda: float(_data(False)[_M].mean()), "That is the mean of all students, which weights big schools more."),),
    ),
    "unconditional.tau00": _A(
        "τ00, the variance of school means", _tau("unconditional"), 0.01,
        "Read the variance component of INTRCPT1, u0.",
        ((_tau("unconditional", sd=True), _SD_HINT), (lambda: _fit("unconditional").sigma2, "That is σ², the student level.")),
    ),
    "unconditional.sigma2": _A(
        "σ², the variance of students around their school's mean", lambda: _fit("unconditional").sigma2, 0.01,
        "Read the variance component of level-1, r (R calls it Residual).",
        ((lambda: _fit("unconditional").sigma, _SD_HINT), (_tau("unconditional"), "That is τ00, the school level.")),
    ),
    "unconditional.icc": _A(
        "the intraclass correlation τ00 / (τ00 + σ²)", lambda: icc(_fit("unconditional")), 0.002,
        "Divide the school variance by the total variance.",
        (
            (lambda: _fit("unconditional").tau.iloc[0, 0] / _fit("unconditional").sigma2, "Divide by τ00 + σ², not by σ²."),
            (lambda: 1 - icc(_fit("unconditional")), "That is the student level's share; the ICC is the school level's."),
        ),
        proportion=True,
    ),
    "unconditional.school_mean_range": _A(
        "the 95% plausible-value range of school means (low, high)", lambda: plausible_range(_fit("unconditional")), 0.02,
        "γ00 ± 1.96 √τ00.",
        ((_school_range_ci, _PVR_HINT),),
    ),
    "unconditional.minority_sigma2_explained": _A(
        "the proportion of σ² explained by MINORITY", _explained("unconditional", "minority", "Residual"), 0.002,
        "(σ² without MINORITY − σ² with it) / σ² without it.",
        ((_explained("unconditional", "minority"), "That is the change in τ00; the question asks about σ²."),),
        proportion=True,
    ),
    "unconditional.ses_group_tau00_explained": _A(
        "the proportion of τ00 explained by SES centred within schools", _explained("unconditional", "rc_fixed"), 0.01,
        "Compare τ00 with and without SES. Can a variable centred within schools explain differences between them?",
        ((_explained("unconditional", "rc_fixed", "Residual"), "That is σ²; the question asks about τ00."),),
        proportion=True,
    ),
    "unconditional.ses_uncentred_tau00_explained": _A(
        "the proportion of τ00 explained by uncentred SES", _explained("unconditional", "ses_uncentred"), 0.005,
        "Compare τ00 with and without SES (uncentred, fixed slope).",
        ((_explained("unconditional", "ses_uncentred", "Residual"), "That is σ²; the question asks about τ00."),),
        proportion=True,
    ),
    "unconditional.se_ratio": _A(
        "SE of γ00 in the two-level model / SE of the mean ignoring schools", _naive_se_ratio, 0.1,
        "Ignoring schools, the SE of the mean is s/√n; compare the model's SE of γ00 with it.",
        ((lambda: 1 / _naive_se_ratio(), "Turn the ratio round: the two-level SE goes on top."),),
    ),
    # --- regression with means-as-outcomes ------------------------------------------------------------
    "means_as_outcomes.gamma01": _A(
        "γ01, the MEANSES coefficient", _coef("means", "MEANSES"), 0.01, "Read γ01 (MEANSES) from the fixed effects."
    ),
    "means_as_outcomes.gamma01_robust_se": _A(
        "HLM 7's (robust) standard error of γ01", _se("means", "MEANSES", robust=True), 0.002,
        "Read the standard error from the HLM 7-style table (robust standard errors).",
        ((_se("means", "MEANSES"), "That is lme4's model-based SE; HLM 7's table prints robust SEs."),),
    ),
    "means_as_outcomes.tau00_explained": _A(
        "the proportion of τ00 explained by MEANSES", _explained("unconditional", "means"), 0.002,
        "(τ00 unconditional − τ00 now) / τ00 unconditional.",
        ((lambda: 1 - variance_explained(_fit("unconditional"), _fit("means")), "That is the share left, not explained."),),
        proportion=True,
    ),
    "means_as_outcomes.conditional_icc": _A(
        "the ICC left after MEANSES", lambda: icc(_fit("means")), 0.002,
        "Use this model's τ00 and σ².",
        ((lambda: icc(_fit("unconditional")), "That is the unconditional model's ICC; use this model's τ00."),),
        proportion=True,
    ),
    "means_as_outcomes.sigma2_explained": _A(
        "the proportion of σ² explained by MEANSES", _explained("unconditional", "means", "Residual"), 0.002,
        "Compare σ² of the two models. Can a school-level variable explain differences within a school?",
        ((_explained("unconditional", "means"), "That is τ00; the question asks about σ²."),),
        proportion=True,
    ),
    "means_as_outcomes.pracad_gamma": _A(
        "the PRACAD coefficient next to MEANSES", _coef("pracad", "pracad"), 0.01, "Read the PRACAD row of the fixed effects."
    ),
    "means_as_outcomes.pracad_tau00_explained": _A(
        "the proportion of the unconditional τ00 explained by MEANSES and PRACAD", _explained("unconditional", "pracad"),
        0.002, "Compare with the unconditional model's τ00.",
        ((_explained("means", "pracad"), "That compares with the MEANSES model; compare with the unconditional model."),),
        proportion=True,
    ),
    "means_as_outcomes.gamma00_r": _A(
        "γ00 with R's sample school means meanses", _coef("means_r", _C), 0.005, "Fit the model with meanses, not MEANSES.",
        ((_coef("means", _C), "That is the MEANSES (HLM 7) model's γ00; use the sample means meanses."),),
    ),
    # --- the random-coefficient model -----------------------------------------------------------------
    "random_coefficient.gamma10": _A(
        "γ10, the average SES slope", _coef("rc", _S), 0.01, "Read γ10 (the SES slope's INTRCPT2) from the fixed effects."
    ),
    "random_coefficient.tau11": _A(
        "τ11, the variance of SES slopes", _tau("rc", _S), 0.01, "Read the variance component of the SES slope, u1.",
        (
            (_tau("rc", _S, sd=True), _SD_HINT),
            (_hlm7_printed("random_coefficient", "variance", "cses", "variance"), _HLM7_TAU),
        ),
    ),
    "random_coefficient.slope_range": _A(
        "the 95% plausible-value range of SES slopes (low, high)", lambda: plausible_range(_fit("rc"), _S), 0.02,
        "γ10 ± 1.96 √τ11.",
        ((_slope_range_ci, _PVR_HINT),),
    ),
    "random_coefficient.lrt": _A(
        "ranova's likelihood-ratio statistic for the random SES slope", lambda: float(_fit("rc").ranova()["lrt"].iloc[1]),
        0.05, "Read LRT from the ranova table.",
        ((lambda: float(_fit("rc").hlm_variance_components().loc[_S, "chi2"]), "That is HLM 7's χ², a different test."),),
    ),
    "random_coefficient.lrt_p_boundary": _A(
        "the p-value of ranova's LRT against the ½χ²(1) + ½χ²(2) mixture", _boundary_p("rc", "rc_fixed"), 0.0002,
        "hlmteach.boundary_p_value(lrt, 2), or 0.5·P(χ²₁ > LRT) + 0.5·P(χ²₂ > LRT).",
        ((_chi2_p("rc", "rc_fixed"), "That is the χ²(2) p-value ranova prints; use the 50:50 mixture of χ²(1) and χ²(2)."),),
    ),
    "random_coefficient.female_within": _A(
        "the within-school difference female − male (FEMALE centred within schools)",
        _coef("rc_female_within", "female_cwc"), 0.01, "Centre FEMALE within schools and read its coefficient.",
        ((_coef("rc_sex", "sxFemale"), "That is the uncentred sx, which mixes the within- and between-school differences."),),
    ),
    "random_coefficient.prop_female_gamma": _A(
        "the between-school effect of the proportion of girls", _coef("rc_female_within", "prop_female"), 0.02,
        "Add each school's proportion of girls to the intercept's equation and read its coefficient.",
    ),
    "random_coefficient.female_gamma": _A(
        "the fixed effect of being female (sxFemale)", _coef("rc_sex", "sxFemale"), 0.01, "Read the sxFemale row.",
        ((lambda: -_coef("rc_sex", "sxFemale")(), "Check the sign: sxFemale is female minus male."),),
    ),
    "random_coefficient.gamma10_uncentred": _A(
        "γ10 with SES uncentred", _coef("rc_uncentred", "ses"), 0.01, "Switch SES's centring to none and refit.",
        ((_coef("rc", _S), "That is the group-centred slope; switch the centring off."),),
    ),
    "random_coefficient.gamma10_se_fixed": _A(
        "lme4's SE of γ10 when the SES slope is fixed", _se("rc_fixed", _S), 0.002, "Switch u1 off and refit.",
        ((_se("rc", _S), "That is the SE with the random slope; switch u1 off."),),
    ),
    # --- intercepts and slopes as outcomes ------------------------------------------------------------
    "intercepts_slopes.gamma01": _A(
        "γ01, the Catholic difference in school means", _coef("is", "sectorCatholic"), 0.01, "Read SECTOR on INTRCPT1."
    ),
    "intercepts_slopes.gamma11": _A(
        "γ11, the Catholic difference in SES slopes", _coef("is", "ses_cwc:sectorCatholic"), 0.01,
        "Read SECTOR on the SES slope (R: ses_cwc:sectorCatholic).",
        ((_coef("is", "sectorCatholic"), "That is SECTOR on the intercept, γ01."),),
    ),
    "intercepts_slopes.catholic_slope": _A(
        "the expected SES slope in a Catholic school",
        lambda: expected_coefficient(_fit("is"), _S, {"sectorCatholic": 1}), 0.01, "γ10 + γ11 × 1.",
        (
            (_coef("is", "ses_cwc:sectorCatholic"), "That is the difference between sectors; add γ10."),
            (_coef("is", _S), "That is the public schools' slope; add γ11."),
        ),
    ),
    "intercepts_slopes.tau11_explained": _A(
        "the proportion of τ11 explained by SECTOR", _explained("rc", "is", _S), 0.005,
        "Compare τ11 with the random-coefficient model's.",
        ((_explained("rc", "is"), "That is τ00; the question asks about the slope variance τ11."),),
        proportion=True,
    ),
    "intercepts_slopes.slope_chi2_p": _A(
        "HLM 7's p-value for the SES slope variance", _hlm_p("is", _S), 0.005, "Read p for u1 in HLM 7's variance table."
    ),
    "intercepts_slopes.size_gamma": _A(
        "the coefficient of SIZE (in hundreds) on the intercept", _coef("is_size", "size100"), 0.002,
        "Add size/100 to both level-2 equations and read its row for INTRCPT1.",
        ((lambda: _coef("is_size", "size100")() / 100, "Measure size in hundreds of students (size / 100)."),),
    ),
    "intercepts_slopes.lrt_slope_p": _A(
        "the p-value for switching u1 off, against the ½χ²(1) + ½χ²(2) mixture", _boundary_p("is", "is_fixed"), 0.0002,
        "hlmteach.boundary_p_value(deviance_increase, 2).",
        ((_chi2_p("is", "is_fixed"), "That is the χ²(2) p-value; a variance at zero calls for the 50:50 mixture."),),
    ),
    "intercepts_slopes.lrt_slope": _A(
        "the increase in deviance when u1 is switched off", _lrt("is", "is_fixed"), 0.05,
        "Deviance without u1 minus deviance with it (both REML).",
        ((lambda: -_lrt("is", "is_fixed")(), "Switching a random effect off can only raise the deviance."),),
    ),
    # --- capstone: R&B's chapter-4 model ----------------------------------------------------------------
    "capstone.deviance": _A(
        "the deviance (REML criterion) of R&B's chapter-4 model", lambda: _fit("full").deviance, 0.01,
        "Centre SES within schools; MEANSES and SECTOR predict both β0j and β1j; u0j and u1j are both on.",
        (
            (lambda: _fit("is").deviance, "MEANSES is missing: it predicts both the intercept and the slope."),
            (lambda: _fit("full_slope_sector").deviance, "MEANSES must predict the SES slope too."),
            (lambda: _fit("full_uncentred").deviance, "Centre SES on each school's mean (group-mean centring)."),
            (lambda: _fit("full_fixed").deviance, "Switch the random slope u1j on."),
        ),
    ),
    "capstone.gamma01": _A("γ01, MEANSES on the intercept", _coef("full", "MEANSES"), 0.01, "Read MEANSES on INTRCPT1."),
    "capstone.gamma02": _A("γ02, SECTOR on the intercept", _coef("full", "sectorCatholic"), 0.01, "Read SECTOR on INTRCPT1."),
    "capstone.gamma11": _A(
        "γ11, MEANSES on the SES slope", _coef("full", "ses_cwc:MEANSES"), 0.01, "Read MEANSES on the SES slope.",
        ((_coef("full", "MEANSES"), "That is MEANSES on the intercept, γ01."),),
    ),
    "capstone.gamma12": _A(
        "γ12, SECTOR on the SES slope", _coef("full", "ses_cwc:sectorCatholic"), 0.01, "Read SECTOR on the SES slope.",
        ((_coef("full", "sectorCatholic"), "That is SECTOR on the intercept, γ02."),),
    ),
    "capstone.slope_catholic": _A(
        "the expected SES slope in a Catholic school with MEANSES = 0.5",
        lambda: expected_coefficient(_fit("full"), _S, {"sectorCatholic": 1, "MEANSES": 0.5}), 0.01,
        "γ10 + γ11 × 0.5 + γ12 × 1.",
        (
            (lambda: expected_coefficient(_fit("full"), _S, {"sectorCatholic": 1}), "Include MEANSES: γ11 × 0.5."),
            (lambda: expected_coefficient(_fit("full"), _S, {"MEANSES": 0.5}), "Include SECTOR: γ12 × 1."),
        ),
    ),
    "capstone.tau00_explained": _A(
        "the proportion of τ00 explained, compared with the random-coefficient model", _explained("rc", "full"), 0.005,
        "Compare τ00 with the random-coefficient model's.", proportion=True,
    ),
    "capstone.tau11_explained": _A(
        "the proportion of τ11 explained, compared with the random-coefficient model", _explained("rc", "full", _S), 0.005,
        "Compare τ11 with the random-coefficient model's.",
        ((_explained("rc", "full"), "That is τ00; the question asks about τ11."),),
        proportion=True,
    ),
    "capstone.slope_chi2_p": _A(
        "HLM 7's p-value for the SES slope variance", _hlm_p("full", _S), 0.005, "Read p for u1 in HLM 7's variance table."
    ),
    "capstone.lrt_slope_p": _A(
        "the p-value for switching u1 off, against the ½χ²(1) + ½χ²(2) mixture", _boundary_p("full", "full_fixed"), 0.002,
        "hlmteach.boundary_p_value(deviance_increase, 2).",
        ((_chi2_p("full", "full_fixed"), "That is the χ²(2) p-value; a variance at zero calls for the 50:50 mixture."),),
    ),
    "capstone.homogeneity_chi2": _A(
        "HLM 7's χ² statistic for homogeneity of level-1 variance", lambda: level1_homogeneity(_fit("full")).chi2, 0.05,
        "hlmteach.level1_homogeneity(capstone_fit).chi2",
    ),
    "capstone.lrt_slope": _A(
        "the increase in deviance when u1 is switched off", _lrt("full", "full_fixed"), 0.05,
        "Deviance without u1 minus deviance with it (both REML).",
        ((lambda: -_lrt("full", "full_fixed")(), "Switching a random effect off can only raise the deviance."),),
    ),
}
# fmt: on
