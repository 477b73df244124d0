"""What the post-incident report says, gathered in one place through the desk's read use cases:
the incident, its events, its statements as posted, the audience, the broadcast and the
timeline's head. `gather` only reads; the computations are in commsdesk.report.measures.

Which events belong to an incident: its own (incident.*, statement.*, p1.*, advice, and earlier
reports), every event about one of its statements (post.* carries only the statement), and the
desk's events that belong to no incident while it ran (broadcast.*, audience.*, desk.*), up to
the timeline's head read first, so the report and the head it prints cover the same record.

The timeline section lists every one of those events, or, asked for, only those starred on the
timeline (Ledger.starred_event_ids, as the record stood at the head); with none starred it lists
every event and says why. Times are UTC; the key times also in the team's zones, when given.

An incident of up to INLINE_EVENTS events is read whole. A longer one (a 72-hour incident has
100,000, most of them drafts saved) is counted by the database, and only the events the report
measures or prints are read (READ_KINDS, and the starred); every listed event is read again, on
a thread of its own, into the file beside the report (`listed_events`) while Chromium prints.

No Qt.
"""

from __future__ import annotations

import json
import math
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import NamedTuple

from commsdesk.clock import as_utc, utc_now
from commsdesk.incidents.incident import Incident
from commsdesk.report import measures
from commsdesk.report.measures import (
    LiveSpan,
    Person,
    SlideSpan,
    UpdateCheck,
    event_time,
    first_of,
)
from commsdesk.statements.statement import APPROVED_DIGEST, StatementState, approved_digest
from commsdesk.timeline.anchor import TimelineHead
from commsdesk.timeline.chain import EventKind, TimelineEvent

PAGE = 5000  # events read per batch
# The most events the timeline section prints. Past it the section prints the events that say
# what was done (KEY_KINDS, and the starred), and every listed event goes to a CSV beside the
# report: 100,000 events would be 4,000 pages that no one reads and Chromium cannot print.
INLINE_EVENTS = 1500
KEY_KINDS = (  # statements posted are in their own section, with their times
    "incident.", "p1.", "drill.", "report.", "broadcast.", "audience.advice",
    "audience.sudden_drop", "desk.drill_mode", "desk.policy", "statement.post_failed",
    "statement.withdrawn", "post.failed", "post.despite_pause", "schedule.missed",
    "schedule.failed", "schedule.paused", "schedule.resumed",
)
# The events the measures read (see commsdesk.report.measures) and the section prints, when not
# every event is read: the key kinds and the steps of a statement's approval and posting.
READ_KINDS = (*KEY_KINDS, "statement.approved", "statement.posted", "post.started")
K = EventKind


@dataclass(frozen=True)
class Moment:
    at: datetime
    what: str


@dataclass(frozen=True)
class PostLink:
    post_id: str
    url: str


@dataclass(frozen=True)
class PostedStatement:
    id: int
    title: str
    text: str  # the approved text, as posted (split into `parts` posts)
    posted_at: datetime
    links: tuple[PostLink, ...]
    where: str  # "X as <account>" or "the SANDBOX"
    authors: tuple[str, ...]
    approvers: tuple[str, ...]
    versions: int
    approved_sha256: str
    digest_matches: bool  # the text still has the SHA-256 its approval recorded


@dataclass(frozen=True)
class UnpostedStatement:
    id: int
    title: str
    state: str
    versions: int


@dataclass(frozen=True)
class Marker:
    """One of our events, marked on the audience chart."""

    at: datetime
    kind: str  # statement, slide, live, stream, advice, p1
    label: str


@dataclass(frozen=True)
class Line:
    label: str
    times: tuple[float, ...]  # seconds since the epoch, UTC
    values: tuple[float, ...]  # NaN: a gap


@dataclass(frozen=True)
class AudienceFacts:
    total: Line
    sources: tuple[Line, ...]
    peak: tuple[datetime, int] | None
    advice: tuple[Moment, ...]
    stream_ended: datetime | None
    markers: tuple[Marker, ...]
    steady_peak: int | None = None  # the peak the advice measures against (see the advisor)


