"""`studydeck optimize` on 100,000 reviews, against the optimizer library called directly.

Workload (generated in a temp folder, never committed): 12,500 cards, 8 reviews each,
scheduled by studydeck's default scheduler for a simulated learner who forgets
faster than FSRS's defaults expect (as tests/study/test_optimize.py), written to a
collection as the app writes them.
Figure: ``optimize.fit`` for the preset: read the standing reviews from the
collection, build the library's items, fit on 80 % of the cards, score the fitted
and the default parameters on the other 20 %.
Baseline: fsrs-rs-python called directly by the shortest script that does the same
job on the same collection: one ordered query of the review log (no undo, no forget,
UTC days), the same cards held out, the items built, ``compute_parameters`` on the
training items, ``evaluate`` twice on the held-out ones.  A second line times the
library alone on those reviews already in memory as (rating, days) lists, which
leaves out reading the collection.  REPEATS pairs, alternating, after no warm-up (each fit is seconds long);
medians and min-max.  Target: ≤ 1.2× the library.

    python benchmarks/bench_optimize.py [--repeats 5] [--cards 12500]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from studydeck.config import Config  # noqa: E402
from studydeck.model import Card, Deck  # noqa: E402
from studydeck.store import open_collection  # noqa: E402
from studydeck.study import optimize  # noqa: E402
from tests.study.test_optimize import CONFIG, simulate  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cards", type=int, default=12_500)
    args = parser.parse_args()
    lib = optimize.library()
    deck = Deck("d", "D", "", "d.yaml", tuple(Card("d", f"c{i}", f"c{i}", "basic", f"q{i}", "a")
                                               for i in range(args.cards)))
    config: Config = CONFIG
    with tempfile.TemporaryDirectory() as tmp, open_collection(Path(tmp) / "c.sqlite3") as col:
        col.sync_decks([deck], 0)
        t = time.perf_counter()
        written = simulate(col, deck)
        print(f"workload: {written:,} reviews of {args.cards:,} cards (simulated in {time.perf_counter() - t:.0f} s)")
        found = optimize.histories(col, ["d"], config)

        def lists(histories):
            out = []
            for h in histories:
                out.append([(r, 0 if i == 0 else h.days[i] - h.days[i - 1]) for i, r in enumerate(h.ratings)])
            return out

        def items(cards):
            made = []
            for reviews in cards:
                built = [lib.FSRSReview(r, dt) for r, dt in reviews]
                made += [lib.FSRSItem(built[:end]) for end in range(2, len(built) + 1) if reviews[end - 1][1] > 0]
            return made

        train_lists = lists([h for h in found if not optimize._held_out(h.key)])
        test_lists = lists([h for h in found if optimize._held_out(h.key)])
        print(f"{len(items(train_lists)):,} training items, {len(items(test_lists)):,} held-out items")
        def direct_script():
            rows = col.conn.execute("SELECT deck_id, card_id, reviewed_at, fsrs_rating FROM reviews "
                                    "ORDER BY deck_id, card_id, reviewed_at").fetchall()
            train_cards, test_cards = [], []
            for key, group in itertools.groupby(rows, key=lambda r: (r[0], r[1])):
                group = list(group)
                days = [r[2] // 86_400_000 for r in group]
                reviews = [(r[3], 0 if i == 0 else days[i] - days[i - 1]) for i, r in enumerate(group)]
                (test_cards if optimize._held_out(key) else train_cards).append(reviews)
            train, test = items(train_cards), items(test_cards)
            params = lib.FSRS(lib.DEFAULT_PARAMETERS).compute_parameters(train)
            lib.FSRS(params).evaluate(test)
            lib.FSRS(lib.DEFAULT_PARAMETERS).evaluate(test)

        ours, direct, memory = [], [], []
        for _ in range(args.repeats):
            t = time.perf_counter()
            fit = optimize.fit(col, [deck], config, "default")
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            direct_script()
            direct.append(time.perf_counter() - t)
            t = time.perf_counter()
            train, test = items(train_lists), items(test_lists)
            params = lib.FSRS(lib.DEFAULT_PARAMETERS).compute_parameters(train)
            lib.FSRS(params).evaluate(test)
            lib.FSRS(lib.DEFAULT_PARAMETERS).evaluate(test)
            memory.append(time.perf_counter() - t)
        print(f"held-out log loss {fit.log_loss:.4f} (defaults {fit.default_log_loss:.4f}), "
              f"RMSE {fit.rmse:.4f} (defaults {fit.default_rmse:.4f})")
    for name, values in (("studydeck optimize.fit", ours), ("library, direct script", direct),
                         ("library, data in memory", memory)):
        print(f"{name:24} median {statistics.median(values):7.2f} s  (min {min(values):.2f}, max {max(values):.2f})")
    print(f"RATIO studydeck / library called directly: {statistics.median(ours) / statistics.median(direct):.2f}x  "
          "(target ≤ 1.20x)")
    print(f"(studydeck / library on data already in memory: {statistics.median(ours) / statistics.median(memory):.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
