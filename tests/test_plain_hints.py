"""Plain mode: Enter on an empty drill answer shows the next hint; a wrong answer names its mistake."""

import io

import pytest

from studydeck.config import Config
from studydeck.drills.mistakes import declared_answers
from studydeck.model import Card, Deck
from studydeck.plain import PlainStudy
from studydeck.study.session import Session
from studydeck.store import open_collection
from tests.helpers import Clock

CONFIG = Config(fuzz=False)


@pytest.fixture
def col(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as c:
        yield c


def _deck(kind: str) -> Deck:
    card = Card(deck_id="d", card_id="c0", note_id="c0", type="drill", front="", back="", line=1,
                drill=kind)
    return Deck(id="d", title="Deck d", description="", path="d.yaml", cards=(card,))


def test_enter_shows_each_hint_then_asks_for_an_answer(col):
    deck = _deck("lstm.step")
    session = Session(col, [deck], CONFIG, clock=Clock())
    q = session.drill_question()
    out = io.StringIO()
    text = "\n" * (len(q.hints) + 1) + q.answer_text.replace("h_1 = ", "").replace("c_1 = ", "") + "\n\n"
    PlainStudy(session, io.StringIO(text), out).run()
    shown = out.getvalue()
    for n, hint in enumerate(q.hints, start=1):
        assert f"Hint {n}/{len(q.hints)}:\n{hint}" in shown
    assert "No more hints" in shown
    assert "✓ Right" in shown and [r.rating for r in col.reviews()] == [4]


def test_a_wrong_answer_names_the_mistake(col):
    deck = _deck("gru.hidden_update")
    session = Session(col, [deck], CONFIG, clock=Clock())
    q = session.drill_question()
    mistake = next(m for m in declared_answers(q) if m["name"] == "gru_z_swapped")
    out = io.StringIO()
    answer = " ".join(f"{v:.4f}" for v in mistake["answer"])
    PlainStudy(session, io.StringIO(answer + "\n"), out).run()
    assert mistake["message"] in out.getvalue()
    assert [r.rating for r in col.reviews()] == [1]

