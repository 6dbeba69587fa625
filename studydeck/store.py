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
from functools import partial
from datetime import UTC, datetime
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from studydeck.model import State
from studydeck.safetext import shown

if TYPE_CHECKING:
    from studydeck.model import Deck

SCHEMA_VERSION = 5
BUSY_TIMEOUT_MS = 10_000

# State codes, as in fsrs.State; 0 is "new" (no row).
NEW, LEARNING, REVIEW, RELEARNING = State
MAX_TIME_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last instant a datetime holds
T = TypeVar("T")

# The row-count triggers of ``totals`` (schema 4); the reviews table's are made again
# when schema 5 rebuilds that table.
_REVIEW_COUNT_TRIGGERS = """
    CREATE TRIGGER reviews_counted AFTER INSERT ON reviews
        BEGIN UPDATE totals SET n = n + 1 WHERE name = 'reviews'; END;
    CREATE TRIGGER reviews_uncounted AFTER DELETE ON reviews
        BEGIN UPDATE totals SET n = n - 1 WHERE name = 'reviews'; END;
"""
_UNDO_COUNT_TRIGGERS = """
    CREATE TRIGGER undos_counted AFTER INSERT ON undos
        BEGIN UPDATE totals SET n = n + 1 WHERE name = 'undos'; END;
    CREATE TRIGGER undos_uncounted AFTER DELETE ON undos
        BEGIN UPDATE totals SET n = n - 1 WHERE name = 'undos'; END;
"""

