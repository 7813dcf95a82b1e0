"""A virtual environment with only ``hlmteach[live]`` in it: what a student gets from the README's command.

:func:`live_python` makes it (once) in ``_build/live-venv`` with
``python -m venv`` and ``pip install "<copy of this checkout>[live]"``, and
returns its interpreter.  The dependencies are kept between test sessions
while the package's requirements (``[project] dependencies`` and the
``live`` extra of ``pyproject.toml``) and the Python version stay the same;
the ``hlmteach`` wheel itself is rebuilt from this checkout and reinstalled
once per test run (once for all pytest-xdist workers: they take turns through
a lock file and share the run's id), so the tests run the code under test.  In
CI (a clean clone) the folder does not exist and the environment is made
from scratch.

The wheel is built from a copy of the files a wheel needs (``pyproject.toml``,
``README.md``, ``hlmteach/``), so pip writes no ``build/`` or ``egg-info``
into the checkout, and so a file missing from the package data fails here
as it would for a student.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIVE_VENV = Path(os.environ.get("HLMTEACH_LIVE_VENV", ROOT / "_build" / "live-venv"))
KEY_FILE = "hlmteach-live-key.json"
RUN_FILE = "hlmteach-live-run.txt"  # the id of the test run that last installed this checkout's hlmteach
BIN = "Scripts" if os.name == "nt" else "bin"


def requirements_key() -> dict[str, object]:
    """What the environment's dependencies depend on: the package's requirements and the Python version."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {"python": sys.version.split()[0], "dependencies": project["dependencies"]}
    wanted["live"] = project["optional-dependencies"]["live"]
    return {**wanted, "sha": hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()[:16]}


def clean_env() -> dict[str, str]:
    """This process's environment without what would leak the checkout or the book build into the venv."""
    drop = {"PYTHONPATH", "HLMTEACH_BOOK_BUILD", "VIRTUAL_ENV", "PYTHONHOME", "JUPYTER_PATH", "JUPYTER_CONFIG_DIR"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def _source_copy(folder: Path) -> Path:
    """The files a wheel of hlmteach is built from, copied into ``folder``."""
    src = folder / "hlmteach-src"
    shutil.copytree(ROOT / "hlmteach", src / "hlmteach", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    return src


def _pip(python: Path, *args: str | Path) -> None:
    cmd = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *map(str, args)]
    result = subprocess.run(cmd, env=clean_env(), capture_output=True, text=True, check=False)
    if result.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")


def _run_id() -> str:
    """One id per test run: pytest-xdist's workers share ``PYTEST_XDIST_TESTRUNUID``; a plain run is one process."""
    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"


@contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """Hold ``lock`` (an advisory file lock) while the environment is made or refreshed."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@cache
def live_python() -> Path:
    """The interpreter of the ``hlmteach[live]`` environment, made or refreshed once per test run."""
    python = LIVE_VENV / BIN / "python"
    key = requirements_key()
    key_path, run_path = LIVE_VENV / KEY_FILE, LIVE_VENV / RUN_FILE
    with _exclusive(LIVE_VENV.with_name(LIVE_VENV.name + ".lock")):
        fresh = not (python.exists() and key_path.is_file() and json.loads(key_path.read_text())["sha"] == key["sha"])
        if not fresh and run_path.is_file() and run_path.read_text() == _run_id():
            return python  # another worker of this run has installed it
        with tempfile.TemporaryDirectory(prefix="hlmteach-wheel-") as tmp:
            src = _source_copy(Path(tmp))
            if fresh:
                shutil.rmtree(LIVE_VENV, ignore_errors=True)
                venv.create(LIVE_VENV, with_pip=True, clear=True)
                _pip(python, f"{src}[live]")  # exactly the README's command
                key_path.write_text(json.dumps(key, indent=1), encoding="utf-8")
            else:
                _pip(python, "--no-deps", "--force-reinstall", src)
        run_path.write_text(_run_id(), encoding="utf-8")
    return python


def live_bin(name: str) -> Path:
    """A console script of the live environment (``jupyter``, ``jupyter-lab``, ...)."""
    return live_python().parent / name


if __name__ == "__main__":  # python -m tests.live.environment: make or refresh it, print its python
    print(live_python())
