"""One chapter's explorer on one data set: the data it fits, and its fits, cached by model.

Both explorers go through :class:`Session`: the static one asks for every
setting at build time, the live one for one setting per click.  A setting is
fitted once (fits are cached by lme4 formula, so settings that mean the same
model share a fit, and so do the baselines R&B compare variances with), and
every model is fitted to the same rows: those complete in all the explorer's
variables, so that variances can be compared across settings and with the
baselines.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..data.datasets import center, load_hsb
from ..engine.coding import factor_levels
from ..engine.convergence import ConvergenceWarning
from ..hlm.fit import Fit, lmer
from ..hlm.spec import Level1Predictor, TwoLevelModel
from .controls import OUT, Chapter, Setting, Variables, chapter
from .results import Baselines, Result, summarize
from .schools import evenly_spread

__all__ = ["Session", "open_session"]

LINES_SAMPLE = 12  # groups in the OLS-versus-EB panels
CENTRING_SAMPLE = 16  # groups in the centring figure


class Session:
    """A chapter's explorer fitted to ``data`` (see the module docstring)."""

    def __init__(self, chapter: Chapter, data: pd.DataFrame) -> None:
        v = chapter.variables
        columns = v.columns
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise KeyError(f"the data have no column {missing[0]!r}; its columns are {list(data.columns)}")
        complete = data[columns].notna().all(axis=1)
        if not complete.all():
            warnings.warn(
                f"the explorer leaves out {int((~complete).sum())} rows with missing values in {columns}, "
                "so that every model is fitted to the same rows",
                UserWarning,
                stacklevel=3,
            )
        self.chapter = chapter
        self.data = data.loc[complete].reset_index(drop=True)
        # Checked and centred once here, not per fit: TwoLevelModel.prepare does both on every call.
        TwoLevelModel(v.outcome, v.group, intercept_level2=v.level2).prepare(self.data)
        centred = {Level1Predictor(v.predictor, c).column: center(self.data, v.predictor, c, v.group) for c in ("group", "grand")}
        self._frame = self.data.assign(**centred)
        self._fits: dict[str, Fit] = {}
        self._results: dict[str, Result] = {}
        self.unconditional = self.fit_model(chapter.unconditional())
        self.two_valued = self._two_valued()
        self.colour_by = v.colour_by or next((w for w in v.level2 if self._is_two_valued(w)), None)
        if self.colour_by is not None and not self._is_two_valued(self.colour_by):
            raise ValueError(f"colour_by={self.colour_by!r} must be a level-2 variable with two values")
        self.colour_levels: list[str] = []
        self.groups = self._groups()

    # --- the data's groups ------------------------------------------------------
    def _level2_values(self, w: str) -> pd.Series:
        """One value of ``w`` per group; raises if ``w`` varies within a group."""
        g = self.data.groupby(self.chapter.variables.group, observed=True, sort=False)[w]
        if (g.nunique(dropna=False) > 1).any():
            raise ValueError(f"{w!r} varies within {self.chapter.variables.groups}: it is not a level-2 variable")
        return g.first()

    def _is_two_valued(self, w: str) -> bool:
        return self._level2_values(w).nunique() == 2

    def _two_valued(self) -> dict[str, tuple]:
        """Numeric level-2 predictors with exactly two values (0/1 dummies), each with its values in order."""
        out = {}
        for w in self.chapter.variables.level2:
            if pd.api.types.is_numeric_dtype(self.data[w]) and not pd.api.types.is_bool_dtype(self.data[w]):
                values = np.unique(self._level2_values(w).to_numpy(dtype=float))
                if len(values) == 2:
                    out[w] = tuple(float(x) for x in values)
        return out

    def _groups(self) -> pd.DataFrame:
        """One row per group, in the order the fits number them: size, mean outcome and predictor, colour group."""
        v = self.chapter.variables
        g = self.data.groupby(v.group, observed=True, sort=False)
        table = pd.DataFrame({"n": g.size(), "mean_y": g[v.outcome].mean(), "mean_x": g[v.predictor].mean()})
        table.index = table.index.astype(str)
        table = table.loc[np.asarray(self.unconditional.design.group_levels).astype(str)]
        table.index.name = "group"
        table["by"] = ""
        if self.colour_by is not None:
            values = self._level2_values(self.colour_by)
            values.index = values.index.astype(str)
            values = values.loc[table.index]
            if pd.api.types.is_numeric_dtype(values):
                label = v.label(self.colour_by)
                levels = sorted(values.unique())
                self.colour_levels = [f"{label} = {x:g}" for x in levels]
                table["by"] = [self.colour_levels[levels.index(x)] for x in values]
            else:
                self.colour_levels = list(factor_levels(self.data[self.colour_by])[1])
                table["by"] = values.astype(str).to_numpy()
        return table

    def lines_sample(self) -> list[str]:
        """The groups of the OLS-versus-EB panels: spread from the lowest to the highest mean outcome."""
        return [str(g) for g in evenly_spread(self.groups["mean_y"], LINES_SAMPLE)]

    def centring_sample(self) -> list[str]:
        """The groups of the centring figure: spread from the lowest to the highest mean of the predictor."""
        return [str(g) for g in evenly_spread(self.groups["mean_x"], CENTRING_SAMPLE)]

    # --- fits -----------------------------------------------------------------
    def fit_model(self, model: TwoLevelModel) -> Fit:
        """``model.fit(data)`` (REML), once per model; later calls return the cached fit."""
        key = model.formula
        if key not in self._fits:
            with warnings.catch_warnings():
                # the explorer reports singular and unconverged fits in its header instead
                warnings.filterwarnings("ignore", message="boundary \\(singular\\) fit")
                warnings.simplefilter("ignore", ConvergenceWarning)
                self._fits[key] = lmer(model.formula, self._frame, hlm_names=model.hlm_names())
        return self._fits[key]

    def clear(self) -> None:
        """Forget every fit but the unconditional model's, and every summary (benchmarks time uncached refits)."""
        self._fits = {self.chapter.unconditional().formula: self.unconditional}
        self._results = {}

    def baselines(self, setting: Setting) -> Baselines:
        """R&B's baselines for the variances of ``setting``'s model (see :class:`~.results.Baselines`)."""
        return Baselines(tau=self.fit_model(self.chapter.baseline(setting)), sigma2=self.unconditional)

    def result(self, setting: Setting) -> Result:
        """Fit the model a setting means and summarise it (both once per model)."""
        model = self.chapter.model(setting)
        key = model.formula
        if key not in self._results:
            self._results[key] = summarize(
                model, self.fit_model(model), self.baselines(setting), self.data, self.chapter.variables, self.two_valued
            )
        return self._results[key]

    def plausible_titles(self) -> list[str]:
        """x-axis titles of the plausible-value panels: the intercept, then the predictor's slope."""
        v = self.chapter.variables
        y, x = v.label(v.outcome), v.label(v.predictor)
        return [f"Intercept β0j ({y})", f"{x} slope β1j ({y} per unit of {x})"]

    # --- what the explorer says about centring ----------------------------------
    def grand_mean(self) -> float:
        """The level-1 predictor's mean over the explorer's rows (its zero under grand-mean centring)."""
        return float(self.data[self.chapter.variables.predictor].mean())

    def centring_note(self, setting: Setting) -> str:
        """For uncentred or grand-mean-centred settings: whether the other of the two would look the same, and why."""
        level1 = setting.get("level1", OUT)
        if level1 not in ("none", "grand"):
            return ""
        v = self.chapter.variables
        x = v.label(v.predictor)
        results = {c: self.result({**setting, "level1": c}) for c in ("none", "grand")}
        mean = f"{self.grand_mean():.2g}"
        here, there = (_printed(results[c]) for c in ("none", "grand"))
        changed = [f"{what} {here[what]} or {there[what]}" for what in here if here[what] != there.get(what)]
        if not changed:
            return (
                f"Uncentred and grand-mean-centred {x} give the same numbers here: the grand mean of {x} is {mean}, "
                f"so moving {x}'s zero to it changes nothing the tables print."
            )
        return (
            f"Uncentred and grand-mean-centred {x} differ here only in what depends on where the intercept is read, "
            f"at {x} = 0 or at its grand mean {x} = {mean}: "
            + "; ".join(changed[:4])
            + (f"; and {len(changed) - 4} more" if len(changed) > 4 else "")
            + "."
        )


