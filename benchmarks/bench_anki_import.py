"""Anki import speed: a 10,000-note ``.apkg`` read by studydeck against Anki's own importer.

The package: the benchmark deck (``anki_bench_deck``) exported by studydeck,
imported into Anki and exported again by Anki in its current format
(``collection.anki21b``, zstd), so both sides read a package Anki wrote.
Baseline: ``Collection.import_anki_package`` into a fresh, empty Anki
collection (the collection is made before the clock starts).  Measured:
``studydeck import`` (``run_import``) into a fresh folder: unpack, read, HTML
to Markdown, write the YAML decks, run the deck checker on every file.
Target: <= 1.0x the baseline.  Needs the ``anki`` test extra.

Both produce their output: Anki's importer adds the notes and cards to its
collection (committed to the SQLite file; closing the collection is outside
the clock, as is opening it), studydeck writes the YAML deck file.  No
review history on either side (the package has none; ``--history`` is
off).

Timing: one untimed pair to warm up, then ``--pairs`` pairs run back to back,
which side goes first alternating; it prints each side's median (min-max) and
the ratio, of the medians and per pair (median, min-max): wall time (the
figure), then CPU time of the process, all threads (less moved by other jobs).

    PYTHONPATH=. python benchmarks/bench_anki_import.py [--notes 10000] [--pairs 9]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from pathlib import Path

from anki_bench_deck import Stopwatch, interleaved, report, write_deck

from studydeck.deckfile.load import load_decks
from studydeck.interop.apkg_export import write_apkg
from studydeck.interop.export import deck_notes
from studydeck.interop.importer import run_import


def anki_package(tmp: Path, notes: int) -> Path:
    from anki.collection import (
        Collection,
        ExportAnkiPackageOptions,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )

    (deck,) = load_decks([write_deck(tmp / "decks", notes)]).decks
    ours = tmp / "studydeck.apkg"
    write_apkg(ours, [deck], [deck_notes(deck, 0)])
    (tmp / "maker").mkdir()
    col = Collection(str(tmp / "maker" / "collection.anki2"))
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(ours),
                                                     options=ImportAnkiPackageOptions()))
    target = tmp / "anki-made.apkg"
    col.export_anki_package(out_path=str(target), limit=None, options=ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False))
    col.close()
    return target


def anki_import(package: Path, folder: Path) -> tuple[float, float]:
    from anki.collection import (
        Collection,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )

    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    with Stopwatch() as watch:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package),
                                                         options=ImportAnkiPackageOptions()))
    col.close()
    return watch.took


def studydeck_import(package: Path, folder: Path) -> tuple[float, float]:
    with Stopwatch() as watch:
        run_import(package, folder)
    return watch.took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=9)
    args = parser.parse_args()
    import anki.buildinfo

    print(f"python {platform.python_version()}, anki {anki.buildinfo.version}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        package = anki_package(tmp, args.notes)
        size = package.stat().st_size
        times = interleaved(lambda r: anki_import(package, tmp / f"anki-{r}"),
                            lambda r: studydeck_import(package, tmp / f"studydeck-{r}"), args.pairs)
    print(f"{args.notes:,} notes ({size:,}-byte package, written by Anki)")
    print(report(("Anki's importer", "studydeck import"), times, 1.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
