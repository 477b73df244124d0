"""Set up the X account posts go to: keys into the keyring, then verify them with X."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from commsdesk.publishing.ui.bridge import PublishingBridge
from commsdesk.ui.theme import BAD, MUTED, OK

ENV_ACCOUNT = "env"


class AccountDialog(QDialog):
    def __init__(
        self,
        publishing: PublishingBridge,
        keyring_problem: str | None,
        parent: QWidget | None = None,
    ) -> None:
        """`keyring_problem` comes from secrets.keyring_status(), asked off the UI thread."""
        from commsdesk.publishing.x.api import XCredentials

        super().__init__(parent)
        self.setWindowTitle("X account")
        self.resize(560, 420)
        self.publishing = publishing
        self.settings = publishing.settings
        self.keyring_problem = keyring_problem
        self.env_available = XCredentials.from_env() is not None

        self.account = QComboBox()
        self.account.addItem("None: post to the SANDBOX", "")
        if self.env_available:
            self.account.addItem("From the COMMSDESK_X_* variables", ENV_ACCOUNT)
        for name in self.settings.get("x_accounts"):
            self.account.addItem(name, name)
        index = self.account.findData(self.settings.get("x_account"))
        self.account.setCurrentIndex(max(0, index))

        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. founder or company")
        self.secrets = {}
        form = QFormLayout()
        form.addRow("Post as", self.account)
        form.addRow(QLabel("<b>Add an account</b> (OAuth 1.0a user keys, kept in the keyring)"))
        form.addRow("Name", self.name)
        for field, label in (
            ("consumer_key", "Consumer key"),
            ("consumer_secret", "Consumer secret"),
            ("access_token", "Access token"),
            ("access_secret", "Access token secret"),
        ):
            edit = QLineEdit()
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.secrets[field] = edit
            form.addRow(label, edit)
        self.save = QPushButton("Save keys to the keyring")
        self.save.clicked.connect(self._save_keys)
        self.verify = QPushButton("Verify account")
        self.verify.setToolTip("Asks X who these keys belong to (GET /2/users/me)")
        self.verify.clicked.connect(self._verify)
        self.status = QLabel()
        self.status.setWordWrap(True)
        if self.keyring_problem:
            self.save.setEnabled(False)
            self._say(self.keyring_problem, BAD)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._choose)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.save)
        layout.addWidget(self.verify)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(buttons)
        publishing.verified.connect(self._verified)
        publishing.verify_failed.connect(self._not_verified)

    def _say(self, text: str, colour: str = MUTED) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};")

    def _save_keys(self) -> None:
        from commsdesk.keyring_secrets import store_x_credentials
        from commsdesk.publishing.x.api import XCredentials

        name = self.name.text().strip()
        values = [self.secrets[f].text().strip() for f in self.secrets]
        if not name or not all(values):
            self._say("Give the account a name and all four keys.", BAD)
            return
        for edit in self.secrets.values():
            edit.clear()
        self.save.setEnabled(False)
        self._say(f"Saving the keys for {name}…")

        def saved(_result) -> None:
            self.save.setEnabled(True)
            names = [n for n in self.settings.get("x_accounts") if n != name] + [name]
            self.settings.set("x_accounts", names)
            if self.account.findData(name) < 0:
                self.account.addItem(name, name)
            self.account.setCurrentIndex(self.account.findData(name))
            self._say(f"Keys for {name} are in the keyring. Verify them with X.", OK)

        def failed(exc: BaseException) -> None:
            self.save.setEnabled(True)
            self._say(f"The keys were not saved: {exc}", BAD)

        # The keyring is D-Bus (or a file) away: never on the UI thread.
        self.publishing.lane.submit(
            store_x_credentials, name, XCredentials(*values), on_done=saved, on_error=failed
        )

    def _verify(self) -> None:
        account = self.account.currentData()
        if not account:
            self._say("The SANDBOX needs no verification.")
            return
        self._say(f"Asking X who {account} is…")
        self.verify.setEnabled(False)
        self.publishing.verify(account)

    def _verified(self, account: str, handle: str) -> None:
        self.verify.setEnabled(True)
        if account == self.account.currentData():
            self.settings.set("x_handle", handle)
            self._say(f"Verified: {account} posts as @{handle}.", OK)

    def _not_verified(self, account: str, why: str) -> None:
        self.verify.setEnabled(True)
        self._say(f"{account} could not be verified: {why}", BAD)

    def _choose(self) -> None:
        account = self.account.currentData()
        if account != self.settings.get("x_account"):
            self.settings.set("x_account", account)
            self.settings.set("x_handle", "")
        self.accept()
