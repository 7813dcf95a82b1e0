"""``hlmteach.hlm7``: HLM 7's own estimation, emulated, with its iterations and its printout.

HLM 7 and lme4 fit the same model by the same criterion (REML) but print
different numbers, because HLM 7 stops its EM iterations on a small change in
the likelihood, before the optimum.  :func:`hlm7` walks those iterations as
reconstructed in :mod:`.em` and returns an :class:`HLM7Fit` whose tables are
HLM 7's, evaluated where HLM 7 stops.  How close that comes to HLM 7's own
printouts of the seed's four models (measured in ``tests/hlm/test_hlm7.py``):

* the unconditional model: every printed digit of both tables, and HLM's
  iteration count (4, as an HLM 6 run of the same model prints);
* the other three: close but not exact (largest relative differences from a
  printed figure about 3e-5, 2e-5 and 1.1e-2); see ``book/hlm7_iterations.md``.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

import numpy as np
import pandas as pd

from ..engine.design import Design, build_design
from ..engine.deviance import Evaluation, ProfiledDeviance
from ..engine.formula import parse_formula
from ..engine.stats import GroupStats, group_stats
from .em import HLM7Settings, Iteration, Start, e_step, iterate, ols_start
from .spec import TwoLevelModel
from .tables import equation_labels, hlm_fixed_table, hlm_variance_table
from .text import format_p, hlm_summary

__all__ = ["STOPPED", "HLM7Fit", "compare_printout", "hlm7"]

STOPPED = {
    True: "Iterations stopped due to small change in likelihood function",
    False: "Iterations stopped because the maximum number of iterations was reached",
}
DECIMALS = {"estimate": 6, "se": 6, "t": 3, "sd": 5, "variance": 5, "chi2": 5}
COLUMN_NAMES = {
    "estimate": "coefficient",
    "se": "standard error",
    "t": "t-ratio",
    "df": "d.f.",
    "p": "p-value",
    "sd": "standard deviation",
    "variance": "variance component",
    "chi2": "χ²",
}


class _At:
    """What :mod:`.tables` reads from a fit (``stats``, ``evaluation``, ``tau_matrix``, …), at one iterate."""

    def __init__(self, fit: HLM7Fit, evaluation: Evaluation, tau: np.ndarray) -> None:
        self.design, self.stats, self.hlm_names, self.ngroups = fit.design, fit.stats, fit.hlm_names, fit.ngroups
        self.nobs = fit.design.n
        self.evaluation, self.tau_matrix = evaluation, tau


class HLM7Fit:
    """HLM 7's estimation of a two-level model, emulated (what :func:`hlm7` returns).

    The variance components are those of HLM 7's last iterate (T_k, σ²_k);
    the fixed effects and their standard errors come from the E-step of that
    iteration, at the previous iterate, as HLM 7 prints them.  ``iterations``
    has one row per iteration, ``start`` the starting values.
    """

    reml = True

    def __init__(
        self, design: Design, stats: GroupStats, settings: HLM7Settings, hlm_names: dict[str, str] | None = None
    ) -> None:
        self.design, self.stats, self.settings = design, stats, settings
        self.hlm_names = {**design.levels.hlm_names, **(hlm_names or {})}
        self.criterion = ProfiledDeviance(stats, reml=True)
        self.start: Start = ols_start(stats, design)
        self._steps, self.converged = iterate(stats, self.start, settings)

    # --- where HLM 7 stopped ---------------------------------------------------
    @property
    def last(self) -> Iteration:
        return self._steps[-1]

    @property
    def n_iterations(self) -> int:
        return len(self._steps)

    @property
    def stop_reason(self) -> str:
        """HLM 7's line saying why it stopped."""
        return STOPPED[self.converged]

    @property
    def ngroups(self) -> int:
        return self.design.J

    @property
    def nobs(self) -> int:
        return self.design.n

    @property
    def formula(self) -> str:
        return self.design.formula.text

    @property
    def tau_matrix(self) -> np.ndarray:
        """T at HLM 7's last iterate."""
        return self.last.tau

    @property
    def tau(self) -> pd.DataFrame:
        names = list(self.design.znames)
        return pd.DataFrame(self.tau_matrix, index=names, columns=names)

    @property
    def sigma2(self) -> float:
        return self.last.sigma2

    @property
    def coef(self) -> pd.Series:
        """γ as HLM 7 prints it: the GLS estimate at the previous iterate."""
        return pd.Series(self.last.gamma, index=list(self.design.xnames), name="estimate")

    @property
    def loglik(self) -> float:
        """HLM 7's "value of the log-likelihood function" at its last iteration (REML)."""
        return self.last.loglik

    @property
    def deviance(self) -> float:
        return -2 * self.loglik

    @property
    def npar(self) -> int:
        return self.criterion.npar

    # --- the tables -----------------------------------------------------------------
    def _evaluation(self, tau: np.ndarray, sigma2: float, gamma: np.ndarray) -> Evaluation:
        lam = np.linalg.cholesky(tau / sigma2)
        return replace(self.criterion.evaluate(lam[self.criterion.tril]), beta=np.asarray(gamma, float), sigma2=float(sigma2))

    @cached_property
    def _fixed_view(self) -> _At:
        step = self.last
        return _At(self, self._evaluation(step.tau_in, step.sigma2_in, step.gamma), step.tau_in)

    @cached_property
    def _variance_view(self) -> _At:
        return _At(self, replace(self._fixed_view.evaluation, sigma2=self.sigma2), self.tau_matrix)

    def hlm_fixed(self, robust: bool = True) -> pd.DataFrame:
        """HLM 7's "Final estimation of fixed effects" (robust SEs by default), as :meth:`hlmteach.Fit.hlm_fixed`."""
        return hlm_fixed_table(self._fixed_view, robust)

    @cached_property
    def _hlm_variance(self) -> pd.DataFrame:
        return hlm_variance_table(self._variance_view)

    def hlm_variance_components(self) -> pd.DataFrame:
        """HLM 7's "Final estimation of variance components": SD, variance, df, χ², p, reliability."""
        return self._hlm_variance.copy()

    @property
    def hlm_reliability(self) -> pd.Series:
        return self._hlm_variance["reliability"].iloc[:-1].astype(float)

    def start_fixed(self) -> pd.DataFrame:
        """HLM 7's "Estimation of fixed effects (Based on starting values of covariance components)"."""
        gamma = e_step(self.stats, self.start.tau, self.start.sigma2).gamma
        view = _At(self, self._evaluation(self.start.tau, self.start.sigma2, gamma), self.start.tau)
        return hlm_fixed_table(view, robust=False)

    # --- the iterations ----------------------------------------------------------------
    @cached_property
    def iterations(self) -> pd.DataFrame:
        """One row per iteration k (row 0: the starting values): HLM's log-likelihood and γ_k from
        the E-step at the incoming iterate, T_k and σ²_k from the M-step, the change in log-likelihood."""
        z, x = self.design.znames, self.design.xnames
        pairs = [(a, b) for i, a in enumerate(z) for b in z[i:]]

        def row(k: int, loglik: float, gamma: np.ndarray, tau: np.ndarray, sigma2: float, accelerated: bool) -> dict:
            out: dict[str, object] = {"iteration": k, "loglik": loglik, "deviance": -2 * loglik, "accelerated": accelerated}
            out.update({f"gamma[{name}]": g for name, g in zip(x, gamma, strict=True)})
            for a, b in pairs:
                out[f"tau[{a}]" if a == b else f"tau[{a},{b}]"] = tau[z.index(a), z.index(b)]
            out["sigma2"] = sigma2
            return out

        rows = [row(0, np.nan, np.full(len(x), np.nan), self.start.tau, self.start.sigma2, False)]
        rows += [row(s.k, s.loglik, s.gamma, s.tau, s.sigma2, s.accelerated) for s in self._steps]
        table = pd.DataFrame(rows).set_index("iteration")
        table.insert(2, "change", table["loglik"].diff())
        return table

    # --- the printout ---------------------------------------------------------------
    def _tau_lines(self, tau: np.ndarray) -> list[str]:
        labels = equation_labels(self)
        names = [f"{labels[z]},β{self.design.levels.index(z)}" for z in self.design.znames]
        lines = [f" {name:<16}" + "".join(f"{v:>12.5f}" for v in tau[i]) for i, name in enumerate(names)]
        if len(names) > 1:
            sd = np.sqrt(np.diag(tau))
            lines += ["", " τ (as correlations)"]
            lines += [f" {name:<16}" + "".join(f"{v:>8.3f}" for v in tau[i] / sd[i] / sd) for i, name in enumerate(names)]
        return lines

    def hlm_summary(self) -> str:
        """What HLM 7 prints: starting values, the iterations, why they stopped, then the final tables."""
        start = self.start
        lines = [" STARTING VALUES", "", f" σ²(0) = {start.sigma2:.5f}", "", " τ(0)", *self._tau_lines(start.tau)]
        if start.repaired:
            lines += ["", " (D̄ − V̄ was not positive definite; τ(0) = D̄)"]
        lines += ["", " Estimation of fixed effects (Based on starting values of covariance components)", ""]
        lines.append(f"{'Fixed Effect':<24}{'Coefficient':>12}{'Standard':>11}{'t-ratio':>10}{'Approx.':>9}{'p-value':>9}")
        lines.append(f"{'':<24}{'':>12}{'error':>11}{'':>10}{'d.f.':>9}{'':>9}")
        for equation, rows in self.start_fixed().groupby("equation", sort=False):
            lines.append(f"For {equation}")
            for _, r in rows.iterrows():
                numbers = f"{r['estimate']:>12.6f}{r['se']:>11.6f}{r['t']:>10.3f}{int(r['df']):>9d}{format_p(r['p']):>9}"
                lines.append(f"    {r['label']:<20}{numbers}")
        lines.append("")
        lines += [f" The value of the log-likelihood function at iteration {s.k} = {_hlm_e(s.loglik)}" for s in self._steps]
        lines += ["", f" {self.stop_reason}", f" Final Results - Iteration {self.n_iterations}", ""]
        lines += [f" σ² = {self.sigma2:.5f}", "", " τ", *self._tau_lines(self.tau_matrix), ""]
        lines += [f" The value of the log-likelihood function at iteration {self.n_iterations} = {_hlm_e(self.loglik)}", ""]
        return "\n".join(lines) + "\n" + hlm_summary(self)

    def __repr__(self) -> str:
        return f"<hlmteach.HLM7Fit: {self.formula}; {self.n_iterations} iterations; {self.stop_reason.lower()}>"


