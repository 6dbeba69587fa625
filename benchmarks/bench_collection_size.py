"""Collection file size per million reviews, before and after the review log became columns.

Figure: bytes per review = the collection file's size after ``VACUUM`` divided by
the number of review rows, for a generated collection of C cards (default
100,000) and R reviews (default 1,000,000), written the way schema version 4
wrote them (the before- and after-state of every review as JSON), then the same
file migrated in place to the current schema by opening it.

Baseline: the schema-4 file.  Printed: both sizes in bytes per review and MiB per
million reviews, the ratio, and the target (<= 150 MiB per million reviews).
The migrated copy is also checked, which is the migration's test at scale:
every review's before- and after-state reads back exactly as its JSON,
``doctor`` finds 0 disagreements, and undoing the latest review restores its
before-state.  The reviews are made by the real scheduler (fuzz on), 8-12 per
card at their due times, one in a thousand undone.

Run: PYTHONPATH=. python benchmarks/bench_collection_size.py [--cards N] [--reviews N]
(several minutes at 1M; the files live in a temporary folder, deleted at the end)
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from studydeck import store
from studydeck.config import Config
from studydeck.store import CardState, open_collection
from studydeck.study.clock import MS_PER_DAY, from_ms
from studydeck.study.scheduler import Scheduler

TARGET_MIB_PER_MILLION = 150.0
OLD_VERSION = 4


def old_collection(path: Path) -> sqlite3.Connection:
    """An empty collection at schema version 4, made by that version's own migrations."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for target in range(1, OLD_VERSION + 1):
        for statement in store._statements(store._MIGRATIONS[target]):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {OLD_VERSION}")
    return conn


def generate(path: Path, n_cards: int, n_reviews: int, seed: int = 3) -> tuple[int, int]:
    """Write the schema-4 collection; returns (reviews, undone)."""
    rng = random.Random(seed)
    scheduler = Scheduler(Config())
    conn = old_collection(path)
    conn.execute("BEGIN")
    per_card = max(1, n_reviews // n_cards)
    start_ms = 1_600_000_000_000
    reviews = undone = 0
    rows, undos, cards = [], [], []
    next_id = 1
    for c in range(n_cards):
        deck_id, card_id = f"deck-{c // 1000:03d}", f"card-{c % 1000:05d}"
        count = per_card + (1 if c < n_reviews - per_card * n_cards else 0)
        at = start_ms + rng.randint(0, 30) * MS_PER_DAY
        before: CardState | None = None
        for i in range(count):
            rating = rng.choices((1, 2, 3, 4, 5), (8, 5, 10, 70, 7))[0]
            outcome = scheduler.review(before, rating, from_ms(at), rng.randint(1500, 20000),
                                       key=f"{deck_id}/{card_id}")
            after = outcome.after
            rows.append((next_id, deck_id, card_id, at, rating, outcome.fsrs_rating, 4000,
                         before.to_json() if before else None, after.to_json()))
            if i == count - 1 and rng.random() < 0.001 * per_card and before is not None:
                undos.append((next_id, at + 1000))   # the card's last review undone
                undone += 1
            else:
                before = after
            next_id += 1
            at = max(after.due, at + 60_000)
        reviews += count
        if before is not None:
            cards.append((deck_id, card_id, c % 1000, before.state, before.step, before.stability,
                          before.difficulty, before.due, before.last_review, before.reps, before.lapses,
                          int(before.leech)))
        if len(rows) > 100_000:
            _flush(conn, rows, cards)
    _flush(conn, rows, cards)
    conn.executemany("INSERT INTO undos VALUES (?, ?)", undos)
    conn.execute("COMMIT")
    conn.close()
    return reviews, undone


def _flush(conn: sqlite3.Connection, rows: list, cards: list) -> None:
    conn.executemany("INSERT INTO reviews (id, deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms, "
                     "state_before, state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO cards (deck_id, card_id, position, state, step, stability, difficulty, due, "
                     "last_review, reps, lapses, leech) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cards)
    rows.clear()
    cards.clear()


def vacuumed_size(path: Path) -> int:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path.stat().st_size


def check_migrated(old: Path, new: Path) -> tuple[int, int]:
    """Compare every review of the migrated file with its JSON in the old one; returns
    (reviews compared, doctor's disagreements).  Raises AssertionError on a difference."""
    from studydeck.study import doctor

    source = sqlite3.connect(old)
    compared = 0
    with open_collection(new) as col:
        old_rows = source.execute("SELECT id, state_before, state_after FROM reviews ORDER BY id")
        for row, (rid, before, after) in zip(col.reviews(include_undone=True), old_rows, strict=True):
            assert row.id == rid
            assert row.after == CardState.from_json(after), rid
            assert row.before == (CardState.from_json(before) if before else None), rid
            compared += 1
        report = doctor.check(col, Config())
        latest = col.conn.execute(f"SELECT id FROM reviews r WHERE {store.STANDING} "
                                  "ORDER BY id DESC LIMIT 1").fetchone()[0]
        undone = col.undo_review(latest, compared)
        state = col.card_state(undone.deck_id, undone.card_id)
        assert state == undone.before, (state, undone.before)
    source.close()
    return compared, report.disagreements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "schema4.sqlite3", Path(tmp) / "migrated.sqlite3"
        t = time.perf_counter()
        n, undone = generate(old, args.cards, args.reviews)
        print(f"generated: {args.cards:,} cards, {n:,} reviews ({undone} undone) in "
              f"{timedelta(seconds=round(time.perf_counter() - t))}")
        before = vacuumed_size(old)
        shutil.copy(old, new)
        t = time.perf_counter()
        open_collection(new).close()
        print(f"migration to schema {store.SCHEMA_VERSION} in place: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        compared, disagreements = check_migrated(old, new)
        print(f"checked: {compared:,} reviews read back exactly, doctor: {disagreements} disagreements, "
              f"undo restores the before-state ({time.perf_counter() - t:.0f} s)")
        after = vacuumed_size(new)
    mib = [size / n * 1_000_000 / 2**20 for size in (before, after)]
    print(f"baseline: schema {OLD_VERSION} (states as JSON): {before / n:.1f} bytes/review, "
          f"{mib[0]:.1f} MiB per million reviews")
    print(f"schema {store.SCHEMA_VERSION} (states as columns): {after / n:.1f} bytes/review, "
          f"{mib[1]:.1f} MiB per million reviews")
    print(f"ratio new / old: {after / before:.2f}; "
          f"{'meets' if mib[1] <= TARGET_MIB_PER_MILLION and not disagreements else 'MISSES'} "
          f"<= {TARGET_MIB_PER_MILLION:.0f} MiB per million reviews")


if __name__ == "__main__":
    main()
