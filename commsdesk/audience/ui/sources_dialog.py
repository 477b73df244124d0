"""Viewer sources set-up: the list (kind, label, interval, on/off) and a form to add one.

YouTube (video id + API key; the day's quota projection for the chosen interval, with a warning
before the 10,000 units run out), Twitch (login, client id, client secret), Kick (broadcaster
user id, optional client id and secret), any JSON URL with a pointer to the number, manual entry,
and a CSV replayed at x1 to x600. Keys and secrets go to the keyring through the bridge (on its
lane); the database and the settings file only ever see what is not secret. The dialog never
touches the network, the keyring or a file itself: the bridge does, off the UI thread.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commsdesk.audience.series import AudienceSource, youtube_quota
from commsdesk.ui.theme import BAD, MUTED, OK, WARN

# kind: (name in the list, default interval in seconds or None for the desk's setting)
KINDS = {
    "youtube": ("YouTube", 15),
    "twitch": ("Twitch", None),
    "kick": ("Kick", None),
    "json_url": ("JSON URL", None),
    "manual": ("Manual entry", 5),
    "replay": ("Replay a CSV", None),
}
KIND_NAMES = {kind: name for kind, (name, _) in KINDS.items()}


class _Form(QWidget):
    """One kind's fields: text boxes by config key, secrets (password echo) by keyring name."""

    def __init__(self, kind: str, default_interval: int) -> None:
        super().__init__()
        self.kind = kind
        self.layout_ = QFormLayout(self)
        self.fields: dict[str, QLineEdit] = {}
        self.secrets: dict[str, QLineEdit] = {}
        self.required: list[str] = ["label"]
        self.server: QLineEdit | None = None
        self.label = self._line("label", "Label", "shown on the chip and the chart")
        self.interval = QSpinBox()
        self.interval.setRange(1, 3600)
        self.interval.setSuffix(" s")
        self.interval.setValue(default_interval)
        self.interval.setToolTip("Seconds between two readings of this source")

    def _line(self, key: str, title: str, hint: str = "", *, secret=False, required=True):
        box = QLineEdit()
        box.setPlaceholderText(hint)
        if secret:
            box.setEchoMode(QLineEdit.EchoMode.Password)
            self.secrets[key] = box
        elif key != "label":
            self.fields[key] = box
        if required and key != "label":
            self.required.append(key)
        self.layout_.addRow(title, box)
        return box

    def add_interval(self) -> None:
        self.layout_.addRow("Ask every", self.interval)

    def add_server(self) -> None:
        """Where the platform's API is asked: empty for the platform itself (a stand-in server
        for drills and tests, or a company proxy, otherwise)."""
        self.server = QLineEdit()
        self.server.setPlaceholderText("empty: the platform's own API")
        self.layout_.addRow("API server", self.server)

    def missing(self) -> list[str]:
        boxes = {"label": self.label, **self.fields, **self.secrets}
        return [key for key in self.required if not boxes[key].text().strip()]

    def config(self) -> dict[str, str]:
        config = {k: box.text().strip() for k, box in self.fields.items() if box.text().strip()}
        server = self.server
        if server is not None and server.text().strip():
            config["base_url"] = server.text().strip()
            if self.kind in ("twitch", "kick"):
                config["id_url"] = config["base_url"]  # the token service, at the same place
        return config

    def secret_values(self) -> dict[str, str]:
        return {k: box.text() for k, box in self.secrets.items() if box.text()}

    def clear(self) -> None:
        for box in (self.label, *self.fields.values(), *self.secrets.values()):
            box.clear()
        if self.server is not None:
            self.server.clear()


