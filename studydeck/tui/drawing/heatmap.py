"""A calendar heatmap of reviews: one column per week, one row per weekday.

    Jan       Feb        Mar
 Mon ·░▒·▓ ...
 Tue ...

Each day is one character whose shade grows with its review count: none,
then four steps up to the busiest day shown.  The shades differ in shape as
well as colour, so the map reads the same with NO_COLOR.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text

SHADES = ("·", "░", "▒", "▓", "█")
COLOURS = ("grey35", "green4", "green3", "green1", "bright_green")
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def level(n: int, top: int) -> int:
    """Shade 0 for no reviews, else 1-4 in proportion to the busiest day ``top``."""
    if n <= 0:
        return 0
    return min(4, 1 + (4 * n) // (top + 1))


def heatmap(per_day: dict[date, int], today: date, weeks: int = 26) -> Text:
    """The last ``weeks`` weeks up to ``today`` (today's column on the right)."""
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    days = [start + timedelta(days=k) for k in range((today - start).days + 1)]
    top = max((per_day.get(d, 0) for d in days), default=0)
    out = Text()
    header = [" "] * (weeks * 2)
    last_month = None
    for w in range(weeks):
        first = start + timedelta(weeks=w)
        if first.month != last_month:
            label = first.strftime("%b")
            col = w * 2
            if all(ch == " " for ch in header[max(0, col - 1): col + len(label)]):
                header[col: col + len(label)] = list(label)
            last_month = first.month
    out.append("    " + "".join(header).rstrip() + "\n")
    for wd in range(7):
        out.append(f"{WEEKDAYS[wd]:<4}", style="dim")
        for w in range(weeks):
            day = start + timedelta(weeks=w, days=wd)
            if day > today:
                out.append("  ")
                continue
            lvl = level(per_day.get(day, 0), top)
            out.append(SHADES[lvl], style=COLOURS[lvl])
            out.append(" ")
        out.append("\n")
    out.append("    less ", style="dim")
    for lvl in range(5):
        out.append(SHADES[lvl] + " ", style=COLOURS[lvl])
    out.append("more", style="dim")
    return out
