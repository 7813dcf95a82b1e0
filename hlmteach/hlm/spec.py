"""A two-level model described the way HLM 7 asks for it.

HLM 7 users build a model by clicking: an outcome; level-1 predictors, each
uncentred, group-mean or grand-mean centred; for each level-1 coefficient β_qj
its level-2 predictors and whether it has a random effect u_qj.  ``TwoLevelModel``
holds exactly those switches (the book's controls toggle them) and turns them
into the equivalent lme4 formula, the level-1/level-2 and mixed equations in
the book's notation (γ, u, r, β_j), and a fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from ..data.datasets import Centering, center
from .fit import Fit, lmer

__all__ = ["Level1Predictor", "TwoLevelModel"]

SUFFIX = {"none": "", "group": "_cwc", "grand": "_cgm"}  # centred within cluster / at the grand mean


@dataclass(frozen=True)
class Level1Predictor:
    """A level-1 predictor X_q and the equation of its coefficient β_qj."""

    name: str
    centering: Centering = "none"
    random: bool = False
    level2: tuple[str, ...] = ()

    @property
    def column(self) -> str:
        """The model-frame column: e.g. ``ses_cwc`` for group-mean-centred ``ses``."""
        return self.name + SUFFIX[self.centering]


@dataclass(frozen=True)
class TwoLevelModel:
    """HLM 7's switches for a two-level model (see the module docstring)."""

    outcome: str
    group: str
    predictors: tuple[Level1Predictor, ...] = ()
    intercept_level2: tuple[str, ...] = ()
    random_intercept: bool = True
    labels: dict[str, str] = field(default_factory=dict)  # display names for variables

    def __post_init__(self) -> None:
        for p in self.predictors:
            if p.centering not in SUFFIX:
                raise ValueError(f"centring of {p.name!r} must be 'none', 'group' or 'grand', got {p.centering!r}")
        if not self.random_intercept and not any(p.random for p in self.predictors):
            raise ValueError("at least one coefficient must vary across groups (a random intercept or a random slope)")
        names = [p.name for p in self.predictors]
        if len(set(names)) != len(names):
            raise ValueError(f"a level-1 predictor appears twice: {names}")

    # --- switches --------------------------------------------------------------
    def with_predictor(self, name: str, **changes: object) -> TwoLevelModel:
        """A copy with the switches of level-1 predictor ``name`` changed."""
        if name not in [p.name for p in self.predictors]:
            raise KeyError(f"{name!r} is not a level-1 predictor of this model")
        return replace(self, predictors=tuple(replace(p, **changes) if p.name == name else p for p in self.predictors))

    # --- lme4 --------------------------------------------------------------------
    @property
    def formula(self) -> str:
        """The equivalent lme4 formula, e.g. ``mAch ~ 1 + ses_cwc + sector + ses_cwc:sector + (1 + ses_cwc | school)``."""
        terms = ["1", *[p.column for p in self.predictors], *self.intercept_level2]
        terms += [f"{p.column}:{w}" for p in self.predictors for w in p.level2]
        random = ["1" if self.random_intercept else "0", *[p.column for p in self.predictors if p.random]]
        return f"{self.outcome} ~ {' + '.join(terms)} + ({' + '.join(random)} | {self.group})"

    def prepare(self, data: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``data`` with the centred predictors added (the caller's frame is untouched).

        Level-2 predictors must be constant within each group: HLM 7 reads them
        from the school file.
        """
        for w in {*self.intercept_level2, *(w for p in self.predictors for w in p.level2)}:
            if w not in data.columns:
                raise KeyError(f"level-2 predictor {w!r} is not a column of the data")
            varies = data.groupby(self.group, observed=True)[w].nunique(dropna=False) > 1
            if varies.any():
                raise ValueError(
                    f"level-2 predictor {w!r} varies within {int(varies.sum())} groups of {self.group!r}; "
                    "a level-2 predictor must be constant within each group"
                )
        extra = {p.column: center(data, p.name, p.centering, self.group) for p in self.predictors if p.centering != "none"}
        return data.assign(**extra) if extra else data.copy()

    def hlm_names(self) -> dict[str, str]:
        """HLM 7 names for the model's columns (a centred predictor keeps its variable's name)."""
        return {p.column: self.labels.get(p.name, p.name).upper() for p in self.predictors}

    def fit(self, data: pd.DataFrame, reml: bool = True) -> Fit:
        """Fit the model to ``data`` (REML by default)."""
        return lmer(self.formula, self.prepare(data), reml=reml, hlm_names=self.hlm_names())

    # --- equations -------------------------------------------------------------------
    def _name(self, variable: str) -> str:
        return rf"\text{{{self.labels.get(variable, variable)}}}"

    def _x(self, p: Level1Predictor) -> str:
        x = self._name(p.name)
        if p.centering == "group":
            return rf"({x}_{{ij}} - \overline{{{x}}}_{{\cdot j}})"
        if p.centering == "grand":
            return rf"({x}_{{ij}} - \overline{{{x}}}_{{\cdot\cdot}})"
        return rf"{x}_{{ij}}"

    def _w(self, w: str) -> str:
        return rf"{self._name(w)}_{{j}}"

    def equations(self) -> dict[str, object]:
        """LaTeX for the level-1 equation, one level-2 equation per β_qj, and the mixed model.

        Returns ``{"level1": str, "level2": [str, ...], "mixed": str}``.
        """
        y = rf"{self._name(self.outcome)}_{{ij}}"
        level1 = " + ".join([r"\beta_{0j}", *[rf"\beta_{{{q}j}}{self._x(p)}" for q, p in enumerate(self.predictors, 1)]])
        rows = [(0, self.intercept_level2, self.random_intercept, "")]
        rows += [(q, p.level2, p.random, self._x(p)) for q, p in enumerate(self.predictors, 1)]
        level2, fixed, random = [], [], []
        for q, ws, has_u, x in rows:
            gammas = [rf"\gamma_{{{q}0}}", *[rf"\gamma_{{{q}{s}}}{self._w(w)}" for s, w in enumerate(ws, 1)]]
            level2.append(rf"\beta_{{{q}j}} = " + " + ".join(gammas + ([rf"u_{{{q}j}}"] if has_u else [])))
            fixed += [g + x for g in gammas]
            if has_u:
                random.append(rf"u_{{{q}j}}{x}")
        return {
            "level1": rf"{y} = {level1} + r_{{ij}}",
            "level2": level2,
            "mixed": rf"{y} = " + " + ".join(fixed + random + ["r_{ij}"]),
        }

    def latex(self) -> str:
        """All equations as one aligned LaTeX block (for Markdown/MathJax)."""
        eq = self.equations()
        lines = [r"\text{Level 1:}\quad & " + eq["level1"]]
        lines += [(r"\text{Level 2:}\quad & " if i == 0 else "& ") + e for i, e in enumerate(eq["level2"])]
        lines.append(r"\text{Mixed:}\quad & " + eq["mixed"])
        return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"
