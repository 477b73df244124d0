"""A desk on the test's data dir, and statements ready to post on it.

The people and the thread below are the ones most tests use: Ana writes, Sam approves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity

ANA, SAM = "Ana Ruiz (comms)", "Sam Okafor (legal)"

# Five paragraphs: a five-part thread on X.
THREAD = "\n\n".join(
    f"Update {n}. Withdrawals stay paused while every wallet is re-keyed and checked by two "
    f"independent firms; client balances remain backed one to one."
    for n in range(1, 6)
)


@pytest.fixture
def desk(isolated_dirs) -> Iterator[Desk]:
    """The desk on the test's own data dir, closed at the end of the test."""
    desk = Desk.open(isolated_dirs)
    yield desk
    desk.close()


def approved(
    desk: Desk,
    body: str = THREAD,
    *,
    title: str = "Update",
    facts: Mapping[str, str] | None = None,
    reuse_incident: bool = True,
    author: str = ANA,
    approver: str = SAM,
) -> int:
    """A statement written by `author` and approved by `approver`; its id.

    It goes under the active incident, or a new P1 "Hot wallet drained" (with `facts`) when
    there is none. With reuse_incident=False a new incident is always started, so a second
    call while it is active fails as the desk refuses it.
    """
    incident = (desk.active_incident() if reuse_incident else None) or desk.start_incident(
        author, "Hot wallet drained", Severity.P1, facts=facts
    )
    statement = desk.create_statement(author, incident.id, title, body)
    desk.submit(author, statement.id)
    desk.approve(approver, statement.id)
    return statement.id
