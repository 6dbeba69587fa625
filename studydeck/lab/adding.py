"""The adding problem: Hochreiter & Schmidhuber (1997), Experiment 4 (§5.4).

Each step is a pair (value, marker).  Values are uniform in [−1, 1]; markers
are 0 except at the first and the last pair (−1) and at two marked pairs (+1):
one of the first ten pairs (value X1) and one of the first T/2 − 1 pairs
still unmarked (value X2).  In the rare case that the first pair gets marked
its value is set to zero (the paper: "we set X1 to zero").  The length is random in T .. T + T/10 (T/10 rounded down).  At the end
the net must output

    0.5 + (X1 + X2) / 4          (the sum scaled into [0, 1])

and a sequence counts as correct when |output − target| < 0.04.  The paper
stops training once the 2000 most recent training sequences were all correct
and the average training error is below 0.01 (implied by the first when the
error is the squared error: 0.04² < 0.01), then tests on 2560 fresh sequences.
"""

from __future__ import annotations

import numpy as np

from studydeck.lab.batch import Batch
from studydeck.lab.tasks import Defaults, Task

TOLERANCE = 0.04
TEST_SIZE = 2560


class AddingTask(Task):
    name = "adding"
    title = "Adding problem"
    paper = "Exp. 4, §5.4"
    criterion = ("the 2000 most recent training sequences all end with |error| < 0.04 "
                 "(target 0.5 + (X1 + X2)/4)")
    input_size, output_size = 2, 1
    loss_kind, readout, solved_by = "mse", "last", "stream"
    default_length, min_length = 100, 20
    defaults = Defaults(hidden=16, batch=32, lr=1e-2, steps=10_000, eval_every=100)

    def generate(self, rng, n):
        """``n`` sequences: (x (T, N, 2), lengths, target (N, 1), marked positions (N, 2))."""
        T = self.length
        lengths = rng.integers(T, T + T // 10, size=n, endpoint=True)
        x = np.zeros((int(lengths.max()), n, 2))
        target = np.empty((n, 1))
        marks = np.empty((n, 2), dtype=np.int64)
        for k, L in enumerate(lengths):
            values = rng.uniform(-1.0, 1.0, size=L)
            markers = np.zeros(L)
            markers[0] = markers[L - 1] = -1.0
            first = int(rng.integers(0, 10))
            # the first T/2 − 1 pairs that are still unmarked
            candidates = [i for i in range(T // 2) if i != first][: T // 2 - 1]
            second = int(candidates[rng.integers(0, len(candidates))])
            if 0 in (first, second):
                values[0] = 0.0
            markers[first] = markers[second] = 1.0
            x[:L, k, 0], x[:L, k, 1] = values, markers
            target[k, 0] = 0.5 + (values[first] + values[second]) / 4.0
            marks[k] = first, second
        return x, lengths, target, marks

    def sample(self, rng, n):
        x, lengths, target, _ = self.generate(rng, n)
        return Batch(x, lengths, target)

    def test_set(self, rng):
        return self.sample(rng, TEST_SIZE)

    def correct(self, values, batch):
        return np.abs(values[:, 0] - batch.target[:, 0]) < TOLERANCE
