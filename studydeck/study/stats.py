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
from studydeck.study.scheduler import to_ms
from studydeck.study.queue import day_start
from studydeck.store import LEARNING, RELEARNING, REVIEW, Collection

_STANDING = "NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)"


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
    rows = collection.conn.execute(
        "SELECT deck_id, state, coalesce(sum(suspended = 0), 0), "
        "coalesce(sum(due <= ? AND suspended = 0 AND buried_until <= ?), 0), coalesce(sum(leech), 0), "
        "coalesce(sum(suspended), 0) FROM cards WHERE position IS NOT NULL GROUP BY deck_id, state",
        (to_ms(now), to_ms(now)),
    )
    by_deck: dict[str, dict[int, tuple[int, int, int]]] = {}
    suspended: dict[str, int] = {}
    for deck_id, state, n, due, leech, held in rows:
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
    row = collection.conn.execute(
        "SELECT count(*), coalesce(sum(fsrs_rating >= 2), 0) FROM reviews r "
        f"WHERE reviewed_at >= ? AND json_extract(state_before, '$.state') = {REVIEW} AND {_STANDING}",
        (since_ms,),
    ).fetchone()
    total, passed = int(row[0]), int(row[1])
    return (passed / total if total else None), total


def reviews_per_day(collection: Collection, since: datetime, now: datetime) -> dict[date, int]:
    """Local calendar day -> number of standing reviews, from ``since`` to now."""
    offset = int(now.astimezone().utcoffset().total_seconds() * 1000)
    rows = collection.conn.execute(
        f"SELECT (reviewed_at + ?) / 86400000 AS day, count(*) FROM reviews r "
        f"WHERE reviewed_at >= ? AND {_STANDING} GROUP BY day",
        (offset, to_ms(since)),
    )
    epoch = date(1970, 1, 1)
    return {epoch + timedelta(days=int(day)): int(n) for day, n in rows}


def streak(per_day: dict[date, int], today: date) -> int:
    """Days in a row, ending today (or yesterday if today has none yet), with reviews."""
    day = today if per_day.get(today) else today - timedelta(days=1)
    count = 0
    while per_day.get(day):
        count += 1
        day -= timedelta(days=1)
    return count


class _ReviewDays:
    """A read-only ``{local date: reviews}`` view for :func:`streak`,
    answering one day at a time with an indexed probe (``LIMIT 1`` on the
    ``reviewed_at`` index) instead of counting a whole year of reviews.

    Days are cut as :func:`reviews_per_day` cuts them (the local UTC
    offset of ``now``) and undone reviews do not count, so the streak is the
    same number; a year-long streak costs a few hundred index probes.
    """

    def __init__(self, collection, now) -> None:
        self.conn = collection.conn
        self.offset = int(now.astimezone().utcoffset().total_seconds() * 1000)

    def get(self, day, default=None):
        start = (day - date(1970, 1, 1)).days * 86_400_000 - self.offset
        row = self.conn.execute(
            "SELECT 1 FROM reviews r WHERE reviewed_at >= ? AND reviewed_at < ? "
            "AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id) LIMIT 1",
            (start, start + 86_400_000),
        ).fetchone()
        return 1 if row else default


def current_streak(collection: Collection, now: datetime) -> int:
    """:func:`streak` of the collection, read day by day back from today."""
    return streak(_ReviewDays(collection, now), now.astimezone().date())


def forecast(collection: Collection, decks: list[Deck], now: datetime, days: int = 30) -> list[int]:
    """Cards falling due on each of the next ``days`` days (index 0: overdue or due within 24 h)."""
    collection.sync_decks(decks, to_ms(now))
    wanted = {d.id for d in decks}
    out = [0] * days
    start = to_ms(now)
    rows = collection.conn.execute(
        "SELECT deck_id, max(0, (due - ?) / 86400000) AS day, count(*) FROM cards "
        "WHERE state != 0 AND position IS NOT NULL AND suspended = 0 AND due < ? GROUP BY deck_id, day",
        (start, start + days * 86_400_000),
    )
    for deck_id, day, n in rows:
        if deck_id in wanted:
            out[int(day)] += n
    return out


def summary(collection: Collection, decks: list[Deck], config: Config, now: datetime) -> dict:
    """Everything ``studydeck stats --json`` prints."""
    counts = deck_counts(collection, decks, now)
    today_ms = to_ms(day_start(now, config.day_starts_at))
    reviews_today, new_today = collection.counts_since(today_ms)
    total = collection.conn.execute(f"SELECT count(*) FROM reviews r WHERE {_STANDING}").fetchone()[0]
    retention, retention_n = true_retention(collection, to_ms(now - timedelta(days=30)))
    return {
        "generated_at": now.isoformat(),
        "reviews_total": int(total),
        "reviews_today": reviews_today,
        "new_today": new_today,
        "due_now": sum(c.due for c in counts),
        "true_retention_30d": retention,
        "retention_reviews_30d": retention_n,
        "streak_days": current_streak(collection, now),
        "decks": [asdict(c) for c in counts],
    }
