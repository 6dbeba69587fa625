"""A student who follows a prompt's rounding rule, written from the prompts' equations alone.

"Keep at least p decimals in intermediate values": every value the student
writes down passes through :meth:`Student.write`, which rounds it to p or more
decimals (or keeps it whole), as the student's habit says.  Given values are
used as given.  The final answer is rounded to the decimals the prompt asks for
(possibly from an already rounded 4-decimal value: double rounding).

Nothing here imports the engine or the drills' generators.
"""

from __future__ import annotations

import math
import random
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import numpy as np

KEEP = "decimals in intermediate values"


def _round(value: float, decimals: int, half_up: bool) -> float:
    mode = ROUND_HALF_UP if half_up else ROUND_HALF_EVEN
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=mode))


class Student:
    """How one student writes numbers.

    habit "exact": every written value to exactly ``places`` decimals (half up or half even);
    habit "mixed": each value to a random ``places`` to ``places`` + 3 decimals, or unrounded.
    """

    def __init__(self, habit: str = "exact", places: int = 4, seed: int = 0, half_up: bool = True):
        self.habit, self.places, self.half_up = habit, places, half_up
        self.rng = random.Random(seed)

    def write(self, value: float) -> float:
        if self.habit == "exact":
            return _round(value, self.places, self.half_up)
        choice = self.rng.randrange(5)
        if choice == 4:
            return float(value)
        return _round(value, self.places + choice, self.rng.random() < 0.5)

    def final(self, value: float, decimals: int) -> float:
        """The number the student types: rounded to the decimals asked (maybe double rounded)."""
        if self.habit == "mixed" and self.rng.random() < 0.3:
            value = _round(value, self.places, self.half_up)
        return _round(value, decimals, self.half_up)

    # the operations, each result written down
    def dot(self, row, xs) -> float:
        products = [self.write(w * x) for w, x in zip(row, xs)]
        return self.write(sum(products))

    def sig(self, a: float) -> float:
        return self.write(1.0 / (1.0 + math.exp(-a)))

    def tanh(self, a: float) -> float:
        return self.write(math.tanh(a))


def _blocks(vec, order):
    H = len(vec) // len(order)
    return {q: list(vec[k * H:(k + 1) * H]) for k, q in enumerate(order)}


def lstm_step(s: Student, g: dict, x, h, c, sfx: str = "", variant: str = "standard"):
    """(h, c, gates) of one LSTM step as the student computes it."""
    order = g.get("gate_order", "ifgo")
    W, U = _blocks(g["weight_ih" + sfx], order), _blocks(g["weight_hh" + sfx], order)
    bi, bh = _blocks(g["bias_ih" + sfx], order), _blocks(g["bias_hh" + sfx], order)
    H = len(h)

    def pre(q, j, extra=0.0):
        return s.write(s.dot(W[q][j], x) + bi[q][j] + s.dot(U[q][j], h) + bh[q][j] + extra)

    peep = variant == "peephole"
    i = [s.sig(pre("i", j, s.write(g["weight_ci"][j] * c[j]) if peep else 0.0)) for j in range(H)]
    if variant == "cifg":
        f = [s.write(1 - i[j]) for j in range(H)]
    elif variant == "nfg":
        f = None
    else:
        f = [s.sig(pre("f", j, s.write(g["weight_cf"][j] * c[j]) if peep else 0.0)) for j in range(H)]
    gg = [s.tanh(pre("g", j)) for j in range(H)]
    if f is None:
        c_new = [s.write(c[j] + s.write(i[j] * gg[j])) for j in range(H)]
    else:
        c_new = [s.write(s.write(f[j] * c[j]) + s.write(i[j] * gg[j])) for j in range(H)]
    o = [s.sig(pre("o", j, s.write(g["weight_co"][j] * c_new[j]) if peep else 0.0)) for j in range(H)]
    out = c_new if variant == "noaf" else [s.tanh(v) for v in c_new]
    h_new = [s.write(o[j] * out[j]) for j in range(H)]
    return h_new, c_new, {"i": i, "f": f, "g": gg, "o": o}


