"""Publishing through the outbox to the SANDBOX account: exactly once, in order, resumable."""

from __future__ import annotations

from functools import partial

import pytest

from commsdesk.desk import Desk, DeskError
from commsdesk.incidents.incident import Severity
from commsdesk.publishing.publication import PartState, PublicationState
from commsdesk.publishing.publisher import Publisher
from commsdesk.publishing.x.sandbox_client import SandboxXClient
from commsdesk.statements.statement import StatementState
from commsdesk.store.models import OutboxPartRow
from tests.support import desks
from tests.support.desks import ANA

# Each statement under a new incident, whose asset is ETH.
approved = partial(desks.approved, facts={"asset": "ETH"}, reuse_incident=False)


def publisher_for(desk: Desk, clients: list | None = None) -> Publisher:
    def client_for(account: str, sandbox: bool):
        client = SandboxXClient(desk, account)
        if clients is not None:
            clients.append(client)
        return client

    return Publisher(desk, client_for, sleep=lambda s: None)


def feed(desk: Desk) -> list:
    return list(reversed(SandboxXClient(desk, "sandbox").recent_posts("0")))


def test_a_thread_goes_out_in_order_as_a_reply_chain(desk):
    sid = approved(desk)
    publisher = publisher_for(desk)
    publication = publisher.prepare_statement(ANA, sid, "sandbox", sandbox=True)
    assert len(publication.parts) == 5
    done = publisher.run(ANA, publication.id)
    assert done.state is PublicationState.POSTED
    posts = feed(desk)
    assert [p.text for p in posts] == [p.text for p in done.parts]
    assert [p.in_reply_to for p in posts] == [None] + [p.id for p in posts[:-1]]
    statement = desk.statement(sid)
    assert statement.state is StatementState.POSTED
    assert statement.note == "posted as " + ", ".join(p.id for p in posts)
    kinds = [e.kind for e in desk.timeline(limit=20)]
    assert kinds.count("post.part_posted") == 5 and "post.published" in kinds


def test_asking_twice_posts_once(desk):
    sid = approved(desk)
    publisher = publisher_for(desk)
    first = publisher.prepare_statement(ANA, sid, "sandbox", sandbox=True)
    again = publisher.prepare_statement(ANA, sid, "sandbox", sandbox=True)  # a double click
    assert again.id == first.id
    publisher.run(ANA, first.id)
    publisher.run(ANA, again.id)
    assert len(feed(desk)) == 5
    assert publisher.prepare_statement(ANA, sid, "sandbox", sandbox=True).id == first.id


def test_only_an_approved_statement_is_posted(desk):
    incident = desk.start_incident(ANA, "Hot wallet drained", Severity.P1)
    draft = desk.create_statement(ANA, incident.id, "Draft", "Not yet.")
    with pytest.raises(DeskError, match="Only an approved statement"):
        publisher_for(desk).prepare_statement(ANA, draft.id, "sandbox", sandbox=True)


def test_what_is_posted_is_the_approved_rendering(desk):
    sid = approved(desk, "We lost {{ incident.asset }}; funds are safe.")
    publisher = publisher_for(desk)
    publication = publisher.run(
        ANA, publisher.prepare_statement(ANA, sid, "sandbox", sandbox=True).id
    )
    assert [p.text for p in feed(desk)] == ["We lost ETH; funds are safe."]
    assert publication.parts[0].text == desk.statement(sid).approved_text


def test_a_restart_after_part_three_reached_x_resumes_at_four(desk):
    """The desk died after X stored part 3 and before it recorded that: part 3 is found among
    the account's posts, not sent again."""
    sid = approved(desk)
    publisher = publisher_for(desk)
    publication = publisher.prepare_statement(ANA, sid, "sandbox", sandbox=True)
    client = SandboxXClient(desk, "sandbox")
    previous = None
    for part in publication.parts[:3]:
        previous = client.create_post(part.text, reply_to=previous).id
    with desk.transaction() as session:  # as the outbox stood when the process died
        for row in session.query(OutboxPartRow).filter_by(publication_id=publication.id):
            if row.position < 2:
                row.state, row.post_id = PartState.POSTED.value, str(row.position + 1)
            elif row.position == 2:
                row.state, row.sent_at = PartState.SENDING.value, desk.now()
    done = publisher.run(ANA, publication.id)
    posts = feed(desk)
    assert len(posts) == 5
    assert [p.text for p in posts] == [p.text for p in done.parts]
    assert [p.in_reply_to for p in posts][3:] == [posts[2].id, posts[3].id]
    assert any(e.kind == "post.reconciled" for e in desk.timeline(limit=20))


def test_a_text_from_the_command_line_is_published_once(desk):
    publisher = publisher_for(desk)
    first = publisher.prepare_text(ANA, "Withdrawals are open.", "sandbox", sandbox=True)
    publisher.run(ANA, first.id)
    again = publisher.prepare_text(ANA, "Withdrawals are open.\n", "sandbox", sandbox=True)
    assert again.id == first.id and again.state is PublicationState.POSTED
    assert len(feed(desk)) == 1
