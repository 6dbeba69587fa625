"""One study session as a UI-free state machine.

Plain mode and the Textual app are two faces of this class: they draw
``shown`` in the light of ``phase`` and forward keys to ``reveal()``,
``rate(n)``, ``undo()``, ``proceed()``, and for drill and choice cards
``drill_question()`` / ``answer_drill(text)`` and ``choice_options()`` /
``answer_choice(k)``.  The phases:

- ``front``: the front is shown; a basic card can be revealed, a choice
  card picked, a drill card answered.
- ``back``: the answer is shown; ``allowed_ratings()`` may be given (3-5
  after a right choice or drill answer), ``default_rating`` is Enter's.
- ``feedback``: a wrong pick or drill answer, already rated 1; the card
  stays on screen until ``proceed()``.
- ``done``: nothing left; ``summary_lines()`` say how it went.

What may be pressed, the card's label, the "Saved" line and the summary's
words are decided here, once for both faces.  Scheduling decisions live here
and in :mod:`studydeck.study.scheduler`, never in a face.

The queue comes from :mod:`studydeck.study.queue`.  A learning card (rated
into a short step in this session or an earlier one) comes back once it is
due, or up to twenty minutes early when nothing else is left (Anki's "learn
ahead" limit); the end says when the next one is due.  What is left is
counted as Anki counts it: new · learning · review.

The session holds the cards still to come as keys (:data:`~studydeck.study.queue.Key`)
and builds a card only when it becomes the current one; a key whose card has
left its deck is skipped then.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from studydeck.config import Config
from studydeck.model import Card, Deck
from studydeck.study.clock import MS_PER_DAY, format_interval, from_ms, to_ms, utcnow
from studydeck.study.queue import LEARN_AHEAD, DueLearning, Key, build_queue, card_at
from studydeck.study.scheduler import LABELS, Outcome, Scheduler, Schedulers, state_name
from studydeck.words import count
from studydeck.store import LEARNING, RELEARNING, CardState, Collection, CollectionError



class Phase(StrEnum):
    """Where the shown card is: see the module's docstring."""

    FRONT = "front"
    BACK = "back"
    FEEDBACK = "feedback"
    DONE = "done"


class SessionError(Exception):
    """A call the session cannot honour now (rating before a drill is answered...)."""


