"""The `scheduled_posts` rows and the grace period, read and changed inside the caller's
transaction. `scheduled_posts` is the truth; APScheduler's jobs are derived from it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from commsdesk.clock import as_utc
from commsdesk.desk import Desk, DeskError
from commsdesk.scheduling.jobs import drop_jobs
from commsdesk.scheduling.policy import DEFAULT_GRACE
from commsdesk.scheduling.posts import (
    OPEN,
    PostState,
    ScheduledPost,
    post_from,
    when_text,
)
from commsdesk.statements.statement import StatementState
from commsdesk.store.models import PolicyRow, ScheduledPostRow, StatementRow
from commsdesk.timeline.chain import EventKind

GRACE_KEY = "schedule_grace_minutes"
MAX_GRACE_MINUTES = 24 * 60


def grace(session: Session) -> timedelta:
    """How late a due post may still go out on its own (desk policy; 5 min unless set)."""
    row = session.get(PolicyRow, GRACE_KEY)
    try:
        minutes = int(row.value) if row is not None else None
    except ValueError:
        minutes = None
    return timedelta(minutes=minutes) if minutes is not None and minutes >= 0 else DEFAULT_GRACE


def post_row(session: Session, statement_id: int, *, lock: bool = False) -> ScheduledPostRow | None:
    query = select(ScheduledPostRow).where(ScheduledPostRow.statement_id == statement_id)
    return session.scalar(query.with_for_update() if lock else query)


def open_row(session: Session, statement_id: int, *, lock: bool = True) -> ScheduledPostRow:
    """The row of a post a person may act on (waiting, missed or failed)."""
    row = post_row(session, statement_id, lock=lock)
    if row is None or row.state not in OPEN:
        if row is not None and row.state == PostState.POSTING:
            raise DeskError(f"Statement #{statement_id} is being posted right now.")
        raise DeskError(f"Statement #{statement_id} is not scheduled.")
    return row


def miss(
    desk: Desk, session: Session, row: ScheduledPostRow, statement: StatementRow, why: str
) -> ScheduledPost:
    """Hand the post to a person (missed), with its event."""
    due = as_utc(row.due_at)
    row.state, row.note, row.updated_at = PostState.MISSED.value, why, desk.now()
    statement.note = f"missed (due {due:%Y-%m-%d %H:%M} UTC): review, then post or reschedule"
    desk.append_event(
        session,
        desk.scheduler_actor,
        EventKind.SCHEDULE_MISSED,
        f"'{statement.title}': missed — review. Due {when_text(due, row.zone)}; {why}. Not posted.",
        incident_id=statement.incident_id,
        statement_id=statement.id,
        data={"due_at": due.isoformat(), "zone": row.zone, "why": why},
    )
    return post_from(row, statement.title)


def miss_due(desk: Desk, session: Session, now: datetime, why: str) -> list[ScheduledPost]:
    """Mark every waiting post due by `now` as missed, and drop its job."""
    due = session.execute(
        select(ScheduledPostRow, StatementRow)
        .join(StatementRow, StatementRow.id == ScheduledPostRow.statement_id)
        .where(
            ScheduledPostRow.state == PostState.WAITING.value,
            ScheduledPostRow.due_at <= as_utc(now).replace(tzinfo=None),
            StatementRow.state == StatementState.SCHEDULED.value,
        )
        .order_by(ScheduledPostRow.due_at, ScheduledPostRow.id)
    ).all()
    missed = [miss(desk, session, row, statement, why) for row, statement in due]
    drop_jobs(session, [post.statement_id for post in missed])
    return missed


def recover_interrupted(desk: Desk, *, now: datetime | None = None) -> None:
    """Posts left mid-posting by an earlier run go to a person: the outbox knows what reached
    X, and "post now" finishes exactly what is missing. Given `now` (a desk taking over from
    one that went away), those still within the grace period wait to fire again instead: the
    outbox and the publication's claim keep them exactly once."""
    with desk.transaction() as session:
        rows = session.execute(
            select(ScheduledPostRow, StatementRow)
            .join(StatementRow, StatementRow.id == ScheduledPostRow.statement_id)
            .where(ScheduledPostRow.state == PostState.POSTING.value)
            .with_for_update(of=ScheduledPostRow)
        ).all()
        allowed = grace(session)
        for row, statement in rows:
            if statement.state == StatementState.POSTED:
                row.state = PostState.POSTED.value
            elif now is not None and as_utc(now) - as_utc(row.due_at) <= allowed:
                row.state, row.updated_at = PostState.WAITING.value, desk.now()
                desk.append_event(
                    session,
                    desk.scheduler_actor,
                    EventKind.SCHEDULE_TAKEN_OVER,
                    f"'{statement.title}': posting was interrupted on another desk; this desk "
                    "continues it (parts already on X are not posted again).",
                    incident_id=statement.incident_id,
                    statement_id=statement.id,
                )
            else:
                miss(desk, session, row, statement, "posting was interrupted")
