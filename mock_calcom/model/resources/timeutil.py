"""Time as API v2 writes and reads it, on the fake's clock (POSIX seconds, never the wall clock)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# class-validator's strict ISO 8601: a calendar date, optionally a time with optional seconds,
# fraction and offset. Strict mode also rejects impossible dates (checked by datetime below).
_ISO_8601 = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_ms(seconds: float) -> str:
    """JavaScript's ``Date.toISOString()``: ``2026-01-05T09:00:00.000Z``, as Cal.com serializes
    every ``Date`` (booking start/end, createdAt, updatedAt)."""
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    # isoformat, not strftime: the same text for every year the fake can hold, at a fraction
    # of the cost (a bookings page formats four timestamps per booking).
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_iso(value: str) -> float | None:
    """POSIX seconds of an ISO 8601 string, or ``None`` when it is not one.

    A value without an offset is UTC, as ``new Date(...)`` reads it on Cal.com's UTC servers.
    """
    if not isinstance(value, str) or not _ISO_8601.match(value):
        return None
    text = value.replace(" ", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # datetime wants at most 6 fraction digits and "+HH:MM".
    text = re.sub(r"\.(\d{6})\d+", r".\1", text)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def is_date(value: object) -> bool:
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def minutes_of(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def known_zones() -> frozenset[str]:
    """The IANA zone names the runtime knows."""
    return _zones()


def is_time_zone(value: object) -> bool:
    """class-validator ``IsTimeZone``: an IANA zone name known to the runtime."""
    return isinstance(value, str) and value in _zones()


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local(seconds: float, tz_name: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=zone(tz_name))


def at_local(day: dt.date, minute_of_day: int, tz_name: str) -> float:
    """POSIX seconds of ``minute_of_day`` on ``day`` in zone ``tz_name`` (24:00 allowed)."""
    midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone(tz_name))
    return (midnight + dt.timedelta(minutes=minute_of_day)).timestamp()


def iso_in_zone(seconds: float, tz_name: str) -> str:
    """luxon's ``toISO()`` in a zone: ``2050-09-05T09:00:00.000+02:00``, ``Z`` for UTC."""
    moment = local(seconds, tz_name)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
    offset = moment.utcoffset() or dt.timedelta(0)
    if tz_name in ("UTC", "Etc/UTC", "Etc/GMT", "GMT", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal"):
        return text + "Z"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
