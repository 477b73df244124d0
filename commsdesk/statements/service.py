"""Statement use cases: create, rename, autosave, save and restore versions, take one back to
draft, and read them back. An edit in review or after approval voids the approvals
(VOIDED_BY_EDIT). Each change and its timeline events are one transaction.

A statement is read with the state of its scheduled post while it is scheduled, so every panel
says the same thing ("Missed: review", not "Scheduled", while it waits for a person)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from commsdesk.clock import as_utc
from commsdesk.incidents.service import Incidents
from commsdesk.statements.statement import (
    Action,
    Statement,
    StatementState,
    StatementVersion,
    next_state,
    same_person,
)
from commsdesk.store.models import (
    TITLE,
    ApprovalRow,
    EventRow,
    ScheduledPostRow,
    StatementRow,
    VersionRow,
)
from commsdesk.store.session import DeskError, actor_name, required_text
from commsdesk.timeline.chain import EventKind

IN_CHUNK = 500  # ids per IN (...) list
S = StatementState
# Why approvals stop counting when a statement in this state is edited.
VOIDED_BY_EDIT = {
    S.IN_REVIEW: "edited during review",
    S.APPROVED: "edited after approval; needs approval again",
    S.FAILED: "edited after a failed post; needs approval again",
}


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


def _statement(
    row: StatementRow, newest: VersionRow, approvers: list[str], schedule: str | None = None
) -> Statement:
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
        schedule=schedule if row.state == S.SCHEDULED.value else None,
    )


class Statements(Incidents):
    """Statements and their versions: reading, editing, saving and restoring."""

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
        schedule = None
        if row.state == S.SCHEDULED.value:
            schedule = session.scalar(
                select(ScheduledPostRow.state).where(ScheduledPostRow.statement_id == row.id)
            )
        return _statement(row, newest, self._approvers(session, newest.id), schedule)

    def statement(self, statement_id: int) -> Statement:
        with self._read() as session:
            return self._load(session, self._statement_row(session, statement_id))

    def list_statements(
        self, incident_id: int | None, *, limit: int | None = None
    ) -> list[Statement]:
        """Newest updated first; `incident_id` None lists every incident's statements; `limit`
        the newest so many only (what a list shows first)."""
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
            ScheduledPostRow.state.label("schedule"),
        ).join(
            VersionRow,
            and_(VersionRow.statement_id == StatementRow.id, VersionRow.number == newest_number),
        ).outerjoin(ScheduledPostRow, ScheduledPostRow.statement_id == StatementRow.id)
        if incident_id is not None:
            query = query.where(StatementRow.incident_id == incident_id)
        query = query.order_by(StatementRow.updated_at.desc(), StatementRow.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self._read() as session:
            result = session.execute(query)
            at = {name: i for i, name in enumerate(result.keys())}  # rows read by position
            rows = result.all()
            approvers = self._current_approvers(session, incident_id, rows, at["version_id"])
        states = {state.value: state for state in StatementState}
        scheduled = S.SCHEDULED.value
        (i_id, i_incident, i_title, i_state, i_by, i_created, i_updated, i_body, i_number,
         i_version, i_author, i_approved_version, i_approved_text, i_note, i_schedule) = (
            at[name] for name in (
                "id", "incident_id", "title", "state", "created_by", "created_at", "updated_at",
                "body", "version_number", "version_id", "version_author", "approved_version_id",
                "approved_text", "note", "schedule",
            )
        )  # fmt: skip
        return [
            Statement(
                id=row[i_id],
                incident_id=row[i_incident],
                title=row[i_title],
                state=states[row[i_state]],
                created_by=row[i_by],
                created_at=row[i_created].replace(tzinfo=UTC),  # stored naive UTC
                updated_at=row[i_updated].replace(tzinfo=UTC),
                body=row[i_body],
                version_number=row[i_number],
                version_id=row[i_version],
                version_author=row[i_author],
                approved_version_id=row[i_approved_version],
                approved_text=row[i_approved_text],
                approvals=approvers.get(row[i_version], ()),
                note=row[i_note],
                schedule=row[i_schedule] if row[i_state] == scheduled else None,
            )
            for row in rows
        ]

    @staticmethod
    def _current_approvers(
        session: Session, incident_id: int | None, rows, version_at: int
    ) -> dict[int, tuple[str, ...]]:
        """Who approved each listed version (approvals not voided), in the order they came. A
        whole incident's are read in one query; a few rows by their version ids."""
        version_ids = [row[version_at] for row in rows]
        query = (
            select(ApprovalRow.version_id, ApprovalRow.approver)
            .where(ApprovalRow.voided_at.is_(None))
            .order_by(ApprovalRow.id)
        )
        if incident_id is not None and len(version_ids) > IN_CHUNK:
            query = query.join(VersionRow, VersionRow.id == ApprovalRow.version_id).join(
                StatementRow, StatementRow.id == VersionRow.statement_id
            ).where(StatementRow.incident_id == incident_id)
            found = session.execute(query).all()
        else:
            found = []
            for start in range(0, len(version_ids), IN_CHUNK):
                chunk = version_ids[start : start + IN_CHUNK]
                found += session.execute(query.where(ApprovalRow.version_id.in_(chunk))).all()
        wanted = set(version_ids)
        approvers: dict[int, list[str]] = defaultdict(list)
        for version_id, approver in found:
            if version_id in wanted:
                approvers[version_id].append(approver)
        return {version_id: tuple(names) for version_id, names in approvers.items()}

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
        actor = actor_name(actor)
        title = required_text(title, "A statement's title", TITLE)
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
        actor = actor_name(actor)
        title = required_text(title, "A statement's title", TITLE)
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

    def return_to_draft(self, actor: str, statement_id: int) -> Statement:
        """A person chose to edit a statement in review, approved or failed: it goes back to
        draft and its approvals stop counting, said on the timeline. A draft stays as it is;
        a scheduled, posted or withdrawn statement is refused, saying why."""
        actor = actor_name(actor)
        with self._write() as session:
            row = self._statement_row(session, statement_id, lock=True)
            before = StatementState(row.state)
            if before is S.DRAFT:
                return self._load(session, row)
            now = self._now()
            row.state = next_state(before, Action.EDIT).value
            row.updated_at = now
            voided = len(self._approvers(session, self._newest(session, row.id).id))
            self._void_approvals(session, row, now)
            row.note = ""
            was = {S.IN_REVIEW: "withdrawn from review", S.APPROVED: "its approval withdrawn",
                   S.FAILED: "its approval withdrawn after the failed post"}[before]
            counted = ""
            if voided:
                counted = ("; 1 approval no longer counts" if voided == 1
                           else f"; {voided} approvals no longer count")
            self._statement_event(
                session,
                now,
                actor,
                EventKind.APPROVAL_VOIDED,
                row,
                f"'{row.title}': back to draft to edit, {was}{counted}",
                data={"was": before.value, "voided": voided},
            )
            return self._load(session, row)

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
        self,
        session: Session,
        row: StatementRow,
        actor: str,
        body: str,
        now: datetime,
        based_on: str | None = None,
    ) -> tuple[VersionRow, str]:
        """The newest version holding `body`: unchanged, updated in place (the author's own
        unsealed version) or a new unsealed version; and, when the newest text is no longer
        `based_on` (the text this edit started from: someone else saved meanwhile), a sentence
        saying so. Then nothing is overwritten: the other text stays a version of its own."""
        newest = self._newest(session, row.id)
        if body == newest.body:
            return newest, ""
        self._edit(session, row, actor, now)
        if based_on is not None and newest.body != based_on:
            newest.sealed = True
            version = self._add_version(
                session, row, newest.number + 1, body, actor, now, sealed=False
            )
            meanwhile = (
                f"{newest.author} changed '{row.title}' while you were editing "
                f"(v{newest.number}, {as_utc(newest.updated_at):%H:%M:%S} UTC). Both are "
                f"kept: theirs as v{newest.number}, yours as v{version.number}; compare them "
                "in the versions."
            )
            self._statement_event(
                session, now, actor, EventKind.VERSION_STARTED, row,
                f"{actor} saved v{version.number} of '{row.title}' over a change by "
                f"{newest.author} (v{newest.number} kept)",
                version_id=version.id, data={"kept": newest.number},
            )  # fmt: skip
            return version, meanwhile
        if not newest.sealed and same_person(newest.author, actor):
            newest.body = body
            newest.updated_at = now
            return newest, ""
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
        return version, ""

    def autosave(
        self, actor: str, statement_id: int, body: str, *, based_on: str | None = None
    ) -> StatementVersion:
        """Keep the editor's text; no event while the author types into their own version.
        `based_on`: the text the editor started from; see `_change_body`."""
        actor = actor_name(actor)
        with self._write() as session:
            row = self._statement_row(session, statement_id, lock=True)
            version, meanwhile = self._change_body(
                session, row, actor, body, self._now(), based_on
            )
            return replace(_version(version), meanwhile=meanwhile)

    def save_version(
        self, actor: str, statement_id: int, body: str, *, based_on: str | None = None
    ) -> StatementVersion:
        """Autosave, then seal the newest version; a no-op when it is sealed and unchanged."""
        actor = actor_name(actor)
        with self._write() as session:
            row = self._statement_row(session, statement_id, lock=True)
            now = self._now()
            version, meanwhile = self._change_body(session, row, actor, body, now, based_on)
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
            return replace(_version(version), meanwhile=meanwhile)

    def restore_version(self, actor: str, statement_id: int, version_id: int) -> StatementVersion:
        """A new sealed version with an old version's body; a no-op when the text is the same."""
        actor = actor_name(actor)
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
