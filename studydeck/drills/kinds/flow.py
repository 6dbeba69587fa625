"""How gradients flow back in time: forget gates near 1 or 0, exploding or vanishing
products, and clipping by norm.

    cell path:   ∂c_k/∂c_0 = f_1 · f_2 ⋯ f_k          (one unit, paths through h left out)
    RNN:         ∂h_k/∂h_0 = Π_t w·φ'(a_t)           (h_t = φ(a_t), a_t = w·h_(t−1) + u·x_t)
    clipping:    ‖g‖ = √(Σ over every tensor of g²),  g ← g · min(1, max_norm / (‖g‖ + 1e-6))

The first two are the engine's backward passes (an LSTM whose forget gate is
driven by x, an nn.RNN with one unit); :func:`clip_grad_norm` follows
``torch.nn.utils.clip_grad_norm_`` (norm of all gradients together, the 1e-6,
the coefficient capped at 1), checked against it by committed fixtures.
"""

from __future__ import annotations

import math

import numpy as np

from studydeck.engine import LSTM, RNN

from .. import fmt
from ..common import decimals_of, grid, pylist, question, rng_for, scratch

CLIP_EPS = 1e-6  # torch.nn.utils.clip_grad_norm_ adds it to the norm


def cell_path(f) -> float:
    """∂c_k/∂c_0 from the engine's LSTM backward: x_t = logit(f_t) drives the forget gate, W_hh = 0."""
    f = np.asarray(f, dtype=float)
    lstm = LSTM(1, 1, rng=scratch())
    W_ih = np.zeros((4, 1))
    W_ih[1, 0] = 1.0  # the f row reads x
    lstm.load_state_dict({"weight_ih_l0": W_ih, "weight_hh_l0": np.zeros((4, 1)),
                          "bias_ih_l0": np.zeros(4), "bias_hh_l0": np.zeros(4)})
    out, (_, c_n) = lstm((np.log(f) - np.log1p(-f)).reshape(-1, 1), (np.zeros((1, 1)), np.full((1, 1), 0.5)))
    grads = lstm.backward(np.zeros_like(out), None, np.ones_like(c_n))
    return float(grads["c0"].reshape(-1)[0])


def _sig(params: dict, default: int = 3) -> int:
    return int(params.get("sig", default))


def sig_text(value: float, sig: int) -> str:
    """``value`` to ``sig`` significant figures; e-notation (4.70e7, 1.82e3, 1.23e-5) when the
    plain form would show more figures (an integer part longer than ``sig``) or is very small."""
    if value == 0:
        return fmt.sig_text(value, sig)
    rounded = f"{value:.{sig - 1}e}"
    mantissa, exponent = rounded.split("e")
    power = int(exponent)
    if power < -3 or power >= sig:
        return f"{mantissa}e{power}"
    return fmt.num(float(rounded), sig - 1 - power)


def sig_hint(answer: float, sig: int) -> str:
    """The answer format with an example far from the answer (another power of ten)."""
    example = 4.56e-5 if abs(answer) >= 1 else 4.56e5
    return f"a number with {sig} significant figures, e.g. {sig_text(example, sig)}"


def forget_extremes(kind: str, seed: int, params: dict):
    rng = rng_for(seed)
    k = int(params.get("k", rng.integers(2, 7)))
    f_open = float(rng.choice([0.9, 0.95, 0.97, 0.98, 0.99]))
    f_shut = float(rng.choice([0.05, 0.1, 0.15, 0.2, 0.3]))
    sig = _sig(params)
    keep, cut = cell_path(np.full(k, f_open)), cell_path(np.full(k, f_shut))
    answer = keep / cut
    text = sig_text(answer, sig)
    prompt = (f"Two LSTM units run for k = {k} steps. Unit A's forget gate stays at f = "
              f"{fmt.given(f_open)} (nearly open: it keeps its cell state); unit B's stays at f = "
              f"{fmt.given(f_shut)} (nearly shut: it wipes it). Along the cell-state path alone "
              f"(c_t = f_t ⊙ c_(t−1) + i_t ⊙ g_t; paths through h left out), how many times larger is "
              f"A's ∂c_{k}/∂c_0 than B's? Give {sig} significant figures.")
    steps = [["Along the cell path ∂c_t/∂c_(t−1) = f_t, so ∂c_k/∂c_0 = f_1·f_2⋯f_k = f^k here."],
             [f"A: {fmt.given(f_open)}^{k} = {keep:.6g}   (near 1: the gradient survives the {k} steps)",
              (f"B: {fmt.given(f_shut)}^{k} = {cut:.6g}   (near 0: each step cuts it by a factor "
              f"{1 / f_shut:.3g})")],
             [f"A / B = ({fmt.given(f_open)} / {fmt.given(f_shut)})^{k} = {answer:.6g}",
              f"To {sig} significant figures: {text}",
              ("A shut forget gate erases the memory and, with it, the gradient along the cell path; "
              "only gates held near 1 carry it back over many steps.")]]
    return question(kind, seed, params, prompt=prompt,
                    given={"k": k, "f_A": f_open, "f_B": f_shut}, answer=answer,
                    answer_format="scalar", solution=[ln for s in steps for ln in s],
                    tolerance=fmt.tolerance_for_sig(answer, sig), answer_text=text,
                    hint=sig_hint(answer, sig),
                    hints=["\n".join(s) for s in steps], cell={"f": [f_open] * k})


