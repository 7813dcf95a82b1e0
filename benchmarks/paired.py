"""hlmteach and lme4::lmer timed in alternating rounds, for a fair speed ratio.

This machine's speed drifts by up to 2× over tens of seconds (the same fit
takes 3.7 ms in one process and 6.4 ms in the next), so a ratio of two medians
measured a minute apart says as much about the drift as about the programs.
Here one R process stays open and, round after round, a few hlmteach fits of
each model are timed and then a few lme4 fits of the same models, seconds
apart; the speed ratio of each round is computed, and the median over rounds
is reported.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

R_SERVER = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(lme4))
hsb <- read.csv(args[1], colClasses = c(school = "character"))
hsb$school <- factor(hsb$school, levels = unique(hsb$school))
hsb$sector <- factor(hsb$sector, levels = c("Public", "Catholic"))
formulas <- lapply(args[-1], as.formula)
for (f in formulas) lme4::lmer(f, hsb)  # warm-up
elapsed <- function() proc.time()[["elapsed"]]
con <- file("stdin"); open(con)
cat("READY\n"); flush(stdout())
while (length(line <- readLines(con, n = 1)) > 0) {
  n <- as.integer(line)
  ms <- sapply(formulas, function(f) {
    t <- numeric(n)
    for (k in seq_len(n)) { t0 <- elapsed(); lme4::lmer(f, hsb); t[k] <- elapsed() - t0 }
    1000 * median(t)
  })
  cat("ROUND", sprintf("%.3f", ms), "\n"); flush(stdout())
}
"""


@dataclass(frozen=True)
class Paired:
    """One model's result over all rounds: median per-round ratio and median times."""

    ratio: float
    hlmteach_ms: float
    lme4_ms: float
    rounds: int


def paired_rounds(
    hsb: pd.DataFrame, formulas: Sequence[str], fit: Callable[[str], object], rounds: int = 10, per_round: int = 5
) -> list[Paired]:
    """Alternate ``per_round`` hlmteach fits (``fit(formula)``) and lme4 fits of every formula, ``rounds`` times."""
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "hsb.csv", Path(tmp) / "server.R"
        hsb.to_csv(csv, index=False)
        script.write_text(R_SERVER)
        with subprocess.Popen(
            ["Rscript", str(script), str(csv), *formulas], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        ) as server:
            if server.stdout.readline().strip() != "READY":
                raise RuntimeError("the R timing server did not start")
            ours: list[list[float]] = [[] for _ in formulas]
            theirs: list[list[float]] = [[] for _ in formulas]
            for _ in range(rounds):
                for k, formula in enumerate(formulas):
                    times = []
                    for _ in range(per_round):
                        start = time.perf_counter()
                        fit(formula)
                        times.append(1e3 * (time.perf_counter() - start))
                    ours[k].append(statistics.median(times))
                server.stdin.write(f"{per_round}\n")
                server.stdin.flush()
                fields = server.stdout.readline().split()
                for k, ms in enumerate(fields[1:]):
                    theirs[k].append(float(ms))
            server.stdin.close()
    return [
        Paired(
            ratio=statistics.median(t / o for o, t in zip(ours[k], theirs[k], strict=True)),
            hlmteach_ms=statistics.median(ours[k]),
            lme4_ms=statistics.median(theirs[k]),
            rounds=rounds,
        )
        for k in range(len(formulas))
    ]
