"""The data frame's side of building a design: finding columns, reading them as numbers, missing rows.

One small check per problem, each naming the column: a column that is not
there (with a suggestion), two columns with the same name, a column of the
wrong type (:func:`~hlmteach.engine.coding.check_type`), and rows with
missing values, which are dropped with a warning as lme4 does.  Column names
need not be strings (an integer column ``7`` is written `` `7` `` in a
formula); the caller's frame is never modified.
"""

from __future__ import annotations

import difflib
import warnings

import numpy as np
import pandas as pd

from .coding import check_type

__all__ = ["drop_missing", "find_columns", "missing", "numeric"]


def _suggest(name: str, columns: list[str]) -> str:
    close = difflib.get_close_matches(name, columns, n=3)
    return f"; did you mean {', '.join(map(repr, close))}?" if close else ""


def find_columns(data: object, needed: list[str], what: dict[str, str]) -> dict[str, pd.Series]:
    """The columns a formula names (by their text: a column ``7`` is ``"7"``), checked for being there once.

    ``what`` says what each name is in the formula ("outcome", "grouping factor", ...).
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if data.shape[0] == 0:
        raise ValueError("data has no rows")
    positions: dict[str, list[int]] = {}
    for k, c in enumerate(data.columns):
        positions.setdefault(str(c), []).append(k)
    for v in needed:
        if v not in positions:
            raise KeyError(f"{what.get(v, 'variable')} {v!r} is not a column of the data{_suggest(v, list(positions))}")
        if len(positions[v]) > 1:
            raise ValueError(
                f"data has {len(positions[v])} columns named {v!r}, so the {what.get(v, 'variable')} {v!r} is ambiguous; "
                "rename or drop the duplicates (data.loc[:, ~data.columns.duplicated()] keeps the first)"
            )
    return {v: data[data.columns[positions[v][0]]] for v in needed}  # unique labels: plain column access


def missing(series: pd.Series) -> np.ndarray:
    """Which rows miss a value (NaN, None, pandas' NA, a missing category)."""
    if series.dtype.kind == "f":
        return np.isnan(series.to_numpy())
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.array.codes < 0
    return series.isna().to_numpy()


def drop_missing(masks: dict[str, np.ndarray], n: int) -> tuple[np.ndarray | None, int]:
    """Rows to keep (None: all) and how many are dropped, warning as lme4 does; ``masks`` per column."""
    bad = np.logical_or.reduce(list(masks.values())) if masks else np.zeros(n, bool)
    dropped = int(bad.sum())
    if not dropped:
        return None, 0
    counts = ", ".join(f"{c}: {int(m.sum())}" for c, m in masks.items() if m.any())
    if dropped == n:
        raise ValueError(f"every row has a missing value ({counts}); nothing is left to fit")
    warnings.warn(f"dropped {dropped} of {n} rows with missing values ({counts}), as lme4 does", UserWarning, stacklevel=5)
    return ~bad, dropped


def numeric(series: pd.Series, name: str, use: str) -> np.ndarray:
    """A column as floats (NaN where missing, booleans as 0/1) for ``use`` (the expression reading it)."""
    check_type(series, name)
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    if not pd.api.types.is_numeric_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        raise TypeError(f"{use} needs numbers, but column {name!r} is a factor (it has type {dtype})")
    values = series.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values).any():
        raise ValueError(f"column {name!r} has infinite values in {int(np.isinf(values).sum())} rows")
    return values
