"""Run notebooks top to bottom as a student's "Run all" does; run by the live environment's Python.

    python run_notebooks.py REPORT.json WORKDIR NOTEBOOK.ipynb [...]

Each notebook gets a fresh kernel (this interpreter's ``python3`` kernel)
started in its own empty folder under WORKDIR, and every code cell runs,
including cells tagged ``skip-execution`` (the book build skips them, a
student's "Run all" does not); a cell tagged ``raises-exception`` may raise,
as in JupyterLab.  REPORT.json gets, per notebook, the seconds it took, the
first error (or None), and every error or stderr output with its cell.

This file imports only nbclient and nbformat (which JupyterLab brings), never
the checkout: it runs inside the environment under test.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

TIMEOUT_S = 300


def problems(nb: nbformat.NotebookNode) -> list[dict]:
    """Error outputs and stderr text of every cell, with the cell's first line."""
    out = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error" or (kind == "stream" and output.get("name") == "stderr"):
                text = output.get("text") or f"{output.get('ename')}: {output.get('evalue')}"
                out.append({"cell": index, "source": cell.source.splitlines()[:1], "kind": kind, "text": text[-2000:]})
    return out


def run(path: Path, workdir: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    folder = workdir / path.stem
    folder.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        skip_cells_with_tag="hlmteach-no-such-tag",  # run skip-execution cells too
        resources={"metadata": {"path": str(folder)}},
    )
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except CellExecutionError as exc:
        error = str(exc)[-4000:]
    except Exception as exc:  # a kernel that died or timed out: report it, go on with the next notebook
        error = f"{type(exc).__name__}: {exc}"[-4000:]
    return {"seconds": round(time.perf_counter() - start, 2), "error": error, "problems": problems(nb)}


def main(argv: list[str]) -> int:
    report, workdir, *paths = argv
    results = {path: run(Path(path), Path(workdir)) for path in paths}
    Path(report).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
