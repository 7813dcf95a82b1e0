"""The kernel-free explorer's specs and HTML: parameters, every setting precomputed, fixed axes, and the right numbers.

The browser tests (tests/browser/test_explorers.py) click the controls; here
the panels and the per-model HTML are checked: one unbound parameter per
control in every panel, the rows of every setting, axis domains that hold
every setting's curves, the HTML tables and texts of each setting one control
away from the default against a direct hlmteach fit (``explorer_expect``), the
per-school figures' data against the direct fit, and specs that compile with
the Vega-Lite version the book bundles.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest
import vl_convert

import hlmteach
from hlmteach.explore.controls import CHAPTERS, chapter
from hlmteach.explore.render import GROUP_COLOURS, PALETTE, use_book_renderer
from hlmteach.explore.web import REST_PARAM, SETTING_PARAM, static_explorer
from tests.explore.test_palette import contrast
from tests.support import explorer_expect as expect

FIGURES = {
    "School lines: OLS vs empirical Bayes",
    "Shrinkage",
    "Caterpillar plot",
}


@pytest.fixture(scope="module")
def explorers():
    return {name: static_explorer(name) for name in CHAPTERS}


def panels(explorer) -> dict:
    return {p.name: p for f in explorer.figures for p in f.panels}


def unit_specs(spec: dict, transforms: tuple = ()):
    """Each mark of a (layered, concatenated) spec, with the transforms applied to its data on the way down."""
    transforms = (*transforms, *spec.get("transform", []))
    if "mark" in spec:
        yield transforms, spec
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for child in spec.get(key, []):
            yield from unit_specs(child, transforms)


def shown(explorer, setting: dict) -> dict:
    """What the explorer shows for ``setting``: its model's HTML tables and header, and its chart rows."""
    key = explorer.chapter.key(setting)
    slots, settings = explorer.models()
    html = slots[settings[key]["model"]]
    formula = re.search(r"<code>(.*?)</code>", html["header"]).group(1)
    deviance = re.search(r'class="hlmteach-deviance">(.*?)</p>', html["header"]).group(1)
    data = explorer.data
    icc = [r["icc_text"] for r in data["icc"] if r["setting"] == key]
    variance = [{**r, "icc_text": icc[0]} for r in data["variance"] if r["setting"] == key]
    plausible = [
        {"panel": int(name[-1]), **r} for name in ("plausible0", "plausible1") for r in data.get(name, []) if r["setting"] == key
    ]
    return expect.shown_from_html(html["tables"], {"formula": formula, "deviance_text": deviance}, variance, plausible)


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_panel_has_one_parameter_per_control_at_the_default(name, explorers):
    ch = chapter(name)
    for panel in panels(explorers[name]).values():
        params = {p["name"]: p for p in panel.spec["params"]}
        assert set(params) == {*ch.names, SETTING_PARAM, REST_PARAM}, panel.name
        for control in ch.controls:
            assert params[control.name]["value"] == expect.DEFAULTS[name][control.name]
            assert "bind" not in params[control.name]  # the explorer's own form drives them
        assert params[SETTING_PARAM]["expr"] == ch.key_expr()


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_setting_is_precomputed_and_each_mark_draws_only_its_rows(name, explorers):
    ex = explorers[name]
    keys = {chapter(name).key(s) for s in chapter(name).settings()}
    assert len(keys) == len(chapter(name).settings())
    _, settings = ex.models()
    needs = {"plausible1": "slope", "shrinkage1": "slope", "caterpillar1": "random_slope"}  # the others: every setting
    for dataset, rows in ex.data.items():
        if rows and "setting" in rows[0]:
            wanted = {k for k in keys if needs.get(dataset) not in settings[k]["lacks"]}
            assert {r["setting"] for r in rows} == wanted, dataset
    for panel in panels(ex).values():
        for transforms, unit in unit_specs(panel.spec):
            filters = " ".join(str(t["filter"]) for t in transforms if "filter" in t)
            if unit.get("data", {}).get("name") in (None, "empty", "schools"):  # constant rules, per-school facts
                continue
            assert any(f"== {p}" in filters for p in (SETTING_PARAM, REST_PARAM, "level1")), (panel.name, unit["mark"])


@pytest.mark.parametrize("name", CHAPTERS)
def test_each_setting_shows_the_direct_fit(name, explorers):
    for setting in expect.one_at_a_time(name):
        failures = expect.check(setting, shown(explorers[name], setting))
        assert not failures, f"{name} {setting}:\n  " + "\n  ".join(failures)


