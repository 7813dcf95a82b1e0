"""The explorers' controls: one definition per chapter, shared by the website and live notebooks.

Each model chapter lets the reader flip a few of HLM 7's switches and watch the
estimates change.  :func:`chapter` returns a :class:`Chapter`: its controls
(what inputs to draw, with which options and labels), its default setting (the
chapter's model as the seed document fits it), every setting the controls
allow, and :meth:`Chapter.model`, the :class:`~hlmteach.TwoLevelModel` a
setting means.  The static explorer (``webexplorer``) turns the controls into
Vega-Lite parameters bound to inputs and precomputes every setting; the live one
(``widgets``) turns them into ipywidgets and refits on each change.  Because
both read this module, the two cannot offer different choices.

The variables are the High School and Beyond ones by default; pass
:class:`Variables` to explore other data with the same controls.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..hlm.spec import Level1Predictor, TwoLevelModel

__all__ = ["CHAPTERS", "Chapter", "Control", "Option", "Setting", "Variables", "chapter", "hsb_variables"]

CHAPTERS = ("unconditional", "means_as_outcomes", "random_coefficient", "intercepts_slopes")
TITLES = {
    "unconditional": "The unconditional model",
    "means_as_outcomes": "Regression with means-as-outcomes",
    "random_coefficient": "The random-coefficient model",
    "intercepts_slopes": "Intercepts and slopes as outcomes",
}
OUT = "out"  # value of the level-1 control when the predictor is left out of the model
NONE = "none"  # value of a level-2 selector when no predictor is chosen
CENTRING = (("none", "uncentred"), ("group", "group-mean centred"), ("grand", "grand-mean centred"))
LEVEL2_CONTROLS = ("intercept_by", "slope_by")  # the controls that choose level-2 predictors

Value = str | bool
Setting = Mapping[str, Value]


@dataclass(frozen=True)
class Variables:
    """The data's roles: outcome, grouping factor, the level-1 predictor and candidate level-2 predictors.

    ``labels`` gives HLM 7-style display names (e.g. ``{"mAch": "MATHACH"}``);
    a variable without one is shown under its own name.  ``groups`` is the
    plural noun for the level-2 units in texts ("schools").  ``colour_by`` is a
    two-valued level-2 variable whose groups the per-school figures colour
    (HSB: ``sector``); by default the first two-valued one of ``level2``.
    """

    outcome: str
    group: str
    predictor: str
    level2: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    groups: str = "groups"
    colour_by: str | None = None

    def __post_init__(self) -> None:
        for name in (self.predictor, *self.level2):
            if "|" in name or "+" in name:
                raise ValueError(f"variable names in the explorer cannot contain '|' or '+': {name!r}")

    @property
    def columns(self) -> list[str]:
        """Every column the explorer reads, each once."""
        return list(dict.fromkeys([self.outcome, self.group, self.predictor, *self.level2, *filter(None, [self.colour_by])]))

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


HSB_LABELS = {"mAch": "MATHACH", "ses": "SES", "sector": "SECTOR", "MEANSES": "MEANSES"}


def hsb_variables(name: str) -> Variables:
    """The High School and Beyond variables a chapter uses (``hlmteach.load_hsb()`` columns)."""
    level2 = {"means_as_outcomes": ("MEANSES",), "intercepts_slopes": ("sector", "MEANSES")}.get(name, ())
    return Variables("mAch", "school", "ses", level2, HSB_LABELS, "schools", colour_by="sector")


@dataclass(frozen=True)
class Option:
    """One choice of a radio or select control: the value a setting holds and the text shown."""

    value: Value
    label: str


@dataclass(frozen=True)
class Control:
    """One input: a radio group, a select list or a checkbox (whose options are False and True)."""

    name: str  # a JavaScript identifier: the Vega-Lite parameter's name
    label: str
    input: Literal["radio", "select", "checkbox"]
    options: tuple[Option, ...]
    default: Value


@dataclass(frozen=True)
class Chapter:
    """A chapter's explorer: its controls and the model each setting of them means."""

    name: str
    title: str
    variables: Variables
    controls: tuple[Control, ...]

    @property
    def default(self) -> dict[str, Value]:
        """The chapter's own model (as the seed fits it)."""
        return {c.name: c.default for c in self.controls}

    def settings(self) -> list[dict[str, Value]]:
        """Every combination of the controls' options, the default first."""
        combos = [dict(zip(self.names, values, strict=True)) for values in itertools.product(*self._values())]
        return sorted(combos, key=lambda s: s != self.default)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.controls)

    def _values(self) -> list[list[Value]]:
        return [[o.value for o in c.options] for c in self.controls]

    def key(self, setting: Setting, without: tuple[str, ...] = ()) -> str:
        """A setting as one string, e.g. ``"group|true"``; :meth:`key_expr` computes the same in Vega.

        ``without`` leaves controls out: ``key(s, ("level1",))`` is the same for
        settings that differ only in the centring.
        """
        self.check(setting)
        return "|".join(_text(setting[n]) for n in self.names if n not in without)

    def key_expr(self, without: tuple[str, ...] = ()) -> str:
        """Vega expression giving :meth:`key` of the setting held by the parameters named as the controls."""
        return "'' + " + " + '|' + ".join([n for n in self.names if n not in without] or ["''"])

    def check(self, setting: Setting) -> None:
        """Raise ``ValueError`` unless ``setting`` gives every control one of its options."""
        for control, values in zip(self.controls, self._values(), strict=True):
            if control.name not in setting:
                raise ValueError(f"the setting has no value for control {control.name!r}")
            if setting[control.name] not in values:
                raise ValueError(f"{setting[control.name]!r} is not an option of {control.name!r}; choose from {values}")

    def model(self, setting: Setting) -> TwoLevelModel:
        """The two-level model a setting means (the switches HLM 7 would be set to)."""
        self.check(setting)
        v = self.variables
        level1 = setting.get("level1", OUT)
        predictors = ()
        if level1 != OUT:
            slope_by = _subset(setting.get("slope_by", NONE), v.level2)
            predictors = (Level1Predictor(v.predictor, level1, bool(setting.get("random_slope", False)), slope_by),)
        intercept_by = _subset(setting.get("intercept_by", NONE), v.level2)
        return TwoLevelModel(v.outcome, v.group, predictors, intercept_by, labels=dict(v.labels))

    def baseline(self, setting: Setting) -> TwoLevelModel:
        """R&B's baseline for the variance a setting's level-2 predictors explain (R&B 2002, ch. 4).

        The model with the same level-1 part (predictor, centring, random
        slope) and no level-2 predictors: a τ_qq is compared only with the
        same coefficient's variance before any school variable explains it.
        """
        self.check(setting)
        cleared = {c.name: False if c.input == "checkbox" else NONE for c in self.controls if c.name in LEVEL2_CONTROLS}
        return self.model({**setting, **cleared})

    def unconditional(self) -> TwoLevelModel:
        """The one-way ANOVA: R&B's baseline for the level-1 variance σ² (R&B 2002, ch. 4)."""
        v = self.variables
        return TwoLevelModel(v.outcome, v.group, labels=dict(v.labels))

    def unavailable(self, setting: Setting) -> dict[str, str]:
        """Controls that change nothing in ``setting``, each with the reason shown next to it."""
        self.check(setting)
        if setting.get("level1", "") != OUT:
            return {}
        predictor = self.variables.label(self.variables.predictor)
        return {c.name: f"{predictor} is not in the model" for c in self.controls if c.name in ("random_slope", "slope_by")}


