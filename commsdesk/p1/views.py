"""What the P-1 use cases answer with: a chain run as it stands, its calls and messages, read
from their rows. No Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from commsdesk.p1.chain import Call, Member, RunState
from commsdesk.p1.provider import CallOutcome
from commsdesk.store.models import IncidentRow, P1CallRow, P1MessageRow, P1RunRow


@dataclass(frozen=True)
class CallView:
    id: int
    round: int
    position: int
    name: str
    phone: str
    sid: str | None
    outcome: CallOutcome
    detail: str
    started_at: datetime  # aware UTC
    ended_at: datetime | None


@dataclass(frozen=True)
class MessageView:
    kind: str  # sent, reply, acknowledged
    name: str
    body: str
    at: datetime


@dataclass(frozen=True)
class RunView:
    id: int
    incident_id: int | None
    incident_title: str
    reason: str
    pressed_by: str
    pressed_at: datetime
    drill: bool
    provider: str
    rounds: int
    chain: tuple[Member, ...]
    state: RunState
    answered_by: str | None
    ended_at: datetime | None
    texted_at: datetime | None  # the texts went out (and replies are read from then)
    calls: tuple[CallView, ...]
    messages: tuple[MessageView, ...]

    @property
    def running(self) -> bool:
        return self.state is RunState.RUNNING

    def as_calls(self) -> list[Call]:
        return [Call(c.round, c.position, c.outcome) for c in self.calls]

    def summary(self) -> str:
        if self.state is RunState.ANSWERED:
            return f"answered by {self.answered_by}"
        if self.state is RunState.EXHAUSTED:
            return f"NO ONE ANSWERED after {self.rounds} round(s)"
        if self.state is RunState.CANCELLED:
            return "cancelled"
        pending = next((c for c in reversed(self.calls) if not c.outcome.ended), None)
        if pending is not None:
            return f"calling {pending.name} (round {pending.round})"
        return "starting"


def aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def call_rows(session, run_id: int) -> list[P1CallRow]:
    return list(session.scalars(
        select(P1CallRow).where(P1CallRow.run_id == run_id)
        .order_by(P1CallRow.round, P1CallRow.position)
    ))  # fmt: skip


def run_view(session, run: P1RunRow) -> RunView:
    incident = session.get(IncidentRow, run.incident_id) if run.incident_id else None
    messages = session.scalars(
        select(P1MessageRow).where(P1MessageRow.run_id == run.id).order_by(P1MessageRow.id)
    )
    return RunView(
        id=run.id, incident_id=run.incident_id,
        incident_title=incident.title if incident else "", reason=run.reason,
        pressed_by=run.pressed_by, pressed_at=aware(run.pressed_at), drill=run.drill,
        provider=run.provider, rounds=run.rounds,
        chain=tuple(Member(m["name"], m["phone"], m["ring_seconds"]) for m in run.chain),
        state=RunState(run.state), answered_by=run.answered_by,
        ended_at=aware(run.ended_at), texted_at=aware(run.replies_since),
        calls=tuple(call_view(c) for c in call_rows(session, run.id)),
        messages=tuple(MessageView(m.kind, m.name, m.body, aware(m.at)) for m in messages),
    )  # fmt: skip


def call_view(row: P1CallRow) -> CallView:
    return CallView(row.id, row.round, row.position, row.name, row.phone, row.sid,
                    CallOutcome(row.outcome), row.detail, aware(row.started_at),
                    aware(row.ended_at))  # fmt: skip


def masked(phone: str) -> str:
    """A number on the record shows its last four digits only."""
    return f"…{phone[-4:]}" if len(phone) > 4 else phone
