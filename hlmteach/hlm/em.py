"""HLM 7's iterations, reconstructed: REML EM from OLS start values, accelerated, stopped on a small likelihood change.

HLM 7 does not publish its algorithm; this module is what the project's
research (``book/hlm7_iterations.md``) found reproduces its printouts best.

* **Start values** (R&B 2002, ch. 3; HLM's "STARTING VALUES" block,
  ``TAU(0) = D_BAR - V_BAR``): σ²₀ is the pooled within-school OLS residual
  variance Σ_j RSS_j / Σ_j (n_j − Q); γ̂_OLS the OLS regression of y on the
  fixed-effects columns over all students; D̄ = Σ_j (β̂_j − W_jγ̂_OLS)(…)′/(J − 1)
  from each school's own OLS coefficients β̂_j; V̄ the mean of σ²₀(X_j′X_j)⁻¹;
  T₀ = D̄ − V̄.  Only schools with enough data for their own regression count.
  When T₀ is not positive definite (HLM's "fixtau" repair) T₀ = D̄ is used:
  the repair HLM 7 applies is unknown, and D̄ came closest of those tried.
* **Iterations** (R&B 2002, ch. 14): REML EM with γ integrated out.  Iteration
  k's E-step at (T_{k−1}, σ²_{k−1}) gives γ_k (the GLS estimate) and the REML
  log-likelihood ll_k = ll(T_{k−1}, σ²_{k−1}) (with HLM's (N − F)·log 2π term);
  its M-step gives T_k and σ²_k.
* **Acceleration** (HLM's command files default to ``accel:5``): at every
  ``accel``-th iteration the step in θ = (T, σ²) is stretched by Aitken's factor
  1/(1 − λ), λ = ‖θ_k − θ_{k−1}‖ / ‖θ_{k−1} − θ_{k−2}‖, at most ``accel_cap``
  (2.2: *fitted* to the seed's random-coefficient and intercepts-and-slopes
  printouts, not documented).
* **Stopping** (HLM's ``stopval:0.000001``, its "% change to stop
  iterating"): after the first iteration k with
  |ll_k − ll_{k−1}| < stopval/100 · |ll_k|.
* **What is reported**: T_k and σ²_k, and γ_k — the GLS estimate at the
  *previous* iterate, whose E-step also gives the fixed-effects standard errors.

Everything works on the per-school cross products of
:func:`hlmteach.engine.group_stats`, so an iteration costs O(J·q³).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.linalg import lapack

from ..engine.design import Design
from ..engine.stats import GroupStats, bmul, inv_logdet, sym_inverse, tsum, well_conditioned

__all__ = ["EStep", "HLM7Settings", "Iteration", "Start", "e_step", "iterate", "ols_start"]

TWO_PI_LOG = float(np.log(2 * np.pi))


@dataclass(frozen=True)
class HLM7Settings:
    """HLM 7's iteration settings, as far as they are known (see the module docstring).

    ``stopval`` is HLM's "% change to stop iterating" (default 0.000001): stop
    when the log-likelihood changes by less than ``stopval`` per cent.
    ``accel`` is the period of the accelerated steps (0 turns them off) and
    ``accel_cap`` the largest stretch of one step.  HLM 7 asks at 100
    iterations whether to go on; the emulation goes on to ``max_iterations``.
    """

    stopval: float = 1e-6
    accel: int = 5
    accel_cap: float = 2.2
    max_iterations: int = 1000

    def __post_init__(self) -> None:
        if not self.stopval >= 0:
            raise ValueError(f"stopval must be a non-negative number, got {self.stopval!r}")
        if not (isinstance(self.accel, int) and self.accel >= 0):
            raise ValueError(f"accel must be a non-negative integer (0: no acceleration), got {self.accel!r}")
        if not self.accel_cap >= 1:
            raise ValueError(f"accel_cap must be at least 1, got {self.accel_cap!r}")
        if not (isinstance(self.max_iterations, int) and self.max_iterations >= 1):
            raise ValueError(f"max_iterations must be a positive integer, got {self.max_iterations!r}")


@dataclass(frozen=True)
class Start:
    """HLM's starting values: σ²₀, T₀ = D̄ − V̄ (or its repair) and the OLS γ̂ they use."""

    sigma2: float
    tau: np.ndarray
    dbar: np.ndarray
    vbar: np.ndarray
    gamma_ols: np.ndarray
    repaired: bool  # D̄ − V̄ was not positive definite, so T₀ = D̄
    schools_used: int


@dataclass(frozen=True)
class EStep:
    """One E-step at (T, σ²): the GLS γ̂, its (X′V⁻¹X)⁻¹, the REML log-likelihood, and the M-step's T and σ²."""

    gamma: np.ndarray
    vgamma: np.ndarray
    loglik: float
    tau_next: np.ndarray
    sigma2_next: float


