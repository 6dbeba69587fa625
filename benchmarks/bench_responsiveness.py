"""Responsiveness: from the key press of a rating to the next card painted.

Workload: a generated deck of 220 basic cards (Markdown fronts and backs),
studied in the app (80×24) through Textual's Pilot; 200 ratings, each
"reveal (Space, not timed), wait 50 ms as a reader would (far less than a
person takes), press 4 (timed)".  Without the wait the rating key would
often land while Textual's frame timer is still sleeping off the reveal's
frame, a pacing delay of up to one frame that no person can trigger.

Method (in-process, headless): the app's ``_display`` (where Textual hands
each finished frame to the driver) is wrapped to record ``perf_counter()``
of every frame, and the study screen's ``show_current`` (which runs after
``session.rate`` has committed, and returns once the next card's Markdown is
in its widget) is wrapped to record when it finished.  For each rating,
``t0`` is taken just before the key event is sent with ``pilot.press("4")``;
the latency is the first frame produced after the next card was mounted,
minus ``t0``: the key's dispatch, the SQLite commit (the collection's
``synchronous = FULL``: one fsync of the WAL per rating), the queue step, the
Markdown parsing, layout and compositing, and Textual's frame pacing (at
most 60 frames a second).  The time spent in ``session.rate`` (the commit
with its fsync, and the scheduling) is reported beside it.  The script checks
that the card changed and that the front shown is the new card's.  A
headless driver writes nothing to a terminal, so the terminal emulator's own
time is not included.

Baseline: the same key → frame in a bare Textual app (one Static whose text
the key replaces: ``card N``), measured the same way (200 keys, 50 ms apart)
under the same conditions; printed beside ours, with the ratio.  The target
is one 60 Hz frame, p95 ≤ 16 ms.

Conditions (``--load``): 0, the machine as it is; 1, with a second process
started by this script spinning a Python busy loop on a CPU for the whole
session (it competes with the app for the CPUs).  Runs are interleaved
(for each repeat: each condition, baseline then studydeck), so drifts in
the machine hit all of them.  Reported per condition: p50, p95
(nearest-rank) and max over the ratings of all sessions, the min-max of the
per-session p95s, p95 / baseline p95 and p95 / 16 ms, and the CPU time of
the app's thread from the key to the frame (``thread_time``: our own work,
which other processes on the machine do not stretch, unlike the wall time).

``--synchronous normal`` sets the collection's connection to
``synchronous = NORMAL`` for the session (WAL: the commit is durable against
a crash of the app, not of the machine), to show what the fsync costs; the
app itself always runs with FULL.

    python benchmarks/bench_responsiveness.py [--repeats N] [--load 0 1] [--synchronous normal]

(``BENCH_RATINGS=5`` in the environment: a quick check that the script runs.)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

RATINGS = int(os.environ.get("BENCH_RATINGS", "200"))
CARDS = 220
BUDGET_MS = 16.0
THINK_S = 0.05
SIZE = (80, 24)


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


def record_frames(app) -> list[tuple[float, float]]:
    """Wrap the app's ``_display``: the list gets ``perf_counter()`` and ``thread_time()`` of every frame."""
    frames: list[tuple[float, float]] = []
    original = app._display

    def display(screen, renderable):
        if renderable is not None:
            frames.append((time.perf_counter(), time.thread_time()))
        return original(screen, renderable)

    app._display = display
    return frames


async def first_frame_after(frames: list[tuple[float, float]], ready: list[float]) -> tuple[float, float]:
    """(perf_counter, thread_time) of the first frame after ``ready[0]``."""
    deadline = time.perf_counter() + 5
    while not (ready and any(t > ready[0] for t, _cpu in frames)):
        if time.perf_counter() > deadline:
            raise RuntimeError("no frame was produced after the key")
        await asyncio.sleep(0.0005)
    return next((t, cpu) for t, cpu in frames if t > ready[0])


async def studydeck_session(home: Path, folder: Path, synchronous: str | None) -> tuple[list[float], list[float],
                                                                                       list[float]]:
    """Latencies (ms) of RATINGS ratings, the time (ms) each spent in ``session.rate``, and the
    CPU time (ms) of the app's thread from the key to the frame."""
    from studydeck.config import Config
    from studydeck.deckfile.load import load_decks
    from studydeck.tui.app import create_app
    from studydeck.tui.widgets.card_text import CardText

    config = Config(bundled_decks=False, deck_folders=(str(folder),), new_per_day=1000, fuzz=False)
    app = create_app(str(home), config, load_decks(config.deck_paths()), cursor_blink=False)
    frames = record_frames(app)
    gc.freeze()  # as run_app does before app.run()
    ready: list[float] = []
    latencies, rate_ms, cpu_ms = [], [], []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        if synchronous:
            app.collection.conn.execute(f"PRAGMA synchronous = {synchronous}")
        screen = app.screen
        show_current = screen.show_current
        session = screen.session
        rate = session.rate

        async def timed_show_current():
            await show_current()
            ready.append(time.perf_counter())

        def timed_rate(*args, **kwargs):
            start = time.perf_counter()
            try:
                return rate(*args, **kwargs)
            finally:
                rate_ms.append((time.perf_counter() - start) * 1000)

        screen.show_current = timed_show_current
        session.rate = timed_rate
        for _ in range(RATINGS):
            await pilot.press("space")
            await pilot.pause()
            await asyncio.sleep(THINK_S)  # a person reads the answer before rating it
            before = screen.card.card_id
            ready.clear()
            t0, c0 = time.perf_counter(), time.thread_time()
            await pilot.press("4")
            frame, cpu = await first_frame_after(frames, ready)
            shown = screen.query_one("#front", CardText).source
            if screen.card.card_id == before or shown != screen.card.front:
                raise RuntimeError("the next card is not on screen")
            latencies.append((frame - t0) * 1000)
            cpu_ms.append((cpu - c0) * 1000)
    return latencies, rate_ms, cpu_ms


