"""Where OBS is and its WebSocket password, and the stream destinations marked for rehearsals.
The password goes to the keyring (on a lane, by the bridge); it is never shown back, and a blank
field keeps the one stored. Where no keyring works, the dialog says the password will not
outlast the desk, and how to give it instead."""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from commsdesk.keyring_secrets import ENV_OBS_PASSWORD
from commsdesk.ui.theme import MUTED, WARN


class ObsSettingsDialog(QDialog):
    def __init__(self, host: str, port: int, parent: QWidget | None = None,
                 *, ask_password: bool = False, rehearsal: list[str] = ()) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("OBS settings")
        self.host = QLineEdit(host)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(port)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("blank: keep the stored password")
        hint = QLabel("OBS: Tools → WebSocket Server Settings shows the port and password.")
        self.keeping = QLabel(self._keeping_words(None))
        self.keeping.setObjectName("obs-password-keeping")
        for label in (hint, self.keeping):
            label.setWordWrap(True)
            label.setStyleSheet(f"color: {MUTED};")
        form = QFormLayout()
        form.addRow("Host", self.host)
        form.addRow("Port", self.port)
        form.addRow("Password", self.password)
        self.rehearsal = QPlainTextEdit("\n".join(rehearsal))
        self.rehearsal.setTabChangesFocus(True)
        self.rehearsal.setPlaceholderText("rtmp://10.0.0.5/rehearsal (one per line)")
        self.rehearsal.setFixedHeight(3 * self.rehearsal.fontMetrics().lineSpacing() + 12)
        self.rehearsal.setToolTip(
            "In Drill mode, Go live streams only to these ingest URLs (or ones under them); to "
            "anything else OBS records instead, so a drill never reaches the public."
        )
        form.addRow("Rehearsal destinations", self.rehearsal)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.keeping)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)  # wrapped notes read in a few full lines
        if ask_password:
            self.password.setFocus()

    @staticmethod
    def _keeping_words(keyring_problem: str | None) -> str:
        if os.environ.get(ENV_OBS_PASSWORD) is not None:
            return (f"{ENV_OBS_PASSWORD} is set: the desk uses it when it starts; a password "
                    "typed here is used until the desk closes.")  # fmt: skip
        if keyring_problem:
            return keyring_problem
        return (f"The password is kept in the system keyring. For scripts, {ENV_OBS_PASSWORD} "
                "can give it instead.")  # fmt: skip

    def show_keyring_problem(self, problem: str | None) -> None:
        """Where no keyring works, say so: a password typed here would not outlast the desk."""
        if problem and os.environ.get(ENV_OBS_PASSWORD) is None:
            self.keeping.setText(self._keeping_words(problem))
            self.keeping.setStyleSheet(f"color: {WARN}; font-weight: 600;")
            self.adjustSize()

    def rehearsal_destinations(self) -> list[str]:
        lines = (line.strip() for line in self.rehearsal.toPlainText().splitlines())
        return [line for line in lines if line]

    def values(self) -> tuple[str, int, str | None]:
        """(host, port, the new password or None to keep the stored one)."""
        return (self.host.text().strip() or "127.0.0.1", self.port.value(),
                self.password.text() or None)  # fmt: skip
