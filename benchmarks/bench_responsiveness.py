"""Responsiveness: from the key press of a rating to the next card painted.

Workload: a generated deck of 220 basic cards (Markdown fronts and backs),
studied in the app (80×24) through Textual's Pilot; 200 ratings, each
"reveal (Space, not timed), wait 50 ms as a reader would (far less than a
person takes), press 4 (timed)".  Without the wait the rating key would
often land while Textual's frame timer is still sleeping off the reveal's
frame, a pacing delay of up to one frame that no person can trigger.

Method (in-process, headless): the app's ``_display`` (where Textual hands
each finished frame, a CompositorUpdate, to the driver) is wrapped to record
``perf_counter()`` of every frame, and the study screen's ``show_current``
(which runs after ``session.rate`` has committed, and returns once the next
card's Markdown is in its widget) is wrapped to record when it finished.  For each
rating, ``t0`` is taken just before the key event is sent with
``pilot.press("4")``; the latency is the first frame produced after the next
card was mounted, minus ``t0``: the key's dispatch, the SQLite commit
(synchronous=FULL), the queue step, the Markdown rendering, layout and
compositing, and Textual's frame pacing (at most 60 frames a second).  The script checks that the card changed and
that the front shown is the new card's.  A headless driver writes nothing to
a terminal, so the terminal emulator's own time is not included.

Two conditions, run interleaved (idle, loaded, idle, loaded, ...): the
machine as it is, and with a second process loading it (a Python busy loop
pinned to no core, so it competes with the app for one of the CPUs).

Baseline: one frame at 60 Hz, 16 ms.  Reported per condition: p50, p95
(nearest-rank) and max over 200 ratings; the median and min-max of the p95s
over REPEATS sessions, and median p95 / 16 ms.

    python benchmarks/bench_responsiveness.py [--repeats N]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

RATINGS = 200
CARDS = 220
BUDGET_MS = 16.0
THINK_S = 0.05


def write_deck(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["deck: bench", "title: Responsiveness benchmark", "cards:"]
    for k in range(CARDS):
        lines += [f"  - id: card-{k:03d}",
                  f"    front: \"Card {k}: what does **gate {k % 4}** compute at step `t = {k}`?\"",
                  f"    back: \"It computes σ(W x_t + U h_(t-1) + b) — see *note {k}*.\""]
    (folder / "bench.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # nearest rank
    return ordered[int(rank) - 1]


async def one_session(home: Path, folder: Path) -> list[float]:
    from studydeck.tui.widgets.card_text import CardText

    from studydeck.config import Config
    from studydeck.deckfile.load import load_decks
    from studydeck.tui.app import create_app

    config = Config(bundled_decks=False, deck_folders=(str(folder),), new_per_day=1000, fuzz=False)
    app = create_app(str(home), config, load_decks(config.deck_paths()), cursor_blink=False)
    frames: list[float] = []
    original = app._display

    def display(screen, renderable):
        if renderable is not None:
            frames.append(time.perf_counter())
        return original(screen, renderable)

    app._display = display
    gc.freeze()  # as run_app does before app.run()
    ready: list[float] = []
    latencies = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        show_current = screen.show_current

        async def timed_show_current():
            await show_current()
            ready.append(time.perf_counter())

        screen.show_current = timed_show_current
        for _ in range(RATINGS):
            await pilot.press("space")
            await pilot.pause()
            await asyncio.sleep(THINK_S)  # a person reads the answer before rating it
            before = screen.card.card_id
            ready.clear()
            t0 = time.perf_counter()
            await pilot.press("4")
            deadline = time.perf_counter() + 5
            while not (ready and any(t > ready[0] for t in frames)):
                if time.perf_counter() > deadline:
                    raise RuntimeError("no frame was produced for a rating")
                await asyncio.sleep(0.0005)
            frame = next(t for t in frames if t > ready[0])
            shown = screen.query_one("#front", CardText).source
            if screen.card.card_id == before or shown != screen.card.front:
                raise RuntimeError("the next card is not on screen")
            latencies.append((frame - t0) * 1000)
    return latencies


@contextmanager
def loaded(on: bool):
    """With ``on``, a second process spins on a CPU for as long as the block runs."""
    if not on:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)  # let it reach the CPU
        yield
    finally:
        spinner.kill()
        spinner.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import textual

    import studydeck

    conditions = {"idle machine": False, "a second process loading a CPU": True}
    runs: dict[str, list[list[float]]] = {name: [] for name in conditions}
    for r in range(args.repeats):
        for name, load in conditions.items():  # interleaved, so drifts in the machine hit both
            with tempfile.TemporaryDirectory(prefix="studydeck-resp-") as tmp:
                tmp = Path(tmp)
                os.environ["STUDYDECK_HOME"] = str(tmp / "home")
                write_deck(tmp / "decks")
                with loaded(load):
                    lat = asyncio.run(one_session(tmp / "home", tmp / "decks"))
            runs[name].append(lat)
            print(f"session {r + 1}, {name}: p50 {percentile(lat, 50):.1f} ms  p95 {percentile(lat, 95):.1f} ms  "
                  f"p99 {percentile(lat, 99):.1f} ms  max {max(lat):.1f} ms over {len(lat)} ratings")
    print(f"python {platform.python_version()}, textual {textual.__version__}, "
          f"studydeck {studydeck.__version__}, {os.cpu_count()} cpus, headless 80x24")
    print(f"baseline: one frame at 60 Hz = {BUDGET_MS:.0f} ms")
    for name, sessions in runs.items():
        p50 = statistics.median(percentile(lat, 50) for lat in sessions)
        p95s = [percentile(lat, 95) for lat in sessions]
        p95 = statistics.median(p95s)
        worst = max(max(lat) for lat in sessions)
        print(f"{name}: keypress → next card painted: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
              f"(min-max {min(p95s):.1f}-{max(p95s):.1f}), max {worst:.1f} ms "
              f"({args.repeats} sessions × {RATINGS} ratings)")
        print(f"RATIO p95 / budget, {name}: {p95 / BUDGET_MS:.2f}x  (target ≤ 1.00x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
