"""Resume continues each thread the pause stopped mid-way, from the part where it stopped.

Real SQLite files, the X stand-in (real tweepy over real HTTP), and the pause from another
process or another desk on the same database. The stand-in takes a second copy of a post
(`refuse_duplicates = False`), so a part sent twice would show.
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from apscheduler.util import ref_to_obj

from commsdesk.clock import utc_now
from commsdesk.desk import Desk
from commsdesk.keyring_secrets import ENV_ACCOUNT, load_x_credentials
from commsdesk.publishing.holds import set_drill_mode
from commsdesk.publishing.publication import Publication, PublicationState
from commsdesk.publishing.publisher import Publisher
from commsdesk.publishing.x.sandbox_client import SandboxXClient
from commsdesk.publishing.x.tweepy_client import TweepyXClient
from commsdesk.scheduling import jobs
from commsdesk.scheduling.scheduler import PostScheduler, PostState
from commsdesk.statements.statement import StatementState
from tests.support.cli import commsdesk
from tests.support.desks import ANA, SAM, THREAD, approved
from tests.support.x_api_standin import x_env

REASON = "Wrong figure in part 3"


class World:
    """Desks on one SQLite file, posting to the X stand-in as the 'env' account."""

    def __init__(self, data_dir, x_api) -> None:
        self.data_dir = data_dir
        self.x_api = x_api
        self.desks: list[Desk] = []
        self.schedulers: list[PostScheduler] = []
        self.desk = self.open()

    def open(self) -> Desk:
        desk = Desk.open(self.data_dir)
        self.desks.append(desk)
        return desk

    def publisher(self, desk: Desk) -> Publisher:
        def client_for(account, sandbox):
            if sandbox:
                return SandboxXClient(desk, account)
            return TweepyXClient(load_x_credentials(account))

        return Publisher(desk, client_for, sleep=lambda s: None)

    def scheduler(self, desk: Desk, *, posting: bool = True, **options) -> PostScheduler:
        scheduler = PostScheduler(desk, self.publisher(desk) if posting else None, **options)
        self.schedulers.append(scheduler)
        return scheduler

    def cli(self, *args: str) -> str:
        done = commsdesk(*args, data_dir=self.data_dir, operator=SAM, timeout=120, check=True)
        return done.stdout

    def x_posts(self) -> list[str]:
        return [p.text for p in self.x_api.live_posts]

    def close(self) -> None:
        for scheduler in self.schedulers:
            scheduler.shutdown()
        for desk in self.desks:
            desk.close()


@pytest.fixture
def world(isolated_dirs, x_api, monkeypatch) -> Iterator[World]:
    for name, value in x_env(x_api.url).items():
        monkeypatch.setenv(name, value)
    x_api.refuse_duplicates = False
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    w = World(isolated_dirs, x_api)
    yield w
    w.close()


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    end = clock.monotonic() + timeout
    while not condition():
        if clock.monotonic() > end:
            raise AssertionError("condition not met in time")
        clock.sleep(0.02)


def stopped_after_two(world: World, publisher: Publisher, publication_id: int, stop) -> None:
    """Run the publication; once two parts are out, `stop()` (from another desk) before the
    third goes."""

    def progress(publication: Publication) -> None:
        if len(publication.post_ids) == 2:
            stop()

    publisher.run(ANA, publication_id, on_progress=progress)


def pause_from(world: World) -> Callable[[], None]:
    """Pause all, from another desk on the same database."""
    other = world.scheduler(world.open(), posting=False)
    return lambda: other.pause(SAM, REASON)


def assert_one_thread(world: World, publication: Publication) -> None:
    """Every part on X exactly once, in order, each a reply to the one before."""
    posts = world.x_api.live_posts
    assert [p.text for p in posts] == [part.text for part in publication.parts]
    assert [p.reply_to for p in posts] == [None] + [p.id for p in posts[:-1]]
    assert publication.post_ids == [p.id for p in posts]


def test_jobs_stored_under_either_path_find_the_same_function():
    """Jobs name their function by path: today's, and the one databases from before the
    scheduler became a package hold."""
    assert jobs.FIRE_REF == "commsdesk.scheduling.scheduler:fire"
    for path in (jobs.FIRE_REF, "commsdesk.scheduling:fire"):
        assert ref_to_obj(path) is jobs.fire


def test_a_scheduled_thread_paused_from_another_process_continues_on_resume(world):
    """The job posts on the X lane; a pause from the command line stops it after part 2;
    resume on the desk continues it there, on the X lane, at part 3."""
    lane = ThreadPoolExecutor(1, thread_name_prefix="x-lane")
    ran_on: list[str] = []

    def on_lane(work) -> None:
        lane.submit(lambda: (ran_on.append(threading.current_thread().name), work()))

    desk = world.desk
    scheduler = world.scheduler(desk, executor=on_lane)
    scheduler.start()
    sid = approved(desk, THREAD)
    gate = world.x_api.hold_next(on="POST /2/tweets", skip=1)  # X holds its answer to part 2
    scheduler.schedule(
        ANA, sid, utc_now() + timedelta(seconds=1), "UTC", account=ENV_ACCOUNT, sandbox=False
    )
    wait_for(lambda: len(world.x_api.posts) == 2)
    world.cli("schedule", "pause", "--reason", REASON)
    gate.set()
    wait_for(lambda: scheduler.scheduled(sid).state is PostState.MISSED)
    assert REASON in scheduler.scheduled(sid).note and len(world.x_posts()) == 2

    resumed = scheduler.resume(SAM)
    assert list(resumed) == [] and resumed.continuing
    (thread,) = resumed.threads
    assert (thread.statement_id, thread.next_part, thread.total) == (sid, 3, 5)
    wait_for(lambda: scheduler.scheduled(sid).state is PostState.POSTED)
    lane.shutdown(wait=True)
    publication = world.publisher(desk).publication(thread.publication_id)
    assert publication.state is PublicationState.POSTED
    assert_one_thread(world, publication)
    assert ran_on == ["x-lane_0", "x-lane_0"]  # the job's posting, then the continuation
    assert desk.statement(sid).state is StatementState.POSTED

    timeline = desk.timeline(limit=100)  # newest first
    resumed_at = next(i for i, e in enumerate(timeline) if e.kind == "schedule.resumed")
    event = timeline[resumed_at]
    assert event.actor == SAM and "from post 3/5 to X as env" in event.summary
    assert event.data["threads"] == [
        {"publication": thread.publication_id, "statement": sid, "from_part": 3}
    ]
    continued = [e for e in timeline[:resumed_at] if e.kind == "post.part_posted"]
    assert [(e.actor, e.data["part"]) for e in reversed(continued)] == [
        (SAM, 3), (SAM, 4), (SAM, 5),
    ]  # fmt: skip


def test_the_command_line_resume_continues_a_thread_another_process_was_posting(world):
    """Posted from this process, paused and resumed by the command line: the command line
    continues it, as `commsdesk post` would."""
    desk = world.desk
    sid = approved(desk, THREAD)
    publisher = world.publisher(desk)
    publication = publisher.prepare_statement(ANA, sid, ENV_ACCOUNT, sandbox=False)
    stopped_after_two(
        world, publisher, publication.id,
        lambda: world.cli("schedule", "pause", "--reason", REASON),
    )  # fmt: skip
    assert publisher.publication(publication.id).state is PublicationState.HELD
    assert len(world.x_posts()) == 2

    out = world.cli("schedule", "resume")
    assert "1 thread(s) the pause stopped mid-way continued" in out
    assert "'Update' from post 3/5 to X as env: posted as " in out
    done = publisher.publication(publication.id)
    assert done.state is PublicationState.POSTED
    assert_one_thread(world, done)
    assert desk.statement(sid).state is StatementState.POSTED
    assert publisher.run(ANA, publication.id).state is PublicationState.POSTED
    assert len(world.x_posts()) == 5  # asked again: nothing sent again


@pytest.mark.parametrize("taken_back", ["cancelled", "withdrawn"])
def test_a_thread_a_person_took_back_while_paused_stays_held(world, taken_back):
    desk = world.desk
    scheduler = world.scheduler(desk)
    scheduler.start()
    sid = approved(desk, THREAD)
    gate = world.x_api.hold_next(on="POST /2/tweets", skip=1)
    scheduler.schedule(
        ANA, sid, utc_now() + timedelta(seconds=1), "UTC", account=ENV_ACCOUNT, sandbox=False
    )
    wait_for(lambda: len(world.x_api.posts) == 2)
    pause_from(world)()
    gate.set()
    wait_for(lambda: scheduler.scheduled(sid).state is PostState.MISSED)
    if taken_back == "cancelled":
        scheduler.cancel(SAM, sid)
    else:
        desk.withdraw(SAM, sid, "The figures are being re-checked")

    resumed = scheduler.resume(SAM)
    assert resumed.threads == ()
    assert len(world.x_posts()) == 2
    (publication,) = world.publisher(desk).unfinished()
    assert publication.state is PublicationState.HELD
    left = PostState.CANCELLED if taken_back == "cancelled" else PostState.MISSED
    assert scheduler.scheduled(sid).state is left


def test_threads_held_by_drill_mode_or_before_their_first_part_are_not_continued(world):
    desk = world.desk
    publisher = world.publisher(desk)
    other = world.open()
    drilled = publisher.prepare_text(ANA, THREAD, ENV_ACCOUNT, sandbox=False)
    stopped_after_two(
        world, publisher, drilled.id, lambda: set_drill_mode(other, SAM, True)
    )  # held by drill mode after part 2
    set_drill_mode(other, SAM, False)
    pause_from(world)()
    sid = approved(desk, THREAD)
    unstarted = publisher.prepare_statement(ANA, sid, ENV_ACCOUNT, sandbox=False)
    assert publisher.run(ANA, unstarted.id).state is PublicationState.HELD  # before part 1

    resumed = world.scheduler(desk).resume(SAM)
    assert resumed.threads == ()
    assert len(world.x_posts()) == 2
    states = {p.id: p.state for p in publisher.unfinished()}
    assert states == {drilled.id: PublicationState.HELD, unstarted.id: PublicationState.HELD}


def test_a_desk_that_cannot_post_leaves_the_thread_to_a_person(world):
    desk = world.desk
    publisher = world.publisher(desk)
    publication = publisher.prepare_text(ANA, THREAD, ENV_ACCOUNT, sandbox=False)
    stopped_after_two(world, publisher, publication.id, pause_from(world))

    resumed = world.scheduler(world.open(), posting=False).resume(SAM)
    (thread,) = resumed.threads
    assert not resumed.continuing and thread.next_part == 3 and thread.statement_id is None
    assert len(world.x_posts()) == 2
    (event,) = [e for e in desk.timeline(limit=20) if e.kind == "schedule.resumed"]
    assert "wait for a person to post them again" in event.summary
    assert event.data["continued"] is False

    done = publisher.run(SAM, publication.id)  # the person posts it again
    assert_one_thread(world, done)


def test_a_thread_paused_again_while_it_continues_continues_at_the_next_resume(world):
    desk = world.desk
    publisher = world.publisher(desk)
    publication = publisher.prepare_text(ANA, THREAD, ENV_ACCOUNT, sandbox=False)
    stopped_after_two(world, publisher, publication.id, pause_from(world))
    gate = world.x_api.hold_next(on="POST /2/tweets")  # X holds its answer to part 3
    scheduler = world.scheduler(desk, executor=lambda work: threading.Thread(target=work).start())
    ended: list[str] = []
    scheduler.resume(SAM, on_continued=lambda thread, line: ended.append(line))
    wait_for(lambda: len(world.x_api.posts) == 3)
    pause_from(world)()
    gate.set()
    wait_for(lambda: bool(ended))
    assert ended[0].startswith("not finished: Held: all posting is paused")
    assert len(world.x_posts()) == 3

    (thread,) = scheduler.resume(ANA, on_continued=lambda thread, line: ended.append(line)).threads
    assert thread.next_part == 4
    wait_for(lambda: len(ended) == 2)
    assert ended[1].startswith("posted as ")
    assert_one_thread(world, publisher.publication(publication.id))
