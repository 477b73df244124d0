"""The desk by keyboard: no key ever reaches the switches that change where posts go, panel
shortcuts show their panel, F1 lists every key there is, menus have mnemonics, and handing the
desk over takes a deliberate new name."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QMessageBox

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.ui.operator_dialog import OperatorDialog
from tests.support.desk_harness import DeskHarness


def shown(h):
    h.window.resize(1280, 720)
    h.window.show()
    h.qtbot.waitExposed(h.window)
    h.window.activateWindow()
    h.qtbot.waitUntil(lambda: QApplication.activeWindow() is h.window)
    return h.window


def active(h, window):
    """The window active again once a dialog has gone (the offscreen platform does not)."""
    window.activateWindow()
    h.qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def close_dialogs(window) -> None:
    """Close what an action opened: modal boxes (their own loop) and open() dialogs alike."""
    modal = QApplication.activeModalWidget()
    if modal is not None:
        modal.close()
    for dialog in window.findChildren(QDialog):
        if dialog.isVisible():
            dialog.close()


@pytest.fixture
def desk(harness):
    h = harness
    h.window._refused = lambda message: None  # no modal box; the signal carries it
    h.bridge.act(Desk.start_incident, title="Hot wallet drained", severity=Severity.P1,
                 facts={"asset": "ETH"})  # fmt: skip
    h.idle()
    h.window.new_statement("Holding", "We are investigating.")
    h.idle()
    return h


def test_no_shortcut_or_menu_action_leaves_the_keyboard_on_the_drill_switch(desk):
    h = desk
    window = shown(h)
    drill = window.header.drill
    closer = QTimer(interval=50)
    closer.timeout.connect(lambda: close_dialogs(window))
    closer.start()
    quits = {"&Quit"}  # closes the window: every other action, then it
    actions = [a for a in window.findChildren(QAction)
               if not a.shortcut().isEmpty() and a.text() not in quits]  # fmt: skip
    menu_items = [a for m in window.menuBar().findChildren(QMenu) for a in m.actions()
                  if not a.isSeparator() and a.menu() is None and a.text() not in quits]
    assert len(actions) >= 15 and len(menu_items) >= 25
    try:
        for action in actions + menu_items:
            window.activateWindow()
            action.trigger()
            h.qtbot.wait(120)
            close_dialogs(window)
            h.idle()
            active(h, window)
            assert window.isVisible()
            focus = QApplication.focusWidget()
            assert focus is not None, f"{action.text()} left the keyboard nowhere"
            assert focus is not drill, f"{action.text()} left the keyboard on Drill mode"
            assert not window.header.isAncestorOf(focus), action.text()
        assert not drill.isChecked()
        assert drill.focusPolicy() == Qt.FocusPolicy.NoFocus
    finally:
        closer.stop()


def test_typing_after_name_incident_and_new_statement_goes_into_the_statement(
    qtbot, isolated_dirs
):
    """Fresh desk → name → Ctrl+I → title → Enter → Ctrl+N → typing: the words land in the new
    statement, the name and Drill mode stay as they were."""
    isolated_dirs.mkdir(parents=True)
    h = DeskHarness(qtbot, isolated_dirs, operator="")
    try:
        window = shown(h)
        h.qtbot.waitUntil(lambda: window.findChild(OperatorDialog) is not None)
        dialog = window.findChild(OperatorDialog)
        dialog.activateWindow()  # the harness opened the desk before showing the window
        h.qtbot.waitUntil(lambda: dialog.name.hasFocus())
        qtbot.keyClicks(dialog.name, "Ben Zhou")
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
        h.idle()
        assert h.settings.get("operator_name") == "Ben Zhou"
        active(h, window)
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_I,
                       Qt.KeyboardModifier.ControlModifier)  # fmt: skip
        from commsdesk.incidents.ui.incident_dialog import IncidentDialog

        h.qtbot.waitUntil(lambda: window.findChild(IncidentDialog) is not None)
        incident_dialog = window.findChild(IncidentDialog)
        h.qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                          and incident_dialog.isAncestorOf(QApplication.focusWidget()))
        qtbot.keyClicks(QApplication.focusWidget(), "Hot wallet drained")
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        h.qtbot.waitUntil(lambda: window.incident is not None)
        h.idle()
        active(h, window)
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_N,
                       Qt.KeyboardModifier.ControlModifier)  # fmt: skip
        editor = window.statements.editor
        h.qtbot.waitUntil(lambda: editor.body.hasFocus())
        qtbot.keyClicks(QApplication.focusWidget(), "We are investigating ")
        assert editor.body.toPlainText() == "We are investigating "
        assert window.findChild(OperatorDialog) is None or not any(
            d.isVisible() for d in window.findChildren(OperatorDialog)
        )
        assert h.settings.get("operator_name") == "Ben Zhou"
        assert window.header.operator_button.full_text == "At the desk: Ben Zhou"
        assert not window.header.drill.isChecked()
    finally:
        h.close()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen: no stacking
def test_handing_over_needs_a_new_name_and_one_dialog_at_a_time(harness):
    h = harness
    window = shown(h)
    window.ask_operator()
    window.ask_operator()  # a second ask raises the first
    dialogs = [d for d in window.findChildren(OperatorDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert dialog.windowTitle() == "Hand over the desk"
    assert dialog.name.text() == ""  # nothing to append a stray word to
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok.text() == "&Hand over" and not ok.isEnabled()
    h.qtbot.keyClicks(dialog.name, "Ana Ruiz (comms)")  # the one at the desk already
    assert not ok.isEnabled()
    h.qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert h.settings.get("operator_name") == "Ana Ruiz (comms)"
    dialog.name.clear()
    h.qtbot.keyClicks(dialog.name, "Sam Okafor (legal)")
    h.qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    h.idle()
    assert h.settings.get("operator_name") == "Sam Okafor (legal)"
    assert h.desk.timeline(limit=1)[0].summary == "Ana Ruiz (comms) handed the desk to Sam " \
        "Okafor (legal)"


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_a_panel_shortcut_brings_its_panel_forward_and_never_hides_it(harness, number):
    h = harness
    window = shown(h)
    dock = window.docks[number - 1]
    for _ in range(2):  # pressed twice: still shown
        h.qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        h.qtbot.wait(50)
        assert dock.isVisible() and not dock.visibleRegion().isEmpty(), dock.windowTitle()
        focus = QApplication.focusWidget()
        assert focus is not None and dock.isAncestorOf(focus), dock.windowTitle()
    others = [d for d in window.docks if d is not dock and window.tabifiedDockWidgets(d)
              and dock in window.tabifiedDockWidgets(d)]  # fmt: skip
    assert all(d.visibleRegion().isEmpty() for d in others)  # the tab in front is this one


def test_f1_lists_every_key_the_window_binds(harness, monkeypatch):
    h = harness
    window = shown(h)
    shown_text = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown_text.append(text))
    h.qtbot.keyClick(window, Qt.Key.Key_F1)
    assert shown_text
    listed = shown_text[0]
    keys = {a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            for a in window.findChildren(QAction) if not a.shortcut().isEmpty()}  # fmt: skip
    assert {"Ctrl+Shift+P", "Ctrl+1", "Ctrl+5", "F1", "Ctrl+Q"} <= keys
    for key in keys:
        assert f"<b>{key}</b></td>" in listed, key
    assert "Post now" in listed


def test_f1_lists_the_audience_wall_keys_with_the_audience_panel(audience_desk):  # noqa: F811
    d = audience_desk()
    d.open_panel()
    rows = dict(d.window.menus.shortcut_rows())
    assert rows["F11"].startswith("Audience wall view")
    assert "Alt+1" in rows
    assert all(what and not what.startswith("In ") for what in rows.values())


def test_every_menu_and_menu_item_has_a_mnemonic(harness):
    window = harness.window
    menus = window.menuBar().findChildren(QMenu)
    assert len(menus) >= 6
    for menu in menus:
        assert "&" in menu.title(), menu.title()
        for action in menu.actions():
            if not action.isSeparator():
                assert "&" in action.text(), f"{menu.title()} → {action.text()}"


def test_turning_drill_off_names_the_account_posts_will_go_to(harness, monkeypatch):
    h = harness
    h.settings.set("x_account", "exchange")
    h.settings.set("x_handle", "exchange_hq")
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    h.window.header.drill.click()  # on
    h.idle()
    assert h.window.header.drill.isChecked()
    assert h.window.header.destination.full_text == "Posts → SANDBOX"
    assert "drill mode" in h.window.header.destination.toolTip()
    h.window.header.drill.click()  # off
    h.idle()
    assert "Approved posts will go to X as @exchange_hq" in asked[1]
    assert "public" in asked[1]
    assert not h.window.header.drill.isChecked()
    assert h.window.header.destination.full_text == "Posts → @exchange_hq"


from tests.audience.ui.audience_desk import audience_desk, memory_keyring  # noqa: E402, F401


def test_the_core_loop_new_submit_approve_post_by_keys_alone(harness):
    """Ctrl+N, typing, Ctrl+S, Ctrl+Return (submit), another person's Ctrl+Shift+A (approve),
    Ctrl+Shift+P and Enter (Post now to the SANDBOX): posted, without the mouse."""
    from commsdesk.desk import Desk
    from commsdesk.incidents.incident import Severity
    from commsdesk.publishing.ui.post_dialog import PostDialog
    from commsdesk.statements.statement import StatementState

    h = harness
    h.bridge.act(Desk.start_incident, title="Hot wallet drained", severity=Severity.P1)
    h.idle()
    window = shown(h)
    editor = window.statements.editor

    def keys(key, modifiers=Qt.KeyboardModifier.ControlModifier) -> None:
        h.qtbot.keyClick(QApplication.focusWidget() or window, key, modifiers)

    def state_is(state) -> bool:
        return editor.statement is not None and editor.statement.state is state

    keys(Qt.Key.Key_N)
    h.qtbot.waitUntil(lambda: editor.body.hasFocus())
    h.qtbot.keyClicks(editor.body, "Withdrawals are open again.")
    keys(Qt.Key.Key_S)
    h.idle()
    keys(Qt.Key.Key_Return)  # Ctrl+Return: submit for review
    h.qtbot.waitUntil(lambda: state_is(StatementState.IN_REVIEW), timeout=10_000)
    h.be("Sam Okafor (legal)")  # another person at the desk approves
    keys(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    h.qtbot.waitUntil(lambda: state_is(StatementState.APPROVED), timeout=10_000)
    entered: list[bool] = []

    def enter_in_the_dialog() -> None:  # the dialog runs its own loop: answer it from there
        from PySide6.QtCore import QTimer
        from PySide6.QtTest import QTest

        dialog = next((d for d in window.findChildren(PostDialog) if d.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(50, enter_in_the_dialog)
            return
        entered.append(dialog.post.isDefault())
        QTest.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)

    from PySide6.QtCore import QTimer

    QTimer.singleShot(50, enter_in_the_dialog)
    keys(Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    h.qtbot.waitUntil(lambda: state_is(StatementState.POSTED), timeout=20_000)
    assert entered == [True]  # Enter is Post only because the posts go to the SANDBOX
    assert h.desk.statement(editor.statement.id).state is StatementState.POSTED
