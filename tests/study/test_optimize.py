"""FSRS fitted to a learner's reviews (fsrs-rs-python, the optimizer extra), and rescheduling."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from studydeck import cli
from studydeck.config import Config
from studydeck.model import Card, Deck
from studydeck.store import open_collection, saved_parameters
from studydeck.study import optimize
from studydeck.study.scheduler import Scheduler
from studydeck.study.clock import local_zone, to_ms

pytest.importorskip("fsrs_rs_python", reason="the optimizer extra (fsrs-rs-python) is not installed")

CONFIG = Config(fuzz=False, bundled_decks=False)
START = datetime(2025, 1, 1, 9, tzinfo=UTC)


def simulate(col, deck: Deck, seed: int = 7, reviews_per_card: int = 8) -> int:
    """A learner who forgets three times faster than FSRS's defaults expect, scheduled by
    the default scheduler as the app would; every review written to the collection."""
    rng = random.Random(seed)
    scheduler = Scheduler(CONFIG)
    written = 0
    for card in deck.cards:
        state = None
        at = START + timedelta(minutes=rng.randint(0, 600))
        for _ in range(reviews_per_card):
            if state is None:
                rating = rng.choice([1, 3, 4, 4, 5])
            else:
                elapsed = max(0, (at - datetime.fromtimestamp(state.last_review / 1000, UTC)).days)
                recall = (1 + 19 / 81 * elapsed / (state.stability / 3)) ** -0.5 if state.stability else 1.0
                rating = rng.choice([3, 4, 4, 5]) if rng.random() < recall else 1
            outcome = scheduler.review(state, rating, at)
            col.record_review(deck.id, card.card_id, to_ms(at), rating, outcome.fsrs_rating, 5000, state, outcome.after)
            written += 1
            state = outcome.after
            at = datetime.fromtimestamp(state.due / 1000, UTC) + timedelta(hours=rng.randint(0, 30))
    return written


def deck(n: int, deck_id: str = "d") -> Deck:
    return Deck(deck_id, "D", "", "d.yaml", tuple(Card(deck_id, f"c{i}", f"c{i}", "basic", f"q{i}", "a")
                                                   for i in range(n)))


def test_a_fit_beats_the_defaults_on_held_out_cards_and_is_used_from_the_next_rating(tmp_path):
    d = deck(120)
    with open_collection(tmp_path / "c.sqlite3") as col:
        col.sync_decks([d], 0)
        simulate(col, d)
        result = optimize.fit(col, [d], CONFIG, "default")
        assert result.reviews == 120 * 8 and len(result.parameters) == 21
        assert result.better and result.log_loss < result.default_log_loss
        from studydeck.store import save_parameters

        save_parameters(col, "default", result.parameters, 0, result.reviews, result.log_loss, result.rmse)
        assert saved_parameters(col)["default"] == pytest.approx(result.parameters)
        from studydeck.study.session import Session

        session = Session(col, [d], CONFIG, clock=lambda: START + timedelta(days=400))
        assert session.scheduler_for(d.cards[0]).fsrs.parameters == pytest.approx(result.parameters)


def test_too_few_reviews_are_refused_with_the_reason(tmp_path):
    d = deck(6)
    with open_collection(tmp_path / "c.sqlite3") as col:
        col.sync_decks([d], 0)
        simulate(col, d, reviews_per_card=3)
        with pytest.raises(optimize.OptimizerError, match="needs at least 64 training items"):
            optimize.fit(col, [d], CONFIG, "default")


def test_forgotten_history_and_cram_are_left_out(tmp_path):
    d = deck(3)
    with open_collection(tmp_path / "c.sqlite3") as col:
        col.sync_decks([d], 0)
        simulate(col, d, reviews_per_card=4)
        from studydeck.store import mark_cards, record_cram

        record_cram(col, "d", "c1", to_ms(START), 1, 100)
        mark_cards(col, "forget", [("d", "c0")], 2**50)
        found = {h.key: h.reviews for h in optimize.histories(col, ["d"], CONFIG)}
        assert found == {("d", "c1"): 4, ("d", "c2"): 4}


def test_reschedule_replays_history_with_the_saved_parameters(tmp_path):
    d = deck(40)
    with open_collection(tmp_path / "c.sqlite3") as col:
        col.sync_decks([d], 0)
        simulate(col, d)
        log = [(r.id, r.rating) for r in col.reviews()]
        assert optimize.reschedule(col, [d], CONFIG, START) == 0      # same parameters: nothing moves
        from studydeck.store import save_parameters

        faster = list(Scheduler(CONFIG).fsrs.parameters)
        faster[8] -= 1.0      # w8: how much a recall raises stability (exp(w8) factor)
        save_parameters(col, "default", faster, 0, 0, None, None)
        before = {c.card_id: col.card_state("d", c.card_id).due for c in d.cards}
        assert optimize.reschedule(col, [d], CONFIG, START) > 0
        after = {c.card_id: col.card_state("d", c.card_id).due for c in d.cards}
        assert sum(after[k] < before[k] for k in before) > len(before) // 2
        assert [(r.id, r.rating) for r in col.reviews()] == log            # the log is untouched
        assert optimize.reschedule(col, [d], CONFIG, START) == 0


def test_the_command_reports_and_saves_per_preset(tmp_path, studydeck_home, capsys):
    folder = tmp_path / "decks"
    folder.mkdir()
    text = "deck: d\ntitle: D\ncards:\n" + "".join(f"  - id: c{i}\n    front: q{i}\n    back: a\n" for i in range(120))
    (folder / "d.yaml").write_text(text)
    with open_collection(studydeck_home / "collection.sqlite3") as col:
        simulate(col, deck(120))
    args = ["--no-bundled", "--deck-dir", str(folder)]
    assert cli.main(["optimize", *args, "--retention"]) == 0
    out = capsys.readouterr().out
    assert "preset default: 960 reviews; on held-out cards log loss" in out and "saved" in out
    assert "suggested desired_retention: 0." in out
    with open_collection(studydeck_home / "collection.sqlite3") as col:
        assert "default" in saved_parameters(col)
    assert cli.main(["optimize", *args, "--preset", "nope"]) == 2
    assert cli.main(["optimize", *args, "--query", "deck:d c1*"]) == 1     # 11 cards are too few
    assert "needs at least 64" in capsys.readouterr().err
    assert cli.main(["reschedule", *args]) == 0
    assert "rescheduled" in capsys.readouterr().out


def test_a_missing_library_says_how_to_install_it(monkeypatch):
    import builtins

    real = builtins.__import__

    def refuse(name, *a, **k):
        if name == "fsrs_rs_python":
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", refuse)
    with pytest.raises(optimize.OptimizerError, match=r"pip install 'studydeck\[optimizer\]'"):
        optimize.library()


def test_study_days_roll_over_at_the_configured_local_hour(tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "America/New_York")     # UTC-5 in winter, UTC-4 in summer
    time.tzset()
    try:
        d = deck(1)
        config = Config(day_starts_at=4)
        with open_collection(tmp_path / "c.sqlite3") as col:
            col.sync_decks([d], 0)
            # 03:30 and 04:30 local on 2025-01-15 (EST), and 04:30 local on 2025-07-15 (EDT:
            # with the winter offset it would be 03:30, the day before)
            for hour_utc, month in ((8, 1), (9, 1), (8, 7)):
                at = datetime(2025, month, 15, hour_utc, 30, tzinfo=UTC)
                col.record_review("d", "c0", to_ms(at), 4, 3, 1000, None, Scheduler(CONFIG).review(None, 4, at).after)
            (history,) = optimize.histories(col, ["d"], config)
            days = history.days
            jan14 = (datetime(2025, 1, 14) - datetime(1970, 1, 1)).days
            jul14 = (datetime(2025, 7, 14) - datetime(1970, 1, 1)).days
            assert days == [jan14, jan14 + 1, jul14 + 1]   # 03:30 still belongs to the day before
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_fitted_weights_are_clipped_to_what_the_scheduler_accepts():
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    below = [lo - 1e-7 for lo in LOWER_BOUNDS_PARAMETERS]
    above = [hi + 1e-7 for hi in UPPER_BOUNDS_PARAMETERS]
    assert optimize.within_bounds(below) == LOWER_BOUNDS_PARAMETERS
    assert optimize.within_bounds(above) == UPPER_BOUNDS_PARAMETERS
    Scheduler(CONFIG, optimize.within_bounds(above))        # accepted
    with pytest.raises(ValueError):
        Scheduler(CONFIG, tuple(above))


def test_utc_offsets_find_each_daylight_saving_change_to_the_second(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        first, last = to_ms(datetime(2024, 1, 1, tzinfo=UTC)), to_ms(datetime(2025, 12, 31, tzinfo=UTC))
        changes = optimize.utc_offsets(first, last)
        assert changes == [(first, 3600), (to_ms(datetime(2024, 3, 31, 1, tzinfo=UTC)), 7200),
                           (to_ms(datetime(2024, 10, 27, 1, tzinfo=UTC)), 3600),
                           (to_ms(datetime(2025, 3, 30, 1, tzinfo=UTC)), 7200),
                           (to_ms(datetime(2025, 10, 26, 1, tzinfo=UTC)), 3600)]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.fixture
def app_zone():
    """Sets ``$TZ`` the way the app's clock reads it (afresh on each call), leaving the C
    library's own zone to the caller; both are put back afterwards."""
    import os
    import time

    before = os.environ.get("TZ")

    def set_zone(value: str, c_library_too: bool) -> None:
        os.environ["TZ"] = value
        if c_library_too:
            time.tzset()

    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_utc_offsets_follow_the_apps_zone_when_tz_changes_after_start(app_zone):
    # the C library read TZ=UTC once (at start, or at the last tzset); the app's clock
    # reads $TZ on each call, so every other screen now cuts days in Berlin
    app_zone("UTC", c_library_too=True)
    app_zone("Europe/Berlin", c_library_too=False)
    assert str(local_zone()) == "Europe/Berlin"
    first, last = to_ms(datetime(2024, 1, 1, tzinfo=UTC)), to_ms(datetime(2024, 12, 31, tzinfo=UTC))
    assert optimize.utc_offsets(first, last) == [(first, 3600), (to_ms(datetime(2024, 3, 31, 1, tzinfo=UTC)), 7200),
                                                 (to_ms(datetime(2024, 10, 27, 1, tzinfo=UTC)), 3600)]


