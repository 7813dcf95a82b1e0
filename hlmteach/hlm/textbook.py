"""Raudenbush & Bryk's (2002) own printed numbers, for comparing the book's fits with the textbook.

:func:`textbook_table_4_5` returns the values of their Table 4.5 (the chapter-4
model: MEANSES and SECTOR predicting both the school means and the SES slopes)
that the book compares with its fit, to the digits the textbook prints.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["textbook_table_4_5"]


def textbook_table_4_5() -> dict:
    """R&B (2002) Table 4.5 as printed: ``formula`` (the model in lme4's syntax) and, per random
    effect, its ``variance``, χ² ``df`` and ``chi2``."""
    path = resources.files("hlmteach.data").joinpath("reference", "rb2002_table_4_5.json")
    table = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in table.items() if not k.startswith("_")}
