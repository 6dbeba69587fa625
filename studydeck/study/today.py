"""What today holds, deck by deck, and why nothing is due when nothing is.

The home screen's numbers and the study screen's "nothing due" reasons come
from here, counted by the rules that build the queue (:mod:`studydeck.study.queue`):
the daily new-card limit for all decks together, siblings buried, the review
limit.  Counts are Anki's three: **new** (to be shown today), **learning**
(due within the learn-ahead limit, as a session shows them) and **review**
(due now, within the day's review limit); beside them, the cards never
studied (**unseen**).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from studydeck.config import Config
from studydeck.model import Deck
from studydeck.study.queue import LEARN_AHEAD, busy_notes, day_start, gather_new, note_of
from studydeck.study.scheduler import to_ms
from studydeck.store import LEARNING, RELEARNING, REVIEW, Collection


@dataclass(frozen=True)
class DeckToday:
    deck: str
    title: str
    new: int        # new cards today's queue would show from this deck alone
    learning: int   # learning and relearning cards due within the learn-ahead limit
    review: int     # review cards due now, within the day's review limit
    unseen: int     # cards never studied
    cards: int


@dataclass(frozen=True)
class Today:
    decks: list[DeckToday]
    new: int            # new cards today's queue shows, all decks together
    learning: int
    review: int
    unseen: int
    reviews_done: int   # ratings given since the study day began
    new_done: int       # of which the first rating of a new card
    new_limit: int      # config.new_per_day
    review_limit: int   # config.max_reviews_per_day
    reviews_held: int   # reviews due now beyond the day's review limit

    @property
    def due(self) -> int:
        return self.learning + self.review


def today(collection: Collection, decks: list[Deck], config: Config, now: datetime) -> Today:
    """Today's counts for ``decks``, without building any card."""
    now_ms = to_ms(now)
    collection.sync_decks(decks, now_ms)
    wanted = {deck.id for deck in decks}
    today_ms = to_ms(day_start(now, config.day_starts_at))
    reviews_done, new_done = collection.counts_since(today_ms)
    review_cap = max(0, config.max_reviews_per_day - reviews_done)
    learning: dict[str, int] = {}
    review: dict[str, int] = {}
    shown: list[tuple[str, str]] = []
    held = 0
    ahead_ms = now_ms + int(LEARN_AHEAD.total_seconds() * 1000)
    for deck_id, card_id, state, due in collection.due_cards(ahead_ms, (LEARNING, REVIEW, RELEARNING)):
        if deck_id not in wanted or (state == REVIEW and due > now_ms):
            continue
        if state != REVIEW:
            learning[deck_id] = learning.get(deck_id, 0) + 1
        elif sum(review.values()) < review_cap:
            review[deck_id] = review.get(deck_id, 0) + 1
        else:
            held += 1
            continue
        if due <= now_ms:  # what today's queue holds, and so buries by
            shown.append((deck_id, card_id))
    new_left = max(0, config.new_per_day - new_done)
    busy = busy_notes(collection, shown, today_ms) if config.bury_siblings else None
    shared = set(busy) if busy is not None else None
    new_total = 0
    rows = []
    unseen = _unseen(collection, decks, now)
    for deck in decks:
        own = set(busy) if busy is not None else None
        alone = len(gather_new(collection, deck.id, new_left, own)) if new_left else 0
        new_total += len(gather_new(collection, deck.id, new_left - new_total, shared)) if new_left > new_total else 0
        rows.append(DeckToday(deck.id, deck.title, alone, learning.get(deck.id, 0), review.get(deck.id, 0),
                              unseen.get(deck.id, 0), len(deck.cards)))
    return Today(rows, new_total, sum(learning.values()), sum(review.values()), sum(unseen.values()),
                 reviews_done, new_done, config.new_per_day, config.max_reviews_per_day, held)


def _unseen(collection: Collection, decks: list[Deck], now: datetime) -> dict[str, int]:
    from studydeck.study.stats import deck_counts  # the one grouped count of cards by state

    return {c.deck: c.new for c in deck_counts(collection, decks, now)}


def buried_new(collection: Collection, decks: list[Deck], config: Config, now: datetime) -> int:
    """New cards that wait for tomorrow because a sibling is being studied today."""
    if not config.bury_siblings:
        return 0
    now_ms = to_ms(now)
    today_ms = to_ms(day_start(now, config.day_starts_at))
    wanted = {deck.id for deck in decks}
    shown = [(d, c) for d, c, _s, _due in collection.due_cards(now_ms, (LEARNING, REVIEW, RELEARNING)) if d in wanted]
    busy = busy_notes(collection, shown, today_ms)
    count = 0
    for deck in decks:
        offset = 0
        while batch := collection.new_cards(deck.id, 500, offset):
            offset += len(batch)
            count += sum((deck.id, note_of(card_id)) in busy for card_id in batch)
    return count
