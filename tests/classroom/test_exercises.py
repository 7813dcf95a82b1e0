"""The exercise pages: their structure, and every solution's code run against the self-checks.

The book build executes every page, so a solution that raises breaks the
build.  These tests add what the build cannot see: that each solution's
``check`` says ✓ (a solution that computes the wrong number is a broken
solution), that each exercise is graded by a check, that every chapter has
enough exercises, and that every self-check of the package is used by a page.

The helpers (``run_cells``, ``blocks``, ``PAGES``) are in ``tests/support/pages.py``.
"""

from __future__ import annotations

import jupytext
import pytest
import student_notebooks  # the book's extension (_ext/ is on pytest's pythonpath)

from hlmteach.classroom import answers
from tests.support.pages import CHECK_CALL, IDS, MODEL_CHAPTERS, PAGES, blocks, run_cells


def test_every_model_chapter_and_the_capstone_have_exercise_pages():
    assert {p.stem for p in PAGES} >= {*(f"exercises_{c}" for c in MODEL_CHAPTERS), "capstone"}


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_exercises_are_graded_and_each_has_a_solution(page):
    found = blocks(page.read_text(encoding="utf-8"))
    exercises = [(label, body) for kind, label, body in found if kind == "exercise"]
    solutions = {label: body for kind, label, body in found if kind == "solution"}
    assert len(exercises) >= 4, f"{page.name} has {len(exercises)} exercises; a chapter needs at least 4"
    kinds = [kind for kind, _, _ in found]
    assert kinds == ["exercise", "solution"] * len(exercises), "each exercise is followed by its solution"
    for label, body in exercises:
        assert CHECK_CALL.search("\n".join(body)), f"exercise {label} has no self-check"
        assert label in solutions, f"exercise {label} has no solution"
        solution = "\n".join(solutions[label])
        assert "```{code-cell}" in solution, f"the solution of {label} has no code"
        assert {m["key"] for m in CHECK_CALL.finditer("\n".join(body))} <= {m["key"] for m in CHECK_CALL.finditer(solution)}


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_every_solution_passes_its_checks(page):
    nb = student_notebooks.convert(page.read_text(encoding="utf-8"), "instructor")
    run = run_cells(nb, page.name)
    wrong = [r.message for r in run.checks if not r.ok and not r.message.startswith("✎")]
    assert not wrong, f"a solution in {page.name} computes a wrong answer: {wrong}"
    keys = {m["key"] for m in CHECK_CALL.finditer(page.read_text(encoding="utf-8"))}
    assert {r.key for r in run.checks if r.ok} == keys, "every check of the page is answered right by a solution"


def test_every_self_check_is_used_by_an_exercise_page():
    used = {m["key"] for p in PAGES for m in CHECK_CALL.finditer(p.read_text(encoding="utf-8"))}
    assert used == set(answers()), f"unused: {set(answers()) - used}; unknown: {used - set(answers())}"


def test_pages_are_valid_myst_notebooks():
    for page in PAGES:
        nb = jupytext.read(page)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        assert any(c.cell_type == "code" for c in nb.cells)


def test_sex_exercise_prose_holds():
    """Exercise 3.4: within schools girls score "a little over a point" lower, less than uncentred sx says,
    and a school with more girls has a lower mean; 37 schools are single-sex."""
    from hlmteach.classroom import reference_answer

    within, uncentred = reference_answer("random_coefficient.female_within"), reference_answer("random_coefficient.female_gamma")
    assert -1.5 < within < -1.0 and abs(within) < abs(uncentred)
    assert reference_answer("random_coefficient.prop_female_gamma") < 0
