"""The statements list as a table model: one model over plain rows, never a widget per row."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from commsdesk.domain.statement import Statement
from commsdesk.ui.theme import STATE_COLOURS

_ROOT = QModelIndex()
COLUMNS = ("State", "Title", "Ver.", "Updated", "By")
STATE_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


class StatementListModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Statement] = []
        self._row_of: dict[int, int] = {}

    def set_statements(self, statements: list[Statement]) -> None:
        self.beginResetModel()
        self._rows = list(statements)
        self._row_of = {s.id: i for i, s in enumerate(self._rows)}
        self.endResetModel()

    def update_statement(self, statement: Statement) -> None:
        row = self._row_of.get(statement.id)
        if row is None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._rows.insert(0, statement)
            self._row_of = {s.id: i for i, s in enumerate(self._rows)}
            self.endInsertRows()
            return
        self._rows[row] = statement
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def statement_at(self, row: int) -> Statement:
        return self._rows[row]

    def row_of(self, statement_id: int) -> int | None:
        return self._row_of.get(statement_id)

    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        s = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return s.state.label
            if col == 1:
                return s.title
            if col == 2:
                return f"v{s.version_number}"
            if col == 3:
                return _when(s.updated_at)
            if col == 4:
                return s.version_author
        elif role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QColor(STATE_COLOURS[s.state.value])
        elif role == Qt.ItemDataRole.ToolTipRole:
            preview = s.body[:300] + ("…" if len(s.body) > 300 else "")
            return f"{s.title}\n{s.state.label} · v{s.version_number}\n\n{preview}"
        elif role == Qt.ItemDataRole.UserRole:
            # Sort key: newest update first is the default order.
            return s.updated_at.timestamp() if col == 3 else self.data(index)
        elif role == STATE_ROLE:
            return s.state.value
        elif role == ID_ROLE:
            return s.id
        return None


def _when(moment: datetime) -> str:
    now = datetime.now(UTC)
    if moment.date() == now.date():
        return f"{moment:%H:%M}"
    return f"{moment:%d %b %H:%M}"


class StatementFilter(QSortFilterProxyModel):
    """Text matches title or body; a state filter narrows to one state."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._state: str | None = None
        self._needle = ""
        self.setSortRole(Qt.ItemDataRole.UserRole)

    def set_state(self, state: str | None) -> None:
        self._state = state
        self.invalidateFilter()

    def set_text(self, text: str) -> None:
        self._needle = text.strip().casefold()
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802 - Qt API
        s = self.sourceModel().statement_at(source_row)
        if self._state and s.state.value != self._state:
            return False
        if self._needle:
            return self._needle in s.title.casefold() or self._needle in s.body.casefold()
        return True
