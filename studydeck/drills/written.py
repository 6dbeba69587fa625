"""One step of an LSTM, GRU or RNN cell as its worked solution writes it, with rounding bounds.

Each function takes an engine cell and its inputs as :class:`~.rounding.Num`
(given values exact, or the written outputs of an earlier step) and returns a
dict under the keys of the cell's ``trace`` (a_i, i, ..., c, tanh_c, h for an
LSTM; a_r, r, z, a_n_x, a_n_h, rh, n, h for a GRU; a, h for an RNN), each a
list of Num per unit.  The operations follow the worked-solution lines
exactly (see :mod:`.kinds.lstm_case` and :mod:`.kinds.gru`):

    a_q[j] = W_iq[j]·x + b_iq[j] + W_hq[j]·h + b_hq[j] (+ w_cq[j]·c)   each dot written, then the sum
    q[j]   = σ(a_q[j])  or tanh(a_q[j])                                 written
    c[j]   = f[j]·c_prev[j] + i[j]·g[j]                                 products written, then the sum
    h[j]   = o[j]·tanh(c[j])                                            tanh written, then the product

so the worked solution shows ``shown`` values and the tolerance comes from
the intervals.  The engine stays the source of every answer; a test checks
that with no rounding these steps reproduce the engine's trace.
"""

from __future__ import annotations

from dataclasses import replace

from .rounding import ONE, Arithmetic, Num, exact, exacts


def _rows(W, k: int, H: int):
    return W[k * H:(k + 1) * H]


def lstm(cell, x, h_prev: list[Num], c_prev: list[Num], ar: Arithmetic,
         gates_prev: list[Num] | None = None, write_ig: bool = False) -> dict[str, list[Num]]:
    """One step of an engine ``LSTMCell`` (any variant) on written inputs.

    ``write_ig``: without a forget gate, the solution writes i·g on a line of its
    own before adding c_prev (else c = c_prev + i·g is one line).
    """
    spec, H = cell.variant, cell.hidden_size
    xs = exacts(x)
    blocks = spec.blocks
    out: dict[str, list[Num]] = {"x": xs, "h_prev": list(h_prev), "c_prev": list(c_prev)}

    def pre(q: str, j: int, c_for_peephole: list[Num]) -> Num:
        k = blocks.index(q)
        parts = [ar.dot(_rows(cell.weight_ih, k, H)[j], xs)]
        if cell.bias:
            parts.append(exact(_rows(cell.bias_ih, k, H)[j]))
        parts.append(ar.dot(_rows(cell.weight_hh, k, H)[j], h_prev))
        if cell.bias:
            parts.append(exact(_rows(cell.bias_hh, k, H)[j]))
        if spec.fgr and q in "ifo" and gates_prev is not None:
            parts.append(ar.dot(cell.weight_fgr["ifo".index(q) * H + j], gates_prev))
        if "c" + q in spec.peepholes:
            w = float(getattr(cell, "weight_c" + q)[j])
            parts.append(ar.mul(exact(w), c_for_peephole[j]))
        return ar.add(*parts)

    for q in "ifg":
        if q in blocks:
            out["a_" + q] = [pre(q, j, c_prev) for j in range(H)]
    i = [ar.sigmoid(a) for a in out["a_i"]] if "i" in blocks else [ONE] * H
    if "f" in blocks:
        f = [ar.sigmoid(a) for a in out["a_f"]]
    elif spec.cifg:
        f = [ar.sub(ONE, v) for v in i]
    else:
        f = [ONE] * H
    g = [ar.tanh(a) for a in out["a_g"]] if spec.input_activation else list(out["a_g"])
    if "f" in blocks or spec.cifg:
        c = [ar.add(ar.mul(f[j], c_prev[j]), ar.mul(i[j], g[j])) for j in range(H)]
    else:  # no forget gate: c = c_prev + i·g on one line
        c = [ar.add(c_prev[j], ar.mul(i[j], g[j], write=write_ig)) for j in range(H)]
    tanh_c = [ar.tanh(v) for v in c] if spec.output_activation else c
    if "o" in blocks:
        out["a_o"] = [pre("o", j, c) for j in range(H)]
        o = [ar.sigmoid(a) for a in out["a_o"]]
    else:
        o = [ONE] * H
    h = [ar.mul(o[j], tanh_c[j]) for j in range(H)]
    out.update(i=i, f=f, g=g, o=o, c=c, tanh_c=tanh_c, h=h)
    if spec.fgr:
        out["gates"] = i + f + o
    return out