async def bare_session() -> tuple[list[float], list[float]]:
    """Latencies (ms) of RATINGS keys in a bare Textual app, each replacing one Static's text,
    and the CPU time (ms) of the app's thread from the key to the frame."""
    from textual.app import App
    from textual.widgets import Static

    ready: list[float] = []

    class Bare(App):
        BINDINGS = [("4", "next", "next")]

        def compose(self):
            yield Static("card 0")

        def action_next(self) -> None:
            self.n = getattr(self, "n", 0) + 1
            self.query_one(Static).update(f"card {self.n}")
            ready.append(time.perf_counter())

    app = Bare()
    frames = record_frames(app)
    gc.freeze()
    latencies, cpu_ms = [], []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(RATINGS):
            await asyncio.sleep(THINK_S)
            ready.clear()
            t0, c0 = time.perf_counter(), time.thread_time()
            await pilot.press("4")
            frame, cpu = await first_frame_after(frames, ready)
            latencies.append((frame - t0) * 1000)
            cpu_ms.append((cpu - c0) * 1000)
    return latencies, cpu_ms


@contextmanager
def loaded(processes: int):
    """With ``processes`` > 0, that many processes spin on the CPUs for as long as the block runs."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        if spinners:
            time.sleep(0.2)  # let them reach the CPU
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def summary(sessions: list[list[float]]) -> tuple[float, float, float, list[float]]:
    every = [x for lat in sessions for x in lat]
    return percentile(every, 50), percentile(every, 95), max(every), [percentile(lat, 95) for lat in sessions]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--load", type=int, nargs="+", default=[0, 1],
                        help="busy-loop processes running meanwhile, one condition per value (default: 0 1)")
    parser.add_argument("--synchronous", choices=["normal", "full"],
                        help="set the collection's PRAGMA synchronous for the session (the app uses full)")
    args = parser.parse_args()
    import textual

    import studydeck

    ours: dict[int, list[list[float]]] = {n: [] for n in args.load}
    rates: dict[int, list[float]] = {n: [] for n in args.load}
    bare: dict[int, list[list[float]]] = {n: [] for n in args.load}
    cpus: dict[int, list[float]] = {n: [] for n in args.load}
    bare_cpus: dict[int, list[float]] = {n: [] for n in args.load}
    for r in range(args.repeats):
        for load in args.load:  # interleaved, so drifts in the machine hit every condition
            with loaded(load):
                bare_lat, bare_cpu = asyncio.run(bare_session())
            with tempfile.TemporaryDirectory(prefix="studydeck-resp-") as tmp:
                tmp = Path(tmp)
                os.environ["STUDYDECK_HOME"] = str(tmp / "home")
                write_deck(tmp / "decks")
                with loaded(load):
                    lat, rate_ms, cpu_ms = asyncio.run(studydeck_session(tmp / "home", tmp / "decks",
                                                                         args.synchronous))
            ours[load].append(lat)
            bare[load].append(bare_lat)
            rates[load] += rate_ms
            cpus[load] += cpu_ms
            bare_cpus[load] += bare_cpu
            print(f"session {r + 1}, load {load}: studydeck p50 {percentile(lat, 50):.1f} ms  "
                  f"p95 {percentile(lat, 95):.1f} ms  max {max(lat):.1f} ms; "
                  f"bare Textual p50 {percentile(bare_lat, 50):.1f} ms  p95 {percentile(bare_lat, 95):.1f} ms  "
                  f"max {max(bare_lat):.1f} ms")
    print(f"python {platform.python_version()}, textual {textual.__version__}, "
          f"studydeck {studydeck.__version__}, {os.cpu_count()} cpus, headless {SIZE[0]}x{SIZE[1]}, "
          f"synchronous {args.synchronous or 'full (as the app)'}")
    print(f"baseline: a bare Textual app, key -> one Static's text replaced and painted; budget: one frame at 60 Hz "
          f"= {BUDGET_MS:.0f} ms")
    for load in args.load:
        name = "quiet (no added load)" if load == 0 else f"with {load} busy-loop process{'es' * (load > 1)}"
        p50, p95, worst, p95s = summary(ours[load])
        b50, b95, bworst, _ = summary(bare[load])
        print(f"{name}: keypress -> next card painted: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
              f"(per session {min(p95s):.1f}-{max(p95s):.1f}), max {worst:.1f} ms "
              f"({args.repeats} sessions x {RATINGS} ratings)")
        print(f"  of which session.rate (commit, scheduling): p50 {percentile(rates[load], 50):.1f} ms, "
              f"p95 {percentile(rates[load], 95):.1f} ms, max {max(rates[load]):.1f} ms")
        print(f"  baseline (bare Textual): p50 {b50:.1f} ms, p95 {b95:.1f} ms, max {bworst:.1f} ms")
        print(f"  CPU time of the app's thread, key to frame: studydeck p50 {percentile(cpus[load], 50):.1f} ms, "
              f"p95 {percentile(cpus[load], 95):.1f} ms; bare Textual p50 {percentile(bare_cpus[load], 50):.1f} ms, "
              f"p95 {percentile(bare_cpus[load], 95):.1f} ms")
        print(f"RATIO p95 / baseline p95, {name}: {p95 / b95:.2f}x")
        print(f"RATIO p95 / budget, {name}: {p95 / BUDGET_MS:.2f}x  (target <= 1.00x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
