"""`commsdesk schedule list|pause|resume`, run as a real process on the desk's database."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import pytest

from commsdesk.clock import utc_now
from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.publishing.x.sandbox_client import SandboxXClient
from commsdesk.scheduling.scheduler import PostScheduler, PostState
from commsdesk.statements.statement import StatementState
from tests.support.cli import commsdesk
from tests.support.desks import ANA, SAM, approved

# The command line as Sam.
run = partial(commsdesk, operator=SAM)


@pytest.fixture
def data(tmp_path) -> Path:
    """A desk with two scheduled posts: one overdue by ten minutes, one due in an hour.

    Scheduled by a desk whose clock ran an hour behind, so the overdue one could be scheduled
    and no test has to wait for a due time."""
    folder = tmp_path / "desk"
    earlier = lambda: utc_now() - timedelta(hours=1)  # noqa: E731
    desk = Desk.open(folder, clock=earlier)
    scheduler = PostScheduler(desk, None, clock=earlier)
    for title, due, zone in (
        ("Overdue update", utc_now() - timedelta(minutes=10), "Europe/Berlin"),
        ("Evening update", utc_now() + timedelta(hours=1), "Asia/Singapore"),
    ):
        statement_id = approved(desk, f"{title}: funds are safe.", title=title)
        scheduler.schedule(ANA, statement_id, due, zone, account="sandbox", sandbox=True)
    desk.close()
    return folder


def test_list_shows_each_post_by_due_time(data):
    out = run("schedule", "list", "--json", data_dir=data)
    assert out.returncode == 0, out.stderr
    listing = json.loads(out.stdout)
    assert [p["title"] for p in listing] == ["Overdue update", "Evening update"]
    assert set(listing[0]) == {
        "statement_id",
        "title",
        "due_at",
        "zone",
        "state",
        "account",
        "sandbox",
    }
    assert listing[1]["zone"] == "Asia/Singapore" and listing[1]["due_at"].endswith("+00:00")
    assert {p["state"] for p in listing} == {"waiting"} and all(p["sandbox"] for p in listing)

    out = run("schedule", "list", data_dir=data)
    lines = out.stdout.splitlines()
    assert len(lines) == 2
    assert " UTC " in lines[1] and "+08 Asia/Singapore" in lines[1]
    assert "waiting" in lines[1] and "sandbox (SANDBOX)" in lines[1]
    assert lines[1].endswith("Evening update")


def test_pause_then_resume_hands_back_what_fell_due_and_posts_nothing(data):
    assert run("schedule", "pause", data_dir=data).returncode == 2  # the reason is required
    out = run("schedule", "pause", "--reason", "Legal review of the figures", data_dir=data)
    assert out.returncode == 0, out.stderr
    assert "paused by Sam Okafor (legal): Legal review of the figures" in out.stdout
    assert run("schedule", "pause", "--reason", "again", data_dir=data).returncode == 1
    assert "PAUSED (by Sam Okafor (legal)" in run("schedule", "list", data_dir=data).stdout

    desk = Desk.open(data)
    try:
        held = PostScheduler(desk, None).paused()
    finally:
        desk.close()
    assert held is not None and held.reason == "Legal review of the figures"

    out = run("schedule", "resume", data_dir=data)
    assert out.returncode == 0, out.stderr
    assert "1 post(s) fell due while paused and were NOT posted" in out.stdout
    assert "Overdue update" in out.stdout and "Evening update" not in out.stdout
    again = run("schedule", "resume", data_dir=data)
    assert again.returncode == 1 and "not paused" in again.stderr

    desk = Desk.open(data)
    try:
        scheduler = PostScheduler(desk, None)
        states = {p.title: p.state for p in scheduler.upcoming()}
        assert states == {"Overdue update": PostState.MISSED, "Evening update": PostState.WAITING}
        assert scheduler.paused() is None
        assert SandboxXClient(desk).recent_posts("0") == []
        overdue = next(p for p in scheduler.upcoming() if p.title == "Overdue update")
        assert desk.statement(overdue.statement_id).state is StatementState.SCHEDULED
        kinds = [e.kind for e in desk.timeline(limit=50)]
        assert kinds[:3] == ["schedule.resumed", "schedule.missed", "schedule.paused"]
    finally:
        desk.close()


def test_schedule_help():
    for args in (
        ["schedule", "--help"],
        ["schedule", "list", "--help"],
        ["schedule", "at", "--help"],
        ["schedule", "pause", "--help"],
        ["schedule", "resume", "--help"],
    ):
        out = commsdesk(*args)
        assert out.returncode == 0 and "usage: commsdesk schedule" in out.stdout, args


def last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def test_schedule_at_a_local_time_through_the_scheduling_policy(tmp_path):
    """Berlin's clocks skip 02:30 on the last Sunday of March and show it twice on the last
    Sunday of October; next year's are always ahead."""
    folder = tmp_path / "desk"
    desk = Desk.open(folder)
    incident = desk.start_incident(ANA, "Hot wallet drained", Severity.P1)
    draft = desk.create_statement(ANA, incident.id, "Draft", "Not approved yet.")
    statement = desk.create_statement(ANA, incident.id, "Evening update", "Funds are safe.")
    desk.submit(ANA, statement.id)
    desk.approve(SAM, statement.id)
    desk.close()
    year = utc_now().year + 1
    spring, autumn = last_sunday(year, 3), last_sunday(year, 10)
    at = ["schedule", "at", str(statement.id)]

    skipped = run(*at, f"{spring} 02:30", "--zone", "Europe/Berlin", data_dir=folder)
    assert skipped.returncode == 1
    assert "does not exist in Europe/Berlin: the clocks skip it" in skipped.stderr
    twice = run(*at, f"{autumn} 02:30", "--zone", "Europe/Berlin", data_dir=folder)
    assert twice.returncode == 1
    assert twice.stderr.strip().endswith(
        "Add --fold 0 for the first (00:30 UTC) or --fold 1 for the second (01:30 UTC)."
    )
    unapproved = run(
        "schedule", "at", str(draft.id), f"{autumn} 18:00", "--zone", "UTC", data_dir=folder
    )
    assert unapproved.returncode == 1 and "Only an approved statement" in unapproved.stderr
    assert json.loads(run("schedule", "list", "--json", data_dir=folder).stdout) == []

    done = run(*at, f"{autumn} 02:30", "--zone", "Europe/Berlin", "--fold", "1", data_dir=folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        f"#{statement.id} goes to the SANDBOX at {autumn} 02:30 CET Europe/Berlin "
        f"({autumn} 01:30 UTC)"
    )
    [post] = json.loads(run("schedule", "list", "--json", data_dir=folder).stdout)
    assert post["due_at"] == f"{autumn}T01:30:00+00:00" and post["zone"] == "Europe/Berlin"
    assert post["sandbox"] and post["state"] == "waiting"
    desk = Desk.open(folder)
    try:
        assert desk.statement(statement.id).state is StatementState.SCHEDULED
        assert desk.timeline(limit=1)[0].actor == SAM
    finally:
        desk.close()