_MIGRATIONS: dict[int, str | Callable[[sqlite3.Connection], None]] = {
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
    # Card marks, search text, undoable actions, cram ratings, fitted FSRS parameters
    # (the "Card marks, search and actions" section at the end of this file).
    3: """
    ALTER TABLE cards ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE cards ADD COLUMN buried_until INTEGER NOT NULL DEFAULT 0;  -- UTC epoch ms, 0: not buried
    ALTER TABLE cards ADD COLUMN flag INTEGER NOT NULL DEFAULT 0;          -- 0 none, 1-4 as Anki's colours
    CREATE INDEX cards_ivl ON cards (due - last_review);
    CREATE INDEX reviews_card_time ON reviews (deck_id, card_id, reviewed_at, id, fsrs_rating, rating);
    CREATE TABLE card_text (
        deck_id  TEXT NOT NULL,
        card_id  TEXT NOT NULL,
        text     TEXT NOT NULL,                -- query.normalize(front, back, extra, choices)
        added    INTEGER NOT NULL,             -- UTC epoch ms the card was first seen in a deck file
        PRIMARY KEY (deck_id, card_id)
    ) WITHOUT ROWID;
    CREATE TABLE card_tags (
        tag      TEXT NOT NULL,                -- case-folded
        deck_id  TEXT NOT NULL,
        card_id  TEXT NOT NULL,
        PRIMARY KEY (tag, deck_id, card_id)
    ) WITHOUT ROWID;
    CREATE TABLE search_sync (
        deck_id  TEXT PRIMARY KEY,
        key      TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE actions (
        id         INTEGER PRIMARY KEY,
        kind       TEXT NOT NULL,              -- suspend unsuspend bury unbury flag forget
        at         INTEGER NOT NULL,           -- UTC epoch ms
        detail     TEXT NOT NULL DEFAULT '',   -- the query, for messages
        undone_at  INTEGER
    );
    CREATE TABLE action_cards (
        action_id  INTEGER NOT NULL REFERENCES actions (id),
        deck_id    TEXT NOT NULL,
        card_id    TEXT NOT NULL,
        before     TEXT NOT NULL,              -- JSON: the columns the action changed, as they were
        PRIMARY KEY (action_id, deck_id, card_id)
    ) WITHOUT ROWID;
    CREATE INDEX action_cards_card ON action_cards (deck_id, card_id);
    CREATE TABLE cram_reviews (
        id           INTEGER PRIMARY KEY,
        deck_id      TEXT NOT NULL,
        card_id      TEXT NOT NULL,
        reviewed_at  INTEGER NOT NULL,
        rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        answer_ms    INTEGER,
        undone_at    INTEGER
    );
    CREATE TABLE fsrs_parameters (
        preset      TEXT PRIMARY KEY,
        parameters  TEXT NOT NULL,             -- JSON list of the 21 FSRS-6 weights
        fitted_at   INTEGER NOT NULL,
        reviews     INTEGER NOT NULL,
        log_loss    REAL,
        rmse        REAL
    ) WITHOUT ROWID;
    """,
    # Row counts of reviews and undos, kept by triggers in the same transaction as any
    # write, so the number of standing reviews is read in constant time.
    4: """
    CREATE TABLE totals (
        name  TEXT PRIMARY KEY,                -- 'reviews' or 'undos': the table counted
        n     INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO totals VALUES ('reviews', (SELECT count(*) FROM reviews)),
                              ('undos', (SELECT count(*) FROM undos));
    """ + _REVIEW_COUNT_TRIGGERS + _UNDO_COUNT_TRIGGERS,
    # The review log's states as columns: the after-state only (see _REVIEWS_5).
    5: lambda conn: _reviews_as_columns(conn),
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


def _stored_after(columns: tuple, damaged: str | None, deck_id: str, card_id: str, review_id: int) -> CardState:
    """A review row's after-state from its columns; CollectionError if it cannot be read."""
    problem = "not valid JSON" if damaged is not None else row_problem(columns)
    if problem:
        raise CollectionError(f"review {review_id} of card {shown(deck_id)}/{shown(card_id)}: "
                              f"stored state is invalid ({problem}); run `studydeck doctor`",
                              reason="damaged review")
    return _row_to_state(columns)


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
# A review row's after-state, in the order of _CARD_COLUMNS (its times are kept as ms from
# the review: 0 for last_review, which is nearly always the review itself, costs no byte).
_AFTER_COLUMNS = ("r.state, r.step, r.stability, r.difficulty, r.reviewed_at + r.due_in, "
                  "r.reviewed_at + r.last_review_in, r.reps, r.lapses, r.leech")


# Appending one review row; the values come from :func:`_review_values`.
REVIEW_INSERT = ("INSERT INTO reviews (deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms, source, "
                 "prior, before, state, step, stability, difficulty, due_in, last_review_in, reps, lapses, leech) "
                 f"VALUES ({', '.join('?' * 18)})")


def _review_values(deck_id: str, card_id: str, at: int, rating: int, fsrs_rating: int, answer_ms: int | None,
                   source: str, before: CardState | None, after: CardState,
                   previous: CardState | None) -> tuple:
    """One review's :data:`REVIEW_INSERT` values; ``previous`` is the after-state of the
    card's latest standing review (None: none), which ``before`` usually is and then is
    not stored again."""
    if before is None:
        prior, text = NEW, None
    else:
        prior, text = before.state, (None if before == previous else before.to_json())
    return (deck_id, card_id, at, rating, fsrs_rating, answer_ms, None if source == "studydeck" else source,
            prior, text, *_after_values(after, at))


def _after_values(after: CardState, at: int) -> tuple:
    """The after-state columns of a review made at ``at``: an after-state that they cannot
    hold exactly (a time that is not a whole number) raises ValueError."""
    if not (_is_int(after.due) and (after.last_review is None or _is_int(after.last_review))):
        raise ValueError("a time is not a whole number of ms")
    return (after.state, after.step, after.stability, after.difficulty, after.due - at,
            None if after.last_review is None else after.last_review - at, after.reps, after.lapses,
            int(after.leech))


def review_insert_rows(rows: Iterable[tuple], source: str = "studydeck") -> Iterator[tuple]:
    """:data:`REVIEW_INSERT`'s values for ``(deck_id, card_id, reviewed_at, rating,
    fsrs_rating, answer_ms, before, after)`` rows of cards with no review yet, in order
    (bulk writers: benchmarks and tests)."""
    last: dict[tuple[str, str], CardState] = {}
    for deck_id, card_id, at, rating, fsrs_rating, answer_ms, before, after in rows:
        key = (deck_id, card_id)
        yield _review_values(deck_id, card_id, at, rating, fsrs_rating, answer_ms, source, before, after,
                             last.get(key))
        last[key] = after


# A review "stands" unless it was undone; every count of history uses this one filter
# (on the reviews table aliased ``r``).
STANDING = "NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)"

_STUDIABLE = "position IS NOT NULL AND suspended = 0 AND buried_until <= ?"
"""A card a session may show at the instant bound to ``?``: in a loaded deck, not suspended,
not buried past that instant."""
# ``damaged`` and the after-state columns of the latest standing review of a card before a
# review (deck, card, review id): its id by max() over the covering index reviews_card_time,
# no visit to the table, then that one row.
_PREVIOUS_AFTER = (f"SELECT damaged, {_AFTER_COLUMNS} FROM reviews r WHERE id = ("
                   "SELECT max(q.id) FROM reviews q WHERE q.deck_id = ? AND q.card_id = ? "
                   "AND q.id < ? AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = q.id))")


def _row_to_state(row: tuple) -> CardState:
    state, step, stability, difficulty, due, last_review, reps, lapses, leech = row
    return CardState(state, step, stability, difficulty, due, last_review, reps, lapses, bool(leech))


class Collection:
    """An open collection file.  Use :func:`open_collection` to get one."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None,
                 copy: Callable[[], sqlite3.Connection] | None = None,
                 opened: tuple | None = None) -> None:
        self.conn = conn
        self.path = path
        # a read-only view of the file (``open_collection(readonly=True)``): the first
        # write first swaps ``conn`` for ``copy()``, a copy in memory, so reading a large
        # collection costs no copy and a write never reaches the file
        self._copy = copy
        # an ``immutable`` read of the file in place: the file's stamp when it was opened
        self._opened = opened

    def changed_outside(self) -> bool:
        """Whether the file changed since an ``immutable`` read-only view opened it (its
        reads may then mix two moments; :func:`read_snapshot` reads again)."""
        return self._opened is not None and self.path is not None and _file_stamp(self.path) != self._opened

    # -- reading -----------------------------------------------------------
    def card_state(self, deck_id: str, card_id: str) -> CardState | None:
        """The card's stored state (None while new); CollectionError naming the card if damaged."""
        return self._read_state(self.conn, deck_id, card_id)

    def due_cards(self, now_ms: int, states: tuple[int, ...], limit: int | None = None,
                  deck_ids: Iterable[str] | None = None,
                  after: tuple[int, str, str] | None = None, with_position: bool = False) -> list[tuple]:
        """Cards in ``states`` due at or before ``now_ms`` and present in a deck, earliest first
        (ties in deck and card order; suspended cards and cards buried past ``now_ms`` left out).

        ``deck_ids``: only those decks'; ``limit``: at most that many, read from the
        (state, due) index without visiting the rest; ``after``: the ``(due, deck_id,
        card_id)`` of the last card of the previous page, to read the next one;
        ``with_position``: each row ends with the card's place in its deck.
        """
        marks = ",".join("?" * len(states))
        params: list = [*states, now_ms, now_ms]
        sql = (f"SELECT deck_id, card_id, state, due{', position' if with_position else ''} FROM cards "
               f"WHERE state IN ({marks}) AND due <= ? AND {_STUDIABLE}")
        if deck_ids is not None:
            deck_ids = list(deck_ids)
            sql += f" AND deck_id IN ({','.join('?' * len(deck_ids))})"
            params += deck_ids
        if after is not None:
            sql += " AND (due, deck_id, card_id) > (?, ?, ?)"
            params += after
        sql += " ORDER BY due, deck_id, card_id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self.conn.execute(sql, params).fetchall()

    def due_places(self, now_ms: int, states: tuple[int, ...]) -> list[tuple[str, str, int]]:
        """``(deck_id, card_id, position)`` of :meth:`due_cards`' cards, in its order: the
        whole list read from the covering due index, no more columns than a queue needs."""
        marks = ",".join("?" * len(states))
        return self.conn.execute(
            f"SELECT deck_id, card_id, position FROM cards WHERE state IN ({marks}) AND due <= ? "
            f"AND {_STUDIABLE} ORDER BY due, deck_id, card_id",
            (*states, now_ms, now_ms)).fetchall()

    def due_between(self, after_ms: int, until_ms: int, states: tuple[int, ...]) -> list[tuple[str, str, int, int]]:
        """``(deck_id, card_id, position, due)`` of :meth:`due_cards`' cards at ``until_ms``
        that are due after ``after_ms``, in its order: a range of the covering due index,
        so the cards due by ``after_ms`` are not read."""
        marks = ",".join("?" * len(states))
        return self.conn.execute(
            f"SELECT deck_id, card_id, position, due FROM cards WHERE state IN ({marks}) AND due > ? AND due <= ? "
            f"AND {_STUDIABLE} ORDER BY due, deck_id, card_id",
            (*states, after_ms, until_ms, until_ms)).fetchall()

    def due_count(self, now_ms: int, states: tuple[int, ...], deck_ids: Iterable[str]) -> int:
        """How many cards :meth:`due_cards` would give for ``deck_ids``, counted in the due index."""
        deck_ids = list(deck_ids)
        row = self.conn.execute(
            f"SELECT count(*) FROM cards WHERE state IN ({','.join('?' * len(states))}) AND due <= ? "
            f"AND {_STUDIABLE} AND deck_id IN ({','.join('?' * len(deck_ids))})", (*states, now_ms, now_ms, *deck_ids)).fetchone()
        return int(row[0])

    def due_in_deck(self, deck_id: str, now_ms: int, states: tuple[int, ...]) -> list[str]:
        """Card ids of one deck's cards that :meth:`due_cards` would give (in no set order)."""
        return [r[0] for r in self.conn.execute(
            f"SELECT card_id FROM cards WHERE deck_id = ? AND state IN ({','.join('?' * len(states))}) "
            f"AND due <= ? AND {_STUDIABLE}", (deck_id, *states, now_ms, now_ms))]

    def due_counts(self, now_ms: int, ahead_ms: int) -> list[tuple[str, int, int, int]]:
        """Per deck and state (learning, review, relearning), of cards in a deck:
        ``(deck_id, state, due by now_ms, due by ahead_ms)``."""
        return self.conn.execute(
            "SELECT deck_id, state, sum(due <= ?), count(*) FROM cards "
            f"WHERE state != 0 AND due <= ? AND {_STUDIABLE} GROUP BY deck_id, state",
            (now_ms, ahead_ms, now_ms)).fetchall()

    def new_cards(self, deck_id: str, limit: int, offset: int = 0, now_ms: int | None = None) -> list[str]:
        """New cards of a deck in deck order: ``limit`` of them, skipping ``offset``;
        suspended cards left out, and with ``now_ms`` also cards buried past it."""
        return [r[0] for r in self.conn.execute(
            f"SELECT card_id FROM cards WHERE deck_id = ? AND state = 0 AND {_STUDIABLE} "
            "ORDER BY position LIMIT ? OFFSET ?", (deck_id, 2**62 if now_ms is None else now_ms, limit, offset))]

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
            "SELECT count(*), coalesce(sum(r.prior = 0), 0) FROM reviews r "
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
        walk = since_ms is None   # every row from the first: each card's rows follow on
        if since_ms is not None:
            where.append("r.reviewed_at >= ?")
            params.append(since_ms)
        if not include_undone:
            where.append(STANDING)
        return self._review_rows(where, params, walk)

    def review(self, review_id: int) -> ReviewRow | None:
        return next(self._review_rows(["r.id = ?"], [review_id]), None)

    def _review_rows(self, where: list[str], params: list, walk: bool = False) -> Iterator[ReviewRow]:
        """Review rows in id order, their before-states read back.

        A before-state not stored is the after-state of the card's previous standing
        review.  With ``walk`` (the rows are all of the log, or all of a card's standing
        reviews) that is the last standing row seen of the card; otherwise, or for a
        card's first row in the walk, it is looked up (``max(id)`` from the covering
        card index, then that row).
        """
        sql = (f"SELECT r.id, r.deck_id, r.card_id, r.reviewed_at, r.rating, r.fsrs_rating, r.answer_ms, "
               f"coalesce(r.source, 'studydeck'), r.prior, r.before, r.damaged, {_AFTER_COLUMNS}, "
               f"{STANDING} FROM reviews r")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY r.id"
        last: dict[tuple[str, str], CardState] = {}
        for row in self.conn.execute(sql, params):
            rid, deck, card, at, rating, frating, ms, source, prior, before, damaged = row[:11]
            after = _stored_after(row[11:20], damaged, deck, card, rid)
            if prior == NEW and before is None:
                state = None
            elif before is not None:
                state = _state_from_json(before, deck, card, rid)
            else:
                state = last.get((deck, card)) if walk else None
                if state is None:
                    state = self._previous_after(self.conn, deck, card, rid)
            if walk and row[20]:
                last[(deck, card)] = after
            yield ReviewRow(rid, deck, card, at, rating, frating, ms, state, after, source)

    @staticmethod
    def _previous_after(conn: sqlite3.Connection, deck_id: str, card_id: str, review_id: int) -> CardState:
        """The before-state a review does not store: its card's previous standing review's after."""
        row = conn.execute(_PREVIOUS_AFTER, (deck_id, card_id, review_id)).fetchone()
        if row is None:
            raise CollectionError(f"review {review_id} of card {shown(deck_id)}/{shown(card_id)}: the state "
                                  "before it is not recorded; run `studydeck doctor`", reason="damaged review")
        return _stored_after(row[1:], row[0], deck_id, card_id, review_id)

    # -- numbers for stats and the home screen --------------------------------
    def deck_state_counts(self, now_ms: int) -> list[tuple[str, int, int, int, int, int]]:
        """``(deck_id, state, cards, due now, leeches, suspended)`` for cards present in a deck:
        suspended cards count only as suspended, and buried cards are not due."""
        return self.conn.execute(
            "SELECT deck_id, state, coalesce(sum(suspended = 0), 0), "
            "coalesce(sum(due <= ? AND suspended = 0 AND buried_until <= ?), 0), coalesce(sum(leech), 0), "
            "coalesce(sum(suspended), 0) FROM cards WHERE position IS NOT NULL GROUP BY deck_id, state",
            (now_ms, now_ms),
        ).fetchall()

    def review_state_pass_counts(self, since_ms: int) -> tuple[int, int]:
        """(standing reviews of review-state cards since ``since_ms``, of which FSRS Hard or better)."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(fsrs_rating >= 2), 0) FROM reviews r "
            f"WHERE reviewed_at >= ? AND prior = {REVIEW} AND {STANDING}",
            (since_ms,),
        ).fetchone()
        return int(row[0]), int(row[1])

    def standing_review_total(self) -> int:
        """Reviews that stand: the triggers' row counts, reviews minus undos (each undo
        names an existing review), in constant time."""
        return int(self.conn.execute(
            "SELECT (SELECT n FROM totals WHERE name = 'reviews') "
            "- (SELECT n FROM totals WHERE name = 'undos')").fetchone()[0])

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

    def last_day_without_review(self, bounds: list[int]) -> int | None:
        """Of the consecutive spans ``[bounds[i], bounds[i + 1])``, the last holding no
        standing review (its index), or None when every one holds some: one query,
        one probe of the time index per span."""
        spans = ",".join("(?, ?, ?)" for _ in bounds[1:])
        params = [v for i in range(len(bounds) - 1) for v in (i, bounds[i], bounds[i + 1])]
        row = self.conn.execute(
            f"WITH spans (i, s, e) AS (VALUES {spans}) SELECT max(i) FROM spans WHERE NOT EXISTS "
            f"(SELECT 1 FROM reviews r WHERE reviewed_at >= spans.s AND reviewed_at < spans.e "
            f"AND {STANDING})", params).fetchone()
        return row[0]

    def due_per_day(self, start_ms: int, days: int, day_ms: int) -> list[tuple[str, int, int]]:
        """``(deck_id, day index, cards)`` of cards due before ``days`` days from ``start_ms``
        (index 0: overdue or due within the first day)."""
        return self.conn.execute(
            "SELECT deck_id, max(0, (due - ?) / ?) AS day, count(*) FROM cards "
            "WHERE state != 0 AND position IS NOT NULL AND suspended = 0 AND due < ? GROUP BY deck_id, day",
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
        previous = self._latest_after(conn, deck_id, card_id) if before is not None else None
        cur = conn.execute(REVIEW_INSERT, _review_values(deck_id, card_id, reviewed_at, rating, fsrs_rating,
                                                         answer_ms, "studydeck", before, after, previous))
        self._put_state(conn, deck_id, card_id, after)
        return int(cur.lastrowid)

    @staticmethod
    def _latest_after(conn: sqlite3.Connection, deck_id: str, card_id: str) -> CardState | None:
        """The after-state of the card's latest standing review, None if it has none or it
        cannot be read."""
        row = conn.execute(_PREVIOUS_AFTER, (deck_id, card_id, 2**62)).fetchone()
        if row is None or row[0] is not None or row_problem(row[1:]):
            return None
        return _row_to_state(row[1:])

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
        last: dict[tuple[str, str], CardState | None] = {}
        with self._transaction() as conn:
            for r in reviews:
                key = (r.deck_id, r.card_id)
                if key not in last:
                    last[key] = self._latest_after(conn, r.deck_id, r.card_id)
                conn.execute(REVIEW_INSERT, _review_values(r.deck_id, r.card_id, r.reviewed_at, r.rating,
                                                           r.fsrs_rating, r.answer_ms, source, r.before, r.after,
                                                           last[key]))
                last[key] = r.after
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
                "SELECT deck_id, card_id FROM reviews WHERE id = ?", (review_id,)
            ).fetchone()
            if row is None:
                raise CollectionError(f"no review {review_id} to undo")
            if conn.execute("SELECT 1 FROM undos WHERE review_id = ?", (review_id,)).fetchone():
                raise CollectionError(f"review {review_id} was already undone")
            deck_id, card_id = row
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
            undone = next(self._review_rows(["r.id = ?"], [review_id]))  # CollectionError if unreadable
            if undone.before is None:
                self._reset_to_new(conn, deck_id, card_id)
            else:
                self._put_state(conn, deck_id, card_id, undone.before)
            # Later (undone) reviews of the card whose before-state is this review's after-state
            # would read it from an earlier review once this one is undone: store it.
            conn.execute("UPDATE reviews SET before = ? WHERE deck_id = ? AND card_id = ? AND id > ? "
                         "AND before IS NULL AND prior != 0", (undone.after.to_json(), deck_id, card_id, review_id))
            conn.execute("INSERT INTO undos (review_id, undone_at) VALUES (?, ?)", (review_id, undone_at))
        return self.review(review_id)

    # -- checking (studydeck doctor) -----------------------------------------
    def card_rows(self) -> Iterator[tuple]:
        """Every card row as stored, unchecked: ``(deck_id, card_id, state, step, ...)``."""
        return self.conn.execute(f"SELECT deck_id, card_id, {_CARD_COLUMNS} FROM cards ORDER BY deck_id, card_id")

    def standing_log(self) -> Iterator[tuple]:
        """The standing reviews as stored, unchecked, in order: ``(id, deck_id, card_id,
        reviewed_at, rating, answer_ms, prior, before, damaged, *after columns)``; ``before``
        is None when the before-state is new (``prior`` 0) or the previous standing review's
        after-state, ``damaged`` the after-state's text when it could not be read into columns."""
        return self.conn.execute(
            "SELECT id, deck_id, card_id, reviewed_at, rating, answer_ms, prior, before, damaged, "
            f"{_AFTER_COLUMNS} FROM reviews r WHERE {STANDING} ORDER BY id")

    def data_version(self) -> int:
        """A number that changes when another connection commits to the collection."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def put_states(self, states: dict[tuple[str, str], CardState | None],
                   unchanged_since: int | None = None) -> bool:
        """Overwrite card states (None: new) in one transaction; the review log is not touched.
        With ``unchanged_since`` (a :meth:`data_version`), nothing is written, and False
        returned, if another connection has committed since."""
        with self._transaction() as conn:
            if unchanged_since is not None and self.data_version() != unchanged_since:
                return False
            for (deck_id, card_id), state in states.items():
                if state is None:
                    self._reset_to_new(conn, deck_id, card_id)
                else:
                    self._put_state(conn, deck_id, card_id, state)
        return True

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
        if self._copy is not None:
            copy, self._copy = self._copy, None
            source, self.conn = self.conn, copy()
            source.close()
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


_REVIEWS_5 = """
    CREATE TABLE reviews_5 (
        id           INTEGER PRIMARY KEY,
        deck_id      TEXT NOT NULL,
        card_id      TEXT NOT NULL,
        reviewed_at  INTEGER NOT NULL,         -- UTC epoch milliseconds
        rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        fsrs_rating  INTEGER NOT NULL CHECK (fsrs_rating BETWEEN 1 AND 4),
        answer_ms    INTEGER,
        source       TEXT,                     -- where it was rated: NULL here (studydeck), else 'anki'
        prior        INTEGER NOT NULL,         -- the card's state code before the review (0: new)
        before       TEXT,                     -- JSON CardState before, only when it is neither new
                                               -- nor the after-state of the card's previous standing review
        damaged      TEXT,                     -- an after-state that could not be read, as first stored
        state        INTEGER,                  -- the card state after the review: the cards columns
        step         INTEGER,
        stability    REAL,
        difficulty   REAL,
        due_in       INTEGER,                  -- due - reviewed_at (ms)
        last_review_in INTEGER,                -- last_review - reviewed_at (ms), 0 nearly always
        reps         INTEGER,
        lapses       INTEGER,
        leech        INTEGER
    )
