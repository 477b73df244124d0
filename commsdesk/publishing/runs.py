"""One run of a publication at a time, and what stops a run between two parts.

A run claims its publication (who, where, until when) in a write transaction before it sends
anything, and renews the lease with every part and every wait; a second run is refused while
the claim is live, or takes over once the claimant's process is gone. Before each part the run
checks, in the transaction that records the part's intent, that it still holds the claim and
that neither Drill mode nor Pause all holds the post (`holds.py`); a person's override of the
pause goes on the timeline once per run. When nothing has to happen between the claim and the
first part (it was never sent, it has no images to upload), that part's intent is recorded in
the claim's own transaction, with the same checks.
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
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from commsdesk.desk import Desk, DeskError
from commsdesk.publishing.holds import holds
from commsdesk.publishing.outbox import (
    publication_from,
    publication_row,
    record_sending,
    set_publication,
)
from commsdesk.publishing.publication import OutboxPart, PartState, Publication, PublicationState
from commsdesk.publishing.x.api import XAccountClient
from commsdesk.store.models import EventRow
from commsdesk.timeline.chain import EventKind

Progress = Callable[[Publication], None]

LEASE = timedelta(minutes=2)  # a run's claim, renewed with each part and each wait
# A claim whose process's mark is gone from the server is carried on once it has been quiet
# this long: longer than the one request (X's 10 s timeout) a run makes after recording a
# part's intent, so a run that lost the server mid-request has finished it.
QUIET_BEFORE_TAKE_OVER = timedelta(seconds=30)
CLAIMANT = re.compile(
    r"\((?P<host>[^,()]+), process (?P<pid>\d+)(?:, mark (?P<mark>\d+))?\)$"
)
_EVENTS = EventRow.__table__
_STARTED = (
    select(_EVENTS.c.data)
    .where(_EVENTS.c.kind == str(EventKind.PUBLISH_STARTED))
    .order_by(_EVENTS.c.id.desc())
)
_STARTED_FOR_TEXT = _STARTED.where(_EVENTS.c.statement_id.is_(None))
_STARTED_FOR_STATEMENT = _STARTED.where(_EVENTS.c.statement_id == bindparam("statement_id"))


class PublicationBusy(DeskError):
    """Another run is posting this publication now."""


def parts_digest(texts: Sequence[str]) -> str:
    """The SHA-256 of a publication's parts, in order, as the event that starts it records."""
    return hashlib.sha256(json.dumps(list(texts), ensure_ascii=False).encode("utf-8")).hexdigest()


def claimant_gone(
    claimed_by: str | None, *, session: Session | None = None, quiet_since: datetime | None = None,
    now: datetime | None = None,
) -> bool:
    """True when the claim's process is no longer alive: it ran on this machine and its
    process is gone, or (on a shared server) its mark is free and the claim has been quiet
    since `quiet_since` for QUIET_BEFORE_TAKE_OVER."""
    match = CLAIMANT.search(claimed_by or "")
    if match is None:
        return False
    if match["host"] != socket.gethostname():
        if match["mark"] is None or session is None or quiet_since is None or now is None:
            return False
        if now - quiet_since < QUIET_BEFORE_TAKE_OVER:
            return False
        from commsdesk.store.liveness import mark_free

        return mark_free(session, int(match["mark"]))
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
    intent: int | None = None  # the part whose intent the claim recorded, not yet sent
    released: bool = False  # the claim was let go in the transaction that ended the run
    mark: int | None = None  # this process's mark on a shared server, when there is one

    @property
    def who(self) -> str:
        marked = f", mark {self.mark}" if self.mark is not None else ""
        return f"{self.actor} ({socket.gethostname()}, process {os.getpid()}{marked})"


def claim(desk: Desk, run: Run) -> Publication:
    """Claim the publication for this run and read it as it now stands; refused when
    another live run holds it, or when its parts are not those the record holds. A posted
    publication is only read: there is nothing left to claim it for.

    When the next part can go out at once (never sent, no images to upload first), its
    intent is recorded in the same transaction, after the same checks as `mark_sending`
    (`run.intent` says so; `run.held` when the holds stopped it instead)."""
    run.mark = desk.process_mark()
    with desk.transaction() as session:
        row = publication_row(session, run.row_id, lock=True)
        if row is None:
            raise DeskError(f"No publication #{run.row_id}.")
        publication = publication_from(session, row)
        run.total = len(publication.parts)
        if publication.state is PublicationState.POSTED:
            run.released = True
            return publication
        now = desk.now()
        if (
            row.claim_token not in (None, run.token)
            and row.claimed_until is not None
            and row.claimed_until > now
            and not claimant_gone(row.claimed_by, session=session, now=now,
                                  quiet_since=row.claimed_until - LEASE)  # fmt: skip
        ):
            raise PublicationBusy(
                f"This is being posted now by {row.claimed_by}; it was not started again. "
                "Wait for that run to finish (the desk shows its progress)."
            )
        recorded = recorded_parts_digest(session, publication)
        if recorded is not None and recorded != parts_digest(
            [p.text for p in publication.parts]
        ):
            raise DeskError(
                f"The posts of publication #{publication.id} are not those recorded when it "
                "was prepared; nothing is posted. Check the record with `commsdesk timeline "
                "verify`."
            )
        claimed = {"claim_token": run.token, "claimed_by": run.who, "claimed_until": now + LEASE}
        part = publication.next_part
        if (
            publication.state is not PublicationState.REPLIES_REFUSED
            and part is not None
            and part.state is PartState.PENDING
            and not part.attempts
            and not part.media
        ):
            reason = hold_reason(desk, session, run, row)
            if reason is not None:  # held before anything was sent: no claim is left
                hold(desk, session, run, row, part, reason)
                claimed = {"claim_token": None, "claimed_by": None, "claimed_until": None}
                run.released = True
            else:
                claimed.update(posting(row, now))
                record_sending(session, run.row_id, part.position, now)
                run.intent = part.position
        set_publication(session, run.row_id, **claimed)
    return publication


