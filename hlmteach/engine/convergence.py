"""Step 5 of the pipeline: did the optimiser really converge, and is the fit singular?

As lme4's ``checkConv``, the optimiser's stopping point is checked after the
fact, one named check each: the Newton step left (lme4's scaled gradient,
H⁻¹g) must be small, the Hessian on the free parameters must be positive
definite (a minimum, not a saddle), and a variance at zero or a correlation at
±1 makes the fit *singular* (lme4's ``isSingular``).  Every check is made in
the optimiser's scaled units (:mod:`.scaling`), so none depends on a
predictor's units.  The result is an :class:`OptSummary`, in the criterion's
own units; a failed check warns, so nothing reports convergence that did not
happen.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .deviance import Evaluation, ProfiledDeviance, theta_to_lambda

if TYPE_CHECKING:
    from .scaling import Scaling

__all__ = ["SCALED_GRADIENT_TOL", "SINGULAR_TOL", "ConvergenceWarning", "NewtonResult", "OptSummary", "check_convergence"]

SINGULAR_TOL = 1e-4  # lme4's isSingular tolerance on θ at its bounds
FLAT = 1e-9  # curvatures above −FLAT·max|curvature| are zero within rounding
SCALED_GRADIENT_TOL = 2e-3  # lme4's check.conv.grad tolerance on the scaled gradient


class ConvergenceWarning(UserWarning):
    """The optimiser stopped without meeting the convergence checks."""


@dataclass(frozen=True)
class NewtonResult:
    """Where the Newton iterations stopped, before the checks."""

    theta_start: np.ndarray
    theta: np.ndarray
    evaluation: Evaluation  # the deviance chain at θ
    gradient: np.ndarray
    hessian: np.ndarray
    step: np.ndarray  # the last Newton direction, −H⁻¹g on the free parameters
    free: np.ndarray  # θ not held at a bound (nor below a diagonal held there)
    iterations: int
    evaluations: int
    stopped: bool  # the Newton decrement fell below the tolerance
    message: str


@dataclass(frozen=True)
class OptSummary:
    """What the optimiser did and where it stopped (cf. MixedModels.jl's OptSummary).

    θ, the gradient and ``evaluation`` (the deviance chain at θ̂) are in the
    criterion's units; ``scaled_gradient`` is ``max |H⁻¹g|`` on the free
    parameters (lme4's check) in the optimiser's scaled units; ``converged``
    is True only when every check passed, and ``message`` says which failed.
    ``working`` (the criterion in scaled units), ``working_evaluation`` and
    ``scaling`` are kept for inference that must not depend on units.
    """

    theta_start: np.ndarray
    theta: np.ndarray
    deviance: float
    iterations: int
    evaluations: int
    gradient: np.ndarray
    scaled_gradient: float
    converged: bool
    singular: bool
    message: str
    evaluation: Evaluation
    working: ProfiledDeviance
    working_evaluation: Evaluation
    scaling: Scaling


def check_convergence(dev: ProfiledDeviance, work: ProfiledDeviance, scaling: Scaling, result: NewtonResult) -> OptSummary:
    """Check the optimiser's stopping point on the scaled criterion ``work`` (see the module docstring),
    warn when a check fails, and report it in the units of ``dev``."""
    theta, g, H = result.theta, result.gradient, result.hessian
    free = result.free
    scaled = float(np.abs(result.step[free]).max()) if free.any() else 0.0
    converged, message = result.stopped, result.message
    curvatures = np.linalg.eigvalsh(H[np.ix_(free, free)]) if free.any() else np.zeros(0)
    # zero within rounding is a direction the criterion does not see (at a boundary: θ00 = 0 leaves
    # only θ10² + θ11²), not a saddle
    if converged and np.any(curvatures < -FLAT * max(1.0, float(np.abs(curvatures).max(initial=0.0)))):
        converged, message = False, "Hessian is not positive definite at the end: a saddle point, not a minimum"
    if converged and scaled > SCALED_GRADIENT_TOL:
        converged, message = False, f"scaled gradient {scaled:.2g} exceeds lme4's tolerance {SCALED_GRADIENT_TOL}"
    singular = bool(np.any(np.abs(np.diag(theta_to_lambda(theta, work.blocks))) < SINGULAR_TOL))
    if not converged:
        warnings.warn(f"the model failed to converge: {message}", ConvergenceWarning, stacklevel=4)
    elif singular:
        warnings.warn(
            "boundary (singular) fit: a variance is estimated as zero or a correlation as ±1 (see Fit.singular)",
            UserWarning,
            stacklevel=4,
        )
    theta_hat = scaling.to_original(theta)
    evaluation = dev.evaluate(theta_hat)
    return OptSummary(
        theta_start=scaling.to_original(result.theta_start),
        theta=theta_hat,
        deviance=evaluation.deviance,
        iterations=result.iterations,
        evaluations=result.evaluations,
        gradient=g * scaling.theta,
        scaled_gradient=scaled,
        converged=converged,
        singular=singular,
        message=message,
        evaluation=evaluation,
        working=work,
        working_evaluation=result.evaluation,
        scaling=scaling,
    )
