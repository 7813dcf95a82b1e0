"""Sphinx extension: chapter numbers that run on across the book's parts, two levels deep.

Jupyter Book numbers the chapters of every part from 1 unless
sphinx-multitoc-numbering is loaded, and it loads that extension only when
``_toc.yml`` contains the literal text ``numbered: true``.  The book limits
numbering to chapters and their sections (``numbered: 2``: "4.5", never
"4.5.1.1"), so it loads the extension here.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    if "sphinx_multitoc_numbering" not in app.extensions:
        app.setup_extension("sphinx_multitoc_numbering")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
