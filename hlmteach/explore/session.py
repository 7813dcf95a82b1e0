"""One chapter's explorer on one data set: the data it fits, and its fits, cached by model.

Both explorers go through :class:`Session`: the static one asks for every
setting at build time, the live one for one setting per click.  A setting is
fitted once (fits are cached by lme4 formula, so settings that mean the same
model share a fit), and every model is fitted to the same rows: those complete
in all the explorer's variables, so that variances can be compared across
settings and with the unconditional baseline.
"""

from __future__ import annotations

import warnings

import pandas as pd

from ..data.datasets import center, load_hsb
from ..engine.convergence import ConvergenceWarning
from ..hlm.fit import Fit, lmer
from ..hlm.spec import Level1Predictor, TwoLevelModel
from .controls import Chapter, Setting, Variables, chapter
from .results import Result, summarize

__all__ = ["Session", "open_session"]


class Session:
    """A chapter's explorer fitted to ``data`` (see the module docstring)."""

    def __init__(self, chapter: Chapter, data: pd.DataFrame) -> None:
        v = chapter.variables
        columns = list(dict.fromkeys([v.outcome, v.group, v.predictor, *v.level2]))
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
        self.baseline = self.fit_model(chapter.baseline())

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
        """Forget every fit but the baseline, and every summary (benchmarks time uncached refits)."""
        self._fits = {self.chapter.baseline().formula: self.baseline}
        self._results = {}

    def result(self, setting: Setting) -> Result:
        """Fit the model a setting means and summarise it (both once per model)."""
        model = self.chapter.model(setting)
        key = model.formula
        if key not in self._results:
            self._results[key] = summarize(model, self.fit_model(model), self.baseline, self.data, self.chapter.variables)
        return self._results[key]

    def plausible_titles(self) -> list[str]:
        """x-axis titles of the plausible-value panels: the intercept, then the predictor's slope."""
        v = self.chapter.variables
        y, x = v.label(v.outcome), v.label(v.predictor)
        return [f"Intercept β0j ({y})", f"{x} slope β1j ({y} per unit of {x})"]


def open_session(name: str, data: pd.DataFrame | None = None, **variables: object) -> Session:
    """A session of chapter ``name``: the HSB data, or ``data`` with ``variables`` naming its roles.

    ``variables`` are :class:`~hlmteach.explore.controls.Variables` fields (``outcome``,
    ``group``, ``predictor``, ``level2``, ``labels``, ``groups``); they are
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
