"""P-1 status: the latest chain, each call and how it ended, the texts and the replies; kept up
to date while open. Acknowledge and Cancel chain are here too, for the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from commsdesk.p1.ui import words
from commsdesk.ui.theme import BAD


class StatusDialog(QDialog):
    acknowledge_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("P-1 status")
        self.setMinimumSize(560, 380)
        layout = QVBoxLayout(self)
        self.pressed = QLabel()
        self.pressed.setWordWrap(True)
        self.pressed.setTextFormat(Qt.TextFormat.PlainText)
        self.state = QLabel()
        self.state.setStyleSheet("font-weight: 600;")
        self.calls = QListWidget()
        self.messages = QListWidget()
        self.messages.setMaximumHeight(120)
        layout.addWidget(self.pressed)
        layout.addWidget(self.state)
        layout.addWidget(QLabel("Calls, in order:"))
        layout.addWidget(self.calls, 1)
        layout.addWidget(QLabel("Texts and acknowledgements:"))
        layout.addWidget(self.messages)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.acknowledge_button = self.buttons.addButton(
            "&Acknowledge", QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton(
            "Cancel &chain…", QDialogButtonBox.ButtonRole.ActionRole)
        self.acknowledge_button.clicked.connect(self.acknowledge_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        bridge.changed.connect(self.show_run)
        self.show_run(bridge.run)

    def show_run(self, run) -> None:
        self.acknowledge_button.setEnabled(run is not None)
        self.cancel_button.setEnabled(run is not None and run.running)
        self.calls.clear()
        self.messages.clear()
        if run is None:
            self.pressed.setText("P-1 has not been pressed on this desk.")
            self.state.setText("")
            return
        self.pressed.setText(words.pressed_line(run))
        self.state.setText(words.state_line(run))
        loud = run.state.value == "exhausted"
        self.state.setStyleSheet(f"font-weight: 700; color: {BAD};" if loud
                                 else "font-weight: 600;")  # fmt: skip
        self.calls.addItems(words.call_lines(run) or ["No call placed yet."])
        self.messages.addItems(words.message_lines(run) or ["No texts yet."])
