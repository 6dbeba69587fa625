"""``GRUCell`` and ``RNNCell``: one step, as PyTorch's ``nn.GRUCell`` and ``nn.RNNCell``."""

from __future__ import annotations

import numpy as np

from studydeck.engine.cell_base import CellBase
from studydeck.engine.functional import sigmoid
from studydeck.engine.kernels.gru import gru_backward, gru_forward
from studydeck.engine.kernels.rnn import rnn_backward, rnn_forward
from studydeck.engine.shapes import gated_shapes


class GRUCell(CellBase):
    """One GRU step: ``h = cell(x, h_prev)``.

    Shapes: x (N, D) or (D,); h_prev, h (N, H) or (H,).  Parameters:
    weight_ih (3H, D), weight_hh (3H, H), bias_ih, bias_hh (3H,), blocks r, z, n.

        r = σ(W_ir x + b_ir + W_hr h_prev + b_hr)
        z = σ(W_iz x + b_iz + W_hz h_prev + b_hz)
        n = tanh(W_in x + b_in + r ⊙ (W_hn h_prev + b_hn))       reset_after=True (PyTorch)
        n = tanh(W_in x + b_in + W_hn (r ⊙ h_prev) + b_hn)       reset_after=False (Cho et al.)
        h = (1 − z) ⊙ n + z ⊙ h_prev
    """

    def __init__(self, input_size, hidden_size, bias=True, *, dtype=None, seed=None, rng=None,
                 reset_after=True):
        object.__setattr__(self, "reset_after", bool(reset_after))
        self._setup(input_size, hidden_size, bias, dtype, seed, rng,
                    gated_shapes(3, input_size, hidden_size, bias))

    def __repr__(self):
        extra = "" if self.reset_after else ", reset_after=False"
        return f"GRUCell({self.input_size}, {self.hidden_size}, bias={self.bias}{extra})"

    def __call__(self, x, h=None):
        """One step; returns h (N, H) or (H,)."""
        X, unbatched = self._input(x)
        N = X.shape[1]
        h0 = self._state(h, N, self.hidden_size, unbatched, "h")
        _, h_new, cache = gru_forward(X, h0, self._params(), self.reset_after)
        object.__setattr__(self, "_cache", (cache, unbatched))
        return h_new[0] if unbatched else h_new

    def backward(self, grad_h):
        """``{parameter name: gradient, "input": dL/dx, "h_prev": dL/dh_prev}`` after a call."""
        cache, unbatched = self._require_cache()
        N = cache["X"].shape[1]
        grads = gru_backward(cache, None, self._grad(grad_h, (N, self.hidden_size), unbatched))
        return self._finish(grads, unbatched, {"h0": "h_prev"})

    def trace(self, x, h=None):
        """Every intermediate of one step as a dict.

        x, h_prev, a_r, a_z (pre-activations), a_n_x = W_in x + b_in,
        a_n_h = W_hn h_prev + b_hn (reset-after) or W_hn (r ⊙ h_prev) + b_hn
        (reset-before, which also gives rh = r ⊙ h_prev), r, z, n, h.
        """
        X, unbatched = self._input(x)
        x2 = X[0]
        N, H = x2.shape[0], self.hidden_size
        h_prev = self._state(h, N, H, unbatched, "h")
        ax = x2 @ self.weight_ih.T
        if self.bias:
            ax = ax + self.bias_ih
        W_hh = self.weight_hh
        b_hh = self.bias_hh if self.bias else np.zeros(3 * H, self.dtype)
        ah_rz = h_prev @ W_hh[: 2 * H].T + b_hh[: 2 * H]
        a_r = ax[:, :H] + ah_rz[:, :H]
        a_z = ax[:, H:2 * H] + ah_rz[:, H:]
        r, z = sigmoid(a_r), sigmoid(a_z)
        a_n_x = ax[:, 2 * H:]
        out = dict(x=x2, h_prev=h_prev, a_r=a_r, a_z=a_z, a_n_x=a_n_x)
        if self.reset_after:
            a_n_h = h_prev @ W_hh[2 * H:].T + b_hh[2 * H:]
            n = np.tanh(a_n_x + r * a_n_h)
        else:
            rh = r * h_prev
            a_n_h = rh @ W_hh[2 * H:].T + b_hh[2 * H:]
            n = np.tanh(a_n_x + a_n_h)
            out["rh"] = rh
        h_new = (1.0 - z) * n + z * h_prev
        out.update(a_n_h=a_n_h, r=r, z=z, n=n, h=h_new)
        if unbatched:
            out = {k: v[0] for k, v in out.items()}
        return out


class RNNCell(CellBase):
    """One Elman step: ``h = cell(x, h_prev)``.

        h = tanh(W_ih x + b_ih + W_hh h_prev + b_hh)      (nonlinearity="relu": max(·, 0))

    Shapes: x (N, D) or (D,); h (N, H) or (H,); weight_ih (H, D), weight_hh (H, H),
    bias_ih, bias_hh (H,).
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", *, dtype=None,
                 seed=None, rng=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        object.__setattr__(self, "nonlinearity", nonlinearity)
        self._setup(input_size, hidden_size, bias, dtype, seed, rng,
                    gated_shapes(1, input_size, hidden_size, bias))

    def __repr__(self):
        return (f"RNNCell({self.input_size}, {self.hidden_size}, bias={self.bias}, "
                f"nonlinearity={self.nonlinearity!r})")

    def __call__(self, x, h=None):
        """One step; returns h (N, H) or (H,)."""
        X, unbatched = self._input(x)
        h0 = self._state(h, X.shape[1], self.hidden_size, unbatched, "h")
        _, h_new, cache = rnn_forward(X, h0, self._params(), self.nonlinearity)
        object.__setattr__(self, "_cache", (cache, unbatched))
        return h_new[0] if unbatched else h_new

    def backward(self, grad_h):
        """``{parameter name: gradient, "input": dL/dx, "h_prev": dL/dh_prev}`` after a call."""
        cache, unbatched = self._require_cache()
        N = cache["X"].shape[1]
        grads = rnn_backward(cache, None, self._grad(grad_h, (N, self.hidden_size), unbatched))
        return self._finish(grads, unbatched, {"h0": "h_prev"})

    def trace(self, x, h=None):
        """x, h_prev, the pre-activation a = W_ih x + b_ih + W_hh h_prev + b_hh, and h."""
        X, unbatched = self._input(x)
        x2 = X[0]
        h_prev = self._state(h, x2.shape[0], self.hidden_size, unbatched, "h")
        a = x2 @ self.weight_ih.T + h_prev @ self.weight_hh.T
        if self.bias:
            a = a + self.bias_ih + self.bias_hh
        h_new = np.tanh(a) if self.nonlinearity == "tanh" else np.maximum(a, 0.0)
        out = dict(x=x2, h_prev=h_prev, a=a, h=h_new)
        if unbatched:
            out = {k: v[0] for k, v in out.items()}
        return out
