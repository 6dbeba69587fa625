"""Values as a worked solution writes them, with a bound on any student's rounding error.

A prompt that says "keep at least 4 decimals in intermediate values" lets a
student write every value rounded to 4 decimals or more, at any point.  A
:class:`Num` carries three things through a computation:

    shown   the value the worked solution writes: each operation applied to
            the *shown* operands, then rounded to ``places`` decimals, so every
            line of the solution checks out from the numbers it displays;
    exact   the value without any rounding;
    terms   how the value moves with each rounding a student may make:
            value = exact + Σ_k c_k·e_k + r, with every |e_k| ≤ 1 (one e_k per
            value a student may write, c_k already scaled by half a unit of the
            ``places``-th decimal) and |r| ≤ ``rest``.

This is first-order error propagation (affine arithmetic) with a rigorous
remainder: a product adds |rad a|·|rad b| to ``rest``, σ and tanh add half
their largest second derivative times rad².  Unlike interval arithmetic it
knows that z in (1 − z)·n + z·h is one number, so its bound stays tight.  A
result that is exact on the grid (0.3·0.7 = 0.21) needs no rounding.

The tolerance of an answer asked "to d decimals" is then

    ½·10^(−d)  +  max over components of (Σ_k |c_k| + rest)

so whoever rounds as told, and then rounds the result to d decimals, is
accepted.  Numpy-free: Python floats throughout.
"""

from __future__ import annotations

import itertools
import math

from .fmt import STEP_DECIMALS

SLACK = 1e-9  # floating-point noise in the bounds and in parsing typed numbers
SIGMOID_CURVE = math.sqrt(3) / 18  # max |σ''(x)|
TANH_CURVE = 4 / (3 * math.sqrt(3))  # max |tanh''(x)|


class Num:
    """A written value (``shown``), its ``exact`` value and how roundings move it.

    ``terms`` maps a rounding's id to its coefficient (already times half a unit);
    treat a Num as immutable.
    """

    __slots__ = ("_reach", "exact", "rest", "shown", "terms")

    def __init__(self, shown: float, exact: float, terms: dict[int, float] | None = None,
                 rest: float = 0.0):
        self.shown, self.exact, self.terms, self.rest = shown, exact, terms or {}, rest
        self._reach = sum(abs(c) for c in self.terms.values()) + rest

    def __repr__(self) -> str:
        return f"Num(shown={self.shown!r}, exact={self.exact!r}, reach={self._reach:.3g})"

    def reach(self) -> float:
        """The largest distance from ``exact`` of any value an allowed student can write."""
        return self._reach

    def error(self, exact: float) -> float:
        """How far an allowed student's value can be from ``exact`` (e.g. the engine's)."""
        return self._reach + abs(self.exact - exact)


def exact(value: float) -> Num:
    """A given number: written as given, no uncertainty."""
    value = float(value)
    return Num(value, value)


def exacts(values) -> list[Num]:
    values = values.tolist() if hasattr(values, "tolist") else list(values)
    return [exact(v) for v in values]


ONE = exact(1.0)


def _combine(*scaled: tuple[float, Num]) -> dict[int, float]:
    out: dict[int, float] = {}
    for factor, n in scaled:
        for k, c in n.terms.items():
            out[k] = out.get(k, 0.0) + factor * c
    return out


