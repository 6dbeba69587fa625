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
import stat
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.deckfile.schema import DECK_ID_RE, MAX_FILE_BYTES
from studydeck.model import CARD_TYPES, Card, Deck, Problem
from studydeck.safetext import deck_text_ok

FORMAT_VERSION = 2  # 2: bidi controls refused
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


# Bounds on what an entry may hold: a deck file is at most MAX_FILE_BYTES, and
# everything parsed from it is smaller than that or a small multiple of it.
_MAX_TEXT = MAX_FILE_BYTES
_MAX_CARDS = MAX_FILE_BYTES // 8          # a card takes more than 8 bytes of YAML
_MAX_PAYLOAD = 8 * MAX_FILE_BYTES
_MAX_PROBLEMS = 100_000
_TEXT_FIELDS = frozenset({"deck_id", "card_id", "note_id", "front", "back", "answer", "drill", "extra"})
_SCALARS = (str, int, float, bool, type(None))


# The checks below look at a whole column at once (set(map(type, ...)), one
# regex search over the joined text), so a warm start stays cheap.
_chain = itertools.chain.from_iterable


def _texts_ok(values) -> bool:
    """All ``values`` are text a fresh parse could give: str, bounded, no control or bidi characters."""
    if not values:
        return True
    if set(map(type, values)) != {str}:
        return False
    joined = "".join(values)
    if len(joined) > _MAX_TEXT and max(map(len, values)) > _MAX_TEXT:
        return False
    return deck_text_ok(joined)


def _tuples_ok(values, size: int | None = None) -> bool:
    return (not values or set(map(type, values)) == {tuple}) and (
        size is None or not values or set(map(len, values)) == {size})


def _params_ok(values) -> bool:
    """Each value a tuple of (name, value) pairs, a value a scalar or a tuple of scalars."""
    if not _tuples_ok(values):
        return False
    pairs = tuple(_chain(values))
    if not _tuples_ok(pairs, 2):
        return False
    names, given = zip(*pairs) if pairs else ((), ())
    lists = tuple(v for v in given if type(v) is tuple)
    scalars = tuple(v for v in given if type(v) is not tuple) + tuple(_chain(lists))
    if not set(map(type, scalars)) <= set(_SCALARS):
        return False
    return _texts_ok(names) and _texts_ok(tuple(v for v in scalars if type(v) is str))


def _column_ok(name: str, values) -> bool:
    if name in _TEXT_FIELDS:
        return _texts_ok(values)
    if name == "type":
        return set(values) <= set(CARD_TYPES) and set(map(type, values)) == {str}
    if name == "line":
        return set(map(type, values)) == {int} and 0 <= min(values) and max(values) <= _MAX_TEXT
    if name in ("tags", "choices"):
        return _tuples_ok(values) and _texts_ok(tuple(_chain(values)))
    if name == "params":
        return _params_ok(values)
    if name == "id_derived":
        return set(map(type, values)) == {bool}
    return False


def _columns_ok(columns, count: int) -> bool:
    if type(columns) is not tuple or len(columns) != len(_CARD_FIELDS):
        return False
    for name, column in zip(_CARD_FIELDS, columns):
        if type(column) is not tuple or len(column) != 2 or type(column[0]) is not bool:
            return False
        same, values = column
        if not same and (type(values) is not tuple or len(values) != count):
            return False
        if not _column_ok(name, (values,) if same else values):
            return False
    return True


def _position_ok(line, col) -> bool:
    return type(line) is int and type(col) is int and 0 <= line <= _MAX_TEXT and 0 <= col <= _MAX_TEXT


def decode(blob: bytes, filename: str) -> Parsed | None:
    """The entry in ``blob`` with ``filename`` filled in; None if it is not a valid entry.

    An entry is derived data that anyone with access to the folder could have
    written: every count and length is bounded, every text is held to what a
    fresh parse gives (no control or bidi characters), every value has the
    type its field needs.  Anything else makes the entry a miss.
    """
    if blob[:4] != _MAGIC or len(blob) > _MAX_PAYLOAD:
        return None
    payload = blob[8:]
    if zlib.crc32(payload).to_bytes(4, "little") != blob[4:8]:
        return None
    try:
        entry = marshal.loads(payload)
        if type(entry) is not tuple or len(entry) != 4:
            return None
        version, deck_row, problems, deck_pos = entry
        if version != FORMAT_VERSION or type(version) is not int:
            return None
        if (type(deck_pos) is not tuple or len(deck_pos) != 2 or not _position_ok(*deck_pos)
                or type(problems) is not tuple or len(problems) > _MAX_PROBLEMS):
            return None
        for row in problems:
            if (type(row) is not tuple or len(row) != 4 or not _position_ok(row[0], row[1])
                    or row[2] not in ("error", "warning") or type(row[3]) is not str or len(row[3]) > _MAX_TEXT):
                return None
        deck = None
        if deck_row is not None:
            if type(deck_row) is not tuple or len(deck_row) != 5:
                return None
            deck_id, title, description, cards_row, digest = deck_row
            if (not _texts_ok((deck_id, title, description, digest)) or DECK_ID_RE.fullmatch(deck_id) is None
                    or type(cards_row) is not tuple or len(cards_row) != 2):
                return None
            count, columns = cards_row
            if type(count) is not int or not 0 <= count <= _MAX_CARDS:
                return None
            if count and not _columns_ok(columns, count):
                return None
            cards = LazyCards(columns, count) if count else ()
            deck = Deck(deck_id, title, description, filename, cards, digest)
        found = [Problem(filename, *row) for row in problems]
        return Parsed(deck, found, deck_pos)
    except Exception:  # any malformed entry is a miss: the file is parsed again
        return None


class ParseCache:
    """Entries in ``directory`` (made 0700 on first write); ``writes=False`` only reads."""

    def __init__(self, directory: str | os.PathLike[str], writes: bool = True) -> None:
        self.directory = Path(directory)
        self._prefix = os.path.join(self.directory, "")
        self._ready = False
        self.writes = writes

    def _path(self, content_hash: str) -> str:
        return f"{self._prefix}{content_hash}.{salt()}.deck"

    def get(self, content_hash: str, filename: str) -> Parsed | None:
        path = self._path(content_hash)
        try:
            with open(path, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return None
                blob = handle.read(_MAX_PAYLOAD + 1)
        except OSError:
            return None
        parsed = decode(blob, filename)
        if parsed is None and self.writes:  # drop the odd entry; the fresh parse writes a good one
            try:
                os.unlink(path)
            except OSError:
                pass
        return parsed

    def put(self, content_hash: str, parsed: Parsed) -> None:
        if not self.writes:
            return
        try:
            if not self._ready:
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
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
