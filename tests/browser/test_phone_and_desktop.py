"""Every page at a laptop's width (1,366 px) and a phone's (390 px), in headless Chromium.

At both widths: the page never scrolls sideways; no typeset formula is wider
than the box it sits in (long equations are broken into lines by
``hlmteach.TwoLevelModel.latex`` and by the pages); the tables show no raw
``NaN``, ``<NA>`` or ``1.2e-05``-style p-values (in a column headed ``p``,
``p-value`` or ``Pr(...)``); no reStructuredText shows as text
(``.. py:``); no chart has the vega-embed actions menu.  The solutions of the
exercise pages open when their title is clicked, and say so beside the
chevron on a phone too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BookPage, pages_containing, wait_until_ready

pytestmark = pytest.mark.browser

WIDTHS = {"laptop": 1366, "phone": 390}
E_NOTATION = re.compile(r"\d\.\d+e[-+]\d+")
P_HEADER = re.compile(r"^(p|p-value|Pr\(.*\)|p \(.*\))$", re.I)  # a column of p-values

_LAYOUT_JS = """
() => {
  const de = document.documentElement;
  const out = {scroll: de.scrollWidth, width: de.clientWidth, wide: [], math: [], cells: [], actions: 0, rst: false};
  for (const el of document.querySelectorAll('.bd-article *, .bd-header *, .bd-sidebar-secondary *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > de.clientWidth + 1 && out.wide.length < 5) {
      // report what sticks out, unless a scrolling box of its own holds it
      let p = el.parentElement, held = false;
      while (p && p !== document.body) {
        const o = getComputedStyle(p).overflowX;
        const scrolls = o === 'auto' || o === 'scroll' || o === 'hidden';
        if (scrolls && p.getBoundingClientRect().right <= de.clientWidth + 1) { held = true; break; }
        p = p.parentElement;
      }
      if (!held) out.wide.push(el.tagName.toLowerCase() + '.' + String(el.className).slice(0, 40));
    }
  }
  for (const c of document.querySelectorAll('mjx-container')) {
    const m = c.querySelector('mjx-math');
    const box = c.parentElement;
    const style = getComputedStyle(box);
    const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const w = m ? m.getBoundingClientRect().width : 0;
    if (w > room + 1) out.math.push(`${Math.round(w)} px in ${Math.round(room)} px: ${(c.textContent || '').slice(0, 60)}`);
  }
  for (const table of document.querySelectorAll('table')) {
    const heads = Array.from(table.querySelectorAll('thead tr:first-child th')).map(th => th.innerText.trim());
    for (const row of table.querySelectorAll('tbody tr')) {
      Array.from(row.children).forEach((cell, k) => out.cells.push([heads[k] || '', cell.innerText.trim()]));
    }
  }
  out.actions = document.querySelectorAll('.vega-embed .vega-actions, .vega-embed details').length;
  const article = document.querySelector('.bd-article');
  out.rst = !!article && /\\.\\. (py:|auto)/.test(article.innerText);
  return out;
}
"""


@pytest.fixture(scope="module", params=list(WIDTHS), ids=list(WIDTHS))
def sized_page(request, chromium: Any, book_server: str):
    """A page of the book at one width (a fresh context per width, reused for every page)."""
    width = WIDTHS[request.param]
    context = chromium.new_context(viewport={"width": width, "height": 900}, service_workers="block")
    page = context.new_page()
    try:
        yield BookPage(page, book_server), width
    finally:
        context.close()


def test_page_fits_the_screen(sized_page, page_path):
    book, width = sized_page
    page = book.open(page_path)
    found = page.evaluate(_LAYOUT_JS)
    failures = []
    if found["scroll"] > found["width"]:
        failures.append(f"the page scrolls sideways: {found['scroll']} px wide in a {found['width']} px window ({found['wide']})")
    failures += [f"formula wider than its box: {m}" for m in found["math"]]
    missing = ("NaN", "<NA>", "nan", "None")
    raw = [c for head, c in found["cells"] if c in missing or (P_HEADER.match(head) and E_NOTATION.search(c))]
    if raw:
        failures.append(f"table cells as raw output: {sorted(set(raw))[:8]}")
    if found["rst"]:
        failures.append("reStructuredText shows as text (.. py: / .. auto...)")
    if found["actions"]:
        failures.append(f"{found['actions']} charts have the vega-embed actions menu")
    assert not failures, f"{page_path} at {width} px:\n  " + "\n  ".join(failures)


def solution_pages() -> list[str]:
    return pages_containing('class="solution dropdown')


@pytest.mark.parametrize("path", solution_pages() or [pytest.param(None, marks=pytest.mark.skip(reason="no solutions"))])
def test_clicking_a_solution_title_opens_it(sized_page, path):
    book, width = sized_page
    page = book.open(path)
    titles = page.locator("div.solution > .admonition-title")
    assert titles.count() > 0
    for k in range(titles.count()):
        title = titles.nth(k)
        solution = page.locator("div.solution").nth(k)
        title.scroll_into_view_if_needed()
        link = title.locator("a").first
        box = link.bounding_box()  # click on the words "Exercise 1.1 (...)": the link a reader aims at
        before = page.url
        page.mouse.click(box["x"] + min(20, box["width"] / 2), box["y"] + box["height"] / 2)
        try:  # sphinx-togglebutton's click handler opens it at once; a jump to the exercise would be at once too
            expect(solution).not_to_have_class(re.compile(r"\btoggle-hidden\b"), timeout=2_000)
        except AssertionError:
            raise AssertionError(f"{path}: solution {k + 1} did not open") from None
        assert page.url == before, f"{path}: clicking solution {k + 1}'s title jumped to {page.url}"
        hint = title.locator("button.toggle-button").evaluate("b => getComputedStyle(b, '::before').content")
        assert "Click to" in hint, f"{path} at {width} px: no label beside the chevron ({hint})"
        wait_until_ready(page)
