"""Every saved version of a statement: view one, compare two, restore an old one."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from commsdesk.statements.statement import StatementVersion
from commsdesk.statements.version_diff import Op, diff_words, summary


class VersionsDialog(QDialog):
    restore_requested = Signal(int)  # version id

    def __init__(
        self, title: str, versions: list[StatementVersion], *, can_restore: bool, parent=None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Versions of “{title}”")
        self.resize(900, 560)
        self.versions = versions
        self.list = QListWidget()
        for v in reversed(versions):
            state = "" if v.sealed else " (being edited)"
            item = QListWidgetItem(
                f"v{v.number} · {v.author}\n{v.updated_at:%d %b %H:%M:%S} UTC{state}"
            )
            item.setData(Qt.ItemDataRole.UserRole, v.id)
            self.list.addItem(item)
        self.compare = QComboBox()
        self.compare.addItem("Show the text", None)
        for v in reversed(versions):
            self.compare.addItem(f"Compare with v{v.number}", v.id)
        self.change = QLabel()
        self.view = QTextBrowser()
        self.restore = QPushButton("Restore this version")
        self.restore.setEnabled(False)
        self.restore.setToolTip("Makes a new version with this text; nothing is lost")
        self.restore.setVisible(can_restore)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.compare)
        row.addWidget(self.change, 1)
        row.addWidget(self.restore)
        rl.addLayout(row)
        rl.addWidget(self.view, 1)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(self._show)
        self.compare.currentIndexChanged.connect(self._show)
        self.restore.clicked.connect(self._restore)
        if versions:
            self.list.setCurrentRow(0)
            if len(versions) > 1:
                self.compare.setCurrentIndex(2)  # the newest against the one before

    def _selected(self) -> StatementVersion | None:
        item = self.list.currentItem()
        if item is None:
            return None
        vid = item.data(Qt.ItemDataRole.UserRole)
        return next(v for v in self.versions if v.id == vid)

    def _show(self, *_args) -> None:
        version = self._selected()
        if version is None:
            return
        newest = self.versions[-1]
        self.restore.setEnabled(version.id != newest.id)
        other_id = self.compare.currentData()
        if other_id is None or other_id == version.id:
            self.change.setText("")
            self.view.setPlainText(version.body)
            return
        other = next(v for v in self.versions if v.id == other_id)
        old, new = (other, version) if other.number < version.number else (version, other)
        chunks = diff_words(old.body, new.body)
        self.change.setText(f"v{old.number} → v{new.number}: {summary(chunks)}")
        self.view.setHtml(_diff_html(chunks))

    def _restore(self) -> None:
        version = self._selected()
        if version is None:
            return
        answer = QMessageBox.question(
            self,
            "Restore version",
            f"Make v{version.number} the newest text again? It becomes a new version; "
            "the current text stays in the history.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restore_requested.emit(version.id)
            self.accept()


def _diff_html(chunks) -> str:
    out = []
    for chunk in chunks:
        text = html.escape(chunk.text).replace("\n", "<br>")
        if chunk.op is Op.ADDED:
            out.append(f"<span style='background:#c8e6c9'>{text}</span>")
        elif chunk.op is Op.REMOVED:
            out.append(
                f"<span style='background:#ffcdd2; text-decoration:line-through'>{text}</span>"
            )
        else:
            out.append(text)
    return "<div style='font-size:14px'>" + "".join(out) + "</div>"
