"""Backpropagation through one PyTorch LSTMCell step, answered by the engine's backward pass.

Given the step's values (x, h0, c0, the gates i, f, g, o and c_1) and the
gradients dL/dh_1, dL/dc_1 arriving from above, the chain rule gives

    dc    = dL/dc_1 + dL/dh_1 ⊙ o ⊙ (1 − tanh²(c_1))     all that reaches c_1
    da_o  = dL/dh_1 ⊙ tanh(c_1) ⊙ o(1 − o)
    da_i  = dc ⊙ g ⊙ i(1 − i)       da_f = dc ⊙ c0 ⊙ f(1 − f)       da_g = dc ⊙ i ⊙ (1 − g²)
    dL/dc0 = dc ⊙ f                 dL/dh0 = W_hh^T [da_i; da_f; da_g; da_o]
    dL/dW_hq[j, k] = da_q[j]·h0[k]  dL/dW_iq[j, k] = da_q[j]·x[k]   dL/db_q[j] = da_q[j]

The gates are chosen on a grid (i = 0.35, g = −0.4...) and the biases solved
so that the engine's forward pass reproduces them; the answer is the engine's
``LSTMCell.backward`` (da_q is its bias gradient).  The worked solution writes
each value rounded as the prompt prescribes (:mod:`studydeck.drills.written_grad`), and the
tolerance comes from that rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from studydeck.engine import LSTMCell

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

BLOCKS = "ifgo"
GATE_NAMES = {"i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate"}
NAMES = {"h_prev": "h0", "c_prev": "c0", "c": "c_1", "dh": "dL/dh_1", "dc": "dL/dc_1",
         "dh_prev": "dL/dh0", "dc_prev": "dL/dc0"}


@dataclass
class Step:
    """One drawn LSTM step with its forward values and the engine's gradients."""

    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    gates: dict          # i, f, g, o (grid values)
    c1: np.ndarray
    dh: np.ndarray       # dL/dh_1
    dc: np.ndarray       # dL/dc_1
    cell: LSTMCell
    grads: dict          # the engine's backward: weight_ih, weight_hh, bias_ih, ..., h_prev, c_prev
    names: dict = field(default_factory=lambda: dict(NAMES))  # how the solution writes each value
    w: dict = field(default_factory=dict)  # the backward pass as written (written_grad.lstm_back)

    @property
    def H(self) -> int:
        return len(self.h0)

    def da(self, q: str) -> np.ndarray:
        """dL/da_q: the gradient of the pre-activation of block q (the engine's bias gradient)."""
        k = BLOCKS.index(q)
        return self.grads["bias_ih"][k * self.H:(k + 1) * self.H]


def _logit(p):
    return np.log(p) - np.log1p(-p)


def draw(seed: int, params: dict, rng=None, need_dc: bool = True) -> Step:
    """Gates on a grid, weights on a grid, biases solved; then forward and backward."""
    rng = rng_for(seed) if rng is None else rng
    D, H = sizes(rng, params)
    x, h0, c0 = grid(rng, (D,)), grid(rng, (H,), -0.9, 0.9), grid(rng, (H,), -1.5, 1.5)
    gates = {q: grid(rng, (H,), -0.9, 0.9, 0.1) if q == "g" else grid(rng, (H,), 0.05, 0.95, 0.05)
             for q in BLOCKS}
    W_ih, W_hh = grid(rng, (4 * H, D)), grid(rng, (4 * H, H))
    dh = grid(rng, (H,))
    while not np.any(dh):  # no gradient at all would make every answer 0
        dh = grid(rng, (H,))
    dc = grid(rng, (H,)) if need_dc else np.zeros(H)
    target = np.concatenate([np.arctanh(gates[q]) if q == "g" else _logit(gates[q]) for q in BLOCKS])
    cell = LSTMCell(D, H, rng=scratch())
    cell.load_state_dict({"weight_ih": W_ih, "weight_hh": W_hh,
                          "bias_ih": target - W_ih @ x - W_hh @ h0, "bias_hh": np.zeros(4 * H)})
    _, c1 = cell(x, (h0, c0))
    grads = cell.backward(dh, dc)
    return Step(x, h0, c0, gates, c1, dh, dc, cell, grads)


