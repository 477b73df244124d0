"""What a run records after each answer from X, each in one transaction with its timeline event.

The intent before a part is `runs.mark_sending`; these are the outcomes: posted (for the last
part, with the publication and its statement, in the same transaction), a retry, a rate limit,
a failure, replies refused, an image uploaded.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from commsdesk.desk import Desk
from commsdesk.publishing.outbox import (
    part_media,
    publication_from,
    publication_row,
    set_part,
    set_publication,
)
from commsdesk.publishing.publication import OutboxMedia, OutboxPart, PartState, PublicationState
from commsdesk.publishing.runs import LEASE, Run, let_go
from commsdesk.publishing.x.api import XError, XPost
from commsdesk.timeline.chain import EventKind

P = PublicationState


def mark_posted(desk: Desk, run: Run, part: OutboxPart, post: XPost, *, how: str) -> None:
    """The part is on X as `post`. After the last part the publication is posted, its
    statement too, and the claim let go: all in the transaction that records that part."""
    with desk.transaction() as session:
        now = desk.now()
        set_part(
            session, run.row_id, part.position,
            state=PartState.POSTED.value, post_id=post.id, posted_at=now,
        )
        pub = publication_row(session, run.row_id)
        total = run.total
        kind = EventKind.PART_POSTED if how == "posted" else EventKind.PART_RECONCILED
        desk.append_event(
            session, run.actor, kind,
            f"Post {part.position + 1}/{total} {how} as {post.id}"
            + (" (SANDBOX)" if pub.sandbox else ""),
            statement_id=pub.statement_id,
            data={"publication": pub.id, "part": part.position + 1, "post_id": post.id},
        )
        if part.position < total - 1:
            return
        done = replace(publication_from(session, pub), state=P.POSTED)
        set_publication(session, pub.id, state=P.POSTED.value, updated_at=now, **let_go(run, pub))
        desk.append_event(
            session, run.actor, EventKind.PUBLISHED,
            ("Posted: " if total == 1 else f"All {total} posts out: ") + ", ".join(done.post_ids),
            statement_id=pub.statement_id, data={"publication": pub.id},
        )
        if pub.statement_id is not None:  # in the same transaction: never half-way
            desk.mark_posted_in(session, run.actor, pub.statement_id, done.post_ids)
        run.finished = done


def record_media(desk: Desk, run: Run, part: OutboxPart, index: int, item: OutboxMedia) -> None:
    """An image of the part uploaded: its id, kept for a later try of the same part."""
    with desk.transaction() as session:
        media = part_media(session, run.row_id, part.position)
        media[index] = item.to_json()
        set_part(session, run.row_id, part.position, media=media)


def retrying(desk: Desk, run: Run, part: OutboxPart, error: XError, delay: float) -> None:
    with desk.transaction() as session:
        pub = publication_row(session, run.row_id)
        set_publication(
            session, pub.id, claimed_until=desk.now() + timedelta(seconds=delay) + LEASE
        )
        set_part(session, pub.id, part.position, last_error=str(error))
        desk.append_event(
            session, run.actor, EventKind.POST_RETRY,
            f"Post {part.position + 1}: {error.kind} error ({error}); trying again in "
            f"{delay:g} s",
            statement_id=pub.statement_id, data={"publication": pub.id},
        )


def rate_limited(
    desk: Desk, run: Run, part: OutboxPart, reset: datetime | None, now: datetime, seconds: float
) -> None:
    """X's rate limit: the publication waits until `reset` (UTC), its claim kept meanwhile."""
    with desk.transaction() as session:
        pub = publication_row(session, run.row_id)
        set_publication(
            session, pub.id, state=P.WAITING.value,
            wait_until=(reset or now).replace(tzinfo=None),
            claimed_until=desk.now() + timedelta(seconds=seconds) + LEASE,
        )
        # A 429 means nothing was posted.
        set_part(session, pub.id, part.position, state=PartState.PENDING.value)
        desk.append_event(
            session, run.actor, EventKind.RATE_LIMITED,
            f"X rate limit reached; post {part.position + 1} waits "
            f"{seconds:.0f} s" + (f" until {reset:%H:%M:%S} UTC" if reset else ""),
            statement_id=pub.statement_id, data={"publication": pub.id},
        )


def fail(desk: Desk, run: Run, part: OutboxPart, error: XError, message: str) -> None:
    """The part failed for good: so does the publication, and then its statement."""
    with desk.transaction() as session:
        pub = publication_row(session, run.row_id)
        set_part(
            session, pub.id, part.position, state=PartState.FAILED.value, last_error=str(error)
        )
        set_publication(
            session, pub.id, state=P.FAILED.value, error=message, updated_at=desk.now(),
            **let_go(run, pub),
        )
        desk.append_event(
            session, run.actor, EventKind.PUBLISH_FAILED,
            f"Post {part.position + 1} failed: {message}",
            statement_id=pub.statement_id,
            data={"publication": pub.id, "kind": error.kind, "status": error.status},
        )
        statement_id = pub.statement_id
    if statement_id is not None:
        desk.mark_failed(run.actor, statement_id, message)


def replies_refused(desk: Desk, run: Run, part: OutboxPart, error: XError) -> None:
    """X refused the part as a reply: a person decides whether the rest go out on their own."""
    message = (
        f"X refused post {part.position + 1} as a reply: {error}. The remaining posts can go "
        "out as separate numbered posts."
    )
    with desk.transaction() as session:
        pub = publication_row(session, run.row_id)
        set_part(
            session, pub.id, part.position, state=PartState.PENDING.value, last_error=str(error)
        )
        set_publication(
            session, pub.id, state=P.REPLIES_REFUSED.value, error=message, **let_go(run, pub)
        )
        desk.append_event(
            session, run.actor, EventKind.REPLIES_REFUSED, message,
            statement_id=pub.statement_id, data={"publication": pub.id},
        )


def needs_credentials(desk: Desk, run: Run, account: str, error: XError) -> None:
    desk.record(
        run.actor, EventKind.ACCOUNT_NEEDS_CREDENTIALS,
        f"X account {account} needs new credentials: {error}",
    )