def gru_step(s: Student, g: dict, x, h, sfx: str = "", reset_after: bool = True):
    """(h', gates) of one GRU step as the student computes it."""
    W, U = _blocks(g["weight_ih" + sfx], "rzn"), _blocks(g["weight_hh" + sfx], "rzn")
    bi, bh = _blocks(g["bias_ih" + sfx], "rzn"), _blocks(g["bias_hh" + sfx], "rzn")
    H = len(h)

    def gate(q, j):
        return s.sig(s.write(s.dot(W[q][j], x) + bi[q][j] + s.dot(U[q][j], h) + bh[q][j]))

    r = [gate("r", j) for j in range(H)]
    z = [gate("z", j) for j in range(H)]
    n = []
    rh = [s.write(r[k] * h[k]) for k in range(H)]
    for j in range(H):
        a_x = s.write(s.dot(W["n"][j], x) + bi["n"][j])
        if reset_after:
            a_h = s.write(s.dot(U["n"][j], h) + bh["n"][j])
            a = s.write(a_x + s.write(r[j] * a_h))
        else:
            a = s.write(a_x + s.write(s.dot(U["n"][j], rh) + bh["n"][j]))
        n.append(s.tanh(a))
    h_new = [s.write(s.write(s.write(1 - z[j]) * n[j]) + s.write(z[j] * h[j])) for j in range(H)]
    return h_new, {"r": r, "z": z, "n": n}


def rnn_step(s: Student, g: dict, x, h, sfx: str = ""):
    W, U = g["weight_ih" + sfx], g["weight_hh" + sfx]
    return [s.tanh(s.write(s.dot(W[j], x) + g["bias_ih" + sfx][j] + s.dot(U[j], h)
                           + g["bias_hh" + sfx][j])) for j in range(len(h))]


def greff_step(s: Student, g: dict, variant: str):
    """[h_1, c_1] of one step of a Greff variant, from the given blocks, peepholes and weight_fgr."""
    order, x, h, c = g["gate_order"], g["x"], g["h0"], g["c0"]
    W, U = _blocks(g["weight_ih"], order), _blocks(g["weight_hh"], order)
    bi, bh = _blocks(g["bias_ih"], order), _blocks(g["bias_hh"], order)
    H = len(h)
    prev = g["i_prev"] + g["f_prev"] + g["o_prev"] if "weight_fgr" in g else None

    def pre(q, j, cell_state=None):
        total = s.dot(W[q][j], x) + bi[q][j] + s.dot(U[q][j], h) + bh[q][j]
        if prev is not None and q in "ifo":
            total += s.dot(g["weight_fgr"]["ifo".index(q) * H + j], prev)
        if "w_c" + q in g:
            total += s.write(g["w_c" + q][j] * cell_state[j])
        return s.write(total)

    i = [s.sig(pre("i", j, c)) for j in range(H)] if "i" in order else [1.0] * H
    if "f" in order:
        f = [s.sig(pre("f", j, c)) for j in range(H)]
    else:
        f = [s.write(1 - v) for v in i] if variant == "cifg" else [1.0] * H
    a_g = [pre("g", j) for j in range(H)]
    gg = a_g if variant == "niaf" else [s.tanh(a) for a in a_g]
    c_new = [s.write(s.write(f[j] * c[j]) + s.write(i[j] * gg[j])) for j in range(H)]
    o = [s.sig(pre("o", j, c_new)) for j in range(H)] if "o" in order else [1.0] * H
    out = c_new if variant == "noaf" else [s.tanh(v) for v in c_new]
    return [[s.write(o[j] * out[j]) for j in range(H)], c_new]


def _product(s: Student, *factors) -> float:
    value = factors[0]
    for f in factors[1:]:
        value = s.write(value * f)
    return value


def _one_minus_square(s: Student, v: float) -> float:
    return s.write(1 - s.write(v * v))


def _column(W, rows, k):
    return [W[r][k] for r in rows]


