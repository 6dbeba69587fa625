"""Building today's queue with 100,000 cards and 1,000,000 review rows.

Figure: the median time of ``queue.build_queue`` (due learning cards, due
reviews within the daily cap, new cards within the new-card limit) over a
collection where 80% of 100,000 cards have been studied, about one in eight
of them is due, and the review log holds 1,000,000 rows.  The decks are
already synced into the collection (as after any earlier run); the time to
sync them the first time is printed too.  Baseline: the 50 ms budget
(one frame at 20 fps); the ratio is median / budget and must be <= 1.0.

Run: python benchmarks/bench_queue.py [--cards N] [--reviews N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, UTC
from pathlib import Path

from studydeck.config import Config
from studydeck.model import Card, Deck
from studydeck.study.clock import to_ms
from studydeck.study.queue import build_queue
from studydeck.store import open_collection

BUDGET_MS = 50.0


def make_decks(n_cards: int, per_deck: int = 1000) -> list[Deck]:
    decks = []
    for d in range(n_cards // per_deck):
        deck_id = f"deck-{d:03d}"
        cards = tuple(
            Card(deck_id=deck_id, card_id=f"card-{i:05d}", note_id=f"card-{i:05d}", type="basic",
                 front=f"Question {i}", back=f"Answer {i}")
            for i in range(per_deck)
        )
        # content_hash stands in for the hash the deck loader records for each file
        decks.append(Deck(id=deck_id, title=deck_id, description="", path=f"{deck_id}.yaml", cards=cards,
                          content_hash=f"hash-{deck_id}"))
    return decks


def fill(path: Path, decks: list[Deck], n_reviews: int, now: datetime) -> None:
    rng = random.Random(7)
    col = open_collection(path)
    now_ms = to_ms(now)
    keys = [(d.id, c.card_id) for d in decks for c in d.cards]
    studied = keys[: int(len(keys) * 0.8)]
    state_rows = []
    for deck_id, card_id in studied:
        due = now_ms + rng.randint(-2, 20) * 86_400_000 // 2
        state = 2 if rng.random() < 0.95 else 1
        state_rows.append((state, due, now_ms - 86_400_000, deck_id, card_id))
    snapshot = json.dumps({"state": 2, "step": None, "stability": 5.0, "difficulty": 5.0,
                           "due": now_ms, "last_review": now_ms, "reps": 5, "lapses": 0, "leech": False})
    col.sync_decks(decks, now_ms)
    conn = col.conn
    conn.execute("BEGIN")
    conn.executemany(
        "UPDATE cards SET state = ?, stability = 5.0, difficulty = 5.0, due = ?, last_review = ?, reps = 5 "
        "WHERE deck_id = ? AND card_id = ?",
        state_rows,
    )
    start = now_ms - 400 * 86_400_000
    step = (now_ms - 86_400_000 - start) // n_reviews
    conn.executemany(
        "INSERT INTO reviews (deck_id, card_id, reviewed_at, rating, fsrs_rating, answer_ms, state_before, state_after)"
        " VALUES (?, ?, ?, 4, 3, 5000, ?, ?)",
        ((*studied[i % len(studied)], start + i * step, snapshot, snapshot) for i in range(n_reviews)),
    )
    conn.execute("COMMIT")
    col.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    now = datetime.now(UTC)
    decks = make_decks(args.cards)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "collection.sqlite3"
        t0 = time.perf_counter()
        fill(path, decks, args.reviews, now)
        print(f"collection: {args.cards:,} cards, {args.reviews:,} reviews (built in {time.perf_counter() - t0:.1f} s)")
        config = Config()
        with open_collection(path) as col:
            col.conn.execute("DELETE FROM deck_sync")
            t = time.perf_counter()
            col.sync_decks(decks, to_ms(now))
            first_ms = (time.perf_counter() - t) * 1000
            print(f"first sync of {args.cards:,} cards into a collection: {first_ms:.0f} ms (once per deck change)")
            times = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                queue = build_queue(col, decks, config, now + timedelta(seconds=1))
                times.append((time.perf_counter() - t) * 1000)
        median = statistics.median(times)
        print(f"queue: {len(queue.learning)} learning, {len(queue.reviews)} reviews, {len(queue.new)} new")
        print(f"baseline: budget {BUDGET_MS:.0f} ms")
        print(f"build_queue: median {median:.1f} ms (min {min(times):.1f}, max {max(times):.1f}, n={len(times)})")
        print(f"ratio median/budget: {median / BUDGET_MS:.2f} ({'meets' if median <= BUDGET_MS else 'MISSES'} the target <= 1.0)")


if __name__ == "__main__":
    main()
