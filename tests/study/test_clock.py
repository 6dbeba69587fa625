"""The clock: study days and local dates on both sides of a DST change, in two zones."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from studydeck.store import open_collection
from studydeck.study import stats
from studydeck.study.clock import LocalDays, day_start, from_ms, local_date, local_day_start, local_zone, to_ms
from tests.helpers import make_deck

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_epoch_ms_round_trip_and_naive_refused():
    when = utc(2026, 1, 15, 22, 30)
    assert from_ms(to_ms(when)) == when
    with pytest.raises(ValueError):
        to_ms(datetime(2026, 1, 15))


@pytest.mark.parametrize("zone, winter, summer", [
    (BERLIN, utc(2026, 1, 15, 22, 30), utc(2026, 7, 15, 21, 30)),       # 23:30 local, +1 and +2
    (NEW_YORK, utc(2026, 1, 16, 4, 30), utc(2026, 7, 16, 3, 30)),       # 23:30 local, -5 and -4
])
def test_local_date_uses_each_instants_own_offset(zone, winter, summer):
    assert local_date(winter, zone) == date(winter.year, 1, 15)
    assert local_date(summer, zone) == date(summer.year, 7, 15)


@pytest.mark.parametrize("zone, spring, autumn", [
    (BERLIN, date(2026, 3, 29), date(2026, 10, 25)),
    (NEW_YORK, date(2026, 3, 8), date(2026, 11, 1)),
])
def test_days_around_dst_changes_are_23_and_25_hours_long(zone, spring, autumn):
    def hours(day):
        return (local_day_start(day + timedelta(days=1), zone) - local_day_start(day, zone)).total_seconds() / 3600

    assert hours(spring) == 23 and hours(autumn) == 25 and hours(spring - timedelta(days=1)) == 24
    days = LocalDays(spring - timedelta(days=1), autumn + timedelta(days=1), zone)
    start, end = days.bounds_of(autumn)
    assert (end - start) == 25 * 3600 * 1000
    assert days.date_of(start) == autumn and days.date_of(end - 1) == autumn and days.date_of(end) != autumn


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK])
def test_study_day_rolls_over_at_the_configured_local_hour(zone):
    # 03:59 local belongs to yesterday's study day when days start at 4, 04:00 to today's.
    before = datetime(2026, 7, 15, 3, 59, tzinfo=zone).astimezone(UTC)
    after = datetime(2026, 7, 15, 4, 0, tzinfo=zone).astimezone(UTC)
    assert day_start(before, 4, zone) == datetime(2026, 7, 14, 4, tzinfo=zone).astimezone(UTC)
    assert day_start(after, 4, zone) == after
    assert day_start(after, 0, zone) == datetime(2026, 7, 15, 0, tzinfo=zone).astimezone(UTC)


def test_study_day_start_on_the_night_clocks_change():
    # Berlin, 2026-03-29: 02:00-03:00 does not exist.  A day starting at 2 begins at 03:00 local.
    now = datetime(2026, 3, 29, 12, tzinfo=BERLIN).astimezone(UTC)
    assert day_start(now, 2, BERLIN) == utc(2026, 3, 29, 1, 0)
    # On the autumn night 02:00-03:00 happens twice; the day begins at the first.
    now = datetime(2026, 10, 25, 12, tzinfo=BERLIN).astimezone(UTC)
    assert day_start(now, 2, BERLIN) == utc(2026, 10, 25, 0, 0)


@pytest.mark.parametrize("tz, review, day", [
    ("Europe/Berlin", utc(2026, 1, 15, 22, 30), date(2026, 1, 15)),
    ("America/New_York", utc(2026, 1, 16, 4, 30), date(2026, 1, 15)),
])
def test_reviews_per_day_viewed_in_summer_counts_a_winter_evening_on_its_own_day(tmp_path, monkeypatch, tz, review, day):
    monkeypatch.setenv("TZ", tz)
    deck = make_deck(n=1)
    with open_collection(tmp_path / "c.sqlite3") as col:
        from studydeck.config import Config
        from studydeck.study.session import Session

        session = Session(col, [deck], Config(fuzz=False), clock=lambda: review)
        session.rate(4)
        july = utc(2026, 7, 10, 12)
        per_day = stats.reviews_per_day(col, july - timedelta(days=400), july)
        assert per_day == {day: 1}
        assert stats.current_streak(col, review + timedelta(hours=1)) == 1


@pytest.mark.parametrize("tz, january, july", [
    ("Asia/Tokyo", 9, 9),
    (":Asia/Tokyo", 9, 9),
    (":/usr/share/zoneinfo/Asia/Tokyo", 9, 9),   # glibc's file form
    ("JST-9", 9, 9),                             # POSIX: name, hours west of UTC
    ("<+0545>-5:45", 5.75, 5.75),
    ("CET-1CEST,M3.5.0,M10.5.0/3", 1, 2),        # POSIX with its summer-time rule
    ("EST5EDT,M3.2.0,M11.1.0", -5, -4),
    (":JST-9", 9, 9),                            # the C library reads the rule after a colon too
    ("XXX-3YYY", 3, 4),                          # summer time without its rule: the US rule
])
def test_tz_is_read_as_the_c_library_reads_it(monkeypatch, tz, january, july):
    """Every form of $TZ that `date` honours: an IANA name, a file, a POSIX rule."""
    if "/usr/share/zoneinfo" in tz and not os.path.exists(tz[1:]):
        pytest.skip("no system zone files")
    monkeypatch.setenv("TZ", tz)
    zone = local_zone()
    offsets = [utc(2026, m, 15, 12).astimezone(zone).utcoffset() for m in (1, 7)]
    assert offsets == [timedelta(hours=january), timedelta(hours=july)]
    # the study day turns at the wall clock of that zone
    assert day_start(utc(2026, 1, 15, 12), 4) == datetime(2026, 1, 15, 4, tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize("tz", ["Nowhere/Land", "", ":", "<>", "A1B,M13.1.0"])
def test_a_tz_nobody_can_read_is_utc_as_the_c_library_has_it(monkeypatch, tz):
    monkeypatch.setenv("TZ", tz)
    assert [utc(2026, m, 15, 12).astimezone(local_zone()).utcoffset() for m in (1, 7)] == [timedelta(0)] * 2


def test_no_tz_is_the_system_zone(monkeypatch):
    monkeypatch.delenv("TZ", raising=False)
    system = datetime(2026, 1, 15, 12).astimezone().utcoffset()   # the C library's reading
    assert utc(2026, 1, 15, 12).astimezone(local_zone()).utcoffset() == system


@pytest.mark.parametrize("tz", ["Asia/Tokyo", ":Asia/Tokyo", "JST-9", ":JST-9", "<+0545>-5:45", "XXX-3YYY",
                                "CET-1CEST,M3.5.0,M10.5.0/3", "UTC+3", "EST", "Europe/Berln", "", "<>"])
def test_the_offsets_are_the_c_librarys(monkeypatch, tz):
    import time

    monkeypatch.setenv("TZ", tz)
    time.tzset()
    try:
        for month in (1, 4, 7, 10):
            when = utc(2026, month, 15, 12)
            assert when.astimezone(local_zone()).utcoffset() == timedelta(
                seconds=time.localtime(when.timestamp()).tm_gmtoff), (tz, month)
    finally:
        monkeypatch.undo()
        time.tzset()
