"""One direction of one GRU layer over a sequence: forward and BPTT (the RNN is in rnn.py).

Shapes: X (T, N, D), h0 (N, H), output (T, N, H).  Blocks r, z, n (PyTorch's order).

Reset-after (PyTorch, Keras reset_after=True):

    r = σ(W_ir x + b_ir + W_hr h_prev + b_hr)
    z = σ(W_iz x + b_iz + W_hz h_prev + b_hz)
    n = tanh(W_in x + b_in + r ⊙ (W_hn h_prev + b_hn))
    h = (1 − z) ⊙ n + z ⊙ h_prev

Reset-before (Cho et al. 2014, Keras reset_after=False):

    n = tanh(W_in x + b_in + W_hn (r ⊙ h_prev) + b_hn)

Backward, with dh the total dL/dh_t:

    dA_n = dh ⊙ (1 − z) ⊙ (1 − n²)        dA_z = dh ⊙ (h_prev − n) ⊙ z(1 − z)
    after:  dA_r = dA_n ⊙ (W_hn h_prev + b_hn) ⊙ r(1 − r),  d(W_hn h_prev) = r ⊙ dA_n
    before: d(r ⊙ h_prev) = W_hn^T dA_n,  dA_r = d(r ⊙ h_prev) ⊙ h_prev ⊙ r(1 − r)
    dh_prev = dh ⊙ z + (hidden-side pre-activation gradients) · W_hh
"""

from __future__ import annotations

import numpy as np

from studydeck.engine.kernels.workspace import Workspace


def gru_forward(X, h0, params, reset_after=True, ws=None):
    """Run the sequence; returns ``(output, h_T, cache)``; ``ws``: a Workspace to reuse."""
    ws = Workspace() if ws is None else ws
    T, N, _ = X.shape
    W_ih, W_hh = params["weight_ih"], params["weight_hh"]
    H = W_hh.shape[1]
    dtype = W_ih.dtype
    scale = np.repeat(np.array([0.5, 0.5, 1.0], dtype), H)
    bias = "bias_ih" in params
    XW = np.matmul(X.reshape(T * N, -1), (W_ih * scale[:, None]).T).reshape(T, N, 3, H)
    W_hh_s = W_hh * scale[:, None]
    b_hh_s = params["bias_hh"] * scale if bias else None
    if bias:
        XW += (params["bias_ih"] * scale).reshape(3, H)
    gates = ws.get("gates", (T, N, 3, H), dtype)  # r, z, n
    Hs = ws.get("Hs", (T + 1, N, H), dtype)
    Hs[0] = h0
    if reset_after:
        W_hh_sT = np.ascontiguousarray(W_hh_s.T)
        HW = ws.get("HW", (T, N, 3, H), dtype)  # W_hh h_prev + b_hh (r, z halved)
    else:
        W_rz_sT = np.ascontiguousarray(W_hh_s[: 2 * H].T)
        W_nT = np.ascontiguousarray(W_hh[2 * H:].T)
        HW = ws.get("HW", (T, N, 2, H), dtype)
        RH = ws.get("RH", (T, N, H), dtype)  # r ⊙ h_prev
    for t in range(T):
        h_prev, h = Hs[t], Hs[t + 1]
        hw = HW[t]
        rzn = gates[t]
        rz = rzn[:, :2]
        n = rzn[:, 2]
        if reset_after:
            np.matmul(h_prev, W_hh_sT, out=hw.reshape(N, 3 * H))
            if bias:
                hw.reshape(N, 3 * H)[...] += b_hh_s
            np.add(XW[t, :, :2], hw[:, :2], out=rz)
        else:
            np.matmul(h_prev, W_rz_sT, out=hw.reshape(N, 2 * H))
            if bias:
                hw.reshape(N, 2 * H)[...] += b_hh_s[: 2 * H]
            np.add(XW[t, :, :2], hw, out=rz)
        np.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5
        r, z = rzn[:, 0], rzn[:, 1]
        if reset_after:
            np.multiply(r, hw[:, 2], out=n)
        else:
            rh = RH[t]
            np.multiply(r, h_prev, out=rh)
            np.matmul(rh, W_nT, out=n)
            if bias:
                n += params["bias_hh"][2 * H:]
        n += XW[t, :, 2]
        np.tanh(n, out=n)
        np.subtract(h_prev, n, out=h)
        h *= z
        h += n
    cache = dict(X=X, Hs=Hs, gates=gates, HW=HW, RH=None if reset_after else RH, ws=ws,
                 params=params, reset_after=reset_after, H=H)
    return Hs[1:], Hs[T].copy(), cache


