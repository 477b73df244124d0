"""What changed on a team's PostgreSQL database, as each transaction commits, for every desk.

Triggers (installed with team mode) send one notification per changed row on `CHANNEL`: the
table, the operation, the row's id (or key) and its statement, if any. A `ChangeListener` holds
its own connection, LISTENs on its own thread and hands each change on; no polling loop.

Notifications sent while a desk was disconnected are lost, so after every reconnect the
listener hands on `RECONNECTED`: the desk reads again what it shows.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

CHANNEL = "commsdesk_changes"
TABLES = (
    "incidents", "statements", "statement_versions", "approvals", "timeline_events",
    "desk_policy", "scheduled_posts", "publications", "audience_sources", "audience_samples",
    "team_people", "p1_runs", "p1_calls", "p1_messages",
)  # fmt: skip

NOTIFY_SQL = f"""
CREATE OR REPLACE FUNCTION commsdesk_notify() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    changed jsonb := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
BEGIN
    PERFORM pg_notify('{CHANNEL}', json_build_object(
        'table', TG_TABLE_NAME,
        'op', lower(TG_OP),
        'id', coalesce(changed ->> 'id', changed ->> 'key', changed ->> 'login'),
        'statement', changed ->> 'statement_id',
        'by', session_user
    )::text);
    RETURN NULL;
END $$;
"""


def notify_triggers() -> list[str]:
    statements = [NOTIFY_SQL]
    for table in TABLES:
        name = f"commsdesk_{table}_notify"
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION commsdesk_notify()",
        ]
    return statements


@dataclass(frozen=True)
class Change:
    """One changed row; `table == "*"` after a reconnect (read everything shown again)."""

    table: str
    op: str  # insert, update, delete; "reconnected"
    id: str | None = None
    statement_id: int | None = None
    by: str = ""  # the login that changed it
    received: float = 0.0  # time.monotonic() when this desk heard of it

    @classmethod
    def parse(cls, payload: str) -> Change | None:
        try:
            fields = json.loads(payload)
            statement = fields.get("statement")
            return cls(
                str(fields["table"]), str(fields["op"]), fields.get("id"),
                int(statement) if statement is not None else None,
                str(fields.get("by") or ""), time.monotonic(),
            )  # fmt: skip
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a change notification that does not parse: %.200s", payload)
            return None

    def line(self) -> str:
        what = f"{self.table} {self.op}"
        if self.id is not None:
            what += f" #{self.id}"
        if self.statement_id is not None and self.table != "statements":
            what += f" (statement #{self.statement_id})"
        return f"{what} by {self.by}" if self.by else what


RECONNECTED = Change("*", "reconnected")
APPLICATION = "commsdesk"  # the listening connection's name: a desk connected, for presence


def _presence(conn, op: str) -> None:
    """Tell the other desks this desk joined (or left): a change of table "presence"."""
    conn.execute(
        "SELECT pg_notify(%s, json_build_object('table', 'presence', 'op', %s::text, "
        "'by', session_user)::text)",
        (CHANNEL, op),
    )


def conninfo(url) -> str:
    """A libpq connection string for a SQLAlchemy URL (postgresql+psycopg://…)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class ChangeListener:
    """LISTENs on its own connection and thread; `on_change(change)` is called from that
    thread, `on_connection(up, why)` when the connection is lost or back."""

    def __init__(
        self,
        url,
        on_change: Callable[[Change], None],
        on_connection: Callable[[bool, str], None] | None = None,
        *,
        retry_every: float = 2.0,
    ) -> None:
        self.conninfo = conninfo(url)
        self.on_change = on_change
        self.on_connection = on_connection or (lambda up, why: None)
        self.retry_every = retry_every
        self.listening = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="changes", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        import psycopg

        from commsdesk.store.session import first_line

        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self.conninfo, autocommit=True, connect_timeout=5,
                    application_name=APPLICATION,
                ) as conn:  # fmt: skip
                    conn.execute(f"LISTEN {CHANNEL}")
                    _presence(conn, "joined")
                    self.listening.set()
                    self.on_connection(True, "")
                    if not first:
                        self.on_change(RECONNECTED)
                    first = False
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=0.5):
                            change = Change.parse(notify.payload)
                            if change is not None:
                                self.on_change(change)
                    _presence(conn, "left")
            except psycopg.Error as exc:
                self.listening.clear()
                why = first_line(exc, "connection lost")
                log.warning("change notifications stopped: %s", why)
                self.on_connection(False, why)
                self._stop.wait(self.retry_every)
