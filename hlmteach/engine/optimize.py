"""Step 4 of the pipeline: minimise the profiled criterion over θ.

A projected Newton method with the exact gradient and Hessian: it reaches
lme4's optimum to many more digits than the printed ones in a handful of
iterations.  The diagonal of Λ is bounded below by 0 (a variance of zero);
at that bound the criterion is flat in the bounded direction, so a
negative curvature there is followed off the bound rather than mistaken for
a minimum, and an optimum at the bound is landed on exactly (θ = 0, not
10⁻⁹).  The iterations stop when the Newton decrement is below the tolerance
or below what floating point can resolve at the criterion's size (the
criterion, and its rounding noise, grow with the number of rows).
:func:`optimize` runs :func:`newton` in scaled units (:mod:`.scaling`) from
moment estimates and hands its stopping point to
:func:`~hlmteach.engine.convergence.check_convergence`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.linalg import lapack

from .convergence import FLAT, SINGULAR_TOL, NewtonResult, OptSummary, check_convergence
from .derivatives import hessian
from .deviance import ProfiledDeviance, theta_to_lambda
from .scaling import Scaling
from .stats import sym_inverse, well_conditioned

__all__ = ["newton", "optimize", "start_theta"]

NOISE = 1e-13  # relative rounding noise of the criterion: changes below NOISE·|f| cannot be seen
STALL = 1e-9  # a line search that fails with a Newton decrement below STALL·|f| has met floating point


def start_theta(dev: ProfiledDeviance) -> np.ndarray:
    """Moment estimates: per-group OLS coefficients' covariance minus their sampling variance
    (one block per random term).  Falls back to lme4's start (Λ = I) when too few groups allow
    their own fit."""
    st, q, p = dev.stats, dev.q, dev.p
    XtX, Xty = st.WtW_total[:p, :p], st.WtW_total[:p, p]
    beta = np.linalg.solve(XtX, Xty) if p else np.zeros(0)
    ok = (st.nj > q + 1) & well_conditioned(np.moveaxis(st.ZtZ, 2, 0), 1e8)
    if ok.sum() <= q + 1:
        return np.eye(q)[dev.tril]
    ZtW, WtW = st.ZtW[:, :, ok], st.WtW[:, :, ok]
    r = ZtW[:, p] - np.einsum("akj,k->aj", ZtW[:, :p], beta)  # Z_j'(y_j − X_j β)
    Ainv = sym_inverse(st.ZtZ[:, :, ok])
    b = (Ainv * r[None]).sum(axis=1)  # each group's OLS coefficients of the residuals
    ee = WtW[p, p] - 2 * beta @ WtW[:p, p] + np.einsum("i,ikj,k->j", beta, WtW[:p, :p], beta)
    within = ee - (b * r).sum(axis=0)
    sigma2 = max(within.sum() / (st.nj[ok] - q).sum(), 1e-8 * max(ee.sum(), 1e-300))
    centred = b - b.mean(axis=1, keepdims=True)
    T = (centred @ centred.T / (b.shape[1] - 1) - sigma2 * Ainv.mean(axis=2)) / sigma2
    lam = np.zeros((q, q))
    start = 0
    for size in dev.blocks:
        block = slice(start, start + size)
        w, V = np.linalg.eigh(T[block, block])
        w = np.maximum(w, 0.01 * max(w.max(), 1e-4))  # start inside, away from the bound
        lam[block, block] = np.linalg.cholesky((V * w) @ V.T)
        start += size
    return lam[dev.tril]


def _newton_direction(g: np.ndarray, H: np.ndarray) -> tuple[np.ndarray, float]:
    """Newton step with the Hessian's eigenvalues made positive; also the smallest eigenvalue
    (reported as 0 when the Hessian is positive definite and no eigen-decomposition was needed)."""
    R, info = lapack.dpotrf(H, lower=0, clean=1)
    if info == 0:
        return -lapack.dpotrs(R, g)[0], 0.0
    w, V = np.linalg.eigh(H)
    floor = 1e-10 * max(np.abs(w).max(), 1.0)
    return -V @ ((V.T @ g) / np.maximum(np.abs(w), floor)), float(w.min())


def _zero_columns(dev: ProfiledDeviance, theta: np.ndarray, held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """θ with every column of Λ whose diagonal is held at 0 emptied, and which θ that fixes.

    With Λ_ii = 0, the entries below it only add λλ' to the later rows of the same block, where
    the later columns can carry it as well: the criterion sees only their sum (with Λ_00 = 0,
    only θ10² + θ11²), a direction it is flat in.  So the column is merged into the later ones
    (a Cholesky factor of the same block of Ψ) and held at zero, which leaves Ψ unchanged.
    """
    rows, cols = dev.tril
    fixed = np.zeros(len(theta), bool)
    lam = theta_to_lambda(theta, dev.blocks)
    start = 0
    for size in dev.blocks:
        for i in range(start, start + size - 1):
            a = np.flatnonzero((rows == i) & (cols == i))[0]
            if not held[a]:
                continue
            column = (cols == i) & (rows > i)
            fixed |= column
            below = lam[i + 1 : start + size, i]
            if below.any():
                trailing = lam[i + 1 : start + size, i + 1 : start + size]
                try:
                    merged = np.linalg.cholesky(trailing @ trailing.T + np.outer(below, below))
                except np.linalg.LinAlgError:  # the later effects are degenerate too: leave Λ as it is
                    continue
                lam[i + 1 : start + size, i + 1 : start + size] = merged
                lam[i + 1 : start + size, i] = 0.0
        start += size
    return lam[dev.tril], fixed


def newton(dev: ProfiledDeviance, theta0: np.ndarray, tol: float = 1e-12, maxiter: int = 200) -> NewtonResult:
    """Projected Newton iterations on ``dev`` from ``theta0`` until the Newton decrement g'H⁻¹g
    (twice the predicted decrease of the criterion) is below ``tol``.

    The line search accepts a step that decreases the criterion enough (Armijo), or — when the
    predicted decrease is below the criterion's rounding noise, so that no evaluation can judge
    it — the full Newton step if it does not raise the criterion beyond that noise.  A line
    search that cannot decrease the criterion at all stops the iterations: as converged when the
    decrement is already tiny relative to the criterion (floating point allows no further
    progress), as a failure otherwise.
    """
    lower = dev.lower_bounds
    theta = np.maximum(np.asarray(theta0, float), lower)
    start = theta.copy()
    ev = dev.evaluate(theta)
    evaluations, iterations, message, stopped = 1, 0, "", False
    while True:
        g = dev.gradient_from(ev)
        H = hessian(dev, ev)
        at_bound = theta <= lower
        free = ~at_bound | (g < 0) | ((np.abs(g) <= 1e-8) & (np.diag(H) < 0))
        merged, fixed = _zero_columns(dev, theta, at_bound & ~free)
        if not np.array_equal(merged, theta):
            theta, ev = merged, dev.evaluate(merged)
            evaluations += 1
            continue
        free &= ~fixed
        d = np.zeros_like(theta)
        wmin = 0.0
        if free.any():
            d[free], wmin = _newton_direction(g[free], H if free.all() else H[np.ix_(free, free)])
        decrement = -g @ d
        noise = NOISE * max(1.0, abs(ev.deviance))
        flat = FLAT * max(1.0, float(np.abs(np.diag(H)).max(initial=0.0)))  # rounding of a zero curvature
        if decrement < tol and wmin >= -flat:
            stopped, message = True, "Newton decrement below tolerance"
            break
        if iterations == maxiter:
            message = f"no convergence in {maxiter} iterations"
            break
        iterations += 1
        if decrement < tol:  # flat but curving down: a saddle, often at a variance of zero
            _w, V = np.linalg.eigh(H[np.ix_(free, free)])
            v = V[:, 0] * np.sign(V[:, 0].sum() or 1.0)
            d = np.zeros_like(theta)
            d[free] = v * 0.1 * max(np.abs(theta).max(), 1.0)
        alpha, f0 = 1.0, ev.deviance
        for _ in range(60):
            trial = np.maximum(theta + alpha * d, lower)
            ev_trial = dev.evaluate(trial)
            evaluations += 1
            armijo = ev_trial.deviance <= f0 + 1e-4 * (g @ (trial - theta))
            unresolvable = alpha == 1.0 and decrement <= 2 * noise and ev_trial.deviance <= f0 + noise
            if armijo or unresolvable or ev_trial.deviance < f0 - noise:
                break
            alpha /= 2
        else:
            if decrement < STALL * max(1.0, abs(f0)):
                stopped, message = True, "no further decrease is possible in floating point"
            else:
                message = "line search failed to decrease the criterion"
            break
        theta, ev = trial, ev_trial
    return NewtonResult(
        theta_start=start,
        theta=theta,
        evaluation=ev,
        gradient=g,
        hessian=H,
        step=d,
        free=free,
        iterations=iterations,
        evaluations=evaluations,
        stopped=stopped,
        message=message,
    )


def _land_on_bound(dev: ProfiledDeviance, result: NewtonResult, tol: float, maxiter: int) -> NewtonResult:
    """When variances sit just above zero, try them at exactly zero: keep that (polished with Newton
    steps that hold them at the bound if the criterion pushes them there) unless it is worse."""
    theta = result.theta
    near = (dev.lower_bounds == 0) & (theta > 0) & (theta < SINGULAR_TOL)
    if not result.stopped or not near.any():
        return result
    candidate = newton(dev, np.where(near, 0.0, theta), tol, maxiter)
    f, f_new = result.evaluation.deviance, candidate.evaluation.deviance
    if candidate.stopped and f_new <= f + NOISE * max(1.0, abs(f)):
        return replace(
            candidate,
            theta_start=result.theta_start,
            iterations=result.iterations + candidate.iterations,
            evaluations=result.evaluations + candidate.evaluations,
        )
    return result


def optimize(dev: ProfiledDeviance, theta0: np.ndarray | None = None, tol: float = 1e-12, maxiter: int = 200) -> OptSummary:
    """Minimise ``dev`` over θ from ``theta0`` (default: moment estimates), then check the result.

    The iterations run on the criterion in scaled units (:class:`~hlmteach.engine.scaling.Scaling`);
    ``theta0`` and the summary's θ are in the units of ``dev``.
    """
    scaling = Scaling.of(dev)
    work = scaling.criterion(dev)
    start = start_theta(work) if theta0 is None else scaling.to_working(theta0)
    result = _land_on_bound(work, newton(work, start, tol, maxiter), tol, maxiter)
    return check_convergence(dev, work, scaling, result)
