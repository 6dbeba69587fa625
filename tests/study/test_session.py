"""Session: rating, undo, previews, burying and reloading decks."""


import pytest

from studydeck.config import Config
from studydeck.study.queue import build_queue
from datetime import timedelta

from studydeck.study.clock import from_ms
from studydeck.study.session import Session, SessionError
from studydeck.store import open_collection
from tests.helpers import Clock, make_deck

CONFIG = Config(fuzz=False)


@pytest.fixture
def col(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as c:
        yield c


def test_every_rating_is_committed_and_logged(col):
    deck = make_deck(n=5)
    s = Session(col, [deck], CONFIG, clock=Clock())
    for rating in (1, 2, 3, 4, 5):
        card = s.current
        s.rate(rating)
        assert col.card_state(*card.key) is not None
    rows = list(col.reviews())
    assert [r.rating for r in rows] == [1, 2, 3, 4, 5]
    assert [r.fsrs_rating for r in rows] == [1, 1, 2, 3, 4]
    assert all(r.before is None for r in rows)
    assert all(r.reviewed_at == int(Clock().now.timestamp() * 1000) for r in rows)


def test_undo_restores_card_and_state(col):
    deck = make_deck(n=3)
    s = Session(col, [deck], CONFIG, clock=Clock())
    s.rate(5)
    state_c0 = col.card_state("d", "c0")
    s.rate(4)                                   # c1
    card = s.undo()
    assert card.card_id == "c1" and s.current.card_id == "c1"
    assert col.card_state("d", "c1") is None    # new again, exactly
    assert col.card_state("d", "c0") == state_c0
    s.undo()
    assert s.current.card_id == "c0" and col.card_state("d", "c0") is None
    with pytest.raises(SessionError):
        s.undo()
    assert s.summary.reviewed == 0


def test_history_survives_edits_and_reordering(col):
    deck = make_deck(n=3)
    s = Session(col, [deck], CONFIG, clock=Clock())
    s.rate(5)
    state = col.card_state("d", "c0")
    from dataclasses import replace

    edited = replace(deck, cards=tuple(reversed([replace(c, back=c.back + " (edited)") for c in deck.cards])))
    s2 = Session(col, [edited], CONFIG, clock=Clock())
    assert s2.current.card_id == "c2"            # c0 is not new any more
    assert col.card_state("d", "c0") == state
    gone = replace(deck, cards=deck.cards[1:])   # c0 removed from the deck...
    Session(col, [gone], CONFIG, clock=Clock())
    assert col.card_state("d", "c0") == state    # ...keeps its history for when it returns


def test_rate_checks(col):
    s = Session(col, [make_deck(n=1)], CONFIG, clock=Clock())
    with pytest.raises(SessionError):
        s.rate(6)
    s.rate(5)
    with pytest.raises(SessionError):
        s.rate(3)


def test_choice_wrong_pick_records_one(col):
    deck = make_deck(n=2, types={0: "choice"})
    s = Session(col, [deck], CONFIG, clock=Clock())
    options = s.choice_options()
    assert sorted(options) == ["1", "2", "3", "4"]
    assert s.choice_options() == options          # stable for the same review
    wrong = next(i for i, o in enumerate(options) if o != "2")
    assert s.answer_choice(wrong) is False
    assert [r.rating for r in col.reviews()] == [1]
    assert s.current.card_id == "c1"


def test_choice_right_pick_rates_three_to_five(col):
    deck = make_deck(n=1, types={0: "choice"})
    s = Session(col, [deck], CONFIG, clock=Clock())
    assert s.answer_choice(s.choice_options().index("2")) is True
    with pytest.raises(SessionError):
        s.rate(2)
    s.rate(4)
    assert [r.rating for r in col.reviews()] == [4]


def test_drill_must_be_answered_before_rating(col):
    s = Session(col, [make_deck(n=1, types={0: "drill"})], CONFIG, clock=Clock())
    with pytest.raises(SessionError):
        s.rate(4)


def test_previews_match_outcome(col):
    s = Session(col, [make_deck(n=1)], CONFIG, clock=Clock())
    previews = s.previews()
    assert set(previews) == {1, 2, 3, 4, 5}
    outcome = s.rate(4)
    assert s.due_label(outcome) == previews[4]



def test_replace_decks_swaps_in_edited_cards(col):
    from dataclasses import replace

    deck = make_deck(n=3)
    s = Session(col, [deck], CONFIG, clock=Clock())
    edited = replace(deck, cards=tuple(replace(c, back=c.back + "!") for c in deck.cards[:2]))  # c2 removed
    s.replace_decks([edited])
    assert s.current.back == "back 0!"
    s.rate(5)
    assert s.current.back == "back 1!"
    s.rate(5)
    assert s.finished                                  # c2 left the deck, so it left the queue


def sibling_deck():
    from studydeck.model import Card, Deck

    def card(card_id, note_id):
        return Card(deck_id="s", card_id=card_id, note_id=note_id, type="reversed", front=card_id, back="b")

    cards = (card("a", "a"), card("a#reverse", "a"), card("b#c1", "b"), card("b#c2", "b"), card("c", "c"))
    return Deck(id="s", title="S", description="", path="s.yaml", cards=cards)


def test_new_siblings_are_buried_until_the_next_day(col):
    deck = sibling_deck()
    clock = Clock()
    assert [c.card_id for c in build_queue(col, [deck], CONFIG, clock()).new] == ["a", "b#c1", "c"]
    s = Session(col, [deck], CONFIG, clock=clock)
    while not s.finished:
        s.rate(5)
    assert [c.card_id for c in build_queue(col, [deck], CONFIG, clock()).new] == []   # studied today
    clock.advance(days=1)
    assert [c.card_id for c in build_queue(col, [deck], CONFIG, clock()).new] == ["a#reverse", "b#c2"]


def test_burying_can_be_turned_off(col):
    queue = build_queue(col, [sibling_deck()], Config(fuzz=False, bury_siblings=False), Clock()())
    assert len(queue.new) == 5


def test_phases_of_a_basic_card(col):
    from studydeck.study.session import Phase

    s = Session(col, [make_deck(n=1)], CONFIG, clock=Clock())
    assert s.phase == Phase.FRONT and s.allowed_ratings() == () and s.can_reveal()
    assert s.card_label() == "1 new · 0 learning · 0 review · d · new basic"
    s.reveal()
    assert s.phase == Phase.BACK and s.allowed_ratings() == (1, 2, 3, 4, 5)
    with pytest.raises(SessionError):
        s.reveal()
    outcome = s.rate(5)
    assert s.saved_text(outcome) == f"Saved: 5 Perfectly → next review in {s.due_label(outcome)}."
    assert s.phase == Phase.DONE and s.shown is None
    assert s.summary_lines()[0] == "Session over"
    assert "Cards reviewed   1" in s.summary_lines()


def test_phases_of_choice_answers(col):
    from studydeck.study.session import Phase

    deck = make_deck(n=2, types={0: "choice", 1: "choice"})
    s = Session(col, [deck], CONFIG, clock=Clock())
    first = s.current
    s.answer_choice(s.choice_options().index("2"))
    assert s.phase == Phase.BACK and s.allowed_ratings() == (3, 4, 5) and s.default_rating == 4
    s.rate(4)
    options = s.choice_options()
    second = s.current
    assert second is not first
    s.answer_choice(next(i for i, o in enumerate(options) if o != "2"))
    # rated 1 already; the wrong card stays shown until proceed()
    assert s.phase == Phase.FEEDBACK and s.shown is second and s.allowed_ratings() == ()
    with pytest.raises(SessionError):
        s.answer_choice(0)
    s.proceed()
    assert s.shown is s.current
    with pytest.raises(SessionError):
        s.proceed()


def test_drill_cannot_be_revealed_and_undo_returns_to_front(col):
    from studydeck.study.session import Phase

    s = Session(col, [make_deck(n=1, types={0: "drill"})], CONFIG, clock=Clock())
    assert not s.can_reveal()
    with pytest.raises(SessionError):
        s.reveal()
    s.answer_drill(str(float(s.drill_question().answer) + 0.5))
    assert s.phase == Phase.FEEDBACK
    s.undo()
    assert s.phase == Phase.FRONT and s.shown is s.current


def test_summary_lines_before_and_without_reviews(col):
    deck = make_deck(n=1)
    s = Session(col, [deck], CONFIG, clock=Clock())
    assert s.summary_lines() == ["No cards reviewed."]
    s.rate(5)
    assert Session(col, [deck], CONFIG, clock=Clock()).summary_lines() == ["Nothing due here now.", "Come back later."]


def test_counts_are_new_learning_review_as_anki_shows_them(col):
    deck = make_deck(n=3)
    clock = Clock()
    s = Session(col, [deck], CONFIG, clock=clock)
    assert s.counts() == (3, 0, 0)
    s.rate(1)                                  # into a 1-minute learning step
    assert s.counts() == (2, 1, 0)
    s.undo()
    assert s.counts() == (3, 0, 0)


def test_learning_cards_from_an_earlier_session_are_learned_ahead(col):
    deck = make_deck(n=2)
    clock = Clock()
    first = Session(col, [deck], CONFIG, clock=clock)
    first.rate(1)                              # c0: learning, due in a minute; then stop
    second = Session(col, [deck], CONFIG, clock=clock)
    assert second.current.card_id == "c1" and second.counts() == (1, 1, 0)
    second.rate(5)
    assert second.current.card_id == "c0"      # due within the learn-ahead limit: shown early


def test_the_end_says_when_the_next_learning_card_is_due(col):
    deck = make_deck(n=1)
    clock = Clock()
    config = Config(fuzz=False, learning_steps=("30m", "1h"))
    s = Session(col, [deck], config, clock=clock)
    s.rate(3)                                   # due in 30 minutes or more: beyond learn ahead
    assert s.finished
    due = from_ms(col.card_state("d", "c0").due)
    line = next(x for x in s.summary_lines() if x.startswith("The next learning card"))
    assert f"at {due.astimezone():%H:%M}" in line
    later = Session(col, [deck], config, clock=clock)
    assert later.finished and later.summary_lines()[0] == "Nothing due here now."
    assert any(x.startswith("The next learning card is due at") for x in later.summary_lines())
    clock.now = due - timedelta(minutes=10)    # now within 20 minutes: learned ahead
    assert Session(col, [deck], config, clock=clock).current.card_id == "c0"


def test_nothing_due_says_why_and_offers_more_new_cards(col):
    deck = make_deck(n=5)
    config = Config(fuzz=False, new_per_day=2)
    clock = Clock()
    s = Session(col, [deck], config, clock=clock)
    s.rate(5)
    s.rate(5)
    assert s.finished
    lines = s.summary_lines()
    assert "The day's limit of 2 new cards is reached; 3 more are unseen." in lines
    assert "You can study 2 more new cards today." in lines
    assert s.study_more_new() == 2
    assert s.current.card_id == "c2" and s.counts() == (2, 0, 0)


def test_buried_siblings_are_named_as_the_reason(col):
    s = Session(col, [sibling_deck()], CONFIG, clock=Clock())
    while not s.finished:
        s.rate(5)
    assert "2 new cards wait for tomorrow: a sibling card was studied today." in s.summary_lines()


def test_preview_is_the_saved_interval_with_fuzz(col):
    from studydeck.study.scheduler import Scheduler

    deck = make_deck(n=30)
    config = Config(fuzz=True)
    clock = Clock()
    s = Session(col, [deck], config, clock=clock)
    while not s.finished:
        s.rate(5)                              # Easy: straight to review, days ahead
    clock.advance(days=40)
    s = Session(col, [deck], config, clock=clock)
    seen = set()
    while not s.finished:
        previews = s.previews()
        outcome = s.rate(4)
        assert s.due_label(outcome) == previews[4]
        seen.add(previews[4])
    assert len(seen) > 1                        # the fuzz did spread them
    plain = Scheduler(Config(fuzz=False))
    assert plain.fuzz is False
