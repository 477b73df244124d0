"""The store's schema and the desk's use cases on a real PostgreSQL server (team mode's database).

A throwaway server starts once (tests/store/pg_server.py); each test gets its own empty database.
Without PostgreSQL's server binaries these tests are skipped, except under CI=true, where they
fail: CI must run them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, text

from commsdesk.desk import VERIFY_BATCH, Desk, DeskError
from commsdesk.incidents.incident import Severity
from commsdesk.statements.statement import StatementState as S
from commsdesk.store import database
from commsdesk.store.database import HEAD_REVISION, DatabaseTooNew, NotADeskDatabase
from commsdesk.store.models import Base, EventRow
from commsdesk.timeline.chain import GENESIS_HASH, EventKind, event_hash
from tests.store.pg_server import PostgresServer, ServerUnavailable
from tests.store.test_database import TABLES as DESK_TABLES

ANA = "Ana Ruiz"
BEN = "Ben Zhou"
SAM = "Sam Okafor"
HOLDING = (
    "We are investigating the {{ incident.asset }} incident. Next update by "
    "{{ next_update | time }}."
)
TABLES = DESK_TABLES | {"alembic_version"}


class Clock:
    """A desk clock the test moves by hand; microseconds on purpose."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 14, 0, 0, 250_123, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    try:
        import psycopg  # noqa: F401  (the driver, from the test extra)

        server = PostgresServer.start()
    except (ImportError, ServerUnavailable) as exc:
        reason = f"PostgreSQL is not available here: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database's URL, as a user would pass it to Desk.open."""
    url = pg_server.new_database()
    yield url.render_as_string(hide_password=False)
    pg_server.drop_database(url)


@pytest.fixture
def open_desks() -> Iterator[list[Desk]]:
    """Desks to close at the end of the test, so its database can be dropped."""
    desks: list[Desk] = []
    yield desks
    for desk in desks:
        desk.close()


@pytest.fixture
def pg_desk(pg_url: str, open_desks: list[Desk]) -> Desk:
    desk = Desk.open(url=pg_url, clock=Clock())
    open_desks.append(desk)
    return desk


def execute(desk: Desk, statement: str, **params: Any) -> None:
    """Raw SQL behind the desk's back, as someone with database access could."""
    with desk.engine.begin() as connection:
        connection.execute(text(statement), params)


def kinds(desk: Desk, **filters: Any) -> list[str]:
    return [event.kind for event in desk.timeline(**filters)]


# --- schema -------------------------------------------------------------------------------------