def given(step: Step, *, weights: bool = False, with_dc: bool = True) -> dict:
    out = {"x": pylist(step.x), "h0": pylist(step.h0), "c0": pylist(step.c0)}
    out.update({q: pylist(step.gates[q]) for q in BLOCKS})
    out["c_1"] = pylist(np.round(step.c1, 10))
    out["dL/dh_1"] = pylist(step.dh)
    if with_dc:
        out["dL/dc_1"] = pylist(step.dc)
    if weights:
        out["gate_order"] = "ifgo"
        out["weight_hh"] = pylist(step.cell.weight_hh)
    return out


def cell_values(step: Step) -> dict:
    h1 = step.gates["o"] * np.tanh(step.c1)
    return {"x": pylist(step.x), "h_prev": pylist(step.h0), "c_prev": pylist(step.c0),
            **{q: pylist(step.gates[q]) for q in BLOCKS}, "c": pylist(step.c1), "h": pylist(h1)}


def _n(v) -> str:
    return fmt.term(fmt.num(v))


def _g(v) -> str:
    """A given value as typed (0.35), a computed one with 4 decimals."""
    return fmt.term(fmt.auto(v))


def write(step: Step, ar: rounding.Arithmetic, nums: dict | None = None) -> Step:
    """Fill ``step.w``: the backward pass written with ``ar``, from exact inputs or, where
    ``nums`` gives them (i, f, g, o, c_prev, c, dh, dc), from an earlier step's written values."""
    inputs = {q: rounding.exacts(step.gates[q]) for q in BLOCKS}
    inputs.update(c_prev=rounding.exacts(step.c0), c=rounding.exacts(step.c1),
                  dh=rounding.exacts(step.dh), dc=rounding.exacts(step.dc))
    inputs.update(nums or {})
    step.w = written_grad.lstm_back(**inputs, ar=ar, W_hh=step.cell.weight_hh)
    return step


def shown(nums) -> list[float]:
    return [n.shown for n in nums]


def total_dc_lines(step: Step) -> list[str]:
    """dc = dL/dc_1 + dL/dh_1·o·(1 − tanh²c_1), component by component."""
    o, N, w = step.gates["o"], step.names, step.w
    c, dh, dc = N["c"], N["dh"], N["dc"]
    lines = [f"Everything that reaches {c}: {dc} plus the path through h = o ⊙ tanh({c})."]
    for j in range(step.H):
        t = w["tanh_c"][j].shown
        lines.append(f"tanh({c}[{j}]) = tanh({fmt.auto(step.c1[j])}) = {fmt.num(t)}")
        lines += preactivation(f"dc[{j}]", [
            Part(f"{dc}[{j}]", _g(step.dc[j]), float(step.dc[j])),
            Part(f"{dh}[{j}]·o[{j}]·(1 − tanh²{c}[{j}])",
                 f"{_g(step.dh[j])}·{_g(o[j])}·(1 − {_n(t)}²)", w["via_h"][j].shown)],
            w["dc"][j].shown)
    return lines


def total_dc(step: Step) -> list[float]:
    """dc, everything that reaches c, as the solution writes it."""
    return shown(step.w["dc"])


def gate_grad_lines(step: Step, q: str) -> list[str]:
    """da_q[j] from the chain rule, each product from the values shown before it."""
    gt, dc, lines = step.gates, total_dc(step), []
    c, c0, dh = step.names["c"], step.names["c_prev"], step.names["dh"]
    for j in range(step.H):
        val = step.w["da_" + q][j].shown
        i, f, g, o = (float(v[j]) for v in (gt["i"], gt["f"], gt["g"], gt["o"]))
        if q == "o":
            t = step.w["tanh_c"][j].shown
            text = (f"da_o[{j}] = {dh}[{j}]·tanh({c}[{j}])·o[{j}](1 − o[{j}]) = "
                    f"{_g(step.dh[j])}·{_n(t)}·{_g(o)}·{_g(1 - o)} = {fmt.num(val)}")
        elif q == "i":
            text = (f"da_i[{j}] = dc[{j}]·g[{j}]·i[{j}](1 − i[{j}]) = {_n(dc[j])}·{_g(g)}·{_g(i)}·"
                    f"{_g(1 - i)} = {fmt.num(val)}")
        elif q == "f":
            text = (f"da_f[{j}] = dc[{j}]·{c0}[{j}]·f[{j}](1 − f[{j}]) = {_n(dc[j])}·{_g(step.c0[j])}·"
                    f"{_g(f)}·{_g(1 - f)} = {fmt.num(val)}")
        else:
            text = (f"da_g[{j}] = dc[{j}]·i[{j}]·(1 − g[{j}]²) = {_n(dc[j])}·{_g(i)}·(1 − {_g(g)}²) = "
                    f"{fmt.num(val)}")
        lines.append(text)
    return lines


