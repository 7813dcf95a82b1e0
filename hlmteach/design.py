"""Step 2 of the pipeline: check the data and build the model matrices.

``y`` (outcome), ``X`` (fixed effects, one column per γ) and ``Z`` (random
effects) are built from a parsed formula and a DataFrame, with R's treatment
coding and column names.  Each fixed column also records its place in the
two-level model — which level-1 coefficient β_q it belongs to and which
level-2 predictor multiplies it — because HLM 7's tables are organised that
way.  Bad input is refused here, with messages that name the column.
"""

from __future__ import annotations

import difflib
import itertools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import lapack

from .formula import Formula, fixed_only

__all__ = ["Design", "build_design", "build_fixed_design", "encode_columns"]

INTERCEPT = "(Intercept)"


@dataclass(frozen=True)
class Variable:
    """One data column, ready for coding: numeric values or factor codes."""

    name: str
    values: np.ndarray  # float values, or int codes for a factor
    levels: tuple[str, ...] | None  # None for a numeric variable

    def columns(self, contrasts: bool) -> list[tuple[str, np.ndarray]]:
        """(name part, column) pairs: one for a number, one per coded level for a factor."""
        if self.levels is None:
            return [(self.name, self.values)]
        first = 1 if contrasts else 0
        return [(f"{self.name}{lev}", (self.values == k).astype(float)) for k, lev in enumerate(self.levels) if k >= first]


@dataclass(frozen=True)
class Design:
    """Model matrices for one two-level model, with R's names and HLM's structure.

    ``level1[c]`` is the level-1 coefficient (an entry of ``equations``) that
    fixed column ``c`` belongs to; ``level2[c]`` names the level-2 predictor
    multiplying it ("" for that equation's intercept γ_q0) and
    ``level2_values[:, c]`` holds that predictor per group.
    """

    y: np.ndarray
    X: np.ndarray
    Z: np.ndarray
    groups: np.ndarray  # group code per row, 0..J-1
    group_levels: tuple[str, ...]
    xnames: tuple[str, ...]
    znames: tuple[str, ...]
    equations: tuple[str, ...]  # level-1 coefficients: "(Intercept)", "cses", ...
    level1: tuple[str, ...]
    level2: tuple[str, ...]
    level2_values: np.ndarray  # (J, p)
    level1_design: np.ndarray  # (n, len(equations)): the level-1 predictors
    zterms: tuple[str, ...]  # the formula term each random effect comes from
    hlm_names: dict[str, str]  # R name part -> HLM 7's variable name (MEANSES, SECTOR)
    formula: Formula
    dropped: int

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def J(self) -> int:
        return len(self.group_levels)


def _suggest(name: str, columns: list[str]) -> str:
    close = difflib.get_close_matches(name, columns, n=3)
    return f"; did you mean {', '.join(map(repr, close))}?" if close else ""


def _check_frame(data: object, needed: list[str], what: dict[str, str]) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if data.shape[0] == 0:
        raise ValueError("data has no rows")
    columns = [str(c) for c in data.columns]
    missing = [v for v in needed if v not in columns]
    if missing:
        v = missing[0]
        raise KeyError(f"{what.get(v, 'variable')} {v!r} is not a column of the data{_suggest(v, columns)}")
    return data


def _missing(series: pd.Series) -> np.ndarray:
    if series.dtype.kind == "f":
        return np.isnan(series.to_numpy())
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.array.codes < 0
    return series.isna().to_numpy()


def _drop_missing(frame: pd.DataFrame, needed: list[str]) -> tuple[dict[str, pd.Series], int]:
    """The needed columns, without the rows that miss a value in any of them."""
    columns = {c: frame[c] for c in needed}
    masks = {c: _missing(col) for c, col in columns.items()}
    bad = np.logical_or.reduce(list(masks.values()))
    dropped = int(bad.sum())
    if dropped:
        counts = ", ".join(f"{c}: {int(m.sum())}" for c, m in masks.items() if m.any())
        if dropped == len(frame):
            raise ValueError(f"every row has a missing value ({counts}); nothing is left to fit")
        warnings.warn(
            f"dropped {dropped} of {len(frame)} rows with missing values ({counts}), as lme4 does",
            UserWarning,
            stacklevel=4,
        )
        columns = {c: col[~bad] for c, col in columns.items()}
    return columns, dropped


