"""The person's side of the schedule: schedule a statement at a time, move it, cancel it, read
what is scheduled, and the grace period. A mixin of `PostScheduler`, as the Desk is composed of
its pieces: every use case here writes its change and its event in one transaction, and the
jobs follow (`jobs.Jobs`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from commsdesk.clock import as_utc
from commsdesk.desk import Desk, DeskError
from commsdesk.publishing.holds import set_policy
from commsdesk.scheduling.jobs import Jobs, drop_jobs
from commsdesk.scheduling.policy import ScheduleRefused, resolve_local, zone
from commsdesk.scheduling.posts import (
    LISTED,
    SCHEDULABLE,
    PostState,
    ScheduledPost,
    local_text,
    post_from,
    when_text,
    where_text,
)
from commsdesk.scheduling.records import GRACE_KEY, MAX_GRACE_MINUTES, open_row, post_row
from commsdesk.scheduling.records import grace as grace_in
from commsdesk.statements.statement import Statement, StatementState
from commsdesk.store.models import ScheduledPostRow, StatementRow
from commsdesk.timeline.chain import EventKind


class Timetable:
    """Needs `desk`, `clock`, `_jobs` and `_changed` from the class it is mixed into."""

    desk: Desk
    clock: Callable[[], datetime]
    _jobs: Jobs
    _changed: Callable[[], None]  # tells on_change

    # --- reading ----------------------------------------------------------------------------

    def upcoming(self) -> list[ScheduledPost]:
        """Posts waiting, being posted, missed or failed (still to review), by due time."""
        query = (
            select(ScheduledPostRow, StatementRow.title)
            .join(StatementRow, StatementRow.id == ScheduledPostRow.statement_id)
            .where(
                ScheduledPostRow.state.in_([s.value for s in LISTED]),
                StatementRow.state.in_(
                    [StatementState.SCHEDULED.value, StatementState.FAILED.value]
                ),
            )
            .order_by(ScheduledPostRow.due_at, ScheduledPostRow.id)
        )
        with self.desk.reading() as session:
            return [post_from(row, title) for row, title in session.execute(query)]

    def scheduled(self, statement_id: int) -> ScheduledPost | None:
        """The schedule of one statement, in any state; None if it was never scheduled."""
        with self.desk.reading() as session:
            row = post_row(session, statement_id)
            if row is None:
                return None
            return post_from(row, session.get(StatementRow, statement_id).title)

    def grace(self) -> timedelta:
        with self.desk.reading() as session:
            return grace_in(session)

    def set_grace(self, actor: str, minutes: int) -> None:
        """How late a due post may still go out on its own (desk policy)."""
        if not isinstance(minutes, int) or not 0 <= minutes <= MAX_GRACE_MINUTES:
            raise DeskError(
                f"The grace period must be a whole number of minutes from 0 to {MAX_GRACE_MINUTES}."
            )
        with self.desk.transaction() as session:
            old = int(grace_in(session).total_seconds() // 60)
            if old == minutes:
                return
            set_policy(session, GRACE_KEY, str(minutes))
            self.desk.append_event(
                session,
                actor,
                EventKind.POLICY_CHANGED,
                f"Grace period for scheduled posts {old} → {minutes} min",
                data={GRACE_KEY: minutes, "was": old},
            )

    # --- scheduling -------------------------------------------------------------------------

    def schedule(
        self,
        actor: str,
        statement_id: int,
        due_at_utc: datetime,
        zone_name: str,
        *,
        account: str,
        sandbox: bool,
    ) -> ScheduledPost:
        """Schedule an approved statement. A bad zone or a time already passed raise
        ScheduleRefused; a statement that is not approved raises DeskError."""
        due = self._future(due_at_utc, zone_name)
        account = (account or "").strip()
        if not account:
            raise DeskError("Choose the X account to post as.")
        statement = self.desk.statement(statement_id)
        if statement.state is StatementState.SCHEDULED:
            raise DeskError(f"'{statement.title}' is already scheduled; reschedule or cancel it.")
        if statement.state not in SCHEDULABLE or statement.approved_text is None:
            raise DeskError(
                f"Only an approved statement can be scheduled; '{statement.title}' is "
                f"{statement.state.label.lower()}."
            )
        note = "; ".join(filter(None, [local_text(due, zone_name), where_text(account, sandbox)]))
        self.desk.mark_scheduled(actor, statement_id, due, note=note)
        with self.desk.transaction() as session:
            now = self.desk.now()
            row = post_row(session, statement_id)
            if row is None:
                row = ScheduledPostRow(statement_id=statement_id, created_at=now)
                session.add(row)
            row.account, row.sandbox = account, sandbox
            row.due_at, row.zone = due.replace(tzinfo=None), zone_name
            row.state, row.note = PostState.WAITING.value, ""
            row.created_by, row.updated_at = actor.strip(), now
            session.flush()
            post = post_from(row, statement.title)
        self._jobs.add(statement_id, due)
        self._changed()
        return post

    def schedule_local(
        self,
        actor: str,
        statement_id: int,
        day: date,
        clock_time: time,
        zone_name: str,
        *,
        fold: int | None = None,
        account: str,
        sandbox: bool,
    ) -> ScheduledPost:
        """Schedule at a wall-clock time in a zone. A time the clocks skip raises ScheduleRefused,
        one they show twice AmbiguousTime unless `fold` says which; nothing is stored then."""
        due = resolve_local(day, clock_time, zone_name, fold=fold)
        return self.schedule(actor, statement_id, due, zone_name, account=account, sandbox=sandbox)

    def reschedule(
        self, actor: str, statement_id: int, due_at_utc: datetime, zone_name: str
    ) -> ScheduledPost:
        """A new due time for a waiting, missed or failed post (same account)."""
        due = self._future(due_at_utc, zone_name)
        with self.desk.reading() as session:
            row = open_row(session, statement_id, lock=False)
            account, sandbox = row.account, row.sandbox
            failed = session.get(StatementRow, statement_id).state == StatementState.FAILED
        if failed:  # the statement left the schedule when posting failed: schedule it again
            return self.schedule(
                actor, statement_id, due, zone_name, account=account, sandbox=sandbox
            )
        with self.desk.transaction() as session:
            row = open_row(session, statement_id)
            statement = session.get(StatementRow, statement_id, with_for_update=True)
            if statement.state != StatementState.SCHEDULED:
                raise DeskError(f"'{statement.title}' is no longer scheduled.")
            now = self.desk.now()
            old = as_utc(row.due_at)
            row.due_at, row.zone = due.replace(tzinfo=None), zone_name
            row.state, row.note, row.updated_at = PostState.WAITING.value, "", now
            where = [local_text(due, zone_name), where_text(row.account, row.sandbox)]
            statement.note = "; ".join(filter(None, [f"due {due:%Y-%m-%d %H:%M} UTC", *where]))
            statement.updated_at = now
            drop_jobs(session, [statement_id])
            self.desk.append_event(
                session,
                actor,
                EventKind.RESCHEDULED,
                f"'{statement.title}': rescheduled from {old:%Y-%m-%d %H:%M} UTC to "
                f"{when_text(due, zone_name)}",
                incident_id=statement.incident_id,
                statement_id=statement_id,
                data={"due_at": due.isoformat(), "was": old.isoformat(), "zone": zone_name},
            )
            session.flush()
            post = post_from(row, statement.title)
        self._jobs.add(statement_id, due)
        self._changed()
        return post

    def cancel(self, actor: str, statement_id: int) -> Statement:
        """Take a post off the schedule; the statement is approved again (or stays failed)."""
        with self.desk.reading() as session:
            open_row(session, statement_id, lock=False)
        if self.desk.statement(statement_id).state is StatementState.SCHEDULED:
            self.desk.unschedule(actor, statement_id)
        with self.desk.transaction() as session:
            row = post_row(session, statement_id)
            row.state, row.note, row.updated_at = PostState.CANCELLED.value, "", self.desk.now()
            drop_jobs(session, [statement_id])
        self._changed()
        return self.desk.statement(statement_id)

    def _future(self, due_at_utc: datetime, zone_name: str) -> datetime:
        zone(zone_name)  # raises ScheduleRefused for an unknown zone
        due = as_utc(due_at_utc)
        if due <= as_utc(self.clock()):
            raise ScheduleRefused(
                f"{when_text(due, zone_name)} has already passed. Choose a later time, or post now."
            )
        return due
