"""How many approvals a statement needs: typed as a number and checked by the use case
(`Desk.set_required_approvals`), whose refusal is said in the dialog. Nothing is clamped: 99
is refused with the reason, never turned into the largest number allowed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.theme import BAD


class ApprovalsDialog(QDialog):
    """Emits `changed(n)` once the desk holds the new number (and closes)."""

    changed = Signal(int)

    def __init__(self, bridge: DeskBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.setWindowTitle("Approvals required")
        question = QLabel(
            "How many people other than the author must approve a statement?\n"
            "(0 lets a solo founder approve by submitting.)"
        )
        question.setWordWrap(True)
        self.number = QLineEdit(str(bridge.required_approvals))
        self.number.selectAll()
        self.number.textEdited.connect(lambda _text: self.problem.clear())
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {BAD};")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(self.number)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def apply(self) -> None:
        text = self.number.text().strip()
        if not text.isdigit():
            self.problem.setText(f"“{text}” is not a number: type a whole number such as 2.")
            return
        n = int(text)
        if n == self.bridge.required_approvals:
            self.accept()
            return
        from commsdesk.desk import Desk

        def done(_result) -> None:
            self.bridge.required_approvals = n
            self.changed.emit(n)
            self.accept()

        def refused(exc: BaseException) -> None:
            self.save.setEnabled(True)
            self.problem.setText(str(exc) or type(exc).__name__)
            self.number.setFocus()
            self.number.selectAll()

        self.save.setEnabled(False)
        self.bridge.act(Desk.set_required_approvals, n, on_done=done, on_error=refused)
