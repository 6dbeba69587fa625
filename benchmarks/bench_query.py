"""`studydeck cards` queries on 100,000 cards and 1,000,000 reviews, against a full Python scan.

Workload: benchmarks/query_workload.py (generated in a temp folder, never committed).
Figures: for each query, the median time of counting the matches with the
statement's own WHERE (what the indexes decide, nothing fetched), of
``store.search_keys`` (parse, statement, every match's (deck, card) key in order:
the query's answer, as Anki's browser reads ids first), of the first page
(the keys and the rows of the first 500: what ``studydeck cards`` prints first and
the browser shows), of ``store.search_cards`` (every matching row as a CardRow),
and of ``browse.find`` (every match joined with its loaded Card).
Baseline: ``query_scan.scan`` over every card with its row, text and ratings
already in memory (reading those, several seconds, is left out, which flatters
the baseline).  The ratio is search_keys / scan.  Targets, for search_keys:
indexed filters (deck:, tag:, is:due, prop:ivl) ≤ 50 ms, free text ≤ 200 ms.
Runs alternate (count, keys, first page, search_cards, find, scan) REPEATS times after one
warm-up each; the first free-text search after a deck change also copies the text
into the collection, timed separately.

    python benchmarks/bench_query.py [--repeats 7] [--cards 100000] [--reviews 1000000]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.query_workload import NOW, options, workload  # noqa: E402
from studydeck import store  # noqa: E402
from studydeck.config import Config  # noqa: E402
from studydeck.store import open_collection  # noqa: E402
from studydeck.study import browse, query_scan  # noqa: E402
from studydeck.study.query import parse  # noqa: E402

QUERIES = [  # (query, target ms)
    ("deck:bench-07", 50),
    ("tag:gate-reset", 50),
    ("is:due", 50),
    ("prop:ivl>=100", 50),
    ('"forget gate"', 200),
    ("école", 200),
    ("deck:bench-1* tag:week-3 -is:suspended prop:r<0.8", 200),
]


def ms(seconds: float) -> float:
    return seconds * 1000


def main() -> int:
    args = options(__doc__.splitlines()[0], repeats=7)
    config = Config()
    with workload(args.cards, args.reviews) as (home, decks):
        path = home / "collection.sqlite3"
        with open_collection(path) as col:
            t = time.perf_counter()
            store.sync_search(col, decks, 0)
            print(f"first text or tag search after a deck change: copying the text took "
                  f"{ms(time.perf_counter() - t):.0f} ms (once)")
            t = time.perf_counter()
            rows = {r.key: r for r in store.all_card_rows(col)}
            ratings: dict = {}
            for r in col.conn.execute("SELECT deck_id, card_id, reviewed_at, rating FROM reviews"):
                ratings.setdefault((r[0], r[1]), []).append((r[2], r[3]))
            items = query_scan.scan_cards([c for d in decks for c in d.cards], rows, ratings)
            print(f"baseline set-up (not timed below): {time.perf_counter() - t:.1f} s to hold every card, "
                  "row, text and rating in memory\n")
            ctx = browse.query_context(col, decks, config, NOW)
            print(f"load average before the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
            print(f"{'query':52} {'matches':>7} {'count':>7} {'keys':>8} {'(min-max)':>11} {'page':>7} "
                  f"{'all rows':>8} {'find':>7} {'scan':>7} {'ratio':>6} {'target':>6}")
            worst = 0.0
            for text, target in QUERIES:
                tree = parse(text)
                browse.find(col, decks, config, text, NOW)           # warm-up
                query_scan.scan(items, tree, ctx)
                counted, keyed, paged, rows, full, scan = [], [], [], [], [], []
                for _ in range(args.repeats):
                    text_sql, sql_args = store.search_sql(col, parse(text), ctx, decks)
                    count_sql = "SELECT count(*) FROM " + text_sql.split(" FROM ", 1)[1].split(" ORDER BY ")[0]
                    t = time.perf_counter()
                    col.conn.execute(count_sql, sql_args).fetchone()
                    counted.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    keys = store.search_keys(col, parse(text), browse.query_context(col, decks, config, NOW), decks)
                    keyed.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    keys = store.search_keys(col, parse(text), browse.query_context(col, decks, config, NOW), decks)
                    store.rows_of(col, keys[:500])
                    paged.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    store.search_cards(col, parse(text), browse.query_context(col, decks, config, NOW), decks)
                    rows.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    found, _ = browse.find(col, decks, config, text, NOW)
                    full.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    want = query_scan.scan(items, tree, ctx)
                    scan.append(time.perf_counter() - t)
                assert sorted(f.card.key for f in found) == sorted(want) == sorted(keys), text
                median = ms(statistics.median(keyed))
                worst = max(worst, median / target)
                print(f"{text:52} {len(found):>7,} {ms(statistics.median(counted)):>4.0f} ms {median:>5.1f} ms "
                      f"({ms(min(keyed)):3.0f}-{ms(max(keyed)):4.0f}) {ms(statistics.median(paged)):>4.0f} ms "
                      f"{ms(statistics.median(rows)):>5.0f} ms {ms(statistics.median(full)):>4.0f} ms "
                      f"{ms(statistics.median(scan)):>4.0f} ms "
                      f"{statistics.median(keyed) / statistics.median(scan):>6.3f} {'≤' + str(target):>6}")
    print(f"\nRATIO worst search_keys / its target: {worst:.2f}  (≤ 1.00 meets every target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
