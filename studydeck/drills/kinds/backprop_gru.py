"""Backpropagation through one PyTorch GRUCell step, answered by the engine's backward pass.

PyTorch's GRU (reset after the product), blocks r, z, n:

    a_r = W_ir x + b_ir + W_hr h0 + b_hr         r = σ(a_r)
    a_z = W_iz x + b_iz + W_hz h0 + b_hz         z = σ(a_z)
    a_nh = W_hn h0 + b_hn,  a_n = W_in x + b_in + r ⊙ a_nh,   n = tanh(a_n)
    h_1 = (1 − z) ⊙ n + z ⊙ h0

Given dL/dh_1:

    da_n = dL/dh_1 ⊙ (1 − z) ⊙ (1 − n²)
    da_z = dL/dh_1 ⊙ (h0 − n) ⊙ z(1 − z)
    da_r = da_n ⊙ a_nh ⊙ r(1 − r)
    dL/dh0 = dL/dh_1 ⊙ z + W_hr^T da_r + W_hz^T da_z + W_hn^T (r ⊙ da_n)
    dL/dW_hn[j, k] = r[j]·da_n[j]·h0[k]   (r sits between W_hn h0 and a_n)

r, z, n are chosen on a grid and bias_ih solved so that the engine's forward
pass reproduces them; the answers are the engine's ``GRUCell.backward``.  The
worked solution writes each value rounded as the prompt prescribes
(:mod:`studydeck.drills.written_grad`), and the tolerance comes from that rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from studydeck.engine import GRUCell

from .. import fmt, rounding, written_grad
from ..common import (
    decimals_of,
    grid,
    keep_digits,
    pylist,
    rng_for,
    scratch,
    sizes,
    step_places,
)
from ..solution import Part, preactivation

BLOCKS = "rzn"
GATE_NAMES = {"r": "reset gate", "z": "update gate", "n": "candidate"}


@dataclass
class Step:
    x: np.ndarray
    h0: np.ndarray
    gates: dict          # r, z, n (grid values)
    a_nh: np.ndarray     # W_hn h0 + b_hn
    h1: np.ndarray
    dh: np.ndarray
    cell: GRUCell
    grads: dict
    w: dict = field(default_factory=dict)  # the backward pass as written (written_grad.gru_back)

    @property
    def H(self) -> int:
        return len(self.h0)

    def da(self, q: str) -> np.ndarray:
        """dL/da_q from the engine: b_iq enters a_q once, so it is bias_ih's gradient."""
        k = BLOCKS.index(q)
        return self.grads["bias_ih"][k * self.H:(k + 1) * self.H]


def _logit(p):
    return np.log(p) - np.log1p(-p)


def draw(seed: int, params: dict) -> Step:
    rng = rng_for(seed)
    D, H = sizes(rng, params)
    x, h0 = grid(rng, (D,)), grid(rng, (H,), -0.9, 0.9)
    gates = {q: grid(rng, (H,), -0.9, 0.9, 0.1) if q == "n" else grid(rng, (H,), 0.05, 0.95, 0.05)
             for q in BLOCKS}
    W_ih, W_hh, b_hh = grid(rng, (3 * H, D)), grid(rng, (3 * H, H)), grid(rng, (3 * H,), -0.5, 0.5)
    dh = grid(rng, (H,))
    while not np.any(dh):  # no gradient at all would make every answer 0
        dh = grid(rng, (H,))
    hw = W_hh @ h0 + b_hh
    a_nh = hw[2 * H:]
    target = np.concatenate([_logit(gates["r"]) - hw[:H], _logit(gates["z"]) - hw[H:2 * H],
                             np.arctanh(gates["n"]) - gates["r"] * a_nh])
    cell = GRUCell(D, H, rng=scratch())
    cell.load_state_dict({"weight_ih": W_ih, "weight_hh": W_hh, "bias_ih": target - W_ih @ x,
                          "bias_hh": b_hh})
    h1 = cell(x, h0)
    return Step(x, h0, gates, a_nh, h1, dh, cell, cell.backward(dh))


