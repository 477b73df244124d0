"""The post-incident report's computations: how long, whether each update kept the promised
cadence or how late it was, which slides were on air and for how long, the live stream's spans,
and who took part. Pure Python over timeline events and times; no Qt, no database.

Times are aware UTC datetimes; events are `commsdesk.timeline.chain.TimelineEvent` (their `at`
naive UTC, as stored), in id order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from commsdesk.clock import as_utc
from commsdesk.timeline.chain import EventKind, TimelineEvent

# Actors that are the desk itself acting on its own, not a person.
AUTOMATIC_ACTORS = ("Scheduler", "CommsDesk advisor")
SLIDE_PREFIX = "Slide on air: "


def span_text(delta: timedelta | float) -> str:
    """'45 s', '12 min', '2 h 05 min', '3 d 4 h 10 min' (rounded down)."""
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes = whole // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h {mins:02d} min"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


def since_start(start: datetime, moment: datetime) -> str:
    """'T+1h05m' from the incident's start ('T-3m' before it)."""
    seconds = int((as_utc(moment) - as_utc(start)).total_seconds())
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    hours, mins = divmod(minutes, 60)
    return f"T{sign}{hours}h{mins:02d}m" if hours else f"T{sign}{mins}m"


def event_time(event: TimelineEvent) -> datetime:
    return as_utc(event.at)


# --- the update cadence ----------------------------------------------------------------------


@dataclass(frozen=True)
class Promise:
    """From `at`, the incident promised an update every `minutes` (0: no promise)."""

    at: datetime
    minutes: int


@dataclass(frozen=True)
class UpdateCheck:
    """One update against the promise in force when it went out; `posted_at` None is the
    stretch after the last update, up to the end of the report."""

    number: int
    title: str
    posted_at: datetime | None
    waited_from: datetime  # the incident's start, the update before, or the promise made since
    minutes: int | None  # the promise in force; None: no promise
    due_at: datetime | None
    late_by: timedelta | None  # None: kept (or nothing promised)

    @property
    def kept(self) -> bool | None:
        """True kept, False late, None nothing was promised."""
        if self.minutes is None:
            return None
        return self.late_by is None

    def verdict(self, *, closed: bool) -> str:
        if self.minutes is None:
            return "no update cadence promised"
        assert self.due_at is not None
        if self.posted_at is None:
            if self.late_by is None:
                if closed:
                    return "the incident closed before the next update was due"
                return f"next update due {self.due_at:%H:%M} UTC"
            ended = "before the incident closed" if closed else "by the time of this report"
            return f"no update {ended}: late by {span_text(self.late_by)}"
        if self.late_by is None:
            early = self.due_at - self.posted_at
            return f"kept ({span_text(early)} to spare)"
        return f"late by {span_text(self.late_by)}"


def promises_from(events: Iterable[TimelineEvent]) -> list[Promise]:
    """The cadence promises on the record (desk.policy events carrying update_every_minutes),
    oldest first."""
    found = []
    for event in events:
        if event.kind == EventKind.POLICY_CHANGED and "update_every_minutes" in event.data:
            found.append(Promise(event_time(event), int(event.data["update_every_minutes"])))
    return sorted(found, key=lambda p: p.at)


def _in_force(promises: Sequence[Promise], moment: datetime) -> Promise | None:
    current = None
    for promise in promises:
        if promise.at <= moment:
            current = promise
    return current if current is not None and current.minutes > 0 else None


def _check(
    number: int, title: str, posted: datetime | None, since: datetime, until: datetime,
    promises: Sequence[Promise],
) -> UpdateCheck:  # fmt: skip
    promise = _in_force(promises, until)
    if promise is None:
        return UpdateCheck(number, title, posted, since, None, None, None)
    waited_from = max(since, promise.at)
    due = waited_from + timedelta(minutes=promise.minutes)
    late = until - due if until > due else None
    return UpdateCheck(number, title, posted, waited_from, promise.minutes, due, late)


def cadence_checks(
    start: datetime,
    updates: Sequence[tuple[datetime, str]],
    promises: Sequence[Promise],
    end: datetime,
) -> list[UpdateCheck]:
    """Each update (posted time, title; oldest first) against the promise in force when it went
    out, timed from the update before (the incident's start for the first), or from when the
    promise was made if that came later; then the stretch from the last update to `end`, when
    a promise was in force then."""
    checks = []
    since = as_utc(start)
    for number, (posted, title) in enumerate(updates, start=1):
        posted = as_utc(posted)
        checks.append(_check(number, title, posted, since, posted, promises))
        since = posted
    tail = _check(len(updates) + 1, "", None, since, as_utc(end), promises)
    if tail.minutes is not None:
        checks.append(tail)
    return checks


