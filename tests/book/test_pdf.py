"""The whole book as one PDF, ``_build/html/hlmteach.pdf`` (``python3 dev.py book``; tools/build_editions.py).

Read with poppler's ``pdftotext`` and ``pdftoppm``: the PDF has every chapter
(each page's title), the text of every chart the book draws (a chart's title
is drawn by Vega only once the chart is), typeset equations, and a page with a
chart shows the chart's colours (not a blank box).
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache

import pytest

from hlmteach.explore import PALETTE
from tests.support.book_html import BUILT_HTML, read_page

PDF = BUILT_HTML / "hlmteach.pdf"
pytestmark = [
    pytest.mark.skipif(not PDF.is_file(), reason=f"{PDF} not built (python3 dev.py book; it needs Chromium)"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed (apt-get install poppler-utils)"),
]
BOOK_PAGES = sorted(p.stem for p in (BUILT_HTML / "book").glob("*.html"))
# The Okabe-Ito blue and orange of the book's charts (hlmteach.explore.render), as RGB.
# The colours of the unconditional chapter's variance-split bar: between and within schools.
CHART_COLOURS = tuple(tuple(int(PALETTE[c][k : k + 2], 16) for k in (1, 3, 5)) for c in ("green", "purple"))


@cache
def pdf_pages() -> list[str]:
    """The text of each page of the PDF."""
    text = subprocess.run(["pdftotext", "-layout", str(PDF), "-"], check=True, capture_output=True, text=True).stdout
    return text.split("\f")


def squash(text: str) -> str:
    return " ".join(text.split())


def test_pdf_has_every_chapter():
    text = squash(" ".join(pdf_pages()))
    missing = [name for name in BOOK_PAGES if squash(read_page(name).titles("h1")[0]) not in text]
    assert not missing, f"the PDF lacks the chapters {missing}"
    assert len(pdf_pages()) > 50


def test_pdf_has_the_text_of_every_chart():
    text = squash(" ".join(pdf_pages()))
    titles = {
        title
        for name in BOOK_PAGES
        for spec in read_page(name).chart_specs()
        for title in [spec.get("title")]
        if isinstance(title, str) and not title.startswith("{")
    }
    assert titles, "no chart titles found in the built pages"
    missing = sorted(t for t in titles if squash(t) not in text)
    assert not missing, f"charts missing from the PDF: {missing}"


def test_pdf_has_typeset_equations():
    text = " ".join(pdf_pages())
    assert "Level 1:" in text and "Mixed:" in text
    assert "\\begin{aligned}" not in text and "\\gamma" not in text, "raw LaTeX in the PDF"


def colour_pixels(page: int) -> int:
    """Pixels of page ``page`` (1-based) in one of the charts' colours, rendered at 40 dpi."""
    ppm = subprocess.run(
        ["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), str(PDF)], check=True, capture_output=True
    ).stdout
    # P6 header: magic, width, height, maxval, each separated by whitespace
    parts = ppm.split(maxsplit=4)
    width, height, pixels = int(parts[1]), int(parts[2]), parts[4]
    near = 0
    for k in range(0, width * height * 3, 3):
        r, g, b = pixels[k], pixels[k + 1], pixels[k + 2]
        if any(abs(r - cr) + abs(g - cg) + abs(b - cb) < 60 for cr, cg, cb in CHART_COLOURS):
            near += 1
    return near


def test_a_chart_page_shows_the_chart():
    title = "How the variance of math achievement splits"  # the unconditional model's stacked bar
    pages = [k for k, text in enumerate(pdf_pages(), 1) if title in squash(text)]
    assert pages, f"no page shows the chart {title!r}"
    assert colour_pixels(pages[0]) > 400, "the chart's page has (almost) none of the chart's colours: a blank box?"