@dataclass(frozen=True)
class DrillStep:
    title: str
    ok: bool
    seconds: float
    error: str | None


@dataclass(frozen=True)
class DrillFacts:
    """A scored drill's scorecard, from the newest drill.scored or drill.progress event of the
    incident: `complete` False when it is the card as the drill stood before writing its own
    report (the report cannot hold its own outcome)."""

    scenario: str
    complete: bool
    scores: tuple[tuple[str, str], ...]  # (label, "4.1 s" or "never")
    cadence: str
    steps: tuple[DrillStep, ...]


@dataclass(frozen=True)
class ReportFacts:
    incident: Incident
    generated_at: datetime
    end: datetime  # the close, or the time of the report for an open incident
    people: tuple[Person, ...]
    key_times: tuple[Moment, ...]
    cadence: tuple[UpdateCheck, ...]
    statements: tuple[PostedStatement, ...]
    unposted: tuple[UnpostedStatement, ...]
    live: tuple[LiveSpan, ...]
    slides: tuple[SlideSpan, ...]
    trouble: tuple[TimelineEvent, ...]
    audience: AudienceFacts | None
    drill: DrillFacts | None
    events: tuple[TimelineEvent, ...]  # oldest first: every one, or those read (see above)
    head: TimelineHead
    scope: EventScope
    event_count: int = 0  # every event of the incident, read or not
    generated_by: str = ""  # who asked for the report
    listed: frozenset[int] | None = None  # ids of the timeline section's events; None: all
    starred_only: bool = False  # only the starred events were asked for
    zones: tuple[str, ...] = ()  # the team's zones other than UTC, for the key times
    database: str | None = None  # a team database's URL, without its password
    starred: frozenset[int] = frozenset()  # ids of the incident's starred events
    companion: str | None = None  # the CSV beside the report holding every listed event

    @property
    def listed_count(self) -> int:
        """How many events the timeline section lists, printed or not."""
        return self.event_count if self.listed is None else len(self.listed)

    @property
    def timeline_cut(self) -> bool:
        """Too many events to print: the section prints the key ones (see INLINE_EVENTS)."""
        return self.listed_count > INLINE_EVENTS

    @cached_property
    def timeline_shown(self) -> tuple[TimelineEvent, ...]:
        chosen = (self.events if self.listed is None
                  else tuple(e for e in self.events if e.id in self.listed))  # fmt: skip
        if not self.timeline_cut:
            return chosen
        key = tuple(e for e in chosen if e.id in self.starred or e.kind.startswith(KEY_KINDS))
        return key[:INLINE_EVENTS]

    @property
    def timeline_cut_note(self) -> str:
        """What the section prints instead of every event, and where every one is."""
        if not self.timeline_cut:
            return ""
        shown, listed = len(self.timeline_shown), self.listed_count
        first = "the first " if shown == INLINE_EVENTS else ""
        where = (f"in {self.companion} beside this report, each row with its event's hash "
                 "as the record holds it" if self.companion else "on the desk's timeline")
        return (f"{listed:,} events are too many to print: listed here are {first}{shown:,} "
                "that say what was done besides the statements above (the incident's changes, "
                "the broadcast, P-1, the audience advice, failures, drills, the starred). "
                f"Every one of the {listed:,} is {where}.")

    @property
    def timeline_which(self) -> str:
        """What the timeline section lists, said in its heading."""
        total = f"{self.event_count:,}"
        if not self.starred_only:
            return f"All {total} events of this incident"
        if self.listed is None:
            return f"No events were starred, so every event is listed: all {total} of them"
        n = len(self.listed)
        return f"The {n:,} event{'' if n == 1 else 's'} starred on the timeline, of {total}"

    @property
    def closed(self) -> bool:
        return self.incident.closed_at is not None

    @property
    def duration(self) -> timedelta:
        return self.end - as_utc(self.incident.started_at)

    @property
    def verify_command(self) -> str:
        return verify_command(self.head, self.database)


