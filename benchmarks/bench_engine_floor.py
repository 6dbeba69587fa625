"""The least any NumPy engine must spend on bench_engine's forward rows, against torch.

    python benchmarks/bench_engine_floor.py [--repeats 9]

bench_engine.py compares studydeck.engine's forward passes with torch's.  This
script asks how close a NumPy engine could come at all.  For each forward row
it times, interleaved with torch's forward (no_grad, one thread, thread CPU
time, the order swapped every pair):

- products: the matrix products the recurrence cannot avoid, and nothing
  else: for each layer and direction, x W_ih^T for all steps in one matmul,
  then one product of h_(t-1) with W_hh per step, in the fastest of the
  layouts the engine chooses between (h W_hh^T; W_hh h^T in row blocks of
  128; the joint [h_(t-1), x_t, 1] times [W_hh, W_ih, b]^T, which also covers
  the input projection);
- floor: the products plus, per step, the one call each transcendental
  function needs (exp or tanh over the gate pre-activations, tanh over c for
  the LSTM's output; the GRU's tanh over n).  A step cannot skip these: each
  needs the previous step's result, and NumPy has no call that fuses them
  with anything else.  Every other operation of the cell (adds, multiplies)
  comes on top.

If the floor's ratio to torch is above the target, no arrangement of NumPy
calls meets the target: it needs compiled code of its own (docs/design.md
says why the project does not take that on).  Outputs are not computed here;
bench_engine.py checks the engine's against torch's.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks.bench_engine import ROWS  # noqa: E402

ROW_BLOCK = 128


def _best(candidates, repeats=5):
    """The fastest of the candidate callables (thread CPU time, best of ``repeats``)."""
    best = None
    for fn in candidates:
        spent = []
        for _ in range(repeats):
            start = time.thread_time()
            fn()
            spent.append(time.thread_time() - start)
        if best is None or min(spent) < best[0]:
            best = (min(spent), fn)
    return best[1]


def _direction(T, N, D, H, G, dtype, rng):
    """The products of one direction of one layer: a callable in each layout."""
    X = rng.normal(size=(T * N, D)).astype(dtype)
    W_ih = rng.normal(size=(G * H, D)).astype(dtype)
    W_hh = rng.normal(size=(G * H, H)).astype(dtype)
    W_hhT = np.ascontiguousarray(W_hh.T)
    h = rng.normal(size=(N, H)).astype(dtype)
    hT = np.ascontiguousarray(h.T)
    gates = np.empty((T * N, G * H), dtype)
    out = np.empty((N, G * H), dtype)
    outT = np.empty((G * H, N), dtype)
    blocks = [(W_hh[k:k + ROW_BLOCK], outT[k:k + ROW_BLOCK]) for k in range(0, G * H, ROW_BLOCK)]
    joint = rng.normal(size=(H + D + 1, G * H)).astype(dtype)
    hx = rng.normal(size=(N, H + D + 1)).astype(dtype)
    hx_col = np.ascontiguousarray(hx.T)
    joint_rows = np.ascontiguousarray(joint.T)

    def split_rows():
        np.matmul(X, W_ih.T, out=gates)
        for _ in range(T):
            h.dot(W_hhT, out=out)

    def split_blocks():
        np.matmul(X, W_ih.T, out=gates)
        for _ in range(T):
            for rows, dest in blocks:
                rows.dot(hT, out=dest)

    def split_matvec():
        np.matmul(X, W_ih.T, out=gates)
        for _ in range(T):
            W_hh.dot(hT[:, 0], out=outT[:, 0])

    def joint_rowmajor():
        for _ in range(T):
            hx.dot(joint, out=out)

    def joint_colmajor():
        for _ in range(T):
            joint_rows.dot(hx_col, out=outT)

    candidates = [split_rows, split_blocks, joint_rowmajor, joint_colmajor]
    if N == 1:
        candidates.append(split_matvec)
    return _best(candidates)


def _activations(T, N, H, kind, dtype, rng):
    """One direction's unavoidable transcendental calls, one per function per step."""
    if kind == "lstm":
        a = rng.normal(size=(N, 4 * H)).astype(dtype)
        c = rng.normal(size=(N, H)).astype(dtype)
        first, second = np.tanh, np.tanh  # float32: σ from tanh; float64 would use exp (no cheaper)
        if dtype == "float64":
            first = np.exp
    else:
        a = rng.normal(size=(N, 2 * H)).astype(dtype)  # r and z share one exp
        c = rng.normal(size=(N, H)).astype(dtype)      # tanh of n
        first, second = np.exp, np.tanh
    a *= 0.1
    a_out, c_out = np.empty_like(a), np.empty_like(c)

    def run():
        for _ in range(T):
            first(a, out=a_out)
            second(c, out=c_out)
    return run