@pytest.mark.parametrize("tz", ["<+0545>-5:45", "JST-9"])
def test_utc_offsets_follow_the_apps_zone_when_tz_is_not_an_iana_name(app_zone, tz):
    # a POSIX TZ string: the C library honours it, the app's clock (zoneinfo) falls back to
    # the system's zone; the optimizer's study days must be the app's
    app_zone(tz, c_library_too=True)
    zone = local_zone()
    first, last = to_ms(datetime(2024, 1, 1, tzinfo=UTC)), to_ms(datetime(2025, 12, 31, tzinfo=UTC))
    changes = optimize.utc_offsets(first, last)

    def offset(ms: int) -> int:
        return int(datetime.fromtimestamp(ms / 1000, UTC).astimezone(zone).utcoffset().total_seconds())

    assert changes[0] == (first, offset(first))
    for at, seconds in changes[1:]:
        assert seconds == offset(at) != offset(at - 1000)
    # no change missed: between two reported changes the offset is the same at every hour
    bounds = [at for at, _ in changes] + [last + 1]
    for (start, seconds), end in zip(changes, bounds[1:]):
        assert all(offset(ms) == seconds for ms in range(start, end, 3_600_000))


def test_a_reviews_study_day_is_the_one_the_app_shows(tmp_path, app_zone):
    # 23:30 UTC on 2025-01-15 is 00:30 on the 16th in Berlin: with days starting at
    # midnight, the app (clock.day_start) puts the review on the 16th, and so must the optimizer
    from studydeck.study.clock import day_start, local_date

    app_zone("UTC", c_library_too=True)
    app_zone("Europe/Berlin", c_library_too=False)
    d = deck(1)
    at = datetime(2025, 1, 15, 23, 30, tzinfo=UTC)
    with open_collection(tmp_path / "c.sqlite3") as col:
        col.sync_decks([d], 0)
        col.record_review("d", "c0", to_ms(at), 4, 3, 1000, None, Scheduler(CONFIG).review(None, 4, at).after)
        (history,) = optimize.histories(col, ["d"], Config(day_starts_at=0))
    app_day = local_date(day_start(at, 0))
    assert app_day.isoformat() == "2025-01-16"
    assert history.days == [(app_day - datetime(1970, 1, 1).date()).days]


def test_utc_offsets_at_the_ends_of_time_east_and_west():
    """A review stamped at the last instant the collection holds: east of UTC its local time
    is past year 9999, which a datetime cannot hold; the offset is still found."""
    from zoneinfo import ZoneInfo

    from studydeck.store import MAX_TIME_MS
    from studydeck.study.optimize import utc_offsets

    for name, hours in (("Asia/Tokyo", 9), ("America/Los_Angeles", -8)):
        assert utc_offsets(MAX_TIME_MS - 30 * 86_400_000, MAX_TIME_MS, ZoneInfo(name))[-1][1] == hours * 3600
        assert utc_offsets(0, 20 * 86_400_000, ZoneInfo(name))[0][1] == hours * 3600
