"""Comparing hlmteach's printed text with R's, line by line.

Words, layout and column widths must match exactly.  A printed number may
differ by one unit in its last digit (two for Satterthwaite df, which lmerTest
takes by numerical differentiation) because lme4's optimiser stops a little
short of the optimum that hlmteach reaches.
"""

from __future__ import annotations

import re

NUMBER = re.compile(r"^[<>]?-?\d+(\.\d+)?(e[-+]\d+)?$")


def _units(token: str) -> float:
    """One unit in the last printed digit."""
    mantissa = token.split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(token.split("e")[1]) if "e" in token else 0
    return 10.0 ** (exponent - decimals)


def assert_same_text(ours: str, theirs: str, units: float = 1.0, rel: float = 0.0) -> None:
    """Same lines, words and widths; printed numbers equal up to ``units`` in their last digit or
    ``rel`` relative, whichever is more (Satterthwaite df up to 2e-3 relative)."""
    ours_lines, their_lines = ours.rstrip("\n").split("\n"), theirs.rstrip("\n").split("\n")
    assert len(ours_lines) == len(their_lines), f"{len(ours_lines)} lines against R's {len(their_lines)}:\n{ours}"
    fixed_section = False
    for mine, line in zip(ours_lines, their_lines, strict=True):
        fixed_section = (fixed_section or line == "Fixed effects:") and not line.startswith("---")
        assert len(mine.rstrip()) == len(line.rstrip()), f"\nours: {mine!r}\nR:    {line!r}"
        a, b = mine.split(), line.split()
        assert len(a) == len(b), f"\nours: {mine!r}\nR:    {line!r}"
        # the numbers of a fixed-effects row follow its term name (which may contain spaces: poly(x, 2)1)
        numbers = [k for k, y in enumerate(b) if NUMBER.match(y)]
        df_token = numbers[-3] if fixed_section and len(numbers) >= 4 and "Pr(>|t|)" not in line else None
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            if NUMBER.match(x) and NUMBER.match(y) and x != y:
                lhs, rhs = float(x.lstrip("<>")), float(y.lstrip("<>"))
                # Satterthwaite df (3rd number of a fixed-effects row): the 2e-3 relative
                allowed = 2e-3 * abs(rhs) if k == df_token else max(units * _units(y) * 1.0001, rel * abs(rhs))
                assert abs(lhs - rhs) <= allowed, f"{x} vs R's {y} in\nours: {mine!r}\nR:    {line!r}"
            else:
                assert x == y, f"\nours: {mine!r}\nR:    {line!r}"


def split_residuals(text: str) -> tuple[str, list[float]]:
    """The text without the two lines under "Scaled residuals:", and their numbers."""
    lines = text.split("\n")
    k = lines.index("Scaled residuals: ")
    return "\n".join(lines[: k + 1] + lines[k + 3 :]), [float(v) for v in lines[k + 2].split()]
