"""Migration 0006: a desk file from 0005 keeps every event, its indexes and its chain, and from
then on never gives an event id twice."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.store.database import (
    DATABASE_FILE,
    HEAD_REVISION,
    create_desk_engine,
    sqlite_url,
    upgrade,
)
from commsdesk.timeline.chain import EventKind

BEFORE = "0005_publication_claim"


def query(path: Path, statement: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(statement).fetchall()


def schema(path: Path) -> str:
    return query(path, "SELECT sql FROM sqlite_master WHERE name = 'timeline_events'")[0][0]


def indexes(path: Path) -> set[tuple]:
    return set(
        query(
            path,
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = 'timeline_events' AND sql IS NOT NULL",
        )
    )


def desk_at_0005(data_dir: Path) -> Path:
    """A desk file left at 0005 with real use in it."""
    data_dir.mkdir(parents=True)
    path = data_dir / DATABASE_FILE
    engine = create_desk_engine(sqlite_url(path))
    upgrade(engine, target=BEFORE)
    desk = Desk(engine, path=path)
    incident = desk.start_incident("Ben", "Breach", Severity.P1, facts={"asset": "ETH"})
    statement = desk.create_statement("Ana", incident.id, "Holding", "On {{ incident.asset }}")
    desk.submit("Ana", statement.id)
    desk.approve("Sam", statement.id)
    for n in range(4):
        desk.record("Ben", EventKind.DESK_OPENED, f"Desk opened ({n})")
    desk.close()
    return path


def test_0005_with_events_upgrades_keeping_every_event_and_the_chain(isolated_dirs):
    path = desk_at_0005(isolated_dirs)
    assert query(path, "SELECT version_num FROM alembic_version") == [(BEFORE,)]
    assert "AUTOINCREMENT" not in schema(path)
    events = query(path, "SELECT * FROM timeline_events ORDER BY id")
    assert len(events) == 8
    index_names = {name for name, _ in indexes(path)}
    assert index_names == {
        "ix_timeline_events_kind",
        "ix_timeline_events_actor",
        "ix_timeline_events_incident_id",
        "ix_timeline_events_statement_id",
    }

    desk = Desk.open(isolated_dirs)  # backs up, then migrates
    try:
        assert query(path, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
        assert "AUTOINCREMENT" in schema(path)
        assert query(path, "SELECT * FROM timeline_events ORDER BY id") == events
        assert {name for name, _ in indexes(path)} == index_names
        report = desk.verify_timeline()
        assert report.intact and report.checked == 8

        with closing(sqlite3.connect(path)) as db:  # the newest two deleted behind its back
            db.execute("DELETE FROM timeline_events WHERE id > 6")
            db.commit()
        event = desk.record("Ben", EventKind.DESK_OPENED, "After the upgrade")
        assert event.id == 9  # 7 and 8 are never given again
    finally:
        desk.close()
    (backup,) = (isolated_dirs / "backups").iterdir()
    assert query(backup, "SELECT * FROM timeline_events ORDER BY id") == events
