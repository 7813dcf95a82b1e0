"""The package's rooms depend one way, and ``import hlmteach`` stays light.

The layer contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and
are checked here with import-linter, as ``lint-imports`` would; the engine's
third-party imports are checked against numpy, scipy and pandas with grimp,
the import graph import-linter is built on.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
STDLIB = set(sys.stdlib_module_names)


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("hlmteach", include_external_packages=True)


def test_layer_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout and "Contracts: 2 kept" in run.stdout, run.stdout


@pytest.mark.parametrize("room", ["hlmteach.engine", "hlmteach.data"])
def test_engine_and_data_import_only_numpy_scipy_and_pandas(room):
    g = graph()
    outside = set()
    for module in g.find_descendants(room) | {room}:
        for imported in g.find_modules_directly_imported_by(module):
            top = imported.split(".")[0]
            if top != "hlmteach" and top not in STDLIB:
                outside.add(top)
    assert outside <= {"numpy", "scipy", "pandas"}, f"{room} imports {sorted(outside - {'numpy', 'scipy', 'pandas'})}"


def test_engine_imports_nothing_else_of_hlmteach():
    g = graph()
    engine = g.find_descendants("hlmteach.engine") | {"hlmteach.engine"}
    for module in engine:
        others = {m for m in g.find_modules_directly_imported_by(module) if m.startswith("hlmteach") and m not in engine}
        assert not others, f"{module} imports {sorted(others)}"


def test_import_hlmteach_loads_neither_altair_nor_ipywidgets():
    heavy = "{'altair', 'ipywidgets', 'IPython', 'myst_nb'}"
    code = f"import sys, hlmteach; print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize("old", ["from hlmteach.widgets import live, LiveExplorer", "from hlmteach.checks import check, answers"])
def test_old_module_paths_keep_working(old):
    subprocess.run([sys.executable, "-c", old], check=True)


def test_no_module_is_over_400_lines():
    long = {
        p.relative_to(ROOT).as_posix(): n
        for p in (ROOT / "hlmteach").rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 400
    }
    assert not long, long
