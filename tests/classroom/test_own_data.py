"""The bring-your-own-data chapter: the example district, the four models on it, and the broken files.

Each problem of ``hlmteach.classroom.PROBLEMS`` is written as a broken pair of
CSV files and read the way the chapter reads them; the package must stop (or
warn) with a message that names the culprit, and the chapter must show that
message.  The culprits are found in the files, not typed here.
"""

from __future__ import annotations

import warnings

import jupytext
import pandas as pd
import pytest

import hlmteach
from hlmteach import Level1Predictor, TwoLevelModel
from hlmteach.classroom import PROBLEMS, district, write_district
from tests.support.pages import BOOK, run_cells

PAGE = BOOK / "own_data.md"


def read(folder, problem=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    students_csv, schools_csv = write_district(folder, problem)
    return pd.read_csv(students_csv), pd.read_csv(schools_csv)


def test_district_is_deterministic_and_shaped_like_hlm_files():
    students, schools = district()
    again_students, again_schools = district()
    pd.testing.assert_frame_equal(students, again_students)
    pd.testing.assert_frame_equal(schools, again_schools)
    assert list(students.columns) == ["student", "schoolid", "female", "ses", "math"]
    assert list(schools.columns) == ["schoolid", "size", "private"]
    assert schools["schoolid"].is_unique and students["student"].is_unique
    assert set(students["schoolid"]) == set(schools["schoolid"])
    assert set(schools["private"]) == {0, 1}
    assert students.groupby("schoolid").size().between(15, 40).all()
    assert not district(seed=1)[0].equals(students)
    with pytest.raises(ValueError, match="at least 4 schools"):
        district(schools=3)


def test_written_files_read_back_as_the_district(tmp_path):
    students, schools = read(tmp_path)
    expected_students, expected_schools = district()
    pd.testing.assert_frame_equal(students, expected_students)
    pd.testing.assert_frame_equal(schools, expected_schools)
    with pytest.raises(ValueError, match="unknown problem"):
        write_district(tmp_path, "typo")  # type: ignore[arg-type]


def test_four_models_fit_the_merged_files(tmp_path):
    students, schools = read(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = hlmteach.merge_levels(students, schools, "schoolid")
        data["mean_ses"] = hlmteach.group_means(data, "ses", "schoolid")
        ses = Level1Predictor("ses", centering="group", random=True, level2=("private",))
        models = [
            TwoLevelModel("math", "schoolid"),
            TwoLevelModel("math", "schoolid", intercept_level2=("mean_ses",)),
            TwoLevelModel("math", "schoolid", (Level1Predictor("ses", centering="group", random=True),)),
            TwoLevelModel("math", "schoolid", (ses,), intercept_level2=("private",)),
        ]
        for model in models:
            fit = model.fit(data)
            assert fit.converged and not fit.singular
            assert fit.nobs == len(students) and fit.ngroups == len(schools)


def test_missing_school_stops_the_merge_and_names_it(tmp_path):
    students, schools = read(tmp_path, "missing_school")
    missing = sorted(set(students["schoolid"]) - set(schools["schoolid"]))
    assert len(missing) == 1
    rows = int(students["schoolid"].isin(missing).sum())
    with pytest.raises(ValueError, match=rf"{rows} level-1 rows .* missing from the level-2 file: ids \['{missing[0]}'\]"):
        hlmteach.merge_levels(students, schools, "schoolid")


def test_empty_school_is_left_out_with_a_warning_that_names_it(tmp_path):
    students, schools = read(tmp_path, "empty_school")
    empty = sorted(set(schools["schoolid"]) - set(students["schoolid"]))
    assert len(empty) == 1
    with pytest.warns(UserWarning, match=rf"1 level-2 units have no level-1 rows .* ids \['{empty[0]}'\]"):
        merged = hlmteach.merge_levels(students, schools, "schoolid")
    assert merged["schoolid"].nunique() == len(schools) - 1


def test_text_in_a_number_column_is_refused_naming_the_column(tmp_path):
    students, schools = read(tmp_path, "text_in_number")
    assert not pd.api.types.is_numeric_dtype(students["ses"])
    merged = hlmteach.merge_levels(students, schools, "schoolid")
    for step in (
        lambda: hlmteach.group_means(merged, "ses", "schoolid"),
        lambda: hlmteach.center(merged, "ses", "group", "schoolid"),
        lambda: TwoLevelModel("math", "schoolid", (Level1Predictor("ses", centering="group"),)).fit(merged),
    ):
        with pytest.raises(TypeError, match="column 'ses' is not numeric"):
            step()


def test_chapter_runs_and_shows_each_message():
    text = PAGE.read_text(encoding="utf-8")
    assert 'static_explorer("intercepts_slopes", data, **roles)' in text  # the model chapters' explorer, on own data
    run = run_cells(jupytext.reads(text, fmt="md:myst"), PAGE.name)
    for shown in ("ValueError: ", "missing from the level-2 file", "UserWarning: ", "have no level-1 rows", "TypeError: "):
        assert shown in run.stdout
    assert "column 'ses' is not numeric" in run.stdout
    for problem in PROBLEMS:
        assert f'problem="{problem}"' in text
