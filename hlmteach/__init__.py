"""hlmteach: two-level hierarchical linear models as HLM 7 and lme4/lmerTest report them.

The package has four rooms, each depending only on the ones before it:

* :mod:`hlmteach.engine` — the REML engine, lme4's pipeline (``parse_formula``
  → ``build_design`` → ``group_stats`` → ``ProfiledDeviance`` → ``optimize``
  → ``MixedFit``), with numpy, scipy and pandas only; :mod:`hlmteach.data`
  beside it holds the bundled data.
* :mod:`hlmteach.rtext` and :mod:`hlmteach.hlm` — what the reference programs
  print: R's ``summary()``/``ranova()``/``anova()`` text, and HLM 7's tables
  (robust SEs, df = J − S − 1, χ², reliability), its way of specifying a model
  (``TwoLevelModel``) and R&B's quantities (ICC, variance explained, plausible
  values).  ``hlmteach.Fit`` is the engine's fit with both programs' tables.
* :mod:`hlmteach.explore` and :mod:`hlmteach.classroom` — the explorers
  (website and live notebooks) and the self-checks and example data.

``import hlmteach`` loads the first two rooms (neither Altair nor ipywidgets);
``lmer`` runs the whole pipeline.
"""

from .data import center, group_means, hsb_schools, hsb_students, load_hsb, merge_levels, seed_outputs
from .engine import (
    ConvergenceWarning,
    Design,
    LinearFit,
    OptSummary,
    ProfiledDeviance,
    anova,
    build_design,
    contest,
    group_stats,
    lm,
    optimize,
    parse_formula,
)
from .hlm import (
    Fit,
    HLM7Fit,
    HLM7Settings,
    HomogeneityTest,
    Level1Predictor,
    TwoLevelModel,
    boundary_critical_value,
    boundary_p_value,
    chibar2_sf,
    compare_printout,
    criterion_given_variances,
    expected_coefficient,
    hlm7,
    icc,
    level1_homogeneity,
    lmer,
    plausible_range,
    plausible_value_range,
    ranova_boundary,
    side_by_side,
    textbook_table_4_5,
    variance_explained,
)
from .rtext import anova_text, ranova_text

__version__ = "0.1.0"

__all__ = [
    "ConvergenceWarning",
    "Design",
    "Fit",
    "HLM7Fit",
    "HLM7Settings",
    "HomogeneityTest",
    "Level1Predictor",
    "LinearFit",
    "OptSummary",
    "ProfiledDeviance",
    "TwoLevelModel",
    "anova",
    "anova_text",
    "boundary_critical_value",
    "boundary_p_value",
    "build_design",
    "center",
    "chibar2_sf",
    "compare_printout",
    "contest",
    "criterion_given_variances",
    "expected_coefficient",
    "group_means",
    "group_stats",
    "hlm7",
    "hsb_schools",
    "hsb_students",
    "icc",
    "level1_homogeneity",
    "lm",
    "lmer",
    "load_hsb",
    "merge_levels",
    "optimize",
    "parse_formula",
    "plausible_range",
    "plausible_value_range",
    "ranova_boundary",
    "ranova_text",
    "seed_outputs",
    "side_by_side",
    "textbook_table_4_5",
    "variance_explained",
]
