"""Scheduled posts: an approved statement goes out at a chosen time, or waits for a person.

`PostScheduler` holds the use cases that the window, the command line and other desks call;
its pieces live beside it:

    policy.py     when a post goes out: local times, the grace period (pure)
    posts.py      what a scheduled post is and how its time is said (pure)
    records.py    the `scheduled_posts` rows, the truth, inside a transaction
    jobs.py       APScheduler: one job per waiting post in the desk's database; `fire`
    timetable.py  the person's side: schedule, reschedule, cancel, read (a mixin)
    pausing.py    Pause all and resume as recorded, and the threads a pause stopped mid-way
    posting.py    postings through the publisher on the executor, and their outcome

This module keeps the running scheduler: starting and following the pause, a job falling due,
post now, pause and resume.

When a job fires, `due_state` decides: due or late within the grace period (desk policy
`schedule_grace_minutes`, default 5) → posted; later than that → missed, kept for a person to
review, never posted on its own. While posting is paused nothing goes out automatically. On
resume, whatever fell due meanwhile is marked missed and handed back for review, and each thread
the pause stopped mid-way continues from the part where it stopped.

The pause is kept in `desk_policy`, so it survives restarts and is shared with the command line
(`commsdesk schedule pause/resume`), which changes the database directly. A running desk picks
such a change up at its next check (every `check_every` seconds); until then its jobs still read
the pause from the database before posting, so nothing goes out while the database says paused.

Every method does database work: call it off the UI thread. `on_change` and `on_missed` are
called from scheduler threads; the UI must hand them over to its own thread (a queued signal).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from commsdesk.clock import as_utc, utc_now
from commsdesk.desk import Desk, DeskError
from commsdesk.publishing.holds import PauseState, pause_state
from commsdesk.scheduling.jobs import JOBS_TABLE, Jobs, drop_jobs, fire, job_id
from commsdesk.scheduling.pausing import MAX_REASON, StoppedThread, record_pause, record_resume
from commsdesk.scheduling.policy import Due, due_state
from commsdesk.scheduling.posting import Continued, Executor, Poster
from commsdesk.scheduling.posts import (
    LISTED,
    OPEN,
    SCHEDULABLE,
    SCHEDULER,
    PostState,
    ScheduledPost,
)
from commsdesk.scheduling.records import (
    GRACE_KEY,
    MAX_GRACE_MINUTES,
    grace,
    miss,
    open_row,
    post_row,
    recover_interrupted,
)
from commsdesk.scheduling.timetable import Timetable
from commsdesk.statements.statement import StatementState
from commsdesk.store.models import StatementRow

if TYPE_CHECKING:
    from commsdesk.publishing.publisher import Publisher

__all__ = [
    "CHECK_EVERY",
    "Continued",
    "GRACE_KEY",
    "JOBS_TABLE",
    "LISTED",
    "MAX_GRACE_MINUTES",
    "MAX_REASON",
    "OPEN",
    "SCHEDULABLE",
    "SCHEDULER",
    "Executor",
    "PostScheduler",
    "PostState",
    "Resumed",
    "ScheduledPost",
    "StoppedThread",
    "fire",
    "job_id",
]

log = logging.getLogger(__name__)

CHECK_EVERY = 30.0  # seconds between checks of the persisted pause


class Resumed(list[ScheduledPost]):
    """What `resume` hands back: the posts that fell due while paused (missed, for review), as
    a list; `threads`, those the pause stopped mid-way; `continuing`, whether this desk continues
    them (a desk without a publisher leaves them to a person)."""

    def __init__(
        self, missed: Iterable[ScheduledPost], threads: Iterable[StoppedThread], continuing: bool
    ) -> None:
        super().__init__(missed)
        self.threads = tuple(threads)
        self.continuing = continuing


class PostScheduler(Timetable):
    """Posts approved statements when they fall due; see the module docstring.

    `publisher` may be None for a desk that only lists, schedules, pauses and resumes.
    `executor(work)` runs a posting; by default inline, in the calling thread.
    """

    def __init__(
        self,
        desk: Desk,
        publisher: Publisher | None,
        *,
        clock: Callable[[], datetime] = utc_now,
        executor: Executor | None = None,
        check_every: float = CHECK_EVERY,
        numbering: Callable[[], bool] = lambda: True,
    ) -> None:
        """`numbering` is asked at each post: whether a thread's parts carry '1/5'."""
        self.desk = desk
        self.publisher = publisher
        self.clock = clock
        self.check_every = check_every
        self.on_change: Callable[[], None] | None = None
        self.on_missed: Callable[[ScheduledPost], None] | None = None
        self._poster = None
        if publisher is not None:
            self._poster = Poster(
                desk,
                publisher,
                executor=executor or (lambda work: work()),
                numbering=numbering,
                changed=self._changed,
            )
        self._jobs = Jobs(desk)
        self._stop = threading.Event()
        self._pause_lock = threading.Lock()  # the persisted pause and APScheduler's, in step
        self._watch: threading.Thread | None = None
        self._leadership = None  # on PostgreSQL: whether this desk runs the posts

    # --- running ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """This desk runs the scheduled posts (on a shared database: it leads)."""
        return self._jobs.running

    def start(self) -> None:
        """Start processing (paused if the desk's policy says so). On a shared PostgreSQL
        database only the desk that leads runs posts (see leader.py); it starts when this desk
        takes the lead, within a few seconds of the previous leader going away."""
        if self._poster is None:
            raise DeskError("A desk without a publisher cannot run scheduled posts.")
        self._stop.clear()
        if self.desk.engine.dialect.name == "postgresql":
            from commsdesk.scheduling.leader import Leadership

            self._leadership = Leadership(self.desk.engine, self._lead, self._follow)
            self._leadership.start()
        else:
            self._lead()

    def _lead(self) -> None:
        """Run the posts: those found mid-posting from an interrupted run are marked missed;
        waiting posts without a job get one."""
        taking_over = self._leadership is not None
        if taking_over:
            from commsdesk.timeline.chain import EventKind

            self.desk.record(
                self.desk.scheduler_actor, EventKind.SCHEDULE_LEADER,
                "This desk now runs the team's scheduled posts.",
            )  # fmt: skip
        self._jobs.start(self)
        recover_interrupted(self.desk, now=self.clock() if taking_over else None)
        self._jobs.ensure()
        if self.paused() is None:
            self._jobs.resume()
        self._watch = threading.Thread(target=self._watch_loop, name="schedule-check", daemon=True)
        self._watch.start()
        self._changed()

    def _follow(self) -> None:
        """Another desk leads now (or the server is gone): stop running posts here."""
        self._stop_running(wait=False)
        self._stop.clear()
        self._changed()

    def shutdown(self, wait: bool = True) -> None:
        """Stop; with `wait`, after a posting in progress in the worker thread has finished."""
        leadership, self._leadership = self._leadership, None
        if leadership is not None:
            leadership.stop()  # calls _follow if leading
        self._stop_running(wait)

    def _stop_running(self, wait: bool) -> None:
        self._stop.set()
        watch, self._watch = self._watch, None
        if watch is not None and watch is not threading.current_thread():
            watch.join()
        if self._jobs.running:
            self._jobs.shutdown(self, wait)
            self._jobs = Jobs(self.desk)  # APScheduler does not start again once shut down

    def refresh(self) -> None:
        """Follow the persisted pause (the command line may have changed it) and give waiting
        posts whose job is gone a new one. Called every `check_every` seconds."""
        if not self._jobs.running:
            return
        with self._pause_lock:
            changed = self._jobs.follow(held=self.paused() is not None)
        if changed:
            self._changed()

    def _watch_loop(self) -> None:
        while not self._stop.wait(self.check_every):
            try:
                self.refresh()
            except Exception:
                log.exception("checking the schedule failed")

    def paused(self) -> PauseState | None:
        with self.desk.reading() as session:
            return pause_state(session)

    def post_now(self, actor: str, statement_id: int, *, despite_pause: bool = False) -> None:
        """Post a waiting, missed or failed scheduled post at once, through the executor. While
        all posting is paused only with `despite_pause`, a person's decision that goes on the
        timeline with the pause it overrides. The outcome arrives through on_change."""
        poster = self._posting()
        with self.desk.transaction() as session:
            held = pause_state(session)
            if held is not None and not despite_pause:
                raise DeskError(
                    f"All posting is {held.describe()}. Post it anyway only by overriding the "
                    "pause, or resume posting first."
                )
            row = open_row(session, statement_id)
            statement = session.get(StatementRow, statement_id)
            if statement.state not in (StatementState.SCHEDULED, StatementState.FAILED):
                raise DeskError(f"'{statement.title}' is no longer scheduled.")
            row.state, row.updated_at = PostState.POSTING.value, self.desk.now()
            drop_jobs(session, [statement_id])
        self._changed()
        poster.publish(statement_id, actor, despite_pause=despite_pause)

    # --- pausing ----------------------------------------------------------------------------

    def pause(self, actor: str, reason: str) -> PauseState:
        """Hold every post until resumed, for everyone using this database: scheduled posts
        wait, and a thread in flight stops before its next part."""
        with self._pause_lock:
            state = record_pause(self.desk, actor, reason)
            self._jobs.pause()
        self._changed()
        return state

    def resume(self, actor: str, *, on_continued: Continued | None = None) -> Resumed:
        """Resume posting. Whatever fell due meanwhile is marked missed (not posted) and
        returned for review; later posts go out on time. Each thread the pause stopped mid-way
        continues from the part where it stopped, as `actor`, through the executor;
        `on_continued(thread, line)` hears how each ended. A desk without a publisher leaves
        those threads to a person (the event and `Resumed.threads` say which)."""
        actor = (actor or "").strip()
        continuing = self._poster is not None
        with self._pause_lock:
            missed, threads = record_resume(self.desk, actor, self.clock(), continuing=continuing)
            self._jobs.follow(held=False)
        self._changed()
        if self._poster is not None:
            for thread in threads:
                self._poster.continue_thread(actor, thread, on_continued)
        return Resumed(missed, threads, continuing)

    # --- falling due ------------------------------------------------------------------------

    def fell_due(self, statement_id: int) -> None:
        """A job fired: post, mark missed, or leave it (paused, no longer scheduled)."""
        missed: ScheduledPost | None = None
        post = False
        with self.desk.transaction() as session:
            row = post_row(session, statement_id, lock=True)
            if row is None or row.state != PostState.WAITING:
                return
            statement = session.get(StatementRow, statement_id)
            if statement.state == StatementState.POSTED:
                row.state = PostState.POSTED.value
            elif statement.state != StatementState.SCHEDULED:  # withdrawn, unscheduled
                row.state = PostState.CANCELLED.value
                row.note = f"the statement was {StatementState(statement.state).label.lower()}"
            elif pause_state(session) is not None:
                return  # stays waiting; resume() hands it to a person
            else:
                now, due, allowed = as_utc(self.clock()), as_utc(row.due_at), grace(session)
                late = due_state(due, now, allowed)
                if late is Due.WAIT:
                    return  # early by the desk's clock; refresh() gives it a job again
                if late is Due.MISSED:
                    minutes = int((now - due).total_seconds() // 60)
                    missed = miss(
                        self.desk,
                        session,
                        row,
                        statement,
                        f"the desk found it {minutes} min late, past the "
                        f"{int(allowed.total_seconds() // 60)} min grace period",
                    )
                else:
                    row.state = PostState.POSTING.value
                    post = True
            row.updated_at = self.desk.now()
        self._changed()
        if missed is not None and self.on_missed is not None:
            try:
                self.on_missed(missed)
            except Exception:
                log.exception("on_missed failed")
        if post:
            self._posting().publish(statement_id, self.desk.scheduler_actor)

    # --- plumbing ---------------------------------------------------------------------------

    def _posting(self) -> Poster:
        if self._poster is None:
            raise DeskError("This desk cannot post.")
        return self._poster

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:
                log.exception("on_change failed")
