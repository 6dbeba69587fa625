"""Gradient kinds: the cell-state path, the sigmoid-chain bound, steps below a threshold.

    c_t = f_t ⊙ c_(t-1) + i_t ⊙ g_t   ⇒   ∂c_t/∂c_(t-1) = diag(f_t) along the cell path
    ∂c_k/∂c_0 = f_1 · f_2 · … · f_k     (one unit, no recurrent weights)
    σ'(x) = σ(x)(1 − σ(x)) ≤ σ'(0) = 0.25  ⇒  a chain of k sigmoid derivatives ≤ 0.25^k
    smallest k with a^k < ε:  k = ⌊ln ε / ln a⌋ + 1

The cell-path product is the engine's own backward pass: an LSTM with one unit,
W_hh = 0 (so the only path from c_0 to c_k is the cell state) and forget-gate
pre-activations logit(f_t) fed in through x_t.
"""

from __future__ import annotations

import math

import numpy as np

from studydeck.engine import LSTM, sigmoid, sigmoid_derivative

from . import fmt
from .common import grid, question, rng_for, scratch


def _cell_path_product(f: np.ndarray) -> float:
    """∂c_k/∂c_0 from the engine: x_t = logit(f_t) drives the forget gate; W_hh = 0."""
    k = len(f)
    lstm = LSTM(1, 1, rng=scratch())
    W_ih = np.zeros((4, 1))
    W_ih[1, 0] = 1.0  # the f row reads x
    lstm.load_state_dict({"weight_ih_l0": W_ih, "weight_hh_l0": np.zeros((4, 1)),
                          "bias_ih_l0": np.zeros(4), "bias_hh_l0": np.zeros(4)})
    x = (np.log(f) - np.log1p(-f)).reshape(k, 1)
    out, (h_n, c_n) = lstm(x, (np.zeros((1, 1)), np.full((1, 1), 0.5)))
    grads = lstm.backward(np.zeros_like(out), None, np.ones_like(c_n))
    return float(grads["c0"].reshape(-1)[0])


def cell_state_product(kind: str, seed: int, params: dict):
    rng = rng_for(seed)
    k = int(params.get("k", rng.integers(2, 6)))
    d = int(params.get("decimals", 4))
    f = grid(rng, (k,), 0.5, 0.95, 0.05)
    answer = _cell_path_product(f)
    lines = ["c_t = f_t·c_(t-1) + i_t·g_t, so ∂c_t/∂c_(t-1) = f_t along the cell path "
             "(no tanh, no weight matrix on it).",
             f"∂c_{k}/∂c_0 = " + " · ".join(f"f_{t + 1}" for t in range(k))]
    running = 1.0
    for t in range(k):
        new = running * float(f[t])
        if t:
            lines.append(f"after step {t + 1}: {fmt.num(running, 6)} · {fmt.given(f[t])} = {fmt.num(new, 6)}")
        else:
            lines.append(f"after step 1: {fmt.given(f[0])}")
        running = new
    lines.append("The gradient shrinks geometrically unless the forget gates stay near 1.")
    prompt = (f"An LSTM unit's forget gate takes the values f_1 … f_{k} below over {k} steps. "
              f"Along the cell-state path alone (ignore paths through h), what is ∂c_{k}/∂c_0? "
              f"Answer {fmt.decimals_phrase(d)}.")
    given = {"f": [float(v) for v in f], "k": k}
    cell = {"f": [float(v) for v in f]}
    return question(kind, seed, params, prompt=prompt, given=given, answer=answer,
                    answer_format="scalar", solution=lines, decimals=d, cell=cell)