def rnn_product(kind: str, seed: int, params: dict):
    """∂h_k/∂h_0 of a one-unit RNN: w^k with relu in its linear part, Π w(1 − h_t²) with tanh."""
    rng = rng_for(seed)
    grows = bool(rng.integers(2))
    nonlinearity = params.get("nonlinearity") or ("relu" if rng.integers(2) else "tanh")
    sig = _sig(params)
    if nonlinearity == "relu":
        k = int(params.get("k", rng.integers(10, 31)))
        w = float(rng.choice([1.1, 1.2, 1.3, 1.5] if grows else [0.5, 0.7, 0.8, 0.9]))
        u, xs, h0 = 1.0, grid(rng, (k,), 0.1, 1.0), 0.5
    else:
        k = int(params.get("k", rng.integers(3, 5)))
        w = float(rng.choice([2.5, 3.0, 3.5, 4.0] if grows else [0.4, 0.6, 0.8, 1.0]))
        u, xs, h0 = 0.5, grid(rng, (k,), -0.5, 0.5), 0.1
    w = float(params.get("w", w))
    rnn = RNN(1, 1, nonlinearity=nonlinearity, bias=False, rng=scratch())
    rnn.load_state_dict({"weight_ih_l0": [[u]], "weight_hh_l0": [[w]]})
    out, _ = rnn(xs.reshape(k, 1), np.full((1, 1), h0))
    d_out = np.zeros_like(out)
    d_out[-1] = 1.0
    answer = float(rnn.backward(d_out)["h0"].reshape(-1)[0])
    hs = out.reshape(-1).tolist()
    text = sig_text(answer, sig)
    # Near saturation 1 − h² loses digits: h_t needs 8 decimals for 3 significant figures, and a
    # long chain (k > 20) piles up the roundings of its factors, so it keeps more; each figure
    # asked for beyond 3 needs one more everywhere (the tolerance below allows 0.05 of a unit).
    h_places, fig = (8, 6) if k <= 20 else (10, 8)
    h_places, fig = h_places + max(0, sig - 3), fig + max(0, sig - 3)
    keep = (f" Keep h_t to at least {h_places} decimals and every other intermediate value to at "
            f"least {fig} significant figures." if nonlinearity == "tanh" else "")
    prompt = (f"A one-unit RNN h_t = {nonlinearity}(w·h_(t−1) + u·x_t) (nn.RNN, "
              f"nonlinearity='{nonlinearity}', no bias) has w = {fmt.given(w)}, u = {fmt.given(u)} "
              f"and starts from h0 = {fmt.given(h0)}; it reads the {k} inputs x below. Compute "
              f"∂h_{k}/∂h0 to {sig} significant figures (the answer is that number; the worked "
              f"solution then says whether such a product explodes or vanishes over many "
              f"steps).{keep}")
    steps = [[(f"h_t = φ(a_t) with a_t = w·h_(t−1) + u·x_t, so ∂h_t/∂h_(t−1) = w·φ'(a_t) and "
              f"∂h_{k}/∂h0 is the product of the {k} factors.")]]
    if nonlinearity == "relu":
        steps.append([(f"Every x_t > 0 and h0 > 0, so every a_t > 0 and relu'(a_t) = 1: each factor "
                      f"is w = {fmt.given(w)}."),
                      f"∂h_{k}/∂h0 = {fmt.given(w)}^{k} = {answer:.6g}"])
    else:
        # every shown number is computed from the shown numbers before it, with the decimals and
        # significant figures the prompt prescribes
        lines, prod = [], 1.0
        for t, h in enumerate(hs, start=1):
            h_text = fmt.num(h, h_places)
            factor = float(f"{w * (1 - float(h_text) ** 2):.{fig}g}")
            prod = float(f"{prod * factor:.{fig}g}")
            lines.append(f"h_{t} = {h_text}, factor w·(1 − h_{t}²) = {fmt.given(w)}·(1 − "
                         f"{fmt.term(h_text)}²) = {factor:.{fig}g}, product {prod:.{fig}g}")
        steps.append(["tanh'(a_t) = 1 − h_t²; forward, then the factors:"] + lines)
        if sig_text(prod, sig) != text:
            steps[-1].append(f"Rounded along the way, these factors give {sig_text(prod, sig)}; "
                             f"without rounding, the exact product gives {text}. Both are accepted.")
    if math.isclose(abs(answer), 1.0, rel_tol=1e-12):
        verdict = "neither explodes nor vanishes: it stays at 1"
    else:
        verdict = "explodes (grows geometrically)" if abs(answer) > 1 else "vanishes (shrinks geometrically)"
    steps.append([(f"To {sig} significant figures: {text}. The factors' sizes have the geometric "
                   f"mean {abs(answer) ** (1 / k):.3g}; factors of that size make a product that "
                   f"{verdict} as the number of steps grows.")])
    tolerance = fmt.tolerance_for_sig(answer, sig)
    if nonlinearity == "tanh":  # room for the prescribed rounding (at most 0.05 of a unit)
        tolerance *= 1.1
    given = {"nonlinearity": nonlinearity, "w": w, "u": u, "h0": h0, "k": k, "x": pylist(xs)}
    return question(kind, seed, params, prompt=prompt, given=given, answer=answer,
                    answer_format="scalar", solution=[ln for s in steps for ln in s],
                    tolerance=tolerance, answer_text=text, hint=sig_hint(answer, sig),
                    hints=["\n".join(s) for s in steps])