class Arithmetic:
    """+, −, ·, σ and tanh on :class:`Num`, a student writing ``places`` decimals."""

    def __init__(self, places: int = STEP_DECIMALS):
        self.places = places
        self.half = 0.5 * 10.0 ** (-places)
        self._ids = itertools.count()

    def _round(self, value: float) -> float:
        return float(f"{value:.{self.places}f}")

    def _on_grid(self, value: float) -> bool:
        return abs(self._round(value) - value) <= 1e-12 * max(1.0, abs(value))

    def result(self, raw: float, value: float, terms, rest: float, write: bool = True) -> Num:
        """One operation's Num: ``raw`` from the shown operands, ``value`` exact; a student
        may write the result (one more rounding) unless it is exact on the grid."""
        shown = self._round(raw) if write else raw
        if not terms and rest == 0.0 and self._on_grid(value):
            return Num(shown, value)
        if len(terms) > 12:  # fold the tiniest into the remainder: still a bound, and fast
            tiny = self.half * 0.02
            small = [k for k, c in terms.items() if abs(c) < tiny]
            rest += sum(abs(terms.pop(k)) for k in small)
        terms[next(self._ids)] = self.half
        return Num(shown, value, terms, rest)

    def add(self, *xs: Num, write: bool = True) -> Num:
        raw = 0.0
        for t in xs:
            raw = raw + t.shown
        return self.result(raw, sum(t.exact for t in xs), _combine(*((1.0, t) for t in xs)),
                           sum(t.rest for t in xs), write)

    def sub(self, a: Num, b: Num, write: bool = True) -> Num:
        return self.result(a.shown - b.shown, a.exact - b.exact, _combine((1.0, a), (-1.0, b)),
                           a.rest + b.rest, write)

    def mul(self, a: Num, b: Num, write: bool = True) -> Num:
        if not a.terms and not a.rest:  # a constant factor (a weight): scale b
            return self.result(a.shown * b.shown, a.exact * b.exact,
                               {k: a.exact * c for k, c in b.terms.items()},
                               abs(a.exact) * b.rest, write)
        rest = abs(a.exact) * b.rest + abs(b.exact) * a.rest + a.reach() * b.reach()
        return self.result(a.shown * b.shown, a.exact * b.exact,
                           _combine((b.exact, a), (a.exact, b)), rest, write)

    def dot(self, row, xs: list[Num]) -> Num:
        """``W[j]·x`` written as one number; a student may also write each product.

        The same as adding ``mul(exact(w), x)`` for each pair, without the
        intermediate Nums: each product that is not exact on the grid adds a
        rounding of its own.
        """
        row = row.tolist() if hasattr(row, "tolist") else list(row)
        raw = value = rest = 0.0
        terms: dict[int, float] = {}
        for w, x in zip(row, xs):
            raw += w * x.shown
            value += w * x.exact
            rest += abs(w) * x.rest
            for k, c in x.terms.items():
                terms[k] = terms.get(k, 0.0) + w * c
            if x.terms or x.rest or not self._on_grid(w * x.exact):
                terms[next(self._ids)] = self.half
        return self.result(raw, value, terms, rest)

    def _apply(self, a: Num, fn, slope: float, curve: float) -> Num:
        rest = abs(slope) * a.rest + 0.5 * curve * a.reach() ** 2
        return self.result(fn(a.shown), fn(a.exact), _combine((slope, a)), rest)

    def sigmoid(self, a: Num) -> Num:
        s = _sigmoid(a.exact)
        return self._apply(a, _sigmoid, s * (1.0 - s), SIGMOID_CURVE)

    def tanh(self, a: Num) -> Num:
        t = math.tanh(a.exact)
        return self._apply(a, math.tanh, 1.0 - t * t, TANH_CURVE)


def _sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def shown(values: list[Num]) -> list[float]:
    return [v.shown for v in values]


def tolerance(decimals: int, exact_values, nums) -> float:
    """Half a unit of the asked decimal plus the farthest an allowed student can land.

    ``exact_values`` and ``nums`` are matching (nested) lists: the engine's answer
    and the Num of each component as the prescribed rounding carries it.
    """
    flat_exact, flat_nums = _flat(exact_values), _flat(nums)
    if len(flat_exact) != len(flat_nums):
        raise ValueError("the exact answer and its bounds differ in length")
    reach = max(n.error(float(e)) for n, e in zip(flat_nums, flat_exact))
    return 0.5 * 10.0 ** (-decimals) + reach + SLACK


def _flat(value) -> list:
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _flat(v)]
    return [value]


def note(labels: list[str], exact_values, nums, decimals: int, tol: float) -> list[str]:
    """A closing line when the written values, rounded to ``decimals``, differ from the answer."""
    from . import fmt

    exact_parts = [list(v) for v in exact_values]
    written = [[n.shown for n in part] for part in nums]
    if all(fmt.num(w, decimals) == fmt.num(e, decimals)
           for we, ee in zip(written, exact_parts) for w, e in zip(we, ee)):
        return []
    shown_text = "; ".join(f"{lab} = {fmt.vec(w, decimals)}" for lab, w in zip(labels, written))
    line = (f"Rounded along the way, these steps give {shown_text}; without rounding, the exact "
            f"values give the answer below. Both are accepted: the tolerance, ±{tol:.2g}, allows for "
            f"the rounding the prompt prescribes.")
    return [line]
