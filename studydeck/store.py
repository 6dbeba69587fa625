"""The collection: one SQLite file holding card state and the review log.

Tables (schema version in ``PRAGMA user_version``):

- ``cards``: every card ever seen in a deck, keyed on ``(deck_id, card_id)``,
  with its place in the deck and its scheduling state (state 0: new).
  Rows are never deleted: a card that leaves its deck file only loses its
  ``position``, and gets its history back if it returns.
- ``deck_sync``: which version of each deck the ``position`` column reflects,
  so loading unchanged decks writes nothing.
- ``reviews``: append-only, one row per rating: when (UTC epoch ms), the 1-5
  self-rating, the FSRS rating, the answer time, and the card state before
  and after as JSON, so undo is exact and history can be replayed.
- ``undos``: one row per undone review (the review row itself stays).

Schema 2 adds ``reviews.source``: ``'studydeck'`` for a rating given here,
``'anki'`` for one brought in from an Anki review log (``import --history``).

Every rating is written in its own ``BEGIN IMMEDIATE`` transaction and
committed before the caller moves on.  WAL mode and a busy timeout let two
studydeck processes share one collection.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from studydeck.model import State
from studydeck.safetext import shown

if TYPE_CHECKING:
    from studydeck.model import Deck

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 10_000

# State codes, as in fsrs.State; 0 is "new" (no row).
NEW, LEARNING, REVIEW, RELEARNING = State
MAX_TIME_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last instant a datetime holds
T = TypeVar("T")

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE cards (
        deck_id     TEXT NOT NULL,
        card_id     TEXT NOT NULL,
        position    INTEGER,                   -- place in its deck, NULL while in no loaded deck file
        state       INTEGER NOT NULL DEFAULT 0, -- 0 new, 1 learning, 2 review, 3 relearning
        step        INTEGER,
        stability   REAL,
        difficulty  REAL,
        due         INTEGER NOT NULL DEFAULT 0, -- UTC epoch milliseconds
        last_review INTEGER,                   -- UTC epoch milliseconds
        reps        INTEGER NOT NULL DEFAULT 0,
        lapses      INTEGER NOT NULL DEFAULT 0,
        leech       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (deck_id, card_id)
    ) WITHOUT ROWID;
    CREATE INDEX cards_due ON cards (state, due);
    CREATE INDEX cards_new ON cards (deck_id, state, position);
    CREATE TABLE deck_sync (
        deck_id     TEXT PRIMARY KEY,
        key         TEXT NOT NULL,             -- Deck.membership_key() when last synced
        synced_at   INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE reviews (
        id            INTEGER PRIMARY KEY,
        deck_id       TEXT NOT NULL,
        card_id       TEXT NOT NULL,
        reviewed_at   INTEGER NOT NULL,        -- UTC epoch milliseconds
        rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        fsrs_rating   INTEGER NOT NULL CHECK (fsrs_rating BETWEEN 1 AND 4),
        answer_ms     INTEGER,
        state_before  TEXT,                    -- JSON CardState, NULL when the card was new
        state_after   TEXT NOT NULL            -- JSON CardState
    );
    CREATE INDEX reviews_time ON reviews (reviewed_at);
    CREATE INDEX reviews_card ON reviews (deck_id, card_id);
    CREATE TABLE undos (
        review_id  INTEGER PRIMARY KEY REFERENCES reviews (id),
        undone_at  INTEGER NOT NULL
    );
    """,
    2: """
    ALTER TABLE reviews ADD COLUMN source TEXT NOT NULL DEFAULT 'studydeck'
    """,
}


class CollectionError(Exception):
    """The collection cannot be used; the message says which file and why.

    ``reason`` names the kind of failure in a few words ("disk full",
    "read-only", "undo refused"...), for a caller that adds its own context.
    """

    def __init__(self, message: str, reason: str = "collection error") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CardState:
    """Scheduling state of one card, as stored; times are UTC epoch ms."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: int
    last_review: int | None
    reps: int = 0
    lapses: int = 0
    leech: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> CardState:
        """The state in ``text``; ValueError (with what is wrong) unless it is a valid state."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError):
            raise ValueError("not valid JSON") from None
        if not isinstance(data, dict) or set(data) - _STATE_FIELDS or not _REQUIRED_FIELDS <= set(data):
            raise ValueError("not a card state")
        data["leech"] = bool(data.get("leech", False))
        row = tuple(data.get(name, 0) for name in _STATE_ORDER)
        problem = row_problem(row)
        if problem:
            raise ValueError(problem)
        return cls(**data)


