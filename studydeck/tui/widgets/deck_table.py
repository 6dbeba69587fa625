"""The home screen's deck table.

A focusable Static that draws a Rich table with one highlighted row: the
home screen is on the start-up path, and this costs a fraction of a
DataTable (no per-cell widgets, little CSS).  Only the rows that fit are
drawn (a window that follows the cursor), so a hundred decks cost what a
screenful does.  ↑/↓ (or k/j) move the cursor, Enter posts
:class:`DeckTable.DeckChosen`, a click on a row chooses it.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

COLUMNS = ("Deck", "New", "Learn", "Review", "Unseen")


class DeckTable(Static, can_focus=True):
    BINDINGS = [
        Binding("up,k", "move(-1)", "up", show=False, group=Binding.Group("choose a deck")),
        Binding("down,j", "move(1)", "down", show=False, group=Binding.Group("choose a deck")),
        Binding("home", "move_to(0)", "first deck", show=False),
        Binding("end", "move_to(-1)", "last deck", show=False),
        Binding("enter", "choose", "study deck", tooltip="study the chosen deck"),
    ]

    cursor = reactive(0)

    class DeckChosen(Message):
        def __init__(self, deck_id: str) -> None:
            super().__init__()
            self.deck_id = deck_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[tuple[str, tuple]] = []  # (deck id, cells)
        self.top = 0  # index of the first row drawn
        self._has_rows = False  # set_rows called: drawing before it would draw an empty table

    def set_rows(self, rows: list[tuple[str, tuple]]) -> None:
        self.rows = rows
        self._has_rows = True
        cursor = min(self.cursor, max(0, len(rows) - 1))
        if cursor == self.cursor:
            self._draw()
        else:
            self.cursor = cursor  # drawn by watch_cursor

    @property
    def chosen(self) -> str | None:
        return self.rows[self.cursor][0] if self.rows else None

    def watch_cursor(self) -> None:
        if self._has_rows:  # before the first rows there is nothing to draw
            self._draw()

    def _fitting(self) -> int:
        """Rows that fit under the header: the widget's height once laid out, else the
        terminal's (an upper bound; the layout then shrinks it and it is drawn again)."""
        height = self.size.height if self.size.height > 1 else self.app.size.height
        return max(1, height - 1)

    def _draw(self) -> None:
        fitting = self._fitting()
        self.top = min(max(self.top, self.cursor - fitting + 1), self.cursor,
                       max(0, len(self.rows) - fitting))
        # The numbers keep their width; a long deck title gives way (…) on a narrow terminal.
        numbers = [max([len(name)] + [len(str(cells[k])) for _, cells in self.rows])
                   for k, name in enumerate(COLUMNS) if k]
        room = (self.content_size.width or self.app.size.width - 2) - sum(w + 3 for w in numbers) - 3
        self.update(self._lines(numbers, room, fitting) if room >= 8 else self._table(numbers, room, fitting))

    def _table(self, numbers: list[int], room: int, fitting: int) -> Table:
        """The rows that fit as a Rich table (which also squeezes the numbers when
        even an 8-cell title does not fit)."""
        table = Table(box=None, padding=(0, 2, 0, 1), show_edge=False, header_style="bold")
        table.add_column(COLUMNS[0], no_wrap=True, overflow="ellipsis", max_width=max(8, room))
        for name, width in zip(COLUMNS[1:], numbers):
            table.add_column(name, justify="right", no_wrap=True, min_width=width)
        for index in range(self.top, min(len(self.rows), self.top + fitting)):
            style = "reverse" if index == self.cursor and self.has_focus else (
                "underline" if index == self.cursor else "")
            table.add_row(*[Text(str(c)) for c in self.rows[index][1]], style=style)
        return table

    def on_focus(self) -> None:
        if self._has_rows:
            self._draw()

    def _lines(self, numbers: list[int], room: int, fitting: int) -> Text:
        """The rows that fit as lines of text, laid out as the Rich table below lays
        them out when it fits (one space before each cell, two after), several
        times cheaper to draw: the home screen is on the start-up path."""
        shown = range(self.top, min(len(self.rows), self.top + fitting))
        titles = [Text(str(self.rows[index][1][0])) for index in shown]
        width = min(max([cell_len(COLUMNS[0])] + [title.cell_len for title in titles]), room)

        def line(title: Text, cells, style: str) -> Text:
            title.truncate(width, overflow="ellipsis", pad=True)
            return Text.assemble(" ", title, "  ", *[part for w, cell in zip(numbers, cells)
                                                    for part in (" ", str(cell).rjust(w), "  ")],
                                 style=style, end="")

        out = Text(end="")
        out.append_text(line(Text(COLUMNS[0]), COLUMNS[1:], "bold"))
        for index, title in zip(shown, titles):
            style = "reverse" if index == self.cursor and self.has_focus else (
                "underline" if index == self.cursor else "")
            out.append("\n")
            out.append_text(line(title, self.rows[index][1][1:], style))
        return out

    def on_resize(self) -> None:
        self._draw()

    def on_blur(self) -> None:
        if self._has_rows:
            self._draw()

    def action_move(self, step: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + step))

    def action_move_to(self, index: int) -> None:
        if self.rows:
            self.cursor = index % len(self.rows)

    def action_choose(self) -> None:
        if self.rows:
            self.post_message(self.DeckChosen(self.chosen))

    def on_click(self, event: events.Click) -> None:
        row = self.top + event.y - 1  # the header takes the first line
        if self.top <= row < len(self.rows):
            self.cursor = row
            self.action_choose()
