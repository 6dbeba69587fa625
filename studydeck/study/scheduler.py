"""FSRS scheduling through the ``fsrs`` package, seen through a 1-5 self-rating.

The learner rates recall from 1 (not at all) to 5 (perfectly).  FSRS knows
four ratings; the map is the one place that joins the two:

=======  ==================  ===========
rating   label               FSRS rating
=======  ==================  ===========
1        Not at all          Again
2        Barely              Again
3        With effort         Hard
4        Well                Good
5        Perfectly           Easy
=======  ==================  ===========

An Anki review log records an *ease* of 1-4, which is FSRS's own scale
(Again, Hard, Good, Easy).  ``ANKI_EASE_RATING`` is the way back:
ease 1 -> 1, 2 -> 3, 3 -> 4, 4 -> 5.  Hard, Good and Easy each have one 1-5
rating; Again has two (1 and 2) and takes 1, "Not at all", because Anki's
Again says only that the answer was not recalled.  So
``FSRS_RATING[ANKI_EASE_RATING[e]] == e``: replaying an imported review gives
FSRS the very grade Anki recorded.

The raw 1-5 rating is what the review log stores; the FSRS rating is stored
beside it.  Interval previews are computed without fuzz, as Anki shows them
on its buttons; the review itself may be fuzzed a little (``fuzz`` setting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from studydeck.config import Config
from studydeck.study.clock import format_interval, from_ms, to_ms
from studydeck.model import State
from studydeck.store import REVIEW, CardState

RATINGS = (1, 2, 3, 4, 5)
LABELS = {1: "Not at all", 2: "Barely", 3: "With effort", 4: "Well", 5: "Perfectly"}
FSRS_RATING = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4}  # fsrs.Rating: Again=1, Hard=2, Good=3, Easy=4
ANKI_EASE_RATING = {1: 1, 2: 3, 3: 4, 4: 5}  # Anki revlog ease (= FSRS rating) -> 1-5 rating


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one rating does to a card."""

    rating: int
    fsrs_rating: int
    before: CardState | None
    after: CardState
    became_leech: bool


class Scheduler:
    """The fsrs scheduler plus the pieces FSRS leaves to the application:
    the rating map, lapse counting and leeches."""

    def __init__(self, config: Config) -> None:
        import fsrs  # deferred: only a session needs it

        self._fsrs = fsrs
        kwargs = dict(
            desired_retention=config.desired_retention,
            learning_steps=config.learning_deltas,
            relearning_steps=config.relearning_deltas,
        )
        self.fsrs = fsrs.Scheduler(enable_fuzzing=config.fuzz, **kwargs)
        self._preview = fsrs.Scheduler(enable_fuzzing=False, **kwargs)
        self.leech_threshold = config.leech_threshold

    def _to_fsrs(self, state: CardState | None, now: datetime):
        fsrs = self._fsrs
        if state is None:
            return fsrs.Card(card_id=0, due=now)
        return fsrs.Card(
            card_id=0,
            state=fsrs.State(state.state),
            step=state.step,
            stability=state.stability,
            difficulty=state.difficulty,
            due=from_ms(state.due),
            last_review=from_ms(state.last_review) if state.last_review is not None else None,
        )

    def review(self, before: CardState | None, rating: int, now: datetime,
               answer_ms: int | None = None, *, preview: bool = False) -> Outcome:
        if rating not in FSRS_RATING:
            raise ValueError(f"rating must be 1 to 5, got {rating!r}")
        fsrs_rating = FSRS_RATING[rating]
        engine = self._preview if preview else self.fsrs
        card, _log = engine.review_card(
            self._to_fsrs(before, now), self._fsrs.Rating(fsrs_rating), now, answer_ms
        )
        reps = (before.reps if before else 0) + 1
        lapses = before.lapses if before else 0
        if before is not None and before.state == REVIEW and fsrs_rating == 1:
            lapses += 1
        was_leech = bool(before and before.leech)
        leech = was_leech or (self.leech_threshold > 0 and lapses >= self.leech_threshold)
        after = CardState(
            state=int(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=to_ms(card.due),
            last_review=to_ms(card.last_review) if card.last_review else to_ms(now),
            reps=reps,
            lapses=lapses,
            leech=leech,
        )
        return Outcome(rating, fsrs_rating, before, after, leech and not was_leech)

    def previews(self, before: CardState | None, now: datetime) -> dict[int, str]:
        """For each rating 1-5, the interval it would give, as ``10m`` or ``3w``."""
        out = {}
        for rating in RATINGS:
            after = self.review(before, rating, now, preview=True).after
            out[rating] = format_interval(from_ms(after.due) - now)
        return out


def state_name(state: int) -> str:
    return State(state).label
