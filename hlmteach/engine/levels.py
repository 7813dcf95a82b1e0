"""The level structure of a two-level model: which γ belongs to which β_qj.

lme4 sees one fixed-effect vector γ; HLM 7 organises it by level-1
coefficient.  Each level-1 coefficient β_qj (the intercept β_0j, a slope
β_1j, ...) has its own level-2 equation β_qj = γ_q0 + γ_q1 W_1j + … + u_qj.
A fixed column of X is the product of a level-1 part (the predictor X_q, or 1
for the intercept) and a level-2 part (W_s, or 1 for γ_q0).  :class:`Levels`
records that split for every column, so that HLM 7's tables (df = J − S_q − 1,
χ² tests of each τ_qq, reliabilities) and the per-group coefficients β̂_qj can
be computed from a fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .coding import Part, Variable, product

__all__ = ["INTERCEPT", "Levels", "build_levels"]

INTERCEPT = "(Intercept)"


@dataclass(frozen=True)
class Levels:
    """Which level-1 coefficient and level-2 predictor each fixed column stands for.

    ``coefficients`` are the level-1 coefficients β_0, β_1, … by R name part
    (``"(Intercept)"``, ``"cses"``); ``level1[c]`` is the coefficient fixed
    column ``c`` belongs to and ``level2[c]`` the level-2 predictor multiplying
    it (``""`` for the equation's intercept γ_q0).  ``W[:, c]`` holds that
    level-2 predictor per group (ones for γ_q0) and ``D`` the level-1
    predictors, one column per coefficient (each school's own OLS regression,
    which HLM 7's χ² tests use).  ``hlm_names`` maps R name parts to HLM 7's
    variable names (``MEANSES``, ``SECTOR``).
    """

    coefficients: tuple[str, ...]
    level1: tuple[str, ...]
    level2: tuple[str, ...]
    W: np.ndarray  # (J, p)
    D: np.ndarray  # (n, len(coefficients))
    hlm_names: dict[str, str]

    def columns_of(self, coefficient: str) -> list[int]:
        """Positions in γ of the fixed effects in ``coefficient``'s level-2 equation (γ_q0 first)."""
        return [c for c, l1 in enumerate(self.level1) if l1 == coefficient]

    def level2_of(self, coefficient: str) -> list[str]:
        """The level-2 predictors in ``coefficient``'s equation (its S_q predictors W_s, without γ_q0)."""
        return [self.level2[c] for c in self.columns_of(coefficient) if self.level2[c]]

    def column_of(self, coefficient: str, level2: str) -> int:
        """Position in γ of γ_qs, the effect of level-2 predictor ``level2`` on ``coefficient``."""
        for c in self.columns_of(coefficient):
            if self.level2[c] == level2:
                return c
        raise KeyError(f"{level2!r} does not predict {coefficient!r}; its level-2 predictors are {self.level2_of(coefficient)}")

    def index(self, coefficient: str) -> int:
        """q, the coefficient's place among β_0j, β_1j, …"""
        return self.coefficients.index(coefficient)


def _is_level2(var: Variable, groups: np.ndarray, first_row: np.ndarray) -> bool:
    """A variable is a level-2 predictor when it is constant within every group."""
    return bool(np.array_equal(var.values, var.values[first_row][groups]))


def _stack(sources: list[tuple[np.ndarray, int] | np.ndarray | float], n: int) -> np.ndarray:
    """Columns side by side, column-major.  A source is a column of a matrix, (matrix, index), or
    values; when all are neighbouring columns of one matrix the result is a view of it."""
    indexed = [src for src in sources if isinstance(src, tuple)]
    if len(indexed) == len(sources) and all(m is indexed[0][0] for m, _ in indexed):
        k = [i for _, i in indexed]
        if k == list(range(k[0], k[0] + len(k))):
            return indexed[0][0][:, k[0] : k[0] + len(k)]
    D = np.empty((len(sources), n)).T
    for k, src in enumerate(sources):
        D[:, k] = src[0][:, src[1]] if isinstance(src, tuple) else src
    return D


def build_levels(
    fixed_columns: list[list[Part]],
    X: np.ndarray,
    variables: dict[str, Variable],
    random: tuple[list[str], np.ndarray],
    groups: np.ndarray,
    name_of: Callable[[list[Part]], str],
) -> Levels:
    """Split each fixed column (its parts, from :func:`~hlmteach.engine.coding.encode_columns`, and
    its values in X) into its level-1 and level-2 parts; ``random`` are the random effects' names
    and matrix Z: they are level-1 coefficients even when no fixed column belongs to them;
    ``name_of`` names a list of parts (R's name, made unique when two different columns would
    share it).  D reuses X's (or Z's) columns where it can."""
    n = len(groups)
    J = int(groups.max()) + 1
    first_row = np.zeros(J, dtype=np.intp)
    first_row[groups[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int32 if n < 2**31 else np.intp)
    used = {part[0] for parts in fixed_columns for part in parts}
    at_level2 = {v: _is_level2(variables[v], groups, first_row) for v in used}
    level1, level2, w_columns, d_columns, hlm_names = [], [], [], {}, {}
    for c, parts in enumerate(fixed_columns):
        for part in parts:
            v, nm = part[0], part[1]
            factor_levels = variables[v].levels
            two = factor_levels is None or len(factor_levels) == 2
            hlm_names[name_of([part])] = (v if two else f"{v}_{nm[len(v) :]}").upper()
        p1 = [part for part in parts if not at_level2[part[0]]]
        p2 = [part for part in parts if at_level2[part[0]]]
        key = name_of(p1)
        level1.append(key)
        level2.append(name_of(p2) if p2 else "")
        w_columns.append(product([(v, nm, col[first_row]) for v, nm, col in p2], J))
        if not p2:  # the column is its level-1 part itself
            d_columns[key] = (X, c)
        elif key not in d_columns:
            d_columns[key] = product(p1, n) if p1 else 1.0
    for k, name in enumerate(random[0]):
        d_columns.setdefault(name, (random[1], k))
    coefficients = sorted(d_columns, key=lambda k: (k != INTERCEPT, list(d_columns).index(k)))
    return Levels(
        coefficients=tuple(coefficients),
        level1=tuple(level1),
        level2=tuple(level2),
        W=np.column_stack(w_columns) if w_columns else np.zeros((J, 0)),
        D=_stack([d_columns[k] for k in coefficients], n),
        hlm_names=hlm_names,
    )
