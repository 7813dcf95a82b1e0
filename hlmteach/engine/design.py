"""Step 2 of the pipeline: check the data and build the model matrices.

``y`` (outcome), ``X`` (fixed effects, one column per γ) and ``Z`` (random
effects, one block of columns per random term) are built from a parsed
formula and a DataFrame, with R's coding and column names
(:mod:`~hlmteach.engine.coding`), and the level structure HLM 7's tables need
(:mod:`~hlmteach.engine.levels`).  Every variable is evaluated on all rows
first, as R's ``model.frame`` does (so ``poly`` and ``scale`` see the same rows
as in R), then incomplete rows are dropped.  Columns are kept apart by
position, never by name: R may give two columns the same name (a factor
``f`` with level ``1`` and a column ``f1``).  Bad input is refused by one
small check per problem, each naming the column (:mod:`~hlmteach.engine.frame`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import lapack

from .coding import Part, Variable, encode_columns, factor_levels, variable
from .formula import Formula, RandomTerm, parse_formula
from .frame import drop_missing, find_columns, missing, numeric
from .functions import columns_of, evaluate
from .levels import INTERCEPT, Levels, build_levels
from .syntax import Name

__all__ = ["Design", "RandomBlock", "build_design", "build_fixed_design"]

MAGNITUDE = 1e150  # a column whose root mean square is outside [1/M, M] cannot be squared in floating point


@dataclass(frozen=True)
class RandomBlock:
    """One random term's columns of Z (its own block of τ) and the formula term each comes from."""

    term: RandomTerm
    columns: tuple[int, ...]
    labels: tuple[str, ...]  # per column: the term's label, "(Intercept)" for the intercept


@dataclass(frozen=True)
class Design:
    """Model matrices for one two-level model, with R's names.

    ``y`` (outcome), ``X`` (fixed effects, one column per γ, named ``xnames``
    — R's names, which may repeat), ``Z`` (random effects, named ``znames``,
    in ``random`` blocks) and ``groups`` (each row's group code, naming
    ``group_levels``); ``levels`` holds HLM 7's view of the fixed columns
    (:class:`~hlmteach.engine.levels.Levels`).
    """

    y: np.ndarray
    X: np.ndarray
    Z: np.ndarray
    groups: np.ndarray  # group code per row, 0..J-1
    group_levels: tuple[str, ...]
    xnames: tuple[str, ...]
    znames: tuple[str, ...]
    random: tuple[RandomBlock, ...]
    levels: Levels  # HLM's view: which γ belongs to which level-1 coefficient
    formula: Formula
    dropped: int  # rows left out for missing values

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def J(self) -> int:
        return len(self.group_levels)

    @property
    def blocks(self) -> tuple[int, ...]:
        """Sizes of the diagonal blocks of τ, one per random term."""
        return tuple(len(b.columns) for b in self.random)

    @property
    def zterms(self) -> tuple[str, ...]:
        """The formula term each random effect comes from."""
        return tuple(label for b in self.random for label in b.labels)


class _Names:
    """Unique names for model-matrix columns: R's name, or R's name and its variables in brackets
    when a different column already has it (a dummy ``f1`` of factor ``f`` beside a column ``f1``)."""

    def __init__(self, variables: set[str]) -> None:
        self.variables = variables
        self.known: dict[tuple, str] = {}

    def __call__(self, parts: list[Part]) -> str:
        identity = tuple((v, nm) for v, nm, _ in parts)
        if identity not in self.known:
            name = ":".join(nm for _, nm, _ in parts) or INTERCEPT
            plain = all(v == nm for v, nm in identity)
            if name in self.known.values() or (name in self.variables and not plain):
                name = f"{name} [{':'.join(v for v, _ in identity)}]"
            self.known[identity] = name
        return self.known[identity]


def _dependent_columns(X: np.ndarray, names: list[str]) -> list[tuple[str, list[str]]]:
    """Columns that are (numerically) linear combinations of earlier columns, judged on X'X scaled
    to a unit diagonal, so that no column's units matter."""
    if X.shape[1] == 0:
        return []
    G = X.T @ X
    scale = np.sqrt(np.diag(G))
    s = np.where(scale > 0, scale, 1.0)
    Gn = G / np.outer(s, s)
    if np.all(scale > 0):
        R, info = lapack.dpotrf(Gn, lower=0)
        if info == 0 and np.diag(R).min() ** 2 > 1e-10:  # the common case: full rank, nothing to name
            return []
    keep: list[int] = []
    bad: list[tuple[str, list[str]]] = []
    for k in range(X.shape[1]):
        coef = np.linalg.solve(Gn[np.ix_(keep, keep)], Gn[keep, k]) if keep else np.zeros(0)
        resid = Gn[k, k] - Gn[k, keep] @ coef if scale[k] > 0 else 0.0
        if resid <= 1e-10:
            bad.append((names[k], [names[keep[i]] for i in np.flatnonzero(np.abs(coef) > 1e-8)]))
        else:
            keep.append(k)
    return bad


