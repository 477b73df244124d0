"""The statements list as a table model: one model over plain rows, never a widget per row."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from commsdesk.statements.statement import Statement, StatementState
from commsdesk.ui.table_model import RowsTableModel
from commsdesk.ui.theme import STATE_COLOURS

COLUMNS = ("State", "Title", "Ver.", "Updated", "By")


class StatementListModel(RowsTableModel):
    """All statements of the incident; `rows` are those the filters let through, in sort order."""

    columns = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._all: list[Statement] = []
        self._row_of: dict[int, int] = {}
        self._state: str | None = None
        self._needle = ""
        self._sort = (3, Qt.SortOrder.DescendingOrder)

    # --- content ---------------------------------------------------------------------------
    def set_statements(self, statements: list[Statement]) -> None:
        self._all = list(statements)
        self._refilter()

    def update_statement(self, statement: Statement) -> None:
        for i, known in enumerate(self._all):
            if known.id == statement.id:
                self._all[i] = statement
                break
        else:
            self._all.insert(0, statement)
        row = self._row_of.get(statement.id)
        if row is not None and self._accepts(statement):
            self.rows[row] = statement
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        else:
            self._refilter()

    def set_filter(self, *, state: str | None = None, text: str = "") -> None:
        self._state = state
        self._needle = text.strip().casefold()
        self._refilter()

    def is_filtered(self) -> bool:
        return bool(self._state or self._needle)

    def state_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for statement in self._all:
            counts[statement.state.value] = counts.get(statement.state.value, 0) + 1
        return counts

    def total(self) -> int:
        return len(self._all)

    def statement_at(self, row: int) -> Statement:
        return self.rows[row]

    def row_of(self, statement_id: int) -> int | None:
        return self._row_of.get(statement_id)

    def knows(self, statement_id: int) -> bool:
        return any(s.id == statement_id for s in self._all)

    def _accepts(self, s: Statement) -> bool:
        if self._state and s.state.value != self._state:
            return False
        return not self._needle or self._needle in s.title.casefold() or (
            self._needle in s.body.casefold()
        )

    def _refilter(self) -> None:
        self.beginResetModel()
        rows = [s for s in self._all if self._accepts(s)] if self.is_filtered() else list(self._all)
        column, order = self._sort
        rows.sort(key=SORT_KEYS[column], reverse=order == Qt.SortOrder.DescendingOrder)
        self.rows = rows
        self._row_of = {s.id: i for i, s in enumerate(rows)}
        self.endResetModel()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """One C-level list sort; never a Python call per comparison."""
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self.rows.sort(key=SORT_KEYS[column], reverse=order == Qt.SortOrder.DescendingOrder)
        self._row_of = {s.id: i for i, s in enumerate(self.rows)}
        self.layoutChanged.emit()

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        s = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return s.status[0]  # "Missed: review" for a scheduled post a person must review
            if col == 1:
                return s.title
            if col == 2:
                return f"v{s.version_number}"
            if col == 3:
                return _when(s.updated_at)
            if col == 4:
                return s.version_author
        elif role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QColor(STATE_COLOURS[s.status[1]])
        elif role == Qt.ItemDataRole.ToolTipRole:
            preview = s.body[:300] + ("…" if len(s.body) > 300 else "")
            return f"{s.title}\n{s.status[0]} · v{s.version_number}\n\n{preview}"
        return None


SORT_KEYS = {
    0: lambda s: list(StatementState).index(s.state),
    1: lambda s: s.title.casefold(),
    2: lambda s: s.version_number,
    3: lambda s: s.updated_at,
    4: lambda s: s.version_author.casefold(),
}


def _when(moment: datetime) -> str:
    now = datetime.now(UTC)
    if moment.date() == now.date():
        return f"{moment:%H:%M}"
    return f"{moment:%d %b %H:%M}"
