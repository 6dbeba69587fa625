"""LSTM kinds: each gate alone, the c and h updates, a full step and two steps.

PyTorch's LSTMCell (gate order i, f, g, o):

    i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
    g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
    c' = f ⊙ c + i ⊙ g                       h' = o ⊙ tanh(c')

The update kinds give the gate values directly.  Their answers still come from
the engine: a cell with zero weights whose biases are logit(gate) (atanh for
g) reproduces the given gates up to float64 rounding.
"""

from __future__ import annotations

import numpy as np

from studydeck.engine import LSTM, LSTMCell

from .. import fmt, rounding, written
from ..common import (as_lists, decimals_of, grid, keep_digits, pylist, question, rng_for, scratch,
                     sizes, step_places)
from .lstm_case import GATE_FN, GATE_NAMES, draw, one_gate_lines, step_lines
from ..solution import activation, product_sum

EQUATION = {q: f"{q} = {GATE_FN[q]}(W_i{q}·x + b_i{q} + W_h{q}·h0 + b_h{q})" for q in "ifgo"}

LONG = 2  # extra decimals kept in this long chain (see common.step_places)


def _count(n: int) -> str:
    return "1 number" if n == 1 else f"a vector of {n} numbers"


def gate(q: str):
    def generate(kind: str, seed: int, params: dict):
        case, d = draw(seed, params), decimals_of(params)
        H = case.hidden_size
        prompt = (f"A PyTorch LSTMCell (gate order i, f, g, o) with input_size {case.input_size} and "
                  f"hidden_size {H} reads x and the previous hidden state h0 below. Compute the "
                  f"{GATE_NAMES[q]} {EQUATION[q]}. W_i{q}, W_h{q}, b_i{q}, b_h{q} are the {q} block of "
                  f"the stacked tensors: {case.row_text(q)} (0-based) of weight_ih and weight_hh and "
                  f"the same entries of bias_ih and bias_hh, labelled {q}[·] below. Answer {q} as "
                  f"{_count(H)}, {fmt.decimals_phrase(d)}.")
        cell = {"x": pylist(case.x), "h_prev": pylist(case.h0), q: pylist(case.trace[q])}
        lines = [f"{q} block: {case.row_text(q)} of the stacked weights; h_prev = h0."]
        lines += one_gate_lines(case, q)
        return question(kind, seed, params, prompt=prompt, given=case.given(with_c0=False),
                        answer=case.trace[q], answer_format="vector", solution=lines, decimals=d,
                        cell=cell, labels=[q])
    return generate


def _logit(p):
    return np.log(p) - np.log1p(-p)


def _gate_cell(H: int, i, f, g, o) -> LSTMCell:
    """A cell with zero weights whose gates are exactly the given values (x = 0, h = 0)."""
    cell = LSTMCell(1, H, rng=scratch())
    cell.load_state_dict({"weight_ih": np.zeros((4 * H, 1)), "weight_hh": np.zeros((4 * H, H)),
                          "bias_ih": np.concatenate([_logit(i), _logit(f), np.arctanh(g), _logit(o)]),
                          "bias_hh": np.zeros(4 * H)})
    return cell


def _gate_values(rng, H):
    i = grid(rng, (H,), 0.05, 0.95, 0.05)
    f = grid(rng, (H,), 0.05, 0.95, 0.05)
    g = grid(rng, (H,), -0.9, 0.9, 0.1)
    o = grid(rng, (H,), 0.05, 0.95, 0.05)
    return i, f, g, o


def cell_update(kind: str, seed: int, params: dict):
    rng, d = rng_for(seed), decimals_of(params)
    _, H = sizes(rng, params, need_input=False)
    i, f, g, _ = _gate_values(rng, H)
    c0 = grid(rng, (H,), -1.5, 1.5)
    tr = _gate_cell(H, i, f, g, np.full(H, 0.5)).trace(np.zeros(1), (np.zeros(H), c0))
    c = tr["c"]
    lines = ["c = f ⊙ c_prev + i ⊙ g   (⊙: elementwise product)"]
    for j in range(H):
        lines += product_sum(f"c[{j}]", [(f"f[{j}]", f"c_prev[{j}]", f[j], c0[j]),
                                         (f"i[{j}]", f"g[{j}]", i[j], g[j])], float(c[j]))
    prompt = (f"An LSTM cell with hidden_size {H} has the gate values below and the previous cell "
              f"state c0. Compute the new cell state c = f ⊙ c0 + i ⊙ g, as {_count(H)}, "
              f"{fmt.decimals_phrase(d)}.")
    given = {"c0": pylist(c0), "f": pylist(f), "i": pylist(i), "g": pylist(g)}
    cell = {"c_prev": pylist(c0), "i": pylist(i), "f": pylist(f), "g": pylist(g), "c": pylist(c)}
    return question(kind, seed, params, prompt=prompt, given=given, answer=c,
                    answer_format="vector", solution=lines, decimals=d, cell=cell, labels=["c"])


