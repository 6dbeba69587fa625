"""The reference path: LSTM, GRU and RNN forward written as the equations, one step at a time.

This is the engine read slowly.  Each step names what PyTorch's documentation
names (i, f, g, o for the LSTM; r, z, n for the GRU), takes each gate's weights
out of PyTorch's stacked tensors by block, and runs one time step for one
direction of one layer; :func:`forward` stacks steps into layers exactly as
``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` do.  It is slow on purpose: the layers in
:mod:`studydeck.engine.layers` run fused kernels (:mod:`studydeck.engine.kernels`)
and ``tests/engine/test_reference.py`` checks that both give the same numbers.

Vectors here are one sample: x of shape (D,), h and c of shape (H,).
"""

from __future__ import annotations

import numpy as np

from studydeck.engine.functional import sigmoid


def blocks(stacked: np.ndarray, count: int) -> list[np.ndarray]:
    """PyTorch's stacked gate tensor split into its ``count`` gate blocks, in order."""
    return np.split(stacked, count, axis=0)


def lstm_step(x, h_prev, c_prev, p):
    """One LSTM step (PyTorch's gate order i, f, g, o); ``p`` holds one direction's parameters.

        i = σ(W_ii x + b_ii + W_hi h_prev + b_hi)        input gate
        f = σ(W_if x + b_if + W_hf h_prev + b_hf)        forget gate
        g = tanh(W_ig x + b_ig + W_hg h_prev + b_hg)     cell candidate
        o = σ(W_io x + b_io + W_ho h_prev + b_ho)        output gate
        c = f ⊙ c_prev + i ⊙ g
        h = o ⊙ tanh(c)            (with proj_size: h = W_hr (o ⊙ tanh(c)))
    """
    W_ii, W_if, W_ig, W_io = blocks(p["weight_ih"], 4)
    W_hi, W_hf, W_hg, W_ho = blocks(p["weight_hh"], 4)
    zeros = np.zeros(4 * c_prev.shape[0], dtype=x.dtype)
    b_ii, b_if, b_ig, b_io = blocks(p.get("bias_ih", zeros), 4)
    b_hi, b_hf, b_hg, b_ho = blocks(p.get("bias_hh", zeros), 4)
    i = sigmoid(W_ii @ x + b_ii + W_hi @ h_prev + b_hi)
    f = sigmoid(W_if @ x + b_if + W_hf @ h_prev + b_hf)
    g = np.tanh(W_ig @ x + b_ig + W_hg @ h_prev + b_hg)
    o = sigmoid(W_io @ x + b_io + W_ho @ h_prev + b_ho)
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    if "weight_hr" in p:
        h = p["weight_hr"] @ h
    return h, c


def gru_step(x, h_prev, p, reset_after=True):
    """One GRU step (PyTorch's order r, z, n).

        r = σ(W_ir x + b_ir + W_hr h_prev + b_hr)        reset gate
        z = σ(W_iz x + b_iz + W_hz h_prev + b_hz)        update gate
        n = tanh(W_in x + b_in + r ⊙ (W_hn h_prev + b_hn))   new gate (candidate)
        h = (1 − z) ⊙ n + z ⊙ h_prev

    With ``reset_after=False`` (Cho et al. 2014; Keras ``reset_after=False``)
    the reset gate acts before the product: n = tanh(W_in x + b_in + W_hn (r ⊙ h_prev) + b_hn).
    """
    W_ir, W_iz, W_in = blocks(p["weight_ih"], 3)
    W_hr, W_hz, W_hn = blocks(p["weight_hh"], 3)
    zeros = np.zeros(3 * h_prev.shape[0], dtype=x.dtype)
    b_ir, b_iz, b_in = blocks(p.get("bias_ih", zeros), 3)
    b_hr, b_hz, b_hn = blocks(p.get("bias_hh", zeros), 3)
    r = sigmoid(W_ir @ x + b_ir + W_hr @ h_prev + b_hr)
    z = sigmoid(W_iz @ x + b_iz + W_hz @ h_prev + b_hz)
    if reset_after:
        n = np.tanh(W_in @ x + b_in + r * (W_hn @ h_prev + b_hn))
    else:
        n = np.tanh(W_in @ x + b_in + W_hn @ (r * h_prev) + b_hn)
    return (1 - z) * n + z * h_prev


def rnn_step(x, h_prev, p, nonlinearity="tanh"):
    """One Elman step: h = act(W_ih x + b_ih + W_hh h_prev + b_hh), act tanh or relu."""
    zeros = np.zeros(h_prev.shape[0], dtype=x.dtype)
    a = p["weight_ih"] @ x + p.get("bias_ih", zeros) + p["weight_hh"] @ h_prev + p.get("bias_hh", zeros)
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)


def forward(layer, x, hx=None):
    """``layer``'s forward pass for one unbatched sequence x of shape (T, D), step by step.

    ``layer`` is an engine ``LSTM``, ``GRU`` or ``RNN`` (its parameters are read
    by name); ``hx`` as PyTorch takes it unbatched: ``h_0`` (L·Dn, H_out), or
    ``(h_0, c_0)`` for an LSTM.  Returns ``(output, h_n)`` or
    ``(output, (h_n, c_n))`` like the layer.
    """
    x = np.asarray(x, dtype=layer.dtype)
    lstm = layer.kind == "lstm"
    L, Dn, H, H_out = layer.num_layers, layer.num_directions, layer.hidden_size, layer.output_size
    if hx is None:
        h0 = np.zeros((L * Dn, H_out), layer.dtype)
        c0 = np.zeros((L * Dn, H), layer.dtype)
    elif lstm:
        h0, c0 = (np.asarray(a, layer.dtype) for a in hx)
    else:
        h0, c0 = np.asarray(hx, layer.dtype), None
    h_n, c_n = [], []
    seq = x
    for l in range(L):
        outputs = []
        for d in range(Dn):
            p = layer.direction_params(l, d)
            h, c = h0[l * Dn + d], (c0[l * Dn + d] if lstm else None)
            steps = range(len(seq) - 1, -1, -1) if d else range(len(seq))
            out = [None] * len(seq)
            for t in steps:
                if lstm:
                    h, c = lstm_step(seq[t], h, c, p)
                elif layer.kind == "gru":
                    h = gru_step(seq[t], h, p, layer.reset_after)
                else:
                    h = rnn_step(seq[t], h, p, layer.nonlinearity)
                out[t] = h
            outputs.append(np.stack(out))
            h_n.append(h)
            c_n.append(c)
        seq = np.concatenate(outputs, axis=1)
    if lstm:
        return seq, (np.stack(h_n), np.stack(c_n))
    return seq, np.stack(h_n)
