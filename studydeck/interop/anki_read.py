"""Reading Anki packages (``.apkg``, ``.colpkg``) of every format Anki writes.

A package is a zip holding a collection (SQLite) and media:

=======================  ===============================================  ==========================
member                   format                                           written by
=======================  ===============================================  ==========================
``collection.anki21b``   zstd-compressed SQLite, schema 18 (note types,   Anki 2.1.50+ (the default)
                         fields and decks in tables of their own)
``collection.anki21``    SQLite, schema 11 (note types and decks as       Anki 2.1 "legacy" export
                         JSON in ``col``)
``collection.anki2``     SQLite, schema 11                                Anki 2.0 and genanki
``media``                JSON ``{"0": "name.png"}`` (legacy), or zstd     both
                         protobuf ``MediaEntries`` with each file
                         zstd-compressed (current)
=======================  ===============================================  ==========================

The newest collection in the zip wins (a current package also holds a
``collection.anki2`` that only says "please update").  The SQLite bytes are
opened in memory (``sqlite3.Connection.deserialize``), never written out.

Every read is capped, so hostile packages fail with one line and no
traceback: ``MAX_COLLECTION_BYTES`` uncompressed, ``MAX_NOTES`` notes,
``MAX_MEDIA_BYTES`` of media; a zip that is not one, a zip without a
collection and a collection SQLite cannot read raise :class:`InteropError`.
"""

from __future__ import annotations

import json
from operator import itemgetter
import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.interop import InteropError
from studydeck.interop.notetypes import AnkiNotetype, SourceNote

MAX_COLLECTION_BYTES = 1 << 30
"""Largest collection accepted once uncompressed (1 GiB)."""

MAX_NOTES = 50_000
"""Most notes imported at once."""

MAX_MEDIA_BYTES = 1 << 30
"""Most media bytes copied from one package (1 GiB)."""

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")


@dataclass(frozen=True, slots=True)
class Review:
    """One row of Anki's ``revlog``."""

    at_ms: int              # when (the row id: UTC epoch milliseconds)
    card_id: int
    ease: int               # 1 Again, 2 Hard, 3 Good, 4 Easy; 0 for a manual reschedule
    time_ms: int            # time taken to answer
    kind: int               # 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 rescheduled
    factor: int


@dataclass
class AnkiPackage:
    source: str
    format: str                                   # "anki21b", "anki21" or "anki2"
    notetypes: dict[int, AnkiNotetype] = field(default_factory=dict)
    decks: dict[int, str] = field(default_factory=dict)         # id -> "Parent::Child"
    notes: list[SourceNote] = field(default_factory=list)  # by note id; ``where`` names the note
    reviews: list[Review] = field(default_factory=list)         # by card, then time
    media: dict[str, str] = field(default_factory=dict)         # name -> zip member
    media_compressed: bool = False                               # members are zstd frames
    _zip: zipfile.ZipFile | None = field(default=None, repr=False)

    def media_bytes(self, name: str, budget: int) -> bytes:
        """The bytes of media file ``name``, at most ``budget`` of them (else InteropError)."""
        assert self._zip is not None
        data = _read_member(self._zip, self.media[name], budget, self.source)
        if self.media_compressed:
            data = _unzstd(data, budget, f"{self.source}: media file {name}")
        return data

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def read_package(path: str | Path, *, cards: bool = True) -> AnkiPackage:
    """Read ``path``; raise InteropError with a one-line reason if it cannot be imported.
    Without ``cards``, the notes come without their cards (``SourceNote.cards`` empty),
    which only ``--history`` needs."""
    source = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InteropError(f"{source}: not an Anki package (not a zip file)") from None
    except OSError as exc:
        raise InteropError(f"{source}: cannot read: {exc.strerror or exc}") from None
    try:
        package = _read(archive, source, cards)
    except BaseException:
        archive.close()
        raise
    package._zip = archive
    return package


def _read(archive: zipfile.ZipFile, source: str, cards: bool) -> AnkiPackage:
    names = set(archive.namelist())
    member = next((n for n in _COLLECTIONS if n in names), None)
    if member is None:
        raise InteropError(f"{source}: a zip without an Anki collection "
                           f"(expected {', '.join(_COLLECTIONS)})")
    data = _read_member(archive, member, MAX_COLLECTION_BYTES, source)
    if member.endswith("b"):
        data = _unzstd(data, MAX_COLLECTION_BYTES, f"{source}: {member}")
    package = AnkiPackage(source, member.rsplit(".", 1)[1])
    conn = sqlite3.connect(":memory:")
    try:
        conn.create_collation("unicase", lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold()))
        if data[18:20] == b"\x02\x02":
            # a WAL-mode file (Anki's own) cannot open in memory; read it as a rollback-journal one
            data = data[:18] + b"\x01\x01" + data[20:]
        try:
            conn.deserialize(data)
            _read_collection(conn, package, cards)
        except sqlite3.DatabaseError as exc:
            raise InteropError(f"{source}: {member} is not a readable Anki collection ({exc})") from None
    finally:
        conn.close()
    if "media" in names:
        _read_media_map(archive, package, names)
    return package


