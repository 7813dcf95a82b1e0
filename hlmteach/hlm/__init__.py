"""HLM 7's view of a two-level model, on top of the engine.

HLM 7 organises a model by level-1 coefficient β_qj, each with its own
level-2 equation.  :mod:`.tables` computes its tables from an engine fit
(robust SEs, df = J − S_q − 1, χ² tests of the variance components,
reliabilities) and :mod:`.text` prints them as HLM 7 does;
:mod:`.spec` holds :class:`TwoLevelModel`, HLM 7's switches (centring, random
effects, level-2 predictors) turned into an lme4 formula and equations;
:mod:`.quantities` the numbers R&B's chapter 4 asks for (ICC, variance
explained, plausible values); :mod:`.boundary` the χ̄² p-values of
likelihood-ratio tests of a variance at zero and :mod:`.homogeneity` HLM 7's
test of homogeneity of level-1 variance.  :mod:`.fit` assembles :class:`Fit`, the
engine's fit with HLM 7's tables and R's summary text as methods.
:mod:`.em` reconstructs HLM 7's own iterations (start values, accelerated REML
EM, its stopping rule) and :mod:`.hlm7` runs them: :func:`hlm7` returns an
:class:`HLM7Fit` with the same tables, where HLM 7 stops.
"""

from .boundary import boundary_critical_value, boundary_p_value, chibar2_sf, ranova_boundary
from .em import HLM7Settings
from .fit import Fit, lmer
from .hlm7 import HLM7Fit, compare_printout, hlm7
from .homogeneity import HomogeneityTest, level1_homogeneity
from .quantities import (
    criterion_given_variances,
    expected_coefficient,
    icc,
    plausible_range,
    plausible_value_range,
    variance_explained,
)
from .seed import side_by_side
from .spec import Level1Predictor, TwoLevelModel
from .tables import equation_labels, hlm_fixed_table, hlm_variance_table, robust_vcov
from .text import format_p, hlm_summary
from .textbook import textbook_table_4_5

__all__ = [
    "Fit",
    "HLM7Fit",
    "HLM7Settings",
    "HomogeneityTest",
    "Level1Predictor",
    "TwoLevelModel",
    "boundary_critical_value",
    "boundary_p_value",
    "chibar2_sf",
    "compare_printout",
    "criterion_given_variances",
    "equation_labels",
    "expected_coefficient",
    "format_p",
    "hlm7",
    "hlm_fixed_table",
    "hlm_summary",
    "hlm_variance_table",
    "icc",
    "level1_homogeneity",
    "lmer",
    "plausible_range",
    "plausible_value_range",
    "ranova_boundary",
    "robust_vcov",
    "side_by_side",
    "textbook_table_4_5",
    "variance_explained",
]
