"""The drill's steps in a list, each with its state in words and in colour: waiting, running…,
done in N s with what it did, FAILED with the reason, or left out. The colours are set with
their background, so they read the same whatever the desk's theme; the words say it all too."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

STATES = {  # (text, background) of each state
    "waiting": ("#5f5f5f", "#ffffff"),
    "running": ("#0d47a1", "#e3f2fd"),
    "done": ("#1b5e20", "#e8f5e9"),
    "failed": ("#b71c1c", "#ffebee"),
    "left out": ("#5f5f5f", "#eeeeee"),
}
TITLE = "#212121"


def result_state(result) -> tuple[str, str]:
    """(kind, words) of a StepResult."""
    if result.ok:
        return "done", f"done in {result.seconds:.1f} s: {result.said}"
    return "failed", f"FAILED: {result.error}"


class StepsList(QTableWidget):
    def __init__(self, titles: list[str], parent=None) -> None:
        super().__init__(len(titles), 2, parent, accessibleName="Drill steps", wordWrap=True)
        self.setHorizontalHeaderLabels(["Step", "State"])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_: self.resizeRowsToContents())  # wrapped anew
        for row, title in enumerate(titles):
            self.setItem(row, 0, QTableWidgetItem(title))
            self.show_state(row, "waiting", "waiting")

    def show_state(self, row: int, kind: str, text: str) -> None:
        colour, background = STATES[kind]
        title, item = self.item(row, 0), QTableWidgetItem(text)
        title.setForeground(QColor(TITLE))
        item.setForeground(QColor(colour))
        item.setToolTip(text)
        font = item.font()
        font.setBold(kind in ("running", "failed"))
        item.setFont(font)
        for cell in (title, item):
            cell.setBackground(QBrush(QColor(background)))
        self.setItem(row, 1, item)
        self.resizeRowToContents(row)
        if kind == "running":
            self.scrollToItem(item)

    def state(self, row: int) -> str:
        return self.item(row, 1).text()
