"""Stats: per-deck counts, true retention, the forecast, the streak and the summary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from studydeck.config import Config
from studydeck.store import open_collection
from studydeck.study import stats
from studydeck.study.clock import from_ms
from studydeck.study.session import Session
from tests.helpers import Clock, make_deck

CONFIG = Config(fuzz=False, new_per_day=100)


@pytest.fixture
def col(tmp_path):
    with open_collection(tmp_path / "c.sqlite3") as c:
        yield c


def test_counts_follow_ratings_and_undo(col):
    deck, clock = make_deck(n=4), Clock()
    session = Session(col, [deck], CONFIG, clock=clock)
    session.rate(4)
    session.rate(1)
    counts = stats.deck_counts(col, [deck], clock())[0]
    assert (counts.cards, counts.new, counts.learning, counts.review) == (4, 2, 2, 0)
    summary = stats.summary(col, [deck], CONFIG, clock())
    assert summary["reviews_total"] == 2 and summary["reviews_today"] == 2 and summary["new_today"] == 2
    session.undo()
    assert stats.summary(col, [deck], CONFIG, clock())["reviews_total"] == 1


def test_true_retention_counts_review_state_cards_only(col):
    deck, clock = make_deck(n=1), Clock()
    session = Session(col, [deck], CONFIG, clock=clock)
    session.rate(5)                       # new -> review: not a review-state review
    assert stats.true_retention(col, 0) == (None, 0)
    for rating in (4, 1):                 # one pass, one lapse, each on the due day
        clock.now = from_ms(col.card_state("d", "c0").due)
        session = Session(col, [deck], CONFIG, clock=clock)
        session.rate(rating)
    assert stats.true_retention(col, 0) == (0.5, 2)


def test_forecast_puts_each_card_on_its_day(col):
    deck, clock = make_deck(n=2), Clock()
    session = Session(col, [deck], CONFIG, clock=clock)
    session.rate(5)
    session.rate(5)
    due_days = [(col.card_state("d", c).due - int(clock().timestamp() * 1000)) // 86_400_000 for c in ("c0", "c1")]
    forecast = stats.forecast(col, [deck], clock(), days=60)
    assert sum(forecast) == 2 and all(forecast[d] >= 1 for d in due_days)


def test_streak_counts_days_in_a_row(col, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    deck, clock = make_deck(n=5), Clock()
    for _ in range(3):
        Session(col, [deck], CONFIG, clock=clock).rate(4)
        clock.advance(days=1)
    assert stats.current_streak(col, clock()) == 3          # today has none yet: counts to yesterday
    clock.advance(days=1)
    assert stats.current_streak(col, clock()) == 0
    assert stats.streak({}, clock().date()) == 0
    day = clock().date()
    assert stats.streak({day: 1, day - timedelta(days=1): 2, day - timedelta(days=3): 1}, day) == 2
