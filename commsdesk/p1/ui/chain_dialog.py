"""Desk → P-1 call chain…: who is called, in which order, how many rounds, the conference room
sent in the text, the phone account (kept in the keyring), and a test call.

Every change goes through `CallChain` on the P-1 lane; a refusal (a number not in +E.164 form,
a name in the chain already) is said beside its field, and what was typed stays.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commsdesk.p1.chain import DEFAULT_RING_SECONDS, RING_SECONDS, ROUNDS
from commsdesk.p1.ui.fitting import grow_to_fit, problem_label
from commsdesk.ui.theme import BAD, MUTED, OK


class ChainDialog(QDialog):
    """The people on the left; the rounds and room, the phone account and a test call on the
    right (the whole fits a 720-pixel screen)."""

    def __init__(self, bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.setWindowTitle("P-1 call chain")
        self.setMinimumWidth(920)
        layout = QVBoxLayout(self)
        intro = QLabel("P-1 calls these people in this order, one at a time, until one answers; "
                       "then it texts all of them. Every change goes on the timeline.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 11)
        columns.addLayout(right, 9)
        layout.addLayout(columns, 1)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Name", "Number", "Rings (s)"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 190)
        self.table.setColumnWidth(1, 150)
        self.table.setMinimumHeight(150)
        left.addWidget(self.table, 1)
        self.remove_button = QPushButton("&Remove…")
        self.remove_button.clicked.connect(self.remove)
        self.remove_problem = problem_label()
        row = QHBoxLayout()
        row.addWidget(self.remove_button)
        row.addWidget(self.remove_problem, 1)
        left.addLayout(row)
        left.addWidget(self._add_group())
        right.addWidget(self._settings_group())
        right.addWidget(self._account_group())
        right.addWidget(self._test_group())
        right.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.members = ()
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter acts in its own field only (see keyPressEvent)
        bridge.chain_view(self._show_chain, on_error=self._chain_unread)
        bridge.account_view(self._show_account, on_error=self._chain_unread)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Enter never clicks a button here: in a field it does that field's act (Add, Save);
        Esc closes."""
        from PySide6.QtCore import Qt

        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    # --- building ------------------------------------------------------------------------------
    def _add_group(self) -> QGroupBox:
        group = QGroupBox("Add a person at the end")
        form = QFormLayout(group)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Mira Chen")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("+44 20 7946 0000")
        self.ring = QSpinBox()
        self.ring.setRange(*RING_SECONDS)
        self.ring.setValue(DEFAULT_RING_SECONDS)
        self.ring.setSuffix(" s")
        self.add_button = QPushButton("&Add")
        self.add_button.clicked.connect(self.add)
        self.name_problem, self.phone_problem = problem_label(), problem_label()
        form.addRow("&Name", self.name)
        form.addRow("", self.name_problem)
        form.addRow("N&umber", self.phone)
        form.addRow("", self.phone_problem)
        rings = QHBoxLayout()
        rings.addWidget(self.ring)
        rings.addStretch(1)
        rings.addWidget(self.add_button)
        form.addRow("R&ings", rings)
        form.labelForField(rings).setBuddy(self.ring)
        for field in (self.name, self.phone):
            field.returnPressed.connect(self.add)
        self.name.textEdited.connect(lambda _t: self.name_problem.clear())
        self.phone.textEdited.connect(lambda _t: self.phone_problem.clear())
        return group

    def _settings_group(self) -> QGroupBox:
        group = QGroupBox("Rounds and the conference room")
        form = QFormLayout(group)
        self.rounds = QSpinBox()
        self.rounds.setRange(*ROUNDS)
        self.rounds.setToolTip("How many times round the chain at most before it gives up")
        self.room = QLineEdit()
        self.room.setPlaceholderText("https://meet.example.com/p1 (sent in the text)")
        self.save_settings = QPushButton("Sa&ve rounds and room")
        self.save_settings.clicked.connect(self.save_rounds_and_room)
        self.room.returnPressed.connect(self.save_rounds_and_room)
        rounds = QHBoxLayout()
        rounds.addWidget(self.rounds)
        rounds.addStretch(1)
        rounds.addWidget(self.save_settings)
        form.addRow("R&ounds", rounds)
        form.labelForField(rounds).setBuddy(self.rounds)
        form.addRow("Conference &room", self.room)
        self.settings_problem = problem_label()
        form.addRow(self.settings_problem)
        return group

    def _account_group(self) -> QGroupBox:
        group = QGroupBox("Phone account (Twilio), kept in this computer's keyring")
        form = QFormLayout(group)
        self.account_sid = QLineEdit()
        self.account_sid.setPlaceholderText("AC…")
        self.auth_token = QLineEdit()
        self.auth_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.from_number = QLineEdit()
        self.from_number.setPlaceholderText("+1 555 010 0000")
        self.save_account_button = QPushButton("Save to &keyring")
        self.save_account_button.clicked.connect(self.save_account)
        form.addRow("Account &SID", self.account_sid)
        form.addRow("Auth &token", self.auth_token)
        form.addRow("Calls come &from", self.from_number)
        form.addRow("", self.save_account_button)
        self.account_state = QLabel("Reading the keyring…")
        self.account_state.setWordWrap(True)
        self.account_state.setStyleSheet(f"color: {MUTED};")
        self.account_problem = problem_label()
        form.addRow(self.account_problem)
        form.addRow(self.account_state)
        return group

    def _test_group(self) -> QGroupBox:
        group = QGroupBox("Test a number")
        box = QVBoxLayout(group)
        row = QHBoxLayout()
        self.test_number = QLineEdit()
        self.test_number.setPlaceholderText("Your own number, +44 …")
        self.test_button = QPushButton("&Call me now")
        self.test_button.clicked.connect(self.call_me_now)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        row.addWidget(self.test_number, 1)
        row.addWidget(self.test_button)
        box.addLayout(row)
        box.addWidget(self.test_result)
        return group

    # --- what the desk holds -------------------------------------------------------------------
    def _show_chain(self, view) -> None:
        self.members = view.members
        self.table.setRowCount(len(view.members))
        for row, member in enumerate(view.members):
            for column, text in enumerate((member.name, member.phone, str(member.ring_seconds))):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.remove_button.setEnabled(bool(view.members))
        self.rounds.setValue(view.rounds)
        if not self.room.hasFocus():
            self.room.setText(view.room)

    def _chain_unread(self, exc: BaseException) -> None:
        from commsdesk.p1.ui.bridge import one_line

        self.remove_problem.setText(one_line(exc))
        grow_to_fit(self)

    def _show_account(self, view) -> None:
        if view.keyring_problem:
            self.account_state.setText(view.keyring_problem)
            self.account_state.setStyleSheet(f"color: {BAD};")
            for field in (self.account_sid, self.auth_token, self.from_number,
                          self.save_account_button):  # fmt: skip
                field.setEnabled(False)
        else:
            self.account_sid.setText(view.account_sid)
            self.from_number.setText(view.from_number)
            self.auth_token.clear()
            self.auth_token.setPlaceholderText(
                "stored: type to replace" if view.token_stored else "")
            stored = view.account_sid and view.token_stored and view.from_number
            self.account_state.setText(
                f"Stored in the keyring: calls and texts come from {view.from_number}."
                if stored else "No account stored yet: without one only drills can call "
                "(their calls are pretend)."
            )  # fmt: skip
            self.account_state.setStyleSheet(f"color: {OK if stored else MUTED};")
        if view.from_environment:
            self.account_state.setText(self.account_state.text() + " The COMMSDESK_TWILIO_* "
                                       "variables are set and are used first.")  # fmt: skip
        grow_to_fit(self)

    # --- acts ------------------------------------------------------------------------------------
    def add(self) -> None:
        self.add_button.setEnabled(False)
        self.name_problem.clear()
        self.phone_problem.clear()
        self.bridge.add(self.name.text(), self.phone.text(), self.ring.value(),
                        on_done=self._added, on_error=self._add_refused)  # fmt: skip

    def _added(self, view) -> None:
        self.add_button.setEnabled(True)
        self.name.clear()
        self.phone.clear()
        self.ring.setValue(DEFAULT_RING_SECONDS)
        self._show_chain(view)
        self.name.setFocus()

    def _add_refused(self, exc: BaseException) -> None:
        from commsdesk.p1.ui.bridge import one_line

        self.add_button.setEnabled(True)
        field = getattr(exc, "field", "name")
        label, widget = ((self.phone_problem, self.phone) if field == "phone"
                         else (self.name_problem, self.name))  # fmt: skip
        label.setText(one_line(exc))
        widget.setFocus()
        grow_to_fit(self)

    def remove(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.members):
            self.remove_problem.setText("Pick the person to take out first.")
            return
        name = self.members[row].name
        answer = QMessageBox.question(
            self, "Take out of the P-1 chain?",
            f"Take {name} out of the P-1 call chain? A chain running now still calls them.",
        )  # fmt: skip
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.remove_problem.clear()
        self.bridge.remove(name, on_done=self._show_chain, on_error=self._chain_unread)

    def save_rounds_and_room(self) -> None:
        self.settings_problem.clear()
        rounds, room = self.rounds.value(), self.room.text()

        def rounds_saved(_view) -> None:
            self.bridge.set_room(room, on_done=self._settings_saved, on_error=refused)

        def refused(exc: BaseException) -> None:
            from commsdesk.p1.ui.bridge import one_line

            self.settings_problem.setStyleSheet(f"color: {BAD};")
            self.settings_problem.setText(one_line(exc))
            grow_to_fit(self)
            (self.room if getattr(exc, "field", "") == "room" else self.rounds).setFocus()

        self.bridge.set_rounds(rounds, on_done=rounds_saved, on_error=refused)

    def _settings_saved(self, view) -> None:
        self._show_chain(view)
        self.settings_problem.setStyleSheet(f"color: {OK};")
        self.settings_problem.setText(f"Saved: {view.rounds} round(s), room "
                                      f"{view.room or 'none'}.")  # fmt: skip

    def save_account(self) -> None:
        self.account_problem.clear()
        self.bridge.save_account(self.account_sid.text(), self.auth_token.text(),
                                 self.from_number.text(), on_done=self._account_saved,
                                 on_error=self._account_refused)  # fmt: skip

    def _account_saved(self, view) -> None:
        self._show_account(view)

    def _account_refused(self, exc: BaseException) -> None:
        from commsdesk.p1.ui.bridge import one_line

        self.account_problem.setText(one_line(exc))
        grow_to_fit(self)
        field = {"sid": self.account_sid, "token": self.auth_token,
                 "from": self.from_number}.get(getattr(exc, "field", ""))  # fmt: skip
        if field is not None:
            field.setFocus()

    def call_me_now(self) -> None:
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet(f"color: {MUTED};")
        self.test_result.setText("Placing the test call…")
        self.bridge.call_me_now(self.test_number.text(), on_done=self._calling,
                                on_error=self._not_calling)  # fmt: skip

    def _calling(self, number: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setStyleSheet(f"color: {OK};")
        self.test_result.setText(f"Calling {number}: answer to hear “This is a test call from "
                                 "CommsDesk”. The call is on the timeline.")  # fmt: skip

    def _not_calling(self, exc: BaseException) -> None:
        from commsdesk.p1.ui.bridge import one_line

        self.test_button.setEnabled(True)
        self.test_result.setStyleSheet(f"color: {BAD};")
        self.test_result.setText(one_line(exc))
        grow_to_fit(self)
        self.test_number.setFocus()