@dataclass(frozen=True)
class Iteration:
    """HLM 7's iteration k: the E-step at the incoming iterate, then the M-step (maybe accelerated)."""

    k: int
    loglik: float  # ll_k, at the incoming (T_{k-1}, σ²_{k-1})
    gamma: np.ndarray  # γ_k, GLS at the incoming iterate
    tau_in: np.ndarray  # T_{k-1}
    sigma2_in: float
    tau: np.ndarray  # T_k
    sigma2: float
    accelerated: bool


def ols_start(stats: GroupStats, design: Design) -> Start:
    """HLM's starting values from each school's OLS regression (module docstring)."""
    p, q = stats.p, stats.q
    usable = (stats.nj > q) & well_conditioned(np.moveaxis(stats.ZtZ, 2, 0), 1e10)
    if usable.sum() < 2:
        raise ValueError("fewer than two groups have enough rows for their own OLS regression: HLM's start values do not exist")
    ZZi = sym_inverse(stats.ZtZ[:, :, usable])
    Zy = stats.ZtW[:, p, usable]
    beta = np.einsum("abj,bj->aj", ZZi, Zy)  # β̂_j (q, J_used)
    rss = stats.WtW[p, p, usable] - np.einsum("aj,aj->j", beta, Zy)
    sigma2 = float(rss.sum() / (stats.nj[usable] - q).sum())
    gamma_ols = np.linalg.solve(stats.WtW_total[:p, :p], stats.WtW_total[:p, p])
    levels = design.levels
    columns = [levels.columns_of(z) for z in design.znames]
    predicted = np.column_stack([levels.W[usable][:, c] @ gamma_ols[c] for c in columns])  # W_jγ̂_OLS per coefficient
    dev = beta.T - predicted
    dbar = dev.T @ dev / (int(usable.sum()) - 1)
    vbar = sigma2 * ZZi.mean(axis=2)
    tau = dbar - vbar
    repaired = bool(np.linalg.eigvalsh(tau)[0] <= 0)
    if repaired:
        tau = dbar
    return Start(sigma2, tau, dbar, vbar, gamma_ols, repaired, int(usable.sum()))


@cache
def _lower(p: int) -> tuple[np.ndarray, np.ndarray]:
    return np.tril_indices(p, -1)


def _inverse_logdet(tau: np.ndarray) -> tuple[np.ndarray, float]:
    """T⁻¹ and log|T| of a small positive-definite matrix (closed forms for q ≤ 2)."""
    if tau.shape[0] == 1:
        return 1.0 / tau, float(np.log(tau[0, 0]))
    if tau.shape[0] == 2:
        a, b, d = float(tau[0, 0]), float(tau[0, 1]), float(tau[1, 1])
        det = a * d - b * b
        return np.array([[d, -b], [-b, a]]) / det, float(np.log(det))
    return np.linalg.inv(tau), float(np.linalg.slogdet(tau)[1])


