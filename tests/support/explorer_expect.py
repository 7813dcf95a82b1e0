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
field → text (``label``, ``estimate_text``, ...; :func:`read_tables` maps the
HTML tables' column headers to these by hand); ``variance``: rows with
``component`` (an lme4 random-effect name or ``"Residual"``) and the texts
``icc_text``, ``explained_text``; ``plausible``: rows with ``panel``, ``group``
and ``label``; ``header``: rows with ``formula`` and ``deviance_text``.

Variance explained is checked against R&B's baselines written out here: for
each τ_qq the model with the same level-1 part and no level-2 predictors, for
σ² the unconditional model.
"""

from __future__ import annotations

import re
import warnings
from functools import cache
from html.parser import HTMLParser

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


UNCONDITIONAL = "mAch ~ 1 + (1 | school)"


def baseline() -> hlmteach.Fit:
    """The unconditional model: R&B's baseline for σ²."""
    return _fit(UNCONDITIONAL)


def tau_baseline(setting: dict) -> str:
    """The formula of R&B's baseline for the τs of ``setting``: its level-1 part, no level-2 predictors."""
    cleared = {k: (False if isinstance(v, bool) else "none") for k, v in setting.items() if k in ("intercept_by", "slope_by")}
    return formula({**setting, **cleared})


def explained(setting: dict) -> dict[str, tuple[float, bool]]:
    """Per component (lme4 name, or "Residual"), the share R&B's baseline explains, and whether the baseline is the model."""
    f = fit(setting)
    tau_base, own = _fit(tau_baseline(setting)), tau_baseline(setting) == formula(setting)
    out = {"Residual": ((baseline().sigma2 - f.sigma2) / baseline().sigma2, formula(setting) == UNCONDITIONAL)}
    for name in f.tau.index:
        before = float(tau_base.tau.loc[name, name])
        out[name] = ((before - float(f.tau.loc[name, name])) / before, own)
    return out


#: The HTML tables, by caption, and what each column header holds (written out here, not read from the package).
TABLE_CAPTIONS = {
    "HLM 7: final estimation of fixed effects": "hlm_fixed",
    "HLM 7: final estimation of variance components": "hlm_random",
    "lme4/lmerTest: fixed effects": "lme4_fixed",
    "lme4: random effects": "lme4_random",
}
TABLE_HEADERS = {
    "hlm_fixed": {
        "Fixed effect": "label",
        "Coefficient": "estimate_text",
        "Standard error": "se_text",
        "t-ratio": "t_text",
        "Approx. df": "df_text",
        "p-value": "p_text",
    },
    "hlm_random": {
        "Random effect": "label",
        "Standard deviation": "sd_text",
        "Variance component": "variance_text",
        "df": "df_text",
        "χ²": "chi2_text",
        "p-value": "p_text",
        "Reliability": "reliability_text",
    },
    "lme4_fixed": {
        "Term": "label",
        "Estimate": "estimate_text",
        "Std. Error": "se_text",
        "df": "df_text",
        "t value": "t_text",
        "Pr(>|t|)": "p_text",
    },
    "lme4_random": {"Groups": "group", "Name": "label", "Variance": "variance_text", "Std.Dev.": "sd_text", "Corr": "corr_text"},
}


def read_tables(tables: list[dict]) -> dict[str, list[dict]]:
    """Rows of the four tables from ``[{"caption", "headers", "rows"}]`` (cell texts), keyed as :data:`TABLE_HEADERS`.

    A row of one cell spanning the table (HLM 7's "For INTRCPT1, β0") is kept
    as ``{"label": ..., "bold": True}``.
    """
    out: dict[str, list[dict]] = {}
    for table in tables:
        name = next((n for c, n in TABLE_CAPTIONS.items() if table["caption"].startswith(c)), None)
        if name is None:
            continue
        fields = [TABLE_HEADERS[name][h] for h in table["headers"]]
        out[name] = [
            {"label": cells[0], "bold": True} if len(cells) == 1 else dict(zip(fields, cells, strict=True))
            for cells in table["rows"]
        ]
    return out


class _Tables(HTMLParser):
    """Captions, column headers and cell texts of every <table> in a piece of HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._row: list[str] | None = None
        self._head = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "headers": [], "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "thead":
            self._head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self.tables[-1]["caption"] = "".join(self._caption or [])
            self._caption = None
        elif tag == "thead":
            self._head = False
        elif tag in ("td", "th") and self._row is not None:
            self._row.append("".join(self._cell or []).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.tables[-1]
            if self._head:
                table["headers"] = self._row
            else:
                table["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def parse_tables(html: str) -> dict[str, list[dict]]:
    """:func:`read_tables` of every table in ``html``."""
    parser = _Tables()
    parser.feed(html)
    return read_tables(parser.tables)


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
    f = fit(setting)
    failures: list[str] = []
    got = [" ".join(re.sub(r"^lme4( formula)?:", "", r["formula"]).split()) for r in shown["header"]]
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
    shares = explained(setting)
    seen_components = set()
    for row in shown["variance"]:
        m = re.search(r"ICC = (-?[\d.]+)", row["icc_text"])
        if not (m and close(m.group(1), icc)):
            failures.append(f"ICC: shows {row['icc_text']!r}, expected {icc:.4f}")
        component = row["component"]
        seen_components.add(component)
        if component not in shares:
            failures.append(f"variance: a row for {component!r}, which the model does not have")
            continue
        share, own = shares[component]
        if own:
            wanted = "its own baseline" if component == "Residual" else "no level-2 predictors"
            if row["explained_text"] != wanted:
                failures.append(f"variance ({component}): shows {row['explained_text']!r}, expected {wanted!r}")
            continue
        m = re.fullmatch(r"(-?[\d.]+)% (explained|more)", row["explained_text"])
        value = 100 * share
        if not m or not close(m.group(1), value if m.group(2) == "explained" else -value):
            failures.append(f"variance explained ({component}): shows {row['explained_text']!r}, expected {value:.2f}%")
    if seen_components != set(shares):
        failures.append(f"variance: rows for {sorted(seen_components)}, expected {sorted(shares)}")

    expected = plausible_ranges(setting, f)
    seen = set()
    for row in shown["plausible"]:
        key = (int(row["panel"]), row["group"])
        if key not in expected:
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


def shown_from_html(tables_html: str, header: dict, variance: list[dict], plausible: list[dict]) -> dict[str, list[dict]]:
    """``shown`` from an explorer's HTML tables, its header texts, and its variance and plausible-value rows."""
    return {**parse_tables(tables_html), "header": [header], "variance": variance, "plausible": plausible}
