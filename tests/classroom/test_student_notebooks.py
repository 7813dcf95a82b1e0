"""Student and instructor notebooks, generated from the exercise pages by ``_ext/student_notebooks.py``.

The student notebook must hold every exercise and every self-check call and
nothing of any solution; the instructor notebook must hold everything; both
must be plain Jupyter (no MyST left) and the student's must run from top to
bottom.  The Sphinx side is tested on a tiny project built here, and on the
book's own build when there is one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
import student_notebooks  # the book's extension (_ext/ is on pytest's pythonpath)

from tests.support.book_html import BUILT_HTML, ROOT
from tests.support.pages import CHECK_CALL, IDS, PAGES, blocks, leaked, run_cells, solution_only_lines

MYST_LEFT = re.compile(r"\{[\w:-]+\}`|^```\{|^:::\{|^:(label|class):", re.M)


def source_of(nb: nbformat.NotebookNode, kind: str | None = None) -> str:
    return "\n".join(c.source for c in nb.cells if kind is None or c.cell_type == kind)


@pytest.fixture(scope="module", params=PAGES, ids=IDS)
def page(request) -> tuple[Path, str, dict[str, nbformat.NotebookNode]]:
    text = request.param.read_text(encoding="utf-8")
    return request.param, text, {a: student_notebooks.convert(text, a) for a in student_notebooks.AUDIENCES}


def test_student_notebook_has_no_solution_text(page):
    _, text, nbs = page
    student = source_of(nbs["student"])
    lines = solution_only_lines(text)
    assert lines, "the page has solutions"
    assert leaked(lines, student) == []
    assert "Solution" not in student


def test_student_notebook_has_every_exercise_and_check_call(page):
    _, text, nbs = page
    exercises = [b for b in blocks(text) if b[0] == "exercise"]
    for nb in nbs.values():
        headings = re.findall(r"^### Exercise \d+: .+$", source_of(nb, "markdown"), re.M)
        assert len(headings) == len(exercises)
        calls = [m["key"] for _, _, body in exercises for m in CHECK_CALL.finditer("\n".join(body))]
        code = source_of(nb, "code")
        assert all(f'check("{key}"' in code for key in calls)
    assert len(CHECK_CALL.findall(source_of(nbs["student"], "code"))) == len(calls)


def test_instructor_notebook_has_every_solution(page):
    _, text, nbs = page
    instructor = source_of(nbs["instructor"])
    lines = [line for line in solution_only_lines(text) if not student_notebooks.ROLE.search(line)]
    assert leaked(lines, instructor) == lines
    solutions = [b for b in blocks(text) if b[0] == "solution"]
    assert instructor.count("#### Solution to exercise") == len(solutions)


def test_notebooks_are_plain_jupyter_and_stable(page):
    _, text, nbs = page
    for audience, nb in nbs.items():
        nbformat.validate(nb)
        assert "jupytext" not in nb.metadata and nb.metadata["kernelspec"]["name"] == "python3"
        assert not MYST_LEFT.search(source_of(nb, "markdown")), f"MyST left in the {audience} notebook"
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        assert nbformat.writes(student_notebooks.convert(text, audience)) == nbformat.writes(nb)


def test_student_notebook_runs_from_top_to_bottom(page):
    path, _, nbs = page
    run = run_cells(nbs["student"], path.name)
    assert run.checks and all(r.message.startswith("✎") for r in run.checks), "a student cell answers by itself"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```{figure} x.png\n```\n", "directive {figure}"),
        ("See {numref}`fig`.\n", "role {numref}"),
        ("```{solution-start} ex\n```\n", "no solution-end"),
        ("```{solution-end}\n```\n", "no solution-start"),
        ("```{solution-start} a\n```\n```{solution-start} b\n```\n", "inside another solution"),
        ("```{code-cell} ipython3\nx = 1\n", "never closed"),
    ],
)
def test_conversion_refuses_what_it_cannot_translate(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        student_notebooks.convert("# Title\n\n" + text, "student")


def test_conversion_uses_the_books_titles_and_numbers():
    text = (
        "# Exercises\n\nSee {doc}`the explorer <explore_x>` and {doc}`other`.\n\n"
        "```{exercise-start} First\n:label: ex-a\n```\n\nDo it.\n\n```{exercise-end}\n```\n"
        ":::{tip}\nA {doc}`multi\nline <y>` tip.\n:::\n"
    )
    page = student_notebooks.Page(heading="Exercises: A chapter", title_of=str.upper, number_of={"ex-a": "2.1"}.get)
    markdown = source_of(student_notebooks.convert(text, "student", page), "markdown")
    assert markdown.startswith("# Exercises: A chapter\n")
    assert "See the explorer and OTHER." in markdown
    assert "### Exercise 2.1: First" in markdown
    assert "> **Tip.**\n> A multi line tip." in markdown


SPHINX_PAGE = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Exercises

```{exercise-notebooks}
```

```{exercise-start} Add
:label: ex-add
```

```{code-cell} ipython3
answer = ...
```

```{exercise-end}
```

```{solution-start} ex-add
:class: dropdown
```

```{code-cell} ipython3
answer = 40 + 2  # the secret
```

```{solution-end}
```
"""


def test_sphinx_build_writes_and_links_the_notebooks(tmp_path):
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    (src / "book").mkdir(parents=True)
    (src / "index.md").write_text("# Book\n\n```{toctree}\nbook/chapter\n```\n", encoding="utf-8")
    (src / "book" / "chapter.md").write_text("# A chapter\n\n```{toctree}\nexercises\n```\n", encoding="utf-8")
    (src / "book" / "exercises.md").write_text(SPHINX_PAGE, encoding="utf-8")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_nb', 'sphinx_exercise', 'student_notebooks']\n"
        "nb_execution_mode = 'off'\nroot_doc = 'index'\n",
        encoding="utf-8",
    )
    out = tmp_path / "html"
    app = Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html", status=None, warningiserror=True)
    app.build()
    student = out / "notebooks" / "exercises-student.ipynb"
    instructor = out / "notebooks" / "exercises-instructor.ipynb"
    assert "the secret" not in student.read_text(encoding="utf-8")
    assert "the secret" in instructor.read_text(encoding="utf-8")
    heading = nbformat.read(student, as_version=4).cells[0].source.splitlines()[0]
    assert heading == "# Exercises: A chapter"
    html = (out / "book" / "exercises.html").read_text(encoding="utf-8")
    assert 'href="../notebooks/exercises-student.ipynb"' in html
    assert 'href="../notebooks/exercises-instructor.ipynb"' in html


@pytest.mark.skipif(not BUILT_HTML.is_dir(), reason=f"built book not found at {BUILT_HTML}")
@pytest.mark.parametrize("source", PAGES, ids=IDS)
def test_built_book_offers_both_notebooks(source):
    docname = source.relative_to(ROOT).with_suffix("").as_posix()
    html = (BUILT_HTML / f"{docname}.html").read_text(encoding="utf-8")
    folder = BUILT_HTML / student_notebooks.FOLDER
    for audience in student_notebooks.AUDIENCES:
        name = student_notebooks.notebook_name(source.name, audience)
        assert (folder / name).is_file(), (
            f"{name} is missing from the built book: is student_notebooks in _config.yml's sphinx.local_extensions?"
        )
        assert f"../{student_notebooks.FOLDER}/{name}" in html
    built = json.loads((folder / student_notebooks.notebook_name(source.name, "student")).read_text(encoding="utf-8"))
    student = "\n".join("".join(c["source"]) for c in built["cells"])
    assert leaked(solution_only_lines(source.read_text(encoding="utf-8")), student) == []
