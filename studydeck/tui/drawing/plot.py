"""A bar plot in text on a log10 axis, one column per time step.

Used by the lab for ‖dL/dh_t‖ against t.  Bar heights are in eighths of a
row (``▁▂▃▄▅▆▇█``), so a plot ``height`` rows tall resolves ``8·height``
levels between ``10**lo`` and ``10**hi``; values at or below ``10**lo``
(including 0) draw nothing.  The y axis is labelled in decades (``1e-4``),
the x axis every 10 steps.  Given a ``width`` narrower than one column per
step, each column stands for a run of steps (their geometric mean), so the
plot never wraps.
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


AXIS = 6  # the y labels' width, with the axis line


def decade_range(*series: Sequence[float]) -> tuple[int, int]:
    """(lo, hi) exponents that hold every positive value of every series."""
    positive = [v for values in series for v in values if v > 0]
    if not positive:
        return -1, 0
    lo, hi = math.floor(math.log10(min(positive))), math.ceil(math.log10(max(positive)))
    return lo, max(hi, lo + 1)


def columns(values: Sequence[float], width: int | None) -> tuple[list[float], int]:
    """The values to draw, one per column, and the steps each column stands for."""
    room = None if width is None else max(1, width - AXIS - 2)  # a tick label may pass the last bar by 2
    if room is None or len(values) <= room:
        return list(values), 1
    per = math.ceil(len(values) / room)
    out = []
    for start in range(0, len(values), per):
        run = [v for v in values[start:start + per] if v > 0]
        out.append(math.exp(sum(math.log(v) for v in run) / len(run)) if run else 0.0)
    return out, per


def log_bars(values: Sequence[float], lo: int = -8, hi: int = 1, height: int = 12,
             style: str = "bold", width: int | None = None) -> Text:
    """The plot: a labelled log10 axis on the left, t = 0 .. T−1 along the bottom (``t 0  10  20``),
    at most ``width`` characters wide (with the axes)."""
    drawn, per = columns(values, width)
    heights = bar_heights(drawn, lo, hi, height)
    rows_per_decade = height / (hi - lo)
    every = max(1, math.ceil(2 / rows_per_decade))  # a label at most every other row
    labels: dict[int, str] = {}
    for exponent in range(hi, lo - 1, -1):
        row = round((hi - exponent) * rows_per_decade)
        if 0 <= row < height and row not in labels and (hi - exponent) % every == 0:
            labels[row] = f"1e{exponent}"
    out = Text()
    for r in range(height):
        level_base = (height - 1 - r) * 8
        out.append(f"{labels[r]:>{AXIS - 1}}┤" if r in labels else " " * (AXIS - 1) + "│", style="dim")
        for h in heights:
            fill = max(0, min(8, h - level_base))
            out.append(EIGHTHS[fill], style=style)
        out.append("\n")
    out.append(" " * (AXIS - 1) + "└" + "─" * len(heights) + "\n", style="dim")
    ticks = [" "] * (len(heights) + 4)
    for t in range(0, len(values), 10):
        col, label = t // per, str(t)
        if col + len(label) <= len(ticks) and all(c == " " for c in ticks[max(0, col - 1):col + len(label)]):
            ticks[col:col + len(label)] = label
    out.append(" " * (AXIS - 2) + "t " + "".join(ticks).rstrip(), style="dim")
    return out