def _hlm_e(value: float) -> str:
    """A number in HLM's Fortran E format with a three-digit exponent: -2.355840E+004."""
    mantissa, exponent = f"{value:.6E}".split("E")
    return f"{mantissa}E{exponent[0]}{int(exponent[1:]):03d}"


def _needs_every_coefficient_random(design: Design) -> None:
    fixed = [c for c in design.levels.coefficients if c not in design.znames]
    if fixed:
        raise ValueError(
            f"hlm7 reconstructs HLM 7's estimation only for models whose every level-1 coefficient has a random effect; "
            f"{', '.join(map(repr, fixed))} has none (add it to the random part, e.g. '(1 + {fixed[0]} | group)')"
        )


def hlm7(
    model: TwoLevelModel | str,
    data: pd.DataFrame,
    *,
    settings: HLM7Settings | None = None,
    hlm_names: dict[str, str] | None = None,
) -> HLM7Fit:
    """Estimate a two-level model the way HLM 7 does, as far as it is reconstructed (see :mod:`hlmteach.hlm.em`).

    ``model`` is a :class:`TwoLevelModel` or an lme4 formula (parsed, never
    evaluated) whose every level-1 coefficient has a random effect, as in the
    seed's four models.  ``settings`` changes HLM 7's iteration settings, e.g.
    ``HLM7Settings(stopval=1e-12)`` to iterate (nearly) to the REML optimum;
    ``hlm_names`` renames variables in the tables, as for :func:`hlmteach.lmer`
    (e.g. ``{"cses": "SES"}``).

    Fidelity, measured against HLM 7's printouts of the seed's models:
    the unconditional model is reproduced to every printed digit, with HLM's
    4 iterations; means-as-outcomes, random-coefficient and intercepts-and-slopes
    only approximately (largest relative differences from a printed figure
    about 3e-5, 2e-5 and 1.1e-2: HLM 7's repair of a start that is not
    positive definite, which the last model needs, is unknown).
    """
    if settings is None:
        settings = HLM7Settings()
    elif not isinstance(settings, HLM7Settings):
        raise TypeError(f"settings must be an HLM7Settings, got {type(settings).__name__}")
    if isinstance(model, TwoLevelModel):
        formula, frame, names = model.formula, model.prepare(data), {**model.hlm_names(), **(hlm_names or {})}
    elif isinstance(model, str):
        formula, frame, names = model, data, hlm_names
    else:
        raise TypeError(f"model must be a TwoLevelModel or an lme4 formula string, got {type(model).__name__}")
    design = build_design(parse_formula(formula), frame)
    _needs_every_coefficient_random(design)
    return HLM7Fit(design, group_stats(design), settings, names)


