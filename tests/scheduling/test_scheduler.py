"""Scheduled posts with the real APScheduler, on real SQLite files, posting to the SANDBOX.

Due times are a second or two ahead; tests wait for an outcome (never for a duration) and a
restart is a new Desk and PostScheduler on the same file. A desk "closed for ten minutes" is a
desk whose clock runs ten minutes ahead when it opens again.
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from commsdesk.clock import utc_now
from commsdesk.desk import Desk, DeskError
from commsdesk.incidents.incident import Severity
from commsdesk.publishing.publisher import Publisher
from commsdesk.publishing.x.sandbox_client import SandboxXClient
from commsdesk.scheduling.policy import AmbiguousTime, ScheduleRefused
from commsdesk.scheduling.scheduler import (
    GRACE_KEY,
    PostScheduler,
    PostState,
    ScheduledPost,
    job_id,
)
from commsdesk.statements.statement import StatementState
from commsdesk.store.models import PolicyRow, ScheduledPostRow, SchedulerJobRow
from tests.support.desks import ANA, SAM, approved

BERLIN = "Europe/Berlin"


class Opened:
    """Desks and schedulers opened by a test; all shut down and closed at its end."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.items: list[tuple[Desk, PostScheduler]] = []

    def __call__(
        self,
        *,
        clock: Callable[[], datetime] = utc_now,
        start: bool = True,
        executor: Callable | None = None,
        check_every: float = 30.0,
        numbering: bool = True,
    ) -> tuple[Desk, PostScheduler]:
        desk = Desk.open(self.data_dir, clock=clock)
        publisher = Publisher(desk, lambda account, _sandbox: SandboxXClient(desk, account))
        scheduler = PostScheduler(
            desk, publisher, clock=clock, executor=executor, check_every=check_every,
            numbering=lambda: numbering,
        )
        self.items.append((desk, scheduler))
        if start:
            scheduler.start()
        return desk, scheduler

    def close(self, desk: Desk, scheduler: PostScheduler) -> None:
        scheduler.shutdown()
        desk.close()

    def close_all(self) -> None:
        for desk, scheduler in self.items:
            scheduler.shutdown()
            desk.close()


@pytest.fixture
def opened(isolated_dirs) -> Iterator[Opened]:
    desks = Opened(isolated_dirs)
    yield desks
    desks.close_all()


def ahead(**delta: float) -> Callable[[], datetime]:
    """A clock running `delta` ahead of the real one."""
    return lambda: utc_now() + timedelta(**delta)


def approved_titled(desk: Desk, title: str = "Funds are safe") -> int:
    """An approved statement titled `title`, its text saying when the next update comes."""
    return approved(desk, f"{title}. More at 18:00 UTC.", title=title)


def soon(seconds: float = 1.0) -> datetime:
    return utc_now() + timedelta(seconds=seconds)


def schedule(scheduler: PostScheduler, sid: int, due: datetime) -> ScheduledPost:
    return scheduler.schedule(ANA, sid, due, BERLIN, account="sandbox", sandbox=True)


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    end = clock.monotonic() + timeout
    while not condition():
        if clock.monotonic() > end:
            raise AssertionError("condition not met in time")
        clock.sleep(0.05)


def wait_past(due: datetime) -> None:
    wait_for(lambda: utc_now() > due + timedelta(milliseconds=200))


def feed(desk: Desk) -> list[str]:
    return [post.text for post in SandboxXClient(desk, "sandbox").recent_posts("0")]


def jobs(desk: Desk) -> list[str]:
    with desk.reading() as db:
        return list(db.scalars(select(SchedulerJobRow.id)))


def rows(desk: Desk) -> int:
    with desk.reading() as db:
        return db.scalar(select(func.count()).select_from(ScheduledPostRow))


def state_of(scheduler: PostScheduler, sid: int) -> PostState | None:
    post = scheduler.scheduled(sid)
    return None if post is None else post.state


def events(desk: Desk, kind: str) -> list:
    return [event for event in desk.timeline(limit=200) if event.kind == kind]


