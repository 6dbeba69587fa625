"""The near-duplicate front pass of ``studydeck check``, against checking the same files.

Baseline: ``check_paths`` on the folder (read, parse and validate every
file).  Measured: ``near_duplicate_fronts`` on the decks it returned, the
extra work ``check`` now does.  The ratio says how much slower ``check``
got.

Fronts are the worst case for the pass: questions built from one small
vocabulary with no numbers or negations, so none is ruled out early and all
share one length-sorted group.  Real decks, whose fronts differ in numbers
and length more, are cheaper.

    python benchmarks/bench_similar_fronts.py [--sizes 2000,10000] [--repeats 3]
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


def generate(folder: Path, cards: int, files: int = 20) -> None:
    rng = random.Random(7)
    per_file = cards // files
    for f in range(files):
        lines = [f"deck: sim-{f}\ntitle: Generated {f}\ncards:\n"]
        for k in range(per_file):
            front = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 14))) + "?"
            lines.append(f"  - id: q{k}\n    front: {front}\n    back: A.\n")
        (folder / f"d{f:02d}.yaml").write_text("".join(lines), encoding="utf-8")


def run(size: int, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, size)
        times: dict[str, list[float]] = {"check_paths": [], "near_duplicate_fronts": []}
        found = 0
        for _ in range(repeats):            # the two take turns, so load hits both alike
            start = time.perf_counter()
            result = check_paths([folder])
            times["check_paths"].append(time.perf_counter() - start)
            start = time.perf_counter()
            found = len(near_duplicate_fronts(result.decks))
            times["near_duplicate_fronts"].append(time.perf_counter() - start)
    base = statistics.median(times["check_paths"])
    print(f"\n{size:,} cards, threshold {THRESHOLD}, median of {repeats} (min-max), "
          f"{found} warnings:")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:22s} {med * 1000:9.1f} ms ({min(ts) * 1000:.1f}-{max(ts) * 1000:.1f})"
              f"   ratio {med / base:.2f} vs check_paths")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