"""
_REVIEW_INDEXES = """
    CREATE INDEX reviews_time ON reviews (reviewed_at);
    CREATE INDEX reviews_card_time ON reviews (deck_id, card_id, reviewed_at, id, fsrs_rating, rating);
"""


def _reviews_as_columns(conn: sqlite3.Connection) -> None:
    """Schema 5: each review keeps its after-state as columns and its before-state only
    when it cannot be read from the card's previous standing review (or is new).

    The JSON is read by Python's parser (exact floats); an after-state that is not a
    valid state keeps its text in ``damaged`` (doctor reports it, as before), a
    before-state that is not one keeps its text in ``before`` with ``prior`` -1.
    """
    conn.execute(_REVIEWS_5)
    undone = {r[0] for r in conn.execute("SELECT review_id FROM undos")}
    # per card: the latest standing review's after-state and its text (a before-state with
    # the same text is that state, without parsing it again)
    latest: dict[tuple[str, str], tuple[CardState | None, str]] = {}
    empty = (None,) * 9

    def rows() -> Iterator[tuple]:
        for (rid, deck_id, card_id, at, rating, fsrs_rating, answer_ms, source, before_text,
             after_text) in conn.execute(
                "SELECT id, deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms, source, "
                "state_before, state_after FROM reviews ORDER BY id"):
            key = (deck_id, card_id)
            try:
                after = _parse_state(after_text)
                columns, damaged = _after_values(after, at), None
            except ValueError:
                after, columns, damaged = None, empty, after_text
            previous, previous_text = latest.get(key, (None, None))
            if before_text is None:
                prior, before = NEW, None
            elif previous is not None and before_text == previous_text:
                prior, before = previous.state, None
            else:
                try:
                    state = _parse_state(before_text)
                    prior = state.state
                    before = None if previous is not None and state == previous else before_text
                except ValueError:
                    prior, before = -1, before_text
            if rid not in undone:
                latest[key] = (after, after_text)
            yield (rid, deck_id, card_id, at, rating, fsrs_rating, answer_ms,
                   None if source == "studydeck" else source, prior, before, damaged, *columns)

    conn.executemany(f"INSERT INTO reviews_5 VALUES ({', '.join('?' * 20)})", rows())
    conn.execute("DROP TABLE reviews")
    conn.execute("ALTER TABLE reviews_5 RENAME TO reviews")
    for statement in _statements(_REVIEW_INDEXES + _REVIEW_COUNT_TRIGGERS):
        conn.execute(statement)
    # The due index covers what the queue reads (today's due cards, page by page, in due
    # then deck and card order), so a due card costs no visit to the table.
    conn.execute("DROP INDEX cards_due")
    conn.execute("CREATE INDEX cards_due ON cards (state, due, deck_id, card_id, position, suspended, buried_until)")


def _parse_state(text: str) -> CardState:
    """:meth:`CardState.from_json`, faster for the text ``to_json`` writes (every field,
    in order): the same checks, without building a dict of keyword arguments."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        raise ValueError("not valid JSON") from None
    if type(data) is dict and len(data) == 9 and tuple(data) == _STATE_ORDER:
        row = (*tuple(data.values())[:8], bool(data["leech"]))   # as from_json reads the flag
        problem = row_problem(row)
        if problem:
            raise ValueError(problem)
        return CardState(*row)
    return CardState.from_json(text)


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of ``script``, a trigger's ``BEGIN ... END`` kept whole."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""


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
            step = _MIGRATIONS[target]
            if callable(step):
                step(conn)
            else:
                for statement in _statements(step):
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
    """The collection at ``path``, read without writing a byte.

    When no other connection has the file open (no ``-wal`` file beside it),
    it is read as ``immutable``, which makes no ``-wal`` or ``-shm`` files;
    otherwise with ``mode=ro``, which follows the other connections' WAL
    consistently.  A file at the current schema is read in place, so a large
    collection costs no copy; what the caller writes (deck membership) goes
    to a copy in memory made at the first write.  An older file is copied and
    migrated in memory at once.
    """
    import os
    from urllib.parse import quote

    uri = "file:" + quote(str(path.resolve()))
    has_wal = os.path.exists(f"{path}-wal")
    # with a -wal, mode=ro sees its commits; immutable (no WAL index) is the fallback in a read-only folder
    modes = ("?mode=ro", "?mode=ro&immutable=1") if has_wal else ("?mode=ro&immutable=1", "?mode=ro")
    last: sqlite3.Error | None = None
    for mode in modes:
        source = None
        try:
            opened = _file_stamp(path) if "immutable" in mode else None  # before the first read
            source = _connect(uri + mode, uri=True)
            _check_schema(source, path)
            if source.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                # one read transaction: every number read afterwards comes from the same moment
                source.execute("BEGIN")
                source.execute("SELECT count(*) FROM deck_sync").fetchone()
                collection = Collection(source, path, partial(_copy, source, path, uri, mode), opened)
                source = None
                return collection
            memory = _copy(source, path, uri, mode)
            _migrate(memory, path)
            return Collection(memory, path)
        except sqlite3.Error as exc:
            last = exc
            if not getattr(exc, "sqlite_errorname", "").startswith("SQLITE_CANTOPEN"):
                break
        finally:
            if source is not None:
                source.close()
    raise _explain(last, path) from None