def release(desk: Desk, run: Run) -> None:
    """Let the claim go, unless the transaction that ended the run already did."""
    if run.released:
        return
    with desk.transaction() as session:
        pub = publication_row(session, run.row_id, lock=True)
        if pub is not None:
            set_publication(session, run.row_id, **let_go(run, pub))


def let_go(run: Run, pub: Row) -> dict:
    """The values that release the run's claim, for the transaction that records how the run
    ended; none when the claim is no longer the run's."""
    if pub.claim_token != run.token:
        return {}
    run.released = True
    return {"claim_token": None, "claimed_by": None, "claimed_until": None}


def may_send(desk: Desk, run: Run, part: OutboxPart) -> bool:
    """Before a part's images go up: False (and the publication held) when it must wait."""
    with desk.transaction() as session:
        if clear_to_send(desk, session, run, part) is None:
            return False
        set_publication(session, run.row_id, claimed_until=desk.now() + LEASE)
    return True


def mark_sending(desk: Desk, run: Run, part: OutboxPart) -> bool:
    """Record the intent to send the part, renewing the claim; False (nothing recorded but
    the hold) when a pause, drill mode or another run got there first."""
    with desk.transaction() as session:
        return record_intent(desk, session, run, part)


def record_intent(desk: Desk, session: Session, run: Run, part: OutboxPart) -> bool:
    """`mark_sending` inside the caller's write transaction."""
    pub = clear_to_send(desk, session, run, part)
    if pub is None:
        return False
    now = desk.now()
    set_publication(session, run.row_id, claimed_until=now + LEASE, **posting(pub, now))
    record_sending(session, run.row_id, part.position, now)
    return True


def posting(pub: Row, now: datetime) -> dict:
    """What a part's intent changes on its publication: it is posting (again)."""
    if pub.state == PublicationState.POSTING.value:
        return {}
    return {
        "state": PublicationState.POSTING.value, "error": "", "wait_until": None,
        "updated_at": now,
    }


def clear_to_send(desk: Desk, session: Session, run: Run, part: OutboxPart) -> Row | None:
    """In a write transaction, before `part`: the publication's row when the part may go;
    None when it must wait (the publication is then held, with its event)."""
    pub = publication_row(session, run.row_id, lock=True)
    if pub.claim_token != run.token:
        reason = f"another run took it over ({pub.claimed_by})"
    else:
        reason = hold_reason(desk, session, run, pub)
        mark = desk.process_mark() if run.mark is not None else None
        if reason is None and mark != run.mark:  # this desk lost the server and is back
            run.mark = mark  # under its new mark, so no other desk takes over a live run
            set_publication(session, run.row_id, claimed_by=run.who)
    if reason is None:
        return pub
    hold(desk, session, run, pub, part, reason)
    return None


def hold_reason(desk: Desk, session: Session, run: Run, pub: Row) -> str | None:
    """Why Drill mode or Pause all stops the next part now, or None."""
    in_force = holds(session)
    if not pub.sandbox and in_force.drill:
        return (
            f"drill mode is on; it was prepared for X as {pub.account} before drill mode "
            "went on. Post it again once drill mode is off"
        )
    held = in_force.pause
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
    desk: Desk, session: Session, run: Run, pub: Row, part: OutboxPart, reason: str
) -> None:
    """Stop the run before `part`: the publication waits, held, for a person."""
    run.held = reason
    set_publication(
        session, pub.id, state=PublicationState.HELD.value, error=f"Held: {reason}.",
        updated_at=desk.now(), **let_go(run, pub),
    )
    desk.append_event(
        session, run.actor, EventKind.POST_HELD,
        f"Post {part.position + 1}/{run.total} held, not sent: {reason}",
        statement_id=pub.statement_id, data={"publication": pub.id, "part": part.position + 1},
    )


def recorded_parts_digest(session: Session, publication: Publication) -> str | None:
    """The parts' digest in the event that started the publication (None before digests).
    Newest first, read only as far as that event."""
    if publication.statement_id is None:
        result = session.execute(_STARTED_FOR_TEXT)
    else:
        result = session.execute(
            _STARTED_FOR_STATEMENT, {"statement_id": publication.statement_id}
        )
    try:
        for data in result.scalars():
            if (data or {}).get("publication") == publication.id:
                return data.get("parts_sha256")
    finally:
        result.close()
    return None
