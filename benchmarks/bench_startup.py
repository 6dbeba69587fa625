"""Start-up: from process start to the first screen painted, in a real terminal.

Workload (defaults; ``--cards``, ``--reviews``, ``--files`` change them): a
collection of 100,000 cards (100 generated deck files of 1,000 cards) with
1,000,000 reviews (inserted in one transaction through the collection that
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
marker − t0.  One warm-up run each (it also fills the deck parse cache and
writes the bytecode, as any second start of the app would find them; the deck files are 2 s old by
then, as at any later start), then REPEATS pairs, the order swapped every
pair; printed: the median and min-max of each and of the per-pair ratio.
Target: studydeck within 1.3× of the bare app.

    python benchmarks/bench_startup.py [--repeats N] [--cards N] [--reviews N] [--files N]
                                       [--workdir DIR]
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

CARDS = 100_000
REVIEWS = 1_000_000
FILES = 100
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
        Path(os.environ["STUDYDECK_PAINTED_FILE"]).write_text(
            f"{time.time():.6f} {time.process_time():.6f}\\n")

Bare().run()
'''


def make_decks(folder: Path, cards: int, files: int) -> list[tuple[str, str]]:
    """``files`` deck files with ``cards`` cards in all; returns every (deck_id, card_id)."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = []
    per_file = cards // files
    for f in range(files):
        deck_id = f"bench-{f:02d}"
        lines = [f"deck: {deck_id}", f"title: Benchmark deck {f}", "cards:"]
        for c in range(per_file):
            card_id = f"card-{c:04d}"
            lines += [f"  - id: {card_id}",
                      f"    front: Question {c} of deck {f} - what does gate {c % 4} compute?",
                      f"    back: Answer {c}, σ(W x + U h + b) for gate {c % 4}."]
            keys.append((deck_id, card_id))
        (folder / f"{deck_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return keys


def make_collection(home: Path, keys: list[tuple[str, str]], reviews: int) -> None:
    """``reviews`` reviews spread over the last year (every day has some, so the
    streak is a year long and the home screen reads the whole year), in one
    transaction."""
    from studydeck import paths
    from studydeck.store import REVIEW, REVIEW_INSERT, CardState, open_collection, review_insert_rows

    rng = random.Random(0)
    now = int(time.time() * 1000)
    per_card = max(1, reviews // len(keys))
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


def time_to_paint(command: str, env: dict[str, str], marker: Path,
                  timeout: float = 60.0) -> tuple[float, float]:
    """(seconds from just before tmux starts ``command`` to the painted marker, the
    program's CPU seconds at that point)."""
    socket = f"bench-{uuid.uuid4().hex[:10]}"
    marker.unlink(missing_ok=True)
    args = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
    try:
        t0 = time.time()
        subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "100", "-y", "30", *args, command],
                       check=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = marker.read_text() if marker.exists() else ""
            if text.endswith("\n"):
                painted, cpu = map(float, text.split())
                return painted - t0, cpu
            time.sleep(0.002)
        raise RuntimeError(f"no paint marker after {timeout} s for: {command}")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--cards", type=int, default=CARDS)
    parser.add_argument("--reviews", type=int, default=REVIEWS)
    parser.add_argument("--files", type=int, default=FILES)
    parser.add_argument("--workdir", type=Path, help="keep the workload there and reuse it")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is required", file=sys.stderr)
        return 1
    import textual

    import studydeck

    with tempfile.TemporaryDirectory(prefix="studydeck-bench-") as tmp:
        tmp = Path(tmp)
        if args.workdir:  # kept between runs: generated once per size
            tmp = args.workdir / f"{args.cards}-{args.reviews}-{args.files}"
        t = time.perf_counter()
        if not (tmp / "home").exists():
            keys = make_decks(tmp / "decks", args.cards, args.files)
            from studydeck.deckfile.load import check_paths

            problems = check_paths([tmp / "decks"]).problems
            assert not problems, f"the generated decks do not load: {problems[0]}"
            make_collection(tmp / "home", keys, args.reviews)
            time.sleep(2.1)  # deck files settle, as they have at any later start
        print(f"workload: {args.cards} cards in {args.files} files, {args.reviews} reviews "
              f"(ready in {time.perf_counter() - t:.1f} s)")
        (tmp / "bare.py").write_text(BARE_APP, encoding="utf-8")
        marker = tmp / "painted"
        py = shlex.quote(sys.executable)
        # Bytecode is written by the warm-up run and read by every run after it, as
        # at any second start (PYTHONDONTWRITEBYTECODE set to anything, even "0",
        # would have every run compile studydeck's modules again).
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        base_env = {"TERM": "xterm-256color", "STUDYDECK_PAINTED_FILE": str(marker),
                    "STUDYDECK_HOME": str(tmp / "home")}
        runs = {
            "bare Textual app (baseline)": f"{py} {shlex.quote(str(tmp / 'bare.py'))}",
            "studydeck": f"cd {shlex.quote(str(tmp))} && {py} -m studydeck --no-bundled "
                         f"--deck-dir {shlex.quote(str(tmp / 'decks'))}",
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        for command in runs.values():  # warm-up: page cache, bytecode, deck parse cache
            time_to_paint(command, base_env, marker)
        for r in range(args.repeats):
            for name in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
                times[name].append(time_to_paint(runs[name], base_env, marker))
    print(f"python {platform.python_version()}, textual {textual.__version__}, "
          f"studydeck {studydeck.__version__}, {os.cpu_count()} cpus, tmux, 100x30")
    bare, ours = times["bare Textual app (baseline)"], times["studydeck"]
    for name, values in times.items():
        print(f"{name:30} wall median {statistics.median(v[0] for v in values) * 1000:7.1f} ms, "
              f"CPU to paint median {statistics.median(v[1] for v in values) * 1000:7.1f} ms")
    for k, label in ((1, "CPU time to first paint"), (0, "wall time to first paint")):
        ratios = [a[k] / b[k] for a, b in zip(ours, bare)]
        print(f"baseline: the bare Textual app; RATIO studydeck / bare app, {label}: median "
              f"{statistics.median(ratios):.2f}x [{min(ratios):.2f}-{max(ratios):.2f}]  "
              "(target ≤ 1.30x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
