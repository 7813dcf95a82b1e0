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
    def _name(self, variable: str) -> _Tex:
        label = self.labels.get(variable, variable)
        return _Tex(rf"\text{{{label}}}", _text_width(label))

    def _x(self, p: Level1Predictor) -> _Tex:
        x = self._name(p.name)
        if p.centering == "none":
            return _Tex(rf"{x.tex}_{{ij}}", x.width + _SUB2)
        mean = r"\cdot j" if p.centering == "group" else r"\cdot\cdot"
        return _Tex(rf"({x.tex}_{{ij}} - \overline{{{x.tex}}}_{{{mean}}})", 2 * x.width + 2 * _SUB2 + _OP + 2 * _PAREN)

    def _w(self, w: str) -> _Tex:
        name = self._name(w)
        return _Tex(rf"{name.tex}_{{j}}", name.width + _SUB1)

    def _terms(self) -> tuple[_Tex, list[_Tex], list[tuple[_Tex, list[_Tex]]], list[_Tex]]:
        """The outcome, the level-1 terms, each β_qj with its level-2 terms, and the mixed model's terms."""
        y = self._name(self.outcome)
        y = _Tex(rf"{y.tex}_{{ij}}", y.width + _SUB2)
        level1 = [_Tex(r"\beta_{0j}", _SYMBOL)]
        level1 += [
            _Tex(rf"\beta_{{{q}j}}{x.tex}", _SYMBOL + x.width) for q, p in enumerate(self.predictors, 1) for x in [self._x(p)]
        ]
        level1.append(_Tex("r_{ij}", _SYMBOL_R))
        rows = [(0, self.intercept_level2, self.random_intercept, _Tex("", 0))]
        rows += [(q, p.level2, p.random, self._x(p)) for q, p in enumerate(self.predictors, 1)]
        level2, fixed, random = [], [], []
        for q, ws, has_u, x in rows:
            gammas = [_Tex(rf"\gamma_{{{q}0}}", _SYMBOL)]
            gammas += [_Tex(rf"\gamma_{{{q}{s}}}{w.tex}", _SYMBOL + w.width) for s, w in enumerate(map(self._w, ws), 1)]
            u = [_Tex(rf"u_{{{q}j}}", _SYMBOL)] if has_u else []
            level2.append((_Tex(rf"\beta_{{{q}j}}", _SYMBOL), gammas + u))
            fixed += [_Tex(g.tex + x.tex, g.width + x.width) for g in gammas]
            random += [_Tex(v.tex + x.tex, v.width + x.width) for v in u]
        return y, level1, level2, fixed + random + [_Tex("r_{ij}", _SYMBOL_R)]

    def equations(self) -> dict[str, object]:
        """LaTeX for the level-1 equation, one level-2 equation per β_qj, and the mixed model, each on one line.

        Returns ``{"level1": str, "level2": [str, ...], "mixed": str}``; :meth:`latex`
        sets them as a block whose lines fit a phone's screen.
        """
        y, level1, level2, mixed = self._terms()

        def line(lhs: _Tex, terms: list[_Tex]) -> str:
            return f"{lhs.tex} = " + " + ".join(t.tex for t in terms)

        return {"level1": line(y, level1), "level2": [line(b, ts) for b, ts in level2], "mixed": line(y, mixed)}

    def latex(self, width: float | None = None) -> str:
        """All equations as one ``aligned`` LaTeX block (for Markdown/MathJax), broken into lines that fit ``width``.

        ``width`` is in CSS pixels of MathJax's output at the book's text size
        (default :data:`LINE_WIDTH`, which fits a 390-pixel-wide phone where
        the book sets display math at 80%).  A long equation continues on
        indented lines that start with ``+``, between whole terms; the labels
        "Level 1:", "Level 2:" and "Mixed:" stand in front of the equations
        when everything fits beside them, and on rows of their own otherwise.
        """
        width = LINE_WIDTH if width is None else width
        y, level1, level2, mixed = self._terms()
        blocks = [("Level 1:", [(y, level1)]), ("Level 2:", level2), ("Mixed:", [(y, mixed)])]
        label = max(_text_width(name) for name, _ in blocks) + _QUAD
        inline = all(label + _one_line(lhs, terms) <= width for _, eqs in blocks for lhs, terms in eqs)
        rows: list[str] = []
        for name, eqs in blocks:
            if not inline:
                rows.append(rf"&\text{{{name}}}")
            for k, (lhs, terms) in enumerate(eqs):
                if inline:  # label | equation, continued lines indented under the equation
                    first, room, more = (rf"\text{{{name}}}\quad &" if k == 0 else "&"), width - label, r"&\qquad "
                else:  # label row, then the equation indented below it
                    first, room, more = r"&\quad ", width - _QUAD, r"&\quad\qquad "
                head, *rest = _wrap(lhs, terms, room)
                rows += [first + head, *(more + line for line in rest)]
        return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"


# --- typesetting: widths of MathJax's output, measured in Chromium at the book's text size (CSS px) ---------------

#: The widest line :meth:`TwoLevelModel.latex` writes: 320 px on a phone, where display math is set at 80%.
LINE_WIDTH = 400.0
_SYMBOL, _SYMBOL_R = 25.0, 20.0  # β_0j, γ_00, u_0j; r_ij
_SUB1, _SUB2 = 5.0, 9.0  # the subscripts j and ij after a name
_OP, _PAREN, _QUAD = 25.0, 8.0, 19.0  # " + " (or " − ", " = "), one parenthesis, \quad
_INDENT = 2 * _QUAD  # \qquad before a continued line


@dataclass(frozen=True)
class _Tex:
    """A piece of an equation and the width MathJax gives it."""

    tex: str
    width: float


def _text_width(text: str) -> float:
    """The width of ``\\text{...}``: MathJax's serif capitals are about 14 px, small letters and digits 10 px."""
    return sum(14.3 if c.isupper() else 5.0 if c.isspace() else 7.0 if c in ".,:;()-" else 9.8 for c in text)


def _one_line(lhs: _Tex, terms: list[_Tex]) -> float:
    return lhs.width + _OP + sum(t.width for t in terms) + _OP * (len(terms) - 1)


def _wrap(lhs: _Tex, terms: list[_Tex], room: float) -> list[str]:
    """``lhs = t1 + t2 …`` as lines no wider than ``room``, breaking only between terms (a term wider than a line keeps one).

    Continued lines start with ``{} +``: the empty group makes the ``+`` binary, spaced as in the line above.
    """
    lines: list[list[_Tex]] = [[]]
    used = lhs.width + _OP
    for term in terms:
        if lines[-1] and used + _OP + term.width > room:
            lines.append([])
            used = _INDENT + _OP
        used += term.width + (_OP if lines[-1] else 0)
        lines[-1].append(term)
    first = f"{lhs.tex} = " + " + ".join(t.tex for t in lines[0])
    return [first, *("{} + " + " + ".join(t.tex for t in line) for line in lines[1:])]