def _file_stamp(path: Path) -> tuple:
    """What changes when another process writes the collection: the file's time, size and
    inode, and whether a ``-wal`` is beside it (a writer makes one first)."""
    import os

    try:
        info = os.stat(path)
    except OSError:
        return ()
    return info.st_mtime_ns, info.st_size, info.st_ino, os.path.exists(f"{path}-wal")


def read_snapshot(path: Path, read: Callable[[Collection], T]) -> T:
    """``read(collection)`` on a read-only view of the collection at ``path``.  A view read
    in place as ``immutable`` trusts the file not to change; if another process wrote it
    meanwhile, the read is made again (the file then has a ``-wal`` or is left as the
    writer checkpointed it), so what is returned is of one moment."""
    for attempt in range(3):
        with open_collection(path, readonly=True) as collection:
            try:
                result = read(collection)
            except CollectionError:
                if attempt < 2 and collection.changed_outside():
                    continue          # the changing file was read as a damaged one
                raise
            if not collection.changed_outside():
                return result
    return result


def _copy(source: sqlite3.Connection, path: Path, uri: str, mode: str) -> sqlite3.Connection:
    """A copy in memory of the collection ``source`` reads.  An immutable read is kept
    only if the file and the absent ``-wal`` are as they were afterwards (a writer makes
    a ``-wal`` first); otherwise the file is read again with ``mode=ro``, following the WAL."""
    try:
        before = _file_stamp(path)
        memory = _connect(":memory:")
        source.backup(memory)
        if "immutable" not in mode or _file_stamp(path) == before:
            return memory
        memory.close()
        again = _connect(uri + "?mode=ro", uri=True)
        try:
            memory = _connect(":memory:")
            again.backup(memory)
            return memory
        finally:
            again.close()
    except sqlite3.Error as exc:
        raise _explain(exc, path) from None


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


