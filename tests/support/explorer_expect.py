"""What the explorers must show for a setting, worked out here independently of the explorer code.

The explorers map a setting to a model through ``hlmteach.explore.controls`` and
format it through ``hlmteach.results``; these helpers write each mapping out
by hand (an lme4 formula on columns built here, the ICC, variance explained
and plausible-value ranges from the fitted γ, T and σ²), fit it with
``hlmteach.lmer``, and compare what an explorer shows, parsed back into
numbers, with those values.  So a wrong mapping or a wrong number cannot pass
by agreeing with itself.

``shown`` (what an explorer drew) is a dict of lists of rows:
``hlm_fixed``/``hlm_random``/``lme4_fixed``/``lme4_random``: the table rows,
field → text (``label``, ``estimate_text``, ...); ``variance``: rows with
``component`` and the texts ``icc_text``, ``explained_text``; ``plausible``:
rows with ``panel``, ``group`` and ``label``; ``header``: rows with ``formula``
and ``deviance_text``.
"""

from __future__ import annotations

import re
import warnings
from functools import cache

import numpy as np
import pandas as pd

import hlmteach

Z = 1.959963984540054
COLUMN = {"none": "ses", "group": "ses_cwc", "grand": "ses_cgm"}
#: The seed's model of each chapter, as a setting of the explorer's controls.
DEFAULTS = {
    "unconditional": {"level1": "out", "random_slope": False},
    "means_as_outcomes": {"level1": "out", "random_slope": False, "intercept_by": True},
    "random_coefficient": {"level1": "group", "random_slope": True},
    "intercepts_slopes": {"level1": "group", "random_slope": True, "intercept_by": "sector", "slope_by": "sector"},
}
#: Every option of every control, per chapter.
OPTIONS = {
    "level1": ["out", "none", "group", "grand"],
    "random_slope": [False, True],
    "intercept_by": ["none", "sector", "MEANSES", "sector+MEANSES"],
    "slope_by": ["none", "sector", "MEANSES", "sector+MEANSES"],
}


def options(chapter: str, control: str) -> list:
    if control == "level1" and chapter in ("random_coefficient", "intercepts_slopes"):
        return ["none", "group", "grand"]
    if control == "intercept_by" and chapter == "means_as_outcomes":
        return [False, True]
    return OPTIONS[control]


def one_at_a_time(chapter: str) -> list[dict]:
    """The default, then every setting that changes one control from it."""
    default = DEFAULTS[chapter]
    out = [dict(default)]
    for control, value in default.items():
        out += [{**default, control: v} for v in options(chapter, control) if v != value]
    return out


@cache
def hsb() -> pd.DataFrame:
    data = hlmteach.load_hsb()
    school_mean = data.groupby("school", observed=True)["ses"].transform("mean")
    return data.assign(ses_cwc=data["ses"] - school_mean, ses_cgm=data["ses"] - data["ses"].mean())


def _predictors(value) -> list[str]:
    if isinstance(value, bool):
        return ["MEANSES"] if value else []
    return [] if value == "none" else value.split("+")


def formula(setting: dict) -> str:
    """The lme4 formula a setting means, written out by hand."""
    terms, random = ["1"], ["1"]
    x = COLUMN.get(setting["level1"])
    if x:
        terms.append(x)
        if setting["random_slope"]:
            random.append(x)
    terms += _predictors(setting.get("intercept_by", "none"))
    if x:
        terms += [f"{x}:{w}" for w in _predictors(setting.get("slope_by", "none"))]
    return f"mAch ~ {' + '.join(terms)} + ({' + '.join(random)} | school)"


@cache
def _fit(text: str) -> hlmteach.Fit:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hlmteach.lmer(text, hsb(), hlm_names={c: "SES" for c in COLUMN.values()})


def fit(setting: dict) -> hlmteach.Fit:
    return _fit(formula(setting))


def baseline() -> hlmteach.Fit:
    return _fit("mAch ~ 1 + (1 | school)")


# --------------------------------------------------------------------------- comparing


def close(text: str, value: float) -> bool:
    """Does ``text`` (as an explorer prints it) show ``value`` to its printed precision?"""
    text = text.strip().replace("−", "-")
    if text == "<0.001":
        return value < 0.001
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return False
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(float(text) - value) <= 0.5 * 10.0**-decimals + 1e-9


def _compare(where: str, row: dict, fields: dict[str, float], failures: list[str]) -> None:
    for field, value in fields.items():
        if value is None or (isinstance(value, float) and not np.isfinite(value)):
            continue
        if not close(str(row.get(field, "")), float(value)):
            failures.append(f"{where} {field}: shows {row.get(field)!r}, expected {value:.6g}")


def _by(rows: list[dict], key: str) -> dict[str, dict]:
    return {r[key]: r for r in rows if r.get(key)}


def plausible_ranges(setting: dict, f: hlmteach.Fit) -> dict[tuple[int, str], tuple[float, float]]:
    """(panel, group) → R&B's 95% range γ ± 1.96 √τ, per sector when sector predicts the coefficient."""
    schools = hlmteach.hsb_schools()
    mean_meanses = float(schools["meanses"].mean())
    gamma, tau = f.coef, f.tau
    x = COLUMN.get(setting["level1"])
    out = {}
    coefficients = [(0, "(Intercept)", _predictors(setting.get("intercept_by", "none")), "")]
    if x:
        coefficients.append((1, x, _predictors(setting.get("slope_by", "none")), f"{x}:"))
    for panel, name, ws, prefix in coefficients:
        base = gamma[name] + (gamma[f"{prefix}MEANSES"] * mean_meanses if "MEANSES" in ws else 0.0)
        sd = float(np.sqrt(tau.loc[name, name])) if name in tau.index else 0.0
        groups = {"Public": base, "Catholic": base + gamma[f"{prefix}sectorCatholic"]} if "sector" in ws else {"All": base}
        for group, mean in groups.items():
            out[(panel, group)] = (mean - Z * sd, mean + Z * sd)
    return out


