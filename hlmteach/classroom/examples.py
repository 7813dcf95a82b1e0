"""Example data for the bring-your-own-data chapter: a simulated school district in HLM 7's two files.

HLM 7 users start from two files, one row per student and one row per school,
that share a school id.  :func:`district` simulates a small pair of that kind
(deterministic for a given seed, and small enough to read at a glance), and
:func:`write_district` writes it as two CSV files, as they would come from a
spreadsheet or a statistics package, or writes a *broken* pair with one of the
problems real files have (:data:`PROBLEMS`), so that the chapter can show
what the package says about each.

The district follows the book's last model: a school's mean maths score rises
with its students' mean SES and is higher in private schools; within a school,
scores rise with the student's SES, less steeply in private schools, and the
slope also varies from school to school.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["PROBLEMS", "Problem", "district", "write_district"]

Problem = Literal["missing_school", "empty_school", "text_in_number"]

#: What each broken pair of files gets wrong.
PROBLEMS: dict[str, str] = {
    "missing_school": "the student file has students of a school that the school file does not list",
    "empty_school": "the school file lists a school that has no students in the student file",
    "text_in_number": "one student's SES was typed with a decimal comma, so the column is read as text",
}

STUDENTS_FILE = "district_students.csv"
SCHOOLS_FILE = "district_schools.csv"


def district(schools: int = 40, seed: int = 2002) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A simulated district: ``(students, schools)`` sharing the id column ``schoolid``.

    ``students`` has ``student, schoolid, female, ses, math`` (15 to 40 students
    per school); ``schools`` has ``schoolid, size, private`` (enrolment, and 1
    for a private school, 0 for a public one; both kinds always occur).
    """
    if schools < 4:
        raise ValueError(f"a district needs at least 4 schools, got {schools}")
    rng = np.random.default_rng(seed)
    ids = np.arange(101, 101 + schools)
    private = np.resize([0, 1, 0], schools)[rng.permutation(schools)]  # a third private, both kinds present
    size = rng.integers(20, 160, schools) * 10
    n = rng.integers(15, 41, schools)
    school_ses = rng.normal(0.4 * private, 0.5)
    u = rng.multivariate_normal([0.0, 0.0], [[6.0, 0.6], [0.6, 0.8]], schools)  # u0j, u1j

    school = np.repeat(np.arange(schools), n)
    ses = np.round(rng.normal(school_ses[school], 0.8), 2)
    mean_ses = pd.Series(ses).groupby(school).transform("mean").to_numpy()
    slope = 4.0 - 2.0 * private[school] + u[school, 1]
    intercept = 50.0 + 3.0 * private[school] + 5.0 * mean_ses + u[school, 0]
    math = intercept + slope * (ses - mean_ses) + rng.normal(0.0, 5.0, len(school))

    students = pd.DataFrame(
        {
            "student": np.arange(1, len(school) + 1),
            "schoolid": ids[school],
            "female": rng.integers(0, 2, len(school)),
            "ses": ses,
            "math": np.round(math, 1),
        }
    )
    return students, pd.DataFrame({"schoolid": ids, "size": size, "private": private})


def write_district(folder: str | Path, problem: Problem | None = None, seed: int = 2002) -> tuple[Path, Path]:
    """Write the district's student and school files as CSV into ``folder``; return their paths.

    With ``problem`` (a key of :data:`PROBLEMS`), the pair is broken in that
    one way; the rest of the data is the same.
    """
    if problem is not None and problem not in PROBLEMS:
        raise ValueError(f"unknown problem {problem!r}; choose from {list(PROBLEMS)}")
    students, schools = district(seed=seed)
    if problem == "missing_school":
        schools = schools.drop(index=len(schools) // 2)
    elif problem == "empty_school":
        students = students[students["schoolid"] != schools["schoolid"].iloc[len(schools) // 2]]
    elif problem == "text_in_number":
        students = students.astype({"ses": object})
        row = len(students) // 3
        students.loc[row, "ses"] = f"{students.loc[row, 'ses']:.2f}".replace(".", ",")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / STUDENTS_FILE, folder / SCHOOLS_FILE
    students.to_csv(paths[0], index=False)
    schools.to_csv(paths[1], index=False)
    return paths
