"""Reading the built book in tests: a page's visible text, headings, links, tables and chart specs.

The built site is ``HLMTEACH_BUILT_HTML`` (default ``_build/html``); tests that
need it are marked with ``needs_build`` and skip, with the reason, only when
the book has not been built (``jupyter-book build -W .``).
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILT_HTML = Path(os.environ.get("HLMTEACH_BUILT_HTML", ROOT / "_build" / "html"))
NO_BUILD_REASON = f"built book not found at {BUILT_HTML} (build it first: jupyter-book build -W .)"
needs_build = pytest.mark.skipif(not BUILT_HTML.is_dir(), reason=NO_BUILD_REASON)

_BLOCKS = {"p", "li", "div", "pre", "td", "th", "tr", "br", "dt", "dd", "section", "h1", "h2", "h3", "h4"}
_SPEC = re.compile(r"var spec = (\{.*?\});\n", re.S)


def squash(text: str) -> str:
    """Whitespace collapsed to single spaces."""
    return re.sub(r"\s+", " ", text).strip()


class BookPage(HTMLParser):
    """One built page: visible text (no scripts or styles), section headings, links, tables, inline scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._text: list[str] = []
        self.scripts: list[str] = []
        self.headings: dict[str, list[str]] = {"h1": [], "h2": []}
        self.links: set[str] = set()
        self.tables: list[list[list[str]]] = []
        self._in: list[str] = []
        self._sections = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a":
            self.links.add(attributes.get("href") or "")
        elif tag == "section":
            self._sections += 1
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        if tag in ("script", "style") or (tag in self.headings and self._sections):
            self._in.append(tag)
            if tag == "script" and not attributes.get("src"):
                self.scripts.append("")
            if tag in self.headings:
                self.headings[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()
        if tag == "section":
            self._sections -= 1
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(squash("".join(self._cell)))
            self._cell = None
        if tag in _BLOCKS:
            self._text.append(" ")

    def handle_data(self, data: str) -> None:
        if "script" in self._in:
            if self.scripts:
                self.scripts[-1] += data
            return
        if "style" in self._in:
            return
        for tag in self.headings:
            if tag in self._in:
                self.headings[tag][-1] += data
        self._text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def text(self) -> str:
        """The visible text, whitespace collapsed."""
        return squash("".join(self._text))

    def titles(self, tag: str) -> list[str]:
        """Section heading texts, without section numbers and the "#" permalink."""
        return [re.sub(r"^[\d.]+\s*", "", squash(h).rstrip("#").strip()) for h in self.headings[tag]]

    def chart_specs(self) -> list[dict]:
        """The Vega-Lite spec of every chart the book renderer put on the page."""
        return [json.loads(m.group(1)) for s in self.scripts if "vegaEmbed(" in s for m in [_SPEC.search(s)] if m]


@cache
def read_page(name: str) -> BookPage:
    """The built page ``book/<name>.html`` (fails the test if it was not built)."""
    path = BUILT_HTML / "book" / f"{name}.html"
    if not path.is_file():
        pytest.fail(f"{path.relative_to(BUILT_HTML)} was not built")
    page = BookPage()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def assert_shows(text: str, *values: str) -> None:
    """Every value appears in the page text."""
    missing = [v for v in values if v not in text]
    assert not missing, f"the page does not show {missing}"
