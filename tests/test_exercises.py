"""The exercise pages: their structure, and every solution's code run against the self-checks.

The book build executes every page, so a solution that raises breaks the
build.  These tests add what the build cannot see: that each solution's
``check`` says ✓ (a solution that computes the wrong number is a broken
solution), that each exercise is graded by a check, that every chapter has
enough exercises, and that every self-check of the package is used by a page.

``run_cells`` and ``exercise_pages`` are shared with the other classroom tests.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
import pytest

import hlmteach.checks
from hlmteach.checks import CheckResult, answers

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
sys.path.insert(0, str(ROOT / "_ext"))

import student_notebooks  # noqa: E402 -- the book's extension lives in _ext/

MODEL_CHAPTERS = ("unconditional", "means_as_outcomes", "random_coefficient", "intercepts_slopes")
FENCE = re.compile(r"^```\{(?P<name>[\w-]+)\}\s*(?P<argument>.*)$")
CHECK_CALL = re.compile(r"""check\(\s*["'](?P<key>[\w.]+)["']""")


def exercise_pages() -> list[Path]:
    """Every page that asks for exercise notebooks (the exercise sections and the capstone)."""
    return sorted(p for p in BOOK.glob("*.md") if "```{exercise-notebooks}" in p.read_text(encoding="utf-8"))


@dataclass
class Run:
    """What running a notebook's code cells produced: printed text and every check's verdict."""

    stdout: str = ""
    checks: list[CheckResult] = field(default_factory=list)


@contextlib.contextmanager
def recording_checks() -> Iterator[list[CheckResult]]:
    """Make ``hlmteach.checks.check`` record its verdicts while the block runs."""
    original = hlmteach.checks.check
    results: list[CheckResult] = []

    def recording(key: str, answer: object) -> CheckResult:
        results.append(original(key, answer))
        return results[-1]

    hlmteach.checks.check = recording
    try:
        yield results
    finally:
        hlmteach.checks.check = original


def run_cells(nb: nbformat.NotebookNode, name: str) -> Run:
    """Run a notebook's code cells in order, in this process, as a kernel would (minus display)."""
    namespace: dict[str, object] = {"__name__": "__main__", "display": print}
    out = io.StringIO()
    with recording_checks() as results, contextlib.redirect_stdout(out):
        for k, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and "skip-execution" not in cell.metadata.get("tags", []):
                exec(compile(cell.source, f"{name}[cell {k}]", "exec"), namespace)  # the book's own code
    return Run(out.getvalue(), results)


def blocks(text: str) -> list[tuple[str, str, list[str]]]:
    """The page's gated blocks in order: (kind, label, lines), kind "exercise" or "solution"."""
    found, current = [], None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = FENCE.match(line)
        if not m:
            if current is not None:
                current[2].append(line)
            continue
        if m["name"] in ("exercise-start", "solution-start"):
            label = m["argument"].strip()
            if m["name"] == "exercise-start":
                label = next(ln.split(":label:")[1].strip() for ln in lines[i + 1 : i + 4] if ln.startswith(":label:"))
            current = (m["name"].split("-")[0], label, [])
        elif m["name"] in ("exercise-end", "solution-end"):
            found.append(current)
            current = None
        elif current is not None:
            current[2].append(line)
    return found


PAGES = exercise_pages()
IDS = [p.stem for p in PAGES]


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
