"""Warm-up kinds: σ and tanh and their derivatives at one pre-activation.

    σ(x)  = 1 / (1 + e^(−x))            σ'(x) = σ(x)(1 − σ(x)) ≤ 0.25  (equality at x = 0)
    tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x))   tanh'(x) = 1 − tanh²(x) ≤ 1  (equality at x = 0)

Values come from the engine's elementwise functions.
"""

from __future__ import annotations

import math

from studydeck import engine as F

from . import fmt
from .common import decimals_of, question, rng_for


def _x(seed: int, params: dict) -> float:
    rng = rng_for(seed)
    places = int(rng.integers(1, 3))
    drawn = round(float(rng.integers(-400, 401)) / 100, places)
    return float(params.get("x", drawn))


def sigmoid_value(kind: str, seed: int, params: dict):
    x, d = _x(seed, params), decimals_of(params)
    s = float(F.sigmoid(x))
    e = math.exp(-x)
    lines = ["σ(x) = 1 / (1 + e^(−x))",
             f"e^(−x) = e^({fmt.given(-x)}) = {fmt.num(e)}",
             f"1 + e^(−x) = {fmt.num(1 + e)}",
             f"σ({fmt.given(x)}) = 1 / {fmt.num(1 + e)} = {fmt.num(s, 6)}"]
    return question(kind, seed, params, prompt=f"Compute σ(x) for x = {fmt.given(x)}, "
                    f"{fmt.decimals_phrase(d)}.", given={"x": x}, answer=s,
                    answer_format="scalar", solution=lines, decimals=d)


def tanh_value(kind: str, seed: int, params: dict):
    x, d = _x(seed, params), decimals_of(params)
    t = float(F.tanh(x))
    ep, em = math.exp(x), math.exp(-x)
    lines = ["tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x))",
             f"e^x = e^({fmt.given(x)}) = {fmt.num(ep)},  e^(−x) = {fmt.num(em)}",
             f"tanh({fmt.given(x)}) = {fmt.num(ep - em)} / {fmt.num(ep + em)} = {fmt.num(t, 6)}"]
    return question(kind, seed, params, prompt=f"Compute tanh(x) for x = {fmt.given(x)}, "
                    f"{fmt.decimals_phrase(d)}.", given={"x": x}, answer=t,
                    answer_format="scalar", solution=lines, decimals=d)


def sigmoid_derivative(kind: str, seed: int, params: dict):
    x, d = _x(seed, params), decimals_of(params)
    s = float(F.sigmoid(x))
    ds = float(F.sigmoid_derivative(x))
    lines = ["σ'(x) = σ(x)·(1 − σ(x))",
             f"σ({fmt.given(x)}) = {fmt.num(s, 6)}",
             f"1 − σ({fmt.given(x)}) = {fmt.num(1 - s, 6)}",
             f"σ'({fmt.given(x)}) = {fmt.num(s, 6)} · {fmt.num(1 - s, 6)} = {fmt.num(ds, 6)}",
             "Check: σ' ≤ 0.25 everywhere, with equality only at x = 0 (σ = 0.5)."]
    return question(kind, seed, params, prompt=f"Compute the derivative σ'(x) of the sigmoid at "
                    f"x = {fmt.given(x)}, {fmt.decimals_phrase(d)}.", given={"x": x}, answer=ds,
                    answer_format="scalar", solution=lines, decimals=d)


def tanh_derivative(kind: str, seed: int, params: dict):
    x, d = _x(seed, params), decimals_of(params)
    t = float(F.tanh(x))
    dt = float(F.tanh_derivative(x))
    lines = ["tanh'(x) = 1 − tanh²(x)",
             f"tanh({fmt.given(x)}) = {fmt.num(t, 6)}",
             f"tanh²({fmt.given(x)}) = {fmt.num(t * t, 6)}",
             f"tanh'({fmt.given(x)}) = 1 − {fmt.num(t * t, 6)} = {fmt.num(dt, 6)}",
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
