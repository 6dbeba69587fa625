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

Every rating is written in its own ``BEGIN IMMEDIATE`` transaction and
committed before the caller moves on.  WAL mode and a busy timeout let two
studydeck processes share one collection.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Iterable, Iterator

if TYPE_CHECKING:
    from studydeck.model import Deck

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000

# State codes, as in fsrs.State; 0 is "new" (no row).
NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3

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
}


class CollectionError(Exception):
    """The collection cannot be used; the message says which file and why."""


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
        data = json.loads(text)
        data["leech"] = bool(data.get("leech", False))
        return cls(**data)


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


_CARD_COLUMNS = "state, step, stability, difficulty, due, last_review, reps, lapses, leech"


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
        row = self.conn.execute(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE deck_id = ? AND card_id = ? AND state != 0",
            (deck_id, card_id),
        ).fetchone()
        return _row_to_state(row) if row else None

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
            "AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)", (since_ms,)))

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
            "WHERE r.reviewed_at >= ? AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)",
            (since_ms,),
        ).fetchone()
        return int(row[0]), int(row[1])

    def review_count(self, deck_id: str, card_id: str) -> int:
        """Reviews of one card that stand (undone ones excluded)."""
        row = self.conn.execute(
            "SELECT count(*) FROM reviews r WHERE deck_id = ? AND card_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)",
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
            where.append("NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id)")
        return self._review_rows(where, params)

    def review(self, review_id: int) -> ReviewRow | None:
        return next(self._review_rows(["id = ?"], [review_id]), None)

    def _review_rows(self, where: list[str], params: list) -> Iterator[ReviewRow]:
        sql = (
            "SELECT id, deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms, "
            "state_before, state_after FROM reviews r"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        for row in self.conn.execute(sql, params):
            rid, deck, card, at, rating, frating, ms, before, after = row
            yield ReviewRow(
                rid, deck, card, at, rating, frating, ms,
                CardState.from_json(before) if before else None,
                CardState.from_json(after),
            )

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
            cur = conn.execute(
                "INSERT INTO reviews (deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms, "
                "state_before, state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms,
                 before.to_json() if before else None, after.to_json()),
            )
            self._put_state(conn, deck_id, card_id, after)
            return int(cur.lastrowid)

    def undo_review(self, review_id: int, undone_at: int) -> ReviewRow:
        """Restore the card state from before ``review_id`` and mark it undone."""
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT deck_id, card_id, state_before FROM reviews WHERE id = ?", (review_id,)
            ).fetchone()
            if row is None:
                raise CollectionError(f"no review {review_id} to undo")
            if conn.execute("SELECT 1 FROM undos WHERE review_id = ?", (review_id,)).fetchone():
                raise CollectionError(f"review {review_id} was already undone")
            deck_id, card_id, before = row
            if before is None:
                conn.execute(
                    "UPDATE cards SET state = 0, step = NULL, stability = NULL, difficulty = NULL, due = 0, "
                    "last_review = NULL, reps = 0, lapses = 0, leech = 0 WHERE deck_id = ? AND card_id = ?",
                    (deck_id, card_id),
                )
            else:
                self._put_state(conn, deck_id, card_id, CardState.from_json(before))
            conn.execute("INSERT INTO undos (review_id, undone_at) VALUES (?, ?)", (review_id, undone_at))
        return self.review(review_id)

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
        return _Transaction(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``: takes the write lock up front, so a
    second process waits for it (busy timeout) instead of failing mid-way."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


def _connect(target: str) -> sqlite3.Connection:
    # timeout= is SQLite's busy timeout: a writer waits for another process's lock
    return sqlite3.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)


def _migrate(conn: sqlite3.Connection, path: Path | str) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise CollectionError(
            f"{path}: collection schema version {version} is newer than this studydeck "
            f"understands ({SCHEMA_VERSION}); upgrade studydeck. The file was not changed."
        )
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
        conn.execute("ROLLBACK")
        raise


def open_collection(path: Path, create: bool = True) -> Collection:
    """Open (and with ``create``, make) the collection at ``path``.

    A file that is not a studydeck collection, is corrupt, or has a newer
    schema raises :class:`CollectionError`; it is never overwritten.  Without
    ``create``, a missing file opens as an empty in-memory collection so that
    read-only commands leave no trace.
    """
    path = Path(path)
    if not path.exists():
        if not create:
            conn = _connect(":memory:")
            _migrate(conn, ":memory:")
            return Collection(conn, None)
        path.parent.mkdir(parents=True, exist_ok=True)
    elif path.is_dir():
        raise CollectionError(f"{path}: is a folder, expected a collection file")
    try:
        conn = _connect(str(path))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if tables and version == 0:
            raise CollectionError(f"{path}: not a studydeck collection (unknown tables); the file was not changed")
        if version and not {"cards", "reviews", "undos", "deck_sync"} <= tables and version <= SCHEMA_VERSION:
            raise CollectionError(f"{path}: collection is missing tables; the file was not changed")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")  # a rating survives power loss, not only a crash
        _migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        raise CollectionError(
            f"{path}: not a readable studydeck collection ({exc}); the file was not changed. "
            "Move it aside to start a new collection."
        ) from None
    return Collection(conn, path)
