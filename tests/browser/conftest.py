"""Fixtures and helpers for testing the built book in headless Chromium.

The book is served from ``_build/html`` by ``python -m http.server`` on
127.0.0.1 and opened in Debian's ``/usr/bin/chromium`` through the
``playwright`` package (never ``playwright install``).  Chromium resolves no
host but 127.0.0.1, so anything the site tries to fetch from elsewhere fails
loudly, and every request is recorded as well.

Fixtures
--------
``built_html``      Path of the built site; skips the test if it is missing.
``book_server``     Base URL (``http://127.0.0.1:PORT/``) of the served site.
``chromium``        A session-wide Playwright ``Browser``.
``book_page``       A fresh :class:`BookPage` per test: a Playwright page that
                    records requests and console errors, with ``open(path)``.
``page_path``       Parametrizes a test over every page of the site.
``radio_page_path`` Parametrizes a test over the pages with radio-bound charts.

Helpers (plain functions, also available as fixtures of the same name)
-------------------------------------------------------------------------
``chart_views(page)``   One dict per chart: signals, data, marks, controls.
``math_status(page)``   How many math elements MathJax rendered.
``widget_status(page)`` How many embedded Jupyter widgets were rendered.

A chapter test looks like::

    def test_sector_slider(book_page, chart_views):
        page = book_page.open("book/unconditional.html")
        views = chart_views(page)
        assert views[0]["counts"]["data_0"] == 160
        ...
        book_page.assert_clean()

Set ``HLMTEACH_BUILT_HTML`` to test a site built elsewhere,
``HLMTEACH_CHROMIUM`` to use another Chromium binary, and
``HLMTEACH_SCREENSHOTS=1`` to keep full-page screenshots of what the tests
saw in ``tests/artifacts/``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from tests.support.book_html import BUILT_HTML, NO_BUILD_REASON, ROOT
from tests.support.chromium import CHROMIUM, launch

ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = os.environ.get("HLMTEACH_SCREENSHOTS", "") not in ("", "0")
LOCAL_HOSTS = {"127.0.0.1"}
HARMLESS_SCHEMES = {"data", "blob", "about", "chrome-extension"}
READY_TIMEOUT_MS = 30_000

HERE = Path(__file__).resolve().parent


# --------------------------------------------------------------------------- markers


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: test of the built book in headless Chromium (needs _build/html)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Every test under tests/browser/ is a browser test, marked or not.
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- pages of the site


def site_pages(root: Path = BUILT_HTML) -> list[str]:
    """Every HTML page of the built site, as paths relative to its root (redirect stubs excluded)."""
    if not root.is_dir():
        return []
    pages = []
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root)
        if rel.parts[0] in {"_static", "_sources", "_images", "_downloads"} or any(p.startswith(".") for p in rel.parts):
            continue
        head = path.read_text(encoding="utf-8", errors="replace")[:2000].lower()
        if 'http-equiv="refresh"' in head:
            continue
        pages.append(rel.as_posix())
    return pages


def pages_containing(needle: str, root: Path = BUILT_HTML) -> list[str]:
    """Pages of the site whose HTML source contains *needle*."""
    return [p for p in site_pages(root) if needle in (root / p).read_text(encoding="utf-8", errors="replace")]


# A Vega-Lite spec is inlined in its page; a radio binding reads "input":"radio".
RADIO_NEEDLE = '"input":"radio"'


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``page_path``: every page; ``radio_page_path``: every page with a radio-bound chart."""
    for name, pages, why in (
        ("page_path", site_pages, NO_BUILD_REASON),
        ("radio_page_path", lambda: pages_containing(RADIO_NEEDLE), "no page has a chart with radio controls (or no build)"),
    ):
        if name in metafunc.fixturenames:
            found = pages()
            if found:
                metafunc.parametrize(name, found, ids=found)
            else:
                metafunc.parametrize(name, [pytest.param(None, marks=pytest.mark.skip(reason=why))], ids=["none"])


