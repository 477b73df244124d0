"""Labels that change their text often without laying out their panel again.

A QLabel whose size follows its text asks its parents to lay out again whenever a new text
changes its size hint ("9,800" → "10,200", a number → "—"), and that relayout runs up through
the dock to the main window and repaints all of it: 10–25 ms of UI time for a changed digit.
A steady label has a fixed size that only ever grows: a text that fits changes only its pixels;
a longer one than ever before widens it once. A `Holder` does the same for a part of a panel
whose width follows the panel: whatever changes inside it stays inside.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


def make_steady(label: QLabel, *widest: str) -> QLabel:
    """Fix the label's size to fit its text and each of `widest` (texts it is expected to show)."""
    label.ensurePolished()  # a style sheet's padding counts in the size
    current = label.text()
    width, height = label.sizeHint().width(), label.sizeHint().height()
    for text in widest:
        label.setText(text)
        hint = label.sizeHint()
        width, height = max(width, hint.width()), max(height, hint.height())
    label.setText(current)
    label.setFixedSize(width, height)
    return label


def set_steady_text(label: QLabel, text: str) -> None:
    """Show `text` in a steady label, widening it only when the text needs more room."""
    if label.text() == text:
        return
    label.setText(text)  # a fixed-size label does not ask for a relayout
    hint = label.sizeHint()
    width, height = label.minimumWidth(), label.minimumHeight()
    if hint.width() > width or hint.height() > height:
        label.setFixedSize(max(hint.width(), width), max(hint.height(), height))


class Holder(QWidget):
    """Holds one widget, filling it: the widget's size hints stop here.

    For a part of a panel whose content changes often but whose room should not (a status
    line, a word-wrapped message, a grid of buttons restyled on every switch): a layout change
    inside stays inside, and the panel is not laid out and repainted again for it. The holder
    takes the widget's height as it is when held; `refit()` takes it again, for a change worth
    a relayout (a new list of scenes)."""

    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widget = widget
        widget.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._hint = QSize()
        self.refit()

    def refit(self) -> None:
        widget = self.widget
        hint = widget.sizeHint()
        if widget.minimumHeight() == widget.maximumHeight():  # a fixed height is its room
            height = widget.minimumHeight()
        else:
            height = max(hint.height(), widget.minimumSizeHint().height())
        self._hint = QSize(hint.width(), height)
        self.setFixedHeight(self._hint.height())
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        return self._hint

    def minimumSizeHint(self) -> QSize:
        return QSize(min(self._hint.width(), self.widget.minimumSizeHint().width()),
                     self._hint.height())

    def resizeEvent(self, event) -> None:
        self.widget.setGeometry(0, 0, self.width(), self.height())
        super().resizeEvent(event)