_STATE_ORDER = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses", "leech")
_STATE_FIELDS = frozenset(_STATE_ORDER)
_REQUIRED_FIELDS = frozenset(("state", "step", "stability", "difficulty", "due", "last_review"))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_time(value: object) -> bool:
    return _is_int(value) and 0 <= value <= MAX_TIME_MS


def _is_positive(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def row_problem(row: tuple) -> str | None:
    """What is wrong with a stored state (the ``cards`` columns, in order), or None."""
    state, step, stability, difficulty, due, last_review, reps, lapses, leech = row
    if state not in (NEW, LEARNING, REVIEW, RELEARNING) or not _is_int(state):
        return f"unknown state {state!r}"
    if not _is_time(due):
        return f"due {due!r} is not a time between 1970 and 9999"
    if last_review is not None and not _is_time(last_review):
        return f"last review {last_review!r} is not a time between 1970 and 9999"
    if not (_is_int(reps) and reps >= 0 and _is_int(lapses) and lapses >= 0):
        return f"reps {reps!r} and lapses {lapses!r} must be whole numbers ≥ 0"
    if leech not in (0, 1):
        return f"leech flag {leech!r} is not 0 or 1"
    if state == NEW:
        return None
    if not _is_positive(stability):
        return f"stability {stability!r} on a {('learning', 'review', 'relearning')[state - 1]} card"
    if not (_is_positive(difficulty) and difficulty <= 10):
        return f"difficulty {difficulty!r} is not between 1 and 10"
    if step is not None and not (_is_int(step) and step >= 0):
        return f"step {step!r} is not a whole number ≥ 0"
    if last_review is None:
        return "a reviewed card has no last review time"
    return None


def _state_from_json(text: str, deck_id: str, card_id: str, review_id: int) -> CardState:
    try:
        return CardState.from_json(text)
    except ValueError as exc:
        raise CollectionError(f"review {review_id} of card {shown(deck_id)}/{shown(card_id)}: "
                              f"stored state is invalid ({exc}); run `studydeck doctor`",
                              reason="damaged review") from None


def _utc_text(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True, slots=True)
class ReviewRow:
    id: int
    deck_id: str
    card_id: str
    reviewed_at: int
    rating: int
    fsrs_rating: int
    answer_ms: int | None
    before: CardState | None
    after: CardState
    source: str = "studydeck"   # where the rating was given: "studydeck" or "anki"


_CARD_COLUMNS = "state, step, stability, difficulty, due, last_review, reps, lapses, leech"


# A review "stands" unless it was undone; every count of history uses this one filter
# (on the reviews table aliased ``r``).
STANDING = "NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)"


def _row_to_state(row: tuple) -> CardState:
    state, step, stability, difficulty, due, last_review, reps, lapses, leech = row
    return CardState(state, step, stability, difficulty, due, last_review, reps, lapses, bool(leech))


class Collection:
    """An open collection file.  Use :func:`open_collection` to get one."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self.conn = conn
        self.path = path

    # -- reading -----------------------------------------------------------
    def card_state(self, deck_id: str, card_id: str) -> CardState | None:
        """The card's stored state (None while new); CollectionError naming the card if damaged."""
        return self._read_state(self.conn, deck_id, card_id)

    def due_cards(self, now_ms: int, states: tuple[int, ...]) -> list[tuple[str, str, int, int]]:
        """Cards in ``states`` due at or before ``now_ms`` and present in a deck, earliest first."""
        marks = ",".join("?" * len(states))
        return self.conn.execute(
            f"SELECT deck_id, card_id, state, due FROM cards "
            f"WHERE state IN ({marks}) AND due <= ? AND position IS NOT NULL ORDER BY due",
            (*states, now_ms),
        ).fetchall()

    def due_counts(self, now_ms: int, ahead_ms: int) -> list[tuple[str, int, int, int]]:
        """Per deck and state (learning, review, relearning), of cards in a deck:
        ``(deck_id, state, due by now_ms, due by ahead_ms)``."""
        return self.conn.execute(
            "SELECT deck_id, state, sum(due <= ?), count(*) FROM cards "
            "WHERE state != 0 AND due <= ? AND position IS NOT NULL GROUP BY deck_id, state",
            (now_ms, ahead_ms)).fetchall()

    def new_cards(self, deck_id: str, limit: int, offset: int = 0) -> list[str]:
        """New cards of a deck in deck order: ``limit`` of them, skipping ``offset``."""
        return [r[0] for r in self.conn.execute(
            "SELECT card_id FROM cards WHERE deck_id = ? AND state = 0 AND position IS NOT NULL "
            "ORDER BY position LIMIT ? OFFSET ?", (deck_id, limit, offset))]

    def cards_reviewed_since(self, since_ms: int) -> set[tuple[str, str]]:
        """``(deck_id, card_id)`` of every card with a standing review since ``since_ms``."""
        # no DISTINCT: with it SQLite walks the card index instead of the time index
        return set(self.conn.execute(
            "SELECT deck_id, card_id FROM reviews r WHERE reviewed_at >= ? "
            f"AND {STANDING}", (since_ms,)))

    def sync_decks(self, decks: Iterable[Deck], now_ms: int) -> int:
        """Record which cards each deck holds and in what order.

        Only decks whose card list changed since the last sync are written;
        returns how many were.  Cards that left a deck keep their row and
        history, with ``position`` cleared.
        """
        synced = dict(self.conn.execute("SELECT deck_id, key FROM deck_sync"))
        stale = [(d, d.membership_key()) for d in decks]
        stale = [(d, key) for d, key in stale if synced.get(d.id) != key]
        if not stale:
            return 0
        with self._transaction() as conn:
            for deck, key in stale:
                conn.execute("UPDATE cards SET position = NULL WHERE deck_id = ? AND position IS NOT NULL", (deck.id,))
                conn.executemany(
                    "INSERT INTO cards (deck_id, card_id, position) VALUES (?, ?, ?) "
                    "ON CONFLICT (deck_id, card_id) DO UPDATE SET position = excluded.position",
                    ((deck.id, card.card_id, i) for i, card in enumerate(deck.cards)),
                )
                conn.execute("INSERT OR REPLACE INTO deck_sync VALUES (?, ?, ?)", (deck.id, key, now_ms))
        return len(stale)

    def counts_since(self, since_ms: int) -> tuple[int, int]:
        """(reviews, new cards introduced) since ``since_ms``, undone ones excluded."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(r.state_before IS NULL), 0) FROM reviews r "
            f"WHERE r.reviewed_at >= ? AND {STANDING}",
            (since_ms,),
        ).fetchone()
        return int(row[0]), int(row[1])

    def review_count(self, deck_id: str, card_id: str) -> int:
        """Reviews of one card that stand (undone ones excluded)."""
        row = self.conn.execute(
            "SELECT count(*) FROM reviews r WHERE deck_id = ? AND card_id = ? "
            f"AND {STANDING}",
            (deck_id, card_id),
        ).fetchone()
        return int(row[0])

    def reviews(self, since_ms: int | None = None, include_undone: bool = False) -> Iterator[ReviewRow]:
        """The review log in order, undone reviews left out unless asked for."""
        where, params = [], []
        if since_ms is not None:
            where.append("reviewed_at >= ?")
            params.append(since_ms)
        if not include_undone:
            where.append(STANDING)
        return self._review_rows(where, params)

    def review(self, review_id: int) -> ReviewRow | None:
        return next(self._review_rows(["id = ?"], [review_id]), None)

    def _review_rows(self, where: list[str], params: list) -> Iterator[ReviewRow]:
        sql = (
            "SELECT id, deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms, "
            "state_before, state_after, source FROM reviews r"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        for row in self.conn.execute(sql, params):
            rid, deck, card, at, rating, frating, ms, before, after, source = row
            yield ReviewRow(
                rid, deck, card, at, rating, frating, ms,
                _state_from_json(before, deck, card, rid) if before else None,
                _state_from_json(after, deck, card, rid), source,
            )

    # -- numbers for stats and the home screen --------------------------------
    def deck_state_counts(self, now_ms: int) -> list[tuple[str, int, int, int, int]]:
        """``(deck_id, state, cards, due now, leeches)`` for cards present in a deck."""
        return self.conn.execute(
            "SELECT deck_id, state, count(*), coalesce(sum(due <= ?), 0), coalesce(sum(leech), 0) "
            "FROM cards WHERE position IS NOT NULL GROUP BY deck_id, state",
            (now_ms,),
        ).fetchall()

    def review_state_pass_counts(self, since_ms: int) -> tuple[int, int]:
        """(standing reviews of review-state cards since ``since_ms``, of which FSRS Hard or better)."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(fsrs_rating >= 2), 0) FROM reviews r "
            f"WHERE reviewed_at >= ? AND json_extract(state_before, '$.state') = {REVIEW} AND {STANDING}",
            (since_ms,),
        ).fetchone()
        return int(row[0]), int(row[1])

    def standing_review_total(self) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM reviews r WHERE {STANDING}").fetchone()[0])

    def review_buckets(self, since_ms: int, bucket_ms: int) -> list[tuple[int, int]]:
        """``(bucket start ms, standing reviews)`` for each ``bucket_ms``-long span holding any."""
        return [(int(b) * bucket_ms, int(n)) for b, n in self.conn.execute(
            f"SELECT reviewed_at / ? AS b, count(*) FROM reviews r WHERE reviewed_at >= ? AND {STANDING} GROUP BY b",
            (bucket_ms, since_ms))]

    def has_review_between(self, start_ms: int, end_ms: int) -> bool:
        """Whether a standing review falls in [start, end): one probe of the time index."""
        return self.conn.execute(
            f"SELECT 1 FROM reviews r WHERE reviewed_at >= ? AND reviewed_at < ? AND {STANDING} LIMIT 1",
            (start_ms, end_ms),
        ).fetchone() is not None

    def due_per_day(self, start_ms: int, days: int, day_ms: int) -> list[tuple[str, int, int]]:
        """``(deck_id, day index, cards)`` of cards due before ``days`` days from ``start_ms``
        (index 0: overdue or due within the first day)."""
        return self.conn.execute(
            "SELECT deck_id, max(0, (due - ?) / ?) AS day, count(*) FROM cards "
            "WHERE state != 0 AND position IS NOT NULL AND due < ? GROUP BY deck_id, day",
            (start_ms, day_ms, start_ms + days * day_ms),
        ).fetchall()

    # -- writing -----------------------------------------------------------
    def record_review(
        self,
        deck_id: str,
        card_id: str,
        reviewed_at: int,
        rating: int,
        fsrs_rating: int,
        answer_ms: int | None,
        before: CardState | None,
        after: CardState,
    ) -> int:
        """Write one rating and the card's new state in one committed transaction."""
        with self._transaction() as conn:
            return self._insert_review(conn, deck_id, card_id, reviewed_at, rating, fsrs_rating,
                                       answer_ms, before, after)

    def rate(self, deck_id: str, card_id: str, reviewed_at: int, rating: int, answer_ms: int | None,
             schedule: Callable[[CardState | None], T]) -> tuple[int, T]:
        """Read the card's state, schedule it and write the review, all inside one
        ``BEGIN IMMEDIATE``: no other process can rate the card in between.

        ``schedule(before)`` returns an outcome with ``fsrs_rating`` and
        ``after``; returns (review id, that outcome).  Nothing is written if it raises.
        """
        with self._transaction() as conn:
            before = self._read_state(conn, deck_id, card_id)
            outcome = schedule(before)
            review_id = self._insert_review(conn, deck_id, card_id, reviewed_at, rating,
                                            outcome.fsrs_rating, answer_ms, before, outcome.after)
        return review_id, outcome

    def _read_state(self, conn: sqlite3.Connection, deck_id: str, card_id: str) -> CardState | None:
        row = conn.execute(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE deck_id = ? AND card_id = ? AND state != 0",
            (deck_id, card_id),
        ).fetchone()
        return self._checked_state(row, deck_id, card_id) if row else None

    def _checked_state(self, row: tuple, deck_id: str, card_id: str) -> CardState:
        problem = row_problem(row)
        if problem:
            raise CollectionError(f"{self.path or 'collection'}: card {shown(deck_id)}/{shown(card_id)}: "
                                  f"stored state is invalid ({problem}); run `studydeck doctor`",
                                  reason="damaged card")
        return _row_to_state(row)

    def _insert_review(self, conn: sqlite3.Connection, deck_id: str, card_id: str, reviewed_at: int,
                       rating: int, fsrs_rating: int, answer_ms: int | None,
                       before: CardState | None, after: CardState) -> int:
        cur = conn.execute(
            "INSERT INTO reviews (deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms, "
            "state_before, state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms,
             before.to_json() if before else None, after.to_json()),
        )
        self._put_state(conn, deck_id, card_id, after)
        return int(cur.lastrowid)

    def last_review_times(self, deck_ids: Iterable[str]) -> dict[tuple[str, str], int]:
        """``(deck_id, card_id) -> reviewed_at`` of each card's latest standing review in ``deck_ids``."""
        out: dict[tuple[str, str], int] = {}
        for deck_id in deck_ids:
            out.update(((deck_id, card), at) for card, at in self.conn.execute(
                f"SELECT card_id, max(reviewed_at) FROM reviews r WHERE deck_id = ? AND {STANDING} GROUP BY card_id",
                (deck_id,)))
        return out

    def import_reviews(self, reviews: Iterable[ReviewRow], source: str) -> int:
        """Append reviews made elsewhere (their ``id`` is ignored) and give each card
        the state after its last one, all in one transaction; returns how many.

        ``reviews`` must be in time order per card; each row is marked ``source``.
        """
        count = 0
        with self._transaction() as conn:
            for r in reviews:
                conn.execute(
                    "INSERT INTO reviews (deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms, "
                    "state_before, state_after, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (r.deck_id, r.card_id, r.reviewed_at, r.rating, r.fsrs_rating, r.answer_ms,
                     r.before.to_json() if r.before else None, r.after.to_json(), source),
                )
                self._put_state(conn, r.deck_id, r.card_id, r.after)
                count += 1
        return count

    def undo_review(self, review_id: int, undone_at: int) -> ReviewRow:
        """Restore the card state from before ``review_id`` and mark it undone.

        Only the latest standing review of a card can be undone: if another
        session rated the card after it, nothing changes and
        :class:`CollectionError` says why.
        """
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT deck_id, card_id, state_before FROM reviews WHERE id = ?", (review_id,)
            ).fetchone()
            if row is None:
                raise CollectionError(f"no review {review_id} to undo")
            if conn.execute("SELECT 1 FROM undos WHERE review_id = ?", (review_id,)).fetchone():
                raise CollectionError(f"review {review_id} was already undone")
            deck_id, card_id, before = row
            later = conn.execute(
                "SELECT reviewed_at FROM reviews r WHERE deck_id = ? AND card_id = ? AND id > ? "
                f"AND {STANDING} ORDER BY id DESC LIMIT 1",
                (deck_id, card_id, review_id),
            ).fetchone()
            if later is not None:
                raise CollectionError(
                    f"{shown(deck_id)}/{shown(card_id)} was rated again after this rating "
                    f"(at {_utc_text(later[0])}, perhaps in another window); nothing was undone",
                    reason="undo refused")
            if before is None:
                self._reset_to_new(conn, deck_id, card_id)
            else:
                self._put_state(conn, deck_id, card_id, _state_from_json(before, deck_id, card_id, review_id))
            conn.execute("INSERT INTO undos (review_id, undone_at) VALUES (?, ?)", (review_id, undone_at))
        return self.review(review_id)

    # -- checking (studydeck doctor) -----------------------------------------
    def card_rows(self) -> Iterator[tuple]:
        """Every card row as stored, unchecked: ``(deck_id, card_id, state, step, ...)``."""
        return self.conn.execute(f"SELECT deck_id, card_id, {_CARD_COLUMNS} FROM cards ORDER BY deck_id, card_id")

    def standing_log(self) -> Iterator[tuple]:
        """The standing reviews as stored, unchecked, in order:
        ``(id, deck_id, card_id, reviewed_at, rating, answer_ms, state_before, state_after)``."""
        return self.conn.execute(
            "SELECT id, deck_id, card_id, reviewed_at, rating, answer_ms, state_before, state_after "
            f"FROM reviews r WHERE {STANDING} ORDER BY id")

    def put_states(self, states: dict[tuple[str, str], CardState | None]) -> None:
        """Overwrite card states (None: new) in one transaction; the review log is not touched."""
        with self._transaction() as conn:
            for (deck_id, card_id), state in states.items():
                if state is None:
                    self._reset_to_new(conn, deck_id, card_id)
                else:
                    self._put_state(conn, deck_id, card_id, state)

    @staticmethod
    def _reset_to_new(conn: sqlite3.Connection, deck_id: str, card_id: str) -> None:
        conn.execute(
            "UPDATE cards SET state = 0, step = NULL, stability = NULL, difficulty = NULL, due = 0, "
            "last_review = NULL, reps = 0, lapses = 0, leech = 0 WHERE deck_id = ? AND card_id = ?",
            (deck_id, card_id),
        )

    @staticmethod
    def _put_state(conn: sqlite3.Connection, deck_id: str, card_id: str, s: CardState) -> None:
        conn.execute(
            f"INSERT INTO cards (deck_id, card_id, {_CARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (deck_id, card_id) DO UPDATE SET state = excluded.state, step = excluded.step, "
            "stability = excluded.stability, difficulty = excluded.difficulty, due = excluded.due, "
            "last_review = excluded.last_review, reps = excluded.reps, lapses = excluded.lapses, "
            "leech = excluded.leech",
            (deck_id, card_id, s.state, s.step, s.stability, s.difficulty, s.due,
             s.last_review, s.reps, s.lapses, int(s.leech)),
        )

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn, self.path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``: takes the write lock up front, so a
    second process waits for it (busy timeout) instead of failing mid-way.

    An SQLite error inside becomes a :class:`CollectionError` that says what
    happened (disk full, read-only...).  SQLite may already have rolled the
    transaction back itself (it does on a full disk); the ROLLBACK is then
    skipped, so "cannot rollback" never hides the real error.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self.conn = conn
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _explain(exc, self.path) from None
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
                return
            except sqlite3.Error as failed:
                exc = failed
        _rollback(self.conn)
        if isinstance(exc, sqlite3.Error):
            raise _explain(exc, self.path) from None


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the error that led here is the one worth reporting


