"""Tables as a reader expects them: what the book's chapters display instead of raw DataFrames.

The package's tables (``fit.fixed``, ``fit.hlm_fixed()``,
``fit.hlm_variance_components()``, ``fit.ranova()``, ``hlmteach.anova(...)``)
keep full precision and machine names (``se``, ``chi2``, ``p`` as a float,
``NaN`` where a statistic does not apply), which is right for computing with
them and wrong for reading them.  :func:`format_table` turns any of them into
a table of text: p-values as HLM 7 prints them (``<0.001`` or three digits,
:func:`hlmteach.hlm.format_p`), a fixed number of decimals per kind of
statistic, whole numbers without decimals, blanks where a statistic does not
apply, and headers in words, all on one header row.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..hlm import format_p

__all__ = ["COLUMN_TITLES", "format_table"]

#: Headers in words for the package's column and index names (others are kept as they are).
COLUMN_TITLES: dict[str, str] = {
    "term": "Term",
    "random effect": "Random effect",
    "model": "Model",
    "quantity": "Quantity",
    "equation": "Equation",
    "label": "HLM 7 label",
    "estimate": "Estimate",
    "se": "Std. error",
    "t": "t",
    "df": "df",
    "p": "p",
    "sd": "Std. dev.",
    "variance": "Variance",
    "chi2": "χ²",
    "chisq": "χ²",
    "reliability": "Reliability",
    "npar": "Parameters",
    "loglik": "Log-likelihood",
    "aic": "AIC",
    "bic": "BIC",
    "deviance": "Deviance",
    "lrt": "LRT",
    "p_boundary": "p (χ̄² mixture)",
    "lower": "95% CI, lower",
    "upper": "95% CI, upper",
    "sum_sq": "Sum of squares",
    "mean_sq": "Mean square",
    "num_df": "Numerator df",
    "den_df": "Denominator df",
    "grp": "Group",
    "var1": "Variable 1",
    "var2": "Variable 2",
    "vcov": "(Co)variance",
    "sdcor": "SD or correlation",
    "contrast": "Contrast",
}

#: Decimals of each kind of statistic (any other number: ``digits``).
DECIMALS: dict[str, int] = {
    "t": 2,
    "df": 1,  # Satterthwaite's; HLM 7's whole-number df print without decimals
    "chi2": 2,
    "chisq": 2,
    "loglik": 2,
    "aic": 1,
    "bic": 1,
    "deviance": 1,
    "lrt": 2,
    "den_df": 1,
    "F": 2,
}

P_COLUMNS = ("p", "p_boundary", "p-value", "Pr(>|t|)", "Pr(>Chisq)")


def _whole(values: pd.Series) -> bool:
    present = values.dropna()
    return bool(len(present)) and bool(np.all(np.isclose(present, np.round(present), rtol=0, atol=1e-9)))


def _column(values: pd.Series, name: str, decimals: int) -> list[str]:
    """One column as text: p-values, whole numbers, decimals; blank where there is no value."""
    if name in P_COLUMNS:
        return [format_p(None if pd.isna(v) else float(v)) for v in values]
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return ["" if (v is None or (not isinstance(v, str) and pd.isna(v))) else str(v) for v in values]
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    if pd.api.types.is_integer_dtype(values) or (name in ("df", "npar") and _whole(numbers)):
        return ["" if np.isnan(v) else f"{round(v):d}" for v in numbers]
    return ["" if np.isnan(v) else f"{v:.{decimals}f}" for v in numbers]


def format_table(
    table: pd.DataFrame,
    digits: int | Mapping[str, int] = 3,
    titles: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """``table`` as text for reading: p as ``<0.001`` or three digits, blanks for missing values, headers in words.

    Parameters
    ----------
    table
        Any of the package's tables (or another DataFrame); it is not changed.
    digits
        Decimals of the numbers whose kind has no fixed number (estimates,
        standard errors, variances, ...): one number for all of them, or a
        number per column name (e.g. ``{"estimate": 5}``), which also overrides
        the fixed ones (t: 2, Satterthwaite df: 1, χ²: 2, ...).
    titles
        Headers for column (and index) names, on top of :data:`COLUMN_TITLES`.

    Returns
    -------
    pandas.DataFrame
        The same rows and columns, every cell a string; the index's name is
        moved into the header row's first cell, so that the header is one row.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"format_table needs a pandas DataFrame, not {type(table).__name__}")
    per_column = dict(digits) if isinstance(digits, Mapping) else {}
    default = 3 if isinstance(digits, Mapping) else int(digits)
    names = {**COLUMN_TITLES, **(titles or {})}
    text = pd.DataFrame(
        {
            column: _column(table[column], str(column), per_column.get(str(column), DECIMALS.get(str(column), default)))
            for column in table.columns
        },
        index=table.index.copy(),
    )
    text.columns = [names.get(str(c), str(c)) for c in table.columns]
    index_name = table.index.name
    text.index.name = None
    text.columns.name = names.get(str(index_name), str(index_name)) if index_name is not None else None
    return text
