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

from studydeck.deckfile.cloze import deletion_numbers
from studydeck.deckfile.schema import MAX_CHOICES, MIN_CHOICES
from studydeck.deckfile.yaml_nodes import CONTROL_RE
from studydeck.interop import InteropError, html_subset
from studydeck.interop.html import MAX_FIELD_CHARS, FieldError, ImageTarget, check_field, to_markdown
from studydeck.interop.notetypes import AnkiNotetype, SourceNote, classify

OWN_PARENT = "studydeck::"
_NO_NUMBERS: frozenset[int] = frozenset()
_LI_RE = re.compile(r"<li\b[^>]*>(.*?)</li>", re.DOTALL | re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass
class DeckOut:
    deck_id: str
    title: str
    anki_name: str
    notes: list[dict] = field(default_factory=list)     # YAML note mappings, in order
    media: dict[str, str] = field(default_factory=dict)  # file name in the media folder -> package name
    card_count: int = 0                                  # cards the notes make in studydeck
    media_dir: str = field(init=False)                   # the media folder beside the deck file

    def __post_init__(self) -> None:
        self.media_dir = f"{self.deck_id}-media"


@dataclass(frozen=True, slots=True)
class _Layout:
    """How notes of one Anki note type are read: the studydeck kind (before a choice or
    optional reversed note is looked at) and where each field is (-1: nowhere)."""

    kind: str
    unknown: bool            # a type studydeck does not know, read as basic
    front: int
    back: int
    extra: int
    text: int
    cloze_extra: int
    choices: int
    answer: int
    choice_extra: int
    add_reverse: int
    quick: bool              # basic, reversed, cloze or choice: Converter._add_plain may take it


def layout(notetype: AnkiNotetype) -> _Layout:
    kind = classify(notetype)
    names = notetype.fields

    def at(choices: tuple[str, ...], index: int) -> int:
        """The field called one of ``choices`` (when the type's field names are known),
        else the ``index``-th field."""
        for name in choices:
            if name in names:
                return names.index(name)
        return index

    return _Layout("basic" if kind == "unknown" else kind, kind == "unknown",
                   at(("Front",), 0), at(("Back",), 1), at(("Extra",), 2) if "Extra" in names else -1,
                   at(("Text",), 0), at(("Back Extra", "Extra"), 1),
                   at(("Choices",), 1), at(("Answer",), 2), at(("Extra",), 3), at(("Add Reverse",), 2),
                   kind in ("basic", "reversed", "unknown", "cloze", "choice"))


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
    """An Anki field as a deck's Markdown: refused if hostile, converted, cleaned.  A field
    of :func:`html_subset.flat`'s shape (one line, no nesting) needs none of the three."""
    if len(html) <= MAX_FIELD_CHARS:
        text = html_subset.flat(html)
        if text is not None:
            return text.strip()       # printable: nothing for clean() to remove
    check_field(html)
    return clean(to_markdown(html, image_target))


def is_as_is(html: str) -> bool:
    """True when ``html`` is its own Markdown (``field_markdown`` gives it back unchanged; a
    test checks): printable (no control character, line break or tab), no markup (``<``,
    ``&``), no ``*`` to escape, no double space and no space at either end.  Most fields."""
    return (html.isprintable() and "<" not in html and "&" not in html and "*" not in html
            and "  " not in html and html[:1] != " " and html[-1:] != " " and len(html) <= MAX_FIELD_CHARS)


def all_as_is(fields: tuple[str, ...]) -> bool:
    """:func:`is_as_is` of every field, tested on the fields joined by ``<`` in one pass."""
    joined = "<".join(fields)
    return (joined.isprintable() and joined.count("<") == len(fields) - 1 and "&" not in joined
            and "*" not in joined and "  " not in joined and " <" not in joined and "< " not in joined
            and joined[:1] != " " and joined[-1:] != " " and len(joined) <= MAX_FIELD_CHARS)


def _unchanged(text: str) -> str:
    return text


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


def card_keys(cards: tuple[tuple[int, int], ...], nid: str, kind: str, numbers: set[int]) -> dict[int, str]:
    """Anki card id -> studydeck card id, for ``--history``; ``cards`` are (card id, ord) by ord,
    and an ord repeated (which Anki does not make) keeps its last card."""
    ords = {o: c for c, o in cards}
    if kind == "cloze":
        return {cid: f"{nid}#c{o + 1}" for o, cid in ords.items() if o + 1 in numbers}
    if kind == "reversed":
        return {cid: nid if o == 0 else f"{nid}#reverse" for o, cid in ords.items() if o in (0, 1)}
    return {cid: nid for o, cid in ords.items() if o == 0}


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
        self._done_tags: dict[tuple[str, ...], list[str]] = {}
        self._layouts: dict[AnkiNotetype, _Layout] = {}
        self._last_type: AnkiNotetype | None = None
        self._last_shape: _Layout | None = None
        self._media_dir = ""
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
        notetype = note.notetype
        if notetype is self._last_type:         # most notes share the type of the note before
            shape = self._last_shape
        else:
            shape = self._layouts.get(notetype)
            if shape is None:
                shape = self._layouts[notetype] = layout(notetype)
            self._last_type, self._last_shape = notetype, shape
        if shape.quick and self._add_plain(note, shape):
            return
        if shape.kind == "occlusion":
            self.plan.skipped["image occlusion notes (studydeck cannot show them)"] += 1
            return
        if shape.unknown:
            self._unknown_types[note.notetype.name] += 1
        deck = self._decks[note.deck]
        try:
            out = self._convert(note, shape, deck)
        except FieldError as exc:
            raise InteropError(f"{note.where or 'a note'}: refusing {exc}") from None
        if out.__class__ is str:
            self.plan.skipped[out] += 1
            if len(self.plan.warnings) < 20:
                self.plan.warnings.append(f"{note.where}: skipped: {out}")
            return
        out, kind, numbers = out
        ids = self._ids[note.deck]
        nid = out["id"]
        if nid in ids:
            n = 2
            while f"{nid}-{n}" in ids:
                n += 1
            nid = out["id"] = f"{nid}-{n}"
        ids.add(nid)
        out["_cards"] = card_keys(note.cards, nid, kind, numbers) if note.cards else {}
        deck.notes.append(out)
        deck.card_count += len(numbers) if kind == "cloze" else 2 if kind == "reversed" else 1
        for name in self._media_used:
            deck.media[name] = name

    def _add_plain(self, note: SourceNote, shape: _Layout) -> bool:
        """:meth:`add` for the commonest notes: basic, reversed or cloze with every field its
        own Markdown (:func:`all_as_is`), or a ``studydeck Choice`` note whose front, answer,
        extra and options are; nothing to skip, the id not yet taken in its deck.
        False (nothing done) for any other note, which :meth:`add` takes the long way."""
        fields = note.fields
        n = len(fields)
        kind = shape.kind
        if kind == "choice":
            at = shape.front
            front = fields[at] if at < n else ""
            at = shape.answer
            answer = fields[at] if at < n else ""
            at = shape.choice_extra
            extra = fields[at] if at < n else ""
            at = shape.choices
            items = _LI_RE.findall(fields[at]) if at < n else []
            if not (front and MIN_CHOICES <= len(items) <= MAX_CHOICES and answer in items and all(items)
                    and all_as_is((front, answer, extra, *items)) and len(set(items)) == len(items)):
                return False
            numbers = _NO_NUMBERS
            at = shape.choice_extra
            cards = 1
        elif not all_as_is(fields):
            return False
        elif kind == "cloze":
            at = shape.text
            text = fields[at] if at < n else ""
            if not text:
                return False
            try:
                numbers = deletion_numbers(text)
            except ValueError:
                return False
            if numbers is None:
                return False
            at = shape.cloze_extra
            cards = len(numbers)
        else:
            at = shape.front
            front = fields[at] if at < n else ""
            at = shape.back
            back = fields[at] if at < n else ""
            if not front or not back:
                return False
            numbers = _NO_NUMBERS
            at = shape.extra
            cards = 2 if kind == "reversed" else 1
        nid = note_id(note.guid, fields[0])
        name = note.deck
        ids = self._ids[name]
        if nid in ids:
            return False
        ids.add(nid)
        if shape.unknown:
            self._unknown_types[note.notetype.name] += 1
        if kind == "basic":
            out = {"id": nid, "front": front, "back": back}
        elif kind == "reversed":
            out = {"id": nid, "type": "reversed", "front": front, "back": back}
        elif kind == "cloze":
            out = {"id": nid, "type": "cloze", "text": text}
        else:
            out = {"id": nid, "type": "choice", "front": front, "choices": items, "answer": answer}
        if note.tags:
            tags = self._tags(note.tags)
            if tags:
                out["tags"] = tags
        if 0 <= at < n and fields[at]:
            out["extra"] = fields[at]
        out["_cards"] = card_keys(note.cards, nid, kind, numbers) if note.cards else {}
        deck = self._decks[name]
        deck.notes.append(out)
        deck.card_count += cards
        return True

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

    def _tags(self, tags: tuple[str, ...]) -> list[str]:
        done = self._done_tags.get(tags)
        if done is None:
            done = self._done_tags[tags] = [t for t in (t if is_as_is(t) else clean(t) for t in tags) if t]
        return list(done)

    def _convert(self, note: SourceNote, shape: _Layout, deck: DeckOut) -> tuple[dict, str, set[int]] | str:
        """(the note's YAML mapping, its kind, its cloze numbers), or why it is skipped."""
        if self._media_used:
            self._media_used = set()
        self._media_dir = deck.media_dir
        fields = note.fields
        n = len(fields)
        md = _unchanged if all_as_is(fields) else self._markdown
        out: dict = {"id": note_id(note.guid, fields[0] if fields else "")}
        kind = shape.kind
        numbers: set[int] = set()
        if kind == "optional-reversed":
            at = shape.add_reverse
            kind = "reversed" if at < n and fields[at].strip() else "basic"
        if kind == "cloze":
            at = shape.text
            text = md(fields[at]) if at < n else ""
            at = shape.cloze_extra
            extra = md(fields[at]) if at < n else ""
            if not text:
                return "notes with an empty cloze text"
            try:
                numbers = deletion_numbers(text)
            except ValueError:              # a deletion number too long for int()
                numbers = None
            if numbers is None:
                return "cloze notes whose deletions studydeck cannot read (nested or malformed)"
            out["type"] = "cloze"
            out["text"] = text
        elif kind == "choice":
            choice = self._choice(note, shape)
            if choice is None:
                kind = "basic"
            else:
                out["type"] = "choice"
                out["front"], out["choices"], out["answer"] = choice
            at = shape.choice_extra
            extra = md(fields[at]) if at < n else ""
        if kind == "basic" or kind == "reversed":
            at = shape.front
            front = md(fields[at]) if at < n else ""
            at = shape.back
            back = md(fields[at]) if at < n else ""
            at = shape.extra
            extra = md(fields[at]) if 0 <= at < n else ""
            if not front or not back:
                return "notes with an empty front or back"
            if kind == "reversed":
                out["type"] = "reversed"
            out["front"] = front
            out["back"] = back
        if note.tags:
            tags = self._tags(note.tags)
            if tags:
                out["tags"] = tags
        if extra:
            out["extra"] = extra
        return out, kind, numbers

    def _choice(self, note: SourceNote, shape: _Layout) -> tuple[str, list[str], str] | None:
        """(front, choices, answer) of a ``studydeck Choice`` note, or None if they do not
        make a valid choice note (2 to 6 distinct options, the answer one of them)."""
        fields = note.fields

        def get(at: int) -> str:
            return fields[at] if at < len(fields) else ""

        front = self._markdown(get(shape.front))
        items = [self._markdown(li) for li in _LI_RE.findall(get(shape.choices))]
        answer = self._markdown(get(shape.answer))
        if (front and MIN_CHOICES <= len(items) <= MAX_CHOICES and len(set(items)) == len(items)
                and all(items) and answer in items):
            return front, items, answer
        return None
