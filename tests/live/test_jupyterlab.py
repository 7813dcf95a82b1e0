"""The intercepts-and-slopes explorer in a real JupyterLab 4, offline, in headless Chromium.

The test starts JupyterLab (of the ``hlmteach[live]`` environment) on
127.0.0.1, opens the explore page's notebook as the site offers it for
download, runs all cells from the Run menu and checks, as a student would
see it: every chart panel holds a drawn SVG with marks; the HLM 7 and lme4
tables are HTML tables with the numbers of a direct hlmteach fit; clicking
the centring radio button, the random-slope checkbox and a level-2 select
changes the formula, the tables and the overview chart to those of a direct
fit of the new model (and a hidden tab's chart when it is selected); no cell
shows an error; and the browser requested nothing from any host but
127.0.0.1.  The server is stopped when the module's tests end.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest

from tests.live.jupyterlab import LabPage, chromium, click_control, click_tab, explorer_formula, explorer_panels, jupyter_lab
from tests.support import explorer_expect as expect
from tests.support.book_html import BUILT_HTML, NO_BUILD_REASON
from tests.support.html_tables import table_rows

pytestmark = [pytest.mark.slow, pytest.mark.browser]
NOTEBOOK = "explore_intercepts_slopes.ipynb"
CHART_PANELS = ("overview", "schools", "random_effects")
OPTIONS = {  # the explorer's options, in the order its widgets show them
    "level1": ["none", "group", "grand"],
    "intercept_by": ["none", "sector", "MEANSES", "sector+MEANSES"],
}


@pytest.fixture(scope="module")
def lab(live_python, tmp_path_factory) -> Iterator[LabPage]:
    source = BUILT_HTML / "_sources" / "book" / NOTEBOOK
    if not source.is_file():
        pytest.skip(NO_BUILD_REASON)
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(source, root / NOTEBOOK)
    with jupyter_lab(live_python, root) as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        lab_page = LabPage(page, server)
        lab_page.open(NOTEBOOK)
        lab_page.run_all()
        yield lab_page


def table_failures(setting: dict, panels: dict) -> list[str]:
    """How the tables on screen differ from a direct fit of ``setting`` (formula and curves are checked elsewhere)."""
    shown = {**table_rows(panels["tables"]["html"]), "header": [], "variance": [], "plausible": []}
    return [f for f in expect.check(setting, shown) if not f.startswith(("formula:", "plausible values:"))]


def formula_terms(text: str) -> tuple[set[str], str]:
    fixed, random = text.split("(", 1)
    return {t.strip() for t in fixed.split("~")[1].split("+") if t.strip()}, random.replace(" ", "")


def assert_shows(lab: LabPage, setting: dict) -> None:
    """The formula, tables and overview chart on screen are those of a direct fit of ``setting``."""
    assert formula_terms(explorer_formula(lab.page)) == formula_terms(expect.formula(setting))
    panels = explorer_panels(lab.page)
    failures = table_failures(setting, panels)
    assert not failures, f"{setting}:\n  " + "\n  ".join(failures)
    deviance = re.search(r"log-likelihood\): (-?[\d.]+)", panels["overview"]["text"])
    assert deviance and expect.close(deviance.group(1), expect.fit(setting).reml_criterion), panels["overview"]["text"][:200]


def test_every_chart_is_drawn_and_the_tables_show_the_fit(lab):
    panels = explorer_panels(lab.page)
    assert set(panels) == {"overview", "tables", "schools", "random_effects"}
    for name in CHART_PANELS:
        assert panels[name]["svg"] == 1 and panels[name]["marks"] > 0, (name, panels[name])
    assert panels["tables"]["tables"] == 4 and panels["tables"]["svg"] == 0  # HTML tables, not a chart
    assert_shows(lab, expect.DEFAULTS["intercepts_slopes"])


def test_clicks_refit_and_redraw_what_a_direct_fit_gives(lab):
    setting = dict(expect.DEFAULTS["intercepts_slopes"])
    for control, value in (("level1", "grand"), ("random_slope", False), ("intercept_by", "MEANSES")):
        index = OPTIONS[control].index(value) if control in OPTIONS else 0
        redrawn = click_control(lab.page, control, index)
        assert {"tables", "overview", "equations"} <= set(redrawn), redrawn
        setting[control] = value
        assert_shows(lab, setting)
    before = explorer_panels(lab.page)["schools"]["marks"]
    redrawn = click_tab(lab.page, "Schools: OLS and empirical-Bayes lines")  # behind since the clicks: redrawn now
    assert "schools" in redrawn and explorer_panels(lab.page)["schools"]["marks"] > 0 and before > 0


def test_no_cell_shows_an_error_and_nothing_leaves_127_0_0_1(lab):
    assert lab.error_outputs() == []
    assert lab.page_errors == []
    assert lab.requests and lab.external_requests == []
