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

No Qt.
"""

from __future__ import annotations

import json
import math
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
    events: tuple[TimelineEvent, ...]  # oldest first
    head: TimelineHead
    generated_by: str = ""  # who asked for the report
    listed: tuple[TimelineEvent, ...] | None = None  # the timeline section's; None: `events`
    starred_only: bool = False  # only the starred events were asked for
    zones: tuple[str, ...] = ()  # the team's zones other than UTC, for the key times
    database: str | None = None  # a team database's URL, without its password
    starred: frozenset[int] = frozenset()  # ids of the incident's starred events
    companion: str | None = None  # the CSV beside the report holding every listed event

    @property
    def timeline_listed(self) -> tuple[TimelineEvent, ...]:
        return self.events if self.listed is None else self.listed

    @property
    def timeline_cut(self) -> bool:
        """Too many events to print: the section prints the key ones (see INLINE_EVENTS)."""
        return len(self.timeline_listed) > INLINE_EVENTS

    @property
    def timeline_shown(self) -> tuple[TimelineEvent, ...]:
        listed = self.timeline_listed
        if not self.timeline_cut:
            return listed
        key = tuple(e for e in listed if e.id in self.starred or e.kind.startswith(KEY_KINDS))
        return key[:INLINE_EVENTS]

    @property
    def timeline_cut_note(self) -> str:
        """What the section prints instead of every event, and where every one is."""
        if not self.timeline_cut:
            return ""
        shown, listed = len(self.timeline_shown), len(self.timeline_listed)
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
        total = f"{len(self.events):,}"
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
    events = incident_events(desk, incident.id, {s.id for s in statements}, start, end, head)
    posted, unposted = _statements(desk, statements, events)
    live = measures.live_spans(events, end)
    updates = [(s.posted_at, s.title) for s in sorted(posted, key=lambda s: s.posted_at)]
    cadence = measures.cadence_checks(start, updates, measures.promises_from(events), end)
    audience_facts = _audience(desk, audience, incident.id, events, generated)
    listed = None
    starred = desk.starred_event_ids(up_to=head.event_id)
    if starred_only:
        listed = tuple(e for e in events if e.id in starred) or None
    return ReportFacts(
        incident=incident,
        generated_at=generated,
        end=end,
        people=tuple(measures.people_involved(events)),
        key_times=tuple(_key_times(incident, events, posted, live, audience_facts)),
        cadence=tuple(cadence),
        statements=tuple(posted),
        unposted=tuple(unposted),
        live=tuple(live),
        slides=tuple(measures.slides_on_air(events, end)),
        trouble=tuple(measures.stream_trouble(events)),
        audience=audience_facts,
        events=tuple(events),
        head=head,
        listed=listed,
        starred_only=starred_only,
        zones=tuple(zones_besides_utc(list(zones))),
        database=team_database(desk.engine.url),
        starred=frozenset(e.id for e in events if e.id in starred),
    )


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
    statement_ids = {s.id for s in desk.list_statements(incident.id)}
    belongs = or_(*_incident_clauses(incident.id, statement_ids, start, end))
    starred = sorted(desk.starred_event_ids(up_to=head.event_id))
    count = select(func.count()).select_from(EventRow).where(belongs,
                                                             EventRow.id <= (head.event_id or 0))
    with desk.reading() as session:
        total = session.scalar(count) or 0
        marked = session.scalar(count.where(EventRow.id.in_(starred))) if starred else 0
    return marked or 0, total


def _incident_clauses(incident_id: int, statement_ids: set[int], start: datetime,
                      end: datetime):  # fmt: skip
    """(the incident's own events, the desk's unfiled ones that belong to it) as SQL
    conditions: see the module's docstring."""
    from sqlalchemy import and_, or_

    from commsdesk.store.models import EventRow

    own = EventRow.incident_id == incident_id
    deskwide = and_(EventRow.statement_id.is_(None), EventRow.at >= start.replace(tzinfo=None),
                    EventRow.at <= end.replace(tzinfo=None))  # fmt: skip
    if statement_ids:
        deskwide = or_(EventRow.statement_id.in_(sorted(statement_ids)), deskwide)
    return own, and_(EventRow.incident_id.is_(None), deskwide)


