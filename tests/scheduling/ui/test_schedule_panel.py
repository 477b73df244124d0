"""Scheduling from the window: the dialog's time rules, the panel, and pause all."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from commsdesk.scheduling.scheduler import PostScheduler
from commsdesk.scheduling.ui.schedule_dialog import ScheduleDialog
from commsdesk.scheduling.ui.schedule_panel import countdown
from commsdesk.statements.statement import StatementState
from tests.publishing.ui.test_posting import approved_statement


def test_countdown_reads_like_a_clock():
    now = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    assert countdown(now + timedelta(minutes=12, seconds=4), now) == "12:04"
    assert countdown(now + timedelta(hours=1, minutes=2, seconds=3), now) == "1:02:03"
    assert countdown(now - timedelta(minutes=7), now) == "7 min late"


def test_the_dialog_refuses_a_skipped_time_and_asks_about_a_doubled_one(qtbot):
    dialog = ScheduleDialog("Update", "the SANDBOX", ["America/New_York", "UTC"],
                            now=datetime(2026, 1, 1, tzinfo=UTC))
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.zone.setCurrentText("America/New_York")
    dialog.day.setDate(QDate(2030, 3, 10))  # clocks spring forward at 02:00
    dialog.clock.setText("02:30")
    assert not ok.isEnabled() and "does not exist" in dialog.shown.text()
    dialog.day.setDate(QDate(2030, 11, 3))  # clocks fall back at 02:00: 01:30 happens twice
    dialog.clock.setText("01:30")
    assert not ok.isEnabled() and "happens twice" in dialog.shown.text()
    dialog.second.setChecked(True)
    assert ok.isEnabled()
    assert dialog.due_at() == datetime(2030, 11, 3, 6, 30, tzinfo=UTC)  # 01:30 EST
    assert dialog.values() == (date(2030, 11, 3), time(1, 30), "America/New_York", 1)


def pause_all(h, reason):
    """Pause all posting as a person does: the panel's button, the dialog, a reason, Enter."""
    from commsdesk.scheduling.ui.pause_dialog import PauseDialog

    panel = h.window.schedule_panel
    panel.pause_button.click()
    dialog = panel.findChild(PauseDialog)
    h.qtbot.keyClicks(dialog.reason, reason)
    h.qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    h.idle()
    h.qtbot.waitUntil(lambda: panel.paused is not None)
    return dialog


def approved(h):
    return approved_statement(h, "Withdrawals are open again.")


def test_scheduled_post_shows_with_countdown_and_pause_all_holds_it(harness, monkeypatch):
    h = harness
    editor = approved(h)
    assert editor.schedule_button.isEnabled()
    due = datetime.now(UTC) + timedelta(hours=2)
    h.schedule.call(PostScheduler.schedule, editor.statement.id, due, "Asia/Singapore",
                    account="sandbox", sandbox=True, as_operator=True)
    h.idle()
    panel = h.window.schedule_panel
    h.qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    h.idle()
    assert panel.model.index(0, 3).data() == "Withdrawals"
    assert panel.model.index(0, 4).data() == "SANDBOX"
    assert panel.model.index(0, 2).data().endswith("+08")
    assert panel.model.index(0, 1).data().startswith(("1:59:", "2:00:"))
    assert h.window.status_schedule.text() == "Schedule: 1 waiting"
    assert h.desk.statement(editor.statement.id).state is StatementState.SCHEDULED

    pause_all(h, "Facts changed")
    assert panel.banner.text().startswith("ALL POSTING PAUSED by Ana Ruiz (comms)")
    assert "Facts changed" in panel.banner.text()
    assert h.window.status_schedule.text() == "Schedule: PAUSED (Facts changed), 1 held"
    assert any(e.kind == "schedule.paused" for e in h.desk.timeline(limit=5))

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    panel.toggle_pause()
    h.idle()
    h.qtbot.waitUntil(lambda: panel.paused is None)
    assert panel.banner.text() == "Posting is on: scheduled posts go out when due."

    panel.table.selectRow(0)
    panel.cancel_selected()
    h.idle()
    h.qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    assert h.desk.statement(editor.statement.id).state is StatementState.APPROVED