@dataclass(frozen=True)
class EventScope:
    """Which events are the incident's (see the module's docstring), up to the head."""

    incident_id: int
    statement_ids: frozenset[int]
    start: datetime
    end: datetime
    head_id: int

    def clauses(self):
        """(the incident's own events, the desk's unfiled ones that belong to it) as SQL
        conditions, each up to the head; no event is in both."""
        from sqlalchemy import and_, or_

        from commsdesk.store.models import EventRow

        own = EventRow.incident_id == self.incident_id
        deskwide = and_(EventRow.statement_id.is_(None),
                        EventRow.at >= self.start.replace(tzinfo=None),
                        EventRow.at <= self.end.replace(tzinfo=None))  # fmt: skip
        if self.statement_ids:
            deskwide = or_(EventRow.statement_id.in_(sorted(self.statement_ids)), deskwide)
        upto = EventRow.id <= self.head_id
        return and_(own, upto), and_(EventRow.incident_id.is_(None), deskwide, upto)


def verify_command(head: TimelineHead, database: str | None = None) -> str:
    """The command that checks the record against `head`; on a team database it names the
    database (given without a password: the desk that runs it finds its own)."""
    where = f"--database {shlex.quote(database)} " if database else ""
    return f'commsdesk {where}timeline verify --head "{head.line()}"'


def team_database(url) -> str | None:
    """A PostgreSQL URL (str or sqlalchemy URL) as a person types it: without its password
    (nor libpq's ?password=), and without the driver the desk adds (postgresql+psycopg →
    postgresql); None for SQLite."""
    from sqlalchemy.engine import make_url

    url = make_url(url)
    if url.get_backend_name() != "postgresql":
        return None
    # URL.set(password=None) would keep the password (None there means "unchanged").
    url = url._replace(drivername="postgresql", password=None)
    url = url.difference_update_query(["password"])
    return url.render_as_string(hide_password=False)


# --- reading ----------------------------------------------------------------------------------


def gather(
    desk, incident_id: int, *, audience=None, now: datetime | None = None,
    starred_only: bool = False, zones: Iterable[str] = (),
) -> ReportFacts:  # fmt: skip
    """Everything the report says about incident `incident_id` (DeskError when there is none).
    `audience`: the desk's AudienceStore (one is made when not given); `starred_only`: the
    timeline section lists only the starred events (all of them when none is); `zones`: the
    team's time zones (the desk's team_time_zones setting)."""
    from commsdesk.team_time import zones_besides_utc

    incident = desk.incident(incident_id)
    generated = as_utc(now) if now is not None else utc_now()
    head = desk.timeline_head()
    if head is None:  # cannot be: the incident's start is on the timeline
        raise ValueError("The timeline holds no events.")
    start = as_utc(incident.started_at)
    end = as_utc(incident.closed_at) if incident.closed_at is not None else generated
    statements = sorted(desk.list_statements(incident.id), key=lambda s: s.id)
    scope = EventScope(incident.id, frozenset(s.id for s in statements), start, end,
                       head.event_id or 0)  # fmt: skip
    tallies = _tallies(desk, scope)
    count = sum(n for _, n, _, _ in tallies)
    starred = desk.starred_event_ids(up_to=head.event_id)
    if count <= INLINE_EVENTS:
        events = read_events(desk, scope)
    else:  # the database chooses: every starred event, and those of the kinds the report reads
        events = read_events(desk, scope, kinds=READ_KINDS, ids=starred)
    posted, unposted = _statements(desk, statements, events)
    live = measures.live_spans(events, end)
    updates = [(s.posted_at, s.title) for s in sorted(posted, key=lambda s: s.posted_at)]
    cadence = measures.cadence_checks(start, updates, measures.promises_from(events), end)
    if audience is None:
        from commsdesk.audience.store import AudienceStore

        audience = AudienceStore(desk)
    series = audience.load_series(incident_id=incident.id, now=generated.timestamp())
    audience_facts = _audience(series, events)
    ours = frozenset(e.id for e in events if e.id in starred)  # every starred one is read
    return ReportFacts(
        incident=incident,
        generated_at=generated,
        end=end,
        people=tuple(measures.people_involved(tallies)),
        key_times=tuple(_key_times(incident, events, posted, live, audience_facts)),
        cadence=tuple(cadence),
        statements=tuple(posted),
        unposted=tuple(unposted),
        live=tuple(live),
        slides=tuple(measures.slides_on_air(events, end)),
        trouble=tuple(measures.stream_trouble(events)),
        audience=audience_facts,
        drill=drill_facts(events),
        events=tuple(events),
        head=head,
        scope=scope,
        event_count=count,
        listed=(ours or None) if starred_only else None,
        starred_only=starred_only,
        zones=tuple(zones_besides_utc(list(zones))),
        database=team_database(desk.engine.url),
        starred=ours,
    )


