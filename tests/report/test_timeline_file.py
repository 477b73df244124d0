"""The timeline file beside a long incident's report: text a spreadsheet would run stays text,
a report short enough to list every event takes away an earlier report's file of its name, and
a long incident read in part says what reading every event says."""

from __future__ import annotations

import csv

from sqlalchemy import update

from commsdesk.incidents.incident import Severity
from commsdesk.report import facts as facts_module
from commsdesk.report.facts import gather
from commsdesk.report.writing import timeline_csv, write_report
from commsdesk.statements.statement import approved_digest
from commsdesk.store.models import StatementRow
from commsdesk.timeline.chain import TimelineEvent
from tests.report.conftest import ENGLISH, seeded  # noqa: F401
from tests.support.desks import ANA, SAM, desk  # noqa: F401

MIRA = "Mira Chen"


def test_text_a_spreadsheet_would_run_as_a_formula_is_kept_as_text():
    from datetime import datetime

    at = datetime(2026, 12, 6, 12, 0)
    events = [TimelineEvent(1, at, "=HYPERLINK(\"x\")", "desk.note", "+1 555 0100 called"),
              TimelineEvent(2, at, MIRA, "desk.note", "@everyone: -5% and =SUM(A1)")]
    rows = list(csv.reader(timeline_csv(events).decode("utf-8").splitlines()))
    assert rows[1][2] == "'=HYPERLINK(\"x\")" and rows[1][4] == "'+1 555 0100 called"
    assert rows[2][2] == MIRA and rows[2][4] == "'@everyone: -5% and =SUM(A1)"


def test_a_report_that_lists_every_event_takes_away_an_older_timeline_file(
    desk, tmp_path, monkeypatch  # noqa: F811
):
    incident = desk.start_incident(MIRA, "Signer checks", Severity.P2)
    for n in range(12):
        desk.record(MIRA, "desk.note", f"Check {n}", incident_id=incident.id)
    monkeypatch.setattr(facts_module, "INLINE_EVENTS", 5)
    long = write_report(desk, MIRA, incident.id, tmp_path / "checks.html")
    beside = tmp_path / "checks.timeline.csv"
    assert long.timeline_file == beside and beside.is_file()
    assert not list(tmp_path.glob(".*"))  # nothing half-named left over

    monkeypatch.setattr(facts_module, "INLINE_EVENTS", 1500)
    short = write_report(desk, MIRA, incident.id, tmp_path / "checks.html")
    assert short.timeline_file is None and not beside.exists()
    assert "Check 11" in (tmp_path / "checks.html").read_text(encoding="utf-8")


def test_a_long_incident_read_in_part_says_what_reading_every_event_says(
    seeded, tmp_path, monkeypatch  # noqa: F811
):
    """Past INLINE_EVENTS only the events the report measures or prints are read: every figure
    comes out as when every event is read, and the file beside it still holds every event."""
    ours = seeded.desk
    for n in range(30):  # drafts saved: the bulk of a long incident, read into the file only
        ours.record(ANA, "statement.version_saved", f"Draft {n} saved",
                    incident_id=seeded.incident_id)  # fmt: skip
    note = ours.record(SAM, "desk.note", "Legal signed off the wording",
                       incident_id=seeded.incident_id)  # fmt: skip
    ours.star_event(SAM, note.id)
    changed = seeded.statements["holding"]
    with ours.engine.begin() as connection:  # the text changed behind the desk's back
        connection.execute(update(StatementRow).where(StatementRow.id == changed)
                           .values(approved_text=ENGLISH + " Edited."))  # fmt: skip
    whole = gather(ours, seeded.incident_id, audience=seeded.services.audience)
    key = [e.id for e in whole.events
           if e.kind.startswith(facts_module.KEY_KINDS) or e.id == note.id]  # fmt: skip
    monkeypatch.setattr(facts_module, "INLINE_EVENTS", len(key))  # all of them printed
    part = gather(ours, seeded.incident_id, audience=seeded.services.audience)

    assert len(part.events) < len(whole.events)  # really read in part
    assert "statement.version_saved" not in {e.kind for e in part.events}
    assert part.event_count == len(whole.events) == whole.event_count
    for name in ("people", "key_times", "cadence", "statements", "unposted", "live", "slides",
                 "trouble", "audience", "starred", "head"):  # fmt: skip
        assert getattr(part, name) == getattr(whole, name), name
    tampered = [s for s in part.statements if not s.digest_matches]
    assert [s.id for s in tampered] == [changed]
    assert tampered[0].approved_sha256 == approved_digest(ENGLISH)  # as its approval recorded
    assert part.timeline_cut and [e.id for e in part.timeline_shown] == key
    assert [(e.id, e.at, e.actor, e.kind, e.summary, e.hash)
            for e in facts_module.listed_events(ours, part)] == [
        (e.id, e.at, e.actor, e.kind, e.summary, e.hash) for e in whole.events]  # fmt: skip

    written = write_report(ours, MIRA, seeded.incident_id, tmp_path / "long.html",
                           audience=seeded.services.audience)  # fmt: skip
    rows = list(csv.DictReader(written.timeline_file.open(encoding="utf-8")))
    assert [int(row["id"]) for row in rows] == [e.id for e in whole.events]
    html = written.path.read_text(encoding="utf-8")
    assert "Legal signed off the wording" in html
    assert html.count("The text below no longer has the SHA-256 its approval recorded.") == 1
