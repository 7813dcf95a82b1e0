"""The book's pages call only the public API: what ``hlmteach``, ``hlmteach.explore`` and ``hlmteach.classroom`` export.

Pages are prose and calls; a reader copies their code.  So every
``from hlmteach... import name`` and every ``hlmteach.name`` in a page's code
(executed cells and shown ``python`` blocks) must name something in the
``__all__`` of one of the three public modules.
"""

from __future__ import annotations

import importlib
import re

import pytest

from tests.support.book_html import ROOT

PUBLIC = ("hlmteach", "hlmteach.explore", "hlmteach.classroom")
PAGES = sorted((ROOT / "book").rglob("*.md"))
CODE = re.compile(r"^```(?:\{code-cell\} ipython3|python)\n(.*?)^```", re.M | re.S)
FROM = re.compile(r"^[ \t]*from (hlmteach[\w.]*) import (?:\(([\w\s,]+)\)|([\w \t,]+))", re.M)
IMPORT = re.compile(r"^\s*import (hlmteach[\w.]*)", re.M)
ATTRIBUTE = re.compile(r"\bhlmteach\.(\w+)")


def exported(module: str) -> set[str]:
    return set(importlib.import_module(module).__all__)


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_page_uses_only_the_public_api(page):
    code = "\n".join(CODE.findall(page.read_text(encoding="utf-8")))
    problems = []
    for module, grouped, names in FROM.findall(code):
        names = grouped or names
        if module not in PUBLIC:
            problems.append(f"imports from {module} (use {', '.join(PUBLIC)})")
            continue
        problems += [f"{module}.{n} is not public" for n in re.split(r"[\s,]+", names.strip()) if n and n not in exported(module)]
    problems += [f"import {m}" for m in IMPORT.findall(code) if m not in PUBLIC]
    top = exported("hlmteach") | {"explore", "classroom"}
    problems += [f"hlmteach.{name} is not public" for name in ATTRIBUTE.findall(code) if name not in top]
    assert not problems, f"{page.name}: {sorted(set(problems))}"
