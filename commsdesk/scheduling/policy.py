"""When scheduled posts go out: local times, missed posts, and the update cadence.

Nothing is shifted silently. A local time the clock skips (spring forward) is refused; one the
clock shows twice (fall back) needs a person to say which; a post found late by more than the
grace period waits for review instead of going out on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_GRACE = timedelta(minutes=5)


class ScheduleRefused(ValueError):
    """A time the desk will not schedule at; the message says why and what to do."""


class AmbiguousTime(ValueError):
    """A local time that happens twice; `choices` are the two instants, earlier first."""

    def __init__(self, message: str, choices: tuple[datetime, datetime]) -> None:
        super().__init__(message)
        self.choices = choices


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleRefused(
            f"{name!r} is not a time zone "
            "(use a name such as UTC, Europe/London or Asia/Singapore)."
        ) from None


def resolve_local(day: date, clock: time, zone_name: str, *, fold: int | None = None) -> datetime:
    """The UTC instant of a wall-clock time in a zone.

    Raises ScheduleRefused for a time that does not exist there, and AmbiguousTime for one that
    exists twice unless `fold` (0 = the first, 1 = the second) says which.
    """
    tz = zone(zone_name)
    naive = datetime.combine(day, clock.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    # A time that does not exist does not survive the round trip through UTC.
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive and (
        second.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive
    ):
        raise ScheduleRefused(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone_name}: the clocks skip it "
            "(daylight saving starts). Choose another time."
        )
    if first.utcoffset() != second.utcoffset():
        early, late = first.astimezone(UTC), second.astimezone(UTC)
        if fold is None:
            raise AmbiguousTime(
                f"{naive:%Y-%m-%d %H:%M} happens twice in {zone_name} (daylight saving ends): "
                f"at {early:%H:%M} UTC ({first.tzname()}) and at {late:%H:%M} UTC "
                f"({second.tzname()}). Say which.",
                (early, late),
            )
        return late if fold else early
    return first.astimezone(UTC)


class Due(StrEnum):
    WAIT = "wait"  # not yet
    POST = "post"  # due (or late within the grace period): post now
    MISSED = "missed"  # later than the grace period: a person reviews it


def due_state(due_at: datetime, now: datetime, grace: timedelta = DEFAULT_GRACE) -> Due:
    if now < due_at:
        return Due.WAIT
    return Due.POST if now - due_at <= grace else Due.MISSED


@dataclass(frozen=True)
class Cadence:
    """The incident promised an update every `every`; the last one went out at `last`."""

    every: timedelta
    last: datetime

    @property
    def next_due(self) -> datetime:
        return self.last + self.every

    def label(self, now: datetime) -> str:
        """'next update due in 12 min', or 'update overdue by 3 min'."""
        left = self.next_due - now
        minutes = int(abs(left.total_seconds()) // 60)
        if left.total_seconds() >= 0:
            return f"next update due in {minutes} min"
        return f"update overdue by {minutes} min"

    def is_due(self, now: datetime) -> bool:
        return now >= self.next_due
