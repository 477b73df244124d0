"""The incident dialog by keyboard: Tab visits each field once, the start time included; Esc
asks before unsaved changes are thrown away; a problem put right is no longer said."""

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


def _discard_box(dialog):
    from PySide6.QtWidgets import QMessageBox

    boxes = [box for box in dialog.findChildren(QMessageBox) if box.isVisible()]
    return boxes[0] if boxes else None


def _button(box, text):
    return next(b for b in box.buttons() if b.text().replace("&", "") == text)


def _open_edit_dialog(harness, qtbot):
    """Incident → Edit incident… (Ctrl+I with an incident open) in the real window."""
    from commsdesk.desk import Desk
    from commsdesk.incidents.incident import Severity

    h = harness
    h.bridge.act(Desk.start_incident, title="Cold-wallet breach", severity=Severity.P1,
                 summary="", facts={"asset": "ETH"})  # fmt: skip
    h.idle()
    h.window.resize(1280, 720)
    h.window.show()
    qtbot.waitExposed(h.window)
    h.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is h.window)
    qtbot.keyClick(h.window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: h.window.findChild(IncidentDialog) is not None)
    dialog = h.window.findChild(IncidentDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == "Edit incident"
    return dialog


def test_esc_with_unsaved_changes_asks_first_and_keeps_editing_by_default(harness, qtbot):
    h = harness
    dialog = _open_edit_dialog(h, qtbot)
    dialog.summary.setFocus()
    qtbot.keyClicks(dialog.summary, "Attackers drained the ETH cold wallet.")
    qtbot.keyClick(dialog.summary, Qt.Key.Key_Escape)
    box = _discard_box(dialog)
    assert box is not None and box.text() == "Discard your changes to the incident?"
    assert box.defaultButton() is _button(box, "Keep editing")
    assert dialog.isVisible()
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter takes the default: keep editing
    qtbot.waitUntil(lambda: _discard_box(dialog) is None)
    assert dialog.isVisible()
    assert dialog.summary.toPlainText() == "Attackers drained the ETH cold wallet."

    dialog.close()  # the window's close button asks too
    box = _discard_box(dialog)
    assert box is not None and dialog.isVisible()
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # Esc on the question keeps editing as well
    qtbot.waitUntil(lambda: _discard_box(dialog) is None)
    assert dialog.isVisible()

    qtbot.keyClick(dialog.summary, Qt.Key.Key_Escape)
    _button(_discard_box(dialog), "Discard").click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == dialog.DialogCode.Rejected
    h.idle()
    assert h.desk.active_incident().summary == ""  # nothing was saved


def test_cancel_with_no_changes_closes_at_once(harness, qtbot):
    from PySide6.QtWidgets import QDialogButtonBox

    dialog = _open_edit_dialog(harness, qtbot)
    qtbot.keyClick(dialog.title, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert _discard_box(dialog) is None

    again = IncidentDialog(harness.window.incident, {})
    qtbot.addWidget(again)
    again.show()
    qtbot.keyClicks(again.title, " and more")
    again.title.setText("Cold-wallet breach")  # typed back as it was: nothing to lose
    again.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel).click()
    assert not again.isVisible() and _discard_box(again) is None


def test_a_problem_put_right_is_no_longer_said(qtbot):
    dialog = IncidentDialog(None, {"asset": "The asset taken, e.g. ETH"})
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog._accept_if_valid()  # Start incident with no title
    assert dialog.error.text().startswith("Give the incident a title")
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.title, "Hot wallet drained")
    assert dialog.error.text() == ""
