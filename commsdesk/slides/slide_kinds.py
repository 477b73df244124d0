"""What a broadcast slide is: its kind, its fields, where things go on the 1920×1080 frame, and the
variables its template (top-level `slides/<kind>.html.j2`) receives.

Kinds: Back at (the return time in the team's zones, a countdown, a message), Standby (technical
difficulties), Statement (a posted statement with author and time) and Lower third (name and
title on a band over the camera).

Time entry for "back at", decided here and shown to the producer before anything goes on air:
- "18:30", "06:30", "0:15": 24-hour, because the hour is 13-23 or written with a leading zero;
- "6:30", "12:15" (hour 1-12, no leading zero, no am/pm): the next time the clock face shows it,
  morning or evening, whichever comes first (at 17:50, "6:30" is 18:30 today);
- "6:30pm", "6:30 am", "6pm", "6 p.m.": as said;
- "+15m", "+1h", "+1h30m", "90m", "+45 min": that long from now (up to 24 hours).
Clock times resolve to their next occurrence in the producer's zone. A wall time the zone skips
(daylight saving starts) raises ScheduleRefused; one it shows twice raises AmbiguousTime with both
instants unless `fold` says which, as in schedule_policy.resolve_local, which does the work.

Nothing here imports Qt; commsdesk/slides renders these to images and pages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from commsdesk.clock import as_utc
from commsdesk.scheduling.policy import AmbiguousTime, ScheduleRefused, resolve_local, zone
from commsdesk.team_time import clock_in_zones

WIDTH, HEIGHT = 1920, 1080
Box = tuple[int, int, int, int]  # x, y, width, height in 1920×1080 pixels

MAX_AHEAD = timedelta(hours=24)


class SlideKind(StrEnum):
    BACK_AT = "back_at"
    STANDBY = "standby"
    STATEMENT = "statement"
    LOWER_THIRD = "lower_third"

    @property
    def template(self) -> str:
        return f"{self.value}.html.j2"

    @classmethod
    def named(cls, name: str) -> SlideKind:
        """'back_at', 'back-at' or 'back_at.html.j2'; raises SlideProblem naming the kinds."""
        key = name.strip().lower().removesuffix(".html.j2").replace("-", "_")
        try:
            return cls(key)
        except ValueError:
            kinds = ", ".join(k.value for k in cls)
            raise SlideProblem(f"{name!r} is not a slide; the slides are {kinds}.") from None


class SlideProblem(ValueError):
    """A slide that cannot be built as asked; the message says what is accepted."""


class UnknownField(SlideProblem):
    """A value for a field the slide does not have; `fields` are those it takes."""

    def __init__(self, message: str, fields: tuple[str, ...]) -> None:
        super().__init__(message)
        self.fields = fields


# --- time entry -----------------------------------------------------------------------------------


class TimeEntryProblem(SlideProblem):
    """Text that is not a time the desk understands."""


ACCEPTED = (
    "Use 18:30 (24-hour), 6:30 (the next 6:30, morning or evening), 6:30pm or 6:30 am, "
    "or a delay: +15m, +1h, +1h30m, 90m."
)

_CLOCK = re.compile(
    r"^(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?\s*(?P<half>[ap])?\.?\s*(?:m\.?)?$"
)
_DELAY = re.compile(
    r"^\+?\s*(?:(?P<hours>\d{1,2})\s*h(?:ours?|rs?)?)?\s*(?:(?P<minutes>\d{1,4})\s*m(?:in(?:utes?)?)?)?$"
)


@dataclass(frozen=True)
class TimeEntry:
    """What the producer typed, understood: a delay, or wall clock hours and minute."""

    delay: timedelta | None = None
    hours: tuple[int, ...] = ()  # one hour (24-hour or am/pm), or two for a bare clock face time
    minute: int = 0


def parse_time_entry(text: str) -> TimeEntry:
    """Raises TimeEntryProblem saying what is accepted."""
    typed = " ".join(text.strip().lower().split())
    if not typed:
        raise TimeEntryProblem(f"No time given. {ACCEPTED}")
    delay = _DELAY.match(typed)
    if delay and (delay["hours"] or delay["minutes"]):
        span = timedelta(hours=int(delay["hours"] or 0), minutes=int(delay["minutes"] or 0))
        if span <= timedelta(0):
            raise TimeEntryProblem(f"{text.strip()!r} is no time from now. {ACCEPTED}")
        if span > MAX_AHEAD:
            raise TimeEntryProblem(f"{text.strip()!r} is more than 24 hours away. {ACCEPTED}")
        return TimeEntry(delay=span)
    clock = _CLOCK.match(typed)
    if clock is None or (clock["minute"] is None and clock["half"] is None):
        hint = " Add m for minutes: +15m." if typed.lstrip("+").isdigit() else ""
        raise TimeEntryProblem(f"{text.strip()!r} is not a time.{hint} {ACCEPTED}")
    hour_text, minute = clock["hour"], int(clock["minute"] or 0)
    hour = int(hour_text)
    if minute > 59:
        raise TimeEntryProblem(f"{text.strip()!r}: minutes go up to 59. {ACCEPTED}")
    if clock["half"]:
        if not 1 <= hour <= 12:
            raise TimeEntryProblem(
                f"{text.strip()!r}: with am or pm the hour is 1 to 12. {ACCEPTED}"
            )
        return TimeEntry(hours=((hour % 12) + (12 if clock["half"] == "p" else 0),), minute=minute)
    if hour > 23:
        raise TimeEntryProblem(f"{text.strip()!r}: hours go up to 23. {ACCEPTED}")
    if hour == 0 or hour >= 13 or hour_text.startswith("0"):
        return TimeEntry(hours=(hour,), minute=minute)
    return TimeEntry(hours=(hour % 12, hour % 12 + 12), minute=minute)


@dataclass(frozen=True)
class ResolvedTime:
    """A time entry made an instant: `at` in UTC, read in the producer's `zone`."""

    at: datetime
    zone: str
    typed: str

    @property
    def local(self) -> datetime:
        return self.at.astimezone(zone(self.zone))

    def describe(self, now: datetime) -> str:
        """'18:30 today, in 42 min', '06:30 tomorrow, in 12 h 40 min', '01:30 EST today, in
        55 min' (the zone is named when the wall time happens twice that day)."""
        local, today = self.local, as_utc(now).astimezone(zone(self.zone)).date()
        days = (local.date() - today).days
        day = {0: "today", 1: "tomorrow"}.get(days, f"{local:%a} {local.day} {local:%b}")
        label = f"{local:%H:%M}"
        twice = local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()
        if twice:
            label += f" {local.tzname()}"
        return f"{label} {day}, in {format_span(self.at - as_utc(now))}"


