"""The four explorer pages in headless Chromium: click the form, read what the page shows, check it against direct fits.

For each model chapter's *Explore the model* page: every control is clicked,
one at a time away from the chapter's model (every radio option, the
checkboxes on and off, every option of each select list).  After each click
the page's HTML tables, its formula and deviance, the key numbers it
announces, and the text the variance and plausible-value charts draw (read
from the Vega scenegraph: the items drawn, not the data behind them) must show
a direct hlmteach fit of the model that setting means, computed here
(``tests/support/explorer_expect.py``).  Then every setting is drawn in turn
(through the charts' parameters): the density axes must stay identical and no
chart may be drawn empty.  The new figures must render, be titled as the
issue names them, and change with the controls; axe-core must find no
contrast or label violation, in the light and the dark theme; and at 390
pixels nothing may scroll sideways.  The page must request nothing from
another host and log no console error.  Screenshots go to tests/artifacts/.

Run (after building the book):  pytest -m browser tests/browser/test_explorers.py
"""

from __future__ import annotations

import re

import pytest

from tests.support import explorer_expect as expect

pytestmark = pytest.mark.browser

CHAPTERS = list(expect.DEFAULTS)
FIGURES = ["School lines: OLS vs empirical Bayes", "Shrinkage", "Caterpillar plot"]
AXE_RULES = ["color-contrast", "label", "select-name", "aria-input-field-name", "form-field-multiple-labels", "label-title-only"]
CHARTS = ".hlmteach-explorer .hlmteach-chart"
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; animation: none !important; }"

# Every text item a view drew (with the datum behind it), walking the scenegraph.
_TEXTS_JS = """
(selector) => {
  const el = document.querySelector(selector);
  const out = [];
  const visit = (node) => {
    if (!node) return;
    if (node.marktype) {
      for (const item of node.items || []) {
        if (node.marktype === 'text' && item.datum && item.text !== undefined && item.text !== null && item.text !== '') {
          const text = Array.isArray(item.text) ? item.text.join(' ') : String(item.text);
          out.push({text: text, datum: JSON.parse(JSON.stringify(item.datum))});
        }
        if (item.items) item.items.forEach(visit);
      }
    } else if (node.items) node.items.forEach(visit);
  };
  visit(el.__view__.scenegraph().root);
  return out;
}
"""

# What the explorer shows outside its charts: tables, header, status, note, captions, control states.
_PAGE_JS = """
() => {
  const root = document.querySelector('.hlmteach-explorer');
  const text = (sel) => { const el = root.querySelector(sel); return el && !el.hidden ? el.textContent.trim() : ''; };
  const tables = Array.from(root.querySelectorAll('[data-slot-target="tables"] table')).map(t => ({
    caption: t.caption.textContent.trim(),
    headers: Array.from(t.tHead.rows[0].cells).map(c => c.textContent.trim()),
    rows: Array.from(t.tBodies[0].rows).map(r => Array.from(r.cells).map(c => c.textContent.trim())),
  }));
  const controls = {};
  root.querySelectorAll('[data-control]').forEach(box => {
    controls[box.dataset.control] = {disabled: Array.from(box.querySelectorAll('input, select')).every(i => i.disabled),
                                     why: box.querySelector('.hlmteach-why').textContent.trim()};
  });
  const captions = {};
  root.querySelectorAll('figure[data-figure]').forEach(f => {
    captions[f.dataset.figure] = f.querySelector('figcaption').textContent;
  });
  return {
    tables, controls, captions,
    formula: text('.hlmteach-formula code'), deviance: text('.hlmteach-deviance'),
    status: text('.hlmteach-status'), note: text('.hlmteach-note'), setting: root.dataset.setting,
  };
}
"""

