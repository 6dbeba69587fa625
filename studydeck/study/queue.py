"""Today's queue: which cards a session shows, in which order.

As Anki builds it: due learning and relearning cards first, then due reviews
(at most ``max_reviews_per_day`` a day), then new cards in deck order (at most
``new_per_day`` a day, all decks together), with new siblings buried.  The
study day rolls over at ``day_starts_at`` local time; every instant here is
timezone-aware UTC.

The queue holds card *keys* (deck id, card id, place in the deck), never the
cards: a session builds a card (:func:`card_at`) only when it reaches it.  The
due learning cards (uncapped, as in Anki) are counted up front and their keys
read from the due index a page at a time as they are reached
(:class:`DueLearning`), so starting a session with hundreds of learning cards
due costs about what starting one with a few does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from collections.abc import Callable, Iterable, Iterator

from studydeck.config import Config
from studydeck.model import Card, Deck
from studydeck.study.clock import day_start, to_ms
from studydeck.store import LEARNING, RELEARNING, REVIEW, Collection

LEARN_AHEAD = timedelta(minutes=20)
"""Anki's learn-ahead limit: with nothing else left, a learning card due within it is shown early."""


Key = tuple[str, str, int]
"""A queued card: ``(deck id, card id, position)``; the position is where the
collection last saw the card in its deck (-1 when unknown), a hint only."""


@dataclass(frozen=True)
class Queue:
    """Today's queue as keys, in the order a session shows them; the properties
    ``learning``, ``reviews`` and ``new`` build the cards (skipping any no longer
    in their deck) for callers that want them all at once."""

    learning_keys: DueLearning
    review_keys: list[Key]
    new_keys: list[Key]
    decks: dict[str, Deck] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.learning_keys) + len(self.review_keys) + len(self.new_keys)

    @property
    def learning(self) -> list[Card]:
        return _cards(self.decks, self.learning_keys)

    @property
    def reviews(self) -> list[Card]:
        return _cards(self.decks, self.review_keys)

    @property
    def new(self) -> list[Card]:
        return _cards(self.decks, self.new_keys)


def build_queue(collection: Collection, decks: Iterable[Deck], config: Config, now: datetime,
                extra_new: int = 0) -> Queue:
    """Today's queue for ``decks``: learning, then reviews, then new cards, as keys.

    The collection knows each deck's cards (``sync_decks``), so new cards are
    found by an index lookup, not by comparing every card with the history.
    Each deck's own limits (``[decks.ID]``, its preset) apply within the
    top-level ones; ``extra_new`` raises today's new-card limits (custom study).
    No card is built here.
    """
    decks = list(decks)
    by_id = {deck.id: deck for deck in decks}
    now_ms = to_ms(now)
    collection.sync_decks(decks, now_ms)
    today_ms = to_ms(day_start(now, config.day_starts_at))
    reviews_today, new_today = collection.counts_since(today_ms)
    review_cap = max(0, config.max_reviews_per_day - reviews_today)
    deck_left = deck_allowance(collection, config, by_id, today_ms, extra_new)
    learning_keys = DueLearning(collection, list(by_id), now_ms)
    _, review_keys = due_keys(collection, by_id, now_ms, review_cap,
                              {d: left[0] for d, left in deck_left.items()}, learning=False)
    new: list[Key] = []
    new_left = max(0, config.new_per_day + extra_new - new_today)
    if new_left == 0:
        return Queue(learning_keys, review_keys, new, by_id)
    busy = (_BusyNotes(collection, review_keys, today_ms,
                       lambda deck_id: collection.due_in_deck(deck_id, now_ms, LEARNING_STATES))
            if config.bury_siblings else None)
    for deck in decks:
        room = min(new_left - len(new), deck_left[deck.id][1])  # this deck's own limit too
        if room > 0:
            new += [(deck.id, card_id, -1) for card_id in gather_new(collection, deck.id, room, busy, now_ms)]
    return Queue(learning_keys, review_keys, new, by_id)


LEARNING_STATES = (LEARNING, RELEARNING)


