"""Anki's review log into the collection (``import --history``), replayed through FSRS.

Each Anki review becomes a studydeck review: its time, its ease as the FSRS
rating (Anki's ease 1-4 *is* Again/Hard/Good/Easy) and the 1-5 rating that
maps back onto it (``scheduler.ANKI_EASE_RATING``), marked ``source = 'anki'``.
The card's state is rebuilt by replaying its reviews in order through
studydeck's scheduler (py-fsrs, with studydeck's settings and no fuzz, so the
replay is the same every time); the card is then due when FSRS says.

Kept: answers (ease 1-4) in learning, review and relearning, and in filtered
decks when they rescheduled the card.  Left out: manual reschedules and
"set due date" entries (ease 0), and cramming that did not reschedule.
A review at or before the card's latest review already in the collection is
left out too, so importing the same package twice adds nothing the second
time, and importing a later export adds only the newer reviews.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from studydeck.config import Config
from studydeck.interop.anki_read import Review
from studydeck.study.clock import from_ms
from studydeck.study.scheduler import ANKI_EASE_RATING, Scheduler
from studydeck.store import Collection, ReviewRow

SOURCE = "anki"
_ANSWER_KINDS = (0, 1, 2)      # learn, review, relearn
_FILTERED = 3


@dataclass
class HistoryResult:
    reviews: int = 0           # written
    cards: int = 0             # cards that got reviews
    skipped_kind: int = 0      # manual reschedules, cramming without rescheduling
    skipped_old: int = 0       # at or before the card's latest review already stored
    skipped_card: int = 0      # reviews of cards not imported (skipped notes, unknown templates)

    def line(self) -> str:
        text = f"History: {self.reviews} reviews of {self.cards} cards imported (marked as from Anki)"
        left = []
        if self.skipped_old:
            left.append(f"{self.skipped_old} already in the collection")
        if self.skipped_kind:
            left.append(f"{self.skipped_kind} manual reschedules or cramming")
        if self.skipped_card:
            left.append(f"{self.skipped_card} of cards not imported")
        return text + (f"; left out: {', '.join(left)}." if left else ".")


def is_answer(review: Review) -> bool:
    """An answer that scheduled the card (see the module docstring)."""
    if review.ease not in ANKI_EASE_RATING:
        return False
    return review.kind in _ANSWER_KINDS or (review.kind == _FILTERED and review.factor != 0)


def replay(reviews: Iterable[Review], card_keys: dict[int, tuple[str, str]], collection: Collection,
           config: Config, result: HistoryResult) -> list[ReviewRow]:
    """The studydeck review rows for ``reviews`` (sorted by card, then time)."""
    scheduler = Scheduler(replace(config, fuzz=False))
    latest = collection.last_review_times({deck for deck, _card in card_keys.values()})
    rows: list[ReviewRow] = []
    key = None
    state = None
    cards: set[tuple[str, str]] = set()
    for review in reviews:
        card_key = card_keys.get(review.card_id)
        if card_key is None:
            result.skipped_card += 1
            continue
        if not is_answer(review):
            result.skipped_kind += 1
            continue
        if review.at_ms <= latest.get(card_key, -1):
            result.skipped_old += 1
            continue
        if card_key != key:
            key = card_key
            state = collection.card_state(*card_key)
        rating = ANKI_EASE_RATING[review.ease]
        outcome = scheduler.review(state, rating, from_ms(review.at_ms), max(0, review.time_ms) or None)
        rows.append(ReviewRow(0, card_key[0], card_key[1], review.at_ms, rating, outcome.fsrs_rating,
                              max(0, review.time_ms) or None, state, outcome.after, SOURCE))
        state = outcome.after
        cards.add(card_key)
    result.cards = len(cards)
    result.reviews = len(rows)
    return rows
