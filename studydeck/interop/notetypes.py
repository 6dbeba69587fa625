"""The Anki note types studydeck writes, how Anki's note types map to studydeck's,
and :class:`SourceNote`, a note as the package and text readers hand it to the converter.

Out: four note types with fixed ids (never random, so every export reuses the
same types in Anki), named ``studydeck Basic``, ``studydeck Reversed``,
``studydeck Cloze`` and ``studydeck Choice``.  Each keeps the card's
``extra`` in a field of its own, shown under the answer.

In: :func:`classify` decides what a note type becomes, first by Anki's
"original stock kind" (kept when a stock type is renamed or copied), then by
name, then by kind (cloze or not):

=================================  ==========================================
Anki note type                     studydeck note
=================================  ==========================================
Basic                              basic
Basic (and reversed card)          reversed
Basic (optional reversed card)     reversed if "Add Reverse" is filled, else basic
Basic (type in the answer)         basic
Cloze (any cloze-kind type)        cloze, hints kept
Image Occlusion                    skipped (counted)
studydeck Basic/Reversed/Cloze     the same type, with ``extra``
studydeck Choice                   choice (options read back from the list)
anything else                      basic from the first two fields, with a warning
=================================  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

# Fixed ids: Anki matches an imported note type by id, so these never change.
BASIC_ID = 1_742_861_001
REVERSED_ID = 1_742_861_002
CLOZE_ID = 1_742_861_003
CHOICE_ID = 1_742_861_004

NAMES = {
    "basic": "studydeck Basic",
    "reversed": "studydeck Reversed",
    "cloze": "studydeck Cloze",
    "choice": "studydeck Choice",
}
FIELDS = {
    "basic": ("Front", "Back", "Extra"),
    "reversed": ("Front", "Back", "Extra"),
    "cloze": ("Text", "Extra"),
    "choice": ("Front", "Choices", "Answer", "Extra"),
}

_EXTRA = '{{#Extra}}<div class="extra">{{Extra}}</div>{{/Extra}}'
_CSS = """\
.card { font-family: sans-serif; font-size: 20px; line-height: 1.5; text-align: left;
        color: black; background-color: white; }
.nightMode.card { color: white; background-color: #222; }
.extra { margin-top: 1em; font-size: 0.85em; opacity: 0.8; }
.cloze { font-weight: bold; color: #1565c0; }
pre, code { font-family: monospace; }
pre { white-space: pre; overflow-x: auto; text-align: left; }
"""

# Anki's "original stock kind" (notetypes.proto, OriginalStockKind)
STOCK_BASIC, STOCK_REVERSED, STOCK_OPTIONAL_REVERSED, STOCK_TYPING = 1, 2, 3, 4
STOCK_CLOZE, STOCK_IMAGE_OCCLUSION = 5, 6


@lru_cache(maxsize=1)
def models() -> dict:
    """The four genanki models, by studydeck note type."""
    import genanki  # deferred: only an .apkg export needs it

    def model(kind: str, model_id: int, templates: list[dict], model_type=genanki.Model.FRONT_BACK):
        return genanki.Model(model_id, NAMES[kind], fields=[{"name": f} for f in FIELDS[kind]],
                             templates=templates, css=_CSS, model_type=model_type)

    answer = '{{FrontSide}}<hr id="answer">'
    return {
        "basic": model("basic", BASIC_ID, [
            {"name": "Card 1", "qfmt": "{{Front}}", "afmt": answer + "{{Back}}" + _EXTRA}]),
        "reversed": model("reversed", REVERSED_ID, [
            {"name": "Card 1", "qfmt": "{{Front}}", "afmt": answer + "{{Back}}" + _EXTRA},
            {"name": "Card 2", "qfmt": "{{Back}}", "afmt": answer + "{{Front}}" + _EXTRA}]),
        "cloze": model("cloze", CLOZE_ID, [
            {"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}" + _EXTRA}],
            genanki.Model.CLOZE),
        "choice": model("choice", CHOICE_ID, [
            {"name": "Card 1", "qfmt": '{{Front}}<div class="choices">{{Choices}}</div>',
             "afmt": answer + "{{Answer}}" + _EXTRA}]),
    }


# -- Anki note types coming in ------------------------------------------------

@dataclass(frozen=True)
class AnkiNotetype:
    """What studydeck needs to know of an Anki note type."""

    id: int
    name: str
    is_cloze: bool
    stock_kind: int            # 0 when unknown (a type made from scratch)
    fields: tuple[str, ...]


def classify(notetype: AnkiNotetype) -> str:
    """``basic``, ``reversed``, ``optional-reversed``, ``cloze``, ``choice``,
    ``occlusion`` or ``unknown`` (see the module's table)."""
    name = notetype.name
    if notetype.stock_kind == STOCK_IMAGE_OCCLUSION or name.startswith("Image Occlusion"):
        return "occlusion"
    for kind, ours in NAMES.items():
        if name == ours and set(FIELDS[kind]) <= set(notetype.fields):
            return kind
    if notetype.is_cloze:
        return "cloze"
    by_stock = {STOCK_BASIC: "basic", STOCK_REVERSED: "reversed",
                STOCK_OPTIONAL_REVERSED: "optional-reversed", STOCK_TYPING: "basic"}
    if notetype.stock_kind in by_stock:
        return by_stock[notetype.stock_kind]
    by_name = {"Basic": "basic", "Basic (and reversed card)": "reversed",
               "Basic (optional reversed card)": "optional-reversed",
               "Basic (type in the answer)": "basic"}
    return by_name.get(name, "unknown")


class SourceNote(NamedTuple):
    """One note as read from Anki: a package row or a text-file line."""

    notetype: AnkiNotetype
    fields: tuple[str, ...]            # HTML (or plain text from a text file with #html:false)
    tags: tuple[str, ...]
    deck: str                          # Anki deck name, "Parent::Child"
    guid: str | None                   # None for a text row without a GUID column
    cards: tuple[tuple[int, int], ...] = ()   # (Anki card id, ord), for --history
    where: str = ""                    # for messages: "note 1700000000" or "line 12"
