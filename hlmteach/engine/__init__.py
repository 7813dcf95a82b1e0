"""The REML engine: lme4's pipeline for two-level linear mixed models (numpy, scipy and pandas only).

One module per step, each callable alone: :mod:`.formula` (R's formula
semantics on the parse trees of :mod:`.syntax`, never ``eval``; functions of
columns in :mod:`.functions`) → :mod:`.design` (model matrices with R's
coding, :mod:`.coding`, and the level structure, :mod:`.levels`; one check
per data problem, with :mod:`.frame` for the data frame's side) →
:mod:`.stats` (per-group sufficient statistics) → :mod:`.deviance` (the
profiled criterion) → :mod:`.optimize` (projected Newton with the exact
derivatives of :mod:`.derivatives`, in the unit-free scaling of
:mod:`.scaling`) → :mod:`.convergence` (lme4's checks) → :mod:`.fit`
(:class:`MixedFit`).  :mod:`.satterthwaite`, :mod:`.contest` (tests of L'γ), :mod:`.compare`
(ranova, anova, lm) and :mod:`.criteria` (AIC, BIC) do inference on fits;
:func:`lmer` runs the whole chain.  Nothing here knows about HLM 7's tables,
R's printed text, charts or widgets.
"""

from .compare import LinearFit, anova, fixed_only_deviance, lm, ranova
from .contest import contest, contrast_matrix
from .convergence import ConvergenceWarning, OptSummary, check_convergence
from .design import Design, build_design
from .deviance import ProfiledDeviance
from .fit import MixedFit
from .formula import parse_formula
from .levels import INTERCEPT, Levels
from .optimize import newton, optimize
from .pipeline import lmer
from .stats import GroupStats, group_stats

__all__ = [
    "INTERCEPT",
    "ConvergenceWarning",
    "Design",
    "GroupStats",
    "Levels",
    "LinearFit",
    "MixedFit",
    "OptSummary",
    "ProfiledDeviance",
    "anova",
    "build_design",
    "check_convergence",
    "contest",
    "contrast_matrix",
    "fixed_only_deviance",
    "group_stats",
    "lm",
    "lmer",
    "newton",
    "optimize",
    "parse_formula",
    "ranova",
]
