"""Free drills: numeric questions of the kinds the learner picks, not scheduled.

Each question is ``drills.generate(kind, seed)`` with the kind and the seed
drawn from one ``random.Random`` (seeded by the app's ``seed`` when given, so
tests see the same questions).  Answers are graded by ``drills.grade``; an
unreadable answer (AnswerError) is shown and not counted.  Nothing is written
to the collection: drill *cards* in decks are studied on the study screen.
"""

from __future__ import annotations

import random

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, SelectionList, Static

from studydeck.tui.widgets.drill_view import DrillView
from studydeck.tui.widgets.key_line import KeyLine


def available_kinds() -> list[str]:
    """The kinds that have a generator, in catalog order."""
    from studydeck.drills.registry import REGISTRY  # numpy and the engine load here

    return list(REGISTRY)


class KindsScreen(ModalScreen[list[str]]):
    """Pick the drill kinds: space toggles, Enter or Esc returns the choice."""

    BINDINGS = [
        Binding("space", "toggle", "toggle", show=False, tooltip="choose or leave out the kind under the cursor"),
        Binding("escape", "done", "done", tooltip="done: back to the drills with these kinds"),
        Binding("ctrl+a", "all", "all", tooltip="every kind"),
        Binding("ctrl+n", "none", "none", tooltip="no kind"),
    ]

    def __init__(self, kinds: list[str], chosen: list[str]) -> None:
        super().__init__()
        self.kinds = kinds
        self.chosen = set(chosen)

    def compose(self) -> ComposeResult:
        from studydeck.drills.catalog import KINDS

        items = [(f"{k:<32} {KINDS.get(k, '')}", k, k in self.chosen) for k in self.kinds]
        picker = SelectionList[str](*items, id="drill-kinds")
        picker.border_title = "Drill kinds: space toggles, Esc when done"
        yield picker
        yield Footer()

    def action_done(self) -> None:
        self.dismiss(list(self.query_one(SelectionList).selected))

    def action_toggle(self) -> None:
        picker = self.query_one(SelectionList)
        if picker.highlighted is not None:
            picker.toggle(picker.get_option_at_index(picker.highlighted).value)

    def action_all(self) -> None:
        self.query_one(SelectionList).select_all()

    def action_none(self) -> None:
        self.query_one(SelectionList).deselect_all()


class DrillScreen(Screen):
    BINDINGS = [
        Binding("enter", "check", "check", tooltip="check the answer"),
        Binding("enter", "next", "next question", tooltip="after the answer: the next question"),
        Binding("ctrl+n", "skip", "skip", show=False, tooltip="skip to the next question"),
        Binding("ctrl+t", "kinds", "pick kinds", tooltip="pick the kinds of question"),
        Binding("escape", "leave", "home", tooltip="back home"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kinds = available_kinds()
        self.chosen = list(self.kinds)
        self.rng = random.Random()
        self.right = 0
        self.asked = 0
        self.answered = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="free-drill"):
            yield Static(id="drill-score")
            yield DrillView(id="drill", cursor_blink=self.app.cursor_blink)
        yield KeyLine()  # a Footer cuts this screen's keys at 60 columns

    def on_mount(self) -> None:
        self.sub_title = "Drills"
        if self.app.seed is not None:
            self.rng.seed(self.app.seed)
        self.action_next()

    def selected_kinds(self) -> list[str]:
        return [k for k in self.kinds if k in self.chosen]

    def action_kinds(self) -> None:
        def picked(chosen: list[str] | None) -> None:
            if chosen is not None:
                self.chosen = chosen
                self._score()
                if not self.answered and self.query_one(DrillView).question.kind not in chosen and chosen:
                    self.action_next()

        self.app.push_screen(KindsScreen(self.kinds, self.chosen), picked)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "check":
            return not self.answered
        if action == "next":
            return self.answered
        return True

    async def action_check(self) -> None:
        """Enter outside the answer box checks the answer, never skips it."""
        await self.query_one(DrillView).input.action_submit()

    def action_skip(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        from studydeck import drills

        kinds = self.selected_kinds()
        if not kinds:
            self.notify("Pick at least one kind (ctrl+t).", severity="warning")
            return
        kind = self.rng.choice(kinds)
        seed = self.rng.randrange(2**31)
        question = drills.generate(kind, seed)
        self.answered = False
        self.query_one(DrillView).show_question(question, title=f"{kind} · seed {seed}")
        self._score()
        self.refresh_bindings()

    def on_drill_view_answer_submitted(self, event: DrillView.AnswerSubmitted) -> None:
        from studydeck import drills

        view = self.query_one(DrillView)
        try:
            verdict = drills.grade(view.question, event.text)
        except drills.AnswerError as exc:
            view.show_error(str(exc))
            return
        self.asked += 1
        self.right += verdict.correct
        self.answered = True
        view.show_verdict(verdict, "Enter: next question")
        self._score()
        self.refresh_bindings()

    def on_drill_view_skipped(self) -> None:
        self.action_next()

    def _score(self) -> None:
        text = Text()
        text.append(f"{self.right} right of {self.asked}", style="bold")
        text.append(f" · {len(self.selected_kinds())} of {len(self.kinds)} kinds · s skips")
        self.query_one("#drill-score", Static).update(text)

    def action_leave(self) -> None:
        self.app.pop_screen()
