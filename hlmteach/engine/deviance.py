"""Step 3 of the pipeline: the profiled (RE)ML criterion as a function of θ.

The model is y_j = X_j γ + Z_j u_j + r_j with u_j ~ N(0, T), r_j ~ N(0, σ² I)
and T = σ² Λ Λ'.  θ holds the lower triangle of Λ (column by column, as in
lme4), so T stays positive semi-definite for any θ with a non-negative
diagonal; with several random terms for the grouping factor, Λ (and so T) is
block diagonal, one block per term, and θ holds each block's lower triangle in
turn.  For a given θ the criterion is a short chain:

1. Λ from θ.
2. M_j = I + Λ' Z_j'Z_j Λ for every group (its log-determinant is log|V_j/σ²|).
3. Ω = W'W − Σ_j (Λ'Z_j'W_j)' M_j⁻¹ (Λ'Z_j'W_j), with W = [X y]: the
   generalised cross products [[X'V⁻¹X, X'V⁻¹y], [·, y'V⁻¹y]] times σ².
4. The Cholesky factor of Ω gives R_X (so γ̂ and log|X'V⁻¹X|) and the
   penalised residual sum of squares r².
5. −2 log L = Σ log|M_j| + log|R_X|² + k (1 + log(2π r²/k)), with k = n − p
   for REML (the log|R_X|² term only for REML) and k = n for ML.

γ and σ² are profiled out: γ̂(θ) is the GLS estimate and σ̂² = r²/k.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
from scipy.linalg import lapack

from .stats import GroupStats, bmul, inv_logdet, lmul, rmul, tsum

__all__ = ["Evaluation", "ProfiledDeviance", "minus_two_loglik", "theta_index", "theta_lower_bounds", "theta_to_lambda"]


def minus_two_loglik(logdet_V: float, logdet_C: float, pwrss: float, k: int, reml: bool, sigma2: float | None = None) -> float:
    """−2 log L from its pieces (step 5): log|V/σ²|, log|X'V⁻¹X·σ²| (REML only), r² and k.

    With ``sigma2=None`` σ² is profiled out (σ̂² = r²/k, so the last two terms
    are k(1 + log(2π r²/k))); otherwise it is held at ``sigma2``.  A model
    without random effects has log|V/σ²| = 0.
    """
    s2 = pwrss / k if sigma2 is None else sigma2
    dev = logdet_V + k * np.log(2 * np.pi * s2) + pwrss / s2
    return float(dev + logdet_C if reml else dev)


@cache
def theta_index(blocks: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of θ in Λ: each diagonal block's lower triangle, column by column (lme4's order)."""
    rows, cols, start = [], [], 0
    for size in blocks:
        for c in range(size):
            for r in range(c, size):
                rows.append(start + r)
                cols.append(start + c)
        start += size
    return np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)


def theta_to_lambda(theta: np.ndarray, blocks: tuple[int, ...]) -> np.ndarray:
    """Λ (lower triangular, block diagonal) from θ."""
    q = sum(blocks)
    lam = np.zeros((q, q))
    lam[theta_index(blocks)] = theta
    return lam


def theta_lower_bounds(blocks: tuple[int, ...]) -> np.ndarray:
    """Diagonal elements of Λ are bounded below by 0; the others are free."""
    rows, cols = theta_index(blocks)
    return np.where(rows == cols, 0.0, -np.inf)


@dataclass(frozen=True)
class Evaluation:
    """Everything the chain computes at one θ (used to package a fit)."""

    theta: np.ndarray
    lam: np.ndarray  # Λ
    deviance: float  # −2 log L (REML or ML), σ profiled out
    beta: np.ndarray  # γ̂
    pwrss: float  # r²
    sigma2: float  # σ̂² = r²/k
    C: np.ndarray  # X'V⁻¹X · σ²
    Cinv: np.ndarray
    Minv: np.ndarray  # (q, q, J)
    logdet_M: float
    logdet_C: float
    K: np.ndarray  # (q, q+p+1, J): Z_j'V_j⁻¹[Z_j X_j y_j] · σ²
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # derived quantities, computed once


