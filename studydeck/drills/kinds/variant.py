"""LSTM variant kinds (Greff et al. 2015), each run through the engine's LSTMCell.

    peephole (Gers & Schmidhuber 2000): i, f read w_ci ⊙ c_prev, w_cf ⊙ c_prev; o reads w_co ⊙ c
    CIFG:  f = 1 − i            (no forget-gate rows; blocks i, g, o)
    NOAF:  h = o ⊙ c            (no tanh on the cell state)
    NFG:   c = c_prev + i ⊙ g   (no forget gate, as in the 1997 LSTM; blocks i, g, o)

CIFG, NOAF and NFG are asked on PyTorch's cell without peepholes, so each
differs from nn.LSTMCell in exactly one place.
"""

from __future__ import annotations

from .. import fmt, rounding, written
from ..common import decimals_of, keep_digits, pylist, question, step_places
from .lstm_case import LSTMCase, draw, one_gate_lines, step_lines


def _count(n: int) -> str:
    return "1 number" if n == 1 else f"a vector of {n} numbers"


def _blocks_text(case: LSTMCase) -> str:
    blocks = case.blocks
    return (f"the weights stack the blocks {', '.join(blocks)} ({len(blocks)}·hidden_size rows, "
            f"labelled below)")


def _written(case: LSTMCase, d: int, keys: str, labels: list[str]):
    """The step as written with the prompt's rounding: (shown case, exact, bounds, tolerance)."""
    ar = rounding.Arithmetic(step_places(d))
    shown, nums = written.lstm_case(case, ar)
    exact = [case.trace[k] for k in keys]
    bounds = [nums[k] for k in keys]
    tol = rounding.tolerance(d, exact, bounds)
    return shown, ar.places, exact, bounds, tol, rounding.note(labels, exact, bounds, d, tol)


def peephole_step(kind: str, seed: int, params: dict):
    case, d = draw(seed, params, variant="peephole"), decimals_of(params)
    H = case.hidden_size
    prompt = (f"An LSTM cell with peephole connections (input_size {case.input_size}, hidden_size "
              f"{H}; {_blocks_text(case)}) takes one step from (h0, c0) on input x. The gates peek "
              f"at the cell state through the vectors weight_ci, weight_cf, weight_co: "
              f"a_i = W_ii·x + b_ii + W_hi·h0 + b_hi + w_ci ⊙ c0, a_f likewise with w_cf ⊙ c0, and "
              f"a_o = … + w_co ⊙ c_1 reads the NEW cell state. Otherwise as PyTorch's LSTMCell. "
              f"Compute h_1 and c_1 (each {_count(H)}), {fmt.decimals_phrase(d)}. {keep_digits(d)}")
    shown, places, exact, _, tol, note = _written(case, d, "hc", ["h_1", "c_1"])
    lines = ["Peepholes: i and f read c_prev = c0; o reads the new c, so o comes after c."]
    with fmt.step_decimals(places):
        lines += step_lines(shown, "h0", "c0")
    return question(kind, seed, params, prompt=prompt, given=case.given(),
                    answer=exact, answer_format="vectors", solution=lines + note, decimals=d,
                    tolerance=tol, cell=case.cell_values(), labels=["h_1", "c_1"])


