"""Anki notes to studydeck notes: types, ids, fields, tags, media and card keys.

Input is a list of :class:`SourceNote` (from a package or a text file);
output is an :class:`ImportPlan`: one :class:`DeckOut` per Anki deck that has
notes, the warnings and skip counts, and the map from Anki card ids to
studydeck card keys that ``--history`` needs.

- Deck ids: the Anki deck name slugged (``Bio::Cells`` -> ``bio-cells``),
  made unique with ``-2``, ``-3``... in name order, also against the ids
  that deck files elsewhere already use.  Titles: the Anki name
  (a leading ``studydeck::``, which studydeck's own export adds, dropped).
- Note ids: ``anki-`` + 10 hex digits of a hash of the note's GUID, so the
  same Anki note always gets the same id (a second import updates it).  A
  text row without a GUID hashes its first field instead (``row-...``).
- Fields: HTML converted to Markdown (:mod:`studydeck.interop.html`); images
  found in the package become ``![name](<deck id>-media/name)`` and the file
  is copied; an image the package lacks is left as ``[image: name]``.
- Note types: see :mod:`studydeck.interop.notetypes`.  A note whose fields
  studydeck cannot use (an empty front or back, cloze text it cannot read)
  is skipped with a warning naming it; image occlusion notes are counted.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from studydeck.deckfile.cloze import find_deletions
from studydeck.deckfile.schema import MAX_CHOICES, MIN_CHOICES
from studydeck.deckfile.yaml_nodes import CONTROL_RE
from studydeck.interop import InteropError
from studydeck.interop.html import MAX_FIELD_CHARS, FieldError, ImageTarget, check_field, to_markdown
from studydeck.interop.notetypes import AnkiNotetype, classify

OWN_PARENT = "studydeck::"
_LI_RE = re.compile(r"<li\b[^>]*>(.*?)</li>", re.DOTALL | re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True, slots=True)
class SourceNote:
    """One note as read from Anki: a package row or a text-file line."""

    notetype: AnkiNotetype
    fields: tuple[str, ...]            # HTML (or plain text from a text file with #html:false)
    tags: tuple[str, ...]
    deck: str                          # Anki deck name, "Parent::Child"
    guid: str | None                   # None for a text row without a GUID column
    cards: tuple[tuple[int, int], ...] = ()   # (Anki card id, ord), for --history
    where: str = ""                    # for messages: "note 1700000000" or "line 12"


@dataclass
class DeckOut:
    deck_id: str
    title: str
    anki_name: str
    notes: list[dict] = field(default_factory=list)     # YAML note mappings, in order
    media: dict[str, str] = field(default_factory=dict)  # file name in the media folder -> package name

    @property
    def media_dir(self) -> str:
        return f"{self.deck_id}-media"

    @property
    def card_count(self) -> int:
        total = 0
        for note in self.notes:
            if note.get("type") == "reversed":
                total += 2
            elif note.get("type") == "cloze":
                total += len({d.number for d in find_deletions(note["text"])[0]})
            else:
                total += 1
        return total


@dataclass
class ImportPlan:
    decks: list[DeckOut] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)            # reason -> notes
    card_keys: dict[int, tuple[str, str]] = field(default_factory=dict)  # Anki card id -> key


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "deck"


def note_id(guid: str | None, first_field: str) -> str:
    if guid is not None:
        return "anki-" + hashlib.blake2b(guid.encode("utf-8", "surrogatepass"), digest_size=5).hexdigest()
    return "row-" + hashlib.blake2b(first_field.encode("utf-8", "surrogatepass"), digest_size=5).hexdigest()


def clean(text: str) -> str:
    """Markdown fit for a deck file: no control characters but tab and line feed."""
    text = text.replace("\r\n", "\n")
    return CONTROL_RE.sub("", text).strip()


def field_markdown(html: str, image_target: ImageTarget | None = None) -> str:
    """An Anki field as a deck's Markdown: refused if hostile, converted, cleaned."""
    check_field(html)
    return clean(to_markdown(html, image_target))


