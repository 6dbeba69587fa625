"""One direction of one LSTM layer over a whole sequence: forward and BPTT.

Shapes: X (T, N, D), h0 (N, H_out), c0 (N, H), output (T, N, H_out), with
H_out = proj_size or H.  Parameters use the cell's local names (weight_ih,
weight_hh, bias_ih, bias_hh, weight_hr, weight_ci, weight_cf, weight_co,
weight_fgr); see :mod:`studydeck.engine.variants` for the equations.

Forward, for t = 1..T (blocks in PyTorch's order i, f, g, o, absent ones left out):

    A_t   = W_ih x_t + b_ih + W_hh h_(t-1) + b_hh            (N, G·H) pre-activations
    i, f, o = σ(A_i, A_f, A_o)   g = tanh(A_g)
    c_t   = f ⊙ c_(t-1) + i ⊙ g,   h_t = o ⊙ tanh(c_t)  (then W_hr h_t with a projection)

Speed: x W_ih^T + b is one matmul for all steps (the split input projection)
and each step adds one (N, G·H) matmul of h.  From N = 8 on, while the joint
weight [W_hh, W_ih, b] fits in cache, each step is instead a single matmul of
[h_(t−1), x_t, 1] with it (faster than the extra add there); a larger joint
weight would be streamed from memory at every step, so large inputs split.
All blocks go through one exp: σ(a) = 1 / (1 + e^(−a)) and
tanh(a) = 2 / (1 + e^(−2a)) − 1, with the weight rows pre-multiplied by −1
(gates) or −2 (block input), which is exact in floating point.

Backward walks t = T..1 with dL/dh_t = dL/dout_t + W_hh^T dA_(t+1):

    dc_t  += dh_t ⊙ o ⊙ (1 − tanh²c_t)      dA_o = dh_t ⊙ tanh c_t ⊙ o(1 − o)
    dA_i = dc_t ⊙ g ⊙ i(1 − i)     dA_f = dc_t ⊙ c_(t-1) ⊙ f(1 − f)
    dA_g = dc_t ⊙ i ⊙ (1 − g²)
    dc_(t-1) = dc_t ⊙ f

The per-step factors (g ⊙ i(1 − i) ...) are computed for all steps at once;
dW_ih, dW_hh and the biases come from single matmuls over all steps at the end.
"""

from __future__ import annotations

import numpy as np

from studydeck.engine.kernels.lstm_small import lstm_small_forward, usable
from studydeck.engine.kernels.workspace import Workspace, step_rows


CONCAT_MIN_BATCH = 8  # from this batch size on, x_t joins h_(t−1) in the per-step matmul
CONCAT_MAX_BYTES = 1 << 20  # ... while the joint weight stays this small (cache-resident)
PROJECTION_ROWS = 512  # under no_grad, rows of x W_ih^T computed at a time on the split path
ROW_BLOCK = 128  # rows of W_hh per matmul in the split path: BLAS's small-matrix kernels
                 # skip packing there, measured 1.2× (float64) to 1.6× (float32) faster at H = 512


def _layout(spec, H):
    """Block order, block index, and per-row factors: −1 for gates, −2 (or 1) for g."""
    blocks = spec.blocks
    index = {b: k for k, b in enumerate(blocks)}
    scale = np.full((len(blocks), H), -1.0)
    scale[index["g"]] = -2.0 if spec.input_activation else 1.0
    return blocks, index, scale.reshape(-1)


def _sigmoid_(z):
    """σ in place on the pre-multiplied z = −a: 1 / (1 + e^z)."""
    np.exp(z, out=z)
    z += 1.0
    np.divide(1.0, z, out=z)


def _tanh_(z):
    """tanh in place on the pre-multiplied z = −2a: 2 / (1 + e^z) − 1."""
    np.exp(z, out=z)
    z += 1.0
    np.divide(2.0, z, out=z)
    z -= 1.0