# ---------------------------------------------------------------------------
# Card marks, search and actions (schema version 2)
#
# Suspended, buried and flagged are columns of ``cards``: they belong to the
# collection, never to a deck file, and survive any edit of it.  The card
# text and tags are copied into ``card_text`` / ``card_tags`` (normalized) the
# first time a query needs them after a deck changed, so a query is one SQL
# statement.  Each suspend/bury/flag/forget is one transaction that records
# the columns it changed in ``actions`` / ``action_cards``, so it can be undone.
# ---------------------------------------------------------------------------

MARK_ACTIONS = ("suspend", "unsuspend", "bury", "unbury", "flag", "forget")
_STATE_RESET = {"state": NEW, "step": None, "stability": None, "difficulty": None, "due": 0,
                "last_review": None, "reps": 0, "lapses": 0, "leech": 0}
_ACTION_COLUMNS = {
    "suspend": ("suspended",), "unsuspend": ("suspended",), "bury": ("buried_until",),
    "unbury": ("buried_until",), "flag": ("flag",), "forget": tuple(_STATE_RESET),
}
MS_PER_DAY = 86_400_000


def buried_at(buried_until: int, now_ms: int) -> bool:
    """Whether a card whose bury lasts until ``buried_until`` (UTC ms, 0: never buried) is
    buried at ``now_ms``: the bury ends at that instant.  The SQL filters say the same as
    ``buried_until <= ?`` (not buried) and ``buried_until > ?`` (buried)."""
    return buried_until > now_ms


@dataclass(frozen=True, slots=True)
class CardRow:
    """One card's row in the collection, as queries return it (times in UTC epoch ms)."""

    deck_id: str
    card_id: str
    position: int | None
    state: int
    stability: float | None
    difficulty: float | None
    due: int
    last_review: int | None
    reps: int
    lapses: int
    leech: int        # 0 or 1
    suspended: int    # 0 or 1
    buried_until: int
    flag: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.deck_id, self.card_id)

    def buried(self, now_ms: int) -> bool:
        """Whether the card is buried at ``now_ms`` (:func:`buried_at`)."""
        return buried_at(self.buried_until, now_ms)

    def interval_days(self) -> int | None:
        """Whole days from the last review to the due date (Anki's ``ivl``); None if new."""
        if self.state == NEW or self.last_review is None:
            return None
        return (self.due - self.last_review) // MS_PER_DAY


_ROW_COLUMNS = ("c.deck_id, c.card_id, c.position, c.state, c.stability, c.difficulty, c.due, "
                "c.last_review, c.reps, c.lapses, c.leech != 0, c.suspended != 0, c.buried_until, c.flag")


def _card_row(row: tuple) -> CardRow:
    return CardRow(*row)   # leech and suspended come as 0/1: the SQL casts them (_ROW_COLUMNS)


# -- the searchable copy of the card text --------------------------------------

def search_key(deck: Deck) -> str:
    """Changes whenever anything searchable in the deck changes."""
    if deck.content_hash:
        return deck.content_hash
    import hashlib

    return hashlib.blake2b(repr(tuple(deck.cards)).encode(), digest_size=16).hexdigest()


def card_search_text(card) -> str:
    """What free text searches: front, back, extra, choices and the drill kind, normalized."""
    from studydeck.study.query import normalize

    return normalize("\n".join((card.front, card.back, card.extra, *card.choices, card.drill)))


def sync_search(collection: Collection, decks: Iterable[Deck], now_ms: int) -> int:
    """Copy the text and tags of every deck changed since the last call; returns how many were.

    Rows of cards that left their deck stay (with their ``added`` time) and
    are ignored by queries, which look only at cards placed in a loaded deck.
    """
    synced = dict(collection.conn.execute("SELECT deck_id, key FROM search_sync"))
    stale = [(d, key) for d in decks if synced.get(d.id) != (key := search_key(d))]
    if not stale:
        return 0
    with collection._transaction() as conn:
        for deck, key in stale:
            conn.executemany(
                "INSERT INTO card_text (deck_id, card_id, text, added) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (deck_id, card_id) DO UPDATE SET text = excluded.text",
                ((deck.id, c.card_id, card_search_text(c), now_ms) for c in deck.cards))
            conn.execute("DELETE FROM card_tags WHERE deck_id = ?", (deck.id,))
            conn.executemany(
                "INSERT OR IGNORE INTO card_tags (tag, deck_id, card_id) VALUES (?, ?, ?)",
                ((tag.casefold(), deck.id, c.card_id) for c in deck.cards for tag in c.tags))
            conn.execute("INSERT OR REPLACE INTO search_sync VALUES (?, ?)", (deck.id, key))
    return len(stale)


# -- compiling a query tree to SQL --------------------------------------------

@dataclass(frozen=True)
class QueryContext:
    """What a query's meaning depends on: now, the start of the study day, and the
    FSRS decay (``-w[20]``) of each deck's parameters, for ``prop:r``."""

    now_ms: int
    today_ms: int
    default_decay: float
    decays: tuple[tuple[str, float], ...] = ()

    def decay(self, deck_id: str) -> float:
        return dict(self.decays).get(deck_id, self.default_decay)


