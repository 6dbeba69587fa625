"""One drill question on screen: prompt, given values, an answer box, the
verdict and the worked solution, beside the cell drawn with this question's
values.

The widget grades nothing.  A readable answer is posted as
:class:`DrillView.AnswerSubmitted`; the screen grades it (through the
session for a drill card, through ``drills.grade`` for a free drill) and
calls :meth:`show_verdict`, or :meth:`show_error` with AnswerError's
one-line message (never counted).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.binding import Binding
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Static

from studydeck.tui.drawing.cell_diagram import cell_diagram, is_gru
from studydeck.tui.widgets.hanging import HangingText
from studydeck.tui.widgets.values import given_text

SCROLL = Binding.Group("scroll")

# A cell's inputs, and the names a question may give them under.
_INPUTS = {"x": ("x",), "h_prev": ("h_prev", "h0"), "c_prev": ("c_prev", "c0")}


class AnswerValidator(Validator):
    """Accepts what ``drills.parse_answer`` can read for the current question."""

    def __init__(self) -> None:
        super().__init__()
        self.question = None

    def validate(self, value: str) -> ValidationResult:
        from studydeck.drills import AnswerError, parse_answer

        if self.question is None:
            return self.success()
        try:
            parse_answer(self.question, value)
        except AnswerError as exc:
            return self.failure(str(exc))
        return self.success()


def visible_cell(question, answered: bool) -> dict | None:
    """The cell values to draw: before the answer only what the question
    gives; after it, everything.

    The drawn step's inputs are shown before the answer only where the
    question gives them: a two-step question draws its second step, whose
    h_prev and c_prev are the first step's results, so until the answer the
    cell shows the start (x_1, h0, c0) instead.
    """
    cell = question.cell
    if cell is None or answered:
        return cell
    given = question.given
    out = {k: v for k, v in cell.items() if k in given and k not in _INPUTS}
    start = {key: next((given[name] for name in names if name in given), None) for key, names in _INPUTS.items()}
    later = any(key in cell and value is not None and not _among(cell[key], value) for key, value in start.items())
    for key in _INPUTS:
        if key in cell:
            out[key] = _first(start[key]) if later and start[key] is not None else cell[key]
    return out


def _among(value, given) -> bool:
    """``value`` is the given vector, its batch of one, or one row of a given sequence."""
    return value == given or [value] == given or (
        isinstance(given, list) and bool(given) and isinstance(given[0], list) and value in given)


def _first(given):
    """The first step of a given sequence (or the batch of one), else the value itself."""
    return given[0] if isinstance(given, list) and given and isinstance(given[0], list) else given


def cell_picture(question, answered: bool):
    """The cell drawn with the values visible now, or None for a question without a cell.
    A GRU question draws the GRU cell even before its gates are shown."""
    cell = visible_cell(question, answered)
    if cell is None:
        return None
    return cell_diagram(cell, gru=is_gru(question.cell) or question.kind.startswith("gru."))


class DrillView(Horizontal):
    BINDINGS = [
        Binding("pageup", "scroll_question(-1)", "scroll", show=False, group=SCROLL,
                tooltip="scroll a long question (the answer box keeps the cursor)"),
        Binding("pagedown", "scroll_question(1)", "scroll", show=False, group=SCROLL),
    ]

    class AnswerSubmitted(Message):
        """The learner submitted an answer that parses."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Skipped(Message):
        """The learner typed ``s`` (or ``skip``) instead of an answer."""

    def __init__(self, *, cursor_blink: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.question = None
        self.answered = False
        self.hints_shown = 0
        self._validator = AnswerValidator()
        self._cursor_blink = cursor_blink

    def compose(self) -> ComposeResult:
        with Vertical(classes="drill-main"):
            # Not focusable: the answer box keeps the cursor while PgUp/PgDn scroll.
            with VerticalScroll(classes="drill-body", can_focus=False):
                yield Static(classes="drill-prompt")
                yield Static(classes="drill-given")
                yield Static(classes="drill-cell-inline")
                yield Static(classes="drill-solution")
            answer = Input(classes="drill-answer", validators=[self._validator],
                           validate_on=["submitted"])
            answer.cursor_blink = self._cursor_blink
            yield answer
            yield Static(classes="drill-verdict")
        yield Static(classes="drill-cell")

    def action_scroll_question(self, direction: int) -> None:
        body = self.query_one(".drill-body", VerticalScroll)
        if direction < 0:
            body.scroll_page_up(animate=False)
        else:
            body.scroll_page_down(animate=False)

    @property
    def input(self) -> Input:
        return self.query_one(".drill-answer", Input)

    def show_question(self, question, title: str = "") -> None:
        self.question = question
        self.answered = False
        self.hints_shown = 0
        self._validator.question = question
        prompt = Text()
        if title:
            prompt.append(title + "\n", style="bold")
        prompt.append(question.prompt)
        self.query_one(".drill-prompt", Static).update(prompt)
        self.query_one(".drill-given", Static).update(given_text(question.given))
        answer = self.input
        answer.value = ""
        answer.placeholder = question.answer_hint or "your answer"
        answer.disabled = False
        answer.remove_class("-invalid")
        self.query_one(".drill-verdict", Static).update("")
        solution = self.query_one(".drill-solution", Static)
        solution.update("")
        solution.display = False
        self._draw_cell()
        self.query_one(VerticalScroll).scroll_home(animate=False)
        answer.focus()

    NARROW = 100
    """Below this width the cell is drawn under the question, not beside it."""

    def on_resize(self, event) -> None:
        self.set_class(event.size.width < self.NARROW, "-narrow")

    def _draw_cell(self) -> None:
        picture = cell_picture(self.question, self.answered)
        self.set_class(picture is not None, "-has-cell")
        if picture is not None:
            self.query_one(".drill-cell", Static).update(picture)
            self.query_one(".drill-cell-inline", Static).update(picture)

    def show_error(self, message: str) -> None:
        """An answer that could not be read: say why, keep the box open."""
        self.query_one(".drill-verdict", Static).update(
            Text(f"Could not read that: {message}", style="bold red"))
        self.input.focus()

    def show_verdict(self, verdict, footer: str = "") -> None:
        self.answered = True
        line = Text()
        if verdict.correct:
            line.append("✓ ", style="bold green")
        else:
            line.append("✗ ", style="bold red")
        line.append(verdict.message or ("Right." if verdict.correct else "Not quite."), style="bold")
        line.append(f"\nyou gave {verdict.given_text} · expected {verdict.expected_text}")
        if footer:
            line.append("\n" + footer, style="bold")
        self.query_one(".drill-verdict", Static).update(line)
        solution = self.query_one(".drill-solution", Static)
        solution.update(HangingText(("Worked solution", "bold"), (self.question.solution, "")))
        solution.display = True
        # After the layout that gives the solution its place: scroll it to the top.
        self.call_after_refresh(self.call_after_refresh, self._show_solution)
        self.input.disabled = True
        self.screen.set_focus(None)  # keys go to the screen's bindings again
        self._draw_cell()

    def show_next_hint(self) -> None:
        """Enter on an empty answer: the next step of the worked solution, the answer box kept."""
        hints = list(getattr(self.question, "hints", None) or [])
        shown: list[tuple[str, str]] = []
        for k, hint in enumerate(hints[:self.hints_shown + 1]):
            shown += [(f"Hint {k + 1}/{len(hints)}", "bold"), (hint, "")]
        if self.hints_shown >= len(hints):
            shown.append(("No more hints: type your answer; the worked solution follows it.", "bold"))
        self.hints_shown = min(self.hints_shown + 1, len(hints))
        solution = self.query_one(".drill-solution", Static)
        solution.update(HangingText(*shown))
        solution.display = True
        self.call_after_refresh(self._show_solution)
        self.input.focus()

    def _show_solution(self) -> None:
        body = self.query_one(".drill-body", VerticalScroll)
        body.scroll_to_widget(self.query_one(".drill-solution"), animate=False, top=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.answered:
            return
        from studydeck.drills.answers import SKIP_WORDS

        if event.value.strip().lower() in SKIP_WORDS:
            self.post_message(self.Skipped())
            return
        if not event.value.strip():
            self.show_next_hint()
            return
        result = event.validation_result
        if result is not None and not result.is_valid:
            self.show_error(result.failure_descriptions[0] if result.failure_descriptions else "unreadable")
            return
        self.post_message(self.AnswerSubmitted(event.value))
