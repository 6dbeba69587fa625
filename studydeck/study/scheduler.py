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
beside it.  Interval previews are computed without fuzz, as Anki shows them
on its buttons; the review itself may be fuzzed a little (``fuzz`` setting).
"""

from __future__ import annotations

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
    return {NEW: "new", 1: "learning", 2: "review", 3: "relearning"}[state]


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
