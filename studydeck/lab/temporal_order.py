"""Temporal order: Hochreiter & Schmidhuber (1997), Experiment 6, Task 6a (§5.6).

Symbols (one-hot, 8 inputs): a, b, c, d, X, Y, E, B.  A sequence starts with E,
ends with the trigger symbol B, and is otherwise random symbols from
{a, b, c, d}, except at two positions t1 and t2 that hold X or Y.  In the
paper the length is 100 to 110, t1 is 10 to 20 and t2 is 50 to 60; with
``--length T`` they scale to T .. T + T/10, T/10 .. T/5 and T/2 .. 3T/5 (all
inclusive, rounded down).  The class is the order of the two symbols:

    X, X -> Q     X, Y -> R     Y, X -> S     Y, Y -> U

There are 4 outputs; a sequence is classified correctly when the final
absolute error of every output unit is below 0.3 (here: the softmax
probabilities against the one-hot target).  The paper stops once the 2000
most recent training sequences were classified correctly and the average
training error is below 0.1, then tests on 2560 fresh sequences.
"""

from __future__ import annotations

import numpy as np

from studydeck.lab.batch import Batch
from studydeck.lab.tasks import Defaults, Task, one_hot_error_below

SYMBOLS = "abcdXYEB"
CLASSES = "QRSU"
BOUND = 0.3
TEST_SIZE = 2560


class TemporalOrderTask(Task):
    name = "temporal-order"
    title = "Temporal order"
    paper = "Exp. 6a, §5.6"
    criterion = ("the 2000 most recent training sequences all classified with every output "
                 "within 0.3 of its target")
    input_size, output_size = len(SYMBOLS), len(CLASSES)
    loss_kind, readout, solved_by = "cross_entropy", "last", "stream"
    default_length, min_length = 100, 20
    defaults = Defaults(hidden=16, batch=32, lr=1e-3, steps=6000, eval_every=100)

    def positions(self):
        """Inclusive ranges of the length, t1 and t2."""
        T = self.length
        return (T, T + T // 10), (T // 10, T // 5), (T // 2, 3 * T // 5)

    def sample(self, rng, n):
        (l0, l1), (a0, a1), (b0, b1) = self.positions()
        lengths = rng.integers(l0, l1, size=n, endpoint=True)
        x = np.zeros((int(lengths.max()), n, len(SYMBOLS)))
        target = np.empty(n, dtype=np.int64)
        for k, L in enumerate(lengths):
            seq = rng.integers(0, 4, size=L)  # a, b, c, d
            seq[0], seq[L - 1] = SYMBOLS.index("E"), SYMBOLS.index("B")
            t1 = int(rng.integers(a0, a1, endpoint=True))
            t2 = int(rng.integers(b0, b1, endpoint=True))
            first, second = rng.integers(0, 2, size=2)  # 0: X, 1: Y
            seq[t1] = SYMBOLS.index("X") + first
            seq[t2] = SYMBOLS.index("X") + second
            x[np.arange(L), k, seq] = 1.0
            target[k] = 2 * first + second
        return Batch(x, lengths, target)

    def test_set(self, rng):
        return self.sample(rng, TEST_SIZE)

    def correct(self, probs, batch):
        return one_hot_error_below(probs, batch.target, BOUND)
