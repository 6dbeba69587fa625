"""Anki export speed: ``.apkg`` of a 10,000-note deck against genanki alone.

Baseline: genanki writing the very same notes (the HTML fields, GUIDs, tags
and note types studydeck would give it, made before the clock starts) to a
package: the least any genanki-based export can cost.  Measured: studydeck's
export from the loaded deck: Markdown to HTML for every field, GUIDs, then
the same genanki write.  Both write the file to a temporary folder.
Target: <= 1.5x the baseline.

Timing: one untimed pair to warm up, then ``--pairs`` pairs run back to back,
which side goes first alternating; it prints each side's median (min-max) and
the ratio, of the medians and per pair (median, min-max): wall time (the
figure), then CPU time of the process, all threads (less moved by other jobs).

    PYTHONPATH=. python benchmarks/bench_anki_export.py [--notes 10000] [--pairs 9]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import warnings
from pathlib import Path

from anki_bench_deck import Stopwatch, interleaved, report, write_deck

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
    parser.add_argument("--pairs", type=int, default=9)
    args = parser.parse_args()
    import genanki

    print(f"python {platform.python_version()}, genanki {getattr(genanki, '__version__', '?')}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (deck,) = load_decks([write_deck(tmp / "decks", args.notes)]).decks
        notes = deck_notes(deck, 0)          # the baseline's input, made once, untimed

        def timed(fn, target: Path) -> tuple[float, float]:
            with Stopwatch() as watch:
                fn(target)
            return watch.took

        times = interleaved(
            lambda r: timed(lambda t: genanki_alone(deck, notes, t), tmp / f"base-{r}.apkg"),
            lambda r: timed(lambda t: studydeck_export(deck, t), tmp / f"ours-{r}.apkg"),
            args.pairs)
    print(f"{len(notes):,} notes, {sum(n.cards for n in notes):,} cards")
    print(report(("genanki alone", "studydeck export"), times, 1.5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
