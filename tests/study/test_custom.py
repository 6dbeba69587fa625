"""Marks in the queue, custom-study card lists, and the schema migration that added them."""

from __future__ import annotations

import sqlite3

from studydeck.config import Config
from studydeck.store import _MIGRATIONS, SCHEMA_VERSION, open_collection
from studydeck.study import browse
from studydeck.study.custom import CustomStudy, custom_cards
from studydeck.study.queue import build_queue
from studydeck.study.session import Session
from tests.helpers import Clock, make_deck

CONFIG = Config(fuzz=False)


def test_suspended_and_buried_cards_leave_the_queue_until_unsuspended_or_the_next_day(tmp_path):
    clock = Clock()
    deck = make_deck("d", 4)
    with open_collection(tmp_path / "c.sqlite3") as col:
        session = Session(col, [deck], CONFIG, clock=clock)
        for _ in range(4):
            session.rate(5)             # Easy: all four become review cards
        clock.advance(days=60)
        assert {c.card_id for c in build_queue(col, [deck], CONFIG, clock()).reviews} == {"c0", "c1", "c2", "c3"}
        browse.mark(col, "suspend", [deck.cards[0]], clock(), CONFIG)
        browse.mark(col, "bury", [deck.cards[1]], clock(), CONFIG)
        queue = build_queue(col, [deck], CONFIG, clock())
        assert {c.card_id for c in queue.reviews} == {"c2", "c3"}
        clock.advance(days=1)          # the bury has ended, the suspension has not
        assert {c.card_id for c in build_queue(col, [deck], CONFIG, clock()).reviews} == {"c1", "c2", "c3"}
        assert browse.mark(col, "unsuspend", [deck.cards[0]], clock(), CONFIG) == 1
        assert len(build_queue(col, [deck], CONFIG, clock()).reviews) == 4


def test_new_cards_can_be_suspended_and_forgotten_cards_come_back_as_new(tmp_path):
    clock = Clock()
    deck = make_deck("d", 3)
    with open_collection(tmp_path / "c.sqlite3") as col:
        browse.mark(col, "suspend", [deck.cards[0]], clock(), CONFIG)
        assert [c.card_id for c in build_queue(col, [deck], CONFIG, clock()).new] == ["c1", "c2"]
        session = Session(col, [deck], CONFIG, clock=clock)
        session.rate(5)
        assert browse.mark(col, "forget", [deck.cards[1]], clock(), CONFIG) == 1
        assert col.card_state("d", "c1") is None
        assert col.review_count("d", "c1") == 1           # the history stays
        clock.advance(days=1)                             # (reviewed today: its note waits a day)
        assert "c1" in [c.card_id for c in build_queue(col, [deck], CONFIG, clock()).new]


def test_ahead_and_forgotten(tmp_path):
    clock = Clock()
    deck = make_deck("d", 3)
    with open_collection(tmp_path / "c.sqlite3") as col:
        session = Session(col, [deck], CONFIG, clock=clock)
        session.rate(1)                 # c0: Again, comes back in minutes
        session.rate(5)                 # c1: Easy, due in days
        clock.advance(hours=1)
        due_days = (col.card_state("d", "c1").due - col.card_state("d", "c1").last_review) / 86_400_000
        ahead = custom_cards(col, [deck], CONFIG, clock(), CustomStudy(ahead=int(due_days) + 1))
        assert [c.card_id for c in ahead] == ["c0", "c1"]
        assert [c.card_id for c in custom_cards(col, [deck], CONFIG, clock(), CustomStudy(ahead=1))] == ["c0"]
        assert [c.card_id for c in custom_cards(col, [deck], CONFIG, clock(), CustomStudy(forgotten=1))] == ["c0"]
        clock.advance(days=3)
        assert custom_cards(col, [deck], CONFIG, clock(), CustomStudy(forgotten=1)) == []
        assert [c.card_id for c in custom_cards(col, [deck], CONFIG, clock(), CustomStudy(forgotten=5))] == ["c0"]
        cram = Session(col, [deck], CONFIG, clock=clock,
                       cards=custom_cards(col, [deck], CONFIG, clock(), CustomStudy(cram=True)), cram=True)
        assert cram.remaining == 2 and cram.current.card_id == "c0"
        cram.rate(2)
        cram.undo()
        assert cram.current.card_id == "c0" and cram.remaining == 2


def test_a_version_1_collection_is_migrated_in_place(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    for statement in _MIGRATIONS[1].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO cards (deck_id, card_id, position, state, due) VALUES ('d', 'c0', 0, 2, 5)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with open_collection(path) as col:
        assert col.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        row = col.conn.execute("SELECT state, due, suspended, buried_until, flag FROM cards").fetchone()
        assert row == (2, 5, 0, 0, 0)
        assert browse.mark(col, "flag", [make_deck("d", 1).cards[0]], Clock()(), CONFIG, flag=2) == 1


def test_the_browsers_default_decay_is_fsrs_own():
    """The browser computes retrievability without importing fsrs: its decay, copied
    by hand, must still be −w[20] of fsrs's default parameters."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    from studydeck.study.browse import DEFAULT_DECAY

    assert DEFAULT_DECAY == -DEFAULT_PARAMETERS[20]
