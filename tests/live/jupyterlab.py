"""A real JupyterLab on 127.0.0.1, driven in headless Chromium: shared by tests/live and benchmarks/bench_live.py.

:func:`jupyter_lab` starts ``python -m jupyterlab`` of the live environment
(:mod:`tests.live.environment`) on a free port of 127.0.0.1, with its own
empty configuration, settings, workspace and runtime folders (so nothing of
the machine's Jupyter setup leaks in, and nothing is left behind), serving
``root``; it stops the server when the ``with`` block ends.

:class:`LabPage` is a Playwright page on that server that records every
request (a request to any host but 127.0.0.1 is a failure: Chromium is
started with ``--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1``, so
it would fail anyway, and the log says which), opens a notebook, runs all its
cells from JupyterLab's Run menu, and reads what the cells show.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.live.environment import clean_env

START_TIMEOUT_S = 60
# JupyterLab asks once whether to fetch Jupyter news from the web; say no before it asks.
SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False}}


@dataclass
class Lab:
    """A running JupyterLab: its base URL and token."""

    url: str
    token: str
    root: Path

    def tree_url(self, path: str, interface: str = "lab") -> str:
        """The URL that opens ``path`` (relative to the root) in JupyterLab (``lab``) or Notebook 7 (``notebooks``)."""
        prefix = "lab/tree" if interface == "lab" else interface
        return f"{self.url}{prefix}/{path}?token={self.token}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(proc: subprocess.Popen, url: str, token: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}api/status?token={token}", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer within {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@contextmanager
def jupyter_lab(python: Path, root: Path, *, extra_args: tuple[str, ...] = ()) -> Iterator[Lab]:
    """Run JupyterLab (of the environment of ``python``) on 127.0.0.1, serving ``root``; stop it afterwards."""
    port, token = _free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="hlmteach-lab-") as tmp:
        home = Path(tmp)
        for name, settings in SETTINGS.items():
            path = home / "settings" / name
            path.parent.mkdir(parents=True)
            path.write_text(json.dumps(settings), encoding="utf-8")
        env = {
            **clean_env(),
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "HLMTEACH_CACHE": str(home / "cache"),
        }
        log = home / "lab.log"
        cmd = [
            str(python),
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),  # CI runs as root
            *extra_args,
        ]
        with open(log, "w") as out:
            proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root)
        try:
            url = f"http://127.0.0.1:{port}/"
            _wait_until_up(proc, url, token, log)
            yield Lab(url=url, token=token, root=root)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


@dataclass
class LabPage:
    """A Playwright page on a :class:`Lab`, recording requests and browser errors."""

    page: Any
    lab: Lab
    requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    @property
    def external_requests(self) -> list[str]:
        """Requests to any host but 127.0.0.1 (data:, blob: and about: URLs are local)."""
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme not in ("data", "blob", "about") and parts.hostname != "127.0.0.1":
                out.append(url)
        return out

    def open(self, path: str, interface: str = "lab", timeout_ms: int = 60_000) -> None:
        """Open the notebook ``path`` and wait until its kernel is idle."""
        self.page.goto(self.lab.tree_url(path, interface), wait_until="domcontentloaded", timeout=timeout_ms)
        self.page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=timeout_ms)
        self.wait_idle(timeout_ms)

    def wait_idle(self, timeout_ms: int = 120_000) -> None:
        """Wait until the kernel has started, no cell is queued or running (no ``[*]`` prompt) and the kernel is idle."""
        self.page.wait_for_function(
            """() => {
                const prompts = Array.from(document.querySelectorAll('.jp-Notebook .jp-InputPrompt'));
                const busy = prompts.some(p => p.textContent.includes('*'));
                const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
                const kernel = document.querySelector('.jp-Toolbar-kernelName');
                const started = kernel && !kernel.textContent.includes('No Kernel');
                const idle = status && status.getAttribute('data-status') === 'idle';
                return prompts.length > 0 && !busy && started && idle;
            }""",
            timeout=timeout_ms,
            polling=200,
        )

    def run_all(self, timeout_ms: int = 180_000) -> None:
        """Run every cell from the top, as a student does: Run menu, Run All Cells."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        self.page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        self.page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.jp-Notebook .jp-InputPrompt')).some(p => p.textContent.includes('*'))",
            timeout=30_000,
            polling=50,
        )
        self.wait_idle(timeout_ms)

    def error_outputs(self) -> list[str]:
        """Texts of error and stderr outputs, and widgets that failed to display, in every cell."""
        return self.page.evaluate(
            """() => Array.from(document.querySelectorAll(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],' +
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"],' +
                '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"],' +
                '.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"],' +
                '.jupyter-widgets.jupyter-widgets-error-widget, .widget-error'
            )).map(el => el.textContent.slice(0, 2000))"""
        ) + [node for node in self._widget_failures()]

    def _widget_failures(self) -> list[str]:
        return self.page.evaluate(
            """() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
                .map(el => el.textContent.trim())
                .filter(text => text.startsWith('Error displaying widget') || text.startsWith('Failed to load model class'))"""
        )


