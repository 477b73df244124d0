"""A panel for a capability the desk does not have yet: it says what will be here."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from commsdesk.ui.theme import MUTED


class ComingPanel(QWidget):
    def __init__(self, title: str, purpose: str, points: list[str], parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        heading = QLabel(title)
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        body = QLabel(purpose)
        body.setWordWrap(True)
        listing = QLabel("".join(f"<p>• {p}</p>" for p in points))
        listing.setWordWrap(True)
        listing.setTextFormat(Qt.TextFormat.RichText)
        self.status = QLabel("Not available in this version of the desk yet.")
        self.status.setStyleSheet(f"color: {MUTED}; font-style: italic;")
        for widget in (heading, body, listing, self.status):
            layout.addWidget(widget)
        layout.addStretch(1)