def listed_events(desk, facts: ReportFacts) -> list[ListedEvent]:
    """Every event the timeline section lists, printed or not, read again from the record (for
    the file beside a report whose section is cut)."""
    if facts.listed is None:
        return read_events(desk, facts.scope, brief=True)
    return read_events(desk, facts.scope, ids=facts.listed, only_ids=True, brief=True)


def starred_in_incident(desk, incident_id: int) -> tuple[int, int]:
    """(how many of the incident's events are starred, how many events it has), as the report
    would count them; for asking whether to list only the starred. Counted by the database."""
    from sqlalchemy import func, or_, select

    from commsdesk.store.models import EventRow

    incident = desk.incident(incident_id)
    head = desk.timeline_head()
    if head is None:
        return 0, 0
    start = as_utc(incident.started_at)
    end = as_utc(incident.closed_at) if incident.closed_at is not None else utc_now()
    statement_ids = frozenset(s.id for s in desk.list_statements(incident.id))
    scope = EventScope(incident.id, statement_ids, start, end, head.event_id or 0)
    starred = sorted(desk.starred_event_ids(up_to=head.event_id))
    count = select(func.count()).select_from(EventRow).where(or_(*scope.clauses()))
    with desk.reading() as session:
        total = session.scalar(count) or 0
        marked = session.scalar(count.where(EventRow.id.in_(starred))) if starred else 0
    return marked or 0, total


def _tallies(desk, scope: EventScope) -> list[tuple[str, int, datetime, datetime]]:
    """(actor, events, first, last) of the incident's events, counted by the database."""
    from sqlalchemy import String, func, select, type_coerce

    from commsdesk.store.models import EventRow

    t = EventRow.__table__
    found = []
    with desk.reading() as session:
        for where in scope.clauses():
            query = (select(t.c.actor, func.count(), type_coerce(func.min(t.c.at), String),
                            type_coerce(func.max(t.c.at), String))
                     .where(where).group_by(t.c.actor))  # fmt: skip
            for actor, n, first, last in session.connection().execute(query):
                found.append((actor, n, _moment(first), _moment(last)))
    return found


def _moment(stored) -> datetime:
    """A time as read plainly: ISO text on SQLite, a datetime on PostgreSQL."""
    return stored if isinstance(stored, datetime) else datetime.fromisoformat(stored)


class ListedEvent(NamedTuple):
    """An event as the file beside a report lists it: no data, no links (read by the 100,000)."""

    id: int
    at: datetime
    actor: str
    kind: str
    summary: str
    hash: str