def _variable(series: pd.Series, name: str) -> Variable:
    """Numbers stay numbers; categories, strings and booleans become factors (R's level order)."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes, levels = _used_categories(series)
        return Variable(name, codes, levels)
    if pd.api.types.is_bool_dtype(dtype):
        values = series.to_numpy().astype(bool)
        levels = tuple(lev for lev in (False, True) if (values == lev).any())
        codes = np.searchsorted(np.array(levels), values)
        return Variable(name, codes, tuple(str(lev).upper() for lev in levels))
    if pd.api.types.is_numeric_dtype(dtype):
        values = series.to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise ValueError(f"column {name!r} has infinite values in {int((~np.isfinite(values)).sum())} rows")
        return Variable(name, values, None)
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        strings = series.astype(str)
        levels = tuple(sorted(strings.unique()))
        codes = pd.Categorical(strings, categories=levels).codes
        return Variable(name, np.asarray(codes), levels)
    raise TypeError(f"column {name!r} has type {dtype}, which cannot enter a model; use numbers or categories")


def _used_categories(series: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes and levels of a categorical, leaving out levels that no row uses (as R's droplevels)."""
    codes = series.array.codes.astype(np.intp)
    levels = series.array.categories
    used = np.bincount(codes, minlength=len(levels)) > 0
    if not used.all():
        codes = (np.cumsum(used) - 1)[codes]
        levels = levels[used]
    return codes, tuple(map(str, levels.tolist()))


def _group_codes(series: pd.Series, name: str) -> tuple[np.ndarray, tuple[str, ...]]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return _used_categories(series)
    codes, uniques = pd.factorize(series, sort=True)
    return codes.astype(np.intp), tuple(str(u) for u in uniques)


def _is_level2(var: Variable, groups: np.ndarray, first_row: np.ndarray) -> bool:
    """A variable is a level-2 predictor when it is constant within every group."""
    return bool(np.array_equal(var.values, var.values[first_row][groups]))


def encode_columns(
    terms: tuple[frozenset[str], ...], intercept: bool, order: tuple[str, ...], variables: dict[str, Variable]
) -> list[tuple[list[tuple[str, str, np.ndarray]], frozenset[str]]]:
    """Columns for each term, R's way: a factor is coded by contrasts when the
    term without it is in the model, otherwise by one indicator per level.

    Returns, per column, its parts ``(variable, name part, values)`` and the term.
    """
    present = set(terms) | ({frozenset()} if intercept else set())
    out: list[tuple[list[tuple[str, str, np.ndarray]], frozenset[str]]] = []
    for term in terms:
        names = [v for v in order if v in term]
        per_var = [[(v, nm, col) for nm, col in variables[v].columns(contrasts=(term - {v}) in present)] for v in names]
        # R varies the first variable fastest
        for combo in itertools.product(*reversed(per_var)):
            out.append((list(reversed(combo)), term))
    return out


def _dependent_columns(X: np.ndarray, names: list[str]) -> list[tuple[str, list[str]]]:
    """Columns that are (numerically) linear combinations of earlier columns."""
    G = X.T @ X
    scale = np.sqrt(np.diag(G))
    if X.shape[1] == 0:
        return []
    if np.all(scale > 0):
        R, info = lapack.dpotrf(G / np.outer(scale, scale), lower=0)
        if info == 0 and np.diag(R).min() ** 2 > 1e-10:  # the common case: full rank, nothing to name
            return []
    keep: list[int] = []
    bad: list[tuple[str, list[str]]] = []
    for k in range(X.shape[1]):
        gkk = G[k, k]
        if keep:
            Gs = G[np.ix_(keep, keep)]
            coef = np.linalg.solve(Gs, G[keep, k])
            resid = gkk - G[k, keep] @ coef
        else:
            coef, resid = np.zeros(0), gkk
        if gkk <= 0 or resid <= 1e-10 * gkk:
            used = [names[keep[i]] for i in np.flatnonzero(np.abs(coef) > 1e-8)] if keep else []
            bad.append((names[k], used))
        else:
            keep.append(k)
    return bad


def _response(series: pd.Series, name: str) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        raise TypeError(f"outcome {name!r} must be numeric, but has type {series.dtype}")
    y = series.to_numpy(dtype=float)
    if not np.isfinite(y).all():
        raise ValueError(f"outcome {name!r} has infinite values in {int((~np.isfinite(y)).sum())} rows")
    return y


def _fixed_matrix(
    terms: tuple[frozenset[str], ...], intercept: bool, order: tuple[str, ...], variables: dict[str, Variable], n: int
) -> tuple[list[tuple[list[tuple[str, str, np.ndarray]], frozenset[str]]], list[str], np.ndarray]:
    cols = encode_columns(terms, intercept, order, variables)
    if intercept:
        cols.insert(0, ([], frozenset()))
    names = [":".join(nm for _, nm, _ in parts) or INTERCEPT for parts, _ in cols]
    X = np.column_stack([_product(parts, n) for parts, _ in cols]) if cols else np.zeros((n, 0))
    return cols, names, X


def _check_collinear(X: np.ndarray, names: list[str]) -> None:
    bad = _dependent_columns(X, names)
    if bad:
        name, used = bad[0]
        because = f" of {', '.join(used)}" if used else " (it is constant zero)"
        raise ValueError(
            f"fixed-effect column {name!r} is a linear combination{because}: the predictors are collinear; remove one of them"
        )


