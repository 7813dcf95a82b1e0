"""R's coding of data columns: numbers stay numbers, everything else becomes a factor.

A :class:`Variable` is one formula variable ready for coding: a numeric
column, a numeric matrix (``poly(x, 2)``) or a factor.  :func:`encode_columns`
turns the terms of a formula into model-matrix columns the way R's
``model.matrix`` does: a factor is coded by contrasts when the term without
it is in the model — treatment contrasts (``sectorCatholic``), or for an
*ordered* factor polynomial contrasts (``f3.L``, ``f3.Q``, R's
``contr.poly``) — and by one indicator per level otherwise; names are R's.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .functions import orthogonal_polynomials

__all__ = ["Part", "Variable", "contr_poly", "encode_columns", "factor_levels", "product", "variable"]

MANY_LEVELS = 20  # a mostly-numeric text column with more levels than this is refused as a likely typo


@dataclass(frozen=True)
class Variable:
    """One formula variable, ready for coding.

    ``values`` holds floats (a vector, or a matrix whose columns are named by
    ``suffixes``) or, for a factor, integer codes into ``levels``;
    ``contrasts`` is the contrast matrix of an ordered factor (R's
    ``contr.poly``, columns named ``contrast_names``) and None for
    treatment contrasts.
    """

    name: str
    values: np.ndarray
    levels: tuple[str, ...] | None = None  # None for a numeric variable
    suffixes: tuple[str, ...] | None = None
    contrasts: np.ndarray | None = None
    contrast_names: tuple[str, ...] = ()

    def columns(self, contrasts: bool) -> list[tuple[str, np.ndarray]]:
        """(name part, column) pairs: one per numeric column, one per coded level for a factor."""
        if self.levels is None:
            if self.values.ndim == 1:
                return [(self.name, self.values)]
            return [(self.name + s, self.values[:, k]) for k, s in enumerate(self.suffixes)]
        if contrasts and self.contrasts is not None:
            return [(self.name + nm, self.contrasts[self.values, k]) for k, nm in enumerate(self.contrast_names)]
        first = 1 if contrasts else 0
        return [(f"{self.name}{lev}", (self.values == k).astype(float)) for k, lev in enumerate(self.levels) if k >= first]

    def subset(self, keep: np.ndarray) -> Variable:
        """The variable on the rows ``keep`` (factor levels no kept row uses are dropped, as lme4 does)."""
        if self.levels is None:
            return Variable(self.name, self.values[keep], None, self.suffixes)
        used = np.bincount(self.values[keep], minlength=len(self.levels)) > 0
        codes = (np.cumsum(used) - 1)[self.values[keep]]
        levels = tuple(lev for lev, u in zip(self.levels, used, strict=True) if u)
        return _factor(self.name, codes, levels, self.contrasts is not None)


#: One factor of a model-matrix column: (variable, name part, values).
Part = tuple[str, str, np.ndarray]


def contr_poly(k: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """R's ``contr.poly(k)``: orthonormal polynomial contrasts for k ordered levels, named .L .Q .C ^4 …"""
    names = (".L", ".Q", ".C", *(f"^{i}" for i in range(4, k)))[: k - 1]
    return orthogonal_polynomials(np.arange(1.0, k + 1), k - 1), names


def _factor(name: str, codes: np.ndarray, levels: tuple[str, ...], ordered: bool) -> Variable:
    if ordered and len(levels) > 1:
        contrasts, names = contr_poly(len(levels))
        return Variable(name, codes, levels, contrasts=contrasts, contrast_names=names)
    return Variable(name, codes, levels)


