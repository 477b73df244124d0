"""The founder's path through the real window: incident, draft, count, thread, review, approval."""

from __future__ import annotations

from PySide6.QtCore import Qt

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.statements.statement import StatementState


def start_incident(h, **facts):
    h.bridge.act(
        Desk.start_incident,
        title="Cold-wallet breach",
        severity=Severity.P1,
        summary="ETH cold wallet drained",
        facts=facts,
    )
    h.idle()


def new_statement(h, title="First word", body=""):
    h.window.statements.new_statement(title, body)
    h.idle()
    h.qtbot.waitUntil(lambda: h.window.statements.editor.statement is not None)
    return h.window.statements.editor


def test_empty_desk_says_what_to_do(harness):
    h = harness
    assert h.window.header.title.text() == "No active incident"
    assert "Start one" in h.window.statements.empty.text()
    assert not h.window.statements.new_button.isEnabled()
    # Panels for capabilities still to come say what they will do; none is blank.
    from PySide6.QtWidgets import QLabel

    for panel in (h.window.broadcast, h.window.audience):
        texts = " ".join(label.text() for label in panel.findChildren(QLabel))
        assert len(texts) > 150
    assert "OBS Studio" in " ".join(lb.text() for lb in h.window.broadcast.findChildren(QLabel))
    h.qtbot.waitUntil(lambda: h.window.schedule_panel.banner.text().startswith("Posting is on"))
    assert h.window.schedule_panel.empty.text().startswith("Nothing is scheduled")
    assert h.window.status_schedule.text() == "Schedule: nothing scheduled"


def test_header_shows_severity_and_elapsed_time(harness):
    h = harness
    start_incident(h, asset="ETH")
    assert h.window.header.title.text() == "Cold-wallet breach"
    assert h.window.header.severity.text() == "P1"
    assert h.window.header.header_text() == "P1 · T+0m"


def test_typing_is_counted_like_x_and_autosaved(harness, qtbot):
    h = harness
    start_incident(h, asset="ETH")
    editor = new_statement(h)
    qtbot.keyClicks(
        editor.body, "We lost {{ incident.asset }}: details at https://status.example.com"
    )
    h.qtbot.waitUntil(lambda: editor.save_state.text().startswith("Saved"), timeout=5000)
    h.idle()
    # Rendered: "We lost ETH: details at " (24) + URL (23)
    assert editor.count_label.text() == "47 / 280"
    assert editor.parts_label.text() == "one post"
    saved = h.desk.statement(editor.statement.id)
    assert saved.body == "We lost {{ incident.asset }}: details at https://status.example.com"


def test_long_statement_previews_as_a_numbered_thread(harness):
    h = harness
    start_incident(h)
    body = "\n\n".join(
        f"Update {i}. " + "Withdrawals stay paused while we verify. " * 5 for i in range(3)
    )
    editor = new_statement(h, body=body)
    h.idle()
    assert editor.count_label.text() == "3 posts"
    assert editor.parts_label.text() == "a thread"
    assert "each post within 280" in editor.parts_label.toolTip()
    html = editor.preview.toPlainText()
    assert "Post 1 of 3" in html and "Post 3 of 3" in html and " 3/3" in html


def test_template_problem_blocks_submission_with_line_and_name(harness):
    h = harness
    start_incident(h)  # no facts: {{ incident.amount }} cannot render
    editor = new_statement(h, body="We are investigating.\nAmount: {{ incident.amount }}")
    h.idle()
    assert "Line 2" in editor.banner.text() and "amount" in editor.banner.text()
    assert editor.count_label.text() == "Template problem"
    refusals = []
    h.bridge.refused.connect(refusals.append)
    h.window._refused = lambda message: None  # no modal box in tests; the signal carries it
    editor.submit()
    h.idle()
    assert refusals and "Line 2" in refusals[0]
    assert h.desk.statement(editor.statement.id).state is StatementState.DRAFT


def test_review_and_approval_by_someone_else(harness):
    h = harness
    start_incident(h, asset="ETH")
    editor = new_statement(h, body="Client funds are safe. {{ incident.asset }} withdrawals open.")
    editor.submit()
    h.idle()
    assert editor.statement.state is StatementState.IN_REVIEW
    assert editor.body.isReadOnly()  # a stray keystroke cannot void the review
    assert not editor.edit_button.isHidden() and editor.edit_button.isEnabled()
    assert editor.approve_button.isEnabled()
    assert not editor.submit_button.isEnabled()
    h.window._refused = lambda message: None
    refusals = []
    h.bridge.refused.connect(refusals.append)
    editor.approve()  # the author cannot approve their own version
    h.idle()
    assert refusals and "someone else" in refusals[0]
    h.be("Sam Okafor (legal)")
    editor.approve()
    h.idle()
    assert editor.statement.state is StatementState.APPROVED
    assert h.desk.statement(editor.statement.id).approved_text == (
        "Client funds are safe. ETH withdrawals open."
    )
    assert "Approved v1" in editor.approvals.text()
    row = h.window.statements.model.row_of(editor.statement.id)
    assert h.window.statements.model.index(row, 0).data() == "Approved"


