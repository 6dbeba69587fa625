"""`studydeck stats --json` on a collection of 5,000,000 reviews against an empty collection.

Figure: the run time of ``python -m studydeck stats --json`` (a fresh process:
start-up, loading the bundled decks from a warm parse cache, the numbers,
printing) with R review rows (default 5,000,000) in the collection, against
the same command on an empty collection.  The review log is spread evenly
over ``--years`` (default 10, about 1,370 reviews a day; the last 30 days,
which true retention reads, hold 30 days' worth), 85% of the reviews rated
Good, one in a thousand undone.

Both homes hold a collection in which the bundled decks were recorded (as
after any study session); the baseline's has no reviews.

Baseline: the empty collection.  The two alternate (order swapped every pair);
printed: median and min-max of each and of the per-pair ratio, in the child
process's CPU time (user + system, from getrusage; on the shared machine wall
time mostly measures the other processes) and, beside it, in wall time.
Target: ratio <= 1.5.

Run: PYTHONPATH=. python benchmarks/bench_stats.py [--reviews N] [--years Y] [--pairs 7]
The collection is generated under a temporary folder (several GB at 5M) and
deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from studydeck.store import CardState
from studydeck.study.clock import MS_PER_DAY

RATIO_TARGET = 1.5
ROOT = Path(__file__).resolve().parent.parent


def bundled_card_keys(home: Path) -> list[tuple[str, str]]:
    """(deck_id, card_id) of every bundled card, loading them once (this also warms the
    cache) and recording them in the home's collection, as any study session does."""
    code = ("import json; "
            "from studydeck.deckfile.load import load_decks; from studydeck import paths; "
            "from studydeck.store import open_collection; "
            "r = load_decks([paths.bundled_decks_dir()], cache_dir=paths.cache_dir()); "
            "c = open_collection(paths.collection_path()); c.sync_decks(r.decks, 0); c.close(); "
            "print(json.dumps([[c.deck_id, c.card_id] for d in r.decks for c in d.cards]))")
    out = subprocess.run([sys.executable, "-c", code], env=_env(home), capture_output=True,
                         text=True, check=True).stdout
    return [tuple(k) for k in json.loads(out)]


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, STUDYDECK_HOME=str(home))
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def random_state(rng: random.Random, state: int, due: int, last: int) -> CardState:
    return CardState(state, None if state == 2 else 0, round(rng.uniform(1, 300), 4), round(rng.uniform(1, 10), 4),
                     due, last, rng.randint(1, 40), rng.randint(0, 5), False)


def fill(home: Path, keys: list[tuple[str, str]], n_reviews: int, years: float) -> None:
    """Write ``n_reviews`` review rows (and card states) through the project's own schema."""
    from studydeck.store import REVIEW_INSERT, open_collection, review_insert_rows

    rng = random.Random(11)
    now = int(time.time() * 1000)
    start = now - int(years * 365 * MS_PER_DAY)
    step = max(1, (now - start) // max(1, n_reviews))
    col = open_collection(home / "collection.sqlite3")
    conn = col.conn
    conn.execute("BEGIN")
    # a small pool of distinct states keeps generation fast; their values vary
    pool = [random_state(rng, rng.choice((1, 2, 2, 2, 3)), now + rng.randint(-5, 60) * MS_PER_DAY,
                         now - rng.randint(1, 60) * MS_PER_DAY) for _ in range(512)]

    def rows():
        last: dict[tuple[str, str], CardState] = {}
        for i in range(n_reviews):
            key = keys[i % len(keys)]
            rating = 4 if rng.random() < 0.85 else rng.choice((1, 2, 3, 5))
            fsrs = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4}[rating]
            after = pool[(i * 7) % 512]
            yield (*key, start + i * step, rating, fsrs, 4000, last.get(key), after)
            last[key] = after

    conn.executemany(REVIEW_INSERT, review_insert_rows(rows()))
    conn.executemany("INSERT INTO undos (review_id, undone_at) VALUES (?, ?)",
                     ((i, now) for i in range(1, n_reviews + 1, 1000)))
    conn.execute("COMMIT")
    col.close()


def run_stats(home: Path) -> tuple[float, float]:
    """(child CPU seconds, wall seconds) of one ``stats --json``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "studydeck", "stats", "--json"], env=_env(home),
                   capture_output=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=5_000_000)
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--pairs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        empty, full = Path(tmp) / "empty", Path(tmp) / "full"
        keys = bundled_card_keys(empty)
        bundled_card_keys(full)
        t0 = time.perf_counter()
        fill(full, keys, args.reviews, args.years)
        size = (full / "collection.sqlite3").stat().st_size
        print(f"collection: {args.reviews:,} reviews over {args.years:g} years of "
              f"{len(keys)} bundled cards, {size / 2**20:.0f} MiB "
              f"(built in {time.perf_counter() - t0:.0f} s)")
        run_stats(empty), run_stats(full)
        runs: dict[Path, list[tuple[float, float]]] = {empty: [], full: []}
        for r in range(args.pairs):
            for home in ((empty, full) if r % 2 == 0 else (full, empty)):
                runs[home].append(run_stats(home))
    cpu_ratios = [f[0] / e[0] for f, e in zip(runs[full], runs[empty])]
    wall_ratios = [f[1] / e[1] for f, e in zip(runs[full], runs[empty])]
    for name, home in (("empty", empty), (f"{args.reviews:,} reviews", full)):
        cpu = [c * 1000 for c, _ in runs[home]]
        wall = [w * 1000 for _, w in runs[home]]
        print(f"{name:>20}: cpu median {statistics.median(cpu):.0f} ms "
              f"[{min(cpu):.0f}-{max(cpu):.0f}], wall median {statistics.median(wall):.0f} ms")
    ratio = statistics.median(cpu_ratios)
    print("baseline: stats --json on an empty collection")
    print(f"ratio (cpu): median {ratio:.2f} [{min(cpu_ratios):.2f}-{max(cpu_ratios):.2f}]; "
          f"wall: median {statistics.median(wall_ratios):.2f}; "
          f"{'meets' if ratio <= RATIO_TARGET else 'MISSES'} <= {RATIO_TARGET}")


if __name__ == "__main__":
    main()
