"""The intercepts-and-slopes explorer in a real JupyterLab 4, offline, in headless Chromium.

JupyterLab (of the ``hlmteach[live]`` environment) is started on 127.0.0.1
and stopped again by ``drive_lab.py``, which this module runs once as its own
process: it opens the explore page's notebook as the site offers it for
download, runs all cells from the Run menu, clicks the centring radio button,
the random-slope checkbox and a level-2 select, then the Schools tab, and
reports what the page showed after each step.  The tests check, as a student
would see it: every chart holds a drawn SVG with marks; the HLM 7 and lme4
tables are HTML tables with the numbers of a direct hlmteach fit; each click
changes the formula, the tables and the overview chart to those of a direct
fit of the new model (and the Schools chart when its tab is selected); no
cell shows an error; and the browser requested nothing from any host but
127.0.0.1.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from hlmteach.explore.live import PANELS
from tests.live.environment import ROOT
from tests.support import explorer_expect as expect
from tests.support.book_html import BUILT_HTML, NO_BUILD_REASON

pytestmark = [pytest.mark.slow, pytest.mark.browser]
NOTEBOOK = BUILT_HTML / "_sources" / "book" / "explore_intercepts_slopes.ipynb"
CHART_PANELS = ("overview", "schools", "shrinkage", "random_effects")
SCHOOLS_TAB = PANELS["schools"]
# (control, value, index of the value among the widget's options)
CLICKS = [("level1", "grand", 2), ("random_slope", False, 0), ("intercept_by", "MEANSES", 2)]


@pytest.fixture(scope="session")  # drive JupyterLab once, even if other tests run between these
def report(live_python, tmp_path_factory) -> dict:
    if not NOTEBOOK.is_file():
        pytest.skip(NO_BUILD_REASON)
    tmp = tmp_path_factory.mktemp("lab")
    steps = [["control", control, index] for control, _, index in CLICKS] + [["tab", SCHOOLS_TAB]]
    (tmp / "steps.json").write_text(json.dumps(steps), encoding="utf-8")
    cmd = [sys.executable, "-m", "tests.live.drive_lab", str(tmp / "report.json"), str(NOTEBOOK), str(tmp / "steps.json")]
    cmd.append(str(live_python))
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, f"driving JupyterLab failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    return json.loads((tmp / "report.json").read_text(encoding="utf-8"))


def formula_terms(text: str) -> tuple[set[str], str]:
    fixed, random = text.split("(", 1)
    return {t.strip() for t in fixed.split("~")[1].split("+") if t.strip()}, random.replace(" ", "")


def shows(setting: dict, seen: dict) -> list[str]:
    """How the formula, tables and overview chart on screen differ from a direct fit of ``setting``."""
    failures = []
    if formula_terms(seen["formula"]) != formula_terms(expect.formula(setting)):
        failures.append(f"formula: shows {seen['formula']!r}, expected {expect.formula(setting)!r}")
    shown = {**expect.parse_tables(seen["panels"]["tables"]["html"]), "header": [], "variance": [], "plausible": []}
    not_tables = ("formula:", "plausible", "variance", "ICC", "deviance")  # checked on the overview chart below, or not shown
    failures += [f for f in expect.check(setting, shown) if not f.startswith(not_tables)]
    deviance = re.search(r"log-likelihood\): (-?[\d.]+)", seen["panels"]["overview"]["text"])
    if not (deviance and expect.close(deviance.group(1), expect.fit(setting).reml_criterion)):
        failures.append(f"overview chart: deviance not that of the fit: {seen['panels']['overview']['text'][:200]!r}")
    return failures


def test_every_chart_is_drawn_and_the_tables_show_the_fit(report):
    seen = report["initial"]
    assert [c for c in seen["charts"] if not c["live"]], "the page's kernel-free explorer is not drawn"  # static_explorer
    assert all(c["svg"] == 1 and c["marks"] > 0 for c in seen["charts"]), seen["charts"]
    panels = seen["panels"]
    assert set(panels) == {"overview", "tables", *CHART_PANELS}
    for name in CHART_PANELS:
        assert panels[name]["svg"] == 1 and panels[name]["marks"] > 0, (name, panels[name])
    assert panels["tables"]["tables"] == 4 and panels["tables"]["svg"] == 0  # HTML tables, not a chart
    assert shows(expect.DEFAULTS["intercepts_slopes"], seen) == []


def test_clicks_refit_and_redraw_what_a_direct_fit_gives(report):
    setting = dict(expect.DEFAULTS["intercepts_slopes"])
    *clicks, tab = report["steps"]
    for (control, value, _), seen in zip(CLICKS, clicks, strict=True):
        assert {"tables", "overview", "equations"} <= set(seen["redrawn"]), seen["redrawn"]
        setting[control] = value
        assert shows(setting, seen) == [], (setting, shows(setting, seen))
    assert "schools" in tab["redrawn"] and tab["panels"]["schools"]["marks"] > 0  # behind since the clicks, redrawn now
    assert all(c["svg"] == 1 and c["marks"] > 0 for c in tab["charts"])


def test_no_cell_shows_an_error_and_nothing_leaves_127_0_0_1(report):
    assert report["errors"] == []
    assert report["page_errors"] == []
    assert report["requests"] and report["external_requests"] == []