# --- the broadcast ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SlideSpan:
    headline: str
    kind: str
    start: datetime
    end: datetime
    ended_by: str

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class LiveSpan:
    start: datetime
    end: datetime
    ended: bool  # False: still live at the end of the report
    how: str  # "stream" or "recording (drill)"

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def slides_on_air(events: Sequence[TimelineEvent], end: datetime) -> list[SlideSpan]:
    """Each slide put on air and until when: back to live, the next slide, or the stream's end;
    a slide still up runs to `end`."""
    spans: list[SlideSpan] = []
    current: TimelineEvent | None = None

    def close(at: datetime, why: str) -> None:
        nonlocal current
        if current is not None:
            headline = current.summary.removeprefix(SLIDE_PREFIX)
            kind = str(current.data.get("kind", ""))
            spans.append(SlideSpan(headline, kind, event_time(current), at, why))
        current = None

    for event in events:
        if event.kind == EventKind.BROADCAST_SLIDE:
            close(event_time(event), "the next slide")
            current = event
        elif event.kind == EventKind.BROADCAST_LIVE:
            scene = event.data.get("scene")
            close(event_time(event), f"back to live ({scene})" if scene else "back to live")
        elif event.kind == EventKind.BROADCAST_STOPPED:
            close(event_time(event), "the stream ended")
    close(as_utc(end), "still on air at the end of this report")
    return spans


def live_spans(events: Sequence[TimelineEvent], end: datetime) -> list[LiveSpan]:
    """The stream (or a drill's recording) from each start to its stop; one not stopped runs to
    `end`."""
    spans: list[LiveSpan] = []
    started: dict[str, TimelineEvent] = {}  # the stream and a recording run side by side
    stops = {EventKind.BROADCAST_STOPPED: EventKind.BROADCAST_STREAM_STARTED,
             EventKind.BROADCAST_RECORDING_STOPPED: EventKind.BROADCAST_RECORDING}
    for event in events:
        if event.kind in stops.values():
            started.setdefault(event.kind, event)
        elif event.kind in stops and stops[event.kind] in started:
            begun = started.pop(stops[event.kind])
            spans.append(LiveSpan(event_time(begun), event_time(event), True, _how(begun)))
    for begun in started.values():
        spans.append(LiveSpan(event_time(begun), as_utc(end), False, _how(begun)))
    return sorted(spans, key=lambda span: span.start)


def _how(event: TimelineEvent) -> str:
    return "recording (drill)" if event.kind == EventKind.BROADCAST_RECORDING else "stream"


TROUBLE_KINDS = (
    str(EventKind.BROADCAST_FAILED), str(EventKind.BROADCAST_CONNECTION),
    str(EventKind.AUDIENCE_SUDDEN_DROP),
)  # fmt: skip


def stream_trouble(events: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    """What the record says went wrong on air: failed pushes and blank slides, OBS lost (and
    back), and sudden drops of the audience (which point at stream health)."""
    return [event for event in events if event.kind in TROUBLE_KINDS]


# --- the people -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    actions: int
    first: datetime
    last: datetime


def is_automatic(actor: str) -> bool:
    return actor in AUTOMATIC_ACTORS or actor.startswith("Scheduler (")


def people_involved(
    tallies: Iterable[tuple[str, int, datetime, datetime]],
) -> list[Person]:  # fmt: skip
    """Every person who acted on the record (the desk's own automatic actors left out), in the
    order they first acted, with how many events name them, from tallies of (actor, events,
    first, last) as the database counts them (an actor may come in more than one)."""
    from commsdesk.statements.statement import person_key

    seen: dict[str, list] = {}  # one person however their name was typed, by its first form
    for actor, actions, first, last in sorted(tallies, key=lambda t: as_utc(t[2])):
        if is_automatic(actor):
            continue
        first, last = as_utc(first), as_utc(last)
        entry = seen.setdefault(person_key(actor), [actor, 0, first, last])
        entry[1] += actions
        entry[2], entry[3] = min(entry[2], first), max(entry[3], last)
    people = [Person(name, n, first, last) for name, n, first, last in seen.values()]
    return sorted(people, key=lambda p: p.first)


def first_of(events: Iterable[TimelineEvent], *kinds: str) -> TimelineEvent | None:
    wanted = {str(kind) for kind in kinds}
    return next((event for event in events if event.kind in wanted), None)
