"""Deck loading speed: cold (nothing cached) and warm (cache filled, nothing changed).

Baseline: reading the same files and ``yaml.load(data, Loader=yaml.CSafeLoader)``
on each, which only builds dicts and lists, with no checks, no line numbers and
no cards, run as ``load_decks`` runs: with the cyclic garbage collector paused
(with it running, the baseline pays for rescanning everything it built, which
flatters the ratio; that figure is printed for reference).  Targets: cold <=
1.3x the baseline (the 1,000-card collection, where each file's fixed costs
weigh most, is the hard case); warm <= 0.02x cold at 100,000 cards (smaller
collections are printed for the growth table, without a target).

Collections are generated: 100 files with a mix of basic, reversed, cloze,
choice and drill notes, sized to ~1,000, ~10,000 and ~100,000 cards.  The
files are left to settle (2 s) before the warm cache is filled, as deck files
are at any later start.  The ways of loading take turns within every repeat
(order reversed every other repeat); printed: medians and min-max of each and
of the per-repeat ratios, in CPU time (wall time beside it).

    python benchmarks/bench_load.py [--sizes 1000,10000,100000] [--repeats 7]
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from studydeck.deckfile import yaml_nodes as deck_yaml
from studydeck.deckfile.load import check_paths, load_decks

KINDS = ("lstm.forget_gate", "params.lstm", "sigmoid.value", "gru.update_gate")


def note(i: int) -> tuple[str, int]:
    """YAML for note i and the number of cards it makes."""
    t = i % 20
    if t < 10:
        return (f"  - id: basic-{i}\n    front: What does the forget gate of cell {i} decide?\n"
                f"    back: Which parts of c_(t-1) are kept, entry {i}.\n"
                f"    tags: [gates, t{i % 7}]\n", 1)
    if t < 13:
        return (f"  - id: rev-{i}\n    type: reversed\n    front: Term number {i}\n"
                f"    back: The definition of term {i}, in a sentence.\n", 2)
    if t < 16:
        return (f"  - id: cloze-{i}\n    type: cloze\n"
                f"    text: \"c_t = {{{{c1::f_t ⊙ c_(t-1)}}}} + {{{{c2::i_t ⊙ g_t::product}}}} ({i})\"\n"
                f"    extra: |\n      The cell update of step {i}.\n", 2)
    if t < 19:
        return (f"  - id: choice-{i}\n    type: choice\n    front: How many gates in case {i}?\n"
                f"    choices: [\"1\", \"2\", \"3\", \"4\"]\n    answer: \"3\"\n", 1)
    return (f"  - id: drill-{i}\n    type: drill\n    drill: {KINDS[i % len(KINDS)]}\n"
            f"    params: {{hidden_size: 2}}\n" if i % 40 != 19 else
            f"  - id: drill-{i}\n    type: drill\n    drill: sigmoid.value\n", 1)


def generate(folder: Path, cards: int, files: int = 100) -> int:
    per_file = cards // files
    made = 0
    i = 0
    for f in range(files):
        parts = [f"deck: gen-{f}\ntitle: Generated deck {f}\ndescription: |\n"
                 f"  Notes for deck {f}.\n\n  A second paragraph.\ncards:\n"]
        in_file = 0
        while in_file < per_file:
            text, count = note(i)
            parts.append(text)
            in_file += count
            i += 1
        made += in_file
        (folder / f"deck-{f:03d}.yaml").write_text("".join(parts), encoding="utf-8")
    return made


def baseline(folder: Path) -> None:
    """The same files, read and loaded with no checks: the figure to compare against."""
    for path in sorted(folder.glob("*.yaml")):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def baseline_nogc(folder: Path) -> None:
    """The baseline with the cyclic GC paused, as ``load_decks`` runs: shows
    how much of the difference the paused collector accounts for."""
    gc.disable()
    try:
        baseline(folder)
    finally:
        gc.enable()


def run(size: int, repeats: int) -> dict[str, float]:
    """Median wall and CPU seconds of each way of loading; the ways take turns
    within every repeat, so a busy machine slows them alike."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "decks")
        folder.mkdir()
        made = generate(folder, size)
        check = load_decks([folder])
        assert not check.problems and sum(len(d.cards) for d in check.decks) == made
        time.sleep(2.1)   # settled, as files are at any later start
        load_decks([folder], cache_dir=Path(tmp, "warm"))
        ways = {
            "baseline": lambda r: baseline(folder),
            "baseline_nogc": lambda r: baseline_nogc(folder),
            "check": lambda r: check_paths([folder]),
            "cold": lambda r: load_decks([folder], cache_dir=Path(tmp, f"cold-{r}")),
            "warm": lambda r: load_decks([folder], cache_dir=Path(tmp, "warm")),
        }
        wall: dict[str, list[float]] = {name: [] for name in ways}
        cpu: dict[str, list[float]] = {name: [] for name in ways}
        for r in range(repeats):
            for name in (list(ways) if r % 2 == 0 else list(ways)[::-1]):
                start, start_cpu = time.perf_counter(), time.process_time()
                ways[name](r)
                wall[name].append(time.perf_counter() - start)
                cpu[name].append(time.process_time() - start_cpu)
    med = statistics.median
    print(f"\n{made:,} cards in 100 files, {repeats} repeats, CPU ms median [min-max] (wall median):")
    for name in ways:
        print(f"  {name:14s} {med(cpu[name]) * 1000:8.1f} [{min(cpu[name]) * 1000:.1f}-"
              f"{max(cpu[name]) * 1000:.1f}]  ({med(wall[name]) * 1000:.1f})")
    rows = (("cold / baseline (GC paused as the loader)", "cold", "baseline_nogc", 1.3),
            ("cold / baseline with GC on (reference)", "cold", "baseline", None),
            ("check_paths / baseline (GC paused)", "check", "baseline_nogc", None),
            ("warm / cold", "warm", "cold", 0.02 if made >= 100_000 else None))
    for label, name, against, target in rows:
        ratios = [a / b for a, b in zip(cpu[name], cpu[against])]
        wall_ratio = med([a / b for a, b in zip(wall[name], wall[against])])
        line = (f"  {label:42s} {med(ratios):6.3f} [{min(ratios):.3f}-{max(ratios):.3f}] "
                f"(wall {wall_ratio:.3f})")
        if target is not None:
            line += f"  target <= {target}: {'meets' if med(ratios) <= target else 'MISSES'}"
        print(line)
    return {name: med(ts) for name, ts in wall.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, pyyaml {yaml.__version__}, "
          f"libyaml {'yes' if deck_yaml.HAVE_LIBYAML else 'no'}")
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
