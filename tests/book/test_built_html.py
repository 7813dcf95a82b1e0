"""Static checks of the built site: it must load nothing from another host.

Scans every HTML page of ``_build/html`` for scripts, stylesheets, fonts,
images and frames whose address is absolute (``http://``, ``https://`` or
protocol-relative ``//``), and every stylesheet (CSS files, ``<style>``
blocks, ``style=""`` attributes) for off-site ``url(...)`` and ``@import``.
Links a reader clicks (``<a href>``, ``<link rel="next">`` and the like) may
point anywhere.  Also checks that every local script and stylesheet a page
names exists, and that each notebook page offers its ``.ipynb`` download.

Skips only when the book has not been built (``jupyter-book build -W .``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.support.book_html import BUILT_HTML, ROOT, needs_build

# <link rel=...> values that only describe or point to other documents; any
# other rel (stylesheet, preload, modulepreload, prefetch, preconnect,
# dns-prefetch, icon, manifest, ...) makes the browser fetch or connect.
NAVIGATIONAL_RELS = {
    "alternate", "author", "bookmark", "canonical", "help", "index", "license",
    "me", "next", "prev", "previous", "search", "first", "last", "up", "top",
}  # fmt: skip

# element -> attributes the browser loads from
LOADING_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "source": ("src", "srcset"),
    "track": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),  # SVG
    "use": ("href", "xlink:href"),  # SVG
}

CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.I | re.S)
CSS_IMPORT = re.compile(r"@import\s+(?:url\(\s*)?(['\"]?)([^'\")\s;]+)\1", re.I)


def is_offsite(url: str) -> bool:
    url = url.strip()
    if url.startswith("//"):
        return True
    return urlsplit(url).scheme.lower() in {"http", "https", "ftp", "ws", "wss"}


def css_offsite_refs(css: str) -> list[str]:
    css = CSS_COMMENT.sub("", css)
    refs = [m.group(2) for m in CSS_URL.finditer(css)] + [m.group(2) for m in CSS_IMPORT.finditer(css)]
    return [r for r in refs if is_offsite(r)]


def srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


class AssetScanner(HTMLParser):
    """Collects, for one page, every off-site load and every local script/stylesheet."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.offsite: list[str] = []
        self.local_assets: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if "style" in a:
            self.offsite += [f'<{tag} style="...url({u})">' for u in css_offsite_refs(a["style"])]
        if tag == "style":
            self._in_style = True
        if tag == "link" and a.get("href"):
            rels = set(a.get("rel", "").lower().split())
            if rels - NAVIGATIONAL_RELS or not rels:
                if is_offsite(a["href"]):
                    self.offsite.append(f'<link rel="{a.get("rel", "")}" href="{a["href"]}">')
                elif "stylesheet" in rels:
                    self.local_assets.append(a["href"])
        for attr in LOADING_ATTRS.get(tag, ()):
            value = a.get(attr)
            if not value:
                continue
            urls = srcset_urls(value) if attr == "srcset" else [value]
            for url in urls:
                if is_offsite(url):
                    self.offsite.append(f'<{tag} {attr}="{url}">')
                elif tag == "script":
                    self.local_assets.append(url)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.offsite += [f"<style> url({u})" for u in css_offsite_refs(data)]


def html_pages() -> list[Path]:
    if not BUILT_HTML.is_dir():
        return []
    # _static/ holds theme template fragments (Jinja macros), not pages.
    skip = {"_sources", "_static"}
    return [p for p in sorted(BUILT_HTML.rglob("*.html")) if not skip & set(p.relative_to(BUILT_HTML).parts)]


def css_files() -> list[Path]:
    if not BUILT_HTML.is_dir():
        return []
    return sorted(BUILT_HTML.rglob("*.css"))


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(BUILT_HTML).as_posix() for p in paths]


def _scan(page: Path) -> AssetScanner:
    scanner = AssetScanner()
    scanner.feed(page.read_text(encoding="utf-8", errors="replace"))
    scanner.close()
    return scanner


@needs_build
def test_site_was_built():
    assert html_pages(), f"no HTML pages in {BUILT_HTML}"
    assert css_files(), f"no stylesheets in {BUILT_HTML}"


@needs_build
@pytest.mark.parametrize("page", html_pages(), ids=_ids(html_pages()))
def test_page_loads_nothing_offsite(page: Path):
    offsite = _scan(page).offsite
    assert not offsite, f"{page.relative_to(BUILT_HTML)} loads from other hosts:\n  " + "\n  ".join(offsite)


