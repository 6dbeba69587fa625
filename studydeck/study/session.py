"""One study session as a UI-free state machine.

Plain mode and the Textual app are two faces of this class: they show
``current``, call ``reveal()``, ``rate(n)``, ``undo()``, and for drill cards
``drill_question()`` and ``answer_drill(text)``.  Scheduling decisions live
here and in :mod:`studydeck.study.scheduler`, never in a screen.

The queue comes from :mod:`studydeck.study.queue`.  A card rated into a short learning
step comes back in the same session once it is due, or up to twenty minutes
early when nothing else is left (Anki's "learn ahead" limit).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from collections.abc import Callable, Iterable

from studydeck.config import Config
from studydeck.model import Card, Deck
from studydeck.study.queue import build_queue, utcnow
from studydeck.study.scheduler import Outcome, Scheduler, Schedulers, format_interval, from_ms, to_ms
from studydeck.store import LEARNING, RELEARNING, CardState, Collection

LEARN_AHEAD = timedelta(minutes=20)


class SessionError(Exception):
    """A call the session cannot honour now (rating before a drill is answered...)."""


def drill_seed(card: Card, review_number: int) -> int:
    """The seed of a drill card's question: fixed by the card and its review number."""
    digest = hashlib.sha256(f"{card.deck_id}/{card.card_id}/{review_number}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass
class Summary:
    ratings: list[int] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None

    @property
    def reviewed(self) -> int:
        return len(self.ratings)

    @property
    def retention(self) -> float | None:
        """Share of ratings that were a pass (3 or more)."""
        if not self.ratings:
            return None
        return sum(r >= 3 for r in self.ratings) / len(self.ratings)

    @property
    def seconds(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    def counts(self) -> dict[int, int]:
        return {r: self.ratings.count(r) for r in range(1, 6)}


@dataclass(frozen=True)
class _Done:
    review_id: int        # a cram_reviews id in a cram session
    card: Card
    outcome: Outcome


class Session:
    def __init__(
        self,
        collection: Collection,
        decks: Iterable[Deck],
        config: Config,
        *,
        clock: Callable[[], datetime] = utcnow,
        scheduler: Scheduler | None = None,
        cards: Iterable[Card] | None = None,
        cram: bool = False,
        extra_new: int = 0,
    ) -> None:
        """``cards`` replaces today's queue (custom study, :mod:`studydeck.study.custom`);
        ``cram`` records ratings apart and leaves scheduling alone; ``extra_new`` raises
        today's new-card limits."""
        self.collection = collection
        self.decks = list(decks)
        self.config = config
        self.clock = clock
        self.scheduler = scheduler or Scheduler(config)
        self.cram = cram
        self._schedulers: Schedulers | None = None
        if scheduler is None:
            from studydeck.store import saved_parameters

            self._schedulers = Schedulers(config, saved_parameters(collection))
            self._schedulers._made[(None, config.desired_retention)] = self.scheduler
        if cards is None:
            queue = build_queue(collection, self.decks, config, clock(), extra_new)
            self._main: list[Card] = queue.learning + queue.reviews + queue.new
        else:
            self._main = list(cards)
        self._pending: list[tuple[int, Card]] = []  # (due ms, card) learning cards seen this session
        self._done: list[_Done] = []
        self.summary = Summary()
        self.current: Card | None = None
        self.revealed = False
        self._shown_at = time.monotonic()
        self._question = None
        self._graded: bool | None = None
        self._advance()

    # -- the queue ---------------------------------------------------------
    def _advance(self) -> None:
        now_ms = to_ms(self.clock())
        self._pending.sort(key=lambda item: item[0])
        if self._pending and self._pending[0][0] <= now_ms:
            self.current = self._pending.pop(0)[1]
        elif self._main:
            self.current = self._main.pop(0)
        elif self._pending and self._pending[0][0] <= now_ms + LEARN_AHEAD.total_seconds() * 1000:
            self.current = self._pending.pop(0)[1]
        else:
            self.current = None
        self.revealed = False
        self._question = None
        self._graded = None
        self._shown_at = time.monotonic()
        if self.current is None and self.summary.ended is None:
            self.summary.ended = time.monotonic()

    @property
    def finished(self) -> bool:
        return self.current is None

    @property
    def remaining(self) -> int:
        """Cards left after the current one, counting learning cards due back."""
        return len(self._main) + len(self._pending)

    @property
    def progress(self) -> tuple[int, int]:
        """(ratings so far, ratings so far + cards still to show)."""
        done = self.summary.reviewed
        return done, done + self.remaining + (0 if self.current is None else 1)

    def current_state(self) -> CardState | None:
        if self.current is None:
            return None
        return self.collection.card_state(*self.current.key)

    def replace_decks(self, decks: Iterable[Deck]) -> None:
        """Carry on with reloaded decks (after an edit): queued cards become
        their new versions, matched by id; cards that left their deck leave
        the queue.  History is keyed by id, so nothing recorded changes."""
        self.decks = list(decks)
        by_id = {deck.id: deck for deck in self.decks}

        def fresh(card: Card) -> Card | None:
            deck = by_id.get(card.deck_id)
            return deck.card(card.card_id) if deck is not None else None

        self._main = [new for new in map(fresh, self._main) if new is not None]
        self._pending = [(due, new) for due, card in self._pending if (new := fresh(card)) is not None]
        if self.current is not None:
            new = fresh(self.current)
            if new is None:
                self._advance()
            else:
                self.current = new

    # -- showing a card ----------------------------------------------------
    def reveal(self) -> None:
        if self.current is None:
            raise SessionError("no card to reveal: the session is over")
        self.revealed = True

    def previews(self) -> dict[int, str]:
        """Rating -> interval it would give the current card (``1m``, ``3d``)."""
        if self.current is None:
            return {}
        return self.scheduler_for(self.current).previews(self.current_state(), self.clock())

    def scheduler_for(self, card: Card) -> Scheduler:
        """The scheduler of ``card``'s deck (its preset's parameters and retention)."""
        return self._schedulers.for_deck(card.deck_id) if self._schedulers is not None else self.scheduler

    # -- drills ------------------------------------------------------------
    def drill_question(self):
        """The current drill card's question, seeded by the card and its review number."""
        card = self.current
        if card is None or card.type != "drill":
            raise SessionError("the current card is not a drill")
        if self._question is None:
            from studydeck import drills  # deferred: loads numpy and the engine

            number = self.collection.review_count(*card.key)
            self._question = drills.generate(card.drill, drill_seed(card, number), card.params_dict)
        return self._question

    def answer_drill(self, text: str):
        """Grade an answer to the current drill card.

        Unparsable input raises ``AnswerError`` and counts for nothing.  A
        wrong answer records rating 1 at once and moves on; a right one
        leaves the card current so the learner rates it 3 to 5.
        """
        from studydeck import drills

        question = self.drill_question()
        verdict = drills.grade(question, text)
        self.revealed = True
        if verdict.correct:
            self._graded = True
        else:
            self._graded = False
            self.rate(1)
        return verdict

    # -- choice cards ------------------------------------------------------
    def choice_options(self) -> list[str]:
        """The current choice card's options, shuffled the same way for the
        same card and review number."""
        import random

        card = self.current
        if card is None or card.type != "choice":
            raise SessionError("the current card is not a choice card")
        options = list(card.choices)
        number = self.collection.review_count(*card.key)
        random.Random(drill_seed(card, number)).shuffle(options)
        return options

    def answer_choice(self, index: int) -> bool:
        """Pick option ``index`` of :meth:`choice_options`.  A wrong pick
        records rating 1 at once; a right one is then rated 3 to 5."""
        options = self.choice_options()
        if not 0 <= index < len(options):
            raise SessionError(f"pick an option from 1 to {len(options)}")
        correct = options[index] == self.current.answer
        self.revealed = True
        self._graded = correct
        if not correct:
            self.rate(1)
        return correct

    # -- rating ------------------------------------------------------------
    def rate(self, rating: int, answer_ms: int | None = None) -> Outcome:
        """Record ``rating`` (1-5) for the current card, committed before returning."""
        card = self.current
        if card is None:
            raise SessionError("no card to rate: the session is over")
        if rating not in (1, 2, 3, 4, 5):
            raise SessionError(f"rating must be 1 to 5, got {rating!r}")
        if card.type == "drill" and self._graded is None:
            raise SessionError("answer the drill before rating it")
        if self._graded and rating < 3:
            raise SessionError("a right answer is rated 3 to 5")
        if answer_ms is None:
            answer_ms = int((time.monotonic() - self._shown_at) * 1000)
        now = self.clock()
        before = self.collection.card_state(*card.key)
        if self.cram:
            return self._rate_cram(card, rating, now, answer_ms, before)
        outcome = self.scheduler_for(card).review(before, rating, now, answer_ms)
        review_id = self.collection.record_review(
            card.deck_id, card.card_id, to_ms(now), rating, outcome.fsrs_rating,
            answer_ms, before, outcome.after,
        )
        self._done.append(_Done(review_id, card, outcome))
        self.summary.ratings.append(rating)
        if outcome.after.state in (LEARNING, RELEARNING):
            if outcome.after.due - to_ms(now) < 86_400_000:  # a step within the day
                self._pending.append((outcome.after.due, card))
        self._advance()
        return outcome

    def _rate_cram(self, card: Card, rating: int, now: datetime, answer_ms: int, before: CardState | None) -> Outcome:
        """A cram rating: recorded apart, the card's schedule untouched; a card rated
        1 or 2 comes back at the end of the session."""
        from studydeck.store import record_cram

        cram_id = record_cram(self.collection, card.deck_id, card.card_id, to_ms(now), rating, answer_ms)
        outcome = self.scheduler_for(card).review(before, rating, now, answer_ms, preview=True)
        self._done.append(_Done(cram_id, card, outcome))
        self.summary.ratings.append(rating)
        if rating < 3:
            self._main.append(card)
        self._advance()
        return outcome

    @property
    def graded(self) -> bool | None:
        """For a drill or choice card: None before an answer, then whether it was right."""
        return self._graded

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    def undo(self) -> Card:
        """Undo the last rating of this session: the card gets back its exact
        previous state and becomes the current card again."""
        if not self._done:
            raise SessionError("nothing to undo")
        last = self._done.pop()
        if self.cram:
            from studydeck.store import undo_cram

            undo_cram(self.collection, last.review_id, to_ms(self.clock()))
            if last.outcome.rating < 3 and self._main and self._main[-1] == last.card:
                self._main.pop()
        else:
            self.collection.undo_review(last.review_id, to_ms(self.clock()))
        self.summary.ratings.pop()
        self.summary.ended = None
        self._pending = [(due, c) for due, c in self._pending if c.key != last.card.key]
        if self.current is not None:
            self._main.insert(0, self.current)
        self.current = last.card
        self.revealed = False
        self._question = None
        self._graded = None
        self._shown_at = time.monotonic()
        return last.card

    def last_outcome(self) -> Outcome | None:
        return self._done[-1].outcome if self._done else None

    def due_label(self, outcome: Outcome) -> str:
        """How long until ``outcome``'s card is due, as ``10m`` or ``3d``."""
        if self.cram:
            return "its usual time (cram: schedule unchanged)"
        return format_interval(from_ms(outcome.after.due) - self.clock())