def read_events(
    desk, scope: EventScope, *, kinds: tuple[str, ...] = (), ids: Iterable[int] = (),
    only_ids: bool = False, brief: bool = False,
) -> list:  # fmt: skip
    """The incident's events up to the head, oldest first: every one, or those whose kind
    starts with one of `kinds` and those in `ids` (only those in `ids` with `only_ids`). Two
    queries (see EventScope.clauses), each row read once. TimelineEvents; with `brief`,
    ListedEvents."""
    from sqlalchemy import String, Text, or_, select, type_coerce

    from commsdesk.store.models import EventRow

    t = EventRow.__table__
    chosen = sorted(set(ids))
    wanted = [t.c.id.in_(chosen)] if chosen else []
    if not only_ids:
        wanted += [t.c.kind.startswith(kind, autoescape=True) for kind in kinds]
    if (kinds or only_ids) and not wanted:
        return []
    events: list[TimelineEvent] = []
    # Plain rows, their time and data read here: a long incident has 100,000 events, and
    # SQLAlchemy's own conversions of SQLite's text cost more than the query.
    at = type_coerce(t.c.at, String)
    columns = ((t.c.id, at, t.c.actor, t.c.kind, t.c.summary, t.c.hash) if brief else
               (t.c.id, at, t.c.actor, t.c.kind, t.c.summary, t.c.incident_id, t.c.statement_id,
                t.c.version_id, type_coerce(t.c.data, Text), t.c.prev_hash, t.c.hash))  # fmt: skip
    with desk.reading() as session:
        for where in scope.clauses():
            query = select(*columns).where(where)
            if wanted:
                query = query.where(or_(*wanted))
            result = session.connection().execute(query.execution_options(yield_per=PAGE))
            for rows in result.partitions():
                if brief:
                    events.extend(ListedEvent(r[0], _moment(r[1]), r[2], r[3], r[4], r[5])
                                  for r in rows)  # fmt: skip
                    continue
                for row in rows:
                    events.append(TimelineEvent(
                        row[0], _moment(row[1]), row[2], row[3], row[4], row[5], row[6],
                        row[7], _data(row[8]), row[9], row[10]))  # fmt: skip
    events.sort(key=lambda e: e.id)
    return events


def _data(stored) -> dict:
    """An event's data as read plainly: JSON text on SQLite, already a dict on PostgreSQL."""
    if stored is None or stored in ("{}", "null", b"{}"):  # most events carry none
        return {}
    return (json.loads(stored) if isinstance(stored, str | bytes) else stored) or {}


@dataclass(frozen=True)
class _Version:
    id: int
    author: str


def _versions(desk, statement_ids: list[int]) -> dict[int, list[_Version]]:
    """Each statement's versions (id and author, oldest first), in one query."""
    from sqlalchemy import select

    from commsdesk.store.models import VersionRow

    found: dict[int, list[_Version]] = {}
    if not statement_ids:
        return found
    query = (select(VersionRow.statement_id, VersionRow.id, VersionRow.author)
             .where(VersionRow.statement_id.in_(statement_ids)).order_by(VersionRow.id))
    with desk.reading() as session:
        for statement_id, version_id, author in session.execute(query):
            found.setdefault(statement_id, []).append(_Version(version_id, author))
    return found


@dataclass(frozen=True)
class _Outbox:
    account: str
    sandbox: bool
    post_ids: tuple[str, ...]


def _outboxes(desk, publication_ids: list[int]) -> dict[int, _Outbox]:
    """The publications named (account, sandbox, the ids of the posts they made, in order), in
    two queries."""
    from sqlalchemy import select

    from commsdesk.publishing.outbox import PARTS, PUBLICATIONS

    if not publication_ids:
        return {}
    wanted = sorted(set(publication_ids))
    posts: dict[int, list[str]] = {}
    with desk.reading() as session:
        heads = session.execute(select(PUBLICATIONS.c.id, PUBLICATIONS.c.account,
                                       PUBLICATIONS.c.sandbox)
                                .where(PUBLICATIONS.c.id.in_(wanted))).all()  # fmt: skip
        parts = session.execute(select(PARTS.c.publication_id, PARTS.c.post_id)
                                .where(PARTS.c.publication_id.in_(wanted))
                                .order_by(PARTS.c.publication_id, PARTS.c.position))  # fmt: skip
        for publication_id, post_id in parts:
            if post_id:
                posts.setdefault(publication_id, []).append(str(post_id))
    return {pid: _Outbox(account, bool(sandbox), tuple(posts.get(pid, ())))
            for pid, account, sandbox in heads}  # fmt: skip


