"""A batch of variable-length sequences, right-padded, and the helpers that build one.

Shapes (T = the longest sequence in the batch, N sequences, D inputs, C outputs):

    x        (T, N, D)  the inputs; zero after each sequence's end
    lengths  (N,)       the true lengths
    target   (N, 1) real values, or (N,) class indices   for a read-out at the last step
             (T, N) class indices, IGNORE after the end   for a read-out at every step
    legal    (T, N, C) bool or None                      the symbols allowed next (Reber)

Padding goes after the end, so a recurrent layer's states up to each
sequence's last step are exactly those of the unpadded sequence; the read-out
takes step ``lengths − 1`` (or masks the padded steps), and the padded steps
get no gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IGNORE = -100  # a padded step's target, as PyTorch's default ignore_index


@dataclass
class Batch:
    x: np.ndarray
    lengths: np.ndarray
    target: np.ndarray
    legal: np.ndarray | None = None

    @property
    def size(self):
        return len(self.lengths)

    @property
    def per_step(self):
        """Whether the targets are per step (T, N) rather than per sequence."""
        return self.target.shape[:2] == self.x.shape[:2] and self.target.dtype.kind in "iu"

    def take(self, index):
        """The sequences at ``index`` (a slice or an index array), trimmed to their longest."""
        lengths = self.lengths[index]
        T = int(lengths.max())
        target = self.target[:T, index] if self.per_step else self.target[index]
        legal = None if self.legal is None else self.legal[:T, index]
        return Batch(self.x[:T, index], lengths, target, legal)


def one_hot_sequences(sequences, n_symbols):
    """Symbol-index sequences -> (x (T, N, n_symbols), lengths (N,)), right-padded with zeros."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    T, N = int(lengths.max()), len(sequences)
    x = np.zeros((T, N, n_symbols))
    for n, seq in enumerate(sequences):
        x[np.arange(len(seq)), n, seq] = 1.0
    return x, lengths


def step_targets(sequences, T):
    """Class-index targets (T, N), ``IGNORE`` after each sequence's end."""
    target = np.full((T, len(sequences)), IGNORE, dtype=np.int64)
    for n, seq in enumerate(sequences):
        target[: len(seq), n] = seq
    return target
