"""Naming the mistake behind a wrong answer.  Numpy-free: grading imports it.

Each kind may declare alternative computations, classic mistakes, in
:mod:`studydeck.drills.mistake_models`.  When an answer is wrong,
:func:`diagnose` recomputes the question under each of them (that module and
numpy load then, and only then), compares the answer with theirs (same
tolerance) and then with the right answer under wrong rounding or the wrong
sign, and returns the first sentence that fits:

    "This is what you get with the update gate's roles swapped: ..."

``MESSAGES`` is the one place for the sentences.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .fmt import round_half_up

MESSAGES: dict[str, str] = {
    "gru_z_swapped": (
        "This is what you get with the update gate's roles swapped, h' = z ⊙ n + (1 − z) ⊙ h: some "
        "texts write the GRU that way, but PyTorch (like Keras and Cho et al. 2014) lets z keep the "
        "old state, h' = (1 − z) ⊙ n + z ⊙ h."),
    "tanh_for_sigmoid": (
        "This is what you get with tanh where σ belongs: the gates (i, f, o; r, z for a GRU) use "
        "the logistic σ."),
    "sigmoid_for_tanh": (
        "This is what you get with σ where tanh belongs: the candidate (g; n for a GRU) uses tanh."),
    "no_bias_hh": (
        "This is what you get with bias_hh left out: PyTorch adds both bias vectors, bias_ih and "
        "bias_hh."),
    "no_bias_ih": (
        "This is what you get with bias_ih left out: PyTorch adds both bias vectors, bias_ih and "
        "bias_hh."),
    "peephole_c_prev": (
        "This is what you get with c_(t−1) in the output gate's peephole: w_co multiplies the new "
        "cell state c_t, so o is computed after c."),
    "order_ifog": (
        "This is what you get reading the stacked blocks as i, f, o, g: PyTorch stacks them i, f, "
        "g, o, so the third block is the candidate g and the fourth the output gate."),
    "transposed": (
        "This is what you get with the weights transposed: row j of a block of weight_hh "
        "(weight_ih) belongs to unit j, so a unit's sum runs along a row, W·h, not along a column."),
    "not_transposed": (
        "This is what you get with W_hh where its transpose belongs: going back, h0[k] collects "
        "column k of weight_hh against the pre-activations' gradients (W_hhᵀ, not W_hh)."),
    "rounded_intermediates": (
        "This is what you get rounding the intermediate values to 2 decimals: keep at least 4 "
        "(or as many as the question says) until the end."),
    "reset_before": (
        "This is what you get applying the reset gate before the product, W_hn·(r ⊙ h) (Cho et al. "
        "2014, Keras reset_after=False): PyTorch computes r ⊙ (W_hn·h + b_hn)."),
    "bhn_outside": (
        "This is what you get adding b_hn beside b_in: in PyTorch's GRU b_hn sits inside "
        "r ⊙ (W_hn·h + b_hn), so the reset gate scales it and it cannot be merged with b_in."),
    "reset_after": (
        "This is what you get applying the reset gate after the product, r ⊙ (W_hn·h + b_hn) "
        "(PyTorch's convention): this question asks for the reset-before form W_hn·(r ⊙ h) + b_hn."),
    "no_h_path": (
        "This is what you get leaving out the path through the hidden state: dL/dh_t also reaches "
        "c_t through h_t = o ⊙ tanh(c_t), adding dL/dh_t ⊙ o ⊙ (1 − tanh²c_t)."),
    "tanh_derivative_of_c": (
        "This is what you get with 1 − c² for the derivative of tanh(c): it is 1 − tanh²(c)."),
    "no_forget_factor": (
        "This is what you get stopping at c_t: going back to c_(t−1) multiplies by the forget "
        "gate f, since c_t = f ⊙ c_(t−1) + i ⊙ g."),
    "no_r_in_hn": (
        "This is what you get leaving r out of the W_hn path: r multiplies W_hn·h + b_hn, so the "
        "gradient reaching h through it is W_hnᵀ·(r ⊙ da_n)."),
    "clip_per_tensor": (
        "This is what you get clipping each tensor by its own norm: clip_grad_norm_ takes one norm "
        "over all the gradients together."),
    "clip_uncapped": (
        "This is what you get scaling gradients up to max_norm: the coefficient is capped at 1, so "
        "gradients whose total norm is below max_norm stay as they are."),
    "sign": "This is the right size with the wrong sign.",
    "truncated": "This is the answer cut off instead of rounded: round the last digit.",
}


def fewer_decimals_message(decimals: int) -> str:
    return (f"This is the answer rounded to {decimals} decimal{'s' if decimals != 1 else ''}: "
            f"give the decimals the question asks for.")


def _flat(value: Any) -> list[float]:
    if isinstance(value, list):
        return [x for v in value for x in _flat(v)]
    return [float(value)]


def _matches(got: list[float], want: list[float], tolerance: float) -> bool:
    return len(got) == len(want) and all(abs(g - w) <= tolerance for g, w in zip(got, want))


_DECIMALS = re.compile(r"\bto (\d+) decimals?\b")


def _decimals_asked(question) -> int | None:
    """The decimals the prompt asks for ("to 3 decimals"), None if it asks for none."""
    m = _DECIMALS.search(question.prompt)
    return int(m.group(1)) if m else None


def declared_answers(question) -> list[dict]:
    """The answers of the mistakes the question's kind declares: {"name", "message", "answer"}."""
    from .mistake_models import (  # numpy: only for a wrong answer
        DECLARED,
        mistaken_answers,
    )

    return mistaken_answers(question) if question.kind in DECLARED else []


def diagnose(question, got: Any) -> str:
    """The sentence naming the classic mistake a wrong answer matches, or ""."""
    if question.answer_format not in ("scalar", "vector", "vectors"):
        return ""
    have, want, tol = _flat(got), _flat(question.answer), question.tolerance
    for mistake in declared_answers(question):
        if _matches(have, _flat(mistake["answer"]), tol):
            return mistake["message"]
    if any(abs(w) > tol for w in want) and _matches(have, [-w for w in want], tol):
        return MESSAGES["sign"]
    asked = _decimals_asked(question)
    if asked is not None:
        for d in range(asked - 1, -1, -1):
            if _matches(have, [round_half_up(w, d) for w in want], 1e-9):
                return fewer_decimals_message(d)
        scale = 10.0 ** asked
        cut = [math.trunc(w * scale) / scale for w in want]
        if _matches(have, cut, 1e-9) and not _matches(cut, want, tol):
            return MESSAGES["truncated"]
    return ""