class SourcesDialog(QDialog):
    """Driven by an AudienceBridge: `list_sources`, `add_source`, `add_replay`, `set_enabled`,
    `remove_source`, `keyring_problem` (each answers on the UI thread)."""

    def __init__(self, bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.setWindowTitle("Audience sources")
        self.resize(720, 560)
        self.keyring_ok: bool | None = None
        self._keyring_problem: str | None = None
        self._sources: list[AudienceSource] = []
        poll = int(bridge.settings.get("audience_poll_seconds"))

        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Label", "Kind", "Every", "On", ""])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 240)
        self.table.setColumnWidth(1, 140)

        self.kind = QComboBox()
        self.forms: dict[str, _Form] = {}
        self.stack = QStackedWidget()
        for kind, (name, interval) in KINDS.items():
            form = _Form(kind, interval or poll)
            self.forms[kind] = form
            self.kind.addItem(name, kind)
            self.stack.addWidget(form)
        self._build_forms()
        self.kind.currentIndexChanged.connect(self._kind_chosen)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_button = QPushButton("Add source")
        self.add_button.clicked.connect(self.add)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        add_row = QHBoxLayout()
        add_row.addWidget(QLabel("Add:"))
        add_row.addWidget(self.kind, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Sources counted in the total (untick to switch one off):"))
        layout.addWidget(self.table, 1)
        layout.addLayout(add_row)
        layout.addWidget(self.stack)
        layout.addWidget(self.status)
        bottom = QHBoxLayout()
        bottom.addWidget(self.add_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)

        self._kind_chosen()
        self.refresh()
        bridge.keyring_problem(self._keyring_checked)

    # --- the forms ---------------------------------------------------------------------------
    def _build_forms(self) -> None:
        youtube = self.forms["youtube"]
        youtube._line("video_id", "Video id", "the id in youtube.com/watch?v=…")
        youtube._line("api_key", "API key", "YouTube Data API v3 key (kept in the keyring)",
                      secret=True)
        youtube.add_interval()
        self.quota = QLabel()
        self.quota.setWordWrap(True)
        youtube.layout_.addRow("Quota", self.quota)
        youtube.interval.valueChanged.connect(self._show_quota)
        self._show_quota()
        youtube.add_server()

        twitch = self.forms["twitch"]
        twitch._line("user_login", "Channel login", "the name in twitch.tv/…")
        twitch._line("client_id", "Client id", "from the Twitch developer console")
        twitch._line("client_secret", "Client secret", "kept in the keyring", secret=True)
        twitch.add_interval()
        twitch.add_server()

        kick = self.forms["kick"]
        kick._line("broadcaster_user_id", "Broadcaster user id", "a number")
        kick._line("client_id", "Client id", "optional", required=False)
        kick._line("client_secret", "Client secret", "optional; kept in the keyring",
                   secret=True, required=False)
        kick.add_interval()
        kick.add_server()

        json_url = self.forms["json_url"]
        json_url._line("url", "URL", "https://… answering JSON")
        json_url._line("pointer", "JSON pointer", "where the number is, e.g. /data/0/viewers",
                       required=False)
        json_url.add_interval()

        manual = self.forms["manual"]
        note = QLabel("Type the number in the Audience panel (the field under the chips, then "
                      "Enter); it holds until the next one, for up to 10 minutes.")
        note.setWordWrap(True)
        manual.layout_.addRow(note)

        replay = self.forms["replay"]
        replay.label.setPlaceholderText("one source per platform in the file, named after it")
        replay.required.remove("label")
        self.replay_file = QLineEdit()
        self.replay_file.setPlaceholderText("time,viewers[,platform] per line")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_file)
        row = QHBoxLayout()
        row.addWidget(self.replay_file, 1)
        row.addWidget(browse)
        replay.layout_.addRow("CSV file", row)
        self.replay_speed = QDoubleSpinBox()
        self.replay_speed.setRange(1, 600)
        self.replay_speed.setDecimals(0)
        self.replay_speed.setPrefix("×")
        self.replay_speed.setValue(60)
        replay.layout_.addRow("Speed", self.replay_speed)
        replay.label.hide()
        replay.layout_.labelForField(replay.label).hide()

    def _kind_chosen(self) -> None:
        self.stack.setCurrentWidget(self.forms[self.kind.currentData()])
        self._show_keyring_state()

    def _show_quota(self) -> None:
        projection = youtube_quota(
            float(self.forms["youtube"].interval.value()), now=datetime.now(UTC)
        )
        text = projection.sentence()
        if projection.warn:
            text = "⚠ " + text + " Choose a longer interval."
        self.quota.setText(text)
        self.quota.setStyleSheet(f"color: {WARN if projection.warn else MUTED};")
        self.quota_warns = projection.warn

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Replay viewer counts", "", "CSV files (*.csv);;All files (*)"
        )
        if path:
            self.replay_file.setText(path)

    # --- keyring -----------------------------------------------------------------------------
    def _keyring_checked(self, problem: str | None) -> None:
        self.keyring_ok = problem is None
        self._keyring_problem = problem
        self._show_keyring_state()

    def _show_keyring_state(self) -> None:
        form = self.forms[self.kind.currentData()]
        blocked = bool(form.secrets) and self.keyring_ok is False and any(
            key in form.required for key in form.secrets
        )
        self.add_button.setEnabled(not blocked)
        if blocked:
            self._say(self._keyring_problem, BAD)
        elif self.keyring_ok is False and self.status.text() == self._keyring_problem:
            self._say("", MUTED)  # this kind keeps no secret: the warning is not about it

    # --- the list ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.bridge.list_sources(self._show_sources)

    def _show_sources(self, sources: list[AudienceSource]) -> None:
        self._sources = list(sources)
        self.table.setRowCount(len(sources))
        for row, source in enumerate(sources):
            self.table.setItem(row, 0, QTableWidgetItem(source.label))
            self.table.setItem(row, 1, QTableWidgetItem(KIND_NAMES.get(source.kind, source.kind)))
            self.table.setItem(row, 2, QTableWidgetItem(f"{source.interval:g} s"))
            box = QCheckBox()
            box.setChecked(source.enabled)
            box.setToolTip("Counted in the total and polled")
            box.toggled.connect(
                lambda on, source_id=source.id: self.bridge.set_enabled(
                    source_id, on, on_done=lambda _s: self.refresh()
                )
            )
            self.table.setCellWidget(row, 3, box)
            remove = QPushButton("Remove…")
            remove.setToolTip("Only a source that has counted no viewers (added by mistake)")
            remove.clicked.connect(lambda _checked=False, label=source.label: self.remove(label))
            self.table.setCellWidget(row, 4, remove)

    def enabled_box(self, label: str) -> QCheckBox:
        row = [s.label for s in self._sources].index(label)
        return self.table.cellWidget(row, 3)

    def labels(self) -> list[str]:
        return [source.label for source in self._sources]

    def remove(self, label: str) -> None:
        source = next(s for s in self._sources if s.label == label)
        answer = QMessageBox.question(
            self, "Remove source",
            f"Remove {label}? Only a source that has counted no viewers can go (with any gaps "
            "it noted), and its keys leave the keyring. One that has counted viewers stays on "
            "the record: switch it off instead.",
        )  # fmt: skip
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.bridge.remove_source(source.id, on_done=self._removed, on_error=self._failed)

    def _removed(self, source: AudienceSource) -> None:
        self._say(f"Removed {source.label}.", OK)
        self.refresh()

    # --- adding ------------------------------------------------------------------------------
    def add(self) -> None:
        kind = self.kind.currentData()
        form = self.forms[kind]
        if kind == "replay":
            path = self.replay_file.text().strip()
            if not path:
                self._say("Choose the CSV file to replay.", BAD)
                return
            self.add_button.setEnabled(False)
            self._say("Reading the file…", MUTED)
            self.bridge.add_replay(
                path, float(self.replay_speed.value()), on_done=self._replay_added,
                on_error=self._failed,
            )
            return
        missing = form.missing()
        if missing:
            self._say("Still needed: " + ", ".join(m.replace("_", " ") for m in missing), BAD)
            return
        self.add_button.setEnabled(False)
        self.bridge.add_source(
            kind, form.label.text().strip(), form.config(), secrets=form.secret_values(),
            interval=form.interval.value(), on_done=self._added, on_error=self._failed,
        )

    def _added(self, source: AudienceSource) -> None:
        self.forms[source.kind].clear()
        self.add_button.setEnabled(True)
        where = " (its secret is in the keyring)" if source.kind in ("youtube", "twitch") else ""
        self._say(f"Added {source.label}{where}.", OK)
        self.refresh()

    def _replay_added(self, sources: list[AudienceSource], problems: list[str]) -> None:
        self.add_button.setEnabled(True)
        text = f"Replaying at ×{self.replay_speed.value():g}: " + ", ".join(
            source.label for source in sources
        ) + "."
        if problems:
            text += f"\n{len(problems)} bad row(s) left out, the good ones kept:\n" + "\n".join(
                problems[:20]
            )
            if len(problems) > 20:
                text += f"\n… and {len(problems) - 20} more"
        self._say(text, WARN if problems else OK)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.add_button.setEnabled(True)
        self._say(str(exc) or type(exc).__name__, BAD)

    def _say(self, text: str | None, colour: str) -> None:
        self.status.setText(text or "")
        self.status.setStyleSheet(f"color: {colour};")