def _text(value: Value) -> str:
    """A value as JavaScript's ``'' + value`` writes it."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _subset(value: Value, level2: tuple[str, ...]) -> tuple[str, ...]:
    """Level-2 predictors named by a control's value: a checkbox (all or none) or a ``+``-joined list."""
    if isinstance(value, bool):
        return level2 if value else ()
    return () if value == NONE else tuple(value.split("+"))


def _subset_options(v: Variables) -> tuple[Option, ...]:
    subsets = [c for r in range(len(v.level2) + 1) for c in itertools.combinations(v.level2, r)]
    return tuple(Option("+".join(s) or NONE, " and ".join(map(v.label, s)) or "none") for s in subsets)


def _level1(v: Variables, optional: bool) -> Control:
    options = tuple(Option(value, label) for value, label in CENTRING)
    if optional:
        return Control(
            "level1", f"{v.label(v.predictor)} at level 1: ", "radio", (Option(OUT, "not in the model"), *options), OUT
        )
    return Control("level1", f"Centring of {v.label(v.predictor)}: ", "radio", options, "group")


def _random_slope(v: Variables, default: bool) -> Control:
    return Control("random_slope", f"Random slope u1j for {v.label(v.predictor)}", "checkbox", _BOOL, default)


def _level2_select(v: Variables, name: str, coefficient: str) -> Control:
    options = _subset_options(v)
    default = options[1].value if len(options) > 1 else NONE
    return Control(name, f"Level-2 predictors of {coefficient}: ", "select", options, default)


_BOOL = (Option(False, "off"), Option(True, "on"))


def chapter(name: str, variables: Variables | None = None) -> Chapter:
    """The explorer of chapter ``name`` (one of :data:`CHAPTERS`), for HSB or for ``variables``."""
    if name not in CHAPTERS:
        raise ValueError(f"unknown chapter {name!r}; choose from {list(CHAPTERS)}")
    v = variables or hsb_variables(name)
    predictor = v.label(v.predictor)
    if name in ("means_as_outcomes", "intercepts_slopes") and not v.level2:
        raise ValueError(f"chapter {name!r} needs at least one level-2 predictor (Variables.level2)")
    if name == "unconditional":
        controls = (_level1(v, True), _random_slope(v, False))
    elif name == "means_as_outcomes":
        if len(v.level2) == 1:
            w = v.label(v.level2[0])
            intercept = Control("intercept_by", f"{w} predicts the intercept β0j", "checkbox", _BOOL, True)
        else:
            intercept = _level2_select(v, "intercept_by", "the intercept β0j")
        controls = (_level1(v, True), _random_slope(v, False), intercept)
    elif name == "random_coefficient":
        controls = (_level1(v, False), _random_slope(v, True))
    else:
        controls = (
            _level1(v, False),
            _random_slope(v, True),
            _level2_select(v, "intercept_by", "the intercept β0j"),
            _level2_select(v, "slope_by", f"the {predictor} slope β1j"),
        )
    return Chapter(name, TITLES[name], v, controls)
