"""`studydeck doctor` on 100,000 cards with 100,000 / 1,000,000 / 5,000,000 reviews, against one read of the log.

Figure: the time of ``doctor.run`` (opening the collection read-only, replaying
every card's standing reviews, comparing with the stored states, printing the
report into a buffer) on a collection of N cards (default 100,000; 90% of them
studied) and R reviews (``--reviews``, default 100,000, 1,000,000 and
5,000,000), the reviews spread round-robin over the studied cards across two
years, each one's before-state the card's previous after-state (as the app
writes them), one in a thousand undone (between a card's first and last review), and 100 cards whose stored state was
changed behind the log's back (so the report has 100 lines to find and print).

Baseline, the floor of any replay: the same rows read once through plain
``sqlite3`` and dropped — every standing review row (the columns doctor
reads, the same undo filter, in id order) and every card row — with no
Python work per row beyond the fetch.  A replay cannot read less than the
whole standing log and every stored state, so ratio 1 is the floor and what is
above it is doctor's own work per row.  Target: ratio <= 3.

The two alternate (order swapped every pair) for ``--pairs`` pairs (default 7)
after one unmeasured run of each; printed: median [min-max] of each and of the
per-pair ratio, in process CPU time (on the shared machine wall time mostly
measures the other processes) and, beside it, in wall time.  Then one more run
of each under ``tracemalloc``: its peak of Python allocations, which must not
grow with the number of reviews.

Run: PYTHONPATH=. python benchmarks/bench_doctor.py [--cards N] [--reviews N ...] [--pairs 7] [--workdir DIR]
The collections are built under ``--workdir`` and kept there for the next run
(about 150 MiB per million reviews; 5M takes a few minutes to build), or in a
temporary folder deleted at the end.
"""

from __future__ import annotations

import argparse
import gc
import io
import random
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from benchmarks.review_rows import insert_reviews
from studydeck.config import Config
from studydeck.store import RELEARNING, REVIEW, CardState, open_collection
from studydeck.study import doctor
from studydeck.study.clock import MS_PER_DAY

RATIO_TARGET = 3.0
TAMPERED = 100
YEARS = 2
# 2026-01-01 UTC: a fixed "now" keeps a cached collection the same from run to run
NOW_MS = 1_767_225_600_000

# the floor's statements: the columns and the undo filter of Collection.standing_log, and
# the card rows of Collection.card_rows, written out so the floor runs no studydeck code
FLOOR_REVIEWS = (
    "SELECT id, deck_id, card_id, reviewed_at, rating, answer_ms, prior, before, damaged, "
    "r.state, r.step, r.stability, r.difficulty, r.reviewed_at + r.due_in, r.reviewed_at + r.last_review_in, "
    "r.reps, r.lapses, r.leech FROM reviews r "
    "WHERE NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_id = r.id) ORDER BY id")
FLOOR_CARDS = ("SELECT deck_id, card_id, state, step, stability, difficulty, due, last_review, reps, lapses, leech "
               "FROM cards ORDER BY deck_id, card_id")


def card_keys(n_cards: int, per_deck: int = 1000) -> list[tuple[str, str]]:
    return [(f"deck-{i // per_deck:03d}", f"card-{i % per_deck:05d}") for i in range(n_cards)]