def _check_collinear(X: np.ndarray, names: list[str]) -> None:
    bad = _dependent_columns(X, names)
    if bad:
        name, used = bad[0]
        because = f" of {', '.join(used)}" if used else " (it is constant zero)"
        raise ValueError(
            f"fixed-effect column {name!r} is a linear combination{because}: the predictors are collinear; remove one of them"
        )


def _check_magnitude(columns: list[tuple[str, np.ndarray]]) -> None:
    """Sums of squares of every column must be representable: refuse values near the ends of floating point."""
    for name, col in columns:
        with np.errstate(over="ignore"):
            rms = float(np.sqrt((col @ col) / len(col)))
        if not rms <= MAGNITUDE or (rms < 1 / MAGNITUDE and col.any()):
            peak = float(np.max(np.abs(col)))
            raise ValueError(
                f"{name!r} has values of magnitude {peak:.3g}, too {'large' if peak > 1 else 'small'} to square in "
                "floating point; rescale it (e.g. change its units) before fitting"
            )


def _check_size(p: int, n: int, variables: dict[str, Variable]) -> None:
    if p < n:
        return
    factors = sorted((len(v.levels), v.name) for v in variables.values() if v.levels is not None)
    because = f"; the factor {factors[-1][1]!r} alone has {factors[-1][0]} levels" if factors else ""
    raise ValueError(
        f"the model has {p} fixed effects for {n} observations: there must be fewer fixed effects than rows{because}"
    )


def _columns(
    terms: tuple[frozenset[str], ...], intercept: bool, order: tuple[str, ...], variables: dict[str, Variable]
) -> tuple[list[tuple[list[Part], frozenset[str]]], list[str]]:
    """Columns (parts and term) and their R names, for the given terms."""
    cols = encode_columns(terms, intercept, order, variables)
    if intercept:
        cols.insert(0, ([], frozenset()))
    return cols, [":".join(nm for _, nm, _ in parts) or INTERCEPT for parts, _ in cols]


def _matrix(columns: list[list[Part]], n: int) -> np.ndarray:
    """The model matrix of some columns' parts, column-major (each column is written, and later
    read, in one piece), multiplied out in place: fresh memory is what a large fit pays for."""
    M = np.empty((len(columns), n)).T
    for k, parts in enumerate(columns):
        if not parts:
            M[:, k] = 1.0
        elif len(parts) == 1:
            M[:, k] = parts[0][2]
        else:
            np.multiply(parts[0][2], parts[1][2], out=M[:, k])
            for part in parts[2:]:
                M[:, k] *= part[2]
    return M


def _columns_of_x(columns: list[list[Part]], fixed: list[list[Part]], X: np.ndarray, n: int) -> np.ndarray:
    """The matrix of ``columns``: a view of X's columns when they are among them, side by side (the
    usual random intercept and slope), else a matrix of its own."""
    identity = {tuple((v, nm) for v, nm, _ in parts): k for k, parts in enumerate(fixed)}
    found = [identity.get(tuple((v, nm) for v, nm, _ in parts)) for parts in columns]
    if None not in found and found == list(range(found[0], found[0] + len(found))):
        return X[:, found[0] : found[0] + len(found)]
    return _matrix(columns, n)


def _model_matrix(
    terms: tuple[frozenset[str], ...], intercept: bool, order: tuple[str, ...], variables: dict[str, Variable], n: int
) -> tuple[list[tuple[list[Part], frozenset[str]]], list[str], np.ndarray]:
    """Columns (parts and term), their R names, and the matrix, for the given terms."""
    cols, names = _columns(terms, intercept, order, variables)
    return cols, names, _matrix([parts for parts, _ in cols], n)


def _variables(
    formula: Formula, columns: dict[str, pd.Series], labels: list[str], n: int
) -> tuple[dict[str, Variable], np.ndarray | None, int]:
    """Every formula variable, evaluated on all rows, then on the complete rows only; also which rows
    are kept (None: all) and how many were dropped."""
    masks = {c: missing(s) for c, s in columns.items()}
    values: dict[str, tuple[np.ndarray, tuple[str, ...] | None]] = {}
    for label in labels:
        node = formula.expressions[label]
        if isinstance(node, Name):
            continue
        used = columns_of(node)
        if not used:
            raise ValueError(f"{label} uses no column of the data")
        v, suffixes = evaluate(node, lambda c, use=label: numeric(columns[c], c, use))
        present = ~np.logical_or.reduce([masks[c] for c in used])
        bad = present & ~np.isfinite(v if v.ndim == 1 else v.sum(axis=1))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            where = ", ".join(f"{c} = {columns[c].iloc[row]}" for c in used)
            raise ValueError(
                f"{label} is not a finite number in {int(bad.sum())} rows "
                f"(e.g. row {columns[used[0]].index[row]!r}, where {where}); it is undefined there"
            )
        values[label] = (v, suffixes)
    keep, dropped = drop_missing(masks, n)
    out: dict[str, Variable] = {}
    for label in labels:
        node = formula.expressions[label]
        if isinstance(node, Name):
            series = columns[node.name] if keep is None else columns[node.name][keep]
            out[label] = variable(series, label, node.name)
        else:
            v, suffixes = values[label]
            out[label] = Variable(label, v if keep is None else v[keep], None, suffixes)
    return out, keep, dropped


