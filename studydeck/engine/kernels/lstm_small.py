"""The standard LSTM at small sizes in a batch-minor layout: forward and BPTT.

The equations are :mod:`studydeck.engine.kernels.lstm`'s (PyTorch's cell:
gates i, f, g, o, no peepholes, no projection).  What differs is the layout:
every per-step array is stored transposed, hidden unit by batch element,

    [h_(t−1); x_t; 1]  (H + D + 1, N)      Z_t = [o; i; f; g; c_(t−1)]  (5, H, N)

and the first four blocks of Z_t are one matmul W [h_(t−1); x_t; 1] with
W = [W_hh, W_ih, b_ih + b_hh] in the row order o, i, f, g.  Each block is one
contiguous (H, N) array, so every elementwise operation runs over a single
flat loop; in the general kernel's row-major (N, 4H) layout a gate is a
strided (N, H) slice, and at H = 32 NumPy's per-row overhead costs as much
as the arithmetic.  The order lets one call cover several blocks:

    float32: tanh of all four blocks, the o, i, f rows of W pre-halved (exact):
        σ(a) = 0.5 + 0.5 tanh(a/2) on the first three blocks, g = tanh(a_g)
    float64: the general kernel's single exp, rows pre-multiplied by −1 (−2 for g):
        σ(a) = 1 / (1 + e^(−a)),  tanh(a) = 2 / (1 + e^(−2a)) − 1
    [i ⊙ g, f ⊙ c_(t−1)] = Z_t[1:3] ⊙ Z_t[3:5],  c_t written into Z_(t+1)'s last block

(NumPy's float64 tanh costs about twice its exp, its float32 tanh less than
exp, add and divide together.)

Large H leaves the general kernel in charge (see :func:`usable`): measured at
H = 128 this layout was slower, its whole-sequence arrays no longer in cache.

Backward, per step, with E_t = [dc_(t−1); dA_i; dA_f; dA_g; dA_o; s] (6, H, N):

    [dA_o; s] = [Ko; Kc] ⊙ dh          dc_t += s
    [dc_(t−1); dA_i; dA_f; dA_g] = [f; K_i; K_f; K_g] ⊙ dc_t
    dh_(t−1) = W_hh^T E_t[1:5]   (+ dL/dout_(t−1))

five NumPy calls a step; E_t[1:5] is dA_t in PyTorch's order.  The factors
are computed for every step at once before the loop, from the gates, c,
h = o ⊙ tanh c and the forward's products [i ⊙ g, f ⊙ c_(t−1)]:
Ko = tanh c · o(1 − o) = h(1 − o),  Kc = o(1 − tanh²c) = o − h ⊙ tanh c,
[K_i, K_f] = [g · i(1 − i), c_(t−1) · f(1 − f)] = [i ⊙ g, f ⊙ c_(t−1)] ⊙ (1 − [i, f]),
K_g = i(1 − g²) = i − (i ⊙ g) ⊙ g.
The weight gradients come from one contraction over all steps and the batch.
"""

from __future__ import annotations

import numpy as np

MAX_ROWS = 256  # 4H up to this (H ≤ 64): the layout's gain outweighs BLAS's slower shape
MIN_BATCH = 1  # at N = 1 too: fewer calls a step than the general kernel's (measured 0.66×
               # its forward time in float32 at (T, N, D, H) = (1000, 1, 32, 64))
MAX_JOINT_BYTES = 1 << 20  # the joint weight stays cache-resident


def usable(spec, params, N, itemsize):
    """Whether this kernel runs the layer: the standard cell and a small H."""
    if (spec.blocks != "ifgo" or spec.peepholes or spec.fgr or not spec.input_activation
            or not spec.output_activation or "weight_hr" in params):
        return False
    GH, H = params["weight_hh"].shape
    D = params["weight_ih"].shape[1]
    return (GH <= MAX_ROWS and N >= MIN_BATCH
            and (H + D + 1) * GH * itemsize <= MAX_JOINT_BYTES)


def _order(H):
    """Row indices taking PyTorch's blocks i, f, g, o to the forward's o, i, f, g."""
    return np.concatenate([np.arange(k * H, (k + 1) * H) for k in (3, 0, 1, 2)])


