"""The parse cache: one file per deck content, so an unchanged deck loads without YAML.

An entry is keyed on blake2b-128 of the deck file's bytes plus a salt that
changes whenever the checker or the drill catalog would parse the same bytes
differently (``FORMAT_VERSION``, the catalog, pyyaml's version, the caps).
Layout of ``<cache_dir>/<content hash>.<salt>.deck``:

    b"SDK1" | blake2b-128 of the payload (16 bytes) | marshal payload

The payload holds plain tuples (marshal reads them at C speed); the checksum is
verified before unmarshalling, so a truncated or corrupt entry is treated as
absent and rewritten.  Writes go to a temporary file in the same folder and are
moved in place with ``os.replace``, so readers never see half an entry.  Every
failure to read or write the cache is silent: the cache only saves time.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.model import Card, Deck, Problem

FORMAT_VERSION = 1
_MAGIC = b"SDK1"
_CARD_FIELDS = Card.__slots__
_SALT: str | None = None


@dataclass(slots=True)
class Parsed:
    """What checking one file gives: the deck (None on any error), its findings,
    and where the ``deck:`` value sits, for the duplicate-id check across files."""

    deck: Deck | None
    problems: list[Problem] = field(default_factory=list)
    deck_pos: tuple[int, int] = (1, 1)


def salt() -> str:
    global _SALT
    if _SALT is None:
        import yaml

        from studydeck import deck_yaml
        from studydeck.drills import catalog

        parts = (FORMAT_VERSION, sorted(catalog.KINDS.items()), repr(catalog.PARAMS),
                 yaml.__version__, deck_yaml.HAVE_LIBYAML, deck_yaml.MAX_DEPTH,
                 deck_yaml.MAX_FILE_BYTES)
        _SALT = hashlib.blake2b(repr(parts).encode(), digest_size=4).hexdigest()
    return _SALT


def encode(parsed: Parsed) -> bytes:
    deck = parsed.deck
    deck_row = None
    if deck is not None:
        cards = tuple(tuple(getattr(c, name) for name in _CARD_FIELDS) for c in deck.cards)
        deck_row = (deck.id, deck.title, deck.description, cards, deck.content_hash)
    problems = tuple((p.line, p.col, p.severity, p.message) for p in parsed.problems)
    payload = marshal.dumps((FORMAT_VERSION, deck_row, problems, parsed.deck_pos))
    return _MAGIC + hashlib.blake2b(payload, digest_size=16).digest() + payload


def decode(blob: bytes, filename: str) -> Parsed | None:
    """The entry in ``blob`` with ``filename`` filled in; None if it is not a valid entry."""
    if blob[:4] != _MAGIC:
        return None
    payload = blob[20:]
    if hashlib.blake2b(payload, digest_size=16).digest() != blob[4:20]:
        return None
    try:
        version, deck_row, problems, deck_pos = marshal.loads(payload)
        if version != FORMAT_VERSION:
            return None
        deck = None
        if deck_row is not None:
            deck_id, title, description, cards, content_hash = deck_row
            deck = Deck(deck_id, title, description, filename,
                        tuple([Card(*row) for row in cards]), content_hash)
        found = [Problem(filename, *row) for row in problems]
        return Parsed(deck, found, tuple(deck_pos))
    except (ValueError, TypeError, EOFError):
        return None


class ParseCache:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._ready = False

    def _path(self, content_hash: str) -> Path:
        return self.directory / f"{content_hash}.{salt()}.deck"

    def get(self, content_hash: str, filename: str) -> Parsed | None:
        try:
            with open(self._path(content_hash), "rb") as handle:
                blob = handle.read()
        except OSError:
            return None
        return decode(blob, filename)

    def put(self, content_hash: str, parsed: Parsed) -> None:
        try:
            if not self._ready:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._ready = True
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".deck")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(encode(parsed))
                os.replace(tmp, self._path(content_hash))
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except (OSError, ValueError):
            return
