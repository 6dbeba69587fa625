"""The five ratings with the interval each would give, as Anki shows them
above its answer buttons:

      <1m          6m          10m          3d           8d
    1 Not at all  2 Barely  3 With effort  4 Well  5 Perfectly

Labels come from ``scheduler.LABELS``, intervals from ``session.previews()``.
Ratings that are not allowed now (1 and 2 after a right drill answer) are dim.
Before the answer is shown the bar is blank, and keeps its height.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from studydeck.study.scheduler import LABELS


class RatingBar(Static):
    def blank(self) -> None:
        """Two empty lines: the bar's room, kept while the front is read."""
        self.update("\n")

    def show(self, previews: dict[int, str], allowed: tuple[int, ...], default: int | None = None) -> None:
        grid = Table.grid(expand=True)
        for _ in LABELS:
            grid.add_column(justify="center", ratio=1)
        intervals, names = [], []
        for rating, label in LABELS.items():
            ok = rating in allowed
            style = "" if ok else "dim"
            intervals.append(Text(previews.get(rating, ""), style=style or "italic"))
            key_style = "bold reverse" if ok else "dim"
            name = Text()
            name.append(f" {rating} ", style=key_style)
            name.append(f" {label}", style="bold" if rating == default else style)
            names.append(name)
        grid.add_row(*intervals)
        grid.add_row(*names)
        self.update(grid)
