"""The four explorer pages in headless Chromium: click every control, read the numbers drawn.

For each model chapter's *Explore the model* page: the explorer draws an SVG
with marks; then each control is clicked (every radio option, the checkboxes
on and off, every option of each select list), one control at a time away
from the chapter's model.  After each click the text the chart shows (read from
the Vega scenegraph: the items drawn, not the data behind them) is parsed back
into numbers and compared with a direct hlmteach fit of the model that
setting means, computed here (``tests/support/explorer_expect.py``).  The page must
request nothing from another host and log no console error.  Screenshots of
each page before and after a toggle go to tests/artifacts/.

Run (after building the book):  pytest -m browser tests/browser/test_explorers.py
"""

from __future__ import annotations

import pytest

from tests.support import explorer_expect as expect

pytestmark = pytest.mark.browser

CHAPTERS = list(expect.DEFAULTS)

# Every text item the view drew, with the datum behind it, walking the scenegraph.
_TEXTS_JS = """
(id) => {
  const view = document.getElementById(id).__view__;
  const out = [];
  const visit = (node) => {
    if (!node) return;
    if (node.marktype) {
      for (const item of node.items || []) {
        if (node.marktype === 'text' && item.datum && item.text !== undefined && item.text !== null) {
          const text = Array.isArray(item.text) ? item.text.join(' ') : String(item.text);
          out.push({text: text, datum: JSON.parse(JSON.stringify(item.datum))});
        }
        if (item.items) item.items.forEach(visit);
      }
    } else if (node.items) {
      node.items.forEach(visit);
    }
  };
  visit(view.scenegraph().root);
  return out;
}
"""


def shown(page, chart_id: str) -> dict[str, list[dict]]:
    """What the explorer shows, in the shape ``explorer_expect.check`` reads (all values as drawn text)."""
    out: dict[str, list[dict]] = {"header": [], "variance": [], "plausible": []}
    cells: dict[tuple[str, int], dict] = {}
    icc, explained = [], {}
    header: dict[str, str] = {}
    for item in page.evaluate(_TEXTS_JS, chart_id):
        text, datum = item["text"], item["datum"]
        if "table" in datum and datum.get("row", -1) >= 0:
            cells.setdefault((datum["table"], datum["row"]), {})[datum["key"]] = text
        elif "formula" in datum and text:
            header["formula" if text.startswith("lme4:") else "deviance_text" if text.startswith("Deviance") else "notes"] = text
        elif "icc_text" in datum and text.startswith("ICC"):
            icc.append(text)
        elif "icc_text" in datum and text.endswith(("explained", "more")):
            explained[datum["component"]] = text
        elif "panel" in datum and datum.get("line", -1) >= 0:
            out["plausible"].append({"panel": datum["panel"], "group": datum["group"], "label": text})
    out["header"] = [header] if header else []
    icc_text = icc[0] if len(icc) == 1 else f"{len(icc)} ICC texts"
    out["variance"] = [{"component": c, "icc_text": icc_text, "explained_text": t} for c, t in explained.items()]
    for table in ("hlm_fixed", "hlm_random", "lme4_fixed", "lme4_random"):
        out[table] = [cells[key] for key in sorted(k for k in cells if k[0] == table)]
    return out


def set_control(page, chart_id: str, control: str, value) -> None:
    """Click the input bound to ``control`` so that it holds ``value``; wait for the view to re-run."""
    root = f"#{chart_id} .vega-bindings"
    if isinstance(value, bool):
        box = page.locator(f"{root} input[type=checkbox][name='{control}']")
        if box.is_checked() != value:
            box.click()
    elif page.locator(f"{root} select[name='{control}']").count():
        page.locator(f"{root} select[name='{control}']").select_option(value)
    else:
        page.locator(f"{root} input[type=radio][name='{control}'][value='{value}']").check()
    page.evaluate("async (id) => { await document.getElementById(id).__view__.runAsync(); }", chart_id)


def explorer_chart(views: list[dict]) -> dict:
    charts = [v for v in views if v["controls"]]
    assert len(charts) == 1, f"expected one explorer chart with controls, found {len(charts)}"
    return charts[0]


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_control_redraws_the_numbers_of_a_direct_fit(name, book_page, chart_views):
    path = f"book/explore_{name}.html"
    page = book_page.open(path)
    chart = explorer_chart(chart_views(page, values=False))
    chart_id = chart["id"]
    assert chart["ready"] and chart["svg"] and chart["marks"] > 50, chart
    names = {c["name"] for c in chart["controls"]}
    assert names == set(expect.DEFAULTS[name]), names
    book_page.screenshot(path, "--explorer-before")

    settings = expect.one_at_a_time(name)
    for i, setting in enumerate(settings):
        for control, value in setting.items():
            set_control(page, chart_id, control, value)
        signals = next(v for v in chart_views(page, values=False) if v["id"] == chart_id)["signals"]
        assert {k: signals[k] for k in setting} == setting
        failures = expect.check(setting, shown(page, chart_id))
        assert not failures, f"{path} {setting}:\n  " + "\n  ".join(failures)
        if i == 1:
            changed = next(f"{k}={v}" for k, v in setting.items() if v != expect.DEFAULTS[name][k])
            book_page.screenshot(path, f"--explorer-after-{changed}")
    after = next(v for v in chart_views(page, values=False) if v["id"] == chart_id)
    assert after["svg"] and after["marks"] > 50
    book_page.assert_clean()


def test_the_live_explorer_is_shown_as_code_with_how_to_run_it(book_page, widget_status):
    page = book_page.open("book/explore_random_coefficient.html")
    assert widget_status(page)["views"] == 0  # no frozen widget on the page
    code = page.locator("div.cell:has-text('live(\"random_coefficient\")')")
    assert code.count() == 1
    assert code.locator(".cell_output").count() == 0
    tip = page.locator(".admonition:has-text('needs a running notebook')")
    assert tip.count() == 1 and ".ipynb" in tip.inner_text() and "Binder" in tip.inner_text()
    book_page.assert_clean()
