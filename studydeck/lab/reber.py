"""The embedded Reber grammar: Hochreiter & Schmidhuber (1997), Experiment 1 (§5.1).

The Reber grammar (7 symbols B, T, P, S, X, V, E) as a transition table,
choices taken with probability 0.5:

    start --B--> 0
    0 --T--> 1   0 --P--> 2     1 --S--> 1   1 --X--> 3     2 --T--> 2   2 --V--> 4
    3 --X--> 2   3 --S--> 5     4 --P--> 3   4 --V--> 5     5 --E--> end

An embedded string is B, then T or P, then a Reber string, then the same T
or P again, then E; predicting the symbol before the last needs the second
symbol.  The net reads one symbol at a time and predicts the next (error at
every step).  Following the paper: 256 training strings drawn at random,
training examples picked at random from them, and 256 test strings drawn at
random but never one of the training strings.  Success: every symbol of
every string of both sets is predicted correctly, i.e. the output units of
the possible next symbols are always the most active ones.
"""

from __future__ import annotations

import numpy as np

from studydeck.lab.batch import Batch, one_hot_sequences, step_targets
from studydeck.lab.tasks import Defaults, Task

SYMBOLS = "BTPSXVE"
REBER = {
    0: (("T", 1), ("P", 2)),
    1: (("S", 1), ("X", 3)),
    2: (("T", 2), ("V", 4)),
    3: (("X", 2), ("S", 5)),
    4: (("P", 3), ("V", 5)),
    5: (("E", None),),
}
SET_SIZE = 256


def embedded_reber(rng):
    """One string and, for each symbol but the last, the set of symbols allowed after it."""
    outer = "TP"[rng.integers(0, 2)]
    symbols, allowed = ["B", outer, "B"], [{"T", "P"}, {"B"}, {"T", "P"}]
    state = 0
    while state is not None:
        choices = REBER[state]
        symbol, state = choices[rng.integers(0, len(choices))]
        symbols.append(symbol)
        allowed.append({s for s, _ in REBER[state]} if state is not None else {outer})
    symbols += [outer, "E"]
    allowed.append({"E"})
    return "".join(symbols), allowed


def generate(rng, n, exclude=()):
    """``n`` strings with their allowed-next sets, skipping any string in ``exclude``."""
    out, seen = [], set(exclude)
    while len(out) < n:
        string, allowed = embedded_reber(rng)
        if string not in seen:
            out.append((string, allowed))
    return out


def to_batch(strings):
    """Inputs: every symbol but the last; targets: the next symbol; legal: the allowed sets."""
    codes = [[SYMBOLS.index(c) for c in s] for s, _ in strings]
    x, lengths = one_hot_sequences([c[:-1] for c in codes], len(SYMBOLS))
    T = len(x)
    legal = np.zeros((T, len(strings), len(SYMBOLS)), dtype=bool)
    for n, (_, allowed) in enumerate(strings):
        for t, symbols in enumerate(allowed):
            legal[t, n, [SYMBOLS.index(c) for c in symbols]] = True
    return Batch(x, lengths, step_targets([c[1:] for c in codes], T), legal)


class ReberTask(Task):
    name = "reber"
    title = "Embedded Reber grammar"
    paper = "Exp. 1, §5.1"
    criterion = ("on all 256 training and 256 test strings, the possible next symbols are "
                 "always the most active outputs")
    input_size = output_size = len(SYMBOLS)
    loss_kind, readout, solved_by = "cross_entropy", "every", "sets"
    defaults = Defaults(hidden=16, batch=16, lr=1e-2, steps=3000, eval_every=50)

    def prepare(self, rng):
        self.training = generate(rng, SET_SIZE)
        self.training_batch = to_batch(self.training)

    def sample(self, rng, n):
        picks = rng.integers(0, SET_SIZE, size=n)
        return to_batch([self.training[k] for k in picks])

    def test_set(self, rng):
        return to_batch(generate(rng, SET_SIZE, exclude={s for s, _ in self.training}))

    def criterion_sets(self, test):
        return [self.training_batch, test]

    def correct(self, probs, batch):
        legal = batch.legal
        lowest_legal = np.min(np.where(legal, probs, np.inf), axis=-1)
        highest_other = np.max(np.where(legal, -np.inf, probs), axis=-1)
        ok = lowest_legal > highest_other
        valid = np.arange(len(probs))[:, None] < batch.lengths[None, :]
        return np.all(ok | ~valid, axis=0)
