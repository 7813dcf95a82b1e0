"""HLM 7's view of a fitted model: robust SEs, J − S − 1 df, χ² tests, reliability.

HLM 7 organises the fixed effects by level-1 coefficient (β_0j, β_1j, …): each
has its own level-2 equation β_qj = γ_q0 + γ_q1 W_1j + … + u_qj.  Its tables
differ from lme4's in three ways, reproduced here (formulas checked against the
seed's printed output, see the reference README):

* robust SEs: the cluster sandwich A⁻¹ [Σ_j X_j'V_j⁻¹ e_j e_j'V_j⁻¹X_j] A⁻¹,
  A = Σ_j X_j'V_j⁻¹X_j, with e_j the marginal residuals y_j − X_j γ̂;
* df = J − S_q − 1 for every γ in the equation of a β_q that varies randomly
  (S_q level-2 predictors), and N − F (level-1 units less the F fixed effects)
  for the γs of a β_q without a random effect, whose information comes from the
  students (e.g. 2285 = 2287 − 2 for Snijders & Bosker's fixed IQ slope);
* χ² test of τ_qq = 0 from each school's own OLS fit:
  Σ_j (β̂_qj − W_j'γ̂_q)² / (σ̂² [(X_j'X_j)⁻¹]_qq) on J' − S_q − 1 df,
  and reliability = mean_j τ_qq / (τ_qq + σ̂² [(X_j'X_j)⁻¹]_qq), both over the
  J' units with enough data for their own OLS fit (more rows than level-1
  coefficients, and X_j'X_j well conditioned); HLM 7 says when J' < J, and
  so does the table (its ``attrs``: ``units``, ``units_used``, ``note``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import special

from ..engine.levels import INTERCEPT
from ..engine.stats import bmul, lmul, sym_inverse, well_conditioned

if TYPE_CHECKING:
    from ..engine.fit import MixedFit

__all__ = ["equation_labels", "hlm_fixed_table", "hlm_variance_table", "robust_vcov", "school_ols"]


def robust_vcov(fit: MixedFit) -> np.ndarray:
    """HLM 7's robust (cluster sandwich) covariance of γ̂."""
    st, ev, p = fit.stats, fit.evaluation, fit.stats.p
    LtW = lmul(ev.lam.T, st.ZtW)  # Λ'Z_j'W_j
    P = bmul(ev.Minv, LtW)  # M_j⁻¹ Λ'Z_j'W_j
    XVW = st.WtW[:p] - bmul(LtW[:, :p].transpose(1, 0, 2), P)  # X_j'V_j⁻¹W_j · σ²
    u = XVW[:, p] - np.einsum("ikj,k->ij", XVW[:, :p], ev.beta)  # X_j'V_j⁻¹e_j · σ²
    return ev.Cinv @ (u @ u.T) @ ev.Cinv


def equation_labels(fit: MixedFit) -> dict[str, str]:
    """HLM's name for each level-1 coefficient: INTRCPT1, or e.g. "SES slope"."""
    names = fit.hlm_names
    return {
        eq: "INTRCPT1" if eq == INTERCEPT else f"{':'.join(names.get(v, v.upper()) for v in eq.split(':'))} slope"
        for eq in fit.design.levels.coefficients
    }


def _gamma_labels(fit: MixedFit) -> tuple[list[str], list[str], list[int]]:
    """Per fixed column: its equation label with β_q, its own label with γ_qs, and HLM 7's df.

    HLM 7's df: J − S_q − 1 (S_q + 1 fixed effects in the equation) when β_q has a
    random effect, N − F (F fixed effects in all) when it has none.
    """
    levels, names = fit.design.levels, fit.hlm_names
    eq_labels = equation_labels(fit)
    random = set(fit.design.znames)
    level1_df = fit.nobs - len(levels.level1)
    position: dict[str, int] = {}
    equation, label, df = [], [], []
    for l1, l2 in zip(levels.level1, levels.level2, strict=True):
        qi = levels.index(l1)
        s = position.setdefault(l1, 0)
        position[l1] = s + 1
        name = "INTRCPT2" if not l2 else ":".join(names.get(v, v.upper()) for v in l2.split(":"))
        equation.append(f"{eq_labels[l1]}, β{qi}")
        label.append(f"{name}, γ{qi}{s}")
        df.append(fit.ngroups - len(levels.columns_of(l1)) if l1 in random else level1_df)
    return equation, label, df


