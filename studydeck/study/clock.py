"""Time: UTC now, epoch milliseconds, the learner's study day and local dates (DST-correct).

Every instant inside studydeck is a timezone-aware UTC ``datetime`` or an
integer of UTC epoch milliseconds (the collection's unit).  Local time appears
only where a person sees it: which study day a review belongs to, which
calendar day a heatmap cell is.  Those answers come from the learner's IANA
zone through :mod:`zoneinfo`, so a day that is 23 or 25 hours long (a DST
change) is cut where the wall clock says, not at today's UTC offset.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MS_PER_DAY = 86_400_000


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_ms(when: datetime) -> int:
    """UTC epoch milliseconds of an aware datetime (a naive one is refused)."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: studydeck keeps every time in UTC")
    return int(when.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


US_RULE = ",M3.2.0,M11.1.0"  # glibc's rule for a POSIX zone that names summer time without one


def local_zone() -> tzinfo:
    """The learner's time zone, as ``date`` reads it: ``$TZ`` if set, an IANA name
    (``Europe/Berlin``), a zone file (``:/path/to/zone``) or a POSIX rule (``JST-9``,
    ``CET-1CEST,M3.5.0,M10.5.0/3``), UTC if it is empty or none of these (as the C
    library does); the system's zone when ``$TZ`` is not set.

    Read afresh from the environment on each call (tests set ``TZ``); the
    zone objects themselves are cached.
    """
    return _zone(os.environ.get("TZ"))


@cache
def _zone(tz_env: str | None) -> tzinfo:
    if tz_env is not None:  # set: read as the C library reads it, UTC when it cannot
        name = tz_env.lstrip(":")
        if name.startswith("/"):
            try:
                with open(name, "rb") as f:
                    return ZoneInfo.from_file(f, key=name)
            except (OSError, ValueError):
                pass
        elif name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        for rule in (name, name + US_RULE):  # summer time named without its rule: the C library's default
            try:
                return _posix_zone(rule)
            except ValueError:
                pass
        return UTC
    try:
        with open("/etc/localtime", "rb") as f:
            return ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError):
        # No zone database entry: the system's current fixed offset is the best we know.
        return datetime.now().astimezone().tzinfo or UTC


def _posix_zone(rule: str) -> tzinfo:
    """The zone a POSIX ``TZ`` rule describes, as a :class:`ZoneInfo` read from a
    TZif file (RFC 8536) with no transitions whose footer is the rule: the
    rule then gives local time at every instant.  ValueError if it is no rule."""
    import io
    import struct

    if not rule.isprintable() or not rule.isascii():
        raise ValueError(f"not a POSIX TZ rule: {rule!r}")
    names = b"LMT\0"
    block = (b"TZif2" + bytes(15) + struct.pack(">6l", 0, 0, 0, 0, 1, len(names))
             + struct.pack(">lBB", 0, 0, 0) + names)  # one time type, required, never used
    return ZoneInfo.from_file(io.BytesIO(block + block + b"\n" + rule.encode() + b"\n"), key=rule)


def day_start(now: datetime, starts_at_hour: int, zone: tzinfo | None = None) -> datetime:
    """The UTC instant at which the learner's current study day began.

    The day rolls over at ``starts_at_hour`` local wall-clock time, as in Anki.
    """
    zone = zone or local_zone()
    local = now.astimezone(zone)
    day = local.date()
    if local.hour < starts_at_hour:
        day -= timedelta(days=1)
    return local_day_start(day, zone, starts_at_hour)


def local_day_start(day: date, zone: tzinfo | None = None, hour: int = 0) -> datetime:
    """The UTC instant when local ``day`` begins (at ``hour`` o'clock wall time)."""
    zone = zone or local_zone()
    # fold=0: a wall time that happens twice (autumn) is taken at its first
    # occurrence, and one skipped by the spring change maps to the instant the
    # clocks jumped, the first instant of that day after the gap.
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone).astimezone(UTC)


def local_date(when: datetime | int, zone: tzinfo | None = None) -> date:
    """The local calendar date of an instant (aware datetime or UTC epoch ms)."""
    zone = zone or local_zone()
    if isinstance(when, int):
        when = from_ms(when)
    return when.astimezone(zone).date()


class LocalDays:
    """Maps UTC epoch ms to local calendar dates over a range of days, by bisection.

    The day boundaries are computed once through the zone, so mapping many
    instants costs a bisection each, and a 23- or 25-hour day is cut correctly.
    """

    def __init__(self, first: date, last: date, zone: tzinfo | None = None) -> None:
        zone = zone or local_zone()
        self.first = first
        n = (last - first).days + 2
        # as to_ms(local_day_start(day, zone)): an aware datetime's timestamp() goes
        # through the same utcoffset (fold=0), without building the UTC datetime
        days = (first + timedelta(days=i) for i in range(n))
        self.bounds = [int(datetime(d.year, d.month, d.day, tzinfo=zone).timestamp() * 1000)
                       for d in days]

    def date_of(self, ms: int) -> date | None:
        """The local date of ``ms``, or None outside the range."""
        i = bisect_right(self.bounds, ms) - 1
        if i < 0 or i >= len(self.bounds) - 1:
            return None
        return self.first + timedelta(days=i)

    def bounds_of(self, day: date) -> tuple[int, int]:
        """[start, end) of local ``day`` in UTC epoch ms."""
        i = (day - self.first).days
        return self.bounds[i], self.bounds[i + 1]


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
