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
from studydeck.model import Card, Deck
from studydeck.study.clock import day_start, format_interval, to_ms
from studydeck.study.queue import LEARN_AHEAD, busy_notes, deck_allowance, due_keys, gather_new, note_of
from studydeck.words import count
from studydeck.store import LEARNING, RELEARNING, REVIEW, Collection


@dataclass(frozen=True)
class DeckToday:
    deck: str
    title: str
    new: int        # new cards today's queue would show from this deck alone
    learning: int   # learning and relearning cards due within the learn-ahead limit
    review: int     # review cards due now, within the day's review limits (its own too)
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
    reviews_held: int   # reviews due now beyond the day's review limits
    deck_limited: bool = False  # some of them are held by a deck's own limit

    @property
    def due(self) -> int:
        return self.learning + self.review


def today(collection: Collection, decks: list[Deck], config: Config, now: datetime) -> Today:
    """Today's counts for ``decks``, without building any card.

    Counted by one grouped query; the due cards themselves are read only when
    the review limit cuts into them or when new cards must skip buried siblings.
    """
    now_ms = to_ms(now)
    collection.sync_decks(decks, now_ms)
    wanted = {deck.id for deck in decks}
    today_ms = to_ms(day_start(now, config.day_starts_at))
    reviews_done, new_done = collection.counts_since(today_ms)
    review_cap = max(0, config.max_reviews_per_day - reviews_done)
    ahead_ms = now_ms + int(LEARN_AHEAD.total_seconds() * 1000)
    learning: dict[str, int] = {}
    review: dict[str, int] = {}
    for deck_id, state, due_now, due_ahead in collection.due_counts(now_ms, ahead_ms):
        if deck_id not in wanted:
            continue
        if state == REVIEW:
            review[deck_id] = review.get(deck_id, 0) + due_now
        else:
            learning[deck_id] = learning.get(deck_id, 0) + due_ahead
    allowance = deck_allowance(collection, config, wanted, today_ms)
    deck_review_left = {deck_id: left[0] for deck_id, left in allowance.items()}
    due_reviews = sum(review.values())
    deck_limited = any(n > deck_review_left[deck_id] for deck_id, n in review.items())
    shown = None  # the (deck, card) keys today's queue holds, read only if needed
    if due_reviews > review_cap or deck_limited:  # the limits take reviews in due order, as the queue does
        shown = _queued(collection, wanted, now_ms, review_cap, deck_review_left)
        review = {}
        for deck_id, _card_id, state in shown:
            if state == REVIEW:
                review[deck_id] = review.get(deck_id, 0) + 1
    held = due_reviews - sum(review.values())
    unseen = _unseen(collection, decks, now)
    new_left = max(0, config.new_per_day - new_done)
    busy = None
    if config.bury_siblings and new_left and any(unseen.values()):
        if shown is None:
            shown = _queued(collection, wanted, now_ms, review_cap, deck_review_left)
        busy = busy_notes(collection, [(d, c) for d, c, _s in shown], today_ms)
    shared = set(busy) if busy is not None else None
    deck_new_left = {deck_id: left[1] for deck_id, left in allowance.items()}
    new_total = 0
    rows = []
    for deck in decks:
        alone = taken = 0
        own = deck_new_left[deck.id]
        if new_left and own and unseen.get(deck.id):
            alone = len(gather_new(collection, deck.id, min(new_left, own),
                                   set(busy) if busy is not None else None, now_ms))
            if new_left > new_total:
                taken = len(gather_new(collection, deck.id, min(new_left - new_total, own), shared, now_ms))
        new_total += taken
        rows.append(DeckToday(deck.id, deck.title, alone, learning.get(deck.id, 0), review.get(deck.id, 0),
                              unseen.get(deck.id, 0), len(deck.cards)))
    return Today(rows, new_total, sum(learning.values()), sum(review.values()), sum(unseen.values()),
                 reviews_done, new_done, config.new_per_day, config.max_reviews_per_day, held, deck_limited)


def _queued(collection: Collection, wanted: set[str], now_ms: int, review_cap: int,
            deck_review_left: dict[str, int] | None = None) -> list[tuple[str, str, int]]:
    """(deck, card, state) of the due cards today's queue holds: every learning
    card, and reviews in due order up to the day's limit and each deck's own
    (a page at a time)."""
    learning, reviews = due_keys(collection, sorted(wanted), now_ms, review_cap, deck_review_left)
    return [(d, c, LEARNING) for d, c, _p in learning] + [(d, c, REVIEW) for d, c, _p in reviews]


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
        while batch := collection.new_cards(deck.id, 500, offset, now_ms):
            offset += len(batch)
            count += sum((deck.id, note_of(card_id)) in busy for card_id in batch)
    return count


def why_nothing_due(collection: Collection, decks: list[Deck], config: Config, now: datetime,
                    next_learning: datetime | None, more: int) -> list[str]:
    """The reasons a session has nothing left, in words for both faces: the
    day's limits, buried siblings, when the next learning card is due, and the
    ``more`` new cards that could still come today."""
    numbers = today(collection, decks, config, now)
    out = []
    if numbers.new_done >= numbers.new_limit and numbers.unseen:
        out.append(f"The day's limit of {count(numbers.new_limit, 'new card')} is reached; "
                   f"{numbers.unseen} more {'is' if numbers.unseen == 1 else 'are'} unseen.")
    buried = buried_new(collection, decks, config, now)
    if buried:
        out.append(f"{count(buried, 'new card')} {'waits' if buried == 1 else 'wait'} for tomorrow: "
                   "a sibling card was studied today.")
    if numbers.reviews_held:
        limit = (f"the day's limit is {numbers.review_limit} in all, and some decks have their own"
                 if numbers.deck_limited else f"the day's limit is {numbers.review_limit}")
        out.append(f"{count(numbers.reviews_held, 'review')} {'waits' if numbers.reviews_held == 1 else 'wait'}"
                   f" for tomorrow: {limit}.")
    if next_learning is not None:
        out.append(f"The next learning card is due at {next_learning.astimezone():%H:%M} "
                   f"(in {format_interval(next_learning - now)}).")
    if more:
        out.append(f"You can study {count(more, 'more new card')} today.")
    return out or ["Come back later."]


def more_new(collection: Collection, decks: list[Deck], config: Config, now: datetime,
             queued: list[tuple[str, str]], limit: int) -> list[Card]:
    """Up to ``limit`` new cards beyond today's limit (Anki's custom study),
    siblings of today's and of the ``queued`` cards still buried."""
    today_ms = to_ms(day_start(now, config.day_starts_at))
    busy = busy_notes(collection, queued, today_ms) if config.bury_siblings else None
    out: list[Card] = []
    for deck in decks:
        if len(out) >= limit:
            break
        out += [deck.card(card_id) for card_id in gather_new(collection, deck.id, limit - len(out), busy, to_ms(now))]
    return out
