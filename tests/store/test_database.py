"""Opening the database file: schema, WAL, refusals that leave the file untouched, backups."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import stat
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from commsdesk.data_dir import resolve_data_dir
from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.store.database import (
    DATABASE_FILE,
    HEAD_REVISION,
    MIGRATIONS_DIR,
    DatabaseCorrupt,
    DatabaseProblem,
    DatabaseTooNew,
    NotADeskDatabase,
    alembic_config,
    backup_sqlite,
    open_database,
    sqlite_url,
)
from commsdesk.store.models import Base
from tests.cli.conditions import read_only_view

TABLES = {
    "incidents",
    "statements",
    "statement_versions",
    "approvals",
    "timeline_events",
    "desk_policy",
    "publications",
    "outbox_parts",
    "sandbox_posts",
    "scheduled_posts",
    "apscheduler_jobs",
    "audience_sources",
    "audience_samples",
    "p1_chain",
    "p1_runs",
    "p1_calls",
    "p1_messages",
}


def raw(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(path))


def table_names(path: Path) -> set[str]:
    """The desk's tables; not SQLite's own (sqlite_sequence, kept for AUTOINCREMENT)."""
    with raw(path) as db:
        rows = db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\'"
        )
        return {r[0] for r in rows}


def revision_of(path: Path) -> str:
    with raw(path) as db:
        return db.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def rows_of(path: Path, table: str) -> list[tuple]:
    with raw(path) as db:
        return db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def seeded_desk(data_dir: Path) -> Path:
    """A desk file at head with an incident and a statement in it; closed again."""
    desk = Desk.open(data_dir)
    incident = desk.start_incident("Ana", "Outage", Severity.P2, facts={"asset": "ETH"})
    desk.create_statement("Ana", incident.id, "Holding", "We are on it.")
    desk.close()
    return data_dir / DATABASE_FILE


def test_head_constant_is_the_scripts_head():
    scripts = ScriptDirectory.from_config(alembic_config(MIGRATIONS_DIR))
    assert scripts.get_current_head() == HEAD_REVISION == "0007_p1"


def test_fresh_open_creates_the_schema_at_head_in_wal_mode(isolated_dirs):
    desk = Desk.open()  # the data dir comes from COMMSDESK_DATA_DIR
    path = isolated_dirs / DATABASE_FILE
    assert desk.path == path
    with desk.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    desk.close()
    assert table_names(path) == TABLES | {"alembic_version"}
    assert revision_of(path) == HEAD_REVISION
    with raw(path) as db:  # WAL is a property of the file, seen by any new connection
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not (isolated_dirs / "backups").exists()  # nothing to back up in a new file


def test_reopen_is_idempotent_and_keeps_the_data(isolated_dirs, monkeypatch):
    path = seeded_desk(isolated_dirs)

    def no_migration(*args, **kwargs):
        raise AssertionError("an up-to-date database must open without running migrations")

    monkeypatch.setattr("commsdesk.store.database.upgrade", no_migration)
    before = rows_of(path, "timeline_events")
    for _ in range(2):
        desk = Desk.open(isolated_dirs)
        assert [i.title for i in desk.list_incidents()] == ["Outage"]
        assert desk.verify_timeline().intact
        desk.close()
    assert rows_of(path, "timeline_events") == before
    assert revision_of(path) == HEAD_REVISION
    assert not (isolated_dirs / "backups").exists()


def test_garbage_file_is_refused_and_left_unchanged(isolated_dirs):
    isolated_dirs.mkdir(parents=True)
    path = isolated_dirs / DATABASE_FILE
    path.write_bytes(os.urandom(8192))
    before = fingerprint(path)
    with pytest.raises(DatabaseCorrupt) as refused:
        Desk.open(isolated_dirs)
    message = str(refused.value)
    assert str(path) in message and "Nothing was changed" in message
    assert str(isolated_dirs / "backups") in message and "move this file aside" in message
    assert fingerprint(path) == before
    assert sorted(p.name for p in isolated_dirs.iterdir()) == [DATABASE_FILE]


def test_damaged_pages_are_refused_and_left_unchanged(isolated_dirs):
    path = seeded_desk(isolated_dirs)
    with raw(path) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    data = bytearray(path.read_bytes())
    for page in range(1, pages):  # keep the header page, scramble the b-tree pages
        data[page * page_size : page * page_size + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))
    before = fingerprint(path)
    with pytest.raises(DatabaseCorrupt, match="damaged"):
        Desk.open(isolated_dirs)
    assert fingerprint(path) == before


def test_database_from_a_newer_version_is_refused_and_left_unchanged(isolated_dirs):
    path = seeded_desk(isolated_dirs)
    with raw(path) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999_future'")
        db.commit()
    before = fingerprint(path)
    with pytest.raises(DatabaseTooNew) as refused:
        Desk.open(isolated_dirs)
    message = str(refused.value)
    assert "newer CommsDesk (schema 9999_future)" in message
    assert f"knows up to {HEAD_REVISION}" in message
    assert "Update CommsDesk" in message and "the file was not changed" in message
    assert isinstance(refused.value, DatabaseProblem)
    assert fingerprint(path) == before
    assert not (isolated_dirs / "backups").exists()


def test_someone_elses_database_is_refused_and_left_unchanged(isolated_dirs):
    isolated_dirs.mkdir(parents=True)
    path = isolated_dirs / DATABASE_FILE
    with raw(path) as db:
        db.execute("CREATE TABLE recipes (name TEXT)")
        db.commit()
    before = fingerprint(path)
    with pytest.raises(NotADeskDatabase, match=r"holds tables \(recipes\)"):
        Desk.open(isolated_dirs)
    assert fingerprint(path) == before


def test_backup_is_a_complete_copy_named_by_time_and_target(isolated_dirs):
    path = seeded_desk(isolated_dirs)
    moment = datetime(2026, 11, 24, 14, 5, 9, tzinfo=UTC)
    backup = backup_sqlite(path, "0002_next", now=moment)
    assert (
        backup == isolated_dirs / "backups" / "commsdesk-20261124-140509-before-0002_next.sqlite3"
    )
    for table in TABLES | {"alembic_version"}:
        assert rows_of(backup, table) == rows_of(path, table)
    with raw(backup) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = backup_sqlite(path, "0002_next", now=moment)  # same second: a second file
    assert again.name == "commsdesk-20261124-140509-before-0002_next-2.sqlite3"
    assert sorted(p.name for p in backup.parent.iterdir()) == sorted([backup.name, again.name])


def test_backups_are_readable_by_the_user_only(isolated_dirs):
    path = seeded_desk(isolated_dirs)
    before = os.umask(0o002)
    try:
        (isolated_dirs / "backups").mkdir(mode=0o775)
        backup = backup_sqlite(path, "0002_next")
    finally:
        os.umask(before)
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_a_read_only_folder_is_said_to_be_read_only(isolated_dirs):
    """Not "close any other program": nothing else holds it, the folder cannot be written."""
    seeded_desk(isolated_dirs)
    with read_only_view(isolated_dirs) as view, pytest.raises(DatabaseProblem) as refused:
        Desk.open(view)
    assert str(refused.value) == (
        f"Cannot write to {view}: it is on a read-only file system; remount it read-write, or "
        "choose another data folder. Nothing was changed."
    )


NEXT_MIGRATION = f'''
"""Test-only second revision: statements get a channel."""

import sqlalchemy as sa
from alembic import op

revision = "9001_channel"
down_revision = "{HEAD_REVISION}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("statements") as batch:
        batch.add_column(sa.Column("channel", sa.String(20), nullable=False, server_default="x"))


def downgrade():
    with op.batch_alter_table("statements") as batch:
        batch.drop_column("channel")
'''


@pytest.fixture
def scripts_with_a_next_revision(tmp_path) -> Path:
    """Our migrations plus one more, as the next release would ship them."""
    location = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, location, ignore=shutil.ignore_patterns("__pycache__"))
    (location / "versions" / "9001_channel.py").write_text(NEXT_MIGRATION)
    return location


def test_upgrade_of_a_database_behind_head_backs_it_up_first(
    isolated_dirs, scripts_with_a_next_revision
):
    path = seeded_desk(isolated_dirs)
    statements_before = rows_of(path, "statements")
    events_before = rows_of(path, "timeline_events")

    engine = open_database(sqlite_url(path), script_location=scripts_with_a_next_revision)
    engine.dispose()

    assert revision_of(path) == "9001_channel"
    with raw(path) as db:
        assert db.execute("SELECT channel FROM statements").fetchall() == [("x",)]
    assert rows_of(path, "timeline_events") == events_before
    (backup,) = (isolated_dirs / "backups").iterdir()
    assert backup.name.startswith("commsdesk-") and backup.name.endswith(
        "-before-9001_channel.sqlite3"
    )
    assert revision_of(backup) == HEAD_REVISION  # the state before the upgrade
    assert rows_of(backup, "statements") == statements_before
    assert rows_of(backup, "timeline_events") == events_before


def test_new_database_with_pending_revisions_needs_no_backup(
    isolated_dirs, scripts_with_a_next_revision
):
    path = isolated_dirs / DATABASE_FILE
    open_database(sqlite_url(path), script_location=scripts_with_a_next_revision).dispose()
    assert revision_of(path) == "9001_channel"
    assert not (isolated_dirs / "backups").exists()


def test_migration_creates_exactly_the_models_tables(isolated_dirs):
    engine = open_database(sqlite_url(isolated_dirs / DATABASE_FILE))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) == TABLES


def test_migration_downgrades_to_nothing_and_back(isolated_dirs):
    path = isolated_dirs / DATABASE_FILE
    engine = open_database(sqlite_url(path))
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert table_names(path) == {"alembic_version"}
    finally:
        engine.dispose()
    Desk.open(isolated_dirs).close()  # an empty desk file is simply brought to head
    assert table_names(path) == TABLES | {"alembic_version"}
    assert not (isolated_dirs / "backups").exists()


def test_open_accepts_a_full_url(tmp_path):
    path = tmp_path / "team" / "desk.sqlite3"
    desk = Desk.open(url=f"sqlite:///{path}")
    try:
        assert desk.path == path
        desk.start_incident("Ana", "Outage", Severity.P3)
        assert desk.active_incident().title == "Outage"
    finally:
        desk.close()
    assert revision_of(path) == HEAD_REVISION


def test_data_dir_prefers_the_command_line_then_the_environment(tmp_path, monkeypatch):
    chosen = resolve_data_dir(str(tmp_path / "cli"))
    assert chosen == tmp_path / "cli" and chosen.is_dir()
    monkeypatch.setenv("COMMSDESK_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir() == tmp_path / "env" and (tmp_path / "env").is_dir()
    monkeypatch.delenv("COMMSDESK_DATA_DIR")
    asked = []

    def user_data_dir(name, appauthor=None):
        asked.append((name, appauthor))
        return str(tmp_path / "platform" / name)

    monkeypatch.setattr("platformdirs.user_data_dir", user_data_dir)
    assert resolve_data_dir() == tmp_path / "platform" / "CommsDesk"
    assert asked == [("CommsDesk", False)] and (tmp_path / "platform" / "CommsDesk").is_dir()


def test_migration_renders_for_postgresql_without_sqlite_sql():
    config = alembic_config()
    config.set_main_option("sqlalchemy.url", "postgresql://")
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    script = config.output_buffer.getvalue()
    for table in TABLES:
        assert f"CREATE TABLE {table} (" in script
    assert "id SERIAL NOT NULL" in script and "facts JSON NOT NULL" in script
    assert "TIMESTAMP WITHOUT TIME ZONE" in script
    assert "PRAGMA" not in script and "AUTOINCREMENT" not in script
