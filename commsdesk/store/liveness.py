"""This desk process's mark on a shared PostgreSQL server, so other desks can tell it is gone.

The mark is a session-level advisory lock on a random key, held on a connection of its own for
as long as the process runs. When the process dies or loses the server, the server ends that
session and the key is free: another desk's transaction that can take the key (for itself, for
that transaction only) knows no live process holds it. A claim names the mark it was made
under (commsdesk.publishing.runs), so a desk on another machine can carry on what a dead desk
left without waiting for the claim to lapse. On SQLite, one machine's file, there is no mark:
a process's id says the same.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)


class ProcessMark:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._key: int | None = None
        self._connection = None
        self._lock = threading.Lock()

    def key(self) -> int | None:
        """The mark's key, made (or made again, when its connection was lost) as needed; None
        where there is no shared server."""
        if self.engine.dialect.name != "postgresql":
            return None
        with self._lock:
            if self._connection is not None and not self._alive():
                self._drop()
            if self._connection is None:
                key = secrets.randbits(62)
                connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                self._connection, self._key = connection, key
            return self._key

    def _alive(self) -> bool:
        try:
            self._connection.execute(text("SELECT 1"))
        except Exception as exc:  # the server went away or restarted: the mark is gone with it
            log.warning("this desk's mark on the server was lost: %s", exc)
            return False
        return True

    def _drop(self) -> None:
        connection, self._connection, self._key = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.invalidate()  # never back to the pool: the lock ends with the session
                connection.close()

    def close(self) -> None:
        with self._lock:
            self._drop()


def mark_free(session, key: int) -> bool:
    """In a PostgreSQL transaction: True when no live session holds the mark `key` (taken for
    this transaction only, and let go with it)."""
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                                {"key": key}).scalar())  # fmt: skip
