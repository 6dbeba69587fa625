"""The study screen: one card at a time from a :class:`Session`.

The screen is a face of the session and holds no scheduling logic.  Modes:

- ``front``: the front is shown; Space/Enter reveals (basic, reversed,
  cloze), ``a``-``d`` pick an option (choice), or the answer box takes the
  answer (drill).
- ``back``: the answer is shown with the rating bar; ``1``-``5`` rate (3-5
  after a right choice or drill answer, Enter = 4).
- ``feedback``: a wrong pick or drill answer, already rated 1 by the
  session; the answer stays on screen until Space/Enter.
- ``done``: the summary (cards, retention, time).

``session.rate`` commits the rating before it returns, and the next card is
painted only after that.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, ProgressBar, Rule, Static

from studydeck.study.scheduler import LABELS, state_name
from studydeck.study.session import Session, SessionError
from studydeck.tui.widgets.card_text import CardText
from studydeck.tui.widgets.deck_table import key_bar
from studydeck.tui.widgets.drill_view import DrillView
from studydeck.tui.widgets.rating_bar import RatingBar

LETTERS = "abcdef"


class StudyScreen(Screen):
    BINDINGS = [
        Binding("space,enter", "reveal", "Show answer"),
        Binding("space,enter", "continue", "Next card"),
        Binding("enter", "rate_default", "Rate 4 Well"),
        *[Binding(str(n), f"rate({n})", LABELS[n], show=False) for n in range(1, 6)],
        *[Binding(letter, f"choose({k})", f"Pick {letter}", show=False) for k, letter in enumerate(LETTERS)],
        Binding("u,ctrl+z", "undo", "Undo"),
        Binding("e", "edit", "Edit card"),
        Binding("escape,q", "leave", "Home"),
    ]

    def __init__(self, decks, session_options: dict | None = None) -> None:
        super().__init__()
        self.decks = list(decks)
        self.session_options = session_options or {}
        self.session: Session | None = None
        self.card = None
        self.mode = "front"
        self.options: list[str] = []
        self.picked: int | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="study-status"):
            yield Static(id="position")
            yield ProgressBar(id="progress", show_eta=False, show_percentage=False)
        with VerticalScroll(id="card"):
            yield CardText(id="front")
            yield Static(id="choices")
            yield Rule(id="divider")
            yield CardText(id="back")
            yield CardText(id="extra")
        yield DrillView(id="drill", cursor_blink=self.app.cursor_blink)
        yield RatingBar(id="ratings")
        yield Static(id="hint")
        yield Static(id="summary")
        # The hint line is this screen's footer: it names the keys that work
        # in the current mode, and costs far less than a Footer to repaint.

    async def on_mount(self) -> None:
        titles = ", ".join(d.title for d in self.decks) if len(self.decks) < 3 else f"{len(self.decks)} decks"
        self.sub_title = f"Study · {titles}"
        self.session = Session(self.app.collection, self.decks, self.app.config, clock=self.app.clock,
                               **self.session_options)
        await self.show_current()

    # -- painting ----------------------------------------------------------
    async def show_current(self) -> None:
        """Paint the session's current card (or the summary) from the front."""
        session = self.session
        self.picked = None
        self._update_progress()
        if session.finished:
            self.card = None
            self.mode = "done"
            self._show_summary()
            return
        self.card = session.current
        self.mode = "front"
        self.options = session.choice_options() if self.card.type == "choice" else []
        await self._paint_card()

    async def _paint_card(self) -> None:
        card = self.card
        is_drill = card.type == "drill"
        self.query_one("#summary").display = False
        self.query_one("#card").display = not is_drill
        drill = self.query_one(DrillView)
        drill.display = is_drill
        if is_drill:
            question = self.session.drill_question()
            drill.show_question(question, title=card.front)
        else:
            self.query_one("#front", CardText).show(card.front)
            self.query_one("#card", VerticalScroll).scroll_home(animate=False)
        await self._paint_answer()

    async def _paint_answer(self) -> None:
        """Show or hide the back, the options and the rating bar for the mode."""
        card = self.card
        shown = self.mode in ("back", "feedback")
        self._paint_choices()
        if card.type != "drill":
            self.query_one("#divider").display = shown
            back = self.query_one("#back", CardText)
            back.display = shown and bool(card.back) and card.type != "choice"
            extra = self.query_one("#extra", CardText)
            extra.display = shown and bool(card.extra)
            if back.display:
                back.show(card.back)
            if extra.display:
                extra.show(card.extra)
        ratings = self.query_one(RatingBar)
        ratings.display = self.mode == "back"
        if self.mode == "back":
            allowed = self.allowed_ratings()
            default = 4 if self.session.graded else None
            ratings.show(self.session.previews(), allowed, default)
        self.query_one("#hint", Static).update(self._hint())

    def _paint_choices(self) -> None:
        choices = self.query_one("#choices", Static)
        choices.display = bool(self.options)
        if not self.options:
            return
        text = Text()
        shown = self.mode in ("back", "feedback")
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
        card = self.card
        keys: list[tuple[str, str]] = []
        lead = Text()
        if self.mode == "front":
            if card.type == "drill":
                keys = [("enter", "check the answer"), ("^z", "undo")]
            elif card.type == "choice":
                keys = [(f"a-{LETTERS[len(self.options) - 1]}", "pick"), ("space", "show answer"),
                        ("u", "undo"), ("e", "edit")]
            else:
                keys = [("space", "show answer"), ("u", "undo"), ("e", "edit")]
        elif self.mode == "feedback":
            outcome = self.session.last_outcome()
            when = self.session.due_label(outcome) if outcome else ""
            lead = Text(f"Saved: 1 {LABELS[1]} → next review in {when}.  ", style="bold")
            keys = [("space", "next card"), ("u", "undo")]
        elif self.mode == "back":
            allowed = self.allowed_ratings()
            keys = [(f"{allowed[0]}-{allowed[-1]}", "rate")]
            if self.session.graded:
                keys.append(("enter", "rate 4"))
            keys += [("u", "undo"), ("e", "edit")]
        return lead + key_bar(keys + [("esc", "home"), ("?", "help")])

    def _update_progress(self) -> None:
        done, total = self.session.progress
        bar = self.query_one(ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        position = Text()
        if self.session.finished:
            position.append(f"{done} reviewed", style="bold")
        else:
            card = self.session.current
            state = self.session.current_state()
            kind = state_name(state.state) if state else "new"
            position.append(f"{done + 1}/{total}", style="bold")
            position.append(f" · {card.deck_id} · {kind} · {card.type}")
        self.query_one("#position", Static).update(position)

    def _show_summary(self) -> None:
        for selector in ("#card", "#drill", "#ratings"):
            self.query_one(selector).display = False
        summary = self.session.summary
        text = Text()
        if summary.reviewed == 0:
            text.append("Nothing due here. Come back later.", style="bold")
        else:
            minutes, seconds = divmod(round(summary.seconds), 60)
            text.append("Session over\n\n", style="bold")
            text.append(f"Cards reviewed   {summary.reviewed}\n")
            text.append(f"Retention        {summary.retention:.0%}\n")
            text.append(f"Time             {minutes}m {seconds:02d}s\n")
            counts = "  ".join(f"{r} {LABELS[r]}: {n}" for r, n in summary.counts().items())
            text.append(f"Ratings          {counts}\n")
        self.query_one("#summary", Static).update(text)
        self.query_one("#summary").display = True
        self.query_one("#hint", Static).update(key_bar([("esc", "home"), ("u", "undo the last rating")]))

    # -- which keys work now -----------------------------------------------
    def allowed_ratings(self) -> tuple[int, ...]:
        return (3, 4, 5) if self.session.graded else (1, 2, 3, 4, 5)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        card, mode = self.card, self.mode
        if action == "reveal":
            return mode == "front" and card is not None and card.type != "drill"
        if action == "continue":
            return mode == "feedback"
        if action == "rate":
            if mode != "back":
                return False
            return parameters[0] in self.allowed_ratings()
        if action == "rate_default":
            return mode == "back" and bool(self.session.graded)
        if action == "choose":
            return mode == "front" and bool(self.options) and parameters[0] < len(self.options)
        if action == "undo":
            return self.session is not None and self.session.can_undo
        if action == "edit":
            return card is not None
        return True

    # -- actions -----------------------------------------------------------
    async def action_reveal(self) -> None:
        self.session.reveal()
        self.mode = "back"
        await self._paint_answer()

    async def action_continue(self) -> None:
        await self.show_current()

    async def action_rate(self, rating: int) -> None:
        try:
            self.session.rate(rating)  # committed before the next card is painted
        except SessionError as exc:
            self.notify(str(exc), severity="warning")
            return
        await self.show_current()

    async def action_rate_default(self) -> None:
        await self.action_rate(4)

    async def action_choose(self, index: int) -> None:
        self.picked = index
        right = self.session.answer_choice(index)
        self.mode = "back" if right else "feedback"
        self._update_progress_after_grade(right)
        await self._paint_answer()

    def _update_progress_after_grade(self, right: bool) -> None:
        if not right:
            done, total = self.session.progress
            self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    async def on_drill_view_answer_submitted(self, event: DrillView.AnswerSubmitted) -> None:
        from studydeck.drills import AnswerError

        drill = self.query_one(DrillView)
        try:
            verdict = self.session.answer_drill(event.text)
        except AnswerError as exc:
            drill.show_error(str(exc))
            return
        self.mode = "back" if verdict.correct else "feedback"
        drill.show_verdict(verdict)
        self._update_progress_after_grade(verdict.correct)
        await self._paint_answer()

    async def action_undo(self) -> None:
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
        fresh = self.app.deck(card.deck_id)
        new_card = fresh.card(card.card_id) if fresh else None
        if new_card is None:
            problems = [p for p in self.app.problems if p.file == deck.path]
            why = f": {problems[0]}" if problems else ""
            self.notify(f"The card is no longer in the deck{why}", severity="warning", timeout=6)
            return
        self.session.replace_decks(self.app.decks)
        self.card = new_card
        if new_card.type != "drill":
            self.query_one("#front", CardText).show(new_card.front)
            await self._paint_answer()
        self.notify("Deck reloaded.", timeout=2)

    def action_leave(self) -> None:
        self.app.pop_screen()
