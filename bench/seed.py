"""A large desk for the benchmarks: one active incident with many statements and events.

Rows go in through the store's own models and the timeline's own append, in a few big
transactions, so the file looks like one a long incident would leave (and its chain verifies).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.settings import Settings
from commsdesk.statements.statement import StatementState
from commsdesk.store.models import StatementRow, VersionRow
from commsdesk.timeline.chain import EventKind

PEOPLE = ("Ben Zhou (founder)", "Ana Ruiz (comms)", "Sam Okafor (legal)")
BODY = (
    "Update {n}: withdrawals of {{{{ incident.asset }}}} remain paused while every wallet is "
    "re-keyed. Client balances are backed 1:1. Next update at the top of the hour. "
    "Details: https://status.example.com/incident/{n}"
)
BATCH = 5000


def seed_large(data_dir: Path, *, statements: int, events: int, url: str | None = None) -> None:
    """Seed the desk in `data_dir`, or the database at `url` (its settings in `data_dir`)."""
    desk = Desk.open(data_dir, url=url)
    settings = Settings.load(data_dir)  # someone is at the desk: start-up asks nothing
    settings.set("operator_name", PEOPLE[1])
    settings.save()
    try:
        if statements == 0 and events == 0:
            return
        incident = desk.start_incident(
            PEOPLE[1], "Cold-wallet breach (load test)", Severity.P1, facts={"asset": "ETH"}
        )
        start = desk._now() - timedelta(hours=12)
        states = list(StatementState)
        for first in range(0, statements, BATCH):
            with desk._write() as session:
                for n in range(first, min(first + BATCH, statements)):
                    at = start + timedelta(seconds=n * 8)
                    author = PEOPLE[n % 3]
                    row = StatementRow(
                        incident_id=incident.id,
                        title=f"Update {n}",
                        state=states[n % 7].value,
                        created_by=author,
                        created_at=at,
                        updated_at=at,
                        note="",
                    )
                    session.add(row)
                    session.flush()
                    session.add(
                        VersionRow(
                            statement_id=row.id,
                            number=1,
                            body=BODY.format(n=n),
                            author=author,
                            created_at=at,
                            updated_at=at,
                            sealed=True,
                        )
                    )
        for first in range(0, events, BATCH):
            with desk._write() as session:
                for n in range(first, min(first + BATCH, events)):
                    desk._append(
                        session,
                        start + timedelta(seconds=n),
                        PEOPLE[n % 3],
                        EventKind.VERSION_SAVED,
                        f"'Update {n % max(statements, 1)}': v1 saved",
                        incident_id=incident.id,
                    )
    finally:
        desk.close()
