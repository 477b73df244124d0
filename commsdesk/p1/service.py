"""The P-1 use cases: the chain's people and settings, pressing, cancelling, acknowledging, and
(commsdesk.p1.steps) each step the chain's runner records. Every change and its timeline event
are written in one transaction, for the window, the command line and every desk of a team
alike.

Exactly once, with several desks or a desk killed mid-chain: a call's row is written before the
provider is asked (one per person per round, by a unique key), and the texts go out under a
claim taken in the run's row; see commsdesk.p1.runner.
"""

from __future__ import annotations

from sqlalchemy import func, select

from commsdesk.desk import Desk, DeskError
from commsdesk.incidents.incident import Severity
from commsdesk.p1.chain import (
    DEFAULT_ROUNDS,
    ChainProblem,
    Member,
    RunState,
    member,
    rounds_setting,
)
from commsdesk.p1.provider import CallOutcome
from commsdesk.p1.steps import ChainSteps
from commsdesk.p1.views import CallView, MessageView, RunView, masked, run_view
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

__all__ = ["CallChain", "CallView", "MessageView", "RunView"]


class CallChain(ChainSteps):
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
                f"P-1 chain: {new.name} added ({masked(new.phone)}, rings {new.ring_seconds} s)",
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
                return run_view(session, running), False
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
            return run_view(session, run), True

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
            return run_view(session, run)

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
            return run_view(session, run)

    # --- what the runner records ----------------------------------------------------------------
    def latest(self) -> RunView | None:
        with self.desk.reading() as session:
            run = session.scalar(select(P1RunRow).order_by(P1RunRow.id.desc()).limit(1))
            return None if run is None else run_view(session, run)

    @staticmethod
    def _running(session) -> P1RunRow | None:
        return session.scalar(
            select(P1RunRow).where(P1RunRow.state == RunState.RUNNING.value).limit(1)
        )
