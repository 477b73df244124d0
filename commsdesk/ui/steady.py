"""Labels that change their text often without laying out their panel again.

A QLabel whose size follows its text asks its parents to lay out again whenever a new text
changes its size hint ("9,800" → "10,200", a number → "—"), and that relayout runs up through
the dock to the main window and repaints all of it: 10–25 ms of UI time for a changed digit.
A steady label has a fixed size that only ever grows: a text that fits changes only its pixels;
a longer one than ever before widens it once.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


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