# extra decimals kept in intermediate values (see common.step_places): dL/dh0 sums
# the direct path and twelve rounded products, so it keeps one more
EXTRA = {"hidden_state": 2, "gate": 1, "weight": 1}


def _written(seed: int, params: dict, what: str) -> tuple[Step, int, rounding.Arithmetic]:
    """The drawn step with ``w``, its backward pass written with the prompt's rounding."""
    step, d = draw(seed, params), decimals_of(params)
    ar = rounding.Arithmetic(step_places(d, EXTRA[what]))
    ex = rounding.exacts
    step.w = written_grad.gru_back(ex(step.gates["r"]), ex(step.gates["z"]), ex(step.gates["n"]),
                                   ex(step.h0), ex(step.a_nh), ex(step.dh), ar, step.cell.weight_hh)
    return step, d, ar


def given(step: Step) -> dict:
    out = {"gate_order": "rzn", "x": pylist(step.x), "h0": pylist(step.h0)}
    out.update({q: pylist(step.gates[q]) for q in BLOCKS})
    out["weight_hh"] = pylist(step.cell.weight_hh)
    out["bias_hh"] = pylist(step.cell.bias_hh)
    out["dL/dh_1"] = pylist(step.dh)
    return out


def cell_values(step: Step) -> dict:
    return {"x": pylist(step.x), "h_prev": pylist(step.h0),
            **{q: pylist(step.gates[q]) for q in BLOCKS}, "h": pylist(step.h1)}


def _n(v) -> str:
    return fmt.term(fmt.num(v))


def _g(v) -> str:
    """A given value as typed (0.35), a computed one with 4 decimals."""
    return fmt.term(fmt.auto(v))


def a_nh_lines(step: Step) -> list[str]:
    W, b, H, lines = step.cell.weight_hh, step.cell.bias_hh, step.H, []
    for j in range(H):
        row = W[2 * H + j]
        dots = " + ".join(f"{_g(w)}·{_g(h)}" for w, h in zip(row, step.h0))
        lines.append(f"a_nh[{j}] = W_hn[{j}]·h0 + b_hn[{j}] = {dots} + {_g(b[2 * H + j])} = "
                     f"{fmt.num(step.a_nh[j])}")
    return lines


def gate_grad_lines(step: Step, q: str) -> list[str]:
    r, z, n = (step.gates[k] for k in BLOCKS)
    lines = []
    for j in range(step.H):
        val = step.w["da_" + q][j].shown
        if q == "n":
            lines.append(f"da_n[{j}] = dL/dh_1[{j}]·(1 − z[{j}])·(1 − n[{j}]²) = {_g(step.dh[j])}·"
                         f"{_g(1 - z[j])}·(1 − {_g(n[j])}²) = {fmt.num(val)}")
        elif q == "z":
            lines.append(f"da_z[{j}] = dL/dh_1[{j}]·(h0[{j}] − n[{j}])·z[{j}](1 − z[{j}]) = "
                         f"{_g(step.dh[j])}·{_g(step.h0[j] - n[j])}·{_g(z[j])}·{_g(1 - z[j])} = "
                         f"{fmt.num(val)}")
        else:
            lines.append(f"da_r[{j}] = da_n[{j}]·a_nh[{j}]·r[{j}](1 − r[{j}]) = "
                         f"{_n(step.w['da_n'][j].shown)}·{_g(step.a_nh[j])}·{_g(r[j])}·"
                         f"{_g(1 - r[j])} = {fmt.num(val)}")
    return lines


