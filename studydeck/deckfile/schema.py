"""The deck schema, in one place: which keys exist, which apply to which note
type, which are required, the id patterns, and how a missing id is derived.

A note without ``id`` gets ``auto-`` + 10 hex digits of
blake2b(deck id + "\\n" + source), where source is the front (the text of a
cloze note; the kind and params of a drill), and a warning: editing that
source changes the id and so resets the card's history.
"""

from __future__ import annotations

import hashlib
import re

MAX_FILE_BYTES = 5 * 1024 * 1024
"""Files larger than this (5 MiB, about 45,000 cards) are refused unread."""

MAX_DEPTH = 50
"""Deepest nesting of YAML collections accepted; a deck needs about 5."""

DECK_ID_RE = re.compile(r"[a-z0-9-]+")
NOTE_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
MIN_CHOICES, MAX_CHOICES = 2, 6

TOP_KEYS = ("deck", "title", "description", "cards")
NOTE_KEYS = ("id", "type", "front", "back", "tags", "extra", "text", "choices", "answer",
             "drill", "params")
_COMMON = frozenset({"id", "type", "tags", "extra"})
TYPE_KEYS = {  # in the order of model.CARD_TYPES (a test checks)
    "basic": _COMMON | {"front", "back"},
    "reversed": _COMMON | {"front", "back"},
    "cloze": _COMMON | {"text"},
    "choice": _COMMON | {"front", "choices", "answer"},
    "drill": _COMMON | {"drill", "params"},
}
REQUIRED = {"basic": ("front", "back"), "reversed": ("front", "back"), "cloze": ("text",),
            "choice": ("front", "choices", "answer"), "drill": ("drill",)}
NO_ID_WARNING = "card has no id; editing its front will reset its history (add `id: ...`)"


def derive_id(deck_id: str, source: str) -> str:
    digest = hashlib.blake2b(f"{deck_id}\n{source}".encode(), digest_size=5).hexdigest()
    return "auto-" + digest


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "x"


def applies(key: str) -> str:
    """A hint for a key used on a note type it does not belong to."""
    types = [t for t, keys in TYPE_KEYS.items() if key in keys]
    return f" (it belongs to {' and '.join(types)} notes; set `type:` or remove it)"
