"""``LSTMCell``: one LSTM step, PyTorch's ``nn.LSTMCell`` plus Greff's variants."""

from __future__ import annotations

import numpy as np

from studydeck.engine.cell_base import CellBase
from studydeck.engine.functional import sigmoid
from studydeck.engine.kernels.lstm_backward import lstm_backward
from studydeck.engine.kernels.lstm import lstm_forward
from studydeck.engine.shapes import lstm_shapes
from studydeck.engine.variants import lstm_variant


class LSTMCell(CellBase):
    """One LSTM step: ``h, c = cell(x, (h_prev, c_prev))``.

    Shapes: x (N, D) or (D,); h_prev, c_prev, h, c (N, H) or (H,).
    Parameters (PyTorch names): weight_ih (G·H, D), weight_hh (G·H, H), bias_ih,
    bias_hh (G·H,), blocks stacked i, f, g, o (G = 4 for the standard cell).

        i = σ(W_ii x + b_ii + W_hi h_prev + b_hi)
        f = σ(W_if x + b_if + W_hf h_prev + b_hf)
        g = tanh(W_ig x + b_ig + W_hg h_prev + b_hg)
        o = σ(W_io x + b_io + W_ho h_prev + b_ho)
        c = f ⊙ c_prev + i ⊙ g
        h = o ⊙ tanh(c)

    ``variant`` selects one of Greff et al.'s variants (see
    :mod:`studydeck.engine.variants`); ``peephole`` overrides its peepholes.
    Initial weights: U(−1/√H, 1/√H) from ``seed`` or ``rng``.
    """

    def __init__(self, input_size, hidden_size, bias=True, *, dtype=None, seed=None, rng=None,
                 variant="standard", peephole=None):
        spec = lstm_variant(variant, peephole)
        object.__setattr__(self, "variant", spec)
        self._setup(input_size, hidden_size, bias, dtype, seed, rng,
                    lstm_shapes(spec, input_size, hidden_size, bias))

    def __repr__(self):
        extra = "" if self.variant.name == "standard" else f", variant={self.variant.name!r}"
        return f"LSTMCell({self.input_size}, {self.hidden_size}, bias={self.bias}{extra})"

    def __call__(self, x, state=None, gates_prev=None):
        """One step; returns ``(h, c)``.  ``gates_prev`` (N, 3H): FGR's i, f, o of t − 1."""
        X, unbatched = self._input(x)
        N, H = X.shape[1], self.hidden_size
        h0, c0 = (None, None) if state is None else state
        h0 = self._state(h0, N, H, unbatched, "h")
        c0 = self._state(c0, N, H, unbatched, "c")
        q0 = None
        if gates_prev is not None:
            q0 = self._state(gates_prev, N, 3 * H, unbatched, "gates_prev")
        _, h, c, cache = lstm_forward(X, h0, c0, self._params(), self.variant, q0=q0)
        object.__setattr__(self, "_cache", (cache, unbatched))
        if unbatched:
            return h[0], c[0]
        return h, c

    def backward(self, grad_h, grad_c=None):
        """Gradients after a call, given dL/dh and dL/dc of that call's outputs.

        Returns ``{parameter name: gradient, "input": dL/dx, "h_prev": dL/dh_prev,
        "c_prev": dL/dc_prev}`` (FGR adds "gates_prev"), each shaped like its value.
        """
        cache, unbatched = self._require_cache()
        N, H = cache["X"].shape[1], self.hidden_size
        grads = lstm_backward(cache, None, self._grad(grad_h, (N, H), unbatched),
                              self._grad(grad_c, (N, H), unbatched))
        return self._finish(grads, unbatched, {"h0": "h_prev", "c0": "c_prev",
                                               "q0": "gates_prev"})

    def trace(self, x, state=None, gates_prev=None):
        """Every intermediate of one step, written out equation by equation.

        Returns a dict of arrays: x, h_prev, c_prev, the pre-activations a_i, a_f,
        a_g, a_o (including peephole and FGR terms; an absent gate has none), the
        gates i, f, g, o (an absent gate is all ones; CIFG's f is 1 − i), c, tanh_c (c itself for
        NOAF) and h; FGR adds "gates" = [i; f; o] for the next step.
        """
        X, unbatched = self._input(x)
        x2 = X[0]
        N, H = x2.shape[0], self.hidden_size
        spec = self.variant
        h_prev = self._state(None if state is None else state[0], N, H, unbatched, "h")
        c_prev = self._state(None if state is None else state[1], N, H, unbatched, "c")
        a = x2 @ self.weight_ih.T + h_prev @ self.weight_hh.T
        if self.bias:
            a = a + self.bias_ih + self.bias_hh
        blocks = spec.blocks
        pre = {b: a[:, k * H:(k + 1) * H] for k, b in enumerate(blocks)}
        if spec.fgr:
            q = np.zeros((N, 3 * H), self.dtype)
            if gates_prev is not None:
                q = self._state(gates_prev, N, 3 * H, unbatched, "gates_prev")
            rec = q @ self.weight_fgr.T
            for k, b in enumerate("ifo"):
                pre[b] = pre[b] + rec[:, k * H:(k + 1) * H]
        if "ci" in spec.peepholes:
            pre["i"] = pre["i"] + self.weight_ci * c_prev
        if "cf" in spec.peepholes:
            pre["f"] = pre["f"] + self.weight_cf * c_prev
        ones = np.ones((N, H), self.dtype)
        i = sigmoid(pre["i"]) if "i" in pre else ones
        f = sigmoid(pre["f"]) if "f" in pre else (1.0 - i if spec.cifg else ones)
        g = np.tanh(pre["g"]) if spec.input_activation else pre["g"]
        c = f * c_prev + i * g
        tanh_c = np.tanh(c) if spec.output_activation else c
        if "co" in spec.peepholes:
            pre["o"] = pre["o"] + self.weight_co * c
        o = sigmoid(pre["o"]) if "o" in pre else ones
        h = o * tanh_c
        out = dict(x=x2, h_prev=h_prev, c_prev=c_prev)
        out.update({"a_" + b: pre[b] for b in "ifgo" if b in pre})
        out.update(i=i, f=f, g=g, o=o, c=c, tanh_c=tanh_c, h=h)
        if spec.fgr:
            out["gates"] = np.concatenate([i, f, o], axis=1)
        if unbatched:
            out = {k: v[0] for k, v in out.items()}
        return out