def build_fixed_design(text: str, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """y, X and column names for a formula without random effects (``hlmteach.lm``)."""
    response, intercept, terms, order = fixed_only(text)
    variables_needed = [v for v in order if v != response]
    what = {response: "outcome"} | {v: "predictor" for v in variables_needed}
    frame = _check_frame(data, [response, *variables_needed], what)
    columns, _ = _drop_missing(frame, [response, *variables_needed])
    y = _response(columns[response], response)
    variables = {v: _variable(columns[v], v) for v in variables_needed}
    _, names, X = _fixed_matrix(terms, intercept, order, variables, len(y))
    _check_collinear(X, names)
    return y, X, names


def build_design(formula: Formula, data: pd.DataFrame) -> Design:
    """Check ``data`` against ``formula`` and build y, X, Z and the HLM structure."""
    bar = formula.random[0]
    fixed_vars = [v for v in formula.order if any(v in t for t in formula.terms)]
    random_vars = bar.variables
    what = {formula.response: "outcome", bar.group: "grouping factor"}
    what |= {v: "predictor" for v in fixed_vars + random_vars}
    needed = list(dict.fromkeys([formula.response, *fixed_vars, *random_vars, bar.group]))
    frame = _check_frame(data, needed, what)
    columns, dropped = _drop_missing(frame, needed)

    y = _response(columns[formula.response], formula.response)

    groups, levels = _group_codes(columns[bar.group], bar.group)
    J, n = len(levels), len(y)
    if J < 2:
        raise ValueError(f"grouping factor {bar.group!r} has only {J} level; random effects need at least two groups")
    if J >= n:
        raise ValueError(
            f"grouping factor {bar.group!r} has {J} levels for {n} observations (one row per group): "
            "school-level and student-level variation cannot be told apart"
        )

    variables = {v: _variable(columns[v], v) for v in dict.fromkeys(fixed_vars + random_vars)}

    fixed_cols, xnames, X = _fixed_matrix(formula.terms, formula.intercept, formula.order, variables, n)
    random_cols, znames, Z = _fixed_matrix(bar.terms, bar.intercept, formula.order, variables, n)
    zterms = [formula.term_label(term) or INTERCEPT for _, term in random_cols]
    q = Z.shape[1]
    if J * q >= n:
        raise ValueError(
            f"{n} observations are too few for {J * q} random effects ({q} per group of {bar.group!r}); "
            "the random-effects variances and the residual variance cannot be separated"
        )
    for name, col in zip(znames, Z.T, strict=True):
        if not np.any(col):
            raise ValueError(f"random effect {name!r} is zero in every row")

    _check_collinear(X, xnames)

    # HLM's view: split each fixed column into its level-1 and level-2 parts
    first_row = np.zeros(J, dtype=np.intp)
    first_row[groups[::-1]] = np.arange(n)[::-1]
    level2_var = {v: _is_level2(variables[v], groups, first_row) for v in variables}
    level1, level2, l2vals, l1cols, hlm_names = [], [], [], {}, {}
    for parts, _ in fixed_cols:
        for v, nm, _ in parts:
            factor_levels = variables[v].levels
            two = factor_levels is None or len(factor_levels) == 2
            hlm_names[nm] = (v if two else f"{v}_{nm[len(v) :]}").upper()
        p1 = [(v, nm, col) for v, nm, col in parts if not level2_var[v]]
        p2 = [(v, nm, col) for v, nm, col in parts if level2_var[v]]
        key = ":".join(nm for _, nm, _ in p1) or INTERCEPT
        level1.append(key)
        level2.append(":".join(nm for _, nm, _ in p2))
        l2vals.append(_product(p2, n)[first_row])
        l1cols.setdefault(key, _product(p1, n))
    for name, col in zip(znames, Z.T, strict=True):
        l1cols.setdefault(name, col)
    equations = sorted(l1cols, key=lambda k: (k != INTERCEPT, list(l1cols).index(k)))

    return Design(
        y=y,
        X=X,
        Z=Z,
        groups=groups,
        group_levels=levels,
        xnames=tuple(xnames),
        znames=tuple(znames),
        equations=tuple(equations),
        level1=tuple(level1),
        level2=tuple(level2),
        level2_values=np.column_stack(l2vals) if l2vals else np.zeros((J, 0)),
        level1_design=np.column_stack([l1cols[k] for k in equations]),
        zterms=tuple(zterms),
        hlm_names=hlm_names,
        formula=formula,
        dropped=dropped,
    )


def _product(parts: list[tuple[str, str, np.ndarray]], n: int) -> np.ndarray:
    out = np.ones(n)
    for _, _, col in parts:
        out = out * col
    return out
