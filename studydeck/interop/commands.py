"""The ``studydeck export`` and ``studydeck import`` commands (argparse values in, exit code out)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXPORT_SUFFIXES = (".apkg", ".txt", ".tsv")


def export_target(raw: str) -> Path:
    """The export file named by ``--to``; a UsageError (exit 2) if it cannot be one."""
    from studydeck.cli import UsageError

    target = Path(raw).expanduser()
    if target.suffix.lower() not in EXPORT_SUFFIXES:
        raise UsageError(f"--to {raw}: expected a file ending in {', '.join(EXPORT_SUFFIXES)}")
    if target.is_dir():
        raise UsageError(f"--to {raw}: is a folder; name the file to write")
    if not target.parent.is_dir():
        raise UsageError(f"--to {raw}: no folder {target.parent} to write into")
    return target


def export_command(args: argparse.Namespace) -> int:
    from studydeck.cli import UsageError, _config, _load, _report_problems, _select
    from studydeck.interop.export import deck_notes, summarize

    target = export_target(args.to)
    if args.drill_variants < 0:
        raise UsageError("--drill-variants must be 0 or more")
    config = _config(args)
    loaded = _load(args, config)
    _report_problems([p for p in loaded.problems if p.is_error], sys.stderr)
    decks = _select(loaded.decks, args.decks)
    if not decks:
        raise UsageError("no decks to export")
    notes_by_deck = [deck_notes(deck, args.drill_variants) for deck in decks]
    if target.suffix.lower() == ".apkg":
        from studydeck.interop.apkg_export import write_apkg

        write_apkg(target, decks, notes_by_deck)
    else:
        from studydeck.interop.text_export import write_text

        write_text(target, (n for notes in notes_by_deck for n in notes))
    notes = [n for notes in notes_by_deck for n in notes]
    print(summarize(decks, notes, args.drill_variants).line(str(target)))
    return 0


def import_command(args: argparse.Namespace) -> int:
    from studydeck.cli import _config, _load
    from studydeck.interop.importer import report, run_import

    config = _config(args)
    into = Path(args.into).expanduser() if args.into else (
        Path(config.deck_folders[0]).expanduser() if config.deck_folders else Path.cwd())
    loaded = _load(args, config)
    others = {deck.id: deck.path for deck in loaded.decks}
    if not args.history:
        result = run_import(Path(args.file), into, force=args.force, other_decks=others)
    else:
        from studydeck import paths
        from studydeck.store import open_collection

        with open_collection(paths.collection_path(args.home)) as collection:
            result = run_import(Path(args.file), into, force=args.force, history=True,
                                collection=collection, config=config, other_decks=others)
    for line in report(result):
        print(line, file=sys.stderr if line.startswith("warning:") else sys.stdout)
    return 0
