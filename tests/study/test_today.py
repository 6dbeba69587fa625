"""today(): Anki's new · learning · review counts per deck, as the queue would show them."""

from datetime import timedelta

import pytest

from studydeck.config import Config
from studydeck.study.queue import build_queue
from studydeck.study.session import Session
from studydeck.study.today import buried_new, today
from studydeck.store import open_collection
from tests.helpers import Clock, make_deck
from tests.study.test_session import sibling_deck


@pytest.fixture
def col(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as c:
        yield c


def test_new_today_follows_the_limit_and_burying_unseen_does_not(col):
    config = Config(fuzz=False, new_per_day=3)
    decks = [sibling_deck(), make_deck("d", n=4)]
    numbers = today(col, decks, config, Clock()())
    by_deck = {d.deck: d for d in numbers.decks}
    assert (by_deck["s"].new, by_deck["s"].unseen) == (3, 5)      # a, b#c1, c: siblings wait
    assert (by_deck["d"].new, by_deck["d"].unseen) == (3, 4)      # the limit
    assert numbers.new == len(build_queue(col, decks, config, Clock()()).new) == 3


def test_learning_counts_within_learn_ahead_and_reviews_within_the_limit(col):
    clock = Clock()
    deck = make_deck(n=4)
    s = Session(col, [deck], Config(fuzz=False), clock=clock)
    s.rate(1)                                   # c0: learning, due in a minute
    for _ in range(3):
        s.rate(5)                               # c1-c3: review, days ahead
    numbers = today(col, [deck], Config(fuzz=False), clock())
    assert (numbers.new, numbers.learning, numbers.review) == (0, 1, 0)   # due within 20 minutes
    clock.advance(days=60)
    limited = Config(fuzz=False, max_reviews_per_day=2)
    numbers = today(col, [deck], limited, clock())
    assert (numbers.review, numbers.reviews_held) == (2, 1)
    assert numbers.review == len(build_queue(col, [deck], limited, clock()).reviews)


def test_buried_new_counts_the_siblings_waiting(col):
    clock = Clock()
    s = Session(col, [sibling_deck()], Config(fuzz=False), clock=clock)
    while not s.finished:
        s.rate(5)
    assert buried_new(col, [sibling_deck()], Config(fuzz=False), clock()) == 2
    assert buried_new(col, [sibling_deck()], Config(fuzz=False), clock() + timedelta(days=1)) == 0


def test_a_decks_own_new_limit_and_its_suspended_cards_show_in_todays_counts(col):
    from studydeck.config import DeckSettings
    from studydeck.store import mark_cards
    from studydeck.study.clock import to_ms

    config = Config(fuzz=False, new_per_day=10, decks=(("a", DeckSettings(new_per_day=2)),))
    decks = [make_deck("a", n=5), make_deck("b", n=5)]
    now = Clock()()
    col.sync_decks(decks, to_ms(now))
    mark_cards(col, "suspend", [("b", "c0"), ("b", "c1")], to_ms(now))
    numbers = today(col, decks, config, now)
    by_deck = {d.deck: d for d in numbers.decks}
    queue = build_queue(col, decks, config, now)
    assert by_deck["a"].new == sum(c.deck_id == "a" for c in queue.new) == 2   # its own limit
    assert by_deck["b"].new == sum(c.deck_id == "b" for c in queue.new) == 3   # two suspended
    assert numbers.new == len(queue.new) == 5


def test_a_decks_own_review_limit_shows_in_todays_counts(col):
    """A deck with its own max_reviews_per_day shows no more reviews at home than
    its session will give, and what it holds back counts as held."""
    from studydeck.config import DeckSettings

    clock = Clock()
    decks = [make_deck("a", n=5), make_deck("b", n=4)]
    s = Session(col, decks, Config(fuzz=False), clock=clock)
    while not s.finished:
        s.rate(5)                               # every card a review, days ahead
    clock.advance(days=60)
    config = Config(fuzz=False, decks=(("a", DeckSettings(max_reviews_per_day=2)),))
    numbers = today(col, decks, config, clock())
    by_deck = {d.deck: d for d in numbers.decks}
    queue = build_queue(col, decks, config, clock())
    assert by_deck["a"].review == sum(c.deck_id == "a" for c in queue.reviews) == 2
    assert by_deck["b"].review == sum(c.deck_id == "b" for c in queue.reviews) == 4
    assert (numbers.review, numbers.reviews_held) == (6, 3)
    from studydeck.study.today import why_nothing_due

    lines = why_nothing_due(col, decks, config, clock(), None, 0)
    assert "3 reviews wait for tomorrow: the day's limit is 200 in all, and some decks have their own." in lines
