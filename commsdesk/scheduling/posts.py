"""What a scheduled post is, and how its time and destination are said. Pure Python: no
database, no APScheduler."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from commsdesk.clock import as_utc
from commsdesk.scheduling.policy import ScheduleRefused, zone
from commsdesk.statements.statement import StatementState

SCHEDULER = "Scheduler"  # the actor of what the scheduler does on its own


class PostState(StrEnum):
    WAITING = "waiting"
    POSTING = "posting"  # claimed by a job, "post now" or a resume; the outbox is at work
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


class PostRecord(Protocol):
    """The stored fields a ScheduledPost is read from (`ScheduledPostRow`)."""

    statement_id: int
    account: str
    sandbox: bool
    due_at: datetime
    zone: str
    state: str
    note: str


def post_from(row: PostRecord, title: str) -> ScheduledPost:
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


def local_text(due: datetime, zone_name: str) -> str:
    """'2026-11-25 15:00 CET in Europe/Berlin'; empty for UTC."""
    if zone_name == "UTC":
        return ""
    try:
        local = due.astimezone(zone(zone_name))
    except ScheduleRefused:
        return ""
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} in {zone_name}"


def when_text(due: datetime, zone_name: str) -> str:
    """'2026-11-25 14:00 UTC (2026-11-25 15:00 CET in Europe/Berlin)'."""
    local = local_text(due, zone_name)
    return f"{due:%Y-%m-%d %H:%M} UTC" + (f" ({local})" if local else "")


def where_text(account: str, sandbox: bool) -> str:
    return "to the SANDBOX" if sandbox else f"to X as {account}"