def cifg_gate(kind: str, seed: int, params: dict):
    case, d = draw(seed, params, variant="cifg", peephole=False), decimals_of(params)
    H = case.hidden_size
    prompt = (f"A CIFG LSTM cell (coupled input and forget gate; input_size {case.input_size}, "
              f"hidden_size {H}; {_blocks_text(case)}: there are no forget-gate rows) reads x and "
              f"h0. The input gate is i = σ(W_ii·x + b_ii + W_hi·h0 + b_hi) as in PyTorch and the "
              f"forget gate is tied to it. Compute the forget gate f (as {_count(H)}), "
              f"{fmt.decimals_phrase(d)}. {keep_digits(d)}")
    tr = case.trace
    shown, places, exact, _, tol, note = _written(case, d, "f", ["f"])
    lines = ["CIFG: f = 1 − i, so only the input gate has weights; h_prev = h0."]
    with fmt.step_decimals(places):
        lines += one_gate_lines(shown, "i")
        lines += [f"f[{j}] = 1 − i[{j}] = 1 − {fmt.num(shown.trace['i'][j])} = "
                  f"{fmt.num(shown.trace['f'][j])}" for j in range(H)]
    cell = {"x": pylist(tr["x"]), "h_prev": pylist(tr["h_prev"]), "i": pylist(tr["i"]),
            "f": pylist(tr["f"])}
    return question(kind, seed, params, prompt=prompt, given=case.given(with_c0=False),
                    answer=exact[0], answer_format="vector", solution=lines + note, decimals=d,
                    tolerance=tol, cell=cell, labels=["f"])


def noaf_hidden(kind: str, seed: int, params: dict):
    case, d = draw(seed, params, variant="noaf", peephole=False), decimals_of(params)
    H = case.hidden_size
    prompt = (f"A NOAF LSTM cell (no output activation function; input_size {case.input_size}, "
              f"hidden_size {H}; gate order i, f, g, o as in PyTorch) takes one step from "
              f"(h0, c0) on input x. Everything is as in PyTorch's LSTMCell except h = o ⊙ c "
              f"(no tanh). Compute h_1 (as {_count(H)}), {fmt.decimals_phrase(d)}. {keep_digits(d)}")
    shown, places, exact, _, tol, note = _written(case, d, "h", ["h_1"])
    with fmt.step_decimals(places):
        lines = step_lines(shown, "h0", "c0")
    return question(kind, seed, params, prompt=prompt, given=case.given(), answer=exact[0],
                    answer_format="vector", solution=lines + note, decimals=d, tolerance=tol,
                    cell=case.cell_values(), labels=["h_1"])


def no_forget_cell(kind: str, seed: int, params: dict):
    case, d = draw(seed, params, variant="nfg", peephole=False), decimals_of(params)
    H = case.hidden_size
    prompt = (f"An LSTM cell without a forget gate, as in the 1997 LSTM (input_size "
              f"{case.input_size}, hidden_size {H}; {_blocks_text(case)}). Nothing scales the old "
              f"cell state down: c_1 = c0 + i ⊙ g, with i = σ(W_ii·x + b_ii + W_hi·h0 + b_hi) and "
              f"g = tanh(W_ig·x + b_ig + W_hg·h0 + b_hg) as in PyTorch (the 1997 cell squashed its "
              f"input with a scaled logistic function instead of tanh). Compute c_1 (as "
              f"{_count(H)}), {fmt.decimals_phrase(d)}. {keep_digits(d)}")
    shown, places, exact, _, tol, note = _written(case, d, "c", ["c_1"])
    tr = shown.trace
    with fmt.step_decimals(places):
        lines = one_gate_lines(shown, "i", "h0") + one_gate_lines(shown, "g", "h0")
        lines += [f"c[{j}] = c0[{j}] + i[{j}]·g[{j}] = {fmt.auto(tr['c_prev'][j])} + "
                  f"{fmt.num(tr['i'][j])}·{fmt.term(fmt.num(tr['g'][j]))} = {fmt.num(tr['c'][j])}"
                  for j in range(H)]
    lines.append("c moves by i ⊙ g, which can be negative: without a forget gate the state is "
                 "never scaled down, but it can still shrink, or drift without bound over many steps.")
    cell = case.cell_values("igc")
    return question(kind, seed, params, prompt=prompt, given=case.given(), answer=exact[0],
                    answer_format="vector", solution=lines + note, decimals=d, tolerance=tol,
                    cell=cell, labels=["c_1"])


GENERATORS = {
    "variant.peephole_step": peephole_step,
    "variant.cifg_gate": cifg_gate,
    "variant.noaf_hidden": noaf_hidden,
    "variant.no_forget_cell": no_forget_cell,
}
