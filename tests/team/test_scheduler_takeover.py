"""Exactly one desk of a team runs the scheduled posts; when it is killed, another takes over
and every post goes out exactly once. Three `commsdesk scheduler run` processes on a real
PostgreSQL server; the leader gets SIGKILL part-way through twenty due posts."""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from datetime import timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from commsdesk.clock import utc_now
from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.scheduling.scheduler import PostScheduler
from commsdesk.store.database import open_database
from commsdesk.team.schema import add_person, install
from tests.support.cli import start_commsdesk

POSTS = 20
OPS = "Ola Ops (comms)"
REVIEWER = "Rey Review (legal)"
_numbers = itertools.count(1)


class Reader:
    """A process's stdout lines, read on a thread (its stderr drained on another)."""

    def __init__(self, process) -> None:
        self.process = process
        self.lines: list[str] = []
        self.errors: list[str] = []
        threading.Thread(target=self._read, args=(process.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read, args=(process.stderr, self.errors), daemon=True).start()

    @staticmethod
    def _read(stream, into: list[str]) -> None:
        for line in stream:
            into.append(line.strip())

    @property
    def leading(self) -> bool:
        return bool(self.lines) and self.lines[-1] == "running the scheduled posts"


def wait_for(condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


def test_the_leader_is_killed_and_every_post_goes_out_exactly_once(pg_url, tmp_path):
    n = next(_numbers)
    owner = open_database(pg_url)
    with owner.begin() as connection:
        install(connection)
        add_person(connection, f"ops{n}", OPS, ("draft", "post"))
        add_person(connection, f"rev{n}", REVIEWER, ("approve",))
    owner.dispose()
    ops_url = make_url(pg_url).set(username=f"ops{n}").render_as_string(hide_password=False)
    rev_url = make_url(pg_url).set(username=f"rev{n}").render_as_string(hide_password=False)

    ops, rev = Desk.open(tmp_path / "ops", url=ops_url), Desk.open(tmp_path / "rev", url=rev_url)
    incident = ops.start_incident(OPS, "Hot wallet drained", Severity.P1)
    first_due = utc_now() + timedelta(seconds=45)
    planner = PostScheduler(ops, None)
    for i in range(POSTS):
        statement = ops.create_statement(OPS, incident.id, f"Update {i}",
                                         f"Withdrawals update {i}: all wallets checked.")
        ops.submit(OPS, statement.id)
        rev.approve(REVIEWER, statement.id)
        planner.schedule(OPS, statement.id, first_due + timedelta(seconds=i), "UTC",
                         account="sandbox", sandbox=True)
    rev.close()

    env = {"COMMSDESK_DATABASE_URL": ops_url}
    desks = [
        Reader(start_commsdesk("scheduler", "run", data_dir=tmp_path / f"desk{k}", env=env))
        for k in range(3)
    ]
    try:
        wait_for(lambda: sum(d.leading for d in desks) == 1, 40, "one desk to lead")
        engine = create_engine(pg_url)

        def posted() -> int:
            with engine.connect() as connection:
                return connection.execute(text("SELECT count(*) FROM sandbox_posts")).scalar()

        wait_for(lambda: posted() >= 3, 90, "the first posts")
        leader = next(d for d in desks if d.leading)
        os.kill(leader.process.pid, signal.SIGKILL)
        leader.process.wait()
        others = [d for d in desks if d is not leader]
        wait_for(lambda: any(d.leading for d in others), 10 + 5, "another desk to take over")
        wait_for(lambda: posted() >= POSTS, 120, "every post")
        time.sleep(2)  # anything posted twice would land now
        with engine.connect() as connection:
            texts = connection.execute(text("SELECT text FROM sandbox_posts")).scalars().all()
            states = connection.execute(
                text("SELECT state, count(*) FROM scheduled_posts GROUP BY state")
            ).all()
            leaders = connection.execute(
                text("SELECT count(*) FROM timeline_events WHERE kind = 'schedule.leader'")
            ).scalar()
        engine.dispose()
        assert sorted(texts) == sorted(
            f"Withdrawals update {i}: all wallets checked." for i in range(POSTS)
        )
        assert dict(states) == {"posted": POSTS}
        assert leaders == 2  # the first leader, then the one that took over
        assert sum(d.leading for d in others) == 1
    finally:
        for desk in desks:
            if desk.process.poll() is None:
                desk.process.send_signal(signal.SIGTERM)
        for desk in desks:
            desk.process.wait(timeout=30)
        ops.close()
