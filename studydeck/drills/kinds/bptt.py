"""Backpropagation through time over two LSTM steps, answered by the engine's nn.LSTM backward.

A one-layer LSTM reads x_1, x_2 from (h0, c0); the loss sees only h_2
(L = Σ w ⊙ h_2, so dL/dh_2 = w and dL/dc_2 = 0).  Going back:

    step 2:  dc_2 = dL/dh_2 ⊙ o_2 ⊙ (1 − tanh²c_2)       da_(q,2) as in one step
             dL/dc_1 = dc_2 ⊙ f_2                       dL/dh_1 = W_hh^T da_2
    step 1:  dc_1 = dL/dc_1 + dL/dh_1 ⊙ o_1 ⊙ (1 − tanh²c_1)
             dL/dc0 = dc_1 ⊙ f_1                        dL/dh0 = W_hh^T da_1

The answer comes from the engine's ``LSTM.backward`` on the whole sequence;
the worked solution replays it step by step with the values it writes,
rounded as the prompt prescribes (:mod:`studydeck.drills.written`, :mod:`studydeck.drills.written_grad`), and
the tolerance comes from that rounding.
"""

from __future__ import annotations

import numpy as np

from studydeck.engine import LSTM, LSTMCell

from .. import fmt, rounding, written, written_grad
from .backprop_lstm import (
    Step,
    cell_prev_lines,
    gate_grad_lines,
    hidden_grad_lines,
    total_dc_lines,
    write,
)
from ..common import (
    as_lists,
    decimals_of,
    grid,
    keep_digits,
    pylist,
    question,
    rng_for,
    scratch,
    sizes,
    step_places,
)
from .lstm_case import LSTMCase, step_lines

LONG = 2  # extra decimals kept in this long chain (see common.step_places)


def _count(n: int) -> str:
    return "1 number" if n == 1 else f"a vector of {n} numbers"


def _backward_step(cell: LSTMCell, x, fwd: dict, c_prev: list, dh: list, dc: list, names: dict,
                   ar: rounding.Arithmetic) -> Step:
    """One step backward as the solution writes it, from the forward step's written values
    ``fwd`` (written.lstm) and the written (or given) gradients arriving from above."""
    step = Step(np.asarray(x), np.asarray([v.shown for v in fwd["h_prev"]]),
                np.asarray([v.shown for v in c_prev]),
                {q: np.asarray([v.shown for v in fwd[q]]) for q in "ifgo"},
                np.asarray([v.shown for v in fwd["c"]]), np.asarray([v.shown for v in dh]),
                np.asarray([v.shown for v in dc]), cell, {}, names)
    nums = {q: fwd[q] for q in "ifgo"}
    nums.update(c_prev=c_prev, c=fwd["c"], dh=dh, dc=dc)
    return write(step, ar, nums)