def build(path: Path, n_cards: int, n_reviews: int) -> None:
    """Write the workload (see the module's docstring) through the store's own layout."""
    rng = random.Random(5)
    keys = card_keys(n_cards)
    studied = keys[: int(len(keys) * 0.9)]
    start = NOW_MS - YEARS * 365 * MS_PER_DAY
    step = max(1, (YEARS * 365 * MS_PER_DAY) // max(1, n_reviews))
    stabilities = [round(rng.uniform(0.5, 400), 4) for _ in range(997)]
    difficulties = [round(rng.uniform(1, 10), 4) for _ in range(991)]
    last: dict[tuple[str, str], CardState] = {}

    def rows():
        for i in range(n_reviews):
            key = studied[i % len(studied)]
            previous = last.get(key)
            at = start + i * step
            reps = 1 if previous is None else previous.reps + 1
            lapsed = i % 13 == 0
            state = RELEARNING if lapsed else REVIEW
            after = CardState(state, 0 if lapsed else None, stabilities[i % 997], difficulties[i % 991],
                              at + (10 * 60_000 if lapsed else (1 + i % 60) * MS_PER_DAY), at, reps,
                              (0 if previous is None else previous.lapses) + lapsed, False)
            last[key] = after
            yield (*key, at, 1 if lapsed else 4, 1 if lapsed else 3, 4000, previous, after)

    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    col = open_collection(tmp)
    conn = col.conn
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO cards (deck_id, card_id, position) VALUES (?, ?, ?)",
                     ((d, c, i % 1000) for i, (d, c) in enumerate(keys)))
    insert_reviews(col, rows())
    # one in a thousand undone, none a card's first review (the next one's before-state
    # would then be new) nor its last (its stored state stays the log's); ids start at 1
    conn.executemany("INSERT INTO undos (review_id, undone_at) VALUES (?, ?)",
                     ((i, NOW_MS) for i in range(len(studied) + 500, n_reviews - len(studied), 1000)))
    conn.execute("COMMIT")
    col.put_states(last)
    tampered = rng.sample(sorted(last), min(TAMPERED, len(last)))
    conn.executemany("UPDATE cards SET reps = reps + 1 WHERE deck_id = ? AND card_id = ?", tampered)
    col.close()
    tmp.replace(path)
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)


def run_doctor(path: Path) -> int:
    out = io.StringIO()
    doctor.run(path, Config(), repair=False, out=out)
    return len(out.getvalue().splitlines())


def run_floor(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    n = 0
    try:
        for sql in (FLOOR_REVIEWS, FLOOR_CARDS):
            cursor = conn.execute(sql)
            while rows := cursor.fetchmany(1000):
                n += len(rows)
    finally:
        conn.close()
    return n


def timed(fn, path: Path) -> tuple[float, float]:
    gc.collect()
    c0, w0 = time.process_time(), time.perf_counter()
    fn(path)
    return time.process_time() - c0, time.perf_counter() - w0


def peak(fn, path: Path) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(path: Path, n_reviews: int, pairs: int) -> None:
    lines = run_doctor(path)
    run_floor(path)
    assert lines == TAMPERED + 1, lines  # a line per card changed, and the summary
    runs: dict[str, list[tuple[float, float]]] = {"floor": [], "doctor": []}
    for r in range(pairs):
        for name in (("floor", "doctor") if r % 2 == 0 else ("doctor", "floor")):
            runs[name].append(timed(run_floor if name == "floor" else run_doctor, path))
    print(f"  {n_reviews:,} reviews ({path.stat().st_size / 2**20:.0f} MiB), {pairs} pairs:")
    for name in ("floor", "doctor"):
        cpu = [c * 1000 for c, _ in runs[name]]
        wall = [w * 1000 for _, w in runs[name]]
        print(f"    {name:>6}: cpu median {statistics.median(cpu):,.0f} ms [{min(cpu):,.0f}-{max(cpu):,.0f}], "
              f"wall median {statistics.median(wall):,.0f} ms")
    for k, label in ((0, "cpu"), (1, "wall")):
        ratios = [d[k] / f[k] for d, f in zip(runs["doctor"], runs["floor"], strict=True)]
        ratio = statistics.median(ratios)
        verdict = f"; {'meets' if ratio <= RATIO_TARGET else 'MISSES'} <= {RATIO_TARGET:g}" if k == 0 else ""
        print(f"    ratio doctor / floor ({label}): median {ratio:.2f} [{min(ratios):.2f}-{max(ratios):.2f}]{verdict}")
    print(f"    tracemalloc peak: floor {peak(run_floor, path) / 2**20:.1f} MiB, "
          f"doctor {peak(run_doctor, path) / 2**20:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000])
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="build the collections here and keep them for the next run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        print("baseline (floor): every standing review row and every card row read once through sqlite3")
        for n_reviews in args.reviews:
            path = workdir / f"doctor-{args.cards}c-{n_reviews}r.sqlite3"
            if not path.exists():
                t0 = time.perf_counter()
                build(path, args.cards, n_reviews)
                print(f"  built {path.name} in {time.perf_counter() - t0:.0f} s")
            measure(path, n_reviews, args.pairs)


if __name__ == "__main__":
    main()
