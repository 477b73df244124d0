"""The P-1 button in the window: the header's button and chain label, the press confirmation,
the chain and status dialogs, and the tray's word when a chain is answered or no one answered
(that one loud: the header's label stays red until someone acknowledges or presses again).
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QMessageBox

from commsdesk.p1.chain import people
from commsdesk.p1.ui import words


class P1Controls(QObject):
    """Joins a P1Bridge to a MainWindow (its header, notices, status bar, refusal box)."""

    def __init__(self, window, bridge) -> None:
        super().__init__(window)
        self.window = window
        self.bridge = bridge
        self.press_dialog = self.chain_dialog = self.status_dialog = None
        header = window.header
        header.p1_requested.connect(self.press)
        header.p1_acknowledge_requested.connect(self.acknowledge)
        header.p1_cancel_requested.connect(self.cancel)
        header.p1_status_requested.connect(self.show_status)
        bridge.changed.connect(self._changed)
        bridge.ended.connect(self._ended)
        bridge.refused.connect(lambda text: window._refused(text))  # read when said
        bridge.note.connect(lambda text: window.statusBar().showMessage(text, 30_000))

    # --- what the chain does ---------------------------------------------------------------
    def _changed(self, run) -> None:
        label = words.chain_label(run)
        self.window.header.set_p1_chain(label.text, label.colour, label.tip,
                                        running=label.running, loud=label.loud)  # fmt: skip

    def _ended(self, run) -> None:
        title, text = words.notice(run)
        self.window.notices.notify(title, text)
        self.window.statusBar().showMessage(f"{title}. {text}", 60_000)
        if run.state.value == "exhausted":
            QApplication.alert(self.window)  # the taskbar asks for attention too

    # --- a person's acts -------------------------------------------------------------------
    def press(self) -> None:
        """The confirmation, with what the press will do read from the desk first."""
        if _showing(self.press_dialog):
            self.press_dialog.activateWindow()
            return
        if self.bridge.desk_bridge.desk is None:
            self.window.statusBar().showMessage("P-1: the desk is still opening.", 5000)
            return
        self.bridge.plan(self._confirm)

    def _confirm(self, plan) -> None:
        from commsdesk.p1.ui.press_dialog import PressDialog

        if _showing(self.press_dialog):
            return
        dialog = self.press_dialog = PressDialog(plan, self.bridge, self.window)
        dialog.setAttribute(_delete_on_close())
        dialog.chain_requested.connect(self.show_chain)
        dialog.pressed.connect(self._pressed)
        dialog.open()

    def _pressed(self, run) -> None:
        self.window.statusBar().showMessage(
            f"{'DRILL ' if run.drill else ''}P-1 pressed: calling {people(len(run.chain))} in "
            "turn. The header shows how it stands.", 15_000,
        )  # fmt: skip

    def show_chain(self) -> None:
        from commsdesk.p1.ui.chain_dialog import ChainDialog

        if _showing(self.chain_dialog):
            self.chain_dialog.activateWindow()
            return
        if self.bridge.desk_bridge.desk is None:
            self.window.statusBar().showMessage("P-1 call chain: the desk is still opening.",
                                                5000)  # fmt: skip
            return
        self.chain_dialog = ChainDialog(self.bridge, self.window)
        self.chain_dialog.setAttribute(_delete_on_close())
        self.chain_dialog.open()

    def show_status(self) -> None:
        from commsdesk.p1.ui.status_dialog import StatusDialog

        if _showing(self.status_dialog):
            self.status_dialog.activateWindow()
            return
        dialog = self.status_dialog = StatusDialog(self.bridge, self.window)
        dialog.setAttribute(_delete_on_close())
        dialog.acknowledge_requested.connect(self.acknowledge)
        dialog.cancel_requested.connect(self.cancel)
        dialog.open()

    def acknowledge(self) -> None:
        def done(run) -> None:
            self.window.statusBar().showMessage(
                f"P-1 acknowledged by {self.bridge.desk_bridge.actor}: on the timeline.", 10_000)

        self.bridge.acknowledge(on_done=done)

    def cancel(self) -> None:
        run = self.bridge.run
        if run is None or not run.running:
            self.window.statusBar().showMessage("No P-1 chain is running.", 5000)
            return
        answer = QMessageBox.question(
            self.window, "Cancel the P-1 chain?",
            f"Stop calling? Now: {run.summary()}. The call ringing now is hung up and no one "
            "else is called or texted.",
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            self.bridge.cancel(on_done=lambda _run: self.window.statusBar().showMessage(
                "P-1 chain cancelled; the call ringing was hung up.", 10_000))


def _delete_on_close():  # read when a dialog opens: after the first paint (see MainWindow)
    from PySide6.QtCore import Qt

    return Qt.WidgetAttribute.WA_DeleteOnClose


def _showing(dialog) -> bool:
    import shiboken6

    return dialog is not None and shiboken6.isValid(dialog) and dialog.isVisible()
