"""The P-1 use cases: the chain's people and settings, pressing, cancelling, acknowledging, and
each step the chain's runner records. Every change and its timeline event are written in one
transaction, for the window, the command line and every desk of a team alike.

Exactly once, with several desks or a desk killed mid-chain: a call's row is written before the
provider is asked (one per person per round, by a unique key), and the texts go out under a
claim taken in the run's row; see commsdesk.p1.runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from commsdesk.desk import Desk, DeskError
from commsdesk.incidents.incident import Severity
from commsdesk.p1.chain import (
    DEFAULT_ROUNDS,
    Call,
    ChainProblem,
    Member,
    RunState,
    member,
    rounds_setting,
    state_after,
)
from commsdesk.p1.provider import CallOutcome, CallStatus, Reply
from commsdesk.publishing.holds import drill_on, set_policy
from commsdesk.store.models import (
    IncidentRow,
    P1CallRow,
    P1MemberRow,
    P1MessageRow,
    P1RunRow,
    PolicyRow,
)
from commsdesk.timeline.chain import EventKind

ROUNDS_KEY = "p1_rounds"
ROOM_KEY = "p1_room"  # the conference room's link, sent in the text
REASON_LENGTH = 300


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


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


class CallChain:
    """The P-1 use cases on one desk's database."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    # --- the chain and its settings ------------------------------------------------------------
    def members(self) -> list[Member]:
        with self.desk.reading() as session:
            rows = session.scalars(select(P1MemberRow).order_by(P1MemberRow.position))
            return [Member(r.name, r.phone, r.ring_seconds) for r in rows]

    def add(self, actor: str, name: str, phone: str, ring_seconds: int | None = None) -> Member:
        try:
            new = member(name, phone, ring_seconds)
        except ChainProblem as exc:
            raise DeskError(str(exc)) from None
        with self.desk.transaction() as session:
            if session.scalar(select(P1MemberRow.id).where(P1MemberRow.name == new.name)):
                raise DeskError(f"{new.name} is in the chain already; remove them first.")
            last = session.scalar(select(func.max(P1MemberRow.position)))
            session.add(P1MemberRow(position=(last or 0) + 1, name=new.name, phone=new.phone,
                                    ring_seconds=new.ring_seconds))  # fmt: skip
            self.desk.append_event(
                session, actor, EventKind.P1_CHAIN_CHANGED,
                f"P-1 chain: {new.name} added ({_masked(new.phone)}, rings {new.ring_seconds} s)",
                data={"added": new.name, "ring_seconds": new.ring_seconds},
            )  # fmt: skip
        return new

    def remove(self, actor: str, name: str) -> None:
        name = " ".join((name or "").split())
        with self.desk.transaction() as session:
            row = session.scalar(select(P1MemberRow).where(P1MemberRow.name == name))
            if row is None:
                known = ", ".join(session.scalars(select(P1MemberRow.name))) or "no one yet"
                raise DeskError(f"No {name!r} in the chain (it has {known}).")
            session.delete(row)
            self.desk.append_event(session, actor, EventKind.P1_CHAIN_CHANGED,
                                   f"P-1 chain: {name} removed", data={"removed": name})

    def rounds(self) -> int:
        return int(self._policy(ROUNDS_KEY) or DEFAULT_ROUNDS)

    def room(self) -> str:
        return self._policy(ROOM_KEY) or ""

    def set_rounds(self, actor: str, rounds: int) -> int:
        try:
            rounds = rounds_setting(rounds)
        except (ChainProblem, ValueError) as exc:
            raise DeskError(str(exc)) from None
        with self.desk.transaction() as session:
            set_policy(session, ROUNDS_KEY, str(rounds))
            self.desk.append_event(session, actor, EventKind.P1_CHAIN_CHANGED,
                                   f"P-1 chain: {rounds} round(s)", data={"rounds": rounds})
        return rounds

    def set_room(self, actor: str, link: str) -> str:
        link = (link or "").strip()
        if len(link) > 300 or any(c.isspace() for c in link):
            raise DeskError("The conference room is one link of up to 300 characters.")
        with self.desk.transaction() as session:
            set_policy(session, ROOM_KEY, link)
            self.desk.append_event(session, actor, EventKind.P1_CHAIN_CHANGED,
                                   f"P-1 conference room: {link or 'none'}", data={"room": link})
        return link

    def _policy(self, key: str) -> str | None:
        with self.desk.reading() as session:
            row = session.get(PolicyRow, key)
            return None if row is None else row.value

    # --- pressing, cancelling, acknowledging ----------------------------------------------------
    def press(
        self, actor: str, reason: str, *, provider: str, drill: bool | None = None
    ) -> tuple[RunView, bool]:
        """Start the chain (and a P1 incident if none is open, else join the open one); when a
        chain is running already, join it. Returns the run and whether this press started it.
        `drill` None: as the desk's Drill mode."""
        reason = " ".join((reason or "").split())
        if not reason or len(reason) > REASON_LENGTH:
            raise DeskError(f"Say why in 1 to {REASON_LENGTH} characters: it is read out on "
                            "every call.")  # fmt: skip
        with self.desk.transaction() as session:
            running = session.scalar(
                select(P1RunRow).where(P1RunRow.state == RunState.RUNNING.value).limit(1)
            )
            if running is not None:
                self.desk.append_event(
                    session, actor, EventKind.P1_PRESSED,
                    f"P-1 pressed again ({reason}): the chain already running goes on",
                    incident_id=running.incident_id,
                    data={"run_id": running.id, "joined": True, "reason": reason},
                )  # fmt: skip
                return self._view(session, running), False
            members = session.scalars(select(P1MemberRow).order_by(P1MemberRow.position)).all()
            if not members:
                raise DeskError("The P-1 call chain is empty: add the people to call first "
                                "(Desk → P-1 call chain…, or commsdesk p1 chain add).")
            now = self.desk.now()
            incident = session.scalar(
                select(IncidentRow).where(IncidentRow.closed_at.is_(None))
                .order_by(IncidentRow.started_at.desc()).limit(1)
            )  # fmt: skip
            if incident is None:
                opened = self.desk.open_incident(
                    session, now, actor, f"P-1: {reason}"[:300], Severity.P1,
                    f"Started by the P-1 button: {reason}", {}, now,
                )  # fmt: skip
                incident_id, title = opened.id, opened.title
            else:
                incident_id, title = incident.id, incident.title
            drill = drill_on(session) if drill is None else drill
            setting = session.get(PolicyRow, ROUNDS_KEY)
            rounds = int(setting.value) if setting is not None else DEFAULT_ROUNDS
            run = P1RunRow(
                incident_id=incident_id, reason=reason, pressed_by=actor, pressed_at=now,
                drill=drill, provider=provider, rounds=rounds, state=RunState.RUNNING.value,
                chain=[{"name": m.name, "phone": m.phone, "ring_seconds": m.ring_seconds}
                       for m in members],
            )  # fmt: skip
            session.add(run)
            session.flush()
            # The first call's row in the same transaction: the desk that pressed places it at
            # once (ChainRunner.start); another desk sees it being placed and waits.
            session.add(P1CallRow(run_id=run.id, round=1, position=0, name=members[0].name,
                                  phone=members[0].phone, outcome=CallOutcome.PENDING.value,
                                  detail="", started_at=now))  # fmt: skip
            names = ", ".join(m.name for m in members)
            self.desk.append_event(
                session, actor, EventKind.P1_PRESSED,
                f"{'DRILL ' if drill else ''}P-1 pressed: {reason}. Calling in turn: {names} "
                f"({rounds} round(s), through {provider})",
                incident_id=incident_id,
                data={"run_id": run.id, "reason": reason, "drill": drill, "title": title},
            )  # fmt: skip
            return self._view(session, run), True

    def cancel(self, actor: str) -> RunView:
        """Stop the running chain; the call ringing now is hung up by the runner."""
        with self.desk.transaction() as session:
            run = self._running(session)
            if run is None:
                raise DeskError("No P-1 chain is running.")
            run.state = RunState.CANCELLED.value
            run.ended_at = self.desk.now()
            self.desk.append_event(session, actor, EventKind.P1_CANCELLED,
                                   "P-1 chain cancelled", incident_id=run.incident_id,
                                   data={"run_id": run.id})  # fmt: skip
            return self._view(session, run)

    def acknowledge(self, actor: str) -> RunView:
        """A person at a desk says they have it (the latest chain's)."""
        with self.desk.transaction() as session:
            run = session.scalar(select(P1RunRow).order_by(P1RunRow.id.desc()).limit(1))
            if run is None:
                raise DeskError("No P-1 has been pressed on this desk.")
            session.add(P1MessageRow(run_id=run.id, kind="acknowledged", name=actor, phone="",
                                     body="", at=self.desk.now()))  # fmt: skip
            self.desk.append_event(session, actor, EventKind.P1_ACKNOWLEDGED,
                                   f"P-1 acknowledged by {actor} at the desk",
                                   incident_id=run.incident_id, data={"run_id": run.id})
            return self._view(session, run)

    # --- what the runner records ----------------------------------------------------------------
    def latest(self) -> RunView | None:
        with self.desk.reading() as session:
            run = session.scalar(select(P1RunRow).order_by(P1RunRow.id.desc()).limit(1))
            return None if run is None else self._view(session, run)

    def begin_call(self, run_id: int, round_: int, position: int) -> CallView | None:
        """The call's row, before the provider is asked; None when another desk wrote it first
        or the chain stopped meanwhile."""
        try:
            with self.desk.transaction() as session:
                run = session.get(P1RunRow, run_id)
                if run is None or run.state != RunState.RUNNING.value:
                    return None
                who = run.chain[position]
                row = P1CallRow(run_id=run_id, round=round_, position=position, name=who["name"],
                                phone=who["phone"], outcome=CallOutcome.PENDING.value,
                                detail="", started_at=self.desk.now())  # fmt: skip
                session.add(row)
                session.flush()
                return _call(row)
        except IntegrityError:
            return None

    def call_placed(self, call_id: int, sid: str, provider: str) -> None:
        with self.desk.transaction() as session:
            row = session.get(P1CallRow, call_id)
            row.sid = sid
            run = session.get(P1RunRow, row.run_id)
            self.desk.append_event(
                session, self.desk.scheduler_actor, EventKind.P1_CALL_PLACED,
                f"P-1 calling {row.name} ({_masked(row.phone)}), round {row.round}",
                incident_id=run.incident_id,
                data={"run_id": run.id, "call_id": row.id, "sid": sid, "provider": provider},
            )  # fmt: skip

    def call_ended(self, call_id: int, status: CallStatus) -> RunView:
        """How a call ended, and what the chain is now (answered, exhausted or still going)."""
        with self.desk.transaction() as session:
            row = session.get(P1CallRow, call_id, with_for_update=True)
            run = session.get(P1RunRow, row.run_id)
            if row.outcome != CallOutcome.PENDING.value:
                return self._view(session, run)  # recorded already (another desk)
            row.outcome = status.outcome.value
            row.detail = status.detail[:300]
            row.ended_at = _naive(status.ended_at) if status.ended_at else self.desk.now()
            self.desk.append_event(
                session, self.desk.scheduler_actor, EventKind.P1_CALL_ENDED,
                f"P-1 call to {row.name}: {_outcome_words(status.outcome)}",
                incident_id=run.incident_id,
                data={"run_id": run.id, "call_id": row.id, "outcome": status.outcome.value,
                      "detail": status.detail},
            )  # fmt: skip
            self._settle(session, run)
            return self._view(session, run)

    def _settle(self, session, run: P1RunRow) -> None:
        if run.state != RunState.RUNNING.value:
            return
        calls = [Call(c.round, c.position, CallOutcome(c.outcome))
                 for c in self._call_rows(session, run.id)]  # fmt: skip
        state = state_after(len(run.chain), run.rounds, calls)
        if state is RunState.RUNNING:
            return
        now = self.desk.now()
        run.state, run.ended_at = state.value, now
        rows = self._call_rows(session, run.id)
        first = rows[0].started_at if rows else None
        figures = {"to_first_call_s": _seconds(run.pressed_at, first),
                   "to_end_s": _seconds(run.pressed_at, now)}  # fmt: skip
        if state is RunState.ANSWERED:
            answered = next(c for c in rows if c.outcome == CallOutcome.HUMAN.value)
            run.answered_by = answered.name
            figures["answered_by"] = answered.name
            self.desk.append_event(
                session, self.desk.scheduler_actor, EventKind.P1_ANSWERED,
                f"{'DRILL ' if run.drill else ''}P-1 answered by {answered.name} "
                f"{_seconds(run.pressed_at, answered.ended_at or now):.0f} s after the press "
                f"(first call after {figures['to_first_call_s']:.1f} s)",
                incident_id=run.incident_id, data={"run_id": run.id, **figures},
            )  # fmt: skip
        else:
            self.desk.append_event(
                session, self.desk.scheduler_actor, EventKind.P1_EXHAUSTED,
                f"{'DRILL ' if run.drill else ''}P-1: NO ONE ANSWERED after {run.rounds} "
                f"round(s) of {len(run.chain)} call(s); the incident stays open",
                incident_id=run.incident_id, data={"run_id": run.id, **figures},
            )  # fmt: skip

    def claim_texts(self, run_id: int) -> RunView | None:
        """The one desk that sends the chain's texts: the run's `replies_since` is set once."""
        with self.desk.transaction() as session:
            taken = session.execute(
                update(P1RunRow)
                .where(P1RunRow.id == run_id, P1RunRow.replies_since.is_(None),
                       P1RunRow.state.in_([RunState.ANSWERED.value, RunState.EXHAUSTED.value]))
                .values(replies_since=self.desk.now())
            ).rowcount  # fmt: skip
            if not taken:
                return None
            return self._view(session, session.get(P1RunRow, run_id))

    def texted(self, run_id: int, name: str, phone: str, sid: str | None, body: str,
               problem: str = "") -> None:  # fmt: skip
        with self.desk.transaction() as session:
            run = session.get(P1RunRow, run_id)
            if sid is not None:
                session.add(P1MessageRow(run_id=run_id, kind="sent", name=name, phone=phone,
                                         sid=sid, body=body, at=self.desk.now()))  # fmt: skip
            words = f"texted {name}" if sid else f"could not text {name}: {problem}"
            self.desk.append_event(
                session, self.desk.scheduler_actor, EventKind.P1_TEXTED, f"P-1 {words}",
                incident_id=run.incident_id,
                data={"run_id": run_id, "sid": sid, "problem": problem},
            )  # fmt: skip

    def replied(self, run_id: int, reply: Reply) -> bool:
        """A text back from someone in the chain (matched by number); False if known already
        or from a number not in the chain."""
        try:
            with self.desk.transaction() as session:
                run = session.get(P1RunRow, run_id)
                who = next((m["name"] for m in run.chain if m["phone"] == reply.from_number),
                           None)  # fmt: skip
                if who is None:
                    return False
                if session.scalar(select(P1MessageRow.id).where(P1MessageRow.sid == reply.sid)):
                    return False
                session.add(P1MessageRow(run_id=run_id, kind="reply", name=who,
                                         phone=reply.from_number, sid=reply.sid,
                                         body=reply.body[:1000], at=_naive(reply.at)))
                self.desk.append_event(
                    session, self.desk.scheduler_actor, EventKind.P1_REPLY,
                    f"P-1 acknowledged by {who} by text: {reply.body[:200]}",
                    incident_id=run.incident_id, data={"run_id": run_id, "sid": reply.sid},
                )  # fmt: skip
                return True
        except IntegrityError:
            return False

    def runs_taking_replies(self, within: timedelta) -> list[RunView]:
        """Ended runs whose texts went out within `within`: their replies are still read."""
        since = self.desk.now() - within
        with self.desk.reading() as session:
            rows = session.scalars(
                select(P1RunRow).where(P1RunRow.replies_since.is_not(None),
                                       P1RunRow.replies_since >= since)
            ).all()  # fmt: skip
            return [self._view(session, row) for row in rows]

    # --- reading ----------------------------------------------------------------------------------
    @staticmethod
    def _running(session) -> P1RunRow | None:
        return session.scalar(
            select(P1RunRow).where(P1RunRow.state == RunState.RUNNING.value).limit(1)
        )

    @staticmethod
    def _call_rows(session, run_id: int) -> list[P1CallRow]:
        return list(session.scalars(
            select(P1CallRow).where(P1CallRow.run_id == run_id)
            .order_by(P1CallRow.round, P1CallRow.position)
        ))  # fmt: skip

    def _view(self, session, run: P1RunRow) -> RunView:
        incident = session.get(IncidentRow, run.incident_id) if run.incident_id else None
        messages = session.scalars(
            select(P1MessageRow).where(P1MessageRow.run_id == run.id).order_by(P1MessageRow.id)
        )
        return RunView(
            id=run.id, incident_id=run.incident_id,
            incident_title=incident.title if incident else "", reason=run.reason,
            pressed_by=run.pressed_by, pressed_at=_aware(run.pressed_at), drill=run.drill,
            provider=run.provider, rounds=run.rounds,
            chain=tuple(Member(m["name"], m["phone"], m["ring_seconds"]) for m in run.chain),
            state=RunState(run.state), answered_by=run.answered_by,
            ended_at=_aware(run.ended_at), texted_at=_aware(run.replies_since),
            calls=tuple(_call(c) for c in self._call_rows(session, run.id)),
            messages=tuple(MessageView(m.kind, m.name, m.body, _aware(m.at)) for m in messages),
        )  # fmt: skip


def _call(row: P1CallRow) -> CallView:
    return CallView(row.id, row.round, row.position, row.name, row.phone, row.sid,
                    CallOutcome(row.outcome), row.detail, _aware(row.started_at),
                    _aware(row.ended_at))  # fmt: skip


def _masked(phone: str) -> str:
    """A number on the record shows its last four digits only."""
    return f"…{phone[-4:]}" if len(phone) > 4 else phone


def _seconds(start: datetime, end: datetime | None) -> float:
    return 0.0 if end is None else round((end - start).total_seconds(), 1)


def _outcome_words(outcome: CallOutcome) -> str:
    return {
        CallOutcome.HUMAN: "ANSWERED",
        CallOutcome.MACHINE: "voicemail picked up (not an answer)",
        CallOutcome.NO_ANSWER: "no answer",
        CallOutcome.BUSY: "busy",
        CallOutcome.FAILED: "failed",
        CallOutcome.CANCELED: "hung up (the chain was cancelled)",
    }.get(outcome, str(outcome))
