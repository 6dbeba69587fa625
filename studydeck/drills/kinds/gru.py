"""GRU kinds: r, z, n and h' of PyTorch's GRUCell, and the reset-before convention.

PyTorch (reset after the product, Keras reset_after=True), blocks r, z, n:

    r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
    h' = (1 − z) ⊙ n + z ⊙ h

Cho et al. 2014 (reset before the product, Keras reset_after=False):

    n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)

Everything is computed by the engine's GRUCell (``reset_after`` selects the
convention); the worked solution spells out its trace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studydeck.engine import GRUCell

from .. import fmt, rounding, written
from ..common import (as_lists, decimals_of, grid, keep_digits, pylist, question, rng_for, scratch,
                     sizes, step_places)
from ..solution import SIGMOID, dot, gate_lines, lstm_gate_parts, preactivation, value

GRU_FORM = {True: "n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))",
            False: "n = tanh(W_in·x + b_in + W_hn·(r ⊙ h) + b_hn)"}

LONG = 2  # extra decimals kept in this long chain (see common.step_places)
PREV = "h_prev = h0, the previous hidden state."


@dataclass
class GRUCase:
    input_size: int
    hidden_size: int
    cell: GRUCell
    x: np.ndarray
    h0: np.ndarray
    trace: dict

    def rows(self, q: str) -> slice:
        k, H = "rzn".index(q), self.hidden_size
        return slice(k * H, (k + 1) * H)

    def given(self) -> dict:
        out = {"gate_order": "rzn", "x": pylist(self.x), "h0": pylist(self.h0)}
        out.update({k: pylist(v) for k, v in self.cell.state_dict().items()})
        return out

    def cell_values(self) -> dict:
        tr = self.trace
        return {"x": pylist(tr["x"]), "h_prev": pylist(tr["h_prev"]),
                **{k: pylist(tr[k]) for k in ("r", "z", "n", "h")}}


def draw(seed: int, params: dict, reset_after: bool = True) -> GRUCase:
    rng = rng_for(seed)
    I, H = sizes(rng, params)
    cell = GRUCell(I, H, rng=scratch(), reset_after=reset_after)
    state = {name: grid(rng, shape, -0.5, 0.5) if name.startswith("bias") else grid(rng, shape)
             for name, shape in cell.parameter_shapes().items()}
    cell.load_state_dict(state)
    x, h0 = grid(rng, (I,)), grid(rng, (H,), -0.9, 0.9)
    return GRUCase(I, H, cell, x, h0, as_lists(cell.trace(x, h0)))


def rerun(case: GRUCase, reset_after: bool) -> GRUCase:
    """The same weights and inputs under the other reset convention."""
    cell = GRUCell(case.input_size, case.hidden_size, rng=scratch(), reset_after=reset_after)
    cell.load_state_dict(case.cell.state_dict())
    return GRUCase(case.input_size, case.hidden_size, cell, case.x, case.h0,
                   as_lists(cell.trace(case.x, case.h0)))


def gate_block_lines(case: GRUCase, q: str) -> list[str]:
    cell, r, tr = case.cell, case.rows(q), case.trace
    lines = []
    for j in range(case.hidden_size):
        parts = lstm_gate_parts(q, j, cell.weight_ih[r], cell.weight_hh[r], cell.bias_ih[r],
                                cell.bias_hh[r], tr["x"], tr["h_prev"], "h_prev")
        lines += gate_lines(q, j, SIGMOID, parts, float(tr["a_" + q][j]), float(tr[q][j]))
    return lines


def candidate_lines(case: GRUCase) -> list[str]:
    cell, rows, tr, H = case.cell, case.rows("n"), case.trace, case.hidden_size
    W_in, W_hn = cell.weight_ih[rows], cell.weight_hh[rows]
    b_in, b_hn = cell.bias_ih[rows], cell.bias_hh[rows]
    lines = []
    if not cell.reset_after:
        lines += [f"(r⊙h)[{k}] = r[{k}]·h_prev[{k}] = {fmt.num(tr['r'][k])}·"
                  f"{fmt.term(fmt.auto(tr['h_prev'][k]))} = {fmt.num(tr['rh'][k])}" for k in range(H)]
    for j in range(H):
        ax = [dot(f"W_in[{j}]·x", W_in[j], tr["x"]), value(f"b_in[{j}]", b_in[j])]
        lines += preactivation(f"a_nx[{j}]", ax, float(tr["a_n_x"][j]))
        if cell.reset_after:
            ah = [dot(f"W_hn[{j}]·h_prev", W_hn[j], tr["h_prev"]), value(f"b_hn[{j}]", b_hn[j])]
            lines += preactivation(f"a_nh[{j}]", ah, float(tr["a_n_h"][j]))
            total = float(tr["a_n_x"][j] + tr["r"][j] * tr["a_n_h"][j])
            lines.append(f"a_n[{j}] = a_nx[{j}] + r[{j}]·a_nh[{j}] = {fmt.num(tr['a_n_x'][j])} + "
                         f"{fmt.num(tr['r'][j])}·{fmt.term(fmt.num(tr['a_n_h'][j]))} = {fmt.num(total)}")
        else:
            ah = [dot(f"W_hn[{j}]·(r⊙h)", W_hn[j], tr["rh"]), value(f"b_hn[{j}]", b_hn[j])]
            lines += preactivation(f"a_nh[{j}]", ah, float(tr["a_n_h"][j]))
            total = float(tr["a_n_x"][j] + tr["a_n_h"][j])
            lines.append(f"a_n[{j}] = a_nx[{j}] + a_nh[{j}] = {fmt.num(tr['a_n_x'][j])} + "
                         f"{fmt.term(fmt.num(tr['a_n_h'][j]))} = {fmt.num(total)}")
        lines.append(f"n[{j}] = tanh({fmt.num(total)}) = {fmt.num(tr['n'][j])}")
    return lines


def hidden_lines(tr: dict, H: int, name: str = "h'") -> list[str]:
    return [f"{name}[{j}] = (1 − z[{j}])·n[{j}] + z[{j}]·h_prev[{j}] = {fmt.num(1 - tr['z'][j])}·"
            f"{fmt.term(fmt.num(tr['n'][j]))} + {fmt.num(tr['z'][j])}·{fmt.term(fmt.auto(tr['h_prev'][j]))}"
            f" = {fmt.num(tr['h'][j])}" for j in range(H)]


def step_lines(case: GRUCase) -> list[str]:
    H = case.hidden_size
    return (gate_block_lines(case, "r") + gate_block_lines(case, "z") + candidate_lines(case)
            + hidden_lines(case.trace, H))


def _intro(case: GRUCase) -> str:
    return (f"A PyTorch GRUCell (gate order r, z, n) with input_size {case.input_size} and "
            f"hidden_size {case.hidden_size} reads x and the previous hidden state h0 below.")


def _vec(n: int) -> str:
    return "1 number" if n == 1 else f"a vector of {n} numbers"


def gate(q: str):
    names = {"r": "reset gate", "z": "update gate"}

    def generate(kind: str, seed: int, params: dict):
        case, d = draw(seed, params), decimals_of(params)
        H, rows = case.hidden_size, case.rows(q)
        where = f"row {rows.start}" if H == 1 else f"rows {rows.start}–{rows.stop - 1}"
        prompt = (f"{_intro(case)} Compute the {names[q]} {q} = σ(W_i{q}·x + b_i{q} + W_h{q}·h0 + "
                  f"b_h{q}). Its block is {where} (0-based) of weight_ih and weight_hh and the same "
                  f"entries of bias_ih and bias_hh, labelled {q}[·]. Answer {q} as {_vec(H)}, "
                  f"{fmt.decimals_phrase(d)}.")
        cell = {"x": pylist(case.x), "h_prev": pylist(case.h0), q: pylist(case.trace[q])}
        lines = [f"{q} block: {where} of the stacked weights; h_prev = h0."] + gate_block_lines(case, q)
        return question(kind, seed, params, prompt=prompt, given=case.given(), answer=case.trace[q],
                        answer_format="vector", solution=lines, decimals=d,
                        cell=cell, labels=[q])
    return generate


def candidate(kind: str, seed: int, params: dict):
    case, d = draw(seed, params), decimals_of(params)
    prompt = (f"{_intro(case)} Compute the candidate {GRU_FORM[True]} (PyTorch applies r after "
              f"the product W_hn·h + b_hn); compute the reset gate r first. Answer n as "
              f"{_vec(case.hidden_size)}, {fmt.decimals_phrase(d)}. {keep_digits(d)}")
    cell = {"x": pylist(case.x), "h_prev": pylist(case.h0), "r": pylist(case.trace["r"]),
            "n": pylist(case.trace["n"])}
    ar = rounding.Arithmetic(step_places(d))
    shown, nums = written.gru_case(case, ar)
    tol = rounding.tolerance(d, case.trace["n"], nums["n"])
    with fmt.step_decimals(ar.places):
        lines = [PREV] + gate_block_lines(shown, "r") + candidate_lines(shown)
    lines += rounding.note(["n"], [case.trace["n"]], [nums["n"]], d, tol)
    return question(kind, seed, params, prompt=prompt, given=case.given(), answer=case.trace["n"],
                    answer_format="vector", solution=lines, decimals=d, tolerance=tol, cell=cell,
                    labels=["n"])


def hidden_update(kind: str, seed: int, params: dict):
    rng, d = rng_for(seed), decimals_of(params)
    _, H = sizes(rng, params, need_input=False)
    z = grid(rng, (H,), 0.05, 0.95, 0.05)
    n = grid(rng, (H,), -0.9, 0.9, 0.1)
    h0 = grid(rng, (H,), -0.9, 0.9, 0.1)
    # Zero weights; biases set so that z = σ(logit z) and n = tanh(atanh n).
    cell = GRUCell(1, H, rng=scratch())
    cell.load_state_dict({"weight_ih": np.zeros((3 * H, 1)), "weight_hh": np.zeros((3 * H, H)),
                          "bias_ih": np.concatenate([np.zeros(H), np.log(z) - np.log1p(-z),
                                                     np.arctanh(n)]),
                          "bias_hh": np.zeros(3 * H)})
    tr = cell.trace(np.zeros(1), h0)
    prompt = (f"A GRU with hidden_size {H} has the update gate z, the candidate n and the previous "
              f"hidden state h0 below. Compute h' = (1 − z) ⊙ n + z ⊙ h0 (PyTorch's convention: z "
              f"keeps the old state), as {_vec(H)}, {fmt.decimals_phrase(d)}.")
    lines = ["h' = (1 − z) ⊙ n + z ⊙ h_prev, with h_prev = h0"] + hidden_lines(tr, H)
    given = {"z": pylist(z), "n": pylist(n), "h0": pylist(h0)}
    cell_vals = {"h_prev": pylist(h0), "z": pylist(z), "n": pylist(n), "h": pylist(tr["h"])}
    return question(kind, seed, params, prompt=prompt, given=given, answer=tr["h"],
                    answer_format="vector", solution=lines, decimals=d, cell=cell_vals, labels=["h'"])


def reset_before(kind: str, seed: int, params: dict):
    case, d = draw(seed, params, reset_after=False), decimals_of(params)
    prompt = (f"{_intro(case)} Use the reset-before convention of Cho et al. 2014 (Keras "
              f"reset_after=False): {GRU_FORM[False]}, with r, z as in PyTorch and "
              f"h' = (1 − z) ⊙ n + z ⊙ h0. Compute h' as {_vec(case.hidden_size)}, "
              f"{fmt.decimals_phrase(d)}. {keep_digits(d, LONG)}")
    ar = rounding.Arithmetic(step_places(d, LONG))
    shown, nums = written.gru_case(case, ar)
    tol = rounding.tolerance(d, case.trace["h"], nums["h"])
    with fmt.step_decimals(ar.places):
        lines = ["Reset before the product: r multiplies h before W_hn; h_prev = h0."] + step_lines(shown)
    lines += rounding.note(["h'"], [case.trace["h"]], [nums["h"]], d, tol)
    return question(kind, seed, params, prompt=prompt, given=case.given(), answer=case.trace["h"],
                    answer_format="vector", solution=lines, decimals=d, tolerance=tol,
                    cell=case.cell_values(), labels=["h'"])


def convention_difference(kind: str, seed: int, params: dict):
    # With one unit and b_hn = 0 both conventions agree; two units by default.
    after, d = draw(seed, {"hidden_size": 2, **params}, reset_after=True), decimals_of(params)
    before = rerun(after, reset_after=False)
    diff = [a - b for a, b in zip(after.trace["h"], before.trace["h"])]
    H = after.hidden_size
    prompt = (f"{_intro(after)} PyTorch computes {GRU_FORM[True]} (reset after); Cho et al. 2014 "
              f"and Keras reset_after=False compute {GRU_FORM[False]} (reset before). r, z and "
              f"h' = (1 − z) ⊙ n + z ⊙ h0 are the same in both. Compute the difference "
              f"h'_after − h'_before as {_vec(H)}, {fmt.decimals_phrase(d)}. {keep_digits(d, LONG)}")
    ar = rounding.Arithmetic(step_places(d, LONG))
    shown_a, nums_a = written.gru_case(after, ar)
    shown_b, nums_b = written.gru_case(before, ar)
    delta = [ar.sub(a, b) for a, b in zip(nums_a["h"], nums_b["h"])]
    tol = rounding.tolerance(d, diff, delta)
    with fmt.step_decimals(ar.places):
        lines = [PREV, "r and z do not depend on the convention:"]
        lines += gate_block_lines(shown_a, "r") + gate_block_lines(shown_a, "z")
        lines += (["Reset after (PyTorch):"] + candidate_lines(shown_a)
                  + hidden_lines(shown_a.trace, H, "h'_after"))
        lines += ["Reset before (Cho et al.):"] + candidate_lines(shown_b)
        lines += hidden_lines(shown_b.trace, H, "h'_before")
        lines += [f"Δ[{j}] = h'_after[{j}] − h'_before[{j}] = {fmt.num(nums_a['h'][j].shown)} − "
                  f"{fmt.term(fmt.num(nums_b['h'][j].shown))} = {fmt.num(delta[j].shown)}"
                  for j in range(H)]
    label = "h'_after − h'_before"
    lines += rounding.note([label], [diff], [delta], d, tol)
    cell = after.cell_values()
    return question(kind, seed, params, prompt=prompt, given=after.given(), answer=diff,
                    answer_format="vector", solution=lines, decimals=d, tolerance=tol, cell=cell,
                    labels=[label])


GENERATORS = {
    "gru.reset_gate": gate("r"),
    "gru.update_gate": gate("z"),
    "gru.candidate": candidate,
    "gru.hidden_update": hidden_update,
    "gru.reset_before": reset_before,
    "gru.reset_convention_difference": convention_difference,
}
