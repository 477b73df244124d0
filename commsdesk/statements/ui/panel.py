"""Statements panel: the incident's statements on the left, the one being worked on at the right.

The list follows every change: this desk's own (`statement_changed`), the scheduler's
(`statements_changed`: the whole list is read again) and those made elsewhere, by the command line
or another desk, which reach it as timeline events (`events_arrived`): the rows they name are read
again, and a statement new to this desk is added without taking the editor away from the one in
hand.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from commsdesk.incidents.incident import Incident
from commsdesk.statements.statement import Statement, StatementState
from commsdesk.statements.ui.editor import StatementEditor
from commsdesk.statements.ui.list_model import StatementListModel
from commsdesk.statements.ui.versions_dialog import VersionsDialog
from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.lanes import Lane
from commsdesk.ui.theme import MUTED

# Opening onto an incident, the newest rows are listed first (a screenful and more), then all.
FIRST_ROWS = 100


class StatementsPanel(QWidget):
    first_listed = Signal(int)  # the newest rows are on screen (how many), the rest to come
    loaded = Signal(int)  # how many statements the list holds
    counts_changed = Signal(dict)  # state value -> how many statements are in it

    def __init__(self, bridge: DeskBridge, text_lane: Lane, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.incident: Incident | None = None
        self.templates: list = []
        self.model = StatementListModel(self)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter statements (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.state_filter = QComboBox()
        self.state_filter.addItem("All states", None)
        for state in StatementState:
            self.state_filter.addItem(state.label, state.value)
        self.state_filter.currentIndexChanged.connect(self._filter)
        self.new_button = QPushButton("New statement")
        self.new_button.setToolTip("Blank statement (Ctrl+N), or start from a template")
        self.template_menu = QMenu(self)
        self.new_button.setMenu(self.template_menu)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (0, 2, 3):  # as wide as what they hold: the title gets the rest
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionHidden(4, True)  # the author is in the tooltip and the editor
        # The version is in the editor too: at 1280×720 the list has room for titles only
        # without it.
        header.setSectionHidden(2, True)
        self.table.setWordWrap(False)
        # Cut in the middle: "Holding stat…hot wallet" and "Holding stat…second update" are
        # told apart where the list is narrow (1280×720), as their ends differ.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet(f"color: {MUTED}; padding: 20px;")

        list_side = QWidget()
        ll = QVBoxLayout(list_side)
        ll.setContentsMargins(6, 6, 0, 6)
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(self.state_filter)
        ll.addLayout(row)
        ll.addWidget(self.new_button)
        ll.addWidget(self.table, 1)
        ll.addWidget(self.empty)

        self.editor = StatementEditor(bridge, text_lane)
        self.editor.versions_requested.connect(self._show_versions)
        self.editor.statement_loaded.connect(self._remember_open)
        self._write_into: int | None = None  # a new draft, to type into once it is shown
        self.editor.statement_loaded.connect(self._focus_text)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(list_side)
        split.addWidget(self.editor)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([430, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

        bridge.statement_changed.connect(self._statement_changed)
        bridge.statements_changed.connect(lambda: self.reload())
        self._reselect_id: int | None = None
        self.set_incident(None)

    # --- loading ---------------------------------------------------------------------------
    def set_templates(self, templates: list) -> None:
        self.templates = templates
        self.template_menu.clear()
        blank = self.template_menu.addAction("Blank statement")
        blank.setShortcutVisibleInContextMenu(True)
        blank.triggered.connect(lambda: self.new_statement())
        self.template_menu.addSeparator()
        for template in templates:
            action = self.template_menu.addAction(template.title)
            action.setToolTip(template.description)
            action.triggered.connect(
                lambda _=False, t=template: self.new_statement(t.title, t.source)
            )

    def set_incident(self, incident: Incident | None) -> None:
        changed = (incident and incident.id) != (self.incident and self.incident.id)
        self.incident = incident
        self.editor.set_incident(incident)
        self.new_button.setEnabled(incident is not None)
        if incident is None:
            self.model.set_statements([])
            self.editor.show_statement(None)
            self._update_empty()
            self.counts_changed.emit(self.state_counts())  # "1 awaiting approval" goes too
        elif changed:
            self.reload(select_id=self.bridge.settings.get("last_statement_id") or None,
                        newest_first=True)  # fmt: skip

    def reload(self, select_id: int | None = None, *, newest_first: bool = False) -> None:
        """List the incident's statements again; `newest_first` shows the newest FIRST_ROWS
        before reading them all (opening onto an incident)."""
        if self.incident is None:
            return
        from commsdesk.desk import Desk  # here, not at module level: see the bridge

        self._reselect_id = select_id or (self.editor.statement and self.editor.statement.id)
        if newest_first:
            incident_id = self.incident.id
            self.bridge.query(
                Desk.list_statements, incident_id, limit=FIRST_ROWS,
                on_done=lambda rows: self._listed_first(incident_id, rows), key="list-first",
            )  # fmt: skip
        self.bridge.query(
            Desk.list_statements, self.incident.id, on_done=self._listed, key="list-statements"
        )

    def _listed_first(self, incident_id: int, statements: list[Statement]) -> None:
        if self.incident is None or self.incident.id != incident_id:
            return
        self.model.set_statements(statements)
        self._update_empty()
        wanted = self._reselect_id  # kept: the whole list selects it again
        if wanted is not None and self.model.row_of(wanted) is not None:
            self.select(wanted)
        elif wanted is None and self.editor.statement is None and self.model.rowCount():
            self.select(self.model.statement_at(0).id)
            self._reselect_id = self.editor.statement and self.editor.statement.id
        self.first_listed.emit(len(statements))

    def _listed(self, statements: list[Statement]) -> None:
        self.model.set_statements(statements)
        self._update_empty()
        shown = self.editor.statement
        if shown is not None:
            fresh = next((s for s in statements if s.id == shown.id), None)
            if fresh is not None:
                self.editor.statement_updated(fresh)
        wanted = self._reselect_id
        self._reselect_id = None
        if wanted is not None and self.model.row_of(wanted) is not None:
            self.select(wanted)
        elif self.editor.statement is None and self.model.rowCount():
            self.select(self.model.statement_at(0).id)
        self.loaded.emit(len(statements))
        self.counts_changed.emit(self.state_counts())

    def state_counts(self) -> dict[str, int]:
        return self.model.state_counts()

    def _filter(self) -> None:
        current = self.editor.statement
        self.model.set_filter(state=self.state_filter.currentData(), text=self.search.text())
        if current is not None and self.model.row_of(current.id) is not None:
            self._select_row(self.model.row_of(current.id))

    def _update_empty(self) -> None:
        if self.incident is None:
            self.empty.setText("No active incident.\nStart one (Ctrl+I) to draft statements.")
        elif self.model.total() == 0:
            self.empty.setText("No statements yet.\nNew statement (Ctrl+N) or pick a template.")
        else:
            self.empty.setText("")
        self.empty.setVisible(bool(self.empty.text()))

    def select(self, statement_id: int) -> None:
        if not self.model.knows(statement_id):
            return
        if self.model.row_of(statement_id) is None:  # filtered out: clear the filters
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.state_filter.blockSignals(True)
            self.state_filter.setCurrentIndex(0)
            self.state_filter.blockSignals(False)
            self.model.set_filter()
        self._select_row(self.model.row_of(statement_id))

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    # --- reacting -------------------------------------------------------------------------
    def _row_changed(self, current, _previous) -> None:
        if not current.isValid():
            return
        statement = self.model.statement_at(current.row())
        if self.editor.statement is None or self.editor.statement.id != statement.id:
            self.editor.show_statement(statement)

    def _statement_changed(self, statement: Statement) -> None:
        if self.incident is None or statement.incident_id != self.incident.id:
            return
        is_new = not self.model.knows(statement.id)
        self.model.update_statement(statement)
        self._update_empty()
        self.counts_changed.emit(self.state_counts())
        if is_new:
            QTimer.singleShot(0, lambda: self.select(statement.id))

    def events_arrived(self, events: list) -> None:
        """Timeline events newer than those shown (from any desk or the command line): read the
        statements they name again, and the approval policy when it changed (with or without an
        incident open: a drill puts the approvals back after closing its own)."""
        from commsdesk.desk import Desk

        if any(e.kind == "desk.policy" for e in events):
            self.bridge.query(Desk.approval_policy, on_done=self._policy_read)
        if self.incident is None:
            return
        ids = list(dict.fromkeys(e.statement_id for e in events if e.statement_id is not None))
        if ids:
            self.bridge.query(_statements, ids, on_done=self._arrived)

    def _arrived(self, statements: list[Statement]) -> None:
        for statement in statements:
            if self.incident is None or statement.incident_id != self.incident.id:
                continue
            self.model.update_statement(statement)
            self.editor.statement_updated(statement)
        self._update_empty()
        self.counts_changed.emit(self.state_counts())

    def _policy_read(self, policy) -> None:
        self.bridge.required_approvals = policy.required
        self.editor.refresh()

    def _remember_open(self, statement_id: int) -> None:
        settings = self.bridge.settings
        if settings.set("last_statement_id", statement_id):
            self.bridge.lane.submit(settings.save, settings.snapshot())

    # --- actions --------------------------------------------------------------------------
    def new_statement(self, title: str = "", body: str = "") -> None:
        """A new draft under the incident, opened with the cursor in its text."""
        if self.incident is None:
            self.bridge.refused.emit(
                "Start an incident first (Ctrl+I): every statement belongs to one, and its facts "
                "fill the statement's placeholders."
            )
            return
        from commsdesk.desk import Desk

        self.editor.flush()
        count = self.model.total() + 1
        self.bridge.act(
            Desk.create_statement,
            self.incident.id,
            title or f"Statement {count}",
            body,
            on_done=self._write_in,
        )

    def _write_in(self, statement: Statement) -> None:
        """The keyboard goes into the new draft's text once the editor shows it (now, or when
        the list has caught up with the new row)."""
        self._write_into = statement.id
        self._reselect_id = statement.id  # a listing already on its way selects it, not the last
        if not self.model.knows(statement.id):  # before the list hears of it (another desk's
            self.model.update_statement(statement)  # feed, or the reload, may come later)
            self._update_empty()
        self.select(statement.id)
        if self.editor.statement is not None and self.editor.statement.id == statement.id:
            self._focus_text(statement.id)

    def _focus_text(self, statement_id: int) -> None:
        if statement_id == self._write_into:
            self._write_into = None
            self.editor.body.setFocus()

    def focus_filter(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _show_versions(self, statement_id: int) -> None:
        from commsdesk.desk import Desk

        def show(versions) -> None:
            statement = self.editor.statement
            if statement is None or statement.id != statement_id:
                return
            dialog = VersionsDialog(
                statement.title,
                versions,
                can_restore=not self.editor.body.isReadOnly(),
                parent=self,
            )
            dialog.restore_requested.connect(lambda vid: self._restore(statement_id, vid))
            dialog.open()

        self.bridge.query(Desk.versions, statement_id, on_done=show)

    def _restore(self, statement_id: int, version_id: int) -> None:
        from commsdesk.desk import Desk

        def restored(_version) -> None:
            self.bridge.query(Desk.statement, statement_id, on_done=self._reload_into_editor)

        self.bridge.act(Desk.restore_version, statement_id, version_id, on_done=restored)

    def _reload_into_editor(self, statement: Statement) -> None:
        self.bridge.statement_changed.emit(statement)
        if self.editor.statement and self.editor.statement.id == statement.id:
            self.editor.show_statement(statement)


def _statements(desk, ids: list[int]) -> list[Statement]:
    """The statements with these ids as stored now (call on the database lane)."""
    return [desk.statement(statement_id) for statement_id in ids]
