"""The panels' way to the desk: every call runs on the database lane, never on the UI thread.

Mutations are attributed to the operator at this desk and announce what changed, so each panel
refreshes what it shows without knowing who else acted.

Panels name the use case itself, `bridge.act(Desk.approve, statement_id)`, never its name as a
string: "find usages" sees the call and a misspelt name fails where it is written. They import
`Desk` inside the method that calls, not at module level: panel modules load on the UI thread
while the database lane is still importing SQLAlchemy to open the desk, and a module-level
import would make the UI thread wait for that import, or do it. Calls are made once the desk is
open, when the import is a lookup in `sys.modules`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from commsdesk.settings import Settings
from commsdesk.ui.lanes import Lane


class DeskBridge(QObject):
    opened = Signal(object)  # the Desk
    open_failed = Signal(str)  # a clear message; nothing was changed
    incident_changed = Signal(object)  # Incident | None (the active one)
    statement_changed = Signal(object)  # Statement
    statements_changed = Signal()  # changed elsewhere (the scheduler): the list needs a reload
    timeline_changed = Signal()
    refused = Signal(str)  # an action the rules refused, in words for the operator
    # Team mode: a change another desk committed (commsdesk.store.changes.Change), and the
    # change feed's connection going down (False, why) or coming back (True, "").
    remote_change = Signal(object)
    connection_changed = Signal(bool, str)

    _heard = Signal(object)  # from the listener's thread

    def __init__(
        self,
        lane: Lane,
        settings: Settings,
        opener: Callable[..., Any],
        parent: QObject | None = None,
    ) -> None:
        """`opener(data_dir, seed_demo=...)` opens the desk and returns its services
        (`commsdesk.app.open_services`); it runs on the lane."""
        super().__init__(parent)
        self.lane = lane
        self.settings = settings
        self.opener = opener
        self.services = None  # set on the lane's thread, read after `opened`
        self.desk = None
        self.required_approvals = 1
        self.listener = None  # team mode: the change feed
        self._heard.connect(self._remote)

    @property
    def actor(self) -> str:
        """Who acts: on a team database the person the server signed in, else the operator."""
        person = getattr(self.desk, "person", None)
        return person.name if person is not None else self.settings.get("operator_name")

    def open(self, data_dir: Path, *, seed_demo: bool = False) -> None:
        def open_desk():
            services = self.opener(data_dir, seed_demo=seed_demo)
            return services, services.desk.approval_policy().required

        def done(result):
            self.services, self.required_approvals = result
            self.desk = self.services.desk
            if self.desk.person is not None:
                self._listen()
            self.opened.emit(self.desk)

        def failed(exc: BaseException):
            self.open_failed.emit(str(exc) or type(exc).__name__)

        self.lane.submit(open_desk, on_done=done, on_error=failed)

    def query(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        key: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Run `fn(desk, *args, **kwargs)`, a read-only use case such as `Desk.statement`, on the
        lane; `on_done` gets the result on the UI thread."""
        self.lane.submit(
            lambda: fn(self.desk, *args, **kwargs),
            on_done=on_done,
            on_error=on_error or self._refuse,
            key=key,
        )

    def act(
        self,
        use_case: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Run `use_case(desk, actor, *args, **kwargs)`, a mutating use case such as
        `Desk.approve`, as the operator; announce the change, then call on_done."""
        actor = self.actor
        if not actor:
            (on_error or self._refuse)(
                PermissionError("Say who is at the desk first (Desk → Who is at the desk…): "
                                "every action goes on the record under a name.")
            )
            return

        def done(result):
            self._announce(use_case, result)
            if on_done is not None:
                on_done(result)

        self.lane.submit(
            lambda: use_case(self.desk, actor, *args, **kwargs),
            on_done=done,
            on_error=on_error or self._refuse,
        )

    def _announce(self, use_case: Callable[..., Any], result: Any) -> None:
        from commsdesk.incidents.incident import Incident
        from commsdesk.statements.statement import Statement

        if isinstance(result, Incident):
            self.incident_changed.emit(result if result.is_active else None)
        elif isinstance(result, Statement):
            self.statement_changed.emit(result)
        self.timeline_changed.emit()

    def _refuse(self, exc: BaseException) -> None:
        lost = unreachable(exc)
        if lost is not None:  # the state is shown where the database is named, not a dialog
            self.connection_changed.emit(False, lost)
            return
        self.refused.emit(str(exc) or type(exc).__name__)

    # --- team mode: what other desks change ------------------------------------------------
    def _listen(self) -> None:
        from commsdesk.store.changes import ChangeListener

        self.listener = ChangeListener(
            self.desk.engine.url, self._heard.emit, self.connection_changed.emit
        )
        self.listener.start()

    def stop_listening(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    def _remote(self, change) -> None:
        """Reload only what the change touched; everything shown after a reconnect."""
        from commsdesk.desk import Desk

        table, statement_id = change.table, change.statement_id
        if table == "statements" and change.id is not None:
            statement_id = int(change.id)
        if table == "*" or (table == "statements" and change.op != "update"):
            self.statements_changed.emit()
        elif statement_id is not None and table in (
            "statements", "statement_versions", "approvals", "scheduled_posts", "publications"
        ):
            self.query(Desk.statement, statement_id, on_done=self.statement_changed.emit,
                       on_error=lambda _exc: self.statements_changed.emit(),
                       key=f"statement-{statement_id}")  # fmt: skip
        if table in ("*", "incidents"):
            self.query(Desk.active_incident, on_done=self.incident_changed.emit,
                       key="active-incident")  # fmt: skip
        if table in ("*", "timeline_events"):
            self.timeline_changed.emit()
        self.remote_change.emit(change)


def unreachable(exc: BaseException) -> str | None:
    """The first line of a failure to reach the database server (team mode), else None."""
    import sys

    errors = sys.modules.get("sqlalchemy.exc")
    if errors is None or not isinstance(exc, errors.OperationalError):
        return None
    if exc.connection_invalidated or "connection" in str(exc.orig).lower():
        from commsdesk.store.session import first_line

        return first_line(exc)
    return None


# What psycopg says when the server is gone, as other lanes' failures reach the window as text.
LOST_WORDS = (
    "server closed the connection", "connection failed", "could not connect",
    "terminating connection", "connection refused", "consuming input failed",
    "ssl connection has been closed", "connection is closed", "connection to server",
)


def lost_connection(message: str) -> str | None:
    """The first line of `message` when it says the team database cannot be reached."""
    lowered = message.lower()
    if "operationalerror" not in lowered and "psycopg" not in lowered:
        return None
    if not any(words in lowered for words in LOST_WORDS):
        return None
    from commsdesk.store.session import first_line

    return first_line(message)
