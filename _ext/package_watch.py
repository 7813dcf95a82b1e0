"""Sphinx extension: re-execute every page when the ``hlmteach`` package changes.

Sphinx re-reads (and MyST-NB, with ``execute_notebooks: force``, re-executes)
only the pages whose source changed since the last build.  The pages' outputs
and the API reference also depend on the package's code, so this extension
keeps a hash of ``hlmteach/`` (code and data) in the build environment and,
when it differs, marks every page as outdated.  A clean build (CI, a fresh
clone) executes everything anyway; ``jupyter-book build --all .`` forces it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parents[1] / "hlmteach"
ATTR = "hlmteach_package_hash"


def package_hash(root: Path = PACKAGE) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc", ".pyo"}:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    current = package_hash()
    previous = getattr(env, ATTR, None)
    setattr(env, ATTR, current)
    if previous is None or previous == current:
        return []
    logger.info("[package_watch] hlmteach/ changed since the last build: re-reading every page")
    return sorted(env.found_docs - removed)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("env-get-outdated", _outdated)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
