"""The units the optimiser works in: every column of Z, X and y divided by its root mean square.

The optimum does not depend on the units of a predictor, but a Newton
iteration's tolerances, its start, its bounds and the eigen-decompositions of
its Hessian do.  So the optimiser works on the same model with each column of
Z, X and y scaled to unit root mean square — Z̃ = Z D_z⁻¹, X̃ = X D_x⁻¹,
ỹ = y/s — and the result is mapped back exactly:

* Z Λ = Z̃ Λ̃ with Λ̃ = D_z Λ (still lower triangular and block diagonal), so
  θ̃_a = d_z[r_a] θ_a for θ_a at row r_a of Λ;
* γ = s D_x⁻¹ γ̃ and σ² = s² σ̃²;
* −2 log L(θ) = −2 log L̃(θ̃) + k log s² (+ 2 Σ log d_x under REML).

Every unit-dependent decision (convergence tolerances, the singularity test
θ̃ < 10⁻⁴, the Satterthwaite pseudo-inverse) is taken on the scaled model, so
rescaling any predictor by 10^±8 changes only the reported numbers' units.
Scaling a stack of group statistics costs a few divisions per group, not a
pass over the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .deviance import ProfiledDeviance

__all__ = ["Scaling"]


@dataclass(frozen=True)
class Scaling:
    """Root mean squares of the columns of Z (``z``) and of W = [X y] (``w``), and θ's rows in Λ."""

    z: np.ndarray  # (q,)
    w: np.ndarray  # (p + 1,): X's columns, then y
    rows: np.ndarray  # row of Λ of each θ_a

    @classmethod
    def of(cls, dev: ProfiledDeviance) -> Scaling:
        """The scaling of a criterion's statistics."""
        st = dev.stats

        def rms(cross: np.ndarray) -> np.ndarray:
            r = np.sqrt(np.diag(cross) / st.n)
            return np.where(np.isfinite(r) & (r > 0), r, 1.0)

        return cls(rms(st.ZtZ.sum(axis=2)), rms(st.WtW_total), dev.tril[0])

    @property
    def theta(self) -> np.ndarray:
        """θ̃_a / θ_a = d_z at θ_a's row of Λ."""
        return self.z[self.rows]

    def criterion(self, dev: ProfiledDeviance) -> ProfiledDeviance:
        """The same criterion on the scaled statistics (D_z⁻¹ Z'Z D_z⁻¹, D_z⁻¹ Z'W D_w⁻¹, D_w⁻¹ W'W D_w⁻¹)."""
        st, z, w = dev.stats, self.z, self.w
        scaled = replace(
            st,
            ZtZ=st.ZtZ / np.outer(z, z)[:, :, None],
            ZtW=st.ZtW / np.outer(z, w)[:, :, None],
            WtW=st.WtW / np.outer(w, w)[:, :, None],
            WtW_total=st.WtW_total / np.outer(w, w),
        )
        return ProfiledDeviance(scaled, dev.reml, dev.blocks)

    def to_working(self, theta: np.ndarray) -> np.ndarray:
        return np.asarray(theta, float) * self.theta

    def to_original(self, theta: np.ndarray) -> np.ndarray:
        return np.asarray(theta, float) / self.theta

    def contrasts(self, L: np.ndarray) -> np.ndarray:
        """Contrasts L'γ written for γ̃: L'γ = s (D_x⁻¹L)'γ̃ (the factor s does not change a df)."""
        return np.atleast_2d(L) / self.w[:-1]

    def varpar(self, A: np.ndarray) -> np.ndarray:
        """A covariance matrix of (θ̃, σ̃) in the units of (θ, σ)."""
        J = np.append(1.0 / self.theta, self.w[-1])
        return A * np.outer(J, J)
