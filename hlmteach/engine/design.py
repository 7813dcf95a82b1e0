"""Step 2 of the pipeline: check the data and build the model matrices.

``y`` (outcome), ``X`` (fixed effects, one column per γ) and ``Z`` (random
effects) are built from a parsed formula and a DataFrame, with R's treatment
coding and column names (:mod:`~hlmteach.engine.coding`), and the level
structure HLM 7's tables need (:mod:`~hlmteach.engine.levels`).  Bad input is
refused here by one small check per problem, each naming the column.
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import lapack

from .coding import Part, Variable, encode_columns, factor_levels, product, variable
from .formula import Formula, fixed_only
from .levels import INTERCEPT, Levels, build_levels

__all__ = ["Design", "build_design", "build_fixed_design"]


@dataclass(frozen=True)
class Design:
    """Model matrices for one two-level model, with R's names.

    ``y`` (outcome), ``X`` (fixed effects, one column per γ, named ``xnames``),
    ``Z`` (random effects, named ``znames``) and ``groups`` (each row's group
    code, naming ``group_levels``); ``levels`` holds HLM 7's view of the fixed
    columns (:class:`~hlmteach.engine.levels.Levels`).
    """

    y: np.ndarray
    X: np.ndarray
    Z: np.ndarray
    groups: np.ndarray  # group code per row, 0..J-1
    group_levels: tuple[str, ...]
    xnames: tuple[str, ...]
    znames: tuple[str, ...]
    zterms: tuple[str, ...]  # the formula term each random effect comes from
    levels: Levels  # HLM's view: which γ belongs to which level-1 coefficient
    formula: Formula
    dropped: int  # rows left out for missing values

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


def _model_matrix(
    terms: tuple[frozenset[str], ...], intercept: bool, order: tuple[str, ...], variables: dict[str, Variable], n: int
) -> tuple[list[tuple[list[Part], frozenset[str]]], list[str], np.ndarray]:
    """Columns (parts and term), their R names, and the matrix, for the given terms."""
    cols = encode_columns(terms, intercept, order, variables)
    if intercept:
        cols.insert(0, ([], frozenset()))
    names = [":".join(nm for _, nm, _ in parts) or INTERCEPT for parts, _ in cols]
    X = np.column_stack([product(parts, n) for parts, _ in cols]) if cols else np.zeros((n, 0))
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
    variables = {v: variable(columns[v], v) for v in variables_needed}
    _, names, X = _model_matrix(terms, intercept, order, variables, len(y))
    _check_collinear(X, names)
    return y, X, names


def build_design(formula: Formula, data: pd.DataFrame) -> Design:
    """Check ``data`` against ``formula`` and build y, X, Z and the level structure."""
    bar = formula.random[0]
    fixed_vars = [v for v in formula.order if any(v in t for t in formula.terms)]
    random_vars = bar.variables
    what = {formula.response: "outcome", bar.group: "grouping factor"}
    what |= {v: "predictor" for v in fixed_vars + random_vars}
    needed = list(dict.fromkeys([formula.response, *fixed_vars, *random_vars, bar.group]))
    frame = _check_frame(data, needed, what)
    columns, dropped = _drop_missing(frame, needed)

    y = _response(columns[formula.response], formula.response)

    groups, group_levels = factor_levels(columns[bar.group])
    J, n = len(group_levels), len(y)
    if J < 2:
        raise ValueError(f"grouping factor {bar.group!r} has only {J} level; random effects need at least two groups")
    if J >= n:
        raise ValueError(
            f"grouping factor {bar.group!r} has {J} levels for {n} observations (one row per group): "
            "school-level and student-level variation cannot be told apart"
        )

    variables = {v: variable(columns[v], v) for v in dict.fromkeys(fixed_vars + random_vars)}

    fixed_cols, xnames, X = _model_matrix(formula.terms, formula.intercept, formula.order, variables, n)
    random_cols, znames, Z = _model_matrix(bar.terms, bar.intercept, formula.order, variables, n)
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

    return Design(
        y=y,
        X=X,
        Z=Z,
        groups=groups,
        group_levels=group_levels,
        xnames=tuple(xnames),
        znames=tuple(znames),
        zterms=tuple(zterms),
        levels=build_levels([parts for parts, _ in fixed_cols], variables, list(zip(znames, Z.T, strict=True)), groups, J),
        formula=formula,
        dropped=dropped,
    )
