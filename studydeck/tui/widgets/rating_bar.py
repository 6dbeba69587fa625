"""The five ratings with the interval each would give, as Anki shows them
above its answer buttons:

      <1m          6m          10m          3d           8d
    1 Not at all  2 Barely  3 With effort  4 Well  5 Perfectly

Labels come from ``scheduler.LABELS``, intervals from ``session.previews()``.
Ratings that are not allowed now (1 and 2 after a right drill answer) are dim.
Where a key and its label do not fit on one line in a fifth of the width
(under 75 columns) the key goes on a line of its own above the label, so no
label is broken.  Before the answer is shown the bar is blank, and keeps its
height.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from studydeck.study.scheduler import LABELS

# A key and its label on one line: " 1 " + " " + the longest label.
WIDE = len(LABELS) * (4 + max(len(label) for label in LABELS.values()))


class RatingBar(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple | None = None  # the last show()'s arguments, None while blank
        self._narrow: bool | None = None

    def _is_narrow(self) -> bool:
        width = self.content_size.width or self.app.size.width - 2
        return width < WIDE

    def blank(self) -> None:
        """Empty lines, as many as the bar takes: its room, kept while the front is read."""
        self._shown = None
        self._narrow = self._is_narrow()
        self.update("\n\n" if self._narrow else "\n")

    def show(self, previews: dict[int, str], allowed: tuple[int, ...], default: int | None = None) -> None:
        self._shown = (previews, allowed, default)
        self._narrow = narrow = self._is_narrow()
        grid = Table.grid(expand=True)
        for _ in LABELS:
            grid.add_column(justify="center", ratio=1)
        intervals, keys, names = [], [], []
        for rating, label in LABELS.items():
            ok = rating in allowed
            style = "" if ok else "dim"
            intervals.append(Text(previews.get(rating, ""), style=style or "italic"))
            key = Text(f" {rating} ", style="bold reverse" if ok else "dim")
            name = Text(label if narrow else f" {label}", style="bold" if rating == default else style)
            keys.append(key)
            names.append(name if narrow else Text.assemble(key, name))
        grid.add_row(*intervals)
        if narrow:
            grid.add_row(*keys)
        grid.add_row(*names)
        self.update(grid)

    def on_resize(self) -> None:
        if self._narrow is not None and self._narrow != self._is_narrow():
            if self._shown is None:
                self.blank()
            else:
                self.show(*self._shown)