@needs_build
@pytest.mark.parametrize("page", html_pages(), ids=_ids(html_pages()))
def test_page_local_assets_exist(page: Path):
    missing = []
    for url in _scan(page).local_assets:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob"} or not parts.path:
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        if not target.is_file():
            missing.append(url)
    assert not missing, f"{page.relative_to(BUILT_HTML)} names missing files:\n  " + "\n  ".join(missing)


@needs_build
@pytest.mark.parametrize("css", css_files(), ids=_ids(css_files()))
def test_stylesheet_loads_nothing_offsite(css: Path):
    refs = css_offsite_refs(css.read_text(encoding="utf-8", errors="replace"))
    assert not refs, f"{css.relative_to(BUILT_HTML)} loads from other hosts:\n  " + "\n  ".join(refs)


class InlineScripts(HTMLParser):
    """Collects the text of every inline <script> and counts hlmteach chart elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.chart_divs = 0
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script" and not a.get("src"):
            self._current = []
        if "hlmteach-chart" in a.get("class", "").split():
            self.chart_divs += 1

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.scripts.append("".join(self._current))
            self._current = None


@needs_build
@pytest.mark.parametrize("page", html_pages(), ids=_ids(html_pages()))
def test_charts_use_the_book_renderer(page: Path):
    """Every chart is drawn by hlmteach.explore.render's offline renderer, never by a CDN-loading one."""
    parser = InlineScripts()
    parser.feed(page.read_text(encoding="utf-8", errors="replace"))
    chart_scripts = [s for s in parser.scripts if ("vegaEmbed" in s) or ("vega-lite" in s.lower() and "$schema" in s)]
    problems = []
    for script in chart_scripts:
        for host in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "requirejs", "require.config"):
            if host in script:
                problems.append(f"a chart script loads Vega from elsewhere ({host}): use hlmteach.explore.use_book_renderer()")
                break
    calls = sum(1 for s in chart_scripts if "vegaEmbed(" in s)
    if calls != parser.chart_divs:
        problems.append(f"{calls} scripts call vegaEmbed but {parser.chart_divs} hlmteach-chart elements exist")
    assert not problems, f"{page.relative_to(BUILT_HTML)}:\n  " + "\n  ".join(problems)


@needs_build
def test_notebook_pages_offer_ipynb_download():
    book_dir = ROOT / "book"
    notebooks = [p for p in sorted(book_dir.glob("*.md")) if "kernelspec:" in p.read_text(encoding="utf-8")[:2000]]
    missing = []
    for md in notebooks:
        rel = md.relative_to(ROOT).with_suffix("")
        if not (BUILT_HTML / rel.with_suffix(".html")).is_file():
            continue  # not in the table of contents
        if not (BUILT_HTML / "_sources" / rel.with_suffix(".ipynb")).is_file():
            missing.append(rel.as_posix())
    assert not missing, "no .ipynb download for: " + ", ".join(missing)


def test_scanner_catches_offsite_loads():
    page = """<html><head>
      <script src="https://cdn.jsdelivr.net/npm/vega@6"></script>
      <script src="_static/local.js"></script>
      <link rel="stylesheet" href="//fonts.googleapis.com/css?family=Roboto">
      <link rel="preconnect" href="https://fonts.gstatic.com">
      <link rel="next" href="https://example.org/next.html">
      <style>@import url("https://example.org/a.css"); .x { background: url(img.png) }
             /* url(https://example.org/commented.png) */</style>
    </head><body>
      <a href="https://github.com/hlmteach/hlmteach">repository</a>
      <img srcset="a.png 1x, https://example.org/b.png 2x">
      <div style="background-image: url('https://example.org/c.png')"></div>
    </body></html>"""
    scanner = AssetScanner()
    scanner.feed(page)
    found = "\n".join(scanner.offsite)
    for bad in (
        "cdn.jsdelivr.net",
        "fonts.googleapis.com",
        "fonts.gstatic.com",
        "example.org/a.css",
        "example.org/b.png",
        "example.org/c.png",
    ):
        assert bad in found, bad
    for fine in ("github.com", "next.html", "commented.png", "img.png"):
        assert fine not in found, fine
    assert scanner.local_assets == ["_static/local.js"]
    assert css_offsite_refs("@import 'https://x.org/y.css'; a { src: url(fonts/f.woff2) }") == ["https://x.org/y.css"]