def check(setting: dict, shown: dict[str, list[dict]]) -> list[str]:
    """Everything in ``shown`` that differs from the direct fit of ``setting`` (an empty list if nothing)."""
    f, base = fit(setting), baseline()
    failures: list[str] = []
    got = [" ".join(r["formula"].removeprefix("lme4: ").split()) for r in shown["header"]]
    if len(got) != 1 or _terms(got[0]) != _terms(formula(setting)):  # the same terms, in any order
        failures.append(f"formula: shows {got!r}, expected {formula(setting)!r}")
    for row in shown["header"]:
        m = re.search(r"log-likelihood\): (-?[\d.]+) with (\d+) parameters", row["deviance_text"])
        if not (m and close(m.group(1), f.reml_criterion) and int(m.group(2)) == len(f.coef) + len(f.theta) + 1):
            failures.append(f"deviance: shows {row['deviance_text']!r}, expected {f.reml_criterion:.2f}")

    hlm = _by(shown["hlm_fixed"], "label")
    for _, r in f.hlm_fixed().iterrows():
        if r["label"] not in hlm:
            failures.append(f"HLM fixed: no row {r['label']!r}")
            continue
        fields = {"estimate_text": r["estimate"], "se_text": r["se"], "t_text": r["t"], "df_text": r["df"], "p_text": r["p"]}
        _compare(f"HLM fixed {r['label']}", hlm[r["label"]], fields, failures)
    if len([r for r in shown["hlm_fixed"] if r.get("estimate_text")]) != len(f.coef):
        failures.append(f"HLM fixed: {len(shown['hlm_fixed'])} rows shown for {len(f.coef)} coefficients")

    lme4 = _by(shown["lme4_fixed"], "label")
    for term, r in f.fixed.iterrows():
        if term not in lme4:
            failures.append(f"lme4 fixed: no row {term!r}")
            continue
        fields = {"estimate_text": r["estimate"], "se_text": r["se"], "df_text": r["df"], "t_text": r["t"], "p_text": r["p"]}
        _compare(f"lme4 fixed {term}", lme4[term], fields, failures)

    components = _by(shown["hlm_random"], "label")
    for _, r in f.hlm_variance_components().iterrows():
        if r["label"] not in components:
            failures.append(f"HLM variance components: no row {r['label']!r}")
            continue
        fields = {k + "_text": r[k] for k in ("sd", "variance", "chi2", "p", "reliability")}
        fields["df_text"] = None if pd.isna(r["df"]) else float(r["df"])
        _compare(f"HLM variance {r['label']}", components[r["label"]], fields, failures)

    tau00, sigma2 = float(f.tau.iloc[0, 0]), f.sigma2
    icc = tau00 / (tau00 + sigma2)
    explained = {
        "between": (float(base.tau.iloc[0, 0]) - tau00) / float(base.tau.iloc[0, 0]),
        "within": (base.sigma2 - sigma2) / base.sigma2,
    }
    for row in shown["variance"]:
        m = re.search(r"ICC = (-?[\d.]+)", row["icc_text"])
        if not (m and close(m.group(1), icc)):
            failures.append(f"ICC: shows {row['icc_text']!r}, expected {icc:.4f}")
        m = re.fullmatch(r"(-?[\d.]+)% (explained|more)", row["explained_text"])
        value = 100 * explained[row["component"]]
        if not m or not close(m.group(1), value if m.group(2) == "explained" else -value):
            failures.append(f"variance explained ({row['component']}): shows {row['explained_text']!r}, expected {value:.2f}%")

    expected = plausible_ranges(setting, f)
    seen = set()
    for row in shown["plausible"]:
        key = (int(row["panel"]), row["group"])
        if key not in expected:
            if "is not in this model" not in row["label"]:
                failures.append(f"plausible values: unexpected curve {key}: {row['label']!r}")
            continue
        seen.add(key)
        lo, hi = expected[key]
        m = re.search(r"between (-?[\d.]+) and (-?[\d.]+)", row["label"]) or re.search(r"share (-?[\d.]+)", row["label"])
        numbers = m.groups() if m else ()
        wanted = (lo, hi) if hi > lo + 1e-12 else ((lo + hi) / 2,)
        if len(numbers) != len(wanted) or not all(close(t, v) for t, v in zip(numbers, wanted, strict=False)):
            failures.append(f"plausible values {key}: shows {row['label']!r}, expected {wanted}")
    if seen != set(expected):
        failures.append(f"plausible values: curves {sorted(seen)} shown, expected {sorted(expected)}")
    return failures


def _terms(text: str) -> tuple[set[str], str]:
    fixed, random = text.split("(", 1)
    return {t.strip() for t in fixed.split("~")[1].split("+") if t.strip()}, random.replace(" ", "")


def body_rows(records: list[dict]) -> list[dict]:
    """The rows of a data set of the explorer, without the tables' header rows (``row`` −1)."""
    return [r for r in records if r.get("row", 0) >= 0]