# For every chart of the explorer: its figure, whether it is shown, how many data items its marks draw (not texts,
# not constant rules), where they are (a signature that changes when they move), and its axis scales' domains.
_CHARTS_JS = """
() => Array.from(document.querySelectorAll('.hlmteach-explorer .hlmteach-chart')).map(el => {
  const view = el.__view__;
  const panel = el.closest('[data-needs]');
  let items = 0, where = 0;
  const visit = (node) => {
    if (!node) return;
    if (node.marktype) {
      if (node.role === 'mark') {
        for (const it of node.items || []) {
          // a drawn datum: not a title or label (text), not a constant rule (an empty datum)
          if (node.marktype !== 'text' && it.datum && Object.keys(it.datum).length) items += 1;
          where += (it.x || 0) + 2 * (it.y || 0) + 3 * (it.x2 || 0) + 5 * (it.y2 || 0);
        }
      }
      (node.items || []).forEach(i => i.items && i.items.forEach(visit));
    } else if (node.items) node.items.forEach(visit);
  };
  visit(view.scenegraph().root);
  const domains = {};
  for (const name of Object.keys(view._runtime.scales)) {  // the continuous axes (not the legends' rows)
    const scale = view.scale(name);
    if (/(^|_)(x|y)$/.test(name) && scale.type === 'linear') domains[name] = scale.domain().map(Number);
  }
  return {figure: el.closest('figure').dataset.figure, shown: !(panel && panel.classList.contains('is-lacking')), items, domains,
          signature: `${items}:${where.toFixed(1)}`};
})
"""

# Draw one setting in every chart, as the form would (through the parameters named as the controls).
_DRAW_JS = """
async (setting) => {
  const els = Array.from(document.querySelectorAll('.hlmteach-explorer .hlmteach-chart'));
  await Promise.all(els.map(el => {
    for (const [k, v] of Object.entries(setting)) el.__view__.signal(k, v);
    return el.__view__.runAsync();
  }));
}
"""


def open_explorer(book_page, name: str):
    page = book_page.open(f"book/explore_{name}.html")
    page.wait_for_selector(".hlmteach-explorer[data-explorer-ready]", timeout=30_000)
    return page


def set_control(page, control: str, value) -> bool:
    """Click the form's input for ``control`` so that it holds ``value``; wait until every chart has re-run.

    Returns False, clicking nothing, if that needs a disabled input (one that does not apply to the model shown).
    """
    form = "form.hlmteach-controls"
    if isinstance(value, bool):
        target = page.locator(f"{form} input[type=checkbox][name='{control}']")
        needed = target.is_checked() != value
    elif page.locator(f"{form} select[name='{control}']").count():
        target = page.locator(f"{form} select[name='{control}']")
        needed = target.input_value() != value
    else:
        target = page.locator(f"{form} input[type=radio][name='{control}'][value='{value}']")
        needed = not target.is_checked()
    if not needed:
        return True
    if target.is_disabled():
        return False
    if isinstance(value, bool):
        target.click()
    elif target.evaluate("e => e.tagName") == "SELECT":
        target.select_option(value)
    else:
        target.check()
    page.evaluate("async () => { for (const el of document.querySelectorAll('.hlmteach-chart')) await el.__view__.runAsync(); }")
    page.wait_for_timeout(30)
    return True


