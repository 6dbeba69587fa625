"""The home screen: the decks with their counts, today's reviews and the streak.

The counts are :func:`studydeck.study.today.today`'s, Anki's three per deck
(new to be shown today, learning, review due) beside the unseen cards.

Decks whose files failed to load are listed below the table as
``FILE:LINE: message``; every deck that did load still works.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from studydeck.words import count

if TYPE_CHECKING:
    from studydeck.study.today import Today
from studydeck.tui.keys import COMMAND_PALETTE, static_bar
from studydeck.tui.widgets.deck_table import DeckTable

# Back on home, a count that ends within this many seconds is shown at once; a longer one
# (hundreds of ms at 100,000 cards) goes on off the UI thread.
RECOUNT_GRACE = 0.05


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
    from studydeck.safetext import shown

    return f"{shown(short_path(problem.file))}:{problem.line}: {shown(problem.message)}"


@dataclass(frozen=True)
class HomeNumbers:
    """What the home screen shows, computed in one go (possibly off the UI thread)."""

    today: Today
    streak: int


def home_numbers(collection, decks, config, now) -> HomeNumbers:
    # imported here: at start-up the numbers are read after the first paint
    from studydeck.study import stats
    from studydeck.study.today import today

    return HomeNumbers(today(collection, decks, config, now), stats.current_streak(collection, now))


class DeckErrorsPanel(Static):
    """The deck files that could not be loaded, one problem a line."""

    def show(self, problems) -> None:
        self.display = bool(problems)
        if problems:
            text = Text("Deck files with errors (fix them, then press r):\n", style="bold")
            text.append("\n".join(problem_line(p) for p in problems))
            self.update(text)


class HomeScreen(Screen):
    BINDINGS = [
        Binding("a", "app.study_all", "all due", tooltip="study everything due"),
        Binding("b", "app.browse", "browse", tooltip="find cards; suspend, bury, flag, forget"),
        Binding("d", "app.drills", "drills"),
        Binding("s", "app.stats", "stats"),
        Binding("l", "app.lab", "lab", tooltip="the LSTM lab"),
        Binding("n", "notes", "notes", tooltip="the chosen deck's study notes"),
        Binding("r", "reload", "reload", show=False, tooltip="reload the deck files"),
        Binding("q", "app.quit", "quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="home-body"):
            yield Static(id="today")
            yield DeckTable(id="decks")
            yield DeckErrorsPanel(id="deck-errors")
        # A key bar rather than a Footer: this screen is on the start-up path.
        yield Static(self._keys(), id="home-keys")

    def _keys(self):
        return static_bar(DeckTable.BINDINGS, self.BINDINGS, self.app.BINDINGS, [COMMAND_PALETTE],
                          width=self.app.size.width)

    def on_resize(self) -> None:
        self.query_one("#home-keys", Static).update(self._keys())

    def on_mount(self) -> None:
        self._shown_once = False
        self._recount = False  # back while the start-up thread counted: count again once it ends
        # what refresh_counts last showed, and where "updating…" goes (None: nothing counted yet)
        self._today_line: tuple[Text, int] | None = None
        if self.app.count_after_paint and self.app._prefetch is None:
            # Start-up: the decks are drawn at once and their numbers (a few
            # grouped scans of the collection, hundreds of ms on a large one)
            # are read on a thread after the first paint.
            self._show_counting()
            self.call_after_refresh(self._painted_then_count)
        else:
            self.refresh_counts(prefetched=True)
            self.call_after_refresh(self.app.mark_painted)

    class NumbersRead(Message):
        """A counting thread has read the home screen's numbers."""

        def __init__(self, token: object) -> None:
            super().__init__()
            self.token = token  # which prefetch (app.prefetch_is)

    def _count_on_thread(self) -> None:
        # post_message is safe from the thread; an error then surfaces in the app
        self.app.prefetch_home_numbers(done=lambda token: self.post_message(self.NumbersRead(token)))

    def _painted_then_count(self) -> None:
        self.app.mark_painted()
        self._count_on_thread()

    def on_home_screen_numbers_read(self, event: NumbersRead) -> None:
        event.stop()
        if not self.app.prefetch_is(event.token):  # dropped (a reload, a newer count) or taken
            return
        if not self._recount:  # nothing has happened since: show the thread's numbers
            self.refresh_counts(prefetched=True)
        elif self.is_current:  # the learner left and came back meanwhile: they may be stale
            self._recount_on_return()
        # else: away again; coming back counts

    def _recount_on_return(self) -> None:
        """Back on home: the numbers are counted on a thread.  If it ends within
        RECOUNT_GRACE they are shown at once, as if counted here; otherwise (a large
        collection, whose last count took longer: then home does not wait at all) the
        numbers shown so far stay, marked as being updated, and the app answers keys
        until the thread's numbers arrive."""
        self._recount = False  # this count is read after everything so far
        self.app.drop_prefetched_numbers()
        self._count_on_thread()
        # waiting is worth it only if the last count fitted in the grace (a small collection)
        grace = RECOUNT_GRACE if self.app.last_count_seconds < RECOUNT_GRACE else 0.0
        if self.app.wait_prefetch(grace):
            self.refresh_counts(prefetched=True)
        elif self._today_line is not None:  # else "Counting…" is still shown
            line, first = self._today_line
            marked = line[:first]
            marked.append(" · updating…", style="dim")
            self.query_one("#today", Static).update(marked + line[first:])

    def _show_counting(self) -> None:
        """The decks, their numbers shown as being counted."""
        app = self.app
        self.query_one(DeckTable).set_rows([(d.id, (d.title, "…", "…", "…", "…")) for d in app.decks])
        line = Text("Counting today's cards…", style="bold")
        if not app.decks:
            line.append("\nNo decks loaded: add deck folders to the settings or use --deck-dir.")
        self.query_one("#today", Static).update(line)
        self.query_one(DeckErrorsPanel).show(app.problems)

    def on_screen_resume(self) -> None:
        if self._shown_once:  # back from another screen: the numbers have changed
            if self._today_line is None and self.app.prefetch_pending():
                # the start-up thread is still counting: neither wait for it nor count
                # beside it here; what is shown stays, and its end counts again
                self._recount = True
            elif self.app.count_after_paint:
                self._recount_on_return()
            else:
                self.refresh_counts()
        self._shown_once = True

    def refresh_counts(self, prefetched: bool = False) -> None:
        """Show the numbers: read now, or with ``prefetched`` those read on a thread
        (numbers prefetched but not asked for are dropped unread, without waiting for
        the thread: they may be stale)."""
        app = self.app
        if prefetched:
            numbers = app.take_prefetched_numbers()
        else:
            app.drop_prefetched_numbers()
            numbers = None
        if numbers is None:
            numbers = home_numbers(app.collection, app.decks, app.config, app.clock())
        self._recount = False
        day = numbers.today
        self.query_one(DeckTable).set_rows(
            [(c.deck, (c.title, c.new, c.learning, c.review, c.unseen)) for c in day.decks])
        line = Text()
        line.append(f"Today: {count(day.reviews_done, 'review')}", style="bold")
        line.append(f" ({day.new_done} new) · ")
        line.append(f"Streak: {count(numbers.streak, 'day')}", style="bold")
        first = len(line)
        line.append(f"\nTo study: {day.new} new · {day.learning} learning · {day.review} review")
        line.append(f" · {day.unseen} unseen", style="dim")
        if not app.decks:
            line.append("\nNo decks loaded: add deck folders to the settings or use --deck-dir.")
        self._today_line = (line, first)
        self.query_one("#today", Static).update(line)
        self.query_one(DeckErrorsPanel).show(app.problems)

    def on_deck_table_deck_chosen(self, event: DeckTable.DeckChosen) -> None:
        event.stop()
        deck = self.app.deck(event.deck_id)
        if deck is not None:
            self.app.open_study([deck])

    def action_notes(self) -> None:
        deck = self.app.deck(self.query_one(DeckTable).chosen or "")
        if deck is not None:
            self.app.open_notes(deck)

    def action_reload(self) -> None:
        self.app.reload_decks()
        self.refresh_counts()
        self.notify(f"Reloaded {count(len(self.app.decks), 'deck')}.")
