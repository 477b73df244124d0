"""What the command line says when it cannot run as asked (exit 2) or a rule refuses (exit 1):
one line on standard error saying what to do, never a traceback. Each condition is real: a
folder the user may not write to, a read-only file system, a full disk, a database another
process holds locked, a damaged database, a file that cannot be read or is not UTF-8."""

from __future__ import annotations

from pathlib import Path

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from tests.cli.conditions import (
    cli,
    fill,
    locked,
    read_only_view,
    small_disk,
    unwritable_folder,
)


def one_line(done) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("commsdesk: ")
    return lines[0]


def new_desk(folder: Path) -> None:
    desk = Desk.open(folder)
    desk.start_incident("Ana", "Hot wallet drained", Severity.P1)
    desk.close()


def test_a_folder_the_user_cannot_write_to_is_named(tmp_path):
    with unwritable_folder() as folder:
        done = cli("--data-dir", str(folder), "incident", "list", without_root_powers=True)
        assert done.returncode == 2
        assert one_line(done) == (
            f"commsdesk: cannot write to {folder}: permission denied; make it writable by you, "
            "or choose another data folder"
        )
        assert list(folder.iterdir()) == []


def test_a_read_only_file_system_is_named_not_blamed_on_other_programs(tmp_path):
    desk = tmp_path / "desk"
    new_desk(desk)
    with read_only_view(desk) as view:
        for args in (["incident", "list"], ["incident", "close", "1"]):
            done = cli("--data-dir", str(view), *args)
            assert done.returncode == 2
            assert one_line(done) == (
                f"commsdesk: cannot write to {view}: it is on a read-only file system; remount "
                "it read-write, or choose another data folder"
            )
    empty = tmp_path / "empty"
    empty.mkdir()
    with read_only_view(empty) as view:
        done = cli("--data-dir", str(view), "incident", "start", "--title", "Outage")
        assert done.returncode == 2 and "read-only file system" in one_line(done)


def test_a_full_disk_says_so(tmp_path):
    source = tmp_path / "long.txt"
    source.write_text("Funds are safe. " * 20_000, encoding="utf-8")  # 320 kB
    with small_disk() as disk:
        desk = disk / "desk"
        new_desk(desk)
        fill(disk)
        done = cli("--data-dir", str(desk), "statement", "new", "--title", "Long", str(source))
        assert done.returncode == 2
        assert one_line(done) == f"commsdesk: the disk is full: free space and try again ({desk})"
        (disk / "filler").unlink()
        done = cli("--data-dir", str(desk), "statement", "new", "--title", "Long", str(source))
        assert done.returncode == 0, done.stderr


def test_a_database_locked_by_another_process_says_what_to_do(tmp_path):
    desk = tmp_path / "desk"
    new_desk(desk)
    database = desk / "commsdesk.sqlite3"
    with locked(database):
        done = cli("--data-dir", str(desk), "incident", "close", "1")
    assert done.returncode == 2
    assert one_line(done) == (
        f"commsdesk: the database {database} is locked: another program kept it busy for 5 s; "
        "wait for it to finish (or close it) and try again"
    )
    assert cli("--data-dir", str(desk), "incident", "close", "1").returncode == 0


def test_a_damaged_database_is_refused_with_exit_2(tmp_path):
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "commsdesk.sqlite3").write_bytes(b"not a database at all" * 100)
    done = cli("--data-dir", str(desk), "statement", "list")
    assert done.returncode == 2 and "is damaged or not a CommsDesk database" in one_line(done)


def test_input_that_is_not_utf8_names_the_line(tmp_path):
    desk = tmp_path / "desk"
    new_desk(desk)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Withdrawals are paused.\nWe are sorry.\nCafé at 18:30\n".encode("latin-1"))
    done = cli("--data-dir", str(desk), "statement", "new", "--title", "Paused", str(latin1))
    assert done.returncode == 2
    assert one_line(done) == (
        f"commsdesk: {latin1} is not UTF-8 text: bad bytes on line 3; save it as UTF-8 and try "
        "again"
    )
    paused = ["--data-dir", str(desk), "statement", "new", "--title", "Paused", "-"]
    done = cli(*paused, stdin=b"line one\n\xff\xfe\n")
    assert done.returncode == 2
    assert "standard input is not UTF-8 text: bad bytes on line 2" in one_line(done)
    assert cli("--data-dir", str(desk), "statement", "list").stdout == "No statements.\n"


def test_a_file_that_cannot_be_read(tmp_path):
    done = cli("statement", "new", "--title", "Nothing", str(tmp_path / "missing.txt"))
    assert done.returncode == 2
    assert one_line(done) == (
        f"commsdesk: cannot read {tmp_path / 'missing.txt'}: No such file or directory"
    )


def test_a_rule_refusing_exits_1(tmp_path):
    desk = tmp_path / "desk"
    new_desk(desk)
    done = cli("--data-dir", str(desk), "incident", "start", "--title", "Another")
    assert done.returncode == 1
    assert one_line(done) == (
        "commsdesk: 'Hot wallet drained' is still active; close it before starting another "
        "incident."
    )
