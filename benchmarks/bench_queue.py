"""Today's queue when half of 100,000 cards are due, against the same when 1% are.

Figure: ``queue.build_queue`` on a collection of N cards (default 100,000; 90%
studied, of those 2% in learning or relearning) and a review log of R rows
(default 1,000,000), once with 50% of the studied cards due and once with 1%
due; the decks are already synced into the collection, as after any earlier
run.  Each run is a first call, as at the start of a session, with fresh
``Deck`` objects in two forms: decks decoded from the parse cache (their cards
built when first looked at, by the deck loader's rules), and decks whose cards
are already built (a tuple), which measures the queue's own work.

Second figure, what starting a session costs: ``Session(...)`` on the same
decks and collections, i.e. ``build_queue``, the learning cards due later today
and the first card built, at 50% against 1% due, in the same two forms.

Baseline: the same build (session start) with 1% due.  The eight cases are interleaved (order
reversed every round); the script prints the median and min-max of each and of
the per-pair ratio 50% / 1%.  Targets: ratio <= 1.5 and the 50% case <= 30 ms.
Times are thread CPU time (time.thread_time; SQLite runs in this thread): on
the shared machine wall time mostly measures the other processes.

Run: PYTHONPATH=. python benchmarks/bench_queue.py [--cards N] [--reviews N] [--pairs 9]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, UTC
from pathlib import Path

from studydeck.config import Config
from studydeck.deckfile import cache
from studydeck.model import Card, Deck
from studydeck.study.clock import to_ms
from studydeck.study.queue import build_queue
from studydeck.study.session import Session
from benchmarks.review_rows import insert_reviews
from studydeck.store import LEARNING, RELEARNING, REVIEW, CardState, open_collection

BUDGET_MS = 30.0
RATIO_TARGET = 1.5
DAY_MS = 86_400_000


def make_decks(n_cards: int, per_deck: int = 1000) -> list[bytes]:
    """Each deck as a parse-cache entry, decoded afresh for every run."""
    entries = []
    for d in range(max(1, n_cards // per_deck)):
        deck_id = f"deck-{d:03d}"
        cards = tuple(
            Card(deck_id=deck_id, card_id=f"card-{i:05d}", note_id=f"card-{i:05d}", type="basic",
                 front=f"Question {i}", back=f"Answer {i}", line=3 * i + 4)
            for i in range(min(per_deck, n_cards))
        )
        deck = Deck(id=deck_id, title=deck_id, description="", path=f"{deck_id}.yaml",
                    cards=cards, content_hash=f"hash-{deck_id}")
        entries.append(cache.encode(cache.Parsed(deck)))
    return entries


def fresh_decks(entries: list[bytes]) -> list[Deck]:
    return [cache.decode(blob, "deck.yaml").deck for blob in entries]


def fill(path: Path, decks: list[Deck], n_reviews: int, now: datetime, due_fraction: float) -> None:
    rng = random.Random(7)
    now_ms = to_ms(now)
    col = open_collection(path)
    col.sync_decks(decks, now_ms)
    keys = [(d.id, c.card_id) for d in decks for c in d.cards]
    studied = keys[: int(len(keys) * 0.9)]
    rows = []
    for deck_id, card_id in studied:
        state = REVIEW if rng.random() < 0.98 else rng.choice((LEARNING, RELEARNING))
        if rng.random() < due_fraction:
            due = now_ms - rng.randint(0, 10 * DAY_MS)
        else:
            due = now_ms + rng.randint(60_000, 30 * DAY_MS)
        rows.append((state, due, now_ms - DAY_MS, deck_id, card_id))
    snapshot = CardState(2, None, 5.0, 5.0, now_ms, now_ms, 5, 0, False)
    conn = col.conn
    conn.execute("BEGIN")
    conn.executemany(
        "UPDATE cards SET state = ?, stability = 5.0, difficulty = 5.0, due = ?, last_review = ?, "
        "reps = 5 WHERE deck_id = ? AND card_id = ?", rows)
    start = now_ms - 400 * DAY_MS
    step = max(1, (now_ms - DAY_MS - start) // max(1, n_reviews))
    insert_reviews(col, ((*studied[i % len(studied)], start + i * step, 4, 3, 5000,
                          snapshot if i >= len(studied) else None, snapshot) for i in range(n_reviews)))
    conn.execute("COMMIT")
    col.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=9)
    args = parser.parse_args()
    now = datetime.now(UTC)
    entries = make_decks(args.cards)
    config = Config()
    with tempfile.TemporaryDirectory() as tmp:
        cols = {}
        for fraction in (0.01, 0.5):
            path = Path(tmp) / f"due-{fraction}.sqlite3"
            t0 = time.perf_counter()
            fill(path, fresh_decks(entries), args.reviews, now, fraction)
            print(f"collection {fraction:.0%} due: {args.cards:,} cards, {args.reviews:,} reviews "
                  f"(built in {time.perf_counter() - t0:.1f} s)")
            cols[fraction] = open_collection(path)
        later = now + timedelta(seconds=1)

        def run(fraction: float, decks_from: str, what: str) -> float:
            decks = fresh_decks(entries)
            if decks_from == "built":
                decks = [replace(d, cards=tuple(d.cards)) for d in decks]
            gc.collect()  # the decks just made are not the queue's garbage to collect
            start = time.thread_time()
            if what == "queue":
                queue = build_queue(cols[fraction], decks, config, later)
            else:
                session = Session(cols[fraction], decks, config, clock=lambda: later)
            spent = (time.thread_time() - start) * 1000
            if what == "queue":
                sizes[fraction] = (len(queue.learning_keys), len(queue.review_keys), len(queue.new_keys))
            else:
                assert session.current is not None
            return spent

        sizes: dict[float, tuple[int, int, int]] = {}
        cases = [(f, m, w) for w in ("queue", "session") for m in ("cache", "built") for f in (0.01, 0.5)]
        for case in cases:
            run(*case)
        times: dict[tuple[float, str], list[float]] = {case: [] for case in cases}
        for r in range(args.pairs):
            for case in (cases if r % 2 == 0 else cases[::-1]):
                times[case].append(run(*case))
        for col in cols.values():
            col.close()
    for fraction in (0.01, 0.5):
        learning, reviews, new = sizes[fraction]
        print(f"{fraction:4.0%} due: queue {learning} learning, {reviews} reviews, {new} new")
    print(f"baseline: the 1%-due case; budget {BUDGET_MS:.0f} ms for the 50%-due case; {args.pairs} pairs, "
          "thread CPU time")
    for (kind, mode), what in (
            (("queue", "cache"), "build_queue, decks fresh from the parse cache (a session's first build)"),
            (("queue", "built"), "build_queue, decks with their cards built (tuples)"),
            (("session", "cache"), "session start (queue, learning due later, first card), decks from the cache"),
            (("session", "built"), "session start, decks with their cards built")):
        low, high = times[(0.01, mode, kind)], times[(0.5, mode, kind)]
        ratios = [h / lo for h, lo in zip(high, low)]
        median, ratio = statistics.median(high), statistics.median(ratios)
        print(f"{what}:")
        print(f"   1% due: median {statistics.median(low):.1f} ms [{min(low):.1f}-{max(low):.1f}]")
        print(f"  50% due: median {median:.1f} ms [{min(high):.1f}-{max(high):.1f}] "
              f"({'meets' if median <= BUDGET_MS else 'MISSES'} <= {BUDGET_MS:.0f} ms)")
        print(f"  ratio 50% / 1%: median {ratio:.2f} [{min(ratios):.2f}-{max(ratios):.2f}] "
              f"({'meets' if ratio <= RATIO_TARGET else 'MISSES'} <= {RATIO_TARGET})")


if __name__ == "__main__":
    main()
