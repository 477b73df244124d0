"""The stored timeline's hash chain: intact after real use, and every kind of tampering found."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.store.models import EventRow
from commsdesk.timeline.chain import GENESIS_HASH, EventKind, event_hash


def busy_desk(desk: Desk) -> None:
    incident = desk.start_incident("Ben", "Breach", Severity.P1, facts={"asset": "ETH"})
    statement = desk.create_statement("Ana", incident.id, "Holding", "We are on it.")
    desk.save_version("Ana", statement.id, "We are on the {{ incident.asset }} incident.")
    desk.submit("Ana", statement.id)
    desk.approve("Sam", statement.id)
    desk.mark_posted("Ana", statement.id, ["1861"])
    desk.record("Ben", EventKind.DESK_OPENED, "Desk opened")


def sql(desk: Desk, statement: str, *params) -> None:
    with closing(sqlite3.connect(desk.path)) as db:
        db.execute(statement, params)
        db.commit()


def test_chain_of_real_use_verifies(isolated_dirs):
    desk = Desk.open(isolated_dirs)
    busy_desk(desk)
    report = desk.verify_timeline()
    assert report.intact
    assert report.checked == desk.last_event_id() == len(desk.timeline())
    events = list(reversed(desk.timeline()))
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))


def test_tampered_summary_is_reported_with_its_id_and_position(isolated_dirs):
    desk = Desk.open(isolated_dirs)
    busy_desk(desk)
    target = [e for e in desk.timeline() if e.kind == EventKind.APPROVED][0]
    position = [e.id for e in reversed(desk.timeline())].index(target.id) + 1
    sql(desk, "UPDATE timeline_events SET summary = 'nothing to see' WHERE id = ?", target.id)

    report = desk.verify_timeline()
    assert not report.intact
    assert report.first_break.event_id == target.id
    assert report.first_break.position == position
    assert "no longer matches its hash" in report.first_break.reason


def test_deleted_middle_event_breaks_the_chain_at_the_next(isolated_dirs):
    desk = Desk.open(isolated_dirs)
    busy_desk(desk)
    ids = [e.id for e in reversed(desk.timeline())]
    removed = ids[3]
    sql(desk, "DELETE FROM timeline_events WHERE id = ?", removed)

    report = desk.verify_timeline()
    assert report.first_break.event_id == ids[4]
    assert report.first_break.position == 4  # the fourth event still stored
    assert "link to the previous event is broken" in report.first_break.reason


def test_stored_time_and_data_round_trip_exactly_as_hashed(isolated_dirs):
    singapore = timezone(timedelta(hours=8))
    moment = datetime(2026, 11, 25, 2, 30, 5, 123_456, tzinfo=singapore)
    desk = Desk.open(isolated_dirs, clock=lambda: moment)
    recorded = desk.record(
        "Ana", "desk.opened", "Opened", data={"ids": (1, 2), "ναι": "é", "nested": {"b": 1.5}}
    )
    (stored,) = desk.timeline()
    assert stored == recorded
    assert stored.at == datetime(2026, 11, 24, 18, 30, 5, 123_456)  # naive UTC, microseconds
    assert stored.data == {"ids": [1, 2], "ναι": "é", "nested": {"b": 1.5}}
    assert desk.verify_timeline().intact


def test_verify_streams_thousands_of_events_with_progress(isolated_dirs):
    desk = Desk.open(isolated_dirs)
    start = datetime(2026, 11, 24, 12, 0)
    rows, prev = [], GENESIS_HASH
    for n in range(2500):
        at = start + timedelta(seconds=n, microseconds=n)
        summary = f"event {n}"
        digest = event_hash(prev, at, "Ana", "desk.opened", summary, None, None, None, {"n": n})
        rows.append(
            {
                "at": at,
                "actor": "Ana",
                "kind": "desk.opened",
                "summary": summary,
                "data": {"n": n},
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    with desk.engine.begin() as connection:
        connection.execute(insert(EventRow), rows)
    desk.record("Ben", "desk.opened", "The desk chains onto the imported events")

    calls: list[tuple[int, int]] = []
    report = desk.verify_timeline(lambda checked, total: calls.append((checked, total)))
    assert report.intact and report.checked == 2501
    assert calls == [(1000, 2501), (2000, 2501), (2501, 2501)]

    sql(desk, "UPDATE timeline_events SET actor = 'Eve' WHERE id = 2400")
    calls.clear()
    broken = desk.verify_timeline(lambda checked, total: calls.append((checked, total)))
    assert broken.first_break.event_id == 2400 and broken.checked == 2400
    assert calls == [(1000, 2501), (2000, 2501), (2400, 2501)]  # stopped at the break


def test_two_desks_writing_at_once_keep_one_chain(isolated_dirs):
    """A desk and a command line on one file: writers queue instead of forking the chain."""
    Desk.open(isolated_dirs).close()
    desks = [Desk.open(isolated_dirs), Desk.open(isolated_dirs)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(desks))

    def write(desk: Desk, name: str) -> None:
        try:
            barrier.wait()
            for n in range(60):
                desk.record(name, "desk.opened", f"{name} {n}")
                desk.timeline(limit=5)
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(desk, f"desk {i}")) for i, desk in enumerate(desks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = desks[0].verify_timeline()
    assert report.intact and report.checked == 120
    assert {e.actor for e in desks[1].timeline()} == {"desk 0", "desk 1"}