def _explain(exc: sqlite3.Error, path: Path | str | None) -> CollectionError:
    """A one-line CollectionError for an SQLite error; only a damaged file is
    worth moving aside, so only that message suggests it."""
    where = path or "collection"
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL") or "disk is full" in str(exc):
        return CollectionError(f"{where}: disk full ({exc}); nothing was written", reason="disk full")
    if name.startswith("SQLITE_READONLY"):
        return CollectionError(f"{where}: the collection is read-only ({exc}); nothing was written. "
                               "Studying needs to write to the file and its folder; "
                               "`studydeck stats` works without", reason="read-only")
    if name.startswith("SQLITE_CANTOPEN"):
        return CollectionError(f"{where}: cannot open the collection or its journal ({exc}): is the file or "
                               "its folder read-only? Studying needs to write to both; "
                               "`studydeck stats` works without", reason="read-only")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return CollectionError(f"{where}: the collection is locked by another program ({exc}); try again",
                               reason="locked")
    if name.startswith("SQLITE_IOERR"):
        return CollectionError(f"{where}: input/output error ({exc}); nothing was written", reason="I/O error")
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or isinstance(exc, sqlite3.DatabaseError) and not name:
        return CollectionError(f"{where}: not a readable studydeck collection ({exc}); the file was not "
                               "changed. Move it aside to start a new collection", reason="damaged file")
    return CollectionError(f"{where}: {exc}", reason="collection error")


