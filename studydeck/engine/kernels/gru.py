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

from studydeck.engine.kernels.workspace import Workspace, step_rows

PROJECTION_ROWS = 512  # under no_grad, rows of x W_ih^T computed at a time (steps × batch)


def gru_forward(X, h0, params, reset_after=True, ws=None, keep=True, out=None):
    """Run the sequence; returns ``(output, h_T, cache)``; ``ws``: a Workspace to reuse;
    ``keep`` False (``no_grad``): the cache is None; ``out``: a (T + 1, N, H) array (or
    view) to hold h_0 ... h_T instead of the workspace's, the output being ``out[1:]``.

    x W_ih^T + b for every step is one matmul before the loop (under no_grad, one per
    chunk of steps), with the biases of
    r and z (b_i and b_h alike) and, reset-before, b_hn folded in; only the
    reset-after b_hn, which r multiplies, is added per step.  The r and z rows
    are pre-multiplied by −1 so σ(a) = 1 / (1 + e^z) takes one exp (exact in
    floating point); n keeps np.tanh.  Each step works in small arrays that stay
    in cache and stores only h: the backward pass recomputes r, z and n for all
    steps at once from the stored h (:func:`_activations`).
    """
    ws = Workspace() if ws is None else ws
    T, N, _ = X.shape
    W_ih, W_hh = params["weight_ih"], params["weight_hh"]
    H = W_hh.shape[1]
    dtype = W_ih.dtype
    scale = np.repeat(np.array([-1.0, -1.0, 1.0], dtype), H)
    # The input side, r and z apart from n so that each step reads contiguous rows.
    W_ih_s = np.multiply(W_ih, scale[:, None], out=ws.get("W_ih_s", W_ih.shape, dtype))
    # Every step's input side for the backward pass; under no_grad a chunk of steps at
    # a time, computed just before the loop reaches them, so it is read from cache.
    XRZ = ws.steps("XRZ", keep, T, max(1, PROJECTION_ROWS // N), (N, 2 * H), dtype)
    XN = ws.steps("XN", keep, T, max(1, PROJECTION_ROWS // N), (N, H), dtype)
    chunk = len(XN)
    b_rz = b_n = b_hn = None
    if "bias_ih" in params:
        b_ih, b_hh = params["bias_ih"], params["bias_hh"]
        b_rz = b_ih[: 2 * H] + b_hh[: 2 * H]
        if reset_after:
            b_n, b_hn = b_ih[2 * H:], b_hh[2 * H:]
        else:
            b_n = b_ih[2 * H:] + b_hh[2 * H:]

    def project(t0, t1):
        """The input side of steps t0..t1−1 into XRZ[:t1−t0] and XN[:t1−t0]."""
        rows, xrz, xn = step_rows(X, t0, t1), XRZ[:t1 - t0], XN[:t1 - t0]
        np.matmul(rows, W_ih_s[: 2 * H].T, out=xrz.reshape(-1, 2 * H))
        np.matmul(rows, W_ih_s[2 * H:].T, out=xn.reshape(-1, H))
        if b_rz is not None:
            xrz -= b_rz
            xn += b_n

    Hs = ws.get("Hs", (T + 1, N, H), dtype) if out is None else out
    Hs[0] = h0
    W_rz_sT = np.ascontiguousarray(-W_hh[: 2 * H].T)
    W_nT = np.ascontiguousarray(W_hh[2 * H:].T)
    rz = np.empty((N, 2 * H), dtype)
    r, z = rz[:, :H], rz[:, H:]
    hn = np.empty((N, H), dtype)  # W_hn h_prev + b_hn, or r ⊙ h_prev (reset-before)
    n = np.empty((N, H), dtype)
    with np.errstate(over="ignore"):  # e^z → inf gives σ = 0
        for t in range(T):
            k = t % chunk
            if k == 0:
                project(t, min(T, t + chunk))
            h_prev, h = Hs[t], Hs[t + 1]
            h_prev.dot(W_rz_sT, out=rz)
            rz += XRZ[k]
            np.exp(rz, out=rz)
            rz += 1.0
            np.divide(1.0, rz, out=rz)
            if reset_after:
                h_prev.dot(W_nT, out=hn)
                if b_hn is not None:
                    hn += b_hn
                np.multiply(r, hn, out=n)
            else:
                np.multiply(r, h_prev, out=hn)
                hn.dot(W_nT, out=n)
            n += XN[k]
            np.tanh(n, out=n)
            np.subtract(h_prev, n, out=h)
            h *= z
            h += n
    cache = dict(X=X, Hs=Hs, XRZ=XRZ, XN=XN, W_rz_sT=W_rz_sT, W_nT=W_nT, b_hn=b_hn, ws=ws,
                 params=params, reset_after=reset_after, H=H) if keep else None
    return Hs[1:], Hs[T].copy(), cache


def _activations(cache):
    """r, z, n and HN (W_hn h_prev + b_hn, or r ⊙ h_prev) of every step, recomputed.

    The same operations as the forward loop on all steps at once (one matmul
    each); the matmuls may round differently from the per-step ones in the
    last bit, which moves the gradients by rounding error only.
    """
    Hs, XRZ, XN, ws, H = (cache[k] for k in ("Hs", "XRZ", "XN", "ws", "H"))
    T, N = XN.shape[:2]
    dtype = XN.dtype
    h_prev = Hs[:-1].reshape(T * N, H)
    RZ = ws.get("RZ", (T, N, 2 * H), dtype)
    HN = ws.get("HN", (T, N, H), dtype)
    Nn = ws.get("N", (T, N, H), dtype)
    np.matmul(h_prev, cache["W_rz_sT"], out=RZ.reshape(T * N, 2 * H))
    RZ += XRZ
    with np.errstate(over="ignore"):
        np.exp(RZ, out=RZ)
    RZ += 1.0
    np.divide(1.0, RZ, out=RZ)
    r = RZ[:, :, :H]
    if cache["reset_after"]:
        np.matmul(h_prev, cache["W_nT"], out=HN.reshape(T * N, H))
        if cache["b_hn"] is not None:
            HN += cache["b_hn"]
        np.multiply(r, HN, out=Nn)
    else:
        np.multiply(r, Hs[:-1], out=HN)
        np.matmul(HN.reshape(T * N, H), cache["W_nT"], out=Nn.reshape(T * N, H))
    Nn += XN
    np.tanh(Nn, out=Nn)
    return r, RZ[:, :, H:], Nn, HN


def gru_backward(cache, d_out=None, d_hT=None, record=False):
    """Gradients given dL/doutput (T, N, H) and dL/dh_T; keys as lstm_backward (no "c0")."""
    X, Hs, params = (cache[k] for k in ("X", "Hs", "params"))
    reset_after, H = cache["reset_after"], cache["H"]
    r, z, n, HN = _activations(cache)
    T, N = n.shape[:2]
    dtype = n.dtype
    W_hh = params["weight_hh"]
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
        Kr = HN * dsig_r
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
            Ah[:, 2 * H:].T @ HN.reshape(T * N, H)])
    if "bias_ih" in params:
        grads["bias_ih"] = Ax.sum(axis=0)
        grads["bias_hh"] = Ah.sum(axis=0)
    grads["input"] = (Ax @ params["weight_ih"]).reshape(X.shape)
    grads["h0"] = dh
    if record:
        grads["hidden"] = dH_all
    return grads
