"""The book's pages as tests read them: exercise pages, their gated blocks, and running their cells.

Shared by the classroom tests (exercises, student notebooks, own data).
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

import hlmteach.classroom
from hlmteach.classroom import CheckResult

from .book_html import ROOT

BOOK = ROOT / "book"

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
    """Make ``hlmteach.classroom.check`` record its verdicts while the block runs."""
    original = hlmteach.classroom.check
    results: list[CheckResult] = []

    def recording(key: str, answer: object) -> CheckResult:
        results.append(original(key, answer))
        return results[-1]

    hlmteach.classroom.check = recording
    try:
        yield results
    finally:
        hlmteach.classroom.check = original


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


def solution_only_lines(text: str) -> list[str]:
    """Lines of the page's solutions that appear nowhere else on the page (code and prose)."""
    inside, outside = set(), set()
    in_solution = False
    for line in text.splitlines():
        m = FENCE.match(line)
        if m and m["name"] in ("solution-start", "solution-end"):
            in_solution = m["name"] == "solution-start"
            continue
        (inside if in_solution else outside).add(line.strip())
    return sorted(line for line in inside - outside if len(line) > 8 and not line.startswith((":", "```")))


def leaked(solution_lines: list[str], text: str) -> list[str]:
    """The solution lines that ``text`` (a notebook's or a page's source) has, as whole lines."""
    lines = {line.strip() for line in text.splitlines()}
    return [line for line in solution_lines if line in lines]


PAGES = exercise_pages()
IDS = [p.stem for p in PAGES]
