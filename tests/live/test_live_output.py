"""What a live notebook's outputs are made of, without a browser: the live renderer, the offline bundle, the tables.

The browser side of the same outputs is tested in a real JupyterLab
(``test_jupyterlab.py``); these tests pin what the kernel sends.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from hlmteach.explore import live, use_book_renderer
from hlmteach.explore import render as rendering
from hlmteach.explore.tables import TABLE_LAYOUTS, tables_html
from tests.support import explorer_expect as expect

WIDGET = "application/vnd.jupyter.widget-view+json"
CHART = alt.Chart(pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})).mark_point().encode(x="x:Q", y="y:Q")


@pytest.fixture
def renderer():
    before = alt.renderers.active
    yield
    alt.renderers.enable(before)


def test_outside_the_book_build_charts_are_offline_widgets_with_an_svg(renderer, monkeypatch):
    monkeypatch.delenv(rendering.BOOK_ENV_VAR, raising=False)
    assert use_book_renderer() == rendering.LIVE_RENDERER_NAME
    data, _ = CHART._repr_mimebundle_()
    assert set(data) == {"text/plain", WIDGET, "image/svg+xml"}
    assert data["image/svg+xml"].lstrip().startswith("<svg") and "mark-symbol" in data["image/svg+xml"]
    assert alt.JupyterChart._is_offline  # the Vega bundle is the widget's own code: no CDN
    assert "cdn.jsdelivr" not in alt.JupyterChart._esm and "esm.sh" not in alt.JupyterChart._esm
    monkeypatch.setenv(rendering.BOOK_ENV_VAR, "1")
    assert use_book_renderer() == rendering.RENDERER_NAME
    assert "vegaEmbed" in CHART._repr_mimebundle_()["text/html"]
    assert use_book_renderer("notebook") == rendering.LIVE_RENDERER_NAME
    with pytest.raises(ValueError, match="mode must be"):
        use_book_renderer("svg")


def test_the_offline_bundle_is_made_once_and_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("HLMTEACH_CACHE", str(tmp_path))
    alt.JupyterChart.enable_offline(False)
    try:
        rendering.live_chart({"mark": "point"})
        made = alt.JupyterChart._esm
        (cached,) = tmp_path.glob("jupyterchart-offline-*.js")
        assert cached.read_text(encoding="utf-8") == made and len(made) > 500_000  # Vega, Vega-Lite, vega-embed
        alt.JupyterChart.enable_offline(False)
        assert alt.JupyterChart._esm != made
        widget = rendering.live_chart({"mark": "point"})
        assert alt.JupyterChart._is_offline and widget._esm == made
    finally:
        alt.JupyterChart.enable_offline(True)


def test_set_chart_data_sends_rows_without_a_new_spec():
    widget = rendering.live_chart({"data": {"name": "points"}, "mark": "point", "datasets": {"points": [{"x": 1}]}})
    spec = widget.spec
    rendering.set_chart_data(widget, {"points": [{"x": 2}, {"x": 3}]})
    assert widget.spec is spec  # no re-embedding
    assert rendering.chart_data(widget) == {"points": [{"x": 2}, {"x": 3}]}


def test_the_tables_are_html_tables_with_the_direct_fit():
    ex = live("intercepts_slopes")
    html = ex.panels["tables"].value
    assert html == tables_html(ex.result)
    rows = expect.parse_tables(html)
    assert list(rows) == list(TABLE_LAYOUTS)
    for title, _ in TABLE_LAYOUTS.values():
        assert title in html
    shown = {**rows, "header": [], "variance": [], "plausible": []}
    not_tables = ("formula:", "plausible", "variance", "ICC", "deviance")  # panels other than the tables
    failures = [f for f in expect.check(expect.DEFAULTS["intercepts_slopes"], shown) if not f.startswith(not_tables)]
    assert failures == []


def test_hidden_tabs_are_redrawn_when_selected():
    ex = live("random_coefficient")
    assert ex.visible == ["overview", "tables"]
    before = rendering.chart_data(ex.panels["schools"])
    ex.set(level1="grand")
    assert rendering.chart_data(ex.panels["schools"]) == before  # behind, not sent
    ex.tabs.selected_index = ex.tabbed.index("schools")
    assert ex.visible == ["overview", "schools"]
    assert rendering.chart_data(ex.panels["schools"])["lines"] == ex.chart("schools")["datasets"]["lines"] != before["lines"]


def test_without_widgets_the_explorer_shows_its_tables():
    ex = live("unconditional")
    bundle = ex._repr_mimebundle_()
    assert WIDGET in bundle and "<table" in bundle["text/html"] and ex.result.model.formula in bundle["text/html"]
