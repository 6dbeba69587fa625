"""A deck's study notes: its Markdown ``description``, full screen and scrollable.

Opened with ``n`` from home (the chosen deck) and from the study screen (the
shown card's deck).  The bundled decks' descriptions are written to be read
here before the cards.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header

from studydeck.tui.widgets.card_text import CardText


class NotesScreen(Screen):
    BINDINGS = [
        Binding("escape,q,n", "leave", "back", tooltip="back to where you were"),
        Binding("up,k", "scroll(-1)", "scroll", show=False, group=Binding.Group("scroll"),
                tooltip="scroll the notes (PgUp/PgDn, Home/End too)"),
        Binding("down,j", "scroll(1)", "scroll", show=False, group=Binding.Group("scroll")),
    ]

    def __init__(self, deck) -> None:
        super().__init__()
        self.deck = deck

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="notes-body"):
            yield CardText(id="notes")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Notes · {self.deck.title}"
        text = self.deck.description.strip() or "_This deck has no study notes (its file has no `description`)._"
        self.query_one("#notes", CardText).show(text)
        self.query_one("#notes-body").focus()

    def action_scroll(self, step: int) -> None:
        body = self.query_one("#notes-body", VerticalScroll)
        body.scroll_relative(y=step, animate=False)

    def action_leave(self) -> None:
        self.app.pop_screen()
