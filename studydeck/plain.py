"""Line-mode study on text streams: for pipes, scripts and screen readers.

Each card prints its front; Enter reveals the back; then a line with 1-5
rates it (``u`` undoes the last rating, ``q`` quits).  Drill cards read an
answer, grade it and show the worked solution; choice cards read a letter.
Every "Saved" line is printed only after the rating is committed, so what a
script has read back is in the collection, whatever happens next.
"""

from __future__ import annotations

from typing import TextIO

from studydeck.study.scheduler import LABELS, state_name
from studydeck.study.session import Session, SessionError
from studydeck.study.terminal_text import terminal_text



class _Quit(Exception):
    pass


class PlainStudy:
    def __init__(self, session: Session, stdin: TextIO, stdout: TextIO) -> None:
        self.session = session
        self.stdin = stdin
        self.out = stdout

    # -- input/output ------------------------------------------------------
    def say(self, text: str = "") -> None:
        self.out.write(terminal_text(text) + "\n")
        self.out.flush()

    def ask(self, prompt: str) -> str:
        """One line of input; end of input or ``q`` ends the session."""
        self.out.write(prompt)
        self.out.flush()
        line = self.stdin.readline()
        if not line:
            self.say()
            raise _Quit
        line = line.strip()
        if line.lower() in ("q", "quit"):
            raise _Quit
        return line

    # -- the loop ----------------------------------------------------------
    def run(self) -> int:
        try:
            while not self.session.finished:
                self.show_card()
        except _Quit:
            pass
        self.print_summary()
        return 0

    def header(self) -> str:
        card = self.session.current
        done, total = self.session.progress
        state = self.session.current_state()
        kind = state_name(state.state) if state else "new"
        return f"── {done + 1}/{total} · {card.deck_id} · {kind} ──"

    def show_card(self) -> None:
        card = self.session.current
        self.say()
        self.say(self.header())
        if card.type == "drill":
            self.study_drill()
            return
        self.say(card.front)
        if card.type == "choice":
            if self.study_choice():
                return
        else:
            line = self.ask("[Enter] show answer · u undo · q quit > ")
            if line.lower() == "u":
                self.undo()
                return
        self.session.reveal()
        self.say(card.back)
        if card.extra:
            self.say(card.extra)
        self.read_rating(allowed=(1, 2, 3, 4, 5) if self.session.graded is None else (3, 4, 5))

    def study_choice(self) -> bool:
        """Ask for a letter; True when the pick was wrong (and already rated 1)."""
        options = self.session.choice_options()
        letters = "abcdef"[: len(options)]
        for letter, option in zip(letters, options):
            self.say(f"  {letter}) {option}")
        while True:
            line = self.ask(f"Pick {letters[0]}-{letters[-1]}, [Enter] show answer, u undo, q quit > ").lower()
            if line == "":
                return False
            if line == "u":
                self.undo()
                return True
            if len(line) == 1 and line in letters:
                break
            self.say(f"Type a letter from {letters[0]} to {letters[-1]}, or press Enter to see the answer.")
        card = self.session.current
        if self.session.answer_choice(letters.index(line)):
            self.say("✓ Right.")
            return False
        self.say(f"✗ The answer is: {card.answer}")
        self.report(self.session.last_outcome())
        return True

    def study_drill(self) -> None:
        from studydeck.drills import AnswerError  # deferred: numpy loads only for drills
        from studydeck.drills.render import given_text

        question = self.session.drill_question()
        self.say(question.prompt)
        given = given_text(question.given)
        if given:
            self.say(given)
        while True:
            line = self.ask("Answer (u undo, q quit) > ")
            if line.lower() == "u":
                self.undo()
                return
            try:
                verdict = self.session.answer_drill(line)
            except AnswerError as exc:
                self.say(f"Could not read that: {str(exc).rstrip('.')}. Try again.")
                continue
            break
        if verdict.correct:
            self.say(f"✓ Right: {verdict.expected_text}")
        else:
            self.say(f"✗ Expected {verdict.expected_text}; you gave {verdict.given_text}.")
        self.say("Worked solution:")
        self.say(question.solution)
        if verdict.correct:
            self.read_rating(allowed=(3, 4, 5), default=4)
        else:
            self.report(self.session.last_outcome())

    def read_rating(self, allowed: tuple[int, ...], default: int | None = None) -> None:
        previews = self.session.previews()
        self.say("  ".join(f"{r} {LABELS[r]} ({previews[r]})" for r in allowed))
        lo, hi = allowed[0], allowed[-1]
        prompt = f"Rate {lo}-{hi}" + (f" [{default}]" if default else "") + ", u undo, q quit > "
        while True:
            line = self.ask(prompt)
            if line == "" and default:
                line = str(default)
            if line.lower() == "u":
                self.undo()
                return
            if line.isdigit() and int(line) in allowed:
                break
            self.say(f"Type a number from {lo} to {hi} to rate, u to undo, q to quit.")
        self.session.rate(int(line))
        self.report(self.session.last_outcome())

    def report(self, outcome) -> None:
        when = self.session.due_label(outcome)
        self.say(f"Saved: {outcome.rating} {LABELS[outcome.rating]} → next review in {when}.")
        if outcome.became_leech:
            self.say("This card is now a leech (it keeps being forgotten): consider rewriting or splitting it.")

    def undo(self) -> None:
        try:
            card = self.session.undo()
        except SessionError as exc:
            self.say(f"Cannot undo: {exc}.")
            return
        self.say(f"Undone: {card.deck_id}/{card.card_id} is back as it was.")

    def print_summary(self) -> None:
        summary = self.session.summary
        self.say()
        if summary.reviewed == 0:
            self.say("No cards reviewed." if not self.session.finished else "Nothing due. Come back later.")
            return
        minutes, seconds = divmod(round(summary.seconds), 60)
        counts = " ".join(f"{r}:{n}" for r, n in summary.counts().items())
        self.say(
            f"Session over: {summary.reviewed} card{'s' if summary.reviewed != 1 else ''} in {minutes}m {seconds:02d}s, "
            f"retention {summary.retention:.0%} (ratings {counts})."
        )

