"""Benchmark: studydeck.engine.LSTM against torch.nn.LSTM, single-threaded, float64.

    python benchmarks/bench_engine.py [--repeats 7]

Sizes (T, N, D, H): (1000, 1, 32, 64) and (200, 32, 64, 128).  For each it
times the forward pass (torch under no_grad, its fastest) and the forward
plus backward pass (torch autograd, with the input requiring a gradient too,
so both compute the same gradients), prints the median over repeats and the
ratio numpy / torch (median of per-repeat ratios, the two sides
interleaved so machine load hits both alike) against the targets: forward ≤ 1.0; forward + backward
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


def interleaved(ours, theirs, repeats):
    """Median seconds of ``ours`` and ``theirs`` and the median of per-repeat ratios.

    The two alternate (and swap order every repeat) so a busy machine slows
    both alike; the ratio of each pair is taken before the median.
    """
    ours()
    if theirs is not None:
        theirs()
    t_ours, t_theirs, ratios = [], [], []
    for r in range(repeats):
        order = (ours, theirs) if r % 2 == 0 else (theirs, ours)
        spent = {}
        for fn in order:
            if fn is None:
                continue
            start = time.perf_counter()
            fn()
            spent[fn] = time.perf_counter() - start
        t_ours.append(spent[ours])
        if theirs is not None:
            t_theirs.append(spent[theirs])
            ratios.append(spent[ours] / spent[theirs])
    median = statistics.median
    if theirs is None:
        return median(t_ours), None, None
    return median(t_ours), median(t_theirs), median(ratios)


def bench_size(T, N, D, H, repeats):
    """``{"fwd": (numpy s, torch s, ratio), "both": (...)}`` for one size."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(T, N, D))
    grad_out = rng.normal(size=(T, N, H))
    ours = LSTM(D, H, seed=0)

    def np_forward():
        ours(x)

    def np_both():
        ours(x)
        ours.backward(grad_out)

    torch_forward = torch_both = None
    if torch is not None:
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

    return {"fwd": interleaved(np_forward, torch_forward, repeats),
            "both": interleaved(np_both, torch_both, repeats)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args(argv)
    if torch is not None:
        torch.set_num_threads(1)
    versions = f"python {platform.python_version()}, numpy {np.__version__}, " + (
        f"torch {torch.__version__}" if torch is not None else "torch not installed")
    print("baseline: torch.nn.LSTM (float64, 1 thread)" if torch is not None
          else "baseline: none (torch not installed)")
    print(versions)
    print(f"median of {args.repeats} interleaved repeats, seconds; ratio = median of "
          "per-repeat numpy/torch\n")
    header = (f"{'T, N, D, H':>20} {'pass':>9} {'numpy':>9} {'torch':>9} {'ratio':>7} "
              f"{'target':>7}  met")
    print(header)
    print("-" * len(header))
    for T, N, D, H in SIZES:
        row = bench_size(T, N, D, H, args.repeats)
        for key, label, target in (("fwd", "forward", TARGETS[N][0]),
                                   ("both", "fwd+bwd", TARGETS[N][1])):
            ours, theirs, ratio = row[key]
            if theirs is None:
                print(f"{str((T, N, D, H)):>20} {label:>9} {ours:9.4f} {'-':>9} {'-':>7} "
                      f"{target:7.2f}  -")
                continue
            met = "yes" if ratio <= target else "no"
            print(f"{str((T, N, D, H)):>20} {label:>9} {ours:9.4f} {theirs:9.4f} {ratio:7.3f} "
                  f"{target:7.2f}  {met}")

if __name__ == "__main__":
    main()
