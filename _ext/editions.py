"""Sphinx extension: the book's editions, and the link to the book as one PDF.

The book comes in two editions, chosen by the configuration value
``hlmteach_edition``:

``"full"`` (the default)
    every exercise with its solution, and the student and instructor
    notebooks of each exercise page;
``"student"``
    for instructors who post the book during a term: no solution anywhere
    (not in the pages, their search index, their downloadable sources or
    notebooks), only the student notebooks, and no launch button (Binder would
    open the repository's page sources, which hold the solutions).

sphinx-exercise's own ``hide_solutions`` cannot do this: with gated solutions
(``solution-start`` … ``solution-end``, which the book uses so that solutions
can hold code cells) it drops the start marker and leaves the solution's
content on the page (executablebooks/sphinx-exercise#89).  So the student
edition removes the merged solution nodes when each page is written.

Because the edition only changes what is *written*, ``hlmteach_edition`` does
not invalidate the read (executed) pages: the student edition, and the single
page that ``tools/book_pdf.py`` prints to PDF, are written from the same
doctrees as the full edition (``_build/.doctrees``), without running the
notebooks again.  The executed notebooks myst-nb keeps beside the doctrees
(``_build/jupyter_execute``) are copied next to another output folder when a
build writes there.

The ``{book-pdf}`` directive shows the link to ``hlmteach.pdf`` at the root
of the site (the edition's own PDF) and nothing in the single page the PDF is
printed from.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import nbformat
import student_notebooks
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri
from sphinx_exercise.nodes import solution_node

logger = logging.getLogger(__name__)

EDITIONS = ("full", "student")
PDF_NAME = "hlmteach.pdf"
EXECUTED = "jupyter_execute"  # myst-nb's folder of executed notebooks, beside the doctrees


def is_student(app: Sphinx) -> bool:
    """True when this build writes the student edition."""
    return app.config.hlmteach_edition == "student"


def _check_edition(app: Sphinx, config: Config) -> None:
    if config.hlmteach_edition not in EDITIONS:
        raise ValueError(f"hlmteach_edition must be one of {EDITIONS}, not {config.hlmteach_edition!r}")
    if config.hlmteach_edition == "student":
        options = dict(config.html_theme_options or {})
        launch = {k: v for k, v in (options.get("launch_buttons") or {}).items() if k not in ("binderhub_url", "jupyterhub_url")}
        options["launch_buttons"] = launch
        config.html_theme_options = options


def _bring_executed_notebooks(app: Sphinx) -> None:
    """Copy ``<doctrees>/../jupyter_execute`` beside this build's output folder if it writes elsewhere."""
    shared = Path(app.doctreedir).parent / EXECUTED
    here = Path(app.outdir).parent / EXECUTED
    if shared.is_dir() and shared.resolve() != here.resolve():
        shutil.copytree(shared, here, dirs_exist_ok=True)


def _singlehtml_visitors(app: Sphinx) -> None:
    """Let the single-page builder use every node's html visitor.

    Sphinx falls back from a builder's own node visitors to its format's
    ("html") only when the builder has none: sphinx-exercise registers
    ``singlehtml`` visitors for its nodes, which hides the html visitors of
    every other node (myst-nb's, ours) from the single page the PDF is printed
    from.
    """
    handlers = app.registry.translation_handlers
    if "singlehtml" in handlers:
        for name, visitors in handlers.get("html", {}).items():
            handlers["singlehtml"].setdefault(name, visitors)


def _remove_solutions(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if is_student(app):
        for node in list(doctree.findall(solution_node)):
            node.parent.remove(node)


def _student_sources(app: Sphinx, exception: Exception | None) -> None:
    """Replace the exercise pages' downloadable sources (``_sources/``) by their student versions."""
    if exception is not None or not is_student(app) or app.builder is None or app.builder.format != "html":
        return
    sources = Path(app.outdir) / "_sources"
    for docname in sorted(getattr(app.env, student_notebooks.ENV_ATTR, set())):
        source = Path(app.env.doc2path(docname))
        text = source.read_text(encoding="utf-8")
        page = student_notebooks.page_of(app.env, docname)
        markdown = sources / f"{docname}{source.suffix}"
        if markdown.exists():
            markdown.write_text(student_notebooks.convert_text(text, "student", page), encoding="utf-8")
        notebook = sources / f"{docname}.ipynb"
        if notebook.exists():
            nbformat.write(student_notebooks.convert(text, "student", page), notebook)


# --- the link to the PDF --------------------------------------------------------------


class pdf_link(nodes.General, nodes.Element):  # docutils names nodes in lower case
    """Where a page links to the book as one PDF."""


class BookPdf(SphinxDirective):
    """``{book-pdf}``: a note linking to the whole book as one PDF (``hlmteach.pdf`` at the site's root)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        return [pdf_link()]


def _visit_pdf_link(self: Any, node: pdf_link) -> None:
    if self.builder.name == "singlehtml":  # the page the PDF is printed from
        raise nodes.SkipNode
    here = self.builder.get_target_uri(self.builder.current_docname)
    href = relative_uri(here, PDF_NAME)
    self.body.append(
        '<div class="admonition tip hlmteach-pdf">'
        '<p class="admonition-title">The whole book as one PDF</p>'
        f'<p>To print the book or read it offline: <a class="reference download" href="{href}" download>{PDF_NAME}</a>, '
        "every chapter with its charts and equations.</p></div>"
    )
    raise nodes.SkipNode


def _skip(self: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("student_notebooks")
    # "" : changing the edition re-writes the pages but does not re-read (re-execute) them.
    app.add_config_value("hlmteach_edition", "full", "", types=[str])
    app.connect("config-inited", _check_edition)
    app.connect("builder-inited", _bring_executed_notebooks)
    app.connect("builder-inited", _singlehtml_visitors)
    app.connect("doctree-resolved", _remove_solutions)
    app.connect("build-finished", _student_sources)
    # "html" serves the singlehtml builder too (a "singlehtml" entry would hide every other node's html visitor there).
    app.add_node(pdf_link, html=(_visit_pdf_link, None), latex=(_skip, None), text=(_skip, None))
    app.add_directive("book-pdf", BookPdf)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
