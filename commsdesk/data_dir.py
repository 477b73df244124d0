"""Where the desk keeps its database, settings, log and backups, kept private to the user.

The folder is 0700 and its files 0600: statements not yet public, who approved what and the
timeline are nobody else's to read. Folders and files found looser are tightened when the desk
opens them (never a folder that is not ours, or a shared one with the sticky bit, such as /tmp).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

ENV_VAR = "COMMSDESK_DATA_DIR"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
NOT_WRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM)


def chosen_data_dir(cli_value: str | None = None) -> Path:
    """The `--data-dir` value, else $COMMSDESK_DATA_DIR, else the platform's user data folder."""
    if cli_value:
        return Path(cli_value).expanduser()
    if env_value := os.environ.get(ENV_VAR):
        return Path(env_value).expanduser()
    import platformdirs  # only when no folder was named: it costs start-up time

    return Path(platformdirs.user_data_dir("CommsDesk", appauthor=False))


def resolve_data_dir(cli_value: str | None = None) -> Path:
    """The chosen data folder (see `chosen_data_dir`), created or tightened to 0700."""
    return make_private_dir(chosen_data_dir(cli_value))


def make_private_dir(path: Path) -> Path:
    """Create `path` (0700; missing parents as usual) or tighten it; returns it."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    tighten(path)
    return path


def make_private_file(path: Path) -> None:
    """Create an empty `path` readable by the user only, or tighten the one there."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        tighten(path)


def tighten(path: Path) -> None:
    """Take group and other permissions off a file or folder of ours; best effort (a file
    system without Unix modes, or a read-only one, keeps what it has)."""
    try:
        found = path.stat()
        mode = stat.S_IMODE(found.st_mode)
        if not mode & 0o077 or found.st_uid != os.geteuid() or mode & stat.S_ISVTX:
            return
        os.chmod(path, mode & ~0o077)
    except OSError:
        pass


def os_problem(exc: OSError, where: Path | None = None) -> str | None:
    """One line on a full disk or a folder that cannot be written, saying what to do; None for
    any other error. `where` is the folder to name when the error names no file."""
    if exc.errno in DISK_FULL:
        return "the disk is full: free space and try again" + (f" ({where})" if where else "")
    if exc.errno not in NOT_WRITABLE:
        return None
    folder = where
    if exc.filename is not None:
        named = Path(os.fsdecode(exc.filename))
        if exc.errno != errno.EROFS and named.is_file():
            return f"cannot open {named}: permission denied; make it readable and writable by you"
        folder = named if named.is_dir() else named.parent
    folder = folder or Path.cwd()
    if exc.errno == errno.EROFS:
        why = "it is on a read-only file system; remount it read-write"
    else:
        why = "permission denied; make it writable by you"
    return f"cannot write to {folder}: {why}, or choose another data folder"


def write_problem(folder: Path) -> OSError | None:
    """Why nothing can be written in `folder` (read-only, no permission, full), found by
    writing a byte to a temporary file there; None when that works."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder) as probe:
            probe.write(b"\0")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        return exc
    return None


def private_log_handler(path: Path, *, max_bytes: int, backups: int) -> logging.Handler:
    """A rotating log whose files, the current one and those rotated, only the user can read."""
    import logging.handlers

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self):
            make_private_file(Path(self.baseFilename))
            return super()._open()

    for rotated in path.parent.glob(f"{path.name}.*"):
        tighten(rotated)
    return PrivateRotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups,
                                      encoding="utf-8")  # fmt: skip