@cache
def _upper(q: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(q)


def e_step(stats: GroupStats, tau: np.ndarray, sigma2: float) -> EStep:
    """REML E-step at (T, σ²) and the M-step it implies (R&B 2002, ch. 14), from the group statistics.

    With D_j = (Z_j′Z_j/σ² + T⁻¹)⁻¹: γ̂ is the GLS estimate, u*_j = D_j Z_j′(y_j − X_jγ̂)/σ²,
    T_next = mean_j [u*_j u*_j′ + D_j + H_j V_γ H_j′] with H_j = D_j Z_j′X_j/σ², and
    σ²_next = Σ_j [‖y_j − X_jγ̂ − Z_ju*_j‖² + tr(Z_j′Z_j D_j)] / N + tr(Σ_j M_j V_γ) / N,
    M_j = σ⁴ X_j′V_j⁻²X_j (the uncertainty of γ̂, which REML integrates out).
    """
    p, J = stats.p, stats.J
    ZZ, ZW = stats.ZtZ, stats.ZtW  # Z_j'Z_j, Z_j'[X_j y_j]
    Ti, logdet_T = _inverse_logdet(tau)
    D, logdet_Dinv = inv_logdet(ZZ / sigma2 + Ti[:, :, None])
    DZW = bmul(D, ZW)  # D_j Z_j'[X_j y_j]
    S = tsum(ZW, DZW)  # Σ_j [X y]'Z_j D_j Z_j'[X y]
    omega = (stats.WtW_total - S / sigma2) / sigma2  # [X y]'V⁻¹[X y], summed over groups
    R, info = lapack.dpotrf(omega[:p, :p], lower=0, clean=1)
    if info != 0:
        raise ValueError("X'V⁻¹X is not positive definite: the fixed effects are not estimable")
    vgamma = lapack.dpotri(R)[0]
    lower = _lower(p)
    vgamma[lower] = vgamma.T[lower]  # dpotri fills the upper triangle only
    gamma = vgamma @ omega[:p, p]
    w = np.ones(p + 1)
    w[:p] = -gamma  # [X y]w = y − Xγ̂
    quad = float(w @ omega @ w)  # Σ_j r_j'V_j⁻¹r_j
    logdet_V = stats.n * np.log(sigma2) + J * logdet_T + float(logdet_Dinv.sum())
    logdet_A = 2 * float(np.log(np.diag(R)).sum())
    loglik = -0.5 * (logdet_V + quad + (stats.n - p) * TWO_PI_LOG + logdet_A)
    # M-step
    rZ = np.matmul(w, ZW)  # Z_j'(y_j − X_jγ̂), (q, J)
    u = np.matmul(w, DZW) / sigma2  # u*_j
    DZX = DZW[:, :p]
    q = DZX.shape[0]
    corr = np.matmul(vgamma, DZX).reshape(q, -1) @ DZX.reshape(q, -1).T / sigma2**2  # Σ_j H_j V_γ H_j'
    tau_next = (u @ u.T + D.sum(axis=2) + corr) / J
    uZZu = float(np.sum(ZZ * u[:, None, :] * u[None, :, :]))  # Σ_j u*_j'Z_j'Z_j u*_j
    res = float(w @ stats.WtW_total @ w) - 2 * float(np.vdot(u, rZ)) + uZZu
    M = stats.WtW_total[:p, :p] - 2 * S[:p, :p] / sigma2 + tsum(DZX, bmul(ZZ, DZX)) / sigma2**2
    sigma2_next = (res + float(np.sum(ZZ * D)) + float(np.sum(M * vgamma))) / stats.n
    return EStep(gamma, vgamma, loglik, (tau_next + tau_next.T) / 2, sigma2_next)


def _vector(tau: np.ndarray, sigma2: float) -> np.ndarray:
    """The variance parameters as one vector: the upper triangle of T, then σ²."""
    return np.concatenate((tau[_upper(tau.shape[0])], (sigma2,)))


def _accelerate(
    previous: np.ndarray, current: np.ndarray, proposed: np.ndarray, cap: float, q: int
) -> tuple[np.ndarray, float] | None:
    """Stretch the step current → proposed (vectors of :func:`_vector`) by Aitken's 1/(1 − λ), at most ``cap``.

    Returns the stretched (T, σ²), or None when T would not be positive definite or σ² not positive.
    """
    before = float(np.linalg.norm(current - previous))
    lam = float(np.linalg.norm(proposed - current)) / before if before > 0 else 0.0
    factor = cap if lam >= 1 - 1 / cap else 1 / (1 - lam)
    stretched = current + factor * (proposed - current)
    tau = np.zeros((q, q))
    tau[_upper(q)] = stretched[:-1]
    tau = tau + np.triu(tau, 1).T
    if np.linalg.eigvalsh(tau)[0] <= 0 or stretched[-1] <= 0:
        return None
    return tau, float(stretched[-1])


def iterate(stats: GroupStats, start: Start, settings: HLM7Settings) -> tuple[list[Iteration], bool]:
    """HLM 7's iterations from ``start``; returns them and whether the likelihood criterion stopped them."""
    tau, sigma2 = start.tau, start.sigma2
    path = [_vector(tau, sigma2)]
    out: list[Iteration] = []
    for k in range(1, settings.max_iterations + 1):
        e = e_step(stats, tau, sigma2)
        tau_next, sigma2_next, accelerated = e.tau_next, e.sigma2_next, False
        if settings.accel and k % settings.accel == 0 and len(path) >= 2:
            stretched = _accelerate(path[-2], path[-1], _vector(tau_next, sigma2_next), settings.accel_cap, stats.q)
            if stretched is not None:
                (tau_next, sigma2_next), accelerated = stretched, True
        out.append(Iteration(k, e.loglik, e.gamma, tau, sigma2, tau_next, sigma2_next, accelerated))
        tau, sigma2 = tau_next, sigma2_next
        path.append(_vector(tau, sigma2))
        if k > 1 and abs(out[-1].loglik - out[-2].loglik) < settings.stopval / 100 * abs(out[-1].loglik):
            return out, True
        if not (sigma2 > 0 and np.all(np.isfinite(tau))):
            raise ValueError(f"HLM 7's iterations broke down at iteration {k} (σ² = {sigma2!r})")
    return out, False
