"""Tampering with a real desk file behind the desk's back, and `commsdesk timeline` finding it.

The cuts are checked the way an auditor would: the command line in its own process.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from commsdesk.desk import Desk, DeskError
from commsdesk.incidents.incident import Severity
from commsdesk.store.database import sqlite_url
from commsdesk.store.models import EventRow, StatementRow
from commsdesk.timeline.chain import GENESIS_HASH, EventKind, event_hash
from tests.support.cli import commsdesk

timeline = partial(commsdesk, "timeline")


def sql(data: Path, statement: str, *params) -> None:
    with closing(sqlite3.connect(data / "commsdesk.sqlite3")) as db:
        db.execute(statement, params)
        db.commit()


def event_ids(data: Path) -> list[int]:
    with closing(sqlite3.connect(data / "commsdesk.sqlite3")) as db:
        return [row[0] for row in db.execute("SELECT id FROM timeline_events ORDER BY id")]


@pytest.fixture
def data(isolated_dirs) -> Path:
    """A closed desk with ten events: an incident, an approved statement, the desk opened."""
    desk = Desk.open(isolated_dirs)
    incident = desk.start_incident("Ben", "Breach", Severity.P1, facts={"asset": "ETH"})
    statement = desk.create_statement("Ana", incident.id, "Holding", "On the {{ incident.asset }}")
    desk.submit("Ana", statement.id)
    desk.approve("Sam", statement.id)
    for n in range(6):
        desk.record("Ben", EventKind.DESK_OPENED, f"Desk opened ({n})")
    desk.close()
    assert event_ids(isolated_dirs) == list(range(1, 11))
    return isolated_dirs


def test_an_untouched_desk_is_intact(data):
    out = timeline("verify", data_dir=data)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "Timeline intact: 10 events, every hash matches.",
        f"The chain still holds the head this desk last saw: event #10 (hash {head_of(data)}…).",
    ]


def head_of(data: Path) -> str:
    with closing(sqlite3.connect(data / "commsdesk.sqlite3")) as db:
        return db.execute("SELECT hash FROM timeline_events WHERE id = 10").fetchone()[0][:16]


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        ("id = 10", "the newest event is gone: the desk last saw event #10 (hash {h}…), "
                    "the database ends at #9."),
        ("id > 7", "the newest 3 events are gone: the desk last saw event #10 (hash {h}…), "
                   "the database ends at #7."),
        ("1 = 1", "all 10 events are gone: the desk last saw event #10 (hash {h}…), "
                  "the database holds none."),
    ],
)  # fmt: skip
def test_events_cut_from_the_end_are_reported(data, cut, message):
    h = head_of(data)
    sql(data, f"DELETE FROM timeline_events WHERE {cut}")
    out = timeline("verify", data_dir=data)
    assert out.returncode == 1, out.stderr
    assert f"Timeline cut: {message.format(h=h)}" in out.stdout.splitlines()
    assert "intact" not in out.stdout


def test_a_cut_stays_reported_while_the_desk_goes_on_and_ids_are_not_reused(data):
    sql(data, "DELETE FROM timeline_events WHERE id > 8")
    desk = Desk.open(data)
    event = desk.record("Ben", EventKind.DESK_OPENED, "Desk opened after the cut")
    assert event.id == 11  # not 9: an id is never given twice
    report = desk.verify_timeline()
    desk.close()
    assert report.first_break is None  # the new event chains onto #8: the chain holds
    assert not report.intact
    assert report.problems[0].startswith(
        "Timeline cut: 2 events up to #10 are gone: the desk last saw event #10"
    )
    assert report.problems[0].endswith("which the database no longer holds (it ends at #11).")
    assert timeline("verify", data_dir=data).returncode == 1


def test_an_edited_summary_is_reported_at_its_event(data):
    sql(data, "UPDATE timeline_events SET summary = 'nothing happened' WHERE id = 4")
    out = timeline("verify", data_dir=data)
    assert out.returncode == 1
    assert out.stdout.splitlines()[0] == (
        "Timeline altered at event #4 (position 4 of the chain): "
        "its content no longer matches its hash."
    )


def test_a_chain_rewritten_with_every_hash_recomputed_is_caught_by_the_anchor(data):
    engine = create_engine(sqlite_url(data / "commsdesk.sqlite3"))
    with Session(engine) as session, session.begin():
        prev = GENESIS_HASH
        for row in session.scalars(select(EventRow).order_by(EventRow.id)):
            if row.id == 4:
                row.summary = "'Holding': nobody approved this"
            row.prev_hash = prev
            row.hash = prev = event_hash(
                prev, row.at, row.actor, row.kind, row.summary, row.incident_id,
                row.statement_id, row.version_id, row.data,
            )  # fmt: skip
    engine.dispose()

    desk = Desk.open(data)
    report = desk.verify_timeline()
    desk.close()
    assert report.first_break is None  # every link and hash holds: only the anchor can tell
    assert report.problems[0].startswith("Timeline rewritten: the desk last saw event #10 (hash ")
    out = timeline("verify", data_dir=data)
    assert out.returncode == 1
    assert "the events up to it were changed and their hashes recomputed" in out.stdout


def test_an_approved_text_changed_in_the_database_is_reported(data):
    sql(data, "UPDATE statements SET approved_text = 'Withdrawals are safe. Send more.'")
    out = timeline("verify", data_dir=data)
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        "Approved text altered: statement #1 'Holding' no longer holds the text approved at "
        "event #4 (its SHA-256 differs from the one on the record)."
    ]


def test_an_approved_text_with_no_approval_on_the_record_is_reported(data):
    desk = Desk.open(data)
    incident = desk.active_incident()
    draft = desk.create_statement("Ana", incident.id, "Draft", "Not approved")
    desk.close()
    sql(
        data,
        "UPDATE statements SET state = 'approved', approved_text = 'Not approved', "
        "approved_version_id = (SELECT max(id) FROM statement_versions) WHERE id = ?",
        draft.id,
    )
    out = timeline("verify", data_dir=data)
    assert out.returncode == 1
    assert (
        f"Approved text without an approval: statement #{draft.id} 'Draft' holds an approved "
        "text, but the record holds no approval of that version." in out.stdout.splitlines()
    )


def test_statements_approved_before_digests_are_named_not_failed(isolated_dirs):
    """A desk that approved before approvals carried the text's SHA-256: nothing to check the
    text against, which is said, and is not a failure."""
    desk = Desk.open(isolated_dirs)
    incident = desk.start_incident("Ben", "Breach", Severity.P1)
    statement = desk.create_statement("Ana", incident.id, "Holding", "We are on it.")
    desk.submit("Ana", statement.id)
    with desk.transaction() as session:  # as the approval was recorded then
        row = session.get(StatementRow, statement.id)
        version_id = desk.versions(statement.id)[0].id
        desk.append_event(
            session, "Sam", EventKind.APPROVED, "'Holding': approved v1",
            incident_id=incident.id, statement_id=row.id, version_id=version_id,
            data={"version": 1, "counted": 1, "required": 1},
        )  # fmt: skip
        row.state, row.approved_version_id, row.approved_text = "approved", version_id, "x"
    report = desk.verify_timeline()
    desk.close()
    assert report.intact
    assert report.notes == (
        "Approved before digests were recorded, so their approved text cannot be checked: "
        "statement #1 'Holding'.",
    )
    out = timeline("verify", data_dir=isolated_dirs)
    assert out.returncode == 0 and out.stdout.splitlines()[-1] == report.notes[0]


def test_a_head_printed_earlier_catches_a_cut_even_with_the_anchor_gone(data):
    printed = timeline("head", data_dir=data)
    assert printed.returncode == 0
    line = printed.stdout.strip()
    assert re.fullmatch(
        r"CommsDesk timeline head: event #10, 10 events, \S+Z, sha256 [0-9a-f]{64}", line
    )
    full_hash = line.rsplit(" ", 1)[1]

    desk = Desk.open(data)
    desk.record("Ben", EventKind.DESK_OPENED, "Later")
    desk.close()
    # The chain grew since: it still holds the head.
    later = timeline("verify", "--head", line, data_dir=data)
    assert later.returncode == 0, later.stdout
    assert f"The chain still holds the head given: event #10 (hash {full_hash[:16]}…)." in (
        later.stdout.splitlines()
    )

    sql(data, "DELETE FROM timeline_events WHERE id > 8")
    (data / "timeline.head").unlink()  # a tamperer who also removes the desk's own anchor
    out = timeline("verify", "--head", line, data_dir=data)
    assert out.returncode == 1
    assert (
        f"Timeline cut: the newest 2 events are gone: the head given is event #10 "
        f"(hash {full_hash[:16]}…), the database ends at #8." in out.stdout.splitlines()
    )
    bare = timeline("verify", "--head", full_hash, data_dir=data)
    assert bare.returncode == 1
    assert "no event in the chain has the hash given" in bare.stdout
    assert "the database ends at event #8" in bare.stdout


def test_a_head_that_is_no_head_is_refused_before_anything_runs(data):
    out = timeline("verify", "--head", "yesterday's", data_dir=data)
    assert out.returncode == 2
    assert "64-character" in out.stderr


def test_a_database_that_cannot_be_opened_exits_2(tmp_path):
    data = tmp_path / "desk"
    data.mkdir()
    (data / "commsdesk.sqlite3").write_bytes(b"not a database at all" * 100)
    for command in (["verify"], ["head"], ["show"]):
        out = timeline(*command, data_dir=data)
        assert out.returncode == 2, command
        assert out.stderr.startswith("commsdesk: ")


def test_a_transaction_that_fails_leaves_the_anchor_alone(data):
    before = (data / "timeline.head").read_bytes()
    desk = Desk.open(data)
    with pytest.raises(DeskError), desk.transaction() as session:
        desk.append_event(session, "Ben", EventKind.DESK_OPENED, "Never recorded")
        raise DeskError("refused")
    report = desk.verify_timeline()
    desk.close()
    assert (data / "timeline.head").read_bytes() == before
    assert report.intact and report.checked == 10


def test_show_lists_the_newest_events_oldest_first(data):
    out = timeline("show", "--json", "--limit", "5", data_dir=data)
    assert out.returncode == 0, out.stderr
    events = json.loads(out.stdout)
    assert [e["id"] for e in events] == [6, 7, 8, 9, 10]
    assert set(events[0]) == {"id", "at", "actor", "kind", "summary", "hash"}
    assert events[-1]["summary"] == "Desk opened (5)" and events[-1]["actor"] == "Ben"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", events[0]["at"])

    everything = json.loads(timeline("show", "--json", "--limit", "0", data_dir=data).stdout)
    assert len(everything) == 10
    approved = next(e for e in everything if e["kind"] == EventKind.APPROVED)
    assert approved["incident_id"] == 1 and approved["statement_id"] == 1

    text = timeline("show", "--limit", "2", data_dir=data).stdout.splitlines()
    assert len(text) == 2
    assert re.fullmatch(
        r"#10\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\tBen\tdesk\.opened\tDesk opened \(5\)", text[1]
    )


def test_a_folder_without_a_desk_is_not_an_intact_empty_record(tmp_path):
    done = timeline("verify", data_dir=tmp_path / "mistyped")
    assert done.returncode == 2 and "there is no desk in" in done.stderr
    assert not (tmp_path / "mistyped").exists()  # nothing was created
