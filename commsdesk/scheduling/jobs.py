"""APScheduler's part: one job per waiting post, kept in the desk's own database.

APScheduler 3.11 (BackgroundScheduler, one worker thread) keeps the job `post-statement-<id>` of
each waiting post in the `apscheduler_jobs` table, so jobs survive a restart. A job only calls
`fire`, which hands the decision to the running scheduler of that database.

Jobs store their function by path. Every job is written as `FIRE_REF`, the path jobs have always
been written under since the scheduler became a package; databases from before that hold
`commsdesk.scheduling:fire` (resolved by the package's `__getattr__`). Both must keep resolving
to `fire`, wherever it lives.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime
from typing import Protocol

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_PAUSED
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commsdesk.clock import as_utc
from commsdesk.desk import Desk
from commsdesk.scheduling.posts import PostState
from commsdesk.store.database import writer
from commsdesk.store.models import ScheduledPostRow, SchedulerJobRow

JOBS_TABLE = "apscheduler_jobs"
FIRE_REF = "commsdesk.scheduling.scheduler:fire"  # the stored path of every job's function


class FallsDue(Protocol):
    def fell_due(self, statement_id: int) -> None: ...


def job_id(statement_id: int) -> str:
    return f"post-statement-{statement_id}"


def desk_key(desk: Desk) -> str:
    return desk.engine.url.render_as_string(hide_password=True)


# --- the job ------------------------------------------------------------------------------------

_running: dict[str, FallsDue] = {}
_running_lock = threading.Lock()


def fire(statement_id: int, desk: str) -> None:
    """The job APScheduler stores (by reference): find the running scheduler of that database
    (or the only one running) and let it decide."""
    with _running_lock:
        scheduler = _running.get(desk)
        if scheduler is None and len(_running) == 1:
            scheduler = next(iter(_running.values()))
    if scheduler is None:
        # The waiting row stays; start() adds its job again.
        raise RuntimeError(f"No scheduler is running for {desk}; statement #{statement_id} waits")
    scheduler.fell_due(statement_id)


class DeskJobStore(SQLAlchemyJobStore):
    """APScheduler's store on the desk's engine, whose transactions are known to write (on SQLite
    BEGIN IMMEDIATE, so the store queues behind the desk instead of failing). The engine is the
    desk's: shutting the scheduler down must not dispose of it."""

    def shutdown(self) -> None:
        pass

    def remove_job(self, job_id: str) -> None:
        """A job already gone is fine. The desk deletes a post's job in the transaction that
        settles the post (`drop_jobs`), which can land just before APScheduler's own thread
        removes the same one-off job after handing it to the worker. APScheduler's loop does
        not survive a JobLookupError there: its thread ends and no later post would go out."""
        with contextlib.suppress(JobLookupError):
            super().remove_job(job_id)


def drop_jobs(session: Session, statement_ids: list[int]) -> None:
    """Remove jobs inside the caller's transaction: works with or without a running scheduler
    (APScheduler keeps no copy of its jobs outside the table)."""
    if statement_ids:
        ids = [job_id(statement_id) for statement_id in statement_ids]
        session.execute(delete(SchedulerJobRow).where(SchedulerJobRow.id.in_(ids)))


# --- the scheduler ------------------------------------------------------------------------------


class Jobs:
    """The BackgroundScheduler of one desk: started paused, then paused and resumed in step
    with the persisted pause by its owner (who holds the lock that keeps the two together)."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.key = desk_key(desk)
        self._scheduler = BackgroundScheduler(
            jobstores={"default": DeskJobStore(engine=writer(desk.engine), tablename=JOBS_TABLE)},
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            timezone=UTC,
        )

    @property
    def running(self) -> bool:
        return self._scheduler.running

    def start(self, owner: FallsDue) -> None:
        """Start paused; jobs of this database fire on `owner` once resumed."""
        with _running_lock:
            _running[self.key] = owner
        self._scheduler.start(paused=True)

    def shutdown(self, owner: FallsDue, wait: bool = True) -> None:
        """Stop; with `wait`, after the job in the worker thread has finished."""
        if self._scheduler.running:
            # APScheduler looks for due jobs once more after shutting down, and fails on them:
            # without its store it finds none. The jobs stay in the table.
            self._scheduler.remove_jobstore("default", shutdown=False)
            self._scheduler.shutdown(wait=wait)
        with _running_lock:
            if _running.get(self.key) is owner:
                del _running[self.key]

    def pause(self) -> None:
        if self._scheduler.running:
            self._scheduler.pause()

    def resume(self) -> None:
        if self._scheduler.running:
            self._scheduler.resume()

    def follow(self, held: bool) -> bool:
        """Pause or resume as the persisted pause says; True when that changed anything.
        Not held, waiting posts whose job is gone get one again."""
        if not self._scheduler.running:
            return False
        paused = self._scheduler.state == STATE_PAUSED
        if held:
            if not paused:
                self._scheduler.pause()
            return not paused
        if paused:
            self._scheduler.resume()
        self.ensure()
        return paused

    def add(self, statement_id: int, due: datetime) -> None:
        """The job of a waiting post; without a running scheduler start() adds it."""
        if not self._scheduler.running:
            return
        self._scheduler.add_job(
            FIRE_REF,
            trigger="date",
            run_date=due,
            id=job_id(statement_id),
            name=f"post statement #{statement_id}",
            args=[statement_id],
            kwargs={"desk": self.key},
            replace_existing=True,
        )

    def ensure(self) -> None:
        """A job for every waiting post that has none."""
        with self.desk.reading() as session:
            waiting = session.execute(
                select(ScheduledPostRow.statement_id, ScheduledPostRow.due_at).where(
                    ScheduledPostRow.state == PostState.WAITING.value
                )
            ).all()
            jobs = set(session.scalars(select(SchedulerJobRow.id)))
        for statement_id, due in waiting:
            if job_id(statement_id) not in jobs:
                self.add(statement_id, as_utc(due))
