"""The parse cache: deck parses kept by content, so an unchanged deck loads without YAML.

An entry is keyed on blake2b-128 of the deck file's bytes plus a salt that
changes whenever the checker or the drill catalog would parse the same bytes
differently (``FORMAT_VERSION``, bumped with any change to the checker; the drill catalog; the caps).
An entry (format version 3) is

    b"SDK1" | CRC-32 of the header with its length (4 bytes, little-endian)
    | header length (4 bytes) | header | ids | columns | offsets | records

The header (the deck, its card count, each card part's length and CRC-32,
the findings) is checked whole when the entry is read.  The cards are stored
three ways, each marshalled apart, so that a load reads and unmarshals none of
them until one is needed: the card ids (for ``Deck.card``), every card's
fields as one record with a table of offsets (native unsigned ints: the cache
is this machine's), to build one card alone, and the cards column by column
(marshal reads them at C speed), to build a whole deck.  Each part is read,
checked against its CRC and checked as strictly as a parse when first used; a
part that fails drops the entry and the deck file is parsed again (see
``LazyCards``).

Files in ``<cache_dir>``: a load writes the entries it parsed in one pack,
``<random id>.<salt>.pack`` (creating a file costs more than parsing a small
deck); an entry found odd after the load is written again alone, as
``<content hash>.<salt>.deck``.  ``files.<salt>.index`` holds two maps: each
deck file's content hash by absolute path with the ``os.stat`` it was read
under (size, mtime_ns, ctime_ns, inode, device), so a warm load stats a file
instead of reading and hashing it, and each packed entry's pack, offset and
length by content hash.  A stat is recorded only when the file had not been
modified for ``SETTLED_NS`` when it was read: a later change within the same
timestamp tick cannot then leave the stat unchanged, and tools that put the
mtime back still change the ctime.  Every file is written to a temporary
name in the folder and moved in place with ``os.replace``, so readers never
see half of one; packs are never rewritten.  The index is derived data too:
an entry of the wrong shape (a hash or pack id that is not 32 hex digits, a
stat that is not five integers, a negative offset) is dropped, and an index
past its size bound is ignored.  Every failure to read or write the cache is
silent: the cache only saves time.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import time
from array import array
import marshal
import operator
import os
import stat
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.deckfile.schema import DECK_ID_RE, MAX_FILE_BYTES
from studydeck.model import CARD_TYPES, Card, Deck, Problem
from studydeck.safetext import deck_text_ok

FORMAT_VERSION = 3  # 2: bidi controls refused; 3: cards as ids, columns and records, marshalled apart
SETTLED_NS = 2_000_000_000  # a file unmodified this long is trusted by its stat
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


_FIELDS_OF = operator.attrgetter(*_CARD_FIELDS)  # card -> tuple of its fields, in order


def card_columns(cards: tuple[Card, ...]) -> tuple[tuple[bool, object], ...]:
    """The columns ``build_cards`` reads, for ``cards`` (at least one)."""
    return _packed_columns(tuple(zip(*map(_FIELDS_OF, cards))))


class _Odd(Exception):
    """A part of an entry that a fresh parse could not have given."""


class _Parts:
    """An entry's four card parts (ids, columns, offsets, records), each read and
    checked against its length and CRC-32 when first asked for: ``fetch(start,
    length)`` reads bytes of the entry (from memory, or again from its pack)."""

    __slots__ = ("_fetch", "_spans", "_crcs", "_got")

    def __init__(self, fetch: Callable[[int, int], bytes | None], spans: list[tuple[int, int]],
                 crcs: tuple[int, ...]) -> None:
        self._fetch, self._spans, self._crcs = fetch, spans, crcs
        self._got: list[bytes | memoryview | None] = [None] * len(spans)

    def get(self, part: int) -> bytes | memoryview:
        got = self._got[part]
        if got is None:
            start, length = self._spans[part]
            got = self._fetch(start, length)
            if got is None or len(got) != length or zlib.crc32(got) != self._crcs[part]:
                raise _Odd
            self._got[part] = got
        return got


class LazyCards(Sequence):
    """A deck's cards from the cache, built on first use.

    Counting them (the home screen, ``check``'s totals) and syncing an
    unchanged deck need no card objects, so a warm start builds none and
    unmarshals none.  Looking up one card by index (``Deck.card``, through
    :meth:`card_ids`, or a queue through the synced position) unmarshals that
    card's record alone; iterating or slicing builds the deck's whole tuple,
    once, from the columns, keeping the cards already built.  It compares,
    hashes and pickles as that tuple.

    Each part is checked as strictly as a parse when it is unmarshalled.  A
    part that fails calls ``reparse`` (given by the loader: it drops the entry,
    parses the deck file again and gives its cards), and the fresh cards are
    used from then on; without ``reparse`` the cards are empty.
    """

    __slots__ = ("_parts", "_cols", "_count", "_cards", "_some", "_ids", "_offsets", "_reparse")

    def __init__(self, count: int, parts: _Parts,
                 reparse: Callable[[], tuple[Card, ...]] | None = None) -> None:
        self._parts: _Parts | None = parts  # ids, columns, offsets, records: read when first needed
        self._cols: tuple[tuple[bool, object], ...] | None = None
        self._count = count
        self._cards: tuple[Card, ...] | None = None
        self._some: dict[int, Card] = {}  # cards built one at a time, by index
        self._ids: tuple[str, ...] | None = None
        self._offsets: memoryview | None = None   # where each record starts (count + 1 entries)
        self._reparse = reparse

    def _odd(self) -> tuple[Card, ...]:
        """A part failed its check: the cards of a fresh parse replace all of them."""
        reparse, self._reparse = self._reparse, None
        cards = tuple(reparse()) if reparse is not None else ()
        self._cards, self._count, self._some = cards, len(cards), {}
        self._parts = self._cols = self._ids = self._offsets = None
        return cards

    def _loaded(self, part: int):
        try:
            return marshal.loads(self._parts.get(part))
        except _Odd:
            raise
        except Exception:
            raise _Odd from None

    def _columns(self) -> tuple[tuple[bool, object], ...]:
        if self._cols is None:
            columns = self._loaded(1)
            if not _columns_ok(columns, self._count):
                raise _Odd
            self._cols = columns
        return self._cols

    def _built(self) -> tuple[Card, ...]:
        if self._cards is None:
            try:
                cards = build_cards(self._columns(), self._count)
            except _Odd:
                return self._odd()
            for index, card in self._some.items():
                cards[index] = card
            self._cards = tuple(cards)
            self._parts = self._cols = self._offsets = self._ids = None
            self._some = {}
        return self._cards

    def _checked_ids(self) -> tuple[str, ...]:
        if self._ids is None:
            ids = self._loaded(0)
            if type(ids) is not tuple or len(ids) != self._count or not _column_ok("card_id", ids):
                raise _Odd
            self._ids = ids
        return self._ids

    def card_ids(self) -> Sequence[str]:
        """Every card's ``card_id`` in order, without building the cards."""
        if self._cards is None:
            try:
                return self._checked_ids()
            except _Odd:
                self._odd()
        return [card.card_id for card in self._cards]

    def _record_offsets(self) -> memoryview:
        if self._offsets is None:
            offsets = memoryview(self._parts.get(2)).cast("I")
            if len(offsets) != self._count + 1 or offsets[0] != 0 or offsets[-1] != len(self._parts.get(3)):
                raise _Odd
            self._offsets = offsets
        return self._offsets

    def _one(self, index: int) -> Card:
        offsets, rows = self._record_offsets(), self._parts.get(3)
        start, end = offsets[index], offsets[index + 1]
        if not start <= end <= len(rows):
            raise _Odd
        try:
            record = marshal.loads(rows[start:end])
        except Exception:
            raise _Odd from None
        if not _record_ok(record):
            raise _Odd
        return Card(*record)

    def check_all(self) -> bool:
        """Unmarshal and check every part now (ids, columns, each record); False if one
        fails.  The loader leaves this to first use; ``decode`` without ``reparse`` does it."""
        try:
            self._checked_ids()
            self._columns()
            for index in range(self._count):
                self._one(index)
        except _Odd:
            return False
        return True

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if self._cards is not None or not isinstance(index, int):
            return self._built()[index]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("card index out of range")
        card = self._some.get(index)
        if card is None:
            if len(self._some) >= _ONE_BY_ONE and len(self._some) * 8 >= self._count:
                return self._built()[index]   # many looked up: one check of the columns costs less
            try:
                card = self._some[index] = self._one(index)
            except _Odd:
                return self._odd()[index]
        return card

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


def _catalog_key() -> object:
    """What the drill catalog contributes to the salt: the source of
    ``studydeck/drills/catalog.py`` (where ``KINDS`` and ``PARAMS`` are
    written out), read rather than imported (importing the drills package costs
    every warm start several ms); its values when there is no source file."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "drills", "catalog.py")
    try:
        with open(path, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except OSError:
        from studydeck.drills import catalog

        return (sorted(catalog.KINDS.items()), repr(catalog.PARAMS))


def salt() -> str:
    global _SALT
    if _SALT is None:
        from studydeck.deckfile import schema as deck_schema

        # PyYAML's version and C/pure-Python parser are left out of the key on
        # purpose: importing yaml here would cost every warm start its import
        # time, and tests check both parsers give the same findings.
        parts = (FORMAT_VERSION, _CARD_FIELDS, _catalog_key(), deck_schema.MAX_DEPTH, deck_schema.MAX_FILE_BYTES)
        _SALT = hashlib.blake2b(repr(parts).encode(), digest_size=4).hexdigest()
    return _SALT


def encode(parsed: Parsed) -> bytes:
    """``SDK1 | CRC-32 | header length (4 bytes) | header | ids | columns | offsets | records``,
    the CRC over the header and its length; the header gives each part's length and CRC-32."""
    deck = parsed.deck
    deck_row = None
    parts = [b"", b"", b"", b""]
    if deck is not None:
        if deck.cards:
            dumps = marshal.dumps
            records = list(map(_FIELDS_OF, deck.cards))
            rows = list(map(dumps, records, itertools.repeat(2)))  # version 2: no references, faster
            columns = tuple(zip(*records))
            parts = [dumps(columns[_ID_COLUMN]), dumps(_packed_columns(columns)),
                     array("I", itertools.accumulate(map(len, rows), initial=0)).tobytes(),
                     b"".join(rows)]
        deck_row = (deck.id, deck.title, deck.description, len(deck.cards), deck.content_hash,
                    tuple(map(len, parts)), tuple(map(zlib.crc32, parts)))
    problems = tuple([(p.line, p.col, p.severity, p.message) for p in parsed.problems])
    return seal((FORMAT_VERSION, deck_row, problems, parsed.deck_pos), parts)


def seal(header: tuple, parts=(b"", b"", b"", b"")) -> bytes:
    """An entry: the magic, the CRC-32 of the header (with its length), the header, the parts."""
    head = marshal.dumps(header)
    head = len(head).to_bytes(4, "little") + head
    return b"".join([_MAGIC, zlib.crc32(head).to_bytes(4, "little"), head, *parts])


_ID_COLUMN = _CARD_FIELDS.index("card_id")


def _packed_columns(columns: tuple[tuple, ...]) -> tuple[tuple[bool, object], ...]:
    """The columns ``build_cards`` reads, from the cards' fields column by column:
    a value shared by all cards (and of one type) kept once."""
    n = len(columns[0])
    return tuple([(True, values[0]) if values.count(values[0]) == n and len(set(map(type, values))) == 1
                  else (False, values) for values in columns])


# Bounds on what an entry may hold: a deck file is at most MAX_FILE_BYTES, and
# everything parsed from it is smaller than that or a small multiple of it.
_MAX_TEXT = MAX_FILE_BYTES
_MAX_CARDS = MAX_FILE_BYTES // 8          # a card takes more than 8 bytes of YAML
_MAX_PAYLOAD = 16 * MAX_FILE_BYTES     # the cards are stored twice (columns and records)
_MAX_HEADER = 2 * MAX_FILE_BYTES
_OFFSET = array("I").itemsize
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


_ONE_BY_ONE = 64   # cards built one at a time before the rest of a deck is built at once
_TEXT_AT = tuple(_CARD_FIELDS.index(name) for name in sorted(_TEXT_FIELDS))
_TYPE_AT, _LINE_AT, _TAGS_AT, _CHOICES_AT, _PARAMS_AT, _DERIVED_AT = (
    _CARD_FIELDS.index(name) for name in ("type", "line", "tags", "choices", "params", "id_derived"))
_CARD_TYPE_SET = frozenset(CARD_TYPES)


def _record_ok(record) -> bool:
    """One card's fields (a record) as ``_columns_ok`` would check them, faster for one."""
    if type(record) is not tuple or len(record) != len(_CARD_FIELDS):
        return False
    kind, line, tags, choices = record[_TYPE_AT], record[_LINE_AT], record[_TAGS_AT], record[_CHOICES_AT]
    if (type(kind) is not str or kind not in _CARD_TYPE_SET or type(line) is not int
            or not 0 <= line <= _MAX_TEXT or type(record[_DERIVED_AT]) is not bool
            or type(tags) is not tuple or type(choices) is not tuple):
        return False
    params = record[_PARAMS_AT]
    if params and not _params_ok((params,)) or type(params) is not tuple:
        return False
    return _texts_ok(tuple([record[i] for i in _TEXT_AT]) + tags + choices)


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


def decode(blob: bytes, filename: str,
           reparse: Callable[[str], tuple[Card, ...]] | None = None, *,
           size: int | None = None, fetch: Callable[[int, int], bytes | None] | None = None) -> Parsed | None:
    """The entry in ``blob`` with ``filename`` filled in; None if it is not a valid entry.

    An entry is derived data that anyone with access to the folder could have
    written: every count and length is bounded, every text is held to what a
    fresh parse gives (no control or bidi characters), every value has the
    type its field needs.  Anything else makes the entry a miss.  With
    ``reparse`` (the loader's: deck id -> the cards of a fresh parse), the
    card parts are read and checked when first needed, ``reparse`` standing
    in for a part that fails; without it every part is checked here.
    ``blob`` may hold only the start of an entry of ``size`` bytes (at least
    its header), ``fetch(start, length)`` reading the rest when needed.
    """
    size = len(blob) if size is None else size
    if blob[:4] != _MAGIC or size > _MAX_PAYLOAD or len(blob) < 12:
        return None
    view = memoryview(blob)
    try:
        end = 12 + int.from_bytes(view[8:12], "little")
        if end > len(blob) or end - 12 > _MAX_HEADER:
            return None
        if zlib.crc32(view[8:end]).to_bytes(4, "little") != blob[4:8]:
            return None
        entry = marshal.loads(view[12:end])
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
        if deck_row is None:
            if end != size:
                return None
        else:
            if type(deck_row) is not tuple or len(deck_row) != 7:
                return None
            deck_id, title, description, count, digest, lengths, crcs = deck_row
            if (not _texts_ok((deck_id, title, description, digest)) or DECK_ID_RE.fullmatch(deck_id) is None
                    or type(count) is not int or not 0 <= count <= _MAX_CARDS
                    or type(lengths) is not tuple or len(lengths) != 4
                    or set(map(type, lengths)) != {int} or min(lengths) < 0
                    or type(crcs) is not tuple or len(crcs) != 4 or set(map(type, crcs)) != {int}
                    or end + sum(lengths) != size):
                return None
            if not count:
                if max(lengths):
                    return None
                cards = ()
            else:
                if lengths[2] != _OFFSET * (count + 1):
                    return None
                spans = []
                for length in lengths:
                    spans.append((end, length))
                    end += length
                if fetch is None:
                    if len(blob) != size:
                        return None
                    fetch = lambda start, length: view[start:start + length]  # noqa: E731
                cards = LazyCards(count, _Parts(fetch, spans, crcs),
                                  None if reparse is None else functools.partial(reparse, deck_id))
                if reparse is None and not cards.check_all():
                    return None
            deck = Deck(deck_id, title, description, filename, cards, digest)
        found = [Problem(filename, *row) for row in problems]
        return Parsed(deck, found, deck_pos)
    except Exception:  # any malformed entry is a miss: the file is parsed again
        return None


_HASH_RE = re.compile(r"[0-9a-f]{32}")   # a content hash, or a pack id
_HEAD_READ = 4096   # bytes read first from a packed entry: its header, in most decks
_MAX_INDEX_BYTES = 64 * 1024 * 1024
_MAX_INDEX_ENTRIES = 200_000


def _packed_ok(digest: object, where: object) -> bool:
    """A pack map entry as ``flush`` writes it: hash -> (pack id, offset, length)."""
    return (type(digest) is str and _HASH_RE.fullmatch(digest) is not None and type(where) is tuple
            and len(where) == 3 and type(where[0]) is str and _HASH_RE.fullmatch(where[0]) is not None
            and type(where[1]) is int and type(where[2]) is int and 0 <= where[1]
            and 12 <= where[2] <= _MAX_PAYLOAD)


def stat_key(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """What must be unchanged for a file's recorded content hash to be trusted."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _index_entry_ok(path: object, entry: object) -> bool:
    """An index entry as ``remember`` writes it: an absolute path without control
    characters, five integers, a content hash of 32 hex digits."""
    return (type(path) is str and type(entry) is tuple and len(entry) == 6
            and all(type(v) is int for v in entry[:5]) and type(entry[5]) is str
            and _HASH_RE.fullmatch(entry[5]) is not None and os.path.isabs(path)
            and len(path) <= 4096 and deck_text_ok(path))


def _open_regular(path: str) -> int | None:
    """A read-only descriptor on ``path`` if it is a regular file; None otherwise or on failure
    (O_NONBLOCK: a FIFO put in the folder cannot make a load wait for a writer)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _read_regular(path: str, limit: int) -> bytes | None:
    """At most ``limit`` bytes of the regular file ``path``; None if it is not one or cannot be read."""
    fd = _open_regular(path)
    if fd is None:
        return None
    try:
        with open(fd, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return None


class ParseCache:
    """Entries in ``directory`` (made 0700 on first write); ``writes=False`` only reads.

    A load hands its new entries to :meth:`add` and writes them with
    :meth:`flush`, all in one pack file (creating a file costs more than
    parsing a small deck); :meth:`put` writes one entry alone.
    """

    def __init__(self, directory: str | os.PathLike[str], writes: bool = True) -> None:
        self.directory = Path(directory)
        self._prefix = os.path.join(self.directory, "")
        self._ready = False
        self.writes = writes
        self._index: dict[str, tuple] | None = None   # absolute path -> (*stat_key, hash)
        self._packed: dict[str, tuple[str, int, int]] = {}  # hash -> (pack id, offset, length)
        self._index_changed = False
        self._pending: dict[str, bytes] = {}          # entries added, not yet written
        self._fds: dict[str, int | None] = {}         # packs open during a load

    # -- the index: files by stat, entries by pack ---------------------------
    def _index_path(self) -> str:
        return f"{self._prefix}files.{salt()}.index"

    def _load_index(self) -> dict[str, tuple]:
        if self._index is None:
            self._index = {}
            blob = _read_regular(self._index_path(), _MAX_INDEX_BYTES + 1)
            if blob is None:
                return self._index
            try:
                index = None
                if (len(blob) <= _MAX_INDEX_BYTES and blob[:4] == _MAGIC
                        and zlib.crc32(blob[8:]).to_bytes(4, "little") == blob[4:8]):
                    index = marshal.loads(blob[8:])
                if (type(index) is tuple and len(index) == 2 and type(index[0]) is dict
                        and type(index[1]) is dict and len(index[0]) <= _MAX_INDEX_ENTRIES
                        and len(index[1]) <= _MAX_INDEX_ENTRIES):
                    files, packed = index
                    good = {path: entry for path, entry in files.items() if _index_entry_ok(path, entry)}
                    where = {digest: at for digest, at in packed.items() if _packed_ok(digest, at)}
                    # rewritten without the odd ones
                    self._index_changed = len(good) != len(files) or len(where) != len(packed)
                    self._index, self._packed = good, where
                else:
                    self._index_changed = True   # damaged or oversized: rewritten from this load
            except Exception:  # a malformed index is only a slower load
                self._index_changed = True
        return self._index

    def knows_files(self) -> bool:
        """Whether the index holds any file's stat (a cold cache holds none)."""
        return bool(self._load_index())

    def known_hash(self, path: str, st: os.stat_result) -> str | None:
        """The content hash recorded for ``path`` if its stat is the one it was read under."""
        entry = self._load_index().get(os.path.abspath(path))
        if entry is not None and entry[:5] == stat_key(st):
            return entry[5]
        return None

    def remember(self, path: str, st: os.stat_result, digest: str, now_ns: int | None = None) -> None:
        """Record ``path``'s hash under the stat it was read with, once the file has settled."""
        now_ns = time.time_ns() if now_ns is None else now_ns
        if now_ns - st.st_mtime_ns < SETTLED_NS or now_ns - st.st_ctime_ns < SETTLED_NS:
            return
        entry = (*stat_key(st), digest)
        index = self._load_index()
        path = os.path.abspath(path)
        if index.get(path) != entry:   # the loader's own path and hash: checked when read back
            index[path] = entry
            self._index_changed = True

    def forget(self, path: str) -> None:
        """Drop ``path``'s index entry (its entry was odd, or the file is gone)."""
        if self._load_index().pop(os.path.abspath(path), None) is not None:
            self._index_changed = True

    def save_index(self) -> None:
        """Write the index if it changed (atomically; silently skipped on failure)."""
        if self._index_changed and self.writes and self._index is not None:
            if len(self._index) > _MAX_INDEX_ENTRIES or len(self._packed) > _MAX_INDEX_ENTRIES:
                self._index, self._packed = {}, {}   # start again rather than grow without bound
            payload = marshal.dumps((self._index, self._packed))
            self._write(self._index_path(), _MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload)
            self._index_changed = False

    # -- the entries -------------------------------------------------------
    def _path(self, content_hash: str) -> str:
        return f"{self._prefix}{content_hash}.{salt()}.deck"

    def _pack_path(self, pack: str) -> str:
        return f"{self._prefix}{pack}.{salt()}.pack"

    def _from_pack(self, pack: str, offset: int, length: int) -> bytes | None:
        if pack not in self._fds:
            self._fds[pack] = _open_regular(self._pack_path(pack))
        fd = self._fds[pack]
        if fd is None:
            return None
        try:
            blob = os.pread(fd, length, offset)
        except OSError:
            return None
        return blob if len(blob) == length else None

    def _pack_reader(self, pack: str, base: int) -> Callable[[int, int], bytes | None]:
        """Reads bytes of the entry at ``base`` in ``pack``, opening the pack again
        (cards are looked at after the load has closed it)."""
        path = self._pack_path(pack)

        def fetch(start: int, length: int) -> bytes | None:
            fd = _open_regular(path)
            if fd is None:
                return None
            try:
                return os.pread(fd, length, base + start)
            except OSError:
                return None
            finally:
                os.close(fd)
        return fetch

    def get(self, content_hash: str, filename: str,
            reparse: Callable[[str], tuple[Card, ...]] | None = None) -> Parsed | None:
        """The entry for ``content_hash`` (added by this load, in a pack, or alone), or
        None; an odd entry is dropped.  With ``reparse`` the cards are checked when
        first needed (see ``LazyCards``)."""
        blob = self._pending.get(content_hash)
        if blob is not None:
            return decode(blob, filename, reparse)
        self._load_index()
        where = self._packed.get(content_hash)
        if where is not None:   # the header alone now; the card parts when they are needed
            pack, offset, length = where
            head = self._from_pack(pack, offset, min(length, _HEAD_READ))
            if head is not None and len(head) >= 12:
                need = 12 + int.from_bytes(head[8:12], "little")
                if len(head) < need <= length:
                    head = self._from_pack(pack, offset, need)
            parsed = None
            if head is not None:
                parsed = decode(head, filename, reparse, size=length, fetch=self._pack_reader(pack, offset))
            if parsed is not None:
                return parsed
            self._packed.pop(content_hash, None)   # the pack is gone or the entry odd
            self._index_changed = True
        blob = _read_regular(self._path(content_hash), _MAX_PAYLOAD + 1)
        if blob is None:
            return None
        parsed = decode(blob, filename, reparse)
        if parsed is None:  # drop the odd entry; the fresh parse writes a good one
            self.drop(content_hash)
        return parsed

    def drop(self, content_hash: str) -> None:
        """Forget the entry for ``content_hash`` (wherever it is)."""
        self._load_index()
        if self._packed.pop(content_hash, None) is not None:
            self._index_changed = True
        self._pending.pop(content_hash, None)
        if self.writes:
            try:
                os.unlink(self._path(content_hash))
            except OSError:
                pass

    def put(self, content_hash: str, parsed: Parsed) -> None:
        """Write the entry for ``content_hash`` alone, now."""
        if self.writes:
            self._write(self._path(content_hash), encode(parsed))

    def add(self, content_hash: str, parsed: Parsed) -> None:
        """Keep the entry for ``content_hash`` to be written by ``flush``."""
        if self.writes:
            self._pending[content_hash] = encode(parsed)

    def flush(self) -> None:
        """Write the entries added, as one pack, and the index; close the packs read."""
        for fd in self._fds.values():
            if fd is not None:
                os.close(fd)
        self._fds = {}
        if self._pending and self.writes:
            self._load_index()
            pack = os.urandom(16).hex()
            offset, where = 0, {}
            for digest, blob in self._pending.items():
                where[digest] = (pack, offset, len(blob))
                offset += len(blob)
            if self._write(self._pack_path(pack), b"".join(self._pending.values())):
                self._packed.update(where)
                self._index_changed = True
        self._pending = {}
        self.save_index()

    def _write(self, target: str, blob: bytes) -> bool:
        """Write ``blob`` to ``target`` atomically (a private temporary file moved in
        place); False if that failed."""
        try:
            if not self._ready:
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._ready = True
            tmp = f"{self._prefix}.tmp-{os.urandom(8).hex()}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
                         | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0), 0o600)
            try:
                with open(fd, "wb") as handle:
                    handle.write(blob)
                os.replace(tmp, target)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except (OSError, ValueError):
            return False
        return True