def _connect(target: str, uri: bool = False) -> sqlite3.Connection:
    # timeout= is SQLite's busy timeout: a writer waits for another process's lock
    return sqlite3.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, uri=uri)


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a foreign or newer file by reading it only: nothing is written before this passes."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise CollectionError(
            f"{path}: collection schema version {version} is newer than this studydeck "
            f"understands ({SCHEMA_VERSION}); upgrade studydeck. The file was not changed.",
            reason="newer schema")
    if tables and version == 0:
        raise CollectionError(f"{path}: not a studydeck collection (unknown tables); the file was not changed",
                              reason="foreign file")
    if version and not {"cards", "reviews", "undos", "deck_sync"} <= tables:
        raise CollectionError(f"{path}: collection is missing tables; the file was not changed",
                              reason="damaged file")


def _migrate(conn: sqlite3.Connection, path: Path | str) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise CollectionError(
            f"{path}: collection schema version {version} is newer than this studydeck "
            f"understands ({SCHEMA_VERSION}); upgrade studydeck. The file was not changed.",
            reason="newer schema")
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[target].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


def _probe_writable(conn: sqlite3.Connection) -> None:
    """Fail now, not on the first rating, if the file cannot be written:
    rewrite the schema version to itself and roll back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {int(version)}")
    finally:
        _rollback(conn)


def _empty() -> Collection:
    conn = _connect(":memory:")
    _migrate(conn, ":memory:")
    return Collection(conn, None)


def _create(path: Path) -> None:
    """Make a new collection at ``path``: built under a temporary name and
    linked into place complete, so a crash never leaves an empty file behind
    (an empty file is refused like any other non-collection)."""
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".collection-", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        reason = "read-only" if exc.errno in (13, 30) else "cannot create"
        raise CollectionError(f"{path}: cannot create the collection: {exc.strerror or exc} "
                              f"({shown(exc.filename or path.parent)})", reason=reason) from None
    try:
        conn = _connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            _migrate(conn, path)
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        except OSError:
            if not path.exists():
                os.replace(tmp, path)
    except sqlite3.Error as exc:
        raise _explain(exc, path) from None
    except OSError as exc:
        raise CollectionError(f"{path}: cannot create the collection: {exc.strerror or exc}",
                              reason="cannot create") from None
    finally:
        for leftover in (tmp, tmp + "-wal", tmp + "-shm"):
            try:
                os.unlink(leftover)
            except OSError:
                pass


def _snapshot(path: Path) -> Collection:
    """A copy in memory of the collection at ``path``, read without writing a byte.

    When no other connection has the file open (no ``-wal`` file beside it),
    it is read as ``immutable``, which makes no ``-wal`` or ``-shm`` files;
    the copy is kept only if the file and the absent ``-wal`` are still as
    they were afterwards (a writer would have made a ``-wal`` first).
    Otherwise it is read with ``mode=ro``, which follows the other
    connections' WAL consistently.
    """
    import os
    from urllib.parse import quote

    uri = "file:" + quote(str(path.resolve()))
    wal = Path(f"{path}-wal")

    def stamp() -> tuple:
        info = os.stat(path)
        return info.st_mtime_ns, info.st_size, info.st_ino, wal.exists()

    before = stamp()
    # with a -wal, mode=ro sees its commits; immutable (no WAL index) is the fallback in a read-only folder
    modes = ("?mode=ro", "?immutable=1") if before[3] else ("?immutable=1", "?mode=ro")
    last: sqlite3.Error | None = None
    for mode in modes:
        source = memory = None
        try:
            source = _connect(uri + mode, uri=True)
            _check_schema(source, path)
            memory = _connect(":memory:")
            source.backup(memory)
            source.close()
            source = None
            if mode == "?immutable=1" and stamp() != before:
                memory.close()
                continue  # written meanwhile: read it again, following the WAL
            _migrate(memory, path)
            return Collection(memory, path)
        except sqlite3.Error as exc:
            last = exc
            if memory is not None:
                memory.close()
            if not getattr(exc, "sqlite_errorname", "").startswith("SQLITE_CANTOPEN"):
                break
        finally:
            if source is not None:
                source.close()
    if last is None:
        raise CollectionError(f"{path}: the collection kept changing while it was read; try again",
                              reason="busy")
    raise _explain(last, path) from None


def open_collection(path: Path, create: bool = True, readonly: bool = False) -> Collection:
    """Open (and with ``create``, make) the collection at ``path``.

    A file that is not a studydeck collection (an empty file included), is
    corrupt, or has a newer schema raises :class:`CollectionError`, and not a
    byte of it is changed.  So does a file that cannot be written, at once
    rather than at the first rating.  Without ``create``, a missing file opens
    as an empty in-memory collection so that read-only commands leave no
    trace.  With ``readonly``, the collection is a snapshot in memory: it
    works on a read-only file or folder, and what the caller writes (deck
    membership) never reaches the file.
    """
    path = Path(path)
    if path.is_dir():
        raise CollectionError(f"{path}: is a folder, expected a collection file", reason="not a file")
    if not path.exists():
        if readonly or not create:
            return _empty()
        _create(path)
    elif path.stat().st_size == 0:
        raise CollectionError(f"{path}: is an empty file, not a studydeck collection; the file was not "
                              "changed. Remove it to start a new collection", reason="foreign file")
    if readonly:
        return _snapshot(path)
    conn = _connect(str(path))
    try:
        _check_schema(conn, path)
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")  # a rating survives power loss, not only a crash
        _migrate(conn, path)
        _probe_writable(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise _explain(exc, path) from None
    except BaseException:
        conn.close()
        raise
    return Collection(conn, path)
