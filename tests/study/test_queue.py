"""Today's queue: order, daily limits, learning cards and the study day."""

import random
from datetime import datetime, UTC

import pytest

from studydeck.config import Config, DeckSettings
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


def test_review_cap_counts_only_the_decks_studied(col):
    """Reviews are read a page at a time from the due index: cards of decks not being
    studied, even when due earlier, neither fill the cap nor appear."""
    other, mine = make_deck("other", n=4), make_deck("mine", n=4)
    clock = Clock()
    for deck in (other, mine):
        s = Session(col, [deck], CONFIG, clock=clock)
        while not s.finished:
            s.rate(5)
        clock.advance(days=1)
    clock.advance(days=60)
    queue = build_queue(col, [mine], Config(fuzz=False, max_reviews_per_day=3), clock())
    assert [c.deck_id for c in queue.reviews] == ["mine"] * 3
    everything = build_queue(col, [other, mine], Config(fuzz=False, max_reviews_per_day=6), clock())
    assert [c.deck_id for c in everything.reviews] == ["other"] * 4 + ["mine"] * 2


@pytest.mark.parametrize("cap", [0, 1, 5, 17, 40, 100])
def test_paged_reviews_equal_the_whole_due_list_cut_by_the_limits(col, cap):
    """The reviews read page by page (ties in due time included, a deck reaching its own
    limit mid-page) are those a walk of the whole due list under the same limits takes."""
    decks = [make_deck(f"d{i}", n=20) for i in range(4)]
    col.sync_decks(decks, 0)
    rng = random.Random(cap)
    now_ms = 100 * 86_400_000
    rows = [(rng.choice((1, 2, 2, 2, 3)), rng.choice((5, 6, 7, 1000)) * 86_400_000 // 7, d.id, c.card_id)
            for d in decks for c in d.cards]
    col.conn.executemany("UPDATE cards SET state = ?, stability = 1, difficulty = 5, due = ?, last_review = 0, "
                         "reps = 1 WHERE deck_id = ? AND card_id = ?", rows)
    col.conn.execute("UPDATE cards SET suspended = 1 WHERE card_id = 'c3'")
    config = Config(fuzz=False, max_reviews_per_day=cap, new_per_day=0,
                    decks=(("d1", DeckSettings(max_reviews_per_day=2)), ("d2", DeckSettings(max_reviews_per_day=0))))
    studied = decks[:3]
    queue = build_queue(col, studied, config, datetime.fromtimestamp(now_ms / 1000, UTC))
    due = sorted((due, d, c, state) for state, due, d, c in rows
                 if due <= now_ms and c != "c3" and d in {x.id for x in studied})
    left = {d.id: config.for_deck(d.id).max_reviews_per_day for d in studied}
    expected = []
    for _due, d, c, state in due:
        if state == REVIEW and len(expected) < cap and left[d] > 0:
            left[d] -= 1
            expected.append((d, c))
    assert [c.key for c in queue.reviews] == expected
    assert [c.key for c in queue.learning] == [(d, c) for _due, d, c, s in due if s != REVIEW]


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
