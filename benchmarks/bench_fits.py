"""How fast is a complete hlmteach fit, next to statsmodels and lme4/lmerTest?

For each seed model (High School and Beyond data) this prints the median
milliseconds per complete fit — ``hlmteach.lmer`` plus everything a reader of
the book sees for the model (``fixed`` with Satterthwaite df, ``hlm_fixed()``,
``hlm_variance_components()``), with ``ranova()`` timed separately — next to
two peers measured in the same run:

* statsmodels' ``MixedLM`` with its default settings, and whether it reaches
  the REML optimum (its −2 log L compared with hlmteach's REML criterion);
* lme4's bare ``lmer`` and lmerTest's ``summary(lmer(...))``, timed inside R,
  when ``Rscript`` with both packages is available (otherwise skipped, saying so).

Then one complete fit of each of two simulated big models, each in a child
process, for its time and peak memory: 1,000,000 students in 10,000 schools
with a random slope, and 10,000,000 students in 100,000 schools with a
level-2 predictor and a cross-level interaction as well.

The output is Markdown, to paste into README.md.  Speed goals are judged here,
never in the test suite (timings there would make tests flaky).

    python benchmarks/bench_fits.py                  # full run, about a minute
    python benchmarks/bench_fits.py --quick --no-r   # smoke run, a few seconds
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

# Benchmark the checkout this script lives in, installed or not.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from paired import Paired, paired_rounds  # noqa: E402  (a sibling module: this is a script)

import hlmteach  # noqa: E402

T = TypeVar("T")
WRONG_OPTIMUM = 0.01  # REML-criterion gap that counts as a different optimum
SPEED_GOAL = 10.0  # hlmteach should be this many times faster than lme4::lmer
BIG_SEED = 20240601
BIG_GAMMA = (12.0, 2.5)  # γ00, γ10
LEVEL2_GAMMA = (1.0, 0.3)  # γ01 (w), γ11 (x:w), in the models with a level-2 predictor
BIG_TAU = ((8.0, 0.5), (0.5, 1.0))  # Var(u0, u1)
BIG_SIGMA = 6.0  # SD of r


@dataclass(frozen=True)
class BigCase:
    """A simulated big model: its size, formula and the goals for one complete fit."""

    name: str
    students: int
    schools: int
    formula: str
    time_goal_s: float
    memory_goal_mb: float
    quick_divisor: int  # --quick fits it this many times smaller

    @property
    def level2(self) -> bool:
        return "w" in self.formula.split("|")[0]


BIG_CASES = (
    BigCase("big", 1_000_000, 10_000, "y ~ x + (1 + x | school)", 3.0, 2000.0, 10),
    BigCase("huge", 10_000_000, 100_000, "y ~ x * w + (1 + x | school)", 5.0, 4000.0, 100),
)


@dataclass(frozen=True)
class SeedModel:
    """One seed model, in lme4's syntax and in statsmodels' (fixed part + random part)."""

    number: int
    formula: str
    sm_fixed: str
    sm_re: str | None  # None: a random intercept only


SEED_MODELS = (
    SeedModel(1, "mAch ~ 1 + (1 | school)", "mAch ~ 1", None),
    SeedModel(2, "mAch ~ 1 + meanses + (1 | school)", "mAch ~ 1 + meanses", None),
    SeedModel(3, "mAch ~ 1 + cses + (1 + cses | school)", "mAch ~ 1 + cses", "~cses"),
    SeedModel(4, "mAch ~ cses * sector + (1 + cses | school)", "mAch ~ cses * sector", "~cses"),
)


@dataclass(frozen=True)
class Timing:
    """Median milliseconds per call over ``runs`` timed calls."""

    ms: float
    runs: int


@dataclass(frozen=True)
class PeerResult:
    """A peer's timing on one model and the REML criterion at the optimum it reports."""

    timing: Timing
    criterion: float
    converged: bool = True


@dataclass(frozen=True)
class RResult:
    """lme4 and lmerTest on one model, as the R subprocess printed them."""

    lmer: Timing
    lmertest: Timing
    criterion: float


