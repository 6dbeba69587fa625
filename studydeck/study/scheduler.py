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
beside it.  A review interval may be fuzzed a little (``fuzz`` setting), by
FSRS's ranges, with a random number seeded by the card and its review count
(as Anki seeds it): the interval previewed above a rating is the interval
that rating saves.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

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

    def __init__(self, config: Config, parameters: tuple[float, ...] | None = None,
                 desired_retention: float | None = None) -> None:
        import fsrs  # deferred: only a session needs it

        self._fsrs = fsrs
        kwargs = dict(
            desired_retention=config.desired_retention if desired_retention is None else desired_retention,
            learning_steps=config.learning_deltas,
            relearning_steps=config.relearning_deltas,
        )
        if parameters is not None:  # fitted to the learner's reviews (``studydeck optimize``)
            kwargs["parameters"] = parameters
        # fsrs fuzzes with an unseeded random number; the fuzz is applied here instead
        self.fsrs = fsrs.Scheduler(enable_fuzzing=False, **kwargs)
        self.fuzz = config.fuzz
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
               answer_ms: int | None = None, *, key: str = "") -> Outcome:
        """What ``rating`` does to a card in state ``before`` at ``now``.  ``key``
        names the card (``deck/card``); with the review count it seeds the fuzz."""
        if rating not in FSRS_RATING:
            raise ValueError(f"rating must be 1 to 5, got {rating!r}")
        fsrs_rating = FSRS_RATING[rating]
        card, _log = self.fsrs.review_card(
            self._to_fsrs(before, now), self._fsrs.Rating(fsrs_rating), now, answer_ms
        )
        if self.fuzz and card.state == self._fsrs.State.Review:
            seed = f"{key}/{before.reps if before else 0}"
            card.due = now + fuzzed_interval(card.due - now, seed, self.fsrs.maximum_interval)
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

    def previews(self, before: CardState | None, now: datetime, key: str = "") -> dict[int, str]:
        """For each rating 1-5, the interval it would give, as ``10m`` or ``3w``:
        the same fuzz as :meth:`review` with the same ``key``, so the same interval."""
        out = {}
        for rating in RATINGS:
            after = self.review(before, rating, now, key=key).after
            out[rating] = format_interval(from_ms(after.due) - now)
        return out


def fuzzed_interval(interval: timedelta, seed: str, maximum_days: int) -> timedelta:
    """FSRS's fuzz (a whole number of days in a range that widens with the
    interval; none under 2.5 days), drawn from a random number seeded by
    ``seed`` instead of an unseeded one, so a preview can show it."""
    from fsrs.scheduler import FUZZ_RANGES

    days = interval.days
    if days < 2.5:
        return interval
    delta = 1.0
    for fuzz_range in FUZZ_RANGES:
        delta += fuzz_range["factor"] * max(min(float(days), fuzz_range["end"]) - fuzz_range["start"], 0.0)
    high = min(round(days + delta), maximum_days)
    low = min(max(2, round(days - delta)), high)
    draw = random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")).random()
    return timedelta(days=min(round(draw * (high - low + 1) + low), maximum_days))


def state_name(state: int) -> str:
    return State(state).label


class Schedulers:
    """The scheduler of each deck: its preset's fitted parameters (if saved) and
    its desired retention, one :class:`Scheduler` per distinct pair."""

    def __init__(self, config: Config, saved: dict[str, tuple[float, ...]]) -> None:
        self.config = config
        self.saved = saved
        self._made: dict[tuple, Scheduler] = {}

    def for_deck(self, deck_id: str) -> Scheduler:
        limits = self.config.for_deck(deck_id)
        parameters = self.saved.get(limits.preset)
        key = (parameters, limits.desired_retention)
        if key not in self._made:
            self._made[key] = Scheduler(self.config, parameters, limits.desired_retention)
        return self._made[key]
