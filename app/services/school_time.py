"""The school's time zone (LESMARK_TIMEZONE): teachers enter due dates in it and everyone reads
them in it, while the database keeps UTC. Pure: plain datetimes in and out.

Daylight saving time: a wall-clock time the clocks skip (spring forward) does not exist and is
refused; one they pass twice (fall back) is taken as the first of the two, the earlier moment.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


class NonexistentTime(ValueError):
    """A wall-clock time that the zone skips when its clocks go forward."""


def to_utc(local: datetime, zone: str) -> datetime:
    """A naive wall-clock time in `zone` as naive UTC (how the database keeps times)."""
    tz = ZoneInfo(zone)
    moment = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentTime(f"{local:%Y-%m-%d %H:%M} does not exist in {zone}")
    return moment.replace(tzinfo=None)


def from_utc(moment: datetime, zone: str) -> datetime:
    """A naive UTC time as a naive wall-clock time in `zone` (for a form's field)."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
