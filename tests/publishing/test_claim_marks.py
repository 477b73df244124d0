"""On a shared PostgreSQL server a run's claim names its process's mark: another desk, on
another machine, carries on a publication whose desk died without waiting for the claim to
lapse, and never takes one from a desk that is alive or was busy a moment ago."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from commsdesk.desk import Desk
from commsdesk.publishing.publication import PublicationState
from commsdesk.publishing.publisher import Publisher
from commsdesk.publishing.runs import LEASE, PublicationBusy
from commsdesk.publishing.x.sandbox_client import SandboxXClient
from commsdesk.store.database import open_database
from commsdesk.store.liveness import ProcessMark
from tests.store.test_postgresql import pg_server, pg_url  # noqa: F401
from tests.support.desks import ANA, approved


@pytest.fixture
def pg_publication(pg_url, tmp_path):  # noqa: F811
    desk = Desk.open(tmp_path, url=pg_url)
    publisher = Publisher(desk, lambda account, sandbox: SandboxXClient(desk, account),
                          sleep=lambda s: None)  # fmt: skip
    statement_id = approved(desk, "Withdrawals reopen at 18:30 UTC.")
    publication = publisher.prepare_statement(ANA, statement_id, "founder", sandbox=True)
    yield desk, publisher, publication
    desk.close()


def claim_as_elsewhere(desk: Desk, publication_id: int, mark: int, quiet: timedelta) -> None:
    """The row as a desk on another machine left it: claimed under `mark`, renewed `quiet`
    ago."""
    until = desk.now() + LEASE - quiet
    with desk.engine.begin() as connection:
        connection.execute(
            text("UPDATE publications SET claim_token = 'elsewhere', claimed_until = :until, "
                 "claimed_by = :by WHERE id = :id"),
            {"until": until, "id": publication_id,
             "by": f"Ana Ruiz (comms) (desk-b.example, process 4242, mark {mark})"},
        )  # fmt: skip


def test_a_dead_desks_claim_is_carried_on_once_it_has_been_quiet(pg_publication, pg_url):  # noqa: F811
    desk, publisher, publication = pg_publication
    claim_as_elsewhere(desk, publication.id, mark=987654321, quiet=timedelta(seconds=40))
    done = publisher.run(ANA, publication.id)  # no process holds the mark: its desk is gone
    assert done.state is PublicationState.POSTED


def test_a_live_or_recently_busy_desks_claim_is_left_alone(pg_publication, pg_url):  # noqa: F811
    desk, publisher, publication = pg_publication
    alive = open_database(pg_url)
    mark = ProcessMark(alive)  # the other desk's process, still connected
    try:
        claim_as_elsewhere(desk, publication.id, mark=mark.key(), quiet=timedelta(seconds=40))
        with pytest.raises(PublicationBusy, match="being posted now by Ana Ruiz"):
            publisher.run(ANA, publication.id)
    finally:
        mark.close()
        alive.dispose()
    # Its mark is gone now, but it renewed the claim 5 s ago: a request may still be in flight.
    claim_as_elsewhere(desk, publication.id, mark=123456789, quiet=timedelta(seconds=5))
    with pytest.raises(PublicationBusy):
        publisher.run(ANA, publication.id)


def test_a_run_names_its_mark_in_the_claim(pg_url, tmp_path):  # noqa: F811
    desk = Desk.open(tmp_path, url=pg_url)
    publisher = Publisher(desk, lambda account, sandbox: SandboxXClient(desk, account),
                          sleep=lambda s: None)  # fmt: skip
    statement_id = approved(desk, "Part one.\n---\nPart two.\n---\nPart three.")
    publication = publisher.prepare_statement(ANA, statement_id, "founder", sandbox=True)
    seen = []

    def watch(p):
        with desk.engine.connect() as connection:
            seen.append(connection.execute(
                text("SELECT claimed_by FROM publications WHERE id = :id"), {"id": p.id}
            ).scalar())  # fmt: skip

    try:
        publisher.run(ANA, publication.id, on_progress=watch)
        mark = desk.process_mark()
        assert mark is not None and any(f", mark {mark})" in (by or "") for by in seen), seen
    finally:
        desk.close()
