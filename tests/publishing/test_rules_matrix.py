"""Every posting rule on every path: the window, the command line, a scheduled job, and a second
process acting at the same time. Each cell runs the real desk on a real SQLite file against the
X stand-in (real tweepy over real HTTP); nothing is mocked."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from commsdesk.clock import utc_now
from commsdesk.desk import Desk, DeskError
from commsdesk.keyring_secrets import ENV_ACCOUNT, load_x_credentials
from commsdesk.publishing.holds import drill_mode, paused
from commsdesk.publishing.publication import PublicationState
from commsdesk.publishing.publisher import Publisher
from commsdesk.publishing.x.sandbox_client import SandboxXClient
from commsdesk.publishing.x.tweepy_client import TweepyXClient
from commsdesk.scheduling.scheduler import PostScheduler
from commsdesk.statements.statement import StatementState
from commsdesk.store.database import DATABASE_FILE
from commsdesk.store.models import SandboxPostRow
from tests.support.cli import commsdesk, start_commsdesk
from tests.support.desks import ANA, SAM, THREAD, approved
from tests.support.x_api_standin import x_env

LONG = "\n---\n".join(f"Part {n} of the full account of what happened." for n in range(1, 31))
PATHS = ["window", "cli", "scheduled"]


@dataclass
class Outcome:
    posted: bool
    message: str


class World:
    """A desk on a real SQLite file, X keys in the environment, and one way to post per path."""

    def __init__(self, data_dir, x_api, request):
        self.data_dir = data_dir
        self.x_api = x_api
        self.request = request
        self.desk = Desk.open(data_dir)
        self.clock = [utc_now()]

    def close(self):
        self.desk.close()

    # --- set-up ---------------------------------------------------------------------------
    def approved(self, body: str = THREAD) -> int:
        return approved(self.desk, body, facts={"asset": "ETH"})

    def cli(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return commsdesk(*args, data_dir=self.data_dir, operator=SAM, timeout=120, check=check)

    def publisher(self, desk: Desk | None = None) -> Publisher:
        desk = desk or self.desk

        def client_for(account, sandbox):
            if sandbox:
                return SandboxXClient(desk, account)
            return TweepyXClient(load_x_credentials(account))

        return Publisher(desk, client_for, sleep=lambda s: None)

    # --- what reached X, and the SANDBOX ------------------------------------------------
    def x_posts(self) -> list[str]:
        return [p.text for p in self.x_api.live_posts]

    def sandbox_posts(self) -> int:
        with self.desk.reading() as session:
            return session.scalar(select(func.count()).select_from(SandboxPostRow))

    def kinds(self) -> list[str]:
        return [e.kind for e in self.desk.timeline(limit=200)]

    def state(self, statement_id: int) -> StatementState:
        return self.desk.statement(statement_id).state

    # --- posting, one way per path --------------------------------------------------------
    def post(self, path: str, statement_id: int, *, despite_pause: bool = False) -> Outcome:
        return getattr(self, f"_post_{path}")(statement_id, despite_pause)

    def _post_cli(self, statement_id: int, despite_pause: bool) -> Outcome:
        extra = ["--despite-pause"] if despite_pause else []
        done = self.cli("post", "--statement", str(statement_id), "--account", ENV_ACCOUNT, *extra)
        return Outcome(done.returncode == 0, done.stderr.strip())

    def _post_window(self, statement_id: int, despite_pause: bool) -> Outcome:
        from PySide6.QtWidgets import QMessageBox

        h = self.request.getfixturevalue("harness")
        h.settings.set("x_account", ENV_ACCOUNT)
        warned = []  # what the window tells the person when posting stops or is refused
        monkeypatch = self.request.getfixturevalue("monkeypatch")
        for box in ("warning", "information"):
            monkeypatch.setattr(
                QMessageBox, box, lambda *a, **k: warned.append(a[2]) or QMessageBox.Ok
            )
        refused, finished = [], []
        h.publishing.refused.connect(refused.append)
        h.publishing.finished.connect(finished.append)
        h.publishing.post_now(statement_id, despite_pause=despite_pause)
        h.qtbot.waitUntil(lambda: bool(refused or finished), timeout=60_000)
        h.idle()
        if refused:
            box = h.window._refusal_box  # the "Not done" box, open without stopping the window
            shown = [box.text()] if box is not None and box.isVisible() else []
            assert warned + shown == refused
            return Outcome(False, refused[0])
        publication = finished[0]
        if publication.state is not PublicationState.POSTED:
            assert warned == [publication.error]
        return Outcome(publication.state is PublicationState.POSTED, publication.error)

    def _post_scheduled(self, statement_id: int, despite_pause: bool) -> Outcome:
        """A job set before anything else happened, falling due now."""
        scheduler = PostScheduler(self.desk, self.publisher(), clock=lambda: self.clock[0])
        post = scheduler.scheduled(statement_id)
        if post is None:  # scheduled for X as the env account, ten minutes ahead
            post = self.schedule(statement_id)
        self.clock[0] = post.due_at + timedelta(seconds=5)
        scheduler.fell_due(statement_id)
        if despite_pause and scheduler.paused() is not None:
            scheduler.post_now(SAM, statement_id, despite_pause=True)
        post = scheduler.scheduled(statement_id)
        return Outcome(post.state == "posted", post.note)

    def schedule(self, statement_id: int):
        scheduler = PostScheduler(self.desk, None, clock=lambda: self.clock[0])
        return scheduler.schedule(
            ANA, statement_id, self.clock[0] + timedelta(minutes=10), "UTC",
            account=ENV_ACCOUNT, sandbox=False,
        )


@pytest.fixture
def world(isolated_dirs, x_api, monkeypatch, request):
    for name, value in x_env(x_api.url).items():
        monkeypatch.setenv(name, value)
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    w = World(isolated_dirs, x_api, request)
    yield w
    w.close()


# --- Drill mode ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_drill_mode_keeps_every_path_off_x(world, path):
    sid = world.approved()
    if path == "scheduled":
        world.schedule(sid)  # scheduled for X before drill mode went on
    world.cli("drill", "on", check=True)
    outcome = world.post(path, sid)
    assert outcome.posted, outcome.message
    if path == "cli":
        assert outcome.message == "commsdesk: drill mode is on; posting to the SANDBOX"
    assert world.x_posts() == []  # nothing reached X
    assert world.sandbox_posts() == 5
    assert world.state(sid) is StatementState.POSTED


def test_drill_mode_switched_on_by_another_process_holds_a_post_prepared_for_x(world):
    sid = world.approved()
    publisher = world.publisher()
    publication = publisher.prepare_statement(ANA, sid, ENV_ACCOUNT, sandbox=False)
    assert not publication.sandbox
    world.cli("drill", "on", check=True)  # another process, between prepare and run
    held = publisher.run(ANA, publication.id)
    assert held.state is PublicationState.HELD and "drill mode is on" in held.error
    assert world.x_posts() == [] and world.sandbox_posts() == 0
    assert "post.held" in world.kinds() and "desk.drill_mode" in world.kinds()
    world.cli("drill", "off", check=True)
    done = publisher.run(ANA, publication.id)  # a person posts it once drill is off
    assert done.state is PublicationState.POSTED and len(world.x_posts()) == 5


def test_drill_mode_is_on_the_record_and_read_by_every_desk(world):
    assert world.cli("drill", "status", "--json").stdout.strip() == '{"drill": false}'
    world.cli("drill", "on", check=True)
    assert drill_mode(world.desk) is True
    again = world.cli("drill", "on", check=True)
    assert "already on" in again.stdout
    events = [e for e in world.desk.timeline(limit=10) if e.kind == "desk.drill_mode"]
    assert len(events) == 1 and events[0].actor == SAM


# --- Pause all ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_pause_holds_every_path_until_a_person_overrides_it_by_name(world, path):
    sid = world.approved()
    if path == "scheduled":
        world.schedule(sid)
    world.cli("schedule", "pause", "--reason", "Legal review of the numbers", check=True)
    refused = world.post(path, sid)
    assert not refused.posted and world.x_posts() == []
    if path != "scheduled":  # a scheduled job stays waiting, silently, for resume
        assert "Legal review of the numbers" in refused.message
    overridden = world.post(path, sid, despite_pause=True)
    assert overridden.posted, overridden.message
    assert len(world.x_posts()) == 5
    override = [e for e in world.desk.timeline(limit=50) if e.kind == "post.despite_pause"]
    assert len(override) == 1 and "Legal review of the numbers" in override[0].summary


def test_an_empty_pause_reason_is_refused_with_a_message(world):
    done = world.cli("schedule", "pause", "--reason", "   ")
    assert done.returncode == 1 and "Say why" in done.stderr
    assert paused(world.desk) is None


def test_pausing_from_another_process_mid_thread_stops_before_the_next_part(world):
    world.x_api.refuse_duplicates = False  # a second copy of a part would show
    sid = world.approved()
    gate = world.x_api.hold_next(on="POST /2/tweets", skip=1)  # X holds its answer to part 2
    publisher = world.publisher()
    publication = publisher.prepare_statement(ANA, sid, ENV_ACCOUNT, sandbox=False)
    result = []
    runner = threading.Thread(target=lambda: result.append(publisher.run(ANA, publication.id)))
    runner.start()
    while len(world.x_api.posts) < 2:
        assert runner.is_alive()
        threading.Event().wait(0.02)
    world.cli("schedule", "pause", "--reason", "Wrong figure in part 3", check=True)
    gate.set()
    runner.join(60)
    held = result[0]
    assert held.state is PublicationState.HELD and "Wrong figure in part 3" in held.error
    assert len(world.x_posts()) == 2
    world.cli("schedule", "resume", check=True)
    done = publisher.run(ANA, publication.id)  # continues at part 3
    assert done.state is PublicationState.POSTED
    posts = world.x_api.live_posts
    assert [p.text for p in posts] == [p.text for p in done.parts]
    assert [p.reply_to for p in posts] == [None] + [p.id for p in posts[:-1]]


# --- One run per publication -----------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_a_publication_another_process_is_posting_is_not_posted_again(world, path):
    world.x_api.refuse_duplicates = False  # X would take a second copy: the desk must not send it
    sid = world.approved()
    if path == "scheduled":
        world.schedule(sid)
    gate = world.x_api.hold_next(on="POST /2/tweets")  # the first run waits on part 1's answer
    first = start_commsdesk(
        "post", "--statement", str(sid), "--account", ENV_ACCOUNT,
        data_dir=world.data_dir, operator=ANA,
        env={"COMMSDESK_X_TIMEOUT": "300"},  # held as long as a slow machine takes the second
    )
    try:
        while len(world.x_api.posts) < 1:
            assert first.poll() is None, first.stderr.read()
            threading.Event().wait(0.02)
        second = world.post(path, sid)
        assert not second.posted
        assert "being posted now by Ana Ruiz (comms)" in second.message
    finally:
        gate.set()
        first.communicate(timeout=120)
    assert first.returncode == 0
    assert len(world.x_posts()) == 5
    assert world.state(sid) is StatementState.POSTED


# --- Exactly what was approved -------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_an_approved_text_changed_behind_the_desk_is_never_posted(world, path):
    sid = world.approved("Withdrawals are open again.")
    if path == "scheduled":
        world.schedule(sid)
    with sqlite3.connect(world.data_dir / DATABASE_FILE) as db:  # another program, not the desk
        db.execute("UPDATE statements SET approved_text = 'Send 1 BTC to bc1q-attacker'")
    outcome = world.post(path, sid)
    assert not outcome.posted
    assert "not the text that was approved" in outcome.message
    assert world.x_posts() == [] and world.sandbox_posts() == 0


@pytest.mark.parametrize("path", PATHS)
def test_a_fact_changed_after_approval_blocks_posting_and_says_which(world, path):
    sid = world.approved("Withdrawals of {{ incident.asset }} are open again.")
    if path == "scheduled":
        world.schedule(sid)
    incident = world.desk.active_incident()
    world.desk.update_incident(ANA, incident.id, facts={"asset": "BTC"})
    outcome = world.post(path, sid)
    assert not outcome.posted
    assert "Fact asset set to BTC" in outcome.message and "approve it again" in outcome.message
    assert world.x_posts() == []


# --- A sane size -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_a_thread_over_the_limit_is_refused_before_anything_is_built(world, path):
    sid = world.approved(LONG)
    if path == "scheduled":
        world.schedule(sid)
    outcome = world.post(path, sid)
    assert not outcome.posted
    assert "thread of 30 posts" in outcome.message and "limit is 25" in outcome.message
    assert world.x_posts() == []
    assert "post.started" not in world.kinds()  # no outbox was built


def test_a_long_file_from_another_process_needs_an_explicit_go_ahead(world, tmp_path):
    text = tmp_path / "long.txt"
    text.write_text(LONG, encoding="utf-8")
    refused = world.cli("post", str(text), "--yes", "--sandbox")
    assert refused.returncode == 1 and "thread of 30 posts" in refused.stderr
    assert "--allow-long" in refused.stderr and refused.stderr.count("\n") == 1
    allowed = world.cli("post", str(text), "--yes", "--sandbox", "--allow-long", check=True)
    assert len(allowed.stdout.splitlines()) == 30
    assert world.sandbox_posts() == 30


def test_the_same_text_posted_by_two_processes_at_once_is_one_publication(world, tmp_path):
    world.x_api.refuse_duplicates = False
    text = tmp_path / "update.txt"
    text.write_text(THREAD, encoding="utf-8")
    argv = ["post", str(text), "--yes", "--account", ENV_ACCOUNT]
    runs = [start_commsdesk(*argv, data_dir=world.data_dir) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all("Traceback" not in err for _, err in outputs), outputs
    assert sorted(run.returncode for run in runs) in ([0, 0], [0, 1]), outputs
    assert len(world.x_posts()) == 5
    with world.desk.reading() as session:
        from commsdesk.store.models import PublicationRow

        assert session.scalar(select(func.count()).select_from(PublicationRow)) == 1


def test_a_refusal_reaches_the_scheduler_as_its_note(world):
    """The scheduler's own path has no terminal: a refusal is the post's note, and a DeskError
    from post_now while paused is said at once."""
    sid = world.approved()
    world.schedule(sid)
    world.cli("schedule", "pause", "--reason", "Board call", check=True)
    scheduler = PostScheduler(world.desk, world.publisher(), clock=lambda: world.clock[0])
    with pytest.raises(DeskError, match="Board call"):
        scheduler.post_now(SAM, sid)
