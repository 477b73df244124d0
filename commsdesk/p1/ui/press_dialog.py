"""The P-1 press, confirmed: says in words who is called, in which order, how many rounds, what
happens to the incident; asks why (read out on every call). Cancel is the default: Enter with
no reason typed presses nothing, and Press P-1 becomes the default only once a reason is there.

With an empty chain it says so and offers the chain instead; with no phone provider and no
drill, it says so before anything is pressed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from commsdesk.p1.ui.fitting import grow_to_fit, problem_label

NO_REASON = "Say why first: the reason is read out on every call."


def what_happens(plan) -> str:
    """The press in words (`plan`: a PressPlan with people in it)."""
    names = ", ".join(m.name for m in plan.members)
    rounds = f"up to {plan.rounds} round{'s' if plan.rounds != 1 else ''}"
    incident = (f"It joins the open incident '{plan.incident_title}'." if plan.incident_title
                else "It starts a P1 incident.")  # fmt: skip
    return (f"This calls, one at a time: {names} — {rounds} — until one of them answers, then "
            f"texts all of them. {incident}")


class PressDialog(QDialog):
    """Presses through the bridge itself, so a refusal is said here, in the dialog.
    `chain_requested`: open the call chain instead (an empty chain, no phone account)."""

    chain_requested = Signal()
    pressed = Signal(object)  # the RunView the press started or joined

    def __init__(self, plan, bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.bridge = bridge
        self.setWindowTitle("Press P-1")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.what = QLabel()
        self.what.setWordWrap(True)
        self.what.setTextFormat(Qt.TextFormat.PlainText)  # names and titles as typed
        layout.addWidget(self.what)
        self.problem = problem_label()
        self.reason = QLineEdit()
        self.drill = QCheckBox("Drill (the call says so first; the text starts DRILL)")
        standard = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(standard.Ok | standard.Cancel)
        self.cancel_button = self.buttons.button(standard.Cancel)
        self.press_button = self.buttons.button(standard.Ok)
        self.buttons.rejected.connect(self.reject)
        if not plan.members:
            self._empty_chain(layout)
            return
        self.what.setText(what_happens(plan))
        if plan.running is not None:
            self.what.setText(
                f"A P-1 chain is running already ({plan.running.summary()}). Pressing again "
                "goes on the record and joins it: no one is called twice."
            )
        why = QLabel("&Why? (read out on every call)")
        why.setBuddy(self.reason)
        layout.addWidget(why)
        self.reason.setPlaceholderText("e.g. Hot wallet drained, withdrawals paused")
        self.reason.setMaxLength(300)
        layout.addWidget(self.reason)
        self.drill.setChecked(plan.drill_mode)
        layout.addWidget(self.drill)
        layout.addWidget(self.problem)
        self.account_button = self.buttons.addButton(
            "Set up the phone account…", QDialogButtonBox.ButtonRole.ActionRole)
        self.account_button.clicked.connect(self._open_chain)
        self.press_button.setText("Press P-1")
        self.press_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        self.buttons.accepted.connect(self.press)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(self._typed)
        self.reason.returnPressed.connect(self._enter)
        self.drill.toggled.connect(lambda _on: self._provider_shown())
        self._provider_shown()
        self.reason.setFocus()

    def _empty_chain(self, layout) -> None:
        self.what.setText(
            "The P-1 call chain is empty: no one would be called. Add the people to call, in "
            "the order to call them, first."
        )
        self.press_button.setText("Set up the call chain…")
        self.press_button.setDefault(True)
        self.buttons.accepted.connect(self._open_chain)
        layout.addWidget(self.buttons)

    def _open_chain(self) -> None:
        self.chain_requested.emit()
        self.reject()

    def _provider_shown(self) -> None:
        """Without a phone provider only a drill can be pressed; said before pressing."""
        missing = bool(self.plan.provider_problem) and not self.drill.isChecked()
        self.problem.setText(self.plan.provider_problem if missing else "")
        self.press_button.setEnabled(not missing)
        self.account_button.setVisible(missing)
        self._typed(self.reason.text())

    def _typed(self, text: str) -> None:
        """Press P-1 is the default only once a reason is typed (and it can be pressed)."""
        ready = bool(text.strip()) and self.press_button.isEnabled()
        self.press_button.setDefault(ready)
        self.cancel_button.setDefault(not ready)
        if text.strip() and self.problem.text() == NO_REASON:
            self.problem.clear()

    def _enter(self) -> None:
        """Enter in an empty reason says why it did nothing; the dialog stays."""
        if not self.reason.text().strip():
            self.problem.setText(NO_REASON)
            grow_to_fit(self)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and self.reason.hasFocus() and not self.press_button.isDefault():
            self._enter()  # neither presses nor cancels: the person meant to press
            return
        super().keyPressEvent(event)

    def press(self) -> None:
        if not self.reason.text().strip():
            self._enter()
            self.reason.setFocus()
            return
        self.press_button.setEnabled(False)
        self.problem.clear()
        self.bridge.press(self.reason.text(), self.drill.isChecked(), on_done=self._pressed,
                          on_error=self._refused)  # fmt: skip

    def _pressed(self, result) -> None:
        self.pressed.emit(result[0])
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        from commsdesk.p1.ui.bridge import one_line

        self.press_button.setEnabled(True)
        self.problem.setText(one_line(exc))
        grow_to_fit(self)
        self.reason.setFocus()
