"""Deck files written by ``studydeck import``: readable YAML that the checker accepts.

Every text is either a literal block (``|-``, for text with line breaks that
a block can hold exactly) or a double-quoted scalar whose escapes are JSON's
(plus ``\\u`` for the few characters YAML will not take raw).  A quoted value
is always text to YAML, so a front of ``yes`` or ``1.50`` stays as written;
ids and types are plain (``[a-z0-9-]``), and a deck id YAML would read as a
boolean or null (``yes``, ``null``) is quoted.

Valid by construction: ``tests/interop/test_yaml_write.py`` feeds random
notes through the converter and this writer and runs the deck checker on
every file.  :func:`check_written` still runs the checker on each file up to
``FULL_CHECK_BYTES`` (where it costs under ~0.1 s); a larger file (the
checker's cost grows with it, ~0.5 s a MiB) gets the size check only.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from studydeck.deckfile.fields import BOOLS, NULLS
from studydeck.deckfile.schema import MAX_FILE_BYTES
from studydeck.interop import InteropError

FULL_CHECK_BYTES = 256 * 1024
"""Written deck files up to this size are run through the full deck checker."""

# Characters PyYAML's reader refuses raw, or reads as line breaks inside a scalar.
_NOT_RAW = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_KEY_ORDER = ("id", "type", "front", "back", "text", "choices", "answer", "tags", "extra")


def quoted(text: str) -> str:
    """``text`` as a double-quoted YAML scalar."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'      # nothing to escape: printable text is all raw-safe for YAML
    return _quoted_escaped(text)


def _quoted_escaped(text: str) -> str:
    """:func:`quoted` for any text (the reference; a test compares the two)."""
    out = json.dumps(text, ensure_ascii=False)
    return _NOT_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def _block_ok(text: str) -> bool:
    return ("\n" in text and not text[:1].isspace() and not text.endswith(("\n", " ", "\t"))
            and _NOT_RAW.search(text) is None and "\t" not in text)


def scalar(text: str, indent: str) -> str:
    """``text`` after ``key:``: a literal block indented by ``indent`` + 2, or quoted."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'      # the quick way of quoted(): one line, nothing to escape
    return _scalar_reference(text, indent)


def _scalar_reference(text: str, indent: str) -> str:
    """:func:`scalar` without its quick way (the reference; a test compares the two)."""
    if _block_ok(text):
        pad = indent + "  "
        return "|-\n" + "\n".join(pad + line if line else "" for line in text.split("\n"))
    return quoted(text)


def deck_yaml(deck_id: str, title: str, notes: list[dict], source: str) -> str:
    """The text of one deck file."""
    plain_id = deck_id not in BOOLS and deck_id not in NULLS
    lines = [f"# Imported from {quoted(source)[1:-1]} by `studydeck import`.",
             "# Card ids come from Anki's note GUIDs: importing again updates these cards.",
             f"deck: {deck_id if plain_id else quoted(deck_id)}", f"title: {quoted(title)}", "cards:"]
    append = lines.append
    for note in notes:
        append(f"  - id: {note['id']}")
        for key in _written_keys(tuple(note)):
            value = note[key]
            if value is None:
                continue
            if key == "type":
                append(f"    type: {value}")
            elif value.__class__ is list:
                append(f"    {key}: [{', '.join([quoted(v) for v in value])}]")
            else:
                append(f"    {key}: {scalar(value, '    ')}")
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=256)
def _written_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys of a note written after its id, in ``_KEY_ORDER`` (others are not written).
    Notes have a handful of key sets, so this is worked out once for each."""
    return tuple(key for key in _KEY_ORDER[1:] if key in keys)


def check_written(data: bytes, filename: str, cards: int) -> int:
    """Check a written deck file that should hold ``cards`` cards; the number of cards, or
    InteropError.  Every file gets the size check, files up to FULL_CHECK_BYTES the checker."""
    from studydeck.deckfile.load import parse_deck

    if len(data) > MAX_FILE_BYTES:
        raise InteropError(f"{filename}: the deck would be {len(data):,} bytes, over the deck file "
                           f"limit of {MAX_FILE_BYTES:,}; export smaller decks from Anki")
    if len(data) > FULL_CHECK_BYTES:
        return cards
    deck, problems = parse_deck(data, filename)
    errors = [p for p in problems if p.is_error]
    if deck is None or errors or len(deck.cards) != cards:
        found = errors[0] if errors else "no deck" if deck is None else f"{len(deck.cards)} cards, not {cards}"
        raise InteropError(f"internal error: the deck written for {filename} does not pass the "
                           f"checker ({found}); please report it")
    return len(deck.cards)
