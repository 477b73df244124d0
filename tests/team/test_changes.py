"""Live changes on a team database: LISTEN/NOTIFY on real PostgreSQL, to a listener and to
`commsdesk watch`, and the catch-up after the connection is cut."""

from __future__ import annotations

import json
import queue
import signal

from sqlalchemy import create_engine, text

from commsdesk.incidents.incident import Severity
from commsdesk.store.changes import RECONNECTED, ChangeListener
from tests.support.cli import start_commsdesk
from tests.team.test_identity import MIRA, SAM, Team


def drain(changes: queue.Queue, until, timeout: float = 20.0) -> list:
    """Changes received until one satisfies `until` (included)."""
    seen = []
    while True:
        change = changes.get(timeout=timeout)
        seen.append(change)
        if until(change):
            return seen


def test_a_change_on_one_desk_reaches_another_with_who_made_it(pg_url, tmp_path):
    team = Team(pg_url, tmp_path)
    changes: queue.Queue = queue.Queue()
    listener = ChangeListener(team.url(MIRA), changes.put)
    listener.start()
    try:
        assert listener.listening.wait(20)
        mira = team.desk(MIRA)
        incident = mira.start_incident(MIRA, "Hot wallet drained", Severity.P1)
        statement = mira.create_statement(MIRA, incident.id, "First", "We are on it.")
        mira.submit(MIRA, statement.id)
        drain(changes, lambda c: c.table == "statements" and c.op == "update")
        team.desk(SAM).approve(SAM, statement.id)
        seen = drain(changes, lambda c: c.table == "approvals")
        approval = seen[-1]
        assert approval.op == "insert" and approval.statement_id == statement.id
        assert approval.by == team.logins[SAM]
        later = drain(changes, lambda c: c.table == "timeline_events")
        assert later[-1].by == team.logins[SAM]
    finally:
        listener.stop()
        team.close()


def test_after_the_connection_is_cut_the_listener_comes_back_and_says_so(pg_url, tmp_path):
    team = Team(pg_url, tmp_path)
    changes: queue.Queue = queue.Queue()
    states: list[bool] = []
    listener = ChangeListener(
        team.url(MIRA), changes.put, lambda up, why: states.append(up), retry_every=0.5
    )
    listener.start()
    owner = create_engine(pg_url)
    try:
        assert listener.listening.wait(20)
        with owner.begin() as connection:
            cut = connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'commsdesk' AND usename = :login"
            ), {"login": team.logins[MIRA]}).scalars().all()
        assert cut == [True]
        assert drain(changes, lambda c: c is RECONNECTED)[-1] is RECONNECTED
        assert states[:3] == [True, False, True]
        team.desk(MIRA).start_incident(MIRA, "Phishing wave", Severity.P2)
        assert drain(changes, lambda c: c.table == "incidents")[-1].op == "insert"
    finally:
        owner.dispose()
        listener.stop()
        team.close()


def test_watch_prints_each_change_as_json(pg_url, tmp_path):
    team = Team(pg_url, tmp_path)
    watch = start_commsdesk("--database", team.url(MIRA), "watch", "--json",
                            data_dir=tmp_path / "watch")
    try:
        assert watch.stderr.readline().strip() == "watching"
        team.desk(MIRA).start_incident(MIRA, "Hot wallet drained", Severity.P1)
        line = json.loads(watch.stdout.readline())
        assert (line["table"], line["op"]) == ("presence", "joined")  # the watch itself
        line = json.loads(watch.stdout.readline())
        assert line["table"] == "incidents" and line["op"] == "insert"
        assert line["by"] == team.logins[MIRA] and line["id"] is not None
    finally:
        watch.send_signal(signal.SIGTERM)
        watch.wait(timeout=20)
        team.close()


def test_desks_see_who_joins_and_who_is_connected(pg_url, tmp_path):
    from commsdesk.team.schema import connected

    team = Team(pg_url, tmp_path)
    changes: queue.Queue = queue.Queue()
    mira = ChangeListener(team.url(MIRA), changes.put)
    sam = ChangeListener(team.url(SAM), lambda change: None)
    mira.start()
    try:
        assert mira.listening.wait(20)
        sam.start()
        joined = drain(changes, lambda c: c.table == "presence" and c.by == team.logins[SAM])
        assert joined[-1].op == "joined"
        engine = create_engine(pg_url)
        with engine.connect() as connection:
            assert connected(connection) == [MIRA, SAM]
        engine.dispose()
        sam.stop()
        left = drain(changes, lambda c: c.table == "presence" and c.op == "left")
        assert left[-1].by == team.logins[SAM]
    finally:
        sam.stop()
        mira.stop()
        team.close()