def cell_prev_lines(step: Step) -> list[str]:
    """dL/dc_prev = dc ⊙ f: the cell path back one step."""
    N = step.names
    return ([f"{N['c']} = f ⊙ {N['c_prev']} + i ⊙ g, so ∂{N['c']}/∂{N['c_prev']} = f (elementwise):"]
            + [f"{N['dc_prev']}[{j}] = dc[{j}]·f[{j}] = {_n(total_dc(step)[j])}·"
               f"{_g(step.gates['f'][j])} = {fmt.num(step.w['dc_prev'][j].shown)}"
               for j in range(step.H)])


def hidden_grad_lines(step: Step) -> list[str]:
    """dL/dh0[k] = Σ_q Σ_j W_hq[j, k]·da_q[j]: column k of weight_hh against all da."""
    W, H, w, lines = step.cell.weight_hh, step.H, step.w, []
    for k in range(H):
        parts = []
        for b, q in enumerate(BLOCKS):
            rows = range(b * H, (b + 1) * H)
            pieces = [f"{_g(W[r, k])}·{_n(w['da_' + q][r - b * H].shown)}" for r in rows]
            text = pieces[0] if H == 1 else "(" + " + ".join(pieces) + ")"
            parts.append(Part(f"W_h{q}[:, {k}]·da_{q}", text, w["dh_parts"][k][b].shown))
        lines += preactivation(f"{step.names['dh_prev']}[{k}]", parts, w["dh_prev"][k].shown)
    return lines


def _count(n: int) -> str:
    return "1 number" if n == 1 else f"a vector of {n} numbers"


def _setting(step: Step) -> str:
    return (f"A PyTorch LSTMCell (input_size {len(step.x)}, hidden_size {step.H}) took one step "
            f"from (h0, c0) on input x; its forward pass gave the gates i, f, g, o and the new cell "
            f"state c_1 below (h_1 = o ⊙ tanh(c_1)). From the layers and steps above arrive dL/dh_1, "
            f"everything that reaches h_1, and dL/dc_1, what reaches c_1 directly from the next "
            f"step (the path through h_1 comes on top of it).")


# extra decimals kept in intermediate values (see common.step_places): dL/dh0 sums
# sixteen rounded products, so it keeps one more
EXTRA = {"cell_state": 1, "hidden_state": 2, "gate": 1, "weight": 1}


def _written(seed: int, params: dict, what: str) -> tuple[Step, int, rounding.Arithmetic]:
    step, d = draw(seed, params), decimals_of(params)
    ar = rounding.Arithmetic(step_places(d, EXTRA[what]))
    return write(step, ar), d, ar


def cell_state(kind: str, seed: int, params: dict):
    step, d, ar = _written(seed, params, "cell_state")
    prompt = (f"{_setting(step)} Backpropagate through the step: compute dL/dc0 (as "
              f"{_count(step.H)}), {fmt.decimals_phrase(d)}. {keep_digits(d, EXTRA['cell_state'])}")
    with fmt.step_decimals(ar.places):
        steps = [total_dc_lines(step), cell_prev_lines(step)]
    exact = step.grads["c_prev"]
    return written_grad.graded(kind, seed, params, steps, prompt=prompt, given=given(step), answer=exact,
                               answer_format="vector", decimals=d, label="dL/dc0", exact_parts=[exact],
                               num_parts=[step.w["dc_prev"]], cell=cell_values(step))


