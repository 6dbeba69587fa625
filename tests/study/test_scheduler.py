from datetime import datetime, timedelta, UTC

import pytest

from studydeck.config import Config
from studydeck.study.clock import format_interval, from_ms
from studydeck.study.scheduler import FSRS_RATING, Scheduler
from studydeck.store import LEARNING, REVIEW

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_rating_map():
    assert FSRS_RATING == {1: 1, 2: 1, 3: 2, 4: 3, 5: 4}


@pytest.mark.parametrize(
    "delta,text",
    [(timedelta(seconds=20), "<1m"), (timedelta(minutes=1), "1m"), (timedelta(minutes=10), "10m"),
     (timedelta(hours=3), "3h"), (timedelta(days=2), "2d"), (timedelta(days=21), "3w"),
     (timedelta(days=120), "4mo"), (timedelta(days=548), "1.5y")],
)
def test_format_interval(delta, text):
    assert format_interval(delta) == text


def test_new_card_previews_follow_learning_steps():
    sched = Scheduler(Config(fuzz=False))
    previews = sched.previews(None, NOW)
    assert previews[1] == previews[2] == "1m"   # Again: first learning step
    assert previews[4] == "10m"                   # Good: next learning step
    assert previews[5].endswith("d") or previews[5].endswith("w")  # Easy graduates


def test_review_outcome_matches_preview_without_fuzz():
    sched = Scheduler(Config(fuzz=False))
    for rating in range(1, 6):
        out = sched.review(None, rating, NOW)
        assert format_interval(from_ms(out.after.due) - NOW) == sched.previews(None, NOW)[rating]
        assert out.after.state in (LEARNING, REVIEW)
        assert out.after.reps == 1


def test_better_rating_never_gives_shorter_interval():
    sched = Scheduler(Config(fuzz=False))
    state = sched.review(None, 5, NOW).after
    when = from_ms(state.due)
    dues = [sched.review(state, r, when).after.due for r in range(1, 6)]
    assert dues == sorted(dues)


def test_lapses_and_leech_after_eight():
    sched = Scheduler(Config(fuzz=False))
    state = sched.review(None, 5, NOW).after
    when = NOW
    flagged = []
    for _ in range(8):
        when = from_ms(state.due)
        assert state.state == REVIEW
        out = sched.review(state, 1, when)   # a lapse
        flagged.append(out.became_leech)
        state = out.after
        while state.state != REVIEW:         # relearn back to review
            when = from_ms(state.due)
            state = sched.review(state, 5, when).after
    assert state.lapses == 8 and state.leech
    assert flagged == [False] * 7 + [True]


def test_retention_setting_reaches_fsrs():
    low, high = Scheduler(Config(desired_retention=0.8, fuzz=False)), Scheduler(Config(desired_retention=0.97, fuzz=False))
    a, b = low.review(None, 5, NOW).after, high.review(None, 5, NOW).after
    assert a.due > b.due
