"""The standard LSTM at small sizes in a batch-minor layout: forward and BPTT.

The equations are :mod:`studydeck.engine.kernels.lstm`'s (PyTorch's cell:
gates i, f, g, o, no peepholes, no projection).  What differs is the layout:
every per-step array is stored transposed, hidden unit by batch element,

    [h_(t−1); x_t; 1]  (H + D + 1, N)      Z_t = [o; i; f; g; c_(t−1)]  (5, H, N)

and the first four blocks of Z_t are one matmul W [h_(t−1); x_t; 1] with
W = [W_hh, W_ih, b_ih + b_hh] in the row order o, i, f, g (pre-multiplied by
−1, or −2 for g, so that one exp gives all four activations, as in the
general kernel).  Each block is one contiguous (H, N) array, so every
elementwise operation runs over a single flat loop; in the general kernel's
row-major (N, 4H) layout a gate is a strided (N, H) slice, and at H = 32
NumPy's per-row overhead costs as much as the arithmetic.  The order lets
single operations cover several blocks: [i ⊙ g, f ⊙ c_(t−1)] is one multiply
of Z_t[1:3] by Z_t[3:5], and c_t is written straight into Z_(t+1)'s last
block.  Large H leaves the general kernel in charge: there the per-step
matmul dominates and BLAS is faster with the batch as its rows (see
:func:`usable`).

Backward, per step, with E_t = [s; dA_o; dA_i; dA_f; dA_g; dc_(t−1)] (6, H, N):

    [s; dA_o] = [Kc; Ko] ⊙ dh          dc_t += s
    [dA_i; dA_f; dA_g; dc_(t−1)] = [K_i; K_f; K_g; f] ⊙ dc_t
    dh_(t−1) = W_hh^T [dA_o; dA_i; dA_f; dA_g]   (+ dL/dout_(t−1))

five NumPy calls a step, with Kc = o(1 − tanh²c), Ko = tanh c · o(1 − o),
K_i = g · i(1 − i), K_f = c_(t−1) · f(1 − f), K_g = i(1 − g²) computed for
every step at once before the loop.  The weight gradients come from one
contraction over all steps and the batch.
"""

from __future__ import annotations

import numpy as np

MAX_ROWS = 256  # 4H up to this (H ≤ 64): the layout's gain outweighs BLAS's slower shape
MIN_BATCH = 2  # at N = 1 the general kernel's gates are contiguous already
MAX_JOINT_BYTES = 1 << 20  # the joint weight stays cache-resident


def usable(spec, params, N, itemsize):
    """Whether this kernel runs the layer: the standard cell, small H, a batch."""
    if (spec.blocks != "ifgo" or spec.peepholes or spec.fgr or not spec.input_activation
            or not spec.output_activation or "weight_hr" in params):
        return False
    GH, H = params["weight_hh"].shape
    D = params["weight_ih"].shape[1]
    return (GH <= MAX_ROWS and N >= MIN_BATCH
            and (H + D + 1) * GH * itemsize <= MAX_JOINT_BYTES)


def _order(H):
    """Row indices taking PyTorch's blocks i, f, g, o to this kernel's o, i, f, g."""
    return np.concatenate([np.arange(k * H, (k + 1) * H) for k in (3, 0, 1, 2)])


def lstm_small_forward(X, h0, c0, params, ws):
    """As :func:`~studydeck.engine.kernels.lstm.lstm_forward` for a standard cell."""
    T, N, D = X.shape
    W_ih, W_hh = params["weight_ih"], params["weight_hh"]
    GH, H = W_hh.shape
    dtype = W_ih.dtype
    K = H + D + 1
    order = _order(H)
    numerator = ws.get("numerator", (GH, N), dtype)  # full size: a flat loop, no broadcast
    numerator[...] = 1.0
    numerator[3 * H:] = 2.0
    W = ws.get("W_joint", (GH, K), dtype)
    W[:, :H] = W_hh[order]
    W[:, H:H + D] = W_ih[order]
    if "bias_ih" in params:
        np.add(params["bias_ih"][order], params["bias_hh"][order], out=W[:, H + D])
    else:
        W[:, H + D] = 0.0
    W *= -1.0
    W[3 * H:] *= 2.0
    HX = ws.get("HXt", (T + 1, K, N), dtype)  # [h_(t−1); x_t; 1] of every step
    HX[:T, H:H + D] = X.transpose(0, 2, 1)
    HX[T, H:] = 0.0
    HX[:, H + D] = 1.0
    HX[0, :H] = h0.T
    Z = ws.get("Zt", (T + 1, 5, H, N), dtype)  # o, i, f, g, c_(t−1); Z[T] holds c_T only
    Z[0, 4] = c0.T
    TC = ws.get("TCt", (T, H, N), dtype)  # tanh c_t
    P = ws.get("P", (2, H, N), dtype)
    # Python lists of views: indexing a list costs far less than slicing an array.
    zs = list(Z[:, :4].reshape(T + 1, GH, N))
    gs, igs, cpgs = list(Z[:, 3]), list(Z[:, 1:3]), list(Z[:, 3:5])
    os_, cs, tcs, hs, hx = list(Z[:, 0]), list(Z[:, 4]), list(TC), list(HX[:, :H]), list(HX)
    with np.errstate(over="ignore"):  # e^z → inf gives σ = 0, tanh = −1
        for t in range(T):
            z = zs[t]
            np.dot(W, hx[t], out=z)  # np.dot: less overhead than np.matmul at this size
            np.exp(z, out=z)
            z += 1.0
            np.divide(numerator, z, out=z)
            gs[t] -= 1.0
            np.multiply(igs[t], cpgs[t], out=P)  # [i ⊙ g, f ⊙ c_(t−1)]
            c = cs[t + 1]
            np.add(P[0], P[1], out=c)
            np.tanh(c, out=tcs[t])
            np.multiply(os_[t], tcs[t], out=hs[t + 1])
    out = HX[1:, :H].transpose(0, 2, 1).copy()  # (T, N, H)
    cache = dict(small=True, X=X, HX=HX, Z=Z, TC=TC, ws=ws, params=params, H=H, D=D,
                 order=order)
    return out, out[T - 1].copy(), Z[T, 4].T.copy(), cache


