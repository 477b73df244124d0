"""The desk's database sessions and clock, and the refusal every use case raises.

Use cases open a session per call: `_write()` is one transaction (refusals of the statement
rules become DeskError and nothing is written), `_read()` a read-only one. Both are also
offered as transaction() and reading() to use cases kept in other modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from commsdesk.clock import as_utc, utc_now
from commsdesk.statements.statement import TransitionRefused
from commsdesk.store.database import writer
from commsdesk.store.models import NAME


class DeskError(Exception):
    """An action the desk refuses; the message is written for the operator."""


def required_text(value: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DeskError(f"{what} is required.")
    if len(value) > limit:
        raise DeskError(f"{what} is too long ({len(value)} characters; at most {limit}).")
    return value


def actor_name(actor: str) -> str:
    return required_text(actor, "The operator's name", NAME)


def stored_time(moment: datetime) -> datetime:
    """Naive UTC, as every datetime column holds it."""
    return as_utc(moment).replace(tzinfo=None)


def first_line(exc: BaseException, default: str = "no answer") -> str:
    """The first line of what a database driver said (the driver's own error, if wrapped):
    libpq puts the cause first and hints after it."""
    return (str(getattr(exc, "orig", exc)).strip().splitlines() or [default])[0]


def team_refusal(exc: DBAPIError) -> str | None:
    """The sentence of a team database's rule that refused a write (commsdesk.team.schema),
    or None for any other database error."""
    message = first_line(exc, "")
    if message.startswith("commsdesk: "):
        sentence = message.removeprefix("commsdesk: ")
        return sentence[:1].upper() + sentence[1:] + "."
    return None


class Sessions:
    """The sessions and the clock of one database."""

    def __init__(
        self,
        engine: Engine,
        *,
        path: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.path = path  # the SQLite file, if any
        self.clock = clock
        self._reads = sessionmaker(engine, expire_on_commit=False)
        self._writes = sessionmaker(writer(engine), expire_on_commit=False)
        self._mark = None

    def close(self) -> None:
        if self._mark is not None:
            self._mark.close()
        self.engine.dispose()

    def process_mark(self) -> int | None:
        """This process's mark on a shared server (commsdesk.store.liveness); None on SQLite."""
        if self.engine.dialect.name != "postgresql":
            return None
        if self._mark is None:
            from commsdesk.store.liveness import ProcessMark

            self._mark = ProcessMark(self.engine)
        return self._mark.key()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction for use cases kept in their own modules (publishing); refusals
        become DeskError as everywhere else."""
        with self._write() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    def now(self) -> datetime:
        """The desk's clock as stored: naive UTC."""
        return self._now()

    def _now(self) -> datetime:
        return stored_time(self.clock())

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._reads.begin() as session:
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction; domain refusals become DeskError and nothing is written."""
        try:
            with self._writes.begin() as session:
                yield session
        except TransitionRefused as exc:
            raise DeskError(str(exc)) from exc
        except DBAPIError as exc:
            refusal = team_refusal(exc)
            if refusal is None:
                raise
            raise DeskError(refusal) from exc
