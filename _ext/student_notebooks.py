"""Sphinx extension: a student and an instructor notebook for each exercise page, made from the page itself.

A page asks for its notebooks with the directive ::

    ```{exercise-notebooks}
    ```

which shows two download links.  When the HTML build finishes, the page's
MyST source is turned into two notebooks in ``<outdir>/notebooks/``:
``<page>-instructor.ipynb`` keeps everything, ``<page>-student.ipynb`` drops
every gated solution (``solution-start`` … ``solution-end``: its text and its
code cells).  Both replace the book's directives by Markdown that Jupyter
shows (``### Exercise 3: title``, ``#### Solution``, ``> **Tip.** …``) and
``{doc}`` links by their text, and neither has outputs: the student runs the
cells.  There is one source, so the two versions cannot drift apart.  The
student edition of the book (``hlmteach_edition = "student"``, see
``_ext/editions.py``) writes and links the student notebooks only.

The conversion refuses what it cannot translate (a directive or role it does
not know), so a page cannot ship a notebook with raw MyST in it.  It is a
plain function, :func:`convert`, that the tests call without Sphinx.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import jupytext
import nbformat
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

Audience = Literal["student", "instructor"]
AUDIENCES: tuple[Audience, ...] = ("student", "instructor")
FOLDER = "notebooks"  # in the HTML output
ENV_ATTR = "hlmteach_exercise_notebooks"

DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}\s*(?P<argument>.*)$")
OPTION = re.compile(r"^:(?P<name>[\w-]+):\s*(?P<value>.*)$")
ROLE = re.compile(r"\{(?P<name>[\w:-]+)\}`(?P<body>[^`]*)`")
LINK = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
ADMONITIONS = {"note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important", "warning": "Warning"}

INTRO = {
    "student": (
        "*Student notebook, made from the book's exercise page: the solutions are not included. "
        "Run the cells from the top in an environment with the book's live install (`pip install \".[live]\"` "
        "in a clone of its repository); "
        "replace each `...` by your answer and run the `check(...)` cell to see whether it is right.*"
    ),
    "instructor": (
        "*Instructor notebook, made from the book's exercise page: every exercise with its solution. "
        "The student notebook is the same without the solutions.*"
    ),
}


def notebook_name(page: str, audience: Audience) -> str:
    """File name of a page's notebook, e.g. ``exercises_unconditional-student.ipynb``."""
    return f"{Path(page).stem}-{audience}.ipynb"


@dataclass(frozen=True)
class Page:
    """What the conversion needs to know from outside the page's text.

    ``heading`` replaces the page's ``# …`` title; ``title_of`` turns a
    ``{doc}`` target without link text into words; ``number_of`` gives an
    exercise label's number as the book shows it (``"1.3"``), or None to
    count the page's exercises 1, 2, ….
    """

    heading: str | None = None
    title_of: Callable[[str], str] = str
    number_of: Callable[[str], str | None] = lambda label: None


def _inline(line: str, page: Page) -> str:
    """Replace MyST roles by Markdown: ``{doc}``, ``{ref}`` and ``{term}`` by their text, ``{math}`` by ``$…$``."""

    def replace(m: re.Match[str]) -> str:
        name, body = m["name"], m["body"]
        if name in ("doc", "ref"):
            link = LINK.match(body)
            return " ".join(link["text"].split()) if link else page.title_of(body)
        if name == "term":  # a glossary link: its words
            link = LINK.match(body)
            return " ".join((link["text"] if link else body).split())
        if name == "math":
            return f"${body}$"
        raise ValueError(f"the notebooks cannot show the role {{{name}}} in: {line.strip()}")

    return ROLE.sub(replace, line)


def _options(body: list[str]) -> tuple[dict[str, str], list[str]]:
    """A directive's ``:name: value`` options and its content."""
    k = 0
    while k < len(body) and OPTION.match(body[k]):
        k += 1
    options = {m["name"]: m["value"].strip() for m in map(OPTION.match, body[:k]) if m}
    return options, body[k:]


def convert_text(text: str, audience: Audience, page: Page | None = None) -> str:
    """The page's MyST text rewritten for ``audience``'s notebook (still MyST, for jupytext to read)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, not {audience!r}")
    page = page or Page()
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    if lines and lines[0].strip() == "---":  # the jupytext/kernelspec header, kept as it is
        i = lines.index("---", 1) + 1
        out += lines[:i]
    exercise, number = 0, ""
    in_solution, keep, titled = False, True, False
    text_lines: list[str] = []  # Markdown waiting for its roles to be replaced (a role may span lines)

    def flush() -> None:
        if text_lines:
            out.extend(_inline("\n".join(text_lines), page).split("\n"))
            text_lines.clear()

    while i < len(lines):
        line = lines[i]
        m = DIRECTIVE.match(line)
        if not m:
            i += 1
            if not keep or re.match(r"^\s*%|^\(.+\)=\s*$", line):  # solutions (for students), comments, targets
                continue
            if not titled and line.startswith("# "):
                titled = True
                text_lines.extend([f"# {page.heading}" if page.heading else line, "", INTRO[audience]])
                continue
            text_lines.append(line)
            continue
        flush()
        close = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == m["fence"]), None)
        if close is None:
            raise ValueError(f"directive {{{m['name']}}} opened at line {i + 1} is never closed")
        options, content = _options(lines[i + 1 : close])
        name, at = m["name"], i + 1
        i = close + 1
        if name == "solution-start":
            if in_solution:
                raise ValueError(f"solution-start at line {at} is inside another solution")
            in_solution, keep = True, audience == "instructor"
            if keep:
                out.extend(["+++", "", f"#### Solution to exercise {number}", ""])
        elif name == "solution-end":
            if not in_solution:
                raise ValueError(f"solution-end at line {at} has no solution-start")
            in_solution, keep = False, True
            out.extend(["", "+++", ""])
        elif not keep:
            continue
        elif name == "code-cell":
            out.extend(lines[at - 1 : i])
        elif name == "exercise-start":
            exercise += 1
            number = page.number_of(options.get("label", "")) or str(exercise)
            title = _inline(m["argument"], page)
            out.extend(["+++", "", f"### Exercise {number}" + (f": {title}" if title else ""), ""])
        elif name in ("exercise-end", "exercise-notebooks"):
            continue
        elif name in ADMONITIONS:
            quoted = _inline("\n".join(content), page).split("\n")
            out.extend([f"> **{m['argument'] or ADMONITIONS[name]}.**", *[f"> {c}".rstrip() for c in quoted], ""])
        else:
            raise ValueError(f"the notebooks cannot show the directive {{{name}}} (line {at})")
    flush()
    if in_solution:
        raise ValueError("a solution-start has no solution-end")
    return "\n".join(out) + "\n"


def convert(text: str, audience: Audience, page: Page | None = None) -> nbformat.NotebookNode:
    """A notebook (without outputs) of an exercise page's MyST ``text``, for ``audience``."""
    nb = jupytext.reads(convert_text(text, audience, page), fmt="md:myst")
    nb.cells = [c for c in nb.cells if c.source.strip()]
    for k, cell in enumerate(nb.cells):
        cell.id = f"cell-{k}"  # stable ids: the same page gives the same notebook
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"\n{3,}", "\n\n", cell.source.strip())
    nb.metadata.pop("jupytext", None)
    return nb