def format_span(span: timedelta) -> str:
    """'42 min', '1 h 05 min', '12 h'; rounded up to the minute, never below 1 min."""
    minutes = max(1, math.ceil(span.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"


def resolve_time_entry(
    text: str, now: datetime, zone_name: str, *, fold: int | None = None
) -> ResolvedTime:
    """The next moment `text` names, after `now`, in the zone `zone_name`.

    Raises TimeEntryProblem for text it does not understand, ScheduleRefused for an unknown zone or
    a wall time the zone skips, and AmbiguousTime for one it shows twice (when both are still to
    come and `fold` does not say which: 0 the first, 1 the second).
    """
    entry = parse_time_entry(text)
    now = as_utc(now)
    tz = zone(zone_name)
    if entry.delay is not None:
        return ResolvedTime(now + entry.delay, zone_name, text.strip())
    today = now.astimezone(tz).date()
    wall_now = now.astimezone(tz).replace(tzinfo=None)
    candidates = sorted(
        datetime.combine(today + timedelta(days=offset), time(hour, entry.minute))
        for offset in (0, 1, 2)
        for hour in entry.hours
    )
    for wall in candidates:
        if wall < wall_now - timedelta(hours=3):  # long gone, whatever the clocks did since
            continue
        instant = _next_instant(wall, wall_now, zone_name, now, fold)
        if instant is not None:
            return ResolvedTime(instant, zone_name, text.strip())
    raise TimeEntryProblem(f"{text.strip()!r} names no time in the next day. {ACCEPTED}")


def _next_instant(
    wall: datetime, wall_now: datetime, zone_name: str, now: datetime, fold: int | None
) -> datetime | None:
    """The instant of the naive wall time if it is after `now`; None if it is past."""
    try:
        instant = resolve_local(wall.date(), wall.time(), zone_name, fold=fold)
    except AmbiguousTime as twice:
        ahead = [choice for choice in twice.choices if choice > now]
        if len(ahead) == 2:
            raise
        return ahead[0] if ahead else None
    except ScheduleRefused:
        if wall < wall_now:  # a skipped time already behind us does not matter
            return None
        raise
    return instant if instant > now else None


def countdown_text(target: datetime, now: datetime) -> str:
    """'back in 12:04', 'back in 1:02:04'; at or after the moment, 'back any moment'."""
    left = math.ceil((as_utc(target) - as_utc(now)).total_seconds())
    if left <= 0:
        return "back any moment"
    hours, rest = divmod(left, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"back in {hours}:{minutes:02d}:{seconds:02d}"
    return f"back in {minutes}:{seconds:02d}"


# --- the frame ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where a kind's document goes on the frame.

    `content`: the box the template's HTML is laid out in (its width) and centred in (its height,
    or set on its bottom edge when `valign` is "bottom"). `transparent`: the frame has no
    background, to overlay the camera. `countdown`: the clear box left for the countdown text
    source, with the pixel size of its type.
    """

    content: Box
    valign: str = "center"
    transparent: bool = False
    countdown: Box | None = None
    countdown_px: int = 0


LAYOUTS: dict[SlideKind, Layout] = {
    SlideKind.BACK_AT: Layout(
        content=(160, 90, 1600, 720), countdown=(460, 840, 1000, 120), countdown_px=72
    ),
    SlideKind.STANDBY: Layout(content=(160, 110, 1600, 860)),
    SlideKind.STATEMENT: Layout(content=(150, 100, 1620, 880)),
    # The band's text, set on the box's bottom edge; the band is drawn around it (44 px wider on
    # each side, 30 px taller above and below): from y=720 at most to 70 px above the bottom.
    SlideKind.LOWER_THIRD: Layout(content=(176, 750, 1300, 230), valign="bottom", transparent=True),
}


# --- the kinds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str
    description: str
    required: bool = False


BRAND = FieldSpec("brand", "company or incident name, shown small")


@dataclass(frozen=True)
class BackAt:
    """We'll be back at a moment, shown in the team's zones, with a countdown."""

    kind: ClassVar[SlideKind] = SlideKind.BACK_AT
    FIELDS: ClassVar[tuple[FieldSpec, ...]] = (
        FieldSpec("at", "when: 18:30, 6:30pm, +15m, 1h30m", required=True),
        FieldSpec("headline", "the words above the time"),
        FieldSpec("message", "an optional line under the times"),
        BRAND,
    )

    at: datetime
    zones: tuple[str, ...] = ("UTC",)
    headline: str = "We'll be back at"
    message: str = ""
    brand: str = ""

    def variables(self, now: datetime) -> dict[str, Any]:
        at = as_utc(self.at)
        zones = list(self.zones) or ["UTC"]
        main = clock_in_zones(at, zones[:1])
        return {
            "headline": self.headline,
            "time": main.split(" ", 1)[0],
            "time_zone": main.split(" ", 1)[1],
            "zones_line": clock_in_zones(at, zones),
            "other_zones": clock_in_zones(at, zones[1:]) if len(zones) > 1 else "",
            "countdown": countdown_text(at, now),
            "target_iso": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "message": self.message,
            "brand": self.brand,
        }


@dataclass(frozen=True)
class Standby:
    """Technical difficulties: stay with us."""

    kind: ClassVar[SlideKind] = SlideKind.STANDBY
    FIELDS: ClassVar[tuple[FieldSpec, ...]] = (
        FieldSpec("headline", "the big words"),
        FieldSpec("message", "the line under them"),
        BRAND,
    )

    headline: str = "We're experiencing technical difficulties"
    message: str = "Please stay with us. We'll be right back."
    brand: str = ""

    def variables(self, now: datetime) -> dict[str, Any]:
        return {"headline": self.headline, "message": self.message, "brand": self.brand}


@dataclass(frozen=True)
class StatementSlide:
    """A posted statement on screen: its paragraphs (or a thread's parts), author and time."""

    kind: ClassVar[SlideKind] = SlideKind.STATEMENT
    FIELDS: ClassVar[tuple[FieldSpec, ...]] = (
        FieldSpec("text", "the statement; blank lines or --- separate paragraphs", required=True),
        FieldSpec("author", "who it is from, e.g. Jane Doe, CEO"),
        FieldSpec("posted_at", "when it was posted: 2026-11-24T18:30Z or 18:30 (today)"),
        FieldSpec("headline", "the label above it"),
        BRAND,
    )

    text: str
    author: str = ""
    posted_at: datetime | None = None
    zones: tuple[str, ...] = ("UTC",)
    headline: str = "Statement"
    brand: str = ""

    @property
    def paragraphs(self) -> list[str]:
        """Paragraphs end at a blank line or a line of only ---; lines within one are joined."""
        paragraphs: list[list[str]] = [[]]
        for line in self.text.splitlines():
            if line.strip() in ("", "---"):
                paragraphs.append([])
            else:
                paragraphs[-1].append(line.strip())
        return [" ".join(lines) for lines in paragraphs if lines]

    def variables(self, now: datetime) -> dict[str, Any]:
        posted = ""
        if self.posted_at is not None:
            moment = as_utc(self.posted_at)
            posted = f"{moment:%d %b} · {clock_in_zones(moment, list(self.zones) or ['UTC'])}"
        return {
            "headline": self.headline,
            "paragraphs": self.paragraphs,
            "author": self.author,
            "posted": posted,
            "brand": self.brand,
        }


@dataclass(frozen=True)
class LowerThird:
    """A name and a title on a band over the camera."""

    kind: ClassVar[SlideKind] = SlideKind.LOWER_THIRD
    FIELDS: ClassVar[tuple[FieldSpec, ...]] = (
        FieldSpec("name", "the person's name", required=True),
        FieldSpec("title", "their role, e.g. Chief Executive Officer"),
        BRAND,
    )

    name: str
    title: str = ""
    brand: str = ""

    def variables(self, now: datetime) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "brand": self.brand}


Slide = BackAt | Standby | StatementSlide | LowerThird
SLIDE_TYPES: dict[SlideKind, type[Slide]] = {
    SlideKind.BACK_AT: BackAt,
    SlideKind.STANDBY: Standby,
    SlideKind.STATEMENT: StatementSlide,
    SlideKind.LOWER_THIRD: LowerThird,
}


def fields_of(kind: SlideKind) -> tuple[FieldSpec, ...]:
    return SLIDE_TYPES[kind].FIELDS


def layout_of(slide: Slide | SlideKind) -> Layout:
    return LAYOUTS[slide if isinstance(slide, SlideKind) else slide.kind]


@dataclass(frozen=True)
class SlideRequest:
    """What the producer typed for a slide, and the context to read it in."""

    kind: SlideKind
    values: Mapping[str, str] = field(default_factory=dict)
    zone: str = "UTC"  # the producer's zone, for time entry
    zones: tuple[str, ...] = ("UTC",)  # the team's zones, for display


def build_slide(request: SlideRequest, now: datetime, *, fold: int | None = None) -> Slide:
    """The slide from text values; raises SlideProblem (unknown or missing field, a bad time),
    ScheduleRefused or AmbiguousTime (see resolve_time_entry)."""
    kind, values = request.kind, dict(request.values)
    specs = fields_of(kind)
    known = {spec.name for spec in specs}
    unknown = sorted(set(values) - known)
    if unknown:
        takes = tuple(spec.name for spec in specs)
        raise UnknownField(
            f"{kind.value} has no field {', '.join(map(repr, unknown))}; it takes: "
            + ", ".join(takes)
            + ".",
            takes,
        )
    missing = [spec for spec in specs if spec.required and not values.get(spec.name)]
    if missing:  # in words a producer reads in the panel, with the field names the CLI takes
        words = kind.value.replace("_", " ").capitalize()
        raise SlideProblem(f"{words} needs "
                           + "; ".join(f"{spec.name} ({spec.description})" for spec in missing)
                           + ".")  # fmt: skip
    zones = tuple(request.zones) or ("UTC",)
    if kind is SlideKind.BACK_AT:
        at = resolve_time_entry(values.pop("at"), now, request.zone, fold=fold).at
        return BackAt(at=at, zones=zones, **values)
    if kind is SlideKind.STATEMENT:
        posted = values.pop("posted_at", None)
        posted_at = _posted_at(posted, now, request.zone) if posted else None
        return StatementSlide(posted_at=posted_at, zones=zones, **values)
    return SLIDE_TYPES[kind](**values)


def _posted_at(text: str, now: datetime, zone_name: str) -> datetime:
    """ISO 8601, or HH:MM as the latest such moment up to now in the producer's zone."""
    typed = text.strip()
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", typed)
    if clock and int(clock[1]) < 24 and int(clock[2]) < 60:
        tz = zone(zone_name)
        local = as_utc(now).astimezone(tz)
        day = local.date() if (int(clock[1]), int(clock[2])) <= (local.hour, local.minute) else (
            local.date() - timedelta(days=1)
        )
        return resolve_local(day, time(int(clock[1]), int(clock[2])), zone_name, fold=0)
    try:
        moment = datetime.fromisoformat(typed.replace("Z", "+00:00"))
    except ValueError:
        raise SlideProblem(
            f"{typed!r} is not a time; use 2026-11-24T18:30Z or 18:30 (today)."
        ) from None
    if moment.tzinfo is None:
        return resolve_local(moment.date(), moment.time(), zone_name, fold=0)
    return moment.astimezone(UTC)