def shown(page) -> tuple[dict, dict]:
    """What the page shows, in the shape ``explorer_expect.check`` reads, and the rest of what it shows."""
    info = page.evaluate(_PAGE_JS)
    icc = [
        i["text"] for i in page.evaluate(_TEXTS_JS, "figure[data-figure=variance] .hlmteach-chart") if i["text"].startswith("ICC")
    ]
    variance = [
        {"component": i["datum"]["component"], "explained_text": i["text"], "icc_text": icc[0] if len(icc) == 1 else f"{icc}"}
        for i in page.evaluate(_TEXTS_JS, "figure[data-figure=variance] .hlmteach-panel:nth-child(2) .hlmteach-chart")
        if "component" in i["datum"] and i["text"] == i["datum"].get("explained_text")
    ]
    plausible = []
    for panel in page.locator("figure[data-figure=plausible] .hlmteach-panel").all():
        if "is-lacking" in (panel.get_attribute("class") or ""):
            continue
        chart_id = panel.locator(".hlmteach-chart").get_attribute("id")
        q = 1 if panel.get_attribute("data-needs") == "slope" else 0  # the slope's panel needs the slope
        for i in page.evaluate(_TEXTS_JS, f"#{chart_id}"):
            if "group" in i["datum"] and i["text"] == i["datum"].get("label"):
                plausible.append({"panel": q, "group": i["datum"]["group"], "label": i["text"]})
    header = {"formula": info["formula"], "deviance_text": info["deviance"]}
    return {**expect.read_tables(info["tables"]), "header": [header], "variance": variance, "plausible": plausible}, info


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_control_redraws_the_numbers_of_a_direct_fit(name, book_page):
    path = f"book/explore_{name}.html"
    page = open_explorer(book_page, name)
    names = set(page.eval_on_selector_all("form.hlmteach-controls [name]", "els => els.map(e => e.name)"))
    assert names == set(expect.DEFAULTS[name]), names
    book_page.screenshot(path, "--explorer-before")
    signatures: dict[str, set] = {}
    captions: dict[str, set] = {}
    for i, setting in enumerate(expect.one_at_a_time(name)):
        if not all([set_control(page, control, value) for control, value in setting.items()]):
            # a disabled control (the random slope of a model without SES): it says why, and the model stays
            assert page.evaluate(_PAGE_JS)["controls"]["random_slope"]["why"] == "(SES is not in the model)"
            continue
        drawn, info = shown(page)
        assert info["setting"] == "|".join(str(v).lower() if isinstance(v, bool) else v for v in setting.values())
        failures = expect.check(setting, drawn)
        direct = expect.fit(setting)
        if f"τ00 = {direct.tau.iloc[0, 0]:.3f}" not in info["status"] or f"σ² = {direct.sigma2:.3f}" not in info["status"]:
            failures.append(f"the announced numbers {info['status']!r} are not the direct fit's")
        assert not failures, f"{path} {setting}:\n  " + "\n  ".join(failures)
        for chart in page.evaluate(_CHARTS_JS):
            signatures.setdefault(chart["figure"], set()).add(chart["signature"])
        for figure, caption in info["captions"].items():
            captions.setdefault(figure, set()).add(caption)
        if i == 1:
            changed = next(f"{k}={v}" for k, v in setting.items() if v != expect.DEFAULTS[name][k])
            book_page.screenshot(path, f"--explorer-after-{changed}")
    for figure in [*FIGURES, *(["Centring"] if name == "random_coefficient" else [])]:
        slot = (
            page.locator(f"figure[data-figure] h3:text-matches('^{re.escape(figure)}')")
            .locator("xpath=..")
            .get_attribute("data-figure")
        )
        assert len(signatures[slot]) > 1 and len(captions[slot]) > 1, f"the {figure!r} figure does not change with the controls"
    book_page.assert_clean()


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_setting_keeps_the_density_axes_and_draws_no_empty_chart(name, book_page):
    page = open_explorer(book_page, name)
    from hlmteach.explore.controls import chapter  # the settings the page precomputed

    # Vega lays out every mark (the scene graph read below) without painting: 96 settings in a third of the time.
    page.evaluate(f"() => document.querySelectorAll('{CHARTS}').forEach(el => el.__view__.renderer('none'))")

    first = None
    for setting in chapter(name).settings():
        page.evaluate(_DRAW_JS, setting)
        charts = page.evaluate(_CHARTS_JS)
        empty = [c["figure"] for c in charts if c["shown"] and c["items"] == 0]
        assert not empty, f"{setting}: empty charts in {empty}"
        densities = [c["domains"] for c in charts if c["figure"] == "plausible"]
        if first is None:
            first = densities
        assert densities == first, f"{setting}: the density axes moved"
    book_page.assert_clean()


@pytest.mark.parametrize("name", CHAPTERS)
def test_controls_are_labelled_and_say_why_when_they_do_not_apply(name, book_page):
    page = open_explorer(book_page, name)
    legend = page.locator("form.hlmteach-controls fieldset legend")
    assert legend.count() == 1 and legend.inner_text().startswith(("SES at level 1", "Centring of SES"))
    assert page.locator("form.hlmteach-controls fieldset input[type=radio]").count() == len(expect.options(name, "level1"))
    if name in ("unconditional", "means_as_outcomes"):  # SES is out of the chapter's model
        controls = page.evaluate(_PAGE_JS)["controls"]
        assert controls["random_slope"] == {"disabled": True, "why": "(SES is not in the model)"}
        assert page.locator(".hlmteach-panel.is-lacking").count() >= 3  # the slope's panels, replaced by a sentence
        set_control(page, "level1", "group")
        controls = page.evaluate(_PAGE_JS)["controls"]
        assert controls["random_slope"] == {"disabled": False, "why": ""}
        assert page.locator(".hlmteach-panel.is-lacking").count() == 1  # only the caterpillar of û1j: no random slope
    book_page.assert_clean()


