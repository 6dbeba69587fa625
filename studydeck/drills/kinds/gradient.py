"""Gradient kinds: the cell-state path, the sigmoid-chain bound, steps below a threshold.

    c_t = f_t ⊙ c_(t-1) + i_t ⊙ g_t   ⇒   ∂c_t/∂c_(t-1) = diag(f_t) along the cell path
    ∂c_k/∂c_0 = f_1 · f_2 · … · f_k     (one unit, no recurrent weights)
    σ'(x) = σ(x)(1 − σ(x)) ≤ σ'(0) = 0.25  ⇒  a chain of k sigmoid derivatives ≤ 0.25^k
    smallest k with f^k < ε:  k = ⌊ln ε / ln f⌋ + 1   (f rounded to 4 decimals, as prompted)

The cell-path product is the engine's own backward pass: an LSTM with one unit,
W_hh = 0 (so the only path from c_0 to c_k is the cell state) and forget-gate
pre-activations logit(f_t) fed in through x_t.
"""

from __future__ import annotations

import math

import numpy as np

from studydeck.engine import LSTM, sigmoid, sigmoid_derivative

from .. import fmt
from ..common import example_number, grid, question, rng_for, scratch


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
    places = max(6, d + 2)  # the running product is written with these decimals
    f = grid(rng, (k,), 0.5, 0.95, 0.05)
    answer = _cell_path_product(f)
    lines = ["c_t = f_t·c_(t-1) + i_t·g_t, so ∂c_t/∂c_(t-1) = f_t along the cell path "
             "(no tanh, no weight matrix on it).",
             f"∂c_{k}/∂c_0 = " + " · ".join(f"f_{t + 1}" for t in range(k))]
    running = float(f[0])
    lines.append(f"after step 1: {fmt.given(f[0])}")
    for t in range(1, k):
        new = float(fmt.num(running * float(f[t]), places))
        lines.append(f"after step {t + 1}: {fmt.num(running, places)} · {fmt.given(f[t])} = "
                     f"{fmt.num(new, places)}")
        running = new
    lines.append("The gradient shrinks geometrically unless the forget gates stay near 1.")
    prompt = (f"An LSTM unit's forget gate takes the values f_1 … f_{k} below over {k} steps. "
              f"Along the cell-state path alone (ignore paths through h), what is ∂c_{k}/∂c_0? "
              f"Answer {fmt.decimals_phrase(d)}.")
    given = {"f": [float(v) for v in f], "k": k}
    cell = {"f": [float(v) for v in f]}
    return question(kind, seed, params, prompt=prompt, given=given, answer=answer,
                    answer_format="scalar", solution=lines, decimals=d, cell=cell)


def _sig_example(answer: float, sig: int) -> str:
    """A number in the asked format (``sig`` significant figures) that is not the answer."""
    value = example_number([answer], fmt.tolerance_for_sig(answer, sig),
                           (2.44e-4, 1.37e-4, 7.29e-5))
    mantissa, exponent = f"{value:.{sig - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


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
              f"sigmoid derivatives can take? Give {sig} significant figures "
              f"(e.g. {_sig_example(answer, sig)}).")
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
    eps = repr(threshold)
    if factor == "sigmoid":
        a_f = None
        base = float(sigmoid_derivative(0.0))
        symbol = "s"
    else:
        # Prefer an a_f for which keeping more decimals of f gives the same count; the prompt
        # fixes f to 4 decimals, so the answer is defined even when no such a_f is found.
        for _ in range(100):
            a_f = float(grid(rng, (), 0.5, 3.0, 0.1))
            exact = float(sigmoid(a_f))
            if _steps(exact - 5e-5, threshold) == _steps(exact + 5e-5, threshold):
                break
        base = float(fmt.num(exact, 4))
        symbol = "f"
    k = _steps(base, threshold)
    ln_eps, ln_base = float(f"{math.log(threshold):.6f}"), float(f"{math.log(base):.6f}")
    if factor == "sigmoid":
        head = [f"Each step multiplies by at most s = σ'(0) = {fmt.given(base)}."]
        what = (f"A gradient picks up one factor σ'(a_t) ≤ 0.25 per step. In the best case (every "
                f"factor 0.25), after how many steps does the product first fall below {eps}?")
    else:
        head = [f"f = σ({fmt.given(a_f)}) = {fmt.num(base)}   (to 4 decimals, as asked)"]
        what = (f"An LSTM's forget gate has the pre-activation a_f = {fmt.given(a_f)} at every step, "
                f"so the cell-path gradient ∂c_k/∂c_0 = f^k with f = σ(a_f). Round f to 4 decimals "
                f"and use that value. After how many steps k does f^k first fall below {eps}?")
    lines = head + [f"Want the smallest k with {symbol}^k < {eps}:",
                    f"k > ln({eps}) / ln({fmt.given(base)}) = {ln_eps:.6f} / {ln_base:.6f} = "
                    f"{ln_eps / ln_base:.3f}",
                    f"Check: {symbol}^{k - 1} = {base ** (k - 1):.4g} ≥ {eps} and "
                    f"{symbol}^{k} = {base ** k:.4g} < {eps}, so k = {k}."]
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
