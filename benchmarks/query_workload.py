"""The workload of bench_query.py, bench_browse.py and bench_return_home.py, generated (never committed).

100,000 cards in 20 decks of 5,000 (text with five gate names, one card in a hundred
with an accented word, two tags each), synced into a new collection in a temp
folder; 85 % of them studied (80 % review, 5 % learning, due dates from 10 days
ago to 60 days ahead, intervals 1-120 days), 1 % suspended; 1,000,000 review rows
(about 12 per studied card, spread over the last year).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from studydeck.model import Card, Deck
from studydeck.store import REVIEW_INSERT, CardState, open_collection, review_insert_rows
from studydeck.study.scheduler import to_ms

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
DAY = 86_400_000
GATES = ("forget", "input", "output", "update", "reset")
ACCENTED = ("école", "naïve", "Größe", "café")


def make_decks(cards: int = 100_000, decks: int = 20) -> list[Deck]:
    per = cards // decks
    out = []
    for d in range(decks):
        deck_id = f"bench-{d:02d}"
        made = []
        for c in range(per):
            gate = GATES[c % 5]
            extra = f" ({ACCENTED[(c // 100) % 4]})" if c % 100 == 7 else ""
            made.append(Card(deck_id, f"card-{c:05d}", f"card-{c:05d}", "basic",
                             f"Question {c} of deck {d}: what does the **{gate} gate** compute at step {c % 50}?{extra}",
                             f"Answer {c}: it scales the {gate} path by σ(W x + U h + b).", line=3 + 3 * c,
                             tags=(f"gate-{gate}", f"week-{c % 12}")))
        # a content hash, as every deck the loader makes has (the collection's sync keys on it)
        out.append(Deck(deck_id, f"Benchmark deck {d}", "", f"{deck_id}.yaml", tuple(made), f"bench-{d}-{per}"))
    return out


def make_collection(path: Path, decks: list[Deck], reviews: int = 1_000_000, seed: int = 1) -> None:
    rng = random.Random(seed)
    now = to_ms(NOW)
    with open_collection(path) as col:
        col.sync_decks(decks, now)
        keys = [c.key for d in decks for c in d.cards]
        studied = []
        updates = []
        for key in keys:
            roll = rng.random()
            if roll < 0.15:
                continue
            state = 1 if roll < 0.20 else 2
            ivl = rng.randint(1, 120) if state == 2 else 0
            due = now + rng.randint(-10 * DAY, 60 * DAY)
            last = due - ivl * DAY - (0 if state == 2 else 600_000)
            updates.append((state, max(0.1, ivl * rng.uniform(0.8, 1.2)), rng.uniform(1, 10), due, last,
                            rng.randint(1, 20), rng.randint(0, 4), int(rng.random() < 0.01), *key))
            studied.append(key)
        conn = col.conn
        conn.execute("BEGIN")
        conn.executemany("UPDATE cards SET state = ?, stability = ?, difficulty = ?, due = ?, last_review = ?, "
                         "reps = ?, lapses = ?, suspended = ? WHERE deck_id = ? AND card_id = ?", updates)
        after = CardState(2, None, 10.0, 5.0, 0, 0, 1, 0, False)
        rows = ((studied[i % len(studied)][0], studied[i % len(studied)][1], now - rng.randint(0, 365 * DAY),
                 rng.choice((1, 3, 4, 4, 5)), 3, 4000, None if i < len(studied) else after, after)
                for i in range(reviews))
        conn.executemany(REVIEW_INSERT, review_insert_rows(rows))
        conn.execute("COMMIT")
        conn.execute("ANALYZE")


def options(description: str, repeats: int) -> argparse.Namespace:
    """The command line of a benchmark on this workload: --repeats, --cards, --reviews."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    return parser.parse_args()


@contextmanager
def workload(cards: int, reviews: int) -> Iterator[tuple[Path, list[Deck]]]:
    """A temporary home holding the workload's collection, and its decks; says what it made."""
    with tempfile.TemporaryDirectory() as tmp:
        home, start = Path(tmp), time.perf_counter()
        decks = make_decks(cards)
        make_collection(home / "collection.sqlite3", decks, reviews)
        print(f"workload: {cards:,} cards in {len(decks)} decks, {reviews:,} reviews "
              f"(generated in {time.perf_counter() - start:.1f} s)")
        yield home, decks