def _like(pattern: str) -> str:
    """A ``*`` wildcard pattern as a LIKE pattern with ``\\`` as the escape."""
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def _day_range(expr: str, op: str, n: int, base: int, params: list) -> str:
    """``floor((expr - base) / day) OP n`` as a range on ``expr``, so an index on it serves."""
    lo, hi = base + n * MS_PER_DAY, base + (n + 1) * MS_PER_DAY
    if op == ">=":
        params.append(lo)
        return f"{expr} >= ?"
    if op == ">":
        params.append(hi)
        return f"{expr} >= ?"
    if op == "<=":
        params.append(hi)
        return f"{expr} < ?"
    if op == "<":
        params.append(lo)
        return f"{expr} < ?"
    params.extend((lo, hi))
    inside = f"({expr} >= ? AND {expr} < ?)"
    return inside if op == "=" else f"NOT {inside}"


def compile_query(node, ctx: QueryContext, params: list) -> str:
    """SQL for ``node`` over ``cards c`` (and ``card_text t`` for free text), values in ``params``.

    Every expression is a true boolean (never NULL), so ``NOT`` is exact.
    """
    from studydeck.study import query as q

    match node:
        case q.All():
            return "1"
        case q.And(items):
            return "(" + " AND ".join(compile_query(i, ctx, params) for i in items) + ")"
        case q.Or(items):
            return "(" + " OR ".join(compile_query(i, ctx, params) for i in items) + ")"
        case q.Not(item):
            return f"(NOT {compile_query(item, ctx, params)})"
        case q.Text(pieces):
            if len(pieces) == 1:
                params.append(pieces[0])
                return "(instr(t.text, ?) > 0)"
            params.append("%" + "%".join(_like(p) for p in pieces) + "%")
            return "(t.text LIKE ? ESCAPE '\\')"
        case q.DeckIs(pattern):
            params.append(pattern if "*" not in pattern else _like(pattern))
            return "(c.deck_id = ?)" if "*" not in pattern else "(c.deck_id LIKE ? ESCAPE '\\')"
        case q.TagIs(pattern):
            params.append(pattern if "*" not in pattern else _like(pattern))
            test = "tag = ?" if "*" not in pattern else "tag LIKE ? ESCAPE '\\'"
            return f"((c.deck_id, c.card_id) IN (SELECT deck_id, card_id FROM card_tags WHERE {test}))"
        case q.StateIs(name):
            return _state_sql(name, ctx, params)
        case q.FlagIs(flag):
            params.append(flag)
            return "(c.flag = ?)"
        case q.Rated(days, rating):
            params.append(ctx.today_ms - (days - 1) * MS_PER_DAY)
            extra = ""
            if rating is not None:
                params.append(rating)
                extra = " AND r.rating = ?"
            return ("((c.deck_id, c.card_id) IN (SELECT deck_id, card_id FROM reviews r "
                    f"WHERE r.reviewed_at >= ?{extra} AND {STANDING}))")
        case q.Prop(name, op, value):
            return _prop_sql(name, op, value, ctx, params)
    raise TypeError(f"not a query node: {node!r}")


def _state_sql(name: str, ctx: QueryContext, params: list) -> str:
    if name == "due":
        params.extend((ctx.now_ms, ctx.now_ms))  # state IN (...): the cards_due index serves
        return (f"(c.state IN ({LEARNING}, {REVIEW}, {RELEARNING}) AND c.due <= ? AND c.suspended = 0 "
                "AND c.buried_until <= ?)")
    if name == "buried":
        params.append(ctx.now_ms)
        return "(c.buried_until > ?)"
    return {
        "new": "(c.state = 0)", "learn": f"(c.state IN ({LEARNING}, {RELEARNING}))",
        "review": f"(c.state IN ({REVIEW}, {RELEARNING}))", "suspended": "(c.suspended != 0)",
        "leech": "(c.leech != 0)", "flagged": "(c.flag != 0)",
    }[name]


def _prop_sql(name: str, op: str, value: float, ctx: QueryContext, params: list) -> str:
    if name in ("lapses", "reps"):
        params.append(value)
        return f"(c.{name} {op} ?)"
    studied = "c.state != 0 AND c.last_review IS NOT NULL"
    if name == "ivl":
        return f"({studied} AND {_day_range('(c.due - c.last_review)', op, int(value), 0, params)})"
    if name == "due":
        return f"({studied} AND {_day_range('c.due', op, int(value), ctx.today_ms, params)})"
    column = {"s": "c.stability", "d": "c.difficulty"}.get(name)
    if column is not None:
        params.append(value)
        return f"({studied} AND {column} IS NOT NULL AND {column} {op} ?)"
    # prop:r -- R(t) < r0 exactly when elapsed whole days > stability * r_threshold(r0)
    from studydeck.study.query import r_threshold

    if value <= 0:
        return "0" if op in ("<", "<=") else f"({studied} AND c.stability IS NOT NULL)"
    flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
    params.append(ctx.now_ms)
    elapsed = f"max(0, (? - c.last_review) / {MS_PER_DAY})"
    decays = dict(ctx.decays)
    if not decays:
        params.append(r_threshold(value, ctx.default_decay))
        factor = "?"
    else:
        factor = "(CASE c.deck_id" + " WHEN ? THEN ?" * len(decays) + " ELSE ? END)"
        for deck_id, decay in decays.items():
            params.extend((deck_id, r_threshold(value, decay)))
        params.append(r_threshold(value, ctx.default_decay))
    return f"({studied} AND c.stability IS NOT NULL AND {elapsed} {flipped} c.stability * {factor})"


# The unary + keeps SQLite from walking the primary key for the order instead of using
# the index that serves the query's filter; the matches are sorted afterwards.
_SORTS = {
    "due": "c.state = 0, c.due, +c.deck_id, c.position",
    "ivl": "(c.due - c.last_review) IS NULL, (c.due - c.last_review), +c.deck_id, c.position",
    "lapses": "c.lapses DESC, +c.deck_id, c.position",
    "added": "t.added, +c.deck_id, c.position",
    "deck": "+c.deck_id, c.position",
}
SORTS = tuple(_SORTS)


def _uses(node, kinds: tuple[type, ...]) -> bool:
    """Whether the query tree holds a node of one of ``kinds``."""
    from studydeck.study import query as q

    match node:
        case q.And(items) | q.Or(items):
            return any(_uses(i, kinds) for i in items)
        case q.Not(item):
            return _uses(item, kinds)
    return isinstance(node, kinds)


def search_cards(collection: Collection, node, ctx: QueryContext, decks: Sequence[Deck],
                 sort: str = "deck", limit: int | None = None) -> list[CardRow]:
    """The cards of ``decks`` matching the query tree ``node``, sorted by ``sort`` (one of
    :data:`SORTS`), at most ``limit``: one SQL statement, every value a parameter."""
    sql, args = search_sql(collection, node, ctx, decks, sort, limit)
    if sql is None:
        return []
    return [_card_row(r) for r in collection.conn.execute(sql, args)]


def search_keys(collection: Collection, node, ctx: QueryContext, decks: Sequence[Deck],
                sort: str = "deck", limit: int | None = None) -> list[tuple[str, str]]:
    """The ``(deck_id, card_id)`` of the matching cards, in order: what a search decides,
    as Anki's browser finds ids first.  :func:`rows_of` reads the rows of a page of them."""
    sql, args = search_sql(collection, node, ctx, decks, sort, limit, columns=_KEY_COLUMNS)
    return [] if sql is None else collection.conn.execute(sql, args).fetchall()


