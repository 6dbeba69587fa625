"""``studydeck import``: read, convert, write deck files and media, bring the history.

Nothing is written until everything has been read and converted: the deck
files and media are made in a hidden temporary folder inside the target
folder, each file is run through the deck checker, the review history (with
``--history``) is committed in one transaction, and only then are the files
moved into place.  A bad input stops before any of that with one line.
An existing deck file is replaced only with ``--force``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.deckfile.load import gc_paused
from studydeck.interop import InteropError
from studydeck.interop.anki_read import MAX_MEDIA_BYTES, AnkiPackage, read_package
from studydeck.interop.convert import ImportPlan, SourceNote, convert
from studydeck.interop.yaml_write import check_written, deck_yaml

PACKAGE_SUFFIXES = (".apkg", ".colpkg")
TEXT_SUFFIXES = (".txt", ".tsv", ".csv")


@dataclass
class Written:
    path: Path
    notes: int
    cards: int
    media: int


@dataclass
class ImportResult:
    written: list[Written] = field(default_factory=list)
    plan: ImportPlan | None = None
    history: object | None = None       # history.HistoryResult with --history


def read_source(path: Path, cards: bool = True) -> tuple[list[SourceNote], AnkiPackage | None]:
    """The notes of ``path`` (with their Anki cards if ``cards``), and the package if it is one."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InteropError(f"{path}: no such file")
    if suffix in PACKAGE_SUFFIXES or (suffix not in TEXT_SUFFIXES and zipfile.is_zipfile(path)):
        package = read_package(path, cards=cards)
        return package.notes, package
    if suffix in TEXT_SUFFIXES:
        from studydeck.interop.text_read import read_text

        return read_text(path), None
    raise InteropError(f"{path}: expected an Anki package (.apkg, .colpkg) or a text file "
                       "(.txt, .tsv, .csv)")


def run_import(path: Path, into: Path, *, force: bool = False, history: bool = False,
               collection=None, config=None, other_decks: dict[str, str] | None = None) -> ImportResult:
    """Import ``path`` into folder ``into``.  With ``history``, ``collection`` and ``config``
    receive the review log.  ``other_decks`` maps deck ids already in use to their files."""
    with gc_paused():
        notes, package = read_source(path, cards=history)
        try:
            return _import(path, into, notes, package, force, history, collection, config, other_decks or {})
        finally:
            if package is not None:
                package.close()


def _import(path, into, notes, package, force, history, collection, config, other_decks) -> ImportResult:
    taken = {deck_id for deck_id, owner in other_decks.items()
             if Path(owner).resolve() != (into / f"{deck_id}.yaml").resolve()}
    plan = convert(notes, set(package.media) if package else frozenset(), taken)
    result = ImportResult(plan=plan)
    if not plan.decks:
        raise InteropError(f"{path}: no notes studydeck can import"
                           + (f" ({_skipped_text(plan)})" if plan.skipped else ""))
    if history and package is None:
        plan.warnings.append("a text file has no review history; --history brought nothing")
    targets = {deck.deck_id: into / f"{deck.deck_id}.yaml" for deck in plan.decks}
    for deck in plan.decks:
        target = targets[deck.deck_id]
        owner = other_decks.get(deck.deck_id)
        if owner is not None and Path(owner).resolve() != target.resolve():
            raise InteropError(f"deck id '{deck.deck_id}' is already used by {owner}; import into "
                               "that file's folder (with --force) or move it aside")
        if not force and (target.exists() or (into / deck.media_dir).exists() and deck.media):
            raise InteropError(f"{target} already exists; add --force to replace it "
                               "(its cards keep their history: their ids come from Anki)")
    into.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".studydeck-import-", dir=into))
    try:
        media_budget = MAX_MEDIA_BYTES
        for deck in plan.decks:
            text = deck_yaml(deck.deck_id, deck.title, deck.notes, str(path)).encode("utf-8")
            cards = check_written(text, str(targets[deck.deck_id]), deck.card_count)
            (staging / f"{deck.deck_id}.yaml").write_bytes(text)
            if deck.media:
                folder = staging / deck.media_dir
                folder.mkdir()
                for name, package_name in deck.media.items():
                    data = package.media_bytes(package_name, media_budget)
                    media_budget -= len(data)
                    (folder / name).write_bytes(data)
            result.written.append(Written(targets[deck.deck_id], len(deck.notes), cards, len(deck.media)))
        if history and package is not None:
            from studydeck.interop.history import HistoryResult, replay

            result.history = HistoryResult()
            rows = replay(package.reviews, plan.card_keys, collection, config, result.history)
            collection.import_reviews(rows, "anki")
        for deck in plan.decks:
            os.replace(staging / f"{deck.deck_id}.yaml", targets[deck.deck_id])
            if deck.media:
                final = into / deck.media_dir
                final.mkdir(exist_ok=True)
                for name in deck.media:
                    os.replace(staging / deck.media_dir / name, final / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _skipped_text(plan: ImportPlan) -> str:
    return "; ".join(f"{n} {reason}" for reason, n in plan.skipped.items())


def report(result: ImportResult) -> list[str]:
    """The lines ``studydeck import`` prints: what it wrote, what it skipped and why."""
    lines = []
    for w in result.written:
        media = f", {w.media} media files" if w.media else ""
        lines.append(f"Wrote {w.path}: {w.notes} notes, {w.cards} cards{media}.")
    plan = result.plan
    if plan is not None:
        for reason, n in plan.skipped.items():
            lines.append(f"Skipped {n} {reason}.")
        lines.extend(f"warning: {w}" for w in plan.warnings)
    if result.history is not None:
        lines.append(result.history.line())
    return lines