@pytest.mark.parametrize("name", CHAPTERS)
def test_density_axes_hold_every_setting_and_are_fixed(name, explorers):
    ex = explorers[name]
    for q in (0, 1):
        panel = panels(ex).get(f"plausible{q}")
        if panel is None:
            continue
        text = str(panel.spec)
        x = re.search(r"'field': 'value', 'scale': \{'domain': \[([-\d.e]+), ([-\d.e]+)\]", text)
        y = re.search(r"'field': 'density', 'scale': \{'domain': \[0, ([-\d.e]+)\]", text)
        assert x and y, f"plausible{q}: no fixed domains"
        low, high, top = float(x.group(1)), float(x.group(2)), float(y.group(1))
        for r in ex.data[f"plausible{q}"]:
            spread = 3.5 * r["sd"] if r["random"] else 0.0
            assert low <= r["mean"] - spread and r["mean"] + spread <= high, r
            if r["random"] and r["sd"] > 0:
                assert 1 / (r["sd"] * np.sqrt(2 * np.pi)) <= top
    for name_, panel in panels(ex).items():
        if name_.startswith(("shrinkage", "caterpillar", "lines", "centring")):
            assert "'domain': [" in str(panel.spec), f"{name_}: an axis without a fixed domain"


def test_the_variance_panel_shows_rb_shares_of_the_chapters_model(explorers):
    """Against the random-coefficient model, SECTOR explains 61.7% of τ11 and 22.4% of τ00 (computed here)."""
    ex = explorers["intercepts_slopes"]
    key = chapter("intercepts_slopes").key(chapter("intercepts_slopes").default)
    rows = {r["component"]: r for r in ex.data["variance"] if r["setting"] == key}
    rc = expect._fit("mAch ~ 1 + ses_cwc + (1 + ses_cwc | school)")
    model = expect.fit(expect.DEFAULTS["intercepts_slopes"])
    for component in ("(Intercept)", "ses_cwc"):
        share = hlmteach.variance_explained(rc, model, component)
        assert rows[component]["explained_text"] == f"{100 * share:.1f}% explained"
    assert rows["ses_cwc"]["explained_text"] == "61.7% explained"  # the chapter's research question 2


def test_controls_and_panels_that_do_not_apply_say_why(explorers):
    ex = explorers["unconditional"]
    _, settings = ex.models()
    for key, s in settings.items():
        if key.startswith("out|"):
            assert s["off"] == {"random_slope": "SES is not in the model"}
            assert set(s["lacks"]) == {"slope", "random_slope"}
        else:
            assert s["off"] == {}
            assert ("random_slope" in s["lacks"]) == key.endswith("false")
    needs = {p.name: p.needs for p in panels(ex).values()}
    assert needs["plausible1"] == needs["shrinkage1"] == "slope" and needs["caterpillar1"] == "random_slope"


def test_centring_notes_say_when_uncentred_and_grand_mean_centred_coincide(explorers):
    """The note says "the same numbers" exactly when HLM 7's tables print the same numbers, and otherwise which differ."""
    ex = explorers["random_coefficient"]
    slots, settings = ex.models()
    grand_mean = f"{expect.hsb()['ses'].mean():.2g}"

    def numbers(key: str) -> list[dict]:
        tables = expect.parse_tables(slots[settings[key]["model"]]["tables"])
        return [{k: v for k, v in r.items() if k != "label"} for t in ("hlm_fixed", "hlm_random") for r in tables[t]]

    for key, s in settings.items():
        note = slots[s["model"]]["note"]
        if not key.startswith(("none", "grand")):
            assert note == ""
            continue
        rest = key.split("|", 1)[1]
        same = numbers(f"none|{rest}") == numbers(f"grand|{rest}")
        assert ("give the same numbers" in note) == same and grand_mean in note, note
        if not same:
            none = expect.fit({"level1": "none", "random_slope": rest == "true"})
            assert "where the intercept is read" in note and ("γ00" not in note or f"{none.coef.iloc[0]:.3f}" in note)


