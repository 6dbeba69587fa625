import io

import pytest

from studydeck.config import Config
from studydeck.plain import PlainStudy
from studydeck.study.session import Session
from studydeck.store import open_collection
from tests.helpers import Clock, make_deck

CONFIG = Config(fuzz=False)


@pytest.fixture
def col(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as c:
        yield c


def run(col, deck, text):
    out = io.StringIO()
    session = Session(col, [deck], CONFIG, clock=Clock())
    code = PlainStudy(session, io.StringIO(text), out).run()
    return code, out.getvalue()


def test_reveal_and_rate_from_a_pipe(col):
    code, out = run(col, make_deck(n=2), "\n5\n\n4\n")
    assert code == 0
    assert "front 0" in out and "back 0" in out
    assert "1 Not at all" in out and "5 Perfectly" in out
    assert out.count("Saved:") == 2
    assert "Cards reviewed   2\n" in out
    assert [r.rating for r in col.reviews()] == [5, 4]


def test_invalid_input_gets_a_hint_and_is_not_counted(col):
    code, out = run(col, make_deck(n=1), "\n7\nfoo\n0\n5\n")
    assert out.count("Type a number from 1 to 5") == 3
    assert [r.rating for r in col.reviews()] == [5]


def test_undo_then_rate_again(col):
    code, out = run(col, make_deck(n=2), "\n5\nu\n\n3\n")
    assert "Undone: d/c0" in out
    assert [r.rating for r in col.reviews()] == [3]


def test_end_of_input_stops_cleanly(col):
    code, out = run(col, make_deck(n=3), "\n5\n\n")
    assert code == 0
    assert "Cards reviewed   1\n" in out
    assert [r.rating for r in col.reviews()] == [5]


def test_quit(col):
    code, out = run(col, make_deck(n=3), "q\n")
    assert code == 0 and "No cards reviewed." in out
    assert list(col.reviews()) == []


def test_nothing_due(col):
    deck = make_deck(n=1)
    run(col, deck, "\n5\n")
    _, out = run(col, deck, "")
    assert "Nothing due" in out


def test_choice_card_wrong_letter_records_one(col):
    deck = make_deck(n=1, types={0: "choice"})
    session = Session(col, [deck], CONFIG, clock=Clock())
    options = session.choice_options()
    wrong = "abcd"[next(i for i, o in enumerate(options) if o != "2")]
    out = io.StringIO()
    PlainStudy(session, io.StringIO(f"z\n{wrong}\n"), out).run()
    text = out.getvalue()
    assert "Type a letter from a to d" in text
    assert "✗ The answer is: 2" in text
    assert [r.rating for r in col.reviews()] == [1]


def test_choice_card_right_letter_then_rate(col):
    deck = make_deck(n=1, types={0: "choice"})
    session = Session(col, [deck], CONFIG, clock=Clock())
    right = "abcd"[session.choice_options().index("2")]
    out = io.StringIO()
    PlainStudy(session, io.StringIO(f"{right}\n2\n5\n"), out).run()
    assert "✓ Right." in out.getvalue()
    assert "Type a number from 3 to 5" in out.getvalue()
    assert [r.rating for r in col.reviews()] == [5]


def test_drill_card_wrong_answer_shows_solution_and_records_one(col):
    deck = make_deck(n=1, types={0: "drill"})
    session = Session(col, [deck], CONFIG, clock=Clock())
    question = session.drill_question()
    wrong = str(float(question.answer) + 0.5)
    out = io.StringIO()
    PlainStudy(session, io.StringIO(f"letters\n{wrong}\n"), out).run()
    text = out.getvalue()
    assert "Could not read that:" in text and "Try again." in text
    assert "✗ Expected" in text and question.solution in text
    assert [r.rating for r in col.reviews()] == [1]


def test_drill_card_right_answer_then_default_rating(col):
    deck = make_deck(n=1, types={0: "drill"})
    session = Session(col, [deck], CONFIG, clock=Clock())
    question = session.drill_question()
    out = io.StringIO()
    PlainStudy(session, io.StringIO(f"{question.answer}\n\n"), out).run()
    assert "✓ Right" in out.getvalue()
    assert [r.rating for r in col.reviews()] == [4]


def test_drill_question_is_reproducible_from_card_and_review_number(col):
    from studydeck.study.session import drill_seed

    deck = make_deck(n=1, types={0: "drill"})
    first = Session(col, [deck], CONFIG, clock=Clock()).drill_question()
    again = Session(col, [deck], CONFIG, clock=Clock()).drill_question()
    assert first.to_json() == again.to_json()
    assert first.seed == drill_seed(deck.cards[0], 0)
