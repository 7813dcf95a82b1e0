"""How long does replaying HLM 7's iterations take, next to a complete hlmteach fit of the same model?

For each seed model (High School and Beyond data) this prints the median
milliseconds of

* the emulation: ``hlmteach.hlm7(formula, hsb)`` with HLM 7's two tables
  (``hlm_fixed()``, ``hlm_variance_components()``), from the data frame on;
* a complete hlmteach fit: ``hlmteach.lmer`` with ``fixed`` (Satterthwaite df)
  and both HLM 7 tables, as ``bench_fits.py`` times it,

timed in alternating rounds in the same run (this machine's speed drifts), the
number of EM iterations HLM 7 takes, and whether the emulation meets its goal
of under 50 ms per model.  It is a script, not a test: speed goals are judged
here, never in the test suite.

    python benchmarks/bench_hlm7.py              # about ten seconds
    python benchmarks/bench_hlm7.py --rounds 3   # quicker
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmark this checkout, installed or not

import hlmteach  # noqa: E402

GOAL_MS = 50.0
MODELS = ("unconditional", "means_as_outcomes", "random_coefficient", "intercepts_slopes")


def emulation(formula: str, hsb) -> Callable[[], object]:
    def run() -> object:
        fit = hlmteach.hlm7(formula, hsb)
        fit.hlm_fixed()
        fit.hlm_variance_components()
        return fit

    return run


def complete_fit(formula: str, hsb) -> Callable[[], object]:
    def run() -> object:
        fit = hlmteach.lmer(formula, hsb)
        _ = fit.fixed
        fit.hlm_fixed()
        fit.hlm_variance_components()
        return fit

    return run


def timed(call: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append(1e3 * (time.perf_counter() - start))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds (default 10)")
    parser.add_argument("--per-round", type=int, default=5, help="timed calls of each per round (default 5)")
    args = parser.parse_args()

    hsb = hlmteach.load_hsb()
    printouts = hlmteach.seed_outputs()["hlm7"]
    print(f"Load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.rounds} alternating rounds\n")
    print("| model | HLM 7 iterations | hlm7 emulation ms | complete hlmteach fit ms | emulation / fit | goal < 50 ms |")
    print("|---|--:|--:|--:|--:|---|")
    for number, name in enumerate(MODELS, 1):
        formula = printouts[name]["formula"]
        emulate, fit = emulation(formula, hsb), complete_fit(formula, hsb)
        iterations = emulate().n_iterations  # warm-up
        fit()
        emulated, fitted, ratios = [], [], []
        for _ in range(args.rounds):
            e, f = timed(emulate, args.per_round), timed(fit, args.per_round)
            emulated += e
            fitted += f
            ratios.append(statistics.median(e) / statistics.median(f))
        ms_e, ms_f = statistics.median(emulated), statistics.median(fitted)
        verdict = "PASS" if ms_e < GOAL_MS else "FAIL"
        formula_md = formula.replace("|", "\\|")
        ratio = statistics.median(ratios)
        print(f"| {number}. `{formula_md}` | {iterations} | {ms_e:.1f} | {ms_f:.1f} | {ratio:.1f}× | {verdict} |")


if __name__ == "__main__":
    main()