def hidden_update(kind: str, seed: int, params: dict):
    rng, d = rng_for(seed), decimals_of(params)
    _, H = sizes(rng, params, need_input=False)
    o = grid(rng, (H,), 0.05, 0.95, 0.05)
    c = grid(rng, (H,), -2.0, 2.0, 0.1)
    # f = σ(0) = 0.5 and g = tanh(0) = 0 exactly, so c' = 0.5 · (2c) = c.
    half = np.full(H, 0.5)
    tr = _gate_cell(H, half, half, np.zeros(H), o).trace(np.zeros(1), (np.zeros(H), 2 * c))
    h = tr["h"]
    ar = rounding.Arithmetic(step_places(d))
    tanh_c = [ar.tanh(rounding.exact(v)) for v in c.tolist()]
    h_nums = [ar.mul(rounding.exact(v), t) for v, t in zip(o.tolist(), tanh_c)]
    tol = rounding.tolerance(d, h, h_nums)
    lines = ["h = o ⊙ tanh(c)"]
    with fmt.step_decimals(ar.places):
        for j in range(H):
            lines.append(activation(f"tanh(c[{j}])", "tanh", float(c[j]), tanh_c[j].shown))
            lines.append(f"h[{j}] = o[{j}]·tanh(c[{j}]) = {fmt.given(o[j])}·"
                         f"{fmt.term(fmt.num(tanh_c[j].shown))} = {fmt.num(h_nums[j].shown)}")
    lines += rounding.note(["h"], [h], [h_nums], d, tol)
    prompt = (f"An LSTM cell with hidden_size {H} has the output gate o and the new cell state c "
              f"below. Compute the hidden state h = o ⊙ tanh(c), as {_count(H)}, "
              f"{fmt.decimals_phrase(d)}. {keep_digits(d)}")
    given = {"o": pylist(o), "c": pylist(c)}
    cell = {"o": pylist(o), "c": pylist(c), "h": pylist(h)}
    return question(kind, seed, params, prompt=prompt, given=given, answer=h,
                    answer_format="vector", solution=lines, decimals=d, tolerance=tol, cell=cell,
                    labels=["h"])


def step(kind: str, seed: int, params: dict):
    case, d = draw(seed, params), decimals_of(params)
    H = case.hidden_size
    prompt = (f"A PyTorch LSTMCell (gate order i, f, g, o) with input_size {case.input_size} and "
              f"hidden_size {H} takes one step from (h0, c0) on input x. Compute h_1 and c_1 "
              f"(each {_count(H)}), {fmt.decimals_phrase(d)}. {keep_digits(d)}")
    ar = rounding.Arithmetic(step_places(d))
    shown, nums = written.lstm_case(case, ar)
    exact, bounds = [case.trace["h"], case.trace["c"]], [nums["h"], nums["c"]]
    tol = rounding.tolerance(d, exact, bounds)
    with fmt.step_decimals(ar.places):
        lines = step_lines(shown, "h0", "c0")
    lines += rounding.note(["h_1", "c_1"], exact, bounds, d, tol)
    return question(kind, seed, params, prompt=prompt, given=case.given(),
                    answer=exact, answer_format="vectors", solution=lines, decimals=d,
                    tolerance=tol, cell=case.cell_values(), labels=["h_1", "c_1"])


def two_steps(kind: str, seed: int, params: dict):
    first, d = draw(seed, params), decimals_of(params)
    rng = rng_for(seed + 1)
    x2 = grid(rng, (first.input_size,))
    tr2 = as_lists(first.cell.trace(x2, (first.trace["h"], first.trace["c"])))
    second = type(first)(first.input_size, first.hidden_size, first.cell, x2,
                         first.trace["h"], first.trace["c"], tr2)
    H = first.hidden_size
    given = {("x" if k == "x" else k if k in ("gate_order", "h0", "c0") else k + "_l0"): v
             for k, v in first.given().items()}
    given["x"] = [pylist(first.x), pylist(x2)]
    given["h0"], given["c0"] = [given["h0"]], [given["c0"]]
    prompt = (f"A PyTorch LSTM layer (one layer, gate order i, f, g, o; input_size "
              f"{first.input_size}, hidden_size {H}) reads the sequence x = (x_1, x_2) below, one "
              f"row per step (input shape (2, {first.input_size}), unbatched), starting from (h0, c0) of shape (1, {H}). "
              f"Compute h_2 and c_2 after the second step "
              f"(each {_count(H)}), {fmt.decimals_phrase(d)}. {keep_digits(d, LONG)}")
    # Step 2 of the worked solution starts from step 1's written h_1 and c_1.
    ar = rounding.Arithmetic(step_places(d, LONG))
    shown1, nums1 = written.lstm_case(first, ar)
    shown2, nums2 = written.lstm_case(second, ar, nums1["h"], nums1["c"])
    with fmt.step_decimals(ar.places):
        lines = ["Step 1: x = x_1, previous state (h0, c0)."] + step_lines(shown1, "h0", "c0")
        lines += (["Step 2: x = x_2, previous state (h_1, c_1) from step 1."]
                  + step_lines(shown2, "h_1", "c_1"))
    # The answer is nn.LSTM's (h_n, c_n) on the whole sequence; the cell replays it step by step.
    layer = LSTM(first.input_size, H, rng=scratch())
    layer.load_state_dict({k: v for k, v in given.items() if k.endswith("_l0")})
    _, (h_n, c_n) = layer(np.array(given["x"]), (np.array(given["h0"]), np.array(given["c0"])))
    exact, bounds = [h_n[0], c_n[0]], [nums2["h"], nums2["c"]]
    tol = rounding.tolerance(d, exact, bounds)
    lines += rounding.note(["h_2", "c_2"], exact, bounds, d, tol)
    cell = second.cell_values()
    return question(kind, seed, params, prompt=prompt, given=given,
                    answer=exact, answer_format="vectors", solution=lines,
                    decimals=d, tolerance=tol, cell=cell, labels=["h_2", "c_2"])


GENERATORS = {
    "lstm.forget_gate": gate("f"),
    "lstm.input_gate": gate("i"),
    "lstm.candidate": gate("g"),
    "lstm.output_gate": gate("o"),
    "lstm.cell_update": cell_update,
    "lstm.hidden_update": hidden_update,
    "lstm.step": step,
    "lstm.two_steps": two_steps,
}
