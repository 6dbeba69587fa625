"""Deck files written by ``studydeck import``: readable YAML that the checker accepts.

Every text is either a literal block (``|-``, for text with line breaks that
a block can hold exactly) or a double-quoted scalar whose escapes are JSON's
(plus ``\\u`` for the few characters YAML will not take raw).  A quoted value
is always text to YAML, so a front of ``yes`` or ``1.50`` stays as written.
:func:`check_written` runs the deck checker on the result, so a file that
would not load is never moved into place.
"""

from __future__ import annotations

import json
import re

from studydeck.deckfile.schema import MAX_FILE_BYTES
from studydeck.interop import InteropError

# Characters PyYAML's reader refuses raw, or reads as line breaks inside a scalar.
_NOT_RAW = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_KEY_ORDER = ("id", "type", "front", "back", "text", "choices", "answer", "tags", "extra")


def quoted(text: str) -> str:
    """``text`` as a double-quoted YAML scalar."""
    out = json.dumps(text, ensure_ascii=False)
    return _NOT_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def _block_ok(text: str) -> bool:
    return ("\n" in text and not text[:1].isspace() and not text.endswith(("\n", " ", "\t"))
            and _NOT_RAW.search(text) is None and "\t" not in text)


def scalar(text: str, indent: str) -> str:
    """``text`` after ``key:``: a literal block indented by ``indent`` + 2, or quoted."""
    if _block_ok(text):
        pad = indent + "  "
        return "|-\n" + "\n".join(pad + line if line else "" for line in text.split("\n"))
    return quoted(text)


def deck_yaml(deck_id: str, title: str, notes: list[dict], source: str) -> str:
    """The text of one deck file."""
    lines = [f"# Imported from {quoted(source)[1:-1]} by `studydeck import`.",
             "# Card ids come from Anki's note GUIDs: importing again updates these cards.",
             f"deck: {deck_id}", f"title: {quoted(title)}", "cards:"]
    for note in notes:
        first = True
        for key in _KEY_ORDER:
            if key not in note:
                continue
            value = note[key]
            lead = "  - " if first else "    "
            first = False
            if key in ("id", "type"):
                lines.append(f"{lead}{key}: {value}")
            elif isinstance(value, list):
                lines.append(f"{lead}{key}: [{', '.join(quoted(v) for v in value)}]")
            else:
                lines.append(f"{lead}{key}: {scalar(value, '    ')}")
    return "\n".join(lines) + "\n"


def check_written(data: bytes, filename: str) -> int:
    """Run the deck checker on ``data``; the number of cards, or InteropError."""
    from studydeck.deckfile.load import parse_deck

    if len(data) > MAX_FILE_BYTES:
        raise InteropError(f"{filename}: the deck would be {len(data):,} bytes, over the deck file "
                           f"limit of {MAX_FILE_BYTES:,}; export smaller decks from Anki")
    deck, problems = parse_deck(data, filename)
    errors = [p for p in problems if p.is_error]
    if deck is None or errors:
        raise InteropError(f"internal error: the deck written for {filename} does not pass the "
                           f"checker ({errors[0] if errors else 'no deck'}); please report it")
    return len(deck.cards)
