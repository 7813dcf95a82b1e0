#!/usr/bin/env python3
"""The project's two commands, for a fresh clone with only Python 3.11+.

    python3 dev.py book             # install what is needed, build the book into _build/html,
                                    # and the whole book as one PDF, _build/html/hlmteach.pdf
    python3 dev.py book --student   # the student edition (no solutions) and its PDF, into _build/student/html
    python3 dev.py test             # install what is needed, build the book, its PDF and the
                                    # student edition, run every test

Both create (once) a virtual environment in .venv and install
requirements.txt and this package into it.  The PDF is printed, and the
browser tests run, by Debian's Chromium at /usr/bin/chromium; the PDF tests
read the PDF with pdftotext (Debian's poppler-utils).  As root `test` installs
both with apt-get when they are missing, otherwise it says how to; `book`
skips the PDF, saying how to get Chromium, when it is missing.
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
# What the tests need from Debian: the program to look for, and its package.
DEBIAN = {"chromium": (CHROMIUM, "chromium"), "pdftotext": (Path("/usr/bin/pdftotext"), "poppler-utils")}


def run(*cmd: str | Path) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True)


def install() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 -- dev.py must run (and explain) on older Pythons too
        sys.exit(f"hlmteach needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt", "-e", ".")


def build_book(student: bool = False) -> None:
    """The full edition (jupyter-book) and its PDF, or the student edition and its PDF (tools/build_editions.py)."""
    if student:
        run(BIN / "python", "tools/build_editions.py", "student")
        run(BIN / "python", "tools/build_editions.py", "pdf", "--student")
        return
    run(BIN / "jupyter-book", "build", "-W", "--keep-going", ".")
    run(BIN / "python", "tools/build_editions.py", "pdf")


def ensure_debian_tools() -> None:
    missing = [package for program, package in DEBIAN.values() if not program.exists()]
    if not missing:
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)
        return
    sys.exit(f"the tests need Chromium and pdftotext: run `sudo apt-get install {' '.join(missing)}` and retry")


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command not in ("book", "test"):
        sys.exit(__doc__)
    args = sys.argv[2:]
    student = command == "book" and "--student" in args
    install()
    if command == "test":
        ensure_debian_tools()
        run(BIN / "ruff", "check", ".")
    build_book(student)
    if command == "test":
        run(BIN / "python", "tools/build_editions.py", "student")
        # Two workers, files in the order tests/conftest.py gives (the slow folders first): most of
        # the time goes to tests that wait on Chromium, JupyterLab and kernels.
        run(BIN / "python", "-m", "pytest", "-n", "2", "--dist", "loadfile", "--no-loadscope-reorder", *args)


if __name__ == "__main__":
    main()
