"""LSTM and GRU cells drawn with box characters, annotated with values.

Pure text: :func:`lstm_diagram` and :func:`gru_diagram` return a Rich
``Text`` (no Textual, no numpy), so the drill screen, the lab and the tests
draw the same picture.  The values come from a drill's ``question.cell`` or
from the engine's ``trace``: a dict of lists, keys as the trace names them

    LSTM: x, h_prev, c_prev, i, f, g, o, c (= c'), h (= h')
    GRU:  x, h_prev, r, z, n, h (= h')

with the equations (PyTorch, gate order i, f, g, o / r, z, n)

    c' = f ⊙ c_prev + i ⊙ g,   h' = o ⊙ tanh(c')
    h' = (1 − z) ⊙ n + z ⊙ h_prev,   n = tanh(W_in x + b_in + r ⊙ (W_hn h_prev + b_hn))

Missing values are shown as ``·``.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Iterable

from rich.text import Text

_OPERATORS = set("×+σ")
_ARROWS = set("▲▼◀▶")
_WIRES = set("─│┌┐└┘├┤┬┴┼")


class _Canvas:
    """A grid of characters to draw wires, boxes and labels on."""

    def __init__(self, width: int, height: int) -> None:
        self.rows = [[" "] * width for _ in range(height)]

    def put(self, row: int, col: int, text: str) -> None:
        for k, ch in enumerate(text):
            self.rows[row][col + k] = ch

    def hline(self, row: int, c0: int, c1: int) -> None:
        for c in range(c0, c1 + 1):
            self.rows[row][c] = "─"

    def vline(self, col: int, r0: int, r1: int) -> None:
        for r in range(r0, r1 + 1):
            self.rows[r][col] = "│"

    def box(self, row: int, center: int, label: str) -> None:
        """A 3-line box with ``label`` inside, wires leaving the top and the bottom at ``center``."""
        inner = len(label) + 2
        left = center - (inner + 1) // 2
        self.put(row, left, "┌" + "─" * inner + "┐")
        self.put(row + 1, left, "│ " + label + " │")
        self.put(row + 2, left, "└" + "─" * inner + "┘")
        self.rows[row][center] = "┴"
        self.rows[row + 2][center] = "┬"

    def text(self, labels: Iterable[str] = ()) -> Text:
        out = Text()
        labels = set(labels)
        for r, row in enumerate(self.rows):
            line = "".join(row).rstrip()
            start = len(out)
            out.append(line)
            for c, ch in enumerate(line):
                if ch in _WIRES:
                    out.stylize("dim", start + c, start + c + 1)
                elif ch in _ARROWS:
                    out.stylize("bold", start + c, start + c + 1)
            for label in labels:
                at = line.find(label)
                while at >= 0:
                    out.stylize("bold", start + at, start + at + len(label))
                    at = line.find(label, at + len(label))
            if r < len(self.rows) - 1:
                out.append("\n")
        return out


def lstm_picture() -> Text:
    """The LSTM cell: c_prev along the top, gates in a row, h_prev and x on the bus."""
    cv = _Canvas(50, 11)
    cv.put(0, 0, "c_prev ──▶(×)")
    cv.hline(0, 13, 28)
    cv.put(0, 29, "▶(+)")
    cv.hline(0, 33, 39)
    cv.put(0, 40, "┬")
    cv.hline(0, 41, 44)
    cv.put(0, 45, "▶ c'")
    cv.put(1, 11, "▲")
    cv.put(1, 31, "▲")
    cv.put(1, 40, "▼")
    cv.put(2, 38, "tanh")
    cv.put(2, 22, "┌")
    cv.hline(2, 23, 28)
    cv.put(2, 29, "▶(×)")
    cv.put(3, 40, "▼")
    cv.put(3, 31, "▲")
    cv.put(4, 39, "(×)")
    cv.hline(4, 42, 45)
    cv.put(4, 46, "▶ h'")
    cv.put(5, 40, "▲")
    cv.vline(11, 2, 5)
    cv.vline(22, 3, 5)
    cv.vline(31, 4, 5)
    cv.put(4, 12, "f")
    cv.put(4, 23, "i")
    cv.put(4, 32, "g")
    cv.put(5, 41, "o")
    cv.box(6, 11, "σ")
    cv.box(6, 22, "σ")
    cv.box(6, 31, "tanh")
    cv.box(6, 40, "σ")
    cv.put(9, 0, "h_prev ─┬")
    cv.hline(9, 9, 39)
    for col in (11, 22, 31):
        cv.put(9, col, "┴")
    cv.put(9, 40, "┘")
    cv.put(10, 0, "x ──────┘")
    return cv.text(["c_prev", "h_prev", "c'", "h'"])


def gru_picture() -> Text:
    """The GRU cell: h_prev along the top, z mixing it with the candidate n."""
    cv = _Canvas(50, 11)
    cv.put(0, 0, "h_prev ──┬")
    cv.hline(0, 10, 20)
    cv.put(0, 21, "▶(×)")
    cv.hline(0, 25, 33)
    cv.put(0, 34, "▶(+)")
    cv.hline(0, 38, 42)
    cv.put(0, 43, "▶ h'")
    cv.put(1, 22, "▲")
    cv.put(1, 36, "▲")
    cv.put(2, 35, "(×)◀")
    cv.hline(2, 39, 43)
    cv.put(2, 44, "┐")
    cv.put(3, 36, "▲")
    cv.vline(44, 3, 5)
    cv.put(3, 45, "n")
    cv.put(4, 35, "1−z")
    cv.put(5, 22, "├")
    cv.hline(5, 23, 35)
    cv.put(5, 36, "┘")
    cv.vline(22, 2, 4)
    cv.put(3, 23, "z")
    cv.vline(9, 1, 8)
    cv.box(6, 22, "σ")
    cv.box(6, 32, "σ")
    cv.box(6, 44, "tanh")
    cv.put(7, 34, "├─────▶")
    cv.put(8, 37, "r")
    cv.put(9, 9, "├")
    cv.hline(9, 10, 43)
    for col in (22, 32):
        cv.put(9, col, "┴")
    cv.put(9, 44, "┘")
    cv.put(10, 0, "x ───────┘")
    return cv.text(["h_prev", "h'"])


def _flat(value: Any) -> list[float] | None:
    """A vector as a flat list of floats (a batch of one is unwrapped)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        return _flat(value[0])
    if isinstance(value, list) and all(isinstance(v, (int, float)) for v in value):
        return [float(v) for v in value]
    return None


