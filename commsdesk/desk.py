"""The desk's use cases, shared by the GUI and the CLI.

Every mutating method is one transaction that applies the domain rule and appends its timeline
event(s); `actor` is the name of the operator acting. Methods return frozen domain dataclasses,
never ORM rows, and open their own session, so a Desk can be used from a worker thread. Refusals
come back as `DeskError` with a message for the operator.

Desk composes its pieces as mixins, each in its capability's folder and each built on the one
it needs:

    Sessions       commsdesk.store.session         sessions, transaction(), reading(), now()
    Ledger         commsdesk.timeline.ledger       appending and reading the timeline, its head
    Verification   commsdesk.timeline.verify       verify_timeline()
    Incidents      commsdesk.incidents.service     incidents and their update cadence
    Statements     commsdesk.statements.service    statements and versions
    Approvals      commsdesk.statements.approvals  the policy, approval, publishing moves

Mixins rather than delegation: a use case writes its change and its event in one transaction,
so every piece shares one session maker, clock and anchor, which one object holds without
passing them between objects; and the methods the GUI, the CLI and the scheduler call stay
where they were, without a forwarding method for each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from commsdesk.clock import utc_now
from commsdesk.data_dir import make_private_dir, resolve_data_dir
from commsdesk.incidents.service import Incidents
from commsdesk.statements.approvals import Approvals
from commsdesk.statements.service import Statements
from commsdesk.store.database import DATABASE_FILE, open_database, sqlite_file, sqlite_url
from commsdesk.store.session import DeskError, Sessions
from commsdesk.timeline.anchor import anchor_for_url
from commsdesk.timeline.ledger import Ledger
from commsdesk.timeline.verify import VERIFY_BATCH, Verification

__all__ = ["VERIFY_BATCH", "Desk", "DeskError"]


class Desk(Approvals, Statements, Incidents, Verification, Ledger, Sessions):
    """Incidents, statements and the timeline of one database."""

    # Team mode: the person the server says is signed in (commsdesk.team); None on one desk.
    person = None

    @property
    def scheduler_actor(self) -> str:
        """Who the record names for what the scheduler does on its own on this desk."""
        from commsdesk.scheduling.posts import SCHEDULER

        return self.person.scheduler if self.person is not None else SCHEDULER

    @classmethod
    def open(
        cls,
        data_dir: Path | None = None,
        *,
        url: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> Desk:
        """Open (creating or migrating) `commsdesk.sqlite3` in the data dir, or the database at
        `url`; raises commsdesk.store.database.DatabaseProblem when the file must not be opened.
        The timeline's anchor is beside an SQLite file, else in the data dir."""
        if url is None:
            folder = resolve_data_dir() if data_dir is None else make_private_dir(Path(data_dir))
            url = sqlite_url(folder / DATABASE_FILE)
        engine = open_database(url)
        path = sqlite_file(make_url(url))
        anchor = None
        if path is None and engine.url.database not in (None, "", ":memory:"):
            folder = resolve_data_dir() if data_dir is None else make_private_dir(Path(data_dir))
            anchor = anchor_for_url(folder, engine.url.render_as_string(hide_password=True))
        person = _team_person(engine) if path is None else None
        desk = cls(engine, path=path, anchor=anchor, clock=clock)
        desk.person = person
        return desk


def _team_person(engine):
    """The signed-in person on a team database; None on a database without team mode."""
    from commsdesk.store.database import DatabaseProblem
    from commsdesk.team.schema import is_team, signed_in

    try:
        with engine.connect() as connection:
            if not is_team(connection):
                return None
            person = signed_in(connection)
    except BaseException:
        engine.dispose()
        raise
    if person is None:
        engine.dispose()
        raise DatabaseProblem(
            f"The login {engine.url.username} is not a person of this team: ask a team admin "
            f"to add it (commsdesk team add {engine.url.username} --name ... --can ...)."
        )
    return person
