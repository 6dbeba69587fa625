"""Benchmark: studydeck.engine's LSTM and GRU against torch.nn.LSTM / GRU, single-threaded.

    python benchmarks/bench_engine.py [--repeats 9] [--only lstm64|gru|lstm32]

Both sides run on one thread: this script sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS,
MKL_NUM_THREADS, VECLIB_MAXIMUM_THREADS and NUMEXPR_NUM_THREADS to 1 before numpy
is imported, and calls torch.set_num_threads(1).  A forward row runs both sides
in their no-grad mode, which keeps nothing for a backward pass: torch.no_grad
(its fastest; for float32 that is its oneDNN LSTM) and studydeck.engine.no_grad.
fwd+bwd uses autograd with the input requiring a gradient too, so both compute
the same gradients.
Outputs are compared before timing.

Each row is measured as interleaved pairs (the order swapped every pair) and
prints the median ratio ours / torch with its min–max over the pairs.  The
ratio is of thread CPU time (time.thread_time): on the shared machine a
process is often descheduled mid-run, which adds to wall time at random; the
wall-clock median ratio is printed beside it.  Without torch it prints
NumPy's times alone.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from studydeck.engine import GRU, LSTM, no_grad  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:  # torch is optional: the baseline only
    torch = None

# (group, kind, (T, N, D, H), dtype, layers, bidirectional, pass, target ratio)
ROWS = [
    ("lstm64", "lstm", (1000, 1, 32, 64), "float64", 1, False, "fwd", 1.0),
    ("lstm64", "lstm", (1000, 1, 32, 64), "float64", 1, False, "fwd+bwd", 0.5),
    ("lstm64", "lstm", (200, 32, 64, 128), "float64", 1, False, "fwd", 1.0),
    ("lstm64", "lstm", (200, 32, 64, 128), "float64", 1, False, "fwd+bwd", 0.9),
    ("lstm64", "lstm", (50, 8, 512, 512), "float64", 1, False, "fwd", 1.0),
    ("gru", "gru", (200, 32, 64, 128), "float64", 1, False, "fwd", 1.0),
    ("gru", "gru", (200, 32, 64, 128), "float64", 2, True, "fwd", 1.0),
    ("lstm32", "lstm", (1000, 1, 32, 64), "float32", 1, False, "fwd", 1.0),
    ("lstm32", "lstm", (50, 8, 512, 512), "float32", 1, False, "fwd", 1.0),
]


def interleaved(ours, theirs, repeats):
    """Per-pair CPU and wall ratios, and our median CPU seconds.

    The two alternate, the order swapped every pair, so a busy machine slows
    both alike; each pair's ratio is taken before the median.
    """
    ours()
    if theirs is not None:
        theirs()
    cpu, wall, ours_cpu = [], [], []
    for r in range(repeats):
        spent = {}
        for fn in ((ours, theirs) if r % 2 == 0 else (theirs, ours)):
            if fn is None:
                continue
            c0, w0 = time.thread_time(), time.perf_counter()
            fn()
            spent[fn] = (time.thread_time() - c0, time.perf_counter() - w0)
        ours_cpu.append(spent[ours][0])
        if theirs is not None:
            cpu.append(spent[ours][0] / spent[theirs][0])
            wall.append(spent[ours][1] / spent[theirs][1])
    return statistics.median(ours_cpu), cpu, wall


def build(kind, size, dtype, layers, bidirectional):
    """Our layer and torch's with the same weights, an input and an output gradient."""
    T, N, D, H = size
    rng = np.random.default_rng(0)
    x = rng.normal(size=(T, N, D)).astype(dtype)
    grad = rng.normal(size=(T, N, H * (2 if bidirectional else 1))).astype(dtype)
    ours = (LSTM if kind == "lstm" else GRU)(D, H, num_layers=layers,
                                              bidirectional=bidirectional, dtype=dtype, seed=0)
    if torch is None:
        return ours, None, x, grad
    module = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(
        D, H, num_layers=layers, bidirectional=bidirectional).to(getattr(torch, dtype))
    ours.load_state_dict({k: v.detach().numpy() for k, v in module.state_dict().items()})
    with torch.no_grad():
        ref = module(torch.tensor(x))[0].numpy()
    tolerance = 1e-10 if dtype == "float64" else 1e-4
    assert np.max(np.abs(ref - ours(x)[0])) < tolerance, "outputs differ from torch"
    return ours, module, x, grad


def bench_row(kind, size, dtype, layers, bidirectional, which, repeats):
    ours, module, x, grad = build(kind, size, dtype, layers, bidirectional)

    def np_run():
        if which == "fwd":
            with no_grad():
                ours(x)
            return
        ours(x)
        ours.backward(grad)

    torch_run = None
    if module is not None:
        xt, gt = torch.tensor(x), torch.tensor(grad)

        def torch_run():
            if which == "fwd":
                with torch.no_grad():
                    module(xt)
                return
            xg = xt.detach().requires_grad_(True)
            module.zero_grad(set_to_none=True)
            out, _ = module(xg)
            out.backward(gt)

    return interleaved(np_run, torch_run, repeats)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--only", choices=sorted({r[0] for r in ROWS}))
    args = parser.parse_args(argv)
    if torch is not None:
        torch.set_num_threads(1)
    print("baseline: torch.nn.LSTM / torch.nn.GRU of the same dtype, 1 thread"
          if torch is not None else "baseline: none (torch not installed)")
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          + (f"torch {torch.__version__}" if torch is not None else "torch not installed"))
    print(f"{args.repeats} interleaved pairs; ratio = ours / torch, thread CPU time, "
          "median [min-max]; wall = median wall-clock ratio\n")
    header = (f"{'layer':>14} {'T, N, D, H':>19} {'dtype':>7} {'pass':>7} {'ours ms':>8} "
              f"{'ratio':>6} {'[min-max]':>13} {'wall':>6} {'target':>6}  met")
    print(header)
    print("-" * len(header))
    for group, kind, size, dtype, layers, bidir, which, target in ROWS:
        if args.only and group != args.only:
            continue
        name = kind.upper() + (f" {layers}L" if layers > 1 else "") + (" bi" if bidir else "")
        ours, cpu, wall = bench_row(kind, size, dtype, layers, bidir, which, args.repeats)
        if not cpu:
            print(f"{name:>14} {str(size):>19} {dtype:>7} {which:>7} {ours * 1e3:8.2f}")
            continue
        ratio = statistics.median(cpu)
        spread = f"[{min(cpu):.2f}-{max(cpu):.2f}]"
        print(f"{name:>14} {str(size):>19} {dtype:>7} {which:>7} {ours * 1e3:8.2f} "
              f"{ratio:6.2f} {spread:>13} {statistics.median(wall):6.2f} {target:6.2f}  "
              f"{'yes' if ratio <= target else 'no'}", flush=True)


if __name__ == "__main__":
    main()
