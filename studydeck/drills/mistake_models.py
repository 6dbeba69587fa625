"""Which classic mistakes each kind declares, and their answers for one question.

``DECLARED[kind]`` holds a reference computation (from
:mod:`studydeck.drills.mistake_refs`) and the mistakes it can make; the
computation takes the Question and a slip and returns the answer, in the
answer's shape.  :func:`mistaken_answers` runs them for one question and keeps
those that differ from the right answer by more than the tolerance (the first
of equal ones), with the sentence from :data:`studydeck.drills.mistakes.MESSAGES`.
Grading calls it only for a wrong answer, so generating a question costs
nothing extra.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .mistake_refs import (
    Slip,
    arr,
    gru_back,
    gru_step,
    lstm_back,
    lstm_step,
    lstm_two_steps_back,
)
from .mistakes import MESSAGES
from .question import Question

Compute = Callable[[Question, Slip], object]

FORWARD_SLIPS = {
    None: Slip(),
    "tanh_for_sigmoid": Slip(gate_act="tanh"),
    "sigmoid_for_tanh": Slip(cand_act="sigmoid"),
    "no_bias_ih": Slip(drop="ih"),
    "no_bias_hh": Slip(drop="hh"),
    "order_ifog": Slip(order_ifog=True),
    "transposed": Slip(transposed=True),
    "peephole_c_prev": Slip(co_prev=True),
    "rounded_intermediates": Slip(round_to=2),
    "gru_z_swapped": Slip(z_swapped=True),
    "reset_before": Slip(reset_after=False),
    "reset_after": Slip(reset_after=True),
    "bhn_outside": Slip(bhn_outside=True),
}
BACKWARD_SLIPS = {
    None: Slip(),
    "no_h_path": Slip(no_h_path=True),
    "tanh_derivative_of_c": Slip(tanh_of_c=True),
    "no_forget_factor": Slip(no_forget=True),
    "not_transposed": Slip(transposed=True),
    "gru_z_swapped": Slip(z_swapped=True),
    "no_r_in_hn": Slip(no_r=True),
}
VARIANT_OF = {"variant.peephole_step": "vanilla", "variant.cifg_gate": "cifg",
              "variant.noaf_hidden": "noaf", "variant.no_forget_cell": "nfg"}


def _lstm(q: Question, slip: Slip) -> dict:
    g = q.given
    c0 = g.get("c0", np.zeros(len(g["h0"])))
    return lstm_step(g, g["x"], g["h0"], c0, q.variant or VARIANT_OF.get(q.kind, "standard"), slip)


def _lstm_pick(*keys: str) -> Compute:
    def compute(q, slip):
        out = _lstm(q, slip)
        return [out[k] for k in keys] if len(keys) > 1 else out[keys[0]]
    return compute


def _lstm_two_steps(q: Question, slip: Slip):
    g = q.given
    h, c = arr(g["h0"])[0], arr(g["c0"])[0]
    for x in arr(g["x"]):
        out = lstm_step(g, x, h, c, "standard", slip, "_l0")
        h, c = out["h"], out["c"]
    return [h, c]


def _gru_pick(key: str, reset_after: bool = True) -> Compute:
    return lambda q, slip: gru_step(q.given, q.given["x"], q.given["h0"], slip, reset_after)[key]


def _gru_difference(q: Question, slip: Slip):
    g = q.given
    return gru_step(g, g["x"], g["h0"], slip, True)["h"] - gru_step(g, g["x"], g["h0"], slip, False)["h"]


def _gru_hidden_update(q: Question, slip: Slip):
    z, n, h0 = (arr(q.given[k]) for k in ("z", "n", "h0"))
    return z * n + (1 - z) * h0 if slip.z_swapped else (1 - z) * n + z * h0


_ENTRY = re.compile(r"dL/d(weight_ih|weight_hh|bias_ih|bias_hh)\[(\d+)(?:, (\d+))?\]")
_GATE = re.compile(r"Compute dL/da_(\w)")


def _entry_grad(q: Question, da: np.ndarray, da_hh: np.ndarray) -> float:
    """The gradient of the entry the prompt names, from da (input side) and da_hh (hidden side)."""
    name, row, col = _ENTRY.search(q.prompt).groups()
    d = da_hh if name.endswith("_hh") else da
    if col is None:
        return float(d[int(row)])
    source = arr(q.given["x"] if name == "weight_ih" else q.given["h0"])
    return float(d[int(row)] * source[int(col)])


def _gate_block(q: Question, da: np.ndarray, order: str) -> np.ndarray:
    H, k = len(q.given["h0"]), order.index(_GATE.search(q.prompt).group(1))
    return da[k * H:(k + 1) * H]


def _lstm_back(what: str) -> Compute:
    def compute(q, slip):
        out = lstm_back(q.given, slip)
        if what == "gate":
            return _gate_block(q, out["da"], "ifgo")
        if what == "weight":
            return _entry_grad(q, out["da"], out["da"])
        return out[what]
    return compute


def _gru_back(what: str) -> Compute:
    def compute(q, slip):
        out = gru_back(q.given, slip)
        if what == "gate":
            return _gate_block(q, out["da"], "rzn")
        if what == "weight":
            return _entry_grad(q, out["da"], out["da_hh"])
        return out[what]
    return compute


def _clip(q: Question, mode) -> list:
    """clip_grad_norm_ (mode None), each tensor by its own norm, or without the cap at 1."""
    grads = [arr(q.given["weight.grad"]), arr(q.given["bias.grad"])]
    max_norm = q.given["max_norm"]
    if mode == "per_tensor":
        return [v * min(1.0, max_norm / (float(np.sqrt(v @ v)) + 1e-6)) for v in grads]
    coef = max_norm / (float(np.sqrt(sum(float(v @ v) for v in grads))) + 1e-6)
    return [v * (coef if mode == "uncapped" else min(coef, 1.0)) for v in grads]


@dataclass(frozen=True)
class Declared:
    """A kind's reference computation and the mistakes it can make: ``compute(q, slips[name])``
    gives mistake ``name``'s answer; ``compute(q, slips[None])`` the right one (a test checks it)."""

    compute: Compute
    names: tuple[str, ...]
    slips: dict = field(default_factory=lambda: FORWARD_SLIPS)


