"""Bring a single desk's record into a new team database, ids and hash chain intact.

Every row is copied with its id, in the order foreign keys need, in one transaction on the
team database as its owner; the team's triggers are off for that transaction only (the record
names people who may not be logins yet, and that is history, not an act). The copy is
refused if the team database already holds a record: two chains cannot be merged. APScheduler's
jobs are not copied: the team's leading desk gives every waiting post a job of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, func, insert, select, text

from commsdesk.store.models import Base, EventRow

SKIPPED = {"apscheduler_jobs"}
CHUNK = 1000


@dataclass(frozen=True)
class Imported:
    counts: dict[str, int]  # rows copied by table
    head: str  # the newest event's hash, the same on both sides
    events: int

    def lines(self) -> list[str]:
        copied = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in self.counts.items()
                           if n)  # fmt: skip
        return [f"Copied {copied or 'nothing'}.",
                f"Timeline: {self.events} events, head {self.head or '(none)'}."]


class ImportRefused(Exception):
    """The team database cannot take this desk's record; nothing was copied."""


def import_desk(source, target: Connection) -> Imported:
    """Copy the desk `source` (an open Desk) into the team database of `target` (the owner's
    connection, in a transaction the caller commits)."""
    if target.execute(select(func.count()).select_from(EventRow.__table__)).scalar():
        raise ImportRefused(
            "the team database already holds a timeline; import into a fresh one (commsdesk "
            "team init on an empty database)"
        )
    report = source.verify_timeline()
    if not report.intact:
        raise ImportRefused(
            "this desk's own timeline does not verify, so it cannot be carried over as proof: "
            + " ".join(report.lines()[:2])
        )
    tables = [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED]
    for table in tables:
        target.execute(text(f"ALTER TABLE {table.name} DISABLE TRIGGER USER"))
    counts: dict[str, int] = {}
    with source.reading() as session:
        for table in tables:
            rows = session.execute(select(table)).mappings()
            copied = 0
            while chunk := [dict(row) for row in rows.fetchmany(CHUNK)]:
                target.execute(insert(table), chunk)
                copied += len(chunk)
            counts[table.name] = copied
    for table in tables:
        target.execute(text(f"ALTER TABLE {table.name} ENABLE TRIGGER USER"))
        if "id" in table.c and table.c.id.primary_key:
            target.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"
            ))  # fmt: skip
    head = target.execute(
        select(EventRow.hash).order_by(EventRow.id.desc()).limit(1)
    ).scalar() or ""
    return Imported(counts, head, counts.get(EventRow.__tablename__, 0))


def source_desk(folder: Path):
    """The single desk in `folder`, opened without creating anything there."""
    from commsdesk.desk import Desk
    from commsdesk.store.database import DATABASE_FILE

    if not (folder / DATABASE_FILE).is_file():
        raise ImportRefused(f"there is no desk in {folder} (no {DATABASE_FILE})")
    return Desk.open(folder)