def hidden_state(kind: str, seed: int, params: dict):
    step, d, ar = _written(seed, params, "hidden_state")
    prompt = (f"{_setting(step)} weight_hh (rows stacked i, f, g, o) is given too. Backpropagate "
              f"through the step: compute dL/dh0 (as {_count(step.H)}), {fmt.decimals_phrase(d)}. "
              f"{keep_digits(d, EXTRA['hidden_state'])}")
    with fmt.step_decimals(ar.places):
        steps = [total_dc_lines(step)]
        steps += [gate_grad_lines(step, q) for q in "ifgo"]
        steps[1].insert(0, "The gradient of each gate's pre-activation a_q (a = W_ih·x + b_ih + "
                           "W_hh·h0 + b_hh), block by block:")
        steps.append(["h0 enters every pre-activation through weight_hh: dL/dh0 = W_hh^T·da."]
                     + hidden_grad_lines(step))
    exact = step.grads["h_prev"]
    return written_grad.graded(kind, seed, params, steps, prompt=prompt, given=given(step, weights=True),
                               answer=exact, answer_format="vector", decimals=d, label="dL/dh0",
                               exact_parts=[exact], num_parts=[step.w["dh_prev"]], cell=cell_values(step))


def gate(kind: str, seed: int, params: dict):
    step, d, ar = _written(seed, params, "gate")
    q = params.get("gate") or BLOCKS[seed % 4]
    act = "tanh" if q == "g" else "σ"
    prompt = (f"{_setting(step)} The {GATE_NAMES[q]} is {q} = {act}(a_{q}) with the pre-activation "
              f"a_{q} = W_i{q}·x + b_i{q} + W_h{q}·h0 + b_h{q}. Compute dL/da_{q} (as "
              f"{_count(step.H)}), {fmt.decimals_phrase(d)}. {keep_digits(d, EXTRA['gate'])}")
    derivative = "1 − g²" if q == "g" else f"{q}(1 − {q})"
    with fmt.step_decimals(ar.places):
        steps = [] if q == "o" else [total_dc_lines(step)]
        steps.append([f"{act}'(a_{q}) = {derivative}; chain rule:"] + gate_grad_lines(step, q))
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
    q, j = BLOCKS[int(pick.integers(4))], int(pick.integers(step.H))
    row = BLOCKS.index(q) * step.H + j
    if name.startswith("bias"):
        entry, source, k = f"{name}[{row}]", None, None
    else:
        source = step.x if name == "weight_ih" else step.h0
        nonzero = np.flatnonzero(source)  # a zero input would make the answer 0 whatever da is
        k = int(pick.choice(nonzero)) if len(nonzero) else int(pick.integers(len(source)))
        entry = f"{name}[{row}, {k}]"
    answer = float(step.grads[name][row] if k is None else step.grads[name][row, k])
    prompt = (f"{_setting(step)} Compute dL/d{entry}: the gradient of one entry of {name} (row "
              f"{row} is {q}[{j}] of the stacked blocks i, f, g, o; 0-based), "
              f"{fmt.decimals_phrase(d)}. {keep_digits(d, EXTRA['weight'])}")
    da = step.w["da_" + q][j]
    num = written_grad.entry(ar, da) if k is None else written_grad.entry(ar, da, float(source[k]))
    with fmt.step_decimals(ar.places):
        steps = [] if q == "o" else [total_dc_lines(step)]
        steps.append([f"{entry} feeds a_{q}[{j}], the pre-activation of {q}[{j}]:"]
                     + gate_grad_lines(step, q)[j:j + 1])
        if k is None:
            last = (f"a_{q}[{j}] contains {entry} once (both bias vectors are added as they are), "
                    f"so dL/d{entry} = da_{q}[{j}] = {fmt.num(num.shown)}")
        else:
            sym = "x" if name == "weight_ih" else "h0"
            last = (f"a_{q}[{j}] contains {entry}·{sym}[{k}], so dL/d{entry} = da_{q}[{j}]·{sym}[{k}] "
                    f"= {_n(da.shown)}·{_g(source[k])} = {fmt.num(num.shown)}")
    steps.append([last])
    values = given(step)
    values["weight"] = name
    return written_grad.graded(kind, seed, params, steps, prompt=prompt, given=values, answer=answer,
                               answer_format="scalar", decimals=d, label=f"dL/d{entry}", exact_parts=[[answer]],
                               num_parts=[[num]], cell=cell_values(step))


GENERATORS = {
    "backprop.lstm_cell_state": cell_state,
    "backprop.lstm_hidden_state": hidden_state,
    "backprop.lstm_gate": gate,
    "backprop.lstm_weight": weight,
}