# --------------------------------------------------------------------------- the live explorer in the page

# Click a control (or a tab) of the last live explorer on the page and time, from the click, until what it
# changes on screen has been redrawn: each chart panel on screen (the overview and the selected tab's) at the
# first change inside its ``svg.marks`` (Vega renders a change in one synchronous pass), or a new ``svg.marks``
# (a re-embedded chart), once it has marks,
# the tables at their first change, the equations when MathJax has typeset the new ones; then one animation
# frame more, for the paint.  For a tab, only its panel.  Returns milliseconds per element waited for, and
# "last".
_CLICK_JS = """
async ({control, index, tab, timeoutMs}) => {
  const roots = document.querySelectorAll('.hlmteach-live');
  const root = roots[roots.length - 1];
  const all = Array.from(root.querySelectorAll('.hlmteach-panel'));
  const name = el => Array.from(el.classList).find(c => c.startsWith('hlmteach-panel-')).slice(15);
  const tabs = Array.from(root.querySelectorAll('.lm-TabBar-tab'));
  const tabbed = all.filter(el => el.closest('.lm-TabPanel, .widget-tab'));
  const tabIndex = tab === null ? -1 : tabs.findIndex(el => el.textContent.trim() === tab);
  if (tab !== null && tabIndex < 0) throw new Error('no tab ' + tab);
  const panels = tab === null ? all.filter(el => el.offsetParent !== null) : [tabbed[tabIndex]];
  const isChart = el => !!el.querySelector('svg.marks, canvas');
  const drawn = el => el.querySelectorAll('svg.marks g.role-mark > *').length > 0 || !!el.querySelector('canvas');
  const equations = root.querySelector('.widget-htmlmath');
  const done = {};
  const wanted = panels.length + (tab === null ? 1 : 0);
  return await new Promise((resolve, reject) => {
    let t0;
    const observer = new MutationObserver(records => {
      const now = performance.now() - t0;
      const targets = records.map(r => r.target.nodeType === 1 ? r.target : r.target.parentElement).filter(Boolean);
      // a chart whose model changed shape is re-embedded: its new svg arrives drawn, in one added node
      const added = records.flatMap(r => Array.from(r.addedNodes)).filter(n => n.nodeType === 1);
      const embedded = panel => added.some(n => panel.contains(n) && (n.matches('svg.marks') || n.querySelector('svg.marks')));
      const typeset = () => !!equations.querySelector('mjx-container') && !equations.textContent.includes('$$');
      if (tab === null && done.equations === undefined && targets.some(el => equations.contains(el)) && typeset()) {
        done.equations = now;
      }
      for (const panel of panels) {
        if (done[name(panel)] !== undefined) continue;
        const svg = panel.querySelector('svg.marks');
        const hit = isChart(panel) ? (targets.some(el => svg && svg.contains(el)) || embedded(panel)) && drawn(panel)
                                   : targets.some(el => panel.contains(el));
        if (hit) done[name(panel)] = now;
      }
      if (Object.keys(done).length === wanted) {
        observer.disconnect();
        requestAnimationFrame(() => resolve({...done, last: performance.now() - t0}));
      }
    });
    observer.observe(root, {childList: true, subtree: true, characterData: true, attributes: true});
    setTimeout(() => { observer.disconnect(); reject(new Error('not redrawn within ' + timeoutMs + ' ms: ' +
      JSON.stringify(done))); }, timeoutMs);
    t0 = performance.now();
    if (tab !== null) {
      const box = tabs[tabIndex].getBoundingClientRect();  // Lumino's tab bar hit-tests the pointer position
      const at = {bubbles: true, cancelable: true, button: 0, clientX: box.x + box.width / 2, clientY: box.y + box.height / 2};
      tabs[tabIndex].dispatchEvent(new PointerEvent('pointerdown', at));
      tabs[tabIndex].dispatchEvent(new PointerEvent('pointerup', at));
      return;
    }
    const widget = root.querySelector('.hlmteach-control-' + control);
    const radios = widget.querySelectorAll('input[type=radio]');
    const select = widget.querySelector('select');
    if (radios.length) { radios[index].click(); }
    else if (select) { select.selectedIndex = index; select.dispatchEvent(new Event('change', {bubbles: true})); }
    else { widget.querySelector('input[type=checkbox]').click(); }
  });
}
"""