def _read_member(archive: zipfile.ZipFile, name: str, limit: int, source: str) -> bytes:
    """A zip member's bytes, refusing more than ``limit`` whatever its header claims."""
    try:
        with archive.open(name) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InteropError(f"{source}: cannot read {name} from the zip ({exc})") from None
    if len(data) > limit:
        raise InteropError(f"{source}: {name} is larger than {limit:,} bytes; refusing to unpack it")
    return data


def _unzstd(data: bytes, limit: int, what: str) -> bytes:
    import zstandard  # deferred: only current-format packages need it

    try:
        reader = zstandard.ZstdDecompressor().stream_reader(data)
        out = reader.read(limit + 1)
        while len(out) <= limit:
            more = reader.read(limit + 1 - len(out))
            if not more:
                break
            out += more
    except zstandard.ZstdError as exc:
        raise InteropError(f"{what}: not valid zstd data ({exc})") from None
    if len(out) > limit:
        raise InteropError(f"{what}: unpacks to more than {limit:,} bytes; refusing it")
    return out


def _read_collection(conn: sqlite3.Connection, package: AnkiPackage, cards: bool) -> None:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"notes", "cards"} <= tables:
        raise sqlite3.DatabaseError("no notes or cards table")
    (count,) = conn.execute("SELECT count(*) FROM notes").fetchone()
    if count > MAX_NOTES:
        raise InteropError(f"{package.source}: the package holds {count:,} notes; studydeck imports "
                           f"at most {MAX_NOTES:,} at once (export a smaller deck from Anki)")
    if "notetypes" in tables:
        _read_schema18(conn, package)
    else:
        _read_schema11(conn, package)
    # A note goes to the home deck of its first card (lowest ord, then lowest id).  The join
    # finds the card of ord 0, which nearly every note has; the others look at all the cards.
    # When every card has the same home and every note a card (a package of one deck), that
    # home is every note's and the join is not needed.
    refs = _card_refs(conn) if cards else None
    home = None if cards else _single_home(conn)
    notetypes, decks, source, notes = package.notetypes, package.decks, package.source, package.notes
    make = tuple.__new__                    # SourceNote(...) without its Python-level __new__
    if home is not None:                    # (ids are the primary key: no row twice)
        deck = decks.get(home, "Imported")
        for nid, guid, mid, tags, flds in conn.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"):
            notetype = notetypes.get(mid)
            if notetype is None:
                raise InteropError(f"{source}: note {nid} has a note type the package does not define")
            notes.append(make(SourceNote, (notetype, tuple(str(flds).split("\x1f")), tuple(str(tags).split()),
                                           deck, str(guid), (), f"{source}: note {nid}")))
    else:
        _read_notes_joined(conn, package, refs, cards)
    if "revlog" in tables:
        package.reviews = [Review(*row) for row in conn.execute(
            "SELECT id, cid, ease, time, type, factor FROM revlog ORDER BY cid, id")]


def _read_notes_joined(conn: sqlite3.Connection, package: AnkiPackage, refs, cards: bool) -> None:
    """The notes, each in the home deck of its first card, found by a join."""
    notetypes, decks, source, notes = package.notetypes, package.decks, package.source, package.notes
    make = tuple.__new__
    last = None
    for nid, guid, mid, tags, flds, did, odid in conn.execute(
            "SELECT n.id, n.guid, n.mid, n.tags, n.flds, c.did, c.odid FROM notes n "
            "LEFT JOIN cards c ON c.nid = n.id AND c.ord = 0 ORDER BY n.id, c.id"):
        if nid == last:
            continue                        # a second card of ord 0: the first one counts
        last = nid
        if did is None:                     # no card of ord 0 (or none at all)
            if refs is None:
                refs = _card_refs(conn)
            note_refs = refs.get(nid)
            home = note_refs[0][2] if note_refs else 1
        else:
            home = odid or did
        notetype = notetypes.get(mid)
        if notetype is None:
            raise InteropError(f"{source}: note {nid} has a note type the package does not define")
        note_cards = tuple([(cid, o) for o, cid, _ in refs.get(nid, ())]) if cards else ()
        notes.append(make(SourceNote, (notetype, tuple(str(flds).split("\x1f")), tuple(str(tags).split()),
                                       decks.get(home, "Imported"), str(guid), note_cards,
                                       f"{source}: note {nid}")))