def factor_levels(series: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes and levels of a column taken as a factor, in R's level order.

    Categories keep their order (levels no row uses are dropped, as R's
    ``droplevels``); booleans are ``FALSE``/``TRUE``; numbers (grouping ids)
    are sorted as numbers, anything else as text.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = series.array.codes.astype(np.intp)
        categories = series.array.categories
        used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
        if not used.all():
            codes = np.where(codes >= 0, (np.cumsum(used) - 1)[codes], -1)
            categories = categories[used]
        return codes, tuple(map(str, categories.tolist()))
    if pd.api.types.is_bool_dtype(dtype):
        values = series.to_numpy().astype(bool)
        levels = tuple(lev for lev in (False, True) if (values == lev).any())
        return np.searchsorted(np.array(levels), values).astype(np.intp), tuple(str(lev).upper() for lev in levels)
    if pd.api.types.is_integer_dtype(dtype) and len(series) and not series.hasnans:  # ids: count, don't sort
        values = series.to_numpy()
        low, high = int(values.min()), int(values.max())
        if high - low < 4 * len(values) + 1000:
            shifted = values - low if low else values
            present = np.zeros(high - low + 1, bool)
            present[shifted] = True
            codes = (np.cumsum(present) - 1).astype(np.intp)[shifted]
            return codes, tuple(str(u) for u in (np.flatnonzero(present) + low).tolist())
    if pd.api.types.is_numeric_dtype(dtype):  # numbers as a factor (a grouping id): numeric order
        codes, uniques = pd.factorize(series, sort=True)
        return codes.astype(np.intp), tuple(str(u) for u in uniques)
    strings = series.astype(str)
    levels = tuple(sorted(strings.unique()))
    return np.asarray(pd.Categorical(strings, categories=levels).codes, dtype=np.intp), levels


def check_type(series: pd.Series, name: str) -> None:
    """Refuse columns that cannot enter a model: complex numbers, dates, and numbers mixed with text."""
    dtype = series.dtype
    if pd.api.types.is_complex_dtype(dtype):
        raise TypeError(f"column {name!r} holds complex numbers; a model needs real numbers (take .real or abs() first)")
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        _check_mixed(series, name)
        return
    if not (isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype)):
        raise TypeError(f"column {name!r} has type {dtype}, which cannot enter a model; use numbers or categories")


def _check_mixed(series: pd.Series, name: str) -> None:
    """A text column whose values are almost all numbers is a numeric column with a typo, not a factor."""
    present = series.dropna()
    uniques = pd.unique(present.astype(str))
    numeric = pd.to_numeric(pd.Series(uniques), errors="coerce").notna().to_numpy()
    if numeric.all() or not numeric.any() or numeric.sum() <= (~numeric).sum():
        return  # ids written as text, or text with a few numbers among it: a factor
    stray_numbers = any(isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in present)
    if len(uniques) <= MANY_LEVELS and not stray_numbers:
        return
    texts = set(uniques[~numeric])
    as_text = present.astype(str)
    bad = as_text.isin(texts)
    row = bad.idxmax()
    raise ValueError(
        f"column {name!r} mixes numbers and text: {int(bad.sum())} of {len(present)} values are not numbers "
        f"(e.g. {present.loc[row]!r} in row {row!r}), so it would become a factor with {len(uniques)} levels; "
        f"fix those values, or convert the column with pd.to_numeric(data[{name!r}], errors='coerce') "
        "(they become missing), or make it a pandas Categorical if it really is a factor"
    )


def variable(series: pd.Series, name: str, column: str | None = None) -> Variable:
    """Numbers stay numbers; categories, strings and booleans become factors (R's level order; ordered
    categories get polynomial contrasts).  ``name`` is the variable's R name (`` `a b` ``),
    ``column`` the data column's, for messages (default: ``name``)."""
    column = name if column is None else column
    check_type(series, column)
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        # float64 columns as they are (missing values are NaN already); others converted
        values = series.to_numpy() if dtype == np.float64 else series.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(values).any():
            raise ValueError(f"column {column!r} has infinite values in {int(np.isinf(values).sum())} rows")
        return Variable(name, values)
    codes, levels = factor_levels(series)
    return _factor(name, codes, levels, isinstance(dtype, pd.CategoricalDtype) and dtype.ordered)


def encode_columns(
    terms: tuple[frozenset[str], ...], intercept: bool, order: tuple[str, ...], variables: dict[str, Variable]
) -> list[tuple[list[Part], frozenset[str]]]:
    """Columns for each term, R's way: a factor is coded by contrasts when the
    term without it is in the model, otherwise by one indicator per level.

    Returns, per column, its parts ``(variable, name part, values)`` and the term.
    """
    present = set(terms) | ({frozenset()} if intercept else set())
    out: list[tuple[list[Part], frozenset[str]]] = []
    for term in terms:
        names = [v for v in order if v in term]
        per_var = [[(v, nm, col) for nm, col in variables[v].columns(contrasts=(term - {v}) in present)] for v in names]
        # R varies the first variable fastest
        for combo in itertools.product(*reversed(per_var)):
            out.append((list(reversed(combo)), term))
    return out


def product(parts: list[Part], n: int) -> np.ndarray:
    """The column a list of parts multiplies out to (ones for no parts: the intercept)."""
    if not parts:
        return np.ones(n)
    out = parts[0][2]
    for _, _, col in parts[1:]:
        out = out * col
    return out
