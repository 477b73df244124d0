"""Pause all posting: says what stops (every post, on every path) and how a person overrides it,
asks why, and stays open with the reason a refusal gives (an empty reason is refused by the use
case, never dropped here)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from commsdesk.scheduling.ui.bridge import ScheduleBridge
from commsdesk.ui.theme import BAD

WHAT_STOPS = (
    "<b>Every post stops</b> until someone resumes, from every desk on this database:"
    "<ul>"
    "<li>scheduled posts (one that falls due meanwhile waits for review);</li>"
    "<li>Post now from any desk, and posts from the command line;</li>"
    "<li>threads going out now, before their next part (they continue on resume).</li>"
    "</ul>"
    "To post anyway a person overrides the pause by name: Post now asks, and the command line "
    "takes <tt>--despite-pause</tt>. Each override goes on the timeline with this reason."
)


class PauseDialog(QDialog):
    """Runs `PostScheduler.pause` itself, so that a refusal is said here, in the dialog."""

    def __init__(self, schedule: ScheduleBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.schedule = schedule
        self.setWindowTitle("Pause all posting")
        self.setMinimumWidth(520)
        self.what = QLabel(WHAT_STOPS)
        self.what.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why? e.g. Facts under review (goes on the timeline)")
        self.reason.textEdited.connect(lambda _text: self.problem.clear())
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {BAD};")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.pause_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.pause_button.setText("Pause all posting")
        self.buttons.accepted.connect(self.pause)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what)
        layout.addWidget(QLabel("Reason:"))
        layout.addWidget(self.reason)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    def pause(self) -> None:
        """Ask the scheduler to pause; close when it has, or say why it would not."""
        from commsdesk.scheduling.scheduler import PostScheduler

        self.pause_button.setEnabled(False)
        self.problem.clear()
        self.schedule.call(
            PostScheduler.pause, self.reason.text(), as_operator=True,
            on_done=self._paused, on_error=self._refused,
        )

    def _paused(self, _state) -> None:
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.pause_button.setEnabled(True)
        self.problem.setText(str(exc) or type(exc).__name__)
        self.reason.setFocus()
