"""`commsdesk team import`: a single desk's record carried into a team database intact."""

from __future__ import annotations

import re

from sqlalchemy import create_engine, text

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from tests.support.cli import commsdesk

ANA, SAM = "Ana Ruiz (comms)", "Sam Okafor (legal)"


def single_desk(folder) -> tuple[int, str]:
    desk = Desk.open(folder)
    incident = desk.start_incident(ANA, "Hot wallet drained", Severity.P1)
    for n in range(3):
        statement = desk.create_statement(ANA, incident.id, f"Update {n}", f"Update {n} text.")
        desk.save_version(ANA, statement.id, f"Update {n} text, edited.")
        desk.submit(ANA, statement.id)
        desk.approve(SAM, statement.id)
    events = len(desk.timeline(limit=10_000))
    head = desk.timeline(limit=1)[0].hash
    desk.close()
    return events, head


def test_a_single_desk_becomes_a_team_database_that_verifies(pg_url, tmp_path):
    events, head = single_desk(tmp_path / "single")
    commsdesk("team", "init", pg_url, data_dir=tmp_path / "owner", check=True)
    done = commsdesk("team", "import", pg_url, "--from", str(tmp_path / "single"),
                     data_dir=tmp_path / "owner", check=True)
    for copied in ("1 incidents", f"{events} timeline events", "3 statements",
                   "3 statement versions", "3 approvals"):
        assert copied in done.stdout
    assert f"Timeline: {events} events, head {head}." in done.stdout
    assert done.stdout.rstrip().endswith("timeline verify on the team database: intact")
    engine = create_engine(pg_url)
    with engine.begin() as connection:  # ids go on after the imported ones, never reused
        next_id = connection.execute(
            text("SELECT nextval(pg_get_serial_sequence('timeline_events', 'id'))")
        ).scalar()
    engine.dispose()
    assert next_id == events + 1

    again = commsdesk("team", "import", pg_url, "--from", str(tmp_path / "single"),
                      data_dir=tmp_path / "owner")
    assert again.returncode == 1
    assert re.search(r"already holds a timeline.*nothing was copied", again.stderr)
