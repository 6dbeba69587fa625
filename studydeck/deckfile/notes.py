"""Composed YAML nodes to cards, checked against the schema as they are read.

The walker reads each note once, in file order, and derives its cards:

    basic     ID                       front -> back
    reversed  ID, ID#reverse           front -> back, back -> front
    cloze     ID#c1, ID#c2, ...        one per distinct deletion number
    choice    ID                       back = the answer; choices in file order
    drill     ID                       front = the kind's description, back = ""

The schema itself (keys, required fields, id rules) lives in ``deck_schema``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studydeck.deckfile.cloze import find_deletions, render
from studydeck.deckfile.fields import INVALID, Fields, is_null, suggest
from studydeck.deckfile.yaml_nodes import position
from studydeck.deckfile.schema import (DECK_ID_RE, MAX_CHOICES, MIN_CHOICES, NO_ID_WARNING,
                                   NOTE_ID_RE, NOTE_KEYS, REQUIRED, TOP_KEYS, TYPE_KEYS, applies,
                                   derive_id, slug)
from studydeck.drills.catalog import KINDS, check_params, closest_kind
from studydeck.model import Card

@dataclass(slots=True)
class Walked:
    deck_id: str | None
    deck_pos: tuple[int, int]
    title: str | None
    description: str
    cards: list[Card]


def walk(root: Any, text: str) -> tuple[Walked, list[tuple[int, int, str, str]]]:
    """Read the deck rooted at ``root`` (composed from ``text``)."""
    f = Fields("\\" in text)
    out = Walked(None, (1, 1), None, "", [])
    top = f.mapping(root, "a deck file")
    if top is None:
        if f.found and "must be a mapping" in f.found[-1][3]:
            f.found[-1] = f.found[-1][:3] + (
                "a deck file must be a mapping with the keys 'deck', 'title' and 'cards'",)
        return out, f.found
    f.keys(top, TOP_KEYS, TOP_KEYS + NOTE_KEYS, "the top of a deck file")
    for name in ("deck", "title", "cards"):
        if name not in top:
            f.error(root, f"missing required key '{name}'")
    if "deck" in top:
        knode, vnode = top["deck"]
        out.deck_pos = (vnode.start_mark.line + 1, vnode.start_mark.column + 1)
        deck_id = f.text(vnode, "deck")
        if deck_id is not None and DECK_ID_RE.fullmatch(deck_id) is None:
            f.error(vnode, f"deck id '{deck_id}' must use only a-z, 0-9 and '-' "
                           f"(try '{slug(deck_id)}')")
            deck_id = None
        out.deck_id = deck_id
    if "title" in top:
        out.title = f.text(top["title"][1], "title")
    if "description" in top:
        out.description = f.text(top["description"][1], "description", required=False) or ""
    if "cards" in top:
        knode, vnode = top["cards"]
        if is_null(vnode):
            f.warning(knode, "the deck has no cards")
        else:
            notes = f.sequence(vnode, "'cards'")
            if notes is not None:
                if not notes:
                    f.warning(vnode, "the deck has no cards")
                _Notes(f, out.deck_id or "", out.cards, text).read(notes)
    return out, f.found


class _Notes:
    def __init__(self, f: Fields, deck_id: str, cards: list[Card], source: str) -> None:
        self.f = f
        self.source = source
        self.deck_id = deck_id
        self.cards = cards
        self.ids: dict[str, int] = {}   # note id -> line of its first use

    def read(self, notes: list[Any]) -> None:
        for node in notes:
            self.note(node)

    def note(self, node: Any) -> None:
        f = self.f
        fields = f.mapping(node, "each entry under 'cards'")
        if fields is None:
            return
        kind = "basic"
        if "type" in fields:
            kind = f.text(fields["type"][1], "type")
            if kind is None:
                return
            if kind not in TYPE_KEYS:
                f.error(fields["type"][1], f"unknown card type '{kind}'{suggest(kind, TYPE_KEYS)} "
                                           f"(types: {', '.join(TYPE_KEYS)})")
                return
        allowed = TYPE_KEYS[kind]
        bad = not allowed.issuperset(fields)
        if bad:
            f.keys(fields, allowed, NOTE_KEYS, f"{kind} notes", applies)
        for name in REQUIRED[kind]:
            if name not in fields:
                f.error(node, f"{kind} note is missing '{name}'")
                bad = True
        line = node.start_mark.line + 1
        tags: tuple[str, ...] | None = ()
        if "tags" in fields:
            tags = f.text_list(fields["tags"][1], "tags")
        extra: str | None = ""
        if "extra" in fields:
            extra = f.text(fields["extra"][1], "extra", required=False) or ""
        if bad or tags is None:
            return
        getattr(self, "_" + kind)(node, fields, line, tags, extra)

    def _id(self, node: Any, fields: dict[str, Any], source: str | None) -> tuple[str | None, bool]:
        """The note's id (or a derived one) and whether it was derived; None on error."""
        f = self.f
        line = node.start_mark.line + 1
        if "id" in fields:
            vnode = fields["id"][1]
            note_id = f.text(vnode, "id")
            if note_id is None:
                return None, False
            if NOTE_ID_RE.fullmatch(note_id) is None:
                f.error(vnode, f"id '{note_id}' must start with a-z or 0-9 and use only a-z, 0-9 "
                               f"and '-' (try '{slug(note_id)}')")
                return None, False
            first = self.ids.get(note_id)
            if first is not None:
                f.error(vnode, f"duplicate card id '{note_id}' (first on line {first})")
                return None, False
            self.ids[note_id] = line
            return note_id, False
        if source is None:
            return None, True
        note_id = derive_id(self.deck_id, source)
        first = self.ids.get(note_id)
        if first is not None:
            f.error(node, f"this note has no id and the same front as the note on line {first}; "
                          "give both an `id:`")
            return None, True
        self.ids[note_id] = line
        f.warning(node, NO_ID_WARNING)
        return note_id, True

    def _basic(self, node, fields, line, tags, extra, kind="basic") -> None:
        f = self.f
        front = f.text(fields["front"][1], "front")
        back = f.text(fields["back"][1], "back")
        note_id, derived = self._id(node, fields, front)
        if front is None or back is None or note_id is None:
            return
        common = dict(deck_id=self.deck_id, note_id=note_id, type=kind, line=line, tags=tags,
                      extra=extra, id_derived=derived)
        self.cards.append(Card(card_id=note_id, front=front, back=back, **common))
        if kind == "reversed":
            self.cards.append(Card(card_id=note_id + "#reverse", front=back, back=front, **common))

    def _reversed(self, node, fields, line, tags, extra) -> None:
        self._basic(node, fields, line, tags, extra, "reversed")

    def _cloze(self, node, fields, line, tags, extra) -> None:
        f = self.f
        vnode = fields["text"][1]
        text = f.text(vnode, "text")
        note_id, derived = self._id(node, fields, text)
        if text is None:
            return
        deletions, problems = find_deletions(text)
        for offset, message in problems:
            self._at_offset(vnode, text, offset, message)
        if not deletions and not problems:
            f.error(vnode, "cloze text has no deletions; mark answers as {{c1::answer}}")
        if problems or not deletions or note_id is None:
            return
        for number in sorted({d.number for d in deletions}):
            front, back = render(text, deletions, number)
            self.cards.append(Card(self.deck_id, f"{note_id}#c{number}", note_id, "cloze", front,
                                   back, line, tags, (), "", "", (), extra, derived))

    def _at_offset(self, vnode: Any, text: str, offset: int, message: str) -> None:
        """A finding inside a scalar: its exact place when the file spells the text
        verbatim there (plain, quoted without escapes, literal block), else the scalar's start."""
        mark = vnode.start_mark
        line, col = mark.line + 1, mark.column + 1
        k_line, k_col = position(text, offset)
        lines = self.source.split("\n")
        if vnode.style == "|":
            row = mark.line + k_line       # block text starts on the line after '|'
            if row < len(lines):
                text_line = text.split("\n")[k_line - 1]
                indent = len(lines[row]) - len(text_line)
                if indent >= 0 and lines[row].endswith(text_line):
                    line, col = row + 1, indent + k_col
        elif k_line == 1:
            shift = 0 if vnode.style == "" else 1
            candidate = lines[mark.line][mark.column + shift + offset:] if mark.line < len(lines) else ""
            if candidate.startswith(text[offset:offset + 3]):
                col = mark.column + 1 + shift + offset
        self.f.found.append((line, col, "error", message))

    def _choice(self, node, fields, line, tags, extra) -> None:
        f = self.f
        front = f.text(fields["front"][1], "front")
        cnode = fields["choices"][1]
        choices = f.text_list(cnode, "choices")
        anode = fields["answer"][1]
        answer = f.text(anode, "answer")
        note_id, derived = self._id(node, fields, front)
        ok = front is not None and choices is not None and answer is not None
        if choices is not None:
            if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
                f.error(cnode, f"a choice note needs {MIN_CHOICES} to {MAX_CHOICES} choices, "
                               f"got {len(choices)}")
                ok = False
            seen: dict[str, int] = {}
            for i, choice in enumerate(choices):
                if choice in seen:
                    f.error(cnode.value[i], f"duplicate choice '{choice}' (same as choice "
                                            f"{seen[choice] + 1})")
                    ok = False
                seen.setdefault(choice, i)
            if answer is not None and answer not in seen:
                f.error(anode, f"answer '{answer}' is not one of the choices{suggest(answer, seen)}")
                ok = False
        if ok and note_id is not None:
            self.cards.append(Card(self.deck_id, note_id, note_id, "choice", front, answer, line,
                                   tags, choices, answer, "", (), extra, derived))

    def _drill(self, node, fields, line, tags, extra) -> None:
        f = self.f
        dnode = fields["drill"][1]
        kind = f.text(dnode, "drill")
        if kind is not None and kind not in KINDS:
            close = closest_kind(kind)
            hint = f"; did you mean '{close}'?" if close else ""
            f.error(dnode, f"unknown drill kind '{kind}'{hint}")
            kind = None
        params: dict[str, Any] | None = {}
        if "params" in fields and not is_null(fields["params"][1]):
            params = self._params(fields["params"][1], kind)
        source = None if kind is None or params is None else f"{kind} {sorted(params.items())!r}"
        note_id, derived = self._id(node, fields, source)
        if kind is None or params is None or note_id is None:
            return
        self.cards.append(Card(self.deck_id, note_id, note_id, "drill", KINDS[kind], "", line,
                               tags, (), "", kind, tuple(sorted(params.items())), extra, derived))

    def _params(self, pnode: Any, kind: str | None) -> dict[str, Any] | None:
        f = self.f
        fields = f.mapping(pnode, "'params'")
        if fields is None:
            return None
        params: dict[str, Any] = {}
        ok = True
        for name, (knode, vnode) in fields.items():
            value = f.plain_value(vnode, name)
            if value is INVALID:
                ok = False
                continue
            if value is None:
                f.error(vnode, f"param '{name}' has no value")
                ok = False
                continue
            if kind is not None:
                for message in check_params(kind, {name: value}):
                    f.error(knode, message)
                    ok = False
            params[name] = value
        return params if ok else None
