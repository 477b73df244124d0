"""Where OBS is and its WebSocket password. The password goes to the keyring (on a lane, by the
bridge); it is never shown back, and a blank field keeps the one stored."""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from commsdesk.keyring_secrets import ENV_OBS_PASSWORD
from commsdesk.ui.theme import MUTED


class ObsSettingsDialog(QDialog):
    def __init__(self, host: str, port: int, parent: QWidget | None = None,
                 *, ask_password: bool = False) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("OBS settings")
        self.host = QLineEdit(host)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(port)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("blank: keep the stored password")
        note = (
            "OBS: Tools → WebSocket Server Settings shows the port and password. The password "
            "is kept in the system keyring."
        )
        if os.environ.get(ENV_OBS_PASSWORD) is not None:
            note += f" {ENV_OBS_PASSWORD} is set: it is used instead of the keyring's."
        else:
            note += f" For scripts, {ENV_OBS_PASSWORD} can give it instead."
        hint = QLabel(note)
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {MUTED};")
        form = QFormLayout()
        form.addRow("Host", self.host)
        form.addRow("Port", self.port)
        form.addRow("Password", self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        if ask_password:
            self.password.setFocus()

    def values(self) -> tuple[str, int, str | None]:
        """(host, port, the new password or None to keep the stored one)."""
        return (self.host.text().strip() or "127.0.0.1", self.port.value(),
                self.password.text() or None)  # fmt: skip