def hlm_fixed_table(fit: MixedFit, robust: bool = True) -> pd.DataFrame:
    """HLM 7's "Final estimation of fixed effects" (robust SEs by default)."""
    cov = robust_vcov(fit) if robust else fit.evaluation.sigma2 * fit.evaluation.Cinv
    se = np.sqrt(np.diag(cov))
    beta = fit.evaluation.beta
    equation, label, dfs = _gamma_labels(fit)
    df = np.array(dfs)
    t = beta / se
    return pd.DataFrame(
        {
            "equation": equation,
            "label": label,
            "estimate": beta,
            "se": se,
            "t": t,
            "df": df,
            "p": 2 * special.stdtr(df, -np.abs(t)),
        },
        index=pd.Index(fit.design.xnames, name="term"),
    )


def school_ols(fit: MixedFit, min_df: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each school's own OLS fit of the level-1 model: β̂_j, diag((X_j'X_j)⁻¹), usable schools.

    A school is usable with at least ``min_df`` residual degrees of freedom (more rows than
    level-1 coefficients) and an X_j'X_j whose condition number, on its unit-diagonal scaling
    (so that no predictor's units matter), is below 10¹⁰.
    """
    st = fit.stats
    m = st.DtD.shape[0]
    diag = np.sqrt(np.einsum("iij->ij", st.DtD))
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = st.DtD / (diag[:, None, :] * diag[None, :, :])
    usable = (st.nj - m >= min_df) & np.all(diag > 0, axis=0)
    usable[usable] = well_conditioned(np.moveaxis(unit[:, :, usable], 2, 0), 1e10)
    inv = sym_inverse(st.DtD[:, :, usable])
    beta = (inv * st.Dty[None, :, usable]).sum(axis=1)
    return beta.T, np.diagonal(inv, axis1=0, axis2=1), usable


def hlm_variance_table(fit: MixedFit) -> pd.DataFrame:
    """HLM 7's "Final estimation of variance components" with χ² tests and reliabilities."""
    d, ev = fit.design, fit.evaluation
    sigma2 = ev.sigma2
    tau = np.diag(fit.tau_matrix)
    beta_ols, vdiag, usable = school_ols(fit)
    used, J = int(usable.sum()), fit.ngroups
    eq_labels = equation_labels(fit)
    W = d.levels.W[usable]
    labels, dofs, chi2s, reliabilities = [], [], [], []
    for qi, name in enumerate(d.znames):
        e = d.levels.index(name)
        cols = d.levels.columns_of(name)
        predicted = W[:, cols] @ ev.beta[cols]
        labels.append(f"{eq_labels[name]}, u{e}")
        dof = used - max(len(cols), 1)
        testable = dof >= 1  # with fewer usable units than the level-2 equation has γs there is no test
        chi2s.append(float(np.sum((beta_ols[:, e] - predicted) ** 2 / (sigma2 * vdiag[:, e]))) if testable else np.nan)
        dofs.append(dof if testable else None)
        reliabilities.append(float(np.mean(tau[qi] / (tau[qi] + sigma2 * vdiag[:, e]))) if used else np.nan)
    variance = np.append(tau, sigma2)
    chi2 = np.array([*chi2s, np.nan])
    table = pd.DataFrame(
        {
            "label": [*labels, "level-1, r"],
            "sd": np.sqrt(variance),
            "variance": variance,
            "df": pd.array([*dofs, None], dtype="Int64"),
            "chi2": chi2,
            "p": special.chdtrc(np.array([d or 1 for d in dofs] + [1]), chi2),
            "reliability": np.array([*reliabilities, np.nan]),
        },
        index=pd.Index([*d.znames, "Residual"], name="random effect"),
    )
    table.attrs = {"units": J, "units_used": used, "note": _units_note(used, J, d.levels.D.shape[1])}
    return table


def _units_note(used: int, J: int, m: int) -> str:
    """HLM 7's note on the units its χ² tests and reliabilities rest on ("" when all qualify)."""
    if used == J:
        return ""
    if used == 0:
        return (
            f"Note: no unit has sufficient data for its own OLS regression (more rows than its {m} level-1 "
            "coefficients), so the chi-square statistics and reliabilities cannot be computed. "
            "Fixed effects and variance components are based on all the data."
        )
    return (
        f"Note: The chi-square statistics reported above are based on only {used} of {J} units that had "
        "sufficient data for computation. Fixed effects and variance components are based on all the data."
    )