def lstm_back(s: Student, gates: dict, c0, c1, dh, dc, W_hh=None) -> dict:
    """One LSTM step backward from its gates (dL/dc0, da per block, dL/dh0 with W_hh)."""
    i, f, gg, o = (gates[q] for q in "ifgo")
    H = len(c1)
    t = [s.tanh(v) for v in c1]
    total = [s.write(dc[j] + _product(s, dh[j], o[j], _one_minus_square(s, t[j]))) for j in range(H)]
    da = {"i": [_product(s, total[j], gg[j], i[j], s.write(1 - i[j])) for j in range(H)],
          "f": [_product(s, total[j], c0[j], f[j], s.write(1 - f[j])) for j in range(H)],
          "g": [_product(s, total[j], i[j], _one_minus_square(s, gg[j])) for j in range(H)],
          "o": [_product(s, dh[j], t[j], o[j], s.write(1 - o[j])) for j in range(H)]}
    out = {"da": da, "dc0": [s.write(total[j] * f[j]) for j in range(H)]}
    if W_hh is not None:
        out["dh0"] = [s.write(sum(s.dot(_column(W_hh, range(b * H, (b + 1) * H), k), da[q])
                                  for b, q in enumerate("ifgo"))) for k in range(H)]
    return out


def gru_back(s: Student, g: dict) -> dict:
    """One GRU step backward (reset after the product) from the given r, z, n."""
    r, z, n, h0, dh = (g[k] for k in ("r", "z", "n", "h0", "dL/dh_1"))
    W, b, H = g["weight_hh"], g["bias_hh"], len(h0)
    a_nh = [s.write(s.dot(W[2 * H + j], h0) + b[2 * H + j]) for j in range(H)]
    da = {"n": [_product(s, dh[j], s.write(1 - z[j]), _one_minus_square(s, n[j])) for j in range(H)],
          "z": [_product(s, dh[j], s.write(h0[j] - n[j]), z[j], s.write(1 - z[j])) for j in range(H)]}
    da["r"] = [_product(s, da["n"][j], a_nh[j], r[j], s.write(1 - r[j])) for j in range(H)]
    r_da_n = [s.write(r[j] * da["n"][j]) for j in range(H)]
    into = {"r": da["r"], "z": da["z"], "n": r_da_n}
    dh0 = [s.write(s.write(dh[k] * z[k]) + sum(s.dot(_column(W, range(b * H, (b + 1) * H), k), into[q])
                                               for b, q in enumerate("rzn"))) for k in range(H)]
    return {"da": da, "dh0": dh0}


_ENTRY = re.compile(r"Compute dL/d(weight_ih|weight_hh|bias_ih|bias_hh)\[(\d+)(?:, (\d+))?\]")
_GATE = re.compile(r"Compute dL/da_(\w)")


