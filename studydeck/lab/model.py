"""The trained network: one recurrent layer (LSTM, GRU or RNN) and a Linear read-out.

    h_1 .. h_T = layer(x_1 .. x_T)        (T, N, H), from zero states
    y = W h + b                           at step lengths − 1 of each sequence (N, C),
                                          or at every step (T, N, C)

Both parts are engine modules with PyTorch's default initialisation
(U(−1/√H, 1/√H) for the layer, U(−1/√H, 1/√H) for the read-out, whose input
size is H), drawn from one seeded generator: the same seed gives the same net.
"""

from __future__ import annotations

import numpy as np

from studydeck.engine import GRU, LSTM, RNN, Linear

LAYERS = {"lstm": LSTM, "lstm1997": LSTM, "gru": GRU, "rnn": RNN}
VARIANTS = {"lstm1997": {"variant": "nfg", "peephole": False}}


class SequenceModel:
    """``forward(batch, readout)`` -> raw outputs; ``backward(d_outputs)`` -> [layer, read-out] grads."""

    def __init__(self, kind, input_size, hidden_size, output_size, *, dtype=None, seed=0,
                 forget_bias=0.0):
        if kind not in LAYERS:
            raise ValueError(f"unknown model {kind!r}; choose one of {', '.join(LAYERS)}")
        rng = np.random.default_rng(seed)
        self.kind = kind
        self.layer = LAYERS[kind](input_size, hidden_size, dtype=dtype, rng=rng,
                                  **VARIANTS.get(kind, {}))
        if kind == "lstm" and forget_bias:
            self.layer.bias_ih_l0[hidden_size:2 * hidden_size] += forget_bias
        self.head = Linear(hidden_size, output_size, dtype=dtype, rng=rng)
        self._shape = None

    @property
    def modules(self):
        return [self.layer, self.head]

    @property
    def dtype(self):
        return self.head.dtype

    def num_parameters(self):
        return sum(m.num_parameters() for m in self.modules)

    def forward(self, batch, readout):
        """Raw outputs for ``batch``: (N, C) at each sequence's last step, or (T, N, C)."""
        out, _ = self.layer(batch.x)
        if readout == "last":
            picks = (batch.lengths - 1, np.arange(batch.size))
            self._shape = (out.shape, picks)
            return self.head(out[picks])
        self._shape = (out.shape, None)
        return self.head(out)

    def backward(self, d_outputs):
        """Gradients after ``forward``: ``[layer grads, read-out grads]`` (the engine's dicts)."""
        g_head = self.head.backward(d_outputs)
        shape, picks = self._shape
        if picks is None:
            d_out = g_head["input"]
        else:
            d_out = np.zeros(shape, self.dtype)
            d_out[picks] = g_head["input"]
        return [self.layer.backward(d_out), g_head]
