"""What the chain's runner records, step by step: a call's row before the provider is asked, how
it ended and what the chain is then, the texts (claimed once) and the replies. Each step and its
timeline event in one transaction, under the desk's own name for what it does by itself.
Mixed into CallChain."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from commsdesk.p1.chain import Call, RunState, state_after
from commsdesk.p1.provider import CallOutcome, CallStatus, Reply
from commsdesk.p1.views import CallView, RunView, call_rows, call_view, masked, naive, run_view
from commsdesk.store.models import P1CallRow, P1MessageRow, P1RunRow
from commsdesk.timeline.chain import EventKind


class ChainSteps:
    desk = None  # the Desk, set by CallChain

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
                return call_view(row)
        except IntegrityError:
            return None

    def call_placed(self, call_id: int, sid: str, provider: str) -> None:
        with self.desk.transaction() as session:
            row = session.get(P1CallRow, call_id)
            row.sid = sid
            run = session.get(P1RunRow, row.run_id)
            self.desk.append_event(
                session, self.desk.scheduler_actor, EventKind.P1_CALL_PLACED,
                f"P-1 calling {row.name} ({masked(row.phone)}), round {row.round}",
                incident_id=run.incident_id,
                data={"run_id": run.id, "call_id": row.id, "sid": sid, "provider": provider},
            )  # fmt: skip

    def call_ended(self, call_id: int, status: CallStatus) -> RunView:
        """How a call ended, and what the chain is now (answered, exhausted or still going)."""
        with self.desk.transaction() as session:
            row = session.get(P1CallRow, call_id, with_for_update=True)
            run = session.get(P1RunRow, row.run_id)
            if row.outcome != CallOutcome.PENDING.value:
                return run_view(session, run)  # recorded already (another desk)
            row.outcome = status.outcome.value
            row.detail = status.detail[:300]
            row.ended_at = naive(status.ended_at) if status.ended_at else self.desk.now()
            self.desk.append_event(
                session, self.desk.scheduler_actor, EventKind.P1_CALL_ENDED,
                f"P-1 call to {row.name}: {_outcome_words(status.outcome)}",
                incident_id=run.incident_id,
                data={"run_id": run.id, "call_id": row.id, "outcome": status.outcome.value,
                      "detail": status.detail},
            )  # fmt: skip
            self._settle(session, run)
            return run_view(session, run)

    def _settle(self, session, run: P1RunRow) -> None:
        if run.state != RunState.RUNNING.value:
            return
        calls = [Call(c.round, c.position, CallOutcome(c.outcome))
                 for c in call_rows(session, run.id)]  # fmt: skip
        state = state_after(len(run.chain), run.rounds, calls)
        if state is RunState.RUNNING:
            return
        now = self.desk.now()
        run.state, run.ended_at = state.value, now
        rows = call_rows(session, run.id)
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
            return run_view(session, session.get(P1RunRow, run_id))

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
                                         body=reply.body[:1000], at=naive(reply.at)))
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
            return [run_view(session, row) for row in rows]



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
