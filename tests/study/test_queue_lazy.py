"""The queue holds keys: a session builds a card only when it reaches it, reads the due
learning cards a page at a time, and shows and counts exactly what an eager queue would."""

from __future__ import annotations

import random
import shutil
from collections.abc import Sequence
from dataclasses import replace

import pytest

import studydeck.study.queue as queue_module
from studydeck.config import Config, DeckSettings
from studydeck.model import Card, Deck
from studydeck.study.clock import to_ms
from studydeck.study.queue import DueLearning, build_queue
from studydeck.study.session import Session
from studydeck.study.today import today
from studydeck.store import LEARNING, RELEARNING, REVIEW, open_collection
from tests.helpers import Clock, make_deck

MINUTE = 60_000
DAY = 86_400_000


class CountingCards(Sequence):
    """A deck's cards that count how many are built (looked up or iterated), ids given free,
    as the parse cache's lazy cards give them."""

    def __init__(self, cards: Sequence[Card]) -> None:
        self._cards = tuple(cards)
        self.built = 0

    def card_ids(self) -> list[str]:
        return [c.card_id for c in self._cards]

    def __len__(self) -> int:
        return len(self._cards)

    def __getitem__(self, index):
        self.built += 1
        return self._cards[index]

    def __iter__(self):
        self.built += len(self._cards)
        return iter(self._cards)


def counting(deck: Deck) -> Deck:
    return replace(deck, cards=CountingCards(deck.cards), content_hash=f"hash-{deck.id}-{len(deck.cards)}")


def set_state(col, deck_id: str, card_id: str, state: int, due: int) -> None:
    with col.conn:
        col.conn.execute("UPDATE cards SET state = ?, step = 0, stability = 5.0, difficulty = 5.0, due = ?, "
                         "last_review = ?, reps = 1 WHERE deck_id = ? AND card_id = ?",
                         (state, due, due - DAY, deck_id, card_id))


