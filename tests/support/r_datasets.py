"""The data sets that tests/fixtures/make_lme4_syntax.R wrote (tests/fixtures/data/), typed as R typed them,
and the fits R recorded on them (tests/fixtures/lme4_syntax_models.json)."""

from __future__ import annotations

from functools import cache

import pandas as pd

import hlmteach

from .files import FIXTURES, fixture

SYNTAX = {m["name"]: m for m in fixture("lme4_syntax_models.json")}


@cache
def _read(name: str) -> pd.DataFrame:
    if name == "hsb":
        return hlmteach.load_hsb()
    data = pd.read_csv(FIXTURES / "data" / f"{name}.csv", encoding="utf-8")
    if name == "sim":
        data["o"] = pd.Categorical(data["o"], categories=["lo", "mid", "hi"], ordered=True)  # R's ordered factor
        data["f"] = data["f"].astype(str)  # R's factor with levels "0" and "1"
        data = data.rename(columns={"7": 7})  # a column named by an integer, as pandas allows
    return data


def r_dataset(name: str) -> pd.DataFrame:
    """A fresh copy of one of R's data sets (sleepstudy, Dyestuff2, Machines, ergoStool, sim, tiny, hsb)."""
    return _read(name).copy()