def vector_text(value: Any, width: int = 6) -> str:
    """``[ 0.62 -0.41]``: a short vector with two decimals, or ``·`` when missing."""
    values = _flat(value)
    if values is None:
        return "·"
    return "[" + " ".join(f"{v:{width}.2f}" for v in values) + "]"


LSTM_ROWS = (
    ("x", "x", "input"),
    ("h_prev", "h_prev", "previous hidden state"),
    ("c_prev", "c_prev", "previous cell state"),
    ("f", "f = σ(a_f)", "forget gate"),
    ("i", "i = σ(a_i)", "input gate"),
    ("g", "g = tanh(a_g)", "candidate"),
    ("o", "o = σ(a_o)", "output gate"),
    ("c", "c' = f⊙c + i⊙g", "new cell state"),
    ("h", "h' = o⊙tanh(c')", "new hidden state"),
)

GRU_ROWS = (
    ("x", "x", "input"),
    ("h_prev", "h_prev", "previous hidden state"),
    ("r", "r = σ(a_r)", "reset gate"),
    ("z", "z = σ(a_z)", "update gate"),
    ("n", "n = tanh(a_n)", "candidate"),
    ("h", "h' = (1−z)⊙n + z⊙h", "new hidden state"),
)


def is_gru(cell: dict) -> bool:
    return "z" in cell or "r" in cell or "n" in cell


def value_rows(cell: dict, rows=None, highlight: str | None = None) -> Text:
    """One line per named value: ``f = σ(a_f)   [ 0.62  0.41]``."""
    rows = rows or (GRU_ROWS if is_gru(cell) else LSTM_ROWS)
    width = max(len(label) for _, label, _ in rows)
    out = Text()
    for k, (key, label, _what) in enumerate(rows):
        style = "reverse" if key == highlight else ""
        out.append(label.ljust(width), style="bold " + style if style else "bold")
        out.append("  " + vector_text(cell.get(key)), style=style)
        if k < len(rows) - 1:
            out.append("\n")
    return out


def cell_diagram(cell: dict, highlight: str | None = None, gru: bool | None = None) -> Text:
    """The picture of the cell, then the values of this question or trace.
    ``gru`` says which cell to draw; None decides by the values' names."""
    if gru is None:
        gru = is_gru(cell)
    out = Text()
    out.append(gru_picture() if gru else lstm_picture())
    out.append("\n\n")
    out.append(value_rows(cell, GRU_ROWS if gru else LSTM_ROWS, highlight=highlight))
    return out
