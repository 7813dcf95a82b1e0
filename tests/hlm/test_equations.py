"""TwoLevelModel's equations: every term in its place, lines short enough for a phone."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hlmteach import Level1Predictor, TwoLevelModel
from hlmteach.hlm import spec

LABELS = {"mAch": "MATHACH", "ses": "SES", "sector": "SECTOR"}
MODELS = {
    "unconditional": TwoLevelModel("mAch", "school"),
    "means_as_outcomes": TwoLevelModel("mAch", "school", intercept_level2=("MEANSES",)),
    "random_coefficient": TwoLevelModel("mAch", "school", (Level1Predictor("ses", "group", True),), labels=LABELS),
    "intercepts_slopes": TwoLevelModel(
        "mAch", "school", (Level1Predictor("ses", "group", True, ("sector",)),), intercept_level2=("sector",), labels=LABELS
    ),
    "capstone": TwoLevelModel(
        "mAch", "school", (Level1Predictor("ses", "group", True, ("MEANSES", "sector")),), intercept_level2=("MEANSES", "sector")
    ),
    "two predictors, grand-mean": TwoLevelModel(
        "mAch", "school", (Level1Predictor("ses", "grand", True, ("MEANSES",)), Level1Predictor("minrty", random=True))
    ),
}


def rows(latex: str) -> list[str]:
    body = latex.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}")
    return [r.strip() for r in body.split(r" \\ ")]


def terms(equation: str) -> list[str]:
    """The terms of ``lhs = a + b + …`` (the sides split at the top-level " = ")."""
    _, rhs = equation.split(" = ", 1)
    return rhs.split(" + ")


@pytest.mark.parametrize("model", MODELS.values(), ids=list(MODELS))
def test_latex_keeps_every_term_of_every_equation(model):
    latex = model.latex()
    flat = re.sub(r"\\text\{(Level 1|Level 2|Mixed):\}(\\quad)?", "", latex)
    flat = re.sub(r"\\begin\{aligned\}|\\end\{aligned\}|&|\\\\|\\qquad|\\quad", " ", flat)
    flat = " ".join(flat.replace("{} + ", "+ ").split()).replace("= + ", "= ")
    eq = model.equations()
    for equation in [eq["level1"], *eq["level2"], eq["mixed"]]:
        head, _ = equation.split(" = ", 1)
        assert head in flat
        for term in terms(equation):
            assert term in flat, f"{term} is missing from {latex}"
    assert "Mixed:" in latex and latex.startswith(r"\begin{aligned}")


@given(st.lists(st.floats(10, 300), min_size=1, max_size=12), st.floats(200, 800))
def test_wrapped_lines_fit_their_room(widths, room):
    lhs = spec._Tex("y", 60)
    pieces = [spec._Tex(f"t{k}", w) for k, w in enumerate(widths)]
    lines = spec._wrap(lhs, pieces, room)
    assert " ".join(lines).replace("{} + ", "+ ").replace("+ ", "").split(" = ")[1].split() == [
        p.tex for p in pieces
    ]  # all, in order
    k = 0
    for n, line in enumerate(lines):
        count = len(line.split(" = ")[-1].removeprefix("{} + ").split(" + "))
        used = (lhs.width if n == 0 else spec._INDENT) + spec._OP * count + sum(p.width for p in pieces[k : k + count])
        assert used <= room or count == 1, f"line {n} is {used:.0f} px in {room:.0f}"
        k += count


def test_narrow_width_breaks_more_lines():
    model = MODELS["capstone"]
    assert len(rows(model.latex(width=250))) > len(rows(model.latex())) > len(rows(model.latex(width=2000)))


def test_short_models_keep_their_labels_inline():
    assert rows(MODELS["unconditional"].latex())[0].startswith(r"\text{Level 1:}\quad &")
    assert rows(MODELS["capstone"].latex())[0] == r"&\text{Level 1:}"