def chain_to(step: Step, q: str) -> list[list[str]]:
    """The steps of the worked solution up to da_q (da_r needs da_n and a_nh first)."""
    steps = []
    if q in "rn":
        steps.append(["h_1 = (1 − z) ⊙ n + z ⊙ h0 and n = tanh(a_n):"] + gate_grad_lines(step, "n"))
    if q == "z":
        steps.append(["h_1 = (1 − z) ⊙ n + z ⊙ h0, so ∂h_1/∂z = h0 − n:"] + gate_grad_lines(step, "z"))
    if q == "r":
        steps.append(["a_n = a_nx + r ⊙ a_nh, so ∂a_n/∂r = a_nh = W_hn·h0 + b_hn:"] + a_nh_lines(step)
                     + gate_grad_lines(step, "r"))
    return steps


def _count(n: int) -> str:
    return "1 number" if n == 1 else f"a vector of {n} numbers"


def _setting(step: Step) -> str:
    return (f"A PyTorch GRUCell (input_size {len(step.x)}, hidden_size {step.H}; blocks r, z, n; "
            f"h_1 = (1 − z) ⊙ n + z ⊙ h0 and n = tanh(W_in·x + b_in + r ⊙ (W_hn·h0 + b_hn))) took one "
            f"step from h0 on input x; its forward pass gave the r, z, n below. weight_hh and bias_hh "
            f"are given (rows stacked r, z, n). dL/dh_1 is the gradient of the loss with respect to h_1.")


def hidden_state(kind: str, seed: int, params: dict):
    step, d, ar = _written(seed, params, "hidden_state")
    H, W, w = step.H, step.cell.weight_hh, step.w
    prompt = (f"{_setting(step)} Backpropagate through the step: compute dL/dh0 (as {_count(H)}), "
              f"{fmt.decimals_phrase(d)}. {keep_digits(d, EXTRA['hidden_state'])}")
    r, z = step.gates["r"], step.gates["z"]
    da = {"r": w["da_r"], "z": w["da_z"], "n": w["r_da_n"]}
    with fmt.step_decimals(ar.places):
        steps = chain_to(step, "n") + [["h_1 = (1 − z) ⊙ n + z ⊙ h0, so ∂h_1/∂z = h0 − n:"]
                                       + gate_grad_lines(step, "z")] + chain_to(step, "r")[1:]
        lines = [("h0 reaches h_1 directly (through z ⊙ h0) and through a_r, a_z and a_nh; the n "
                  "block carries r ⊙ da_n because r multiplies W_hn·h0 + b_hn:")]
        lines += [f"(r ⊙ da_n)[{j}] = {_g(r[j])}·{_n(w['da_n'][j].shown)} = "
                  f"{fmt.num(w['r_da_n'][j].shown)}" for j in range(H)]
        for k in range(H):
            parts = [Part(f"dL/dh_1[{k}]·z[{k}]", f"{_g(step.dh[k])}·{_g(z[k])}",
                          w["dh_parts"][k][0].shown)]
            for b, q in enumerate(BLOCKS):
                rows = range(b * H, (b + 1) * H)
                pieces = [f"{_g(W[r_, k])}·{_n(da[q][r_ - b * H].shown)}" for r_ in rows]
                label = f"W_h{q}[:, {k}]·" + ("(r ⊙ da_n)" if q == "n" else f"da_{q}")
                parts.append(Part(label, pieces[0] if H == 1 else "(" + " + ".join(pieces) + ")",
                                  w["dh_parts"][k][b + 1].shown))
            lines += preactivation(f"dL/dh0[{k}]", parts, w["dh_prev"][k].shown)
    exact = step.grads["h_prev"]
    steps.append(lines)
    return written_grad.graded(kind, seed, params, steps, prompt=prompt, given=given(step), answer=exact,
                               answer_format="vector", decimals=d, label="dL/dh0", exact_parts=[exact],
                               num_parts=[w["dh_prev"]], cell=cell_values(step))


