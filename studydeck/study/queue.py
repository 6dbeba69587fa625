"""Today's queue: which cards a session shows, in which order.

As Anki builds it: due learning and relearning cards first, then due reviews
(at most ``max_reviews_per_day`` a day), then new cards in deck order (at most
``new_per_day`` a day, all decks together), with new siblings buried.  The
study day rolls over at ``day_starts_at`` local time; every instant here is
timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from collections.abc import Iterable

from studydeck.config import Config
from studydeck.model import Card, Deck
from studydeck.study.scheduler import to_ms
from studydeck.store import LEARNING, RELEARNING, REVIEW, Collection


def utcnow() -> datetime:
    return datetime.now(UTC)


def day_start(now: datetime, starts_at_hour: int) -> datetime:
    """The UTC instant at which the learner's current study day began.

    The day rolls over at ``starts_at_hour`` local time, as in Anki.
    """
    local = now.astimezone()
    start = local.replace(hour=starts_at_hour, minute=0, second=0, microsecond=0)
    if start > local:
        start -= timedelta(days=1)
    return start.astimezone(UTC)


@dataclass(frozen=True)
class Queue:
    learning: list[Card]
    reviews: list[Card]
    new: list[Card]

    def __len__(self) -> int:
        return len(self.learning) + len(self.reviews) + len(self.new)


def build_queue(collection: Collection, decks: Iterable[Deck], config: Config, now: datetime,
                extra_new: int = 0) -> Queue:
    """Today's queue for ``decks``: learning, then reviews, then new cards.

    The collection knows each deck's cards (``sync_decks``), so new cards are
    found by an index lookup, not by comparing every card with the history.
    Each deck's own limits (``[decks.ID]``, its preset) apply within the
    top-level ones; ``extra_new`` raises today's new-card limits (custom study).
    """
    decks = list(decks)
    by_id = {deck.id: deck for deck in decks}
    now_ms = to_ms(now)
    collection.sync_decks(decks, now_ms)
    today_ms = to_ms(day_start(now, config.day_starts_at))
    reviews_today, new_today = collection.counts_since(today_ms)
    learning: list[Card] = []
    reviews: list[Card] = []
    review_cap = max(0, config.max_reviews_per_day - reviews_today)
    deck_left = _deck_allowance(collection, config, by_id, today_ms, extra_new)
    for deck_id, card_id, state, _due in collection.due_cards(now_ms, (LEARNING, REVIEW, RELEARNING)):
        deck = by_id.get(deck_id)
        card = deck.card(card_id) if deck is not None else None
        if card is None:
            continue
        if state != REVIEW:
            learning.append(card)
        elif len(reviews) < review_cap and deck_left[deck_id][0] > 0:
            reviews.append(card)
            deck_left[deck_id][0] -= 1
    new: list[Card] = []
    new_left = max(0, config.new_per_day + extra_new - new_today)
    if new_left == 0:
        return Queue(learning, reviews, new)
    # Siblings (the two sides of a reversed note, the deletions of a cloze)
    # are buried as Anki buries them: a new card is not shown on a day its
    # note is already being studied, so one side cannot give the other away.
    busy: set[tuple[str, str]] = set()
    if config.bury_siblings:
        busy = {(c.deck_id, c.note_id) for c in learning + reviews}
        for deck_id, card_id in collection.cards_reviewed_since(today_ms):
            deck = by_id.get(deck_id)
            card = deck.card(card_id) if deck is not None else None
            if card is not None:
                busy.add((deck_id, card.note_id))
    for deck in decks:
        offset = 0
        allowed = len(new) + deck_left[deck.id][1]   # this deck may add up to its own limit
        while len(new) < min(new_left, allowed):
            batch = collection.new_cards(deck.id, 2 * (new_left - len(new)) + 8, offset, now_ms)
            if not batch:
                break
            offset += len(batch)
            for card_id in batch:
                card = deck.card(card_id)
                note = (deck.id, card.note_id)
                if note in busy:
                    continue
                if config.bury_siblings:
                    busy.add(note)
                new.append(card)
                if len(new) >= min(new_left, allowed):
                    break
    return Queue(learning, reviews, new)


def _deck_allowance(collection: Collection, config: Config, by_id: dict[str, Deck], today_ms: int,
                    extra_new: int) -> dict[str, list[int]]:
    """Deck id -> [reviews, new cards] it may still show today under its own limits."""
    from studydeck.store import counts_by_deck_since

    done = counts_by_deck_since(collection, today_ms) if (config.decks or config.presets) else {}
    out = {}
    for deck_id in by_id:
        limits = config.for_deck(deck_id)
        reviewed, introduced = done.get(deck_id, (0, 0))
        out[deck_id] = [max(0, limits.max_reviews_per_day - reviewed),
                        max(0, limits.new_per_day + extra_new - introduced)]
    return out
