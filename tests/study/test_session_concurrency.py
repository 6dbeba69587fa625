"""Two sessions on one collection: no lost update, and undo never undoes someone else's rating."""

from __future__ import annotations

import threading

import pytest

from studydeck.config import Config
from studydeck.study.scheduler import Scheduler
from studydeck.study.session import Session, SessionError
from studydeck.store import open_collection
from tests.helpers import Clock, make_deck

CONFIG = Config(fuzz=False)


def assert_log_agrees(col, key):
    """Each standing review starts where the previous one ended, and the card holds the last."""
    rows = [r for r in col.reviews() if (r.deck_id, r.card_id) == key]
    previous = None
    for row in rows:
        assert row.before == previous, f"review {row.id} started from a stale state"
        previous = row.after
    assert col.card_state(*key) == previous
    assert (previous.reps if previous else 0) == len(rows)


class InterleavingScheduler(Scheduler):
    """Lets ``other`` (another process's session, on a thread) rate while this
    session is between reading the card and writing its review, and gives it
    a moment to finish if nothing holds the write lock."""

    def __init__(self, config, other):
        super().__init__(config)
        self.other = other

    def review(self, before, rating, now, answer_ms=None, *, key=""):
        if not self.other.go.is_set():
            self.other.go.set()
            self.other.join(timeout=1.0)   # returns at once if the other rating got through
        return super().review(before, rating, now, answer_ms, key=key)


class OtherProcess(threading.Thread):
    """A second session on its own connection, which rates its first card on ``go``."""

    def __init__(self, path, deck, clock):
        super().__init__()
        self.path, self.deck, self.clock = path, deck, clock
        self.ready, self.go = threading.Event(), threading.Event()
        self.errors = []

    def run(self):
        try:
            with open_collection(self.path) as col:
                session = Session(col, [self.deck], CONFIG, clock=self.clock)
                self.ready.set()
                self.go.wait()
                session.rate(3)
        except Exception as exc:  # reported by the test
            self.errors.append(exc)
            self.ready.set()


def test_rate_reads_and_writes_the_card_in_one_transaction(tmp_path):
    path = tmp_path / "c.sqlite3"
    deck = make_deck(n=1)
    clock = Clock()
    with open_collection(path) as col:
        session = Session(col, [deck], CONFIG, clock=clock,
                          scheduler=InterleavingScheduler(CONFIG, other := OtherProcess(path, deck, clock)))
        other.start()
        other.ready.wait()
        session.rate(4)
        other.join()
        assert other.errors == []
        assert len(list(col.reviews())) == 2
        assert_log_agrees(col, ("d", "c0"))


@pytest.fixture
def two(tmp_path):
    path = tmp_path / "c.sqlite3"
    with open_collection(path) as a, open_collection(path) as b:
        yield a, b


def test_undo_refuses_when_another_rating_of_the_card_came_after(two):
    col_a, col_b = two
    deck = make_deck(n=2)
    clock = Clock()
    a = Session(col_a, [deck], CONFIG, clock=clock)
    b = Session(col_b, [deck], CONFIG, clock=clock)
    a.rate(4)                                  # A rates c0
    clock.advance(seconds=5)
    b.rate(3)                                  # B rates c0 after A
    state = col_a.card_state("d", "c0")
    log = list(col_a.reviews(include_undone=True))
    with pytest.raises(SessionError, match="rated again"):
        a.undo()
    assert col_a.card_state("d", "c0") == state            # nothing changed
    assert list(col_a.reviews(include_undone=True)) == log
    assert [r.rating for r in col_a.reviews()] == [4, 3]   # both still stand
    assert a.current.card_id == "c1" and a.summary.reviewed == 1
    assert_log_agrees(col_a, ("d", "c0"))
    b.undo()                                   # B's is the latest: it may be undone
    assert col_a.card_state("d", "c0") == log[0].after
    a.undo()                                   # and now A's is the latest again
    assert col_a.card_state("d", "c0") is None
    assert_log_agrees(col_a, ("d", "c0"))


def test_undo_refusal_is_reported_by_the_store(two):
    from studydeck.store import CollectionError

    col_a, col_b = two
    deck = make_deck(n=1)
    clock = Clock()
    a = Session(col_a, [deck], CONFIG, clock=clock)
    b = Session(col_b, [deck], CONFIG, clock=clock)
    a.rate(4)
    first = list(col_a.reviews())[0].id
    b.rate(4)
    with pytest.raises(CollectionError, match="d/c0 was rated again"):
        col_a.undo_review(first, 1)
