"""HLM 7's printed output: its final-estimation tables as text, and its p-value format."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .tables import equation_labels

if TYPE_CHECKING:
    from .fit import Fit

__all__ = ["format_p", "hlm_summary"]


def format_p(p: float | None) -> str:
    """A p-value as HLM 7 prints it: ``<0.001`` or three decimals ("" when there is none)."""
    return "" if p is None or not np.isfinite(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")


def hlm_summary(fit: Fit, robust: bool = True) -> str:
    """HLM 7's final-estimation tables: fixed effects, variance components, reliability, deviance."""
    fixed = fit.hlm_fixed(robust)
    title = "Final estimation of fixed effects" + (" (with robust standard errors)" if robust else "")
    lines = [title, "", f"{'Fixed Effect':<24}{'Coefficient':>12}{'Standard':>11}{'t-ratio':>10}{'Approx.':>9}{'p-value':>9}"]
    lines.append(f"{'':<24}{'':>12}{'error':>11}{'':>10}{'d.f.':>9}{'':>9}")
    for equation, rows in fixed.groupby("equation", sort=False):
        lines.append(f"For {equation}")
        for _, r in rows.iterrows():
            numbers = f"{r['estimate']:>12.6f}{r['se']:>11.6f}{r['t']:>10.3f}{int(r['df']):>9d}{format_p(r['p']):>9}"
            lines.append(f"    {r['label']:<20}{numbers}")
    var = fit.hlm_variance_components()
    lines += ["", "Final estimation of variance components", ""]
    lines.append(f"{'Random Effect':<20}{'Standard':>11}{'Variance':>12}{'d.f.':>6}{'χ2':>13}{'p-value':>9}")
    lines.append(f"{'':<20}{'Deviation':>11}{'Component':>12}")
    for _, r in var.iterrows():
        row = f"{r['label']:<20}{r['sd']:>11.5f}{r['variance']:>12.5f}"
        if not pd.isna(r["chi2"]):
            row += f"{int(r['df']):>6d}{r['chi2']:>13.5f}{format_p(r['p']):>9}"
        lines.append(row)
    if var.attrs.get("note"):
        lines += ["", *textwrap.wrap(var.attrs["note"], 80)]
    lines += ["", f"{'Random level-1 coefficient':<30}Reliability estimate"]
    equations = equation_labels(fit)
    for name, value in fit.hlm_reliability.items():
        shown = f"{value:.3f}" if np.isfinite(value) else "not computable (no unit with sufficient data)"
        lines.append(f"{equations[name] + f', β{fit.design.levels.index(name)}':<30}{shown}")
    how = "REML" if fit.reml else "ML"
    # HLM 7 counts what REML estimates (τ and σ²); under ML the γ too.
    nparams = fit.criterion.ntheta + 1 if fit.reml else fit.npar
    lines += [
        "",
        f"Statistics for the current model ({how})",
        f" Deviance = {fit.deviance:.6f}",
        f" Number of estimated parameters = {nparams}",
    ]
    return "\n".join(lines) + "\n"