def incident_events(
    desk, incident_id: int, statement_ids: set[int], start: datetime, end: datetime,
    head: TimelineHead,
) -> list[TimelineEvent]:  # fmt: skip
    """The incident's events up to `head`, oldest first (see the module's docstring): two
    queries, each row read once; the desk's own events are chosen by the database."""
    from sqlalchemy import String, Text, select, type_coerce

    from commsdesk.store.models import EventRow

    newest = head.event_id or 0
    events: list[TimelineEvent] = []
    # Plain rows, their time and data read here: a long incident has 100,000 events, and
    # SQLAlchemy's own conversions of SQLite's text cost more than the query.
    t = EventRow.__table__
    columns = (t.c.id, type_coerce(t.c.at, String), t.c.actor, t.c.kind, t.c.summary,
               t.c.incident_id, t.c.statement_id, t.c.version_id, type_coerce(t.c.data, Text),
               t.c.prev_hash, t.c.hash)  # fmt: skip
    with desk.reading() as session:
        for where in _incident_clauses(incident_id, statement_ids, start, end):
            query = select(*columns).where(where, EventRow.id <= newest)
            for row in session.connection().execute(query.execution_options(yield_per=PAGE)):
                at, data = row[1], row[8]
                events.append(TimelineEvent(
                    row[0], at if isinstance(at, datetime) else datetime.fromisoformat(at),
                    row[2], row[3], row[4], row[5], row[6], row[7],
                    (json.loads(data) if isinstance(data, str | bytes) else data) or {},
                    row[9], row[10]))  # fmt: skip
    events.sort(key=lambda e: e.id)
    return events


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


def _statements(desk, statements, events: list[TimelineEvent]):
    from commsdesk.publishing.outbox import publication_from, publication_row

    by_statement: dict[int, list[TimelineEvent]] = {}
    for event in events:
        if event.statement_id is not None:
            by_statement.setdefault(event.statement_id, []).append(event)
    posted, unposted = [], []
    all_versions = _versions(desk, [s.id for s in statements])
    for statement in statements:
        own = by_statement.get(statement.id, [])
        versions = all_versions.get(statement.id, [])
        done = [e for e in own if e.kind == K.POSTED]
        if statement.state is not StatementState.POSTED or not done:
            unposted.append(UnpostedStatement(statement.id, statement.title,
                                              statement.state.label, len(versions)))  # fmt: skip
            continue
        posted_event = done[-1]
        post_ids = [str(p) for p in posted_event.data.get("post_ids", [])]
        publication_ids = [e.data["publication"] for e in own
                           if e.kind == K.PUBLISH_STARTED and "publication" in e.data]
        where = "X (as recorded; no publication of this desk's outbox holds these posts)"
        links = [PostLink(p, f"https://x.com/i/status/{p}") for p in post_ids]
        with desk.reading() as session:
            for publication_id in reversed(publication_ids):
                row = publication_row(session, publication_id)
                if row is None:
                    continue
                publication = publication_from(session, row)
                if publication.post_ids == post_ids:
                    if publication.sandbox:
                        where = "the SANDBOX"
                        links = [PostLink(p, f"sandbox://{publication.account}/{p}")
                                 for p in post_ids]  # fmt: skip
                    else:
                        where = f"X as {publication.account}"
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


def _audience(desk, store, incident_id: int, events, now: datetime) -> AudienceFacts | None:
    if store is None:
        from commsdesk.audience.store import AudienceStore

        store = AudienceStore(desk)
    buffer = store.load_series(incident_id=incident_id, now=now.timestamp())
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
