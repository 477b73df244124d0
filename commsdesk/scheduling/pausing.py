"""Pause all and resume as the database records them, and the threads a pause stopped mid-way.

The pause is kept in `desk_policy` (`publishing/holds.py`), shared by every desk and the command
line. A thread in flight when it lands stops before its next part: the publisher holds the
publication, its error naming the pause (`publishing/runs.py`). Resume lifts the pause, marks
what fell due meanwhile as missed (a person reviews it), and finds the threads to continue from
where they stopped: each publication that

- this pause held (not drill mode, another pause, or another run taking it over);
- has at least one part out already (a post stopped before its first part never went out);
- no person has taken back since: its statement, if any, is still approved, scheduled or
  failed with the version being posted, and its schedule was not cancelled or moved after the
  thread began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from commsdesk.clock import as_utc
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
from commsdesk.publishing.publication import PartState, PublicationState
from commsdesk.scheduling.posts import PostState, ScheduledPost, where_text
from commsdesk.scheduling.records import miss_due, post_row
from commsdesk.statements.statement import StatementState
from commsdesk.store.models import OutboxPartRow, PolicyRow, PublicationRow, StatementRow
from commsdesk.timeline.chain import EventKind

MAX_REASON = 400
FELL_DUE = "it fell due while posting was paused"
# A statement whose thread may go on: the states a thread in flight leaves it in.
IN_FLIGHT = (StatementState.APPROVED, StatementState.SCHEDULED, StatementState.FAILED)
# A schedule a person set after the thread began: cancelled, or moved to a new time.
TAKEN_BACK = (PostState.CANCELLED, PostState.WAITING)


@dataclass(frozen=True)
class StoppedThread:
    """A publication a pause stopped mid-way."""

    publication_id: int
    statement_id: int | None  # None for a text posted from the command line
    title: str
    account: str
    sandbox: bool
    next_part: int  # 1-based: the first part not yet out
    total: int
    scheduled: bool  # its scheduled post (missed when the pause held it) follows the outcome

    def describe(self) -> str:
        """E.g. 'Update' from post 3/5 to X as ops."""
        return (
            f"'{self.title}' from post {self.next_part}/{self.total} "
            f"{where_text(self.account, self.sandbox)}"
        )


def held_by(pause: PauseState) -> str:
    """The error of a publication this pause stopped, as `runs.hold` records it."""
    return f"Held: all posting is {pause.describe()}."


def record_pause(desk: Desk, actor: str, reason: str) -> PauseState:
    """Pause all posting for everyone on this database, with its event."""
    actor = (actor or "").strip()
    reason = " ".join((reason or "").split())
    if not reason:
        raise DeskError("Say why all posting is paused.")
    if len(reason) > MAX_REASON:
        raise DeskError(f"The reason is too long ({len(reason)} characters; at most {MAX_REASON}).")
    with desk.transaction() as session:
        held = pause_state(session)
        if held is not None:
            raise DeskError(
                f"Scheduled posting is already paused, by {held.by} since "
                f"{held.since:%Y-%m-%d %H:%M} UTC: {held.reason}"
            )
        event = desk.append_event(
            session,
            actor,
            EventKind.SCHEDULE_PAUSED,
            f"All posting paused by {actor}: {reason}",
            data={"reason": reason},
        )
        state = PauseState(event.actor, reason, as_utc(event.at))
        set_policy(session, PAUSED_AT_KEY, state.since.isoformat())
        set_policy(session, PAUSED_BY_KEY, state.by)
        set_policy(session, PAUSED_REASON_KEY, reason)
    return state


def record_resume(
    desk: Desk, actor: str, now: datetime, *, continuing: bool
) -> tuple[list[ScheduledPost], list[StoppedThread]]:
    """Lift the pause: what fell due by `now` is missed, and the threads it stopped are found.
    With `continuing` (the caller continues them) their scheduled posts are marked posting;
    the event says which threads continue, or wait for a person."""
    actor = (actor or "").strip()
    with desk.transaction() as session:
        held = pause_state(session)
        if held is None:
            raise DeskError("Scheduled posting is not paused.")
        for key in PAUSE_KEYS:
            row = session.get(PolicyRow, key)
            if row is not None:
                session.delete(row)
        missed = miss_due(desk, session, now, FELL_DUE)
        threads = stopped_by(session, held)
        if continuing:
            for thread in threads:
                if thread.scheduled:
                    row = post_row(session, thread.statement_id, lock=True)
                    row.state, row.updated_at = PostState.POSTING.value, desk.now()
        titles = ", ".join(f"'{post.title}'" for post in missed)
        summary = f"Scheduled posting resumed by {actor} (paused by {held.by}: {held.reason}); " + (
            f"{len(missed)} fell due meanwhile and wait for review: {titles}"
            if missed
            else "nothing fell due meanwhile"
        )
        if threads:
            which = ", ".join(thread.describe() for thread in threads)
            summary += (
                f"; {len(threads)} thread(s) the pause stopped "
                + ("continue: " if continuing else "wait for a person to post them again: ")
                + which
            )
        desk.append_event(
            session,
            actor,
            EventKind.SCHEDULE_RESUMED,
            summary,
            data={
                "paused_by": held.by,
                "reason": held.reason,
                "missed": [post.statement_id for post in missed],
                "threads": [
                    {
                        "publication": t.publication_id,
                        "statement": t.statement_id,
                        "from_part": t.next_part,
                    }
                    for t in threads
                ],
                "continued": continuing and bool(threads),
            },
        )
    return missed, threads


def stopped_by(session: Session, pause: PauseState) -> list[StoppedThread]:
    """The threads `pause` stopped mid-way that resume continues (see the module docstring),
    oldest first."""
    held = session.scalars(
        select(PublicationRow)
        .where(
            PublicationRow.state == PublicationState.HELD.value,
            PublicationRow.error == held_by(pause),
        )
        .order_by(PublicationRow.id)
    ).all()
    threads = []
    for pub in held:
        parts = session.execute(
            select(OutboxPartRow.position, OutboxPartRow.state, OutboxPartRow.text)
            .where(OutboxPartRow.publication_id == pub.id)
            .order_by(OutboxPartRow.position)
        ).all()
        waiting = [p for p in parts if p.state != PartState.POSTED.value]
        if not waiting or len(waiting) == len(parts):
            continue  # nothing out yet (or nothing left): not a thread stopped mid-way
        title, scheduled = _first_words(parts[0].text), False
        if pub.statement_id is not None:
            statement = session.get(StatementRow, pub.statement_id)
            schedule = post_row(session, pub.statement_id)
            if _taken_back(pub, statement, schedule):
                continue
            title = statement.title
            scheduled = schedule is not None and schedule.state in (
                PostState.MISSED.value,
                PostState.FAILED.value,
            )
        threads.append(
            StoppedThread(
                publication_id=pub.id,
                statement_id=pub.statement_id,
                title=title,
                account=pub.account,
                sandbox=pub.sandbox,
                next_part=waiting[0].position + 1,
                total=len(parts),
                scheduled=scheduled,
            )
        )
    return threads


def _taken_back(pub: PublicationRow, statement: StatementRow, schedule) -> bool:
    """A person took the statement's thread back since it began (see the module docstring)."""
    if statement.state not in [s.value for s in IN_FLIGHT]:
        return True  # withdrawn, edited, or posted
    if not pub.key.startswith(f"statement:{statement.id}:v{statement.approved_version_id}:"):
        return True  # approved again since: this is no longer the text to post
    return (
        schedule is not None
        and schedule.state in [s.value for s in TAKEN_BACK]
        and schedule.updated_at >= pub.created_at
    )


def _first_words(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