def test_a_post_falls_due_and_goes_out_once(opened):
    desk, scheduler = opened()
    changes: list[int] = []
    scheduler.on_change = lambda: changes.append(1)
    sid = approved_titled(desk)
    post = schedule(scheduler, sid, soon())
    assert post.state is PostState.WAITING and post.zone == BERLIN and post.sandbox
    assert desk.statement(sid).state is StatementState.SCHEDULED
    assert "UTC" in desk.statement(sid).note and BERLIN in desk.statement(sid).note
    assert jobs(desk) == [job_id(sid)]
    assert [p.statement_id for p in scheduler.upcoming()] == [sid]

    wait_for(lambda: state_of(scheduler, sid) is PostState.POSTED)
    opened.close(desk, scheduler)  # waits for the worker: a second run would show now

    desk, scheduler = opened(start=False)
    assert desk.statement(sid).state is StatementState.POSTED
    assert feed(desk) == [desk.statement(sid).approved_text]
    assert jobs(desk) == [] and scheduler.upcoming() == []
    assert changes


def test_jobs_survive_a_restart_and_scheduling_again_keeps_one_job(opened):
    desk, scheduler = opened()
    sid = approved_titled(desk)
    schedule(scheduler, sid, soon(30))
    due = soon(1.5)
    scheduler.reschedule(ANA, sid, due, "Asia/Singapore")  # the same job id, replaced
    assert jobs(desk) == [job_id(sid)]
    opened.close(desk, scheduler)

    desk, scheduler = opened(start=False)
    assert jobs(desk) == [job_id(sid)]  # kept in the desk's database
    assert scheduler.scheduled(sid).zone == "Asia/Singapore"
    assert feed(desk) == []
    wait_past(due)
    scheduler.start()
    wait_for(lambda: state_of(scheduler, sid) is PostState.POSTED)
    assert len(feed(desk)) == 1
    assert events(desk, "schedule.rescheduled")


@pytest.mark.parametrize(
    ("grace_minutes", "closed_for", "outcome"),
    [(None, 10, PostState.MISSED), (None, 2, PostState.POSTED), (15, 10, PostState.POSTED)],
)
def test_a_post_due_while_the_desk_was_closed(opened, grace_minutes, closed_for, outcome):
    """Later than the grace period (5 min unless the policy says) it waits for review."""
    desk, scheduler = opened(start=False)
    sid = approved_titled(desk)
    if grace_minutes is not None:
        scheduler.set_grace(ANA, grace_minutes)
    due = soon()
    schedule(scheduler, sid, due)
    opened.close(desk, scheduler)
    wait_past(due)

    desk, scheduler = opened(clock=ahead(minutes=closed_for), start=False)
    missed: list[ScheduledPost] = []
    scheduler.on_missed = missed.append
    scheduler.start()
    wait_for(lambda: state_of(scheduler, sid) is outcome)
    if outcome is PostState.POSTED:
        assert len(feed(desk)) == 1 and missed == []
        return
    assert feed(desk) == []
    assert desk.statement(sid).state is StatementState.SCHEDULED
    assert [(p.statement_id, p.state) for p in missed] == [(sid, PostState.MISSED)]
    assert [(p.statement_id, p.state) for p in scheduler.upcoming()] == [(sid, "missed")]
    (event,) = events(desk, "schedule.missed")
    assert "missed — review" in event.summary and "grace" in event.summary


def test_a_missed_post_is_posted_when_a_person_says_so_through_the_executor(opened):
    desk, scheduler = opened(start=False)
    sid = approved_titled(desk)
    due = soon()
    schedule(scheduler, sid, due)
    opened.close(desk, scheduler)
    wait_past(due)
    handed: list[Callable[[], None]] = []
    desk, scheduler = opened(clock=ahead(minutes=30), executor=handed.append)
    wait_for(lambda: state_of(scheduler, sid) is PostState.MISSED)
    assert handed == []  # a missed post is never handed over on its own

    scheduler.post_now(SAM, sid)
    assert state_of(scheduler, sid) is PostState.POSTING and feed(desk) == []
    (work,) = handed
    work()  # the X lane runs it
    assert state_of(scheduler, sid) is PostState.POSTED
    assert desk.statement(sid).state is StatementState.POSTED and len(feed(desk)) == 1


