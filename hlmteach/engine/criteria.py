"""Information criteria, for any fitted model that knows its −2 log L, parameters and observations."""

from __future__ import annotations

import numpy as np

__all__ = ["InformationCriteria"]


class InformationCriteria:
    """AIC and BIC from a model's ``deviance`` (−2 log L), ``npar`` and ``nobs`` (as R's ``AIC``/``BIC``)."""

    deviance: float
    npar: int
    nobs: int

    @property
    def aic(self) -> float:
        """Akaike's criterion, −2 log L + 2 · npar."""
        return self.deviance + 2 * self.npar

    @property
    def bic(self) -> float:
        """Schwarz's criterion, −2 log L + log(n) · npar."""
        return self.deviance + np.log(self.nobs) * self.npar