class DueLearning:
    """The keys of the learning and relearning cards of ``deck_ids`` due at ``now_ms``,
    in due order (every one: learning cards are not capped): counted at once, read
    from the due index a page at a time as they are asked for.

    If another process changes the cards meanwhile, fewer than counted may be
    read; the length then becomes what was read, and never exceeds the count.
    """

    FIRST_PAGE = 16
    LARGEST_PAGE = 512

    def __init__(self, collection: Collection, deck_ids: list[str], now_ms: int) -> None:
        self._collection = collection
        self._decks = deck_ids
        self._now_ms = now_ms
        self._total = collection.due_count(now_ms, LEARNING_STATES, deck_ids) if deck_ids else 0
        self._read: list[Key] = []
        self._after: tuple[int, str, str] | None = None
        self._page = self.FIRST_PAGE

    def __len__(self) -> int:
        return self._total

    @property
    def read(self) -> int:
        """How many keys have been read so far."""
        return len(self._read)

    def _more(self) -> bool:
        """Read the next page; False when there is nothing more."""
        want = min(self._page, self._total - len(self._read))
        if want <= 0:
            return False
        self._page = min(2 * self._page, self.LARGEST_PAGE)
        rows = self._collection.due_cards(self._now_ms, LEARNING_STATES, want, self._decks, self._after,
                                          with_position=True)
        self._read += [(deck_id, card_id, position) for deck_id, card_id, _state, _due, position in rows]
        if rows:
            self._after = rows[-1][3], rows[-1][0], rows[-1][1]
        if len(rows) < want:
            self._total = len(self._read)
        return bool(rows)

    def get(self, index: int) -> Key | None:
        """The key at ``index``, None past the end."""
        while index >= len(self._read):
            if not self._more():
                return None
        return self._read[index]

    def __getitem__(self, index: int) -> Key:
        key = self.get(index)
        if key is None:
            raise IndexError("no learning card at that place")
        return key

    def __iter__(self) -> Iterator[Key]:
        index = 0
        while (key := self.get(index)) is not None:
            yield key
            index += 1


def due_keys(collection: Collection, deck_ids: Iterable[str], now_ms: int, review_cap: int,
             deck_review_left: dict[str, int] | None = None,
             learning: bool = True) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """``(learning, reviews)``: ``(deck, card, position)`` of the due cards today's queue
    holds for ``deck_ids``: every due learning and relearning card, then reviews in due
    order up to ``review_cap`` (and each deck's ``deck_review_left``).

    Reviews are read a page at a time from the due index, for the decks studied
    only, so the work follows the cap, not the number of cards due.  ``learning``
    False: the learning list is left empty (a queue reads them with :class:`DueLearning`).
    """
    wanted = list(deck_ids)
    studied = set(wanted)  # learning cards are few: filtered here, the index read stays a plain range
    learning_keys = ([key for key in collection.due_places(now_ms, LEARNING_STATES) if key[0] in studied]
                     if learning else [])
    left = dict(deck_review_left) if deck_review_left is not None else None
    open_decks = [d for d in wanted if left is None or left.get(d, 0) > 0]
    reviews: list[tuple[str, str, int]] = []
    after = None
    while len(reviews) < review_cap and open_decks:
        want = review_cap - len(reviews)
        page = collection.due_cards(now_ms, (REVIEW,), want, open_decks, after, with_position=True)
        for deck_id, card_id, _state, _due, position in page:
            if left is not None:
                if left[deck_id] <= 0:
                    continue
                left[deck_id] -= 1
            reviews.append((deck_id, card_id, position))
        if len(page) < want:
            break
        after = page[-1][3], page[-1][0], page[-1][1]
        if left is not None:  # a deck at its own limit is left out of the next page
            open_decks = [d for d in open_decks if left[d] > 0]
    return learning_keys, reviews


def card_at(by_id: dict[str, Deck], key: Key) -> Card | None:
    """The card of ``key``, built now: at its recorded position when the card is
    still there (no id table to build), else through ``Deck.card``; None when its
    deck is not studied or no longer holds it (the deck was edited)."""
    deck_id, card_id, position = key
    deck = by_id.get(deck_id)
    if deck is None:
        return None
    cards = deck.cards
    if 0 <= position < len(cards):
        card = cards[position]
        if card.card_id == card_id:
            return card
    return deck.card(card_id)


