"""Finding and marking cards: what ``studydeck cards``, ``suspend``... and the browser share.

A query (:mod:`studydeck.study.query`) is run against the collection with the
context it depends on (now, the study day, each deck's FSRS decay), and the rows
are joined with the loaded :class:`~studydeck.model.Card` objects.  Marking
(suspend, bury, flag, forget) is one transaction per call, undoable with
:func:`studydeck.store.undo_last`.  The labels both faces print come from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from studydeck import store
from studydeck.config import Config
from studydeck.model import Card, Deck
from studydeck.store import CardRow, Collection, QueryContext
from studydeck.study import query as q
from studydeck.study.clock import day_start
from studydeck.study.scheduler import state_name
from studydeck.study.clock import MS_PER_DAY, from_ms, to_ms

DEFAULT_DECAY = -0.1542   # -w[20] of FSRS-6's default parameters (fsrs.FSRS_DEFAULT_DECAY)


@dataclass(frozen=True, slots=True)
class Found:
    """A card matching a query, with its row in the collection."""

    card: Card
    row: CardRow

    def retrievability(self, ctx: QueryContext) -> float | None:
        row = self.row
        if row.state == store.NEW or row.last_review is None or not row.stability:
            return None
        elapsed = max(0, (ctx.now_ms - row.last_review) // MS_PER_DAY)
        return q.retrievability(elapsed, row.stability, ctx.decay(row.deck_id))

    def status(self, ctx: QueryContext) -> str:
        """``new``, ``learning``, ``review``, ``relearning``, then ``suspended``/``buried`` if so."""
        parts = [state_name(self.row.state)]
        if self.row.suspended:
            parts.append("suspended")
        if self.row.buried(ctx.now_ms):
            parts.append("buried")
        return ",".join(parts)


def query_context(collection: Collection, decks: Sequence[Deck], config: Config, now: datetime) -> QueryContext:
    """Now, the start of the study day, and each deck's decay from its preset's saved parameters."""
    saved = store.saved_parameters(collection)
    decays = []
    for deck in decks:
        params = saved.get(config.preset_name(deck.id))
        if params is not None and len(params) > 20:
            decays.append((deck.id, -params[20]))
    return QueryContext(to_ms(now), to_ms(day_start(now, config.day_starts_at)), DEFAULT_DECAY, tuple(decays))


def find(collection: Collection, decks: Sequence[Deck], config: Config, text: str, now: datetime,
         sort: str = "deck", limit: int | None = None) -> tuple[list[Found], QueryContext]:
    """The loaded cards matching ``text`` (raises :class:`~studydeck.study.query.QueryError`)."""
    keys, ctx = find_keys(collection, decks, config, text, now, sort, limit)
    return found_of(collection, decks, keys), ctx


def find_keys(collection: Collection, decks: Sequence[Deck], config: Config, text: str, now: datetime,
              sort: str = "deck", limit: int | None = None) -> tuple[list[tuple[str, str]], QueryContext]:
    """The (deck, card) keys matching ``text``, in order; :func:`found_of` reads a page of them."""
    node = q.parse(text)
    ctx = query_context(collection, decks, config, now)
    return store.search_keys(collection, node, ctx, decks, sort, limit), ctx


def found_of(collection: Collection, decks: Sequence[Deck], keys: Sequence[tuple[str, str]]) -> list[Found]:
    """Each key's loaded card with its collection row, in the keys' order."""
    by_id = {d.id: d for d in decks}
    found = []
    for row in store.rows_of(collection, keys):
        card = by_id[row.deck_id].card(row.card_id)
        if card is not None:
            found.append(Found(card, row))
    return found


def next_day(now: datetime, config: Config) -> datetime:
    """When the next study day starts (a bury lasts until then)."""
    return day_start(now + timedelta(days=1), config.day_starts_at)


def mark(collection: Collection, kind: str, cards: Sequence[Card], now: datetime, config: Config, *,
         flag: int = 0, detail: str = "") -> int:
    """Suspend, unsuspend, bury, unbury, flag or forget ``cards``; how many changed."""
    value = flag if kind == "flag" else to_ms(next_day(now, config)) if kind == "bury" else 0
    return store.mark_cards(collection, kind, [c.key for c in cards], to_ms(now), value=value, detail=detail)


PAST = {"suspend": "suspended", "unsuspend": "unsuspended", "bury": "buried", "unbury": "unburied",
        "flag": "flagged", "forget": "forgot"}


def undo_message(undone: store.Undone | None) -> str:
    """What ``studydeck undo`` and the browser say after undoing."""
    if undone is None:
        return "Nothing to undo."
    if undone.kind == "review":
        return f"Undid the rating of {undone.detail}."
    if undone.kind == "cram":
        return f"Undid the cram rating of {undone.detail}."
    noun = "card" if undone.cards == 1 else "cards"
    query = f" ({undone.detail})" if undone.detail else ""
    return f"Undid {undone.kind} of {undone.cards} {noun}{query}."


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One line of a card's history: a review, a cram rating or an action."""

    at: int
    what: str                  # "review", "cram" or an action kind
    rating: int | None = None
    interval_ms: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    undone: bool = False


def history(collection: Collection, card: Card) -> list[HistoryLine]:
    """Everything that happened to ``card``, oldest first (undone actions marked)."""
    lines = [HistoryLine(r.reviewed_at, "review", r.rating, r.after.due - r.reviewed_at, r.after.stability,
                         r.after.difficulty) for r in store.card_reviews(collection, *card.key)]
    lines += [HistoryLine(at, "cram", rating) for at, rating in store.cram_ratings(collection, *card.key)]
    lines += [HistoryLine(at, kind, undone=undone) for at, kind, undone in store.card_actions(collection, *card.key)]
    return sorted(lines, key=lambda line: line.at)


def local_time(ms: int) -> str:
    return from_ms(ms).astimezone().strftime("%Y-%m-%d %H:%M")
