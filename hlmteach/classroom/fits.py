"""The models the self-checks' answers come from, fitted once per session on the HSB data.

:mod:`.answers` builds each reference value from these fits with the small
helpers below (a coefficient, a standard error, a variance, a proportion
explained, a test statistic), so that nothing there is a typed-in result.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from functools import cache

import pandas as pd
from scipy import special

from ..data.datasets import group_means, hsb_schools, load_hsb, merge_levels, seed_outputs
from ..hlm.boundary import boundary_p_value
from ..hlm.fit import Fit
from ..hlm.quantities import plausible_value_range, variance_explained
from ..hlm.spec import Level1Predictor, TwoLevelModel


@cache
def _data(school_file: bool) -> pd.DataFrame:
    """``load_hsb()`` with ``female`` (1 for girls) and each school's ``prop_female``; with
    ``school_file`` also the school file's ``size100`` (size/100) and ``pracad``."""
    hsb = load_hsb()
    hsb = hsb.assign(female=(hsb["sx"] == "Female").astype(float))
    hsb["prop_female"] = group_means(hsb, "female", "school")
    if not school_file:
        return hsb
    schools = hsb_schools()
    extra = schools[["school", "pracad"]].assign(size100=schools["size"] / 100)
    return merge_levels(hsb, extra, "school")


def _ses(centering: str = "group", random: bool = True, level2: tuple[str, ...] = ()) -> Level1Predictor:
    return Level1Predictor("ses", centering, random=random, level2=level2)


_M = "mAch"
_SPECS: dict[str, tuple[TwoLevelModel, bool]] = {  # name -> (model, needs the school file's extra columns)
    "unconditional": (TwoLevelModel(_M, "school"), False),
    "minority": (TwoLevelModel(_M, "school", (Level1Predictor("minrty"),)), False),
    "means": (TwoLevelModel(_M, "school", intercept_level2=("MEANSES",)), False),
    "means_r": (TwoLevelModel(_M, "school", intercept_level2=("meanses",)), False),
    "pracad": (TwoLevelModel(_M, "school", intercept_level2=("MEANSES", "pracad")), True),
    "ses_uncentred": (TwoLevelModel(_M, "school", (_ses("none", random=False),)), False),
    "rc": (TwoLevelModel(_M, "school", (_ses(),)), False),
    "rc_sex": (TwoLevelModel(_M, "school", (_ses(), Level1Predictor("sx"))), False),
    "rc_female_within": (
        TwoLevelModel(_M, "school", (_ses(), Level1Predictor("female", "group")), ("prop_female",)),
        False,
    ),
    "rc_uncentred": (TwoLevelModel(_M, "school", (_ses("none"),)), False),
    "rc_fixed": (TwoLevelModel(_M, "school", (_ses(random=False),)), False),
    "is": (TwoLevelModel(_M, "school", (_ses(level2=("sector",)),), ("sector",)), False),
    "is_fixed": (TwoLevelModel(_M, "school", (_ses(random=False, level2=("sector",)),), ("sector",)), False),
    "is_size": (TwoLevelModel(_M, "school", (_ses(level2=("sector", "size100")),), ("sector", "size100")), True),
    "full": (TwoLevelModel(_M, "school", (_ses(level2=("MEANSES", "sector")),), ("MEANSES", "sector")), False),
    "full_uncentred": (TwoLevelModel(_M, "school", (_ses("none", level2=("MEANSES", "sector")),), ("MEANSES", "sector")), False),
    "full_slope_sector": (TwoLevelModel(_M, "school", (_ses(level2=("sector",)),), ("MEANSES", "sector")), False),
    "full_fixed": (
        TwoLevelModel(_M, "school", (_ses(random=False, level2=("MEANSES", "sector")),), ("MEANSES", "sector")),
        False,
    ),
}


@cache
def _fit(name: str) -> Fit:
    """The reference fit ``name``, made once; its warnings (a singular fit among the
    anticipated mistakes) are the package's business, not the student's."""
    model, school_file = _SPECS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(_data(school_file))


def _coef(model: str, term: str) -> Callable[[], float]:
    return lambda: float(_fit(model).coef[term])


def _se(model: str, term: str, robust: bool = False) -> Callable[[], float]:
    if robust:
        return lambda: float(_fit(model).hlm_fixed().loc[term, "se"])
    return lambda: float(_fit(model).fixed.loc[term, "se"])


def _tau(model: str, effect: str = "(Intercept)", sd: bool = False) -> Callable[[], float]:
    def value() -> float:
        tau = float(_fit(model).tau.loc[effect, effect])
        return math.sqrt(tau) if sd else tau

    return value


def _explained(base: str, model: str, effect: str = "(Intercept)") -> Callable[[], float]:
    return lambda: variance_explained(_fit(base), _fit(model), effect)


def _hlm_p(model: str, effect: str) -> Callable[[], float]:
    return lambda: float(_fit(model).hlm_variance_components().loc[effect, "p"])


def _lrt(model: str, without: str) -> Callable[[], float]:
    """Twice the REML log-likelihood difference when the random slope is switched off."""
    return lambda: _fit(without).deviance - _fit(model).deviance


def _boundary_p(model: str, without: str) -> Callable[[], float]:
    """The χ̄² (½χ²(1) + ½χ²(2)) p-value of switching the random slope off."""
    return lambda: boundary_p_value(_lrt(model, without)(), 2)


def _chi2_p(model: str, without: str) -> Callable[[], float]:
    """The plain χ²(2) p-value of the same test (what lmerTest prints)."""
    return lambda: float(special.chdtrc(2, _lrt(model, without)()))


def _hlm7_printed(model: str, table: str, term: str, column: str) -> Callable[[], float]:
    """A number from the seed's HLM 7 output (what a student may copy from it)."""
    return lambda: float(seed_outputs()["hlm7"][model][table][term][column])


def _school_range_ci() -> tuple[float, float]:
    fixed = _fit("unconditional").fixed.loc["(Intercept)"]
    return plausible_value_range(float(fixed["estimate"]), float(fixed["se"]) ** 2)


def _slope_range_ci() -> tuple[float, float]:
    fixed = _fit("rc").fixed.loc["ses_cwc"]
    return plausible_value_range(float(fixed["estimate"]), float(fixed["se"]) ** 2)


def _naive_se_ratio() -> float:
    """SE of γ00 in the two-level model over the SE of the student mean ignoring schools (s/√n)."""
    y = _data(False)[_M]
    return float(_fit("unconditional").fixed.loc["(Intercept)", "se"]) / (float(y.std()) / math.sqrt(len(y)))
