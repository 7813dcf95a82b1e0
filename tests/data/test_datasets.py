"""The bundled HSB files, the Hsb82 layout, HLM's merge and centring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hlmteach
from tests.support.files import REFERENCE


def test_hsb_files():
    students, schools = hlmteach.hsb_students(), hlmteach.hsb_schools()
    assert students.shape == (7185, 5) and schools.shape == (160, 7)
    assert list(students.columns) == ["school", "minority", "sex", "ses", "mathach"]
    assert (schools["sector"].value_counts().to_dict()) == {"Public": 90, "Catholic": 70}


def test_load_hsb_is_mlmrevs_hsb82():
    ours = hlmteach.load_hsb()
    theirs = pd.read_csv(REFERENCE / "hsb82.csv", dtype={"school": str})
    assert list(ours.columns) == [*theirs.columns, "MEANSES"]
    for col in ["ses", "mAch", "meanses", "cses"]:
        np.testing.assert_allclose(ours[col], theirs[col], rtol=0, atol=1e-12)
    for col in ["school", "minrty", "sx", "sector"]:
        assert (ours[col].astype(str).to_numpy() == theirs[col].to_numpy()).all()
    assert list(ours["sector"].cat.categories) == ["Public", "Catholic"]
    assert list(ours["minrty"].cat.categories) == ["No", "Yes"]
    assert list(ours["sx"].cat.categories) == ["Male", "Female"]
    assert ours.loc[0, "MEANSES"] == -0.428 and ours.loc[0, "meanses"] == pytest.approx(-0.434383, abs=1e-6)


def level_files():
    level1 = pd.DataFrame({"id": [1, 1, 2, 2, 2, 3], "x": [1.0, 2, 3, 4, 5, 6], "y": [1.0, 0, 2, 1, 3, 2]})
    level2 = pd.DataFrame({"id": ["3", "1", "2"], "w": [0.5, -0.5, 1.5]})
    return level1, level2


def test_merge_levels_matches_ids_across_types():
    level1, level2 = level_files()
    merged = hlmteach.merge_levels(level1, level2, "id")
    assert merged["w"].tolist() == [-0.5, -0.5, 1.5, 1.5, 1.5, 0.5]
    assert merged["id"].tolist() == level1["id"].tolist()


def test_merge_levels_errors():
    level1, level2 = level_files()
    with pytest.raises(ValueError, match=r"1 level-1 rows belong to units missing from the level-2 file: ids \['3'\]"):
        hlmteach.merge_levels(level1, level2[level2["id"] != "3"], "id")
    with pytest.warns(UserWarning, match=r"1 level-2 units have no level-1 rows and are left out: ids \['9'\]"):
        hlmteach.merge_levels(level1, pd.concat([level2, pd.DataFrame({"id": ["9"], "w": [0.0]})]), "id")
    with pytest.raises(ValueError, match="more than once"):
        hlmteach.merge_levels(level1, pd.concat([level2, level2.iloc[:1]]), "id")
    with pytest.raises(ValueError, match=r"both files have columns named \['x'\]"):
        hlmteach.merge_levels(level1, level2.assign(x=1), "id")
    with pytest.raises(KeyError, match="id column 'school' is not in the level-1 file"):
        hlmteach.merge_levels(level1, level2, "school")
    with pytest.raises(ValueError, match="rows without an id"):
        hlmteach.merge_levels(level1.assign(id=[1, None, 2, 2, 2, 3]), level2, "id")


def test_centring():
    level1, level2 = level_files()
    data = hlmteach.merge_levels(level1, level2, "id")
    before = data.copy()
    np.testing.assert_allclose(hlmteach.center(data, "x", "group", "id"), [-0.5, 0.5, -1, 0, 1, 0])
    np.testing.assert_allclose(hlmteach.center(data, "x", "grand"), data["x"] - 3.5)
    np.testing.assert_allclose(hlmteach.center(data, "x", "none"), data["x"])
    pd.testing.assert_frame_equal(data, before)
    with pytest.raises(ValueError, match="needs the grouping column"):
        hlmteach.center(data, "x", "group")
    with pytest.raises(ValueError, match="must be 'none', 'group' or 'grand'"):
        hlmteach.center(data, "x", "within")
    with pytest.raises(TypeError, match="column 'id' is not numeric"):
        hlmteach.center(data.assign(id=data["id"].astype(str)), "id", "grand")


def test_group_centred_ses_is_cses(hsb):
    np.testing.assert_allclose(hlmteach.center(hsb, "ses", "group", "school"), hsb["cses"], atol=1e-12)
