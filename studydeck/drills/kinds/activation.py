"""Warm-up kinds: σ and tanh and their derivatives at one pre-activation.

    σ(x)  = 1 / (1 + e^(−x))            σ'(x) = σ(x)(1 − σ(x)) ≤ 0.25  (equality at x = 0)
    tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x))   tanh'(x) = 1 − tanh²(x) ≤ 1  (equality at x = 0)

Values come from the engine's elementwise functions.
"""

from __future__ import annotations

import math

from studydeck import engine as F

from .. import fmt
from ..common import decimals_of, question, rng_for


def _x(seed: int, params: dict) -> float:
    rng = rng_for(seed)
    places = int(rng.integers(1, 3))
    drawn = round(float(rng.integers(-400, 401)) / 100, places)
    return float(params.get("x", drawn))


def _places(d: int) -> int:
    """Decimals of the worked values: 6, or two more than the answer asks for."""
    return max(6, d + 2)


def _w(value: float, places: int) -> float:
    """``value`` as written with ``places`` decimals (later lines compute from it)."""
    return float(fmt.num(value, places))


def sigmoid_value(kind: str, seed: int, params: dict):
    x, d = _x(seed, params), decimals_of(params)
    p = _places(d)
    s = float(F.sigmoid(x))
    e = _w(math.exp(-x), p)
    lines = ["σ(x) = 1 / (1 + e^(−x))",
             f"e^(−x) = e^({fmt.given(-x)}) = {fmt.num(e, p)}",
             f"1 + e^(−x) = {fmt.num(1 + e, p)}",
             f"σ({fmt.given(x)}) = 1 / {fmt.num(1 + e, p)} = {fmt.num(1 / _w(1 + e, p), p)}"]
    return question(kind, seed, params, prompt=f"Compute σ(x) for x = {fmt.given(x)}, "
                    f"{fmt.decimals_phrase(d)}.", given={"x": x}, answer=s,
                    answer_format="scalar", solution=lines, decimals=d)


def tanh_value(kind: str, seed: int, params: dict):
    x, d = _x(seed, params), decimals_of(params)
    p = _places(d)
    t = float(F.tanh(x))
    ep, em = _w(math.exp(x), p), _w(math.exp(-x), p)
    top, bottom = _w(ep - em, p), _w(ep + em, p)
    lines = ["tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x))",
             f"e^x = e^({fmt.given(x)}) = {fmt.num(ep, p)},  e^(−x) = {fmt.num(em, p)}",
             f"tanh({fmt.given(x)}) = {fmt.num(top, p)} / {fmt.num(bottom, p)} = "
             f"{fmt.num(top / bottom, p)}"]
    return question(kind, seed, params, prompt=f"Compute tanh(x) for x = {fmt.given(x)}, "
                    f"{fmt.decimals_phrase(d)}.", given={"x": x}, answer=t,
                    answer_format="scalar", solution=lines, decimals=d)


def sigmoid_derivative(kind: str, seed: int, params: dict):
    x, d = _x(seed, params), decimals_of(params)
    p = _places(d)
    ds = float(F.sigmoid_derivative(x))
    s = _w(F.sigmoid(x), p)
    lines = ["σ'(x) = σ(x)·(1 − σ(x))",
             f"σ({fmt.given(x)}) = {fmt.num(s, p)}",
             f"1 − σ({fmt.given(x)}) = {fmt.num(1 - s, p)}",
             f"σ'({fmt.given(x)}) = {fmt.num(s, p)} · {fmt.num(1 - s, p)} = "
             f"{fmt.num(s * _w(1 - s, p), p)}",
             "Check: σ' ≤ 0.25 everywhere, with equality only at x = 0 (σ = 0.5)."]
    return question(kind, seed, params, prompt=f"Compute the derivative σ'(x) of the sigmoid at "
                    f"x = {fmt.given(x)}, {fmt.decimals_phrase(d)}.", given={"x": x}, answer=ds,
                    answer_format="scalar", solution=lines, decimals=d)


def tanh_derivative(kind: str, seed: int, params: dict):
    x, d = _x(seed, params), decimals_of(params)
    p = _places(d)
    dt = float(F.tanh_derivative(x))
    t = _w(F.tanh(x), p)
    square = _w(t * t, p)
    lines = ["tanh'(x) = 1 − tanh²(x)",
             f"tanh({fmt.given(x)}) = {fmt.num(t, p)}",
             f"tanh²({fmt.given(x)}) = {fmt.term(fmt.num(t, p))}² = {fmt.num(square, p)}",
             f"tanh'({fmt.given(x)}) = 1 − {fmt.num(square, p)} = {fmt.num(1 - square, p)}",
             "Check: tanh' ≤ 1 everywhere, with equality only at x = 0."]
    return question(kind, seed, params, prompt=f"Compute the derivative tanh'(x) at "
                    f"x = {fmt.given(x)}, {fmt.decimals_phrase(d)}.", given={"x": x}, answer=dt,
                    answer_format="scalar", solution=lines, decimals=d)


GENERATORS = {
    "sigmoid.value": sigmoid_value,
    "tanh.value": tanh_value,
    "sigmoid.derivative": sigmoid_derivative,
    "tanh.derivative": tanh_derivative,
}