def gru(cell, x, h_prev: list[Num], ar: Arithmetic) -> dict[str, list[Num]]:
    """One step of an engine ``GRUCell`` (either reset convention) on written inputs."""
    H, xs = cell.hidden_size, exacts(x)
    W_ih, W_hh = cell.weight_ih, cell.weight_hh
    b_ih = cell.bias_ih if cell.bias else None
    b_hh = cell.bias_hh if cell.bias else None

    def bias(b, k: int, j: int) -> list[Num]:
        return [] if b is None else [exact(b[k * H + j])]

    out: dict[str, list[Num]] = {"x": xs, "h_prev": list(h_prev)}
    for k, q in enumerate("rz"):
        out["a_" + q] = [ar.add(ar.dot(_rows(W_ih, k, H)[j], xs), *bias(b_ih, k, j),
                                ar.dot(_rows(W_hh, k, H)[j], h_prev), *bias(b_hh, k, j))
                         for j in range(H)]
        out[q] = [ar.sigmoid(a) for a in out["a_" + q]]
    r, z = out["r"], out["z"]
    out["a_n_x"] = [ar.add(ar.dot(_rows(W_ih, 2, H)[j], xs), *bias(b_ih, 2, j)) for j in range(H)]
    if cell.reset_after:
        out["a_n_h"] = [ar.add(ar.dot(_rows(W_hh, 2, H)[j], h_prev), *bias(b_hh, 2, j))
                        for j in range(H)]
        a_n = [ar.add(out["a_n_x"][j], ar.mul(r[j], out["a_n_h"][j], write=False))
               for j in range(H)]
    else:
        out["rh"] = [ar.mul(r[k], h_prev[k]) for k in range(H)]
        out["a_n_h"] = [ar.add(ar.dot(_rows(W_hh, 2, H)[j], out["rh"]), *bias(b_hh, 2, j))
                        for j in range(H)]
        a_n = [ar.add(out["a_n_x"][j], out["a_n_h"][j]) for j in range(H)]
    out["a_n"] = a_n
    out["n"] = [ar.tanh(a) for a in a_n]
    out["h"] = [ar.add(ar.mul(ar.sub(ONE, z[j]), out["n"][j], write=False),
                       ar.mul(z[j], h_prev[j], write=False)) for j in range(H)]
    return out


def rnn(cell, x, h_prev: list[Num], ar: Arithmetic) -> dict[str, list[Num]]:
    """One step of an engine ``RNNCell`` (tanh) on written inputs."""
    xs = exacts(x)
    a = []
    for j in range(cell.hidden_size):
        parts = [ar.dot(cell.weight_ih[j], xs)]
        if cell.bias:
            parts.append(exact(cell.bias_ih[j]))
        parts.append(ar.dot(cell.weight_hh[j], h_prev))
        if cell.bias:
            parts.append(exact(cell.bias_hh[j]))
        a.append(ar.add(*parts))
    return {"x": xs, "h_prev": list(h_prev), "a": a, "h": [ar.tanh(v) for v in a]}


def shown_trace(nums: dict[str, list[Num]]) -> dict[str, list[float]]:
    """The written values under the trace's keys (what the worked solution displays)."""
    return {k: [n.shown for n in v] for k, v in nums.items()}


def lstm_case(case, ar: Arithmetic, h_prev: list[Num] | None = None,
              c_prev: list[Num] | None = None):
    """``(case with the written trace, Nums)``: pass the first to ``step_lines``."""
    h = exacts(case.h0) if h_prev is None else h_prev
    c = exacts(case.c0) if c_prev is None else c_prev
    nums = lstm(case.cell, case.x, h, c, ar)
    return replace(case, trace=shown_trace(nums)), nums


def gru_case(case, ar: Arithmetic, h_prev: list[Num] | None = None):
    """``(case with the written trace, Nums)`` of a GRU case, for the GRU solution lines."""
    nums = gru(case.cell, case.x, exacts(case.h0) if h_prev is None else h_prev, ar)
    return replace(case, trace=shown_trace(nums)), nums
