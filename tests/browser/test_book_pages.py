"""Every page of the built book, in headless Chromium, with no network but 127.0.0.1.

For each page: nothing is requested from another host, nothing fails to load,
the console shows no error, every math element was typeset by MathJax, every
chart drew an SVG with marks, and embedded widgets were rendered.  Then every
radio control bound to a chart is clicked, and the chart's parameter and data
must change.  Screenshots go to tests/artifacts/.

Run (after building the book):  pytest -m browser tests/browser
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_page_is_self_contained_and_renders(book_page, page_path, chart_views, math_status, widget_status):
    page = book_page.open(page_path)
    book_page.screenshot(page_path)
    failures = list(book_page.log.problems())

    math = math_status(page)
    if math["math"]:
        if not math["mathjax_loaded"]:
            failures.append("the page has math but MathJax did not load")
        if math["rendered"] != math["math"]:
            failures.append(f"MathJax rendered {math['rendered']} of {math['math']} math elements; e.g. {math['unrendered']}")
        if math["errors"]:
            failures.append(f"MathJax errors: {math['errors']}")

    charts = chart_views(page, values=False)
    calls = page.evaluate(
        "() => Array.from(document.querySelectorAll('script:not([src])'))"
        ".filter(s => s.textContent.includes('vegaEmbed(')).length"
    )
    if calls != len(charts):
        failures.append(f"{calls} inline scripts call vegaEmbed but {len(charts)} chart elements were found")
    for chart in charts:
        name = chart["id"] or f"chart #{chart['index']}"
        if chart["error"]:
            failures.append(f"{name}: {chart['error']}")
        elif not (chart["ready"] and chart["has_view"]):
            failures.append(f"{name}: no Vega view on the element (was it drawn by hlmteach.explore.render?)")
        if not chart["svg"]:
            failures.append(f"{name}: no SVG was drawn")
        elif chart["marks"] == 0 and chart["shown"]:  # a hidden chart (a panel that does not apply) may be empty
            failures.append(f"{name}: the SVG has no marks")

    widgets = widget_status(page)
    if widgets["views"] and widgets["rendered"] != widgets["views"]:
        failures.append(f"{widgets['rendered']} of {widgets['views']} embedded widgets rendered")

    assert not failures, f"{page_path}:\n  " + "\n  ".join(failures)


def test_book_has_an_interactive_chart(built_html, radio_page_path):
    # Parametrized over the pages with radio-bound charts; skipped (and so
    # flagged) when there is none, e.g. if the demo in book/intro.md is removed.
    assert radio_page_path


def test_radio_controls_refilter_charts(book_page, radio_page_path, chart_views):
    page = book_page.open(radio_page_path)
    charts = [c for c in chart_views(page) if any(ctl["type"] == "radio" for ctl in c["controls"])]
    assert charts, f"{radio_page_path}: the spec has a radio binding but no chart shows radio controls"
    for first in charts:
        chart_id = first["id"]
        radios = page.locator(f"#{chart_id} .vega-bind input[type=radio]")
        assert radios.count() >= 2, f"{chart_id}: fewer than two radio buttons"
        before = first
        for i in range(radios.count()):
            radio = radios.nth(i)
            if radio.is_checked():
                continue
            value = radio.get_attribute("value")
            radio.check()
            page.evaluate("async (id) => { await document.getElementById(id).__view__.runAsync(); }", chart_id)
            after = next(c for c in chart_views(page) if c["id"] == chart_id)
            changed = {k: v for k, v in after["signals"].items() if before["signals"].get(k) != v}
            assert any(str(v) == value for v in changed.values()), (
                f"{chart_id}: clicking {value!r} set no signal to it (changed: {changed})"
            )
            assert after["data"] != before["data"], f"{chart_id}: clicking {value!r} did not change the chart's data"
            assert after["svg"] and after["marks"] > 0, f"{chart_id}: after clicking {value!r} the chart has no marks"
            book_page.screenshot(radio_page_path, f"--{chart_id}--{value}")
            before = after
    book_page.assert_clean()
