"""A drill's given values drawn with Rich as small vectors and matrices, from ``drills.render``'s blocks.

A vector is one bracketed row, a matrix is drawn with tall brackets,

    W_ih = ⎡ 0.50 -0.25⎤ i[0]
           ⎢ 0.10  0.00⎥ i[1]
           ⎣ ...       ⎦ ...

and the rows of PyTorch's stacked weights (``weight_ih``: 4H × I in the
gate order of ``gate_order``) are labelled by gate, so the learner can find
W_if inside ``weight_ih`` the way PyTorch lays it out.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from studydeck.drills.render import Block, block, blocks


def _aligned(rows: list[list[str]]) -> list[list[str]]:
    ncol = max(len(r) for r in rows)
    widths = [max((len(r[j]) for r in rows if j < len(r)), default=1) for j in range(ncol)]
    return [[t.rjust(widths[j]) for j, t in enumerate(row)] for row in rows]


def draw_block(b: Block) -> Text:
    """``name = value`` with a vector on one line and a matrix on several."""
    head = f"{b.name} = "
    out = Text()
    out.append(b.name, style="bold")
    out.append(" = ")
    if b.kind == "matrix":
        rows = _aligned(b.rows)
        n = len(rows)
        # gate rows and time steps are labelled; a plain row index or a one-step sequence is not
        show = not b.labels[0].startswith("[") and not (n == 1 and b.labels[0] == "t=1")
        for r, row in enumerate(rows):
            if r:
                out.append("\n" + " " * len(head))
            left, right = ("[", "]") if n == 1 else (
                ("⎡", "⎤") if r == 0 else ("⎣", "⎦") if r == n - 1 else ("⎢", "⎥"))
            out.append(left + " " + "  ".join(row) + " " + right)
            if show:
                out.append(" " + b.labels[r], style="dim")
        return out
    if b.kind == "gates":
        parts = [f"{g} [" + " ".join(row) + "]" for g, row in zip(b.labels, b.rows)]
        width = max(len(p) for p in parts)
        for k in range(0, len(parts), 2):
            if k:
                out.append("\n" + " " * len(head))
            out.append("  ".join(p.ljust(width) for p in parts[k:k + 2]).rstrip())
        return out
    if b.kind == "vector":
        out.append("[ " + "  ".join(_aligned(b.rows)[0]) + " ]")
        return out
    if b.kind == "list":
        out.append("[" + ", ".join(b.rows[0]) + "]")
        return out
    out.append(b.rows[0][0])
    return out


def value_block(name: str, value: Any, order: str = "") -> Text:
    """One given value drawn (``order``: the question's ``gate_order``)."""
    return draw_block(block(name, value, order))


def given_text(given: dict[str, Any]) -> Text:
    """Every given value, one block per name, in the question's order."""
    out = Text()
    for k, b in enumerate(blocks(given)):
        if k:
            out.append("\n")
        out.append(draw_block(b))
    return out