def gru_backward(cache, d_out=None, d_hT=None, record=False):
    """Gradients given dL/doutput (T, N, H) and dL/dh_T; keys as lstm_backward (no "c0")."""
    X, Hs, gates, HW, params = (cache[k] for k in ("X", "Hs", "gates", "HW", "params"))
    reset_after, H = cache["reset_after"], cache["H"]
    T, N = gates.shape[:2]
    dtype = gates.dtype
    W_hh = params["weight_hh"]
    r, z, n = gates[:, :, 0], gates[:, :, 1], gates[:, :, 2]
    h_prev = Hs[:-1]
    Kn = (1.0 - z) * (1.0 - n * n)
    Kz = (h_prev - n) * z * (1.0 - z)
    dsig_r = r * (1.0 - r)
    dAx = cache["ws"].get("dAx", (T, N, 3, H), dtype)  # input-side pre-activation gradients
    dAh = cache["ws"].get("dAh", (T, N, 3, H), dtype)  # hidden-side pre-activation gradients
    dh = np.zeros((N, H), dtype)
    if d_hT is not None:
        dh += d_hT
    dH_all = np.empty((T, N, H), dtype) if record else None
    if reset_after:
        Kr = HW[:, :, 2] * dsig_r
    else:
        W_rz = W_hh[: 2 * H]
        W_n = W_hh[2 * H:]
    for t in range(T - 1, -1, -1):
        if d_out is not None:
            dh += d_out[t]
        if record:
            dH_all[t] = dh
        dax, dah = dAx[t], dAh[t]
        da_n = dax[:, 2]
        np.multiply(dh, Kn[t], out=da_n)
        np.multiply(dh, Kz[t], out=dah[:, 1])
        if reset_after:
            np.multiply(da_n, Kr[t], out=dah[:, 0])
            np.multiply(da_n, r[t], out=dah[:, 2])
            dh_prev = np.matmul(dah.reshape(N, 3 * H), W_hh)
        else:
            d_rh = da_n @ W_n
            np.multiply(d_rh, h_prev[t] * dsig_r[t], out=dah[:, 0])
            dah[:, 2] = da_n
            dh_prev = np.matmul(dah[:, :2].reshape(N, 2 * H), W_rz)
            dh_prev += d_rh * r[t]
        dh_prev += dh * z[t]
        dh = dh_prev
    dAx[:, :, :2] = dAh[:, :, :2]
    Ax = dAx.reshape(T * N, 3 * H)
    Ah = dAh.reshape(T * N, 3 * H)
    grads = {"weight_ih": Ax.T @ X.reshape(T * N, -1)}
    if reset_after:
        grads["weight_hh"] = Ah.T @ h_prev.reshape(T * N, H)
    else:
        grads["weight_hh"] = np.concatenate([
            Ah[:, : 2 * H].T @ h_prev.reshape(T * N, H),
            Ah[:, 2 * H:].T @ cache["RH"].reshape(T * N, H)])
    if "bias_ih" in params:
        grads["bias_ih"] = Ax.sum(axis=0)
        grads["bias_hh"] = Ah.sum(axis=0)
    grads["input"] = (Ax @ params["weight_ih"]).reshape(X.shape)
    grads["h0"] = dh
    if record:
        grads["hidden"] = dH_all
    return grads
