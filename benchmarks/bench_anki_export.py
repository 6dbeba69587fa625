"""Anki export speed: ``.apkg`` of a 10,000-note deck against genanki alone.

Baseline: genanki writing the very same notes (the HTML fields, GUIDs, tags
and note types studydeck would give it, made before the clock starts) to a
package: the least any genanki-based export can cost.  Measured: studydeck's
export from the loaded deck: Markdown to HTML for every field, GUIDs, then
the same genanki write.  Target: <= 1.5x the baseline.  The two take turns
in every repeat; medians with min-max.

    PYTHONPATH=. python benchmarks/bench_anki_export.py [--notes 10000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from anki_bench_deck import write_deck

from studydeck.deckfile.load import load_decks
from studydeck.interop.apkg_export import anki_deck_id, write_apkg
from studydeck.interop.export import deck_name, deck_notes
from studydeck.interop.notetypes import models


def genanki_alone(deck, notes, target: Path) -> None:
    import genanki

    kinds = models()
    anki_deck = genanki.Deck(anki_deck_id(deck.id), deck_name(deck))
    for n in notes:
        anki_deck.add_note(genanki.Note(model=kinds[n.kind], fields=list(n.fields), tags=list(n.tags),
                                        guid=n.guid))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="genanki")
        genanki.Package([anki_deck]).write_to_file(str(target))


def studydeck_export(deck, target: Path) -> None:
    write_apkg(target, [deck], [deck_notes(deck, 0)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import genanki

    print(f"python {platform.python_version()}, genanki {getattr(genanki, '__version__', '?')}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (deck,) = load_decks([write_deck(tmp / "decks", args.notes)]).decks
        notes = deck_notes(deck, 0)          # the baseline's input, made once, untimed
        ways = {"genanki alone": lambda r: genanki_alone(deck, notes, tmp / f"base-{r}.apkg"),
                "studydeck export": lambda r: studydeck_export(deck, tmp / f"ours-{r}.apkg")}
        times: dict[str, list[float]] = {name: [] for name in ways}
        for r in range(args.repeats):
            for name, fn in ways.items():
                start = time.perf_counter()
                fn(r)
                times[name].append(time.perf_counter() - start)
    print(f"{len(notes):,} notes, {sum(n.cards for n in notes):,} cards; median (min-max) of "
          f"{args.repeats}, wall seconds:")
    base = statistics.median(times["genanki alone"])
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:18s} {med:6.2f} s ({min(ts):.2f}-{max(ts):.2f})"
              + ("   baseline" if name == "genanki alone" else f"   ratio {med / base:.2f}x (target <= 1.5x)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
