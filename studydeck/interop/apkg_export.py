"""Writing an Anki package (``.apkg``) with genanki.

One genanki deck per studydeck deck, with a stable id derived from the deck
id (so Anki keeps the same deck on a second import); the four fixed note
types from :mod:`studydeck.interop.notetypes`.  The package is written to a
temporary file beside the target and moved over it only when complete.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

from studydeck.interop.export import AnkiNote, deck_name
from studydeck.interop.html import to_html
from studydeck.interop.notetypes import models
from studydeck.model import Deck


def anki_deck_id(deck_id: str) -> int:
    """A stable positive 63-bit id for the Anki deck of ``deck_id``."""
    digest = hashlib.blake2b(f"studydeck deck {deck_id}".encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 2) | (1 << 40)


def write_apkg(target: Path, decks: Sequence[Deck], notes_by_deck: Sequence[Sequence[AnkiNote]]) -> None:
    """Write ``decks`` (with their notes, in the same order) as one package at ``target``."""
    import genanki

    kinds = models()
    anki_decks = []
    for deck, notes in zip(decks, notes_by_deck):
        anki_deck = genanki.Deck(anki_deck_id(deck.id), deck_name(deck), to_html(deck.description))
        for note in notes:
            anki_deck.add_note(genanki.Note(model=kinds[note.kind], fields=list(note.fields),
                                            tags=list(note.tags), guid=note.guid))
        anki_decks.append(anki_deck)
    fd, tmp = tempfile.mkstemp(prefix=".studydeck-export-", suffix=".apkg", dir=target.parent)
    os.close(fd)
    try:
        with warnings.catch_warnings():
            # genanki warns about HTML tags it does not know; ours come from markdown-it
            warnings.filterwarnings("ignore", module="genanki")
            genanki.Package(anki_decks).write_to_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
