"""Open a notebook in a real JupyterLab, run it, click through a live explorer, and report what the page showed.

    python -m tests.live.drive_lab REPORT.json NOTEBOOK.ipynb STEPS.json LIVE_PYTHON

Run as its own process by ``test_jupyterlab.py``: Playwright's sync API
cannot start a second time inside a pytest session whose browser tests
already run one.  JupyterLab comes from the ``hlmteach[live]`` environment of
LIVE_PYTHON (:mod:`tests.live.environment`) and serves a temporary copy of NOTEBOOK.
STEPS is a list of ``["control", name, option index]`` and ``["tab", title]``.
REPORT gets the state after "Run all" and after each step (the formula, every
panel of the explorer, every chart in the outputs, the step's timings), then
the error outputs, browser errors and every request the page made.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.live.jupyterlab import (
    LabPage,
    click_control,
    click_tab,
    drawn_charts,
    explorer_formula,
    explorer_panels,
    jupyter_lab,
)
from tests.support.chromium import launch


def state(page: Any) -> dict[str, Any]:
    return {"formula": explorer_formula(page), "panels": explorer_panels(page), "charts": drawn_charts(page)}


def main(argv: list[str]) -> int:
    report_path, notebook, steps_path, python = argv
    steps = json.loads(Path(steps_path).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="hlmteach-lab-root-") as tmp:
        root = Path(tmp)
        shutil.copy(notebook, root / Path(notebook).name)
        with jupyter_lab(Path(python), root) as lab, launch() as browser:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            lab_page = LabPage(page, lab)
            lab_page.open(Path(notebook).name)
            lab_page.run_all()
            report: dict[str, Any] = {"initial": state(page), "steps": []}
            for step in steps:
                redrawn = click_control(page, step[1], step[2]) if step[0] == "control" else click_tab(page, step[1])
                report["steps"].append({"step": step, "redrawn": redrawn, **state(page)})
            report.update(
                errors=lab_page.error_outputs(),
                page_errors=lab_page.page_errors,
                requests=lab_page.requests,
                external_requests=lab_page.external_requests,
            )
    Path(report_path).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
