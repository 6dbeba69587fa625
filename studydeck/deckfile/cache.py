"""The parse cache: one file per deck content, so an unchanged deck loads without YAML.

An entry is keyed on blake2b-128 of the deck file's bytes plus a salt that
changes whenever the checker or the drill catalog would parse the same bytes
differently (``FORMAT_VERSION``, bumped with any change to the checker; the drill catalog; the caps).
Layout of ``<cache_dir>/<content hash>.<salt>.deck``:

    b"SDK1" | CRC-32 of the payload (4 bytes, little-endian) | marshal payload

The payload holds plain tuples, the cards stored column by column (marshal
reads them at C speed); the checksum is verified before unmarshalling, so a truncated or corrupt entry is treated as
absent and rewritten.  Writes go to a temporary file in the same folder and are
moved in place with ``os.replace``, so readers never see half an entry.  Every
failure to read or write the cache is silent: the cache only saves time.
"""

from __future__ import annotations

import hashlib
import itertools
import marshal
import operator
import os
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.model import Card, Deck, Problem

FORMAT_VERSION = 1
_MAGIC = b"SDK1"
_CARD_FIELDS = Card.__slots__
_SALT: str | None = None


def build_cards(columns: tuple[tuple[bool, object], ...], n: int) -> list[Card]:
    """The ``n`` cards stored in ``columns`` (one entry per Card field, in field order:
    ``(True, v)`` when all cards share the value v, else ``(False, values)``).

    The fields are named one by one (a keyword call with literal names costs
    no more than a positional one); ``test_cache`` checks that the names
    follow ``Card``'s fields, so a new field cannot be dropped silently.
    """
    its = [itertools.repeat(values, n) if same else values for same, values in columns]
    return [
        Card(deck_id=deck_id, card_id=card_id, note_id=note_id, type=type_, front=front, back=back,
             line=line, tags=tags, choices=choices, answer=answer, drill=drill, params=params,
             extra=extra, id_derived=id_derived)
        for (deck_id, card_id, note_id, type_, front, back, line, tags, choices, answer, drill,
             params, extra, id_derived) in zip(*its)
    ]


def card_columns(cards: tuple[Card, ...]) -> tuple[tuple[bool, object], ...]:
    """The columns ``build_cards`` reads, for ``cards`` (at least one)."""
    columns = []
    for values in zip(*map(operator.attrgetter(*_CARD_FIELDS), cards)):
        first = values[0]
        if values.count(first) == len(values) and all(type(v) is type(first) for v in values):
            columns.append((True, first))
        else:
            columns.append((False, values))
    return tuple(columns)



class LazyCards(Sequence):
    """A deck's cards from the cache, built on first use.

    Counting them (the home screen, ``check``'s totals) and syncing an
    unchanged deck need no card objects, so a warm start builds none; the
    first look at a card builds the deck's whole tuple, once.  It compares,
    hashes and pickles as that tuple.
    """

    __slots__ = ("_columns", "_count", "_cards")

    def __init__(self, columns: tuple[tuple[bool, object], ...], count: int) -> None:
        self._columns = columns
        self._count = count
        self._cards: tuple[Card, ...] | None = None

    def _built(self) -> tuple[Card, ...]:
        if self._cards is None:
            self._cards = tuple(build_cards(self._columns, self._count))
            self._columns = None
        return self._cards

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._built()[index]

    def __iter__(self):
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, LazyCards)):
            return self._built() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._built())

    def __repr__(self) -> str:
        return repr(self._built())

    def __reduce__(self):
        return (tuple, (self._built(),))


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
        from studydeck.deckfile import schema as deck_schema
        from studydeck.drills import catalog

        # PyYAML's version and C/pure-Python parser are left out of the key on
        # purpose: importing yaml here would cost every warm start its import
        # time, and tests check both parsers give the same findings.
        parts = (FORMAT_VERSION, _CARD_FIELDS, sorted(catalog.KINDS.items()), repr(catalog.PARAMS),
                 deck_schema.MAX_DEPTH, deck_schema.MAX_FILE_BYTES)
        _SALT = hashlib.blake2b(repr(parts).encode(), digest_size=4).hexdigest()
    return _SALT


def encode(parsed: Parsed) -> bytes:
    deck = parsed.deck
    deck_row = None
    if deck is not None:
        cards = (len(deck.cards), card_columns(deck.cards) if deck.cards else ())
        deck_row = (deck.id, deck.title, deck.description, cards, deck.content_hash)
    problems = tuple((p.line, p.col, p.severity, p.message) for p in parsed.problems)
    payload = marshal.dumps((FORMAT_VERSION, deck_row, problems, parsed.deck_pos))
    return _MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload


def decode(blob: bytes, filename: str) -> Parsed | None:
    """The entry in ``blob`` with ``filename`` filled in; None if it is not a valid entry."""
    if blob[:4] != _MAGIC:
        return None
    payload = blob[8:]
    if zlib.crc32(payload).to_bytes(4, "little") != blob[4:8]:
        return None
    try:
        version, deck_row, problems, deck_pos = marshal.loads(payload)
        if version != FORMAT_VERSION:
            return None
        deck = None
        if deck_row is not None:
            deck_id, title, description, (count, columns), content_hash = deck_row
            if count and (len(columns) != len(_CARD_FIELDS)
                          or any(not same and len(values) != count for same, values in columns)):
                return None
            cards = LazyCards(columns, count) if count else ()
            deck = Deck(deck_id, title, description, filename, cards, content_hash)
        found = [Problem(filename, *row) for row in problems]
        return Parsed(deck, found, tuple(deck_pos))
    except Exception:  # any malformed entry is a miss: the file is parsed again
        return None


class ParseCache:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._prefix = os.path.join(self.directory, "")
        self._ready = False

    def _path(self, content_hash: str) -> str:
        return f"{self._prefix}{content_hash}.{salt()}.deck"

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
