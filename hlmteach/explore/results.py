"""What the explorers show for one fitted model, as tidy tables.

:func:`summarize` turns a fit into a :class:`Result`: HLM 7's and lme4's
tables, the ICC, the variance each component has left against the baseline
R&B use for it, R&B's plausible-value ranges, and the per-group estimates of
:mod:`hlmteach.explore.schools`; each a DataFrame holding the numbers and the
text shown (so a page and its tests read the same strings).  The static
explorer stacks the Results of every setting (with a ``setting`` column); the
live explorer shows one at a time.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine.coding import factor_levels
from ..engine.levels import INTERCEPT
from ..hlm.fit import Fit
from ..hlm.quantities import expected_coefficient, icc, plausible_value_range, variance_explained
from ..hlm.spec import TwoLevelModel
from ..hlm.text import format_p
from .controls import Variables
from .render import GROUP_COLOURS, PALETTE
from .schools import school_estimates

__all__ = ["ALL", "TABLES", "Baselines", "Result", "fmt", "summarize"]

TABLES = ("header", "hlm_fixed", "hlm_random", "lme4_fixed", "lme4_random", "variance", "plausible", "schools")
NBSP = "\u00a0"  # a space that SVG text keeps
ALL = "All"  # the curve's name when no two-valued level-2 predictor splits it


def fmt(x: float | None, digits: int) -> str:
    """``x`` with ``digits`` decimals ("" for a missing value; never "-0.00")."""
    return "" if x is None or not np.isfinite(x) else f"{round(float(x), digits) + 0.0:.{digits}f}"


@dataclass(frozen=True)
class Baselines:
    """The fits R&B compare a model's variances with, and how the explorer names them.

    ``tau``: the model with the same level-1 part and no level-2 predictors
    (for each τ_qq); ``sigma2``: the unconditional model (for σ²).
    """

    tau: Fit
    sigma2: Fit
    tau_name: str = "the same level-1 model without level-2 predictors"
    sigma2_name: str = "the unconditional model"


@dataclass(frozen=True)
class Result:
    """Everything shown for one model; each table is named in :data:`TABLES`."""

    model: TwoLevelModel
    fit: Fit
    header: pd.DataFrame
    hlm_fixed: pd.DataFrame
    hlm_random: pd.DataFrame
    lme4_fixed: pd.DataFrame
    lme4_random: pd.DataFrame
    variance: pd.DataFrame
    plausible: pd.DataFrame
    schools: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}


def summarize(
    model: TwoLevelModel,
    fit: Fit,
    baselines: Baselines,
    data: pd.DataFrame,
    variables: Variables,
    two_valued: Mapping[str, tuple] | None = None,
) -> Result:
    """The tables shown for ``fit`` of ``model``.

    ``baselines`` are R&B's (:class:`Baselines`); ``variables`` the explorer's
    (when ``model`` leaves out their level-1 predictor, the plausible-value
    table says so in the slope's place); ``two_valued`` maps each numeric
    level-2 predictor with two values (a 0/1 PRIVATE) to them, so that its
    groups get a curve each, as a categorical one's levels do.
    """
    return Result(
        model=model,
        fit=fit,
        header=_header(model, fit),
        hlm_fixed=_hlm_fixed(fit),
        hlm_random=_hlm_random(fit),
        lme4_fixed=_lme4_fixed(fit),
        lme4_random=_lme4_random(fit),
        variance=_variance(fit, baselines, model),
        plausible=_plausible(model, fit, data, variables, dict(two_valued or {})),
        schools=school_estimates(fit),
    )


def _header(model: TwoLevelModel, fit: Fit) -> pd.DataFrame:
    notes = []
    if fit.singular:
        notes.append("Singular fit: a variance is estimated as zero or a correlation as ±1.")
    if not fit.converged:
        notes.append("The optimiser did not converge.")
    deviance = f"Deviance (−2 REML log-likelihood): {fmt(fit.deviance, 2)} with {fit.npar} parameters"
    fixed, random = model.formula.split(" + (", 1)
    formula = f"lme4: {fixed}\n{NBSP * 6}+ ({random}"  # two lines: fixed part, random part
    return pd.DataFrame(
        {"formula": [formula], "lme4_formula": [model.formula], "deviance_text": [deviance], "notes": [" ".join(notes)]}
    )


def _rows(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records)
    frame.insert(0, "row", np.arange(len(frame)))
    return frame


def _hlm_fixed(fit: Fit) -> pd.DataFrame:
    table = fit.hlm_fixed()
    records: list[dict] = []
    for equation, rows in table.groupby("equation", sort=False):
        records.append({"bold": True, "label": f"For {equation}", "term": ""})
        for term, r in rows.iterrows():
            records.append(
                {
                    "bold": False,
                    "label": r["label"],
                    "term": term,
                    "estimate": r["estimate"],
                    "se": r["se"],
                    "t": r["t"],
                    "df": r["df"],
                    "p": r["p"],
                    "estimate_text": fmt(r["estimate"], 3),
                    "se_text": fmt(r["se"], 3),
                    "t_text": fmt(r["t"], 2),
                    "df_text": str(int(r["df"])),
                    "p_text": format_p(r["p"]),
                }
            )
    return _rows(records).fillna({c: "" for c in ("estimate_text", "se_text", "t_text", "df_text", "p_text")})


def _hlm_random(fit: Fit) -> pd.DataFrame:
    table = fit.hlm_variance_components()
    records = []
    for name, r in table.iterrows():
        df = None if pd.isna(r["df"]) else int(r["df"])
        records.append(
            {
                "bold": False,
                "label": r["label"],
                "effect": name,
                "sd": r["sd"],
                "variance": r["variance"],
                "chi2": r["chi2"],
                "p": r["p"],
                "reliability": r["reliability"],
                "sd_text": fmt(r["sd"], 3),
                "variance_text": fmt(r["variance"], 3),
                "df_text": "" if df is None else str(df),
                "chi2_text": fmt(r["chi2"], 2),
                "p_text": format_p(r["p"]) if df is not None else "",
                "reliability_text": fmt(r["reliability"], 3),
            }
        )
    return _rows(records)


def _lme4_fixed(fit: Fit) -> pd.DataFrame:
    records = [
        {
            "bold": False,
            "label": term,
            **r.to_dict(),
            "estimate_text": fmt(r["estimate"], 3),
            "se_text": fmt(r["se"], 3),
            "df_text": fmt(r["df"], 1),
            "t_text": fmt(r["t"], 2),
            "p_text": format_p(r["p"]),
        }
        for term, r in fit.fixed.iterrows()
    ]
    return _rows(records)


def _lme4_random(fit: Fit) -> pd.DataFrame:
    T, names = fit.tau_matrix, list(fit.design.znames)
    sd = np.sqrt(np.diag(T))
    records = []
    for i, name in enumerate(names):
        corr = T[i, 0] / (sd[i] * sd[0]) if i > 0 and sd[i] * sd[0] > 0 else np.nan
        records.append({"group": fit.group if i == 0 else "", "label": name, "variance": T[i, i], "sd": sd[i], "corr": corr})
    records.append({"group": "Residual", "label": "", "variance": fit.sigma2, "sd": fit.sigma, "corr": np.nan})
    for r in records:
        r.update(bold=False, variance_text=fmt(r["variance"], 3), sd_text=fmt(r["sd"], 3), corr_text=fmt(r["corr"], 2))
    return _rows(records)


def _explained_text(explained: float) -> str:
    return f"{fmt(100 * explained, 1)}% explained" if explained > -5e-4 else f"{fmt(-100 * explained, 1)}% more"


def _variance(fit: Fit, baselines: Baselines, model: TwoLevelModel) -> pd.DataFrame:
    """Each variance component next to R&B's baseline for it, the share explained, and the ICC.

    One row per τ_qq (``level`` "between") and one for σ² ("within").  A τ's
    baseline is the model with the same level-1 part and no level-2
    predictors; σ²'s the unconditional model.  ``ratio`` is the component over
    its baseline; when the baseline is the model itself (``same``), nothing is
    explained and the text says why.
    """
    rho = icc(fit)
    at = " (at " + " = ".join([model.labels.get(p.name, p.name) for p in model.predictors] + ["0)"]) if model.predictors else ""
    rows = []
    names = list(fit.design.znames)
    for component in [*names, "Residual"]:
        within = component == "Residual"
        base = baselines.sigma2 if within else baselines.tau
        same = base.formula == fit.formula
        now = fit.sigma2 if within else float(fit.tau.loc[component, component])
        before = base.sigma2 if within else float(base.tau.loc[component, component])
        explained = 0.0 if same else variance_explained(base, fit, component)
        q = None if within else fit.design.levels.index(component)
        symbol = "σ²" if within else f"τ{q}{q}"
        if same:
            text = "its own baseline" if within else "no level-2 predictors"
        else:
            text = _explained_text(explained)
        rows.append(
            {
                "component": component,
                "level": "within" if within else "between",
                "symbol": symbol,
                "label": f"{symbol}, within" if within else f"{symbol}, {'intercepts' if q == 0 else 'slopes'}",
                "baseline": before,
                "current": now,
                "ratio": now / before if before > 0 else np.nan,
                "same": same,
                "baseline_name": baselines.sigma2_name if within else baselines.tau_name,
                "baseline_formula": base.formula,
                "explained": explained,
                "explained_text": text,
                "values_text": f"{fmt(before, 3)} → {fmt(now, 3)}" if not same else fmt(now, 3),
                "share": (1 - rho) if within else (rho if component == INTERCEPT else np.nan),
                "share_text": f"{fmt(100 * (1 - rho if within else rho), 1)}%",
                "icc": rho,
                "icc_text": f"ICC = {fmt(rho, 3)}{at}",
            }
        )
    return pd.DataFrame(rows)


def _level2_groups(
    data: pd.DataFrame, fit: Fit, model: TwoLevelModel, coefficient: str, two_valued: dict[str, tuple]
) -> tuple[list, str]:
    """Curves of a coefficient: one per group of its two-valued or categorical level-2 predictors, others at their mean."""
    levels = fit.design.levels
    names = levels.level2_of(coefficient)
    predictors = (
        model.intercept_level2
        if coefficient == INTERCEPT
        else next(p for p in model.predictors if p.column == coefficient).level2
    )
    factors, fixed, notes = [], {}, []
    for w in predictors:
        label = model.labels.get(w, w)
        if w in two_valued:  # numeric with two values (0/1): a group per value
            factors.append([(f"{label} = {value:g}", {w: float(value)}) for value in two_valued[w]])
        elif w in names:  # numeric: at the mean over groups
            mean = float(levels.W[:, levels.column_of(coefficient, w)].mean())
            fixed[w] = mean
            notes.append(f"at mean {label} ({fmt(mean, 2)})")
        else:
            factors.append(
                [(lev, {f"{w}{lev}": 1.0} if f"{w}{lev}" in names else {}) for lev in factor_levels(data[w].dropna())[1]]
            )
    groups = []
    for combo in itertools.product(*factors):
        level2 = dict(fixed)
        for _, dummies in combo:
            level2.update(dummies)
        groups.append((", ".join(lev for lev, _ in combo) or ALL, level2))
    return groups, ", ".join(notes)


def _plausible_label(prefix: str, groups: str, random: bool, lo: float, hi: float, mean: float) -> str:
    """E.g. "95% of schools between 6.86 and 18.41", "Catholic: 95% between ...", "all schools share 2.19 ..."."""
    if not random:
        return f"{prefix}all {groups} share {fmt(mean, 2)} (no random effect)"
    return f"{prefix}95% {'between' if prefix else f'of {groups} between'} {fmt(lo, 2)} and {fmt(hi, 2)}"


def _plausible(
    model: TwoLevelModel, fit: Fit, data: pd.DataFrame, variables: Variables, two_valued: dict[str, tuple]
) -> pd.DataFrame:
    """R&B's 95% plausible-value range of each level-1 coefficient, per group of a two-valued level-2 predictor."""
    rows = []
    coefficients = [(0, INTERCEPT, "Intercept β0j")]
    coefficients += [(q, p.column, f"{model.labels.get(p.name, p.name)} slope β{q}j") for q, p in enumerate(model.predictors, 1)]
    for q, coefficient, title in coefficients:
        groups, note = _level2_groups(data, fit, model, coefficient, two_valued)
        random = coefficient in fit.design.znames
        tau = float(fit.tau.loc[coefficient, coefficient]) if random else 0.0
        for g, (group, level2) in enumerate(groups):
            mean = expected_coefficient(fit, coefficient, level2)
            lo, hi = plausible_value_range(mean, tau)
            prefix = "" if group == ALL else f"{group}: "
            rows.append(
                {
                    "panel": q,
                    "coefficient": coefficient,
                    "title": title + (f", {note}" if note else ""),
                    "group": group,
                    "order": g,
                    "colour": PALETTE["ink"] if group == ALL else GROUP_COLOURS[g % len(GROUP_COLOURS)],
                    "mean": mean,
                    "sd": float(np.sqrt(tau)),
                    "lo": lo,
                    "hi": hi,
                    "random": random,
                    "label": _plausible_label(prefix, variables.groups, random, lo, hi, mean),
                }
            )
    return pd.DataFrame(rows)
