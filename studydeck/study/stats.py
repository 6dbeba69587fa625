"""Numbers about the collection: per-deck counts, today, retention, history.

Shared by ``studydeck stats`` and the stats screen, so both agree.
True retention follows Anki: of the reviews of cards that were in the
review state (not learning), the share rated 3 or more (FSRS Hard or better).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from studydeck.config import Config
from studydeck.model import Deck
from studydeck.store import LEARNING, RELEARNING, REVIEW, Collection
from studydeck.study.clock import MS_PER_DAY, LocalDays, day_start, local_date, local_zone, to_ms

# Reviews are counted per quarter hour in SQL and the quarters mapped to local
# days here: every time zone's offset and DST change falls on a quarter hour.
_BUCKET_MS = 15 * 60 * 1000


@dataclass(frozen=True)
class DeckCounts:
    deck: str
    title: str
    cards: int
    new: int
    learning: int
    review: int
    due: int
    leeches: int
    suspended: int = 0


def deck_counts(collection: Collection, decks: list[Deck], now: datetime) -> list[DeckCounts]:
    """Per deck: cards, new, learning, review, due now, leeches and suspended, by one
    grouped query.  Suspended cards count only as suspended; buried cards are not due."""
    collection.sync_decks(decks, to_ms(now))
    by_deck: dict[str, dict[int, tuple[int, int, int]]] = {}
    suspended: dict[str, int] = {}
    for deck_id, state, n, due, leech, held in collection.deck_state_counts(to_ms(now)):
        by_deck.setdefault(deck_id, {})[state] = (n, due, leech)
        suspended[deck_id] = suspended.get(deck_id, 0) + held
    out = []
    for deck in decks:
        states = by_deck.get(deck.id, {})

        def get(*codes: int, i: int = 0, states=states) -> int:
            return sum(states.get(c, (0, 0, 0))[i] for c in codes)

        out.append(DeckCounts(
            deck=deck.id, title=deck.title, cards=len(deck.cards), new=get(0),
            learning=get(LEARNING, RELEARNING), review=get(REVIEW),
            due=get(LEARNING, REVIEW, RELEARNING, i=1), leeches=get(LEARNING, REVIEW, RELEARNING, i=2),
            suspended=suspended.get(deck.id, 0),
        ))
    return out


def true_retention(collection: Collection, since_ms: int) -> tuple[float | None, int]:
    """(pass rate, number of reviews) of review-state cards since ``since_ms``."""
    total, passed = collection.review_state_pass_counts(since_ms)
    return (passed / total if total else None), total


def reviews_per_day(collection: Collection, since: datetime, now: datetime) -> dict[date, int]:
    """Local calendar day -> number of standing reviews, from ``since`` to now.

    Days are cut by the learner's zone on each day's own offset, so a review
    late on a winter evening counts on that winter day even when viewed in summer.
    """
    zone = local_zone()
    days = LocalDays(local_date(since, zone), local_date(now, zone), zone)
    out: dict[date, int] = {}
    for start, n in collection.review_buckets(to_ms(since), _BUCKET_MS):
        day = days.date_of(start)
        if day is not None:
            out[day] = out.get(day, 0) + n
    return out


def streak(per_day: dict[date, int], today: date) -> int:
    """Days in a row, ending today (or yesterday if today has none yet), with reviews."""
    day = today if per_day.get(today) else today - timedelta(days=1)
    count = 0
    while per_day.get(day):
        count += 1
        day -= timedelta(days=1)
    return count


def current_streak(collection: Collection, now: datetime) -> int:
    """:func:`streak` of the collection, read back from today a block of days per query.

    Days are cut as :func:`reviews_per_day` cuts them (local midnight in the
    learner's zone, each day on its own offset) and undone reviews do not
    count, so the number is the same; a year-long streak costs a few queries.
    """
    zone = local_zone()
    today = local_date(now, zone)
    end = today
    if not collection.has_review_between(*LocalDays(today, today, zone).bounds_of(today)):
        end = today - timedelta(days=1)  # today does not break a streak before its first review
    count, block = 0, 16
    while True:
        first = end - timedelta(days=block - 1)
        gap = collection.last_day_without_review(LocalDays(first, end, zone).bounds)
        if gap is not None:
            return count + block - 1 - gap
        count += block
        end = first - timedelta(days=1)
        block = min(2 * block, 256)


def forecast(collection: Collection, decks: list[Deck], now: datetime, days: int = 30) -> list[int]:
    """Cards falling due on each of the next ``days`` days (index 0: overdue or due within 24 h)."""
    collection.sync_decks(decks, to_ms(now))
    wanted = {d.id for d in decks}
    out = [0] * days
    for deck_id, day, n in collection.due_per_day(to_ms(now), days, MS_PER_DAY):
        if deck_id in wanted:
            out[int(day)] += n
    return out


def summary(collection: Collection, decks: list[Deck], config: Config, now: datetime) -> dict:
    """Everything ``studydeck stats --json`` prints."""
    counts = deck_counts(collection, decks, now)
    today_ms = to_ms(day_start(now, config.day_starts_at))
    reviews_today, new_today = collection.counts_since(today_ms)
    retention, retention_n = true_retention(collection, to_ms(now - timedelta(days=30)))
    return {
        "generated_at": now.isoformat(),
        "reviews_total": collection.standing_review_total(),
        "reviews_today": reviews_today,
        "new_today": new_today,
        "due_now": sum(c.due for c in counts),
        "true_retention_30d": retention,
        "retention_reviews_30d": retention_n,
        "streak_days": current_streak(collection, now),
        "decks": [asdict(c) for c in counts],
    }
