"""A calendar heatmap of reviews: one column per week, one row per weekday.

    Jan       Feb        Mar
 Mon ·░▒·▓ ...
 Tue ...

Each day is one character whose shade grows with its review count, in five
levels split at the quartiles of the days that had reviews (so one huge day
does not wash out the rest).  The shades differ in shape as well as colour,
so the map reads the same with NO_COLOR.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text

SHADES = ("·", "░", "▒", "▓", "█")
COLOURS = ("grey35", "green4", "green3", "green1", "bright_green")
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def levels(counts: list[int]) -> list[int]:
    """Thresholds: a day with n reviews gets the level of the last threshold ≤ n."""
    positive = sorted(c for c in counts if c > 0)
    if not positive:
        return [1, 2, 3, 4]
    q = [positive[min(len(positive) - 1, int(len(positive) * f))] for f in (0.0, 0.25, 0.5, 0.75)]
    out = []
    for k, value in enumerate(q):
        out.append(max(value, out[-1] + 1 if out else 1))
    return out


def level_of(n: int, thresholds: list[int]) -> int:
    lvl = 0
    for k, t in enumerate(thresholds, start=1):
        if n >= t:
            lvl = k
    return lvl


def heatmap(per_day: dict[date, int], today: date, weeks: int = 26) -> Text:
    """The last ``weeks`` weeks up to ``today`` (today's column on the right)."""
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    days = [start + timedelta(days=k) for k in range((today - start).days + 1)]
    thresholds = levels([per_day.get(d, 0) for d in days])
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
            lvl = level_of(per_day.get(day, 0), thresholds)
            out.append(SHADES[lvl], style=COLOURS[lvl])
            out.append(" ")
        out.append("\n")
    out.append("    less ", style="dim")
    for lvl in range(5):
        out.append(SHADES[lvl] + " ", style=COLOURS[lvl])
    out.append("more", style="dim")
    return out