def write_notebooks(
    source: Path, folder: Path, page: Page | None = None, audiences: tuple[Audience, ...] = AUDIENCES
) -> dict[Audience, Path]:
    """Write the notebooks of the page ``source`` for ``audiences`` (student and instructor) into ``folder``."""
    text = source.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[Audience, Path] = {}
    for audience in audiences:
        nb = convert(text, audience, page)
        nbformat.validate(nb)
        paths[audience] = folder / notebook_name(source.name, audience)
        nbformat.write(nb, paths[audience])
    return paths


# --- Sphinx ------------------------------------------------------------------------------


class notebook_links(nodes.General, nodes.Element):  # docutils names nodes in lower case
    """Where a page shows the download links of its two notebooks."""


class ExerciseNotebooks(SphinxDirective):
    """``{exercise-notebooks}``: make this page's notebooks and link to them here."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        docs = getattr(self.env, ENV_ATTR, set())
        docs.add(self.env.docname)
        setattr(self.env, ENV_ATTR, docs)
        return [notebook_links(page=self.env.docname)]


def audiences(app: Sphinx) -> tuple[Audience, ...]:
    """The notebooks this build writes: both, or only the student's in the student edition (``_ext/editions.py``)."""
    return ("student",) if getattr(app.config, "hlmteach_edition", "full") == "student" else AUDIENCES


def _visit_links(self: Any, node: notebook_links) -> None:
    here = self.builder.get_target_uri(self.builder.current_docname)

    def link(audience: Audience, text: str) -> str:
        href = relative_uri(here, f"{FOLDER}/{notebook_name(node['page'], audience)}")
        return f'<a class="reference download" href="{href}" download>{text}</a>'

    links = [f"{link('student', 'Student notebook')} (exercises and self-checks, no solutions)"]
    if "instructor" in audiences(self.builder.app):
        links.append(f"{link('instructor', 'Instructor notebook')} (with the solutions)")
    self.body.append(
        '<div class="admonition note hlmteach-notebooks">'
        '<p class="admonition-title">These exercises as a notebook</p>'
        f"<p>{' · '.join(links)}</p></div>"
    )
    raise nodes.SkipNode


def _skip(self: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, ENV_ATTR, set()).discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    setattr(env, ENV_ATTR, getattr(env, ENV_ATTR, set()) | getattr(other, ENV_ATTR, set()))


def page_of(env: BuildEnvironment, docname: str) -> Page:
    """Titles and exercise numbers of ``docname`` as the built book shows them."""

    def title(doc: str) -> str | None:
        node = env.titles.get(doc)
        return node.astext() if node is not None else None

    def title_of(target: str) -> str:
        doc = target.lstrip("/") if target.startswith("/") else str(PurePosixPath(docname).parent / target)
        return title(doc) or target

    def number_of(label: str) -> str | None:
        number = env.toc_fignumbers.get(docname, {}).get("exercise", {}).get(label)
        return ".".join(map(str, number)) if number else None

    parent = next((doc for doc, children in env.toctree_includes.items() if docname in children), None)
    own = title(docname)
    chapter = title(parent) if parent and parent != env.config.root_doc else None  # a section: name its chapter
    return Page(heading=f"{own}: {chapter}" if own and chapter else own, title_of=title_of, number_of=number_of)


def _write(app: Sphinx, exception: Exception | None) -> None:
    # Not for the single page the PDF is printed from: the PDF cannot hold notebooks.
    if exception is not None or app.builder is None or app.builder.format != "html" or app.builder.name == "singlehtml":
        return
    for docname in sorted(getattr(app.env, ENV_ATTR, set())):
        source = Path(app.env.doc2path(docname))
        write_notebooks(source, Path(app.outdir) / FOLDER, page_of(app.env, docname), audiences(app))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(
        notebook_links,
        html=(_visit_links, None),
        latex=(_skip, None),
        text=(_skip, None),
        man=(_skip, None),
        texinfo=(_skip, None),
    )
    app.add_directive("exercise-notebooks", ExerciseNotebooks)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("build-finished", _write)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
