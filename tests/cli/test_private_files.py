"""The data folder and its files are the user's alone: folder 0700; the database, its -wal and
-shm, desk.json and the log 0600; looser ones are tightened when the desk opens them. Checked on
real files, under a umask that would otherwise let the group read them."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.settings import Settings
from tests.cli.conditions import cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    """Group-writable, world-readable by default; commands run from here inherit it."""
    before = os.umask(0o002)
    try:
        yield
    finally:
        os.umask(before)


def test_a_new_desk_is_created_private(tmp_path):
    folder = tmp_path / "new" / "desk"
    done = cli("--data-dir", str(folder), "incident", "start", "--title", "Outage")
    assert done.returncode == 0, done.stderr
    assert mode(folder) == 0o700
    assert mode(folder / "commsdesk.sqlite3") == 0o600
    assert {mode(path) & 0o077 for path in folder.iterdir()} == {0}


def test_wal_and_shm_are_private_while_the_desk_is_open(tmp_path):
    desk = Desk.open(tmp_path / "desk")
    try:
        desk.start_incident("Ana", "Outage", Severity.P2)
        for name in ("commsdesk.sqlite3", "commsdesk.sqlite3-wal", "commsdesk.sqlite3-shm"):
            assert mode(tmp_path / "desk" / name) == 0o600, name
    finally:
        desk.close()


def test_looser_folder_and_files_are_tightened_when_the_desk_opens_them(tmp_path):
    folder = tmp_path / "desk"
    Desk.open(folder).close()
    (folder / "desk.json").write_text('{"operator_name": "Ana"}', encoding="utf-8")
    database = folder / "commsdesk.sqlite3"
    with closing(sqlite3.connect(database)) as other:  # another desk keeps -wal and -shm there
        other.execute("PRAGMA journal_mode=WAL")
        other.execute("CREATE TABLE IF NOT EXISTS scratch (x)")
        other.execute("INSERT INTO scratch VALUES (1)")
        other.commit()
        loose = [folder, database, folder / "commsdesk.sqlite3-wal",
                 folder / "commsdesk.sqlite3-shm", folder / "desk.json"]  # fmt: skip
        for path in loose:
            path.chmod(0o775 if path.is_dir() else 0o664)

        done = cli("--data-dir", str(folder), "incident", "list")
        assert done.returncode == 0, done.stderr
        assert [mode(path) for path in loose] == [0o700, 0o600, 0o600, 0o600, 0o600]


def test_a_shared_folder_with_the_sticky_bit_is_left_as_it_is(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    Desk.open(shared).close()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert mode(shared / "commsdesk.sqlite3") == 0o600


def test_desk_json_is_written_private_and_tightened_on_load(tmp_path):
    settings = Settings(tmp_path / "desk.json")
    settings.set("operator_name", "Ana")
    settings.save()
    assert mode(tmp_path / "desk.json") == 0o600
    (tmp_path / "desk.json").chmod(0o644)
    assert Settings.load(tmp_path).get("operator_name") == "Ana"
    assert mode(tmp_path / "desk.json") == 0o600


def test_the_log_and_its_rotated_files_are_private(tmp_path):
    from commsdesk.app import _setup_logging

    log = tmp_path / "commsdesk.log"
    for path in (log, tmp_path / "commsdesk.log.1"):
        path.write_text("an earlier run\n", encoding="utf-8")
        path.chmod(0o644)
    root = logging.getLogger()
    before = list(root.handlers), root.level
    _setup_logging(tmp_path)
    [handler] = [h for h in root.handlers if h not in before[0]]
    try:
        logging.getLogger("commsdesk").info("desk opened")
        assert mode(log) == 0o600 and mode(tmp_path / "commsdesk.log.1") == 0o600
        handler.doRollover()
        logging.getLogger("commsdesk").info("after the rollover")
        assert [mode(tmp_path / name) for name in ("commsdesk.log", "commsdesk.log.1",
                                                    "commsdesk.log.2")] == [0o600] * 3  # fmt: skip
        assert "after the rollover" in log.read_text(encoding="utf-8")
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(before[1])
