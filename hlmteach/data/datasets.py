"""The High School and Beyond data, and HLM 7's way of preparing two-level data.

HLM 7 users start from two files — students (level 1) and schools (level 2) —
and merge them into an MDM file; R users start from one data frame (mlmRev's
``Hsb82``).  This module ships HLM's two files (see ``data/README.md`` for
their provenance), rebuilds ``Hsb82`` from them, and offers the merge and the
centring HLM 7 does, for any pair of files.
"""

from __future__ import annotations

import json
import warnings
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["center", "group_means", "hsb_schools", "hsb_students", "load_hsb", "merge_levels", "seed_outputs"]

Centering = Literal["none", "group", "grand"]


def _read(name: str) -> pd.DataFrame:
    with resources.files("hlmteach.data").joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"school": str})


def seed_outputs() -> dict[str, dict[str, dict]]:
    """The seed document's reference output, by model name: ``{"lme4": ..., "hlm7": ...}``.

    ``lme4`` holds lme4 1.1-31/lmerTest 3.1-3 fits at full precision; ``hlm7``
    the HLM 7 tables the seed prints, digit for digit (see ``data/reference/README.md``).
    """
    folder = resources.files("hlmteach.data").joinpath("reference")
    lme4 = json.loads(folder.joinpath("lme4_seed_models.json").read_text(encoding="utf-8"))
    hlm7 = json.loads(folder.joinpath("hlm7_seed_tables.json").read_text(encoding="utf-8"))
    return {"lme4": {m["name"]: m for m in lme4}, "hlm7": {k: v for k, v in hlm7.items() if not k.startswith("_")}}


def hsb_students() -> pd.DataFrame:
    """HLM's student file: 7,185 students (school, minority, sex, ses, mathach)."""
    return _read("hsb_level1.csv")


def hsb_schools() -> pd.DataFrame:
    """HLM's school file: 160 schools (school, size, sector, pracad, disclim, himinty, meanses)."""
    return _read("hsb_level2.csv")


def load_hsb() -> pd.DataFrame:
    """One row per student in mlmRev's ``Hsb82`` layout, plus the school file's ``MEANSES``.

    Columns: ``school, minrty, sx, ses, mAch, meanses, sector, cses, MEANSES``.
    ``meanses`` is each school's *sample* mean of ``ses`` (as in ``Hsb82``) and
    ``cses = ses − meanses``; ``MEANSES`` is the school file's variable that
    HLM 7 uses.  Factors have R's level orders (``sector`` Public/Catholic,
    ``minrty`` No/Yes, ``sx`` Male/Female), so model terms are named as in R.
    """
    students, schools = hsb_students(), hsb_schools()
    merged = merge_levels(students, schools, "school")
    meanses = group_means(merged, "ses", "school")
    return pd.DataFrame(
        {
            "school": pd.Categorical(merged["school"], categories=list(schools["school"])),
            "minrty": pd.Categorical(merged["minority"], categories=["No", "Yes"]),
            "sx": pd.Categorical(merged["sex"], categories=["Male", "Female"]),
            "ses": merged["ses"],
            "mAch": merged["mathach"],
            "meanses": meanses,
            "sector": pd.Categorical(merged["sector"], categories=["Public", "Catholic"]),
            "cses": merged["ses"] - meanses,
            "MEANSES": merged["meanses"],
        }
    )


def _id_strings(ids: pd.Series) -> pd.Series:
    """Ids as text, so 1224, 1224.0 and "1224" name the same unit."""
    if pd.api.types.is_float_dtype(ids) and np.all(np.mod(ids.dropna(), 1) == 0):
        ids = ids.astype("Int64")
    return ids.astype("string").str.strip()


def merge_levels(level1: pd.DataFrame, level2: pd.DataFrame, id: str, level2_id: str | None = None) -> pd.DataFrame:
    """Attach each level-2 unit's variables to its level-1 rows, as HLM 7's MDM step does.

    Every level-1 row must find its unit in the level-2 file (a ``ValueError``
    lists the missing ids); units without level-1 rows are left out with a
    warning.  Returns a new frame in the level-1 file's row order; the id
    column holds the level-1 file's ids.
    """
    level2_id = level2_id or id
    for frame, col, which in ((level1, id, "level-1"), (level2, level2_id, "level-2")):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"the {which} data must be a pandas DataFrame, got {type(frame).__name__}")
        if col not in frame.columns:
            raise KeyError(f"id column {col!r} is not in the {which} file; its columns are {list(frame.columns)}")
        if frame[col].isna().any():
            raise ValueError(f"the {which} file has {int(frame[col].isna().sum())} rows without an id in {col!r}")
    ids1, ids2 = _id_strings(level1[id]), _id_strings(level2[level2_id])
    duplicated = ids2[ids2.duplicated()].unique()
    if len(duplicated):
        raise ValueError(f"the level-2 file lists these ids more than once: {list(duplicated[:10])}")
    shared = (set(level1.columns) & set(level2.columns)) - {id, level2_id}
    if shared:
        raise ValueError(f"both files have columns named {sorted(shared)}; rename one so the merged names are unique")
    missing = sorted(set(ids1) - set(ids2))
    if missing:
        count = int(ids1.isin(missing).sum())
        raise ValueError(f"{count} level-1 rows belong to units missing from the level-2 file: ids {missing[:10]}")
    empty = sorted(set(ids2) - set(ids1))
    if empty:
        warnings.warn(
            f"{len(empty)} level-2 units have no level-1 rows and are left out: ids {empty[:10]}",
            UserWarning,
            stacklevel=2,
        )
    position = pd.Series(np.arange(len(level2)), index=ids2.to_numpy())
    rows = position.loc[ids1.to_numpy()].to_numpy()
    attached = level2.drop(columns=[level2_id]).iloc[rows].reset_index(drop=True)
    return pd.concat([level1.reset_index(drop=True), attached], axis=1)


def group_means(data: pd.DataFrame, column: str, group: str) -> pd.Series:
    """Each row's group mean of ``column`` (the X̄_.j of group-mean centring)."""
    values = _numeric(data, column, "averaged")
    if group not in data.columns:
        raise KeyError(f"grouping column {group!r} is not in the data")
    return values.groupby(data[group].to_numpy(), observed=True, sort=False).transform("mean")


def center(data: pd.DataFrame, column: str, how: Centering, group: str | None = None) -> pd.Series:
    """``column`` uncentred (``"none"``), centred on its group means (``"group"``,
    X_ij − X̄_.j) or on its grand mean (``"grand"``, X_ij − X̄_..)."""
    values = _numeric(data, column, "centred")
    if how == "none":
        return values.copy()
    if how == "grand":
        return values - values.mean()
    if how == "group":
        if group is None:
            raise ValueError("group-mean centring needs the grouping column: center(data, column, 'group', group=...)")
        return values - group_means(data, column, group)
    raise ValueError(f"centring must be 'none', 'group' or 'grand', got {how!r}")


def _numeric(data: pd.DataFrame, column: str, purpose: str) -> pd.Series:
    if column not in data.columns:
        raise KeyError(f"column {column!r} is not in the data; its columns are {list(data.columns)}")
    values = data[column]
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        as_numbers = pd.to_numeric(values, errors="coerce")
        bad = values[as_numbers.isna() & values.notna()]
        examples = ", ".join(f"{v!r} (row {i})" for i, v in bad.head(3).items())
        detail = f": {len(bad)} entries are not numbers, e.g. {examples}" if len(bad) else ""
        raise TypeError(f"column {column!r} is not numeric (type {values.dtype}), so it cannot be {purpose}{detail}")
    return values.astype(float)
