"""Every screen of the app, set up the same way for the snapshot tests and for
the tests that nothing essential is cut at 80×24 and at 60×20.

A scene is (deck files, whether to write six months of history, the keys or
coroutine that brings the app to the screen, the texts that must be visible,
and where they differ the texts that must be visible at 60×20: there the
rating keys sit above their labels, and the stats and lab views scroll).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from studydeck.config import Config
from studydeck.deckfile.load import load_decks
from studydeck.study.clock import to_ms
from studydeck.study.scheduler import Scheduler
from studydeck.store import open_collection
from studydeck.study.scheduler import LABELS
from tests.tui.conftest import BASICS, FROZEN, MIXED

NOTED = BASICS.replace("title: LSTM basics\n", "title: LSTM basics\ndescription: |\n  ## Two states\n\n"
                       "  An LSTM carries the **cell state** c_t and the **hidden state** h_t.\n")


def write_history(home, folder) -> None:
    """Six months of reviews ending yesterday, a few cards a day, every rating used."""
    decks = load_decks([folder]).decks
    cards = [c for d in decks for c in d.cards if c.type in ("basic", "cloze")]
    scheduler = Scheduler(Config(fuzz=False))
    with open_collection(home / "collection.sqlite3") as collection:
        for k in range(180, 0, -1):
            if k % 4 == 0 or k % 7 == 3:
                continue
            when = FROZEN - timedelta(days=k, hours=k % 5)
            for j in range(1 + (k * 7) % 5):
                card = cards[(k + j) % len(cards)]
                before = collection.card_state(*card.key)
                rating = 1 + (k * 3 + j) % 5
                outcome = scheduler.review(before, rating, when, 5000)
                collection.record_review(card.deck_id, card.card_id, to_ms(when), rating,
                                         outcome.fsrs_rating, 5000, before, outcome.after)


async def to_choice(pilot) -> None:
    """Study ``mixed`` up to its choice card (the cloze's second deletion is buried)."""
    await pilot.press("enter", "space", "4")
    await pilot.pause()


async def wrong_choice(pilot) -> None:
    await to_choice(pilot)
    screen = pilot.app.screen
    await pilot.press("abcd"[next(k for k, o in enumerate(screen.options) if o != "2")])
    await pilot.pause()


async def to_drill(pilot) -> None:
    await to_choice(pilot)
    screen = pilot.app.screen
    await pilot.press("abcd"[screen.options.index("2")], "4")
    await pilot.pause()


async def answer_drill(pilot) -> None:
    """The drill card answered right: the verdict, the worked solution, the rating bar."""
    await to_drill(pilot)
    question = pilot.app.screen.session.drill_question()
    await pilot.press(*("[" + ", ".join(f"{v:.4f}" for v in question.answer) + "]"), "enter")
    await pilot.pause()


async def finish_basics(pilot) -> None:
    await pilot.press("enter")
    for _ in range(5):
        await pilot.press("space", "5")
    await pilot.pause()


async def gradients_40(pilot) -> None:
    await pilot.press("l", "t", "right_square_bracket", "right_square_bracket")
    await pilot.pause()


@dataclass(frozen=True)
class Scene:
    decks: dict
    keys: tuple = ()
    before: object = None
    history: bool = False
    essential: tuple = field(default_factory=tuple)
    narrow: tuple | None = None  # at 60×20, when not ``essential``


LABEL_TEXTS = tuple(f"{n}  {label}" for n, label in LABELS.items())
LABEL_NAMES = tuple(LABELS.values())

SCENES = {
    "home": Scene(dict(basics=BASICS, mixed=MIXED), history=True,
                  essential=("Today: 0 reviews", "Streak: 2 days", "To study:", "Deck", "New", "Learn", "Review",
                             "Unseen", "LSTM basics", "Mixed card types", "study deck", "help")),
    "study_front": Scene(dict(basics=BASICS), ("enter",),
                         essential=("5 new · 0 learning · 0 review · basics · new basic",
                                    "What does the forget gate decide?", "show answer", "help")),
    "study_revealed": Scene(dict(basics=BASICS), ("enter", "space"),
                            essential=("Which parts of the previous cell state are kept.", *LABEL_TEXTS,
                                       "rate 4", "1-5"),
                            narrow=("Which parts of the previous cell state are kept.", *LABEL_NAMES,
                                    "rate 4", "1-5", "help")),
    "cloze": Scene(dict(mixed=MIXED), ("enter",), essential=("[...]", "show answer")),
    "cloze_revealed": Scene(dict(mixed=MIXED), ("enter", "space"), essential=("f_t ⊙ c_(t-1)", *LABEL_TEXTS),
                            narrow=("f_t ⊙ c_(t-1)", *LABEL_NAMES, "help")),
    "choice": Scene(dict(mixed=MIXED), before=to_choice,
                    essential=("How many gates does a GRU have?", "a) ", "d) ", "a-d", "pick")),
    "choice_wrong": Scene(dict(mixed=MIXED), before=wrong_choice,
                          essential=("✓ ", "✗ ", "Saved: 1 Not at all → next review in", "next card")),
    "drill_front": Scene(dict(mixed=MIXED), before=to_drill,
                         essential=("the forget gate", "A PyTorch LSTMCell", "2 numbers, e.g.", "check the answer",
                                    "F1  help")),
    "drill_answered": Scene(dict(mixed=MIXED), before=answer_drill,
                            essential=("Worked solution", "✓ Correct", "you gave", *LABEL_TEXTS[2:], "3-5"),
                            narrow=("Worked solution", "✓ Correct", "you gave", *LABEL_NAMES[2:], "3-5", "help")),
    "summary": Scene(dict(basics=BASICS), before=finish_basics,
                     essential=("Session over", "Cards reviewed   5", "Retention        100%", "Perfectly: 5")),
    "nothing_due": Scene(dict(basics=BASICS), keys=("escape", "enter"), before=finish_basics,
                         essential=("Nothing due here now.", "Come back later.", "home")),
    "stats": Scene(dict(basics=BASICS, mixed=MIXED), ("s",), history=True,
                   essential=("Reviews, last", "Retention, 30 d", "Learning", "Total cards", "Reviews per day",
                              "days studied", "today 7 · tomorrow", "busiest day"),
                   narrow=("Reviews, last", "Retention, 30 d", "Learning", "esc", "home", "help", "palette")),
    "lab_cell": Scene(dict(basics=BASICS), ("l", "down", "right", "right"),
                      essential=("c_prev ──▶(×)", "x[1]", "c_prev[1]", "a_o", "h' = o⊙tanh(c')", "nudge"),
                      narrow=("c_prev ──▶(×)", "h_prev ─┬", "f = σ(a_f)", "nudge ±0.1", "reset", "esc  home",
                              "help", "commands")),
    "lab_gradients": Scene(dict(basics=BASICS), before=gradients_40,
                           essential=("T = 40", "‖dL/dh_0‖", "‖dL/dh_39‖", "RNN (tanh): ‖dL/dh_t‖",
                                      "LSTM: ‖dL/dh_t‖", "1e1┤", "1e-2┤", "t 0", "forget bias"),
                           narrow=("T = 40", "‖dL/dh_0‖", "‖dL/dh_39‖", "RNN (tanh): ‖dL/dh_t‖", "LSTM: ‖dL/dh_t‖",
                                   "1e1┤", "t 0", "forget bias", "T ±5", "esc  home", "help", "commands")),
    "free_drills": Scene(dict(basics=BASICS), ("d",), essential=("0 right of 0", "pick kinds", "help")),
    "drill_kinds": Scene(dict(basics=BASICS), ("d", "ctrl+t"), essential=("Drill kinds", "lstm.forget_gate")),
    "help": Scene(dict(basics=BASICS), ("question_mark",), essential=("Keys", "Everywhere", "this help")),
    "notes": Scene(dict(basics=NOTED), ("n",), essential=("Two states", "the cell state c_t", "back")),
}
