"""A drill's given values laid out as small vectors and matrices (Rich Text).

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

_STACKED = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _num(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 1e4 or abs(value) < 1e-3:
            return f"{value:.3g}"
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_vector(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_number(v) for v in value)


def _is_matrix(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_vector(r) for r in value)


def _row_labels(name: str, n_rows: int, order: str) -> list[str]:
    if name.startswith(_STACKED) and order and n_rows % len(order) == 0:
        per = n_rows // len(order)
        return [f"{order[r // per]}[{r % per}]" for r in range(n_rows)]
    if name.startswith("x") and n_rows > 1:
        return [f"t={r + 1}" for r in range(n_rows)]
    return ["" for _ in range(n_rows)]


def _cells(rows: list[list[Any]]) -> list[list[str]]:
    texts = [[_num(v) for v in row] for row in rows]
    ncol = max(len(r) for r in texts)
    widths = [max((len(r[j]) for r in texts if j < len(r)), default=1) for j in range(ncol)]
    return [[t.rjust(widths[j]) for j, t in enumerate(row)] for row in texts]


def value_block(name: str, value: Any, order: str = "") -> Text:
    """``name = value`` with a vector on one line and a matrix on several."""
    head = f"{name} = "
    out = Text()
    out.append(name, style="bold")
    out.append(" = ")
    if _is_matrix(value):
        rows = _cells(value)
        labels = _row_labels(name, len(rows), order)
        n = len(rows)
        for r, row in enumerate(rows):
            if r:
                out.append("\n" + " " * len(head))
            left, right = ("[", "]") if n == 1 else (
                ("⎡", "⎤") if r == 0 else ("⎣", "⎦") if r == n - 1 else ("⎢", "⎥"))
            out.append(left + " " + "  ".join(row) + " " + right)
            if labels[r]:
                out.append(" " + labels[r], style="dim")
        return out
    if _is_vector(value):
        if name.startswith(("bias_ih", "bias_hh")) and order and len(value) % len(order) == 0:
            per = len(value) // len(order)
            parts = []
            for k, gate in enumerate(order):
                parts.append(f"{gate} [" + " ".join(_num(v) for v in value[k * per:(k + 1) * per]) + "]")
            width = max(len(p) for p in parts)
            for k in range(0, len(parts), 2):
                if k:
                    out.append("\n" + " " * len(head))
                out.append("  ".join(p.ljust(width) for p in parts[k:k + 2]).rstrip())
            return out
        out.append("[ " + "  ".join(_cells([value])[0]) + " ]")
        return out
    if isinstance(value, list):
        out.append("[" + ", ".join(_num(v) if not isinstance(v, list) else str(v) for v in value) + "]")
        return out
    out.append(_num(value))
    return out


def given_text(given: dict[str, Any]) -> Text:
    """Every given value, one block per name, in the question's order."""
    order = str(given.get("gate_order", ""))
    out = Text()
    first = True
    for name, value in given.items():
        if not first:
            out.append("\n")
        first = False
        out.append(value_block(name, value, order))
    return out