def test_a_pause_holds_due_posts_across_a_restart_and_resume_posts_none_of_them(opened):
    desk, scheduler = opened()
    due_soon, due_later = approved_titled(desk, "Due soon"), approved_titled(desk, "Due later")
    first = soon()
    schedule(scheduler, due_soon, first)
    schedule(scheduler, due_later, soon(3600))
    with pytest.raises(DeskError, match="Say why"):
        scheduler.pause(ANA, "  ")
    held = scheduler.pause(ANA, "Figures under legal review")
    with pytest.raises(DeskError, match="already paused"):
        scheduler.pause(SAM, "again")
    wait_past(first)
    opened.close(desk, scheduler)

    desk, scheduler = opened()
    assert scheduler.paused() == held
    assert held.by == ANA and held.reason == "Figures under legal review"
    clock.sleep(0.5)  # a started, paused scheduler with a due job: nothing may go out
    assert feed(desk) == [] and state_of(scheduler, due_soon) is PostState.WAITING
    assert sorted(jobs(desk)) == sorted([job_id(due_soon), job_id(due_later)])  # none fired

    missed = scheduler.resume(SAM)
    assert [(p.statement_id, p.state) for p in missed] == [(due_soon, PostState.MISSED)]
    assert scheduler.paused() is None
    opened.close(desk, scheduler)
    assert feed(desk) == []
    assert state_of(scheduler, due_soon) is PostState.MISSED
    assert state_of(scheduler, due_later) is PostState.WAITING
    assert jobs(desk) == [job_id(due_later)]
    (paused,) = events(desk, "schedule.paused")
    assert paused.actor == ANA and "Figures under legal review" in paused.summary
    (resumed,) = events(desk, "schedule.resumed")
    assert resumed.actor == SAM and "Due soon" in resumed.summary


def test_a_job_firing_while_the_database_says_paused_does_not_post(opened):
    """Paused from another desk or the command line, before this desk's next check."""
    desk, scheduler = opened()
    sid = approved_titled(desk)
    schedule(scheduler, sid, soon())
    other_desk, other = opened(start=False)
    other.pause(SAM, "Wrong figures")
    wait_for(lambda: jobs(desk) == [])  # the job fired (and is gone)
    opened.close(desk, scheduler)
    assert feed(desk) == [] and state_of(other, sid) is PostState.WAITING
    assert [p.statement_id for p in other.resume(SAM)] == [sid]
    assert feed(other_desk) == []


def test_a_running_desk_follows_a_pause_and_resume_made_elsewhere(opened):
    desk, scheduler = opened(check_every=0.1)
    changed = threading.Event()
    scheduler.on_change = changed.set
    other_desk, other = opened(start=False)  # the command line
    other.pause(SAM, "Hold everything")
    wait_for(changed.is_set)
    held, later = approved_titled(desk, "Held"), approved_titled(desk, "Later")
    due = soon()
    schedule(scheduler, held, due)
    wait_past(due)
    clock.sleep(0.3)
    assert jobs(desk) == [job_id(held)]  # the running desk itself is paused: nothing fired

    assert [p.statement_id for p in other.resume(SAM)] == [held]
    schedule(scheduler, later, soon())
    wait_for(lambda: state_of(scheduler, later) is PostState.POSTED)
    assert state_of(scheduler, held) is PostState.MISSED and len(feed(desk)) == 1


def test_local_times_the_clock_skips_or_repeats_store_nothing(opened):
    desk, scheduler = opened()
    sid = approved_titled(desk)
    with pytest.raises(ScheduleRefused, match="does not exist"):  # spring forward
        scheduler.schedule_local(
            ANA, sid, date(2030, 3, 31), time(2, 30), BERLIN, account="sandbox", sandbox=True
        )
    with pytest.raises(AmbiguousTime):  # fall back: 02:30 happens twice
        scheduler.schedule_local(
            ANA, sid, date(2030, 10, 27), time(2, 30), BERLIN, account="sandbox", sandbox=True
        )
    with pytest.raises(ScheduleRefused, match="already passed"):
        schedule(scheduler, sid, utc_now() - timedelta(minutes=1))
    assert rows(desk) == 0 and jobs(desk) == []
    assert desk.statement(sid).state is StatementState.APPROVED

    post = scheduler.schedule_local(
        ANA, sid, date(2030, 10, 27), time(2, 30), BERLIN, fold=1, account="sandbox", sandbox=True
    )
    assert post.due_at == datetime(2030, 10, 27, 1, 30, tzinfo=post.due_at.tzinfo)
    assert post.local_due.tzname() == "CET" and jobs(desk) == [job_id(sid)]