def _statements(desk, statements, events: list[TimelineEvent]):
    by_statement: dict[int, list[TimelineEvent]] = {}
    for event in events:
        if event.statement_id is not None:
            by_statement.setdefault(event.statement_id, []).append(event)
    posted, unposted = [], []
    all_versions = _versions(desk, [s.id for s in statements])
    outboxes = _outboxes(desk, [e.data["publication"] for e in events
                                if e.kind == K.PUBLISH_STARTED and "publication" in e.data])
    for statement in statements:
        own = by_statement.get(statement.id, [])
        versions = all_versions.get(statement.id, [])
        done = [e for e in own if e.kind == K.POSTED]
        if statement.state is not StatementState.POSTED or not done:
            unposted.append(UnpostedStatement(statement.id, statement.title,
                                              statement.state.label, len(versions)))  # fmt: skip
            continue
        posted_event = done[-1]
        post_ids = tuple(str(p) for p in posted_event.data.get("post_ids", []))
        publication_ids = [e.data["publication"] for e in own
                           if e.kind == K.PUBLISH_STARTED and "publication" in e.data]
        where = "X (as recorded; no publication of this desk's outbox holds these posts)"
        links = [PostLink(p, f"https://x.com/i/status/{p}") for p in post_ids]
        for publication_id in reversed(publication_ids):
            outbox = outboxes.get(publication_id)
            if outbox is None or outbox.post_ids != post_ids:
                continue
            if outbox.sandbox:
                where = "the SANDBOX"
                links = [PostLink(p, f"sandbox://{outbox.account}/{p}") for p in post_ids]
            else:
                where = f"X as {outbox.account}"
            break
        approvals = [e for e in own if e.kind == K.APPROVED
                     and e.version_id == statement.approved_version_id]  # fmt: skip
        approvers = tuple(dict.fromkeys(e.actor for e in approvals)) or statement.approvals
        recorded = next((e.data[APPROVED_DIGEST] for e in reversed(approvals)
                         if APPROVED_DIGEST in e.data), None)  # fmt: skip
        text = statement.approved_text or ""
        digest = approved_digest(text)
        upto = [v for v in versions if statement.approved_version_id is None
                or v.id <= statement.approved_version_id]  # fmt: skip
        posted.append(PostedStatement(
            id=statement.id, title=statement.title, text=text,
            posted_at=event_time(posted_event), links=tuple(links), where=where,
            authors=tuple(dict.fromkeys(v.author for v in upto)) or (statement.created_by,),
            approvers=tuple(approvers), versions=len(versions),
            approved_sha256=recorded or digest, digest_matches=recorded in (None, digest),
        ))  # fmt: skip
    return posted, unposted


def _audience(buffer, events) -> AudienceFacts | None:
    """The audience section's facts from the incident's samples (a SeriesBuffer)."""
    from commsdesk.audience.advisor import steady_peak
    if not len(buffer) or not any(buffer.has_number(s) for s in buffer.sources()):
        return None
    times, values = buffer.total()
    total = Line("Total", tuple(times.tolist()), tuple(values.tolist()))
    sources = tuple(
        Line(label, tuple(buffer.times(label).tolist()), tuple(buffer.values(label).tolist()))
        for label in buffer.sources()
        if buffer.has_number(label)
    )
    peak = buffer.peak()
    steady = steady_peak(values)
    advice = tuple(Moment(event_time(e), e.summary) for e in events
                   if e.kind == K.AUDIENCE_ADVICE)  # fmt: skip
    stopped = [e for e in events if e.kind == K.BROADCAST_STOPPED]
    return AudienceFacts(
        total=total,
        sources=sources,
        peak=(datetime.fromtimestamp(peak[0], UTC), round(peak[1]))
        if peak is not None and math.isfinite(peak[1]) else None,
        advice=advice,
        stream_ended=event_time(stopped[-1]) if stopped else None,
        markers=tuple(markers(events)),
        steady_peak=None if steady is None else round(steady),
    )