# A field without these, without a double space and without white space at its
# ends is its own Markdown (field_markdown gives it back unchanged; a test checks).
_AS_IS_RE = re.compile(r"[<&*\x00-\x1f\x7f-\x9f]|  ")


def is_as_is(html: str) -> bool:
    return len(html) <= MAX_FIELD_CHARS and _AS_IS_RE.search(html) is None and html == html.strip()


def safe_media_name(name: str) -> str | None:
    """``name`` if it is a plain file name to copy, else None."""
    if not name or name.startswith(".") or len(name) > 200 or _UNSAFE_NAME.search(name):
        return None
    return name


def convert(notes: list[SourceNote], media_names: set[str] | frozenset[str] = frozenset(),
            taken: set[str] | frozenset[str] = frozenset()) -> ImportPlan:
    """The plan for importing ``notes`` (``media_names``: the media files the package holds;
    ``taken``: deck ids other deck files use, which the new decks must not)."""
    converter = Converter({n.deck for n in notes}, media_names, taken)
    for note in notes:
        converter.add(note)
    return converter.finish()


class Converter:
    def __init__(self, deck_names: set[str], media_names: set[str] | frozenset[str] = frozenset(),
                 taken: set[str] | frozenset[str] = frozenset()) -> None:
        self.media_names = media_names
        self.plan = ImportPlan()
        self._decks: dict[str, DeckOut] = {}
        self._ids: dict[str, set[str]] = {}
        self._unknown_types: Counter = Counter()
        self._media_used: set[str] = set()
        self._done: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}
        used: set[str] = set(taken)
        for name in sorted(deck_names):   # ids in name order, so the same names give the same ids
            title = name.removeprefix(OWN_PARENT)
            base = slug(name)
            deck_id, n = base, 1
            while deck_id in used:
                n += 1
                deck_id = f"{base}-{n}"
            used.add(deck_id)
            self._decks[name] = DeckOut(deck_id, clean(title) or "Imported", name)
            self._ids[name] = set()

    def finish(self) -> ImportPlan:
        """The plan: the decks that got notes, by id."""
        self.plan.decks = [d for d in self._decks.values() if d.notes]
        self.plan.decks.sort(key=lambda d: d.deck_id)
        for deck in self.plan.decks:
            for note in deck.notes:
                for anki_card, card_id in note.pop("_cards").items():
                    self.plan.card_keys[anki_card] = (deck.deck_id, card_id)
        for name, count in sorted(self._unknown_types.items()):
            self.plan.warnings.append(f"note type '{name}' is not one studydeck knows: {count} "
                                      "notes read as basic from their first two fields")
        return self.plan

    # -- notes -------------------------------------------------------------
    def add(self, note: SourceNote) -> None:
        kind = classify(note.notetype)
        if kind == "occlusion":
            self.plan.skipped["image occlusion notes (studydeck cannot show them)"] += 1
            return
        deck = self._decks[note.deck]
        try:
            out = self._convert(note, kind, deck)
        except FieldError as exc:
            raise InteropError(f"{note.where or 'a note'}: refusing {exc}") from None
        if isinstance(out, str):
            self.plan.skipped[out] += 1
            if len(self.plan.warnings) < 20:
                self.plan.warnings.append(f"{note.where}: skipped: {out}")
            return
        ids = self._ids[note.deck]
        base = out["id"]
        n = 1
        while out["id"] in ids:
            n += 1
            out["id"] = f"{base}-{n}"
        ids.add(out["id"])
        if out["id"] != base:   # card keys were made with the id before it was made unique
            out["_cards"] = {cid: key.replace(base, out["id"], 1) for cid, key in out.get("_cards", {}).items()}
        deck.notes.append(out)

    def _markdown(self, html: str) -> str:
        """:func:`field_markdown`, once per distinct field text and media folder."""
        if is_as_is(html):
            return html
        key = (self._media_dir, html)
        done = self._done.get(key)
        if done is None:
            used: list[str] = []

            def image_target(src: str) -> str | None:
                if src in self.media_names and safe_media_name(src):
                    used.append(src)
                    return f"{self._media_dir}/{src}"
                return None

            done = self._done[key] = (field_markdown(html, image_target), tuple(used))
        self._media_used.update(done[1])
        return done[0]

    def _field(self, note: SourceNote, names: tuple[str, ...], index: int) -> str:
        """The field called one of ``names`` (when the type's field names are known), else the
        ``index``-th field; '' when absent."""
        fields = note.notetype.fields
        for name in names:
            if name in fields:
                i = fields.index(name)
                return note.fields[i] if i < len(note.fields) else ""
        return note.fields[index] if index < len(note.fields) else ""

    def _convert(self, note: SourceNote, kind: str, deck: DeckOut) -> dict | str:
        self._media_used = set()
        self._media_dir = deck.media_dir
        first = note.fields[0] if note.fields else ""
        nid = note_id(note.guid, first)
        ords = {o: c for c, o in note.cards}
        out: dict = {"id": nid}
        if kind == "unknown":
            self._unknown_types[note.notetype.name] += 1
            kind = "basic"
        if kind == "optional-reversed":
            kind = "reversed" if self._field(note, ("Add Reverse",), 2).strip() else "basic"
        if kind == "cloze":
            text = self._markdown(self._field(note, ("Text",), 0))
            extra = self._markdown(self._field(note, ("Back Extra", "Extra"), 1))
            if not text:
                return "notes with an empty cloze text"
            deletions, problems = find_deletions(text)
            if problems or not deletions:
                return "cloze notes whose deletions studydeck cannot read (nested or malformed)"
            out.update(type="cloze", text=text)
            numbers = {d.number for d in deletions}
            cards = {cid: f"{nid}#c{o + 1}" for o, cid in ords.items() if o + 1 in numbers}
        elif kind == "choice":
            choice = self._choice(note)
            if choice is None:
                kind = "basic"
            else:
                out.update(type="choice", front=choice[0], choices=choice[1], answer=choice[2])
                cards = {cid: nid for o, cid in ords.items() if o == 0}
            extra = self._markdown(self._field(note, ("Extra",), 3))
        if kind in ("basic", "reversed"):
            front = self._markdown(self._field(note, ("Front",), 0))
            back = self._markdown(self._field(note, ("Back",), 1))
            extra = self._markdown(self._field(note, ("Extra",), 2)) if "Extra" in note.notetype.fields else ""
            if not front or not back:
                return "notes with an empty front or back"
            if kind == "reversed":
                out["type"] = "reversed"
            out.update(front=front, back=back)
            cards = {cid: nid if o == 0 else f"{nid}#reverse" for o, cid in ords.items()
                     if o == 0 or (o == 1 and kind == "reversed")}
        tags = [t for t in (t if is_as_is(t) else clean(t) for t in note.tags) if t]
        if tags:
            out["tags"] = tags
        if extra:
            out["extra"] = extra
        out["_cards"] = cards
        for name in self._media_used:
            deck.media[name] = name
        return out

    def _choice(self, note: SourceNote) -> tuple[str, list[str], str] | None:
        """(front, choices, answer) of a ``studydeck Choice`` note, or None if they do not
        make a valid choice note (2 to 6 distinct options, the answer one of them)."""
        front = self._markdown(self._field(note, ("Front",), 0))
        items = [self._markdown(li) for li in _LI_RE.findall(self._field(note, ("Choices",), 1))]
        answer = self._markdown(self._field(note, ("Answer",), 2))
        if (front and MIN_CHOICES <= len(items) <= MAX_CHOICES and len(set(items)) == len(items)
                and all(items) and answer in items):
            return front, items, answer
        return None