def rows_of(collection: Collection, keys: Sequence[tuple[str, str]]) -> list[CardRow]:
    """The rows of ``keys``, in their order (keys without a row are left out)."""
    found: dict[tuple[str, str], CardRow] = {}
    for start in range(0, len(keys), 400):  # 2 parameters a key, well inside SQLite's limit
        chunk = keys[start:start + 400]
        marks = ",".join("(?, ?)" for _ in chunk)
        # CROSS JOIN from the keys: one primary-key lookup each, never a walk of the table
        for r in collection.conn.execute(
                f"WITH k(d, i) AS (VALUES {marks}) "
                f"SELECT {_ROW_COLUMNS} FROM k CROSS JOIN cards c ON c.deck_id = k.d AND c.card_id = k.i",
                [part for key in chunk for part in key]):
            found[(r[0], r[1])] = _card_row(r)
    return [found[key] for key in keys if key in found]


_KEY_COLUMNS = "c.deck_id, c.card_id"


def search_sql(collection: Collection, node, ctx: QueryContext, decks: Sequence[Deck],
               sort: str = "deck", limit: int | None = None, columns: str = _ROW_COLUMNS) -> tuple[str | None, list]:
    """The statement :func:`search_cards` runs and its parameters (None: nothing can match),
    after bringing the collection's copy of the decks up to date."""
    if sort not in _SORTS:
        raise ValueError(f"sort must be one of {', '.join(_SORTS)}, got {sort!r}")
    collection.sync_decks(decks, ctx.now_ms)
    params: list = []
    where = compile_query(node, ctx, params)
    ids = [d.id for d in decks]
    if not ids:
        return None, []
    from studydeck.study.query import FlagIs, Prop, Rated, StateIs, TagIs, Text

    source = "cards c"
    if _uses(node, (Text, TagIs)) or sort == "added":
        sync_search(collection, decks, ctx.now_ms)
    if _uses(node, (Text,)):
        # CROSS JOIN: one pass over the text, then a key lookup per match (SQLite would
        # otherwise walk every card and look up its text)
        source = "card_text t CROSS JOIN cards c ON c.deck_id = t.deck_id AND c.card_id = t.card_id"
    elif isinstance(node, TagIs) and "*" not in node.pattern and sort != "added":
        # one tag alone: walk that tag's rows, then a key lookup each (the IN list would
        # probe the primary key for each of them and then test membership again)
        source = "card_tags g CROSS JOIN cards c ON c.deck_id = g.deck_id AND c.card_id = g.card_id"
        where = "(g.tag = ?)"
    elif sort == "added":
        source = "cards c JOIN card_text t ON t.deck_id = c.deck_id AND t.card_id = c.card_id"
    # Only when the collection places cards of decks not loaded now is the deck list part of
    # the query: the condition would keep SQLite from choosing the index the query needs.
    placed = {r[0] for r in collection.conn.execute("SELECT deck_id FROM deck_sync")}
    decks_sql, args = "", []
    if placed - set(ids):
        decks_sql = f"AND c.deck_id IN ({','.join('?' * len(ids))}) "
        args = list(ids)
    order = _SORTS[sort]
    if not _uses(node, (Text, TagIs, StateIs, Prop, Rated, FlagIs)):
        order = order.replace("+", "")   # no filter index to protect: walk the key in order, stop at the limit
    sql = (f"SELECT {columns} FROM {source} WHERE c.position IS NOT NULL "
           f"{decks_sql}AND {where} ORDER BY {order}")
    args += params
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    return sql, args


def card_row(collection: Collection, deck_id: str, card_id: str) -> CardRow | None:
    row = collection.conn.execute(f"SELECT {_ROW_COLUMNS} FROM cards c WHERE deck_id = ? AND card_id = ?",
                                  (deck_id, card_id)).fetchone()
    return _card_row(row) if row else None


def all_card_rows(collection: Collection) -> list[CardRow]:
    """Every row of ``cards`` (the reference scan in tests and benchmarks reads these)."""
    return [_card_row(r) for r in collection.conn.execute(f"SELECT {_ROW_COLUMNS} FROM cards c")]


# -- actions: suspend, bury, flag, forget, and their undo ----------------------

def mark_cards(collection: Collection, kind: str, keys: Iterable[tuple[str, str]], now_ms: int, *,
               value: int = 0, detail: str = "") -> int:
    """Apply one action to ``keys`` in one transaction; returns how many cards changed.

    ``kind`` is one of :data:`MARK_ACTIONS`; ``value`` is the flag (``flag``) or the
    UTC ms a bury lasts until (``bury``).  Cards already in the wanted state are
    left alone and not counted; the changed cards' previous values are recorded
    so :func:`undo_last` can put them back.
    """
    if kind not in MARK_ACTIONS:
        raise ValueError(f"unknown action {kind!r}")
    columns = _ACTION_COLUMNS[kind]
    target = {"suspend": {"suspended": 1}, "unsuspend": {"suspended": 0}, "bury": {"buried_until": value},
              "unbury": {"buried_until": 0}, "flag": {"flag": value}, "forget": _STATE_RESET}[kind]
    with collection._transaction() as conn:
        action_id = None
        changed = 0
        select = f"SELECT {', '.join(columns)} FROM cards WHERE deck_id = ? AND card_id = ?"
        assign = ", ".join(f"{c} = ?" for c in columns)
        for deck_id, card_id in dict.fromkeys(keys):
            row = conn.execute(select, (deck_id, card_id)).fetchone()
            if row is None:  # not synced yet: a new card's row, placed by the next sync
                conn.execute("INSERT INTO cards (deck_id, card_id) VALUES (?, ?)", (deck_id, card_id))
                row = conn.execute(select, (deck_id, card_id)).fetchone()
            before = dict(zip(columns, row))
            if kind == "unbury":
                wanted = not buried_at(before["buried_until"], now_ms)
            elif kind == "bury":
                wanted = before["buried_until"] >= value
            elif kind == "forget":
                wanted = before["state"] == NEW and before["reps"] == 0
            else:
                wanted = all(before[c] == target[c] for c in columns)
            if wanted:
                continue
            if action_id is None:
                action_id = conn.execute("INSERT INTO actions (kind, at, detail) VALUES (?, ?, ?)",
                                         (kind, now_ms, detail)).lastrowid
            conn.execute("INSERT INTO action_cards VALUES (?, ?, ?, ?)",
                         (action_id, deck_id, card_id, json.dumps(before, separators=(",", ":"))))
            conn.execute(f"UPDATE cards SET {assign} WHERE deck_id = ? AND card_id = ?",
                         (*(target[c] for c in columns), deck_id, card_id))
            changed += 1
    return changed


@dataclass(frozen=True, slots=True)
class Undone:
    """What :func:`undo_last` undid: a ``review``, a ``cram`` rating or an action ``kind``."""

    kind: str
    at: int
    cards: int
    detail: str


