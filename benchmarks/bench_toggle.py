"""How long does a click in the live explorer take, from the control's change to every output redrawn?

For each model chapter this builds the live explorer (``hlmteach.explore.live``)
on the High School and Beyond data and clicks through its controls: every
option of every control, one control away from the chapter's model, in turn.
One toggle is ``LiveExplorer.set(...)``: the refit through hlmteach (the fit
cache cleared first, so every toggle really refits), the tables of
``hlmteach.results``, and everything the kernel sends for the panels on
screen: the equations, the overview chart's data and the HTML tables (the
other tabs' charts are made when their tab is selected).  The front end's
share of a click is timed by ``bench_live.py`` in a real JupyterLab.  A second pass times the same
toggles with the fits cached (a reader going back to a setting).  Then it
times what the static pages precompute at build time: every setting of each
chapter.

The output is Markdown, to paste into README.md.  The goal, a median toggle
under 100 ms, is judged here and never in the test suite.

    python benchmarks/bench_toggle.py              # about a minute
    python benchmarks/bench_toggle.py --repeat 1   # one pass over the controls
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import altair as alt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import hlmteach  # noqa: E402
from hlmteach.explore import CHAPTERS, LiveExplorer, live, static_explorer  # noqa: E402

GOAL_MS = 100.0


def toggles(explorer: LiveExplorer) -> list[dict]:
    """Every option of every control, one control away from the chapter's model."""
    default = explorer.session.chapter.default
    out = []
    for control in explorer.session.chapter.controls:
        out += [{**default, control.name: o.value} for o in control.options if o.value != default[control.name]]
        out.append(dict(default))
    return out


def time_toggles(explorer: LiveExplorer, settings: list[dict], cached: bool) -> list[float]:
    """Milliseconds per ``set`` call, the fit cache cleared before each unless ``cached``."""
    times = []
    for setting in settings:
        if not cached:
            explorer.session.clear()
        start = time.perf_counter()
        explorer.set(**setting)
        times.append(1000 * (time.perf_counter() - start))
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the controls per chapter (default 3)")
    args = parser.parse_args(argv)
    alt.renderers.enable("default")

    print("## Live explorer: one click, refit and redraw\n")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs; Python {platform.python_version()}, "
        f"altair {alt.__version__}, hlmteach {hlmteach.__version__}; load average {os.getloadavg()[0]:.2f} at start\n"
    )
    print("| chapter | toggles | median ms | 90th percentile ms | max ms | median ms, fits cached |")
    print("|---|---|---|---|---|---|")
    medians = {}
    for name in CHAPTERS:
        explorer = live(name)
        settings = toggles(explorer) * args.repeat
        time_toggles(explorer, settings[:2], cached=False)  # warm-up
        fresh = time_toggles(explorer, settings, cached=False)
        cached = time_toggles(explorer, settings, cached=True)
        medians[name] = statistics.median(fresh)
        print(
            f"| {name} | {len(fresh)} | {medians[name]:.1f} | {percentile(fresh, 0.9):.1f} | {max(fresh):.1f} "
            f"| {statistics.median(cached):.1f} |"
        )
    slowest = max(medians, key=medians.get)
    verdict = "PASS" if medians[slowest] < GOAL_MS else "FAIL"
    print(f"\n- {verdict}: median toggle under {GOAL_MS:.0f} ms in every chapter (slowest: {slowest}, {medians[slowest]:.1f} ms)")

    print("\n## Static explorer: every setting precomputed at build time\n")
    print("| chapter | settings | seconds |")
    print("|---|---|---|")
    for name in CHAPTERS:
        start = time.perf_counter()
        explorer = static_explorer(name)
        seconds = time.perf_counter() - start
        settings = len({row["setting"] for row in explorer.spec["datasets"]["header"]})
        print(f"| {name} | {settings} | {seconds:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