@pytest.fixture
def col(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as c:
        yield c


def test_a_session_with_many_learning_cards_due_builds_only_the_card_it_shows(col):
    clock = Clock()
    now = to_ms(clock())
    deck = counting(make_deck(n=120))
    col.sync_decks([deck], now)
    for i in range(100):   # 100 learning cards due, 10 reviews due, 10 new
        set_state(col, "d", f"c{i}", LEARNING if i % 2 else RELEARNING, now - (100 - i) * MINUTE)
    for i in range(100, 110):
        set_state(col, "d", f"c{i}", REVIEW, now - DAY)
    deck.cards.built = 0
    session = Session(col, [deck], Config(fuzz=False), clock=clock)
    assert deck.cards.built == 1 and session.current.card_id == "c0"
    assert session.counts() == (10, 100, 10)
    assert deck.cards.built == 1                   # counting builds nothing
    assert session._main.source.read <= DueLearning.FIRST_PAGE   # the rest are not even read
    for shown in range(1, 6):
        session.rate(5)
        assert deck.cards.built == shown + 1
    assert session.counts() == (10, 95, 10)


def test_build_queue_builds_no_card(col):
    deck = counting(make_deck(n=30))
    clock = Clock()
    col.sync_decks([deck], to_ms(clock()))
    for i in range(20):
        set_state(col, "d", f"c{i}", LEARNING, to_ms(clock()) - MINUTE)
    deck.cards.built = 0
    queue = build_queue(col, [deck], Config(fuzz=False), clock())
    assert (len(queue.learning_keys), len(queue.review_keys), len(queue.new_keys)) == (20, 0, 10)
    assert deck.cards.built == 0
    assert [c.card_id for c in queue.learning] == sorted(f"c{i}" for i in range(20))   # due ties: by id


def test_a_learning_card_that_left_its_deck_after_the_start_is_skipped(col, tmp_path):
    """Another window edits the deck and syncs it while this session is running: a key
    read afterwards whose card this session's deck does not hold is skipped when reached,
    and a card the edit removed is not shown; the count never promises more than is shown."""
    clock = Clock()
    now = to_ms(clock())
    cards = make_deck(n=40).cards
    extra = replace(cards[0], card_id="extra", note_id="extra")
    with_extra = Deck(id="d", title="d", description="", path="d.yaml", cards=(extra, *cards), content_hash="v2")
    col.sync_decks([with_extra], now)
    for i, card in enumerate(cards):
        set_state(col, "d", card.card_id, LEARNING, now - (40 - i) * MINUTE)
    set_state(col, "d", "extra", LEARNING, now - MINUTE // 2)    # due last of all
    mine = Deck(id="d", title="d", description="", path="d.yaml", cards=cards, content_hash="v1")
    session = Session(col, [mine], Config(fuzz=False, new_per_day=0), clock=clock)
    assert session.counts() == (0, 40, 0)
    edited = with_extra.cards[:31] + with_extra.cards[32:]          # c30 removed, "extra" back
    with open_collection(tmp_path / "c.sqlite3") as other:
        other.sync_decks([replace(with_extra, cards=edited, content_hash="v3")], now)
    shown = []
    while not session.finished:
        shown.append(session.current.card_id)
        new, learning, review = session.counts()
        assert learning >= 1
        session.rate(5)
    assert shown == [f"c{i}" for i in range(40) if i != 30]
    assert session.counts() == (0, 0, 0)


def test_replace_decks_finds_moved_cards_by_id_and_drops_removed_ones(col):
    clock = Clock()
    now = to_ms(clock())
    deck = make_deck(n=10)
    col.sync_decks([deck], now)
    for i in range(6):
        set_state(col, "d", f"c{i}", LEARNING, now - (10 - i) * MINUTE)
    session = Session(col, [deck], Config(fuzz=False, new_per_day=0), clock=clock)
    assert session.current.card_id == "c0"
    moved = tuple(reversed([c for c in deck.cards if c.card_id != "c3"]))   # every place changes
    session.replace_decks([replace(deck, cards=moved)])
    assert session.counts() == (0, 5, 0)
    shown = []
    while not session.finished:
        shown.append(session.current)
        session.rate(5)
    assert [c.card_id for c in shown] == ["c0", "c1", "c2", "c4", "c5"]
    assert all(card is next(m for m in moved if m.card_id == card.card_id) for card in shown)


class AllAtOnce(DueLearning):
    """The due learning keys, every one read when the first is asked for (an eager queue)."""

    FIRST_PAGE = LARGEST_PAGE = 1 << 30


@pytest.mark.parametrize("seed", range(6))
def test_lazy_and_eager_queues_show_and_count_the_same(tmp_path, monkeypatch, seed):
    """A random collection studied twice in lockstep, once with the learning keys read all at
    once (as before): the same card and the same counts at every step, and today()'s counts
    at the start."""
    rng = random.Random(seed)
    clock = Clock()
    now = to_ms(clock())
    decks = [make_deck(f"d{k}", n=rng.randint(20, 80)) for k in range(3)]
    config = Config(fuzz=False, new_per_day=rng.choice((0, 5, 20)), max_reviews_per_day=rng.choice((5, 50, 500)),
                    decks={"d1": DeckSettings(new_per_day=3, max_reviews_per_day=4)})
    with open_collection(tmp_path / "a.sqlite3") as col:
        col.sync_decks(decks, now)
        for deck in decks:
            for card in deck.cards:
                roll = rng.random()
                if roll < 0.5:
                    state = rng.choice((LEARNING, RELEARNING, REVIEW, REVIEW))
                    due = now + rng.randint(-2 * DAY, DAY // 2 if state != REVIEW else 3 * DAY)
                    set_state(col, deck.id, card.card_id, state, due)
        expected = today(col, decks, config, clock())
    shutil.copy(tmp_path / "a.sqlite3", tmp_path / "b.sqlite3")
    with open_collection(tmp_path / "a.sqlite3") as lazy_col, open_collection(tmp_path / "b.sqlite3") as eager_col:
        lazy = Session(lazy_col, decks, config, clock=clock)
        monkeypatch.setattr(queue_module, "DueLearning", AllAtOnce)
        eager = Session(eager_col, decks, config, clock=clock)
        monkeypatch.undo()
        assert type(lazy._main.source) is DueLearning and isinstance(eager._main.source, AllAtOnce)
        if eager._main.source.read:
            assert eager._main.source.read == len(eager._main.source)
        assert lazy.counts() == eager.counts()
        assert lazy.counts() == (expected.new, expected.learning, expected.review)
        for _step in range(120):
            assert lazy.counts() == eager.counts()
            assert lazy.remaining == eager.remaining
            assert (lazy.current and lazy.current.key) == (eager.current and eager.current.key)
            if lazy.finished:
                break
            action = rng.random()
            if action < 0.1 and lazy.can_undo:
                lazy.undo(), eager.undo()
            elif action < 0.15:
                lazy.skip(), eager.skip()
            else:
                rating = rng.choice((1, 3, 4, 5))
                lazy.rate(rating, answer_ms=1000), eager.rate(rating, answer_ms=1000)
            clock.advance(minutes=rng.choice((0, 1, 5)))