def artifact_path(page_path: str, suffix: str = "") -> Path:
    """Where to save a screenshot of *page_path* (``tests/artifacts/``, gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "__", page_path.removesuffix(".html"))
    return ARTIFACTS / f"{stem}{suffix}.png"


# --------------------------------------------------------------------------- server and browser


@pytest.fixture(scope="session")
def built_html() -> Path:
    if not (BUILT_HTML / "index.html").is_file() and not site_pages():
        pytest.skip(NO_BUILD_REASON)
    return BUILT_HTML


@pytest.fixture(scope="session")
def book_server(built_html: Path):
    """Serve the built site on a free port of 127.0.0.1; yield its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(built_html)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 15
        port = None
        assert proc.stdout is not None
        while port is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            match = re.search(r"port (\d+)", line)
            if match:
                port = int(match.group(1))
        if port is None:
            raise RuntimeError("python -m http.server did not report its port")
        # Keep draining stdout so the server never blocks on a full pipe.
        import threading

        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)", pytrace=False)
    with launch() as browser:
        yield browser


# --------------------------------------------------------------------------- the recording page


@dataclass
class PageLog:
    """Everything a page did that a test may want to complain about."""

    requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        out = [f"request to another host: {u}" for u in self.external_requests]
        out += [f"failed request: {u}" for u in self.failed_requests]
        out += [f"HTTP error: {u}" for u in self.bad_responses]
        out += [f"console error: {m}" for m in self.console_errors]
        out += [f"uncaught exception: {m}" for m in self.page_errors]
        return out

    def clear(self) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).clear()


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in HARMLESS_SCHEMES:
        return False
    return parts.hostname not in LOCAL_HOSTS


class BookPage:
    """A Playwright page on the served book, recording requests and errors.

    ``open(path)`` navigates to a page of the site (relative to its root),
    waits for charts, MathJax and widgets to finish, and returns the
    Playwright ``Page``; ``log`` holds what happened; ``assert_clean()`` fails
    on any request to another host, failed request, HTTP error, console error
    or uncaught exception.
    """

    def __init__(self, page: Any, base_url: str):
        self.page = page
        self.base_url = base_url
        self.log = PageLog()
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.log.page_errors.append(str(exc)))

    def _on_request(self, request: Any) -> None:
        self.log.requests.append(request.url)
        if is_external(request.url):
            self.log.external_requests.append(request.url)

    def _on_request_failed(self, request: Any) -> None:
        self.log.failed_requests.append(f"{request.url} ({request.failure})")

    def _on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.log.bad_responses.append(f"{response.status} {response.url}")

    def _on_console(self, msg: Any) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            where = f" [{loc.get('url', '')}:{loc.get('lineNumber', '')}]" if loc.get("url") else ""
            self.log.console_errors.append(msg.text + where)

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def open(self, path: str, *, timeout_ms: int = READY_TIMEOUT_MS) -> Any:
        self.page.goto(self.url(path), wait_until="load", timeout=timeout_ms)
        wait_until_ready(self.page, timeout_ms=timeout_ms)
        return self.page

    def screenshot(self, page_path: str, suffix: str = "") -> Path | None:
        """A full-page PNG in ``tests/artifacts/`` when ``HLMTEACH_SCREENSHOTS=1`` (a person will look at it)."""
        if not SCREENSHOTS:  # CI has no one to look at them; they cost a second or two of CPU each
            return None
        path = artifact_path(page_path, suffix)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        problems = self.log.problems()
        assert not problems, "the page misbehaved:\n  " + "\n  ".join(problems)


@pytest.fixture
def book_page(chromium: Any, book_server: str):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    try:
        yield BookPage(page, book_server)
    finally:
        context.close()


# --------------------------------------------------------------------------- in-page helpers

_READY_JS = """
() => Array.from(document.querySelectorAll('.hlmteach-chart'))
  .every(el => el.hasAttribute('data-chart-ready') || el.hasAttribute('data-chart-error'))
"""

_MATHJAX_JS = """
async () => {
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
    await window.MathJax.startup.promise;
    return true;
  }
  return false;
}
"""


def wait_until_ready(page: Any, timeout_ms: int = READY_TIMEOUT_MS) -> None:
    """Wait until every book chart has drawn (or failed), MathJax has typeset, and widgets rendered."""
    page.wait_for_function(_READY_JS, timeout=timeout_ms)
    page.evaluate(_MATHJAX_JS)
    if page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count():
        try:
            page.wait_for_function(
                """() => Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'))
                          .every(s => s.previousElementSibling &&
                                      s.previousElementSibling.querySelector('[class^="widget-"], [class*=" widget-"]'))""",
                timeout=timeout_ms,
            )
        except Exception:
            pass  # widget_status() reports what is missing