def test_open_migrates_an_empty_database_to_head_matching_the_models(pg_url, monkeypatch):
    desk = Desk.open(url=pg_url)
    try:
        assert desk.engine.dialect.name == "postgresql" and desk.path is None
        with desk.engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            assert revision == [(HEAD_REVISION,)]
            assert set(inspect(connection).get_table_names()) == TABLES
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        desk.close()

    def no_migration(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an up-to-date database was migrated again")

    monkeypatch.setattr(database, "upgrade", no_migration)
    again = Desk.open(url=pg_url)
    again.close()


def test_someone_elses_or_a_newer_database_is_refused_untouched(pg_server):
    foreign, newer = pg_server.new_database(), pg_server.new_database()
    engine = create_engine(foreign)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE customers (id integer PRIMARY KEY)"))
        with pytest.raises(NotADeskDatabase, match="customers"):
            Desk.open(url=foreign.render_as_string(hide_password=False))
        with engine.connect() as connection:
            assert inspect(connection).get_table_names() == ["customers"]
    finally:
        engine.dispose()

    engine = create_engine(newer)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE alembic_version (version_num varchar(32))"))
            connection.execute(text("INSERT INTO alembic_version VALUES ('9999_from_the_future')"))
        with pytest.raises(DatabaseTooNew, match="9999_from_the_future"):
            Desk.open(url=newer.render_as_string(hide_password=False))
        with engine.connect() as connection:
            assert inspect(connection).get_table_names() == ["alembic_version"]
    finally:
        engine.dispose()
    for url in (foreign, newer):
        pg_server.drop_database(url)


# --- the desk's use cases -----------------------------------------------------------------------


def statement_flow(desk: Desk, clock: Clock) -> dict[str, Any]:
    """Drive a statement through the desk and note what it says at each step."""
    seen: dict[str, Any] = {}
    incident = desk.start_incident(
        BEN,
        "ETH cold wallet drained",
        Severity.P1,
        facts={"asset": "ETH", "next_update": "18:30"},
        started_at=clock.now - timedelta(hours=3, minutes=12),
    )
    clock.advance(minutes=1)
    statement = desk.create_statement(ANA, incident.id, "Holding statement", "We are")
    events = desk.last_event_id()
    clock.advance(seconds=7)
    first = desk.autosave(ANA, statement.id, "We are on")
    second = desk.autosave(ANA, statement.id, "We are on it")
    seen["autosaves"] = (first.id, second.id, second.number, second.sealed, second.body)
    seen["autosave_events"] = desk.last_event_id() - events
    seen["saved"] = desk.save_version(ANA, statement.id, HOLDING)
    seen["submitted"] = desk.submit(ANA, statement.id)
    with pytest.raises(DeskError, match="approval must come from someone else"):
        desk.approve(" ana ruiz", statement.id)
    clock.advance(seconds=30)
    seen["approved"] = desk.approve(SAM, statement.id)

    clock.advance(minutes=2)
    seen["edited"] = desk.autosave(ANA, statement.id, "Withdrawals are paused.")
    seen["after_edit"] = desk.statement(statement.id)
    desk.submit(ANA, statement.id)
    seen["approved_again"] = desk.approve(SAM, statement.id)
    seen["withdrawn"] = desk.withdraw(ANA, statement.id, "Numbers not confirmed")
    seen["reopened"] = desk.reopen(BEN, statement.id)

    clock.advance(minutes=1)
    other = desk.create_statement(SAM, incident.id, "Customer email", "Dear customer")
    clock.advance(minutes=1)
    desk.rename_statement(BEN, statement.id, "Holding statement (v2)")
    seen["listed"] = [(s.id, s.title, s.state) for s in desk.list_statements(incident.id)]
    seen["other"] = other.id
    seen["versions"] = [(v.number, v.author, v.sealed) for v in desk.versions(statement.id)]

    seen["mark"] = desk.last_event_id()
    desk.record(BEN, EventKind.DESK_OPENED, "Desk opened on Ben's laptop (100% charged)")
    seen["incident_kinds"] = kinds(desk, kinds=["incident"])
    seen["approved_or_desk"] = kinds(desk, kinds=["statement.approved", "desk"])
    seen["by_sam"] = kinds(desk, actor=SAM)
    seen["laptop"] = [e.summary for e in desk.timeline(text="LAPTOP")]
    seen["percent"] = [e.summary for e in desk.timeline(text="100%")]
    seen["no_percent"] = desk.timeline(text="100_")  # _ is matched literally too
    seen["after_mark"] = kinds(desk, after_id=seen["mark"])
    newest = desk.timeline()
    seen["before"] = [e.id for e in desk.timeline(before_id=newest[0].id, limit=2)]
    seen["of_incident"] = len(desk.timeline(incident_id=incident.id))
    seen["actors"] = desk.timeline_actors()
    seen["timeline"] = newest
    seen["statements"] = desk.list_statements(None)
    seen["chain"] = desk.verify_timeline()
    return seen


def test_statement_flow_gives_the_same_results_as_on_sqlite(pg_desk, tmp_path):
    seen = statement_flow(pg_desk, pg_desk.clock)

    first_id, second_id, number, sealed, body = seen["autosaves"]
    assert first_id == second_id and number == 1 and not sealed and body == "We are on it"
    assert seen["autosave_events"] == 0  # typing writes no event
    assert seen["saved"].sealed and seen["saved"].body == HOLDING
    assert seen["submitted"].state is S.IN_REVIEW
    approved = seen["approved"]
    assert approved.state is S.APPROVED and approved.approvals == (SAM,)
    assert approved.approved_version_id == approved.version_id
    assert approved.approved_text == (
        "We are investigating the ETH incident. Next update by 18:30 UTC."
    )
    assert seen["edited"].number == 2 and not seen["edited"].sealed
    voided = seen["after_edit"]
    assert voided.state is S.DRAFT and voided.approvals == ()
    assert voided.approved_text is None and voided.approved_version_id is None
    assert seen["approved_again"].approved_text == "Withdrawals are paused."
    withdrawn = seen["withdrawn"]
    assert withdrawn.state is S.WITHDRAWN and withdrawn.note == "Numbers not confirmed"
    assert withdrawn.approved_text is None and withdrawn.approvals == ()
    assert seen["reopened"].state is S.DRAFT
    statement_id = approved.id
    assert seen["listed"] == [
        (statement_id, "Holding statement (v2)", S.DRAFT),
        (seen["other"], "Customer email", S.DRAFT),
    ]
    assert seen["versions"] == [(1, ANA, True), (2, ANA, True)]

    assert seen["incident_kinds"] == [EventKind.INCIDENT_STARTED]
    assert seen["approved_or_desk"] == [
        EventKind.DESK_OPENED,
        EventKind.APPROVED,
        EventKind.APPROVED,
    ]
    assert seen["by_sam"] == [EventKind.STATEMENT_CREATED, EventKind.APPROVED, EventKind.APPROVED]
    assert seen["laptop"] == seen["percent"] == ["Desk opened on Ben's laptop (100% charged)"]
    assert seen["no_percent"] == []
    assert seen["after_mark"] == [EventKind.DESK_OPENED]
    newest = seen["timeline"]
    assert [e.id for e in newest] == sorted((e.id for e in newest), reverse=True)
    assert seen["before"] == [newest[1].id, newest[2].id]
    assert seen["of_incident"] == len(newest) - 1  # all but "desk opened"
    assert seen["actors"] == [ANA, BEN, SAM]
    assert seen["chain"].intact and seen["chain"].checked == len(newest)

    sqlite_desk = Desk.open(tmp_path / "sqlite", clock=Clock())
    try:
        on_sqlite = statement_flow(sqlite_desk, sqlite_desk.clock)
    finally:
        sqlite_desk.close()
    # Same ids, times, data and so the same hashes: the chain does not depend on the database.
    assert seen == on_sqlite


# --- the timeline's hash chain ------------------------------------------------------------------


def test_stored_time_and_data_round_trip_exactly_as_hashed(pg_url, open_desks):
    singapore = timezone(timedelta(hours=8))
    moment = datetime(2026, 11, 25, 2, 30, 5, 123_456, tzinfo=singapore)
    desk = Desk.open(url=pg_url, clock=lambda: moment)
    open_desks.append(desk)
    recorded = desk.record(
        ANA, "desk.opened", "Opened", data={"ids": (1, 2), "ναι": "é", "nested": {"b": 1.5}}
    )
    (stored,) = desk.timeline()
    assert stored == recorded
    assert stored.at == datetime(2026, 11, 24, 18, 30, 5, 123_456)  # naive UTC, microseconds
    assert stored.data == {"ids": [1, 2], "ναι": "é", "nested": {"b": 1.5}}
    assert desk.verify_timeline().intact


def test_tampered_summary_and_deleted_event_are_reported_at_their_ids(pg_desk):
    statement_flow(pg_desk, pg_desk.clock)
    events = list(reversed(pg_desk.timeline()))
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert len({e.at for e in events}) > 5 and any(e.at.microsecond for e in events)

    target = [e for e in events if e.kind == EventKind.APPROVED][0]
    execute(
        pg_desk,
        "UPDATE timeline_events SET summary = 'nothing to see' WHERE id = :id",
        id=target.id,
    )
    report = pg_desk.verify_timeline()
    assert not report.intact
    assert report.first_break.event_id == target.id
    assert report.first_break.position == events.index(target) + 1
    assert "no longer matches its hash" in report.first_break.reason

    execute(
        pg_desk,
        "UPDATE timeline_events SET summary = :s WHERE id = :id",
        s=target.summary,
        id=target.id,
    )
    assert pg_desk.verify_timeline().intact  # put back exactly: intact again
    execute(pg_desk, "DELETE FROM timeline_events WHERE id = :id", id=events[3].id)
    report = pg_desk.verify_timeline()
    assert report.first_break.event_id == events[4].id and report.first_break.position == 4
    assert "link to the previous event is broken" in report.first_break.reason


def test_verify_streams_thousands_of_events_with_progress(pg_desk):
    start = datetime(2026, 11, 24, 12, 0)
    rows, prev = [], GENESIS_HASH
    for n in range(2500):
        at = start + timedelta(seconds=n, microseconds=n)
        digest = event_hash(prev, at, ANA, "desk.opened", f"event {n}", None, None, None, {"n": n})
        rows.append(
            {
                "at": at,
                "actor": ANA,
                "kind": "desk.opened",
                "summary": f"event {n}",
                "data": {"n": n},
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    with pg_desk.engine.begin() as connection:
        connection.execute(insert(EventRow), rows)
    pg_desk.record(BEN, "desk.opened", "The desk chains onto the imported events")
    assert pg_desk.timeline(limit=1)[0].prev_hash == prev

    calls: list[tuple[int, int]] = []
    report = pg_desk.verify_timeline(lambda checked, total: calls.append((checked, total)))
    assert report.intact and report.checked == 2501
    assert calls == [(VERIFY_BATCH, 2501), (2 * VERIFY_BATCH, 2501), (2501, 2501)]

    execute(pg_desk, "UPDATE timeline_events SET actor = 'Eve' WHERE id = 2400")
    broken = pg_desk.verify_timeline()
    assert broken.first_break.event_id == 2400 and broken.checked == 2400


def test_two_desks_appending_at_once_keep_one_chain(pg_url, open_desks):
    """Two desks on one PostgreSQL database (team mode): appends queue, the chain never forks."""
    Desk.open(url=pg_url).close()  # migrated once, before the race
    desks = [Desk.open(url=pg_url), Desk.open(url=pg_url)]
    open_desks.extend(desks)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(desks))

    def write(desk: Desk, name: str) -> None:
        try:
            barrier.wait()
            for n in range(50):
                desk.record(name, "desk.opened", f"{name} {n}")
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(d, f"desk {i}")) for i, d in enumerate(desks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    events = desks[0].timeline(limit=1000)
    assert len(events) == 100
    assert len({e.prev_hash for e in events}) == 100  # no two events chained to the same one
    report = desks[1].verify_timeline()
    assert report.intact and report.checked == 100
    assert {e.actor for e in events} == {"desk 0", "desk 1"}


def test_two_approvers_at_once_both_count(pg_url, open_desks):
    """Row locks on statements queue approvers on PostgreSQL too: neither approval is lost."""
    setup = Desk.open(url=pg_url)
    open_desks.append(setup)
    setup.set_required_approvals(BEN, 2)
    incident = setup.start_incident(BEN, "Outage", Severity.P2, facts={"asset": "ETH"})
    ids = []
    for n in range(10):
        statement = setup.create_statement(ANA, incident.id, f"Update {n}", "We are on it.")
        ids.append(setup.submit(ANA, statement.id).id)
    desks = [Desk.open(url=pg_url), Desk.open(url=pg_url)]
    open_desks.extend(desks)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(desks))

    def approve_all(desk: Desk, name: str) -> None:
        try:
            barrier.wait()
            for statement_id in ids:
                desk.approve(name, statement_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=approve_all, args=(desk, name))
        for desk, name in zip(desks, (SAM, BEN), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    for statement in setup.list_statements(incident.id):
        assert statement.state is S.APPROVED and set(statement.approvals) == {SAM, BEN}
    assert sorted(e.summary[-8:] for e in setup.timeline(kinds=[EventKind.APPROVED])) == (
        ["(1 of 2)"] * 10 + ["(2 of 2)"] * 10
    )
    assert setup.verify_timeline().intact


def test_two_desks_advising_at_once_put_the_advice_on_the_record_once(pg_url, open_desks):
    """Team mode: every desk's advisor reaches the same advice at about the same moment; the
    check and the append happen under the timeline's lock, so exactly one is recorded."""
    from commsdesk.audience.advisor import Advice, AdviceKind
    from commsdesk.audience.store import AudienceStore

    Desk.open(url=pg_url).close()
    desks = [Desk.open(url=pg_url) for _ in range(3)]
    open_desks.extend(desks)
    incident = desks[0].start_incident(ANA, "Withdrawals paused", "P1")
    barrier = threading.Barrier(len(desks))
    recorded, errors = [], []

    def advise(desk: Desk, offset: float) -> None:
        try:
            advice = Advice(1_790_000_000 + offset, AdviceKind.SUGGEST_END, "time to end",
                            4020, 40150, 1_789_990_000, -35.0)  # fmt: skip
            barrier.wait()
            recorded.append(
                AudienceStore(desk).record_advice("advisor", advice, incident_id=incident.id)
            )
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=advise, args=(d, i)) for i, d in enumerate(desks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len({event.id for event in recorded}) == 1
    assert kinds(desks[0], kinds=["audience"]) == [EventKind.AUDIENCE_ADVICE]
    assert desks[1].verify_timeline().intact


def test_a_url_as_people_write_it_opens_with_the_shipped_driver(pg_url, tmp_path):
    """postgresql://… (as psql takes it) means psycopg 3, never the psycopg2 not installed."""
    from sqlalchemy.engine import make_url

    plain = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    assert plain.startswith("postgresql://")
    desk = Desk.open(tmp_path, url=plain)
    try:
        assert desk.engine.url.drivername == "postgresql+psycopg"
        assert desk.active_incident() is None
    finally:
        desk.close()
