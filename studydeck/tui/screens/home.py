"""The home screen: the decks with their counts, today's reviews and the streak.

Decks whose files failed to load are listed below the table as
``FILE:LINE: message``; every deck that did load still works.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from studydeck.study import stats
from studydeck.study.scheduler import to_ms
from studydeck.study.queue import day_start
from studydeck.tui.widgets.deck_table import DeckTable, key_bar

KEYS = [("enter", "Study deck"), ("a", "All due"), ("d", "Drills"), ("s", "Stats"), ("l", "Lab"),
        ("?", "Help"), ("q", "Quit"), ("^p", "Commands")]


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


@dataclass(frozen=True)
class HomeNumbers:
    """What the home screen shows, computed in one go (possibly off the UI thread)."""

    counts: list
    reviews_today: int
    new_today: int
    streak: int


def home_numbers(collection, decks, config, now) -> HomeNumbers:
    counts = stats.deck_counts(collection, decks, now)
    reviews_today, new_today = collection.counts_since(to_ms(day_start(now, config.day_starts_at)))
    return HomeNumbers(counts, reviews_today, new_today, stats.current_streak(collection, now))


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
        Binding("a", "app.study_all", "All due"),
        Binding("b", "app.browse", "Browse"),
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
            yield DeckTable(id="decks")
            yield DeckErrorsPanel(id="deck-errors")
        # A key bar rather than a Footer: this screen is on the start-up path.
        yield Static(key_bar(KEYS), id="home-keys")

    def on_mount(self) -> None:
        self._shown_once = False
        self.refresh_counts()
        self.call_after_refresh(self.app.mark_painted)

    def on_screen_resume(self) -> None:
        if self._shown_once:  # back from another screen: the numbers have changed
            self.refresh_counts()
        self._shown_once = True

    def refresh_counts(self) -> None:
        app = self.app
        numbers = app.take_prefetched_numbers()
        if numbers is None:
            numbers = home_numbers(app.collection, app.decks, app.config, app.clock())
        counts = numbers.counts
        self.query_one(DeckTable).set_rows(
            [(c.deck, (c.title, c.new, c.learning, c.due, c.cards)) for c in counts])
        reviews_today, new_today, streak = numbers.reviews_today, numbers.new_today, numbers.streak
        due = sum(c.due for c in counts)
        new = sum(c.new for c in counts)
        line = Text()
        line.append(f"Today: {reviews_today} reviews", style="bold")
        line.append(f" ({new_today} new)   ")
        line.append(f"Streak: {streak} day{'s' if streak != 1 else ''}   ", style="bold")
        today = min(new, max(0, app.config.new_per_day - new_today))
        line.append(f"Due now: {due}   New today: {today} (of {new} unseen)")
        if not app.decks:
            line.append("\nNo decks loaded: add deck folders to the settings or use --deck-dir.")
        self.query_one("#today", Static).update(line)
        self.query_one(DeckErrorsPanel).show(app.problems)

    def on_deck_table_deck_chosen(self, event: DeckTable.DeckChosen) -> None:
        event.stop()
        deck = self.app.deck(event.deck_id)
        if deck is not None:
            self.app.open_study([deck])

    def action_reload(self) -> None:
        self.app.reload_decks()
        self.refresh_counts()
        self.notify(f"Reloaded {len(self.app.decks)} decks.")
