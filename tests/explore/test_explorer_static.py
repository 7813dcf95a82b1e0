"""The kernel-free explorer's spec: bound controls, every setting precomputed, and the right numbers.

The browser tests (tests/browser/test_explorers.py) click the controls; here
the spec itself is checked: one bound parameter per control at the seed's
setting, a ``setting`` parameter whose expression names the rows to draw,
the rows of every setting, and for each setting one control away from the
default the numbers of a direct hlmteach fit.  The spec must also compile
with the Vega-Lite version the book bundles.
"""

from __future__ import annotations

import pytest
import vl_convert

from hlmteach.explore.charts import TABLE_LAYOUTS, data_names
from hlmteach.explore.controls import CHAPTERS, chapter
from hlmteach.explore.render import use_book_renderer
from hlmteach.explore.web import EXPLORER_CSS, SETTING_PARAM, static_explorer
from tests.support import explorer_expect as expect


@pytest.fixture(scope="module")
def explorers():
    return {name: static_explorer(name) for name in CHAPTERS}


@pytest.mark.parametrize("name", CHAPTERS)
def test_one_bound_parameter_per_control(name, explorers):
    spec = explorers[name].spec
    params = {p["name"]: p for p in spec["params"]}
    ch = chapter(name)
    assert set(params) == {*ch.names, SETTING_PARAM}
    for control in ch.controls:
        p = params[control.name]
        assert p["value"] == expect.DEFAULTS[name][control.name]
        assert p["bind"]["input"] == control.input
        assert p["bind"]["name"] == control.label
        if control.input != "checkbox":
            assert p["bind"]["options"] == expect.options(name, control.name)
            assert p["bind"]["labels"] == [o.label for o in control.options]
    assert params[SETTING_PARAM]["expr"] == ch.key_expr()


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_setting_is_precomputed_and_only_its_rows_are_drawn(name, explorers):
    spec = explorers[name].spec
    keys = {chapter(name).key(s) for s in chapter(name).settings()}
    assert data_names(spec) == {"header", "variance", "plausible", *TABLE_LAYOUTS}
    for table, rows in spec["datasets"].items():
        assert {r["setting"] for r in rows if r.get("row", 0) >= 0} == keys, table
    units = list(unit_specs(spec))
    assert len(units) > 20
    for transforms, unit in units:
        filters = [t["filter"] for t in transforms if "filter" in t]
        assert any("datum.setting == setting" in f for f in filters), f"a {unit['mark']} mark draws every setting"


def unit_specs(spec: dict, transforms: tuple = ()):
    """Each mark of a (layered, concatenated) spec, with the transforms applied to its data on the way down."""
    transforms = (*transforms, *spec.get("transform", []))
    if "mark" in spec:
        yield transforms, spec
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for child in spec.get(key, []):
            yield from unit_specs(child, transforms)


@pytest.mark.parametrize("name", CHAPTERS)
def test_each_setting_shows_the_direct_fit(name, explorers):
    ch = chapter(name)
    data = explorers[name].spec["datasets"]
    for setting in expect.one_at_a_time(name):
        key = ch.key(setting)
        shown = {table: [r for r in expect.body_rows(rows) if r["setting"] == key] for table, rows in data.items()}
        failures = expect.check(setting, shown)
        assert not failures, f"{name} {setting}:\n  " + "\n  ".join(failures)


@pytest.mark.parametrize("name", CHAPTERS)
def test_spec_compiles_with_the_bundled_vega_lite(name, explorers):
    use_book_renderer("book")
    vega = vl_convert.vegalite_to_vega(explorers[name].spec, vl_version="6.4")
    signals = {s["name"] for s in vega["signals"]}
    assert {*chapter(name).names, SETTING_PARAM} <= signals
    html = explorers[name]._repr_mimebundle_()["text/html"]
    assert html.startswith(f'<style>{EXPLORER_CSS}</style><div class="hlmteach-explorer">')
    assert "vegaEmbed(" in html and "cdn" not in html.lower()
