"""Old home of the self-checks, kept so ``from hlmteach.checks import check`` keeps working.

The self-checks now live in :mod:`hlmteach.classroom` (:mod:`hlmteach.classroom.checks`).
"""

from .classroom.checks import CheckResult, answers, check, reference_answer, tolerance

__all__ = ["CheckResult", "answers", "check", "reference_answer", "tolerance"]
