"""What ``import hlmteach`` costs on top of its own dependencies, and what the explorers add.

Each round starts a fresh Python process that imports, in turn and timing
each step, the dependencies (``numpy, scipy.linalg, scipy.special,
pandas``), then ``hlmteach`` (the engine, the references and the data: no
Altair, no ipywidgets), then ``hlmteach.explore`` (the explorers, paid only by
the pages and notebooks that use them).  Medians over the rounds:

    .venv/bin/python benchmarks/bench_import.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

STEPS = {
    "numpy, scipy.linalg, scipy.special, pandas": "import numpy, scipy.linalg, scipy.special, pandas",
    "hlmteach": "import hlmteach",
    "hlmteach.explore": "import hlmteach.explore",
}
CODE = """
import json, time
steps = {steps!r}
out = {{}}
for name, statement in steps.items():
    t = time.perf_counter()
    exec(statement)
    out[name] = time.perf_counter() - t
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in STEPS}
    for _ in range(args.rounds):
        run = subprocess.run([sys.executable, "-c", CODE.format(steps=STEPS)], capture_output=True, text=True, check=True)
        for name, seconds in json.loads(run.stdout).items():
            times[name].append(seconds)
    deps = statistics.median(times[next(iter(STEPS))])
    for k, (name, values) in enumerate(times.items()):
        median = statistics.median(values)
        then = "" if k == 0 else f" on top ({median / deps:.0%} of the dependencies' time)"
        print(f"- import {name}: {1000 * median:.0f} ms{then}, median of {args.rounds} fresh processes")


if __name__ == "__main__":
    main()
