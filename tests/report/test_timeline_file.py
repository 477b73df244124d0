"""The timeline file beside a long incident's report: text a spreadsheet would run stays text,
and a report short enough to list every event takes away an earlier report's file of its name."""

from __future__ import annotations

import csv

from commsdesk.incidents.incident import Severity
from commsdesk.report import facts as facts_module
from commsdesk.report.writing import timeline_csv, write_report
from commsdesk.timeline.chain import TimelineEvent
from tests.support.desks import desk  # noqa: F401

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
