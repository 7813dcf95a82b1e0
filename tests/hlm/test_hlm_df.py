"""HLM 7's df for the γs of a level-1 coefficient without a random effect.

HLM 7 prints J − S_q − 1 for the coefficients of a randomly varying β_q and a
level-1 df for a fixed one: Snijders & Bosker's example 4.2 (2,287 pupils in 131
schools, language score on grand-mean-centred verbal IQ with a fixed slope; HLM
output published with UCLA's HLM textbook examples) prints 130 for γ00 and 2285
for the IQ_VERB slope, i.e. N − F with F = 2 fixed effects.  The data are mlmRev's
``bdf`` (tests/fixtures/make_inference_references.R).
"""

from __future__ import annotations

import pandas as pd
import pytest

import hlmteach
from tests.support.files import FIXTURES


@pytest.fixture(scope="module")
def sb42():
    data = pd.read_csv(FIXTURES / "bdf_sb42.csv").assign(school=lambda d: d["school"].astype(str))
    data["iq_verb"] = hlmteach.center(data, "iq_verb", "grand")
    return hlmteach.lmer("langPOST ~ iq_verb + (1 | school)", data, reml=False)


def test_snijders_bosker_example_4_2(sb42):
    table = sb42.hlm_fixed(robust=False)
    assert (sb42.nobs, sb42.ngroups) == (2287, 131)
    assert table["df"].tolist() == [130, 2285]
    # HLM's printed estimates (ML): 40.609312 and 2.488070, SEs 0.306915 and 0.070055
    assert table["estimate"].tolist() == pytest.approx([40.609312, 2.488070], abs=1e-4)
    assert table["se"].tolist() == pytest.approx([0.306915, 0.070055], rel=2e-4)


def test_fixed_slopes_on_hsb(hsb):
    """MINRTY (exercise 1.5), SX (3.4) and the capstone's non-random SES slope: N − F; random ones: J − S_q − 1."""
    minority = hlmteach.lmer("mAch ~ minrty + (1 | school)", hsb).hlm_fixed()
    assert minority["df"].tolist() == [159, 7185 - 2]
    sex = hlmteach.lmer("mAch ~ cses + sx + (1 + cses | school)", hsb).hlm_fixed()
    assert sex["df"].tolist() == [159, 159, 7185 - 3]
    capstone_fixed = hlmteach.lmer("mAch ~ cses * (MEANSES + sector) + (1 | school)", hsb).hlm_fixed()
    assert capstone_fixed["df"].to_dict() == {
        "(Intercept)": 157,
        "MEANSES": 157,
        "sectorCatholic": 157,
        "cses": 7179,
        "cses:MEANSES": 7179,
        "cses:sectorCatholic": 7179,
    }
