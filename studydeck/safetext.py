"""Text bound for a terminal: control and bidi characters shown as escapes, one line.

A deck file's name, a key or value quoted in an error, a card id read back
from the collection: any of them can hold a newline, an ESC that starts a
terminal escape sequence, or a bidi override (U+202E) that makes a line read
differently from what it holds.  ``shown`` makes such text printable on one
line, as Python writes it in a string literal: ``\\n``, ``\\x1b``, ``\\u202e``.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
"""Embedding, override and isolate controls: refused in decks, escaped when shown."""

UNSAFE_RE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")
BIDI_NAMES = {0x202A: "LRE", 0x202B: "RLE", 0x202C: "PDF", 0x202D: "LRO", 0x202E: "RLO",
              0x2066: "LRI", 0x2067: "RLI", 0x2068: "FSI", 0x2069: "PDI"}

# Bidi controls U+202A..U+202E and U+2066..U+2069 in UTF-8: E2 80 AA..AE, E2 81 A6..A9.
BIDI_BYTES_RE = re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
# Tab, LF, CR, printable ASCII and every byte of a multi-byte UTF-8 sequence:
# deleting them from UTF-8 leaves only C0 controls and DEL.
_ALLOWED_BYTES = bytes([9, 10, 13, *range(32, 127), *range(128, 256)])
_C1_BYTES_RE = re.compile(rb"\xc2[\x80-\x9f]")
_LONE_CR_RE = re.compile(rb"\r(?!\n)")

DECK_FORBIDDEN_RE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}]|\r(?!\n)")
"""What deck text may not hold: C0 controls but tab and newline, a CR not
starting a CRLF, DEL, C1 controls, bidi controls.  The deck checker refuses
them, and the parse cache refuses an entry holding them."""

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: object) -> str:
    """``text`` on one line with every control and bidi character escaped."""
    text = str(text)
    if UNSAFE_RE.search(text) is None:
        return text
    return UNSAFE_RE.sub(_escape, text)


def deck_text_ok(text: str) -> bool:
    """Whether ``text`` holds nothing DECK_FORBIDDEN_RE finds, checked on its
    UTF-8 bytes (a few ms a megabyte; the regex alone is several times slower)."""
    data = text.encode("utf-8")
    return not (data.translate(None, _ALLOWED_BYTES) or BIDI_BYTES_RE.search(data) is not None
                or (b"\xc2" in data and _C1_BYTES_RE.search(data) is not None)
                or (b"\r" in data and _LONE_CR_RE.search(data) is not None))
