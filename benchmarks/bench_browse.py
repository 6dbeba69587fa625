"""The browser's first paint on 100,000 cards and 1,000,000 reviews, against the home screen's.

Workload: benchmarks/query_workload.py (generated in a temp folder, never committed).
Figure: in one running app (headless, 80×24), the time from pushing a new
``BrowseScreen`` (the empty query: every card in deck order, a screenful of rows,
the first card's panel and history) until its first paint, marked as the home
screen marks its own (``call_after_refresh`` from ``on_mount`` writes the time to
STUDYDECK_PAINTED_FILE); the rest of the first 500 rows are added after it.
Baseline: the same for a new ``HomeScreen`` (per-deck counts, today, the streak),
the screen every start paints.  One warm-up each, then REPEATS pairs, alternating;
medians and min-max.  Target: browser ≤ 1.3× home.

    python benchmarks/bench_browse.py [--repeats 7] [--cards 100000] [--reviews 1000000]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.query_workload import NOW, options, workload  # noqa: E402
from studydeck.config import Config  # noqa: E402
from studydeck.deckfile.load import LoadResult  # noqa: E402


async def measure(home: Path, decks, repeats: int) -> dict[str, list[float]]:
    from studydeck.tui.app import create_app
    from studydeck.tui.screens.browse import BrowseScreen
    from studydeck.tui.screens.home import HomeScreen

    app = create_app(str(home), Config(bundled_decks=False), LoadResult(decks=decks), clock=lambda: NOW,
                     cursor_blink=False)
    times: dict[str, list[float]] = {"home": [], "browse": []}
    marker = home / "painted"
    os.environ["STUDYDECK_PAINTED_FILE"] = str(marker)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for run in range(repeats + 1):
            for name, make in (("home", HomeScreen), ("browse", BrowseScreen)):
                marker.unlink(missing_ok=True)
                start = time.time()
                await app.push_screen(make())
                await pilot.pause()
                elapsed = float(marker.read_text().split()[0]) - start  # "wall-time cpu-time"
                if run:                      # run 0 is the warm-up
                    times[name].append(elapsed)
                app.pop_screen()
                await pilot.pause()
    return times


def main() -> int:
    args = options(__doc__.splitlines()[0], repeats=7)
    with workload(args.cards, args.reviews) as (home, decks):
        times = asyncio.run(measure(home, decks, args.repeats))
    medians = {}
    for name, values in times.items():
        medians[name] = statistics.median(values)
        print(f"{name:8} first paint median {medians[name] * 1000:7.1f} ms   "
              f"(min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f}, {len(values)} runs)")
    print(f"RATIO browser / home screen: {medians['browse'] / medians['home']:.2f}x  (target ≤ 1.30x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
