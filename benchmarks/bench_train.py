"""Benchmark: one training step of the lab against PyTorch, single-threaded.

    python benchmarks/bench_train.py [--repeats 11] [--steps 20]

The step is the lab's on the adding problem (Exp. 4) with T = 100 (lengths
100 to 110), H = 32, batch 32: an LSTM and a Linear read-out at each
sequence's last step, the mean squared error, backpropagation through time,
clipping the gradient norm to 1, and one Adam step (lr 0.01).  PyTorch
(``torch.set_num_threads(1)``) runs the same model from the same weights on
the same batches.  Batches are drawn before timing, so both sides time the
step alone.  Each repeat times ``--steps`` steps of one side and then of the
other (the order alternating), in float64 and in float32; the figures are
medians over repeats with their min-max, and the ratio is the median of the
per-repeat ratios engine / torch.  Times are thread CPU time
(time.thread_time): on the shared machine a process is often descheduled
mid-run, which adds to wall time at random; the median wall-clock ratio is
printed beside it.  Target: ≤ 1.5 in both dtypes.  Before timing, the two
sides take 3 steps and their parameters are compared.
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

from studydeck.engine import clip_grad_norm  # noqa: E402
from studydeck.engine.optim import Adam  # noqa: E402
from studydeck.lab.model import SequenceModel  # noqa: E402
from studydeck.lab.tasks import make_task  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:  # torch is the baseline only
    torch = None

T, H, BATCH, LR, CLIP = 100, 32, 32, 0.01, 1.0
TARGET = 1.5


class EngineSide:
    """The lab's step, exactly as :meth:`studydeck.lab.run.Run.step` takes it."""

    def __init__(self, task, dtype):
        self.task = task
        self.model = SequenceModel("lstm", 2, H, 1, dtype=dtype, seed=0, forget_bias=3.0)
        self.optimizer = Adam(self.model.modules, lr=LR)

    def step(self, batch):
        raw = self.model.forward(batch, "last")
        loss, d_raw = self.task.loss(raw, batch)
        grads = self.model.backward(d_raw)
        clip_grad_norm(grads, CLIP)
        self.optimizer.step(grads)
        return loss

    def parameters(self):
        return [getattr(m, n) for m in self.model.modules for n in m.parameter_names()]


class TorchSide:
    """The same model, loss, clipping and Adam in PyTorch, from the engine's weights."""

    def __init__(self, engine, dtype):
        tdtype = getattr(torch, dtype)
        self.lstm = torch.nn.LSTM(2, H).to(tdtype)
        self.head = torch.nn.Linear(H, 1).to(tdtype)
        with torch.no_grad():
            for module, ours in ((self.lstm, engine.model.layer), (self.head, engine.model.head)):
                for name, value in ours.state_dict().items():
                    getattr(module, name).copy_(torch.from_numpy(value))
        self.params = list(self.lstm.parameters()) + list(self.head.parameters())
        self.optimizer = torch.optim.Adam(self.params, lr=LR)
        self.dtype = tdtype

    def convert(self, batch):
        x = torch.from_numpy(batch.x.astype(np.dtype(str(self.dtype).split(".")[1])))
        picks = (torch.from_numpy(batch.lengths - 1), torch.arange(batch.size))
        target = torch.from_numpy(batch.target).to(self.dtype)
        return x, picks, target

    def step(self, converted):
        x, picks, target = converted
        self.optimizer.zero_grad()
        out, _ = self.lstm(x)
        loss = torch.nn.functional.mse_loss(self.head(out[picks]), target)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, CLIP)
        self.optimizer.step()
        return loss

    def parameters(self):
        return [p.detach().numpy() for p in self.params]


def measure(dtype, repeats, steps):
    """(engine s/step list, torch s/step list, CPU-time ratios, wall ratios) for one dtype."""
    task = make_task("adding", T)
    rng = np.random.default_rng(0)
    batches = [task.sample(rng, BATCH) for _ in range(steps)]
    for b in batches:
        b.x = b.x.astype(dtype)
        b.target = b.target.astype(dtype)
    ours = EngineSide(task, dtype)
    theirs = TorchSide(ours, dtype) if torch is not None else None
    if theirs is not None:
        converted = [theirs.convert(b) for b in batches]
        for b, c in zip(batches[:3], converted[:3]):
            ours.step(b)
            theirs.step(c)
        worst = max(float(np.abs(a - b).max()) for a, b in zip(ours.parameters(),
                                                               theirs.parameters()))
        tolerance = 1e-9 if dtype == "float64" else 1e-3  # Adam magnifies float32 rounding
        if worst > tolerance:
            raise SystemExit(f"engine and torch disagree after 3 steps ({dtype}): {worst:.2e}")

    def run_ours():
        for b in batches:
            ours.step(b)

    def run_theirs():
        for c in converted:
            theirs.step(c)

    t_ours, t_theirs, ratios, wall = [], [], [], []
    for r in range(repeats):
        order = [run_ours, run_theirs] if r % 2 == 0 else [run_theirs, run_ours]
        spent = {}
        for fn in order:
            if fn is run_theirs and theirs is None:
                continue
            cpu0, wall0 = time.thread_time(), time.perf_counter()
            fn()
            spent[fn] = ((time.thread_time() - cpu0) / steps, time.perf_counter() - wall0)
        t_ours.append(spent[run_ours][0])
        if theirs is not None:
            t_theirs.append(spent[run_theirs][0])
            ratios.append(spent[run_ours][0] / spent[run_theirs][0])
            wall.append(spent[run_ours][1] / spent[run_theirs][1])
    return t_ours, t_theirs, ratios, wall


def describe(times):
    ms = [t * 1e3 for t in times]
    return f"{statistics.median(ms):7.2f} ms ({min(ms):.2f}-{max(ms):.2f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, numpy {np.__version__}, "
          f"torch {torch.__version__ if torch else 'absent'}, {platform.machine()}")
    print(f"adding problem T = {T} (lengths {T}-{T + T // 10}), LSTM H = {H} + Linear, "
          f"batch {BATCH}, MSE, clip {CLIP:g}, Adam lr {LR:g}; one thread; "
          f"{args.repeats} interleaved repeats of {args.steps} steps")
    print("times: thread CPU ms per step, median (min-max); ratio: median of the per-repeat "
          "CPU-time ratios [min-max]; wall: median wall-clock ratio")
    print(f"{'dtype':>8} {'engine / step':>28} {'torch / step':>28} {'ratio':>6} "
          f"{'[min-max]':>13} {'wall':>6} {'target':>6}  met  engine seq/s")
    if torch is not None:
        torch.set_num_threads(1)
    for dtype in ("float64", "float32"):
        t_ours, t_theirs, ratios, wall = measure(dtype, args.repeats, args.steps)
        rate = BATCH / statistics.median(t_ours)
        if torch is None:
            print(f"{dtype:>8} {describe(t_ours):>28} {'-':>28} {'-':>6} {TARGET:6.2f}  -  "
                  f"{rate:,.0f}")
            continue
        ratio = statistics.median(ratios)
        met = "yes" if ratio <= TARGET else "no"
        spread = f"[{min(ratios):.2f}-{max(ratios):.2f}]"
        print(f"{dtype:>8} {describe(t_ours):>28} {describe(t_theirs):>28} {ratio:6.3f} "
              f"{spread:>13} {statistics.median(wall):6.2f} {TARGET:6.2f}  {met:>3}  {rate:,.0f}")


if __name__ == "__main__":
    main()
