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
from datetime import datetime, timedelta, UTC

from studydeck.config import Config
from studydeck.store import NEW, REVIEW, CardState

RATINGS = (1, 2, 3, 4, 5)
LABELS = {1: "Not at all", 2: "Barely", 3: "With effort", 4: "Well", 5: "Perfectly"}
FSRS_RATING = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4}  # fsrs.Rating: Again=1, Hard=2, Good=3, Easy=4
FSRS_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def to_ms(when: datetime) -> int:
    if when.tzinfo is None:
        raise ValueError("naive datetime: studydeck keeps every time in UTC")
    return int(when.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def format_interval(delta: timedelta) -> str:
    """A short human interval: ``<1m``, ``10m``, ``3h``, ``2d``, ``3w``, ``4mo``, ``1.5y``."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)}h"
    days = hours / 24
    if days < 14:
        return f"{round(days)}d"
    if days < 60:
        return f"{round(days / 7)}w"
    if days < 365:
        return f"{round(days / 30)}mo"
    return f"{days / 365:.1f}y"


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
    return {NEW: "new", 1: "learning", 2: "review", 3: "relearning"}[state]