def _response(var: Variable, label: str) -> np.ndarray:
    if var.levels is not None:
        raise TypeError(f"outcome {label!r} must be numeric, but it is a factor with levels {', '.join(var.levels[:3])}…")
    if var.values.ndim != 1:
        raise TypeError(f"outcome {label!r} must be one numeric column")
    return var.values


def _needed(formula: Formula) -> tuple[list[str], dict[str, str]]:
    """The data columns a formula reads, and what each is (for error messages)."""
    what: dict[str, str] = {}
    for c in columns_of(formula.expressions[formula.response]):
        what.setdefault(c, "outcome")
    for label in formula.order[1:]:
        for c in columns_of(formula.expressions[label]):
            what.setdefault(c, "predictor")
    for r in formula.random:
        for label in r.variables:
            for c in columns_of(formula.expressions[label]):
                what.setdefault(c, "predictor")
        what.setdefault(r.group, "grouping factor")
    return list(what), what


def build_fixed_design(text: str, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """y, X and column names for a formula without random effects (``hlmteach.lm``)."""
    formula = parse_formula(text, [str(c) for c in getattr(data, "columns", [])], random=False)
    needed, what = _needed(formula)
    columns = find_columns(data, needed, what)
    n = len(data)
    variables, _, _ = _variables(formula, columns, list(formula.order), n)
    y = _response(variables[formula.response], formula.response)
    _, names, X = _model_matrix(formula.terms, formula.intercept, formula.order, variables, len(y))
    _check_magnitude([(formula.response, y), *zip(names, X.T, strict=True)])
    _check_collinear(X, names)
    return y, X, names


def build_design(formula: Formula, data: pd.DataFrame) -> Design:
    """Check ``data`` against ``formula`` and build y, X, Z and the level structure."""
    if formula.dot and isinstance(data, pd.DataFrame):
        formula = parse_formula(formula.text, [str(c) for c in data.columns])
    needed, what = _needed(formula)
    columns = find_columns(data, needed, what)
    group = formula.group
    labels = list(dict.fromkeys([*formula.order, *(v for r in formula.random for v in r.variables)]))
    variables, keep, dropped = _variables(formula, columns, labels, len(data))
    y = _response(variables[formula.response], formula.response)
    n = len(y)
    groups, group_levels = factor_levels(columns[group] if keep is None else columns[group][keep])
    J = len(group_levels)
    if J < 2:
        raise ValueError(f"grouping factor {group!r} has only {J} level; random effects need at least two groups")
    if J >= n:
        raise ValueError(
            f"grouping factor {group!r} has {J} levels for {n} observations (one row per group): "
            "school-level and student-level variation cannot be told apart"
        )
    naming = _Names(set(labels))
    fixed_cols, xnames, X = _model_matrix(formula.terms, formula.intercept, formula.order, variables, n)
    blocks, znames, zparts, seen = [], [], [], {}
    for term in formula.random:
        cols, _ = _columns(term.terms, term.intercept, term.order, variables)
        idx = []
        for parts, _ in cols:
            name = naming(parts)
            if name in seen:
                raise ValueError(
                    f"random effect {name!r} appears in both {seen[name]} and {term.text}: "
                    f"each random effect of {group!r} may be in only one random term"
                )
            seen[name] = term.text
            idx.append(len(znames))
            znames.append(name)
            zparts.append(parts)
        labels_of = [term.term_label(t) or INTERCEPT for _, t in cols]
        blocks.append(RandomBlock(term, tuple(idx), tuple(labels_of)))
    xparts = [parts for parts, _ in fixed_cols]
    Z = _columns_of_x(zparts, xparts, X, n)
    q = Z.shape[1]
    _check_size(X.shape[1], n, variables)
    if J * q >= n:
        raise ValueError(
            f"{n} observations are too few for {J * q} random effects ({q} per group of {group!r}); "
            "the random-effects variances and the residual variance cannot be separated"
        )
    for name, col in zip(znames, Z.T, strict=True):
        if not np.any(col):
            raise ValueError(f"random effect {name!r} is zero in every row")
    _check_magnitude([(formula.response, y), *zip(xnames, X.T, strict=True), *zip(znames, Z.T, strict=True)])
    _check_collinear(X, xnames)
    return Design(
        y=y,
        X=X,
        Z=Z,
        groups=groups,
        group_levels=group_levels,
        xnames=tuple(xnames),
        znames=tuple(znames),
        random=tuple(blocks),
        levels=build_levels(xparts, X, variables, (znames, Z), groups, naming),
        formula=formula,
        dropped=dropped,
    )