def test_per_school_figures_show_the_direct_fit(explorers):
    ex = explorers["random_coefficient"]
    key = chapter("random_coefficient").key(chapter("random_coefficient").default)
    direct = expect.fit(expect.DEFAULTS["random_coefficient"])
    data = expect.hsb()
    u, condvar = direct.ranef(condvar=True)
    tau, sigma2 = direct.tau_matrix, direct.sigma2
    order = [r["group"] for r in ex.data["schools"]]
    assert order == list(u.index.astype(str))
    for q, column in enumerate(("(Intercept)", "ses_cwc")):
        (shrink,) = [r for r in ex.data[f"shrinkage{q}"] if r["setting"] == key]
        (cater,) = [r for r in ex.data[f"caterpillar{q}"] if r["setting"] == key]
        assert np.allclose(shrink["u"], u[column], atol=0.006) and np.allclose(cater["u"], u[column], atol=0.006)
        assert np.allclose(cater["sd"], np.sqrt(condvar[:, q, q]), atol=0.006)
        for j, group in enumerate(order[:20]):
            rows = data[data["school"].astype(str) == group]
            ols = np.polynomial.polynomial.polyfit(rows["ses_cwc"], rows["mAch"], 1)
            X = np.column_stack([np.ones(len(rows)), rows["ses_cwc"]])
            v = np.linalg.inv(X.T @ X)[q, q]
            assert shrink["ols"][j] == pytest.approx(ols[q] - direct.coef.iloc[q], abs=0.006)
            assert shrink["reliability"][j] == pytest.approx(tau[q, q] / (tau[q, q] + sigma2 * v), abs=0.0006)
    sample = ex.session.lines_sample()
    for level1 in ("none", "group", "grand"):  # every student of the sample, once per centring
        (points,) = [r for r in ex.data["lines_points"] if r["level1"] == level1]
        assert len(points["y"]) == data["school"].astype(str).isin(sample).sum()
    centring = {r["centring"]: r for r in ex.data["centring"] if r["rest"] == "true"}
    for how, column in (("group", "ses_cwc"), ("none", "ses"), ("grand", "ses_cgm")):
        fit = expect._fit(f"mAch ~ 1 + {column} + (1 + {column} | school)")
        assert centring[how]["tau00"] == pytest.approx(fit.tau.iloc[0, 0], rel=1e-9)
    assert f"{centring['group']['tau00']:.2f}" == "8.68" and f"{centring['none']['tau00']:.2f}" == "4.83"


@pytest.mark.parametrize("name", CHAPTERS)
def test_figures_are_titled_and_specs_compile_with_the_bundled_vega_lite(name, explorers):
    ex = explorers[name]
    titles = [f.title for f in ex.figures]
    for wanted in FIGURES | ({"Centring"} if name == "random_coefficient" else set()):
        assert any(t.startswith(wanted) for t in titles), (wanted, titles)
    for panel in panels(ex).values():
        vl_convert.vegalite_to_vega(panel.spec, vl_version="6.4")
    vega = vl_convert.vegalite_to_vega(ex.spec, vl_version="6.4")  # everything in one chart, for notebooks
    assert {*chapter(name).names, SETTING_PARAM} <= {s.get("name") for s in vega["signals"]}
    use_book_renderer("book")
    html = ex._repr_mimebundle_()["text/html"]
    assert html.startswith('<div class="hlmteach-explorer"') and "cdn" not in html.lower()
    assert html.count("vegaEmbed(") == len(panels(ex))  # one call per chart: the explorer's script draws none


def test_own_data_two_valued_level2_predictors_are_groups():
    students, schools = hlmteach.hsb_students(), hlmteach.hsb_schools()
    data = hlmteach.merge_levels(students, schools, "school")
    data["catholic"] = (data["sector"] == "Catholic").astype(int)  # a 0/1 school variable, as PRIVATE in the own-data page
    ex = static_explorer(
        "intercepts_slopes",
        data,
        outcome="mathach",
        group="school",
        predictor="ses",
        level2=("catholic", "meanses"),
        labels={"mathach": "MATHACH", "ses": "SES", "catholic": "CATHOLIC"},
        groups="schools",
    )
    key = ex.chapter.key(ex.chapter.default)
    curves = [r for r in ex.data["plausible0"] if r["setting"] == key]
    assert [r["group"] for r in curves] == ["CATHOLIC = 0", "CATHOLIC = 1"]
    assert not any("mean CATHOLIC" in r["title"] for r in ex.data["plausible0"] + ex.data["plausible1"])
    centred = data.assign(ses_cwc=data["ses"] - data.groupby("school")["ses"].transform("mean"))
    direct = hlmteach.lmer("mathach ~ 1 + ses_cwc + catholic + ses_cwc:catholic + (1 + ses_cwc | school)", centred)
    public, catholic = (hlmteach.plausible_range(direct, "(Intercept)", {"catholic": w}) for w in (0.0, 1.0))
    assert curves[0]["lo"] == pytest.approx(public[0]) and curves[1]["hi"] == pytest.approx(catholic[1])
    assert set(ex.session.groups["by"]) == {"CATHOLIC = 0", "CATHOLIC = 1"}  # the figures colour by it too


def test_every_colour_of_an_explorer_is_the_palettes_and_its_text_reads_at_4_5_to_1(explorers):
    explorer = explorers["intercepts_slopes"]
    colours = set()
    for figure in explorer.figures:
        for panel in figure.panels:
            text = json.dumps(panel.spec)
            colours |= {c.lower() for c in re.findall(r'"(#[0-9a-fA-F]{6})"', text)}
    texts = {r["colour"].lower() for r in itertools.chain(explorer.data["plausible0"], explorer.data["plausible1"])}
    assert texts <= {c.lower() for c in (PALETTE["ink"], *GROUP_COLOURS)}
    for colour in texts:  # the plausible values' labels are written in their curve's colour
        assert contrast(colour) >= 4.5, colour
    assert colours <= {c.lower() for c in (*PALETTE.values(), "#444444", "#666666", "#e6e6e6", "#ffffff")}, colours
