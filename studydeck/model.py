"""The values that decks load into: plain, frozen, cheap to import.

A *note* is one entry under ``cards:`` in a deck file.  A *card* is one thing
the learner reviews.  Most notes make one card; a ``reversed`` note makes two
(``ID`` and ``ID#reverse``) and a ``cloze`` note makes one per numbered
deletion (``ID#c1``, ``ID#c2``...).  Review history is keyed on
``(deck_id, card_id)``, never on the file name or the card's position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Literal, get_args

CardType = Literal["basic", "reversed", "cloze", "choice", "drill"]
CARD_TYPES: tuple[CardType, ...] = get_args(CardType)
Severity = Literal["error", "warning"]


class State(IntEnum):
    """A card's scheduling state, as FSRS and Anki name them (stored as the integer)."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of the deck checker, printed as ``FILE:LINE:COL: severity: message``.

    ``line`` and ``col`` are 1-based; 0 means unknown (the whole file).
    """

    file: str
    line: int
    col: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        """One line: control and bidi characters in the file name or message are escaped."""
        from studydeck.safetext import shown

        return f"{shown(self.file)}:{self.line}:{self.col}: {self.severity}: {shown(self.message)}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True, slots=True)
class Card:
    deck_id: str
    card_id: str          # stable key of this card within the deck: "ID", "ID#reverse", "ID#c2"
    note_id: str          # the ``id`` of the note in the YAML file
    type: CardType
    front: str            # Markdown; for cloze the text with the active deletion blanked as [...]
    back: str             # Markdown; for cloze the full text with the deletion shown
    line: int = 0         # line of the note in its file (1-based), for `e` to edit
    tags: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()   # choice cards only, in file order (screens shuffle)
    answer: str = ""                # choice cards: the right choice
    drill: str = ""                 # drill cards: the kind, e.g. "lstm.forget_gate"
    params: tuple[tuple[str, Any], ...] = ()  # drill cards: sorted (name, value) pairs
    extra: str = ""                 # optional Markdown shown after the answer
    id_derived: bool = False        # True when the note had no ``id`` and one was derived

    @property
    def key(self) -> tuple[str, str]:
        return (self.deck_id, self.card_id)

    @property
    def params_dict(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class Deck:
    id: str
    title: str
    description: str
    path: str                       # the file it was loaded from
    cards: Sequence[Card] = field(default_factory=tuple)  # a tuple, or the parse cache's lazy equivalent
    content_hash: str = ""
    _by_id: dict[str, int] | None = field(default=None, init=False, compare=False, repr=False)

    def card(self, card_id: str) -> Card | None:
        """The card with ``card_id``, through an id → index table built on first use.

        Cards from the parse cache give their ids without being built, so a
        lookup builds only the card it returns.
        """
        for _ in range(2):   # twice: a cached deck whose entry failed its check has new cards
            if self._by_id is None:
                ids = getattr(self.cards, "card_ids", None)
                ids = ids() if ids is not None else [c.card_id for c in self.cards]
                object.__setattr__(self, "_by_id", {card_id: i for i, card_id in enumerate(ids)})
            index = self._by_id.get(card_id)
            if index is None:
                return None
            card = self.cards[index] if index < len(self.cards) else None
            if card is not None and card.card_id == card_id:
                return card
            object.__setattr__(self, "_by_id", None)
        return None

    def membership_key(self) -> str:
        """Changes whenever the deck's card ids or their order change."""
        if self.content_hash:
            return self.content_hash
        import hashlib

        return hashlib.blake2b("\x1f".join(c.card_id for c in self.cards).encode(), digest_size=16).hexdigest()
