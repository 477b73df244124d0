"""Timeline panel: everything the desk did, newest first, filtered by kind, person and text.

Rows come from the database lane a page at a time; new events arrive by polling for what is newer
than the newest shown, so events written by the command line or another desk show up too.

Starring: Ctrl+D (with the list focused; "bookmark", as browsers have it) or the list's
right-click menu stars the selected events, or takes their star off when all of them are starred;
starred rows carry ★ and an amber tint. A star is itself a timeline event (timeline.starred /
timeline.unstarred), written on the database lane; the panel reads the starred set when it loads
and follows the star events as they arrive. A star is on a key with Ctrl, never a plain letter:
letters typed while the list has the keyboard must never write to the record. Tab leaves the list
(arrows move in it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from commsdesk.timeline.chain import EventKind, TimelineEvent
from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.table_model import RowsTableModel
from commsdesk.ui.theme import BAD, MUTED, OK, STATE_COLOURS

if TYPE_CHECKING:
    from commsdesk.timeline.report import TimelineReport

PAGE = 500
POLL_MS = 2000
COLUMNS = ("★", "Time (UTC)", "Who", "What", "Details")
STAR, WHAT, DETAILS = 0, 3, 4  # columns
STAR_KINDS = (str(EventKind.TIMELINE_STARRED), str(EventKind.TIMELINE_UNSTARRED))
STAR_KEYS = "Ctrl+D"  # star or un-star the selected events: "bookmark", as in browsers
STAR_COLOUR = "#f9a825"
STARRED_TINT = QColor(249, 168, 37, 48)  # amber, see-through: reads on light and dark themes
GROUPS = (
    ("Everything", None),
    ("Incident", ["incident"]),
    ("Statements", ["statement"]),
    ("Approvals", ["statement.submitted", "statement.approved", "statement.approval_voided"]),
    (
        "Posting",
        [
            "post",
            "account",
            "schedule",
            "statement.scheduled",
            "statement.unscheduled",
            "statement.posted",
            "statement.post_failed",
        ],
    ),
    ("Broadcast", ["broadcast"]),
    ("Audience", ["audience"]),
    ("P-1 calls", ["p1"]),
    ("Drills", ["drill"]),
    ("Desk", ["desk"]),
)
KIND_COLOURS = {
    "statement.approved": STATE_COLOURS["approved"],
    "statement.posted": STATE_COLOURS["posted"],
    "statement.post_failed": STATE_COLOURS["failed"],
    "post.failed": STATE_COLOURS["failed"],
    "post.rate_limited": STATE_COLOURS["in_review"],
    "account.needs_credentials": STATE_COLOURS["failed"],
    "statement.approval_voided": STATE_COLOURS["in_review"],
    "incident.started": BAD,
}


def kind_label(kind: str) -> str:
    return kind.split(".", 1)[-1].replace("_", " ").capitalize()


class TimelineModel(RowsTableModel):
    columns = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.events: list[TimelineEvent] = self.rows
        self.exhausted = False
        self.starred: set[int] = set()  # ids of the events starred now, shown or not
        self._today = datetime.now(UTC).date()

    def reset(self, events: list[TimelineEvent], exhausted: bool) -> None:
        self._today = datetime.now(UTC).date()
        self.beginResetModel()
        self.events[:] = events
        self.exhausted = exhausted
        self.endResetModel()

    def prepend(self, newer: list[TimelineEvent]) -> None:
        if not newer:
            return
        self.beginInsertRows(QModelIndex(), 0, len(newer) - 1)
        self.events[:0] = newer
        self.endInsertRows()

    def append(self, older: list[TimelineEvent], exhausted: bool) -> None:
        self.exhausted = exhausted
        if not older:
            return
        start = len(self.events)
        self.beginInsertRows(QModelIndex(), start, start + len(older) - 1)
        self.events.extend(older)
        self.endInsertRows()

    def set_starred(self, starred: set[int]) -> None:
        """Mark these events starred (and only these); every row repaints its mark."""
        if starred == self.starred:
            return
        self.starred = set(starred)
        if self.events:
            last = self.index(len(self.events) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        e = self.events[index.row()]
        starred = e.id in self.starred
        if role == Qt.ItemDataRole.DisplayRole:
            when = f"{e.at:%H:%M:%S}" if e.at.date() == self._today else f"{e.at:%d %b %H:%M}"
            mark = "★" if starred else ""
            return (mark, when, e.actor, kind_label(e.kind), e.summary)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            at = f"{e.at:%Y-%m-%d %H:%M:%S.%f}"
            star = f"\nStarred ({STAR_KEYS} takes the star off)" if starred else ""
            return f"#{e.id} {e.kind}\n{at} UTC\n{e.summary}\nhash {e.hash[:16]}…{star}"
        if role == Qt.ItemDataRole.BackgroundRole and starred:
            return STARRED_TINT
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == STAR and starred:
            return QColor(STAR_COLOUR)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == WHAT:
            colour = KIND_COLOURS.get(e.kind)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == STAR:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if (orientation == Qt.Orientation.Horizontal and section == STAR
                and role == Qt.ItemDataRole.ToolTipRole):  # fmt: skip
            return (f"Starred events: select and press {STAR_KEYS} (or right-click) to star or "
                    "un-star")
        return super().headerData(section, orientation, role)


class _Progress(QObject):
    """Carries progress from the lane's thread to the UI thread (a queued signal)."""

    step = Signal(int, int)


