"""Reading text files: Anki's text exports (with ``#key:value`` headers) and plain TSV/CSV.

Anki's "Notes in Plain Text" export starts with header lines such as
``#separator:tab``, ``#html:true``, ``#guid column:1``, ``#notetype column:2``,
``#deck column:3`` and ``#tags column:6`` (columns 1-based); the other
columns are the note's fields in order.  Fields are CSV-quoted when they hold
the separator, a line break or a quote.

Without headers, a file is two columns, front and back: ``.csv`` separated
by commas, anything else by tabs.  Every row is a note (a first row of
column names becomes a card too).  The deck is named after the file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from studydeck.interop import InteropError
from studydeck.interop.anki_read import MAX_NOTES
from studydeck.interop.convert import SourceNote
from studydeck.interop.notetypes import AnkiNotetype

MAX_TEXT_BYTES = 256 << 20
_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
_CLOZE_NAMES = ("Cloze",)


def read_text(path: str | Path) -> list[SourceNote]:
    path = Path(path)
    source = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_TEXT_BYTES + 1)
    except OSError as exc:
        raise InteropError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_TEXT_BYTES:
        raise InteropError(f"{source}: larger than {MAX_TEXT_BYTES:,} bytes; refusing it")
    if b"\x00" in data:
        raise InteropError(f"{source}: not a text file (it holds NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InteropError(f"{source}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    headers: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and lines[start].startswith("#") and ":" in lines[start]:
        key, _, value = lines[start][1:].strip().partition(":")
        headers[key.strip().lower()] = value.strip()
        start += 1
    separator = _SEPARATORS.get(headers.get("separator", "").lower(), headers.get("separator") or None)
    if separator is None:
        separator = "," if path.suffix.lower() == ".csv" else "\t"
    if len(separator) != 1:
        raise InteropError(f"{source}:1: unknown separator '{headers['separator']}'")
    html = headers.get("html", "false" if not headers else "true").lower() == "true"
    columns = {}
    for name in ("guid", "notetype", "deck", "tags"):
        raw = headers.get(f"{name} column")
        if raw is not None:
            if not raw.isdigit() or int(raw) < 1:
                raise InteropError(f"{source}: '#{name} column:{raw}' should be a column number from 1")
            columns[name] = int(raw) - 1
    default_deck = headers.get("deck") or path.stem
    default_type = headers.get("notetype") or "Basic"
    reader = csv.reader(io.StringIO("".join(lines[start:])), delimiter=separator, quotechar='"',
                        strict=False)
    notes: list[SourceNote] = []
    types: dict[str, AnkiNotetype] = {}
    try:
        for row in reader:
            line = start + reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(notes) >= MAX_NOTES:
                raise InteropError(f"{source}: more than {MAX_NOTES:,} notes; studydeck imports at "
                                   "most that many at once (split the file)")
            cell = _cells(row, columns)
            fields = tuple(cell if html else _escape(cell)
                           for i, cell in enumerate(row) if i not in columns.values())
            type_name = cell("notetype") or default_type
            notetype = types.setdefault(type_name, AnkiNotetype(0, type_name, type_name in _CLOZE_NAMES,
                                                                0, ()))
            guid = cell("guid") or None
            notes.append(SourceNote(notetype, fields, tuple(cell("tags").split()),
                                    cell("deck") or default_deck, guid,
                                    where=f"{source}:{line}"))
    except csv.Error as exc:
        raise InteropError(f"{source}:{start + reader.line_num}: {exc}") from None
    if not notes:
        raise InteropError(f"{source}: no notes found")
    return notes


def _cells(row: list[str], columns: dict[str, int]):
    """``cell(name)``: the text in ``row`` of the column called ``name``, '' if none."""
    def cell(name: str) -> str:
        at = columns.get(name)
        return row[at] if at is not None and at < len(row) else ""

    return cell


def _escape(text: str) -> str:
    """Plain text (``#html:false``, or a plain TSV) as the HTML the converter expects."""
    import html

    return html.escape(text, quote=False).replace("\n", "<br>")
