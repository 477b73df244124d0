"""The statements panel by keyboard alone: a new statement takes the typing, Tab leaves the list,
and the text of a reviewed statement changes only when a person chooses to edit it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from commsdesk.desk import Desk
from commsdesk.statements.statement import StatementState
from tests.statements.ui.test_statements_desk import new_statement, start_incident

CTRL = Qt.KeyboardModifier.ControlModifier


def on_screen(h):
    """The window shown and active, as a person has it: shortcuts and focus work as they do."""
    h.window.show()
    h.qtbot.waitExposed(h.window)
    h.window.activateWindow()
    h.qtbot.waitUntil(h.window.isActiveWindow)


def press(h, key, modifiers=Qt.KeyboardModifier.NoModifier):
    """A key pressed where the keyboard focus is."""
    h.qtbot.keyClick(QApplication.focusWidget() or h.window, key, modifiers)


def test_ctrl_n_on_a_fresh_desk_puts_the_cursor_in_the_new_statement(harness):
    h = harness
    start_incident(h)
    on_screen(h)
    editor = h.window.statements.editor
    assert editor.statement is None  # nothing drafted yet: the editor is empty and disabled
    press(h, Qt.Key.Key_N, CTRL)
    h.idle()
    h.qtbot.waitUntil(lambda: editor.body.hasFocus())
    assert editor.statement.title == "Statement 1"
    h.qtbot.keyClicks(QApplication.focusWidget(), "We are investigating.")
    editor.flush()
    h.idle()
    assert h.desk.statement(editor.statement.id).body == "We are investigating."


def test_a_statement_from_a_template_takes_the_typing(harness):
    h = harness
    start_incident(h)
    on_screen(h)
    editor = h.window.statements.editor
    menu = h.window.statements.template_menu
    chosen = next(a for a in menu.actions() if a.text() and a.text() != "Blank statement")
    chosen.trigger()  # as a person picking it from New statement's menu
    h.idle()
    h.qtbot.waitUntil(lambda: editor.body.hasFocus())
    assert editor.statement.title == chosen.text()
    press(h, Qt.Key.Key_End, CTRL)
    h.qtbot.keyClicks(QApplication.focusWidget(), " More at 18:30.")
    editor.flush()
    h.idle()
    assert h.desk.statement(editor.statement.id).body.endswith(" More at 18:30.")


def test_tab_leaves_the_statements_list(harness):
    h = harness
    start_incident(h)
    new_statement(h, title="Holding line")
    on_screen(h)
    table = h.window.statements.table
    table.setFocus()
    h.qtbot.waitUntil(table.hasFocus)
    press(h, Qt.Key.Key_Tab)
    assert not table.hasFocus()
    assert QApplication.focusWidget() is not None
    press(h, Qt.Key.Key_Backtab)
    assert table.hasFocus()


def review(h, body="Client funds are safe."):
    start_incident(h)
    editor = new_statement(h, body=body)
    editor.submit()
    h.idle()
    assert editor.statement.state is StatementState.IN_REVIEW
    return editor


def test_a_stray_keystroke_never_voids_a_review(harness):
    h = harness
    editor = review(h)
    on_screen(h)
    assert editor.body.isReadOnly()
    assert not editor.banner.isHidden() and "the text is locked" in editor.banner.text()
    assert editor.edit_button.isVisible() and editor.edit_button.text() == "Edit…"
    editor.body.setFocus()
    h.qtbot.waitUntil(editor.body.hasFocus)
    h.qtbot.keyClicks(editor.body, "x")
    press(h, Qt.Key.Key_Backspace)
    editor.flush()
    h.idle()
    assert editor.body.toPlainText() == "Client funds are safe."
    assert h.desk.statement(editor.statement.id).state is StatementState.IN_REVIEW
    assert h.desk.timeline(limit=1)[0].kind == "statement.submitted"  # nothing voided


def test_edit_asks_first_then_takes_the_review_back_to_draft(harness, monkeypatch):
    h = harness
    h.bridge.act(Desk.set_required_approvals, 2)
    h.idle()
    h.bridge.required_approvals = 2
    editor = review(h)
    h.be("Sam Okafor (legal)")
    editor.approve()
    h.idle()
    h.be("Ana Ruiz (comms)")
    on_screen(h)
    asked = []
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *a: asked.append(a[2]) or next(answers))
    editor.body.setFocus()
    press(h, Qt.Key.Key_E, CTRL)  # Cancel: nothing changes
    h.idle()
    assert "It leaves review and goes back to draft" in asked[0]
    assert "the approval given so far no longer counts" in asked[0]
    assert h.desk.statement(editor.statement.id).state is StatementState.IN_REVIEW
    assert editor.body.isReadOnly()

    press(h, Qt.Key.Key_E, CTRL)  # Yes: back to draft, the cursor in the text
    h.idle()
    h.qtbot.waitUntil(lambda: editor.body.hasFocus())
    assert editor.statement.state is StatementState.DRAFT
    assert editor.state_badge.text() == "Draft"
    assert not editor.body.isReadOnly() and editor.edit_button.isHidden()
    assert editor.approvals.text() == "Needs 2 approvals from someone other than Ana Ruiz (comms)."
    h.qtbot.keyClicks(QApplication.focusWidget(), " Withdrawals reopen at 18:00.")
    editor.flush()
    h.idle()
    saved = h.desk.statement(editor.statement.id)
    assert saved.body == "Client funds are safe. Withdrawals reopen at 18:00."
    assert saved.approvals == ()
    voided = next(e for e in h.desk.timeline(limit=5) if e.kind == "statement.approval_voided")
    assert voided.actor == "Ana Ruiz (comms)"
    assert voided.summary.endswith(
        "back to draft to edit, withdrawn from review; 1 approval no longer counts"
    )