def gate(kind: str, seed: int, params: dict):
    step, d, ar = _written(seed, params, "gate")
    q = params.get("gate") or BLOCKS[seed % 3]
    pre = {"r": "a_r = W_ir·x + b_ir + W_hr·h0 + b_hr", "z": "a_z = W_iz·x + b_iz + W_hz·h0 + b_hz",
           "n": "a_n = W_in·x + b_in + r ⊙ (W_hn·h0 + b_hn)"}[q]
    prompt = (f"{_setting(step)} Compute dL/da_{q}, the gradient of the {GATE_NAMES[q]}'s "
              f"pre-activation {pre} (as {_count(step.H)}), {fmt.decimals_phrase(d)}. "
              f"{keep_digits(d, EXTRA['gate'])}")
    with fmt.step_decimals(ar.places):
        steps = chain_to(step, q)
    exact = step.da(q)
    values = given(step)
    values["gate"] = q
    return written_grad.graded(kind, seed, params, steps, prompt=prompt, given=values, answer=exact,
                               answer_format="vector", decimals=d, label=f"dL/da_{q}", exact_parts=[exact],
                               num_parts=[step.w["da_" + q]], cell=cell_values(step))


WEIGHTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def weight(kind: str, seed: int, params: dict):
    step, d, ar = _written(seed, params, "weight")
    pick = rng_for(seed + 1)
    name = params.get("weight") or WEIGHTS[int(pick.integers(4))]
    q = params.get("gate") or BLOCKS[int(pick.integers(3))]
    j = int(pick.integers(step.H))
    row = BLOCKS.index(q) * step.H + j
    source = step.x if name == "weight_ih" else step.h0
    nonzero = np.flatnonzero(source)  # a zero input would make the answer 0 whatever da is
    k = None if name.startswith("bias") else (int(pick.choice(nonzero)) if len(nonzero)
                                              else int(pick.integers(len(source))))
    entry = f"{name}[{row}]" if k is None else f"{name}[{row}, {k}]"
    answer = float(step.grads[name][row] if k is None else step.grads[name][row, k])
    prompt = (f"{_setting(step)} Compute dL/d{entry}: the gradient of one entry of {name} (row "
              f"{row} is {q}[{j}] of the stacked blocks r, z, n; 0-based), {fmt.decimals_phrase(d)}. "
              f"{keep_digits(d, EXTRA['weight'])}")
    da = step.w["da_" + q][j]
    inside = q == "n" and name.endswith("_hh")  # W_hn and b_hn sit inside r ⊙ (...)
    factors = ([float(step.gates["r"][j])] if inside else []) + ([] if k is None else [float(source[k])])
    num = written_grad.entry(ar, da, *factors)
    with fmt.step_decimals(ar.places):
        steps = chain_to(step, q)
        factor = f"r[{j}]·" if inside else ""
        shown = f"{_g(step.gates['r'][j])}·" if inside else ""
        if k is None and not inside:
            last = f"dL/d{entry} = da_{q}[{j}] = {fmt.num(num.shown)}"
        elif k is None:
            last = f"dL/d{entry} = {factor}da_{q}[{j}] = {shown}{_n(da.shown)} = {fmt.num(num.shown)}"
        else:
            sym = "x" if name == "weight_ih" else "h0"
            last = (f"dL/d{entry} = {factor}da_{q}[{j}]·{sym}[{k}] = {shown}{_n(da.shown)}·"
                    f"{_g(source[k])} = {fmt.num(num.shown)}")
    why = (f"{entry} sits inside r ⊙ (W_hn·h0 + b_hn), so r[{j}] multiplies its gradient:" if inside
           else f"{entry} enters a_{q}[{j}] directly:")
    steps.append([why, last])
    values = given(step)
    values.update(weight=name, gate=q)
    return written_grad.graded(kind, seed, params, steps, prompt=prompt, given=values, answer=answer,
                               answer_format="scalar", decimals=d, label=f"dL/d{entry}", exact_parts=[[answer]],
                               num_parts=[[num]], cell=cell_values(step))


GENERATORS = {
    "backprop.gru_hidden_state": hidden_state,
    "backprop.gru_gate": gate,
    "backprop.gru_weight": weight,
}