@dataclass(frozen=True)
class ModelRow:
    """Everything measured for one seed model."""

    model: SeedModel
    complete: Timing
    ranova: Timing
    criterion: float
    statsmodels: PeerResult | None
    r: RResult | None


# --- timing -------------------------------------------------------------------


def measure(call: Callable[[], T], repeat: int, budget_s: float) -> tuple[Timing, T]:
    """Median of up to ``repeat`` timed calls after one warm-up call, and the last call's result.

    Timing stops early once ``budget_s`` seconds have been spent (after at
    least one timed call), so that a peer needing seconds per fit cannot blow
    up the run.  A call slower than the whole budget is timed once, on the
    warm-up itself: at seconds per fit, first-call overhead is noise.
    """
    start = time.perf_counter()
    result = call()
    first = time.perf_counter() - start
    if first > budget_s:
        return Timing(1e3 * first, 1), result
    times: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(times) < repeat and (not times or time.perf_counter() < deadline):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return Timing(1e3 * statistics.median(times), len(times)), result


def complete_fit(formula: str, data: pd.DataFrame) -> hlmteach.Fit:
    """Fit and compute every table the book shows for a model, except ranova."""
    fit = hlmteach.lmer(formula, data)
    _ = fit.fixed
    fit.hlm_fixed()
    fit.hlm_variance_components()
    return fit


def time_hlmteach(model: SeedModel, hsb: pd.DataFrame, repeat: int, budget_s: float) -> tuple[Timing, Timing, float]:
    """Complete-fit timing, ranova timing (on a fitted model) and the REML criterion."""
    complete, fit = measure(lambda: complete_fit(model.formula, hsb), repeat, budget_s)
    ranova, _ = measure(fit.ranova, repeat, budget_s)
    return complete, ranova, float(fit.reml_criterion)


def time_statsmodels(model: SeedModel, hsb: pd.DataFrame, repeat: int, budget_s: float) -> PeerResult:
    """statsmodels MixedLM by REML with its default optimiser settings.

    Its warnings (failed optimisers, retries) are silenced while timing; its
    own ``converged`` flag and −2 log L at the point it returns are kept.
    """
    import statsmodels.formula.api as smf

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return smf.mixedlm(model.sm_fixed, hsb, groups="school", re_formula=model.sm_re).fit(reml=True)

    timing, result = measure(fit, repeat, budget_s)
    return PeerResult(timing, -2 * float(result.llf), bool(result.converged))


# --- lme4 / lmerTest in R --------------------------------------------------------

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
for (pkg in c("lme4", "lmerTest")) {
  if (!requireNamespace(pkg, quietly = TRUE)) {
    cat("MISSING", pkg, "\n")
    quit(status = 3)
  }
}
csv <- args[1]; repeats <- as.integer(args[2]); budget <- as.numeric(args[3])
formulas <- args[-(1:3)]
hsb <- read.csv(csv, colClasses = c(school = "character"))
hsb$school <- factor(hsb$school, levels = unique(hsb$school))
hsb$sector <- factor(hsb$sector, levels = c("Public", "Catholic"))
hsb$minrty <- factor(hsb$minrty, levels = c("No", "Yes"))
hsb$sx <- factor(hsb$sx, levels = c("Male", "Female"))
elapsed <- function() proc.time()[["elapsed"]]
# warm-up, then up to `repeats` timed calls within `budget` seconds, as `measure` in Python
measure <- function(f) {
  t0 <- elapsed(); value <- f(); first <- 1000 * (elapsed() - t0)
  if (first > 1000 * budget) return(list(ms = first, runs = 1, value = value))
  times <- numeric(0); start <- elapsed()
  while (length(times) < repeats && (length(times) == 0 || elapsed() - start < budget)) {
    t0 <- elapsed(); value <- f(); times <- c(times, 1000 * (elapsed() - t0))
  }
  list(ms = median(times), runs = length(times), value = value)
}
cat("VERSION", R.version$major, R.version$minor, as.character(packageVersion("lme4")),
    as.character(packageVersion("lmerTest")), "\n")
