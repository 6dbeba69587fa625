"""Reference LSTM and GRU steps (forward and backward) with one classic mistake switched on.

Plain numpy on a question's given values, written to be bent: a :class:`Slip`
names the mistake (tanh for σ, a bias left out, blocks read as i, f, o, g,
transposed weights, the output peephole reading c_(t−1), intermediates
rounded to 2 decimals, the GRU's z roles swapped, the other reset convention).
With ``Slip()`` (no mistake) each function gives the engine's answer; a test
checks that for every kind, so a mistaken answer differs from the right one
by the mistake alone.  The answers themselves always come from the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Slip:
    """One mistake (the defaults are no mistake)."""

    gate_act: str = "sigmoid"      # "tanh": tanh where σ belongs
    cand_act: str = "tanh"         # "sigmoid": σ where tanh belongs
    drop: str = ""                 # "ih" or "hh": that bias vector left out
    order_ifog: bool = False       # blocks read as i, f, o, g
    transposed: bool = False       # square weight blocks used transposed
    co_prev: bool = False          # output peephole reads c_(t−1)
    round_to: int | None = None    # intermediates rounded to this many decimals
    z_swapped: bool = False        # GRU: h' = z ⊙ n + (1 − z) ⊙ h
    reset_after: bool | None = None  # GRU: the other convention (None: the question's own)
    bhn_outside: bool = False      # GRU: b_hn added beside b_in instead of inside r ⊙ (...)
    no_h_path: bool = False        # backward: dL/dh_t left out of dL/dc_t
    tanh_of_c: bool = False        # backward: 1 − c² for tanh'(c)
    no_forget: bool = False        # backward: dL/dc_(t−1) = dc, without ⊙ f
    no_r: bool = False             # GRU backward: r left out of the W_hn path


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


ACT = {"sigmoid": _sigmoid, "tanh": np.tanh}


def arr(value) -> np.ndarray:
    return np.asarray(value, dtype=float)


def _rounder(slip: Slip):
    return (lambda v: np.round(v, slip.round_to)) if slip.round_to is not None else (lambda v: v)


def _square_t(W: np.ndarray, slip: Slip) -> np.ndarray:
    return W.T if slip.transposed and W.shape[0] == W.shape[1] else W


def _pre(g: dict, sfx: str, order: str, x, h, slip: Slip) -> dict:
    """Each block's pre-activation W_q·x + b_iq + W_hq·h + b_hq, bent by the slip."""
    W, U, H = arr(g["weight_ih" + sfx]), arr(g["weight_hh" + sfx]), len(h)
    bi, bh = arr(g["bias_ih" + sfx]), arr(g["bias_hh" + sfx])
    index = {q: k for k, q in enumerate(order)}
    if slip.order_ifog and order == "ifgo":  # the mistake's sentence speaks of PyTorch's four blocks
        index["g"], index["o"] = index["o"], index["g"]
    pre = {}
    for q, k in index.items():
        rows = slice(k * H, (k + 1) * H)
        a = _square_t(W[rows], slip) @ x + _square_t(U[rows], slip) @ h
        a = a + (0.0 if slip.drop == "ih" else bi[rows]) + (0.0 if slip.drop == "hh" else bh[rows])
        pre[q] = a
    return pre


def lstm_step(g: dict, x, h, c, variant: str, slip: Slip, sfx: str = "") -> dict:
    """i, f, g, o, c, h of one step of ``variant`` (peepholes and FGR read from the given)."""
    x, h, c = arr(x), arr(h), arr(c)
    rnd, H, ones = _rounder(slip), len(h), np.ones(len(h))
    pre = _pre(g, sfx, g.get("gate_order", "ifgo"), x, h, slip)
    if "weight_fgr" in g:
        prev = np.concatenate([arr(g["i_prev"]), arr(g["f_prev"]), arr(g["o_prev"])])
        rec = arr(g["weight_fgr"]) @ prev
        for k, q in enumerate("ifo"):
            pre[q] = pre[q] + rec[k * H:(k + 1) * H]
    peep = {q: arr(g[key]) for q in "ifo" for key in ("w_c" + q, "weight_c" + q) if key in g}
    for q in "if":
        if q in peep:
            pre[q] = pre[q] + peep[q] * c
    gate = ACT[slip.gate_act]
    i = rnd(gate(rnd(pre["i"]))) if "i" in pre else ones
    if "f" in pre:
        f = rnd(gate(rnd(pre["f"])))
    else:
        f = 1.0 - i if variant == "cifg" else ones
    cand = rnd(pre["g"]) if variant == "niaf" else rnd(ACT[slip.cand_act](rnd(pre["g"])))
    c_new = rnd(f * c + i * cand)
    o = ones
    if "o" in pre:
        a_o = pre["o"] + (peep["o"] * (c if slip.co_prev else c_new) if "o" in peep else 0.0)
        o = rnd(gate(rnd(a_o)))
    squashed = c_new if variant == "noaf" else rnd(np.tanh(c_new))
    return {"i": i, "f": f, "g": cand, "o": o, "c": c_new, "h": rnd(o * squashed)}


