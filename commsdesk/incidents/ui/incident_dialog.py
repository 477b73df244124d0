"""Start or edit the incident: title, severity, start time, summary and the facts statements use.

Tab goes from field to field, once each: past the start time in one step (its parts are reached
with the arrow keys, and typing runs on from one to the next), out of the summary (it takes no
tab characters) and out of the facts table (arrows move in it; Tab goes on while editing a cell).

Esc, Cancel and closing the window leave at once when nothing was changed; with unsaved changes
they ask first ("Discard your changes to the incident?"), keeping the edits by default.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commsdesk.incidents.incident import Incident, InvalidFact, Severity, check_fact_name
from commsdesk.ui.theme import BAD


class StartedEdit(QDateTimeEdit):
    """A date-and-time field that Tab leaves, like any other field (Qt's walks its year, month,
    day, hour and minute first)."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 - Qt API
        return QWidget.focusNextPrevChild(self, next)


class IncidentDialog(QDialog):
    """Returns its values through `values()`; checks them before it closes, and asks before
    unsaved changes are thrown away."""

    DISCARD_QUESTION = "Discard your changes to the incident?"

    def __init__(
        self,
        incident: Incident | None = None,
        fact_suggestions: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit incident" if incident else "Start an incident")
        self.resize(620, 560)
        self.suggestions = fact_suggestions or {}
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.title = QLineEdit(incident.title if incident else "")
        self.title.setPlaceholderText("e.g. Cold-wallet breach: ETH withdrawals paused")
        self.severity = QComboBox()
        for sev in Severity:
            self.severity.addItem(f"{sev.value} — {sev.description}", sev)
        if incident:
            self.severity.setCurrentIndex(list(Severity).index(incident.severity))
        self.started = StartedEdit()
        self.started.setTimeZone(QTimeZone.utc())
        self.started.setDisplayFormat("yyyy-MM-dd HH:mm 'UTC'")
        self.started.setCalendarPopup(True)
        start = incident.started_at if incident else datetime.now(UTC)
        self.started.setDateTime(
            QDateTime.fromSecsSinceEpoch(int(start.timestamp()), QTimeZone.utc())
        )
        self.summary = QPlainTextEdit(incident.summary if incident else "")
        self.summary.setPlaceholderText("What happened, what is known, what is not yet known.")
        self.summary.setMaximumHeight(110)
        self.summary.setTabChangesFocus(True)
        form.addRow("Title", self.title)
        form.addRow("Severity", self.severity)
        form.addRow("Started", self.started)
        form.addRow("Summary", self.summary)
        layout.addLayout(form)

        layout.addWidget(QLabel("<b>Facts</b> — statements use them as {{ incident.name }}"))
        self.facts = QTableWidget(0, 2)
        self.facts.setHorizontalHeaderLabels(["Name", "Value"])
        self.facts.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.facts.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.facts.setTabKeyNavigation(False)
        for name, value in (incident.facts if incident else {}).items():
            self._add_fact(name, value)
        layout.addWidget(self.facts, 1)
        fact_row = QHBoxLayout()
        self.suggested = QComboBox()
        self.suggested.addItem("Add a fact the templates use…", None)
        for name, meaning in sorted(self.suggestions.items()):
            self.suggested.addItem(f"{name} — {meaning}", name)
        self.suggested.activated.connect(self._add_suggested)
        add = QPushButton("Add fact")
        add.clicked.connect(lambda: self._add_fact("", "", edit=True))
        remove = QPushButton("Remove fact")
        remove.clicked.connect(self._remove_selected)
        fact_row.addWidget(self.suggested, 1)
        fact_row.addWidget(add)
        fact_row.addWidget(remove)
        layout.addLayout(fact_row)

        self.error = QLabel()
        self.error.setStyleSheet(f"color: {BAD};")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.title.textChanged.connect(self._recheck)  # a problem put right is no longer said
        self.facts.itemChanged.connect(self._recheck)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(
            "Save" if incident else "Start incident"
        )
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.discard_box: QMessageBox | None = None
        self._as_opened = self._state()

    def _state(self) -> tuple:
        """What the person has entered, to tell whether anything was changed since opening."""
        rows = []
        for row in range(self.facts.rowCount()):
            cells = tuple(
                (item.text() if item else "").strip()
                for item in (self.facts.item(row, 0), self.facts.item(row, 1))
            )
            if any(cells):
                rows.append(cells)
        return (
            self.title.text().strip(),
            self.severity.currentIndex(),
            self.started.dateTime().toSecsSinceEpoch(),
            self.summary.toPlainText().strip(),
            tuple(rows),
        )

    def has_changes(self) -> bool:
        return self._state() != self._as_opened

    def reject(self) -> None:
        """Esc, Cancel and the window's close button: at once when nothing was changed, else
        only once the person chooses to discard the changes (Keep editing is the default)."""
        if not self.has_changes():
            super().reject()
            return
        if self.discard_box is not None and self.discard_box.isVisible():
            self.discard_box.raise_()
            return
        box = self.discard_box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.windowTitle())
        box.setText(self.DISCARD_QUESTION)
        discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def answered() -> None:
            if box.clickedButton() is discard:
                QDialog.reject(self)

        box.finished.connect(answered)
        box.open()

    def values(self) -> dict:
        started = self.started.dateTime().toSecsSinceEpoch()
        return {
            "title": " ".join(self.title.text().split()),
            "severity": Severity(self.severity.currentData()),
            "summary": self.summary.toPlainText().strip(),
            "facts": self._facts(),
            "started_at": datetime.fromtimestamp(started, UTC),
        }

    def _facts(self) -> dict[str, str]:
        facts: dict[str, str] = {}
        for row in range(self.facts.rowCount()):
            name_item, value_item = self.facts.item(row, 0), self.facts.item(row, 1)
            name = (name_item.text() if name_item else "").strip()
            value = (value_item.text() if value_item else "").strip()
            if name:
                facts[name] = value
        return facts

    def _recheck(self, *_args) -> None:
        if self.error.text():
            self.error.setText(self._problem() or "")

    def _accept_if_valid(self) -> None:
        problem = self._problem()
        if problem:
            self.error.setText(problem)
            return
        self.accept()

    def _problem(self) -> str | None:
        if not self.values()["title"]:
            return "Give the incident a title: it heads the desk and the timeline."
        seen: set[str] = set()
        for row in range(self.facts.rowCount()):
            item = self.facts.item(row, 0)
            name = (item.text() if item else "").strip()
            if not name:
                continue
            try:
                check_fact_name(name)
            except InvalidFact as exc:
                return str(exc)
            if name in seen:
                return f"The fact {name!r} is listed twice."
            seen.add(name)
        return None

    def _add_fact(self, name: str, value: str, *, edit: bool = False) -> None:
        row = self.facts.rowCount()
        self.facts.insertRow(row)
        self.facts.setItem(row, 0, QTableWidgetItem(name))
        self.facts.setItem(row, 1, QTableWidgetItem(value))
        if name in self.suggestions:
            self.facts.item(row, 0).setToolTip(self.suggestions[name])
        if edit:
            self.facts.setCurrentCell(row, 0)
            self.facts.editItem(self.facts.item(row, 0))

    def _add_suggested(self, index: int) -> None:
        name = self.suggested.itemData(index)
        self.suggested.setCurrentIndex(0)
        if not name or name in self._facts():
            return
        self._add_fact(name, "")
        self.facts.setCurrentCell(self.facts.rowCount() - 1, 1)
        self.facts.editItem(self.facts.item(self.facts.rowCount() - 1, 1))

    def _remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.facts.selectedIndexes()}, reverse=True)
        for row in rows:
            self.facts.removeRow(row)


class PastIncidentsDialog(QDialog):
    """Every incident this desk has worked, newest first."""

    def __init__(self, incidents: list[Incident], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Incidents")
        self.resize(720, 360)
        layout = QVBoxLayout(self)
        table = QTableWidget(len(incidents), 5)
        table.setHorizontalHeaderLabels(["Severity", "Title", "Started (UTC)", "Closed", "Ran"])
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, inc in enumerate(incidents):
            closed = f"{inc.closed_at:%Y-%m-%d %H:%M}" if inc.closed_at else "active"
            ran = inc.elapsed_label(datetime.now(UTC))
            for col, text in enumerate(
                [inc.severity.value, inc.title, f"{inc.started_at:%Y-%m-%d %H:%M}", closed, ran]
            ):
                item = QTableWidgetItem(text)
                item.setToolTip(inc.summary)
                table.setItem(row, col, item)
        layout.addWidget(table)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
