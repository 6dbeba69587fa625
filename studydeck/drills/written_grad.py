"""Backpropagation through one LSTM or GRU step as its worked solution writes it, with rounding bounds.

The companion of :mod:`.written` for the backward pass: each function takes
the step's values as :class:`~.rounding.Num` (given values exact, or the
written outputs of an earlier step) and returns lists of Num per unit, one
operation per line of the worked solution (see :mod:`.kinds.backprop_lstm`,
:mod:`.kinds.backprop_gru`).  A product of several factors on one line,
``dc·g·i·(1 − i)``, is written once, from the shown factors; a student may
still round each partial product, so each adds a rounding to the bound.

LSTM (given i, f, g, o, c_prev, c and dL/dh, dL/dc):

    tanh_c = tanh(c)                     via_h = dL/dh·o·(1 − tanh_c²)
    dc     = dL/dc + via_h               dc_prev = dc·f
    da_i = dc·g·i·(1 − i)    da_f = dc·c_prev·f·(1 − f)    da_g = dc·i·(1 − g²)
    da_o = dL/dh·tanh_c·o·(1 − o)
    dh_prev[k] = Σ_q W_hq[:, k]·da_q     each block's dot written, then the sum

GRU (given r, z, n, h0, a_nh = W_hn·h0 + b_hn and dL/dh):

    da_n = dL/dh·(1 − z)·(1 − n²)        da_z = dL/dh·(h0 − n)·z·(1 − z)
    da_r = da_n·a_nh·r·(1 − r)           r_da_n = r·da_n
    dh_prev[k] = dL/dh·z + W_hr[:, k]·da_r + W_hz[:, k]·da_z + W_hn[:, k]·r_da_n

The engine's backward stays the source of every answer; a test checks that
without rounding these chains reproduce it.
"""

from __future__ import annotations

from .common import question
from .rounding import ONE, Arithmetic, Num, exact

LSTM_BLOCKS = "ifgo"
GRU_BLOCKS = "rzn"


def product(ar: Arithmetic, *factors: Num, write: bool = True) -> Num:
    """``a·b·c…`` written as one number: the product of the shown factors, rounded once."""
    out = factors[0]
    for f in factors[1:-1]:
        out = ar.mul(out, f, write=False)
    return ar.mul(out, factors[-1], write=write)


def one_minus_square(ar: Arithmetic, v: Num) -> Num:
    """``(1 − v²)`` inside a product line (not written on its own)."""
    return ar.sub(ONE, ar.mul(v, v, write=False), write=False)


def _column(W, rows: range, k: int) -> list[float]:
    return [float(W[r][k]) for r in rows]


def lstm_back(i: list[Num], f: list[Num], g: list[Num], o: list[Num], c_prev: list[Num],
              c: list[Num], dh: list[Num], dc: list[Num], ar: Arithmetic,
              W_hh=None) -> dict[str, list]:
    """One LSTM step backward: tanh_c, via_h, dc (all that reaches c), da_i … da_o, dc_prev
    and, with ``W_hh``, dh_prev and its four block dots ``dh_parts[k]``."""
    H = len(c)
    tanh_c = [ar.tanh(v) for v in c]
    via_h = [product(ar, dh[j], o[j], one_minus_square(ar, tanh_c[j])) for j in range(H)]
    total = [ar.add(dc[j], via_h[j]) for j in range(H)]
    out: dict[str, list] = {"tanh_c": tanh_c, "via_h": via_h, "dc": total}
    out["da_i"] = [product(ar, total[j], g[j], i[j], ar.sub(ONE, i[j])) for j in range(H)]
    out["da_f"] = [product(ar, total[j], c_prev[j], f[j], ar.sub(ONE, f[j])) for j in range(H)]
    out["da_g"] = [product(ar, total[j], i[j], one_minus_square(ar, g[j])) for j in range(H)]
    out["da_o"] = [product(ar, dh[j], tanh_c[j], o[j], ar.sub(ONE, o[j])) for j in range(H)]
    out["dc_prev"] = [ar.mul(total[j], f[j]) for j in range(H)]
    if W_hh is not None:
        parts = [[ar.dot(_column(W_hh, range(b * H, (b + 1) * H), k), out["da_" + q])
                  for b, q in enumerate(LSTM_BLOCKS)] for k in range(H)]
        out["dh_parts"] = parts
        out["dh_prev"] = [ar.add(*p) for p in parts]
    return out


def gru_back(r: list[Num], z: list[Num], n: list[Num], h0: list[Num], a_nh: list[Num],
             dh: list[Num], ar: Arithmetic, W_hh=None) -> dict[str, list]:
    """One GRU step backward (reset after the product): da_n, da_z, da_r, r_da_n and, with
    ``W_hh``, dh_prev with its parts ``dh_parts[k]`` (dL/dh·z, then the r, z, n block dots)."""
    H = len(h0)
    out: dict[str, list] = {}
    out["da_n"] = [product(ar, dh[j], ar.sub(ONE, z[j]), one_minus_square(ar, n[j]))
                   for j in range(H)]
    out["da_z"] = [product(ar, dh[j], ar.sub(h0[j], n[j]), z[j], ar.sub(ONE, z[j]))
                   for j in range(H)]
    out["da_r"] = [product(ar, out["da_n"][j], a_nh[j], r[j], ar.sub(ONE, r[j])) for j in range(H)]
    out["r_da_n"] = [ar.mul(r[j], out["da_n"][j]) for j in range(H)]
    if W_hh is not None:
        blocks = {"r": out["da_r"], "z": out["da_z"], "n": out["r_da_n"]}
        parts = [[ar.mul(dh[k], z[k])]
                 + [ar.dot(_column(W_hh, range(b * H, (b + 1) * H), k), blocks[q])
                    for b, q in enumerate(GRU_BLOCKS)] for k in range(H)]
        out["dh_parts"] = parts
        out["dh_prev"] = [ar.add(*p) for p in parts]
    return out


def entry(ar: Arithmetic, da: Num, *factors: float) -> Num:
    """One weight's gradient: ``da`` times the given factors (x[k], h0[k], r[j]), one line."""
    if not factors:
        return da
    return product(ar, da, *(exact(v) for v in factors))


def graded(kind: str, seed: int, params: dict, steps: list[list[str]], *, prompt: str, given: dict,
           answer, answer_format: str, decimals: int, label: str, exact_parts, num_parts, cell: dict):
    """The question of a backprop drill: ``steps`` (one list of lines per hint) closed by
    the rounding note of :func:`closing`, the tolerance from it, the answer labelled
    ``label`` when it is a vector."""
    tol, note = closing(decimals, [label], exact_parts, num_parts)
    steps[-1] += note
    return question(kind, seed, params, prompt=prompt, given=given, answer=answer, answer_format=answer_format,
                    solution=[ln for s in steps for ln in s], decimals=decimals, tolerance=tol, cell=cell,
                    labels=[label] if answer_format == "vector" else None, hints=["\n".join(s) for s in steps])


def closing(decimals: int, labels: list[str], exact_parts, num_parts) -> tuple[float, list[str]]:
    """The tolerance of an answer made of ``exact_parts`` (one list per label) written as
    ``num_parts``, and the solution's closing note when rounding moved a last digit."""
    from . import rounding

    tol = rounding.tolerance(decimals, exact_parts, num_parts)
    return tol, rounding.note(labels, exact_parts, num_parts, decimals, tol)
