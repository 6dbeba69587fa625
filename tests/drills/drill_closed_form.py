"""Independent closed-form answers, computed from a question's ``given`` alone.

Plain math/numpy written from the textbook equations; nothing here imports the
engine or the drills' generators, so agreement with the engine is evidence.
"""

from __future__ import annotations

import math

import numpy as np


def sig(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, float)))


def _a(g):
    return {k: np.asarray(v, float) for k, v in g.items() if isinstance(v, list)}


def _blocks(vec, order):
    H = len(vec) // len(order)
    return {q: vec[k * H:(k + 1) * H] for k, q in enumerate(order)}


def lstm_step(g, x, h, c, sfx="", variant="standard"):
    """c' and h' of one LSTM step (variants: peephole, cifg, noaf, nfg) and the gates."""
    W, U = np.asarray(g["weight_ih" + sfx]), np.asarray(g["weight_hh" + sfx])
    b = np.asarray(g["bias_ih" + sfx]) + np.asarray(g["bias_hh" + sfx])
    order = g.get("gate_order", "ifgo")
    pre = _blocks(W @ x + U @ h + b, order)
    if variant == "peephole":
        pre["i"] = pre["i"] + np.asarray(g["weight_ci"]) * c
        pre["f"] = pre["f"] + np.asarray(g["weight_cf"]) * c
    i = sig(pre["i"])
    f = 1 - i if variant == "cifg" else (np.ones_like(c) if variant == "nfg" else sig(pre["f"]))
    gg = np.tanh(pre["g"])
    c_new = f * c + i * gg
    a_o = pre["o"] + (np.asarray(g["weight_co"]) * c_new if variant == "peephole" else 0)
    o = sig(a_o)
    h_new = o * (c_new if variant == "noaf" else np.tanh(c_new))
    return h_new, c_new, dict(i=i, f=f, g=gg, o=o)


def gru_step(g, x, h, sfx="", reset_after=True):
    W, U = np.asarray(g["weight_ih" + sfx]), np.asarray(g["weight_hh" + sfx])
    bi, bh = np.asarray(g["bias_ih" + sfx]), np.asarray(g["bias_hh" + sfx])
    H = len(h)
    r = sig(W[:H] @ x + bi[:H] + U[:H] @ h + bh[:H])
    z = sig(W[H:2 * H] @ x + bi[H:2 * H] + U[H:2 * H] @ h + bh[H:2 * H])
    if reset_after:
        n = np.tanh(W[2 * H:] @ x + bi[2 * H:] + r * (U[2 * H:] @ h + bh[2 * H:]))
    else:
        n = np.tanh(W[2 * H:] @ x + bi[2 * H:] + U[2 * H:] @ (r * h) + bh[2 * H:])
    return (1 - z) * n + z * h, dict(r=r, z=z, n=n)


def rnn_step(g, x, h, sfx=""):
    return np.tanh(np.asarray(g["weight_ih" + sfx]) @ x + np.asarray(g["bias_ih" + sfx])
                   + np.asarray(g["weight_hh" + sfx]) @ h + np.asarray(g["bias_hh" + sfx]))


def count(cell, I, H, L=1, bidirectional=False, P=0, bias=True):
    G = {"lstm": 4, "gru": 3, "rnn": 1}[cell]
    D = 2 if bidirectional else 1
    Ho = P or H
    total = 0
    for layer in range(L):
        width = I if layer == 0 else D * Ho
        total += D * (G * H * width + G * H * Ho + (2 * G * H if bias else 0) + P * H)
    return total