def clip_grad_norm(grads: list[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    """The clipped gradients and the total norm, as torch.nn.utils.clip_grad_norm_ computes them."""
    total = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
    coef = min(max_norm / (total + CLIP_EPS), 1.0)
    return [np.asarray(g, dtype=float) * coef for g in grads], total


def clip_norm(kind: str, seed: int, params: dict):
    rng, d = rng_for(seed), decimals_of(params)
    weight = grid(rng, (int(rng.integers(2, 4)),), -2.0, 2.0)
    bias = grid(rng, (int(rng.integers(1, 3)),), -2.0, 2.0)
    max_norm = float(params.get("max_norm", rng.choice([0.5, 1.0, 2.0, 5.0])))
    clipped, total = clip_grad_norm([weight, bias], max_norm)
    # the solution writes ‖g‖ and the coefficient with p decimals, each from the values shown
    p = max(6, d + 3)
    total_shown = float(fmt.num(total, p))
    coef = float(fmt.num(max_norm / (total_shown + CLIP_EPS), p))
    squares = " + ".join(f"{fmt.term(fmt.given(v))}²" for v in np.concatenate([weight, bias]))
    steps = [[("clip_grad_norm_ takes one norm over all the gradients together, as if they were "
              "one long vector:"), f"‖g‖ = √({squares}) = {fmt.num(total, p)}"],
             [f"coefficient = max_norm / (‖g‖ + 1e-6) = {fmt.given(max_norm)} / ({fmt.num(total, p)} "
              f"+ 1e-6) = {fmt.num(coef, p)}"
              + ("" if coef < 1 else ", capped at 1: the gradients stay as they are")]]
    scale = min(coef, 1.0)
    steps.append([f"{name}.grad ← {fmt.num(scale, p)}·{fmt.given_vec(g)} = {fmt.vec(scale * g, p)}"
                  for name, g in (("weight", weight), ("bias", bias))])
    prompt = (f"A model has two parameters, weight and bias, whose gradients after backward() are "
              f"given below. torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm="
              f"{fmt.given(max_norm)}) runs before the optimizer step. What are weight.grad and "
              f"bias.grad afterwards? Answer both, {fmt.decimals_phrase(d)}.")
    return question(kind, seed, params, prompt=prompt,
                    given={"weight.grad": pylist(weight), "bias.grad": pylist(bias),
                           "max_norm": max_norm},
                    answer=clipped, answer_format="vectors", solution=[ln for s in steps for ln in s],
                    decimals=d, labels=["weight.grad", "bias.grad"],
                    hints=["\n".join(s) for s in steps])


GENERATORS = {
    "grad.forget_gate_extremes": forget_extremes,
    "grad.exploding_vanishing": rnn_product,
    "grad.clip_norm": clip_norm,
}
