"""How the tests start Debian's Chromium: headless, offline except for 127.0.0.1, quiet."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("HLMTEACH_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying this closed network; the resolver
# rule makes any request to a host other than 127.0.0.1 fail loudly.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@contextmanager
def launch() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright (never ``playwright install``), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
