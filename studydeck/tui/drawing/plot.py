"""A bar plot in text on a log10 axis, one column per time step.

Used by the lab for ‖dL/dh_t‖ against t.  Bar heights are in eighths of a
row (``▁▂▃▄▅▆▇█``), so a plot ``height`` rows tall resolves ``8·height``
levels between ``10**lo`` and ``10**hi``; values at or below ``10**lo``
(including 0) draw nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text

EIGHTHS = " ▁▂▃▄▅▆▇█"


def bar_heights(values: Sequence[float], lo: float, hi: float, height: int) -> list[int]:
    """Each value's bar height in eighths of a row, 0 to 8·height."""
    out = []
    for v in values:
        if not v > 0:
            out.append(0)
            continue
        frac = (math.log10(v) - lo) / (hi - lo)
        out.append(max(0, min(8 * height, round(frac * 8 * height))))
    return out


def log_bars(values: Sequence[float], lo: int = -8, hi: int = 1, height: int = 12,
             style: str = "bold") -> Text:
    """The plot: a labelled log10 axis on the left, t = 0 .. T−1 along the bottom."""
    heights = bar_heights(values, lo, hi, height)
    rows_per_decade = height / (hi - lo)
    labels: dict[int, str] = {}
    for exponent in range(hi, lo - 1, -1):
        row = round((hi - exponent) * rows_per_decade)
        if 0 <= row < height and row not in labels and (exponent - lo) % 2 == 0:
            labels[row] = f"1e{exponent}"
    out = Text()
    for r in range(height):
        level_base = (height - 1 - r) * 8
        out.append(f"{labels.get(r, ''):>5}┤" if r in labels else "     │", style="dim")
        for h in heights:
            fill = max(0, min(8, h - level_base))
            out.append(EIGHTHS[fill], style=style)
        out.append("\n")
    out.append("     └" + "─" * len(heights) + "\n", style="dim")
    ticks = [" "] * len(heights)
    for t in range(0, len(heights), 10):
        for k, ch in enumerate(str(t)):
            if t + k < len(ticks):
                ticks[t + k] = ch
    out.append("      " + "".join(ticks) + "  t", style="dim")
    return out
