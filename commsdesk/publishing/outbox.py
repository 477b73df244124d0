"""The outbox's rows (publications and their parts), read and written with statements built once.

A run writes a few rows around every post; through the ORM's unit of work and identity map each
of those costs several times the statement itself, so, like the ledger's appends, these are
plain Core statements. Rows come back as Core rows, read by column name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session

from commsdesk.clock import as_utc
from commsdesk.publishing.publication import (
    OutboxMedia,
    OutboxPart,
    PartState,
    Publication,
    PublicationState,
)
from commsdesk.store.models import OutboxPartRow, PublicationRow

PUBLICATIONS = PublicationRow.__table__
PARTS = OutboxPartRow.__table__

_PUBLICATION = select(PUBLICATIONS).where(PUBLICATIONS.c.id == bindparam("pub_id"))
_PUBLICATION_LOCKED = _PUBLICATION.with_for_update()
_BY_KEY = select(PUBLICATIONS).where(PUBLICATIONS.c.key == bindparam("pub_key"))
_PARTS = (
    select(PARTS).where(PARTS.c.publication_id == bindparam("pub_id")).order_by(PARTS.c.position)
)
_PART_MEDIA = select(PARTS.c.media).where(
    PARTS.c.publication_id == bindparam("pub_id"), PARTS.c.position == bindparam("pos")
)
# The SET clause of these comes from the values given with each call.
_SET_PUBLICATION = update(PUBLICATIONS).where(PUBLICATIONS.c.id == bindparam("pub_id"))
_SET_PART = update(PARTS).where(
    PARTS.c.publication_id == bindparam("pub_id"), PARTS.c.position == bindparam("pos")
)
_SENDING = _SET_PART.values(
    state=PartState.SENDING.value, sent_at=bindparam("at"), attempts=PARTS.c.attempts + 1
)


def publication_row(session: Session, publication_id: int, *, lock: bool = False) -> Row | None:
    """The publication's row; with `lock`, held for this write transaction (PostgreSQL)."""
    query = _PUBLICATION_LOCKED if lock else _PUBLICATION
    return session.execute(query, {"pub_id": publication_id}).first()


def row_by_key(session: Session, key: str) -> Row | None:
    return session.execute(_BY_KEY, {"pub_key": key}).first()


def set_publication(session: Session, publication_id: int, **values) -> None:
    if values:
        session.execute(_SET_PUBLICATION, {"pub_id": publication_id, **values})


def set_part(session: Session, publication_id: int, position: int, **values) -> None:
    session.execute(_SET_PART, {"pub_id": publication_id, "pos": position, **values})


def record_sending(session: Session, publication_id: int, position: int, at: datetime) -> None:
    """The part's intent: sending since `at`, one more attempt."""
    session.execute(_SENDING, {"pub_id": publication_id, "pos": position, "at": at})


def part_media(session: Session, publication_id: int, position: int) -> list[dict]:
    """The part's images as stored (with the ids of those already uploaded)."""
    media = session.scalar(_PART_MEDIA, {"pub_id": publication_id, "pos": position})
    return list(media or [])


def publication_from(session: Session, row) -> Publication:
    """The publication of a row (Core or ORM), with its parts read in order."""
    parts = session.execute(_PARTS, {"pub_id": row.id})
    return Publication(
        id=row.id,
        key=row.key,
        statement_id=row.statement_id,
        account=row.account,
        sandbox=row.sandbox,
        state=PublicationState(row.state),
        parts=tuple(
            OutboxPart(
                p.position, p.text, PartState(p.state), p.post_id, p.attempts, p.last_error,
                tuple(OutboxMedia.from_json(m) for m in p.media or ()),
            )
            for p in parts
        ),
        error=row.error,
        wait_until=as_utc(row.wait_until) if row.wait_until else None,
        standalone_from=row.standalone_from,
    )
