"""One hand-sized LSTM step run through the engine, and its worked solution.

An :class:`LSTMCase` draws x, h0, c0 and every weight on a grid of 0.1
(weights in [−1, 1], biases in [−0.5, 0.5]), loads them into the engine's
``LSTMCell`` (any Greff variant) and keeps the engine's ``trace``: every
pre-activation, gate, c, tanh(c) and h.  ``step_lines`` writes the step out:

    a_q = W_iq·x + b_iq + W_hq·h_prev + b_hq (+ w_cq ⊙ c for peepholes)
    i, f, o = σ(a_i, a_f, a_o)    g = tanh(a_g)
    c = f ⊙ c_prev + i ⊙ g        h = o ⊙ tanh(c)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studydeck.engine import LSTMCell

from .. import fmt
from ..common import as_lists, grid, pylist, rng_for, scratch, sizes
from ..solution import SIGMOID, TANH, Part, activation, gate_lines, lstm_gate_parts, product_sum

GATE_NAMES = {"i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate"}
GATE_FN = {"i": SIGMOID, "f": SIGMOID, "g": TANH, "o": SIGMOID}


@dataclass
class LSTMCase:
    input_size: int
    hidden_size: int
    cell: LSTMCell
    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    trace: dict

    @property
    def blocks(self) -> str:
        return self.cell.variant.blocks

    def rows(self, q: str) -> slice:
        """The rows of block ``q`` in the stacked weight_ih/weight_hh/bias tensors."""
        k, H = self.blocks.index(q), self.hidden_size
        return slice(k * H, (k + 1) * H)

    def row_text(self, q: str) -> str:
        r = self.rows(q)
        return f"row {r.start}" if r.stop - r.start == 1 else f"rows {r.start}–{r.stop - 1}"

    def given(self, *, with_c0: bool = True) -> dict:
        """The inputs under PyTorch's names (plus the engine's peephole names)."""
        out = {"gate_order": self.blocks, "x": pylist(self.x), "h0": pylist(self.h0)}
        if with_c0:
            out["c0"] = pylist(self.c0)
        for name, value in self.cell.state_dict().items():
            out[name] = pylist(value)
        return out

    def cell_values(self, keys="ifgoch") -> dict:
        tr = self.trace
        out = {"x": pylist(tr["x"]), "h_prev": pylist(tr["h_prev"]), "c_prev": pylist(tr["c_prev"])}
        for key in keys:
            out[key] = pylist(tr[key])
        return out


def draw(seed: int, params: dict, variant: str = "standard", peephole=None,
         x=None, h0=None, c0=None) -> LSTMCase:
    """Draw a case from ``seed`` and run one step through the engine (x, h0, c0 overridable)."""
    rng = rng_for(seed)
    I, H = sizes(rng, params)
    cell = LSTMCell(I, H, variant=variant, peephole=peephole, rng=scratch())
    state = {}
    for name, shape in cell.parameter_shapes().items():
        state[name] = grid(rng, shape, -0.5, 0.5) if name.startswith("bias") else grid(rng, shape)
    cell.load_state_dict(state)
    x = grid(rng, (I,)) if x is None else np.asarray(x, float)
    h0 = grid(rng, (H,), -0.9, 0.9) if h0 is None else np.asarray(h0, float)
    c0 = grid(rng, (H,), -1.5, 1.5) if c0 is None else np.asarray(c0, float)
    return LSTMCase(I, H, cell, x, h0, c0, as_lists(cell.trace(x, (h0, c0))))


def gate_parts(case: LSTMCase, q: str, j: int, h_name: str = "h_prev",
               c_name: str = "c_prev") -> list[Part]:
    """The summands of a_q[j], peephole terms included."""
    cell, r = case.cell, case.rows(q)
    b_ih = cell.bias_ih[r] if cell.bias else None
    b_hh = cell.bias_hh[r] if cell.bias else None
    parts = lstm_gate_parts(q, j, cell.weight_ih[r], cell.weight_hh[r], b_ih, b_hh,
                            case.trace["x"], case.trace["h_prev"], h_name)
    peep = cell.variant.peepholes
    if "c" + q in peep:
        w = float(getattr(cell, "weight_c" + q)[j])
        c_sym, c_val = ("c", case.trace["c"][j]) if q == "o" else (c_name, case.trace["c_prev"][j])
        shown = f"{fmt.term(fmt.given(w))}·{fmt.term(fmt.auto(c_val))}"
        parts.append(Part(f"w_c{q}[{j}]·{c_sym}[{j}]", shown, w * float(c_val)))
    return parts


def one_gate_lines(case: LSTMCase, q: str, h_name: str = "h_prev",
                   c_name: str = "c_prev") -> list[str]:
    tr = case.trace
    lines = []
    for j in range(case.hidden_size):
        lines += gate_lines(q, j, GATE_FN[q], gate_parts(case, q, j, h_name, c_name),
                            float(tr["a_" + q][j]), float(tr[q][j]))
    return lines


def step_lines(case: LSTMCase, h_name: str = "h_prev", c_name: str = "c_prev") -> list[str]:
    """The whole step, gate by gate, then c, tanh(c) and h, for any variant."""
    spec, tr, H = case.cell.variant, case.trace, case.hidden_size
    lines = [f"Stacked blocks {', '.join(spec.blocks)} of {H} row{'s' if H > 1 else ''} each "
             f"in weight_ih, weight_hh, bias_ih, bias_hh; {h_name} and {c_name} are the previous state."]
    late_o = "co" in spec.peepholes
    for q in "ifg" + ("" if late_o else "o"):
        if q in spec.blocks:
            lines += one_gate_lines(case, q, h_name, c_name)
    if spec.cifg:
        lines += [f"f[{j}] = 1 − i[{j}] = 1 − {fmt.num(tr['i'][j])} = {fmt.num(tr['f'][j])}"
                  for j in range(H)]
    for j in range(H):
        if "f" in spec.blocks or spec.cifg:
            lines += product_sum(f"c[{j}]", [(f"f[{j}]", f"{c_name}[{j}]", tr["f"][j], tr["c_prev"][j]),
                                             (f"i[{j}]", f"g[{j}]", tr["i"][j], tr["g"][j])],
                                 float(tr["c"][j]))
        else:
            lines.append(f"c[{j}] = {c_name}[{j}] + i[{j}]·g[{j}] = {fmt.num(tr['c_prev'][j])} + "
                         f"{fmt.term(fmt.num(tr['i'][j]))}·{fmt.term(fmt.num(tr['g'][j]))} = "
                         f"{fmt.num(tr['c'][j])}   (no forget gate: f = 1)")
    if late_o:
        lines += one_gate_lines(case, "o", h_name, c_name)
    for j in range(H):
        if spec.output_activation:
            lines.append(activation(f"tanh(c[{j}])", TANH, float(tr["c"][j]), float(tr["tanh_c"][j])))
            lines.append(f"h[{j}] = o[{j}]·tanh(c[{j}]) = {fmt.num(tr['o'][j])}·"
                         f"{fmt.term(fmt.num(tr['tanh_c'][j]))} = {fmt.num(tr['h'][j])}")
        else:
            lines.append(f"h[{j}] = o[{j}]·c[{j}] = {fmt.num(tr['o'][j])}·"
                         f"{fmt.term(fmt.num(tr['c'][j]))} = {fmt.num(tr['h'][j])}   (no tanh: NOAF)")
    return lines
