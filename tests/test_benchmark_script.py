"""The benchmark script runs and prints what the README pastes — no timing assertions.

Speed goals are judged by ``benchmarks/bench_fits.py`` itself; a test that
asserted them would fail on any slow or busy machine.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_fits.py"


def table_rows(output: str, header_start: str) -> list[list[str]]:
    """The cells of each body row of the Markdown table whose header starts with ``header_start``
    (split on unescaped pipes: formulas in the cells contain ``\\|``)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:  # skip the header and the |---| line
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


@pytest.mark.slow
def test_quick_run_prints_the_table_and_the_big_data_lines():
    cmd = [sys.executable, str(SCRIPT), "--quick", "--no-r", "--repeat", "1", "--big-students", "20000", "--big-schools", "200"]
    output = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=300).stdout

    rows = table_rows(output, "| model | hlmteach ms | +ranova ms | statsmodels ms |")
    assert [row[0][:2] for row in rows] == ["1.", "2.", "3.", "4."]
    assert all(len(row) == 8 for row in rows)
    assert "lme4/lmerTest skipped: --no-r" in output

    assert "Big data: 20,000 students in 200 schools" in output
    assert "- complete fit (lmer + fixed + hlm_fixed + hlm_variance_components):" in output
    assert "- peak RSS of the fitting child process:" in output
    assert any(line.startswith(("- PASS: time goal", "- FAIL: time goal")) for line in output.splitlines())
    assert any(line.startswith(("- PASS: memory goal", "- FAIL: memory goal")) for line in output.splitlines())
