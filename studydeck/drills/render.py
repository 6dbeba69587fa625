"""A question's given values laid out once, as blocks, and drawn as plain text or Markdown.  Numpy-free.

Every face shows the same rows, labels and numbers: :func:`blocks` decides
the layout (a scalar, a vector, a matrix row by row, a stacked bias split by
gate) with every number formatted by :func:`studydeck.drills.fmt.given`; plain
text (plain mode, the quiz) and Markdown (the worksheet) are drawn here, and
the app draws the same blocks with Rich (``tui/widgets/values.py``).

Stacked PyTorch tensors are labelled by gate block: with ``gate_order`` "ifgo"
and hidden_size 2 the rows of ``weight_ih`` read i[0], i[1], f[0], f[1], ...
Sequences (``x`` of shape (L, input_size)) are labelled by time step t=1..L.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from . import fmt

_STACKED_WEIGHTS = ("weight_ih", "weight_hh", "weight_hr")
_STACKED_BIASES = ("bias_ih", "bias_hh")


@dataclass(frozen=True)
class Block:
    """One given value, laid out.

    ``kind`` says how to draw it: ``"scalar"`` (``rows == [[text]]``),
    ``"vector"`` (one row), ``"matrix"`` (a row per entry, ``labels`` beside
    them), ``"gates"`` (a stacked bias: one row per gate, ``labels`` the gate
    letters), ``"list"`` (anything else, one row of texts).
    """

    name: str
    kind: Literal["scalar", "vector", "matrix", "gates", "list"]
    rows: list[list[str]]
    labels: list[str]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_vector(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_number(v) for v in value)


def _is_matrix(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_vector(r) for r in value)


def number(value: Any) -> str:
    """A given number as a person would type it (``0.3``, ``-0.25``, ``2``); other values as text."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if _is_number(value):
        return fmt.given(value) if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(number(v) for v in value) + "]"
    return str(value)


def _row_labels(key: str, n_rows: int, order: str) -> list[str]:
    if key.startswith(_STACKED_WEIGHTS[:2]) and order and n_rows % len(order) == 0:
        per = n_rows // len(order)
        return [f"{order[r // per]}[{r % per}]" for r in range(n_rows)]
    if key.startswith("x"):
        return [f"t={r + 1}" for r in range(n_rows)]
    return [f"[{r}]" for r in range(n_rows)]


def block(name: str, value: Any, order: str = "") -> Block:
    """The layout of one given value (``order``: the question's ``gate_order``, if any)."""
    if _is_matrix(value):
        return Block(name, "matrix", [[number(v) for v in row] for row in value],
                     _row_labels(name, len(value), order))
    if _is_vector(value):
        if name.startswith(_STACKED_BIASES) and order and len(value) % len(order) == 0:
            per = len(value) // len(order)
            return Block(name, "gates", [[number(v) for v in value[k * per:(k + 1) * per]]
                                         for k in range(len(order))], list(order))
        return Block(name, "vector", [[number(v) for v in value]], [])
    if isinstance(value, list):
        return Block(name, "list", [[number(v) for v in value]], [])
    return Block(name, "scalar", [[number(value)]], [])


def blocks(given: dict[str, Any]) -> list[Block]:
    """Every given value laid out, in the question's order."""
    order = str(given.get("gate_order", ""))
    return [block(name, value, order) for name, value in given.items()]


def _vec(row: list[str]) -> str:
    return "[" + ", ".join(row) + "]"


def given_text(given: dict[str, Any]) -> str:
    """The given values as aligned plain-text lines, matrices row by row with their labels."""
    laid = blocks(given)
    width = max((len(b.name) for b in laid), default=0)
    lines = []
    for b in laid:
        head = f"  {b.name.ljust(width)} = "
        if b.kind == "matrix":
            lw = max(len(lab) for lab in b.labels)
            for r, (lab, row) in enumerate(zip(b.labels, b.rows)):
                lead = head if r == 0 else " " * len(head)
                lines.append(f"{lead}{lab.ljust(lw)}  {_vec(row)}")
        elif b.kind == "gates":
            lines.append(head + "  ".join(f"{g}: {_vec(row)}" for g, row in zip(b.labels, b.rows)))
        elif b.kind == "scalar":
            lines.append(head + b.rows[0][0])
        else:
            lines.append(head + _vec(b.rows[0]))
    return "\n".join(lines)


def given_markdown(given: dict[str, Any]) -> str:
    """The given values in Markdown: a bullet per value, a small table per matrix."""
    out = []
    for b in blocks(given):
        if b.kind == "matrix":
            ncol = max(len(r) for r in b.rows)
            out.append(f"- `{b.name}`:")
            out.append("")
            out.append("  | row | " + " | ".join(f"col {j}" for j in range(ncol)) + " |")
            out.append("  | --- | " + " | ".join("---:" for _ in range(ncol)) + " |")
            for lab, row in zip(b.labels, b.rows):
                out.append(f"  | {lab} | " + " | ".join(row) + " |")
            out.append("")
        elif b.kind == "gates":
            out.append(f"- `{b.name}` = " + ", ".join(f"{g}: `{_vec(row)}`" for g, row in zip(b.labels, b.rows)))
        elif b.kind == "scalar":
            out.append(f"- `{b.name}` = `{b.rows[0][0]}`")
        else:
            out.append(f"- `{b.name}` = `{_vec(b.rows[0])}`")
    return "\n".join(out)