def _single_home(conn: sqlite3.Connection) -> int | None:
    """The home deck of every note when all cards have the same ``did`` and ``odid`` and
    every note has a card; else None."""
    pairs = conn.execute("SELECT DISTINCT did, odid FROM cards LIMIT 2").fetchall()
    if len(pairs) != 1:
        return None
    (cardless,) = conn.execute("SELECT EXISTS (SELECT 1 FROM notes WHERE id NOT IN "
                               "(SELECT nid FROM cards))").fetchone()
    did, odid = pairs[0]
    return None if cardless else odid or did


def _card_refs(conn: sqlite3.Connection) -> dict[int, list[tuple[int, int, int]]]:
    """Note id -> its cards as (ord, card id, home deck), by ord, then card id."""
    refs: dict[int, list[tuple[int, int, int]]] = {}
    for cid, nid, ord_, did, odid in conn.execute("SELECT id, nid, ord, did, odid FROM cards ORDER BY id"):
        note_refs = refs.get(nid)
        if note_refs is None:
            refs[nid] = [(ord_, cid, odid or did)]
        else:
            note_refs.append((ord_, cid, odid or did))
    by_ord = itemgetter(0)
    for note_refs in refs.values():
        if len(note_refs) > 1:
            note_refs.sort(key=by_ord)      # stable: by ord, then card id
    return refs


def _read_schema11(conn: sqlite3.Connection, package: AnkiPackage) -> None:
    models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
    try:
        models, decks = json.loads(models_json), json.loads(decks_json)
        for key, m in models.items():
            package.notetypes[int(key)] = AnkiNotetype(
                int(key), str(m["name"]), m.get("type") == 1, int(m.get("originalStockKind") or 0),
                tuple(str(f["name"]) for f in sorted(m["flds"], key=lambda f: f["ord"])))
        package.decks = {int(key): str(d["name"]) for key, d in decks.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise sqlite3.DatabaseError(f"note types or decks unreadable: {exc!r}") from None


def _read_schema18(conn: sqlite3.Connection, package: AnkiPackage) -> None:
    fields: dict[int, list[str]] = {}
    for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(str(name))
    for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
        values = proto_varints(bytes(config or b""))
        package.notetypes[ntid] = AnkiNotetype(ntid, str(name), values.get(1, 0) == 1,
                                               values.get(9, 0), tuple(fields.get(ntid, ())))
    package.decks = {did: str(name).replace("\x1f", "::")
                     for did, name in conn.execute("SELECT id, name FROM decks")}


def _read_media_map(archive: zipfile.ZipFile, package: AnkiPackage, names: set[str]) -> None:
    raw = _read_member(archive, "media", 64 << 20, package.source)
    if raw.startswith(_ZSTD_MAGIC):
        package.media_compressed = True
        for index, entry in enumerate(proto_messages(_unzstd(raw, 64 << 20, f"{package.source}: media"), 1)):
            name = proto_strings(entry).get(1, "")
            member = str(proto_varints(entry).get(255, index))
            if name and member in names:
                package.media[name] = member
        return
    try:
        mapping = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        raise InteropError(f"{package.source}: the media list is not readable") from None
    if isinstance(mapping, dict):
        package.media = {str(name): str(member) for member, name in mapping.items()
                         if str(member) in names}


# -- just enough protobuf -----------------------------------------------------
# Anki 2.1.50+ keeps some settings as protobuf blobs.  studydeck needs three
# numbers and two strings from them, so it reads the wire format itself
# rather than depending on protobuf and Anki's (AGPL) message definitions.

def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data):
            raise ValueError("truncated varint")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def proto_fields(data: bytes):
    """Yield ``(field number, value)``: an int for varints and fixed numbers, bytes
    for length-delimited fields.  Malformed data stops the walk."""
    at = 0
    try:
        while at < len(data):
            key, at = _varint(data, at)
            number, wire = key >> 3, key & 7
            if wire == 0:
                value, at = _varint(data, at)
            elif wire == 2:
                size, at = _varint(data, at)
                value, at = data[at:at + size], at + size
            elif wire == 1:
                value, at = int.from_bytes(data[at:at + 8], "little"), at + 8
            elif wire == 5:
                value, at = int.from_bytes(data[at:at + 4], "little"), at + 4
            else:
                return
            yield number, value
    except ValueError:
        return


def proto_varints(data: bytes) -> dict[int, int]:
    return {n: v for n, v in proto_fields(data) if isinstance(v, int)}


def proto_strings(data: bytes) -> dict[int, str]:
    return {n: v.decode("utf-8", "replace") for n, v in proto_fields(data) if isinstance(v, bytes)}


def proto_messages(data: bytes, number: int) -> list[bytes]:
    return [v for n, v in proto_fields(data) if n == number and isinstance(v, bytes)]
