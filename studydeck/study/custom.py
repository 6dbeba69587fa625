"""Custom study (Anki's filtered decks, without moving cards): which cards a custom session shows.

- ``query``: the cards matching a query (suspended and buried cards left out),
  earliest due first, at most ``limit``;
- ``ahead=N``: learning and review cards due within the next N study days;
- ``forgotten=N``: cards rated 1 or 2 in the last N study days;
- ``cram``: the session records its ratings apart (``cram_reviews``) and leaves
  every schedule as it was; without a query it takes every card of the decks;
- ``more_new=N``: not a card list but today's queue with N more new cards
  (:func:`studydeck.study.queue.build_queue`'s ``extra_new``).

The filters combine with AND.  Ratings of a non-cram custom session are
ordinary reviews: FSRS takes the early review into account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from studydeck.config import Config
from studydeck.model import Card, Deck
from studydeck.store import Collection
from studydeck.study import browse

DEFAULT_LIMIT = 100   # as Anki's filtered decks


@dataclass(frozen=True)
class CustomStudy:
    query: str | None = None
    ahead: int | None = None
    forgotten: int | None = None
    cram: bool = False
    more_new: int = 0
    limit: int = DEFAULT_LIMIT

    @property
    def filters(self) -> bool:
        """True when the session studies a card list rather than today's queue."""
        return self.cram or any(v is not None for v in (self.query, self.ahead, self.forgotten))

    def query_text(self) -> str:
        """The filters as one query (each part in parentheses), plus the exclusions."""
        parts = [f"({self.query})"] if self.query and self.query.strip() else []
        if self.ahead is not None:
            parts.append(f"(is:learn or is:review) prop:due<={self.ahead}")
        if self.forgotten is not None:
            parts.append(f"(rated:{self.forgotten}:1 or rated:{self.forgotten}:2)")
        parts.append("-is:suspended -is:buried")
        return " ".join(parts)

    def validate(self) -> CustomStudy:
        """Check the numbers (ValueError) and the query alone, so a
        :class:`~studydeck.study.query.QueryError` names the column the user typed."""
        if self.query is not None:
            from studydeck.study.query import parse

            parse(self.query)
        for name, value, low in (("ahead", self.ahead, 1), ("forgotten", self.forgotten, 1),
                                 ("more_new", self.more_new, 0), ("limit", self.limit, 1)):
            if value is not None and not low <= value <= 36_500:
                raise ValueError(f"--{name.replace('_', '-')} must be from {low} to 36500, got {value}")
        if self.more_new and self.filters:
            raise ValueError("--more-new extends today's queue; it does not combine with "
                             "--query, --ahead, --forgotten or --cram")
        return self


def custom_cards(collection: Collection, decks: Sequence[Deck], config: Config, now: datetime,
                 custom: CustomStudy) -> list[Card]:
    """The cards of a filtered custom session, earliest due first (new cards in deck order last)."""
    found, _ctx = browse.find(collection, decks, config, custom.query_text(), now, sort="due", limit=custom.limit)
    return [f.card for f in found]


def session_options(collection: Collection, decks: Sequence[Deck], config: Config, now: datetime,
                    custom: CustomStudy) -> dict:
    """Keyword arguments for :class:`~studydeck.study.session.Session`."""
    custom.validate()
    if not custom.filters:
        return {"extra_new": custom.more_new}
    return {"cards": custom_cards(collection, decks, config, now, custom), "cram": custom.cram}
