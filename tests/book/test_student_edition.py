"""The student edition (``python3 dev.py book --student``): the book without any solution.

Checked in ``_build/student/html``: the exercise pages, the search index and
the downloadable page sources hold no line of any solution, the notebooks
folder holds student notebooks only, no page links to an instructor notebook
or to Binder (which would open the repository's sources, solutions and all).
The full edition keeps everything (tested with the notebooks and the chapters).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from tests.support.book_html import ROOT, BookPage
from tests.support.pages import IDS, PAGES, leaked, solution_only_lines

STUDENT_HTML = ROOT / "_build" / "student" / "html"
FULL_HTML = ROOT / "_build" / "html"
pytestmark = pytest.mark.skipif(
    not (STUDENT_HTML / "book").is_dir() or not (FULL_HTML / "book").is_dir(),
    reason=f"student edition not built at {STUDENT_HTML} (python3 dev.py book --student, or tools/build_editions.py student)",
)


def text_of(path: Path) -> str:
    page = BookPage()
    page.feed(path.read_text(encoding="utf-8"))
    return page.text


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def kept(lines: list[str], student: str, full: str) -> list[str]:
    """Solution lines the student text has as often as the full edition's (a line may also occur outside the solutions)."""
    return [line for line in lines if flat(student).count(flat(line)) >= flat(full).count(flat(line)) > 0]


@pytest.mark.parametrize("source", PAGES, ids=IDS)
def test_student_pages_hold_no_solution(source):
    lines = solution_only_lines(source.read_text(encoding="utf-8"))
    assert lines, "the page has solutions"
    html = STUDENT_HTML / "book" / f"{source.stem}.html"
    text, full = text_of(html), text_of(FULL_HTML / "book" / f"{source.stem}.html")
    assert "Solution to" not in text and "Solution to" in full
    assert kept(lines, text, full) == [], "solution text in the student page"
    raw = html.read_text(encoding="utf-8")
    assert "instructor" not in raw.lower(), "the student page links an instructor notebook"
    assert "mybinder" not in raw, "the student page has a Binder button"
    for copy in (STUDENT_HTML / "_sources" / "book").glob(f"{source.stem}.*"):
        assert leaked(lines, copy.read_text(encoding="utf-8")) == [], f"solution text in {copy.name}"


def index_terms(site: Path) -> dict[str, set[str]]:
    """Each page of ``site``'s search index with the (stemmed) words it is found by."""
    data = json.loads(re.search(r"Search\.setIndex\((.*)\)\s*$", (site / "searchindex.js").read_text(encoding="utf-8"), re.S)[1])
    pages: dict[str, set[str]] = {doc: set() for doc in data["docnames"]}
    for term, docs in data["terms"].items():
        for k in [docs] if isinstance(docs, int) else docs:
            pages[data["docnames"][k]].add(term)
    return pages


def test_search_index_does_not_find_pages_by_their_solutions():
    full, student = index_terms(FULL_HTML), index_terms(STUDENT_HTML)
    for page in PAGES:
        doc = f"book/{page.stem}"
        assert len(student[doc]) < len(full[doc]), f"{doc}: the student index finds the page by as many words as the full one"


def test_only_student_notebooks_are_published():
    notebooks = sorted(p.name for p in (STUDENT_HTML / "notebooks").glob("*.ipynb"))
    assert notebooks == sorted(f"{p.stem}-student.ipynb" for p in PAGES)


@pytest.mark.parametrize("source", PAGES, ids=IDS)
def test_student_notebooks_hold_no_solution(source):
    lines = solution_only_lines(source.read_text(encoding="utf-8"))
    notebook = nbformat.read(STUDENT_HTML / "notebooks" / f"{source.stem}-student.ipynb", as_version=4)
    assert leaked(lines, "\n".join(cell.source for cell in notebook.cells)) == []
