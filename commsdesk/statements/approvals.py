"""Approval use cases: the policy, submitting and approving, and the moves that follow
(withdraw, reopen, schedule, post, fail). Approval fixes the rendered text that gets posted
and binds its digest into the timeline; approval_problem() checks it before posting."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commsdesk.clock import as_utc
from commsdesk.incidents.incident import Incident
from commsdesk.incidents.service import incident_from
from commsdesk.statements.service import Statements
from commsdesk.statements.statement import (
    APPROVED_DIGEST,
    Action,
    ApprovalPolicy,
    Statement,
    StatementState,
    approved_digest,
    next_state,
    same_person,
)
from commsdesk.store.models import ApprovalRow, EventRow, PolicyRow, StatementRow, VersionRow
from commsdesk.store.session import DeskError, actor_name
from commsdesk.timeline.chain import EventKind

REQUIRED_APPROVALS_KEY = "required_approvals"
MAX_REQUIRED_APPROVALS = 10
S = StatementState


class Approvals(Statements):
    """The approval policy, review and approval, and the moves after it: withdraw, reopen,
    schedule, post and fail."""

    @staticmethod
    def _policy(session: Session) -> ApprovalPolicy:
        row = session.get(PolicyRow, REQUIRED_APPROVALS_KEY)
        return ApprovalPolicy(int(row.value)) if row is not None else ApprovalPolicy()

    def approval_policy(self) -> ApprovalPolicy:
        with self._read() as session:
            return self._policy(session)

    def set_required_approvals(self, actor: str, n: int) -> None:
        """How many people other than the author must approve, 0 to MAX_REQUIRED_APPROVALS;
        anything else is refused, saying so (never clamped)."""
        actor = actor_name(actor)
        if isinstance(n, int) and not isinstance(n, bool) and n > MAX_REQUIRED_APPROVALS:
            raise DeskError(
                f"{n} approvals cannot be required: at most {MAX_REQUIRED_APPROVALS} people other "
                "than the author can be asked to approve a statement."
            )
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise DeskError(
                f"Required approvals must be a whole number from 0 to {MAX_REQUIRED_APPROVALS}."
            )
        with self._write() as session:
            old = self._policy(session).required
            if old == n:
                return
            row = session.get(PolicyRow, REQUIRED_APPROVALS_KEY)
            if row is None:
                session.add(PolicyRow(key=REQUIRED_APPROVALS_KEY, value=str(n)))
            else:
                row.value = str(n)
            self._append(
                session,
                self._now(),
                actor,
                EventKind.POLICY_CHANGED,
                f"Required approvals {old} → {n}",
                data={"required_approvals": n, "was": old},
            )

    def _grant(
        self,
        session: Session,
        row: StatementRow,
        version: VersionRow,
        actor: str,
        rendered: str,
        now: datetime,
    ) -> None:
        session.add(
            ApprovalRow(
                statement_id=row.id,
                version_id=version.id,
                approver=actor,
                at=now,
                rendered_text=rendered,
                voided_at=None,
            )
        )

    def _mark_approved(self, row: StatementRow, version: VersionRow, rendered: str) -> None:
        row.state = next_state(StatementState(row.state), Action.APPROVE).value
        row.approved_version_id = version.id
        row.approved_text = rendered

    def submit(self, actor: str, statement_id: int) -> Statement:
        """Seal the newest version and send it for review; with no approvals required it is
        approved at once. Refused when the body is empty or does not render."""
        actor = actor_name(actor)
        with self._write() as session:
            row = self._statement_row(session, statement_id, lock=True)
            target = next_state(StatementState(row.state), Action.SUBMIT)
            version = self._newest(session, row.id)
            if not version.body.strip():
                raise DeskError("Cannot submit: the statement is empty.")
            incident = incident_from(self._incident_row(session, row.incident_id))
            rendered = self._render(version.body, incident, "submit")
            if not rendered.strip():
                raise DeskError("Cannot submit: the statement renders to empty text.")
            now = self._now()
            version.sealed = True
            row.state = target.value
            row.updated_at = now
            row.note = ""
            self._statement_event(
                session,
                now,
                actor,
                EventKind.SUBMITTED,
                row,
                f"'{row.title}': submitted v{version.number} for review",
                version_id=version.id,
            )
            if self._policy(session).required == 0:
                self._grant(session, row, version, actor, rendered, now)
                self._mark_approved(row, version, rendered)
                self._statement_event(
                    session,
                    now,
                    actor,
                    EventKind.APPROVED,
                    row,
                    f"'{row.title}': approved (no approvals required)",
                    version_id=version.id,
                    data={"version": version.number, "counted": 0, "required": 0,
                          APPROVED_DIGEST: approved_digest(rendered)},
                )
            return self._load(session, row)

    def approve(self, actor: str, statement_id: int) -> Statement:
        """Approve the newest version; the statement is approved once the policy is satisfied,
        with its rendered text fixed as what gets posted."""
        actor = actor_name(actor)
        with self._write() as session:
            row = self._statement_row(session, statement_id, lock=True)
            state = StatementState(row.state)
            if state is not S.IN_REVIEW:
                next_state(state, Action.APPROVE)  # raises, saying why
                raise DeskError("Only a statement in review can be approved.")
            version = self._newest(session, row.id)
            policy = self._policy(session)
            if not policy.may_approve(version.author, actor):
                raise DeskError(
                    f"You wrote v{version.number}; approval must come from someone else "
                    f"({policy.required} required); {self._handover_hint()}."
                )
            approvers = self._approvers(session, version.id)
            if any(same_person(name, actor) for name in approvers):
                raise DeskError(f"You already approved v{version.number}.")
            incident = incident_from(self._incident_row(session, row.incident_id))
            rendered = self._render(version.body, incident, "approve")
            now = self._now()
            self._grant(session, row, version, actor, rendered, now)
            approvers.append(actor)
            counted = len(policy.counted(version.author, approvers))
            progress = f" ({counted} of {policy.required})" if policy.required else ""
            data = {"version": version.number, "counted": counted, "required": policy.required}
            satisfied = policy.is_satisfied(version.author, approvers)
            if satisfied:  # the text that will be posted, bound into the chain
                data[APPROVED_DIGEST] = approved_digest(rendered)
            self._statement_event(
                session,
                now,
                actor,
                EventKind.APPROVED,
                row,
                f"'{row.title}': approved v{version.number}{progress}",
                version_id=version.id,
                data=data,
            )
            if satisfied:
                self._mark_approved(row, version, rendered)
            row.updated_at = now
            return self._load(session, row)

    def _handover_hint(self) -> str:
        """How the desk is handed to the approver, said where the author is refused."""
        if getattr(self, "person", None) is not None:  # team mode: the login is who acts
            return ("the approver signs in with their own login under Desk → Connect to a "
                    "team… (or `--database` on the command line)")
        return ("the approver signs in as themselves under Desk → Who is at the desk… "
                "(or `--as` on the command line)")

    def _move(self, actor: str, statement_id: int, *args: Any, **kwargs: Any) -> Statement:
        """`_move_in` in a transaction of its own."""
        with self._write() as session:
            return self._move_in(session, actor, statement_id, *args, **kwargs)

    def _move_in(
        self,
        session: Session,
        actor: str,
        statement_id: int,
        action: Action,
        kind: EventKind,
        summary: Callable[[StatementRow], str],
        *,
        note: str | None = None,
        needs_approved_text: bool = False,
        void: bool = False,
        data: Mapping[str, Any] | None = None,
    ) -> Statement:
        """A state change with its event: the common shape of withdraw, reopen and publishing."""
        actor = actor_name(actor)
        row = self._statement_row(session, statement_id, lock=True)
        target = next_state(StatementState(row.state), action)
        if needs_approved_text and row.approved_text is None:
            raise DeskError(f"Cannot {action.value} this statement: it has no approved text.")
        now = self._now()
        version_id = row.approved_version_id or self._newest(session, row.id).id
        if void:
            self._void_approvals(session, row, now)
        row.state = target.value
        row.updated_at = now
        if note is not None:
            row.note = note
        self._statement_event(
            session, now, actor, kind, row, summary(row), version_id=version_id, data=data
        )
        return self._load(session, row)

    def withdraw(self, actor: str, statement_id: int, reason: str) -> Statement:
        reason = (reason or "").strip()
        if not reason:
            raise DeskError("Say why the statement is withdrawn.")
        return self._move(
            actor,
            statement_id,
            Action.WITHDRAW,
            EventKind.WITHDRAWN,
            lambda row: f"'{row.title}': withdrawn: {reason}",
            note=reason,
            void=True,
            data={"reason": reason},
        )

    def reopen(self, actor: str, statement_id: int) -> Statement:
        return self._move(
            actor,
            statement_id,
            Action.REOPEN,
            EventKind.REOPENED,
            lambda row: f"'{row.title}': reopened as a draft",
            note="",
        )

    def mark_scheduled(
        self, actor: str, statement_id: int, due_at: datetime, note: str = ""
    ) -> Statement:
        due = as_utc(due_at)
        note = note.strip()
        return self._move(
            actor,
            statement_id,
            Action.SCHEDULE,
            EventKind.SCHEDULED,
            lambda row: f"'{row.title}': scheduled for {due:%Y-%m-%d %H:%M} UTC",
            note=f"due {due:%Y-%m-%d %H:%M} UTC" + (f"; {note}" if note else ""),
            needs_approved_text=True,
            data={"due_at": due.isoformat(), "note": note},
        )

    def unschedule(self, actor: str, statement_id: int) -> Statement:
        return self._move(
            actor,
            statement_id,
            Action.UNSCHEDULE,
            EventKind.UNSCHEDULED,
            lambda row: f"'{row.title}': schedule cancelled",
            note="",
        )

    def mark_posted(self, actor: str, statement_id: int, post_ids: list[str]) -> Statement:
        with self._write() as session:
            return self.mark_posted_in(session, actor, statement_id, post_ids)

    def mark_posted_in(
        self, session: Session, actor: str, statement_id: int, post_ids: list[str]
    ) -> Statement:
        """Posted, inside the caller's transaction: the one that records the last part."""
        ids = [str(post_id) for post_id in post_ids]
        posted = "posted as " + ", ".join(ids) if ids else "posted"
        return self._move_in(
            session,
            actor,
            statement_id,
            Action.POST,
            EventKind.POSTED,
            lambda row: f"'{row.title}': {posted}",
            note=posted,
            needs_approved_text=True,
            data={"post_ids": ids},
        )

    def approval_problem(self, session: Session, statement_id: int) -> str | None:
        """Why the statement's approved text may not be posted as it stands, or None.

        The event that approved it carries the text's SHA-256: a text changed since (in the
        database, behind the desk's back) is refused. And the text is rendered again from the
        approved version with the incident as it is now, at the time of approval: when a fact
        changed since, the approval no longer covers what would be said."""
        row = self._statement_row(session, statement_id)
        if row.approved_text is None or row.approved_version_id is None:
            return None
        approval = session.scalar(
            select(EventRow)
            .where(
                EventRow.statement_id == row.id,
                EventRow.kind == str(EventKind.APPROVED),
                EventRow.version_id == row.approved_version_id,
            )
            .order_by(EventRow.id.desc())
            .limit(1)
        )
        if approval is None:
            return f"'{row.title}' has no approval on the record; approve it again."
        digest = (approval.data or {}).get(APPROVED_DIGEST)
        if digest is not None and digest != approved_digest(row.approved_text):
            return (
                f"The approved text of '{row.title}' is not the text that was approved (its "
                "SHA-256 on the record differs); nothing is posted. Check the record with "
                "`commsdesk timeline verify` and approve the statement again."
            )
        version = session.get(VersionRow, row.approved_version_id)
        incident = incident_from(self._incident_row(session, row.incident_id))
        from commsdesk.statements.templates import TemplateProblem, render

        try:  # rendered as of the approval, so that only the incident's changes count
            rendered = render(version.body, incident, now=as_utc(approval.at))
        except TemplateProblem as problem:
            return f"Cannot post '{row.title}': {problem.message}"
        if rendered == row.approved_text:
            return None
        edits = session.scalars(
            select(EventRow.summary)
            .where(
                EventRow.incident_id == row.incident_id,
                EventRow.kind == str(EventKind.INCIDENT_EDITED),
                EventRow.id > approval.id,
            )
            .order_by(EventRow.id)
        ).all()
        why = "; ".join(edits) if edits else "the incident changed"
        return (
            f"The incident changed after '{row.title}' was approved ({why}), so the text would "
            "no longer say what was approved. Review it and approve it again."
        )

    def mark_failed(self, actor: str, statement_id: int, reason: str) -> Statement:
        reason = (reason or "").strip() or "no reason given"
        return self._move(
            actor,
            statement_id,
            Action.FAIL,
            EventKind.POST_FAILED,
            lambda row: f"'{row.title}': posting failed: {reason}",
            note=reason,
            data={"reason": reason},
        )

    def _render(self, body: str, incident: Incident | None, verb: str) -> str:
        from commsdesk.statements.templates import TemplateProblem, render

        try:
            return render(body, incident, now=as_utc(self.clock()))
        except TemplateProblem as problem:
            raise DeskError(f"Cannot {verb}: {problem.message}") from problem
