"""Start-up: from process start to the first screen painted, in a real terminal.

Workload: a collection of 10,000 cards (20 generated deck files of 500 cards)
with 100,000 reviews (inserted in one transaction through the collection that
``studydeck.store.open_collection`` creates: ten reviews per card over the
last year, each card left in the review state, every day of the year with reviews with a due date spread over
two months), opened by the real command,

    python -m studydeck --no-bundled --deck-dir DECKS      (STUDYDECK_HOME=tmp)

Baseline: a bare Textual app (Header, one Static, Footer) started the same way.

Method: each program runs in its own tmux session (100×30).  The time
``t0`` is taken just before ``tmux new-session``; the program writes
``time.time()`` to the file named by STUDYDECK_PAINTED_FILE once its first
screen has been painted (``call_after_refresh`` from the first screen's
``on_mount``; the studydeck app does this in HomeScreen).  The figure is
marker − t0.  One warm-up run each (it also fills the deck parse cache, as
any second start of the app would find it), then REPEATS runs each,
alternating; the median is reported.  Target: studydeck within 1.3× of the
bare app.

    python benchmarks/bench_startup.py [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

CARDS = 10_000
REVIEWS = 100_000
FILES = 20
DAY_MS = 86_400_000

BARE_APP = '''\
import os, time
from pathlib import Path
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("A bare Textual app")
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(self.painted)

    def painted(self):
        Path(os.environ["STUDYDECK_PAINTED_FILE"]).write_text(f"{time.time():.6f}")

Bare().run()
'''


def make_decks(folder: Path) -> list[tuple[str, str]]:
    """FILES deck files with CARDS cards in all; returns every (deck_id, card_id)."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = []
    per_file = CARDS // FILES
    for f in range(FILES):
        deck_id = f"bench-{f:02d}"
        lines = [f"deck: {deck_id}", f"title: Benchmark deck {f}", "cards:"]
        for c in range(per_file):
            card_id = f"card-{c:04d}"
            lines += [f"  - id: {card_id}",
                      f"    front: Question {c} of deck {f}: what does gate {c % 4} compute?",
                      f"    back: Answer {c}, σ(W x + U h + b) for gate {c % 4}."]
            keys.append((deck_id, card_id))
        (folder / f"{deck_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return keys


def make_collection(home: Path, keys: list[tuple[str, str]]) -> None:
    """REVIEWS reviews spread over the last year (every day has some, so the
    streak is a year long and the home screen reads the whole year), in one
    transaction."""
    from studydeck import paths
    from studydeck.store import REVIEW, REVIEW_INSERT, CardState, open_collection, review_insert_rows

    rng = random.Random(0)
    now = int(time.time() * 1000)
    per_card = REVIEWS // len(keys)
    review_rows, card_rows = [], []
    for deck_id, card_id in keys:
        stability = rng.uniform(2, 60)
        before = None
        for k in range(per_card):
            at = now - (per_card - k) * 36 * DAY_MS + rng.randrange(36 * DAY_MS)
            after = CardState(REVIEW, None, stability, 5.0, at + int(stability * DAY_MS), at, k + 1, 0, False)
            rating = rng.choice((3, 4, 4, 4, 5, 1))
            review_rows.append((deck_id, card_id, at, rating, {1: 1, 3: 2, 4: 3, 5: 4}[rating], 4000,
                                before, after))
            before = after
        due = now + rng.randrange(-30 * DAY_MS, 30 * DAY_MS)
        card_rows.append((deck_id, card_id, REVIEW, None, stability, 5.0, due, before.last_review,
                          per_card, 0, 0))
    with open_collection(paths.collection_path(home)) as collection:
        conn = collection.conn
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(REVIEW_INSERT, review_insert_rows(review_rows))
        conn.executemany(
            "INSERT INTO cards (deck_id, card_id, state, step, stability, difficulty, due, last_review, "
            "reps, lapses, leech) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", card_rows)
        conn.execute("COMMIT")


def time_to_paint(command: str, env: dict[str, str], marker: Path, timeout: float = 60.0) -> float:
    """Seconds from just before tmux starts ``command`` to the painted marker."""
    socket = f"bench-{uuid.uuid4().hex[:10]}"
    marker.unlink(missing_ok=True)
    args = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
    try:
        t0 = time.time()
        subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "100", "-y", "30", *args, command],
                       check=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if marker.exists() and marker.stat().st_size:
                return float(marker.read_text()) - t0
            time.sleep(0.002)
        raise RuntimeError(f"no paint marker after {timeout} s for: {command}")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is required", file=sys.stderr)
        return 1
    import textual

    import studydeck

    with tempfile.TemporaryDirectory(prefix="studydeck-bench-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        keys = make_decks(tmp / "decks")
        make_collection(tmp / "home", keys)
        print(f"workload: {len(keys)} cards in {FILES} files, {REVIEWS} reviews "
              f"(built in {time.perf_counter() - t:.1f} s)")
        (tmp / "bare.py").write_text(BARE_APP, encoding="utf-8")
        marker = tmp / "painted"
        py = shlex.quote(sys.executable)
        base_env = {"TERM": "xterm-256color", "STUDYDECK_PAINTED_FILE": str(marker),
                    "STUDYDECK_HOME": str(tmp / "home"), "PYTHONDONTWRITEBYTECODE": "0"}
        runs = {
            "bare Textual app (baseline)": f"{py} {shlex.quote(str(tmp / 'bare.py'))}",
            "studydeck": f"cd {shlex.quote(str(tmp))} && {py} -m studydeck --no-bundled "
                         f"--deck-dir {shlex.quote(str(tmp / 'decks'))}",
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        for command in runs.values():  # warm-up: page cache, bytecode, deck parse cache
            time_to_paint(command, base_env, marker)
        for _ in range(args.repeats):
            for name, command in runs.items():
                times[name].append(time_to_paint(command, base_env, marker))
    print(f"python {platform.python_version()}, textual {textual.__version__}, "
          f"studydeck {studydeck.__version__}, {os.cpu_count()} cpus, tmux, 100x30")
    medians = {}
    for name, values in times.items():
        medians[name] = statistics.median(values)
        print(f"{name:30} median {medians[name] * 1000:7.1f} ms   runs: "
              + " ".join(f"{v * 1000:.0f}" for v in values))
    base = medians["bare Textual app (baseline)"]
    ratio = medians["studydeck"] / base
    print(f"RATIO studydeck / bare app: {ratio:.2f}x  (target ≤ 1.30x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
