"""Where does a complete hlmteach fit of a seed model spend its time?

First the median time of each pipeline step without a profiler (the steps of
``hlmteach.lmer``, then the three tables), then ``bench_fits.complete_fit``
run many times under cProfile: the functions with the most cumulative time,
in milliseconds per fit.  cProfile's own overhead inflates those (most for
many small calls), so read them as shares and the step times as the truth.

    python benchmarks/profile_fit.py 1            # model 1, 200 fits, top 30
    python benchmarks/profile_fit.py 4 --calls 500 --top 40 --sort tottime
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_fits import SEED_MODELS, complete_fit, hlmteach


class Laps:
    """Split times: ``lap(name)`` records the seconds since the previous lap (or ``start``)."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.last = time.perf_counter()

    def start(self) -> None:
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name].append(now - self.last)
        self.last = now


def step_times(formula: str, calls: int) -> dict[str, float]:
    """Median ms of each step of a complete fit (``pipeline.lmer``'s steps, then the tables)."""
    hsb = hlmteach.load_hsb()
    laps = Laps()
    for _ in range(calls):
        laps.start()
        parsed = hlmteach.parse_formula(formula)
        laps.lap("parse_formula")
        design = hlmteach.build_design(parsed, hsb)
        laps.lap("build_design")
        stats = hlmteach.group_stats(design)
        laps.lap("group_stats")
        criterion = hlmteach.ProfiledDeviance(stats, True)
        laps.lap("ProfiledDeviance")
        opt = hlmteach.optimize(criterion)
        laps.lap("optimize")
        fit = hlmteach.Fit(design, criterion, opt)
        _ = fit.fixed
        laps.lap("Fit + fixed (Satterthwaite)")
        fit.hlm_fixed()
        laps.lap("hlm_fixed")
        fit.hlm_variance_components()
        laps.lap("hlm_variance_components")
    return {name: 1e3 * statistics.median(values) for name, values in laps.times.items()}


def profile(formula: str, calls: int) -> pstats.Stats:
    """cProfile statistics of ``calls`` complete fits, after five warm-up fits."""
    hsb = hlmteach.load_hsb()
    for _ in range(5):
        complete_fit(formula, hsb)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        complete_fit(formula, hsb)
    profiler.disable()
    return pstats.Stats(profiler)


def top_lines(stats: pstats.Stats, calls: int, top: int, sort: str) -> list[str]:
    """The ``top`` functions by ``sort`` ("cumtime" or "tottime"), in ms and calls per fit."""
    column = 3 if sort == "cumtime" else 2  # pstats rows: (cc, nc, tottime, cumtime, callers)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][column], reverse=True)[:top]
    lines = [f"{'cum ms/fit':>10} {'own ms/fit':>10} {'calls/fit':>9}  function"]
    for (filename, line, name), (_, ncalls, tottime, cumtime, _) in rows:
        where = f"{Path(filename).parent.name}/{Path(filename).name}:{line}" if line else filename
        lines.append(f"{1e3 * cumtime / calls:10.3f} {1e3 * tottime / calls:10.3f} {ncalls / calls:9.1f}  {name} ({where})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", type=int, choices=[m.number for m in SEED_MODELS], help="seed model number")
    parser.add_argument("--calls", type=int, default=200, help="profiled fits (default 200)")
    parser.add_argument("--top", type=int, default=30, help="functions to list (default 30)")
    parser.add_argument("--sort", choices=["cumtime", "tottime"], default="cumtime")
    args = parser.parse_args(argv)
    formula = SEED_MODELS[args.model - 1].formula
    steps = step_times(formula, args.calls)
    print(f"model {args.model}: {formula}; median ms per step over {args.calls} complete fits (no profiler)")
    print("\n".join(f"{ms:10.3f}  {name}" for name, ms in steps.items()))
    print(f"{sum(steps.values()):10.3f}  total\n")
    stats = profile(formula, args.calls)
    print(f"{args.calls} complete fits under cProfile:")
    print("\n".join(top_lines(stats, args.calls, args.top, args.sort)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
