"""Every notebook the built site offers for download runs top to bottom with only ``hlmteach[live]``, offline.

A student downloads a page (the ``.ipynb`` button of every page, the student
and instructor notebooks of the exercise pages and the capstone), makes the
README's environment (``pip install ".[live]"``) and presses "Run all".  The
test does the same: the notebooks run in the environment of
:mod:`tests.live.environment` (no myst-nb, no Sphinx, not this checkout:
``hlmteach`` is the installed wheel), each with a fresh kernel in an empty
folder, every cell including those tagged ``skip-execution`` (the live
explorers), and, where the machine allows it (``unshare -n``, as root), in a
network namespace that has only a loopback device, so a notebook that needs
the internet fails here.  Two notebooks run at a time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.live.environment import LIVE_VENV, clean_env

pytestmark = pytest.mark.slow
RUNNER = Path(__file__).with_name("run_notebooks.py")
WORKERS = 2


def offline_prefix() -> list[str]:
    """``unshare -n`` with the loopback device up, when this machine lets us; otherwise nothing."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return []
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"] if probe.returncode == 0 else []


def run_all(python: Path, notebooks: list[Path], tmp: Path) -> dict[str, dict]:
    """Run the notebooks in WORKERS processes of the live environment; merge their reports."""
    groups = [notebooks[k::WORKERS] for k in range(WORKERS)]
    env = {**clean_env(), "HLMTEACH_CACHE": str(tmp / "cache")}  # the offline chart bundle: made here, not read from ~
    procs = []
    for k, group in enumerate(g for g in groups if g):
        report = tmp / f"report-{k}.json"
        cmd = [*offline_prefix(), str(python), str(RUNNER), str(report), str(tmp / "work"), *map(str, group)]
        procs.append((report, subprocess.Popen(cmd, env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)))
    results: dict[str, dict] = {}
    for report, proc in procs:
        output, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0, f"the notebook runner failed:\n{output.decode(errors='replace')[-3000:]}"
        results.update(json.loads(report.read_text(encoding="utf-8")))
    return results


def test_the_site_offers_every_page_and_exercise_notebook(site_notebooks):
    """A page whose download link disappeared would drop out of the run below unnoticed: name them all."""
    names = {p.stem for p in site_notebooks}
    pages = {"unconditional", "means_as_outcomes", "random_coefficient", "intercepts_slopes"}
    wanted = {"intro", "comparison", "reml", "own_data", "capstone", *pages}
    wanted |= {f"explore_{p}" for p in pages} | {f"exercises_{p}" for p in pages}
    wanted |= {f"exercises_{p}-{who}" for p in pages for who in ("student", "instructor")}
    wanted |= {f"capstone-{who}" for who in ("student", "instructor")}
    assert wanted <= names, f"not offered for download: {sorted(wanted - names)}"


def test_every_downloadable_notebook_runs_with_only_the_live_extra(site_notebooks, live_python, tmp_path):
    check = subprocess.run([str(live_python), "-c", "import myst_nb"], env=clean_env(), capture_output=True, check=False)
    assert check.returncode != 0, "the live environment has myst-nb: it would hide a notebook that needs the book build"
    where = subprocess.run(
        [str(live_python), "-c", "import hlmteach; print(hlmteach.__file__)"],
        env=clean_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert LIVE_VENV.resolve() in Path(where).resolve().parents, f"hlmteach comes from {where}, not the installed wheel"

    results = run_all(live_python, site_notebooks, tmp_path)
    failures = []
    for path, result in results.items():
        name = Path(path).relative_to(Path(path).parents[1])
        if result["error"]:
            failures.append(f"{name}: {result['error']}")
        failures += [f"{name}, cell {p['cell']} {p['source']}: {p['kind']}: {p['text']}" for p in result["problems"]]
    assert not failures, "\n\n".join(failures)
    assert len(results) == len(site_notebooks)


def test_a_kernel_imports_the_explorers_without_building_parsers(live_python):
    """Every notebook's first cell imports the explorers: nothing in it may compile a grammar (the jsonschema pin)."""
    code = "import sys, hlmteach.explore; print(sorted(m for m in ('rfc3987_syntax', 'lark') if m in sys.modules))"
    result = subprocess.run([str(live_python), "-c", code], env=clean_env(), capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", f"importing hlmteach.explore loads {result.stdout.strip()}"
