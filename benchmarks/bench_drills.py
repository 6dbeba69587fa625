"""Drill questions (with worked solutions) generated per second, over every kind.

Round robin over all catalog kinds with fresh seeds; each repeat generates
ROUNDS × 37 questions through the public ``studydeck.drills.generate``.
Baseline: the target of 2,000 questions per second.  Prints the median over
repeats, the ratio against the baseline, the slowest kinds and the versions.

    python benchmarks/bench_drills.py
"""

from __future__ import annotations

import platform
import statistics
import sys
import time

import numpy as np

from studydeck import __version__
from studydeck.drills import KINDS, generate

BASELINE = 2000.0  # questions per second (the target)
ROUNDS = 30
REPEATS = 7


def one_repeat(offset: int) -> float:
    kinds = list(KINDS)
    start = time.perf_counter()
    for r in range(ROUNDS):
        for kind in kinds:
            generate(kind, offset * 100_000 + r)
    return ROUNDS * len(kinds) / (time.perf_counter() - start)


def per_kind(n: int = 40) -> list[tuple[float, str]]:
    times = []
    for kind in KINDS:
        start = time.perf_counter()
        for seed in range(n):
            generate(kind, 10_000 + seed)
        times.append(((time.perf_counter() - start) / n * 1e6, kind))
    return sorted(times, reverse=True)


def main() -> int:
    one_repeat(99)  # warm-up: imports, first engine calls
    rates = [one_repeat(k) for k in range(REPEATS)]
    median = statistics.median(rates)
    print("bench_drills: questions with worked solutions per second, all kinds round robin")
    print(f"  baseline (target)      {BASELINE:10.0f} q/s")
    print(f"  measured, median of {REPEATS} {median:10.0f} q/s   "
          f"(min {min(rates):.0f}, max {max(rates):.0f}; {ROUNDS * len(KINDS)} questions per repeat)")
    print(f"  ratio                  {median / BASELINE:10.2f}x")
    print("  slowest kinds (µs per question):")
    for micros, kind in per_kind()[:5]:
        print(f"    {kind:34s} {micros:8.0f}")
    print(f"  versions: studydeck {__version__}, numpy {np.__version__}, "
          f"python {platform.python_version()} ({sys.platform})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