def test_the_author_handing_the_desk_to_their_own_name_retyped_cannot_approve(harness, qtbot):
    from commsdesk.ui.operator_dialog import OperatorDialog

    h = harness
    h.be("Mira Chen (founder)")
    start_incident(h, asset="ETH")
    editor = new_statement(h, body="Client funds are safe.")
    editor.submit()
    h.idle()
    h.window._refused = lambda message: None
    refusals = []
    h.bridge.refused.connect(refusals.append)
    h.window.ask_operator()  # Desk → Who is at the desk…
    dialog = h.window.findChild(OperatorDialog)
    qtbot.keyClicks(dialog.name, "mira chen (founder)")
    dialog.accept()
    h.idle()
    assert h.settings.get("operator_name") == "mira chen (founder)"
    editor.approve()
    h.idle()
    h.be("mira  chen  (Founder)")  # a name with its spaces doubled, as a hand-edited setting
    editor.approve()
    h.idle()
    assert len(refusals) == 2
    assert all("approval must come from someone else" in r for r in refusals)
    assert "Desk → Who is at the desk…" in refusals[0]
    assert h.desk.statement(editor.statement.id).state is StatementState.IN_REVIEW


def test_edit_after_approval_needs_approval_again(harness, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    h = harness
    start_incident(h)
    editor = new_statement(h, body="Withdrawals are open.")
    editor.submit()
    h.idle()
    h.be("Sam Okafor (legal)")
    editor.approve()
    h.idle()
    assert editor.statement.state is StatementState.APPROVED
    h.be("Ana Ruiz (comms)")
    qtbot.keyClicks(editor.body, " All of them.")  # the approved text is read-only
    editor.flush()
    h.idle()
    assert editor.body.toPlainText() == "Withdrawals are open."
    assert h.desk.statement(editor.statement.id).state is StatementState.APPROVED
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    editor.edit_button.click()  # a person chooses to edit: it goes back to draft, asked first
    h.idle()
    assert editor.statement.state is StatementState.DRAFT and not editor.body.isReadOnly()
    qtbot.keyClicks(editor.body, " All of them.")
    editor.flush()
    h.idle()
    assert h.desk.statement(editor.statement.id).body == "Withdrawals are open. All of them."
    kinds = [e.kind for e in h.desk.timeline(limit=5)]
    assert "statement.approval_voided" in kinds


def test_timeline_panel_shows_actions_live_and_filters(harness):
    h = harness
    start_incident(h)
    new_statement(h, title="Holding line")
    h.window.timeline.poll()
    h.idle()
    model = h.window.timeline.model
    summaries = [model.index(r, 4).data() for r in range(model.rowCount())]
    assert any("Holding line" in s for s in summaries)
    assert any("Cold-wallet breach" in s for s in summaries)
    h.window.timeline.kind.setCurrentIndex(1)  # Incident only
    h.idle()
    kinds = {model.index(r, 3).data() for r in range(model.rowCount())}
    assert kinds == {"Started"}
    h.window.timeline.kind.setCurrentIndex(0)
    h.window.timeline.text.setText("holding")

    def only_matches():
        rows = [model.index(r, 4).data() for r in range(model.rowCount())]
        return rows and all("holding" in text.lower() for text in rows)

    h.qtbot.waitUntil(only_matches, timeout=3000)
    assert model.rowCount() < len(summaries)


def test_verify_record_reports_intact(harness):
    h = harness
    start_incident(h)
    h.window.timeline.verify()
    h.idle()
    assert "Record intact" in h.window.timeline.count.text()


def test_shortcuts_are_bound(harness):
    h = harness
    shortcuts = {
        a.text().replace("&", ""): a.shortcut().toString() for a in h.window.statement_actions
    }
    assert shortcuts["New statement"] == "Ctrl+N"
    assert shortcuts["Save version"] == "Ctrl+S"
    assert shortcuts["Approve"] == "Ctrl+Shift+A"
    assert h.window.incident_action.shortcut().toString() == "Ctrl+I"


def test_layout_is_remembered(harness, qtbot):
    from commsdesk.ui.main_window import MainWindow

    h = harness
    h.window.docks[4].hide()  # the operator closes the timeline
    h.window.remember_layout()
    again = MainWindow(h.bridge, h.text_lane)
    qtbot.addWidget(again)
    again.show()
    again.build_panels()  # the docks are laid out, as remembered, after the first paint
    assert again.docks[4].isHidden()
    assert not again.docks[0].isHidden()
    assert again.docks[0].parent() is again
    again.reset_layout()
    assert not again.docks[4].isHidden()


def test_a_narrow_list_and_title_field_show_the_title_s_start(harness):
    """At 1280×720 the list is narrow: the version (in the editor too) is not a column there,
    and the title field shows where the title begins, not where it ends."""
    h = harness
    start_incident(h)
    editor = new_statement(h, title="Holding statement for X and the status page",
                           body="We are investigating.")  # fmt: skip
    editor.title.end(False)  # as typing the title leaves it
    shown = editor.statement
    editor.show_statement(None)
    h.idle()
    editor.show_statement(shown)
    assert editor.title.cursorPosition() == 0
    table = h.window.statements.table
    header = table.horizontalHeader()
    assert [header.isSectionHidden(c) for c in range(5)] == [False, False, True, False, True]
    assert table.textElideMode() == Qt.TextElideMode.ElideMiddle  # both ends of a long title
