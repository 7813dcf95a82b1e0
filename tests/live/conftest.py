"""Fixtures of the live-notebook tests: the ``hlmteach[live]`` environment, and the site's notebooks.

``live_python``      The interpreter of a venv with only ``hlmteach[live]`` (made once per session,
                     see :mod:`tests.live.environment`).
``site_notebooks``   Every ``.ipynb`` the built site links to (download buttons and notebook links),
                     as paths in ``_build/html``; skips the test when the book is not built.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.live.environment import live_python as make_live_python
from tests.support.book_html import BUILT_HTML, NO_BUILD_REASON

HREF = re.compile(r"""href=["']([^"'#?]+\.ipynb)["']""")


def linked_notebooks(root: Path = BUILT_HTML) -> list[Path]:
    """The notebooks the site's pages link to, each once, resolved to files of the built site."""
    found: set[Path] = set()
    for page in root.rglob("*.html"):
        if "_sources" in page.parts or "_static" in page.parts:
            continue
        for href in HREF.findall(page.read_text(encoding="utf-8", errors="replace")):
            if urlsplit(href).scheme:
                continue
            found.add((page.parent / unquote(href)).resolve())
    return sorted(found)


@pytest.fixture(scope="session")
def site_notebooks() -> list[Path]:
    if not (BUILT_HTML / "index.html").is_file():
        pytest.skip(NO_BUILD_REASON)
    notebooks = linked_notebooks()
    missing = [str(p) for p in notebooks if not p.is_file()]
    assert not missing, f"the site links to notebooks that are not in the build: {missing}"
    return notebooks


@pytest.fixture(scope="session")
def live_python() -> Path:
    return make_live_python()
