"""Independent closed-form answers for the Greff, backprop and gradient-flow kinds.

Plain numpy written from the papers' equations and the chain rule, reading only
a question's ``given`` (and, for one-entry weight gradients, which entry the
prompt names).  Nothing here imports the engine or the generators.
"""

from __future__ import annotations

import math
import re

import numpy as np


def sig(a):
    return 1.0 / (1.0 + np.exp(-np.asarray(a, float)))


def _arr(g, key):
    return np.asarray(g[key], float)


def greff_step(g, variant):
    """One step of Greff et al.'s variant; peepholes where the given has w_c*."""
    order = g["gate_order"]
    x, h, c = _arr(g, "x"), _arr(g, "h0"), _arr(g, "c0")
    H = len(h)
    a = _arr(g, "weight_ih") @ x + _arr(g, "weight_hh") @ h + _arr(g, "bias_ih") + _arr(g, "bias_hh")
    pre = {q: a[k * H:(k + 1) * H] for k, q in enumerate(order)}
    if variant == "fgr":
        prev = np.concatenate([_arr(g, "i_prev"), _arr(g, "f_prev"), _arr(g, "o_prev")])
        rec = _arr(g, "weight_fgr") @ prev
        for k, q in enumerate("ifo"):
            pre[q] = pre[q] + rec[k * H:(k + 1) * H]
    for q in "if":
        if "w_c" + q in g:
            pre[q] = pre[q] + _arr(g, "w_c" + q) * c
    i = sig(pre["i"]) if "i" in pre else np.ones(H)
    if "f" in pre:
        f = sig(pre["f"])
    else:
        f = 1 - i if variant == "cifg" else np.ones(H)
    gg = pre["g"] if variant == "niaf" else np.tanh(pre["g"])
    c_new = f * c + i * gg
    if "o" in pre:
        o = sig(pre["o"] + (_arr(g, "w_co") * c_new if "w_co" in g else 0.0))
    else:
        o = np.ones(H)
    h_new = o * (c_new if variant == "noaf" else np.tanh(c_new))
    return [h_new, c_new]


def lstm_backward(g):
    """The chain rule through one LSTM step from the given gates; returns da (4H) and dc0."""
    i, f, gg, o, c0, c1 = (_arr(g, k) for k in ("i", "f", "g", "o", "c0", "c_1"))
    dh = _arr(g, "dL/dh_1")
    dc1 = _arr(g, "dL/dc_1") if "dL/dc_1" in g else np.zeros_like(dh)
    t = np.tanh(c1)
    dc = dc1 + dh * o * (1 - t ** 2)
    da = np.concatenate([dc * gg * i * (1 - i), dc * c0 * f * (1 - f), dc * i * (1 - gg ** 2),
                         dh * t * o * (1 - o)])
    return da, dc * f


def gru_backward(g):
    """The chain rule through one GRU step; returns da (3H) and the hidden-side gradient of a_hh."""
    r, z, n, h0, dh = (_arr(g, k) for k in ("r", "z", "n", "h0", "dL/dh_1"))
    H = len(h0)
    W, b = _arr(g, "weight_hh"), _arr(g, "bias_hh")
    a_nh = W[2 * H:] @ h0 + b[2 * H:]
    da_n = dh * (1 - z) * (1 - n ** 2)
    da_z = dh * (h0 - n) * z * (1 - z)
    da_r = da_n * a_nh * r * (1 - r)
    da = np.concatenate([da_r, da_z, da_n])
    da_hh = np.concatenate([da_r, da_z, r * da_n])  # what reaches W_hh h0 + b_hh
    return da, da_hh


def _entry(prompt):
    m = re.search(r"dL/d(weight_ih|weight_hh|bias_ih|bias_hh)\[(\d+)(?:, (\d+))?\]", prompt)
    return m.group(1), int(m.group(2)), None if m.group(3) is None else int(m.group(3))


def _which_gate(prompt):
    return re.search(r"Compute dL/da_(\w)", prompt).group(1)


def lstm_two_steps(g):
    x, h, c = _arr(g, "x"), _arr(g, "h0"), _arr(g, "c0")
    W, U = _arr(g, "weight_ih_l0"), _arr(g, "weight_hh_l0")
    b = _arr(g, "bias_ih_l0") + _arr(g, "bias_hh_l0")
    H = len(h)
    cache = []
    for t in range(2):
        a = W @ x[t] + U @ h + b
        i, f, gg, o = sig(a[:H]), sig(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), sig(a[3 * H:])
        c_new = f * c + i * gg
        cache.append((i, f, gg, o, c, c_new))
        h, c = o * np.tanh(c_new), c_new
    dh, dc = _arr(g, "dL/dh_2"), np.zeros(H)
    for i, f, gg, o, c_prev, c_new in reversed(cache):
        t = np.tanh(c_new)
        dct = dc + dh * o * (1 - t ** 2)
        da = np.concatenate([dct * gg * i * (1 - i), dct * c_prev * f * (1 - f),
                             dct * i * (1 - gg ** 2), dh * t * o * (1 - o)])
        dh, dc = U.T @ da, dct * f
    return [dh, dc]


def expected_new(kind, q):
    g = q.given
    if kind.startswith("greff."):
        return greff_step(g, kind.split(".")[1])
    if kind.startswith("backprop.lstm_") and kind != "backprop.lstm_two_steps":
        da, dc0 = lstm_backward(g)
        H = len(g["h0"])
        if kind == "backprop.lstm_cell_state":
            return dc0
        if kind == "backprop.lstm_hidden_state":
            return _arr(g, "weight_hh").T @ da
        if kind == "backprop.lstm_gate":
            k = "ifgo".index(_which_gate(q.prompt))
            return da[k * H:(k + 1) * H]
        name, row, col = _entry(q.prompt)
        if col is None:
            return float(da[row])
        return float(da[row] * (_arr(g, "x") if name == "weight_ih" else _arr(g, "h0"))[col])
    if kind == "backprop.lstm_two_steps":
        return lstm_two_steps(g)
    if kind.startswith("backprop.gru_"):
        da, da_hh = gru_backward(g)
        H = len(g["h0"])
        if kind == "backprop.gru_hidden_state":
            return _arr(g, "dL/dh_1") * _arr(g, "z") + _arr(g, "weight_hh").T @ da_hh
        if kind == "backprop.gru_gate":
            k = "rzn".index(_which_gate(q.prompt))
            return da[k * H:(k + 1) * H]
        name, row, col = _entry(q.prompt)
        d = da_hh if name.endswith("_hh") else da
        if col is None:
            return float(d[row])
        return float(d[row] * (_arr(g, "x") if name == "weight_ih" else _arr(g, "h0"))[col])
    if kind == "grad.forget_gate_extremes":
        return (g["f_A"] / g["f_B"]) ** g["k"]
    if kind == "grad.exploding_vanishing":
        h, prod = g["h0"], 1.0
        for x in g["x"]:
            a = g["w"] * h + g["u"] * x
            if g["nonlinearity"] == "relu":
                h, d = max(a, 0.0), float(a > 0)
            else:
                h = math.tanh(a)
                d = 1 - h * h
            prod *= g["w"] * d
        return prod
    if kind == "grad.clip_norm":
        grads = [_arr(g, "weight.grad"), _arr(g, "bias.grad")]
        norm = math.sqrt(sum(float(v @ v) for v in grads))
        coef = min(1.0, g["max_norm"] / (norm + 1e-6))
        return [v * coef for v in grads]
    raise KeyError(kind)