def _cards(by_id: dict[str, Deck], keys: list[Key]) -> list[Card]:
    """The cards of ``keys`` that still exist, in order (see :func:`card_at`)."""
    return [card for key in keys if (card := card_at(by_id, key)) is not None]


def deck_allowance(collection: Collection, config: Config, deck_ids: Iterable[str], today_ms: int,
                   extra_new: int = 0) -> dict[str, list[int]]:
    """Deck id -> [reviews, new cards] it may still show today under its own limits
    (``[decks.ID]``, its preset, else the top level)."""
    from studydeck.store import counts_by_deck_since

    done = counts_by_deck_since(collection, today_ms) if (config.decks or config.presets) else {}
    out = {}
    for deck_id in deck_ids:
        limits = config.for_deck(deck_id)
        reviewed, introduced = done.get(deck_id, (0, 0))
        out[deck_id] = [max(0, limits.max_reviews_per_day - reviewed),
                        max(0, limits.new_per_day + extra_new - introduced)]
    return out


class _BusyNotes:
    """:func:`busy_notes` as :func:`gather_new` asks it, one deck at a time: a deck's
    notes are worked out when a new card of that deck is first looked up, so the
    learning and review cards of decks with no new card to show cost nothing here.
    ``learning_of``: the due learning card ids of a deck, asked for then (when the
    learning keys are not among ``shown``)."""

    def __init__(self, collection: Collection, shown: list[tuple], today_ms: int,
                 learning_of: Callable[[str], Iterable[str]] | None = None) -> None:
        self._learning_of = learning_of
        self._by_deck: dict[str, list[str]] = {}
        for key in shown:
            self._by_deck.setdefault(key[0], []).append(key[1])
        for deck_id, card_id in collection.cards_reviewed_since(today_ms):
            self._by_deck.setdefault(deck_id, []).append(card_id)
        self._notes: dict[str, set[str]] = {}

    def _deck(self, deck_id: str) -> set[str]:
        notes = self._notes.get(deck_id)
        if notes is None:
            notes = self._notes[deck_id] = {note_of(c) for c in self._by_deck.get(deck_id, ())}
            if self._learning_of is not None:
                notes.update(note_of(c) for c in self._learning_of(deck_id))
        return notes

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key[1] in self._deck(key[0])

    def add(self, key: tuple[str, str]) -> None:
        self._deck(key[0]).add(key[1])


def note_of(card_id: str) -> str:
    """The note a card comes from: ``ID`` for ``ID``, ``ID#reverse`` and ``ID#c2``
    (note ids never hold ``#``), read without building the card."""
    return card_id.partition("#")[0]


def busy_notes(collection: Collection, shown: Iterable[tuple[str, str]], today_ms: int) -> set[tuple[str, str]]:
    """Notes being studied today: those of the ``shown`` (deck, card) keys and
    of every card reviewed since the study day began.

    Siblings (the two sides of a reversed note, the deletions of a cloze) are
    buried as Anki buries them: a new card is not shown on a day its note is
    already being studied, so one side cannot give the other away.
    """
    keys = set(shown) | collection.cards_reviewed_since(today_ms)
    return {(deck_id, note_of(card_id)) for deck_id, card_id in keys}


def gather_new(collection: Collection, deck_id: str, limit: int, busy: set[tuple[str, str]] | None,
               now_ms: int | None = None) -> list[str]:
    """Up to ``limit`` new card ids of one deck, in deck order, skipping the
    notes in ``busy`` (which grows by each note taken; None: no burying),
    suspended cards and (given ``now_ms``) cards buried past it."""
    taken: list[str] = []
    offset = 0
    while len(taken) < limit:
        batch = collection.new_cards(deck_id, 2 * (limit - len(taken)) + 8, offset, now_ms)
        if not batch:
            break
        offset += len(batch)
        for card_id in batch:
            if busy is not None:
                note = (deck_id, note_of(card_id))
                if note in busy:
                    continue
                busy.add(note)
            taken.append(card_id)
            if len(taken) >= limit:
                break
    return taken
