"""A team's PostgreSQL database cut behind the desks' backs: the anchor in the data folder finds
it, and the sequence never gives an event id twice. Runs where tests/store/test_postgresql.py
runs (its server and fixtures)."""

from __future__ import annotations

from commsdesk.desk import Desk
from commsdesk.timeline.anchor import anchor_for_url
from commsdesk.timeline.chain import EventKind
from tests.store import test_postgresql as on_postgresql

# Its server (started once per module using it) and per-test databases.
pg_server = on_postgresql.pg_server
pg_url = on_postgresql.pg_url
open_desks = on_postgresql.open_desks
execute = on_postgresql.execute


def test_newest_events_deleted_on_postgresql_are_reported(pg_url, open_desks, isolated_dirs):
    desk = Desk.open(url=pg_url)
    open_desks.append(desk)
    events = [desk.record("Ana", EventKind.DESK_OPENED, f"Opened {n}") for n in range(5)]
    assert desk.anchor.path.parent == isolated_dirs
    assert desk.anchor.path == anchor_for_url(
        isolated_dirs, desk.engine.url.render_as_string(hide_password=True)
    )
    assert desk.verify_timeline().intact

    execute(desk, "DELETE FROM timeline_events WHERE id > :id", id=events[2].id)
    report = desk.verify_timeline()
    assert report.first_break is None and not report.intact
    assert report.problems == (
        f"Timeline cut: the newest 2 events are gone: the desk last saw {desk_head(events[-1])}, "
        f"the database ends at #{events[2].id}.",
    )
    again = desk.record("Ana", EventKind.DESK_OPENED, "Opened after the cut")
    assert again.id == events[-1].id + 1  # the sequence never goes back
    assert not desk.verify_timeline().intact  # the anchor was left as evidence


def desk_head(event) -> str:
    return f"event #{event.id} (hash {event.hash[:16]}…)"
