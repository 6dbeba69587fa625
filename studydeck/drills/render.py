"""Showing a question's given values as plain text or Markdown.  Numpy-free.

Stacked PyTorch tensors are labelled by gate block: with ``gate_order`` "ifgo"
and hidden_size 2 the rows of ``weight_ih`` read i[0], i[1], f[0], f[1], ...
Sequences (``x`` of shape (L, input_size)) are labelled by time step t=1..L.
"""

from __future__ import annotations

from typing import Any

from . import fmt

_STACKED = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")


def _is_matrix(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, list) for r in value)


def _is_vector(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                           for v in value)


def _row_labels(key: str, n_rows: int, order: str) -> list[str]:
    if key.startswith(_STACKED[:4]) and order and n_rows % len(order) == 0:
        per = n_rows // len(order)
        return [f"{order[r // per]}[{r % per}]" for r in range(n_rows)]
    if key.startswith("x"):
        return [f"t={r + 1}" for r in range(n_rows)]
    return [f"[{r}]" for r in range(n_rows)]


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return fmt.given(value)
    if _is_vector(value):
        return fmt.given_vec(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def given_text(given: dict[str, Any]) -> str:
    """The given values as aligned plain-text lines, matrices row by row."""
    order = str(given.get("gate_order", ""))
    width = max((len(k) for k in given), default=0)
    lines = []
    for key, value in given.items():
        head = f"  {key.ljust(width)} = "
        if _is_matrix(value):
            labels = _row_labels(key, len(value), order)
            lw = max(len(lab) for lab in labels)
            for r, (lab, row) in enumerate(zip(labels, value)):
                lead = head if r == 0 else " " * len(head)
                lines.append(f"{lead}{lab.ljust(lw)}  {fmt.given_vec(row)}")
        elif _is_block_vector(key, value, order):
            lines.append(head + "  ".join(f"{g}: {fmt.given_vec(part)}"
                                          for g, part in _block_parts(value, order)))
        else:
            lines.append(head + _value(value))
    return "\n".join(lines)


def given_markdown(given: dict[str, Any]) -> str:
    """The given values in Markdown: a bullet per value, a small table per matrix."""
    order = str(given.get("gate_order", ""))
    out = []
    for key, value in given.items():
        if _is_matrix(value):
            labels = _row_labels(key, len(value), order)
            ncol = max(len(r) for r in value)
            out.append(f"- `{key}`:")
            out.append("")
            out.append("  | row | " + " | ".join(f"col {j}" for j in range(ncol)) + " |")
            out.append("  | --- | " + " | ".join("---:" for _ in range(ncol)) + " |")
            for lab, row in zip(labels, value):
                out.append(f"  | {lab} | " + " | ".join(fmt.given(v) for v in row) + " |")
            out.append("")
        elif _is_block_vector(key, value, order):
            out.append(f"- `{key}` = " + ", ".join(f"{g}: `{fmt.given_vec(part)}`"
                                                  for g, part in _block_parts(value, order)))
        else:
            out.append(f"- `{key}` = `{_value(value)}`")
    return "\n".join(out)


def _is_block_vector(key: str, value: Any, order: str) -> bool:
    return (key.startswith(_STACKED[2:4]) and bool(order) and _is_vector(value)
            and len(value) % len(order) == 0)


def _block_parts(value: list, order: str):
    per = len(value) // len(order)
    return [(g, value[k * per:(k + 1) * per]) for k, g in enumerate(order)]
