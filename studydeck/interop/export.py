"""What a studydeck deck becomes in Anki: notes with HTML fields, GUIDs, decks, tags.

Both writers (``apkg_export`` and ``text_export``) take the :class:`AnkiNote`
values made here, so a deck exports the same way to either format.

- A note's GUID is ``genanki.guid_for(deck id, note id)``: exporting again
  after editing the text gives the same GUID, and Anki updates the note.
- Deck names are ``studydeck::<deck title>``.
- Text is Markdown rendered to HTML (see :mod:`studydeck.interop.html`).
- A drill note becomes ``variants`` frozen basic notes: the question made
  with the seeds a learner's first reviews would use (``drill_seed(card, k)``
  for k = 0, 1, ...), the given values in a monospace block, the answer and
  the worked solution on the back.  They do not change when studied again.
"""

from __future__ import annotations

import hashlib
import html as html_lib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from studydeck.deckfile.load import gc_paused
from studydeck.interop import InteropError
from studydeck.interop.cloze_source import cloze_sources
from studydeck.interop.html import to_html
from studydeck.model import Card, Deck

PARENT_DECK = "studydeck"
DRILL_TAG = "studydeck-drill"


class AnkiNote(NamedTuple):
    """One note for Anki: its studydeck type, fields (HTML) in ``notetypes.FIELDS``
    order, tags, GUID, deck name and the number of cards Anki will make of it."""

    kind: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    guid: str
    deck_name: str
    cards: int
    frozen: bool = False     # a frozen drill variant


_BASE91 = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
           "!#$%&()*+,-./:;<=>?@[]^_`{|}~")


_BASE91_PAIRS = [a + b for a in _BASE91 for b in _BASE91]     # two digits at a time


def guid(*values: object) -> str:
    """``genanki.guid_for(*values)``: the first 8 bytes of the SHA-256 of the values joined
    by ``__``, written in Anki's base 91 (most significant digit first, no leading zero
    digit ``a``); the same text without genanki's byte-by-byte loops (a test compares)."""
    number = int.from_bytes(hashlib.sha256("__".join(map(str, values)).encode("utf-8")).digest()[:8], "big")
    number, p0 = divmod(number, 8281)          # 8281 = 91 * 91, and 2**64 < 8281**5:
    number, p1 = divmod(number, 8281)          # five pairs of digits, least significant first
    number, p2 = divmod(number, 8281)
    p4, p3 = divmod(number, 8281)
    pairs = _BASE91_PAIRS
    return (pairs[p4] + pairs[p3] + pairs[p2] + pairs[p1] + pairs[p0]).lstrip("a")


def deck_name(deck: Deck) -> str:
    return f"{PARENT_DECK}::{deck.title}"


def anki_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Anki tags cannot hold spaces: each run of white space becomes ``_``."""
    out = []
    for tag in tags:
        tag = "_".join(tag.split())
        if tag and tag not in out:
            out.append(tag)
    return tuple(out)


def _notes(cards: Sequence[Card]) -> list[list[Card]]:
    """Cards grouped by note, in deck order."""
    groups: dict[str, list[Card]] = {}
    for card in cards:
        group = groups.get(card.note_id)
        if group is None:
            groups[card.note_id] = [card]
        else:
            group.append(card)
    return list(groups.values())


def deck_notes(deck: Deck, variants: int, cloze_texts: dict[str, str] | None = None) -> list[AnkiNote]:
    """Every Anki note of ``deck``; ``cloze_texts`` maps cloze note ids to their source text
    (read from the deck file when not given)."""
    with gc_paused():
        return _deck_notes(deck, variants, cloze_texts)


def _deck_notes(deck: Deck, variants: int, cloze_texts: dict[str, str] | None) -> list[AnkiNote]:
    name = deck_name(deck)
    out: list[AnkiNote] = []
    tags_of: dict[tuple[str, ...], tuple[str, ...]] = {}     # a deck uses few sets of tags
    for group in _notes(deck.cards):
        first = group[0]
        tags = tags_of.get(first.tags)
        if tags is None:
            tags = tags_of[first.tags] = anki_tags(first.tags)
        gid = guid(deck.id, first.note_id)
        extra = to_html(first.extra) if first.extra else ""
        if first.type in ("basic", "reversed"):
            out.append(AnkiNote(first.type, (to_html(first.front), to_html(first.back), extra),
                                tags, gid, name, len(group)))
        elif first.type == "cloze":
            if cloze_texts is None:
                cloze_texts = cloze_sources(deck)
            text = cloze_texts.get(first.note_id)
            if text is None:
                raise InteropError(f"{deck.path}: cannot find the text of cloze note "
                                   f"'{first.note_id}' (was the file changed while exporting?)")
            out.append(AnkiNote("cloze", (to_html(text), extra), tags, gid, name, len(group)))
        elif first.type == "choice":
            items = "".join(f"<li>{to_html(c)}</li>" for c in first.choices)
            out.append(AnkiNote("choice", (to_html(first.front), f'<ol type="a">{items}</ol>',
                                           to_html(first.answer), extra), tags, gid, name, 1))
        elif first.type == "drill":
            out.extend(drill_notes(first, variants, name, tags + (DRILL_TAG,)))
    return out


def drill_notes(card: Card, variants: int, name: str, tags: tuple[str, ...]) -> list[AnkiNote]:
    """``variants`` frozen questions of a drill card, as basic notes."""
    from studydeck import drills  # deferred: numpy and the engine load here
    from studydeck.drills.render import given_text
    from studydeck.study.session import drill_seed

    out = []
    for k in range(variants):
        seed = drill_seed(card, k)
        q = drills.generate(card.drill, seed, card.params_dict)
        front = (to_html(q.prompt) + "<pre>" + html_lib.escape(given_text(q.given)) + "</pre>"
                 + f"<p><small>Frozen copy {k + 1} ({card.drill}, seed {seed})</small></p>")
        back = (f"<p><b>Answer:</b> {html_lib.escape(q.answer_text)}</p>"
                "<pre>" + html_lib.escape(q.solution) + "</pre>")
        out.append(AnkiNote("basic", (front, back, to_html(card.extra)), tags,
                            guid(card.deck_id, card.note_id, "variant", k + 1), name, 1, frozen=True))
    return out


@dataclass
class ExportSummary:
    decks: int = 0
    notes: int = 0
    cards: int = 0
    frozen: int = 0          # frozen drill notes among ``notes``
    variants: int = 0

    def line(self, target: str) -> str:
        text = f"Wrote {target}: {self.decks} decks, {self.notes} notes, {self.cards} cards"
        if self.frozen:
            text += (f" ({self.frozen} of the notes are frozen copies of drill cards, "
                     f"{self.variants} per drill: they do not change when studied again)")
        return text + "."


def summarize(decks: Sequence[Deck], notes: Sequence[AnkiNote], variants: int) -> ExportSummary:
    return ExportSummary(decks=len(decks), notes=len(notes), cards=sum(n.cards for n in notes),
                         frozen=sum(n.frozen for n in notes), variants=variants)