def lstm_forward(X, h0, c0, params, spec, q0=None, ws=None, keep=True):
    """Run the sequence; returns ``(output, h_T, c_T, cache)``; output is (T, N, H_out).

    ``q0`` (N, 3H): FGR only, the gate activations i, f, o of the step before
    the sequence (zero when None).  ``ws``: a :class:`Workspace` to reuse.
    ``keep`` False (``no_grad``): the per-step gates, cells and tanh c live in
    buffers of one or two steps, and the cache is None.
    """
    ws = Workspace() if ws is None else ws
    T, N, _ = X.shape
    if usable(spec, params, N, X.itemsize):
        return lstm_small_forward(X, h0, c0, params, ws, keep)
    W_ih, W_hh = params["weight_ih"], params["weight_hh"]
    H = W_hh.shape[1] if "weight_hr" not in params else params["weight_hr"].shape[1]
    H_out = W_hh.shape[1]
    blocks, index, scale = _layout(spec, H)
    G = len(blocks)
    dtype = W_ih.dtype
    scale = scale.astype(dtype)
    # Full (N, G·H) size: NumPy divides a row-broadcast numerator about 1.3× slower.
    numerator = ws.get("numerator", (N, len(scale)), dtype)
    numerator[...] = np.where(scale == -2.0, 2.0, 1.0)
    bias = "bias_ih" in params
    HX = step_scale = None
    D = X.shape[2]
    concat = N >= CONCAT_MIN_BATCH and (H_out + D + 1) * G * H * X.itemsize <= CONCAT_MAX_BYTES
    # Steps of gates kept: all of them for backward.  Under no_grad, two on the joint path
    # (FGR reads the step before); on the split path, where the buffer first holds the
    # input projection, a chunk of steps projected just before the loop reaches them
    # (read from cache), or every step for FGR (a new chunk would overwrite the step before).
    few = T if not concat and spec.fgr else 2 if concat else max(1, PROJECTION_ROWS // N)
    gates = ws.steps("gates", keep, T, few, (N, G * H), dtype)
    n_gates = len(gates)
    project = None
    if concat:
        # Each step multiplies [h_(t−1), x_t, 1] by [W_hh, W_ih, b]^T: one matmul, no adds.
        HX = ws.get("HX", (T + 1, N, H_out + D + 1), dtype)
        HX[:T, :, H_out:H_out + D] = X
        HX[T, :, H_out:] = 0.0
        HX[:, :, H_out + D] = 1.0
        columns = [W_hh, W_ih, (params["bias_ih"] + params["bias_hh"])[:, None] if bias
                   else np.zeros((G * H, 1), dtype)]
        W_sT = np.ascontiguousarray((np.concatenate(columns, axis=1) * scale[:, None]).T)
        Hs = HX[:, :, :H_out]
    else:
        # x_t W_ih^T + b for every step (or chunk of steps) in one matmul, then one
        # matmul per step.  The scaled weights go to the workspace: a fresh
        # multi-megabyte array per call costs more in page faults than the multiplication.
        # Scaling the weights costs G·H·(D + H_out) multiplications a call, scaling each
        # step's pre-activations T·N·G·H: short sequences of small batches do the latter.
        # Both are exact (the factors are −1 and −2), so the results are the same.
        if T * N < D + H_out:
            step_scale = ws.get("step scale", (N, G * H), dtype)
            step_scale[...] = scale
            W_ih_s, W_s, b_s = W_ih, W_hh, params["bias_ih"] + params["bias_hh"] if bias else None
        else:
            W_ih_s = np.multiply(W_ih, scale[:, None], out=ws.get("W_ih_s", W_ih.shape, dtype))
            W_s = np.multiply(W_hh, scale[:, None], out=ws.get("W_hh_s", W_hh.shape, dtype))
            b_s = (params["bias_ih"] + params["bias_hh"]) * scale if bias else None

        def project(t0, t1):
            """x W_ih^T + b of steps t0..t1−1 into gates[:t1−t0]."""
            part = gates[:t1 - t0]
            np.matmul(step_rows(X, t0, t1), W_ih_s.T, out=part.reshape(-1, G * H))
            if b_s is not None:
                part += b_s
        # W_s (G·H, H_out) is kept in its own layout: each step computes (W h^T)^T,
        # which BLAS does faster than h W^T at small N, and a transposed copy of a
        # large W_hh would cost as much as several steps.
        Hs = ws.get("Hs", (T + 1, N, H_out), dtype)
    G4 = gates.reshape(len(gates), N, G, H)
    Cs = ws.steps("Cs", keep, T + 1, 2, (N, H), dtype)
    Hs[0], Cs[0] = h0, c0
    proj = "weight_hr" in params
    hfull = ws.steps("hfull", keep, T, 1, (N, H), dtype) if proj else None
    W_hrT = params["weight_hr"].T if proj else None
    tanh_c = ws.steps("tanh_c", keep, T, 1, (N, H), dtype) if spec.output_activation else None
    # Step t's place in each buffer: t itself when every step is kept, else t modulo its length.
    n_cells, n_one = len(Cs), T if keep else 1
    hw = np.empty((N, G * H), dtype)
    hwT = np.empty((G * H, N), dtype)
    row_blocks = []  # (rows of W_s, rows of hwT) for the split path's per-step matmul
    if HX is None and N > 1:
        row_blocks = [(W_s[k:k + ROW_BLOCK], hwT[k:k + ROW_BLOCK])
                      for k in range(0, G * H, ROW_BLOCK)]
    peep = spec.peepholes
    w_neg = {p: -params["weight_" + p] for p in peep}
    Wfgr_sT = pad = None
    if spec.fgr:  # padded to all blocks so it acts on the whole gate vector
        sig = [index[b] for b in "ifo"]
        pad = np.zeros((G, H, G, H), dtype)
        pad[np.ix_(sig, range(H), sig, range(H))] = params["weight_fgr"].reshape(3, H, 3, H)
        pad = pad.reshape(G * H, G * H)
        Wfgr_sT = np.ascontiguousarray((pad * scale[:, None]).T)
        if q0 is not None:
            q0_full = np.zeros((N, G, H), dtype)
            q0_full[:, sig] = np.asarray(q0, dtype).reshape(N, 3, H)
            q0 = q0_full.reshape(N, G * H)
    fast = spec.input_activation and "co" not in peep
    k_i, k_f, k_g, k_o = (index.get(b) for b in "ifgo")
    tmp = np.empty((N, H), dtype)
    k_g0 = k_g * H
    with np.errstate(over="ignore", under="ignore"):  # e^z → inf gives σ = 0, tanh = −1
        for t in range(T):
            if project is not None and t % n_gates == 0:
                project(t, min(T, t + n_gates))
            z = gates[t % n_gates]
            z4 = G4[t % n_gates]
            c_prev, c = Cs[t % n_cells], Cs[(t + 1) % n_cells]
            if HX is not None:
                HX[t].dot(W_sT, out=z)
            elif N == 1:  # a matrix-vector product (ndarray.dot: the least call overhead)
                W_s.dot(Hs[t, 0], out=hw[0])
                z += hw
            else:
                h_T = Hs[t].T
                for W_rows, out_rows in row_blocks:
                    W_rows.dot(h_T, out=out_rows)
                z += hwT.T
            if step_scale is not None:
                z *= step_scale
            if Wfgr_sT is not None and t > 0:
                z += gates[(t - 1) % n_gates] @ Wfgr_sT
            elif Wfgr_sT is not None and q0 is not None:
                z += q0 @ Wfgr_sT
            if "ci" in peep:
                z4[:, k_i] += w_neg["ci"] * c_prev
            if "cf" in peep:
                z4[:, k_f] += w_neg["cf"] * c_prev
            if fast:
                np.exp(z, out=z)
                z += 1.0
                np.divide(numerator, z, out=z)
                z[:, k_g0:k_g0 + H] -= 1.0
            else:
                for b, k in index.items():
                    if b in "if" or b == "o" and "co" not in peep:
                        _sigmoid_(z4[:, k])
                    elif b == "g" and spec.input_activation:
                        _tanh_(z4[:, k])
            g = z4[:, k_g]
            if k_i is not None:
                np.multiply(z4[:, k_i], g, out=c)
            else:
                c[...] = g
            if k_f is not None:
                np.multiply(z4[:, k_f], c_prev, out=tmp)
                c += tmp
            elif spec.cifg:
                np.multiply(1.0 - z4[:, k_i], c_prev, out=tmp)
                c += tmp
            else:
                c += c_prev
            act = c
            if tanh_c is not None:
                act = np.tanh(c, out=tanh_c[t % n_one])
            if "co" in peep:
                zo = z4[:, k_o]
                zo += w_neg["co"] * c
                _sigmoid_(zo)
            h = hfull[t % n_one] if proj else Hs[t + 1]
            if k_o is not None:
                np.multiply(z4[:, k_o], act, out=h)
            else:
                h[...] = act
            if proj:
                np.matmul(h, W_hrT, out=Hs[t + 1])
    cache = dict(X=X, Hs=Hs, HX=HX, Cs=Cs, gates=gates, tanh_c=tanh_c, hfull=hfull, ws=ws,
                 params=params, spec=spec, G=G, H=H, index=index, Wfgr_pad=pad, q0=q0) if keep else None
    return Hs[1:], Hs[T].copy(), Cs[T % n_cells].copy(), cache


def _factors_standard(cache, t0, t1):
    """:func:`_factors` for the standard cell (gates i, f, g, o, both tanh, no peepholes).

    Eleven NumPy calls into the workspace's buffers and no temporaries: σ' of
    all four blocks at once (two calls; the g block's is not used), then
    K = [g σ'_i, c_(t−1) σ'_f, i(1 − g²)], Kc = o(1 − tanh²c), Ko = tanh c σ'_o.
    The buffers are overwritten by the next chunk, after the loop is done with these.
    """
    gates, ws, H = cache["gates"][t0:t1], cache["ws"], cache["H"]
    n, N, _ = gates.shape
    dtype = gates.dtype
    G4 = gates.reshape(n, N, 4, H)
    i, g, o = G4[:, :, 0], G4[:, :, 2], G4[:, :, 3]
    c_prev = cache["Cs"][t0:t1]
    act = cache["tanh_c"][t0:t1]
    S = ws.get("dsig", (n, N, 4, H), dtype)
    np.subtract(1.0, G4, out=S)
    S *= G4
    K = ws.get("K", (n, N, 3, H), dtype)
    np.multiply(g, S[:, :, 0], out=K[:, :, 0])
    np.multiply(c_prev, S[:, :, 1], out=K[:, :, 1])
    Kg = K[:, :, 2]
    np.multiply(g, g, out=Kg)
    np.subtract(1.0, Kg, out=Kg)
    Kg *= i
    Kc = ws.get("Kc", (n, N, H), dtype)
    np.multiply(act, act, out=Kc)
    np.subtract(1.0, Kc, out=Kc)
    Kc *= o
    Ko = ws.get("Ko", (n, N, H), dtype)
    np.multiply(act, S[:, :, 3], out=Ko)
    return K, Kc, Ko, G4[:, :, 1], {"i": S[:, :, 0], "f": S[:, :, 1], "o": S[:, :, 3]}


def _factors(cache, t0, t1):
    """The backward pass's per-step factors for steps t0..t1−1 (computed a chunk at a time).

    K (t1−t0, N, G_c, H) multiplies dc for the blocks i, f, g; Kc = o ⊙ (1 − tanh²c)
    and Ko = tanh c ⊙ o(1 − o) multiply dh; F is the forget gate (1 − i for CIFG,
    None without one); dsig holds σ' of each gate.
    """
    spec, index, H = cache["spec"], cache["index"], cache["H"]
    gates = cache["gates"][t0:t1]
    n, N, _ = gates.shape
    G4 = gates.reshape(n, N, -1, H)
    c_prev, c_new = cache["Cs"][t0:t1], cache["Cs"][t0 + 1:t1 + 1]
    act = cache["tanh_c"][t0:t1] if spec.output_activation else c_new
    one = 1.0
    i = G4[:, :, index["i"]] if "i" in index else one
    g = G4[:, :, index["g"]]
    o = G4[:, :, index["o"]] if "o" in index else one
    dsig = {}
    for b in spec.sigmoid_blocks:
        q = G4[:, :, index[b]]
        dsig[b] = q - q * q
    K = np.empty((n, N, len(index) - ("o" in index), H), gates.dtype)
    if "i" in index:
        np.multiply((g - c_prev) if spec.cifg else g, dsig["i"], out=K[:, :, index["i"]])
    if "f" in index:
        np.multiply(c_prev, dsig["f"], out=K[:, :, index["f"]])
    if spec.input_activation:
        np.multiply(g, g, out=K[:, :, index["g"]])
        np.subtract(one, K[:, :, index["g"]], out=K[:, :, index["g"]])
        K[:, :, index["g"]] *= i
    else:
        K[:, :, index["g"]] = i
    dact = (one - act * act) if spec.output_activation else one
    Kc = o * dact if not (np.isscalar(o) and np.isscalar(dact)) else np.ones_like(c_new)
    Ko = act * dsig["o"] if "o" in index else None
    if "f" in index:
        F = G4[:, :, index["f"]]
    elif spec.cifg:
        F = one - i
    else:
        F = None
    return K, Kc, Ko, F, dsig
