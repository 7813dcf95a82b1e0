#!/usr/bin/env python
"""Build the student edition of the book and print either edition to one PDF.

    python tools/build_editions.py student          # the student edition into _build/student/html
    python tools/build_editions.py pdf              # _build/html/hlmteach.pdf
    python tools/build_editions.py pdf --student    # _build/student/html/hlmteach.pdf

``python3 dev.py book`` (and ``dev.py book --student``) run these after the
full build.  Every build shares one set of executed pages, ``_build/.doctrees``
(the configuration value ``hlmteach_edition`` changes only what is written,
see ``_ext/editions.py``), so the notebooks run once, in the first build; a
later build that finds them up to date only writes.

The PDF is Jupyter Book's single-page HTML (Sphinx's ``singlehtml`` builder)
printed by headless Chromium through playwright, the same Chromium the browser
tests drive, with every chart drawn and every equation typeset first.  Where
Chromium is missing the PDF is skipped with a message saying how to install
it; the build still succeeds.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
DOCTREES = BUILD / ".doctrees"  # the full build's (jupyter-book build .): shared by every edition
PDF_NAME = "hlmteach.pdf"
SINGLE_PAGE = "hlmteach.html"  # the single-page book, at the top of its folder
CHROMIUM = Path(os.environ.get("HLMTEACH_CHROMIUM", "/usr/bin/chromium"))
READY_TIMEOUT_MS = 120_000


def edition_root(student: bool) -> Path:
    """``_build`` for the full edition, ``_build/student`` for the student edition."""
    return BUILD / "student" if student else BUILD


def sphinx_build(outdir: Path, builder: str, student: bool) -> None:
    """One Sphinx build of the book, configured as ``jupyter-book build -W --keep-going .`` configures it."""
    from jupyter_book.sphinx import build_sphinx

    overrides = {
        "external_toc_path": (ROOT / "_toc.yml").as_posix(),  # as jupyter-book passes it, so the doctrees stay valid
        "latex_individualpages": False,
        "hlmteach_edition": "student" if student else "full",
    }
    result = build_sphinx(
        ROOT,
        outdir,
        noconfig=True,
        path_config=str(ROOT / "_config.yml"),
        confoverrides=overrides,
        doctreedir=DOCTREES,
        builder=builder,
        warningiserror=True,
        keep_going=True,
    )
    if result != 0:
        sys.exit(f"the {builder} build into {outdir.relative_to(ROOT)} failed ({result})")


def build_student() -> Path:
    """The student edition: every page, no solutions, only student notebooks."""
    outdir = edition_root(True) / "html"
    sphinx_build(outdir, "html", student=True)
    print(f"The student edition is in {outdir.relative_to(ROOT)}/", flush=True)
    return outdir


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # one line per file would bury the build's output
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free port of 127.0.0.1; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# Every chart drawn (or failed, which the browser tests report), MathJax done.
_READY_JS = """
() => Array.from(document.querySelectorAll('.hlmteach-chart'))
  .every(el => el.hasAttribute('data-chart-ready') || el.hasAttribute('data-chart-error'))
"""
_MATHJAX_JS = "async () => { if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; } }"
_FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def root_page() -> str:
    """The file Sphinx writes the single page to: the book's root document (``root:`` in ``_toc.yml``) + ``.html``."""
    import yaml

    return yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["root"] + ".html"


def print_pdf(page_dir: Path, target: Path) -> None:
    """Print the single-page book in ``page_dir`` to ``target`` with headless Chromium."""
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with serve(page_dir) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            page.emulate_media(media="print")
            page.goto(base + SINGLE_PAGE, wait_until="load", timeout=READY_TIMEOUT_MS)
            page.wait_for_function(_READY_JS, timeout=READY_TIMEOUT_MS)
            page.evaluate(_MATHJAX_JS)
            failed = page.evaluate("() => document.querySelectorAll('.hlmteach-chart[data-chart-error]').length")
            if failed:
                sys.exit(f"{failed} charts could not be drawn for the PDF")
            target.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(target),
                format="A4",
                print_background=True,
                margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=_FOOTER,
            )
        finally:
            browser.close()
    size = target.stat().st_size / 1e6
    print(f"The book as one PDF: {target.relative_to(ROOT)} ({size:.1f} MB, printed in {time.monotonic() - started:.0f} s)")


def build_pdf(student: bool) -> Path | None:
    """The edition's single page, printed to ``<edition>/html/hlmteach.pdf`` (None when Chromium is missing)."""
    target = edition_root(student) / "html" / PDF_NAME
    if not CHROMIUM.exists():
        print(
            f"Skipping the PDF: it is printed by Chromium, which is not at {CHROMIUM}. "
            "Install it (Debian/Ubuntu: `sudo apt-get install chromium`; or set HLMTEACH_CHROMIUM to a Chromium binary) "
            "and run `python3 dev.py book` again.",
            flush=True,
        )
        return None
    page_dir = edition_root(student) / "singlehtml"
    sphinx_build(page_dir, "singlehtml", student=student)
    # Sphinx writes the single page as <root>.html (book/intro.html) but links its scripts, styles
    # and images as if it stood at the top of the folder: put a copy there.
    (page_dir / SINGLE_PAGE).write_bytes((page_dir / root_page()).read_bytes())
    print_pdf(page_dir, target)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["student", "pdf"])
    parser.add_argument("--student", action="store_true", help="the student edition's PDF (with `pdf`)")
    args = parser.parse_args(argv)
    if args.what == "student":
        build_student()
    else:
        build_pdf(args.student)


if __name__ == "__main__":
    main()
