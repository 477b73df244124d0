"""The incident dialog by keyboard: Tab visits each field once, the start time included."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from commsdesk.incidents.ui.incident_dialog import IncidentDialog


def test_tab_visits_each_field_once_the_start_time_in_one_step(qtbot):
    dialog = IncidentDialog(None, {"asset": "The asset taken, e.g. ETH"})
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.title.setFocus()
    qtbot.waitUntil(dialog.title.hasFocus)
    qtbot.keyClicks(dialog.title, "Hot wallet drained")

    def tab():
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        return QApplication.focusWidget()

    assert tab() is dialog.severity
    assert tab() is dialog.started
    assert tab() is dialog.summary  # past the year, month, day, hour and minute at once
    assert tab() is dialog.facts  # the summary takes no tab character
    assert dialog.summary.toPlainText() == ""
    assert tab() is not dialog.facts  # nor does the facts table keep the keyboard
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is dialog.facts
    for _ in range(2):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is dialog.started