def build(kind, size, dtype, layers, bidirectional):
    """The products and the floor of a whole layer stack, as two callables."""
    T, N, D, H = size
    G = 4 if kind == "lstm" else 3
    rng = np.random.default_rng(0)
    products, acts = [], []
    for layer in range(layers):
        D_in = D if layer == 0 else H * (2 if bidirectional else 1)
        for _ in range(2 if bidirectional else 1):
            products.append(_direction(T, N, D_in, H, G, dtype, rng))
            acts.append(_activations(T, N, H, kind, dtype, rng))

    def run_products():
        for fn in products:
            fn()

    def run_floor():
        for fn, act in zip(products, acts, strict=True):
            fn()
            act()
    return run_products, run_floor


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        raise SystemExit("bench_engine_floor.py needs torch (pip install torch==2.13.0): "
                         "its baseline is torch's forward") from None
    torch.set_num_threads(1)
    print("baseline: torch.nn.LSTM / torch.nn.GRU forward (no_grad) of the same dtype, 1 thread")
    print(f"numpy {np.__version__}, torch {torch.__version__}; {args.repeats} interleaved pairs, "
          "thread CPU time; ratio = ours / torch, median [min-max]\n")
    header = (f"{'layer':>14} {'T, N, D, H':>19} {'dtype':>7} {'torch ms':>9} "
              f"{'products':>18} {'floor':>18} {'target':>6}  reachable in NumPy")
    print(header)
    print("-" * len(header))
    for _group, kind, size, dtype, layers, bidir, which, target in ROWS:
        if which != "fwd":
            continue
        T, N, D, H = size
        module = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(
            D, H, num_layers=layers, bidirectional=bidir).to(getattr(torch, dtype))
        x = torch.tensor(np.random.default_rng(1).normal(size=size[:3]).astype(dtype))

        def theirs(module=module, x=x):
            with torch.no_grad():
                module(x)
        run_products, run_floor = build(kind, size, dtype, layers, bidir)
        fns = (theirs, run_products, run_floor)
        for fn in fns:  # warm-up
            fn()
        spent = {fn: [] for fn in fns}
        for r in range(args.repeats):
            for fn in (fns if r % 2 == 0 else fns[::-1]):
                start = time.thread_time()
                fn()
                spent[fn].append(time.thread_time() - start)
        ratios = {fn: [a / b for a, b in zip(spent[fn], spent[theirs], strict=True)]
                  for fn in (run_products, run_floor)}

        def cell(r):
            return f"{statistics.median(r):5.2f} [{min(r):.2f}-{max(r):.2f}]"
        name = kind.upper() + (f" {layers}L" if layers > 1 else "") + (" bi" if bidir else "")
        floor = statistics.median(ratios[run_floor])
        print(f"{name:>14} {str(size):>19} {dtype:>7} {statistics.median(spent[theirs]) * 1e3:9.2f} "
              f"{cell(ratios[run_products]):>18} {cell(ratios[run_floor]):>18} {target:6.2f}  "
              f"{'yes' if floor <= target else 'no: the floor is above it'}", flush=True)


if __name__ == "__main__":
    main()
