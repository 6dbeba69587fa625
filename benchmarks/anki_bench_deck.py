"""The 10,000-note deck both Anki benchmarks use, and their interleaved timing (no figure of its own).

A mix like the bundled decks: half basic, a sixth reversed, a fifth cloze
(with hints), the rest choice.  Text as in the bundled decks, where 306 of
401 fields are plain text, 92 have subscripts such as ``c_(t-1)`` and none
use ``*`` or backticks; here one basic note in ten also has bold, code and
a list, so the Markdown parser gets real work.  No drill notes: their frozen
copies cost the drill engine, not the export.
"""

from __future__ import annotations

import time
from pathlib import Path


def note(i: int) -> str:
    t = i % 30
    if t < 15:
        if i % 10 == 3:
            return (f"  - id: basic-{i}\n    front: What does the **forget gate** of cell {i} decide?\n"
                    f"    back: Which parts of `c_(t-1)` are kept, entry {i}.\n"
                    f"    tags: [gates, t{i % 7}]\n    extra: |\n      - one\n      - two\n")
        return (f"  - id: basic-{i}\n    front: What does the forget gate f_t of cell {i} decide?\n"
                f"    back: Which parts of c_(t-1) are kept, entry {i}.\n"
                f"    tags: [gates, t{i % 7}]\n")
    if t < 20:
        return (f"  - id: rev-{i}\n    type: reversed\n    front: Term number {i}\n"
                f"    back: The definition of term {i}, in a short sentence.\n")
    if t < 26:
        return (f"  - id: cloze-{i}\n    type: cloze\n"
                f"    text: \"c_t = {{{{c1::f_t ⊙ c_(t-1)}}}} + {{{{c2::i_t ⊙ g_t::a product}}}} ({i})\"\n"
                f"    extra: The cell update of step {i}.\n")
    return (f"  - id: choice-{i}\n    type: choice\n    front: How many gates has cell type {i}?\n"
            f"    choices: [\"1\", \"2\", \"3\", \"4\"]\n    answer: \"3\"\n")


def write_deck(folder: Path, notes: int = 10_000) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.yaml"
    path.write_text("deck: bench\ntitle: Benchmark deck\ncards:\n" + "".join(note(i) for i in range(notes)),
                    encoding="utf-8")
    return path


class Stopwatch:
    """Wall seconds and CPU seconds (``time.process_time``: every thread of this process)
    of a ``with`` block, as ``(wall, cpu)`` in ``.took``."""

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.took = (time.perf_counter() - self._wall, time.process_time() - self._cpu)


Times = tuple[float, float]          # (wall, cpu) seconds


def interleaved(baseline, ours, pairs: int) -> list[tuple[Times, Times]]:
    """``pairs`` (baseline, ours) times, each pair run back to back, the one that goes first
    alternating from pair to pair; one untimed pair first to warm up.  Each function takes
    the pair's number (-1 for the warm-up) and returns its (wall, cpu) seconds."""
    baseline(-1)
    ours(-1)
    out = []
    for r in range(pairs):
        if r % 2 == 0:
            base = baseline(r)
            mine = ours(r)
        else:
            mine = ours(r)
            base = baseline(r)
        out.append((base, mine))
    return out


def report(names: tuple[str, str], times: list[tuple[Times, Times]], target: float) -> str:
    """The lines a benchmark prints: each side's median (min-max) wall time, and the ratio
    ours/baseline: the ratio of the medians, and the median (min-max) of the per-pair ratios;
    then the same for CPU time (less moved by other jobs on a shared machine)."""
    from statistics import median

    width = max(len(n) for n in names)
    lines = []
    for i, what in enumerate(("wall", "CPU")):
        base = [b[i] for b, _ in times]
        mine = [m[i] for _, m in times]
        ratios = [m / b for b, m in zip(base, mine)]
        lines += [
            f"{len(times)} interleaved pairs, {what} seconds, median (min-max):",
            f"  {names[0]:{width}s} {median(base):6.3f} s ({min(base):.3f}-{max(base):.3f})   baseline",
            f"  {names[1]:{width}s} {median(mine):6.3f} s ({min(mine):.3f}-{max(mine):.3f})",
            f"  ratio of the medians {median(mine) / median(base):.2f}x; per pair: median "
            f"{median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f}x)"
            + (f"; target <= {target}x" if what == "wall" else " (CPU: every thread of the process)"),
        ]
    return "\n".join(lines)
