"""Asks who is at the desk; every action the desk takes is recorded under that name."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class OperatorDialog(QDialog):
    """With `required` (first run) there is no Cancel and Escape does nothing. Closing the
    window still closes it (so the desk can always quit); until a name is given the desk
    refuses to act, so nothing goes on the record unattributed.

    With someone already at the desk it hands the desk over: the field starts empty, and OK
    ("Hand over") takes only a name other than the current one, so a stray Enter changes
    nothing."""

    def __init__(
        self, current: str = "", parent: QWidget | None = None, *, required: bool = False
    ) -> None:
        super().__init__(parent)
        self.required = required
        self.current = " ".join(current.split())
        handover = bool(self.current) and not required
        self.setWindowTitle("Hand over the desk" if handover else "Who is at the desk?")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Everything this desk does goes on the incident timeline under your name, "
            "so the record shows who drafted, approved and posted what."
        )
        intro.setWordWrap(True)
        self.name = QLineEdit("" if handover else self.current)
        self.name.setPlaceholderText("e.g. Ana Ruiz (comms)")
        self.name.setMaxLength(80)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if handover:
            ok.setText("&Hand over")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setVisible(not required)
        self.name.textChanged.connect(self._validate)
        prompt = (f"At the desk now: {self.current}. Hand it to (name and role):" if handover
                  else "Your name and role:")
        label = QLabel(prompt)
        label.setWordWrap(True)
        label.setBuddy(self.name)
        for widget in (intro, label, self.name, self.buttons):
            layout.addWidget(widget)
        self._validate()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.required and event.key() == Qt.Key.Key_Escape:
            event.ignore()
            return
        super().keyPressEvent(event)

    def value(self) -> str:
        return " ".join(self.name.text().split())

    def _validate(self) -> None:
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        name = self.value()
        ok_button.setEnabled(len(name) >= 2 and (self.required or name != self.current))
