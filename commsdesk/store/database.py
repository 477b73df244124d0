"""Opening the desk's database: check the file, back it up, migrate, then hand out an engine.

An SQLite file is checked read-only before anything is written: a damaged file, a file from a
newer CommsDesk or someone else's database raises a `DatabaseProblem` and stays byte-for-byte as
it was. A database behind the newest schema is copied to `backups/` first, then upgraded by the
Alembic scripts in `migrations/` (run here, without an alembic.ini).

Any SQLAlchemy URL works (PostgreSQL for a team later); SQLite-only code is limited to the file
checks, the backup and the connect/begin events installed when the dialect is sqlite.

The SQLite file (and so its -wal and -shm, which SQLite creates with the file's mode) and the
backups are readable by the user only. A file that cannot be opened for what it really is (a
read-only folder, a full disk, a lock held too long) is a `DatabaseProblem` saying so.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool

from commsdesk.clock import as_utc, utc_now
from commsdesk.data_dir import (
    make_private_dir,
    make_private_file,
    os_problem,
    tighten,
    write_problem,
)

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

DATABASE_FILE = "commsdesk.sqlite3"
BACKUPS_DIR = "backups"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest script in migrations/versions, so that opening an up-to-date database needs no
# Alembic import (about 0.2 s). tests/store/test_database.py keeps it equal to the scripts' head.
HEAD_REVISION = "0007_p1"
VERSION_TABLE = "alembic_version"
SQLITE_HEADER = b"SQLite format 3\x00"
# Execution option marking a connection that will write: on SQLite it begins with
# BEGIN IMMEDIATE, so concurrent writers (the desk and a CLI) queue on busy_timeout instead of
# failing when a read transaction tries to become a write one.
WRITE_OPTION = "commsdesk_write"
BUSY_TIMEOUT = 5  # seconds a write waits for another program's lock before giving up
SQLITE_PRAGMAS = (
    f"busy_timeout={BUSY_TIMEOUT * 1000}",
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "foreign_keys=ON",
)


class DatabaseProblem(Exception):
    """The database cannot be opened as it is. The message says why and what to do."""


class DatabaseCorrupt(DatabaseProblem):
    """Not an SQLite file, or one that fails SQLite's integrity check."""


class DatabaseTooNew(DatabaseProblem):
    """Written by a newer CommsDesk: its schema revision is unknown to these migrations."""


class NotADeskDatabase(DatabaseProblem):
    """An SQLite database with tables but no CommsDesk schema version: someone else's file."""


@dataclass(frozen=True)
class FileState:
    """What the read-only look at an SQLite file found."""

    revision: str | None  # alembic_version's value; None for a new or empty file
    has_tables: bool  # any table besides alembic_version (so a migration needs a backup)


# --- URLs and engines ---------------------------------------------------------------------------


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite+pysqlite", database=str(path))


def sqlite_file(url: str | URL) -> Path | None:
    """The file behind an SQLite URL; None for other databases and in-memory SQLite."""
    url = make_url(url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None  # an SQLite URI (uri=true); left to the caller
    return Path(url.database)


def desk_url(url: str | URL) -> URL:
    """`url` with the driver the desk ships: postgresql:// (as people write it, and as psql
    takes it) means psycopg 3, not SQLAlchemy's default psycopg2."""
    url = make_url(url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def create_desk_engine(url: str | URL) -> Engine:
    """An engine for any URL; on SQLite with the desk's PRAGMAs and usable from any thread."""
    url = desk_url(url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if sqlite_file(url) is None:
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    else:
        engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_connected)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions are known to write."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _sqlite_connected(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling would defer BEGIN; `_sqlite_begin` emits it instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# --- migrations ---------------------------------------------------------------------------------


def alembic_config(script_location: Path = MIGRATIONS_DIR) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location).replace("%", "%%"))
    return config


@functools.cache
def _scripts(script_location: Path) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(script_location))