def test_the_time_is_typed_and_checked_as_typed(qtbot):
    dialog = ScheduleDialog("Update", "the SANDBOX", ["UTC"], now=datetime(2026, 1, 1, tzinfo=UTC))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.day.setDate(QDate(2040, 6, 1))
    dialog.clock.setFocus()
    qtbot.waitUntil(dialog.clock.hasFocus)
    dialog.clock.selectAll()
    qtbot.keyClicks(dialog.clock, "25:99")
    assert not ok.isEnabled()
    assert dialog.shown.text() == (
        "“25:99” is not a time of day: hours run from 00 to 23 and minutes from 00 to 59."
    )
    qtbot.keyClick(dialog.clock, Qt.Key.Key_Return)  # Enter on a bad time keeps it open
    assert dialog.isVisible() and dialog.result() == 0
    dialog.clock.clear()
    qtbot.keyClicks(dialog.clock, "abc")
    assert dialog.shown.text() == (
        "“abc” is not a time: type it on the 24-hour clock, as 18:30 or 1830."
    )
    dialog.clock.clear()
    qtbot.keyClicks(dialog.clock, "0335")  # four digits read one way only: 03:35
    assert ok.isEnabled()
    assert dialog.shown.text().startswith("Goes out at ")
    assert dialog.values() == (date(2040, 6, 1), time(3, 35), "UTC", None)
    assert dialog.due_at() == datetime(2040, 6, 1, 3, 35, tzinfo=UTC)
    qtbot.keyClick(dialog.clock, Qt.Key.Key_Return)
    assert dialog.result() == ScheduleDialog.DialogCode.Accepted


def test_tab_goes_from_the_day_to_the_time_in_one_step(qtbot):
    dialog = ScheduleDialog("Update", "the SANDBOX", ["UTC"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.day.setFocus()
    qtbot.waitUntil(dialog.day.hasFocus)
    qtbot.keyClick(dialog.day, Qt.Key.Key_Tab)
    assert dialog.clock.hasFocus()
    qtbot.keyClick(dialog.clock, Qt.Key.Key_Tab)
    assert dialog.zone.hasFocus()


def test_pause_with_no_reason_is_refused_in_the_dialog_which_says_every_post_stops(harness):
    from commsdesk.publishing.holds import paused
    from commsdesk.scheduling.ui.pause_dialog import PauseDialog

    h = harness
    panel = h.window.schedule_panel
    h.qtbot.waitUntil(lambda: panel.banner.text().startswith("Posting is on"))
    panel.pause_button.click()
    dialog = panel.findChild(PauseDialog)
    assert dialog is not None and dialog.isVisible()
    said = dialog.what.text()
    for words in ("Every post stops", "scheduled posts", "Post now", "command line",
                  "threads going out now", "overrides the pause", "--despite-pause"):
        assert words in said, words
    h.qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # no reason given
    h.idle()
    assert dialog.isVisible()
    assert dialog.problem.text() == "Say why all posting is paused."
    assert paused(h.desk) is None
    h.qtbot.keyClicks(dialog.reason, "Facts under review")
    assert dialog.problem.text() == ""
    h.qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    h.idle()
    assert not dialog.isVisible()
    assert paused(h.desk).reason == "Facts under review"


def test_while_paused_nothing_reads_as_waiting_or_on(harness):
    h = harness
    editor = approved(h)
    due = datetime.now(UTC) + timedelta(minutes=20)
    h.schedule.call(PostScheduler.schedule, editor.statement.id, due, "UTC",
                    account="sandbox", sandbox=True, as_operator=True)
    h.idle()
    panel = h.window.schedule_panel
    h.qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert panel.model.index(0, 5).data() == "Waiting"
    pause_all(h, "Facts under review")
    assert panel.model.index(0, 5).data() == "Held by the pause"
    assert "Nothing goes out until someone resumes" in panel.model.index(0, 5).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert not panel.banner.text().startswith("Posting is on")
    assert "Nothing is posted, scheduled or not" in panel.banner.text()
    assert h.window.status_schedule.text() == "Schedule: PAUSED (Facts under review), 1 held"


def test_a_pause_from_elsewhere_reaches_the_panel_with_its_events(harness):
    """The window hands the timeline's new events to the panel (`events_arrived`)."""
    from commsdesk.app import open_services

    h = harness
    panel = h.window.schedule_panel
    h.qtbot.waitUntil(lambda: panel.banner.text().startswith("Posting is on"))
    seen = h.desk.last_event_id()
    other = open_services(h.data_dir)  # the command line's own desk on the same database
    try:
        other.scheduler(posting=False).pause("Sam Okafor (legal)", "Legal review")
    finally:
        other.close()
    panel.events_arrived(list(reversed(h.desk.timeline(after_id=seen))))
    h.idle()
    assert panel.banner.text().startswith("ALL POSTING PAUSED by Sam Okafor (legal)")
    assert panel.pause_button.text() == "Resume…"


def test_countdown_says_due_now_rather_than_zero_minutes_late():
    now = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    assert countdown(now - timedelta(seconds=20), now) == "due now"