def test_the_variance_panel_shows_the_slope_share_of_the_chapters_model(book_page):
    page = open_explorer(book_page, "intercepts_slopes")
    rc = expect._fit("mAch ~ 1 + ses_cwc + (1 + ses_cwc | school)")
    share = 100 * (
        rc.tau.loc["ses_cwc", "ses_cwc"] - expect.fit(expect.DEFAULTS["intercepts_slopes"]).tau.loc["ses_cwc", "ses_cwc"]
    )
    share /= rc.tau.loc["ses_cwc", "ses_cwc"]
    texts = [
        i["text"] for i in page.evaluate(_TEXTS_JS, "figure[data-figure=variance] .hlmteach-panel:nth-child(2) .hlmteach-chart")
    ]
    assert f"{share:.1f}% explained" in texts and "61.7% explained" in texts
    assert any("same level-1 model without level-2 predictors" in t for t in texts)  # the panel names its baseline


@pytest.mark.parametrize("name", CHAPTERS)
def test_axe_finds_no_contrast_or_label_violation_in_either_theme(name, book_page):
    from axe_playwright_python.sync_playwright import Axe

    page = open_explorer(book_page, name)
    page.add_style_tag(content=NO_TRANSITIONS)  # the theme's colours would fade in: check them where they end
    for theme in ("light", "dark"):
        page.evaluate("(t) => { document.documentElement.dataset.theme = t; document.documentElement.dataset.mode = t; }", theme)
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        results = Axe().run(page, context=".bd-article", options={"runOnly": {"type": "rule", "values": AXE_RULES}})
        violations = [
            f"{v['id']}: {n['target']} {n.get('failureSummary', '')[:160]}"
            for v in results.response["violations"]
            for n in v["nodes"]
        ]
        assert not violations, f"{theme} theme:\n" + "\n".join(violations)
    # the explorer's panels follow the theme: light text on a dark form
    colours = page.evaluate(
        "() => { const f = getComputedStyle(document.querySelector('form.hlmteach-controls'));"
        " return [f.color, f.backgroundColor]; }"
    )
    text, back = ([int(x) for x in re.findall(r"\d+", c)[:3]] for c in colours)
    assert sum(text) > 3 * 180 and sum(back) < 3 * 80, colours


@pytest.mark.parametrize("name", CHAPTERS)
def test_the_explorer_fits_a_phone(name, chromium, book_server):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    try:
        page = context.new_page()
        page.goto(f"{book_server}book/explore_{name}.html", wait_until="load")
        page.wait_for_selector(".hlmteach-explorer[data-explorer-ready]", timeout=30_000)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width} px)"
        too_wide = page.evaluate(
            "() => Array.from(document.querySelectorAll('.hlmteach-explorer .hlmteach-chart svg'))"
            ".filter(s => s.getBoundingClientRect().width > s.closest('.hlmteach-explorer').clientWidth + 0.5).length"
        )
        assert too_wide == 0, f"{too_wide} charts are wider than the explorer"
    finally:
        context.close()


def test_the_live_explorer_is_shown_as_code_with_how_to_run_it(book_page, widget_status):
    page = book_page.open("book/explore_random_coefficient.html")
    assert widget_status(page)["views"] == 0  # no frozen widget on the page
    code = page.locator("div.cell:has-text('live(\"random_coefficient\")')")
    assert code.count() == 1
    assert code.locator(".cell_output").count() == 0
    tip = page.locator(".admonition:has-text('needs a running notebook')")
    assert tip.count() == 1 and ".ipynb" in tip.inner_text() and "Binder" in tip.inner_text()
    book_page.assert_clean()