class ProfiledDeviance:
    """The profiled criterion −2 log L(θ) and its analytic gradient, from group statistics.

    ``blocks`` are the sizes of Λ's diagonal blocks (one per random term; default: those of
    ``stats``, or one block of all q random effects).  Everything is in the units of ``stats``; the optimiser works on a
    copy in scaled units (:mod:`.scaling`).
    """

    def __init__(self, stats: GroupStats, reml: bool = True, blocks: tuple[int, ...] | None = None) -> None:
        self.stats = stats
        self.reml = reml
        self.q, self.p = stats.q, stats.p
        self.blocks = tuple(int(b) for b in (blocks or stats.blocks or (self.q,)))
        if sum(self.blocks) != self.q or min(self.blocks, default=1) < 1:
            raise ValueError(f"blocks {self.blocks} do not partition the {self.q} random effects")
        self.k = stats.n - stats.p if reml else stats.n
        # B_j = Z_j'[Z_j X_j y_j]
        self.B = np.concatenate([stats.ZtZ, stats.ZtW], axis=1)
        self.tril = theta_index(self.blocks)
        self.ntheta = len(self.tril[0])
        self.lower_bounds = theta_lower_bounds(self.blocks)
        self.lower = np.tril_indices(self.p, -1)

    def evaluate(self, theta: np.ndarray) -> Evaluation:
        """Run the chain at θ (steps 1–5 of the module docstring)."""
        q, p = self.q, self.p
        lam = np.zeros((q, q))  # 1
        lam[self.tril] = theta
        LtB = lmul(lam.T, self.B)  # Λ'Z_j'[Z X y]
        M = rmul(LtB[:, :q], lam)  # 2
        for i in range(q):
            M[i, i] += 1.0
        Minv, logdet = inv_logdet(M)
        P = bmul(Minv, LtB)  # M_j⁻¹ Λ' B_j
        omega = self.stats.WtW_total - tsum(LtB[:, q:], P[:, q:])  # 3
        R, info = lapack.dpotrf(omega, lower=0, clean=1)  # 4: upper triangular, R'R = Ω
        if info != 0:
            if info == p + 1:
                raise ValueError("the model fits the outcome exactly (zero residual sum of squares)")
            raise ValueError("X'V⁻¹X is not positive definite: the fixed effects are not estimable")
        RX = R[:p, :p]
        pwrss = float(R[p, p] ** 2)
        if not pwrss > 0:
            raise ValueError("the model fits the outcome exactly (zero residual sum of squares)")
        beta = lapack.dtrtrs(RX, R[:p, p])[0] if p else np.zeros(0)
        Cinv = lapack.dpotri(RX)[0] if p else np.zeros((0, 0))
        Cinv[self.lower] = Cinv.T[self.lower]  # dpotri fills the upper triangle only
        logdet_C = 2 * float(np.log(RX.diagonal()).sum()) if p else 0.0
        logdet_M = float(logdet.sum())
        dev = minus_two_loglik(logdet_M, logdet_C, pwrss, self.k, self.reml)  # 5
        K = self.B - bmul(self.stats.ZtZ, lmul(lam, P))
        return Evaluation(
            theta=np.asarray(theta, float).copy(),
            lam=lam,
            deviance=dev,
            beta=beta,
            pwrss=pwrss,
            sigma2=pwrss / self.k,
            C=omega[:p, :p],
            Cinv=Cinv,
            Minv=Minv,
            logdet_M=logdet_M,
            logdet_C=logdet_C,
            K=K,
        )

    def __call__(self, theta: np.ndarray) -> float:
        return self.evaluate(theta).deviance

    @property
    def npar(self) -> int:
        """Estimated parameters: γ (p), θ and σ."""
        return self.p + self.ntheta + 1

    def at_sigma(self, theta: np.ndarray, sigma2: float) -> float:
        """−2 log L at θ with σ² held at ``sigma2`` rather than profiled out."""
        ev = self.evaluate(theta)
        return minus_two_loglik(ev.logdet_M, ev.logdet_C, ev.pwrss, self.k, self.reml, sigma2)

    def pieces(self, ev: Evaluation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """G_j = Z_j'V_j*⁻¹Z_j, H_j = Z_j'V_j*⁻¹X_j and s_j = Z_j'V_j*⁻¹(y_j − X_j γ̂), V* = V/σ²:
        the small matrices every derivative of the criterion is made of."""
        q, p = self.q, self.p
        H = ev.K[:, q : q + p]
        return ev.K[:, :q], H, ev.K[:, q + p] - (H.transpose(0, 2, 1) @ ev.beta)

    def psi_gradient(self, ev: Evaluation, sigma2: float | None = None) -> np.ndarray:
        """S with d(−2 log L) = tr(S dΨ), Ψ = ΛΛ' = T/σ².

        With σ² profiled out (``sigma2=None``) the residual term is weighted by
        k/r²; with σ² held fixed it is weighted by 1/σ².
        """
        if "psi_gradient" not in ev.memo:
            G, H, s = self.pieces(ev)
            trace_part = G.sum(axis=2)
            if self.reml and self.p:
                trace_part -= tsum(rmul(H, ev.Cinv).transpose(1, 0, 2), H.transpose(1, 0, 2))
            ev.memo["psi_gradient"] = (trace_part, s @ s.T)
        trace_part, residual_part = ev.memo["psi_gradient"]
        weight = self.k / ev.pwrss if sigma2 is None else 1.0 / sigma2
        S = trace_part - weight * residual_part
        return (S + S.T) / 2

    def gradient_from(self, ev: Evaluation, sigma2: float | None = None) -> np.ndarray:
        """∂(−2 log L)/∂θ: dΨ = dΛ Λ' + Λ dΛ', so the gradient in Λ is 2 S Λ."""
        return (2 * self.psi_gradient(ev, sigma2) @ ev.lam)[self.tril]
