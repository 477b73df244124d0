"""Dialogs that say more once open (a refusal, what the keyring holds): they grow to show it.

A top-level window whose layout has word-wrapped labels gets no minimum height from Qt (it
depends on the width), so a sentence set after the dialog opened would be cut short."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from commsdesk.ui.theme import BAD


def problem_label() -> QLabel:
    """A refusal beside its field, in the desk's colour for it."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {BAD};")
    return label


def grow_to_fit(dialog: QWidget) -> None:
    """Make `dialog` tall enough for what it says now, within its screen."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    width = dialog.width()
    wanted = (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
              else layout.totalSizeHint().height())  # fmt: skip
    screen = dialog.screen()
    if screen is not None:
        wanted = min(wanted, screen.availableGeometry().height() - 48)
    if wanted > dialog.height():
        dialog.resize(width, wanted)
