"""Number formatting for prompts and worked solutions, and answer tolerances.

Conventions: given values are shown as typed (``0.3``, ``-0.25``); every
intermediate value in a worked solution has 4 decimals; a final answer has
the number of decimals (or significant figures) the prompt asks for.
Numpy-free: callers pass Python floats.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal

STEP_DECIMALS = 4  # decimals of every intermediate value in a worked solution
_STEP = ContextVar("step_decimals", default=STEP_DECIMALS)


@contextmanager
def step_decimals(places: int) -> Iterator[None]:
    """Write intermediate values with ``places`` decimals inside the block (default 4)."""
    token = _STEP.set(places)
    try:
        yield
    finally:
        _STEP.reset(token)


def num(value: float, decimals: int | None = None) -> str:
    """``value`` with exactly ``decimals`` decimals (default: the step decimals); never ``-0.000``."""
    decimals = _STEP.get() if decimals is None else decimals
    text = f"{float(value):.{decimals}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def given(value: float) -> str:
    """A given value as a person would type it: ``0.3``, ``-0.25``, ``2``."""
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def auto(value: float) -> str:
    """A given value as typed if it has at most 2 decimals, else 4 decimals (a computed value)."""
    value = float(value)
    return given(value) if abs(round(value, 2) - value) < 1e-12 else num(value)


def term(text: str) -> str:
    """Parenthesise a negative number inside a product or sum: ``(-0.2)``."""
    return f"({text})" if text.startswith("-") else text


def vec(values, decimals: int | None = None) -> str:
    """``[0.6341, -0.1200]``."""
    return "[" + ", ".join(num(v, decimals) for v in values) + "]"


def given_vec(values) -> str:
    return "[" + ", ".join(given(v) for v in values) + "]"


def shape(dims) -> str:
    """``(5, 3, 40)``; a one-dimensional shape keeps its comma: ``(7,)``."""
    dims = [int(d) for d in dims]
    return "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"


def round_half_up(value: float, decimals: int) -> float:
    """Round as taught in school (0.1245 -> 0.125 at 3 decimals, on the exact decimal value)."""
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


def tolerance_for_decimals(decimals: int) -> float:
    """Half a unit in the last requested decimal, plus a tenth of a unit.

    Any correct rounding of the exact value (up or down at a tie) is within
    half a unit.  The extra tenth accepts double rounding: a learner who copies
    a 4-decimal intermediate such as 0.5125 (exactly 0.51249...) and rounds it
    to 0.513 is right too.  One unit off is still wrong.
    """
    return 0.55 * 10.0 ** (-decimals)


def sig_exponent(value: float, sig: int) -> int:
    """The power of ten of the last of ``sig`` significant figures of ``value``."""
    if value == 0:
        return -sig
    return math.floor(math.log10(abs(value))) - sig + 1


def tolerance_for_sig(value: float, sig: int) -> float:
    """Half a unit in the last of ``sig`` significant figures of ``value``."""
    return 0.5 * 10.0 ** sig_exponent(value, sig) * (1 + 1e-6)


def sig_text(value: float, sig: int) -> str:
    """``value`` to ``sig`` significant figures, plainly or in e-notation when tiny."""
    if value != 0 and abs(value) < 1e-3:
        return f"{value:.{sig - 1}e}"
    decimals = max(0, -sig_exponent(value, sig))
    return num(value, decimals)


def decimals_phrase(decimals: int) -> str:
    return f"to {decimals} decimal{'s' if decimals != 1 else ''} (more are fine)"
