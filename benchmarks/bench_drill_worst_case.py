"""Time to generate one drill question of each kind at its largest allowed params.

For every kind, the corners of its declared params (``drills.PARAMS``): every
int and float at its high end, then every one at its low end (a threshold is
most expensive when smallest), booleans true, each choice in turn; corners
that the kind refuses (ParamError) are skipped.  Each corner is timed over
REPEATS interleaved runs (all kinds and corners in one run, then the next),
each run a fresh seed; the kind's figure is its slowest corner's median.
Baseline: the budget of 20 ms per question.  Wall-clock time is the figure;
the process's CPU time is printed beside it, since on a shared machine the
wall clock also counts time spent waiting for a core.

    python benchmarks/bench_drill_worst_case.py [--with-layer]

``--with-layer`` also times, once, what shapes.lstm used to do at its largest
sizes: build nn.LSTM(512, 512, num_layers=4, bidirectional=True,
proj_size=511) and run it on a (64, 64, 512) input.
"""

from __future__ import annotations

import itertools
import platform
import statistics
import sys
import time

import numpy as np

from studydeck import __version__
from studydeck.drills import KINDS, PARAMS, ParamError, generate

BUDGET_MS = 20.0
REPEATS = 7


def corners(kind: str) -> list[dict]:
    spec = PARAMS.get(kind, {})
    choices = [[(name, c) for c in p.choices] for name, p in spec.items() if p.type == "choice"]
    bools = {name: True for name, p in spec.items() if p.type == "bool"}
    numbers = {name: p for name, p in spec.items() if p.type in ("int", "float")}
    out = []
    for picked in itertools.product(*choices) if choices else [()]:
        for end in ("high", "low"):
            params = dict(picked, **bools)
            for name, p in numbers.items():
                value = p.high if end == "high" else p.low
                params[name] = int(value) if p.type == "int" else float(value)
            try:
                generate(kind, 0, params)
            except ParamError:
                continue
            if params not in out:
                out.append(params)
    return out


def main() -> int:
    cases = [(kind, params) for kind in KINDS for params in corners(kind)]
    wall: dict[int, list[float]] = {k: [] for k in range(len(cases))}
    cpu: dict[int, list[float]] = {k: [] for k in range(len(cases))}
    for run in range(REPEATS):
        for k, (kind, params) in enumerate(cases):
            start, start_cpu = time.perf_counter(), time.process_time()
            generate(kind, 1000 + run, params)
            wall[k].append((time.perf_counter() - start) * 1e3)
            cpu[k].append((time.process_time() - start_cpu) * 1e3)
    per_kind: dict[str, tuple[float, float, float, float, dict]] = {}
    for k, (kind, params) in enumerate(cases):
        med = statistics.median(wall[k])
        if kind not in per_kind or med > per_kind[kind][0]:
            per_kind[kind] = (med, min(wall[k]), max(wall[k]), statistics.median(cpu[k]), params)
    print("bench_drill_worst_case: ms per question at the largest allowed params, "
          f"median of {REPEATS} interleaved runs (slowest corner per kind)")
    print(f"  baseline (budget)  {BUDGET_MS:8.1f} ms per question")
    for kind, (med, lo, hi, med_cpu, _) in sorted(per_kind.items(), key=lambda kv: -kv[1][0]):
        print(f"  {kind:32s} {med:8.2f} ms  (min {lo:.2f}, max {hi:.2f}; CPU {med_cpu:.2f})  "
              f"ratio {med / BUDGET_MS:5.3f}")
    worst_kind, (worst, lo, hi, worst_cpu, params) = max(per_kind.items(), key=lambda kv: kv[1][0])
    print(f"  worst: {worst_kind} {params}")
    print(f"  worst median       {worst:8.2f} ms (min {lo:.2f}, max {hi:.2f}; CPU {worst_cpu:.2f})"
          f"   ratio to budget {worst / BUDGET_MS:.3f}"
          f"   ({'within' if worst <= BUDGET_MS else 'OVER'} budget)")
    if "--with-layer" in sys.argv[1:]:
        from studydeck.engine import LSTM

        start = time.perf_counter()
        layer = LSTM(512, 512, 4, bidirectional=True, proj_size=511, dtype=np.float32, seed=0)
        layer(np.zeros((64, 64, 512), np.float32))
        old = (time.perf_counter() - start) * 1e3
        print(f"  for comparison, building and running that nn.LSTM once: {old:8.0f} ms "
              f"(ratio to budget {old / BUDGET_MS:.1f})")
    print(f"  versions: studydeck {__version__}, numpy {np.__version__}, "
          f"python {platform.python_version()} ({sys.platform})")
    return 0 if worst <= BUDGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
