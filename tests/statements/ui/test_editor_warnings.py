"""What the editor warns about before anyone tries to post: every missing fact at once, a thread
longer than the desk allows, and how many approvals are needed, in words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from commsdesk.publishing.holds import set_max_thread_posts
from commsdesk.statements.templates import starting_templates
from commsdesk.statements.ui.approvals_dialog import ApprovalsDialog
from commsdesk.ui.theme import BAD
from tests.statements.ui.test_statements_desk import new_statement, start_incident


def test_a_template_names_every_missing_fact_at_once(harness):
    h = harness
    start_incident(h, asset="ETH")
    template = next(t for t in starting_templates() if t.key == "first_acknowledgement")
    editor = new_statement(h, title=template.title, body=template.source)
    h.idle()
    h.qtbot.waitUntil(lambda: not editor.banner.isHidden())
    assert editor.banner.text().startswith(
        "Line 1: 3 facts are missing: 'wallet', 'unaffected' and 'next_update'."
    )
    assert editor.count_label.text() == "Template problem"


def test_a_thread_over_the_desk_limit_is_not_green_and_says_the_count(harness):
    h = harness
    start_incident(h)
    body = "\n---\n".join(f"Update {n}: withdrawals stay paused." for n in range(1, 45))
    editor = new_statement(h, body=body)
    h.idle()
    h.qtbot.waitUntil(lambda: editor.count_label.text() == "44 posts")
    assert editor.parts_label.text() == "over the limit (25)"
    assert f"color: {BAD}" in editor.count_label.styleSheet()
    assert editor.banner.text().startswith(
        "44 posts: more than this desk's limit of 25 posts in a thread."
    )
    preview = editor.preview.toPlainText()
    assert preview.startswith("44 posts: more than this desk's limit")
    # It cannot be posted: a few parts show how it splits, not all 44.
    assert "Post 3 of 44" in preview and "Post 4 of 44" not in preview
    assert "… and 41 more" in preview

    set_max_thread_posts(h.desk, "Sam Okafor (legal)", 50)  # the team allows longer threads
    editor.refresh()
    h.idle()
    h.qtbot.waitUntil(lambda: editor.parts_label.text() == "a thread")
    assert f"color: {BAD}" not in editor.count_label.styleSheet()
    assert editor.banner.isHidden()


def test_approvals_say_one_approval_and_two_approvals(harness):
    h = harness
    start_incident(h)
    editor = new_statement(h, body="Withdrawals are open.")
    assert editor.approvals.text() == "Needs 1 approval from someone other than Ana Ruiz (comms)."
    editor.submit()
    h.idle()
    assert editor.approvals.text() == "In review: v1 by Ana Ruiz (comms); 0 of 1 approval"


def test_approvals_required_beyond_the_limit_are_refused_not_clamped(harness):
    h = harness
    dialog = ApprovalsDialog(h.bridge, h.window)
    changed = []
    dialog.changed.connect(changed.append)
    dialog.show()
    h.qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.number.setFocus()
    h.qtbot.waitUntil(dialog.number.hasFocus)
    dialog.number.selectAll()
    h.qtbot.keyClicks(QApplication.focusWidget(), "99")
    assert dialog.number.text() == "99"  # typed as typed
    h.qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    h.idle()
    assert dialog.isVisible()
    assert dialog.problem.text() == (
        "99 approvals cannot be required: at most 10 people other than the author can be asked "
        "to approve a statement."
    )
    assert h.desk.approval_policy().required == 1 and changed == []
    dialog.number.selectAll()
    h.qtbot.keyClicks(dialog.number, "3")
    h.qtbot.keyClick(dialog.number, Qt.Key.Key_Return)
    h.idle()
    assert not dialog.isVisible()
    assert h.desk.approval_policy().required == 3 and changed == [3]
    assert h.bridge.required_approvals == 3
    assert h.desk.timeline(limit=1)[0].summary == "Required approvals 1 → 3"
