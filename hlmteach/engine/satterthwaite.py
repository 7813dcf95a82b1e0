"""Satterthwaite degrees of freedom for fixed effects, as lmerTest computes them.

For a contrast L'γ with variance v(φ) = L' Cov(γ̂; φ) L, φ = (θ, σ):

    df = 2 v² / (∇v' A ∇v),   A = 2 H⁻¹,

where H is the Hessian of −2 log L in φ (σ not profiled out) at the optimum,
so A is the asymptotic covariance of φ̂.  lmerTest takes H and ∇v by numerical
differentiation; here both are exact, which moves the df by about 2e-5
relative — far below the printed digits.
"""

from __future__ import annotations

import warnings

import numpy as np

from .derivatives import varpar_hessian, vcov_jacobian
from .deviance import Evaluation, ProfiledDeviance

__all__ = ["satterthwaite_df", "varpar_covariance"]


def varpar_covariance(dev: ProfiledDeviance, ev: Evaluation) -> np.ndarray:
    """A = 2 H⁺, with lmerTest's treatment of a Hessian that is not positive definite
    (a Moore–Penrose inverse over the eigenvalues above 1e-6, and a warning)."""
    H = varpar_hessian(dev, ev, float(np.sqrt(ev.sigma2)))
    w, V = np.linalg.eigh(H)
    pos = w > 1e-6
    if not pos.all():
        warnings.warn(
            "the Hessian of the variance parameters is not positive definite (a variance at or near zero?): "
            "Satterthwaite df use its generalised inverse, as lmerTest does",
            UserWarning,
            stacklevel=3,
        )
    return 2 * (V[:, pos] / w[pos]) @ V[:, pos].T


def satterthwaite_df(dev: ProfiledDeviance, ev: Evaluation, L: np.ndarray, A: np.ndarray | None = None) -> np.ndarray:
    """Satterthwaite df for each row of the contrast matrix ``L`` (shape (m, p))."""
    L = np.atleast_2d(np.asarray(L, float))
    if A is None:
        A = varpar_covariance(dev, ev)
    sigma = float(np.sqrt(ev.sigma2))
    jac = vcov_jacobian(dev, ev, sigma)  # (k+1, p, p)
    vcov = ev.sigma2 * ev.Cinv
    var = np.einsum("mi,ij,mj->m", L, vcov, L)
    grad = np.einsum("mi,aij,mj->ma", L, jac, L)
    denom = np.einsum("ma,ab,mb->m", grad, A, grad)
    with np.errstate(divide="ignore"):
        return np.where(denom > 0, 2 * var**2 / np.where(denom > 0, denom, 1.0), np.inf)
