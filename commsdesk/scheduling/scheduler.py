"""Scheduled posts: an approved statement goes out at a chosen time, or waits for a person.

`scheduled_posts` is the truth; APScheduler (3.11, BackgroundScheduler, one worker thread) keeps
one job per waiting post, `post-statement-<id>`, in the `apscheduler_jobs` table of the desk's
own database, so jobs survive a restart. A job only decides; the posting itself goes through the
`executor` (the desk hands it to its X lane) and the publisher's outbox (exactly once).

When a job fires, `due_state` decides: due or late within the grace period (desk policy
`schedule_grace_minutes`, default 5) → posted; later than that → missed, kept for a person to
review, never posted on its own. While posting is paused nothing goes out automatically; on
resume everything that fell due meanwhile is marked missed and handed back for review.

The pause is kept in `desk_policy`, so it survives restarts and is shared with the command line
(`commsdesk schedule pause/resume`), which changes the database directly. A running desk picks
such a change up at its next check (every `check_every` seconds); until then its jobs still read
the pause from the database before posting, so nothing goes out while the database says paused.

Every method does database work: call it off the UI thread. `on_change` and `on_missed` are
called from scheduler threads; the UI must hand them over to its own thread (a queued signal).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_PAUSED
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commsdesk.clock import as_utc, utc_now
from commsdesk.desk import Desk, DeskError
from commsdesk.publishing.holds import (
    PAUSE_KEYS,
    PAUSED_AT_KEY,
    PAUSED_BY_KEY,
    PAUSED_REASON_KEY,
    PauseState,
    pause_state,
    set_policy,
)
from commsdesk.publishing.publication import PublicationState
from commsdesk.publishing.publisher import Publisher
from commsdesk.scheduling.policy import (
    DEFAULT_GRACE,
    Due,
    ScheduleRefused,
    due_state,
    resolve_local,
    zone,
)
from commsdesk.statements.statement import Statement, StatementState
from commsdesk.store.database import writer
from commsdesk.store.models import PolicyRow, ScheduledPostRow, SchedulerJobRow, StatementRow
from commsdesk.timeline.chain import EventKind

log = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
SCHEDULER = "Scheduler"  # the actor of what the scheduler does on its own
GRACE_KEY = "schedule_grace_minutes"
MAX_REASON = 400
MAX_GRACE_MINUTES = 24 * 60
CHECK_EVERY = 30.0  # seconds between checks of the persisted pause

Executor = Callable[[Callable[[], None]], None]


class PostState(StrEnum):
    WAITING = "waiting"
    POSTING = "posting"  # claimed by a job or "post now"; the outbox is at work
    POSTED = "posted"
    MISSED = "missed"  # a person reviews it: post now, reschedule or cancel
    FAILED = "failed"  # the publication stopped; its error is the note
    CANCELLED = "cancelled"


OPEN = (PostState.WAITING, PostState.MISSED, PostState.FAILED)  # what a person may act on
LISTED = (PostState.WAITING, PostState.POSTING, PostState.MISSED, PostState.FAILED)
SCHEDULABLE = (StatementState.APPROVED, StatementState.FAILED)


@dataclass(frozen=True)
class ScheduledPost:
    statement_id: int
    title: str
    account: str
    sandbox: bool
    due_at: datetime  # aware UTC
    zone: str  # the zone the person chose
    state: PostState
    note: str = ""

    @property
    def local_due(self) -> datetime:
        """The due time in the chosen zone."""
        try:
            return self.due_at.astimezone(zone(self.zone))
        except ScheduleRefused:
            return self.due_at




def job_id(statement_id: int) -> str:
    return f"post-statement-{statement_id}"


def _local(due: datetime, zone_name: str) -> str:
    """'2026-11-25 15:00 CET in Europe/Berlin'; empty for UTC."""
    if zone_name == "UTC":
        return ""
    try:
        local = due.astimezone(zone(zone_name))
    except ScheduleRefused:
        return ""
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} in {zone_name}"


def _when(due: datetime, zone_name: str) -> str:
    """'2026-11-25 14:00 UTC (2026-11-25 15:00 CET in Europe/Berlin)'."""
    local = _local(due, zone_name)
    return f"{due:%Y-%m-%d %H:%M} UTC" + (f" ({local})" if local else "")


def _where(account: str, sandbox: bool) -> str:
    return "to the SANDBOX" if sandbox else f"to X as {account}"


def _post(row: ScheduledPostRow, title: str) -> ScheduledPost:
    return ScheduledPost(
        statement_id=row.statement_id,
        title=title,
        account=row.account,
        sandbox=row.sandbox,
        due_at=as_utc(row.due_at),
        zone=row.zone,
        state=PostState(row.state),
        note=row.note,
    )


# --- the job ------------------------------------------------------------------------------------

_running: dict[str, PostScheduler] = {}
_running_lock = threading.Lock()


def _desk_key(desk: Desk) -> str:
    return desk.engine.url.render_as_string(hide_password=True)


def fire(statement_id: int, desk: str) -> None:
    """The job APScheduler stores (by reference): find the running scheduler of that database
    (or the only one running) and let it decide."""
    with _running_lock:
        scheduler = _running.get(desk)
        if scheduler is None and len(_running) == 1:
            scheduler = next(iter(_running.values()))
    if scheduler is None:
        # The waiting row stays; start() adds its job again.
        raise RuntimeError(f"No scheduler is running for {desk}; statement #{statement_id} waits")
    scheduler.fell_due(statement_id)


class _DeskJobStore(SQLAlchemyJobStore):
    """APScheduler's store on the desk's engine, whose transactions are known to write (on SQLite
    BEGIN IMMEDIATE, so the store queues behind the desk instead of failing). The engine is the
    desk's: shutting the scheduler down must not dispose of it."""

    def shutdown(self) -> None:
        pass

    def remove_job(self, job_id: str) -> None:
        """A job already gone is fine. The desk deletes a post's job in the transaction that
        settles the post (`_drop_jobs`), which can land just before APScheduler's own thread
        removes the same one-off job after handing it to the worker. APScheduler's loop does
        not survive a JobLookupError there: its thread ends and no later post would go out."""
        with contextlib.suppress(JobLookupError):
            super().remove_job(job_id)


