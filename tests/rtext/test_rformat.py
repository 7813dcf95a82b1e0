"""hlmteach.rformat against R's own output, string for string.

Every case in fixtures/rformat_cases.json holds inputs and what R 4.2.2 printed
for them; fixtures/make_rformat_cases.R regenerates the file (R is not needed
to run these tests).  A few hypothesis properties check invariants without R.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hlmteach.rtext.rformat import format_num, format_pval, r_quantile, r_round, zapsmall
from hlmteach.rtext.rprint import abbreviate, format_quantiles, print_anova, print_coefmat, print_matrix, print_named
from tests.support.files import fixture

CASES: dict[str, Any] = fixture("rformat_cases.json")


def nums(xs: list[str | None]) -> list[float | None]:
    """Decode the fixture's "%.17g" strings (null is NA)."""
    return [None if x is None else float(x) for x in xs]


def same_float(a: float, b: float | None) -> bool:
    """Equal as floats (R's ==, so -0.0 matches 0.0), NaN matching NA."""
    return (b is None or math.isnan(b)) if math.isnan(a) else a == b


def check(kind: str, actual: Callable[[dict[str, Any]], Any], expected: Callable[[dict[str, Any]], Any]) -> None:
    """Assert actual(case) == expected(case) for every case of one kind, listing failures."""
    bad = [(case, actual(case), expected(case)) for case in CASES[kind]]
    bad = [b for b in bad if b[1] != b[2]]
    report = "\n".join(f"{c}\n  got      {a!r}\n  expected {e!r}" for c, a, e in bad[:5])
    assert not bad, f"{len(bad)} of {len(CASES[kind])} {kind} cases differ from R:\n{report}"


def all_same(pairs: Iterable[tuple[float, float | None]]) -> bool:
    return all(same_float(a, b) for a, b in pairs)


def test_format_num() -> None:
    check("format", lambda c: format_num(nums(c["x"]), c["digits"], c["nsmall"]), lambda c: c["out"])


def test_r_round() -> None:
    check(
        "round",
        lambda c: same_float(r_round(float(c["x"]), float(c["digits"])), float(c["out"])),
        lambda c: True,
    )


def test_r_round_fractional_digits() -> None:
    assert r_round(0.0241349, 4.504) == 0.02413
    assert r_round(0.0241349, 4.4) == 0.0241
    assert r_round(0.15, 1) == 0.1  # R >= 4.0: 0.15 is stored below the half
    assert r_round(2.5) == 2.0


def test_zapsmall() -> None:
    check("zapsmall", lambda c: all_same(zip(zapsmall(nums(c["x"]), c["digits"]), nums(c["out"]), strict=True)), lambda c: True)


def test_format_pval() -> None:
    check("format_pval", lambda c: format_pval(nums(c["p"]), c["digits"]), lambda c: c["out"])


def test_print_coefmat() -> None:
    check(
        "coefmat",
        lambda c: print_coefmat(c["rows"], c["columns"], [nums(r) for r in c["matrix"]], c["digits"]),
        lambda c: c["out"],
    )


def test_print_anova() -> None:
    check("anova", lambda c: print_anova(c["rows"], c["columns"], [nums(r) for r in c["matrix"]]), lambda c: c["out"])


def test_abbreviate() -> None:
    check("abbreviate", lambda c: abbreviate(c["names"], c["minlength"]), lambda c: c["out"])


def test_print_named() -> None:
    check("named", lambda c: print_named(c["names"], nums(c["x"]), c["digits"]), lambda c: c["out"])


def test_r_quantile() -> None:
    check("residuals", lambda c: all_same(zip(r_quantile(nums(c["resid"])), nums(c["quantile"]), strict=True)), lambda c: True)


def test_format_quantiles() -> None:
    check("residuals", lambda c: "Scaled residuals: \n" + format_quantiles(nums(c["resid"])) + "\n", lambda c: c["out"])


def correlation_text(names: list[str], corr: list[list[float | None]]) -> str:
    """lme4's "Correlation of Fixed Effects" table, built as print.summary.merMod does."""
    p = len(names)
    cells = format_num([r_round(v, 3) for row in corr for v in row], nsmall=3)
    lower = [[cells[i * p + j] if j < i else "" for j in range(p - 1)] for i in range(1, p)]
    return print_matrix(abbreviate(names, 11)[1:], abbreviate(names, 6)[:-1], lower, right=False)


def test_correlation_table() -> None:
    check("correlation", lambda c: correlation_text(c["names"], [nums(r) for r in c["corr"]]), lambda c: c["out"])


@pytest.mark.parametrize("model", CASES["seed_models"], ids=lambda m: m["formula"])
def test_seed_model_blocks(model: dict[str, Any]) -> None:
    """The seed fits' Fixed effects, Scaled residuals, correlation and ranova blocks."""
    coefs = [nums(r) for r in model["matrix"]]
    assert print_coefmat(model["rows"], model["columns"], coefs) == model["coef_out"]
    residuals = print_named(["Min", "1Q", "Median", "3Q", "Max"], zapsmall(nums(model["quantile"]), 5), 4)
    assert "Scaled residuals: \n" + residuals + "\n" == model["resid_out"]
    if "corr" in model:
        assert correlation_text(model["rows"], [nums(r) for r in model["corr"]]) == model["corr_out"]
    if "ranova" in model:
        rt = model["ranova"]
        assert print_anova(rt["rows"], rt["columns"], [nums(r) for r in rt["matrix"]]) == rt["out"]


@pytest.mark.parametrize("table", CASES["seed_anova"], ids=["m1-vs-lm", "m3-vs-m4"])
def test_seed_anova(table: dict[str, Any]) -> None:
    """anova() model comparisons, including R's wrapping of the stars column."""
    assert print_anova(table["rows"], table["columns"], [nums(r) for r in table["matrix"]]) == table["out"]


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


@given(st.lists(finite, min_size=1, max_size=8), st.integers(1, 9))
def test_format_num_common_width_and_accuracy(xs: list[float], digits: int) -> None:
    """All fields share one width, and each shows x to within half its last digit."""
    out = format_num(xs, digits)
    assert len({len(s) for s in out}) == 1
    for x, s in zip(xs, out, strict=True):
        shown = float(s)
        if "e" in s:
            mantissa = s.strip().split("e")[0]
            ulp = 10.0 ** (int(s.split("e")[1]) - len(mantissa.lstrip("-").split(".")[-1]) * ("." in mantissa))
        else:
            ulp = 10.0 ** -len(s.split(".")[1]) if "." in s else 1.0
        assert abs(shown - x) <= ulp / 2 * (1 + 1e-6) + 1e-300  # exact ties (e.g. 2**-14) sit at half a unit


@given(st.lists(st.text("abcdeIOUxyz:() ", min_size=1, max_size=20), min_size=1, max_size=6), st.integers(1, 12))
def test_abbreviate_keeps_distinct_names_distinct(names: list[str], minlength: int) -> None:
    stripped = [n.strip(" ") for n in names]
    out = abbreviate(names, minlength)
    assert len(set(out)) == len(set(stripped))
    assert all(a[:1] == n[:1] for a, n in zip(out, stripped, strict=True))


def test_abbreviate_outside_ascii_follows_r() -> None:
    """R's wide-character rules: accented vowels are vowels, ß and ñ are not lower-case letters."""
    assert abbreviate(["Schulgröße", "größe"], 6) == ["Schlgß", "größe"]