suppressMessages({
  for (i in seq_along(formulas)) {
    f <- as.formula(formulas[i])
    bare <- measure(function() lme4::lmer(f, hsb))
    inference <- measure(function() summary(lmerTest::lmer(f, hsb)))
    crit <- lme4::REMLcrit(bare$value)
    cat(sprintf("RESULT %d %.6f %d %.6f %d %.8f\n", i, bare$ms, bare$runs, inference$ms, inference$runs, crit))
  }
})
"""


def run_r(hsb: pd.DataFrame, repeat: int, budget_s: float) -> tuple[dict[int, RResult], str]:
    """lme4 and lmerTest timed inside R on the same data; returns the results and
    a description of the R peer (its versions, or why it was skipped)."""
    if shutil.which("Rscript") is None:
        return {}, "skipped: Rscript not found"
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "hsb.csv", Path(tmp) / "bench.R"
        hsb.to_csv(csv, index=False)
        script.write_text(R_SCRIPT)
        formulas = [m.formula for m in SEED_MODELS]
        cmd = ["Rscript", str(script), str(csv), str(repeat), str(budget_s), *formulas]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        last = (proc.stdout.strip() or proc.stderr.strip() or f"exit status {proc.returncode}").splitlines()[-1]
        return {}, f"skipped: R failed ({last})"
    return parse_r_output(proc.stdout)


def parse_r_output(text: str) -> tuple[dict[int, RResult], str]:
    """Read the VERSION and RESULT lines that ``R_SCRIPT`` prints."""
    results, about = {}, "R (version unknown)"
    for line in text.splitlines():
        fields = line.split()
        if fields[:1] == ["VERSION"]:
            major, minor, lme4, lmertest = fields[1:5]
            about = f"R {major}.{minor}, lme4 {lme4}, lmerTest {lmertest}"
        elif fields[:1] == ["RESULT"]:
            number, bare_ms, bare_runs, inf_ms, inf_runs, crit = fields[1:7]
            bare, inference = Timing(float(bare_ms), int(bare_runs)), Timing(float(inf_ms), int(inf_runs))
            results[int(number)] = RResult(bare, inference, float(crit))
    return results, about


# --- big data, in child processes --------------------------------------------------


def simulate_big(students: int, schools: int, level2: bool = False) -> pd.DataFrame:
    """y = γ00 + γ10 x + u0 + u1 x + r (+ γ01 w + γ11 x w with a level-2 predictor w ~ N(0, 1)):
    equal-size schools, x ~ N(0, 1), fixed seed."""
    rng = np.random.default_rng(BIG_SEED)
    school = np.arange(students) * schools // students
    u = rng.multivariate_normal([0.0, 0.0], BIG_TAU, size=schools)
    x = rng.standard_normal(students)
    r = rng.normal(0.0, BIG_SIGMA, students)
    y = BIG_GAMMA[0] + BIG_GAMMA[1] * x + u[school, 0] + u[school, 1] * x + r
    data = {"y": y, "x": x, "school": school}
    if level2:
        w = rng.standard_normal(schools)[school]
        data["y"] = y + LEVEL2_GAMMA[0] * w + LEVEL2_GAMMA[1] * x * w
        data["w"] = w
    return pd.DataFrame(data)


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (10⁶ bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6  # bytes on macOS, KiB on Linux


def big_child(mode: str, case: BigCase) -> None:
    """Body of a child process: import, simulate, warm up on HSB, and (``mode == "fit"``)
    time one complete fit of the big model.  Prints one JSON line."""
    data = simulate_big(case.students, case.schools, case.level2)
    complete_fit(SEED_MODELS[2].formula, hlmteach.load_hsb())  # warm-up, in both children
    out: dict[str, object] = {}
    if mode == "fit":
        start, cpu = time.perf_counter(), time.process_time()
        fit = complete_fit(case.formula, data)
        out["seconds"], out["cpu_seconds"] = time.perf_counter() - start, time.process_time() - cpu
        out["gamma"] = dict(zip(fit.coef.index, fit.coef.tolist(), strict=True))
        out["tau"] = fit.tau.to_numpy().tolist()
        out["sigma2"] = fit.sigma2
        out["iterations"] = fit.opt.iterations
        out["converged"] = fit.converged
    out["peak_mb"] = peak_rss_mb()
    print(json.dumps(out))


def run_child(mode: str, case: BigCase) -> dict:
    """Run this script as a fresh child process in ``mode``; return its JSON report.

    The child measures its own peak RSS (RUSAGE_SELF): the parent's
    RUSAGE_CHILDREN would be the maximum over *all* its children, R included.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--case", case.name]
    cmd += ["--big-students", str(case.students), "--big-schools", str(case.schools)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=900)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- output ------------------------------------------------------------------------