def head_revision(script_location: Path = MIGRATIONS_DIR) -> str:
    if script_location == MIGRATIONS_DIR:
        return HEAD_REVISION
    head = _scripts(script_location).get_current_head()
    if head is None:
        raise RuntimeError(f"No migrations in {script_location}")
    return head


def known_revisions(script_location: Path = MIGRATIONS_DIR) -> set[str]:
    return {script.revision for script in _scripts(script_location).walk_revisions()}


def stored_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def upgrade(engine: Engine, script_location: Path = MIGRATIONS_DIR, target: str = "head") -> None:
    """Run the migrations up to `target` in one transaction on this engine."""
    from alembic import command

    config = alembic_config(script_location)
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, target)


# --- checks before opening ----------------------------------------------------------------------


def _backups_dir(path: Path) -> Path:
    return path.parent / BACKUPS_DIR


def _read_only_uri(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def inspect_sqlite_file(path: Path, script_location: Path = MIGRATIONS_DIR) -> FileState:
    """Look at an SQLite file read-only; raise a DatabaseProblem if the desk must not open it."""
    if not path.exists() or path.stat().st_size == 0:
        return FileState(None, False)  # SQLite treats an empty file as a new database
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise DatabaseCorrupt(_corrupt_message(path, "it is not an SQLite database"))
    try:
        with closing(
            sqlite3.connect(_read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT)
        ) as connection:
            check = [row[0] for row in connection.execute("PRAGMA quick_check")]
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revision = None
            if VERSION_TABLE in tables:
                found = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
                revision = found[0] if found else None
    except sqlite3.OperationalError as exc:  # locked, unreadable: not evidence of damage
        problem = _sentence(sqlite_problem(exc, path))
        raise DatabaseProblem(f"{problem} Nothing was changed.") from exc
    except sqlite3.DatabaseError as exc:
        raise DatabaseCorrupt(_corrupt_message(path, str(exc))) from exc
    if check != ["ok"]:
        raise DatabaseCorrupt(_corrupt_message(path, "; ".join(check[:3])))
    own_tables = {t for t in tables if t != VERSION_TABLE and not t.startswith("sqlite_")}
    check_revision(path, revision, own_tables, script_location)
    return FileState(revision, bool(own_tables))


def check_revision(
    where: Path | str, revision: str | None, tables: set[str], script_location: Path
) -> None:
    """Refuse a database from a newer CommsDesk, or someone else's tables without a revision."""
    if revision is None:
        if tables:
            names = ", ".join(sorted(tables)[:5])
            raise NotADeskDatabase(
                f"{where} holds tables ({names}) but no CommsDesk schema version, so it is not "
                "a CommsDesk database. Nothing was changed. Choose another data folder, or "
                "move the file aside."
            )
        return
    if revision == head_revision(script_location):
        return
    if revision not in known_revisions(script_location):
        raise DatabaseTooNew(
            f"{where} was written by a newer CommsDesk (schema {revision}); this version knows "
            f"up to {head_revision(script_location)}. Update CommsDesk to open it; the file was "
            "not changed."
        )


def sqlite_problem(exc: sqlite3.Error, path: Path) -> str:
    """One line on why SQLite could not use the file at `path`, and what to do about it."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc):
        return (
            f"the database {path} is locked: another program kept it busy for {BUSY_TIMEOUT} s; "
            "wait for it to finish (or close it) and try again"
        )
    if name.startswith("SQLITE_FULL"):
        return f"the disk is full: free space and try again ({path.parent})"
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_PERM")):
        blocked = write_problem(path.parent) if path.parent.is_dir() else None
        if blocked is not None and (said := os_problem(blocked, path.parent)):
            return said
        for suffix in ("", "-wal", "-shm"):  # the folder is fine: one of the files is not
            file = path.with_name(path.name + suffix)
            try:
                if file.exists():
                    os.close(os.open(file, os.O_RDWR))
            except OSError as refused:
                return (
                    f"cannot open {file} for writing ({refused.strerror}); make it readable and "
                    "writable by you"
                )
    return f"the desk database {path} could not be opened ({exc})"


def _sentence(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:] + "."


def _cannot_use(exc: BaseException, path: Path) -> str:
    """What a DatabaseProblem says for an OS or SQLite error met opening the file at `path`."""
    cause = getattr(exc, "orig", None) or exc
    said = None
    if isinstance(cause, OSError):
        said = os_problem(cause, path.parent)
    elif isinstance(cause, sqlite3.Error):
        said = sqlite_problem(cause, path)
    return _sentence(said or f"the desk database {path} could not be opened ({cause})")


def _corrupt_message(path: Path, detail: str) -> str:
    return (
        f"The desk database {path} is damaged or not a CommsDesk database ({detail}). "
        f"Nothing was changed. Restore a backup from {_backups_dir(path)} by copying it over "
        "this file, or move this file aside to start with an empty desk."
    )


# --- backup -------------------------------------------------------------------------------------


def backup_sqlite(
    path: Path, target: str, backups_dir: Path | None = None, now: datetime | None = None
) -> Path:
    """Copy the database with SQLite's backup API to `backups/commsdesk-<UTC>-before-<target>`."""
    folder = make_private_dir(backups_dir or _backups_dir(path))
    stamp = as_utc(now or utc_now()).strftime("%Y%m%d-%H%M%S")
    destination = folder / f"commsdesk-{stamp}-before-{target}.sqlite3"
    suffix = 2
    while destination.exists():
        destination = folder / f"commsdesk-{stamp}-before-{target}-{suffix}.sqlite3"
        suffix += 1
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    make_private_file(partial)  # SQLite writes into the empty file, keeping its mode
    with (
        closing(sqlite3.connect(_read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT)) as source,
        closing(sqlite3.connect(partial)) as copy,
    ):
        source.backup(copy)
    os.replace(partial, destination)
    return destination


# --- opening ------------------------------------------------------------------------------------


def open_database(url: str | URL, *, script_location: Path = MIGRATIONS_DIR) -> Engine:
    """Check, back up if a migration is due, migrate to head, and return the engine.

    On an up-to-date database this reads the stored revision and runs no Alembic command. An
    SQLite file that cannot be opened or written raises a DatabaseProblem saying why.
    """
    path = sqlite_file(url)
    if path is None:
        return _open(url, None, script_location)
    try:
        return _open(url, path, script_location)
    except (OSError, sqlite3.OperationalError, OperationalError) as exc:
        raise DatabaseProblem(_cannot_use(exc, path)) from exc


def _private_sqlite_file(path: Path) -> None:
    """The file (and its folder, when missing) made or kept readable by the user only; SQLite
    creates -wal and -shm with the file's own mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    make_private_file(path)
    for suffix in ("-wal", "-shm"):
        tighten(path.with_name(path.name + suffix))


def _open(url: str | URL, path: Path | None, script_location: Path) -> Engine:
    state = inspect_sqlite_file(path, script_location) if path is not None else None
    if path is not None:
        _private_sqlite_file(path)
    engine = create_desk_engine(url)
    try:
        if state is None:
            with engine.connect() as connection:
                revision = stored_revision(connection)
                tables = set(inspect(connection).get_table_names()) - {VERSION_TABLE}
            check_revision(make_url(url).render_as_string(), revision, tables, script_location)
            has_tables = bool(tables)
        else:
            revision, has_tables = state.revision, state.has_tables
        head = head_revision(script_location)
        if revision != head:
            if path is not None and has_tables:
                backup_sqlite(path, head)
            try:
                upgrade(engine, script_location)
            except DBAPIError as exc:
                if path is not None or not has_tables:
                    raise
                raise DatabaseProblem(
                    f"The database is at schema {revision} and this CommsDesk needs {head}, "
                    "which this login may not create: ask the database's owner to run "
                    "commsdesk team init with its URL. Nothing was changed."
                ) from exc
    except BaseException:
        engine.dispose()
        raise
    return engine