_CHART_VIEWS_JS = """
(withValues) => {
  const plain = (x) => { try { return JSON.parse(JSON.stringify(x)); } catch (e) { return null; } };
  const els = Array.from(document.querySelectorAll('.hlmteach-chart, .vega-embed'));
  return els.map((el, index) => {
    const view = el.__view__;
    const svg = el.querySelector('svg.marks');
    const out = {
      index: index,
      id: el.id || null,
      ready: el.getAttribute('data-chart-ready') === 'true',
      shown: el.getClientRects().length > 0,  // false when the page hides it (an explorer panel that does not apply)
      error: el.getAttribute('data-chart-error'),
      has_view: !!view,
      svg: !!svg,
      marks: svg ? svg.querySelectorAll('g.role-mark > *').length : 0,
      mark_groups: svg ? svg.querySelectorAll('g.role-mark').length : 0,
      controls: Array.from(el.querySelectorAll('.vega-bind input, .vega-bind select')).map(inp => ({
        tag: inp.tagName.toLowerCase(), type: inp.type || null, name: inp.name || null,
        value: inp.value, checked: !!inp.checked,
        label: (inp.closest('.vega-bind') && inp.closest('.vega-bind').querySelector('.vega-bind-name'))
                 ? inp.closest('.vega-bind').querySelector('.vega-bind-name').textContent.trim() : null,
      })),
      signals: {},
      data: {},
      counts: {},
    };
    if (view) {
      const runtime = view._runtime || {};
      for (const name of Object.keys(runtime.signals || {})) {
        let value;
        try { value = view.signal(name); } catch (e) { continue; }
        const p = plain(value);
        if (p !== null || value === null) out.signals[name] = p;
      }
      for (const name of Object.keys(runtime.data || {})) {
        let values;
        try { values = view.data(name); } catch (e) { continue; }
        if (!Array.isArray(values)) continue;
        out.counts[name] = values.length;
        if (withValues) out.data[name] = plain(values);
      }
    }
    return out;
  });
}
"""


def chart_views(page: Any, values: bool = True) -> list[dict[str, Any]]:
    """Describe every chart on *page* through the Vega view kept on its element.

    Each dict has ``id``, ``ready``, ``error``, ``has_view``, ``shown`` (laid out
    on the page, not hidden), ``svg`` (an SVG was drawn), ``marks`` (number of mark items, e.g. points, in the SVG),
    ``controls`` (bound inputs: type, value, checked, label), ``signals``
    (top-level signal values, e.g. a bound parameter), ``counts`` (rows of each
    top-level data set after its transforms) and, if *values*, ``data`` (the
    rows themselves).
    """
    return page.evaluate(_CHART_VIEWS_JS, values)


_MATH_JS = """
() => {
  const math = Array.from(document.querySelectorAll('span.math, div.math'));
  return {
    math: math.length,
    rendered: math.filter(el => el.querySelector('mjx-container')).length,
    containers: document.querySelectorAll('mjx-container').length,
    errors: Array.from(document.querySelectorAll('mjx-merror')).map(e => e.getAttribute('data-mjx-error') || e.textContent),
    unrendered: math.filter(el => !el.querySelector('mjx-container')).slice(0, 5).map(el => el.textContent.slice(0, 80)),
    mathjax_loaded: !!(window.MathJax && window.MathJax.version),
  };
}
"""


def math_status(page: Any) -> dict[str, Any]:
    """Math elements on the page (Sphinx's ``span.math``/``div.math``) and how many MathJax rendered."""
    return page.evaluate(_MATH_JS)


_WIDGETS_JS = """
() => {
  const tags = Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'));
  const rendered = tags.filter(s => s.previousElementSibling &&
      s.previousElementSibling.querySelector('[class^="widget-"], [class*=" widget-"], .jupyter-widgets'));
  return {views: tags.length, rendered: rendered.length,
          state: document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]').length};
}
"""


def widget_status(page: Any) -> dict[str, Any]:
    """Embedded Jupyter widget views on the page and how many the widget manager rendered."""
    return page.evaluate(_WIDGETS_JS)


@pytest.fixture(name="chart_views")
def _chart_views_fixture():
    return chart_views


@pytest.fixture(name="math_status")
def _math_status_fixture():
    return math_status


@pytest.fixture(name="widget_status")
def _widget_status_fixture():
    return widget_status
