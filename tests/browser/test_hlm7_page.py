"""The "Where HLM 7 stops" page in headless Chromium: its path charts draw, and its control switches the numbers.

The control (a model radio and a "HLM 7's stop" / "converged" radio) must
show, for every model, the figures HLM 7 printed when set to HLM 7's stop, and
those figures at the REML optimum, printed the same way and marked where they
change, when set to "converged"; the text drawn is read from the Vega
scenegraph.  The page's prose must state the package's own numbers.

Run (after building the book):  pytest -m browser tests/browser/test_hlm7_page.py
"""

from __future__ import annotations

import pytest

import hlmteach
from tests.support.book_html import assert_shows, read_page

PAGE = "book/hlm7_iterations.html"
NAMES = {"cses": "SES"}

# Every text item drawn, with the datum behind it.
_TEXTS_JS = """
(id) => {
  const out = [];
  const visit = (node) => {
    if (!node) return;
    for (const item of node.items || []) {
      if (node.marktype === 'text' && item.datum && item.text !== undefined && item.text !== null) {
        out.push({text: String(item.text), datum: JSON.parse(JSON.stringify(item.datum)), bold: item.fontWeight});
      }
      if (item.items) item.items.forEach(visit);
    }
  };
  visit(document.getElementById(id).__view__.scenegraph().root);
  return out;
}
"""


def drawn(page, chart_id: str) -> dict[str, dict]:
    """The table the control draws: figure → {value, change, bold}, read from the scenegraph."""
    rows: dict[str, dict] = {}
    for item in page.evaluate(_TEXTS_JS, chart_id):
        datum = item["datum"]
        if "figure" not in datum:
            continue
        row = rows.setdefault(datum["figure"], {})
        if item["text"] == datum["value"]:
            row["value"], row["bold"] = item["text"], item["bold"] == "bold"
        elif item["text"] == datum["change"] and item["text"]:
            row["change"] = item["text"]
    return rows


def choose(page, chart_id: str, name: str, value: str) -> None:
    page.locator(f"#{chart_id} .vega-bindings input[type=radio][name='{name}'][value='{value}']").check()
    page.evaluate("async (id) => { await document.getElementById(id).__view__.runAsync(); }", chart_id)


@pytest.fixture(scope="module")
def printouts():
    return hlmteach.seed_outputs()["hlm7"]


@pytest.fixture(scope="module")
def optima(hsb, printouts):
    return {name: hlmteach.lmer(p["formula"], hsb, hlm_names=NAMES) for name, p in printouts.items()}


def test_path_charts_draw(book_page, chart_views):
    page = book_page.open(PAGE)
    paths = [v for v in chart_views(page, values=False) if not v["controls"]]
    assert len(paths) == 10, "per seed model a deviance chart and one per variance component (1+1, 1+1, 1+2, 1+2)"
    for view in paths:
        assert view["ready"] and view["svg"] and view["marks"] >= 4, view  # at least the path, the rule and the stop
    book_page.assert_clean()


def test_control_switches_between_hlms_stop_and_convergence(book_page, chart_views, printouts, optima):
    page = book_page.open(PAGE)
    controls = [v for v in chart_views(page, values=False) if v["controls"]]
    assert len(controls) == 1
    chart_id = controls[0]["id"]
    assert {c["name"] for c in controls[0]["controls"]} == {"model", "state"}
    for name, printout in printouts.items():
        expected = hlmteach.compare_printout(optima[name], printout)
        choose(page, chart_id, "model", name)
        choose(page, chart_id, "state", "stop")
        at_stop = drawn(page, chart_id)
        assert list(at_stop) == list(expected.index), name
        assert {f: r["value"] for f, r in at_stop.items()} == expected["printed"].to_dict(), name
        assert not any(r["bold"] for r in at_stop.values())
        choose(page, chart_id, "state", "converged")
        converged = drawn(page, chart_id)
        assert {f: r["value"] for f, r in converged.items()} == expected["shown"].to_dict(), name
        assert {f for f, r in converged.items() if r["bold"]} == set(expected.index[~expected["matches"]]), name
        for figure, row in converged.items():
            assert (row.get("change") == "unchanged") == bool(expected.loc[figure, "matches"]), (name, figure, row)
    slope = drawn(page, chart_id)["SES slope, u1: variance component"]
    optimum = optima["intercepts_slopes"].tau.loc["cses", "cses"]
    printed = printouts["intercepts_slopes"]["variance"]["cses"]["variance"]
    assert slope["value"] == f"{optimum:.5f}" and slope["bold"]
    assert slope["change"].startswith(f"{optimum - printed:+.5f}".replace("-", "−"))
    book_page.screenshot(PAGE, "--converged-intercepts-slopes")
    book_page.assert_clean()


def test_prose_states_the_packages_numbers(hsb, printouts):
    text = read_page("hlm7_iterations").text
    m1 = hlmteach.hlm7(printouts["unconditional"]["formula"], hsb)
    table = hlmteach.compare_printout(m1, printouts["unconditional"])
    assert_shows(text, f"{int(table['matches'].sum())} of the {len(table)} figures", f"number of iterations, {m1.n_iterations}")
    assert_shows(text, f"{m1.start.tau[0, 0]:.5f}", f"{m1.start.sigma2:.5f}")
    for name in ("means_as_outcomes", "random_coefficient", "intercepts_slopes"):
        fit = hlmteach.hlm7(printouts[name]["formula"], hsb)
        compared = hlmteach.compare_printout(fit, printouts[name])
        assert_shows(text, f"{int(compared['matches'].sum())} of {len(compared)}", f"{compared['relative difference'].max():.1e}")
    m3 = hlmteach.hlm7(printouts["random_coefficient"]["formula"], hsb)
    assert_shows(text, f"After {m3.n_iterations} iterations", f"{m3.tau.iloc[1, 1]:.5f}")
