"""Step 6 of the pipeline: package the optimum as a fitted model.

``MixedFit`` holds the model matrices, the criterion (and through it the
group statistics) and the optimiser's summary, and derives everything else
from them on demand: lme4's estimates and tests (fixed effects with
Satterthwaite df, random effects, ranova, refits) and empirical-Bayes
estimates per group.  HLM 7's tables and the printed summaries are added by
:class:`hlmteach.Fit`, which is what ``hlmteach.lmer`` returns.
"""

from __future__ import annotations

import warnings
from functools import cached_property
from typing import Self

import numpy as np
import pandas as pd
from scipy import special

from .compare import ranova
from .convergence import OptSummary
from .criteria import InformationCriteria
from .design import Design
from .deviance import Evaluation, ProfiledDeviance, theta_to_lambda
from .optimize import optimize
from .satterthwaite import satterthwaite_df, varpar_covariance
from .stats import GroupStats

__all__ = ["MixedFit"]


class MixedFit(InformationCriteria):
    """A two-level linear mixed model fitted by REML or ML: what lme4 computes.

    ``design`` (model matrices and level structure), ``criterion`` (the
    profiled −2 log L, holding the group statistics) and ``opt`` (where the
    optimiser stopped) are all it keeps; ``hlm_names`` renames variables in
    HLM 7-style labels (e.g. ``{"cses": "SES"}``).
    """

    def __init__(
        self,
        design: Design,
        criterion: ProfiledDeviance,
        opt: OptSummary,
        hlm_names: dict[str, str] | None = None,
    ) -> None:
        self.design = design
        self.criterion = criterion
        self.opt = opt
        self.hlm_names = {**design.levels.hlm_names, **(hlm_names or {})}

    @property
    def stats(self) -> GroupStats:
        """The per-group sufficient statistics the criterion is computed from."""
        return self.criterion.stats

    # --- the optimum -------------------------------------------------------
    @property
    def evaluation(self) -> Evaluation:
        """The deviance chain evaluated at θ̂."""
        return self.opt.evaluation

    @property
    def formula(self) -> str:
        return self.design.formula.text

    @property
    def reml(self) -> bool:
        return self.criterion.reml

    @property
    def nobs(self) -> int:
        return self.design.n

    @property
    def ngroups(self) -> int:
        return self.design.J

    @property
    def group(self) -> str:
        """Name of the grouping factor (the level-2 unit)."""
        return self.design.formula.group

    @property
    def theta(self) -> np.ndarray:
        """lme4's θ: the lower triangle of the relative covariance factor Λ."""
        return self.opt.theta.copy()

    @property
    def converged(self) -> bool:
        return self.opt.converged

    @property
    def singular(self) -> bool:
        """A variance at zero or a correlation at ±1 (lme4's ``isSingular``)."""
        return self.opt.singular

    @property
    def sigma2(self) -> float:
        """σ², the level-1 (residual) variance."""
        return self.evaluation.sigma2

    @property
    def sigma(self) -> float:
        return float(np.sqrt(self.sigma2))

    @cached_property
    def tau_matrix(self) -> np.ndarray:
        """T = σ² ΛΛ' as an array."""
        lam = self.evaluation.lam
        return self.sigma2 * lam @ lam.T

    @property
    def tau(self) -> pd.DataFrame:
        """T, the covariance matrix of the random effects u_j (q×q)."""
        names = list(self.design.znames)
        return pd.DataFrame(self.tau_matrix, index=names, columns=names)

    @property
    def coef(self) -> pd.Series:
        """γ̂, the fixed effects."""
        return pd.Series(self.evaluation.beta, index=list(self.design.xnames), name="estimate")

    @property
    def vcov(self) -> pd.DataFrame:
        """Model-based covariance of γ̂ (as lme4's ``vcov``)."""
        names = list(self.design.xnames)
        return pd.DataFrame(self.sigma2 * self.evaluation.Cinv, index=names, columns=names)

    # --- likelihood --------------------------------------------------------
    @property
    def loglik(self) -> float:
        """The maximised log-likelihood (the REML one for REML fits, as lme4's logLik)."""
        return -self.evaluation.deviance / 2

    @property
    def reml_criterion(self) -> float | None:
        """−2 × REML log-likelihood (lme4's ``REMLcrit``); None for ML fits."""
        return self.evaluation.deviance if self.reml else None

    @property
    def deviance(self) -> float:
        """−2 log L at the optimum: HLM 7's "deviance" for a REML fit (lme4's REML
        criterion), the ML deviance for an ML fit."""
        return self.evaluation.deviance

    def criterion_at(self, tau: np.ndarray, sigma2: float) -> float:
        """−2 log L (REML or ML, as fitted) at given T and σ² instead of at the optimum:
        e.g. at HLM 7's printed estimates, to see how far from the optimum it stopped."""
        T = np.atleast_2d(np.asarray(tau, float))
        if T.shape != (self.stats.q, self.stats.q):
            raise ValueError(f"tau must be {self.stats.q}×{self.stats.q} for this model, got shape {T.shape}")
        outside = np.ones(T.shape, bool)
        outside[theta_to_lambda(np.ones(self.criterion.ntheta), self.criterion.blocks) != 0] = False
        if np.any(T[outside & outside.T]):
            raise ValueError(f"tau must be block diagonal, one block per random term (blocks {self.criterion.blocks})")
        try:
            lam = np.linalg.cholesky(T / sigma2)
        except np.linalg.LinAlgError:
            raise ValueError("tau must be positive definite") from None
        return self.criterion.at_sigma(lam[self.criterion.tril], sigma2)

    @property
    def npar(self) -> int:
        """Estimated parameters: γ, θ and σ."""
        return self.criterion.npar

    # --- lme4's tables -----------------------------------------------------
    @cached_property
    def _working_varpar(self) -> np.ndarray:
        return varpar_covariance(self.opt.working, self.opt.working_evaluation)

    @cached_property
    def varpar_covariance(self) -> np.ndarray:
        """Asymptotic covariance of (θ̂, σ̂), from the exact Hessian (computed in the optimiser's
        scaled units, so its generalised inverse does not depend on a predictor's units)."""
        return self.opt.scaling.varpar(self._working_varpar)

    def satterthwaite(self, L: np.ndarray) -> np.ndarray:
        """Satterthwaite df for contrasts L'γ (rows of ``L``), as lmerTest's ``contest``."""
        opt = self.opt
        return satterthwaite_df(opt.working, opt.working_evaluation, opt.scaling.contrasts(L), self._working_varpar)

    @cached_property
    def fixed(self) -> pd.DataFrame:
        """Fixed effects as lmerTest's summary: estimate, model-based SE, Satterthwaite df, t, p."""
        beta = self.evaluation.beta
        se = np.sqrt(self.sigma2 * np.diag(self.evaluation.Cinv))
        df = self.satterthwaite(np.eye(len(beta))) if len(beta) else np.zeros(0)
        t = beta / se
        return pd.DataFrame(
            np.column_stack([beta, se, df, t, 2 * special.stdtr(df, -np.abs(t))]),
            index=pd.Index(self.design.xnames, name="term"),
            columns=["estimate", "se", "df", "t", "p"],
        )

    @property
    def varcorr(self) -> pd.DataFrame:
        """Variances, covariances, SDs and correlations, laid out as R's
        ``as.data.frame(VarCorr(m))``."""
        T = self.tau_matrix
        names = self.design.znames
        sd = np.sqrt(np.diag(T))
        rows = []
        for b, block in enumerate(self.design.random):
            group = self.group if b == 0 else f"{self.group}.{b}"  # lme4 numbers further terms for one factor
            rows += [(group, names[i], None, T[i, i], sd[i]) for i in block.columns]
            for pos, j in enumerate(block.columns):
                for i in block.columns[pos + 1 :]:
                    corr = T[i, j] / (sd[i] * sd[j]) if sd[i] * sd[j] > 0 else np.nan
                    rows.append((group, names[j], names[i], T[i, j], corr))
        rows.append(("Residual", None, None, self.sigma2, self.sigma))
        return pd.DataFrame(rows, columns=["grp", "var1", "var2", "vcov", "sdcor"])

    # --- per-group estimates -----------------------------------------------
    @cached_property
    def _ranef(self) -> tuple[np.ndarray, np.ndarray]:
        """û_j = Λ M_j⁻¹ Λ' Z_j'(y_j − X_j γ̂) and Var(u_j | y) = σ² Λ M_j⁻¹ Λ'."""
        ev, st = self.evaluation, self.stats
        p = st.p
        Zr = st.ZtW[:, p] - np.einsum("akj,k->aj", st.ZtW[:, :p], ev.beta)
        lam = ev.lam
        LMinvL = np.einsum("ab,bcj,dc->adj", lam, ev.Minv, lam)
        u = np.einsum("abj,bj->ja", LMinvL, Zr)
        return u, self.sigma2 * np.moveaxis(LMinvL, 2, 0)

    def ranef(self, condvar: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, np.ndarray]:
        """Empirical-Bayes (conditional mode) estimates of u_j, one row per group.

        With ``condvar=True`` also returns their conditional covariance matrices
        (shape (J, q, q)), as lme4's ``ranef(condVar = TRUE)``.
        """
        u, cv = self._ranef
        table = pd.DataFrame(u, index=pd.Index(self.design.group_levels, name=self.group), columns=list(self.design.znames))
        return (table, cv.copy()) if condvar else table

    def lme4_coef(self) -> pd.DataFrame:
        """lme4's ``coef()``: per group, each fixed effect γ̂ plus the random effect û_j of the same
        name (a random effect without a fixed counterpart counts from 0 and comes first, as in lme4).

        Unlike HLM 7's β̂_qj (:meth:`hlm_coefficients`) no level-2 predictor enters: for
        ``mAch ~ cses * sector + (1 + cses | school)`` the intercept column is γ̂_00 + û_0j,
        whatever the school's sector.
        """
        u = self.ranef()
        names = list(self.design.xnames)
        extra = [c for c in u.columns if c not in names]
        columns = [*extra, *names]
        values = np.tile(np.concatenate([np.zeros(len(extra)), self.evaluation.beta]), (len(u), 1))
        for k, name in enumerate(u.columns):
            values[:, columns.index(name)] += u.iloc[:, k].to_numpy()
        return pd.DataFrame(values, index=u.index, columns=columns)

    def hlm_coefficients(self) -> pd.DataFrame:
        """HLM 7's β̂_qj per group and level-1 coefficient: the fixed part of its level-2 equation
        for that group (Σ_s γ̂_qs W_sj) plus its random effect û_qj, if it has one.

        This is what HLM 7 calls the empirical Bayes coefficients; lme4's ``coef()`` is
        :meth:`lme4_coef`, which leaves out the level-2 predictors.
        """
        levels = self.design.levels
        gamma = self.evaluation.beta
        u = self.ranef()
        table = pd.DataFrame(index=u.index)
        for name in levels.coefficients:
            cols = levels.columns_of(name)
            fixed = levels.W[:, cols] @ gamma[cols]
            table[name] = fixed + u[name].to_numpy() if name in u.columns else fixed
        return table

    def coefficients(self) -> pd.DataFrame:
        """Deprecated (kept for one release): the old name of :meth:`hlm_coefficients` (HLM 7's β̂_qj),
        which is not lme4's ``coef()`` (that is :meth:`lme4_coef`)."""
        warnings.warn(
            "Fit.coefficients() is deprecated: use Fit.hlm_coefficients() for HLM 7's β_j or Fit.lme4_coef() for lme4's coef()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.hlm_coefficients()

    @cached_property
    def fitted(self) -> np.ndarray:
        """Conditional fitted values X γ̂ + Z û_j."""
        d = self.design
        u = self._ranef[0]
        return d.X @ self.evaluation.beta + np.einsum("ia,ia->i", d.Z, u[d.groups])

    @property
    def residuals(self) -> np.ndarray:
        """Conditional (level-1) residuals y − X γ̂ − Z û_j."""
        return self.design.y - self.fitted

    # --- refits and comparisons ---------------------------------------------
    def refit(self, reml: bool) -> Self:
        """The same model fitted by REML (``reml=True``) or ML, started from this θ̂."""
        if reml == self.reml:
            return self
        criterion = ProfiledDeviance(self.stats, reml, self.criterion.blocks)
        return type(self)(self.design, criterion, optimize(criterion, self.opt.theta), self.hlm_names)

    def ranova(self) -> pd.DataFrame:
        """lmerTest's ``ranova``: likelihood-ratio tests deleting each random term."""
        return ranova(self)

    def __repr__(self) -> str:
        how = "REML" if self.reml else "ML"
        return (
            f"<hlmteach.Fit {how}: {self.formula}; {self.nobs} obs in {self.ngroups} groups; "
            f"logLik {self.loglik:.4f}{'; singular' if self.singular else ''}>"
        )
