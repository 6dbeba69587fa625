"""Helpers every generator uses: seeded numbers, sizes, and Question assembly.

Given values are drawn on a grid (one decimal by default) so a person can
type them into a calculator; answers are the engine's exact float64 results,
shown rounded to the decimals the prompt asks for.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import fmt
from .hints import hint_steps
from .question import Question

DEFAULT_DECIMALS = 3
KEEP_DIGITS = "Keep at least 4 decimals in intermediate values."


def step_places(decimals: int, extra: int = 1) -> int:
    """Decimals to keep in intermediate values for an answer to ``decimals``.

    ``decimals + extra``, and at least 4.  A long chain (two steps, a GRU with
    the reset before W_hn, a difference of two steps) takes ``extra=2``: with
    one extra decimal its rounding could move the answer by a whole unit.
    """
    return max(fmt.STEP_DECIMALS, decimals + extra)


def keep_digits(decimals: int, extra: int = 1) -> str:
    """The prompt's rounding rule for intermediate values (the tolerance is derived from it)."""
    return f"Keep at least {step_places(decimals, extra)} decimals in intermediate values."


_SCRATCH = np.random.default_rng(0)


def scratch() -> np.random.Generator:
    """A shared generator for engine initial weights that are overwritten or never read
    (saves building a Generator per question; answers never depend on it)."""
    return _SCRATCH


def as_lists(trace: dict) -> dict:
    """An engine trace with every array as plain Python floats (fast to format)."""
    return {k: np.asarray(v).tolist() for k, v in trace.items()}


def rng_for(seed: int) -> np.random.Generator:
    """The generator of one question: ``numpy.random.default_rng(seed)`` (negative seeds wrap)."""
    return np.random.default_rng(int(seed) % 2**64)


_DIGITS = {0.1: 1, 0.05: 2, 0.01: 2}


def grid(rng, shape, low: float = -1.0, high: float = 1.0, step: float = 0.1) -> np.ndarray:
    """Values on a grid of ``step`` in [low, high]: typeable by hand (0.3, -0.7)."""
    n_low, n_high = round(low / step), round(high / step)
    ticks = rng.integers(n_low, n_high + 1, size=shape)
    return np.round(ticks * step, _DIGITS.get(step, 6))


def sizes(rng, params: dict, *, need_input: bool = True) -> tuple[int, int]:
    """(input_size, hidden_size) from params or 1–2 at random (always drawn, to keep seeds stable)."""
    i_draw, h_draw = (int(v) for v in rng.integers(1, 3, size=2))
    input_size = int(params.get("input_size", i_draw)) if need_input else 0
    hidden_size = int(params.get("hidden_size", h_draw))
    return input_size, hidden_size


def pylist(a) -> Any:
    """A float array (or scalar) as plain Python floats/lists, for JSON."""
    return np.asarray(a, dtype=float).tolist()


def question(kind: str, seed: int, params: dict, *, prompt: str, given: dict, answer: Any,
             answer_format: str, solution: list[str], decimals: int | None = None,
             tolerance: float | None = None, cell: dict | None = None,
             labels: list[str] | None = None, hint: str = "",
             answer_text: str | None = None, hints: list[str] | None = None,
             variant: str | None = None) -> Question:
    """Assemble a Question: answer text, tolerance and the closing 'Answer:' line.

    ``hints`` default to the steps of ``solution`` (see :mod:`studydeck.drills.hints`).
    """
    labels = labels or []
    if answer_format == "scalar":
        answer = float(answer)
        text = answer_text or fmt.num(answer, decimals)
    elif answer_format == "vector":
        answer = pylist(answer)
        text = fmt.vec(answer, decimals)
    elif answer_format == "vectors":
        answer = [pylist(v) for v in answer]
        text = "; ".join(f"{lab} = {fmt.vec(v, decimals)}" for lab, v in zip(labels, answer))
    elif answer_format == "integer":
        answer = int(answer)
        text = str(answer)
    elif answer_format == "shapes":
        answer = [[int(d) for d in s] for s in answer]
        text = "; ".join(f"{lab} {fmt.shape(s)}" for lab, s in zip(labels, answer))
    else:
        raise ValueError(f"unknown answer format {answer_format!r}")
    if tolerance is None:
        tolerance = fmt.tolerance_for_decimals(decimals) if decimals is not None else 0.0
    lines = list(solution) + [f"Answer: {text}"]
    return Question(
        kind=kind, seed=int(seed), params=dict(params or {}), prompt=prompt, given=given,
        answer=answer, tolerance=float(tolerance), answer_format=answer_format,
        solution="\n".join(lines), cell=cell, answer_text=text, answer_labels=labels,
        answer_hint=hint or default_hint(answer_format, answer, labels, tolerance),
        hints=list(hints) if hints is not None else hint_steps(solution), variant=variant,
    )


# Format examples are picked so that none equals, or rounds to, the answer.
_NUMBERS = (0.62, 0.38, 0.27, 0.81, 0.45, 0.93, 0.16, 0.74, 7.5, 8.5, 9.5)
_FRACTIONS = ("1/2", "3/4", "1/4", "2/3", "5/2")
_TENTHS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 7.5, 8.5, 9.5)
_INTEGERS = (4160, 3072, 1536, 520, 97)
_SHAPES = ((7, 1, 9), (5, 3, 40), (2, 3, 20), (11, 4, 6), (13, 2, 17))


def _far(value: float, avoid: list[float], tolerance: float) -> bool:
    return all(abs(value - a) > tolerance for a in avoid)


def example_number(avoid, tolerance: float, candidates=_NUMBERS) -> float:
    """The first candidate farther than ``tolerance`` from every value in ``avoid``."""
    avoid = [float(a) for a in avoid]
    return next(c for c in candidates if _far(c, avoid, tolerance))


def example_shapes(answer, count: int) -> str:
    """``count`` example shapes, none equal to a shape of the answer."""
    taken = [list(s) for s in answer]
    shape = next(s for s in _SHAPES if list(s) not in taken)
    return " ".join([fmt.shape(shape)] * count)


def _flat(value) -> list:
    return [x for v in value for x in _flat(v)] if isinstance(value, list) else [value]


def default_hint(answer_format: str, answer: Any, labels: list[str], tolerance: float = 0.0) -> str:
    avoid = _flat(answer) if answer_format != "shapes" else []
    tol = max(tolerance, 1e-9)
    if answer_format == "scalar":
        x = example_number(avoid, tol)
        frac = next(f for f in _FRACTIONS if _far(eval_fraction(f), avoid, tol))
        return f"a number, e.g. {fmt.given(x)}, {x * 10:g}e-1 or {frac}"
    if answer_format == "integer":
        return f"a whole number, e.g. {example_number(avoid, 0.5, _INTEGERS)}"
    if answer_format == "vector":
        n = len(answer)
        x = fmt.given(example_number(avoid, tol, _TENTHS))
        return f"a number, e.g. {x}" if n == 1 else f"{n} numbers, e.g. [{', '.join([x] * n)}]"
    if answer_format == "vectors":
        x = fmt.given(example_number(avoid, tol, _TENTHS))
        parts = "; ".join(f"[{', '.join([x] * len(v))}]" for v in answer)
        return f"{' then '.join(labels)}, e.g. {parts}"
    if answer_format == "shapes":
        return f"{', '.join(labels)} as shapes, e.g. {example_shapes(answer, len(answer))}"
    return ""


def eval_fraction(text: str) -> float:
    num, den = text.split("/")
    return float(num) / float(den)


def decimals_of(params: dict) -> int:
    return int(params.get("decimals", DEFAULT_DECIMALS))