class TimelinePanel(QWidget):
    new_events = Signal(list)  # events newer than what was shown, oldest first

    def __init__(self, bridge: DeskBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.model = TimelineModel(self)
        self._loading_more = False
        self._ready = False
        self._seen: int | None = None  # the newest event id read, whatever the filters

        self.kind = QComboBox()
        for label, kinds in GROUPS:
            self.kind.addItem(label, kinds)
        self.person = QComboBox()
        self.person.addItem("Everyone", None)
        self.text = QLineEdit()
        self.text.setPlaceholderText("Search the timeline")
        self.text.setClearButtonEnabled(True)
        self.verify_button = QPushButton("Verify record")
        self.verify_button.setToolTip(
            "Check the hash chain: reports the first event that was altered"
        )
        self.count = QLabel()
        # A long finding is cut here (the tooltip and the warning hold it whole): the label
        # must never widen the window past the screen.
        self.count.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.count.setMinimumWidth(120)
        self.count.setStyleSheet(f"color: {MUTED};")
        filters = QHBoxLayout()
        filters.addWidget(self.kind)
        filters.addWidget(self.person)
        filters.addWidget(self.text, 1)
        filters.addWidget(self.verify_button)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(DETAILS, QHeaderView.ResizeMode.Stretch)
        for column, width in ((STAR, 26), (1, 64), (2, 112), (WHAT, 100)):
            header.resizeSection(column, width)
        self.table.verticalScrollBar().valueChanged.connect(self._maybe_load_more)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        # Ctrl+D only while the list has the keyboard: never while typing in the search field,
        # or in any other panel; and never a plain letter, which typing would press.
        self.star_action = QAction("&Star", self.table)
        self.star_action.setShortcut(QKeySequence(STAR_KEYS))
        self.star_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.star_action.setShortcutVisibleInContextMenu(True)
        self.star_action.setToolTip(
            f"Star the selected events, or take their star off ({STAR_KEYS})"
        )
        self.star_action.setEnabled(False)
        self.star_action.triggered.connect(self.toggle_star)
        self.table.addAction(self.star_action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.model.dataChanged.connect(self._selection_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)

        self._text_delay = QTimer(self, singleShot=True, interval=250)
        self._text_delay.timeout.connect(self.reload)
        self.text.textChanged.connect(self._text_delay.start)
        self.kind.currentIndexChanged.connect(self.reload)
        self.person.currentIndexChanged.connect(self.reload)
        self.verify_button.clicked.connect(self.verify)
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self.poll)
        bridge.timeline_changed.connect(self.poll)

    # --- loading ---------------------------------------------------------------------------
    def start(self) -> None:
        """Called once the desk is open."""
        from commsdesk.desk import Desk

        self._ready = True
        self.reload()
        # Where the record ends, read right behind the first load on the same lane.
        self.bridge.query(Desk.timeline, limit=1, on_done=self._first_seen)
        self._poll.start()

    def _filters(self) -> dict:
        return {
            "kinds": self.kind.currentData(),
            "actor": self.person.currentData(),
            "text": self.text.text().strip() or None,
        }

    def reload(self) -> None:
        if not self._ready:
            return
        from commsdesk.desk import Desk  # here, not at module level: see the bridge

        self.bridge.query(
            Desk.timeline,
            limit=PAGE,
            on_done=self._loaded,
            key="timeline-reload",
            **self._filters(),
        )
        self.bridge.query(Desk.timeline_actors, on_done=self._set_people, key="timeline-actors")
        self.bridge.query(Desk.starred_event_ids, on_done=self.model.set_starred,
                          key="timeline-starred")  # fmt: skip

    def _loaded(self, events: list[TimelineEvent]) -> None:
        self.model.reset(events, exhausted=len(events) < PAGE)
        self._show_count()

    def _set_people(self, people: list[str]) -> None:
        current = self.person.currentData()
        self.person.blockSignals(True)
        self.person.clear()
        self.person.addItem("Everyone", None)
        for name in people:
            self.person.addItem(name, name)
        index = self.person.findData(current)
        self.person.setCurrentIndex(max(0, index))
        self.person.blockSignals(False)

    def poll(self) -> None:
        """Read events newer than any seen, whatever the filters: every one goes out on
        `new_events` (other panels follow them); those the filters show are added here."""
        if not self._ready:
            return
        from commsdesk.desk import Desk

        seen = self._seen
        if seen is None:  # start() has not heard where the record ended yet
            return
        self.bridge.query(
            Desk.timeline, after_id=seen, limit=PAGE, on_done=lambda ev: self._heard(seen, ev),
            key="timeline-poll",
        )  # fmt: skip

    def _first_seen(self, events: list[TimelineEvent]) -> None:
        if self._seen is None:
            self._seen = events[0].id if events else 0

    def _heard(self, after_id: int, events: list[TimelineEvent]) -> None:
        fresh = [e for e in events if e.id > after_id]
        if after_id != self._seen or not fresh:
            return
        self._seen = max(e.id for e in fresh)
        self._follow_stars(reversed(fresh))
        self.new_events.emit(list(reversed(fresh)))
        if any(value for value in self._filters().values()):
            self._poll_shown()
        else:
            self._arrived(self.model.events[0].id if self.model.events else 0, fresh)

    def _poll_shown(self) -> None:
        from commsdesk.desk import Desk

        newest = self.model.events[0].id if self.model.events else 0
        self.bridge.query(
            Desk.timeline, after_id=newest, limit=PAGE,
            on_done=lambda ev: self._arrived(newest, ev), key="timeline-shown",
            **self._filters(),
        )  # fmt: skip

    def _arrived(self, after_id: int, events: list[TimelineEvent]) -> None:
        newest = self.model.events[0].id if self.model.events else 0
        fresh = [e for e in events if e.id > newest]
        if newest != after_id or not fresh:
            return
        known = {self.person.itemData(i) for i in range(self.person.count())}
        if any(e.actor not in known for e in fresh):
            from commsdesk.desk import Desk

            self.bridge.query(Desk.timeline_actors, on_done=self._set_people, key="timeline-actors")
        self.model.prepend(fresh)
        self._show_count()

    def _maybe_load_more(self, value: int) -> None:
        bar = self.table.verticalScrollBar()
        if self._loading_more or self.model.exhausted or value < bar.maximum() - 20:
            return
        if not self.model.events:
            return
        from commsdesk.desk import Desk

        self._loading_more = True
        oldest = self.model.events[-1].id

        def more(events: list[TimelineEvent]) -> None:
            self._loading_more = False
            self.model.append(events, exhausted=len(events) < PAGE)
            self._show_count()

        self.bridge.query(
            Desk.timeline, before_id=oldest, limit=PAGE, on_done=more, **self._filters()
        )

    def _show_count(self) -> None:
        shown = self.model.rowCount()
        more = "" if self.model.exhausted else " (scroll for older)"
        self.count.setText(f"{shown:,} event{'' if shown == 1 else 's'} shown{more}")

    # --- stars -----------------------------------------------------------------------------
    def _follow_stars(self, events) -> None:
        """Apply star and unstar events, oldest first, to the starred set shown."""
        starred = set(self.model.starred)
        for event in events:
            marked = event.data.get("event_id")
            if event.kind == EventKind.TIMELINE_STARRED:
                starred.add(marked)
            elif event.kind == EventKind.TIMELINE_UNSTARRED:
                starred.discard(marked)
        self.model.set_starred(starred)

    def selected_events(self) -> list[TimelineEvent]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.events[row] for row in rows if row < len(self.model.events)]

    def _star_plan(self) -> tuple[bool, list[TimelineEvent]]:
        """(star or not, the events to change): the selection's events other than stars (only
        stars selected: those, for the ledger to refuse in words); star them unless every one
        is starred already, then take the stars off."""
        events = self.selected_events()
        events = [e for e in events if e.kind not in STAR_KINDS] or events
        star = any(e.id not in self.model.starred for e in events)
        return star, [e for e in events if (e.id in self.model.starred) != star]

    def _selection_changed(self, *_args) -> None:
        star, events = self._star_plan()
        self.star_action.setEnabled(bool(events))
        self.star_action.setText("&Star" if star or not events else "Remove &star")

    def toggle_star(self) -> None:
        """Ctrl+D or the menu: star the selected events, or take their stars off (on the lane)."""
        from commsdesk.desk import Desk

        star, events = self._star_plan()
        use_case = Desk.star_event if star else Desk.unstar_event
        for event in events:
            self.bridge.act(use_case, event.id, on_done=lambda done: self._follow_stars([done]))

    def _context_menu(self, point) -> None:
        if not self.table.indexAt(point).isValid():
            return
        self._selection_changed()
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(self.star_action)
        menu.popup(self.table.viewport().mapToGlobal(point))

    # --- verification ----------------------------------------------------------------------
    def verify(self) -> None:
        from commsdesk.desk import Desk

        dialog = QProgressDialog("Checking every event's hash…", "", 0, 0, self)
        dialog.setWindowTitle("Verify record")
        dialog.setCancelButton(None)
        dialog.setMinimumDuration(300)
        progress = _Progress(self)
        progress.step.connect(lambda done, total: (dialog.setMaximum(total), dialog.setValue(done)))

        def report(result: TimelineReport) -> None:
            dialog.reset()
            self.show_report(result)

        self.bridge.query(
            Desk.verify_timeline,
            progress=progress.step.emit,
            on_done=report,
            on_error=lambda exc: (dialog.reset(), self.bridge.refused.emit(str(exc))),
        )

    def show_report(self, result: TimelineReport) -> None:
        if result.intact:
            self.count.setText(
                f"<span style='color:{OK}'>Record intact: {result.checked:,} "
                "events, every hash matches.</span>"
            )
            return
        findings = [line for line in result.lines() if line not in result.notes]
        self.count.setText(f"<span style='color:{BAD}'>{escape(findings[0])}</span>")
        self.count.setToolTip("\n\n".join(findings))
        QMessageBox.warning(self, "Record altered", "\n\n".join(findings))
