"""Every panel says the same thing about a statement after any change: made in this window, by the
scheduler, or elsewhere (the command line, another desk on the same database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import QMessageBox

from commsdesk.desk import Desk
from commsdesk.publishing.x.sandbox_client import SandboxXClient
from commsdesk.scheduling.scheduler import PostScheduler
from commsdesk.statements.statement import StatementState
from tests.publishing.ui.test_posting import approved_statement
from tests.statements.ui.test_statements_desk import new_statement, start_incident
from tests.support.cli import commsdesk

SAM = "Sam Okafor (legal)"


def listed_as(h, statement_id) -> str:
    model = h.window.statements.model
    return model.index(model.row_of(statement_id), 0).data()


def test_a_missed_post_reads_the_same_everywhere_and_posting_it_updates_every_panel(
    harness, monkeypatch
):
    h = harness
    editor = approved_statement(h, "Withdrawals are open again.")
    statement_id = editor.statement.id
    due = datetime.now(UTC) + timedelta(hours=1)
    h.schedule.call(PostScheduler.schedule, statement_id, due, "UTC", account="sandbox",
                    sandbox=True, as_operator=True)
    h.idle()
    assert listed_as(h, statement_id) == "Scheduled"
    assert editor.state_badge.text() == "Scheduled"

    # Its job fires an hour late (the desk was closed): the scheduler hands it to a person.
    scheduler = h.schedule.scheduler
    scheduler.clock = lambda: due + timedelta(hours=1)
    h.db_lane.submit(scheduler.fell_due, statement_id)
    h.idle()
    panel = h.window.schedule_panel
    h.qtbot.waitUntil(lambda: panel.model.rowCount() == 1
                      and panel.model.index(0, 5).data() == "Missed: review")
    h.idle()
    assert listed_as(h, statement_id) == "Missed: review"
    assert editor.state_badge.text() == "Missed: review"

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    panel.table.selectRow(0)
    panel.post_button.click()  # posted from the Schedule panel
    h.qtbot.waitUntil(lambda: editor.statement.state is StatementState.POSTED, timeout=15_000)
    h.idle()
    assert [p.text for p in SandboxXClient(h.desk, "sandbox").recent_posts("0")] == [
        "Withdrawals are open again."
    ]
    assert listed_as(h, statement_id) == "Posted"
    assert editor.state_badge.text() == "Posted"
    assert not editor.post_button.isEnabled() and not editor.schedule_button.isEnabled()
    assert panel.model.rowCount() == 0


def test_changes_made_elsewhere_reach_the_list_and_the_editor(harness):
    """The window hands the timeline's new events to the list (`events_arrived`); here they are
    read from the database as the timeline panel reads them."""
    h = harness
    start_incident(h)
    editor = new_statement(h, title="Holding line", body="We are investigating.")
    editor.submit()
    h.idle()
    seen = h.desk.last_event_id()
    other = Desk.open(h.data_dir)  # another desk, or the command line, on the same database
    try:
        made = other.create_statement(SAM, h.window.incident.id, "Q&A", "Was this an inside job?")
        other.approve(SAM, editor.statement.id)
    finally:
        other.close()
    events = list(reversed(h.desk.timeline(after_id=seen)))
    h.window.statements.events_arrived(events)
    h.idle()
    assert listed_as(h, made.id) == "Draft"
    assert editor.statement.title == "Holding line"  # the one in hand stays in hand
    assert listed_as(h, editor.statement.id) == "Approved"
    assert editor.state_badge.text() == "Approved"
    assert editor.post_button.isEnabled()
    assert "Approved v1 by Sam Okafor (legal)" in editor.approvals.text()


def test_text_changed_elsewhere_shows_in_the_editor_unless_typing_here_is_unsaved(harness, qtbot):
    h = harness
    start_incident(h)
    editor = new_statement(h, title="Holding line", body="We are investigating.")
    h.idle()
    seen = h.desk.last_event_id()
    other = Desk.open(h.data_dir)
    try:
        other.save_version(SAM, editor.statement.id, "We are investigating with two firms.")
    finally:
        other.close()
    h.window.statements.events_arrived(list(reversed(h.desk.timeline(after_id=seen))))
    h.idle()
    assert editor.body.toPlainText() == "We are investigating with two firms."
    assert editor.statement.version_author == SAM


def test_a_statement_made_on_the_command_line_appears_while_the_window_is_open(harness, tmp_path):
    h = harness
    start_incident(h)
    text = tmp_path / "qa.txt"
    text.write_text("Was this an inside job? No.", encoding="utf-8")
    made = commsdesk("statement", "new", "--title", "Q&A", str(text), data_dir=h.data_dir,
                     operator=SAM, check=True)
    statement_id = int(made.stdout.split()[0])
    h.window.timeline.poll()  # what its 2 s timer does
    h.idle()
    model = h.window.statements.model
    h.qtbot.waitUntil(lambda: model.knows(statement_id), timeout=5_000)
    assert listed_as(h, statement_id) == "Draft"


def test_an_incident_started_and_closed_on_the_command_line_reaches_the_header(harness):
    """A single desk has no change feed between processes: the timeline's poll carries the
    incident's events to the header, the menu and the Statements panel."""
    h = harness
    assert h.window.incident is None
    started = commsdesk("incident", "start", "--title", "Exchange outage", "--severity", "P2",
                        data_dir=h.data_dir, operator=SAM, check=True)  # fmt: skip
    incident_id = int(started.stdout.split()[0])
    h.window.timeline.poll()  # what its 2 s timer does
    h.qtbot.waitUntil(lambda: h.window.incident is not None, timeout=5_000)
    assert h.window.incident.id == incident_id
    assert h.window.header.title.full_text == "Exchange outage"
    assert h.window.close_incident_action.isEnabled()
    assert h.window.statements.new_button.isEnabled()
    other = Desk.open(h.data_dir)
    try:
        waiting = other.create_statement(SAM, incident_id, "Holding line", "We are on it.")
        other.submit(SAM, waiting.id)
    finally:
        other.close()
    h.window.timeline.poll()
    h.qtbot.waitUntil(lambda: h.window.status_review.text() == "1 awaiting approval",
                      timeout=5_000)  # fmt: skip

    commsdesk("incident", "close", str(incident_id), "--note", "Back up", data_dir=h.data_dir,
              operator=SAM, check=True)  # fmt: skip
    h.window.timeline.poll()
    h.qtbot.waitUntil(lambda: h.window.incident is None, timeout=5_000)
    assert h.window.header.title.full_text == "No active incident"
    assert not h.window.statements.new_button.isEnabled()
    assert h.window.status_review.text() == ""  # nothing awaits approval in a closed incident


def test_the_approvals_asked_follow_a_change_made_elsewhere_with_no_incident_open(harness):
    """A drill raises the approvals asked to two and puts them back after closing its own
    incident: the window must not go on asking for two."""
    h = harness
    h.window.timeline.poll()
    h.idle()
    other = Desk.open(h.data_dir)
    try:
        other.set_required_approvals(SAM, 2)
    finally:
        other.close()
    h.window.timeline.poll()
    h.qtbot.waitUntil(lambda: h.bridge.required_approvals == 2, timeout=5_000)
    assert h.window.incident is None
    other = Desk.open(h.data_dir)
    try:
        other.set_required_approvals(SAM, 1)
    finally:
        other.close()
    h.window.timeline.poll()
    h.qtbot.waitUntil(lambda: h.bridge.required_approvals == 1, timeout=5_000)
