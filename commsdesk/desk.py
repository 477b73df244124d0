"""The desk's use cases, shared by the GUI and the CLI.

Every mutating method is one transaction that applies the domain rule and appends its timeline
event(s); `actor` is the name of the operator acting. Methods return frozen domain dataclasses,
never ORM rows, and open their own session, so a Desk can be used from a worker thread. Refusals
come back as `DeskError` with a message for the operator.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from commsdesk.clock import as_utc, utc_now
from commsdesk.data_dir import make_private_dir, resolve_data_dir
from commsdesk.incidents.incident import Incident, InvalidFact, Severity, check_fact_name
from commsdesk.scheduling.policy import Cadence
from commsdesk.statements.statement import (
    APPROVED_DIGEST,
    Action,
    ApprovalPolicy,
    Statement,
    StatementState,
    StatementVersion,
    TransitionRefused,
    approved_digest,
    next_state,
)
from commsdesk.store.database import (
    DATABASE_FILE,
    open_database,
    sqlite_file,
    sqlite_url,
    writer,
)
from commsdesk.store.models import (
    NAME,
    TITLE,
    ApprovalRow,
    EventRow,
    IncidentRow,
    PolicyRow,
    StatementRow,
    VersionRow,
)
from commsdesk.timeline.anchor import (
    AnchorFile,
    HeadUnreadable,
    StoredEnd,
    TimelineHead,
    anchor_beside,
    anchor_for_url,
    end_problem,
    missing_head_problem,
)
from commsdesk.timeline.chain import (
    GENESIS_HASH,
    EventKind,
    TimelineEvent,
    event_hash,
    verify_chain,
)
from commsdesk.timeline.report import (
    ApprovedText,
    TimelineReport,
    approvals_by_version,
    approved_text_findings,
)

REQUIRED_APPROVALS_KEY = "required_approvals"
CADENCE_KEY = "update_cadence"  # + ":<incident id>", minutes
MAX_REQUIRED_APPROVALS = 10
VERIFY_BATCH = 1000
IN_CHUNK = 500  # ids per IN (...) list
# PostgreSQL advisory lock held by the transaction appending to the timeline (any constant
# works; advisory locks are per database).
CHAIN_LOCK_KEY = 0x436F6D6D7344
# session.info key: the TimelineHead appended last (count None: do not anchor it)
_CHAIN_HEAD = "commsdesk.chain_head"
_TAKE_CHAIN_LOCK = select(func.pg_advisory_xact_lock(CHAIN_LOCK_KEY))
_CHAIN_HEAD_QUERY = (
    select(EventRow.id, EventRow.hash).order_by(EventRow.id.desc()).limit(1).with_for_update()
)
_EMPTY_CHAIN = TimelineHead(GENESIS_HASH, 0, 0)
_EVENT_COLUMNS = tuple(c.key for c in EventRow.__table__.columns if c.key != "id")
_INSERT_EVENT = insert(EventRow.__table__).returning(EventRow.__table__.c.id)

log = logging.getLogger(__name__)
S = StatementState
# Why approvals stop counting when a statement in this state is edited.
VOIDED_BY_EDIT = {
    S.IN_REVIEW: "edited during review",
    S.APPROVED: "edited after approval; needs approval again",
    S.FAILED: "edited after a failed post; needs approval again",
}


class DeskError(Exception):
    """An action the desk refuses; the message is written for the operator."""


def _same_person(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _short(value: str, limit: int = 80) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _required_text(value: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DeskError(f"{what} is required.")
    if len(value) > limit:
        raise DeskError(f"{what} is too long ({len(value)} characters; at most {limit}).")
    return value


def _actor(actor: str) -> str:
    return _required_text(actor, "The operator's name", NAME)


def _stored_time(moment: datetime) -> datetime:
    """Naive UTC, as every datetime column holds it."""
    return as_utc(moment).replace(tzinfo=None)


def _facts(facts: Mapping[str, Any] | None) -> dict[str, str]:
    try:
        return {check_fact_name(str(k).strip()): str(v) for k, v in (facts or {}).items()}
    except InvalidFact as exc:
        raise DeskError(str(exc)) from exc


def _severity(value: Severity | str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise DeskError(f"Severity {value!r} is not one of P1, P2, P3, P4.") from None


# --- rows to domain objects ---------------------------------------------------------------------


def _incident(row: IncidentRow) -> Incident:
    return Incident(
        id=row.id,
        title=row.title,
        severity=Severity(row.severity),
        started_at=as_utc(row.started_at),
        summary=row.summary,
        facts=dict(row.facts or {}),
        closed_at=as_utc(row.closed_at) if row.closed_at is not None else None,
        created_by=row.created_by,
    )


def _version(row: VersionRow) -> StatementVersion:
    return StatementVersion(
        id=row.id,
        statement_id=row.statement_id,
        number=row.number,
        body=row.body,
        author=row.author,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        sealed=row.sealed,
    )


def _statement(row: StatementRow, newest: VersionRow, approvers: list[str]) -> Statement:
    return Statement(
        id=row.id,
        incident_id=row.incident_id,
        title=row.title,
        state=StatementState(row.state),
        created_by=row.created_by,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        body=newest.body,
        version_number=newest.number,
        version_id=newest.id,
        version_author=newest.author,
        approved_version_id=row.approved_version_id,
        approved_text=row.approved_text,
        approvals=tuple(approvers),
        note=row.note,
    )


def _event(row: Any) -> TimelineEvent:
    """From an EventRow or a row of the timeline_events table; `at` stays naive, as hashed."""
    return TimelineEvent(
        id=row.id,
        at=row.at,
        actor=row.actor,
        kind=row.kind,
        summary=row.summary,
        incident_id=row.incident_id,
        statement_id=row.statement_id,
        version_id=row.version_id,
        data=row.data if row.data is not None else {},
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _streamed_events(
    rows: Iterable[Any], total: int, progress: Callable[[int, int], None] | None
) -> Iterator[TimelineEvent]:
    for checked, row in enumerate(rows, start=1):
        yield _event(row)
        if progress is not None and checked % VERIFY_BATCH == 0:
            progress(checked, total)


class Desk:
    """Incidents, statements and the timeline of one database."""

    def __init__(
        self,
        engine: Engine,
        *,
        path: Path | None = None,
        anchor: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.path = path  # the SQLite file, if any
        self.clock = clock
        self._reads = sessionmaker(engine, expire_on_commit=False)
        self._writes = sessionmaker(writer(engine), expire_on_commit=False)
        self._lock_chain = engine.dialect.name == "postgresql"
        # The timeline's end outside the database (commsdesk.timeline.anchor); none in memory.
        if anchor is None and path is not None:
            anchor = anchor_beside(path)
        self.anchor = AnchorFile(anchor) if anchor is not None else None
        self._warned_cut = False

    @classmethod
    def open(
        cls,
        data_dir: Path | None = None,
        *,
        url: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> Desk:
        """Open (creating or migrating) `commsdesk.sqlite3` in the data dir, or the database at
        `url`; raises commsdesk.store.database.DatabaseProblem when the file must not be opened.
        The timeline's anchor is beside an SQLite file, else in the data dir."""
        if url is None:
            folder = resolve_data_dir() if data_dir is None else make_private_dir(Path(data_dir))
            url = sqlite_url(folder / DATABASE_FILE)
        engine = open_database(url)
        path = sqlite_file(make_url(url))
        anchor = None
        if path is None and engine.url.database not in (None, "", ":memory:"):
            folder = Path(data_dir) if data_dir is not None else resolve_data_dir()
            anchor = anchor_for_url(folder, engine.url.render_as_string(hide_password=True))
        return cls(engine, path=path, anchor=anchor, clock=clock)

    def close(self) -> None:
        self.engine.dispose()

    # --- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction for use cases kept in their own modules (publishing); refusals
        become DeskError as everywhere else."""
        with self._write() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    def now(self) -> datetime:
        """The desk's clock as stored: naive UTC."""
        return self._now()

    def append_event(
        self,
        session: Session,
        actor: str,
        kind: EventKind | str,
        summary: str,
        **refs: Any,
    ) -> TimelineEvent:
        """Chain an event inside the caller's transaction (refs: incident_id, statement_id,
        version_id, data)."""
        return _event(self._append(session, self._now(), _actor(actor), str(kind), summary, **refs))

    def newest_event(
        self, session: Session, kinds: Iterable[str], *, incident_id: int | None = None
    ) -> TimelineEvent | None:
        """The newest event of these kinds, inside the caller's transaction, with appenders
        held back until it ends (on SQLite its write transaction already does that): a check
        then an append in the same transaction cannot miss another desk's append."""
        if self._lock_chain:
            session.execute(_TAKE_CHAIN_LOCK)
        query = select(EventRow).where(EventRow.kind.in_([str(kind) for kind in kinds]))
        if incident_id is None:
            query = query.where(EventRow.incident_id.is_(None))
        else:
            query = query.where(EventRow.incident_id == incident_id)
        row = session.scalar(query.order_by(EventRow.id.desc()).limit(1))
        return None if row is None else _event(row)

    def _now(self) -> datetime:
        return _stored_time(self.clock())

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._reads.begin() as session:
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction; domain refusals become DeskError and nothing is written.
        Once it has committed events, their head is anchored (commsdesk.timeline.anchor)."""
        try:
            with self._writes.begin() as session:
                yield session
                appended = session.info.get(_CHAIN_HEAD)
        except TransitionRefused as exc:
            raise DeskError(str(exc)) from exc
        if appended is not None and appended.count is not None and self.anchor is not None:
            self.anchor.advance(appended)

    def _append(
        self,
        session: Session,
        at: datetime,
        actor: str,
        kind: EventKind | str,
        summary: str,
        *,
        incident_id: int | None = None,
        statement_id: int | None = None,
        version_id: int | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> EventRow:
        """Chain a new event to the newest one, inside the caller's transaction.

        Appenders must queue, or two would chain to the same event. SQLite's write transactions
        already do (BEGIN IMMEDIATE). On PostgreSQL, FOR UPDATE on the newest row does not: under
        READ COMMITTED a waiter gets the row it locked, not the one committed meanwhile, so the
        transaction first takes an advisory lock, released at its commit or rollback."""
        # The newest event this transaction appended is the head: no need to ask again (the
        # lock taken for the first append holds until the transaction ends).
        head = session.info.get(_CHAIN_HEAD)
        if head is None:
            if self._lock_chain:
                session.execute(_TAKE_CHAIN_LOCK)
            head = self._stored_head(session)
        prev_hash = head.hash
        # Hash exactly what the JSON column will give back (tuples become lists, keys strings).
        payload = json.loads(json.dumps(dict(data or {}), ensure_ascii=False))
        kind = str(kind)
        row = EventRow(
            at=at,
            actor=actor,
            kind=kind,
            summary=summary,
            incident_id=incident_id,
            statement_id=statement_id,
            version_id=version_id,
            data=payload,
            prev_hash=prev_hash,
            hash=event_hash(
                prev_hash, at, actor, kind, summary, incident_id, statement_id, version_id, payload
            ),
        )
        # One INSERT, not the ORM's unit of work: the row is never changed after, and appends
        # happen on every OBS state change and push, while the UI thread wants the GIL.
        values = {column: getattr(row, column) for column in _EVENT_COLUMNS}
        row.id = session.execute(_INSERT_EVENT, values).scalar_one()
        count = head.count + 1 if head.count is not None else None
        session.info[_CHAIN_HEAD] = TimelineHead(row.hash, row.id, count, at)
        return row

    def _stored_head(self, session: Session) -> TimelineHead:
        """The newest stored event, under the appenders' lock, with the number of events up to
        it when the chain still holds the anchored head (else count None: the anchor stays as
        evidence). Cheap when this desk wrote the anchor: no query beyond the newest row."""
        # The file first: it never names an event that the query below cannot see.
        seen = self.anchor.seen() if self.anchor is not None else None
        newest = session.execute(_CHAIN_HEAD_QUERY).first()
        stored = TimelineHead(newest.hash, newest.id) if newest is not None else _EMPTY_CHAIN
        if self.anchor is None:
            return stored
        if seen is None:  # a new desk, or one from before anchoring: count once
            total = session.scalar(select(func.count()).select_from(EventRow)) or 0
            return TimelineHead(stored.hash, stored.event_id, total)
        if (stored.event_id, stored.hash) == (seen.event_id, seen.hash):
            return TimelineHead(stored.hash, stored.event_id, seen.count)
        if stored.event_id > seen.event_id and seen.hash == session.scalar(
            select(EventRow.hash).where(EventRow.id == seen.event_id)
        ):  # another desk appended since
            since = session.scalar(
                select(func.count()).select_from(EventRow).where(EventRow.id > seen.event_id)
            )
            return TimelineHead(stored.hash, stored.event_id, seen.count + since)
        if not self._warned_cut:
            self._warned_cut = True
            log.warning(
                "The timeline no longer holds %s, the head this desk last saw; the anchor is "
                "kept as it is. Run `commsdesk timeline verify`.",
                seen,
            )
        return TimelineHead(stored.hash, stored.event_id)

    def _statement_event(
        self,
        session: Session,
        at: datetime,
        actor: str,
        kind: EventKind,
        row: StatementRow,
        summary: str,
        *,
        version_id: int | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> EventRow:
        return self._append(
            session,
            at,
            actor,
            kind,
            summary,
            incident_id=row.incident_id,
            statement_id=row.id,
            version_id=version_id,
            data=data,
        )

    def _render(self, body: str, incident: Incident | None, verb: str) -> str:
        from commsdesk.statements.templates import TemplateProblem, render

        try:
            return render(body, incident, now=as_utc(self.clock()))
        except TemplateProblem as problem:
            raise DeskError(f"Cannot {verb}: {problem.message}") from problem

    # --- policy ---------------------------------------------------------------------------------

    @staticmethod
    def _policy(session: Session) -> ApprovalPolicy:
        row = session.get(PolicyRow, REQUIRED_APPROVALS_KEY)
        return ApprovalPolicy(int(row.value)) if row is not None else ApprovalPolicy()

    def approval_policy(self) -> ApprovalPolicy:
        with self._read() as session:
            return self._policy(session)

    def set_required_approvals(self, actor: str, n: int) -> None:
        actor = _actor(actor)
        if not isinstance(n, int) or not 0 <= n <= MAX_REQUIRED_APPROVALS:
            raise DeskError(
                f"Required approvals must be a whole number from 0 to {MAX_REQUIRED_APPROVALS}."
            )
        with self._write() as session:
            old = self._policy(session).required
            if old == n:
                return
            row = session.get(PolicyRow, REQUIRED_APPROVALS_KEY)
            if row is None:
                session.add(PolicyRow(key=REQUIRED_APPROVALS_KEY, value=str(n)))
            else:
                row.value = str(n)
            self._append(
                session,
                self._now(),
                actor,
                EventKind.POLICY_CHANGED,
                f"Required approvals {old} → {n}",
                data={"required_approvals": n, "was": old},
            )

    def set_update_cadence(self, actor: str, incident_id: int, minutes: int) -> None:
        """The incident promises an update every `minutes` (0: no promise)."""
        actor = _actor(actor)
        if not isinstance(minutes, int) or not 0 <= minutes <= 24 * 60:
            raise DeskError("An update cadence is a number of minutes from 0 (none) to 1440.")
        key = f"{CADENCE_KEY}:{incident_id}"
        with self._write() as session:
            incident = self._incident_row(session, incident_id)
            row = session.get(PolicyRow, key)
            old = int(row.value) if row is not None else 0
            if old == minutes:
                return
            if row is None:
                session.add(PolicyRow(key=key, value=str(minutes)))
            else:
                row.value = str(minutes)
            summary = (
                f"Updates promised every {minutes} min" if minutes else "No update cadence"
            )
            self._append(
                session, self._now(), actor, EventKind.POLICY_CHANGED, summary,
                incident_id=incident.id, data={"update_every_minutes": minutes, "was": old},
            )

    def update_cadence(self, incident_id: int) -> Cadence | None:
        """The promise and when the last update went out (the incident's start before any)."""
        with self._read() as session:
            row = session.get(PolicyRow, f"{CADENCE_KEY}:{incident_id}")
            if row is None or int(row.value) == 0:
                return None
            incident = self._incident_row(session, incident_id)
            last = session.scalar(
                select(func.max(EventRow.at)).where(
                    EventRow.incident_id == incident_id,
                    EventRow.kind == EventKind.POSTED.value,
                )
            )
            return Cadence(timedelta(minutes=int(row.value)), as_utc(last or incident.started_at))

    # --- incidents ------------------------------------------------------------------------------

    @staticmethod
    def _incident_row(session: Session, incident_id: int) -> IncidentRow:
        row = session.get(IncidentRow, incident_id)
        if row is None:
            raise DeskError(f"There is no incident #{incident_id}.")
        return row

    def active_incident(self) -> Incident | None:
        with self._read() as session:
            row = session.scalars(
                select(IncidentRow)
                .where(IncidentRow.closed_at.is_(None))
                .order_by(IncidentRow.started_at.desc(), IncidentRow.id.desc())
                .limit(1)
            ).first()
            return _incident(row) if row is not None else None

    def incident(self, incident_id: int) -> Incident:
        with self._read() as session:
            return _incident(self._incident_row(session, incident_id))

    def list_incidents(self) -> list[Incident]:
        """Newest first."""
        with self._read() as session:
            rows = session.scalars(
                select(IncidentRow).order_by(IncidentRow.started_at.desc(), IncidentRow.id.desc())
            )
            return [_incident(row) for row in rows]

    def start_incident(
        self,
        actor: str,
        title: str,
        severity: Severity | str,
        summary: str = "",
        facts: Mapping[str, str] | None = None,
        started_at: datetime | None = None,
    ) -> Incident:
        """Refused while another incident is active."""
        actor = _actor(actor)
        title = _required_text(title, "An incident's title", TITLE)
        severity = _severity(severity)
        facts = _facts(facts)
        with self._write() as session:
            now = self._now()
            active = session.scalars(
                select(IncidentRow).where(IncidentRow.closed_at.is_(None)).limit(1)
            ).first()
            if active is not None:
                raise DeskError(
                    f"'{active.title}' is still active; close it before starting another incident."
                )
            start = _stored_time(started_at) if started_at is not None else now
            if start > now:
                raise DeskError("An incident cannot start in the future.")
            row = IncidentRow(
                title=title,
                severity=severity.value,
                started_at=start,
                closed_at=None,
                summary=summary.strip(),
                facts=facts,
                created_by=actor,
            )
            session.add(row)
            session.flush()
            self._append(
                session,
                now,
                actor,
                EventKind.INCIDENT_STARTED,
                f"Started {severity.value} incident '{title}'",
                incident_id=row.id,
                data={"severity": severity.value, "started_at": start.isoformat(), "facts": facts},
            )
            return _incident(row)

    def update_incident(
        self,
        actor: str,
        incident_id: int,
        *,
        title: str | None = None,
        severity: Severity | str | None = None,
        summary: str | None = None,
        facts: Mapping[str, str] | None = None,
        started_at: datetime | None = None,
    ) -> Incident:
        """Change what is given (facts replace all facts); the event lists each change."""
        actor = _actor(actor)
        with self._write() as session:
            row = self._incident_row(session, incident_id)
            changes: list[str] = []
            data: dict[str, Any] = {}
            if title is not None:
                title = _required_text(title, "An incident's title", TITLE)
                if title != row.title:
                    changes.append(f"title '{_short(row.title)}' → '{_short(title)}'")
                    data["title"] = title
                    row.title = title
            if severity is not None:
                new_severity = _severity(severity)
                if new_severity.value != row.severity:
                    changes.append(f"severity {row.severity} → {new_severity.value}")
                    data["severity"] = new_severity.value
                    row.severity = new_severity.value
            if summary is not None and summary.strip() != row.summary:
                changes.append("summary updated")
                data["summary"] = summary.strip()
                row.summary = summary.strip()
            if started_at is not None:
                start = _stored_time(started_at)
                if start > self._now():
                    raise DeskError("An incident cannot start in the future.")
                if start != row.started_at:
                    changes.append(
                        f"start time {row.started_at:%Y-%m-%d %H:%M} → {start:%Y-%m-%d %H:%M} UTC"
                    )
                    data["started_at"] = start.isoformat()
                    row.started_at = start
            if facts is not None:
                new_facts = _facts(facts)
                old_facts = dict(row.facts or {})
                for name, value in new_facts.items():
                    if old_facts.get(name) != value:
                        changes.append(f"fact {name} set to {_short(value)}")
                changes += [f"fact {name} removed" for name in old_facts if name not in new_facts]
                if new_facts != old_facts:
                    data["facts"] = new_facts
                    row.facts = new_facts
            if changes:
                text = "; ".join(changes)
                self._append(
                    session,
                    self._now(),
                    actor,
                    EventKind.INCIDENT_EDITED,
                    text[0].upper() + text[1:],
                    incident_id=row.id,
                    data=data,
                )
            return _incident(row)

    def close_incident(self, actor: str, incident_id: int, note: str = "") -> Incident:
        actor = _actor(actor)
        with self._write() as session:
            row = self._incident_row(session, incident_id)
            if row.closed_at is not None:
                raise DeskError(f"'{row.title}' is already closed.")
            now = self._now()
            row.closed_at = now
            note = note.strip()
            self._append(
                session,
                now,
                actor,
                EventKind.INCIDENT_CLOSED,
                f"Closed '{row.title}'" + (f": {note}" if note else ""),
                incident_id=row.id,
                data={"note": note},
            )
            return _incident(row)

    # --- statements: reading --------------------------------------------------------------------

    @staticmethod
    def _statement_row(session: Session, statement_id: int, *, lock: bool = False) -> StatementRow:
        row = session.get(StatementRow, statement_id, with_for_update=lock)
        if row is None:
            raise DeskError(f"There is no statement #{statement_id}.")
        return row

    @staticmethod
    def _newest(session: Session, statement_id: int) -> VersionRow:
        return session.scalars(
            select(VersionRow)
            .where(VersionRow.statement_id == statement_id)
            .order_by(VersionRow.number.desc())
            .limit(1)
        ).one()

    @staticmethod
    def _approvers(session: Session, version_id: int) -> list[str]:
        """Approvals of this version that still count, in the order given."""
        return list(
            session.scalars(
                select(ApprovalRow.approver)
                .where(ApprovalRow.version_id == version_id, ApprovalRow.voided_at.is_(None))
                .order_by(ApprovalRow.id)
            )
        )

    def _load(self, session: Session, row: StatementRow) -> Statement:
        newest = self._newest(session, row.id)
        return _statement(row, newest, self._approvers(session, newest.id))

    def statement(self, statement_id: int) -> Statement:
        with self._read() as session:
            return self._load(session, self._statement_row(session, statement_id))

    def list_statements(self, incident_id: int | None) -> list[Statement]:
        """Newest updated first; `incident_id` None lists every incident's statements."""
        newest_number = (
            select(func.max(VersionRow.number))
            .where(VersionRow.statement_id == StatementRow.id)
            .correlate(StatementRow)
            .scalar_subquery()
        )
        # Plain columns, not ORM rows: five thousand statements list in tens of milliseconds.
        query = select(
            StatementRow.__table__,
            VersionRow.id.label("version_id"),
            VersionRow.number.label("version_number"),
            VersionRow.body.label("body"),
            VersionRow.author.label("version_author"),
        ).join(
            VersionRow,
            and_(VersionRow.statement_id == StatementRow.id, VersionRow.number == newest_number),
        )
        if incident_id is not None:
            query = query.where(StatementRow.incident_id == incident_id)
        query = query.order_by(StatementRow.updated_at.desc(), StatementRow.id.desc())
        with self._read() as session:
            rows = session.execute(query).all()
            version_ids = [row.version_id for row in rows]
            approvers: dict[int, list[str]] = defaultdict(list)
            for start in range(0, len(version_ids), IN_CHUNK):
                found = session.execute(
                    select(ApprovalRow.version_id, ApprovalRow.approver)
                    .where(
                        ApprovalRow.version_id.in_(version_ids[start : start + IN_CHUNK]),
                        ApprovalRow.voided_at.is_(None),
                    )
                    .order_by(ApprovalRow.id)
                )
                for version_id, approver in found:
                    approvers[version_id].append(approver)
        states = {state.value: state for state in StatementState}
        return [
            Statement(
                id=row.id,
                incident_id=row.incident_id,
                title=row.title,
                state=states[row.state],
                created_by=row.created_by,
                created_at=row.created_at.replace(tzinfo=UTC),  # stored naive UTC
                updated_at=row.updated_at.replace(tzinfo=UTC),
                body=row.body,
                version_number=row.version_number,
                version_id=row.version_id,
                version_author=row.version_author,
                approved_version_id=row.approved_version_id,
                approved_text=row.approved_text,
                approvals=tuple(approvers[row.version_id]),
                note=row.note,
            )
            for row in rows
        ]

    def versions(self, statement_id: int) -> list[StatementVersion]:
        """Oldest first."""
        with self._read() as session:
            self._statement_row(session, statement_id)
            rows = session.scalars(
                select(VersionRow)
                .where(VersionRow.statement_id == statement_id)
                .order_by(VersionRow.number)
            )
            return [_version(row) for row in rows]

    # --- statements: writing --------------------------------------------------------------------

    @staticmethod
    def _add_version(
        session: Session,
        row: StatementRow,
        number: int,
        body: str,
        actor: str,
        now: datetime,
        *,
        sealed: bool,
    ) -> VersionRow:
        version = VersionRow(
            statement_id=row.id,
            number=number,
            body=body,
            author=actor,
            created_at=now,
            updated_at=now,
            sealed=sealed,
        )
        session.add(version)
        session.flush()
        return version

    def create_statement(
        self, actor: str, incident_id: int, title: str, body: str = ""
    ) -> Statement:
        """A draft with version 1 (unsealed) by `actor`."""
        actor = _actor(actor)
        title = _required_text(title, "A statement's title", TITLE)
        with self._write() as session:
            incident = self._incident_row(session, incident_id)
            now = self._now()
            row = StatementRow(
                incident_id=incident.id,
                title=title,
                state=S.DRAFT.value,
                created_by=actor,
                created_at=now,
                updated_at=now,
                note="",
            )
            session.add(row)
            session.flush()
            version = self._add_version(session, row, 1, body, actor, now, sealed=False)
            self._statement_event(
                session,
                now,
                actor,
                EventKind.STATEMENT_CREATED,
                row,
                f"Created '{title}'",
                version_id=version.id,
            )
            return _statement(row, version, [])

    def rename_statement(self, actor: str, statement_id: int, title: str) -> Statement:
        actor = _actor(actor)
        title = _required_text(title, "A statement's title", TITLE)
        with self._write() as session:
            row = self._statement_row(session, statement_id, lock=True)
            if title != row.title:
                now = self._now()
                old = row.title
                row.title = title
                row.updated_at = now
                self._statement_event(
                    session,
                    now,
                    actor,
                    EventKind.STATEMENT_RENAMED,
                    row,
                    f"Renamed '{old}' to '{title}'",
                    data={"was": old},
                )
            return self._load(session, row)

    def _void_approvals(self, session: Session, row: StatementRow, now: datetime) -> None:
        for approval in session.scalars(
            select(ApprovalRow).where(
                ApprovalRow.statement_id == row.id, ApprovalRow.voided_at.is_(None)
            )
        ):
            approval.voided_at = now
        row.approved_version_id = None
        row.approved_text = None

    def _edit(self, session: Session, row: StatementRow, actor: str, now: datetime) -> None:
        """Apply Action.EDIT (refused when scheduled, posted or withdrawn); an edit in review,
        after approval or after a failed post voids the approvals."""
        before = StatementState(row.state)
        row.state = next_state(before, Action.EDIT).value
        row.updated_at = now
        if before in VOIDED_BY_EDIT:
            self._void_approvals(session, row, now)
            row.note = ""
            self._statement_event(
                session,
                now,
                actor,
                EventKind.APPROVAL_VOIDED,
                row,
                f"'{row.title}': {VOIDED_BY_EDIT[before]}",
                data={"was": before.value},
            )

    def _change_body(
        self, session: Session, row: StatementRow, actor: str, body: str, now: datetime
    ) -> VersionRow:
        """The newest version holding `body`: unchanged, updated in place (the author's own
        unsealed version) or a new unsealed version."""
        newest = self._newest(session, row.id)
        if body == newest.body:
            return newest
        self._edit(session, row, actor, now)
        if not newest.sealed and _same_person(newest.author, actor):
            newest.body = body
            newest.updated_at = now
            return newest
        newest.sealed = True  # only the newest version may stay open
        version = self._add_version(session, row, newest.number + 1, body, actor, now, sealed=False)
        self._statement_event(
            session,
            now,
            actor,
            EventKind.VERSION_STARTED,
            row,
            f"{actor} started v{version.number} of '{row.title}'",
            version_id=version.id,
        )
        return version

    def autosave(self, actor: str, statement_id: int, body: str) -> StatementVersion:
        """Keep the editor's text; no event while the author types into their own version."""
        actor = _actor(actor)
        with self._write() as session:
            row = self._statement_row(session, statement_id, lock=True)
            return _version(self._change_body(session, row, actor, body, self._now()))

    def save_version(self, actor: str, statement_id: int, body: str) -> StatementVersion:
        """Autosave, then seal the newest version; a no-op when it is sealed and unchanged."""
        actor = _actor(actor)
        with self._write() as session:
            row = self._statement_row(session, statement_id, lock=True)
            now = self._now()
            version = self._change_body(session, row, actor, body, now)
            if not version.sealed:
                version.sealed = True
                row.updated_at = now
                self._statement_event(
                    session,
                    now,
                    actor,
                    EventKind.VERSION_SAVED,
                    row,
                    f"'{row.title}': v{version.number} saved",
                    version_id=version.id,
                )
            return _version(version)

    def restore_version(self, actor: str, statement_id: int, version_id: int) -> StatementVersion:
        """A new sealed version with an old version's body; a no-op when the text is the same."""
        actor = _actor(actor)
        with self._write() as session:
            row = self._statement_row(session, statement_id, lock=True)
            old = session.get(VersionRow, version_id)
            if old is None or old.statement_id != row.id:
                raise DeskError(f"Version #{version_id} is not a version of '{row.title}'.")
            newest = self._newest(session, row.id)
            if old.body == newest.body:
                return _version(newest)
            now = self._now()
            self._edit(session, row, actor, now)
            newest.sealed = True
            version = self._add_version(
                session, row, newest.number + 1, old.body, actor, now, sealed=True
            )
            self._statement_event(
                session,
                now,
                actor,
                EventKind.VERSION_RESTORED,
                row,
                f"'{row.title}': restored v{old.number} as v{version.number}",
                version_id=version.id,
                data={"restored": old.number},
            )
            return _version(version)

    def _grant(
        self,
        session: Session,
        row: StatementRow,
        version: VersionRow,
        actor: str,
        rendered: str,
        now: datetime,
    ) -> None:
        session.add(
            ApprovalRow(
                statement_id=row.id,
                version_id=version.id,
                approver=actor,
                at=now,
                rendered_text=rendered,
                voided_at=None,
            )
        )

    def _mark_approved(self, row: StatementRow, version: VersionRow, rendered: str) -> None:
        row.state = next_state(StatementState(row.state), Action.APPROVE).value
        row.approved_version_id = version.id
        row.approved_text = rendered

    def submit(self, actor: str, statement_id: int) -> Statement:
        """Seal the newest version and send it for review; with no approvals required it is
        approved at once. Refused when the body is empty or does not render."""
        actor = _actor(actor)
        with self._write() as session:
            row = self._statement_row(session, statement_id, lock=True)
            target = next_state(StatementState(row.state), Action.SUBMIT)
            version = self._newest(session, row.id)
            if not version.body.strip():
                raise DeskError("Cannot submit: the statement is empty.")
            incident = _incident(self._incident_row(session, row.incident_id))
            rendered = self._render(version.body, incident, "submit")
            if not rendered.strip():
                raise DeskError("Cannot submit: the statement renders to empty text.")
            now = self._now()
            version.sealed = True
            row.state = target.value
            row.updated_at = now
            row.note = ""
            self._statement_event(
                session,
                now,
                actor,
                EventKind.SUBMITTED,
                row,
                f"'{row.title}': submitted v{version.number} for review",
                version_id=version.id,
            )
            if self._policy(session).required == 0:
                self._grant(session, row, version, actor, rendered, now)
                self._mark_approved(row, version, rendered)
                self._statement_event(
                    session,
                    now,
                    actor,
                    EventKind.APPROVED,
                    row,
                    f"'{row.title}': approved (no approvals required)",
                    version_id=version.id,
                    data={"version": version.number, "counted": 0, "required": 0,
                          APPROVED_DIGEST: approved_digest(rendered)},
                )
            return self._load(session, row)

    def approve(self, actor: str, statement_id: int) -> Statement:
        """Approve the newest version; the statement is approved once the policy is satisfied,
        with its rendered text fixed as what gets posted."""
        actor = _actor(actor)
        with self._write() as session:
            row = self._statement_row(session, statement_id, lock=True)
            state = StatementState(row.state)
            if state is not S.IN_REVIEW:
                next_state(state, Action.APPROVE)  # raises, saying why
                raise DeskError("Only a statement in review can be approved.")
            version = self._newest(session, row.id)
            policy = self._policy(session)
            if not policy.may_approve(version.author, actor):
                raise DeskError(
                    f"You wrote v{version.number}; approval must come from someone else "
                    f"({policy.required} required)."
                )
            approvers = self._approvers(session, version.id)
            if any(_same_person(name, actor) for name in approvers):
                raise DeskError(f"You already approved v{version.number}.")
            incident = _incident(self._incident_row(session, row.incident_id))
            rendered = self._render(version.body, incident, "approve")
            now = self._now()
            self._grant(session, row, version, actor, rendered, now)
            approvers.append(actor)
            counted = len(policy.counted(version.author, approvers))
            progress = f" ({counted} of {policy.required})" if policy.required else ""
            data = {"version": version.number, "counted": counted, "required": policy.required}
            satisfied = policy.is_satisfied(version.author, approvers)
            if satisfied:  # the text that will be posted, bound into the chain
                data[APPROVED_DIGEST] = approved_digest(rendered)
            self._statement_event(
                session,
                now,
                actor,
                EventKind.APPROVED,
                row,
                f"'{row.title}': approved v{version.number}{progress}",
                version_id=version.id,
                data=data,
            )
            if satisfied:
                self._mark_approved(row, version, rendered)
            row.updated_at = now
            return self._load(session, row)

    def _move(
        self,
        actor: str,
        statement_id: int,
        action: Action,
        kind: EventKind,
        summary: Callable[[StatementRow], str],
        *,
        note: str | None = None,
        needs_approved_text: bool = False,
        void: bool = False,
        data: Mapping[str, Any] | None = None,
    ) -> Statement:
        """A state change with its event: the common shape of withdraw, reopen and publishing."""
        with self._write() as session:
            return self._move_in(
                session, actor, statement_id, action, kind, summary, note=note,
                needs_approved_text=needs_approved_text, void=void, data=data,
            )

    def _move_in(
        self,
        session: Session,
        actor: str,
        statement_id: int,
        action: Action,
        kind: EventKind,
        summary: Callable[[StatementRow], str],
        *,
        note: str | None = None,
        needs_approved_text: bool = False,
        void: bool = False,
        data: Mapping[str, Any] | None = None,
    ) -> Statement:
        actor = _actor(actor)
        row = self._statement_row(session, statement_id, lock=True)
        target = next_state(StatementState(row.state), action)
        if needs_approved_text and row.approved_text is None:
            raise DeskError(f"Cannot {action.value} this statement: it has no approved text.")
        now = self._now()
        version_id = row.approved_version_id or self._newest(session, row.id).id
        if void:
            self._void_approvals(session, row, now)
        row.state = target.value
        row.updated_at = now
        if note is not None:
            row.note = note
        self._statement_event(
            session, now, actor, kind, row, summary(row), version_id=version_id, data=data
        )
        return self._load(session, row)

    def withdraw(self, actor: str, statement_id: int, reason: str) -> Statement:
        reason = (reason or "").strip()
        if not reason:
            raise DeskError("Say why the statement is withdrawn.")
        return self._move(
            actor,
            statement_id,
            Action.WITHDRAW,
            EventKind.WITHDRAWN,
            lambda row: f"'{row.title}': withdrawn: {reason}",
            note=reason,
            void=True,
            data={"reason": reason},
        )

    def reopen(self, actor: str, statement_id: int) -> Statement:
        return self._move(
            actor,
            statement_id,
            Action.REOPEN,
            EventKind.REOPENED,
            lambda row: f"'{row.title}': reopened as a draft",
            note="",
        )

    def mark_scheduled(
        self, actor: str, statement_id: int, due_at: datetime, note: str = ""
    ) -> Statement:
        due = as_utc(due_at)
        note = note.strip()
        return self._move(
            actor,
            statement_id,
            Action.SCHEDULE,
            EventKind.SCHEDULED,
            lambda row: f"'{row.title}': scheduled for {due:%Y-%m-%d %H:%M} UTC",
            note=f"due {due:%Y-%m-%d %H:%M} UTC" + (f"; {note}" if note else ""),
            needs_approved_text=True,
            data={"due_at": due.isoformat(), "note": note},
        )

    def unschedule(self, actor: str, statement_id: int) -> Statement:
        return self._move(
            actor,
            statement_id,
            Action.UNSCHEDULE,
            EventKind.UNSCHEDULED,
            lambda row: f"'{row.title}': schedule cancelled",
            note="",
        )

    def mark_posted(self, actor: str, statement_id: int, post_ids: list[str]) -> Statement:
        with self._write() as session:
            return self.mark_posted_in(session, actor, statement_id, post_ids)

    def mark_posted_in(
        self, session: Session, actor: str, statement_id: int, post_ids: list[str]
    ) -> Statement:
        """Posted, inside the caller's transaction: the one that records the last part."""
        ids = [str(post_id) for post_id in post_ids]
        posted = "posted as " + ", ".join(ids) if ids else "posted"
        return self._move_in(
            session,
            actor,
            statement_id,
            Action.POST,
            EventKind.POSTED,
            lambda row: f"'{row.title}': {posted}",
            note=posted,
            needs_approved_text=True,
            data={"post_ids": ids},
        )

    def approval_problem(self, session: Session, statement_id: int) -> str | None:
        """Why the statement's approved text may not be posted as it stands, or None.

        The event that approved it carries the text's SHA-256: a text changed since (in the
        database, behind the desk's back) is refused. And the text is rendered again from the
        approved version with the incident as it is now, at the time of approval: when a fact
        changed since, the approval no longer covers what would be said."""
        row = self._statement_row(session, statement_id)
        if row.approved_text is None or row.approved_version_id is None:
            return None
        approval = session.scalar(
            select(EventRow)
            .where(
                EventRow.statement_id == row.id,
                EventRow.kind == str(EventKind.APPROVED),
                EventRow.version_id == row.approved_version_id,
            )
            .order_by(EventRow.id.desc())
            .limit(1)
        )
        if approval is None:
            return f"'{row.title}' has no approval on the record; approve it again."
        digest = (approval.data or {}).get(APPROVED_DIGEST)
        if digest is not None and digest != approved_digest(row.approved_text):
            return (
                f"The approved text of '{row.title}' is not the text that was approved (its "
                "SHA-256 on the record differs); nothing is posted. Check the record with "
                "`commsdesk timeline verify` and approve the statement again."
            )
        version = session.get(VersionRow, row.approved_version_id)
        incident = _incident(self._incident_row(session, row.incident_id))
        from commsdesk.statements.templates import TemplateProblem, render

        try:  # rendered as of the approval, so that only the incident's changes count
            rendered = render(version.body, incident, now=as_utc(approval.at))
        except TemplateProblem as problem:
            return f"Cannot post '{row.title}': {problem.message}"
        if rendered == row.approved_text:
            return None
        edits = session.scalars(
            select(EventRow.summary)
            .where(
                EventRow.incident_id == row.incident_id,
                EventRow.kind == str(EventKind.INCIDENT_EDITED),
                EventRow.id > approval.id,
            )
            .order_by(EventRow.id)
        ).all()
        why = "; ".join(edits) if edits else "the incident changed"
        return (
            f"The incident changed after '{row.title}' was approved ({why}), so the text would "
            "no longer say what was approved. Review it and approve it again."
        )

    def mark_failed(self, actor: str, statement_id: int, reason: str) -> Statement:
        reason = (reason or "").strip() or "no reason given"
        return self._move(
            actor,
            statement_id,
            Action.FAIL,
            EventKind.POST_FAILED,
            lambda row: f"'{row.title}': posting failed: {reason}",
            note=reason,
            data={"reason": reason},
        )

    # --- timeline -------------------------------------------------------------------------------

    def record(
        self,
        actor: str,
        kind: EventKind | str,
        summary: str,
        *,
        incident_id: int | None = None,
        statement_id: int | None = None,
        version_id: int | None = None,
        data: dict | None = None,
    ) -> TimelineEvent:
        """Append an event for something done outside the Desk (e.g. the desk was opened)."""
        actor = _actor(actor)
        kind = _required_text(str(kind), "An event's kind", 64)
        summary = _required_text(summary, "An event's summary", 10_000)
        with self._write() as session:
            row = self._append(
                session,
                self._now(),
                actor,
                kind,
                summary,
                incident_id=incident_id,
                statement_id=statement_id,
                version_id=version_id,
                data=data,
            )
            return _event(row)

    def record_stream_ended(self, actor: str, live_seconds: float | None) -> TimelineEvent:
        """The live stream was ended (after OBS confirmed it), with how long it ran."""
        from commsdesk.broadcast.on_air import live_span

        ran = live_span(live_seconds) if live_seconds is not None else "an unknown time"
        return self.record(actor, EventKind.BROADCAST_STOPPED, f"Live stream ended after {ran}",
                           data={"live_seconds": live_seconds})  # fmt: skip

    def timeline(
        self,
        *,
        after_id: int | None = None,
        before_id: int | None = None,
        limit: int | None = 500,
        kinds: list[str] | None = None,
        actor: str | None = None,
        text: str | None = None,
        incident_id: int | None = None,
    ) -> list[TimelineEvent]:
        """Newest first (`limit` None: all). `kinds` holds full kinds ("statement.approved") or
        groups ("statement"); None or empty means every kind. `text` matches the summary without
        case."""
        query = select(EventRow)
        if after_id is not None:
            query = query.where(EventRow.id > after_id)
        if before_id is not None:
            query = query.where(EventRow.id < before_id)
        if kinds:
            wanted = []
            for kind in map(str, kinds):
                if "." in kind:
                    wanted.append(EventRow.kind == kind)
                else:  # a group: "statement" matches "statement.*"
                    wanted.append(EventRow.kind.startswith(f"{kind}.", autoescape=True))
            query = query.where(or_(*wanted))
        if actor:
            query = query.where(EventRow.actor == actor)
        if text:
            query = query.where(EventRow.summary.icontains(text, autoescape=True))
        if incident_id is not None:
            query = query.where(EventRow.incident_id == incident_id)
        query = query.order_by(EventRow.id.desc()).limit(limit)
        with self._read() as session:
            return [_event(row) for row in session.scalars(query)]

    def timeline_actors(self) -> list[str]:
        with self._read() as session:
            names = session.scalars(select(EventRow.actor).distinct()).all()
        return sorted(names, key=str.casefold)

    def last_event_id(self) -> int:
        with self._read() as session:
            return session.scalar(select(func.max(EventRow.id))) or 0

    def timeline_head(self) -> TimelineHead | None:
        """The newest stored event with the number of events; None while there are none."""
        with self._read() as session:
            newest = session.execute(
                select(EventRow.id, EventRow.hash, EventRow.at)
                .order_by(EventRow.id.desc())
                .limit(1)
            ).first()
            if newest is None:
                return None
            count = session.scalar(select(func.count()).select_from(EventRow))
        return TimelineHead(newest.hash, newest.id, count, newest.at)

    def verify_timeline(
        self,
        progress: Callable[[int, int], None] | None = None,
        *,
        head: TimelineHead | None = None,
    ) -> TimelineReport:
        """Check the hash chain from the first event, streaming in batches of VERIFY_BATCH
        (`progress(checked, total)` after each batch and at the end); then the chain's end
        against the head this desk anchored and against `head` (one printed earlier); then every
        approved text against the digest its approving event carries."""
        anchored, problems, confirmed, notes = None, [], [], []
        if self.anchor is not None:  # read before the database's snapshot: never ahead of it
            try:
                anchored = self.anchor.read()
            except HeadUnreadable as exc:
                notes.append(f"The end of the timeline could not be checked: {exc}.")
            else:
                if anchored is None:
                    notes.append(
                        f"No head is anchored for this database yet ({self.anchor.path.name}), "
                        "so events cut from its end cannot show; the desk anchors its next event."
                    )
        with self._read() as session:
            total = session.scalar(select(func.count()).select_from(EventRow)) or 0
            rows = session.execute(
                select(EventRow.__table__)
                .order_by(EventRow.id)
                .execution_options(yield_per=VERIFY_BATCH)
            )
            try:
                chain = verify_chain(_streamed_events(rows, total, progress))
            finally:
                rows.close()
            newest = session.execute(
                select(EventRow.id, EventRow.hash).order_by(EventRow.id.desc()).limit(1)
            ).first()
            last = TimelineHead(newest.hash, newest.id, total) if newest is not None else None
            for given, whose, holds in (
                (anchored, "the desk last saw", "the head this desk last saw"),
                (head, "the head given is", "the head given"),
            ):
                if given is None:
                    continue
                given, problem = self._end_problem(session, given, whose, last)
                if problem is None:
                    confirmed.append(f"The chain still holds {holds}: {given}.")
                else:
                    problems.append(problem)
            approvals = approvals_by_version(
                session.execute(
                    select(EventRow.id, EventRow.statement_id, EventRow.version_id, EventRow.data)
                    .where(EventRow.kind == EventKind.APPROVED.value)
                    .order_by(EventRow.id)
                )
            )
            texts = session.execute(
                select(
                    StatementRow.id,
                    StatementRow.title,
                    StatementRow.approved_version_id,
                    StatementRow.approved_text,
                )
                .where(StatementRow.approved_text.is_not(None))
                .order_by(StatementRow.id)
            )
            found, undigested = approved_text_findings(
                (ApprovedText(*row) for row in texts), approvals
            )
            problems += found
            notes += undigested
        if progress is not None:
            progress(chain.checked, total)
        return TimelineReport(chain, last, tuple(problems), tuple(confirmed), tuple(notes))

    @staticmethod
    def _end_problem(
        session: Session, head: TimelineHead, whose: str, last: TimelineHead | None
    ) -> tuple[TimelineHead, str | None]:
        """The head with its event id found, and why the chain no longer holds it (or None)."""
        if head.event_id is None:  # pasted as a bare hash
            found = session.scalar(select(EventRow.id).where(EventRow.hash == head.hash).limit(1))
            if found is None:
                return head, missing_head_problem(head, last)
            head = TimelineHead(head.hash, found, head.count)
        at_head = session.scalar(select(EventRow.hash).where(EventRow.id == head.event_id))
        upto = session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.id <= head.event_id)
        )
        return head, end_problem(head, StoredEnd(last, at_head, upto or 0), whose)
