"""What a post costs the database, and that the checks still sit in the transactions that need
them: a one-part post is three write transactions (prepared; claimed with the part's intent,
after the holds; posted), each reading the holds at most once."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from commsdesk.publishing.publication import PartState, PublicationState
from commsdesk.publishing.publisher import Publisher
from commsdesk.publishing.x.fake_client import FakeXClient
from commsdesk.scheduling.pausing import record_pause
from commsdesk.store.models import OutboxPartRow, PublicationRow
from tests.support.desks import ANA

TEXT = "Withdrawals are open again."


@contextmanager
def transactions(desk):
    """The SQL of each transaction begun meanwhile, in order."""
    seen: list[list[str]] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("BEGIN"):
            seen.append([])
        elif seen:
            seen[-1].append(statement)

    event.listen(desk.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(desk.engine, "before_cursor_execute", note)


def reads_holds(statements: list[str]) -> int:
    return sum(s.startswith("SELECT desk_policy") for s in statements)


def test_a_one_part_post_is_three_write_transactions_with_the_checks_inside(desk):
    x = FakeXClient()
    publisher = Publisher(desk, lambda account, sandbox: x)
    with transactions(desk) as seen:
        publication = publisher.prepare_text(ANA, TEXT, "founder", sandbox=False)
        done = publisher.run(ANA, publication)
    assert done.state is PublicationState.POSTED and [p.text for p in x.posts] == [TEXT]
    prepared, claimed, posted = seen
    assert reads_holds(prepared) == 1  # drill mode and the thread limit, in one query
    assert any(s.startswith("INSERT INTO publications") for s in prepared)
    # The claim, the holds and the part's intent in one transaction, before X was called.
    assert reads_holds(claimed) == 1
    assert any(s.startswith("UPDATE publications") and "claim_token" in s for s in claimed)
    assert any(s.startswith("UPDATE outbox_parts") and "sent_at" in s for s in claimed)
    assert reads_holds(posted) == 0
    assert sum(s.startswith("INSERT INTO timeline_events") for s in posted) == 2


def test_a_pause_found_by_the_claim_holds_the_first_part_and_lets_the_claim_go(desk):
    x = FakeXClient()
    publisher = Publisher(desk, lambda account, sandbox: x)
    publication = publisher.prepare_text(ANA, TEXT, "founder", sandbox=False)
    record_pause(desk, ANA, "Legal review")
    held = publisher.run(ANA, publication)
    assert held.state is PublicationState.HELD and "Legal review" in held.error
    assert x.posts == []
    with desk.reading() as session:
        row = session.get(PublicationRow, publication.id)
        part = session.query(OutboxPartRow).filter_by(publication_id=publication.id).one()
        assert row.claim_token is None and row.claimed_until is None
        assert part.state == PartState.PENDING.value and part.attempts == 0 and part.sent_at is None
    kinds = [e.kind for e in desk.timeline(limit=5)]
    assert kinds[0] == "post.held"
