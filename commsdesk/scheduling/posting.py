"""Sending, for the scheduler: a post that fell due (or that a person posts now) and a thread a
pause stopped mid-way go through the publisher's outbox (exactly once, in order) on the
executor, and the outcome is recorded on the scheduled post.

The executor is where postings run: inline by default; the window hands them to its X lane.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from commsdesk.desk import Desk
from commsdesk.publishing.publication import Publication, PublicationState
from commsdesk.scheduling.pausing import StoppedThread
from commsdesk.scheduling.posts import PostState
from commsdesk.scheduling.records import post_row
from commsdesk.store.models import StatementRow
from commsdesk.timeline.chain import EventKind

if TYPE_CHECKING:
    from commsdesk.publishing.publisher import Publisher

log = logging.getLogger(__name__)

Executor = Callable[[Callable[[], None]], None]
Continued = Callable[[StoppedThread, str], None]  # a continued thread, and how it ended


def outcome(publication: Publication) -> tuple[PostState, str]:
    """The scheduled post's state and note once its publication's run has ended."""
    if publication.state is PublicationState.POSTED:
        return PostState.POSTED, "posted as " + ", ".join(publication.post_ids)
    if publication.state is PublicationState.HELD:  # a person decides when
        return PostState.MISSED, publication.error
    return PostState.FAILED, publication.error  # the publisher recorded why


class Poster:
    """Runs postings on the executor; `changed` is called after each outcome is recorded."""

    def __init__(
        self,
        desk: Desk,
        publisher: Publisher,
        *,
        executor: Executor,
        numbering: Callable[[], bool],
        changed: Callable[[], None],
    ) -> None:
        self.desk = desk
        self.publisher = publisher
        self.executor = executor
        self.numbering = numbering
        self.changed = changed

    def publish(self, statement_id: int, actor: str, *, despite_pause: bool = False) -> None:
        """Post a scheduled post already marked posting."""

        def work() -> None:
            try:
                with self.desk.reading() as session:
                    row = post_row(session, statement_id)
                    account, sandbox = row.account, row.sandbox
                publication = self.publisher.prepare_statement(
                    actor, statement_id, account, sandbox=sandbox, numbering=self.numbering()
                )
                publication = self.publisher.run(actor, publication.id, despite_pause=despite_pause)
            except Exception as exc:
                log.exception("scheduled post of statement #%s failed", statement_id)
                self.settle(
                    statement_id, PostState.FAILED, str(exc) or type(exc).__name__, actor=actor
                )
                return
            self.settle(statement_id, *outcome(publication))

        self.executor(work)

    def continue_thread(
        self, actor: str, thread: StoppedThread, on_done: Continued | None = None
    ) -> None:
        """Continue a thread a pause stopped, from the part where it stopped, on behalf of the
        person who resumed. A run that cannot start leaves it held, said on the timeline.
        `on_done(thread, line)` hears how it ended, in a line for a person."""

        def work() -> None:
            try:
                publication = self.publisher.run(actor, thread.publication_id)
            except Exception as exc:
                log.exception("continuing publication #%s failed", thread.publication_id)
                why = str(exc) or type(exc).__name__
                self._not_continued(actor, thread, why)
                line = f"not continued: {why}"
            else:
                state, note = outcome(publication)
                if thread.scheduled:
                    self.settle(thread.statement_id, state, note)
                else:
                    self.changed()
                line = note if state is PostState.POSTED else f"not finished: {note}"
            if on_done is not None:
                try:
                    on_done(thread, line)
                except Exception:
                    log.exception("on_done failed")

        self.executor(work)

    def _not_continued(self, actor: str, thread: StoppedThread, why: str) -> None:
        note = f"not continued after the pause: {why}; post it again to continue"
        with self.desk.transaction() as session:
            self.desk.append_event(
                session,
                actor,
                EventKind.POST_HELD,
                f"'{thread.title}': post {thread.next_part}/{thread.total} still held, {note}",
                statement_id=thread.statement_id,
                data={"publication": thread.publication_id, "part": thread.next_part},
            )
            if thread.scheduled:
                row = post_row(session, thread.statement_id, lock=True)
                row.state, row.note, row.updated_at = PostState.MISSED.value, note, self.desk.now()
        self.changed()

    def settle(
        self, statement_id: int, state: PostState, note: str, *, actor: str | None = None
    ) -> None:
        """The outcome of a posting; with `actor`, an error the publisher did not record."""
        with self.desk.transaction() as session:
            row = post_row(session, statement_id, lock=True)
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
        self.changed()
