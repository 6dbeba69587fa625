"""One behaviour, two faces: the same script studied in plain mode and in the
app leaves the same reviews in the collection."""

from __future__ import annotations

import io

from studydeck.config import Config
from studydeck.deckfile.load import load_decks
from studydeck.plain import PlainStudy
from studydeck.study.session import Session
from studydeck.store import open_collection
from studydeck.tui.app import create_app
from tests.helpers import Clock
from tests.tui.conftest import FROZEN, plain, write_decks

FACES = """\
deck: faces
title: Two faces
cards:
  - id: basic
    front: What does the forget gate decide?
    back: Which parts of the cell state are kept.
  - id: cloze
    type: cloze
    text: "h_t = o_t ⊙ {{c1::tanh}}(c_t)"
  - id: pick
    type: choice
    front: How many gates does a GRU have?
    choices: ["1", "2", "3"]
    answer: "2"
  - id: pick-again
    type: choice
    front: How many gates does an LSTM have?
    choices: ["2", "3", "4"]
    answer: "3"
    extra: Input, forget and output; g is the candidate, not a gate.
  - id: sig-a
    type: drill
    drill: sigmoid.value
  - id: sig-b
    type: drill
    drill: sigmoid.value
  - id: sig-c
    type: drill
    drill: sigmoid.value
"""

SCRIPT = [("reveal",), ("rate", 3), ("undo",), ("reveal",), ("default",),   # basic: undo, then Enter = 4
          ("reveal",), ("rate", 5),                                          # cloze
          ("pick", True), ("default",),                                      # a right pick, then Enter
          ("pick", False),                                                   # a wrong pick: rated 1
          ("answer", True), ("rate", 5),                                     # a right drill answer
          ("answer", False),                                                 # a wrong one: rated 1
          ("skip",)]                                                         # s skips a drill


def _answer(session, right: bool) -> str:
    value = float(session.drill_question().answer)
    return f"{value if right else value + 0.5:.6f}"


def _pick(session, right: bool) -> str:
    options = session.choice_options()
    k = next(i for i, o in enumerate(options) if (o == session.current.answer) == right)
    return "abcdef"[k]


class ScriptedInput:
    """stdin for plain mode: each readline() is the next step of the script."""

    def __init__(self, session) -> None:
        self.session, self.steps = session, list(SCRIPT)

    def readline(self) -> str:
        if not self.steps:
            return ""
        step, *args = self.steps.pop(0)
        line = {"reveal": lambda: "", "default": lambda: "", "undo": lambda: "u", "skip": lambda: "s",
                "rate": lambda: str(args[0]), "pick": lambda: _pick(self.session, args[0]),
                "answer": lambda: _answer(self.session, args[0])}[step]()
        return line + "\n"


def _config(folder) -> Config:
    return Config(bundled_decks=False, deck_folders=(str(folder),), fuzz=False)


async def test_the_same_script_through_plain_mode_and_the_app(tmp_path):
    folder = write_decks(tmp_path / "decks", faces=FACES)
    decks = load_decks([folder]).decks

    with open_collection(tmp_path / "plain.sqlite3") as collection:
        session = Session(collection, decks, _config(folder), clock=Clock(FROZEN))
        out = io.StringIO()
        PlainStudy(session, ScriptedInput(session), out).run()
        by_plain = [(r.card_id, r.rating) for r in collection.reviews()]
    text = out.getvalue()
    assert "Input, forget and output" in text            # a wrong pick shows the card's extra
    assert "h_t = o_t ⊙ tanh(c_t)" in text and "**" not in text
    assert "Skipped" in text

    home = tmp_path / "app-home"
    app = create_app(str(home), _config(folder), load_decks([folder]), clock=Clock(FROZEN), seed=1,
                     cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        for step, *args in SCRIPT:
            session = screen.session
            if step == "reveal":
                await pilot.press("space")
            elif step == "rate":
                await pilot.press(str(args[0]))
            elif step == "default":
                await pilot.press("enter")
            elif step == "undo":
                await pilot.press("u")
            elif step == "pick":
                await pilot.press(_pick(session, args[0]))
                if not args[0]:
                    assert "Saved: 1 Not at all" in plain(screen.query_one("#hint"), width=200)
                    await pilot.press("space")
            elif step == "answer":
                await pilot.press(*_answer(session, args[0]), "enter")
                if not args[0]:
                    await pilot.pause()
                    await pilot.press("space")
            elif step == "skip":
                await pilot.press("s", "enter")
            await pilot.pause()
        assert screen.card is None or screen.card.card_id != "sig-c"    # skipped, not stuck
    with open_collection(home / "collection.sqlite3") as collection:
        by_app = [(r.card_id, r.rating) for r in collection.reviews()]
    assert by_app == by_plain == [("basic", 4), ("cloze#c1", 5), ("pick", 4), ("pick-again", 1),
                                  ("sig-a", 5), ("sig-b", 1)]
