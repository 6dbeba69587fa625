"""FSRS fitted to the learner's own reviews, per preset; and schedules recomputed from history.

The fitting library is fsrs-rs-python (the Rust FSRS crate that Anki's own optimizer
uses; a 0.6 MB wheel with no dependencies), installed with ``studydeck[optimizer]``.
py-fsrs's ``Optimizer`` was the other candidate: it needs PyTorch, pandas and tqdm
(hundreds of MB), far too heavy for an optional button.  See docs/optimize.md.

- :func:`training_items` turns a preset's standing reviews into the library's items:
  one item per review that follows an earlier review, holding the card's history
  up to and including it (ratings 1-4, whole study days between reviews).  A card's
  history starts after its last ``forget``; cram ratings are not reviews.
- :func:`fit` splits the cards (not the reviews) 80/20 by a hash of their key, fits
  on the 80 %, and compares the fitted and the default parameters on the held-out
  20 % (log loss and RMSE over retrievability bins, as the library reports them).
- :func:`reschedule` replays every card's history with its deck's scheduler.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from studydeck import store
from studydeck.config import RANGES, Config
from studydeck.model import Deck
from studydeck.store import CardState, Collection
from studydeck.study.scheduler import Schedulers
from studydeck.study.clock import MS_PER_DAY, from_ms, local_zone

MIN_ITEMS = 64
"""fsrs-rs fits the full model only from 64 training items (``compute_parameters``:
below 8 it returns the defaults, below 64 only the four initial stabilities)."""
HELD_OUT = 0.2


class OptimizerError(Exception):
    """Optimizing cannot go ahead (the library is missing, too few reviews); the message says why."""


def library():
    """The fsrs_rs_python module, or OptimizerError saying how to install it."""
    try:
        import fsrs_rs_python  # deferred: an optional extra
    except ImportError:
        raise OptimizerError("optimizing needs the optimizer extra: pip install 'studydeck[optimizer]' "
                             "(it adds fsrs-rs-python, 0.6 MB)") from None
    return fsrs_rs_python


@dataclass(frozen=True)
class History:
    """One card's standing reviews after its last forget, in time order: UTC ms, study
    days (rolling over at ``day_starts_at`` local time) and FSRS ratings 1-4."""

    key: tuple[str, str]
    days: list[int]
    ratings: list[int]

    @property
    def reviews(self) -> int:
        return len(self.days)


def utc_offsets(first_ms: int, last_ms: int, zone: tzinfo | None = None) -> list[tuple[int, int]]:
    """(from UTC ms, local UTC offset in s) for every change of the offset of the learner's
    zone (:func:`~studydeck.study.clock.local_zone`, as every other screen; daylight saving)
    between two instants: checked week by week (no zone changes its offset twice in a
    week), each change found to the second."""
    zone = zone or local_zone()

    def offset(ms: int) -> int:
        # a day before the last time a collection holds: a local time past 9999-12-31
        # (east of UTC) does not fit in a datetime
        ms = min(ms, store.MAX_TIME_MS - MS_PER_DAY)
        return int(datetime.fromtimestamp(ms // 1000, zone).utcoffset().total_seconds())

    out = [(first_ms, offset(first_ms))]
    week = 7 * 86_400_000
    at = first_ms
    while at < last_ms:
        step = min(week, last_ms - at)
        if offset(at + step) != out[-1][1]:
            lo, hi = at, at + step          # the offset changes in (lo, hi]
            while hi - lo > 1000:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(mid) == out[-1][1] else (lo, mid)
            out.append((hi - hi % 1000, offset(hi)))
        at += step
    return out


def histories(collection: Collection, deck_ids: Iterable[str], config: Config,
              keys: set | None = None) -> list[History]:
    """The review histories of the cards of ``deck_ids`` (only ``keys`` if given)."""
    first, last = store.review_span(collection)
    if first is None:
        return []
    wanted = set(deck_ids)
    forgotten = store.forget_times(collection)
    out = []
    for deck_id, card_id, times, days, ratings in store.review_days(
            collection, config.day_starts_at * 3600, utc_offsets(first, last)):
        key = (deck_id, card_id)
        if deck_id not in wanted or (keys is not None and key not in keys):
            continue
        day_list = list(map(int, days.split(",")))
        rating_list = list(map(int, ratings.split(",")))
        if key in forgotten or day_list != sorted(day_list):
            # rare: a forget to cut at, or (never seen) rows out of the index's time order
            rows = sorted(zip(map(int, times.split(",")), day_list, rating_list))
            rows = [r for r in rows if r[0] > forgotten.get(key, -1)]
            day_list, rating_list = [r[1] for r in rows], [r[2] for r in rows]
        if day_list:
            out.append(History(key, day_list, rating_list))
    return out


def training_items(items_of: Sequence[History]) -> list:
    """The library's FSRSItems: for each review on a later day than the card's previous
    review, the card's history up to and including it (same-day reviews stay in the
    history but are not predicted, as in Anki)."""
    lib = library()
    out = []
    for history in items_of:
        days = history.days
        reviews = [lib.FSRSReview(rating, 0 if i == 0 else days[i] - days[i - 1])
                   for i, rating in enumerate(history.ratings)]
        for end in range(2, len(reviews) + 1):
            if days[end - 1] > days[end - 2]:   # the predicted review is on a later day than the one before
                out.append(lib.FSRSItem(reviews[:end]))
    return out


def _held_out(key: tuple[str, str]) -> bool:
    digest = hashlib.blake2b(f"{key[0]}/{key[1]}".encode(), digest_size=2).digest()
    return int.from_bytes(digest, "big") < HELD_OUT * 65536


@dataclass(frozen=True)
class Fit:
    preset: str
    reviews: int                 # standing reviews used
    parameters: tuple[float, ...]
    log_loss: float              # fitted, on the held-out cards
    rmse: float
    default_log_loss: float      # the default parameters on the same held-out cards
    default_rmse: float

    @property
    def better(self) -> bool:
        return self.log_loss < self.default_log_loss


def fit(collection: Collection, decks: Sequence[Deck], config: Config, preset: str,
        keys: set | None = None) -> Fit:
    """Fit the parameters of ``preset`` on its decks' reviews (only ``keys`` if given)."""
    lib = library()
    deck_ids = [d.id for d in decks if config.preset_name(d.id) == preset]
    found = histories(collection, deck_ids, config, keys)
    train, test = [], []
    for history in found:
        (test if _held_out(history.key) else train).append(history)
    train_items, test_items = training_items(train), training_items(test)
    reviews = sum(h.reviews for h in found)
    if len(train_items) < MIN_ITEMS or not test_items:
        raise OptimizerError(
            f"preset '{preset}': {reviews} reviews give {len(train_items)} training items and "
            f"{len(test_items)} held-out ones; the optimizer needs at least {MIN_ITEMS} training items "
            "(reviews that follow an earlier review of the same card on another day). Keep studying.")
    parameters = within_bounds(lib.FSRS(lib.DEFAULT_PARAMETERS).compute_parameters(train_items))
    defaults = tuple(lib.DEFAULT_PARAMETERS)
    if parameters[4:] == defaults[4:]:
        raise OptimizerError(f"preset '{preset}': after the library's own filtering too few reviews were "
                             "left to fit the model; keep studying.")
    fitted = lib.FSRS(list(parameters)).evaluate(test_items)
    default = lib.FSRS(list(defaults)).evaluate(test_items)
    return Fit(preset, reviews, parameters, fitted.log_loss, fitted.rmse_bins, default.log_loss, default.rmse_bins)


