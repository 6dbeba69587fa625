"""Line-mode study on text streams: for pipes, scripts and screen readers.

Each card prints its front; Enter reveals the back; then a line with 1-5
rates it (``u`` undoes the last rating, ``q`` quits).  Drill cards read an
answer (Enter on an empty line shows the next hint), grade it, name a
classic mistake the answer matches and show the worked solution; choice
cards read a letter.
Every "Saved" line is printed only after the rating is committed, so what a
script has read back is in the collection, whatever happens next.

Like the app, this is a face of :class:`Session`: what may be typed (the
ratings allowed, Enter's default), the card's label, the "Saved" line and
the summary come from the session.
"""

from __future__ import annotations

import re
from typing import TextIO

from studydeck.study.scheduler import LABELS
from studydeck.study.session import Phase, Session, SessionError
from studydeck.study.terminal_text import terminal_text
from studydeck.words import count


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
        while True:
            try:
                while self.session.phase != Phase.DONE:
                    if self.session.phase == Phase.FEEDBACK:
                        self.session.proceed()  # the feedback is printed; the next card follows
                        continue
                    self.show_card()
            except _Quit:
                self.print_summary()
                return 0
            self.print_summary()
            if not self.offer_more_new():
                return 0

    def offer_more_new(self) -> bool:
        """At the end, Anki's custom study: True when more new cards were queued."""
        more = self.session.more_new_available()
        if not more:
            return False
        try:
            line = self.ask(f"Study {count(more, 'more new card')} today? [y/N] > ")
        except _Quit:
            return False
        return line.lower() in ("y", "yes") and self.session.study_more_new() > 0

    def header(self) -> str:
        return f"── {self.session.card_label()} ──"

    def show_card(self) -> None:
        card = self.session.current
        self.say()
        self.say(self.header())
        if card.type == "drill":
            self.study_drill()
            return
        self.say(text_of(card.front))
        if card.type == "choice":
            if self.study_choice():
                return
        else:
            while True:
                line = self.ask("[Enter] show answer · n notes · u undo · q quit > ").lower()
                if line == "n":
                    self.notes()
                    continue
                if line == "u":
                    self.undo()
                    return
                break
        if self.session.can_reveal():
            self.session.reveal()
            if card.type == "choice":
                self.say(f"The answer is: {card.answer}")
        if card.back and card.type != "choice":
            self.say(text_of(card.back))
        self.say_extra(card)
        self.read_rating()

    def say_extra(self, card) -> None:
        if card.extra:
            self.say(text_of(card.extra))

    def notes(self) -> None:
        deck = next((d for d in self.session.decks if d.id == self.session.shown.deck_id), None)
        if deck is not None:
            print_notes(deck, self.out)

    def study_choice(self) -> bool:
        """Ask for a letter; True when the pick was wrong (and already rated 1)."""
        options = self.session.choice_options()
        letters = "abcdef"[: len(options)]
        for letter, option in zip(letters, options):
            self.say(f"  {letter}) {option}")
        while True:
            line = self.ask(f"Pick {letters[0]}-{letters[-1]}, [Enter] show answer, n notes, u undo, q quit > ").lower()
            if line == "":
                return False
            if line == "n":
                self.notes()
                continue
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
        self.say_extra(card)
        self.report(self.session.last_outcome())
        return True

    def study_drill(self) -> None:
        from studydeck.drills import AnswerError  # deferred: numpy loads only for drills
        from studydeck.drills.answers import SKIP_WORDS
        from studydeck.drills.render import given_text

        question = self.session.drill_question()
        self.say(question.prompt)
        given = given_text(question.given)
        if given:
            self.say(given)
        shown = 0
        while True:
            line = self.ask("Answer (Enter hint, s skip, u undo, q quit) > ")
            if line.lower() == "u":
                self.undo()
                return
            if line.lower() in SKIP_WORDS:
                self.session.skip()
                self.say("Skipped: it comes back next session.")
                return
            if line == "":
                if shown < len(question.hints):
                    self.say(f"Hint {shown + 1}/{len(question.hints)}:\n{question.hints[shown]}")
                    shown += 1
                else:
                    self.say("No more hints: type your answer; the worked solution follows it.")
                continue
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
            if verdict.mistake:
                self.say(verdict.mistake)
        self.say("Worked solution:")
        self.say(question.solution)
        if verdict.correct:
            self.read_rating()
        else:
            self.report(self.session.last_outcome())

    def read_rating(self) -> None:
        allowed, default = self.session.allowed_ratings(), self.session.default_rating
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
            if line.isascii() and line.isdigit() and int(line) in allowed:  # not '²': isdigit takes superscripts
                break
            self.say(f"Type a number from {lo} to {hi} to rate, u to undo, q to quit.")
        try:
            self.session.rate(int(line))
        except SessionError as exc:  # disk full, read-only...: the card stays, to be rated again
            self.say(f"{exc}.")
            return
        self.report(self.session.last_outcome())

    def report(self, outcome) -> None:
        self.say(self.session.saved_text(outcome))
        if outcome.became_leech:
            self.say("This card is now a leech (it keeps being forgotten): consider rewriting or splitting it.")

    def undo(self) -> None:
        if not self.session.can_undo:
            self.say("Nothing to undo.")
            return
        try:
            card = self.session.undo()
        except SessionError as exc:
            self.say(f"Cannot undo: {exc}.")
            return
        self.say(f"Undone: {card.deck_id}/{card.card_id} is back as it was.")

    def print_summary(self) -> None:
        self.say()
        for line in self.session.summary_lines():
            self.say(line)


def text_of(markdown: str) -> str:
    """Card Markdown as plain text for a line terminal: ``**bold**`` words
    lose their markers (a cloze's answer is shown bold)."""
    return _STRONG.sub(r"\2", markdown)


_STRONG = re.compile(r"(\*\*)(.+?)\1", re.S)


def print_notes(deck, out: TextIO) -> None:
    """A deck's study notes (its Markdown description), as ``studydeck notes DECK`` prints them."""
    out.write(f"{deck.title}\n{'=' * len(deck.title)}\n\n")
    out.write(text_of(deck.description.strip()) or "This deck has no study notes (its file has no description).")
    out.write("\n")
    out.flush()