# What every panel of the last live explorer shows: for charts, the number of SVG (or canvas) views and marks.
_PANELS_JS = """
() => {
  const roots = document.querySelectorAll('.hlmteach-live');
  const root = roots[roots.length - 1];
  return Array.from(root.querySelectorAll('.hlmteach-panel')).map(el => ({
    name: Array.from(el.classList).find(c => c.startsWith('hlmteach-panel-')).slice(15),
    svg: el.querySelectorAll('svg.marks').length,
    canvas: el.querySelectorAll('canvas').length,
    marks: el.querySelectorAll('svg.marks g.role-mark > *').length,
    tables: el.querySelectorAll('table').length,
    html: el.querySelectorAll('table').length ? el.innerHTML : null,
    text: el.textContent.slice(0, 500),
  }));
}
"""


def explorer_panels(page: Any) -> dict[str, dict[str, Any]]:
    """Each panel of the last live explorer on ``page``: SVG/canvas views and marks drawn, tables and their HTML."""
    return {p["name"]: p for p in page.evaluate(_PANELS_JS)}


def drawn_charts(page: Any) -> list[dict[str, Any]]:
    """Every vega-embed chart in the notebook's outputs: whether it is in a live explorer, its SVG/canvas and marks."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.jp-OutputArea-output .vega-embed')).map(el => ({
            live: !!el.closest('.hlmteach-live'),
            svg: el.querySelectorAll('svg.marks').length,
            canvas: el.querySelectorAll('canvas.marks').length,
            marks: el.querySelectorAll('svg.marks g.role-mark > *').length,
        }))"""
    )


def explorer_formula(page: Any) -> str:
    """The lme4 formula the last live explorer on ``page`` shows above its equations."""
    return page.evaluate(
        "() => { const r = document.querySelectorAll('.hlmteach-live'); "
        "return r[r.length - 1].querySelector('.widget-htmlmath code').textContent; }"
    )


def click_control(page: Any, control: str, index: int, timeout_ms: int = 30_000) -> dict[str, float]:
    """Click option ``index`` of ``control`` (a radio button, the checkbox, a select's option) of the last live
    explorer on ``page``; wait until every panel on screen has redrawn (the overview and the selected tab) and
    the equations changed; milliseconds from the click for each of them, and ``last``."""
    return page.evaluate(_CLICK_JS, {"control": control, "index": index, "tab": None, "timeoutMs": timeout_ms})


def click_tab(page: Any, title: str, timeout_ms: int = 30_000) -> dict[str, float]:
    """Select the tab ``title`` of the last live explorer on ``page`` when its panel is behind (a click since it
    was last shown); wait until the panel has redrawn; milliseconds from the click (``last``)."""
    return page.evaluate(_CLICK_JS, {"control": None, "index": 0, "tab": title, "timeoutMs": timeout_ms})
