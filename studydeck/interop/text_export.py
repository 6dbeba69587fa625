"""Writing Anki's text format (``.txt``/``.tsv``), for File → Import in Anki.

The file starts with Anki's header lines and has six tab-separated columns::

    #separator:tab
    #html:true
    #notetype column:1
    #deck column:2
    #guid column:3
    #tags column:6
    Basic<TAB>studydeck::The LSTM cell<TAB>GUID<TAB>front<TAB>back<TAB>tag1 tag2

The note types are Anki's stock ones, present in every collection, because a
text file cannot bring note types of its own: ``Basic``, ``Basic (and
reversed card)`` and ``Cloze``.  ``Basic`` and ``Basic (and reversed card)``
have no field for ``extra``, so it follows the back after a rule; a choice
note becomes ``Basic`` with its options listed on the front.  Fields with a
tab, a line break or a quote are quoted as CSV (quotes doubled).  The GUID is
the same as in an ``.apkg`` export, so either way Anki updates, not duplicates.
The note type column comes first because Anki reads a line starting with
``#`` as a comment, and a GUID may start with ``#``.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from studydeck.interop.export import AnkiNote

STOCK_NAMES = {"basic": "Basic", "reversed": "Basic (and reversed card)", "cloze": "Cloze",
               "choice": "Basic"}
HEADER = ("#separator:tab\n#html:true\n#notetype column:1\n#deck column:2\n#guid column:3\n"
          "#tags column:6\n")


def _with_extra(main: str, extra: str) -> str:
    return f"{main}<hr>{extra}" if extra else main


def stock_fields(note: AnkiNote) -> tuple[str, str]:
    """The two fields of the stock note type ``note`` is written as."""
    if note.kind in ("basic", "reversed"):
        front, back, extra = note.fields
        return front, _with_extra(back, extra)
    if note.kind == "cloze":
        text, extra = note.fields
        return text, extra
    front, choices, answer, extra = note.fields    # choice
    return front + choices, _with_extra(answer, extra)


def text_rows(notes: Iterable[AnkiNote]) -> str:
    """The header and one line per note."""
    out = io.StringIO()
    out.write(HEADER)
    writer = csv.writer(out, delimiter="\t", quotechar='"', quoting=csv.QUOTE_MINIMAL,
                        lineterminator="\n")
    for note in notes:
        writer.writerow((STOCK_NAMES[note.kind], note.deck_name, note.guid, *stock_fields(note),
                         " ".join(note.tags)))
    return out.getvalue()


def write_text(target: Path, notes: Iterable[AnkiNote]) -> None:
    """Write the notes at ``target`` (through a temporary file beside it)."""
    data = text_rows(notes).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=".studydeck-export-", suffix=".txt", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