def drill_facts(events) -> DrillFacts | None:
    """The scorecard of the drill this incident was, when it was one (see DrillFacts)."""
    from commsdesk.drill.scorecard import SCORE_LABELS, SCORE_NAMES, seconds_text

    card = next((e for e in reversed(events)
                 if e.kind in (K.DRILL_SCORED, K.DRILL_PROGRESS)), None)  # fmt: skip
    if card is None:
        return None
    data = card.data
    scores = data.get("scores") or {}
    labels = {**SCORE_LABELS, **(data.get("labels") or {})}
    return DrillFacts(
        scenario=str(data.get("scenario", "")),
        complete=card.kind == K.DRILL_SCORED,
        scores=tuple((labels[name], seconds_text(scores.get(name)))
                     for name in SCORE_NAMES if name in scores),  # fmt: skip
        cadence=str(data.get("cadence", "")),
        steps=tuple(DrillStep(str(step.get("title") or step.get("name")), bool(step.get("ok")),
                              float(step.get("seconds") or 0.0), step.get("error"))
                    for step in data.get("steps", ())),  # fmt: skip
    )


MARKED = {
    str(K.POSTED): "statement", str(K.BROADCAST_SLIDE): "slide", str(K.BROADCAST_LIVE): "live",
    str(K.BROADCAST_STREAM_STARTED): "stream", str(K.BROADCAST_RECORDING): "stream",
    str(K.BROADCAST_RECORDING_STOPPED): "stream",
    str(K.BROADCAST_STOPPED): "stream", str(K.AUDIENCE_ADVICE): "advice",
    str(K.P1_PRESSED): "p1",
}  # fmt: skip


def markers(events) -> list[Marker]:
    """Our events worth marking on the audience chart, oldest first."""
    return [Marker(event_time(e), MARKED[e.kind], _marker_label(e))
            for e in events if e.kind in MARKED]  # fmt: skip


def _marker_label(event: TimelineEvent) -> str:
    if event.kind == K.POSTED:
        title = event.summary.split("': posted", 1)[0].lstrip("'")
        return f"Statement posted: {title}"
    return event.summary


def _key_times(incident: Incident, events, posted, live, audience) -> list[Moment]:
    moments = [Moment(as_utc(incident.started_at),
                      f"Incident started ({incident.severity.value})")]  # fmt: skip
    pressed = first_of(events, K.P1_PRESSED)
    if pressed is not None:
        moments.append(Moment(event_time(pressed), f"P-1 pressed by {pressed.actor}"))
    answered = first_of(events, K.P1_ANSWERED, K.P1_EXHAUSTED)
    if answered is not None:
        who = answered.data.get("answered_by")
        moments.append(Moment(event_time(answered), f"P-1 answered by {who}" if who
                              else "P-1: no one answered"))  # fmt: skip
    if posted:
        first = min(posted, key=lambda s: s.posted_at)
        moments.append(Moment(first.posted_at, f"First statement posted: {first.title}"))
    if live:
        moments.append(Moment(live[0].start, f"First live ({live[0].how})"))
    if audience is not None and audience.peak is not None:
        at, viewers = audience.peak
        moments.append(Moment(at, f"Audience peak: {viewers:,} viewers"))
    if audience is not None and audience.advice:
        moments.append(Moment(audience.advice[0].at, "Advice to end the stream"))
    ended = [span for span in live if span.ended]
    if ended:
        moments.append(Moment(ended[-1].end, "Stream ended"))
    if incident.closed_at is not None:
        moments.append(Moment(as_utc(incident.closed_at), "Incident closed"))
    return sorted(moments, key=lambda m: m.at)
