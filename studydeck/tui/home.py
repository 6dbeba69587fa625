"""The home screen: the decks with their counts, today's reviews and the streak.

Decks whose files failed to load are listed below the table as
``FILE:LINE: message``; every deck that did load still works.
"""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from studydeck import stats
from studydeck.scheduler import to_ms
from studydeck.session import day_start


def short_path(path: str) -> str:
    """``path`` relative to the working directory when inside it, else with ``~`` for home."""
    import os

    try:
        relative = os.path.relpath(path)
        if not relative.startswith(".."):
            return relative
    except ValueError:
        pass
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if home != "/" and path.startswith(home + os.sep) else path


def problem_line(problem) -> str:
    """``FILE:LINE: message`` for one deck problem."""
    return f"{short_path(problem.file)}:{problem.line}: {problem.message}"


class DeckErrorsPanel(Static):
    """The deck files that could not be loaded, one problem a line."""

    def show(self, problems) -> None:
        self.display = bool(problems)
        if problems:
            text = Text("Not loaded (fix the file, then restart or press r):\n", style="bold")
            text.append("\n".join(problem_line(p) for p in problems))
            self.update(text)


class HomeScreen(Screen):
    BINDINGS = [
        Binding("enter", "study_selected", "Study deck", show=True),
        Binding("a", "app.study_all", "All due"),
        Binding("d", "app.drills", "Drills"),
        Binding("s", "app.stats", "Stats"),
        Binding("l", "app.lab", "Lab"),
        Binding("r", "reload", "Reload", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="home-body"):
            yield Static(id="today")
            table = DataTable(id="decks", cursor_type="row", zebra_stripes=True)
            table.add_column("Deck", key="title")
            for name in ("New", "Learning", "Due", "Total"):
                table.add_column(name, key=name.lower())
            yield table
            yield DeckErrorsPanel(id="deck-errors")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_counts()
        self.call_after_refresh(self.app.mark_painted)

    def on_screen_resume(self) -> None:
        self.refresh_counts()

    def refresh_counts(self) -> None:
        app = self.app
        now = app.clock()
        collection = app.collection
        table = self.query_one("#decks", DataTable)
        selected = table.cursor_row
        table.clear()
        counts = stats.deck_counts(collection, app.decks, now)
        for c in counts:
            table.add_row(c.title, c.new, c.learning, c.due, c.cards, key=c.deck)
        if counts:
            table.move_cursor(row=min(selected, len(counts) - 1))
        reviews_today, new_today = collection.counts_since(to_ms(day_start(now, app.config.day_starts_at)))
        per_day = stats.reviews_per_day(collection, now - timedelta(days=400), now)
        streak = stats.streak(per_day, now.astimezone().date())
        due = sum(c.due for c in counts)
        new = sum(c.new for c in counts)
        line = Text()
        line.append(f"Today: {reviews_today} reviews", style="bold")
        line.append(f" ({new_today} new)   ")
        line.append(f"Streak: {streak} day{'s' if streak != 1 else ''}   ", style="bold")
        line.append(f"Due now: {due}   New available: {new}")
        if not app.decks:
            line.append("\nNo decks loaded: add deck folders to the settings or use --deck-dir.")
        self.query_one("#today", Static).update(line)
        self.query_one(DeckErrorsPanel).show(app.problems)

    def action_study_selected(self) -> None:
        table = self.query_one("#decks", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        deck = self.app.deck(key)
        if deck is not None:
            self.app.open_study([deck])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        deck = self.app.deck(event.row_key.value)
        if deck is not None:
            self.app.open_study([deck])

    def action_reload(self) -> None:
        self.app.reload_decks()
        self.refresh_counts()
        self.notify(f"Reloaded {len(self.app.decks)} decks.")
