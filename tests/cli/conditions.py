"""Real failing conditions for the command line's tests: a read-only file system, a small disk
to fill, a folder the user may not write to, a database held locked by another process.

Mounts need root (CAP_SYS_ADMIN); where they do not work the tests using them skip.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.support.cli import commsdesk

ROOT = Path(__file__).resolve().parents[2]


# `python -m commsdesk ARGS` from the project's folder (so another user can run it too).
cli = partial(commsdesk, cwd=ROOT, timeout=120)


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({done.stderr.strip() or 'not root'})")


@contextlib.contextmanager
def read_only_view(folder: Path) -> Iterator[Path]:
    """`folder` as seen through a read-only bind mount (EROFS on every write)."""
    view = Path(tempfile.mkdtemp(prefix="ro-view-"))
    try:
        _mount("--bind", str(folder), str(view))
        try:
            done = subprocess.run(["mount", "-o", "remount,bind,ro", str(view)])
            if done.returncode != 0:
                pytest.skip("cannot remount a bind read-only here")
            yield view
        finally:
            subprocess.run(["umount", str(view)], check=True)
    finally:
        view.rmdir()


@contextlib.contextmanager
def small_disk(size: str = "1m") -> Iterator[Path]:
    """A tmpfs of `size`, to fill."""
    disk = Path(tempfile.mkdtemp(prefix="small-disk-"))
    try:
        _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk))
        try:
            yield disk
        finally:
            subprocess.run(["umount", str(disk)], check=True)
    finally:
        disk.rmdir()


def fill(disk: Path) -> None:
    """Write zeros until the disk has no byte left."""
    with contextlib.suppress(OSError), open(disk / "filler", "wb", buffering=0) as filler:
        while True:
            filler.write(b"\0" * 4096)


@contextlib.contextmanager
def unwritable_folder() -> Iterator[Path]:
    """An existing folder, mode 0500. Root writes anywhere, so tests run the command without
    root's powers over permission bits (`without_root_powers`): bound by them as any user is."""
    base = Path(tempfile.mkdtemp(prefix="unwritable-"))
    folder = base / "desk"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        yield folder
    finally:
        folder.chmod(0o700)
        shutil.rmtree(base)


HOLD_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("held", flush=True)
sys.stdin.read()  # until the test closes our standard input
connection.execute("ROLLBACK")
"""


@contextlib.contextmanager
def locked(database: Path) -> Iterator[None]:
    """Another process holding the database's write lock (BEGIN IMMEDIATE) until the end."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