def lstm_small_backward(cache, d_out=None, d_hT=None, d_cT=None, record=False):
    """As :func:`~studydeck.engine.kernels.lstm_backward.lstm_backward` for this kernel's cache."""
    X, HX, Z, TC, ws, params, order = (cache[k] for k in ("X", "HX", "Z", "TC", "ws",
                                                           "params", "order"))
    H, D = cache["H"], cache["D"]
    T = Z.shape[0] - 1
    N = Z.shape[3]
    GH = 4 * H
    dtype = Z.dtype
    # The factors of every step: KK = [Kc, Ko], FF = [K_i, K_f, K_g, f].
    S = ws.get("dsig", (T, 3, H, N), dtype)  # σ' of o, i, f
    np.subtract(1.0, Z[:T, :3], out=S)
    S *= Z[:T, :3]
    KK = ws.get("KK", (T, 2, H, N), dtype)
    FF = ws.get("FF", (T, 4, H, N), dtype)
    np.multiply(TC, TC, out=KK[:, 0])
    np.subtract(1.0, KK[:, 0], out=KK[:, 0])
    KK[:, 0] *= Z[:T, 0]
    np.multiply(TC, S[:, 0], out=KK[:, 1])
    np.multiply(S[:, 1:3], Z[:T, 3:5], out=FF[:, :2])  # [g i(1 − i), c_(t−1) f(1 − f)]
    g = Z[:T, 3]
    np.multiply(g, g, out=FF[:, 2])
    np.subtract(1.0, FF[:, 2], out=FF[:, 2])
    FF[:, 2] *= Z[:T, 1]
    FF[:, 3] = Z[:T, 2]
    W_hhT = np.ascontiguousarray(params["weight_hh"][order].T)  # (H, 4H), rows o, i, f, g
    E = ws.get("E", (T, 6, H, N), dtype)
    dA = E[:, 1:5].reshape(T, GH, N)
    dh = ws.get("dh", (H, N), dtype)
    dh[...] = 0.0 if d_hT is None else d_hT.T
    dc = ws.get("dc", (H, N), dtype)
    dc[...] = 0.0 if d_cT is None else d_cT.T
    dOut = None
    if d_out is not None:
        dOut = ws.get("dOutt", (T, H, N), dtype)
        dOut[...] = d_out.transpose(0, 2, 1)
    dH_all = ws.get("dHt", (T, H, N), dtype) if record else None
    es, ss, das, fouts = list(E[:, 0:2]), list(E[:, 0]), list(dA), list(E[:, 2:6])
    dcs = list(E[:, 5])
    kks, ffs = list(KK), list(FF)
    dOuts = list(dOut) if dOut is not None else None
    for t in range(T - 1, -1, -1):
        if dOuts is not None:
            dh += dOuts[t]
        if record:
            dH_all[t] = dh
        np.multiply(kks[t], dh, out=es[t])  # [s, dA_o]
        dc += ss[t]
        np.multiply(ffs[t], dc, out=fouts[t])  # dA_i, dA_f, dA_g, dc_(t−1)
        dc = dcs[t]
        np.dot(W_hhT, das[t], out=dh)
    # dW = Σ_t dA_t [h_(t−1); x_t; 1]^T: one contraction over steps and batch.
    back = np.argsort(order)
    joint = np.tensordot(dA, HX[:-1], axes=([0, 2], [0, 2]))[back]  # (4H, H + D + 1)
    grads = {"weight_ih": joint[:, H:H + D].copy(), "weight_hh": joint[:, :H].copy()}
    if "bias_ih" in params:
        grads["bias_ih"] = joint[:, H + D].copy()
        grads["bias_hh"] = joint[:, H + D].copy()
    grads["input"] = np.matmul(dA.transpose(0, 2, 1), params["weight_ih"][order])
    grads["h0"] = dh.T.copy()
    grads["c0"] = dc.T.copy()
    if record:
        grads["hidden"] = dH_all.transpose(0, 2, 1).copy()
    return grads
