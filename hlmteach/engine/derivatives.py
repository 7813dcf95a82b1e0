"""Exact first and second derivatives of the (RE)ML criterion in θ (and σ).

Write V* = V/σ² = I + Z Ψ Z' with Ψ = ΛΛ', P = V*⁻¹ − V*⁻¹X C⁻¹X'V*⁻¹ and
r² = y'Py.  For a direction Ψ_a = ∂Ψ/∂θ_a (and V_a = Z Ψ_a Z'):

* ∂(log|V*| + log|C|)/∂θ_a = tr(P V_a),   ∂²/∂θ_a∂θ_b = −tr(P V_a P V_b) + tr(S Ψ_ab)
* ∂r²/∂θ_a = −d_a with d_a = y'P V_a P y,  ∂d_a/∂θ_b = −2 e_ab with e_ab = y'P V_a P V_b P y

where Ψ_ab = ∂²Ψ/∂θ_a∂θ_b.  Every trace reduces to sums over groups of small
matrices G_j = Z_j'V_j*⁻¹Z_j, H_j = Z_j'V_j*⁻¹X_j and s_j = Z_j'V_j*⁻¹(y_j − X_j γ̂).
These give Newton steps for the optimiser and the exact information matrix
for the Satterthwaite degrees of freedom.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .deviance import Evaluation, ProfiledDeviance, theta_index
from .stats import bmul, rmul

__all__ = ["hessian", "psi_directions", "varpar_hessian", "vcov_jacobian"]


def psi_directions(dev: ProfiledDeviance, lam: np.ndarray) -> np.ndarray:
    """Ψ_a = E_aΛ' + ΛE_a' for every θ_a (shape (k, q, q)); E_a marks θ_a's place in Λ.

    Row r_a of E_aΛ' (and column r_a of ΛE_a') is column c_a of Λ.
    """
    left = _units(dev.blocks) @ lam.T  # E_aΛ'
    return left + left.transpose(0, 2, 1)


@cache
def _units(blocks: tuple[int, ...]) -> np.ndarray:
    """E_a for every θ_a: the unit matrix with a one at θ_a's place in Λ (shape (k, q, q))."""
    rows, cols = theta_index(blocks)
    q = sum(blocks)
    out = np.zeros((len(rows), q, q))
    out[np.arange(len(rows)), rows, cols] = 1.0
    return out


@cache
def _psi_second(blocks: tuple[int, ...]) -> np.ndarray:
    """Ψ_ab = E_aE_b' + E_bE_a' (shape (k, k, q, q)); constant in θ."""
    rows, cols = theta_index(blocks)
    q = sum(blocks)
    k = len(rows)
    out = np.zeros((k, k, q, q))
    for a in range(k):
        for b in range(k):
            if cols[a] == cols[b]:
                out[a, b, rows[a], rows[b]] += 1.0
                out[a, b, rows[b], rows[a]] += 1.0
    return out


def _second_order(dev: ProfiledDeviance, ev: Evaluation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """tr(P V_a P V_b) (or tr(V⁻¹V_aV⁻¹V_b) for ML), d_a and e_ab (computed once per evaluation)."""
    if "second_order" not in ev.memo:
        ev.memo["second_order"] = _compute_second_order(dev, ev)
    return ev.memo["second_order"]


def _compute_second_order(dev: ProfiledDeviance, ev: Evaluation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q, p, J = dev.q, dev.p, dev.stats.J
    Ps = psi_directions(dev, ev.lam)
    G, H, s = dev.pieces(ev)
    Gf = G.reshape(q * q, J)
    # Σ_j tr(G_j Ψ_a G_j Ψ_b)
    four = (Gf @ Gf.T).reshape(q, q, q, q)
    if dev.reml and p:
        Q = bmul(rmul(H, ev.Cinv), H.transpose(1, 0, 2))  # H_j C⁻¹ H_j'
        GQ = Gf @ Q.reshape(q * q, J).T
        four = four - (GQ + GQ.T).reshape(q, q, q, q)
    trace = np.einsum("xyzw,ayz,bwx->ab", four, Ps, Ps)
    if dev.reml and p:
        HH = (H.reshape(q * p, J) @ H.reshape(q * p, J).T).reshape(q, p, q, p)
        U = np.einsum("xiyk,axy->aik", HH, Ps)  # Σ_j H_j'Ψ_a H_j
        CU = ev.Cinv @ U
        trace = trace + np.einsum("aij,bji->ab", CU, CU)
    d = np.einsum("axy,xy->a", Ps, s @ s.T)
    ss = (s[:, None, :] * s[None, :, :]).reshape(q * q, J)  # s_x s_w
    sGs = (ss @ Gf.T).reshape(q, q, q, q)  # [x, w, y, z]
    e = np.einsum("xwyz,axy,bzw->ab", sGs, Ps, Ps)
    if p:
        HS = (H.reshape(q * p, J) @ s.T).reshape(q, p, q)  # Σ_j H_j[x,i] s_j[y]
        v = np.einsum("xiy,axy->ai", HS, Ps)
        e = e - v @ ev.Cinv @ v.T
    return trace, d, e


def hessian(dev: ProfiledDeviance, ev: Evaluation) -> np.ndarray:
    """∂²(−2 log L)/∂θ∂θ' of the profiled criterion (σ² profiled out)."""
    trace, d, e = _second_order(dev, ev)
    r2, k = ev.pwrss, dev.k
    S = dev.psi_gradient(ev)
    first = np.einsum("abxy,yx->ab", _psi_second(dev.blocks), S)
    hess = -trace + k * (2 * e / r2 - np.outer(d, d) / r2**2) + first
    return (hess + hess.T) / 2


def varpar_hessian(dev: ProfiledDeviance, ev: Evaluation, sigma: float) -> np.ndarray:
    """Hessian of −2 log L in (θ, σ) with σ *not* profiled out, as lmerTest uses
    for the Satterthwaite df (its ``devfun_vp``)."""
    trace, d, e = _second_order(dev, ev)
    s2 = sigma**2
    S = dev.psi_gradient(ev, sigma2=s2)
    k = dev.ntheta
    out = np.empty((k + 1, k + 1))
    out[:k, :k] = -trace + 2 * e / s2 + np.einsum("abxy,yx->ab", _psi_second(dev.blocks), S)
    out[:k, k] = out[k, :k] = 2 * d / sigma**3
    out[k, k] = -2 * dev.k / s2 + 6 * ev.pwrss / s2**2
    return (out + out.T) / 2


def vcov_jacobian(dev: ProfiledDeviance, ev: Evaluation, sigma: float) -> np.ndarray:
    """∂Cov(γ̂)/∂(θ, σ) with Cov(γ̂) = σ² C⁻¹: shape (k+1, p, p).

    dC = −Σ_j H_j'dΨ H_j, so ∂C⁻¹/∂θ_a = C⁻¹ U_a C⁻¹ with U_a = Σ_j H_j'Ψ_a H_j.
    """
    q, p, J = dev.q, dev.p, dev.stats.J
    H = ev.K[:, q : q + p]
    HH = (H.reshape(q * p, J) @ H.reshape(q * p, J).T).reshape(q, p, q, p)
    U = np.einsum("xiyk,axy->aik", HH, psi_directions(dev, ev.lam))
    out = np.empty((dev.ntheta + 1, p, p))
    out[:-1] = sigma**2 * (ev.Cinv @ U @ ev.Cinv)
    out[-1] = 2 * sigma * ev.Cinv
    return out