def gru_step(g: dict, x, h, slip: Slip, reset_after: bool = True) -> dict:
    """r, z, n, h' of one GRU step in the given convention (unless the slip swaps it)."""
    x, h = arr(x), arr(h)
    rnd, H = _rounder(slip), len(h)
    pre = _pre(g, "", "rz", x, h, slip)
    gate = ACT[slip.gate_act]
    r, z = rnd(gate(rnd(pre["r"]))), rnd(gate(rnd(pre["z"])))
    W, U = arr(g["weight_ih"])[2 * H:], _square_t(arr(g["weight_hh"])[2 * H:], slip)
    W = _square_t(W, slip)
    b_in = 0.0 if slip.drop == "ih" else arr(g["bias_ih"])[2 * H:]
    b_hn = 0.0 if slip.drop == "hh" else arr(g["bias_hh"])[2 * H:]
    after = reset_after if slip.reset_after is None else slip.reset_after
    if after and slip.bhn_outside:
        a_n = W @ x + b_in + b_hn + r * rnd(U @ h)
    elif after:
        a_n = W @ x + b_in + r * rnd(U @ h + b_hn)
    else:
        a_n = W @ x + b_in + U @ rnd(r * h) + b_hn
    n = rnd(ACT[slip.cand_act](rnd(a_n)))
    h_new = z * n + (1 - z) * h if slip.z_swapped else (1 - z) * n + z * h
    return {"r": r, "z": z, "n": n, "h": rnd(h_new)}


def lstm_back(g: dict, slip: Slip) -> dict:
    """One LSTM step backward from the given gates: da (4H, blocks i, f, g, o), dc0, dh0."""
    i, f, cand, o, c0, c1 = (arr(g[k]) for k in ("i", "f", "g", "o", "c0", "c_1"))
    dh = arr(g["dL/dh_1"])
    dc1 = arr(g["dL/dc_1"]) if "dL/dc_1" in g else np.zeros_like(dh)
    t = np.tanh(c1)
    dtanh = 1 - c1 ** 2 if slip.tanh_of_c else 1 - t ** 2
    dc = dc1 + (0.0 if slip.no_h_path else dh * o * dtanh)
    da = np.concatenate([dc * cand * i * (1 - i), dc * c0 * f * (1 - f), dc * i * (1 - cand ** 2),
                         dh * t * o * (1 - o)])
    out = {"da": da, "dc0": dc if slip.no_forget else dc * f}
    if "weight_hh" in g:
        out["dh0"] = _hidden_back(arr(g["weight_hh"]), da, len(dh), 4, slip)
    return out


def _hidden_back(U: np.ndarray, da: np.ndarray, H: int, blocks: int, slip: Slip) -> np.ndarray:
    """W_hhᵀ·da, or with the slip each block's W_hq·da_q (not transposed)."""
    if not slip.transposed:
        return U.T @ da
    return sum(U[k * H:(k + 1) * H] @ da[k * H:(k + 1) * H] for k in range(blocks))


def gru_back(g: dict, slip: Slip) -> dict:
    """One GRU step backward from the given r, z, n: da (3H), da_hh (what reaches W_hh·h0 + b_hh), dh0."""
    r, z, n, h0, dh = (arr(g[k]) for k in ("r", "z", "n", "h0", "dL/dh_1"))
    U, b, H = arr(g["weight_hh"]), arr(g["bias_hh"]), len(h0)
    a_nh = U[2 * H:] @ h0 + b[2 * H:]
    if slip.z_swapped:  # h' = z ⊙ n + (1 − z) ⊙ h0
        da_n, da_z, direct = dh * z * (1 - n ** 2), dh * (n - h0) * z * (1 - z), dh * (1 - z)
    else:
        da_n, da_z, direct = dh * (1 - z) * (1 - n ** 2), dh * (h0 - n) * z * (1 - z), dh * z
    da_r = da_n * a_nh * r * (1 - r)
    da_hh = np.concatenate([da_r, da_z, da_n if slip.no_r else r * da_n])
    return {"da": np.concatenate([da_r, da_z, da_n]), "da_hh": da_hh,
            "dh0": direct + _hidden_back(U, da_hh, H, 3, slip)}


def lstm_two_steps_back(g: dict, slip: Slip) -> list:
    """dL/dh0 and dL/dc0 through two steps (loss on h_2 only), bent by the backward slips."""
    xs, h, c = arr(g["x"]), arr(g["h0"]), arr(g["c0"])
    U, H = arr(g["weight_hh_l0"]), len(h)
    steps = []
    for x in xs:
        out = lstm_step(g, x, h, c, "standard", Slip(), "_l0")
        steps.append({"i": out["i"], "f": out["f"], "g": out["g"], "o": out["o"], "c0": c,
                      "c_1": out["c"]})
        h, c = out["h"], out["c"]
    dh, dc = arr(g["dL/dh_2"]), np.zeros(H)
    for values in reversed(steps):
        back = lstm_back({**values, "dL/dh_1": dh, "dL/dc_1": dc}, slip)
        dh, dc = _hidden_back(U, back["da"], H, 4, slip), back["dc0"]
    return [dh, dc]
