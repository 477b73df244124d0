"""Scheduling from the window: the dialog's time rules, the panel, and pause all."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import QDialogButtonBox, QInputDialog, QMessageBox

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
    dialog.clock.setTime(QTime(2, 30))
    assert not ok.isEnabled() and "does not exist" in dialog.shown.text()
    dialog.day.setDate(QDate(2030, 11, 3))  # clocks fall back at 02:00: 01:30 happens twice
    dialog.clock.setTime(QTime(1, 30))
    assert not ok.isEnabled() and "happens twice" in dialog.shown.text()
    dialog.second.setChecked(True)
    assert ok.isEnabled()
    assert dialog.due_at() == datetime(2030, 11, 3, 6, 30, tzinfo=UTC)  # 01:30 EST
    assert dialog.values() == (date(2030, 11, 3), time(1, 30), "America/New_York", 1)


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

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Facts changed", True))
    panel.toggle_pause()
    h.idle()
    h.qtbot.waitUntil(lambda: panel.paused is not None)
    assert panel.banner.text().startswith("ALL POSTING PAUSED by Ana Ruiz (comms)")
    assert panel.banner.text().endswith("Facts changed")
    assert h.window.status_schedule.text() == "Schedule: PAUSED (Facts changed)"
    assert any(e.kind == "schedule.paused" for e in h.desk.timeline(limit=5))

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    panel.toggle_pause()
    h.idle()
    h.qtbot.waitUntil(lambda: panel.paused is None)
    assert panel.banner.text() == "Scheduled posting is on."

    panel.table.selectRow(0)
    panel.cancel_selected()
    h.idle()
    h.qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    assert h.desk.statement(editor.statement.id).state is StatementState.APPROVED
