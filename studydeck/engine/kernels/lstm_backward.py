"""Backpropagation through time for one direction of an LSTM layer.

Pairs with :func:`studydeck.engine.kernels.lstm.lstm_forward`; the equations are
in that module's docstring.  With peepholes the gate gradients also flow into
the cell state (dc_(t-1) += dA_i ⊙ w_ci + dA_f ⊙ w_cf, dc_t += dA_o ⊙ w_co) and
with full gate recurrence into the previous step's gates
(d[i; f; o]_(t-1) += R^T dA_(t)).
"""

from __future__ import annotations

import numpy as np

from studydeck.engine.kernels.lstm import _factors, _factors_standard
from studydeck.engine.kernels.lstm_small import lstm_small_backward


def lstm_backward(cache, d_out=None, d_hT=None, d_cT=None, record=False):
    """Gradients of the loss given dL/doutput (T, N, H_out), dL/dh_T and dL/dc_T.

    Returns a dict with the parameters' local names plus "input" (T, N, D),
    "h0" (N, H_out), "c0" (N, H) and, with ``record``, "hidden" (T, N, H_out):
    the total dL/dh_t for every step.
    """
    if cache.get("small"):
        return lstm_small_backward(cache, d_out, d_hT, d_cT, record)
    X, Hs, Cs, params, spec = (cache[k] for k in ("X", "Hs", "Cs", "params", "spec"))
    gates, H, index = cache["gates"], cache["H"], cache["index"]
    T, N, GH = gates.shape
    G = GH // H
    H_out = Hs.shape[2]
    dtype = gates.dtype
    Gc = G - ("o" in index)
    chunk = max(1, 65536 // (N * GH))  # steps whose factors fit in cache together
    k_o = index.get("o")
    peep = spec.peepholes
    W_hh = params["weight_hh"]
    proj = "weight_hr" in params
    W_hr = params["weight_hr"] if proj else None
    Wfgr = cache["Wfgr_pad"]  # (G·H, G·H), zero outside the i, f, o blocks
    dA = cache["ws"].get("dA", (T, N, GH), dtype)
    dA4 = dA.reshape(T, N, G, H)
    dh = np.zeros((N, H_out), dtype)
    if d_hT is not None:
        dh += d_hT
    dc = np.zeros((N, H), dtype)
    if d_cT is not None:
        dc += d_cT
    dH_all = np.empty((T, N, H_out), dtype) if (proj or record) else None
    tmp = np.empty((N, H), dtype)
    dq = None  # gradient into the previous step's gate activations (FGR)
    standard = (spec.blocks == "ifgo" and spec.input_activation and spec.output_activation
                and not spec.cifg)  # peepholes and FGR only add terms in the loop
    factors = _factors_standard if standard else _factors
    t0 = T  # first step of the chunk of factors in hand; none yet
    for t in range(T - 1, -1, -1):
        if t < t0:
            t0 = max(0, t + 1 - chunk)
            K, Kc, Ko, F, dsig = factors(cache, t0, t + 1)
        s = t - t0
        if d_out is not None:
            dh += d_out[t]
        if dH_all is not None:
            dH_all[t] = dh
        dhf = dh @ W_hr if proj else dh
        da = dA[t]
        da4 = dA4[t]
        np.multiply(dhf, Kc[s], out=tmp)
        dc += tmp
        if k_o is not None:
            da_o = da4[:, k_o]
            np.multiply(dhf, Ko[s], out=da_o)
            if dq is not None:
                da_o += dq[:, k_o] * dsig["o"][s]
            if "co" in peep:
                dc += da_o * params["weight_co"]
        np.multiply(K[s], dc[:, None, :], out=da4[:, :Gc])
        if dq is not None:
            for b in "if":
                da4[:, index[b]] += dq[:, index[b]] * dsig[b][s]
        if F is not None:
            dc *= F[s]
        if "ci" in peep:
            dc += da4[:, index["i"]] * params["weight_ci"]
        if "cf" in peep:
            dc += da4[:, index["f"]] * params["weight_cf"]
        if Wfgr is not None:
            dq = (da @ Wfgr).reshape(N, G, H)
        dh = da.dot(W_hh)
    A2 = dA.reshape(T * N, GH)
    HX = cache["HX"]
    if HX is None:
        grads = {"weight_ih": A2.T @ X.reshape(T * N, -1),
                 "weight_hh": A2.T @ Hs[:-1].reshape(T * N, H_out)}
        db = A2.sum(axis=0) if "bias_ih" in params else None
    else:  # one matmul against [h_(t−1), x_t, 1] gives dW_hh, dW_ih and db
        joint = A2.T @ HX[:-1].reshape(T * N, HX.shape[2])
        grads = {"weight_ih": joint[:, H_out:-1].copy(), "weight_hh": joint[:, :H_out].copy()}
        db = joint[:, -1].copy()
    if "bias_ih" in params:
        grads["bias_ih"] = db
        grads["bias_hh"] = db.copy()
    if proj:
        grads["weight_hr"] = dH_all.reshape(T * N, H_out).T @ cache["hfull"].reshape(T * N, H)
    for p in peep:
        c = Cs[1:] if p == "co" else Cs[:-1]
        grads["weight_" + p] = (dA4[:, :, index[p[1]]] * c).sum(axis=(0, 1))
    if spec.fgr:
        sig = [index[b] for b in "ifo"]
        G4 = gates.reshape(T, N, G, H)
        rows = dA4[1:][:, :, sig].reshape((T - 1) * N, 3 * H)
        cols = G4[:-1][:, :, sig].reshape((T - 1) * N, 3 * H)
        grads["weight_fgr"] = rows.T @ cols
        q0 = cache["q0"]
        if q0 is not None:
            first = dA4[0][:, sig].reshape(N, 3 * H)
            grads["weight_fgr"] += first.T @ q0.reshape(N, G, H)[:, sig].reshape(N, 3 * H)
        grads["q0"] = dq[:, sig].reshape(N, 3 * H)
    grads["input"] = (A2 @ params["weight_ih"]).reshape(X.shape)
    grads["h0"] = dh
    grads["c0"] = dc
    if record:
        grads["hidden"] = dH_all
    return grads
