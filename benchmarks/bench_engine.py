"""Benchmark: studydeck.engine.LSTM against torch.nn.LSTM, single-threaded, float64.

    python benchmarks/bench_engine.py [--repeats 7]

Sizes (T, N, D, H): (1000, 1, 32, 64) and (200, 32, 64, 128).  For each it
times the forward pass (torch under no_grad, its fastest) and the forward
plus backward pass (torch autograd, with the input requiring a gradient too,
so both compute the same gradients), prints the median over repeats and the
ratio numpy / torch against the targets: forward ≤ 1.0; forward + backward
≤ 0.5 at N = 1 and ≤ 0.9 at N = 32.  Without torch it prints the NumPy
figures alone.  Both sides use the same weights and their outputs are
compared before timing.
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

from studydeck.engine import LSTM  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:  # torch is optional: the baseline only
    torch = None

SIZES = [(1000, 1, 32, 64), (200, 32, 64, 128)]
TARGETS = {1: (1.0, 0.5), 32: (1.0, 0.9)}  # N: (forward, forward + backward)


def median_time(fn, repeats):
    fn()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_size(T, N, D, H, repeats):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(T, N, D))
    grad_out = rng.normal(size=(T, N, H))
    ours = LSTM(D, H, seed=0)

    def np_forward():
        ours(x)

    def np_both():
        ours(x)
        ours.backward(grad_out)

    row = {"size": (T, N, D, H),
           "np_fwd": median_time(np_forward, repeats),
           "np_both": median_time(np_both, repeats)}
    if torch is None:
        return row
    module = torch.nn.LSTM(D, H).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in module.state_dict().items()})
    xt = torch.tensor(x)
    gt = torch.tensor(grad_out)
    with torch.no_grad():
        ref = module(xt)[0].numpy()
    assert np.max(np.abs(ref - ours(x)[0])) < 1e-10, "outputs differ from torch"

    def torch_forward():
        with torch.no_grad():
            module(xt)

    def torch_both():
        xg = xt.detach().requires_grad_(True)
        module.zero_grad(set_to_none=True)
        out, _ = module(xg)
        out.backward(gt)

    row["torch_fwd"] = median_time(torch_forward, repeats)
    row["torch_both"] = median_time(torch_both, repeats)
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    if torch is not None:
        torch.set_num_threads(1)
    versions = f"python {platform.python_version()}, numpy {np.__version__}, " + (
        f"torch {torch.__version__}" if torch is not None else "torch not installed")
    print("baseline: torch.nn.LSTM (float64, 1 thread)" if torch is not None
          else "baseline: none (torch not installed)")
    print(versions)
    print(f"median of {args.repeats} repeats, seconds\n")
    header = (f"{'T, N, D, H':>20} {'pass':>9} {'numpy':>9} {'torch':>9} {'ratio':>7} "
              f"{'target':>7}  met")
    print(header)
    print("-" * len(header))
    for T, N, D, H in SIZES:
        row = bench_size(T, N, D, H, args.repeats)
        for key, label, target in (("fwd", "forward", TARGETS[N][0]),
                                   ("both", "fwd+bwd", TARGETS[N][1])):
            ours = row["np_" + key]
            if torch is None:
                print(f"{str((T, N, D, H)):>20} {label:>9} {ours:9.4f} {'-':>9} {'-':>7} "
                      f"{target:7.2f}  -")
                continue
            theirs = row["torch_" + key]
            ratio = ours / theirs
            met = "yes" if ratio <= target else "no"
            print(f"{str((T, N, D, H)):>20} {label:>9} {ours:9.4f} {theirs:9.4f} {ratio:7.3f} "
                  f"{target:7.2f}  {met}")


if __name__ == "__main__":
    main()