def lstm_small_forward(X, h0, c0, params, ws, keep=True):
    """As :func:`~studydeck.engine.kernels.lstm.lstm_forward` for a standard cell."""
    T, N, D = X.shape
    W_ih, W_hh = params["weight_ih"], params["weight_hh"]
    GH, H = W_hh.shape
    dtype = W_ih.dtype
    K = H + D + 1
    order = _order(H)
    W = ws.get("W_joint", (GH, K), dtype)
    W[:, :H] = W_hh[order]
    W[:, H:H + D] = W_ih[order]
    if "bias_ih" in params:
        np.add(params["bias_ih"][order], params["bias_hh"][order], out=W[:, H + D])
    else:
        W[:, H + D] = 0.0
    tanh_form = dtype == np.float32
    if tanh_form:
        W[:3 * H] *= 0.5
    else:
        W *= -1.0
        W[3 * H:] *= 2.0
        numerator = ws.get("numerator", (GH, N), dtype)  # full size: a flat loop
        numerator[:3 * H] = 1.0
        numerator[3 * H:] = 2.0
    HX = ws.get("HXt", (T + 1, K, N), dtype)  # [h_(t−1); x_t; 1] of every step
    HX[:T, H:H + D] = X.transpose(0, 2, 1)
    HX[T, H:] = 0.0
    HX[:, H + D] = 1.0
    HX[0, :H] = h0.T
    # Every step for the backward pass; under no_grad two steps of Z and one of TC and P,
    # used in turn (the lists of views below repeat them).
    Z = ws.steps("Zt", keep, T + 1, 2, (5, H, N), dtype)  # o, i, f, g, c_(t−1); Z[T] holds c_T only
    Z[0, 4] = c0.T
    TC = ws.steps("TCt", keep, T, 1, (H, N), dtype)  # tanh c_t
    P = ws.steps("P", keep, T, 1, (2, H, N), dtype)  # [i ⊙ g, f ⊙ c_(t−1)], for backward
    steps = len(Z)

    def per_step(views, n=T + 1):
        """A list of ``n`` step views: the buffer's own, repeated in turn if it holds fewer."""
        views = list(views)
        return views if len(views) >= n else [views[t % len(views)] for t in range(n)]

    # Python lists of views: indexing a list costs far less than slicing an array,
    # and the workspace keeps them from call to call.
    zs, sig, igs, cpgs, gs, os_, cs, tcs, hs, hx, ps, p0s, p1s = ws.memo(
        "forward views" if keep else "forward views, no_grad", (Z, TC, HX, P), lambda: [
            per_step(Z[:, :4].reshape(steps, GH, N)), per_step(Z[:, :3]), per_step(Z[:, 1:3]),
            per_step(Z[:, 3:5]), per_step(Z[:, 3]), per_step(Z[:, 0]), per_step(Z[:, 4]), per_step(TC),
            list(HX[:, :H]), list(HX), per_step(P), per_step(P[:, 0]), per_step(P[:, 1])])
    with np.errstate(over="ignore", under="ignore"):  # e^z → inf gives σ = 0, tanh = −1
        for t in range(T):
            z = zs[t]
            W.dot(hx[t], out=z)  # ndarray.dot: less call overhead than np.matmul or np.dot
            if tanh_form:
                np.tanh(z, out=z)
                q = sig[t]
                q *= 0.5
                q += 0.5
            else:
                np.exp(z, out=z)
                z += 1.0
                np.divide(numerator, z, out=z)
                gs[t] -= 1.0
            np.multiply(igs[t], cpgs[t], out=ps[t])  # [i ⊙ g, f ⊙ c_(t−1)]
            c = cs[t + 1]
            np.add(p0s[t], p1s[t], out=c)
            np.tanh(c, out=tcs[t])
            np.multiply(os_[t], tcs[t], out=hs[t + 1])
    out = HX[1:, :H].transpose(0, 2, 1).copy()  # (T, N, H)
    cache = dict(small=True, X=X, HX=HX, Z=Z, TC=TC, P=P, ws=ws, params=params, H=H, D=D) if keep else None
    return out, out[T - 1].copy(), Z[T % steps, 4].T.copy(), cache


