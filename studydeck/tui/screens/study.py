"""The study screen: one card at a time from a :class:`Session`.

The screen is a face of the session: it draws ``session.shown`` as
``session.phase`` says (front, back, feedback, done), offers the keys the
session allows now, and forwards them.  It decides nothing of its own: the
ratings allowed, Enter's default, the card's label, the "Saved" line and the
summary all come from the session.

``session.rate`` commits the rating before it returns, and the next card is
painted only after that.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Rule, Static

from studydeck.study.scheduler import LABELS
from studydeck.study.session import Phase, Session, SessionError
from studydeck.tui.widgets.card_text import CardText
from studydeck.tui.keys import live_bar
from studydeck.tui.widgets.drill_view import DrillView
from studydeck.tui.widgets.rating_bar import RatingBar
from studydeck.tui.widgets.session_bar import SessionBar
from studydeck.words import count

LETTERS = "abcdef"
PICK = Binding.Group("pick")
RATE = Binding.Group("rate")


class StudyScreen(Screen):
    BINDINGS = [
        Binding("enter", "check", "check the answer", tooltip="drill card: check the answer"),
        *[Binding(letter, f"choose({k})", f"pick {letter}", group=PICK,
                  tooltip="choice card: pick an option (a wrong pick is rated 1)") for k, letter in enumerate(LETTERS)],
        Binding("space,enter", "reveal", "show answer", key_display="space", tooltip="show the answer"),
        Binding("space,enter", "continue", "next card", key_display="space",
                tooltip="after a wrong answer: the next card"),
        Binding("space,enter", "rate_default", "rate 4", key_display="space",
                tooltip="with the answer shown: rate 4 (Well), as in Anki"),
        *[Binding(str(n), f"rate({n})", LABELS[n], group=RATE,
                  tooltip="rate: " + ", ".join(LABELS.values())) for n in range(1, 6)],
        Binding("u,ctrl+z", "undo", "undo", key_display="u", tooltip="undo the last rating"),
        Binding("e", "edit", "edit", key_display="e", tooltip="edit the card in $EDITOR at its line, then reload the deck"),
        Binding("ctrl+e", "edit", "edit", priority=True),
        Binding("n", "notes", "notes", tooltip="the deck's study notes"),
        Binding("m", "more_new", "more new cards",
                tooltip="at the end: study more new cards today (Anki's custom study)"),
        Binding("escape,q", "leave", "home", key_display="esc", tooltip="back home (ratings are already saved)"),
    ]

    def __init__(self, decks, session_options: dict | None = None) -> None:
        super().__init__()
        self.decks = list(decks)
        self.session_options = session_options or {}
        self.session: Session | None = None
        self.more_new = 0  # at the end: new cards "m" would add
        self.options: list[str] = []
        self.picked: int | None = None
        self._widgets: dict = {}

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="study-status"):
            yield Static(id="position")
            yield SessionBar(id="progress")
        with VerticalScroll(id="card"):
            yield CardText(id="front")
            yield Static(id="choices")
            yield Rule(id="divider")
            yield CardText(id="back")
            yield CardText(id="extra")
        yield DrillView(id="drill", cursor_blink=self.app.cursor_blink)
        yield Static(id="summary")
        with Vertical(id="study-bottom"):
            # In one container under the card (not docked: a docked widget
            # that changes height changes every widget's geometry), the
            # rating bar comes and goes without Textual redrawing the header
            # and status line.
            yield RatingBar(id="ratings")
            yield Static(id="hint")
        # The hint line is this screen's footer: it names the keys that work
        # in the current phase, and costs far less than a Footer to repaint.

    async def on_mount(self) -> None:
        titles = ", ".join(d.title for d in self.decks) if len(self.decks) < 3 else f"{len(self.decks)} decks"
        self.sub_title = f"Study · {titles}"
        self.session = Session(self.app.collection, self.decks, self.app.config, clock=self.app.clock,
                               **self.session_options)
        await self.show_current()

    def _one(self, selector, expect_type=None):
        """``query_one``, kept: this screen's widgets stay for its life, and a
        query costs more than the rest of a rating's bookkeeping."""
        key = (selector, expect_type)
        widget = self._widgets.get(key)
        if widget is None:
            widget = self._widgets[key] = self.query_one(selector, expect_type)
        return widget

    @property
    def card(self):
        """The card on screen (the session's ``shown``), None at the end."""
        return self.session.shown if self.session is not None else None

    @property
    def phase(self) -> Phase:
        return self.session.phase

    # -- painting ----------------------------------------------------------
    async def show_current(self) -> None:
        """Paint the session's current card (or the summary) from the front."""
        session = self.session
        self.picked = None
        self._update_progress()
        if session.phase == Phase.DONE:
            self._show_summary()
            return
        self.options = session.choice_options() if self.card.type == "choice" else []
        await self._paint_card()

    async def _paint_card(self) -> None:
        card = self.card
        is_drill = card.type == "drill"
        self._one("#summary").display = False
        self._one("#card").display = not is_drill
        drill = self._one(DrillView)
        drill.display = is_drill
        if is_drill:
            question = self.session.drill_question()
            drill.show_question(question, title=card.front)
        else:
            self._one("#front", CardText).show(card.front)
            self._one("#card", VerticalScroll).scroll_home(animate=False)
        await self._paint_answer()

    async def _paint_answer(self) -> None:
        """Show or hide the back, the options and the rating bar for the phase."""
        card = self.card
        shown = self.phase in (Phase.BACK, Phase.FEEDBACK)
        self._paint_choices()
        if card.type != "drill":
            self._one("#divider").display = shown
            back = self._one("#back", CardText)
            back.display = shown and bool(card.back) and card.type != "choice"
            extra = self._one("#extra", CardText)
            extra.display = shown and bool(card.extra)
            if back.display:
                back.show(card.back)
            if extra.display:
                extra.show(card.extra)
        ratings = self._one(RatingBar)
        # Below a card the bar keeps its two lines, blank until the answer is
        # shown: the rating that brings the next card then moves no widget
        # but the card's own, and Textual redraws only those.  A drill
        # question needs the room.
        ratings.display = card.type != "drill" or self.phase == Phase.BACK
        if self.phase == Phase.BACK:
            session = self.session
            ratings.show(session.previews(), session.allowed_ratings(), session.default_rating)
        else:
            ratings.blank()
        self._one("#hint", Static).update(self._hint())

    def _paint_choices(self) -> None:
        choices = self._one("#choices", Static)
        choices.display = bool(self.options)
        if not self.options:
            return
        text = Text()
        shown = self.phase in (Phase.BACK, Phase.FEEDBACK)
        for k, option in enumerate(self.options):
            right = option == self.card.answer
            style = ""
            mark = "  "
            if shown and right:
                style, mark = "bold green", "✓ "
            elif shown and k == self.picked:
                style, mark = "bold red", "✗ "
            text.append(f"{mark}{LETTERS[k]}) ", style="bold")
            text.append(option + "\n", style=style)
        choices.update(text)

    def _hint(self) -> Text:
        """The key line: what works now (from the bindings), after a wrong
        answer led by the session's "Saved" line."""
        lead = Text()
        if self.session.phase == Phase.FEEDBACK:
            lead = Text(self.session.saved_text(self.session.last_outcome()) + "  ", style="bold")
        return live_bar(self, self.app.BINDINGS, width=self.size.width or self.app.size.width, lead=lead)

    def on_descendant_focus(self) -> None:
        if self.session is not None:  # typed keys leave the key line while the answer box has focus
            self._one("#hint", Static).update(self._hint())

    on_descendant_blur = on_descendant_focus
    on_resize = on_descendant_focus  # the key line wraps to the new width

    def _update_progress(self) -> None:
        done, total = self.session.progress
        self._one(SessionBar).show(done, total)
        parts = self.session.card_label().split(" · ")
        position = Text()
        position.append(" · ".join(parts[:3]), style="bold")  # new · learning · review
        position.append("".join(" · " + part for part in parts[3:]))
        self._one("#position", Static).update(position)

    def _show_summary(self) -> None:
        for selector in ("#card", "#drill", "#ratings"):
            self._one(selector).display = False
        self.more_new = self.session.more_new_available()
        headline, *rows = self.session.summary_lines()
        text = Text()
        text.append(headline, style="bold")
        if rows:
            text.append("\n\n" + "\n".join(rows) + "\n")
        self._one("#summary", Static).update(text)
        self._one("#summary").display = True
        self._one("#hint", Static).update(self._hint())

    # -- which keys work now: the session says -----------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        session = self.session
        if session is None:
            return action not in ("check", "reveal", "continue", "rate", "rate_default", "choose", "undo", "edit")
        card, phase = self.card, session.phase
        if action == "notes":
            return card is not None
        if action == "more_new":
            return phase == Phase.DONE and self.more_new > 0
        if action == "check":
            return phase == Phase.FRONT and card is not None and card.type == "drill"
        if action == "reveal":
            return session.can_reveal()
        if action == "continue":
            return phase == Phase.FEEDBACK
        if action == "rate":
            return parameters[0] in session.allowed_ratings()
        if action == "rate_default":
            return session.default_rating is not None
        if action == "choose":
            return phase == Phase.FRONT and bool(self.options) and parameters[0] < len(self.options)
        if action == "undo":
            return True  # with nothing to undo, it says so
        if action == "edit":
            return card is not None
        return True

    # -- actions -----------------------------------------------------------
    async def action_check(self) -> None:
        """Enter outside the answer box checks the answer as Enter inside it does."""
        await self._one(DrillView).input.action_submit()

    async def action_reveal(self) -> None:
        self.session.reveal()
        await self._paint_answer()

    def action_notes(self) -> None:
        deck = self.app.deck(self.card.deck_id)
        if deck is not None:
            self.app.open_notes(deck)

    async def action_more_new(self) -> None:
        added = self.session.study_more_new()
        self.notify(f"{count(added, 'more new card')} today.", timeout=2)
        await self.show_current()

    async def action_continue(self) -> None:
        self.session.proceed()
        await self.show_current()

    async def action_rate(self, rating: int) -> None:
        try:
            self.session.rate(rating)  # committed before the next card is painted
        except SessionError as exc:
            self.notify(str(exc), severity="warning")
            return
        await self.show_current()

    async def action_rate_default(self) -> None:
        await self.action_rate(self.session.default_rating)

    async def action_choose(self, index: int) -> None:
        self.picked = index
        right = self.session.answer_choice(index)
        self._update_progress_after_grade(right)
        await self._paint_answer()

    def _update_progress_after_grade(self, right: bool) -> None:
        if not right:
            done, total = self.session.progress
            self._one(SessionBar).show(done, total)

    async def on_drill_view_answer_submitted(self, event: DrillView.AnswerSubmitted) -> None:
        from studydeck.drills import AnswerError

        drill = self._one(DrillView)
        try:
            verdict = self.session.answer_drill(event.text)
        except AnswerError as exc:
            drill.show_error(str(exc))
            return
        drill.show_verdict(verdict)
        self._update_progress_after_grade(verdict.correct)
        await self._paint_answer()

    async def on_drill_view_skipped(self) -> None:
        self.session.skip()
        self.notify("Skipped: it comes back next session.", timeout=2)
        await self.show_current()

    async def action_undo(self) -> None:
        if not self.session.can_undo:
            self.notify("Nothing to undo.", timeout=2)
            return
        try:
            card = self.session.undo()
        except SessionError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.notify(f"Undone: {card.deck_id}/{card.card_id} is back as it was.", timeout=2)
        await self.show_current()

    async def action_edit(self) -> None:
        card = self.card
        deck = next((d for d in self.app.decks if d.id == card.deck_id), None)
        if deck is None or not deck.path:
            self.notify("This card has no deck file to edit.", severity="warning")
            return
        self.app.run_editor(deck.path, card.line)
        self.app.reload_decks()
        problems = self.app.file_problems(deck.path)
        if problems:
            from studydeck.tui.screens.home import problem_line

            more = f"\n… and {count(len(problems) - 2, 'more error')}" if len(problems) > 2 else ""
            self.notify("\n".join(problem_line(p) for p in problems[:2]) + more +
                        "\nThe deck keeps its last good version until the file is fixed.",
                        title="The deck file has errors", severity="error", timeout=10)
            return
        fresh = self.app.deck(card.deck_id)
        new_card = fresh.card(card.card_id) if fresh else None
        if new_card is None:
            self.notify("The card is no longer in the deck; on to the next.", severity="warning", timeout=6)
            self.session.replace_decks(self.app.decks)
            await self.show_current()
            return
        self.session.replace_decks(self.app.decks)
        if new_card.type != "drill":
            self._one("#front", CardText).show(new_card.front)
            await self._paint_answer()
        self.notify("Deck reloaded.", timeout=2)

    def action_leave(self) -> None:
        self.app.pop_screen()