def drill_seed(card: Card, review_number: int) -> int:
    """The seed of a drill card's question: fixed by the card and its review number."""
    digest = hashlib.sha256(f"{card.deck_id}/{card.card_id}/{review_number}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass
class Summary:
    ratings: list[int] = field(default_factory=list)
    clock: Callable[[], datetime] = utcnow  # the session's clock, so a frozen clock freezes the time shown
    started: datetime | None = None
    ended: datetime | None = None

    def __post_init__(self) -> None:
        if self.started is None:
            self.started = self.clock()

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
        return max(0.0, ((self.ended or self.clock()) - self.started).total_seconds())

    def counts(self) -> dict[int, int]:
        return {r: self.ratings.count(r) for r in range(1, 6)}

    @property
    def duration_text(self) -> str:
        """The session's length as ``3m 07s``."""
        minutes, seconds = divmod(round(self.seconds), 60)
        return f"{minutes}m {seconds:02d}s"


@dataclass(frozen=True)
class _Done:
    review_id: int        # a cram_reviews id in a cram session
    card: Card
    outcome: Outcome
    kind: str  # what the card counted as before the rating: new, learning or review


class _Line:
    """The keys a session still has to show, in order: ``front`` (keys put back
    first: an undone card's successor), then the due learning keys not read yet
    (``source``, read a page at a time), then ``rest`` (reviews, new cards, cards
    added later).  A key read from ``source`` is marked ``learning`` in ``kinds``."""

    def __init__(self, rest: list[Key], source: DueLearning | None = None,
                 kinds: dict[tuple[str, str], str] | None = None) -> None:
        self.front: list[Key] = []
        self.source = source
        self.taken = 0          # keys taken from source
        self.rest = rest
        self.kinds = kinds if kinds is not None else {}

    @property
    def unread(self) -> int:
        """Learning keys still in ``source``, all of kind ``learning``."""
        return len(self.source) - self.taken if self.source is not None else 0

    def __len__(self) -> int:
        return len(self.front) + self.unread + len(self.rest)

    def held(self) -> list[Key]:
        """The keys read so far (``front`` and ``rest``), without reading ``source``."""
        return self.front + self.rest

    def _take(self) -> Key | None:
        """The next key of ``source``; None when it has no more (it may hold fewer than
        it counted, if another process changed the cards)."""
        while self.unread > 0:
            key = self.source.get(self.taken)
            if key is not None:
                self.taken += 1
                self.kinds.setdefault((key[0], key[1]), "learning")
                return key
        return None

    def pop_first(self) -> Key | None:
        if self.front:
            return self.front.pop(0)
        if (key := self._take()) is not None:
            return key
        if self.rest:
            return self.rest.pop(0)
        return None

    def push_first(self, key: Key) -> None:
        self.front.insert(0, key)

    def append(self, key: Key) -> None:
        self.rest.append(key)

    def extend(self, keys: Iterable[Key]) -> None:
        self.rest.extend(keys)

    def keys(self) -> list[Key]:
        """Every key, in order (``source`` read to its end first)."""
        while (key := self._take()) is not None:
            self.front.append(key)
        self.source = None
        return self.front + self.rest

    def pop_last(self) -> Key | None:
        self.keys()
        if self.rest:
            return self.rest.pop()
        return self.front.pop() if self.front else None

    def last(self) -> Key | None:
        keys = self.keys()
        return keys[-1] if keys else None


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
        now = clock()
        self._kind: dict[tuple[str, str], str] = {}  # (deck, card) -> new, learning or review
        self._by_id = {deck.id: deck for deck in self.decks}
        self._built: dict[tuple[str, str], Card] = {}  # cards in hand: given, or shown in this session
        if cards is None:
            queue = build_queue(collection, self.decks, config, now, extra_new)
            later = queue.review_keys + queue.new_keys
            # The due learning keys are read a page at a time as they are reached.
            self._main = _Line(later, queue.learning_keys, self._kind)
            for kind, group in (("review", queue.review_keys), ("new", queue.new_keys)):
                self._kind.update(((deck_id, card_id), kind) for deck_id, card_id, _ in group)
            # (due ms, key): learning cards due later today, from this session or an earlier one
            self._pending: list[tuple[int, Key]] = self._learning_later(to_ms(now))
        else:  # custom study: the given cards, each counted by its state now
            self._main = _Line([], None, self._kind)
            for card in cards:
                self._main.append(self._hold(card))
                state = collection.card_state(*card.key)
                self._kind[card.key] = ("new" if state is None else
                                        "review" if state.state not in (LEARNING, RELEARNING) else "learning")
            self._pending = []
        self._done: list[_Done] = []
        self.summary = Summary(clock=clock)
        self.current: Card | None = None
        self._phase = Phase.FRONT
        self._feedback: Card | None = None  # the card answered wrong, on screen until proceed()
        self._shown_at = time.monotonic()
        self._question = None
        self._graded: bool | None = None
        self._advance()

    # -- the queue ---------------------------------------------------------
    def _hold(self, card: Card) -> Key:
        """Keep ``card`` in hand (a given or shown card is not built again); its key."""
        self._built[card.key] = card
        return (card.deck_id, card.card_id, -1)

    def _card(self, key: Key) -> Card | None:
        """The card of a queued key, built now; None if it left its deck."""
        card = self._built.get((key[0], key[1]))
        if card is None:
            card = card_at(self._by_id, key)
            if card is not None:
                self._built[card.key] = card
        return card

    def _advance(self) -> None:
        now_ms = to_ms(self.clock())
        self._pending.sort(key=lambda item: item[0])
        self.current = None
        while self.current is None:  # a key whose card left its deck is skipped
            if self._pending and self._pending[0][0] <= now_ms:
                key = self._pending.pop(0)[1]
            elif (key := self._main.pop_first()) is not None:
                pass
            elif self._pending and self._pending[0][0] <= now_ms + LEARN_AHEAD.total_seconds() * 1000:
                key = self._pending.pop(0)[1]
            else:
                break
            self.current = self._card(key)
        self._phase = Phase.FRONT if self.current is not None else Phase.DONE
        self._question = None
        self._graded = None
        self._shown_at = time.monotonic()
        if self.current is None and self.summary.ended is None:
            self.summary.ended = self.clock()

    def _learning_later(self, now_ms: int) -> list[tuple[int, Key]]:
        """(due, key) of the learning cards of these decks due later today, no card built."""
        out = []
        for deck_id, card_id, position, due in self.collection.due_between(
                now_ms, now_ms + MS_PER_DAY, (LEARNING, RELEARNING)):
            if deck_id in self._by_id:
                out.append((due, (deck_id, card_id, position)))
                self._kind[(deck_id, card_id)] = "learning"
        return out

    @property
    def finished(self) -> bool:
        return self.current is None

    # -- the state machine -------------------------------------------------
    @property
    def phase(self) -> Phase:
        return Phase.FEEDBACK if self._feedback is not None else self._phase

    @property
    def shown(self) -> Card | None:
        """The card a face shows: the current one, or after a wrong answer
        (phase ``feedback``) the card that was answered wrong."""
        return self._feedback if self._feedback is not None else self.current

    def allowed_ratings(self) -> tuple[int, ...]:
        """The ratings that may be given now: none before the answer is
        shown, 3-5 after a right choice or drill answer, else 1-5."""
        if self.phase != Phase.BACK:
            return ()
        return (3, 4, 5) if self._graded else (1, 2, 3, 4, 5)

    @property
    def default_rating(self) -> int | None:
        """The rating Space or Enter gives with the answer shown: 4 (Well), as Anki's Good."""
        return 4 if self.phase == Phase.BACK else None

    def can_reveal(self) -> bool:
        """A card's back can be shown without an answer (never a drill's)."""
        return self.phase == Phase.FRONT and self.current is not None and self.current.type != "drill"

    def skip(self) -> Card:
        """Leave the current card unanswered for another session (as a bury,
        for this session only): nothing is recorded."""
        card = self.current
        if card is None or self.phase != Phase.FRONT:
            raise SessionError("only an unanswered card can be skipped")
        self._advance()
        return card

    def proceed(self) -> None:
        """Leave the feedback on a wrong answer: the next card is shown."""
        if self._feedback is None:
            raise SessionError("nothing to move on from: no wrong answer is shown")
        self._feedback = None

    def counts(self) -> tuple[int, int, int]:
        """Cards left as Anki counts them, the current one included: (new,
        learning, review); learning cards count once they are due within the
        learn-ahead limit."""
        soon = to_ms(self.clock()) + LEARN_AHEAD.total_seconds() * 1000
        keys = self._main.held() + [key for due, key in self._pending if due <= soon]
        kind = self._kind.get
        kinds = [kind((key[0], key[1]), "new") for key in keys]
        if self.current is not None:
            kinds.append(kind(self.current.key, "new"))
        # the learning keys not read yet are learning cards due now
        return kinds.count("new"), kinds.count("learning") + self._main.unread, kinds.count("review")

    def card_label(self) -> str:
        """Where the session is: ``18 new · 2 learning · 5 review · basics · new basic``."""
        new, learning, review = self.counts()
        head = f"{new} new · {learning} learning · {review} review"
        card = self.shown
        if card is None:
            return f"{head} · {count(self.summary.reviewed, 'card')} reviewed"
        if self._feedback is not None:
            return f"{head} · {card.deck_id} · {card.type}"
        state = self.current_state()
        kind = state_name(state.state) if state else "new"
        return f"{head} · {card.deck_id} · {kind} {card.type}"

    def saved_text(self, outcome: Outcome) -> str:
        """The line that confirms a rating: ``Saved: 4 Well → next review in 3d.``"""
        return f"Saved: {outcome.rating} {LABELS[outcome.rating]} → next review in {self.due_label(outcome)}."

    def summary_lines(self) -> list[str]:
        """The end of the session in words: a headline, one line per figure,
        then why nothing more is due and when the next card is."""
        summary = self.summary
        if summary.reviewed == 0:
            return ["Nothing due here now.", *self.why_nothing_due()] if self.finished else ["No cards reviewed."]
        ratings = "  ".join(f"{r} {LABELS[r]}: {n}" for r, n in summary.counts().items())
        lines = [
            "Session over",
            f"Cards reviewed   {summary.reviewed}",
            f"Retention        {summary.retention:.0%}",
            f"Time             {summary.duration_text}",
            f"Ratings          {ratings}",
        ]
        return lines + self.why_nothing_due() if self.finished else lines

    def next_learning_due(self) -> datetime | None:
        """When the next learning card of these decks is due (later today), if any."""
        if not self._pending:
            return None
        return from_ms(min(due for due, _key in self._pending))

    def why_nothing_due(self) -> list[str]:
        """Why the session has nothing left: the day's limits, buried siblings,
        the next learning card's time, and how many more new cards could come."""
        from studydeck.study.today import why_nothing_due  # deferred: only at the end

        return why_nothing_due(self.collection, self.decks, self.config, self.clock(),
                               self.next_learning_due(), self.more_new_available())

    def _more_new(self, limit: int) -> list[Card]:
        from studydeck.study.today import more_new  # deferred: only at the end

        queued = [(key[0], key[1]) for key in self._main.keys()] + [(key[0], key[1]) for _due, key in self._pending]
        return more_new(self.collection, self.decks, self.config, self.clock(), queued, limit)

    @property
    def extra_new_batch(self) -> int:
        """How many new cards one "study more" adds: a day's worth (20 if the limit is 0)."""
        return self.config.new_per_day or 20

    def more_new_available(self) -> int:
        """New cards beyond today's limit that :meth:`study_more_new` would add
        now (siblings still buried); 0 unless the session is over."""
        if self.phase != Phase.DONE:
            return 0
        return len(self._more_new(self.extra_new_batch))

    def study_more_new(self) -> int:
        """Anki's custom study "increase today's new card limit", for this
        session: queue up to :attr:`extra_new_batch` more new cards."""
        if self.phase != Phase.DONE:
            raise SessionError("finish the cards due first")
        cards = self._more_new(self.extra_new_batch)
        self._main.extend(self._hold(card) for card in cards)
        self._kind.update((card.key, "new") for card in cards)
        if cards:
            self.summary.ended = None
            self._advance()
        return len(cards)

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
        by_id = self._by_id = {deck.id: deck for deck in self.decks}
        self._built = {}   # every card is built again from its new version when reached
        ids: dict[str, set[str]] = {}

        def fresh(card: Card) -> Card | None:
            deck = by_id.get(card.deck_id)
            return deck.card(card.card_id) if deck is not None else None

        def kept(key: Key) -> bool:  # the card is still in its deck (its id, nothing built)
            held = ids.get(key[0])
            if held is None:
                deck = by_id.get(key[0])
                found = getattr(deck.cards, "card_ids", None) if deck is not None else None
                held = ids[key[0]] = (set() if deck is None else
                                      set(found() if found is not None else (c.card_id for c in deck.cards)))
            return key[1] in held

        self._main = _Line([key for key in self._main.keys() if kept(key)], None, self._kind)
        self._pending = [(due, key) for due, key in self._pending if kept(key)]
        if self._feedback is not None:
            self._feedback = fresh(self._feedback) or self._feedback
        if self.current is not None:
            new = fresh(self.current)
            if new is None:
                self._advance()
            else:
                self.current = new
                self._built[new.key] = new

    # -- showing a card ----------------------------------------------------
    def reveal(self) -> None:
        if self.current is None:
            raise SessionError("no card to reveal: the session is over")
        if not self.can_reveal():
            raise SessionError("answer the drill to see its solution" if self.current.type == "drill"
                               else "the answer is already shown")
        self._phase = Phase.BACK

    def previews(self) -> dict[int, str]:
        """Rating -> interval it would give the current card (``1m``, ``3d``)."""
        if self.current is None:
            return {}
        return self.scheduler_for(self.current).previews(self.current_state(), self.clock(),
                                                         key=self._fuzz_key(self.current))

    def scheduler_for(self, card: Card) -> Scheduler:
        """The scheduler of ``card``'s deck (its preset's parameters and retention)."""
        return self._schedulers.for_deck(card.deck_id) if self._schedulers is not None else self.scheduler

    @staticmethod
    def _fuzz_key(card: Card) -> str:
        return f"{card.deck_id}/{card.card_id}"

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

        if self.phase != Phase.FRONT:
            raise SessionError("this drill is already answered")
        question = self.drill_question()
        verdict = drills.grade(question, text)
        self._grade(verdict.correct)
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
        if self.phase != Phase.FRONT:
            raise SessionError("this card is already answered")
        correct = options[index] == self.current.answer
        self._grade(correct)
        return correct

    def _grade(self, correct: bool) -> None:
        """A right answer shows the back for a 3-5 rating; a wrong one is rated 1 at once."""
        self._graded = correct
        if correct:
            self._phase = Phase.BACK
        else:
            card = self.current
            self._phase = Phase.BACK
            self.rate(1)
            self._feedback = card

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
        if self.cram:
            return self._rate_cram(card, rating, now, answer_ms)
        scheduler = self.scheduler_for(card)

        def schedule(before: CardState | None) -> Outcome:
            return scheduler.review(before, rating, now, answer_ms, key=self._fuzz_key(card))

        try:  # read, schedule and write in one transaction: no other process rates in between
            review_id, outcome = self.collection.rate(
                card.deck_id, card.card_id, to_ms(now), rating, answer_ms, schedule)
        except CollectionError as exc:
            raise SessionError(f"{exc.reason}, rating not saved: {exc}") from None
        self._done.append(_Done(review_id, card, outcome, self._kind.get(card.key, "new")))
        self.summary.ratings.append(rating)
        if outcome.after.state in (LEARNING, RELEARNING):
            self._kind[card.key] = "learning"
            if outcome.after.due - to_ms(now) < MS_PER_DAY:  # a step within the day
                self._pending.append((outcome.after.due, self._hold(card)))
        self._advance()
        return outcome

    def _rate_cram(self, card: Card, rating: int, now: datetime, answer_ms: int) -> Outcome:
        """A cram rating: recorded apart, the card's schedule untouched; a card rated
        1 or 2 comes back at the end of the session."""
        from studydeck.store import record_cram

        before = self.collection.card_state(*card.key)
        cram_id = record_cram(self.collection, card.deck_id, card.card_id, to_ms(now), rating, answer_ms)
        outcome = self.scheduler_for(card).review(before, rating, now, answer_ms, key=self._fuzz_key(card))
        self._done.append(_Done(cram_id, card, outcome, self._kind.get(card.key, "new")))
        self.summary.ratings.append(rating)
        if rating < 3:
            self._main.append(self._hold(card))
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
        last = self._done[-1]
        try:  # refused, and nothing changes, if the card was rated again since (another window)
            if self.cram:
                from studydeck.store import undo_cram

                undo_cram(self.collection, last.review_id, to_ms(self.clock()))
                if last.outcome.rating < 3 and (tail := self._main.last()) is not None \
                        and tail[:2] == last.card.key:
                    self._main.pop_last()
            else:
                self.collection.undo_review(last.review_id, to_ms(self.clock()))
        except CollectionError as exc:
            raise SessionError(str(exc)) from None
        self._done.pop()
        self.summary.ratings.pop()
        self.summary.ended = None
        self._kind[last.card.key] = last.kind
        self._pending = [(due, key) for due, key in self._pending if key[:2] != last.card.key]
        if self.current is not None:
            self._main.push_first(self._hold(self.current))
        self.current = last.card
        self._built[last.card.key] = last.card
        self._feedback = None
        self._phase = Phase.FRONT
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
