"""A cloze note's source text, read again from its deck file for the export.

Cards hold each deletion's rendered front and back, not the source text with
its ``{{cN::...}}`` marks, so the export reads the (already checked) file
again, knowing the line where each note starts.  Three ways, each used when
the one before cannot vouch for its answer:

1. :func:`cloze_sources_by_line`: a note written one key a line (``id``,
   ``type``, ``text`` in plain, single- or double-quoted style with no
   escapes but ``\\"`` and ``\\\\``, as in the bundled decks) gives its text
   with a regular expression, no YAML parser;
2. :func:`cloze_sources_by_note`: the cloze notes' own lines, loaded as one
   YAML list;
3. :func:`cloze_sources_whole`: the whole file loaded (the reference).

A property test writes cloze notes in every style (blocks, flow mappings,
comments, look-alike lines inside other values) and compares the three.
"""

from __future__ import annotations

import re

from studydeck.deckfile.schema import derive_id
from studydeck.interop import InteropError
from studydeck.model import Deck


def cloze_sources(deck: Deck) -> dict[str, str]:
    """Cloze note id -> its ``text``, read again from the deck file (see the module's
    docstring): by line, else note by note, else the whole file."""
    try:
        with open(deck.path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        text = None
    if text is not None:
        lines = text.splitlines()
        found = cloze_sources_by_line(deck, lines)
        if found is None:
            found = cloze_sources_by_note(deck, lines, text.endswith("\n"))
        if found is not None:
            return found
    return cloze_sources_whole(deck)


def _yaml_load(text: str):
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# A key line of a note: indent, an optional "- " starting the note, the key, its value.
_KEY_LINE = re.compile(r"( *)(- +)?([a-z]+):(?: +(.*))?")
# Values a line holds whole: double-quoted with no escapes but \" and \\, single-quoted
# without '', or plain text that starts with a letter, digit, _ or (, holds no comment,
# no ": " and no tab, and ends in neither a space nor a colon.
_DOUBLE = re.compile(r'"([^"\\]*(?:\\["\\][^"\\]*)*)" *')
_DOUBLE_ESCAPE = re.compile(r'\\(["\\])')
_SINGLE = re.compile(r"'([^']*)' *")
_PLAIN_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_(")


def _note_ends(deck: Deck, lines: list[str]) -> dict[int, int]:
    """A note's first line -> the first line of the note after it (1-based)."""
    starts = sorted({c.line for c in deck.cards})
    return dict(zip(starts, [*starts[1:], len(lines) + 1]))


def _line_value(value: str | None) -> str | None:
    """The text of a value written whole on its line, or None."""
    if not value:
        return None
    first = value[0]
    if first == '"':
        m = _DOUBLE.fullmatch(value)
        if m is None:
            return None
        text = m.group(1)
        return _DOUBLE_ESCAPE.sub(r"\1", text) if "\\" in text else text
    if first == "'":
        m = _SINGLE.fullmatch(value)
        return None if m is None else m.group(1)
    if (first in _PLAIN_START and " #" not in value and ": " not in value and "\t" not in value
            and value[-1] not in " :"):
        return value
    return None


def cloze_sources_by_line(deck: Deck, lines: list[str]) -> dict[str, str] | None:
    """Each cloze note's text from its ``text:`` line, when every line of the note up to
    it is a key of the note with its value whole on the line; None if any note is
    written otherwise (or does not match the card: the file changed)."""
    out: dict[str, str] = {}
    for card in deck.cards:
        if card.type != "cloze" or card.note_id in out:
            continue
        keys = _note_keys(lines, card.line)
        if keys is None or keys.get("type") != "cloze":
            return None
        text = keys["text"]
        note_id = keys["id"] if "id" in keys else derive_id(deck.id, text)
        if note_id != card.note_id:
            return None
        out[note_id] = text
    return out


def _note_keys(lines: list[str], start: int) -> dict[str, str] | None:
    """The keys of the note starting on line ``start`` (1-based) up to its ``text``, or None
    unless each is on a line of its own, at the note's key column, with a whole value.
    (The next note's first line starts with "- ", so the scan never reads into it.)"""
    keys: dict[str, str] = {}
    column = None
    for index in range(start - 1, len(lines)):
        line = lines[index]
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue                        # a blank or comment line between keys
        m = _KEY_LINE.fullmatch(line)
        if m is None:
            return None
        indent, dash, key, value = m.groups()
        at = len(indent) + len(dash or "")
        if column is None:
            column = at
        elif dash or at != column:
            return None
        text = _line_value(value)
        if text is None or key in keys:
            return None
        keys[key] = text
        if key == "text":
            return keys
    return None



def cloze_sources_whole(deck: Deck) -> dict[str, str]:
    """:func:`cloze_sources` by loading the whole file; a note without ``id`` gets
    its derived id, as the loader gives it."""
    import yaml

    try:
        with open(deck.path, encoding="utf-8") as handle:
            data = _yaml_load(handle.read())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InteropError(f"{deck.path}: cannot read the deck again: {exc}") from None
    out: dict[str, str] = {}
    for note in (data or {}).get("cards") or ():
        if isinstance(note, dict) and note.get("type") == "cloze" and "text" in note:
            text = str(note["text"])
            out[str(note["id"]) if "id" in note else derive_id(deck.id, text)] = text
    return out


def cloze_sources_by_note(deck: Deck, lines: list[str], final_newline: bool = True) -> dict[str, str] | None:
    """The cloze notes' own lines (from each note's line to the next note's), loaded
    as one list; None unless every note comes out as exactly the note the loader saw.
    ``final_newline``: whether the file's last line ends with a line break (a block
    scalar on it keeps one only then)."""
    import yaml

    ends = _note_ends(deck, lines)
    wanted: list[str] = []
    chunks: list[str] = []
    at_end = False
    for card in deck.cards:
        if card.type != "cloze" or (wanted and wanted[-1] == card.note_id):
            continue
        chunk = lines[card.line - 1:ends[card.line] - 1]
        if not chunk or not chunk[0].lstrip(" ").startswith("- "):
            return None
        indent = len(chunk[0]) - len(chunk[0].lstrip(" "))
        wanted.append(card.note_id)
        at_end = ends[card.line] - 1 == len(lines)
        chunks.extend(line[indent:] if not line[:indent].strip() else line for line in chunk)
    if not wanted:
        return {}
    try:
        items = _yaml_load("\n".join(chunks) + ("" if at_end and not final_newline else "\n"))
    except yaml.YAMLError:
        return None
    if not isinstance(items, list) or len(items) != len(wanted):
        return None
    out: dict[str, str] = {}
    for note_id, note in zip(wanted, items):
        if not isinstance(note, dict) or note.get("type") != "cloze":
            return None
        text = str(note.get("text", ""))
        if (str(note["id"]) if "id" in note else derive_id(deck.id, text)) != note_id:
            return None
        out[note_id] = text
    return out