def fmt_ms(t: Timing | None) -> str:
    if t is None:
        return "–"
    return f"{t.ms:.1f}" if t.ms < 100 else f"{t.ms:,.0f}"


def ratio(peer: Timing | None, ours: Timing) -> str:
    return "–" if peer is None else f"{peer.ms / ours.ms:.1f}×"


def wrong_optimum(row: ModelRow) -> bool:
    return row.statsmodels is not None and abs(row.statsmodels.criterion - row.criterion) > WRONG_OPTIMUM


def model_cell(model: SeedModel) -> str:
    """The model as a table cell (a ``|`` inside a Markdown table must be escaped)."""
    escaped = model.formula.replace("|", "\\|")
    return f"{model.number}. `{escaped}`"


def main_table(rows: list[ModelRow]) -> list[str]:
    """The Markdown table for README.md."""
    lines = [
        "| model | hlmteach ms | +ranova ms | statsmodels ms | lme4::lmer ms | lmerTest summary ms"
        " | lme4/hlmteach | statsmodels/hlmteach |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        sm = row.statsmodels.timing if row.statsmodels else None
        sm_cell = fmt_ms(sm) + (" (wrong optimum)" if wrong_optimum(row) else "")
        lme4 = row.r.lmer if row.r else None
        lmertest = row.r.lmertest if row.r else None
        cells = [model_cell(row.model), fmt_ms(row.complete), fmt_ms(row.ranova), sm_cell, fmt_ms(lme4), fmt_ms(lmertest)]
        cells += [ratio(lme4, row.complete), ratio(sm, row.complete)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


COLUMNS_NOTE = (
    "hlmteach ms: `lmer` + `fixed` (Satterthwaite df) + `hlm_fixed()` + `hlm_variance_components()`; "
    "+ranova ms: `ranova()` on that fit, on top; statsmodels ms: `mixedlm(...).fit(reml=True)`; "
    "lme4::lmer ms: bare `lmer()`; lmerTest summary ms: `summary(lmerTest::lmer())`, timed inside R. Medians."
)


def runs_line(rows: list[ModelRow]) -> str:
    """How many timed calls each median rests on (peers are capped by the time budget)."""

    def runs(get: Callable[[ModelRow], Timing | None]) -> str:
        return ", ".join("–" if get(r) is None else str(get(r).runs) for r in rows)

    return (
        f"Timed calls per median (models 1–4), after one warm-up call (a first call slower than the budget "
        f"is the only one, and is reported): hlmteach {runs(lambda r: r.complete)}; "
        f"ranova {runs(lambda r: r.ranova)}; statsmodels {runs(lambda r: r.statsmodels and r.statsmodels.timing)}; "
        f"lme4 {runs(lambda r: r.r and r.r.lmer)}; lmerTest {runs(lambda r: r.r and r.r.lmertest)}."
    )


def criterion_table(rows: list[ModelRow]) -> list[str]:
    """REML criterion (−2 log L) at the optimum each program reports."""
    lines = [
        "| model | hlmteach | lme4 | statsmodels | statsmodels − hlmteach | statsmodels `converged` |",
        "|---|--:|--:|--:|--:|---|",
    ]
    for row in rows:
        sm = row.statsmodels
        cells = [str(row.model.number), f"{row.criterion:.4f}", f"{row.r.criterion:.4f}" if row.r else "–"]
        if sm is None:
            cells += ["–", "–", "–"]
        else:
            verdict = "wrong optimum" if wrong_optimum(row) else "same optimum"
            cells += [f"{sm.criterion:.4f}", f"{sm.criterion - row.criterion:+.4f} ({verdict})", str(sm.converged)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def goal_lines(rows: list[ModelRow], r_about: str, paired: list[Paired] | None) -> list[str]:
    """Is a complete hlmteach fit ≥10× faster than a bare lme4::lmer, model by model?

    Judged on the paired rounds (``paired.py``), which cancel the machine's speed drift.
    """
    if paired is None:
        return [f"Goal (≥{SPEED_GOAL:.0f}× faster than lme4::lmer): not judged (lme4 {r_about})"]
    lines = [
        f"Goal: hlmteach (complete fit) ≥{SPEED_GOAL:.0f}× faster than lme4::lmer (bare fit), "
        f"timed in {paired[0].rounds} alternating rounds (median of the per-round ratios):"
    ]
    for row, pair in zip(rows, paired, strict=True):
        verdict = "MET" if pair.ratio >= SPEED_GOAL else "MISSED"
        lines.append(
            f"- model {row.model.number}: {pair.ratio:.1f}× — {verdict} "
            f"(hlmteach {pair.hlmteach_ms:.1f} ms, lme4::lmer {pair.lme4_ms:.1f} ms; "
            f"vs lmerTest summary in the table above {row.r.lmertest.ms / row.complete.ms:.1f}×)"
        )
    return lines


def big_lines(case: BigCase, full: BigCase, fit: dict, baseline: dict) -> list[str]:
    """One big model's result and its PASS/FAIL lines (memory judged on the whole child); ``full`` is
    the case at the size its goals are set for."""
    time_ok = fit["seconds"] < case.time_goal_s
    mem_ok = fit["peak_mb"] < case.memory_goal_mb
    g, tau = fit["gamma"], fit["tau"]
    truth = f"γ = {BIG_GAMMA + (LEVEL2_GAMMA if case.level2 else ())}, T = {BIG_TAU}, σ = {BIG_SIGMA}"
    gammas = ", ".join(f"{name} {value:.3f}" for name, value in g.items())
    lines = [
        f"Big data: {case.students:,} students in {case.schools:,} schools, `{case.formula}` "
        f"(simulated, seed {BIG_SEED}: {truth})",
        f"- estimates: {gammas}; τ00 {tau[0][0]:.3f}, τ01 {tau[0][1]:.3f}, τ11 {tau[1][1]:.3f}; σ² {fit['sigma2']:.3f} "
        f"({fit['iterations']} Newton iterations, {'converged' if fit['converged'] else 'NOT converged'})",
        f"- complete fit (lmer + fixed + hlm_fixed + hlm_variance_components): {fit['seconds']:.2f} s "
        f"({fit['cpu_seconds']:.2f} s of CPU time; load average {os.getloadavg()[0]:.2f} after it)",
        f"- peak RSS of the fitting child process: {fit['peak_mb']:,.0f} MB; of a baseline child that only imports, "
        f"simulates the data and does the same HSB warm-up: {baseline['peak_mb']:,.0f} MB; "
        f"so the fit itself adds {fit['peak_mb'] - baseline['peak_mb']:,.0f} MB",
        f"- {'PASS' if time_ok else 'FAIL'}: time goal < {case.time_goal_s:.0f} s ({fit['seconds']:.2f} s)",
        f"- {'PASS' if mem_ok else 'FAIL'}: memory goal < {case.memory_goal_mb:,.0f} MB, "
        f"judged on the whole child's peak ({fit['peak_mb']:,.0f} MB)",
    ]
    if (case.students, case.schools) != (full.students, full.schools):
        lines.append(f"- note: the goals are set for {full.students:,} × {full.schools:,}; this run used a smaller size")
    return lines


def machine_lines(args: argparse.Namespace) -> list[str]:
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return [
        f"# hlmteach benchmark — {now}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"hlmteach {hlmteach.__version__}; load average {os.getloadavg()[0]:.2f} at start",
        f"Settings: repeat {args.repeat}, time budget {args.budget:g} s per cell"
        f"{', --quick' if args.quick else ''}{', --no-r' if args.no_r else ''}",
    ]


# --- driver --------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    big, huge = BIG_CASES
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=None, help="timed calls per cell (default 20; 1 with --quick)")
    parser.add_argument("--budget", type=float, default=None, help="seconds per cell before timing stops (default 2)")
    parser.add_argument("--quick", action="store_true", help="smoke run: few calls, no statsmodels, smaller big models")
    parser.add_argument("--no-r", action="store_true", help="skip the lme4/lmerTest peer")
    parser.add_argument("--big-students", type=int, default=None, help=f"students in the big model (default {big.students:,})")
    parser.add_argument("--big-schools", type=int, default=None, help=f"schools in the big model (default {big.schools:,})")
    parser.add_argument("--huge-students", type=int, default=None, help=f"students in the huge model (default {huge.students:,})")
    parser.add_argument("--huge-schools", type=int, default=None, help=f"schools in the huge model (default {huge.schools:,})")
    parser.add_argument("--child", choices=["fit", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--case", choices=[c.name for c in BIG_CASES], default=big.name, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.repeat = args.repeat or (1 if args.quick else 20)
    args.budget = args.budget if args.budget is not None else (0.0 if args.quick else 2.0)
    args.cases = []
    for case in BIG_CASES:
        students, schools = getattr(args, f"{case.name}_students"), getattr(args, f"{case.name}_schools")
        shrink = case.quick_divisor if args.quick and students is None and schools is None else 1
        args.cases.append(replace(case, students=students or case.students // shrink, schools=schools or case.schools // shrink))
    return args


def measure_models(args: argparse.Namespace, hsb: pd.DataFrame) -> tuple[list[ModelRow], str]:
    """Time hlmteach and its peers on every seed model; also say what the R peer was."""
    r_results, r_about = ({}, "skipped: --no-r") if args.no_r else run_r(hsb, args.repeat, args.budget)
    rows = []
    for model in SEED_MODELS:
        print(f"timing model {model.number} …", file=sys.stderr, flush=True)
        complete, ranova, criterion = time_hlmteach(model, hsb, args.repeat, args.budget)
        sm = None if args.quick else time_statsmodels(model, hsb, args.repeat, args.budget)
        rows.append(ModelRow(model, complete, ranova, criterion, sm, r_results.get(model.number)))
    return rows, r_about


def peers_line(quick: bool, r_about: str) -> str:
    """Which peers ran, with their versions."""
    if quick:
        sm_about = "statsmodels skipped: --quick"
    else:
        import statsmodels

        sm_about = f"statsmodels {statsmodels.__version__} MixedLM (default settings, REML)"
    return f"Peers: {sm_about}; lme4/lmerTest {r_about}."


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = parse_args(argv)
    if args.child:  # a child is told its case's size as --big-students/--big-schools
        case = next(c for c in BIG_CASES if c.name == args.case)
        size = {"students": args.big_students or case.students, "schools": args.big_schools or case.schools}
        big_child(args.child, replace(case, **size))
        return 0
    for line in machine_lines(args):
        print(line, flush=True)
    hsb = hlmteach.load_hsb()
    rows, r_about = measure_models(args, hsb)
    big = []
    for case in args.cases:
        print(f"timing the {case.name} model ({case.students:,} students) …", file=sys.stderr, flush=True)
        big.append((case, run_child("fit", case), run_child("baseline", case)))
    out = ["", peers_line(args.quick, r_about), "", *main_table(rows), "", COLUMNS_NOTE, runs_line(rows), ""]
    out += ["REML criterion at each program's reported optimum (more than 0.01 apart: wrong optimum):", ""]
    paired = None
    if rows[0].r is not None and not args.quick:
        print("timing paired rounds …", file=sys.stderr, flush=True)
        paired = paired_rounds(hsb, [m.formula for m in SEED_MODELS], lambda f: complete_fit(f, hsb))
    out += [*criterion_table(rows), "", *goal_lines(rows, r_about, paired), ""]
    for (case, fit, baseline), full in zip(big, BIG_CASES, strict=True):
        out += [*big_lines(case, full, fit, baseline), ""]
    out += ["", f"Whole run: {time.perf_counter() - started:.0f} s."]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