def undo_last(collection: Collection, now_ms: int) -> Undone | None:
    """Undo the latest standing review, cram rating or action, whichever came last; None if none."""
    conn = collection.conn
    review = conn.execute(f"SELECT id, reviewed_at, deck_id, card_id FROM reviews r WHERE {STANDING} "
                          "ORDER BY id DESC LIMIT 1").fetchone()
    cram = conn.execute("SELECT id, reviewed_at, deck_id, card_id FROM cram_reviews WHERE undone_at IS NULL "
                        "ORDER BY id DESC LIMIT 1").fetchone()
    action = conn.execute("SELECT id, at, kind, detail FROM actions WHERE undone_at IS NULL "
                          "ORDER BY id DESC LIMIT 1").fetchone()
    candidates = [(row[1], rank, row) for rank, row in ((0, review), (1, cram), (2, action)) if row]
    if not candidates:
        return None
    _at, rank, row = max(candidates, key=lambda c: (c[0], c[1]))
    if rank == 0:
        collection.undo_review(row[0], now_ms)
        return Undone("review", row[1], 1, f"{row[2]}/{row[3]}")
    if rank == 1:
        undo_cram(collection, row[0], now_ms)
        return Undone("cram", row[1], 1, f"{row[2]}/{row[3]}")
    action_id, at, kind, detail = row
    columns = _ACTION_COLUMNS[kind]
    with collection._transaction() as conn:
        if conn.execute("SELECT undone_at FROM actions WHERE id = ?", (action_id,)).fetchone()[0] is not None:
            raise CollectionError(f"action {action_id} was already undone")
        cards = conn.execute("SELECT deck_id, card_id, before FROM action_cards WHERE action_id = ?",
                             (action_id,)).fetchall()
        assign = ", ".join(f"{c} = ?" for c in columns)
        for deck_id, card_id, before in cards:
            values = json.loads(before)
            conn.execute(f"UPDATE cards SET {assign} WHERE deck_id = ? AND card_id = ?",
                         (*(values[c] for c in columns), deck_id, card_id))
        conn.execute("UPDATE actions SET undone_at = ? WHERE id = ?", (now_ms, action_id))
    return Undone(kind, at, len(cards), detail)


def forget_times(collection: Collection) -> dict[tuple[str, str], int]:
    """For each card forgotten by a standing ``forget``, when (UTC ms) it last was:
    replaying its history starts after that moment."""
    rows = collection.conn.execute(
        "SELECT ac.deck_id, ac.card_id, max(a.at) FROM action_cards ac JOIN actions a ON a.id = ac.action_id "
        "WHERE a.kind = 'forget' AND a.undone_at IS NULL GROUP BY ac.deck_id, ac.card_id")
    return {(d, c): at for d, c, at in rows}


def card_actions(collection: Collection, deck_id: str, card_id: str) -> list[tuple[int, str, bool]]:
    """(UTC ms, kind, undone) of every action that changed one card, oldest first."""
    rows = collection.conn.execute(
        "SELECT a.at, a.kind, a.undone_at IS NOT NULL FROM action_cards ac JOIN actions a ON a.id = ac.action_id "
        "WHERE ac.deck_id = ? AND ac.card_id = ? ORDER BY a.id", (deck_id, card_id))
    return [(at, kind, bool(undone)) for at, kind, undone in rows]


# -- cram ratings: recorded apart, so they never touch scheduling --------------

def record_cram(collection: Collection, deck_id: str, card_id: str, reviewed_at: int, rating: int,
                answer_ms: int | None) -> int:
    with collection._transaction() as conn:
        return int(conn.execute(
            "INSERT INTO cram_reviews (deck_id, card_id, reviewed_at, rating, answer_ms) VALUES (?, ?, ?, ?, ?)",
            (deck_id, card_id, reviewed_at, rating, answer_ms)).lastrowid)


def undo_cram(collection: Collection, cram_id: int, undone_at: int) -> None:
    with collection._transaction() as conn:
        conn.execute("UPDATE cram_reviews SET undone_at = ? WHERE id = ? AND undone_at IS NULL", (undone_at, cram_id))


def cram_ratings(collection: Collection, deck_id: str, card_id: str) -> list[tuple[int, int]]:
    """(UTC ms, rating) of one card's standing cram ratings, oldest first."""
    return collection.conn.execute(
        "SELECT reviewed_at, rating FROM cram_reviews WHERE deck_id = ? AND card_id = ? AND undone_at IS NULL "
        "ORDER BY id", (deck_id, card_id)).fetchall()


def card_reviews(collection: Collection, deck_id: str, card_id: str) -> list[ReviewRow]:
    """One card's standing reviews, oldest first."""
    return list(collection._review_rows(["r.deck_id = ?", "r.card_id = ?", STANDING], [deck_id, card_id],
                                        walk=True))


def counts_by_deck_since(collection: Collection, since_ms: int) -> dict[str, tuple[int, int]]:
    """Deck id -> (reviews, new cards introduced) since ``since_ms``, undone ones excluded."""
    rows = collection.conn.execute(
        "SELECT deck_id, count(*), coalesce(sum(r.prior = 0), 0) FROM reviews r "
        f"WHERE r.reviewed_at >= ? AND {STANDING} GROUP BY deck_id", (since_ms,))
    return {deck_id: (int(n), int(new)) for deck_id, n, new in rows}


def review_log(collection: Collection) -> list[tuple[int, str, str, int, int, int, int | None]]:
    """Every standing review as (id, deck, card, UTC ms, rating 1-5, FSRS rating, answer ms),
    in order, without the JSON states (the optimizer and ``reschedule`` read only these)."""
    # NOT IN: the undone ids are read once, not probed per row as NOT EXISTS does
    return collection.conn.execute(
        "SELECT id, deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms FROM reviews "
        "WHERE id NOT IN (SELECT review_id FROM undos) ORDER BY id").fetchall()


def review_days(collection: Collection, day_start_s: int,
                offsets: Sequence[tuple[int, int]]) -> list[tuple[str, str, str, str, str]]:
    """Every card's standing reviews as one row: (deck, card, UTC ms, study days, FSRS
    ratings), the last three comma-separated in the order of the covering index
    ``reviews_card_time`` (time, then id; the caller checks the order).  One row per card
    keeps 100,000 reviews from becoming 100,000 Python tuples.  The study day counts days
    since the epoch in local time, rolling over ``day_start_s`` seconds after midnight;
    ``offsets`` are (from UTC ms, UTC offset in s) pairs in time order, the first applying
    from the start (daylight saving)."""
    offset = "CASE" + " WHEN reviewed_at < ? THEN ?" * (len(offsets) - 1) + " ELSE ? END" if len(offsets) > 1 else "?"
    params: list[int] = []
    for (_start, seconds), (next_start, _next) in zip(offsets, offsets[1:]):
        params += [next_start, seconds]
    params += [offsets[-1][1], day_start_s]
    return collection.conn.execute(
        f"SELECT deck_id, card_id, group_concat(reviewed_at), group_concat((reviewed_at / 1000 + {offset} - ?) / 86400), "
        "group_concat(fsrs_rating) FROM reviews INDEXED BY reviews_card_time "
        "WHERE id NOT IN (SELECT review_id FROM undos) GROUP BY deck_id, card_id", params).fetchall()


def review_span(collection: Collection) -> tuple[int | None, int | None]:
    """The first and last review times (UTC ms), undone reviews included."""
    return collection.conn.execute("SELECT min(reviewed_at), max(reviewed_at) FROM reviews").fetchone()


# -- fitted FSRS parameters, per preset ----------------------------------------

def saved_parameters(collection: Collection) -> dict[str, tuple[float, ...]]:
    """Preset name -> the FSRS parameters fitted for it and saved."""
    return {preset: tuple(json.loads(params))
            for preset, params in collection.conn.execute("SELECT preset, parameters FROM fsrs_parameters")}


def save_parameters(collection: Collection, preset: str, parameters: Sequence[float], fitted_at: int,
                    reviews: int, log_loss: float | None, rmse: float | None) -> None:
    with collection._transaction() as conn:
        conn.execute("INSERT OR REPLACE INTO fsrs_parameters VALUES (?, ?, ?, ?, ?, ?)",
                     (preset, json.dumps([float(p) for p in parameters]), fitted_at, reviews, log_loss, rmse))


def set_due(collection: Collection, changes: Iterable[tuple[str, str, CardState]]) -> int:
    """Write recomputed states (``reschedule``) in one transaction; returns how many."""
    changes = list(changes)
    collection.put_states({(deck_id, card_id): state for deck_id, card_id, state in changes})
    return len(changes)
