"""One direction of one Elman RNN layer over a sequence: forward and BPTT.

Shapes as the GRU kernel: X (T, N, D), h0 (N, H), output (T, N, H).
"""

from __future__ import annotations

import numpy as np

from studydeck.engine.kernels.workspace import Workspace


def rnn_forward(X, h0, params, nonlinearity="tanh", ws=None, keep=True, out=None):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) (or relu);
    ``keep`` False (``no_grad``): the cache is None; ``out`` as for the GRU kernel."""
    ws = Workspace() if ws is None else ws
    T, N, _ = X.shape
    W_ih, W_hh = params["weight_ih"], params["weight_hh"]
    H = W_hh.shape[0]
    XW = np.matmul(X.reshape(T * N, -1), W_ih.T).reshape(T, N, H)
    if "bias_ih" in params:
        XW += params["bias_ih"] + params["bias_hh"]
    W_hhT = np.ascontiguousarray(W_hh.T)
    Hs = ws.get("Hs", (T + 1, N, H), W_ih.dtype) if out is None else out
    Hs[0] = h0
    for t in range(T):
        h = Hs[t + 1]
        np.matmul(Hs[t], W_hhT, out=h)
        h += XW[t]
        if nonlinearity == "tanh":
            np.tanh(h, out=h)
        else:
            np.maximum(h, 0.0, out=h)
    cache = dict(X=X, Hs=Hs, params=params, nonlinearity=nonlinearity, ws=ws) if keep else None
    return Hs[1:], Hs[T].copy(), cache


def rnn_backward(cache, d_out=None, d_hT=None, record=False):
    """dA_t = dh_t ⊙ act'(A_t),  dh_(t-1) = W_hh^T dA_t; keys as gru_backward."""
    X, Hs, params = cache["X"], cache["Hs"], cache["params"]
    T, N, H = Hs.shape[0] - 1, Hs.shape[1], Hs.shape[2]
    h = Hs[1:]
    dact = 1.0 - h * h if cache["nonlinearity"] == "tanh" else (h > 0).astype(h.dtype)
    dA = cache["ws"].get("dA", (T, N, H), h.dtype)
    dh = np.zeros((N, H), h.dtype)
    if d_hT is not None:
        dh += d_hT
    dH_all = np.empty((T, N, H), h.dtype) if record else None
    W_hh = params["weight_hh"]
    for t in range(T - 1, -1, -1):
        if d_out is not None:
            dh += d_out[t]
        if record:
            dH_all[t] = dh
        np.multiply(dh, dact[t], out=dA[t])
        dh = dA[t] @ W_hh
    A = dA.reshape(T * N, H)
    grads = {"weight_ih": A.T @ X.reshape(T * N, -1), "weight_hh": A.T @ Hs[:-1].reshape(T * N, H)}
    if "bias_ih" in params:
        grads["bias_ih"] = A.sum(axis=0)
        grads["bias_hh"] = grads["bias_ih"].copy()
    grads["input"] = (A @ params["weight_ih"]).reshape(X.shape)
    grads["h0"] = dh
    if record:
        grads["hidden"] = dH_all
    return grads
