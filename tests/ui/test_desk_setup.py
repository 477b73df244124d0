"""First run, the incident dialog, versions, and a database the desk must refuse."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from commsdesk.app import Wiring
from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.incidents.ui.incident_dialog import IncidentDialog
from commsdesk.settings import Settings
from commsdesk.statements.ui.versions_dialog import VersionsDialog
from commsdesk.ui.operator_dialog import OperatorDialog
from tests.support.desk_harness import DeskHarness


def test_first_run_asks_who_is_at_the_desk_and_records_it(qtbot, isolated_dirs):
    isolated_dirs.mkdir(parents=True)
    h = DeskHarness(qtbot, isolated_dirs, operator="")
    try:
        dialog = h.window.findChild(OperatorDialog)
        assert dialog is not None and dialog.isVisible()
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled()  # a name is required
        assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).isVisible()
        from PySide6.QtCore import Qt

        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Escape does not dismiss it on first run
        assert dialog.isVisible()
        refusals = []
        h.bridge.refused.connect(refusals.append)
        h.window._refused = lambda message: None
        h.bridge.act(Desk.record, "desk.opened", "nameless")  # nothing is done without a name
        assert refusals and "Say who is at the desk first" in refusals[0]
        qtbot.keyClicks(dialog.name, "  Ben   Zhou (founder) ")
        assert ok.isEnabled()
        ok.click()
        h.idle()
        assert h.settings.get("operator_name") == "Ben Zhou (founder)"
        assert Settings.load(isolated_dirs).get("operator_name") == "Ben Zhou (founder)"
        assert h.window.header.operator_button.text() == "At the desk: Ben Zhou (founder)"
        newest = h.desk.timeline(limit=1)[0]
        assert (newest.kind, newest.actor) == ("desk.operator", "Ben Zhou (founder)")
    finally:
        h.close()


def test_the_first_run_dialog_never_stops_the_desk_from_closing(qtbot, isolated_dirs):
    isolated_dirs.mkdir(parents=True)
    h = DeskHarness(qtbot, isolated_dirs, operator="")
    try:
        dialog = h.window.findChild(OperatorDialog)
        assert dialog.isVisible()
        assert dialog.close()  # what quitting asks of every window
        assert not dialog.isVisible()
    finally:
        h.close()


def test_a_corrupt_database_is_refused_with_a_message_and_left_alone(qtbot, tmp_path):
    data_dir = tmp_path / "desk"
    data_dir.mkdir()
    damaged = data_dir / "commsdesk.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xde\xad" * 2000)
    before = damaged.read_bytes()
    wiring = Wiring(Settings.load(data_dir))
    with qtbot.waitSignal(wiring.bridge.open_failed, timeout=10_000) as blocker:
        wiring.bridge.open(data_dir)
    message = blocker.args[0]
    assert "commsdesk.sqlite3" in message and "Nothing was changed" in message
    assert damaged.read_bytes() == before
    wiring.stop()


def test_incident_dialog_checks_fact_names_before_closing(qtbot):
    dialog = IncidentDialog(None, {"asset": "The asset taken, e.g. ETH"})
    qtbot.addWidget(dialog)
    dialog.show()
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    save.click()
    assert "title" in dialog.error.text() and dialog.isVisible()
    dialog.title.setText("Hot wallet drained")
    dialog._add_fact("Amount taken", "401,347 ETH")
    save.click()
    assert "Amount taken" in dialog.error.text() and dialog.isVisible()
    dialog.facts.item(0, 0).setText("amount")
    dialog.suggested.activated.emit(1)  # the suggested 'asset'
    dialog.facts.item(1, 1).setText("ETH")
    save.click()
    assert not dialog.isVisible()
    values = dialog.values()
    assert values["title"] == "Hot wallet drained"
    assert values["severity"] is Severity.P1
    assert values["facts"] == {"amount": "401,347 ETH", "asset": "ETH"}


def test_edit_incident_updates_the_header_and_records_what_changed(harness):
    h = harness
    h.bridge.act(
        Desk.start_incident,
        title="Hot wallet drained",
        severity=Severity.P2,
        facts={"asset": "ETH"},
    )
    h.idle()
    incident = h.window.incident
    h.bridge.act(
        Desk.update_incident,
        incident.id,
        severity=Severity.P1,
        facts={"asset": "ETH", "next_update": "18:30"},
    )
    h.idle()
    assert h.window.header.severity.text() == "P1"
    summary = h.desk.timeline(limit=1)[0].summary
    assert "P2 → P1" in summary and "next_update" in summary


def test_versions_dialog_compares_and_restores(harness, qtbot):
    h = harness
    h.bridge.act(Desk.start_incident, title="Hot wallet drained", severity=Severity.P1)
    h.idle()
    h.window.statements.new_statement("Holding", "Withdrawals are paused.")
    h.idle()
    editor = h.window.statements.editor
    sid = editor.statement.id
    h.bridge.act(Desk.save_version, sid, "Withdrawals are paused.")
    h.idle()
    editor.body.setPlainText("Withdrawals are open.")
    editor.save_version()
    h.idle()
    versions = h.desk.versions(sid)
    assert [v.number for v in versions] == [1, 2]
    dialog = VersionsDialog("Holding", versions, can_restore=True)
    qtbot.addWidget(dialog)
    assert dialog.change.text() == "v1 → v2: +1 words, −1 words"
    dialog.restore_requested.connect(lambda vid: h.window.statements._restore(sid, vid))
    dialog.list.setCurrentRow(1)  # v1 (newest first)
    dialog.compare.setCurrentIndex(0)
    assert dialog.view.toPlainText() == "Withdrawals are paused."
    dialog.restore_requested.emit(versions[0].id)
    h.idle()
    assert editor.body.toPlainText() == "Withdrawals are paused."
    assert [v.number for v in h.desk.versions(sid)] == [1, 2, 3]
