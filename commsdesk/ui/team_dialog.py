"""Desk → Connect to a team…: where the team's PostgreSQL database is and who you are there.

The connection is tried on a lane before anything is kept. On success the password goes to
the keyring, the URL (without it) to this desk's settings, and the desk reopens on the team's
database at its next start, which it offers to do now.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from commsdesk.settings import Settings
from commsdesk.ui.lanes import Lane


class TeamDialog(QDialog):
    """`connected(person)` runs once the team database accepted this desk and was kept."""

    def __init__(
        self,
        settings: Settings,
        lane: Lane,
        connected: Callable[[object], None],
        parent: QWidget | None = None,
    ) -> None:
        from sqlalchemy.engine import make_url

        super().__init__(parent)
        self.settings, self.lane, self.connected = settings, lane, connected
        self.setWindowTitle("Connect to a team")
        current = settings.get("team_database")
        url = make_url(current) if current else None
        intro = QLabel(
            "A team shares one PostgreSQL database: everyone's statements, approvals, schedule "
            "and record, each person signed in as their own login. Your admin gives you the "
            "login and a first password (commsdesk team add)."
        )
        intro.setWordWrap(True)
        self.host = QLineEdit(url.host or "" if url else "")
        self.host.setPlaceholderText("db.example.com")
        self.port = QSpinBox(minimum=1, maximum=65535, value=(url.port or 5432) if url else 5432)
        self.database = QLineEdit(url.database or "" if url else "")
        self.login = QLineEdit(url.username or "" if url else "")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in the keyring, never in a file")
        self.tls = QComboBox()
        self.tls.addItems(["prefer", "require", "verify-full"])
        self.tls.setCurrentText(str(url.query.get("sslmode", "prefer")) if url else "prefer")
        self.ca_file = QLineEdit(str(url.query.get("sslrootcert", "")) if url else "")
        self.ca_file.setPlaceholderText("the server's CA certificate (verify-full)")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file)
        ca_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("&Host:", self.host)
        form.addRow("P&ort:", self.port)
        form.addRow("&Database:", self.database)
        form.addRow("&Login:", self.login)
        form.addRow("&Password:", self.password)
        form.addRow("&TLS:", self.tls)
        form.addRow("&CA file:", ca_row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.addButton(
            "Co&nnect", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.connect_button.setDefault(True)
        self.alone_button = self.buttons.addButton(
            "Use this desk &alone", QDialogButtonBox.ButtonRole.ResetRole
        )
        self.alone_button.setEnabled(bool(current))
        self.connect_button.clicked.connect(self.try_connect)
        self.alone_button.clicked.connect(self._alone)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for item in (intro, form, self.message, self.buttons):
            (layout.addLayout if isinstance(item, QFormLayout) else layout.addWidget)(item)
        self.setMinimumWidth(480)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "The server's CA certificate")
        if name:
            self.ca_file.setText(name)

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def try_connect(self) -> None:
        from commsdesk.team.people import team_url

        try:
            url = team_url(self.host.text(), self.port.value(), self.database.text(),
                           self.login.text(), self.tls.currentText(), self.ca_file.text())
        except ValueError as exc:
            self._say(f"Not connected: {exc}.")
            return
        password = self.password.text()
        self.connect_button.setEnabled(False)
        self._say("Connecting…")

        def check():
            from sqlalchemy.engine import make_url

            from commsdesk.keyring_secrets import store_team_password, with_team_password
            from commsdesk.team.schema import sign_in

            full = make_url(url).set(password=password) if password else with_team_password(url)
            person = sign_in(full)
            if password:
                store_team_password(url, password)
            return person

        def done(person) -> None:
            self._keep(url)
            self.connect_button.setEnabled(True)
            self.accept()
            self.connected(person)

        def failed(exc: BaseException) -> None:
            self.connect_button.setEnabled(True)
            self._say(f"Not connected: {exc}. Nothing was changed.")

        self.lane.submit(check, on_done=done, on_error=failed)

    def _keep(self, url: str) -> None:
        self.settings.set("team_database", url)
        self.lane.submit(self.settings.save, self.settings.snapshot())

    def _alone(self) -> None:
        self._keep("")
        self.accept()
        self.connected(None)