def test_cancel_removes_the_job_and_the_statement_is_approved_again(opened):
    desk, scheduler = opened()
    sid = approved_titled(desk)
    schedule(scheduler, sid, soon(3600))
    assert jobs(desk) == [job_id(sid)]
    statement = scheduler.cancel(ANA, sid)
    assert statement.state is StatementState.APPROVED
    assert jobs(desk) == [] and scheduler.upcoming() == []
    assert state_of(scheduler, sid) is PostState.CANCELLED
    with pytest.raises(DeskError, match="not scheduled"):
        scheduler.cancel(ANA, sid)
    schedule(scheduler, sid, soon(7200))  # scheduled again: the same row, one job
    assert rows(desk) == 1 and jobs(desk) == [job_id(sid)]


def test_only_an_approved_statement_is_scheduled(opened):
    desk, scheduler = opened()
    incident = desk.start_incident(ANA, "Outage", Severity.P2)
    draft = desk.create_statement(ANA, incident.id, "Draft", "Not yet.")
    with pytest.raises(DeskError, match="Only an approved statement"):
        schedule(scheduler, draft.id, soon(60))
    assert rows(desk) == 0 and jobs(desk) == []
    with desk.transaction() as db:  # a bad policy value falls back to the default
        db.add(PolicyRow(key=GRACE_KEY, value="soon"))
    assert scheduler.grace() == timedelta(minutes=5)


@pytest.mark.parametrize("numbering", [True, False])
def test_a_scheduled_thread_follows_the_numbering_setting(opened, numbering):
    desk, scheduler = opened(numbering=numbering)
    incident = desk.start_incident(ANA, "Hot wallet drained", Severity.P1)
    body = "\n\n".join(
        f"Update {n}. Withdrawals stay paused while every wallet is re-keyed and checked by two "
        "independent firms; client balances remain backed one to one." for n in (1, 2)
    )
    statement = desk.create_statement(ANA, incident.id, "Update", body)
    desk.submit(ANA, statement.id)
    desk.approve(SAM, statement.id)
    schedule(scheduler, statement.id, soon())
    wait_for(lambda: state_of(scheduler, statement.id) is PostState.POSTED)
    posted = sorted(feed(desk), key=lambda text: "Update 2" in text)
    assert [text.endswith(f" {n}/2") for n, text in enumerate(posted, 1)] == [numbering] * 2


def test_a_job_deleted_by_the_desk_as_apscheduler_runs_it_leaves_the_scheduler_running(
    opened, monkeypatch
):
    """The desk deletes a post's job in its own transaction; when that lands between
    APScheduler handing the job to its worker and removing it, APScheduler finds it gone. Its
    loop must go on: the next post still goes out."""
    from apscheduler.executors.base import BaseExecutor

    submit = BaseExecutor.submit_job
    raced: list[str] = []

    def submit_then_lose_the_row(executor, job, run_times):
        submit(executor, job, run_times)
        if not raced:
            raced.append(job.id)
            with desk.transaction() as session:  # as _drop_jobs does, on another thread
                session.execute(delete(SchedulerJobRow).where(SchedulerJobRow.id == job.id))

    monkeypatch.setattr(BaseExecutor, "submit_job", submit_then_lose_the_row)
    desk, scheduler = opened()
    first = approved_titled(desk, "First")
    schedule(scheduler, first, soon())
    wait_for(lambda: state_of(scheduler, first) is PostState.POSTED)
    assert raced == [job_id(first)]
    second = approved_titled(desk, "Second")
    schedule(scheduler, second, soon())
    wait_for(lambda: state_of(scheduler, second) is PostState.POSTED)
    assert len(feed(desk)) == 2


def test_a_job_stored_before_the_scheduler_moved_still_posts(opened):
    """Databases written before the scheduler became a package hold jobs whose function is
    `commsdesk.scheduling:fire`; opened now, such a job still posts."""
    import pickle

    desk, scheduler = opened()
    sid = approved_titled(desk)
    due = soon(3)
    schedule(scheduler, sid, due)
    opened.close(desk, scheduler)  # before it falls due: the job stays in the table
    with desk.engine.begin() as db:  # the job as an older desk stored it
        (state,) = db.execute(select(SchedulerJobRow.job_state)).one()
        job = pickle.loads(state)
        assert job["func"] == "commsdesk.scheduling.scheduler:fire"
        job["func"] = "commsdesk.scheduling:fire"
        db.execute(SchedulerJobRow.__table__.update().values(job_state=pickle.dumps(job)))

    desk, scheduler = opened(start=False)
    wait_past(due)
    scheduler.start()
    wait_for(lambda: state_of(scheduler, sid) is PostState.POSTED)
    assert feed(desk) == [desk.statement(sid).approved_text]