def lstm_small_backward(cache, d_out=None, d_hT=None, d_cT=None, record=False):
    """As :func:`~studydeck.engine.kernels.lstm_backward.lstm_backward` for this kernel's cache."""
    X, HX, Z, TC, P, ws, params = (cache[k] for k in ("X", "HX", "Z", "TC", "P", "ws",
                                                       "params"))
    H, D = cache["H"], cache["D"]
    T = Z.shape[0] - 1
    N = Z.shape[3]
    GH = 4 * H
    dtype = Z.dtype
    o, i, f, g = (Z[:T, k] for k in range(4))
    h = HX[1:, :H]
    # The factors of every step: KK = [Ko, Kc], FF = [f, K_i, K_f, K_g].
    KK = ws.get("KK", (T, 2, H, N), dtype)
    FF = ws.get("FF", (T, 4, H, N), dtype)
    np.subtract(1.0, o, out=KK[:, 0])
    KK[:, 0] *= h
    np.multiply(h, TC, out=KK[:, 1])
    np.subtract(o, KK[:, 1], out=KK[:, 1])
    FF[:, 0] = f
    np.subtract(1.0, Z[:T, 1:3], out=FF[:, 1:3])
    FF[:, 1:3] *= P  # [i ⊙ g, f ⊙ c_(t−1)] ⊙ (1 − [i, f])
    np.multiply(P[:, 0], g, out=FF[:, 3])
    np.subtract(i, FF[:, 3], out=FF[:, 3])  # i − (i ⊙ g) ⊙ g = i(1 − g²)
    W_hhT = np.ascontiguousarray(params["weight_hh"].T)  # (H, 4H); np.dot is slower on a view
    E = ws.get("E", (T, 6, H, N), dtype)
    dA = E[:, 1:5].reshape(T, GH, N)  # PyTorch's order i, f, g, o
    dh = ws.get("dh", (H, N), dtype)
    dh[...] = 0.0 if d_hT is None else d_hT.T
    dc = ws.get("dc", (H, N), dtype)
    dc[...] = 0.0 if d_cT is None else d_cT.T
    dOut = None
    if d_out is not None:
        dOut = ws.get("dOutt", (T, H, N), dtype)
        dOut[...] = d_out.transpose(0, 2, 1)
    dH_all = ws.get("dHt", (T, H, N), dtype) if record else None
    e_os, e_ss, e_cs, das, dcs, kks, ffs = ws.memo(
        "backward views", (E, KK, FF), lambda: [
            list(E[:, 4:6]), list(E[:, 5]), list(E[:, 0:4]), list(dA), list(E[:, 0]),
            list(KK), list(FF)])
    dOuts = ws.memo("dOut views", (dOut,), lambda: list(dOut)) if dOut is not None else None
    for t in range(T - 1, -1, -1):
        if dOuts is not None:
            dh += dOuts[t]
        if record:
            dH_all[t] = dh
        np.multiply(kks[t], dh, out=e_os[t])  # [dA_o, s]
        dc += e_ss[t]
        np.multiply(ffs[t], dc, out=e_cs[t])  # [dc_(t−1), dA_i, dA_f, dA_g]
        dc = dcs[t]
        W_hhT.dot(das[t], out=dh)
    # dW = Σ_t dA_t [h_(t−1); x_t; 1]^T: one contraction over steps and batch.
    joint = np.tensordot(dA, HX[:-1], axes=([0, 2], [0, 2]))  # (4H, H + D + 1)
    grads = {"weight_ih": joint[:, H:H + D].copy(), "weight_hh": joint[:, :H].copy()}
    if "bias_ih" in params:
        grads["bias_ih"] = joint[:, H + D].copy()
        grads["bias_hh"] = joint[:, H + D].copy()
    grads["input"] = np.matmul(dA.transpose(0, 2, 1), params["weight_ih"])
    grads["h0"] = dh.T.copy()
    grads["c0"] = dc.T.copy()
    if record:
        grads["hidden"] = dH_all.transpose(0, 2, 1).copy()
    return grads
