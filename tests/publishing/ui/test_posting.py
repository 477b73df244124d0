"""Posting from the window: Drill mode, the confirmation, and the SANDBOX feed."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.publishing.x.sandbox_client import SandboxXClient
from commsdesk.statements.statement import StatementState


def approved_statement(h, body):
    h.bridge.act(Desk.start_incident, title="Hot wallet drained", severity=Severity.P1,
                 facts={"asset": "ETH"})
    h.idle()
    h.window.statements.new_statement("Withdrawals", body)
    h.idle()
    editor = h.window.statements.editor
    editor.submit()
    h.idle()
    h.be("Sam Okafor (legal)")
    editor.approve()
    h.idle()
    h.be("Ana Ruiz (comms)")
    return editor


def test_drill_mode_is_one_visible_switch_that_asks_first_and_goes_on_the_record(
    harness, monkeypatch
):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from commsdesk.publishing.holds import drill_mode

    h = harness
    switch = h.window.header.drill
    assert switch.focusPolicy() == Qt.FocusPolicy.NoFocus  # typing never flips it
    assert h.window.status_x.text() == "X: SANDBOX (no account)"
    asked = []
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or next(answers)
    )
    switch.click()  # Cancel: nothing changes
    h.idle()
    assert "nothing reaches X" in asked[0]
    assert not switch.isChecked() and drill_mode(h.desk) is False
    switch.click()  # Yes
    h.idle()
    assert drill_mode(h.desk) is True  # in the database, for every desk and the command line
    assert switch.isChecked() and switch.text() == "DRILL: SANDBOX only"
    assert h.window.status_x.text() == "X: SANDBOX (drill)"
    assert h.window.status_x.toolTip() == "Posts go to the SANDBOX (drill mode)"
    newest = h.desk.timeline(limit=1)[0]
    assert newest.kind == "desk.drill_mode" and newest.actor == "Ana Ruiz (comms)"
    assert newest.summary.startswith("Drill mode on")


def test_post_now_asks_first_then_posts_the_approved_text_once(harness, monkeypatch):
    from commsdesk.publishing.ui.post_dialog import PostDialog

    h = harness
    editor = approved_statement(h, "Withdrawals of {{ incident.asset }} are open again.")
    assert editor.post_button.isEnabled()
    seen = []

    def answer(dialog):
        seen.append(dialog)
        return PostDialog.DialogCode.Rejected if len(seen) == 1 else PostDialog.DialogCode.Accepted

    monkeypatch.setattr(PostDialog, "exec", answer)
    editor.post_now()  # the first answer is Cancel: nothing is posted
    h.idle()
    shown = " ".join(label.text() for label in seen[0].findChildren(QLabel))
    assert "to <b>the SANDBOX" in shown and "Withdrawals of ETH are open again." in shown
    assert "Nothing leaves the desk in the SANDBOX." in shown
    assert seen[0].post.isDefault()  # in the SANDBOX nothing leaves the desk: Enter posts
    assert SandboxXClient(h.desk, "sandbox").recent_posts("0") == []
    editor.post_now()
    h.idle()
    posts = SandboxXClient(h.desk, "sandbox").recent_posts("0")
    assert [p.text for p in posts] == ["Withdrawals of ETH are open again."]
    assert editor.statement.state is StatementState.POSTED
    assert not editor.post_button.isEnabled()
    assert "Posted to the SANDBOX" in h.window.statusBar().currentMessage()


def test_the_slide_on_air_goes_with_the_post_with_its_description(harness, monkeypatch, tmp_path):
    from commsdesk.publishing.ui.post_dialog import ChosenImage, PostDialog
    from tests.publishing.test_publisher_images import png

    h = harness
    slide = tmp_path / "slide.png"
    slide.write_bytes(png(5))
    h.window.slide_on_air = lambda: ChosenImage(slide, "Back at 18:30 UTC", "the slide on air")
    editor = approved_statement(h, "We are back on air at 18:30 UTC.")

    def answer(dialog):
        assert not dialog.add_slide.isHidden()  # offered: a slide is on air
        dialog.add_slide.click()
        for n in range(4):  # four more: one too many for X
            dialog.add_image(ChosenImage(slide, f"copy {n}", f"copy{n}.png"))
        post = dialog.buttons.button(QDialogButtonBox.StandardButton.Yes)
        assert not post.isEnabled() and "X takes up to 4" in dialog.problem.text()
        for _ in range(4):
            dialog.images.setCurrentCell(1, 0)
            dialog.remove.click()
        assert post.isEnabled() and dialog.problem.text() == ""
        return PostDialog.DialogCode.Accepted

    monkeypatch.setattr(PostDialog, "exec", answer)
    editor.post_now()
    h.qtbot.waitUntil(lambda: editor.statement.state is StatementState.POSTED)
    [post] = SandboxXClient(h.desk, "sandbox").recent_posts("0")
    [image] = post.media
    assert image.alt == "Back at 18:30 UTC"
    assert (h.desk.path.parent / "media" / image.file).read_bytes() == slide.read_bytes()


def test_a_due_update_reminds_and_opens_the_update_template(harness):
    from datetime import timedelta

    h = harness
    h.bridge.act(Desk.start_incident, title="Hot wallet drained", severity=Severity.P1,
                 started_at=None)
    h.idle()
    incident = h.window.incident
    h.bridge.act(Desk.set_update_cadence, incident.id, 30)
    h.idle()
    header = h.window.header
    h.qtbot.waitUntil(lambda: header.cadence is not None)
    assert header.cadence_label.text() == "· next update due in 29 min"
    # Half an hour later, nothing has been posted: the update is due.
    header.set_cadence(type(header.cadence)(timedelta(minutes=30),
                                            header.cadence.last - timedelta(minutes=31)))
    assert header.cadence_label.text() == "· update overdue by 1 min"
    h.idle()
    editor = h.window.statements.editor
    h.qtbot.waitUntil(lambda: editor.statement is not None)
    assert editor.statement.title == "Investigation update"
    assert "{{ next_update" in editor.body.toPlainText()
    assert "An update on Hot wallet drained is due now" in h.window.statusBar().currentMessage()


def test_the_account_dialog_asks_the_keyring_off_the_ui_thread(harness):
    from commsdesk.keyring_secrets import keyring_status
    from commsdesk.publishing.ui.account_dialog import AccountDialog

    h = harness
    h.window.ask_account()
    assert h.window.findChild(AccountDialog) is None  # not before the lane has answered
    h.idle()
    dialog = h.window.findChild(AccountDialog)
    assert dialog is not None and dialog.isVisible()
    problem = keyring_status()
    assert dialog.save.isEnabled() == (problem is None)
    if problem:
        assert dialog.status.text() == problem


def test_verify_account_names_the_handle_or_the_wrong_keys(harness, monkeypatch, x_api):
    from commsdesk.publishing.ui.account_dialog import AccountDialog
    from tests.support.x_api_standin import (
        ACCESS_SECRET,
        ACCESS_TOKEN,
        ACCOUNT,
        CONSUMER_KEY,
        CONSUMER_SECRET,
    )

    h = harness
    monkeypatch.setenv("COMMSDESK_X_API_URL", x_api.url)
    for name, value in (("CONSUMER_KEY", CONSUMER_KEY), ("CONSUMER_SECRET", CONSUMER_SECRET),
                        ("ACCESS_TOKEN", ACCESS_TOKEN), ("ACCESS_SECRET", "revoked-secret")):
        monkeypatch.setenv(f"COMMSDESK_X_{name}", value)
    h.window.ask_account()
    h.qtbot.waitUntil(lambda: h.window.findChild(AccountDialog) is not None)
    dialog = h.window.findChild(AccountDialog)
    dialog.account.setCurrentIndex(dialog.account.findData("env"))

    dialog.verify.click()
    assert not dialog.verify.isEnabled()  # one question at a time
    h.qtbot.waitUntil(lambda: dialog.verify.isEnabled(), timeout=10_000)
    assert dialog.status.text().startswith("env could not be verified: Unauthorized")
    assert "the access token or its secret is wrong" in dialog.status.text()
    assert "revoked-secret" not in dialog.status.text()

    monkeypatch.setenv("COMMSDESK_X_ACCESS_SECRET", ACCESS_SECRET)
    dialog.verify.click()
    h.qtbot.waitUntil(lambda: dialog.verify.isEnabled(), timeout=10_000)
    assert dialog.status.text() == f"Verified: env posts as @{ACCOUNT['username']}."
    assert h.settings.get("x_handle") == ACCOUNT["username"]
    dialog.reject()


def test_drill_mode_switched_by_another_desk_reaches_the_window(harness):
    from commsdesk.desk import Desk
    from commsdesk.publishing.holds import set_drill_mode

    h = harness
    other = Desk.open(h.data_dir)  # the command line, or another desk on the same database
    try:
        set_drill_mode(other, "Sam Okafor (legal)", True)
    finally:
        other.close()
    h.qtbot.waitUntil(lambda: h.window.header.drill.isChecked(), timeout=15_000)
    assert h.window.status_x.text() == "X: SANDBOX (drill)"
    assert h.publishing.destination().sandbox


def post_dialog(qtbot, *, sandbox, text="Client funds are safe."):
    from commsdesk.publishing.ui.post_dialog import PostDialog

    dialog = PostDialog("Holding", "the SANDBOX" if sandbox else "X as @exchange", sandbox, 1,
                        text)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_enter_in_post_now_to_x_never_opens_the_image_picker_nor_posts(qtbot, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QFileDialog

    picked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        lambda *a, **k: picked.append(a) or ([], ""))
    dialog = post_dialog(qtbot, sandbox=False)
    assert not any(b.isDefault() for b in (dialog.add, dialog.post))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert picked == [] and dialog.isVisible()
    assert dialog.problem.text().startswith("Enter does not post to X: Tab to Post")
    while QApplication.focusWidget() is not dialog.post:  # Tab to Post, then Enter
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.post, Qt.Key.Key_Return)
    assert picked == []
    assert dialog.result() == dialog.DialogCode.Accepted


def test_enter_in_post_now_to_the_sandbox_posts(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    dialog = post_dialog(qtbot, sandbox=True)
    assert dialog.post.isDefault()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted


def test_the_post_now_excerpt_ends_on_a_word_with_one_ellipsis(qtbot):
    first = "Client funds are safe. We are investigating the hot wallet report."
    first += " Withdrawals of ETH stay paused while we check every single wallet report."
    assert len(first) == 140  # the excerpt's length ends right after a full stop
    dialog = post_dialog(qtbot, sandbox=True, text=first + "\n\nMore in the next post.")
    shown = dialog.text.text()
    assert shown == first.removesuffix(".") + "…"
    assert "“" not in shown and "”" not in shown and ".…" not in shown
    short = post_dialog(qtbot, sandbox=True, text="Withdrawals reopen at 18:00 UTC.")
    assert short.text.text() == "Withdrawals reopen at 18:00 UTC."  # whole: no ellipsis


def test_one_image_without_a_description_is_said_in_the_singular(qtbot, tmp_path):
    from commsdesk.publishing.ui.post_dialog import ChosenImage

    dialog = post_dialog(qtbot, sandbox=True)
    dialog.add_image(ChosenImage(tmp_path / "a.png", "", "a.png"))
    assert dialog.problem.text().startswith("1 image without a description:")
    dialog.add_image(ChosenImage(tmp_path / "b.png", "", "b.png"))
    assert dialog.problem.text().startswith("2 images without a description:")
