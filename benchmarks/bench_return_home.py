"""Coming back to the home screen on 100,000 cards and 1,000,000 reviews: how long the UI waits.

Workload: benchmarks/query_workload.py (generated in a temp folder, never committed).
Figure: in one running app (headless, 80×24), a screen is pushed over home and
popped; home then counts today's numbers again.  Measured per return:

- blocked: the time the UI thread spends in ``HomeScreen.on_screen_resume``, during
  which nothing can be painted or answered;
- fresh: the time from the pop until home shows numbers read after it.

Baseline: the same app counting on the UI thread at every return (what home did
before it counted on a thread; tests still run it that way).  studydeck: the app as
``studydeck`` runs it (``count_after_paint``), which counts on a thread and waits
at most ``RECOUNT_GRACE`` (50 ms) for it.  One warm-up each, then REPEATS pairs,
the order swapped every pair; medians and min-max, and the ratio of the medians.

    python benchmarks/bench_return_home.py [--repeats 9] [--cards 100000] [--reviews 1000000]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.query_workload import NOW, options, workload  # noqa: E402
from studydeck.config import Config  # noqa: E402
from studydeck.deckfile.load import LoadResult  # noqa: E402

MODES = {"UI thread (baseline)": False, "studydeck": True}


async def measure(home: Path, decks, repeats: int) -> dict[str, dict[str, list[float]]]:
    from textual.screen import Screen

    from studydeck.tui.app import create_app
    from studydeck.tui.screens import home as home_module

    app = create_app(str(home), Config(bundled_decks=False), LoadResult(decks=decks), clock=lambda: NOW,
                     cursor_blink=False)
    blocked: list[float] = []
    real_resume = home_module.HomeScreen.on_screen_resume

    def timed_resume(screen) -> None:
        start = time.perf_counter()
        real_resume(screen)
        blocked.append(time.perf_counter() - start)

    home_module.HomeScreen.on_screen_resume = timed_resume
    out = {name: {"blocked": [], "fresh": []} for name in MODES}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        today = screen.query_one("#today")
        for run in range(repeats + 1):
            order = list(MODES) if run % 2 == 0 else list(reversed(MODES))
            for name in order:
                app.count_after_paint = MODES[name]
                await app.push_screen(Screen())
                await pilot.pause()
                today.update("…")             # replaced only by numbers read after the pop
                blocked.clear()
                start = time.perf_counter()
                app.pop_screen()
                while "Streak" not in (shown := str(today.render())) or "updating" in shown:
                    await pilot.pause(0.002)
                fresh = time.perf_counter() - start
                if run:                         # run 0 is the warm-up
                    out[name]["blocked"].append(sum(blocked))
                    out[name]["fresh"].append(fresh)
    home_module.HomeScreen.on_screen_resume = real_resume
    return out


def main() -> int:
    args = options(__doc__.splitlines()[0], repeats=9)
    with workload(args.cards, args.reviews) as (home, decks):
        print(f"{args.repeats} pairs, order swapped every pair")
        out = asyncio.run(measure(home, decks, args.repeats))
    base, ours = out["UI thread (baseline)"], out["studydeck"]
    for what in ("blocked", "fresh"):
        for name, values in out.items():
            v = values[what]
            print(f"{what:8} {name:22} median {statistics.median(v) * 1000:7.1f} ms  "
                  f"(min {min(v) * 1000:.1f}, max {max(v) * 1000:.1f})")
        ratio = statistics.median(ours[what]) / statistics.median(base[what])
        print(f"RATIO {what}: studydeck / baseline = {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