def _beyond_rounding(value: float, printed: float, decimals: int) -> float:
    """Relative distance of ``value`` from the interval of numbers that print as ``printed``."""
    return max(0.0, abs(value - printed) - 0.5 * 10.0**-decimals) / abs(printed)


def _figure(mine: float, printed: object, column: str) -> tuple[str, str, float, float]:
    """One printed figure: (printed text, ``mine`` printed the same way, relative difference, beyond rounding)."""
    if column == "p":  # printed to 3 decimals or as "<0.001": compared as printed only
        return str(printed), format_p(mine), np.nan, np.nan
    decimals = 0 if column == "df" else DECIMALS[column]
    value = float(printed)  # type: ignore[arg-type]
    rel = abs(mine - value) / abs(value)
    return f"{value:.{decimals}f}", f"{mine:.{decimals}f}", rel, _beyond_rounding(mine, value, decimals)


def compare_printout(fit: object, printout: dict) -> pd.DataFrame:
    """Every figure of an HLM 7 printout (``seed_outputs()["hlm7"][name]``) beside ``fit``'s HLM 7 tables.

    ``fit`` is anything with ``hlm_fixed()`` and ``hlm_variance_components()``
    (an :class:`HLM7Fit` or a :class:`hlmteach.Fit`).  One row per printed
    figure: the printed text, ``fit``'s value printed the same way, whether the
    two match, the relative difference of ``fit``'s full-precision value from
    the printed figure (NaN for p-values, which HLM 7 prints to three decimals
    or as "<0.001"), how far beyond the printed figure's rounding interval it
    lies (relative; 0 when it prints the same), and the value itself.
    """
    tables = {"fixed": fit.hlm_fixed(), "variance": fit.hlm_variance_components()}  # type: ignore[attr-defined]
    columns = {"fixed": ("estimate", "se", "t", "df", "p"), "variance": ("sd", "variance", "df", "chi2", "p")}
    rows = []
    for part, table in tables.items():
        for term, ref in printout[part].items():
            for col in columns[part]:
                key = "p_printed" if col == "p" else col
                if key in ref:
                    mine = float(table.loc[term, col])
                    printed, shown, rel, beyond = _figure(mine, ref[key], col)
                    figure = f"{table.loc[term, 'label']}: {COLUMN_NAMES[col]}"
                    rows.append((figure, term, col, printed, shown, shown == printed, rel, beyond, mine))
    names = ["figure", "term", "column", "printed", "shown", "matches", "relative difference", "beyond rounding", "value"]
    return pd.DataFrame(rows, columns=names).set_index("figure")