# --- the scheduler ------------------------------------------------------------------------------


class PostScheduler:
    """Posts approved statements when they fall due; see the module docstring.

    `publisher` may be None for a desk that only lists, pauses and resumes (the command line).
    `executor(work)` runs a posting; by default inline, in the scheduler's worker thread.
    """

    def __init__(
        self,
        desk: Desk,
        publisher: Publisher | None,
        *,
        clock: Callable[[], datetime] = utc_now,
        executor: Executor | None = None,
        check_every: float = CHECK_EVERY,
        numbering: Callable[[], bool] = lambda: True,
    ) -> None:
        """`numbering` is asked at each post: whether a thread's parts carry '1/5'."""
        self.desk = desk
        self.numbering = numbering
        self.publisher = publisher
        self.clock = clock
        self.executor: Executor = executor or (lambda work: work())
        self.check_every = check_every
        self.on_change: Callable[[], None] | None = None
        self.on_missed: Callable[[ScheduledPost], None] | None = None
        self._key = _desk_key(desk)
        self._stop = threading.Event()
        self._pause_lock = threading.Lock()  # the persisted pause and APScheduler's, in step
        self._watch: threading.Thread | None = None
        self._scheduler = BackgroundScheduler(
            jobstores={"default": _DeskJobStore(engine=writer(desk.engine), tablename=JOBS_TABLE)},
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            timezone=UTC,
        )

    # --- running ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._scheduler.running

    def start(self) -> None:
        """Start processing (paused if the desk's policy says so). Posts found mid-posting from
        an interrupted run are marked missed; waiting posts without a job get one."""
        if self.publisher is None:
            raise DeskError("A desk without a publisher cannot run scheduled posts.")
        with _running_lock:
            _running[self._key] = self
        self._scheduler.start(paused=True)
        self._recover_interrupted()
        self._ensure_jobs()
        if self.paused() is None:
            self._scheduler.resume()
        self._stop.clear()
        self._watch = threading.Thread(target=self._watch_loop, name="schedule-check", daemon=True)
        self._watch.start()

    def shutdown(self, wait: bool = True) -> None:
        """Stop; with `wait`, after a posting in progress in the worker thread has finished."""
        self._stop.set()
        if self._watch is not None:
            self._watch.join()
            self._watch = None
        if self._scheduler.running:
            # APScheduler looks for due jobs once more after shutting down, and fails on them:
            # without its store it finds none. The jobs stay in the table.
            self._scheduler.remove_jobstore("default", shutdown=False)
            self._scheduler.shutdown(wait=wait)
        with _running_lock:
            if _running.get(self._key) is self:
                del _running[self._key]

    def refresh(self) -> None:
        """Follow the persisted pause (the command line may have changed it) and give waiting
        posts whose job is gone a new one. Called every `check_every` seconds."""
        changed = False
        with self._pause_lock:
            if not self._scheduler.running:
                return
            held = self.paused() is not None
            if held and self._scheduler.state != STATE_PAUSED:
                self._scheduler.pause()
                changed = True
            elif not held:
                if self._scheduler.state == STATE_PAUSED:
                    self._scheduler.resume()
                    changed = True
                self._ensure_jobs()
        if changed:
            self._changed()

    def _watch_loop(self) -> None:
        while not self._stop.wait(self.check_every):
            try:
                self.refresh()
            except Exception:
                log.exception("checking the schedule failed")

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
            return [_post(row, title) for row, title in session.execute(query)]

    def scheduled(self, statement_id: int) -> ScheduledPost | None:
        """The schedule of one statement, in any state; None if it was never scheduled."""
        with self.desk.reading() as session:
            row = self._row(session, statement_id)
            if row is None:
                return None
            return _post(row, session.get(StatementRow, statement_id).title)

    def paused(self) -> PauseState | None:
        with self.desk.reading() as session:
            return pause_state(session)

    def grace(self) -> timedelta:
        with self.desk.reading() as session:
            return _grace(session)

    def set_grace(self, actor: str, minutes: int) -> None:
        """How late a due post may still go out on its own (desk policy)."""
        if not isinstance(minutes, int) or not 0 <= minutes <= MAX_GRACE_MINUTES:
            raise DeskError(
                f"The grace period must be a whole number of minutes from 0 to {MAX_GRACE_MINUTES}."
            )
        with self.desk.transaction() as session:
            old = int(_grace(session).total_seconds() // 60)
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
        note = "; ".join(filter(None, [_local(due, zone_name), _where(account, sandbox)]))
        self.desk.mark_scheduled(actor, statement_id, due, note=note)
        with self.desk.transaction() as session:
            now = self.desk.now()
            row = self._row(session, statement_id)
            if row is None:
                row = ScheduledPostRow(statement_id=statement_id, created_at=now)
                session.add(row)
            row.account, row.sandbox = account, sandbox
            row.due_at, row.zone = due.replace(tzinfo=None), zone_name
            row.state, row.note = PostState.WAITING.value, ""
            row.created_by, row.updated_at = actor.strip(), now
            session.flush()
            post = _post(row, statement.title)
        self._add_job(statement_id, due)
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
            row = self._open_row(session, statement_id, lock=False)
            account, sandbox = row.account, row.sandbox
            failed = session.get(StatementRow, statement_id).state == StatementState.FAILED
        if failed:  # the statement left the schedule when posting failed: schedule it again
            return self.schedule(
                actor, statement_id, due, zone_name, account=account, sandbox=sandbox
            )
        with self.desk.transaction() as session:
            row = self._open_row(session, statement_id)
            statement = session.get(StatementRow, statement_id, with_for_update=True)
            if statement.state != StatementState.SCHEDULED:
                raise DeskError(f"'{statement.title}' is no longer scheduled.")
            now = self.desk.now()
            old = as_utc(row.due_at)
            row.due_at, row.zone = due.replace(tzinfo=None), zone_name
            row.state, row.note, row.updated_at = PostState.WAITING.value, "", now
            statement.note = "; ".join(
                filter(
                    None,
                    [
                        f"due {due:%Y-%m-%d %H:%M} UTC",
                        _local(due, zone_name),
                        _where(row.account, row.sandbox),
                    ],
                )
            )
            statement.updated_at = now
            _drop_jobs(session, [statement_id])
            self.desk.append_event(
                session,
                actor,
                EventKind.RESCHEDULED,
                f"'{statement.title}': rescheduled from {old:%Y-%m-%d %H:%M} UTC to "
                f"{_when(due, zone_name)}",
                incident_id=statement.incident_id,
                statement_id=statement_id,
                data={"due_at": due.isoformat(), "was": old.isoformat(), "zone": zone_name},
            )
            session.flush()
            post = _post(row, statement.title)
        self._add_job(statement_id, due)
        self._changed()
        return post

    def cancel(self, actor: str, statement_id: int) -> Statement:
        """Take a post off the schedule; the statement is approved again (or stays failed)."""
        with self.desk.reading() as session:
            self._open_row(session, statement_id, lock=False)
        if self.desk.statement(statement_id).state is StatementState.SCHEDULED:
            self.desk.unschedule(actor, statement_id)
        with self.desk.transaction() as session:
            row = self._row(session, statement_id)
            row.state, row.note, row.updated_at = PostState.CANCELLED.value, "", self.desk.now()
            _drop_jobs(session, [statement_id])
        self._changed()
        return self.desk.statement(statement_id)

    def post_now(self, actor: str, statement_id: int, *, despite_pause: bool = False) -> None:
        """Post a waiting, missed or failed scheduled post at once, through the executor. While
        all posting is paused only with `despite_pause`, a person's decision that goes on the
        timeline with the pause it overrides. The outcome arrives through on_change."""
        if self.publisher is None:
            raise DeskError("This desk cannot post.")
        with self.desk.transaction() as session:
            held = pause_state(session)
            if held is not None and not despite_pause:
                raise DeskError(
                    f"All posting is {held.describe()}. Post it anyway only by overriding the "
                    "pause, or resume posting first."
                )
            row = self._open_row(session, statement_id)
            statement = session.get(StatementRow, statement_id)
            if statement.state not in (StatementState.SCHEDULED, StatementState.FAILED):
                raise DeskError(f"'{statement.title}' is no longer scheduled.")
            row.state, row.updated_at = PostState.POSTING.value, self.desk.now()
            _drop_jobs(session, [statement_id])
        self._changed()
        self._publish(statement_id, actor, despite_pause=despite_pause)

    # --- pausing ----------------------------------------------------------------------------

    def pause(self, actor: str, reason: str) -> PauseState:
        """Hold every scheduled post until resumed, for everyone using this database."""
        actor = (actor or "").strip()
        reason = " ".join((reason or "").split())
        if not reason:
            raise DeskError("Say why scheduled posting is paused.")
        if len(reason) > MAX_REASON:
            raise DeskError(
                f"The reason is too long ({len(reason)} characters; at most {MAX_REASON})."
            )
        with self._pause_lock:
            with self.desk.transaction() as session:
                held = pause_state(session)
                if held is not None:
                    raise DeskError(
                        f"Scheduled posting is already paused, by {held.by} since "
                        f"{held.since:%Y-%m-%d %H:%M} UTC: {held.reason}"
                    )
                event = self.desk.append_event(
                    session,
                    actor,
                    EventKind.SCHEDULE_PAUSED,
                    f"Scheduled posting paused by {actor}: {reason}",
                    data={"reason": reason},
                )
                state = PauseState(event.actor, reason, as_utc(event.at))
                set_policy(session, PAUSED_AT_KEY, state.since.isoformat())
                set_policy(session, PAUSED_BY_KEY, state.by)
                set_policy(session, PAUSED_REASON_KEY, reason)
            if self._scheduler.running:
                self._scheduler.pause()
        self._changed()
        return state

    def resume(self, actor: str) -> list[ScheduledPost]:
        """Resume posting. Whatever fell due meanwhile is marked missed (not posted) and
        returned for review; later posts go out on time."""
        actor = (actor or "").strip()
        with self._pause_lock:
            with self.desk.transaction() as session:
                held = pause_state(session)
                if held is None:
                    raise DeskError("Scheduled posting is not paused.")
                for key in PAUSE_KEYS:
                    row = session.get(PolicyRow, key)
                    if row is not None:
                        session.delete(row)
                missed = self._miss_due(session)
                titles = ", ".join(f"'{post.title}'" for post in missed)
                self.desk.append_event(
                    session,
                    actor,
                    EventKind.SCHEDULE_RESUMED,
                    f"Scheduled posting resumed by {actor} (paused by {held.by}: {held.reason}); "
                    + (
                        f"{len(missed)} fell due meanwhile and wait for review: {titles}"
                        if missed
                        else "nothing fell due meanwhile"
                    ),
                    data={
                        "paused_by": held.by,
                        "reason": held.reason,
                        "missed": [post.statement_id for post in missed],
                    },
                )
            if self._scheduler.running:
                self._ensure_jobs()
                self._scheduler.resume()
        self._changed()
        return missed

    def _miss_due(self, session: Session) -> list[ScheduledPost]:
        """Mark every waiting post already due as missed, and drop its job."""
        now = as_utc(self.clock()).replace(tzinfo=None)
        due = session.execute(
            select(ScheduledPostRow, StatementRow)
            .join(StatementRow, StatementRow.id == ScheduledPostRow.statement_id)
            .where(
                ScheduledPostRow.state == PostState.WAITING.value,
                ScheduledPostRow.due_at <= now,
                StatementRow.state == StatementState.SCHEDULED.value,
            )
            .order_by(ScheduledPostRow.due_at, ScheduledPostRow.id)
        ).all()
        missed = [
            self._miss(session, row, statement, "it fell due while posting was paused")
            for row, statement in due
        ]
        _drop_jobs(session, [post.statement_id for post in missed])
        return missed

    # --- falling due ------------------------------------------------------------------------

    def fell_due(self, statement_id: int) -> None:
        """A job fired: post, mark missed, or leave it (paused, no longer scheduled)."""
        missed: ScheduledPost | None = None
        post = False
        with self.desk.transaction() as session:
            row = self._row(session, statement_id, lock=True)
            if row is None or row.state != PostState.WAITING:
                return
            statement = session.get(StatementRow, statement_id)
            if statement.state == StatementState.POSTED:
                row.state = PostState.POSTED.value
            elif statement.state != StatementState.SCHEDULED:  # withdrawn, unscheduled
                row.state = PostState.CANCELLED.value
                row.note = f"the statement was {StatementState(statement.state).label.lower()}"
            elif pause_state(session) is not None:
                return  # stays waiting; resume() hands it to a person
            else:
                now, due, grace = as_utc(self.clock()), as_utc(row.due_at), _grace(session)
                late = due_state(due, now, grace)
                if late is Due.WAIT:
                    return  # early by the desk's clock; refresh() gives it a job again
                if late is Due.MISSED:
                    minutes = int((now - due).total_seconds() // 60)
                    missed = self._miss(
                        session,
                        row,
                        statement,
                        f"the desk found it {minutes} min late, past the "
                        f"{int(grace.total_seconds() // 60)} min grace period",
                    )
                else:
                    row.state = PostState.POSTING.value
                    post = True
            row.updated_at = self.desk.now()
        self._changed()
        if missed is not None and self.on_missed is not None:
            try:
                self.on_missed(missed)
            except Exception:
                log.exception("on_missed failed")
        if post:
            self._publish(statement_id, SCHEDULER)

    def _miss(
        self, session: Session, row: ScheduledPostRow, statement: StatementRow, why: str
    ) -> ScheduledPost:
        due = as_utc(row.due_at)
        row.state, row.note, row.updated_at = PostState.MISSED.value, why, self.desk.now()
        statement.note = f"missed (due {due:%Y-%m-%d %H:%M} UTC): review, then post or reschedule"
        self.desk.append_event(
            session,
            SCHEDULER,
            EventKind.SCHEDULE_MISSED,
            f"'{statement.title}': missed — review. Due {_when(due, row.zone)}; {why}. Not posted.",
            incident_id=statement.incident_id,
            statement_id=statement.id,
            data={"due_at": due.isoformat(), "zone": row.zone, "why": why},
        )
        return _post(row, statement.title)

    def _publish(self, statement_id: int, actor: str, *, despite_pause: bool = False) -> None:
        publisher = self.publisher
        if publisher is None:
            raise DeskError("This desk cannot post.")

        def work() -> None:
            try:
                with self.desk.reading() as session:
                    row = self._row(session, statement_id)
                    account, sandbox = row.account, row.sandbox
                publication = publisher.prepare_statement(
                    actor, statement_id, account, sandbox=sandbox, numbering=self.numbering()
                )
                publication = publisher.run(actor, publication.id, despite_pause=despite_pause)
            except Exception as exc:
                log.exception("scheduled post of statement #%s failed", statement_id)
                self._settle(
                    statement_id, PostState.FAILED, str(exc) or type(exc).__name__, actor=actor
                )
                return
            if publication.state is PublicationState.POSTED:
                self._settle(
                    statement_id, PostState.POSTED, "posted as " + ", ".join(publication.post_ids)
                )
            elif publication.state is PublicationState.HELD:  # a person decides when
                self._settle(statement_id, PostState.MISSED, publication.error)
            else:  # the publisher recorded why
                self._settle(statement_id, PostState.FAILED, publication.error)

        self.executor(work)

    def _settle(
        self, statement_id: int, state: PostState, note: str, *, actor: str | None = None
    ) -> None:
        """The outcome of a posting; with `actor`, an error the publisher did not record."""
        with self.desk.transaction() as session:
            row = self._row(session, statement_id, lock=True)
            row.state, row.note, row.updated_at = state.value, note, self.desk.now()
            if actor is not None:
                statement = session.get(StatementRow, statement_id)
                self.desk.append_event(
                    session,
                    actor,
                    EventKind.SCHEDULE_FAILED,
                    f"'{statement.title}': scheduled post not sent: {note}",
                    incident_id=statement.incident_id,
                    statement_id=statement_id,
                    data={"error": note},
                )
        self._changed()

    # --- plumbing ---------------------------------------------------------------------------

    def _future(self, due_at_utc: datetime, zone_name: str) -> datetime:
        zone(zone_name)  # raises ScheduleRefused for an unknown zone
        due = as_utc(due_at_utc)
        if due <= as_utc(self.clock()):
            raise ScheduleRefused(
                f"{_when(due, zone_name)} has already passed. Choose a later time, or post now."
            )
        return due

    @staticmethod
    def _row(session: Session, statement_id: int, *, lock: bool = False) -> ScheduledPostRow | None:
        query = select(ScheduledPostRow).where(ScheduledPostRow.statement_id == statement_id)
        return session.scalar(query.with_for_update() if lock else query)

    def _open_row(
        self, session: Session, statement_id: int, *, lock: bool = True
    ) -> ScheduledPostRow:
        """The row of a post a person may act on (waiting, missed or failed)."""
        row = self._row(session, statement_id, lock=lock)
        if row is None or row.state not in OPEN:
            if row is not None and row.state == PostState.POSTING:
                raise DeskError(f"Statement #{statement_id} is being posted right now.")
            raise DeskError(f"Statement #{statement_id} is not scheduled.")
        return row

    def _add_job(self, statement_id: int, due: datetime) -> None:
        """The job of a waiting post; without a running scheduler start() adds it."""
        if not self._scheduler.running:
            return
        self._scheduler.add_job(
            fire,
            trigger="date",
            run_date=due,
            id=job_id(statement_id),
            name=f"post statement #{statement_id}",
            args=[statement_id],
            kwargs={"desk": self._key},
            replace_existing=True,
        )

    def _ensure_jobs(self) -> None:
        with self.desk.reading() as session:
            waiting = session.execute(
                select(ScheduledPostRow.statement_id, ScheduledPostRow.due_at).where(
                    ScheduledPostRow.state == PostState.WAITING.value
                )
            ).all()
            jobs = set(session.scalars(select(SchedulerJobRow.id)))
        for statement_id, due in waiting:
            if job_id(statement_id) not in jobs:
                self._add_job(statement_id, as_utc(due))

    def _recover_interrupted(self) -> None:
        """Posts left mid-posting by an earlier run go to a person: the outbox knows what
        reached X, and "post now" finishes exactly what is missing."""
        with self.desk.transaction() as session:
            rows = session.execute(
                select(ScheduledPostRow, StatementRow)
                .join(StatementRow, StatementRow.id == ScheduledPostRow.statement_id)
                .where(ScheduledPostRow.state == PostState.POSTING.value)
            ).all()
            for row, statement in rows:
                if statement.state == StatementState.POSTED:
                    row.state = PostState.POSTED.value
                else:
                    self._miss(session, row, statement, "posting was interrupted")

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:
                log.exception("on_change failed")


# --- desk_policy --------------------------------------------------------------------------------



def _grace(session: Session) -> timedelta:
    row = session.get(PolicyRow, GRACE_KEY)
    try:
        minutes = int(row.value) if row is not None else None
    except ValueError:
        minutes = None
    return timedelta(minutes=minutes) if minutes is not None and minutes >= 0 else DEFAULT_GRACE


def _drop_jobs(session: Session, statement_ids: list[int]) -> None:
    """Remove jobs inside the caller's transaction: works with or without a running scheduler
    (APScheduler keeps no copy of its jobs outside the table)."""
    if statement_ids:
        ids = [job_id(statement_id) for statement_id in statement_ids]
        session.execute(delete(SchedulerJobRow).where(SchedulerJobRow.id.in_(ids)))
