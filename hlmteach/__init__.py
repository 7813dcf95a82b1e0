"""hlmteach: two-level hierarchical linear models as HLM 7 and lme4/lmerTest report them.

The pipeline, one step per module: ``parse_formula`` → ``build_design`` →
``group_stats`` → ``ProfiledDeviance`` → ``optimize`` → ``Fit``; ``lmer`` runs it all.
"""

from .compare import LinearFit, anova, lm
from .datasets import center, group_means, hsb_schools, hsb_students, load_hsb, merge_levels, seed_outputs
from .design import Design, build_design
from .deviance import ProfiledDeviance
from .fit import Fit
from .formula import parse_formula
from .optimize import ConvergenceWarning, OptSummary, optimize
from .pipeline import lmer
from .quantities import (
    criterion_given_variances,
    expected_coefficient,
    icc,
    plausible_range,
    plausible_value_range,
    variance_explained,
)
from .spec import Level1Predictor, TwoLevelModel
from .stats import group_stats
from .summary import anova_text, ranova_text

__version__ = "0.1.0"

__all__ = [
    "ConvergenceWarning",
    "Design",
    "Fit",
    "Level1Predictor",
    "LinearFit",
    "OptSummary",
    "ProfiledDeviance",
    "TwoLevelModel",
    "anova",
    "anova_text",
    "build_design",
    "center",
    "criterion_given_variances",
    "expected_coefficient",
    "group_means",
    "group_stats",
    "hsb_schools",
    "hsb_students",
    "icc",
    "lm",
    "lmer",
    "load_hsb",
    "merge_levels",
    "optimize",
    "parse_formula",
    "plausible_range",
    "plausible_value_range",
    "ranova_text",
    "seed_outputs",
    "variance_explained",
]
