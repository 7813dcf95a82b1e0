#!/usr/bin/env python3
"""The project's two commands, for a fresh clone with only Python 3.11+.

    python3 dev.py book   # install what is needed, build the book into _build/html
    python3 dev.py test   # install what is needed, build the book, run every test

Both create (once) a virtual environment in .venv and install
requirements.txt and this package into it.  The browser tests drive Debian's
Chromium at /usr/bin/chromium; as root `test` installs it with apt-get when it
is missing, otherwise it says how to.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
CHROMIUM = Path("/usr/bin/chromium")


def run(*cmd: str | Path) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True)


def install() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 -- dev.py must run (and explain) on older Pythons too
        sys.exit(f"hlmteach needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt", "-e", ".")


def build_book() -> None:
    run(BIN / "jupyter-book", "build", "-W", "--keep-going", ".")


def ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
        return
    sys.exit("the browser tests need Chromium at /usr/bin/chromium: run `sudo apt-get install chromium` and retry")


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command not in ("book", "test"):
        sys.exit(__doc__)
    install()
    if command == "test":
        ensure_chromium()
        run(BIN / "ruff", "check", ".")
    build_book()
    if command == "test":
        run(BIN / "python", "-m", "pytest", *sys.argv[2:])


if __name__ == "__main__":
    main()
