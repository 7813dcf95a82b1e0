"""Where the tests' own reference files live: R's output recorded as fixtures, and mlmRev's Hsb82."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "fixtures"  # recorded from R by the make_*.R scripts beside them
REFERENCE = TESTS / "reference"  # data files from R packages (mlmRev's Hsb82)


def fixture(name: str) -> Any:
    """A JSON fixture recorded from R, by file name."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))