def sigmoid_bound(kind: str, seed: int, params: dict):
    rng = rng_for(seed)
    k = int(params.get("k", rng.integers(2, 13)))
    sig = int(params.get("sig", 3))
    peak = float(sigmoid_derivative(0.0))
    answer = peak ** k
    s0 = float(sigmoid(0.0))
    lines = ["σ'(x) = σ(x)(1 − σ(x)) is largest where σ(x) = 0.5, i.e. at x = 0:",
             f"σ'(0) = {fmt.given(s0)} · {fmt.given(1 - s0)} = {fmt.given(peak)}",
             f"So each factor is at most {fmt.given(peak)}, and the chain is at most "
             f"{fmt.given(peak)}^{k} = {answer:.6g}",
             f"To {sig} significant figures: {fmt.sig_text(answer, sig)}"]
    prompt = (f"A gradient flows back through a chain of k = {k} sigmoids, picking up one factor "
              f"σ'(a_t) per step (weights aside). What is the largest value the product of the {k} "
              f"sigmoid derivatives can take? Give {sig} significant figures (e.g. 2.44e-4).")
    return question(kind, seed, params, prompt=prompt, given={"k": k}, answer=answer,
                    answer_format="scalar", solution=lines,
                    tolerance=fmt.tolerance_for_sig(answer, sig),
                    answer_text=fmt.sig_text(answer, sig))


def _steps(a: float, threshold: float) -> int:
    """The smallest k with a^k < threshold, by repeated multiplication."""
    k, p = 0, 1.0
    while p >= threshold:
        p *= a
        k += 1
    return k


THRESHOLDS = (0.1, 0.01, 0.001)


def steps_below_threshold(kind: str, seed: int, params: dict):
    rng = rng_for(seed)
    factor = params.get("factor", "forget" if rng.integers(3) else "sigmoid")
    drawn_threshold = float(rng.choice(THRESHOLDS if factor == "forget" else (1e-3, 1e-6, 1e-9)))
    threshold = float(params.get("threshold", drawn_threshold))
    if factor == "sigmoid":
        a_f = None
        a = float(sigmoid_derivative(0.0))
    else:
        # Redraw until rounding f to 4 decimals cannot change the answer.
        for _ in range(100):
            a_f = float(grid(rng, (), 0.5, 3.0, 0.1))
            a = float(sigmoid(a_f))
            if _steps(a - 5e-5, threshold) == _steps(a, threshold) == _steps(a + 5e-5, threshold):
                break
    k = _steps(a, threshold)
    ratio = math.log(threshold) / math.log(a)
    if factor == "sigmoid":
        head = [f"Each step multiplies by at most σ'(0) = {fmt.given(a)}."]
        what = (f"A gradient picks up one factor σ'(a_t) ≤ 0.25 per step. In the best case (every "
                f"factor 0.25), after how many steps does the product first fall below {threshold:g}?")
    else:
        head = [f"f = σ({fmt.given(a_f)}) = {fmt.num(a)}"]
        what = (f"An LSTM's forget gate has the pre-activation a_f = {fmt.given(a_f)} at every step, "
                f"so the cell-path gradient ∂c_k/∂c_0 = f^k with f = σ(a_f). After how many steps "
                f"k does it first fall below {threshold:g}?")
    lines = head + [f"Want the smallest k with a^k < {threshold:g}, a = {fmt.num(a)}:",
                    f"k > ln({threshold:g}) / ln({fmt.num(a)}) = {math.log(threshold):.4f} / "
                    f"{math.log(a):.4f} = {ratio:.3f}",
                    f"Check: a^{k - 1} = {a ** (k - 1):.4g} ≥ {threshold:g} and a^{k} = {a ** k:.4g} "
                    f"< {threshold:g}."]
    given = {"factor": factor, "threshold": threshold}
    if a_f is not None:
        given["a_f"] = a_f
    return question(kind, seed, params, prompt=what + " Answer a whole number.", given=given,
                    answer=k, answer_format="integer", solution=lines)


GENERATORS = {
    "grad.cell_state_product": cell_state_product,
    "grad.sigmoid_bound": sigmoid_bound,
    "grad.steps_below_threshold": steps_below_threshold,
}