def _declare(compute: Compute, names: list[str], slips=FORWARD_SLIPS) -> Declared:
    return Declared(compute, tuple(names), slips)


LSTM_GATE = ["tanh_for_sigmoid", "no_bias_ih", "no_bias_hh", "order_ifog", "transposed",
             "rounded_intermediates"]
LSTM_STEP = ["tanh_for_sigmoid", "sigmoid_for_tanh", "no_bias_ih", "no_bias_hh", "order_ifog",
             "transposed", "peephole_c_prev", "rounded_intermediates"]
GRU_STEP = ["tanh_for_sigmoid", "sigmoid_for_tanh", "no_bias_ih", "no_bias_hh", "transposed",
            "rounded_intermediates"]
CLIP_SLIPS = {None: None, "clip_per_tensor": "per_tensor", "clip_uncapped": "uncapped"}

DECLARED: dict[str, Declared] = {
    **{f"lstm.{name}": _declare(_lstm_pick(q), LSTM_GATE)
       for name, q in (("forget_gate", "f"), ("input_gate", "i"), ("output_gate", "o"))},
    "lstm.candidate": _declare(_lstm_pick("g"), ["sigmoid_for_tanh"] + LSTM_GATE[1:]),
    "lstm.step": _declare(_lstm_pick("h", "c"), LSTM_STEP),
    "lstm.two_steps": _declare(_lstm_two_steps, LSTM_STEP),
    "variant.peephole_step": _declare(_lstm_pick("h", "c"), LSTM_STEP),
    "variant.cifg_gate": _declare(_lstm_pick("f"), LSTM_GATE),
    "variant.noaf_hidden": _declare(_lstm_pick("h"), LSTM_STEP),
    "variant.no_forget_cell": _declare(_lstm_pick("c"), LSTM_STEP),
    **{f"greff.{v}": _declare(_lstm_pick("h", "c"), LSTM_STEP)
       for v in ("nig", "nfg", "nog", "niaf", "noaf", "np", "cifg", "fgr")},
    "gru.reset_gate": _declare(_gru_pick("r"), ["tanh_for_sigmoid", "no_bias_ih", "no_bias_hh",
                                                "transposed", "rounded_intermediates"]),
    "gru.update_gate": _declare(_gru_pick("z"), ["tanh_for_sigmoid", "no_bias_ih", "no_bias_hh",
                                                 "transposed", "rounded_intermediates"]),
    "gru.candidate": _declare(_gru_pick("n"), ["reset_before", "bhn_outside"] + GRU_STEP),
    "gru.hidden_update": _declare(_gru_hidden_update, ["gru_z_swapped"]),
    "gru.reset_before": _declare(_gru_pick("h", reset_after=False),
                                 ["gru_z_swapped", "reset_after"] + GRU_STEP),
    "gru.reset_convention_difference": _declare(_gru_difference, ["gru_z_swapped"] + GRU_STEP),
    "backprop.lstm_cell_state": _declare(_lstm_back("dc0"), [
        "no_h_path", "tanh_derivative_of_c", "no_forget_factor"], BACKWARD_SLIPS),
    "backprop.lstm_hidden_state": _declare(_lstm_back("dh0"), [
        "no_h_path", "tanh_derivative_of_c", "not_transposed"], BACKWARD_SLIPS),
    "backprop.lstm_gate": _declare(_lstm_back("gate"), ["no_h_path", "tanh_derivative_of_c"],
                                   BACKWARD_SLIPS),
    "backprop.lstm_weight": _declare(_lstm_back("weight"), ["no_h_path", "tanh_derivative_of_c"],
                                     BACKWARD_SLIPS),
    "backprop.lstm_two_steps": _declare(lambda q, s: lstm_two_steps_back(q.given, s), [
        "no_h_path", "tanh_derivative_of_c", "not_transposed"], BACKWARD_SLIPS),
    "backprop.gru_hidden_state": _declare(_gru_back("dh0"), [
        "gru_z_swapped", "no_r_in_hn", "not_transposed"], BACKWARD_SLIPS),
    "backprop.gru_gate": _declare(_gru_back("gate"), ["gru_z_swapped"], BACKWARD_SLIPS),
    "backprop.gru_weight": _declare(_gru_back("weight"), ["gru_z_swapped", "no_r_in_hn"],
                                    BACKWARD_SLIPS),
    "grad.clip_norm": _declare(_clip, ["clip_per_tensor", "clip_uncapped"], CLIP_SLIPS),
}


def _plain(value) -> object:
    """An answer as plain floats in the question's shape (a float, a list, a list of lists)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value.tolist()


def _flat(value) -> list[float]:
    if isinstance(value, list):
        return [x for v in value for x in _flat(v)]
    return [float(value)]


def _same(a: list[float], b: list[float], tolerance: float) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= tolerance for x, y in zip(a, b))


def mistaken_answers(question: Question) -> list[dict]:
    """The declared mistakes that give a wrong answer for this question, first of equals kept."""
    out, seen = [], [_flat(question.answer)]
    declared = DECLARED[question.kind]
    for name in declared.names:
        answer = _plain(declared.compute(question, declared.slips[name]))
        flat = _flat(answer)
        if not all(np.isfinite(flat)) or any(_same(flat, s, question.tolerance) for s in seen):
            continue
        seen.append(flat)
        out.append({"name": name, "message": MESSAGES[name], "answer": answer})
    return out
