"""Verifying the timeline: the hash chain from its first event, its end against the anchored
head (and one given), and every approved text against the digest its approval carries
(commsdesk.timeline.report)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commsdesk.store.models import EventRow, StatementRow
from commsdesk.timeline.anchor import (
    HeadUnreadable,
    StoredEnd,
    TimelineHead,
    end_problem,
    missing_head_problem,
)
from commsdesk.timeline.chain import EventKind, TimelineEvent, verify_chain
from commsdesk.timeline.ledger import Ledger, event_from
from commsdesk.timeline.report import (
    ApprovedText,
    TimelineReport,
    approvals_by_version,
    approved_text_findings,
)

VERIFY_BATCH = 1000


def _streamed_events(
    rows: Iterable[Any], total: int, progress: Callable[[int, int], None] | None
) -> Iterator[TimelineEvent]:
    for checked, row in enumerate(rows, start=1):
        yield event_from(row)
        if progress is not None and checked % VERIFY_BATCH == 0:
            progress(checked, total)


class Verification(Ledger):
    """Checking the timeline: the chain, its end and the approved texts."""

    def verify_timeline(
        self,
        progress: Callable[[int, int], None] | None = None,
        *,
        head: TimelineHead | None = None,
    ) -> TimelineReport:
        """Check the hash chain from the first event, streaming in batches of VERIFY_BATCH
        (`progress(checked, total)` after each batch and at the end); then the chain's end
        against the head this desk anchored and against `head` (one printed earlier); then every
        approved text against the digest its approving event carries."""
        anchored, problems, confirmed, notes = None, [], [], []
        if self.anchor is not None:  # read before the database's snapshot: never ahead of it
            try:
                anchored = self.anchor.read()
            except HeadUnreadable as exc:
                notes.append(f"The end of the timeline could not be checked: {exc}.")
            else:
                if anchored is None:
                    notes.append(
                        f"No head is anchored for this database yet ({self.anchor.path.name}), "
                        "so events cut from its end cannot show; the desk anchors its next event."
                    )
        with self._read() as session:
            total = session.scalar(select(func.count()).select_from(EventRow)) or 0
            rows = session.execute(
                select(EventRow.__table__)
                .order_by(EventRow.id)
                .execution_options(yield_per=VERIFY_BATCH)
            )
            try:
                chain = verify_chain(_streamed_events(rows, total, progress))
            finally:
                rows.close()
            newest = session.execute(
                select(EventRow.id, EventRow.hash).order_by(EventRow.id.desc()).limit(1)
            ).first()
            last = TimelineHead(newest.hash, newest.id, total) if newest is not None else None
            for given, whose, holds in (
                (anchored, "the desk last saw", "the head this desk last saw"),
                (head, "the head given is", "the head given"),
            ):
                if given is None:
                    continue
                given, problem = self._end_problem(session, given, whose, last)
                if problem is None:
                    confirmed.append(f"The chain still holds {holds}: {given}.")
                else:
                    problems.append(problem)
            approvals = approvals_by_version(
                session.execute(
                    select(EventRow.id, EventRow.statement_id, EventRow.version_id, EventRow.data)
                    .where(EventRow.kind == EventKind.APPROVED.value)
                    .order_by(EventRow.id)
                )
            )
            texts = session.execute(
                select(
                    StatementRow.id,
                    StatementRow.title,
                    StatementRow.approved_version_id,
                    StatementRow.approved_text,
                )
                .where(StatementRow.approved_text.is_not(None))
                .order_by(StatementRow.id)
            )
            found, undigested = approved_text_findings(
                (ApprovedText(*row) for row in texts), approvals
            )
            problems += found
            notes += undigested
        if progress is not None:
            progress(chain.checked, total)
        return TimelineReport(chain, last, tuple(problems), tuple(confirmed), tuple(notes))

    @staticmethod
    def _end_problem(
        session: Session, head: TimelineHead, whose: str, last: TimelineHead | None
    ) -> tuple[TimelineHead, str | None]:
        """The head with its event id found, and why the chain no longer holds it (or None)."""
        if head.event_id is None:  # pasted as a bare hash
            found = session.scalar(select(EventRow.id).where(EventRow.hash == head.hash).limit(1))
            if found is None:
                return head, missing_head_problem(head, last)
            head = TimelineHead(head.hash, found, head.count)
        at_head = session.scalar(select(EventRow.hash).where(EventRow.id == head.event_id))
        upto = session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.id <= head.event_id)
        )
        return head, end_problem(head, StoredEnd(last, at_head, upto or 0), whose)