_PRINTED = {
    "hlm_fixed": {"estimate_text": "coefficient", "se_text": "standard error", "t_text": "t-ratio"},
    "hlm_random": {"variance_text": "variance", "chi2_text": "χ²", "reliability_text": "reliability"},
}


def _printed(result: Result) -> dict[str, str]:
    """The numbers of HLM 7's tables a centring can change, by what they are (e.g. "INTRCPT2, γ00 t-ratio")."""
    out = {}
    for name, columns in _PRINTED.items():
        for row in getattr(result, name).to_dict("records"):
            for column, what in columns.items():
                if row.get(column):
                    out[f"{row['label']} {what}"] = row[column]
    return out


def open_session(name: str, data: pd.DataFrame | None = None, **variables: object) -> Session:
    """A session of chapter ``name``: the HSB data, or ``data`` with ``variables`` naming its roles.

    ``variables`` are :class:`~hlmteach.explore.controls.Variables` fields (``outcome``,
    ``group``, ``predictor``, ``level2``, ``labels``, ``groups``, ``colour_by``); they are
    needed with ``data`` and not allowed without it.
    """
    if data is None:
        if variables:
            raise TypeError("variables (outcome=, group=, ...) describe your own data: pass data= too")
        return Session(chapter(name), load_hsb())
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame (e.g. from hlmteach.merge_levels), got {type(data).__name__}")
    try:
        if "level2" in variables:
            variables["level2"] = tuple(variables["level2"])  # type: ignore[arg-type]
        roles = Variables(**variables)  # type: ignore[arg-type]
    except TypeError as err:
        raise TypeError(f"with your own data, name its variables: outcome=, group=, predictor= and level2=(...); {err}") from None
    return Session(chapter(name, roles), data)
