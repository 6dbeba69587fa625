"""A rating on a 100,000-card, 5,000,000-review collection against the same cards with no history.

Figure: the time of one ``Session.rate`` (the review row and the card's new
state written and committed with ``synchronous = FULL``, the scheduling, the
step to the next card, which is built then) on a collection of N cards
(default 100,000) and R reviews (default 5,000,000; 90% of the cards studied,
half of them due), the decks fresh from the parse cache as the app loads them.

Baseline: the same cards in the same states (the same generator and seed)
in a collection with no review rows: the figure isolates what the history's
size costs a rating.  Both sessions allow 1,000 new cards and 1,000 reviews a
day, so neither runs dry.  The two alternate rating by rating (the order swapped every pair) for
``--ratings`` ratings (default 300, after 20 unmeasured); printed: the median
and p95 of each, in thread CPU time and in wall time (which includes the
fsync), and the median of the per-pair ratio.  Target: ratio <= 1.5 (a large
collection feels like an empty one).

Run: PYTHONPATH=. python benchmarks/bench_rate_at_scale.py [--cards N] [--reviews N] [--ratings 300]
The collections are generated under a temporary folder (about 750 MB at 5M reviews).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.bench_queue import fill, fresh_decks, make_decks
from studydeck.config import Config
from studydeck.store import LEARNING, RELEARNING, open_collection
from studydeck.study.session import Session

RATIO_TARGET = 1.5
WARM_UP = 20


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=5_000_000)
    parser.add_argument("--ratings", type=int, default=300)
    args = parser.parse_args()
    now = datetime.now(UTC)
    entries = make_decks(args.cards)
    config = Config(new_per_day=1000, max_reviews_per_day=1000)
    with tempfile.TemporaryDirectory() as tmp:
        big_path, empty_path = Path(tmp) / "big.sqlite3", Path(tmp) / "empty.sqlite3"
        t0 = time.perf_counter()
        for path, reviews in ((big_path, args.reviews), (empty_path, 0)):
            fill(path, fresh_decks(entries), reviews, now, 0.5)  # the same card states in both
            with open_collection(path) as col:  # learning cards at their first step
                col.conn.execute("UPDATE cards SET step = 0 WHERE state IN (?, ?)", (LEARNING, RELEARNING))
        print(f"collections: {args.cards:,} cards with {args.reviews:,} reviews, and the same cards "
              f"in the same states with none (built in {time.perf_counter() - t0:.1f} s)")
        clock_at = [now + timedelta(seconds=1)]

        def clock() -> datetime:
            return clock_at[0]

        sessions = {}
        for name, path in (("big", big_path), ("empty", empty_path)):
            sessions[name] = Session(open_collection(path), fresh_decks(entries), config, clock=clock)
        spent: dict[str, list[tuple[float, float]]] = {"big": [], "empty": []}
        for i in range(WARM_UP + args.ratings):
            order = ("big", "empty") if i % 2 == 0 else ("empty", "big")
            for name in order:
                session = sessions[name]
                assert not session.finished, f"the {name} session ran out of cards"
                session.reveal()
                c0, w0 = time.thread_time(), time.perf_counter()
                session.rate(4, answer_ms=3000)
                if i >= WARM_UP:
                    spent[name].append(((time.thread_time() - c0) * 1000, (time.perf_counter() - w0) * 1000))
            clock_at[0] += timedelta(seconds=5)
        for session in sessions.values():
            session.collection.close()
    print(f"baseline: the same cards with no review history; {args.ratings} alternating pairs "
          f"after {WARM_UP} unmeasured")
    for name in ("empty", "big"):
        cpu = [c for c, _w in spent[name]]
        wall = [w for _c, w in spent[name]]
        print(f"  {name:>5}: CPU median {statistics.median(cpu):.2f} ms (p95 {_p95(cpu):.2f}), "
              f"wall median {statistics.median(wall):.2f} ms (p95 {_p95(wall):.2f})")
    for k, label in ((0, "CPU"), (1, "wall")):
        ratios = [b[k] / e[k] for b, e in zip(spent["big"], spent["empty"], strict=True)]
        verdict = "meets" if statistics.median(ratios) <= RATIO_TARGET else "MISSES"
        print(f"ratio big / empty ({label}): median {statistics.median(ratios):.2f} "
              f"[p5 {statistics.quantiles(ratios, n=20)[0]:.2f}, p95 {_p95(ratios):.2f}] "
              f"({verdict} <= {RATIO_TARGET})")


if __name__ == "__main__":
    main()
