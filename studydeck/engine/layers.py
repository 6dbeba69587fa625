"""``LSTM``, ``GRU`` and ``RNN``: PyTorch's sequence layers in NumPy.

Each takes PyTorch's constructor arguments in PyTorch's order, plus keyword-only
``dtype`` (float64 default, float32 accepted), ``seed`` or ``rng`` for the
U(−1/√H, 1/√H) init, and per kind ``variant``/``peephole`` (LSTM),
``reset_after`` (GRU).  Call: ``output, (h_n, c_n) = lstm(x, (h_0, c_0))``,
``output, h_n = gru(x, h_0)``; shapes in :mod:`studydeck.engine.layer_base`.

``backward(grad_output, grad_h_n=None, grad_c_n=None)`` after a call returns
the gradient of every parameter (state-dict names) and of "input", "h0" and,
for LSTM, "c0", each shaped like its value.
"""

from __future__ import annotations

from studydeck.engine.kernels.gru import gru_backward, gru_forward
from studydeck.engine.kernels.rnn import rnn_backward, rnn_forward
from studydeck.engine.layer_base import RecurrentLayer
from studydeck.engine.kernels.lstm_backward import lstm_backward
from studydeck.engine.kernels.lstm import lstm_forward
from studydeck.engine.shapes import gated_shapes, lstm_shapes
from studydeck.engine.variants import lstm_variant


class LSTM(RecurrentLayer):
    """Multi-layer LSTM, ``nn.LSTM``'s semantics (equations: :class:`LSTMCell`).

    With ``proj_size`` = P > 0, h_t = W_hr (o ⊙ tanh c_t) with weight_hr (P, H),
    so h has size P while c keeps size H, and weight_hh is (4H, P).
    """

    kind = "lstm"
    n_states = 2

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, *, dtype=None, seed=None,
                 rng=None, variant="standard", peephole=None):
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer "
                             "or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        object.__setattr__(self, "proj_size", int(proj_size))
        object.__setattr__(self, "variant", lstm_variant(variant, peephole))
        self._setup(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                    bidirectional, dtype, seed, rng)

    def __repr__(self):
        extra = f", proj_size={self.proj_size}" if self.proj_size else ""
        if self.variant.name != "standard":
            extra += f", variant={self.variant.name!r}"
        return (f"LSTM({self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"bias={self.bias}, batch_first={self.batch_first}, "
                f"bidirectional={self.bidirectional}{extra})")

    @property
    def output_size(self):
        return self.proj_size or self.hidden_size

    def _shapes_for(self, width, suffix):
        return lstm_shapes(self.variant, width, self.hidden_size, self.bias, self.proj_size,
                           suffix)

    def _state_sizes(self):
        return (self.output_size, self.hidden_size)

    def _run(self, X, states, params, ws, keep, target=None):
        # (the LSTM kernels keep h in their own layouts: the layer copies it into ``target``)
        out, h, c, cache = lstm_forward(X, states[0], states[1], params, self.variant, ws=ws, keep=keep)
        return out, (h, c), cache

    def _back(self, cache, d_out, d_finals, record):
        return lstm_backward(cache, d_out, d_finals[0], d_finals[1], record)

    def backward(self, grad_output, grad_h_n=None, grad_c_n=None):
        """Gradients after a forward call; see the module docstring."""
        return self._backward(grad_output, (grad_h_n, grad_c_n))


class GRU(RecurrentLayer):
    """Multi-layer GRU, ``nn.GRU``'s semantics (equations: :class:`GRUCell`)."""

    kind = "gru"

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, *, dtype=None, seed=None, rng=None,
                 reset_after=True):
        object.__setattr__(self, "reset_after", bool(reset_after))
        self._setup(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                    bidirectional, dtype, seed, rng)

    def __repr__(self):
        extra = "" if self.reset_after else ", reset_after=False"
        return (f"GRU({self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"bias={self.bias}, batch_first={self.batch_first}, "
                f"bidirectional={self.bidirectional}{extra})")

    def _shapes_for(self, width, suffix):
        return gated_shapes(3, width, self.hidden_size, self.bias, suffix)

    def _run(self, X, states, params, ws, keep, target=None):
        out, h, cache = gru_forward(X, states[0], params, self.reset_after, ws, keep, target)
        return out, (h,), cache

    def _back(self, cache, d_out, d_finals, record):
        return gru_backward(cache, d_out, d_finals[0], record)

    def backward(self, grad_output, grad_h_n=None):
        """Gradients after a forward call; see the module docstring."""
        return self._backward(grad_output, (grad_h_n,))


class RNN(RecurrentLayer):
    """Multi-layer Elman RNN, ``nn.RNN``: h_t = tanh(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh).

    ``nonlinearity="relu"`` uses max(·, 0) instead of tanh.
    """

    kind = "rnn"

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, *, dtype=None, seed=None,
                 rng=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. "
                             "Select from 'tanh' or 'relu'.")
        object.__setattr__(self, "nonlinearity", nonlinearity)
        self._setup(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                    bidirectional, dtype, seed, rng)

    def __repr__(self):
        return (f"RNN({self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"nonlinearity={self.nonlinearity!r}, bias={self.bias}, "
                f"batch_first={self.batch_first}, bidirectional={self.bidirectional})")

    def _shapes_for(self, width, suffix):
        return gated_shapes(1, width, self.hidden_size, self.bias, suffix)

    def _run(self, X, states, params, ws, keep, target=None):
        out, h, cache = rnn_forward(X, states[0], params, self.nonlinearity, ws, keep, target)
        return out, (h,), cache

    def _back(self, cache, d_out, d_finals, record):
        return rnn_backward(cache, d_out, d_finals[0], record)

    def backward(self, grad_output, grad_h_n=None):
        """Gradients after a forward call; see the module docstring."""
        return self._backward(grad_output, (grad_h_n,))
