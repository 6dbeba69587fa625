"""Today's queue: order, daily limits, learning cards and the study day."""

from datetime import datetime, UTC

import pytest

from studydeck.config import Config
from studydeck.study.clock import day_start
from studydeck.study.queue import build_queue
from studydeck.study.session import Session
from studydeck.store import REVIEW, open_collection
from tests.helpers import Clock, make_deck

CONFIG = Config(fuzz=False)


@pytest.fixture
def col(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as c:
        yield c


def test_new_cards_in_deck_order_within_limit(col):
    deck = make_deck(n=30)
    session = Session(col, [deck], Config(fuzz=False, new_per_day=5), clock=Clock())
    seen = []
    while not session.finished and len(seen) < 5:
        seen.append(session.current.card_id)
        session.rate(5)  # Easy graduates at once, so nothing comes back today
    assert seen == ["c0", "c1", "c2", "c3", "c4"]
    assert session.finished
    # the limit is per day: a new session the same day gets no new cards
    assert Session(col, [deck], Config(fuzz=False, new_per_day=5), clock=Clock()).finished


def test_queue_order_learning_then_review_then_new(col):
    deck = make_deck(n=6)
    clock = Clock()
    s = Session(col, [deck], CONFIG, clock=clock)
    s.rate(5)   # c0 -> review, due in days
    s.rate(1)   # c1 -> learning, due in 1 minute
    clock.advance(days=30)
    queue = build_queue(col, [deck], CONFIG, clock())
    assert [c.card_id for c in queue.learning] == ["c1"]
    assert [c.card_id for c in queue.reviews] == ["c0"]
    assert [c.card_id for c in queue.new] == ["c2", "c3", "c4", "c5"]


def test_max_reviews_per_day(col):
    deck = make_deck(n=4)
    clock = Clock()
    s = Session(col, [deck], CONFIG, clock=clock)
    while not s.finished:
        s.rate(5)
    clock.advance(days=60)
    queue = build_queue(col, [deck], Config(fuzz=False, max_reviews_per_day=2), clock())
    assert len(queue.reviews) == 2


def test_learning_card_comes_back_in_the_session(col):
    deck = make_deck(n=1)
    clock = Clock()
    s = Session(col, [deck], CONFIG, clock=clock)
    s.rate(1)                      # Again: due in a minute, learn-ahead shows it now
    assert s.current is not None and s.current.card_id == "c0"
    s.rate(4)                      # Good: the 10 minute step, still within learn-ahead
    assert s.current is not None
    s.rate(4)                      # graduates to review
    assert s.finished
    assert col.card_state("d", "c0").state == REVIEW


def test_day_start_is_utc_and_before_now():
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    start = day_start(now, 4)
    assert start.tzinfo is not None and start <= now
    assert (now - start).total_seconds() < 86400