def within_bounds(parameters: Sequence[float]) -> tuple[float, ...]:
    """The parameters clipped to the bounds py-fsrs's Scheduler accepts: the Rust crate
    works in float32, and a weight a rounding step past a bound would stop every session."""
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    return tuple(min(hi, max(lo, float(p)))
                 for p, lo, hi in zip(parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS))


def suggest_retention(parameters: Sequence[float], cards: int, config: Config, preset_limits) -> float:
    """The desired retention that keeps the most cards remembered per minute of study,
    simulated over a year (the library's ``optimal_retention``, Anki's CMRR)."""
    lib = library()
    sim = lib.default_simulator_config()
    sim.deck_size = max(100, min(cards, 2000))   # the simulation's cost grows with it
    sim.learn_span = 365
    sim.learn_limit = max(1, preset_limits.new_per_day)
    sim.review_limit = max(1, preset_limits.max_reviews_per_day)
    value = lib.optimal_retention(sim, list(parameters))
    _kind, lo, hi, _wording = RANGES["desired_retention"]  # a suggestion the settings accept
    return min(hi, max(lo, round(value, 2)))


def reschedule(collection: Collection, decks: Sequence[Deck], config: Config, now: datetime) -> int:
    """Recompute every studied card's state from its standing history with its deck's
    scheduler (saved parameters, desired retention), without fuzz; how many changed."""
    from dataclasses import replace

    saved = store.saved_parameters(collection)
    schedulers = Schedulers(replace(config, fuzz=False), saved)
    wanted = {d.id for d in decks}
    forgotten = store.forget_times(collection)
    changes = []
    by_card: dict[tuple[str, str], list] = {}
    for row in store.review_log(collection):
        _id, deck_id, card_id, at = row[:4]
        if deck_id in wanted and at > forgotten.get((deck_id, card_id), -1):
            by_card.setdefault((deck_id, card_id), []).append(row)
    for (deck_id, card_id), reviews in by_card.items():
        scheduler = schedulers.for_deck(deck_id)
        state: CardState | None = None
        for _id, _deck, _card, at, rating, _fsrs, answer_ms in sorted(reviews, key=lambda r: (r[3], r[0])):
            state = scheduler.review(state, rating, from_ms(at), answer_ms).after
        if state is not None and state != collection.card_state(deck_id, card_id):
            changes.append((deck_id, card_id, state))
    return store.set_due(collection, changes)