def _weight_grad(s: Student, q, order: str, da: dict, r=None) -> list[float]:
    """The gradient of the entry the prompt names: da (times r inside W_hn·h0 + b_hn), times x or h0."""
    g = q.given
    name, row, col = _ENTRY.search(q.prompt).groups()
    H = len(g["h0"])
    block, j = order[int(row) // H], int(row) % H
    factors = [da[block][j]]
    if r is not None and block == "n" and name.endswith("_hh"):
        factors.insert(0, r[j])
    if col is not None:
        factors.append((g["x"] if name == "weight_ih" else g["h0"])[int(col)])
    return [_product(s, *factors)]


def lstm_two_steps_back(s: Student, g: dict):
    """[dL/dh0, dL/dc0] through two LSTM steps, the loss on h_2 only."""
    h, c = g["h0"], g["c0"]
    forward = []
    for x in g["x"]:
        h_new, c_new, gates = lstm_step(s, g, x, h, c, "_l0")
        forward.append((gates, c, c_new))
        h, c = h_new, c_new
    dh, dc = g["dL/dh_2"], [0.0] * len(h)
    for gates, c_prev, c_new in reversed(forward):
        back = lstm_back(s, gates, c_prev, c_new, dh, dc, g["weight_hh_l0"])
        dh, dc = back["dh0"], back["dc0"]
    return [dh, dc]


def backprop(kind: str, q, s: Student):
    g = q.given
    if kind == "backprop.lstm_two_steps":
        return lstm_two_steps_back(s, g)
    if kind.startswith("backprop.gru_"):
        out = gru_back(s, g)
        if kind.endswith("hidden_state"):
            return out["dh0"]
        if kind.endswith("gate"):
            return out["da"][_GATE.search(q.prompt).group(1)]
        return _weight_grad(s, q, "rzn", out["da"], g["r"])
    gates = {k: g[k] for k in "ifgo"}
    out = lstm_back(s, gates, g["c0"], g["c_1"], g["dL/dh_1"], g["dL/dc_1"], g.get("weight_hh"))
    if kind.endswith("cell_state"):
        return out["dc0"]
    if kind.endswith("hidden_state"):
        return out["dh0"]
    if kind.endswith("gate"):
        return out["da"][_GATE.search(q.prompt).group(1)]
    return _weight_grad(s, q, "ifgo", out["da"])


def _steps(s, cell, g, xs, order, sfx):
    H = len(g["weight_hh" + sfx][0])
    h, c = [0.0] * H, [0.0] * H
    for t in order:
        if cell == "rnn":
            h = rnn_step(s, g, xs[t], h, sfx)
        elif cell == "gru":
            h = gru_step(s, g, xs[t], h, sfx)[0]
        else:
            h, c, _ = lstm_step(s, g, xs[t], h, c, sfx)
    return h


def worked(kind: str, q, s: Student):
    """The student's unrounded-at-the-end answer to ``q`` (same structure as q.answer)."""
    g = q.given
    x = g.get("x")
    if kind == "lstm.step":
        h, c, _ = lstm_step(s, g, x, g["h0"], g["c0"])
        return [h, c]
    if kind == "lstm.two_steps":
        h, c = g["h0"][0], g["c0"][0]
        for t in range(2):
            h, c, _ = lstm_step(s, g, x[t], h, c, "_l0")
        return [h, c]
    if kind == "lstm.hidden_update":
        return [s.write(o * s.tanh(c)) for o, c in zip(g["o"], g["c"])]
    if kind == "variant.peephole_step":
        h, c, _ = lstm_step(s, g, x, g["h0"], g["c0"], variant="peephole")
        return [h, c]
    if kind == "variant.noaf_hidden":
        return lstm_step(s, g, x, g["h0"], g["c0"], variant="noaf")[0]
    if kind == "variant.no_forget_cell":
        return lstm_step(s, g, x, g["h0"], g["c0"], variant="nfg")[1]
    if kind == "variant.cifg_gate":
        return lstm_step(s, g, x, g["h0"], [0.0] * len(g["h0"]), variant="cifg")[2]["f"]
    if kind == "gru.candidate":
        return gru_step(s, g, x, g["h0"])[1]["n"]
    if kind == "gru.reset_before":
        return gru_step(s, g, x, g["h0"], reset_after=False)[0]
    if kind == "gru.reset_convention_difference":
        after = gru_step(s, g, x, g["h0"])[0]
        before = gru_step(s, g, x, g["h0"], reset_after=False)[0]
        return [s.write(a - b) for a, b in zip(after, before)]
    if kind == "bidir.output_concat":
        t = int(q.answer_labels[0].split("[")[1].rstrip("]")) + 1
        T = len(x)
        cell = q.prompt.split("bidirectional nn.")[1][:3].lower().rstrip("(")
        return (_steps(s, cell, g, x, range(t), "_l0")
                + _steps(s, cell, g, x, range(T - 1, t - 2, -1), "_l0_reverse"))
    if kind.startswith("greff."):
        return greff_step(s, g, kind.split(".")[1])
    if kind.startswith("backprop."):
        return backprop(kind, q, s)
    raise KeyError(f"no student for {kind}")


def typed_answer(kind: str, q, s: Student, decimals: int) -> str:
    """What the student types: every component rounded as the prompt asks."""
    value = worked(kind, q, s)
    flat = [v for part in value for v in part] if isinstance(value[0], list) else list(value)
    return " ".join(repr(s.final(v, decimals)) for v in flat)


def decimals_asked(prompt: str) -> int:
    return int(re.search(r"to (\d+) decimals?", prompt).group(1))


def places_kept(prompt: str) -> int:
    """The decimals the prompt tells the student to keep in intermediate values."""
    return int(re.search(r"Keep at least (\d+) decimals in intermediate values", prompt).group(1))


def max_error(kind: str, q, s: Student) -> float:
    """How far the student's value lands from the exact answer, before the final rounding."""
    value = worked(kind, q, s)
    got = np.asarray(value, float).ravel() if not isinstance(value[0], list) else \
        np.concatenate([np.asarray(v, float) for v in value])
    want = np.concatenate([np.asarray(v, float).ravel() for v in q.answer]) \
        if isinstance(q.answer, list) and isinstance(q.answer[0], list) \
        else np.ravel(np.asarray(q.answer, float))
    return float(np.max(np.abs(got - want)))
