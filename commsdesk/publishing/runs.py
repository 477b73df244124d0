"""One run of a publication at a time, and what stops a run between two parts.

A run claims its publication (who, where, until when) in a write transaction before it sends
anything, and renews the lease with every part and every wait; a second run is refused while
the claim is live, or takes over once the claimant's process is gone. Before each part the run
checks, in the transaction that records the part's intent, that it still holds the claim and
that neither Drill mode nor Pause all holds the post (`holds.py`); a person's override of the
pause goes on the timeline once per run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from commsdesk.clock import as_utc
from commsdesk.desk import Desk, DeskError
from commsdesk.publishing.holds import drill_on, pause_state
from commsdesk.publishing.publication import (
    OutboxMedia,
    OutboxPart,
    PartState,
    Publication,
    PublicationState,
)
from commsdesk.publishing.x.api import XAccountClient
from commsdesk.store.models import EventRow, OutboxPartRow, PublicationRow
from commsdesk.timeline.chain import EventKind

Progress = Callable[[Publication], None]

LEASE = timedelta(minutes=2)  # a run's claim, renewed with each part and each wait
CLAIMANT = re.compile(r"\((?P<host>[^,()]+), process (?P<pid>\d+)\)$")


class PublicationBusy(DeskError):
    """Another run is posting this publication now."""


def parts_digest(texts: Sequence[str]) -> str:
    """The SHA-256 of a publication's parts, in order, as the event that starts it records."""
    return hashlib.sha256(json.dumps(list(texts), ensure_ascii=False).encode("utf-8")).hexdigest()


def claimant_gone(claimed_by: str | None) -> bool:
    """True when the claim's process ran on this machine and is no longer alive."""
    match = CLAIMANT.search(claimed_by or "")
    if match is None or match["host"] != socket.gethostname():
        return False
    pid = int(match["pid"])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass
class Run:
    """What one run of a publication knows while it works."""

    actor: str
    row_id: int
    client: XAccountClient
    user_id: str | None = None
    finished: Publication | None = None  # set when the last part is recorded
    on_progress: Progress | None = None
    total: int = 0  # parts in the publication
    despite_pause: bool = False  # a person chose to post while Pause all is on
    override_recorded: bool = False
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    held: str | None = None  # why the run stopped before a part
    released: bool = False  # the claim was let go in the transaction that ended the run

    @property
    def who(self) -> str:
        return f"{self.actor} ({socket.gethostname()}, process {os.getpid()})"


def claim(desk: Desk, run: Run) -> Publication:
    """Claim the publication for this run and read it as it now stands; refused when
    another live run holds it, or when its parts are not those the record holds."""
    with desk.transaction() as session:
        row = session.get(PublicationRow, run.row_id, with_for_update=True)
        now = desk.now()
        if (
            row.claim_token not in (None, run.token)
            and row.claimed_until is not None
            and row.claimed_until > now
            and not claimant_gone(row.claimed_by)
        ):
            raise PublicationBusy(
                f"This is being posted now by {row.claimed_by}; it was not started again. "
                "Wait for that run to finish (the desk shows its progress)."
            )
        publication = publication_from(session, row)
        recorded = recorded_parts_digest(session, publication)
        if recorded is not None and recorded != parts_digest(
            [p.text for p in publication.parts]
        ):
            raise DeskError(
                f"The posts of publication #{publication.id} are not those recorded when it "
                "was prepared; nothing is posted. Check the record with `commsdesk timeline "
                "verify`."
            )
        row.claim_token, row.claimed_by, row.claimed_until = run.token, run.who, now + LEASE
    return publication

def release(desk: Desk, run: Run) -> None:
    """Let the claim go, unless the transaction that ended the run already did."""
    if run.released:
        return
    with desk.transaction() as session:
        let_go(run, session.get(PublicationRow, run.row_id, with_for_update=True))


def let_go(run: Run, pub: PublicationRow) -> None:
    """Release the run's claim inside the transaction that records how the run ended."""
    if pub.claim_token == run.token:
        pub.claim_token, pub.claimed_by, pub.claimed_until = None, None, None
        run.released = True

def hold_reason(desk: Desk, session: Session, run: Run, pub: PublicationRow) -> str | None:
    """Why the next part must not go out now, or None; renews the run's claim."""
    if pub.claim_token != run.token:
        return f"another run took it over ({pub.claimed_by})"
    pub.claimed_until = desk.now() + LEASE
    if not pub.sandbox and drill_on(session):
        return (
            f"drill mode is on; it was prepared for X as {pub.account} before drill mode "
            "went on. Post it again once drill mode is off"
        )
    held = pause_state(session)
    if held is None:
        return None
    if not run.despite_pause:
        return f"all posting is {held.describe()}"
    if not run.override_recorded:
        run.override_recorded = True
        desk.append_event(
            session, run.actor, EventKind.PAUSE_OVERRIDDEN,
            f"Posting despite the pause ({held.describe()})",
            statement_id=pub.statement_id,
            data={"publication": pub.id, "paused_by": held.by, "reason": held.reason},
        )
    return None

def hold(
    desk: Desk, session: Session, run: Run, pub: PublicationRow, part: OutboxPart, reason: str
) -> None:
    """Stop the run before `part`: the publication waits, held, for a person."""
    run.held = reason
    pub.state, pub.error = PublicationState.HELD.value, f"Held: {reason}."
    pub.updated_at = desk.now()
    let_go(run, pub)
    desk.append_event(
        session, run.actor, EventKind.POST_HELD,
        f"Post {part.position + 1}/{run.total} held, not sent: {reason}",
        statement_id=pub.statement_id, data={"publication": pub.id, "part": part.position + 1},
    )


def part_row(session: Session, publication_id: int, position: int) -> OutboxPartRow:
    return session.scalar(
        select(OutboxPartRow).where(
            OutboxPartRow.publication_id == publication_id, OutboxPartRow.position == position
        )
    )


def part_count(session: Session, publication_id: int) -> int:
    return len(session.scalars(
        select(OutboxPartRow.id).where(OutboxPartRow.publication_id == publication_id)
    ).all())


def publication_from(session: Session, row: PublicationRow) -> Publication:
    parts = session.scalars(
        select(OutboxPartRow)
        .where(OutboxPartRow.publication_id == row.id)
        .order_by(OutboxPartRow.position)
    )
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


def recorded_parts_digest(session: Session, publication: Publication) -> str | None:
    """The parts' digest in the event that started the publication (None before digests)."""
    query = select(EventRow.data).where(EventRow.kind == str(EventKind.PUBLISH_STARTED))
    if publication.statement_id is None:
        query = query.where(EventRow.statement_id.is_(None))
    else:
        query = query.where(EventRow.statement_id == publication.statement_id)
    for data in session.scalars(query.order_by(EventRow.id.desc())):
        if (data or {}).get("publication") == publication.id:
            return data.get("parts_sha256")
    return None
