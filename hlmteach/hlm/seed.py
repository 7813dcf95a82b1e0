"""The seed's numbers beside hlmteach's: every figure HLM 7 and lme4 printed for one of its four models.

The seed document ran four models in HLM 7 and in R.  :func:`side_by_side`
lays out each number they printed next to the same number computed by
hlmteach in that program's way (HLM 7's: robust SEs, J − S − 1 df, χ²;
lme4's: model-based SEs, Satterthwaite df, likelihood-ratio tests).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.datasets import seed_outputs
from .fit import Fit

__all__ = ["SIDE_BY_SIDE_COLUMNS", "side_by_side"]

SIDE_BY_SIDE_COLUMNS = ("HLM 7 (seed)", "hlmteach, HLM 7's way", "lme4 (seed)", "hlmteach, lme4's way")


def side_by_side(name: str, hlm_fit: Fit, lme4_fit: Fit) -> pd.DataFrame:
    """Every number the seed prints for model ``name``, beside hlmteach's, one row per quantity.

    ``hlm_fit`` is fitted with the variables HLM 7 used (the school file's
    MEANSES), ``lme4_fit`` with those of the seed's R run.  Cells a program
    does not print are NaN.  Columns: :data:`SIDE_BY_SIDE_COLUMNS`.
    """
    seed = seed_outputs()
    hlm_ref, lme4_ref = seed["hlm7"][name], seed["lme4"][name]
    robust, model_based = hlm_fit.hlm_fixed(), lme4_fit.fixed
    rows = []
    for (term, mine), (lme4_term, theirs) in zip(robust.iterrows(), model_based.iterrows(), strict=True):
        ref, lref = hlm_ref["fixed"][term], lme4_ref["fixed"][lme4_term]
        label = mine["label"]
        rows += [
            (f"{label}: coefficient", ref["estimate"], mine["estimate"], lref["Estimate"], theirs["estimate"]),
            (f"{label}: standard error", ref["se"], mine["se"], lref["Std. Error"], theirs["se"]),
            (f"{label}: t", ref["t"], mine["t"], lref["t value"], theirs["t"]),
            (f"{label}: df", ref["df"], mine["df"], lref["df"], theirs["df"]),
        ]
    lme4_var = {(v["var1"] if v["grp"] != "Residual" else "Residual"): v["vcov"] for v in lme4_ref["varcorr"] if not v["var2"]}
    for effect, row in hlm_fit.hlm_variance_components().iterrows():
        ref = hlm_ref["variance"][effect]
        mine_lme4 = lme4_fit.sigma2 if effect == "Residual" else float(lme4_fit.tau.loc[effect, effect])
        rows.append((f"{row['label']}: variance", ref["variance"], row["variance"], lme4_var[effect], mine_lme4))
        if "chi2" in ref:
            rows.append((f"{row['label']}: χ²", ref["chi2"], row["chi2"], np.nan, np.nan))
    for term, row in lme4_fit.ranova().iloc[1:].iterrows():
        ref = next(r for r in lme4_ref["ranova"] if r["term"] == term)
        rows.append((f"LRT for {term}", np.nan, np.nan, ref["LRT"], row["lrt"]))
    rows.append(("REML deviance (−2 log L)", np.nan, hlm_fit.deviance, lme4_ref["reml_criterion"], lme4_fit.reml_criterion))
    return pd.DataFrame(rows, columns=["quantity", *SIDE_BY_SIDE_COLUMNS]).set_index("quantity").astype(float)
