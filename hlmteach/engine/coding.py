"""R's coding of data columns: numbers stay numbers, everything else becomes a factor.

A :class:`Variable` is one data column ready for coding; :func:`encode_columns`
turns the terms of a formula into model-matrix columns the way R's
``model.matrix`` does (treatment contrasts when the term without the factor
is in the model, one indicator per level otherwise), with R's names.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Part", "Variable", "encode_columns", "factor_levels", "product", "variable"]


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


#: One factor of a model-matrix column: (variable, name part, values).
Part = tuple[str, str, np.ndarray]


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
    if pd.api.types.is_numeric_dtype(dtype):  # numbers as a factor (a grouping id): numeric order
        codes, uniques = pd.factorize(series, sort=True)
        return codes.astype(np.intp), tuple(str(u) for u in uniques)
    strings = series.astype(str)
    levels = tuple(sorted(strings.unique()))
    return np.asarray(pd.Categorical(strings, categories=levels).codes, dtype=np.intp), levels


def variable(series: pd.Series, name: str) -> Variable:
    """Numbers stay numbers; categories, strings and booleans become factors (R's level order)."""
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        values = series.to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise ValueError(f"column {name!r} has infinite values in {int((~np.isfinite(values)).sum())} rows")
        return Variable(name, values, None)
    known = isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype)
    if known or pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        codes, levels = factor_levels(series)
        return Variable(name, codes, levels)
    raise TypeError(f"column {name!r} has type {dtype}, which cannot enter a model; use numbers or categories")


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
    out = np.ones(n)
    for _, _, col in parts:
        out = out * col
    return out
