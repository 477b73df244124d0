"""Schedule panel: what goes out when, the pause-all switch, missed posts to review, and the
SANDBOX feed where drills and desks without an X account post.

While all posting is paused, a waiting post reads "Held by the pause", never "Waiting". The
panel reads the schedule again after every change: the scheduler's, this window's (any action
on the desk), and, through `events_arrived`, those of the command line and other desks.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from commsdesk.scheduling.ui.bridge import ScheduleBridge
from commsdesk.ui.table_model import RowsTableModel
from commsdesk.ui.theme import BAD, MUTED, OK, STATE_COLOURS

COLUMNS = ("Due (UTC)", "In", "Local", "Statement", "Goes to", "State")
HELD = ("Held by the pause", BAD)  # a waiting post while all posting is paused
STATE_TEXT = {
    "waiting": ("Waiting", STATE_COLOURS["scheduled"]),
    "posting": ("Posting…", STATE_COLOURS["approved"]),
    "missed": ("Missed: review", BAD),
    "failed": ("Failed", BAD),
}


def countdown(due: datetime, now: datetime) -> str:
    seconds = int((due - now).total_seconds())
    if seconds < 0:
        late = -seconds // 60
        return f"{late} min late" if late else "due now"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class UpcomingModel(RowsTableModel):
    columns = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.now = datetime.now(UTC)
        self.paused = None  # PauseState while all posting is paused

    def set_posts(self, posts: list) -> None:
        self.beginResetModel()
        self.rows = list(posts)
        self.endResetModel()

    def set_paused(self, paused) -> None:
        self.paused = paused
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 5))

    def state_text(self, post) -> tuple[str, str]:
        if post.state == "waiting" and self.paused is not None:
            return HELD
        return STATE_TEXT.get(post.state, (post.state, MUTED))

    def tick(self) -> None:
        self.now = datetime.now(UTC)
        if self.rows:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self.rows) - 1, 1))

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        post = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            local = post.local_due
            return (
                f"{post.due_at:%H:%M}" if post.due_at.date() == self.now.date()
                else f"{post.due_at:%d %b %H:%M}",
                countdown(post.due_at, self.now) if post.state == "waiting" else "",
                f"{local:%H:%M} {local.tzname()}",
                post.title,
                "SANDBOX" if post.sandbox else post.account,
                self.state_text(post)[0],
            )[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 5:
            return QColor(self.state_text(post)[1])
        if role == Qt.ItemDataRole.ToolTipRole:
            if post.state == "waiting" and self.paused is not None:
                return (f"All posting is {self.paused.describe()}. Nothing goes out until someone "
                        "resumes; a post that falls due meanwhile then waits for review.")
            return post.note or None
        return None


class SchedulePanel(QWidget):
    summary_changed = Signal(str, bool)  # status-bar text, whether posting is paused

    def __init__(self, schedule: ScheduleBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.schedule = schedule
        self.model = UpcomingModel(self)

        self.banner = QLabel("Starting the scheduler…")
        self.banner.setWordWrap(True)
        self.pause_button = QPushButton("Pause all posting…")
        self.pause_button.setToolTip(
            "Stops every post at once, from every desk and the command line; asks why"
        )
        self.pause_button.clicked.connect(self.toggle_pause)
        top = QHBoxLayout()
        top.addWidget(self.banner, 1)
        top.addWidget(self.pause_button)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 84), (1, 64), (2, 76), (4, 70), (5, 124)):
            header.resizeSection(column, width)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.empty = QLabel("Nothing is scheduled. Approve a statement, then press Schedule…")
        self.empty.setStyleSheet(f"color: {MUTED};")
        self.post_button = QPushButton("Post now")
        self.reschedule_button = QPushButton("Reschedule…")
        self.cancel_button = QPushButton("Cancel schedule")
        self.post_button.clicked.connect(self.post_selected)
        self.reschedule_button.clicked.connect(self.reschedule_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        actions = QHBoxLayout()
        for button in (self.post_button, self.reschedule_button, self.cancel_button):
            actions.addWidget(button)
        actions.addStretch(1)

        self.feed = QTextBrowser()
        self.feed.setPlaceholderText("Posts to the SANDBOX appear here.")
        upper = QWidget()
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.addLayout(top)
        ul.addWidget(self.table, 1)
        ul.addWidget(self.empty)
        ul.addLayout(actions)
        lower = QWidget()
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("SANDBOX feed: what drills posted (nothing here reached X)")
        heading.setStyleSheet("font-weight: 600; color: #6a1b9a;")
        ll.addWidget(heading)
        ll.addWidget(self.feed, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(lower)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)

        self.paused = None
        self.posts: list = []
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self.model.tick)
        self._clock.start()
        self.table.selectionModel().selectionChanged.connect(self._enable)
        schedule.ready.connect(self.refresh)
        schedule.changed.connect(self.refresh)
        # Any action on this desk may change what is scheduled (a withdrawal, a post now…).
        schedule.desk_bridge.timeline_changed.connect(self.refresh)
        self._enable()

    # --- reading ----------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.schedule.scheduler is None:
            return  # `ready` refreshes once the scheduler is up
        # Imported here, not at module level: see the bridge.
        from commsdesk.scheduling.scheduler import PostScheduler

        self.schedule.call(PostScheduler.paused, on_done=self._show_pause, key="schedule-paused")
        self.schedule.call(PostScheduler.upcoming, on_done=self._show_posts, key="schedule-posts")
        self._refresh_feed()

    def events_arrived(self, events: list) -> None:
        """Timeline events from any desk or the command line: read the schedule again when they
        touch a statement, a post or the schedule (a pause from the command line among them)."""
        if any(
            e.statement_id is not None or e.kind.startswith(("schedule.", "post."))
            for e in events
        ):
            self.refresh()

    def _show_posts(self, posts: list) -> None:
        selected = self._selected()
        self.model.set_posts(posts)
        self.empty.setVisible(not posts)
        self.posts = posts
        self._summarise()
        if selected is not None:
            for row, post in enumerate(posts):
                if post.statement_id == selected.statement_id:
                    self.table.selectRow(row)
        self._enable()

    def _summarise(self) -> None:
        waiting = sum(1 for p in self.posts if p.state == "waiting")
        missed = sum(1 for p in self.posts if p.state in ("missed", "failed"))
        if self.paused is not None:
            text = f"Schedule: PAUSED ({self.paused.reason})"
            if waiting:
                text += f", {waiting} held"
        else:
            text = f"Schedule: {waiting} waiting" if waiting else "Schedule: nothing scheduled"
        if missed:
            text += f", {missed} to review"
        self.summary_changed.emit(text, self.paused is not None)

    def _show_pause(self, paused) -> None:
        self.paused = paused
        self.model.set_paused(paused)
        self._summarise()
        if paused is None:
            self.banner.setText("Posting is on: scheduled posts go out when due.")
            self.banner.setStyleSheet(f"color: {OK};")
            self.pause_button.setText("Pause all posting…")
        else:
            self.banner.setText(
                f"ALL POSTING PAUSED by {paused.by} at {paused.since:%H:%M} UTC: {paused.reason}\n"
                "Nothing is posted, scheduled or not, until someone resumes; Post now asks "
                "whether to override."
            )
            self.banner.setStyleSheet(
                f"background: {BAD}; color: white; font-weight: 600; padding: 4px;"
            )
            self.pause_button.setText("Resume…")

    def _refresh_feed(self) -> None:
        bridge = self.schedule.desk_bridge
        if bridge.desk is None:
            return

        def read():
            return bridge.services.x_client("sandbox", True).recent_posts("0", max_results=50)

        bridge.lane.submit(read, on_done=self._show_feed, key="sandbox-feed")

    def _show_feed(self, posts: list) -> None:
        cards = []
        for post in posts:
            text = html.escape(post.text).replace("\n", "<br>")
            reply = f" · reply to #{post.in_reply_to}" if post.in_reply_to else ""
            when = f"{post.created_at:%H:%M:%S}" if post.created_at else ""
            text += self._feed_images(post.media)
            cards.append(
                "<table width='100%' cellpadding='6' style='margin-bottom:6px; "
                "border:1px solid #ce93d8;'><tr><td>"
                f"<span style='color:#6a1b9a; font-weight:600'>SANDBOX</span>"
                f"<span style='color:{MUTED}'> #{post.id} · {when}{reply}</span><br>{text}"
                "</td></tr></table>"
            )
        self.feed.setHtml("".join(cards))

    def _feed_images(self, images) -> str:
        """Thumbnails of a sandbox post's images, with their descriptions as X would read them."""
        desk = self.schedule.desk_bridge.desk
        if not images or desk is None or desk.path is None:
            return ""
        folder = desk.path.parent / "media"
        out = []
        for image in images:
            url = (folder / image.file).as_uri()
            alt = html.escape(image.alt) or "<i>no description</i>"
            out.append(
                f"<br><img src='{url}' width='240'><br>"
                f"<span style='color:{MUTED}'>Image description: {alt}</span>"
            )
        return "".join(out)

    # --- acting -----------------------------------------------------------------------------
    def _selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _enable(self, *_args) -> None:
        post = self._selected()
        actionable = post is not None and post.state in ("waiting", "missed", "failed")
        for button in (self.post_button, self.reschedule_button, self.cancel_button):
            button.setEnabled(actionable)

    def toggle_pause(self) -> None:
        from commsdesk.scheduling.scheduler import PostScheduler

        if self.paused is None:
            from commsdesk.scheduling.ui.pause_dialog import PauseDialog

            PauseDialog(self.schedule, self).open()
            return
        answer = QMessageBox.question(
            self, "Resume posting",
            "Resume posting? Anything that fell due while paused is held for review, "
            "not posted.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.schedule.call(PostScheduler.resume, as_operator=True, on_done=self._review)

    def _review(self, fell_due: list) -> None:
        if fell_due:
            names = "\n".join(f"• {p.title} (due {p.due_at:%H:%M} UTC)" for p in fell_due)
            QMessageBox.information(
                self, "Review what fell due",
                f"These fell due while posting was paused; each waits for you: post now, "
                f"reschedule or cancel.\n\n{names}",
            )

    def post_selected(self) -> None:
        from commsdesk.scheduling.scheduler import PostScheduler

        post = self._selected()
        if post is None:
            return
        where = "the SANDBOX" if post.sandbox else f"X as {post.account}"
        if self.paused is not None:
            answer = QMessageBox.warning(
                self, "All posting is paused",
                f"All posting is {self.paused.describe()}\n\nPost “{post.title}” now to {where} "
                "anyway? The override goes on the timeline, naming this pause and its reason.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
        else:
            answer = QMessageBox.question(
                self, "Post now", f"Post “{post.title}” now to {where}?"
            )
        if answer == QMessageBox.StandardButton.Yes:
            self.schedule.call(PostScheduler.post_now, post.statement_id, as_operator=True,
                               despite_pause=self.paused is not None)

    def reschedule_selected(self) -> None:
        post = self._selected()
        if post is None:
            return
        from commsdesk.scheduling.scheduler import PostScheduler
        from commsdesk.scheduling.ui.schedule_dialog import ScheduleDialog

        zones = self.schedule.desk_bridge.settings.get("team_time_zones")
        where = "the SANDBOX" if post.sandbox else f"X as {post.account}"
        dialog = ScheduleDialog(post.title, where, [post.zone, *zones], parent=self)

        def chosen() -> None:
            due = dialog.due_at()
            if due is not None:
                _, _, zone_name, _ = dialog.values()
                self.schedule.call(PostScheduler.reschedule, post.statement_id, due, zone_name,
                                   as_operator=True)

        dialog.accepted.connect(chosen)
        dialog.open()

    def cancel_selected(self) -> None:
        from commsdesk.scheduling.scheduler import PostScheduler

        post = self._selected()
        if post is None:
            return
        answer = QMessageBox.question(
            self, "Cancel schedule",
            f"Take “{post.title}” off the schedule? It stays approved and can be posted later.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.schedule.call(PostScheduler.cancel, post.statement_id, as_operator=True)