def expected(kind, q):
    """The closed-form answer of question ``q`` (same structure as ``q.answer``)."""
    g = q.given
    a = _a(g)
    x = a.get("x")
    if kind == "sigmoid.value":
        return 1 / (1 + math.exp(-g["x"]))
    if kind == "tanh.value":
        return (math.exp(g["x"]) - math.exp(-g["x"])) / (math.exp(g["x"]) + math.exp(-g["x"]))
    if kind == "sigmoid.derivative":
        s = 1 / (1 + math.exp(-g["x"]))
        return s - s * s
    if kind == "tanh.derivative":
        return 1 / math.cosh(g["x"]) ** 2
    if kind.startswith("lstm.") and kind.endswith(("_gate", "candidate")):
        h, c, gates = lstm_step(g, x, a["h0"], np.zeros(len(a["h0"])))
        return gates[{"lstm.forget_gate": "f", "lstm.input_gate": "i", "lstm.candidate": "g",
                      "lstm.output_gate": "o"}[kind]]
    if kind == "lstm.cell_update":
        return a["f"] * a["c0"] + a["i"] * a["g"]
    if kind == "lstm.hidden_update":
        return a["o"] * np.tanh(a["c"])
    if kind == "lstm.step":
        h, c, _ = lstm_step(g, x, a["h0"], a["c0"])
        return [h, c]
    if kind == "lstm.two_steps":
        h, c = a["h0"][0], a["c0"][0]
        for t in range(2):
            h, c, _ = lstm_step(g, x[t], h, c, "_l0")
        return [h, c]
    if kind.startswith("gru.") and kind.endswith(("gate", "candidate")):
        _, gates = gru_step(g, x, a["h0"])
        return gates[{"gru.reset_gate": "r", "gru.update_gate": "z", "gru.candidate": "n"}[kind]]
    if kind == "gru.hidden_update":
        return (1 - a["z"]) * a["n"] + a["z"] * a["h0"]
    if kind == "gru.reset_before":
        return gru_step(g, x, a["h0"], reset_after=False)[0]
    if kind == "gru.reset_convention_difference":
        return gru_step(g, x, a["h0"])[0] - gru_step(g, x, a["h0"], reset_after=False)[0]
    if kind == "variant.peephole_step":
        h, c, _ = lstm_step(g, x, a["h0"], a["c0"], variant="peephole")
        return [h, c]
    if kind == "variant.cifg_gate":
        return lstm_step(g, x, a["h0"], np.zeros(len(a["h0"])), variant="cifg")[2]["f"]
    if kind == "variant.noaf_hidden":
        return lstm_step(g, x, a["h0"], a["c0"], variant="noaf")[0]
    if kind == "variant.no_forget_cell":
        return lstm_step(g, x, a["h0"], a["c0"], variant="nfg")[1]
    I, H = g.get("input_size"), g.get("hidden_size")
    if kind in ("params.lstm", "params.gru", "params.rnn"):
        return count(kind.split(".")[1], I, H, bias=g["bias"])
    if kind == "params.bias_convention":
        cell = "lstm" if "LSTM" in q.prompt else "gru"
        G = 4 if cell == "lstm" else 3
        return 0 if g["keras_reset_after"] else G * H
    if kind in ("params.stacked", "params.bidirectional", "params.proj_size"):
        cell = "lstm" if "nn.LSTM" in q.prompt else "gru"
        return count(cell, I, H, g["num_layers"], g["bidirectional"], g["proj_size"])
    if kind in ("shapes.lstm", "shapes.gru"):
        D, L, P = 2 if g["bidirectional"] else 1, g["num_layers"], g["proj_size"]
        Ho = P or H
        shape = g["input_shape"]
        if len(shape) == 2:
            T = shape[0]
            out = [[T, D * Ho], [D * L, Ho], [D * L, H]]
        else:
            N, T = (shape[0], shape[1]) if g["batch_first"] else (shape[1], shape[0])
            first = [N, T, D * Ho] if g["batch_first"] else [T, N, D * Ho]
            out = [first, [D * L, N, Ho], [D * L, N, H]]
        return out if kind == "shapes.lstm" else out[:2]
    if kind == "bidir.output_concat":
        t = int(q.prompt.split("time step t = ")[1].split(" ")[0])
        xs = a["x"]
        T, Hd = len(xs), len(a["weight_hh_l0"][0])
        cell = q.prompt.split("bidirectional nn.")[1][:3].lower().rstrip("(")

        def run(order, sfx):
            h, c = np.zeros(Hd), np.zeros(Hd)
            for s in order:
                if cell == "rnn":
                    h = rnn_step(g, xs[s], h, sfx)
                elif cell == "gru":
                    h = gru_step(g, xs[s], h, sfx)[0]
                else:
                    h, c, _ = lstm_step(g, xs[s], h, c, sfx)
            return h
        return np.concatenate([run(range(t), "_l0"), run(range(T - 1, t - 2, -1), "_l0_reverse")])
    if kind == "grad.cell_state_product":
        return float(np.prod(a["f"]))
    if kind == "grad.sigmoid_bound":
        return 0.25 ** g["k"]
    if kind == "grad.steps_below_threshold":
        # the prompt fixes f = σ(a_f) rounded to 4 decimals
        base = 0.25 if g["factor"] == "sigmoid" else round(1 / (1 + math.exp(-g["a_f"])), 4)
        return math.floor(math.log(g["threshold"]) / math.log(base)) + 1
    if kind in ("macs.lstm", "macs.gru"):
        G = 4 if kind == "macs.lstm" else 3
        return G * H * (I + H) * g["batch"]
    from .closed_form_new import expected_new  # the Greff, backprop and gradient-flow kinds

    return expected_new(kind, q)
