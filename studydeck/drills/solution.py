"""Worked-solution lines for gates and state updates, one vector component at a time.

A pre-activation is written in three lines, from the equation to the number:

    a_f[0] = W_if[0]·x + b_if[0] + W_hf[0]·h + b_hf[0]
           = (0.3·0.5 + (-0.2)·1) + 0.1 + (0.4·(-0.3)) + 0.05
           = -0.0500 + 0.1000 + (-0.1200) + 0.0500 = -0.0200
    f[0] = σ(-0.0200) = 0.4950

Callers pass the values to show.  A single gate shows the engine's trace.  A
step whose prompt prescribes rounding shows its written values
(:mod:`.written`): each computed from the numbers displayed before it and
rounded, so every product and sum on a line checks out from what the line
shows (``studydeck check --drills`` verifies it).  Numpy-free: callers pass
Python floats.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fmt import auto, given, num, term

SIGMOID, TANH = "σ", "tanh"


@dataclass(frozen=True)
class Part:
    """One summand of a pre-activation: its symbol, its expansion and its value."""

    symbol: str
    expansion: str
    value: float


def _floats(values) -> list[float]:
    """Plain floats from a list or an array (``tolist`` is much faster than float() per item)."""
    return values.tolist() if hasattr(values, "tolist") else [float(a) for a in values]


def dot(symbol: str, row, v) -> Part:
    """``W[j]·v`` as a Part: ``(0.3·0.5 + (-0.2)·1)``."""
    row, v = _floats(row), _floats(v)
    pieces = [f"{term(auto(w))}·{term(auto(x))}" for w, x in zip(row, v)]
    text = pieces[0] if len(pieces) == 1 else "(" + " + ".join(pieces) + ")"
    return Part(symbol, text, sum(w * x for w, x in zip(row, v)))


def value(symbol: str, v: float, shown: str | None = None) -> Part:
    """A single given (or earlier computed) number as a Part."""
    return Part(symbol, shown if shown is not None else term(given(v)), float(v))


def preactivation(name: str, parts: list[Part], total: float) -> list[str]:
    """The three lines of ``name = Σ parts`` ending in the engine's ``total``."""
    pad = " " * len(name)
    return [f"{name} = " + " + ".join(p.symbol for p in parts),
            f"{pad} = " + " + ".join(p.expansion for p in parts),
            f"{pad} = " + " + ".join(term(num(p.value)) for p in parts) + f" = {num(total)}"]


def activation(name: str, fn: str, pre: float, out: float) -> str:
    """``f[0] = σ(-0.0200) = 0.4950``."""
    return f"{name} = {fn}({num(pre)}) = {num(out)}"


def gate_lines(q: str, j: int, fn: str, parts: list[Part], pre: float, out: float) -> list[str]:
    """Pre-activation and activation of component ``j`` of gate ``q``."""
    return preactivation(f"a_{q}[{j}]", parts, pre) + [activation(f"{q}[{j}]", fn, pre, out)]


def lstm_gate_parts(q: str, j: int, W_ih, W_hh, b_ih, b_hh, x, h, h_name="h") -> list[Part]:
    """The summands of a_q[j] for an LSTM/GRU gate q with the block's own rows.

    ``W_ih``, ``W_hh`` are the block's rows (H, D) and (H, H); ``b_ih``, ``b_hh``
    its bias entries (H,), or None without bias.
    """
    parts = [dot(f"W_i{q}[{j}]·x", W_ih[j], x)]
    if b_ih is not None:
        parts.append(value(f"b_i{q}[{j}]", b_ih[j]))
    parts.append(dot(f"W_h{q}[{j}]·{h_name}", W_hh[j], h))
    if b_hh is not None:
        parts.append(value(f"b_h{q}[{j}]", b_hh[j]))
    return parts


def product_sum(name: str, terms: list[tuple[str, str, float, float]], total: float) -> list[str]:
    """``name = a·b + c·d`` with (symbol a, symbol b, value a, value b) per product."""
    pad = " " * len(name)
    return [f"{name} = " + " + ".join(f"{sa}·{sb}" for sa, sb, _, _ in terms),
            f"{pad} = " + " + ".join(f"{term(num(a))}·{term(num(b))}" for _, _, a, b in terms),
            f"{pad} = " + " + ".join(term(num(a * b)) for _, _, a, b in terms) + f" = {num(total)}"]
