"""The near-duplicate front pass of ``studydeck check``, against checking the same files.

Baseline: ``check_paths`` on the folder (read, parse and validate every
file).  Measured: ``near_duplicate_fronts`` on the decks it returned, the
extra work ``check`` now does.  The ratio says how much slower ``check``
got.

Fronts are the worst case for the pass: questions built from one small
vocabulary (24 words) with no numbers or negations, so none is ruled out by
its numbers and every word is held by a third of the fronts.  ``--vocab
large`` draws from 5,000 made-up words instead (typo classes to compute, rare
words).  The two alternate (order swapped every repeat); printed: median and
min-max of each and of the per-repeat ratio, in thread CPU time (on the
shared machine wall time mostly measures the other processes).

    python benchmarks/bench_similar_fronts.py [--sizes 1000,10000,100000] [--repeats 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from studydeck.deckfile.load import check_paths
from studydeck.deckfile.similar_fronts import THRESHOLD, near_duplicate_fronts

WORDS = ("what", "why", "how", "does", "the", "forget", "input", "output", "gate", "cell",
         "state", "hidden", "lstm", "gru", "candidate", "update", "reset", "weight", "bias",
         "shape", "layer", "step", "sequence", "gradient")


def generate(folder: Path, cards: int, vocab: str, files: int = 20) -> None:
    rng = random.Random(7)
    words = WORDS
    if vocab == "large":
        letters = "abcdefghijklmnopqrstuvwxyz"
        words = tuple("".join(rng.choice(letters) for _ in range(rng.randint(3, 10)))
                      for _ in range(5000))
    per_file = cards // files
    for f in range(files):
        lines = [f"deck: sim-{f}\ntitle: Generated {f}\ncards:\n"]
        for k in range(per_file):
            front = " ".join(rng.choice(words) for _ in range(rng.randint(5, 14))) + "?"
            lines.append(f"  - id: q{k}\n    front: {front}\n    back: A.\n")
        (folder / f"d{f:02d}.yaml").write_text("".join(lines), encoding="utf-8")


def run(size: int, repeats: int, vocab: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, size, vocab)
        times: dict[str, list[float]] = {"check_paths": [], "near_duplicate_fronts": []}
        found = 0
        decks = check_paths([folder]).decks

        def check() -> None:
            check_paths([folder])

        def similar() -> None:
            nonlocal found
            found = len(near_duplicate_fronts(decks))

        jobs = {"check_paths": check, "near_duplicate_fronts": similar}
        for r in range(repeats):            # the two take turns, so load hits both alike
            for name in (list(jobs) if r % 2 == 0 else list(jobs)[::-1]):
                start = time.thread_time()
                jobs[name]()
                times[name].append(time.thread_time() - start)
    ratios = [s / c for s, c in zip(times["near_duplicate_fronts"], times["check_paths"])]
    print(f"\n{size:,} cards, {vocab} vocabulary, threshold {THRESHOLD}, {repeats} repeats, "
          f"{found} warnings:")
    for name, ts in times.items():
        print(f"  {name:22s} median {statistics.median(ts) * 1000:9.1f} ms "
              f"[{min(ts) * 1000:.1f}-{max(ts) * 1000:.1f}]")
    print(f"  baseline check_paths; ratio near_duplicate_fronts / check_paths: median "
          f"{statistics.median(ratios):.3f} [{min(ratios):.3f}-{max(ratios):.3f}]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--vocab", choices=("small", "large"), default="small")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, args.repeats, args.vocab)
    return 0


if __name__ == "__main__":
    sys.exit(main())
