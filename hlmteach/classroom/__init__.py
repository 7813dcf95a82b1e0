"""The classroom: self-checks for the exercises and example data for the own-data chapter.

:func:`check` tells a student whether an answer is right, with a hint and
never the answer (:mod:`.checks`; the reference values are fitted on demand
in :mod:`.answers`).  :mod:`.examples` simulates a small school district in
HLM 7's two files, and broken versions of them, for the own-data chapter.
"""

from . import examples
from .checks import CheckResult, answers, check, reference_answer, tolerance
from .examples import PROBLEMS, district, write_district

__all__ = [
    "PROBLEMS",
    "CheckResult",
    "answers",
    "check",
    "district",
    "examples",
    "reference_answer",
    "tolerance",
    "write_district",
]