def two_steps(kind: str, seed: int, params: dict):
    rng, d = rng_for(seed), decimals_of(params)
    D, H = sizes(rng, {"input_size": 1, "hidden_size": 1, **params})
    cell = LSTMCell(D, H, rng=scratch())
    cell.load_state_dict({name: grid(rng, shape, -0.5, 0.5) if name.startswith("bias")
                          else grid(rng, shape) for name, shape in cell.parameter_shapes().items()})
    xs = grid(rng, (2, D))
    h0, c0 = grid(rng, (H,), -0.9, 0.9), grid(rng, (H,), -1.5, 1.5)
    w = grid(rng, (H,))
    while not np.any(w):  # a zero loss weight would make every gradient zero
        w = grid(rng, (H,))
    # the answer: nn.LSTM over the sequence, loss on h_2 only
    layer = LSTM(D, H, rng=scratch())
    layer.load_state_dict({k + "_l0": v for k, v in cell.state_dict().items()})
    out, _ = layer(xs, (h0[None], c0[None]))
    d_out = np.zeros_like(out)
    d_out[-1] = w
    grads = layer.backward(d_out)
    answer = [grads["h0"].reshape(H), grads["c0"].reshape(H)]
    # the worked solution: forward twice, then back twice, with the values it writes
    ar = rounding.Arithmetic(step_places(d, LONG))
    tr1 = as_lists(cell.trace(xs[0], (h0, c0)))
    first = LSTMCase(D, H, cell, xs[0], h0, c0, tr1)
    shown1, fwd1 = written.lstm_case(first, ar)
    h1, c1 = np.asarray(tr1["h"]), np.asarray(tr1["c"])
    second = LSTMCase(D, H, cell, xs[1], h1, c1, as_lists(cell.trace(xs[1], (h1, c1))))
    shown2, fwd2 = written.lstm_case(second, ar, fwd1["h"], fwd1["c"])
    names2 = {"h_prev": "h_1", "c_prev": "c_1", "c": "c_2", "dh": "dL/dh_2", "dc": "dL/dc_2",
              "dh_prev": "dL/dh_1", "dc_prev": "dL/dc_1"}
    back2 = _backward_step(cell, xs[1], fwd2, fwd1["c"], rounding.exacts(w),
                           rounding.exacts(np.zeros(H)), names2, ar)
    names1 = {"h_prev": "h0", "c_prev": "c0", "c": "c_1", "dh": "dL/dh_1", "dc": "dL/dc_1",
              "dh_prev": "dL/dh0", "dc_prev": "dL/dc0"}
    back1 = _backward_step(cell, xs[0], fwd1, rounding.exacts(c0), back2.w["dh_prev"],
                           back2.w["dc_prev"], names1, ar)
    with fmt.step_decimals(ar.places):
        steps = [["Forward, step 1: x = x_1 from (h0, c0)."] + step_lines(shown1, "h0", "c0"),
                 ["Forward, step 2: x = x_2 from (h_1, c_1)."] + step_lines(shown2, "h_1", "c_1")]
        for back, t in ((back2, 2), (back1, 1)):
            lines = [f"Backward, step {t}:"] + total_dc_lines(back)
            for q in "ifgo":
                lines += gate_grad_lines(back, q)
            steps.append(lines)
            steps.append(cell_prev_lines(back) + hidden_grad_lines(back))
    tol, note = written_grad.closing(d, ["dL/dh0", "dL/dc0"], answer,
                                     [back1.w["dh_prev"], back1.w["dc_prev"]])
    steps[-1] += note
    given = {"gate_order": "ifgo", "x": pylist(xs), "h0": pylist(h0), "c0": pylist(c0)}
    given.update({k + "_l0": pylist(v) for k, v in cell.state_dict().items()})
    given["dL/dh_2"] = pylist(w)
    prompt = (f"A PyTorch LSTM layer (one layer, gate order i, f, g, o; input_size {D}, hidden_size "
              f"{H}) reads x = (x_1, x_2) below, one row per step (unbatched), from (h0, c0); "
              f"its weights carry nn.LSTM's names (weight_ih_l0...). The loss sees only "
              f"the last hidden state: dL/dh_2 is given and dL/dc_2 = 0 (no loss on c_2, no outputs "
              f"before the last). Backpropagate through both steps: compute dL/dh0 and dL/dc0 "
              f"(each {_count(H)}), {fmt.decimals_phrase(d)}. {keep_digits(d, LONG)}")
    cell_vals = {"x": pylist(xs[0]), "h_prev": pylist(h0), "c_prev": pylist(c0),
                 **{q: pylist(tr1[q]) for q in "ifgoch"}}
    return question(kind, seed, params, prompt=prompt, given=given, answer=answer,
                    answer_format="vectors", solution=[ln for s in steps for ln in s], decimals=d,
                    tolerance=tol, cell=cell_vals, labels=["dL/dh0", "dL/dc0"], hints=["\n".join(s) for s in steps])


GENERATORS = {"backprop.lstm_two_steps": two_steps}
