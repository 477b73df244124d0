"""Exactly one desk runs the scheduled posts of a shared PostgreSQL database (and, with another
lock key, polls the audience's viewer sources).

The desk that holds a session-level advisory lock, on a connection of its own, runs them; the
others try for it every few seconds. When that desk dies, is killed or loses its connection,
the server ends its session and frees the lock, and the next desk to try takes over. A desk
that cannot reach the server any more stops running posts at its next check, so two desks never
believe they lead at once for longer than one check. (Posting stays exactly once regardless: the
publisher's claim and the scheduled row's lock decide who sends.)

On SQLite, one machine's file, the desk simply runs them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

LEADER_LOCK_KEY = 0x436F6D6D7353  # "CommsS": the scheduler's advisory lock
TRY_EVERY = 3.0  # seconds between attempts, and between checks while leading


class Leadership:
    """Calls `gained()` when this desk becomes the one running scheduled posts and `lost()`
    when it stops being it; both from its own thread."""

    def __init__(
        self,
        engine: Engine,
        gained: Callable[[], None],
        lost: Callable[[], None],
        *,
        every: float = TRY_EVERY,
        key: int = LEADER_LOCK_KEY,
        role: str = "runs the scheduled posts",
    ) -> None:
        self.engine = engine
        self.gained = gained
        self.lost = lost
        self.every = every
        self.key = key
        self.role = role
        self.leading = False
        self._connection = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"leader-{self.key:x}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._step_down()
        self._drop_connection(release=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._check()
            except Exception as exc:  # the server went away: not leading until it is back
                log.warning("leadership check failed (this desk %s): %s", self.role, exc)
                self._step_down()
                self._drop_connection(release=False)
            self._stop.wait(self.every)

    def _check(self) -> None:
        if self._connection is None:
            self._connection = self.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            )
        if self.leading:
            self._connection.execute(text("SELECT 1"))  # still connected, so still holding it
            return
        got = self._connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
        ).scalar()
        if got and not self._stop.is_set():
            self.leading = True
            log.info("this desk now %s", self.role)
            self.gained()

    def _step_down(self) -> None:
        if self.leading:
            self.leading = False
            log.info("this desk stepped down: another desk %s now, or will", self.role)
            self.lost()

    def _drop_connection(self, *, release: bool) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with contextlib.suppress(Exception):
            if release:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                )
        with contextlib.suppress(Exception):
            connection.invalidate()  # never back to the pool: the lock dies with the session
            connection.close()
