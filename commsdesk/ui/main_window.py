"""The desk's window: header, five panels in docks, status bar; the layout is remembered."""

from __future__ import annotations

from PySide6 import QtCore
from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSystemTrayIcon,
    QToolBar,
    QWidget,
)

from commsdesk.incidents.incident import Incident
from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.header_bar import HeaderBar
from commsdesk.ui.lanes import Lane
from commsdesk.ui.theme import MUTED

# Events by someone else that need a person here: a tray notification. (Kinds as stored, so
# the timeline module, with hashlib behind it, loads after the first paint.)
NOTIFY_KINDS = {
    "statement.submitted": "Approval requested",
    "statement.post_failed": "Posting failed",
    "incident.started": "Incident started",
    "desk.drill_mode": "Drill mode changed",
    "schedule.paused": "All posting paused",
    "post.held": "A post is held",
}

PANELS = (
    ("statements", "Statements"),
    ("broadcast", "Broadcast"),
    ("audience", "Audience"),
    ("schedule", "Schedule"),
    ("timeline", "Timeline"),
)

SHORTCUTS = (
    ("Ctrl+N", "New statement"),
    ("Ctrl+S", "Save the statement as a version"),
    ("Ctrl+Return", "Submit for review"),
    ("Ctrl+Shift+A", "Approve the statement in review"),
    ("Ctrl+H", "Versions: view, compare, restore"),
    ("Ctrl+F", "Filter statements"),
    ("Ctrl+I", "Start or edit the incident"),
    ("Ctrl+1 … Ctrl+5", "Show a panel: Statements, Broadcast, Audience, Schedule, Timeline"),
    ("Ctrl+Shift+B", "Broadcast: put the slide on air"),
    ("Ctrl+Shift+L", "Broadcast: back to live (the scene before the slide)"),
    ("1 … 9", "Broadcast: put the n-th scene on air (focus in the Broadcast panel)"),
    ("F1", "This list"),
)


class MainWindow(QMainWindow):
    """The shell (header, menus, status bar) paints first; `build_panels` then lays out the docks
    and fills them.

    Panels import widget-heavy modules; building them after the first paint keeps the window on
    screen at once on a cold start. Before that paint nothing here touches PySide's `Qt`
    namespace: its first use builds every enum in it, about 30 ms, as long as a third of a bare
    window's whole start. Hence `QtCore.Qt` (resolved when used) instead of importing `Qt`.
    """

    first_painted = Signal()
    statements_listed = Signal(int)

    def __init__(
        self,
        bridge: DeskBridge,
        text_lane: Lane,
        *,
        publishing=None,
        schedule=None,
        obs=None,
        demo: bool = False,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.publishing = publishing  # PublishingBridge; None where the desk does not post
        # Returns the slide on air as a ChosenImage (set by the broadcast panel), or None.
        self.slide_on_air = None
        self.schedule = schedule  # ScheduleBridge; None where nothing is scheduled
        self.obs = obs  # BroadcastBridge; None where the desk drives no OBS
        # The audience lane (secrets, replay files, sample writes); with it, build_panels makes
        # the Audience panel and its bridge (None: a placeholder panel).
        self.audience_lane: Lane | None = None
        self.audience_bridge = None
        self.settings = bridge.settings
        self.incident: Incident | None = None
        self._painted = False
        self._default_state: QByteArray | None = None  # set once the docks are laid out
        self.setObjectName("CommsDeskMainWindow")
        self.setWindowTitle("CommsDesk" + (" — DEMO" if demo else ""))
        self.resize(1440, 900)
        self.setDockNestingEnabled(True)

        self.header = HeaderBar(self.settings.get("team_time_zones"))
        self.header.start_requested.connect(self.start_incident)
        self.header.edit_requested.connect(self.edit_incident)
        self.header.operator_requested.connect(self.ask_operator)
        self.header.drill_toggled.connect(self.set_drill_mode)
        self.header.update_due.connect(self._update_due)
        self.header.set_operator(self.settings.get("operator_name"))
        header_bar = QToolBar("Incident")
        header_bar.setObjectName("IncidentHeader")
        header_bar.setMovable(False)
        header_bar.addWidget(self.header)
        self.addToolBar(header_bar)  # the top area

        self.text_lane = text_lane
        self.statements = self.timeline = self.broadcast = self.audience = None
        self.schedule_panel = None
        self.docks: list[QDockWidget] = []
        for key, title in PANELS:
            dock = QDockWidget(title)  # laid out by _lay_out_docks, after the first paint
            dock.setObjectName(f"dock-{key}")
            dock.setFeatures(
                QDockWidget.DockWidgetFeature.DockWidgetMovable
                | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                | QDockWidget.DockWidgetFeature.DockWidgetClosable
            )
            self.docks.append(dock)
        central = QWidget()
        central.setMaximumSize(0, 0)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._build_menus()
        self.tray = self._make_tray()

        self._show_destination()
        self._wait_until = None
        self._wait_timer = QTimer(self, interval=1000)
        self._wait_timer.timeout.connect(self._show_wait)
        if publishing is not None:
            publishing.publication_changed.connect(self._publishing_progress)
            publishing.finished.connect(self._published)
            publishing.refused.connect(self._refused)
            publishing.verified.connect(lambda *_: self._show_destination())
            publishing.drill_changed.connect(self._drill_changed)
        bridge.incident_changed.connect(self._incident_changed)
        bridge.timeline_changed.connect(self._refresh_cadence)
        bridge.refused.connect(self._refused)
        bridge.lane.busy_changed.connect(self._busy)
        geometry = self.settings.get("window_geometry")
        if geometry:  # size and place before the first show; the dock layout comes after
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode()))

    # --- construction ----------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_obs = QLabel("OBS: not connected")
        self.status_x = QLabel("X: SANDBOX")
        self.status_schedule = QLabel("Schedule: nothing scheduled")
        self.status_work = QLabel("")
        self.status_review = QLabel("")
        self.status_review.setStyleSheet("color: #ef6c00; padding: 0 8px;")
        bar.addPermanentWidget(self.status_review)
        for label, tip in (
            (self.status_obs, "Broadcast control: the connection to OBS Studio"),
            (self.status_x, "Where posts go: an X account, or the local sandbox"),
            (self.status_schedule, "Scheduled posts and the pause-all switch"),
        ):
            label.setToolTip(tip)
            label.setStyleSheet(f"color: {MUTED}; padding: 0 8px;")
            bar.addPermanentWidget(label)
        bar.addWidget(self.status_work)

    def _build_menus(self) -> None:
        # Shortcuts are bound after the first paint: setShortcut's overloads take Qt.Key, so its
        # first call builds the whole `Qt` namespace (see the class notes).
        self._shortcuts: list[tuple[QAction, str]] = []

        def action(menu, text, slot, shortcut=None, tip=""):
            act = QAction(text, self)
            if shortcut:
                self._shortcuts.append((act, shortcut))
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            menu.addAction(act)
            return act

        bar = self.menuBar()
        desk = bar.addMenu("&Desk")
        action(desk, "Who is at the desk…", self.ask_operator)
        action(desk, "Approvals required…", self.ask_required_approvals)
        action(desk, "X account…", self.ask_account)
        action(desk, "Audience sources…", self.ask_audience_sources)
        desk.addSeparator()
        action(desk, "Quit", self.close, "Ctrl+Q")
        incident = bar.addMenu("&Incident")
        self.incident_action = action(incident, "Start incident…", self.edit_or_start, "Ctrl+I")
        self.cadence_action = action(incident, "Update cadence…", self.ask_cadence)
        self.close_incident_action = action(incident, "Close incident…", self.close_incident)
        action(incident, "All incidents…", self.show_incidents)
        st = bar.addMenu("&Statement")
        self.statement_actions = [
            action(st, "New statement", self._statements("new_statement"), "Ctrl+N"),
            action(st, "Save version", self._editor("save_version"), "Ctrl+S"),
            action(st, "Submit for review", self._editor("submit"), "Ctrl+Return"),
            action(st, "Approve", self._editor("approve"), "Ctrl+Shift+A"),
            action(st, "Withdraw…", self._editor("withdraw")),
            action(st, "Post now…", self._editor("post_now"), "Ctrl+Shift+P"),
            action(st, "Versions…", self._editor("show_versions"), "Ctrl+H"),
            action(st, "Filter statements", self._statements("focus_filter"), "Ctrl+F"),
        ]
        view = bar.addMenu("&View")
        for number, dock in enumerate(self.docks, start=1):
            toggle = dock.toggleViewAction()
            self._shortcuts.append((toggle, f"Ctrl+{number}"))
            toggle.triggered.connect(lambda checked, d=dock: checked and d.raise_())
            view.addAction(toggle)
        view.addSeparator()
        action(view, "Reset layout", self.reset_layout)
        help_menu = bar.addMenu("&Help")
        action(help_menu, "Keyboard shortcuts", self.show_shortcuts, "F1")

    def _make_tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(self.windowIcon(), self)
        tray.setToolTip("CommsDesk")
        tray.show()
        return tray

    def build_panels(self) -> None:
        from commsdesk.statements.ui.panel import StatementsPanel
        from commsdesk.timeline.ui.timeline_panel import TimelinePanel
        from commsdesk.ui.coming_panel import ComingPanel

        if self.statements is not None:
            return
        self.statements = StatementsPanel(self.bridge, self.text_lane)
        self.statements.counts_changed.connect(self._show_counts)
        self.statements.loaded.connect(self.statements_listed)
        self.statements.editor.post_requested.connect(self.confirm_post)
        self.timeline = TimelinePanel(self.bridge)
        self.timeline.new_events.connect(self._notify)
        if self.obs is not None:
            self.broadcast = self._build_broadcast()
        else:
            self.broadcast = ComingPanel(
                "Broadcast",
                "The stream producer drives OBS Studio from here.",
                [
                    "Switch scenes with a click or the keys 1 to 9, with a live program "
                    "thumbnail.",
                    "Put up “We'll be back at 18:30” with the time in the team's zones and a "
                    "countdown; bring the camera back with one key.",
                    "Watch stream health (bitrate, dropped frames, CPU) and end the stream "
                    "behind a confirmation.",
                ],
            )
        self.audience = self._build_audience() if self.audience_lane is not None else ComingPanel(
            "Audience",
            "The team watches how many people are following, on every platform at once.",
            [
                "Live viewer counts from YouTube, Twitch and Kick, on one chart marked with "
                "what the desk did.",
                "A wall view for a second screen, and advice when the audience has drifted away.",
            ],
        )
        if self.schedule is not None:
            from commsdesk.scheduling.ui.schedule_panel import SchedulePanel

            self.schedule_panel = SchedulePanel(self.schedule)
            self.schedule_panel.summary_changed.connect(self._show_schedule)
            self.statements.editor.schedule_requested.connect(self.ask_schedule)
            self.schedule.missed.connect(self._missed)
            self.schedule.refused.connect(self._refused)
        else:
            self.schedule_panel = ComingPanel(
                "Schedule", "Approved statements go out to X at a set time, exactly once.", []
            )
        panels = (
            self.statements, self.broadcast, self.audience, self.schedule_panel, self.timeline
        )
        for dock, panel in zip(self.docks, panels, strict=True):
            dock.setWidget(panel)
        self._lay_out_docks()
        for act, keys in self._shortcuts:
            act.setShortcut(QKeySequence(keys))
        self.header.finish()
        self.statements.set_incident(self.incident)

    def _build_audience(self):
        from commsdesk.audience.ui.bridge import AudienceBridge
        from commsdesk.audience.ui.panel import AudiencePanel

        def notify(title: str, message: str) -> None:
            if self.tray is not None:
                self.tray.showMessage(title, message)

        panel = AudiencePanel(file_lane=self.audience_lane)
        self.audience_bridge = AudienceBridge(
            self.bridge, self.audience_lane, panel, notify=notify, parent=self
        )
        panel.sources_requested.connect(self.ask_audience_sources)
        panel.manual_entered.connect(self.audience_bridge.enter_manual)
        self.audience_bridge.refused.connect(self._refused)
        self.audience_bridge.start()  # polls once the database is open
        return panel

    def ask_audience_sources(self) -> None:
        if self.audience_bridge is None or self.audience_bridge.store is None:
            self.statusBar().showMessage("Audience sources: the desk is still opening.", 5000)
            return
        from commsdesk.audience.ui.sources_dialog import SourcesDialog

        SourcesDialog(self.audience_bridge, self).open()

    def stop_audience(self) -> None:
        """Stop polling viewer sources and write the samples still waiting."""
        if self.audience_bridge is not None:
            self.audience_bridge.close()

    def _build_broadcast(self):
        from commsdesk.broadcast.ui.panel import BroadcastPanel

        def notify(title: str, message: str) -> None:
            if self.tray is not None:
                self.tray.showMessage(title, message)

        panel = BroadcastPanel(
            self.obs, status_label=self.status_obs, notify=notify,
            selected_statement=lambda: self.statements.editor.statement,
        )  # fmt: skip
        self.slide_on_air = panel.slide_on_air
        return panel

    def _editor(self, method: str):
        def call() -> None:
            if self.statements is not None:
                getattr(self.statements.editor, method)()

        return call

    def _statements(self, method: str):
        def call() -> None:
            if self.statements is not None:
                getattr(self.statements, method)()

        return call

    # --- state from the desk ---------------------------------------------------------------
    def desk_opened(self, templates: list) -> None:
        from commsdesk.desk import Desk  # here, not at module level: see the bridge

        self.build_panels()
        self.statements.set_templates(templates)
        if self.publishing is not None:  # before the scheduler: it queues behind on the lane
            if self.settings.get("drill_mode"):
                # Drill mode once lived in this desk's settings: it moves into the database.
                self.publishing.set_drill(True)
                self.settings.set("drill_mode", False)
                self.bridge.lane.submit(self.settings.save, self.settings.snapshot())
            else:
                self.publishing.read_drill()
        if self.schedule is not None:
            self.schedule.start()
        self.timeline.start()
        self.bridge.query(Desk.active_incident, on_done=self._incident_changed)
        if not self.settings.get("operator_name"):
            self.ask_operator()

    def _incident_changed(self, incident: Incident | None) -> None:
        self.incident = incident
        self.header.set_incident(incident)
        self.header.set_cadence(None)
        self._refresh_cadence()
        if self.statements is not None:
            self.statements.set_incident(incident)
        self.incident_action.setText("Edit incident…" if incident else "Start incident…")
        self.close_incident_action.setEnabled(incident is not None)
        self.cadence_action.setEnabled(incident is not None)

    def _show_counts(self, counts: dict) -> None:
        waiting = counts.get("in_review", 0)
        self.status_review.setText(f"{waiting} awaiting approval" if waiting else "")

    # --- posting --------------------------------------------------------------------------
    def _show_destination(self) -> None:
        if self.publishing is None:
            return
        target = self.publishing.destination()
        self.status_x.setText(target.short)
        self.status_x.setToolTip("Posts go to " + target.label)
        self.status_x.setStyleSheet(
            f"color: {'#6a1b9a' if target.sandbox else MUTED}; padding: 0 8px;"
            + (" font-weight: 600;" if target.sandbox else "")
        )

    def set_drill_mode(self, on: bool) -> None:
        """The header's switch: asks first, then changes drill mode for every desk on this
        database. Until the database says so, the switch shows the mode as it was."""
        if self.publishing is None:
            return
        self.header.set_drill(self.publishing.drill)
        if on:
            question = ("Turn Drill mode on?\n\nEvery post from every desk on this database goes "
                        "to the SANDBOX feed; nothing reaches X. A post already prepared for X "
                        "is held until drill mode is off.")
        else:
            question = ("Turn Drill mode off?\n\nApproved posts will go to "
                        f"{self._live_destination()} again, from every desk on this database.")
        answer = QMessageBox.question(
            self, "Drill mode", question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.publishing.set_drill(on)

    def _live_destination(self) -> str:
        account = self.settings.get("x_account")
        handle = self.settings.get("x_handle")
        return f"X as @{handle}" if handle else (f"X as {account}" if account else "the SANDBOX "
                                                  "(no X account is set up)")

    def _drill_changed(self, on: bool) -> None:
        self.header.set_drill(on)
        self._show_destination()

    def confirm_post(self, statement) -> None:
        """Post now: first whether all posting is paused (read on the database lane), then the
        dialog naming where the posts go."""
        if self.publishing is None:
            return
        from commsdesk.publishing.holds import paused

        desk = self.bridge.desk
        self.bridge.lane.submit(
            lambda: paused(desk), on_done=lambda held: self._confirm_post(statement, held)
        )

    def _confirm_post(self, statement, held) -> None:
        from commsdesk.publishing.ui.post_dialog import PostDialog

        if held is not None:
            answer = QMessageBox.warning(
                self, "All posting is paused",
                f"All posting is {held.describe()}\n\nPost “{statement.title}” anyway? The "
                "override goes on the timeline, naming this pause and its reason.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return

        target = self.publishing.destination()
        preview = self.statements.editor.last_preview
        parts = len(preview.thread.parts) if preview and preview.thread else 1
        slide = self.slide_on_air() if self.slide_on_air is not None else None
        dialog = PostDialog(
            statement.title, target.label, target.sandbox, parts,
            statement.approved_text or "", slide_on_air=slide, parent=self,
        )
        if dialog.exec() == PostDialog.DialogCode.Accepted:
            self.statusBar().showMessage(f"Posting “{statement.title}” to {target.label}…")
            self.publishing.post_now(
                statement.id, images=dialog.chosen(), despite_pause=held is not None
            )

    def _publishing_progress(self, publication) -> None:
        from commsdesk.publishing.publication import PublicationState

        done = len(publication.post_ids)
        if publication.state is PublicationState.WAITING and publication.wait_until:
            self._wait_until = publication.wait_until
            self._wait_timer.start()
            self._show_wait()
            return
        self._wait_timer.stop()
        self.statusBar().showMessage(f"Posting: {done} of {len(publication.parts)} out…")

    def _show_wait(self) -> None:
        from datetime import UTC, datetime

        left = int((self._wait_until - datetime.now(UTC)).total_seconds())
        if left < 0:
            self._wait_timer.stop()
            return
        self.statusBar().showMessage(
            f"X rate limit: posting continues in {left // 60}:{left % 60:02d} "
            f"(at {self._wait_until:%H:%M:%S} UTC), in order"
        )

    def _published(self, publication) -> None:
        from commsdesk.publishing.publication import PublicationState

        self._wait_timer.stop()
        if publication.state is PublicationState.REPLIES_REFUSED:
            answer = QMessageBox.question(
                self, "X refused the replies",
                f"{publication.error}\n\nPost the remaining "
                f"{len(publication.parts) - len(publication.post_ids)} part(s) now as separate "
                "numbered posts?",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.publishing.post_rest_separately(publication.id)
            return
        if publication.state is PublicationState.POSTED:
            where = "the SANDBOX" if publication.sandbox else "X"
            self.statusBar().showMessage(
                f"Posted to {where}: {len(publication.parts)} post(s), "
                + ", ".join(publication.post_ids), 15000
            )
            return
        message = publication.error or f"Posting stopped ({publication.state.value})."
        if publication.credentials_refused:
            self.status_x.setText(f"X: {publication.account} needs new credentials")
            self.status_x.setStyleSheet("color: white; background: #c62828; padding: 0 8px;")
        self.statusBar().showMessage(message, 15000)
        if self.tray is not None:
            self.tray.showMessage("Posting needs attention", message)
        QMessageBox.warning(self, "Posting stopped", message)

    # --- update cadence ---------------------------------------------------------------------
    def _refresh_cadence(self) -> None:
        if self.incident is None:
            return
        incident_id = self.incident.id

        def show(cadence) -> None:
            if self.incident is not None and self.incident.id == incident_id:
                self.header.set_cadence(cadence)

        from commsdesk.desk import Desk

        self.bridge.query(Desk.update_cadence, incident_id, key="cadence", on_done=show)

    def ask_cadence(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        if self.incident is None:
            return
        cadence = self.header.cadence
        current = int(cadence.every.total_seconds() // 60) if cadence else 30
        minutes, ok = QInputDialog.getInt(
            self, "Update cadence",
            "Promise an update every how many minutes? (0: no promise)\n"
            "The header counts down and the desk reminds you when it is due.",
            current, 0, 1440, 5,
        )
        if ok:
            from commsdesk.desk import Desk

            self.bridge.act(Desk.set_update_cadence, self.incident.id, minutes,
                            on_done=lambda _: self._refresh_cadence())

    def _update_due(self) -> None:
        """The promised update is due: remind, and open the update template filled in."""
        title = self.incident.title if self.incident else "the incident"
        message = f"An update on {title} is due now; the update template is open."
        self.statusBar().showMessage(message, 30000)
        if self.tray is not None:
            self.tray.showMessage("Update due", message)
        if self.statements is None:
            return
        template = next(
            (t for t in self.statements.templates if t.key == "investigation_update"), None
        )
        if template is not None:
            self.statements.new_statement(template.title, template.source)

    def _show_schedule(self, text: str, paused: bool) -> None:
        self.status_schedule.setText(text)
        self.status_schedule.setStyleSheet(
            f"color: {'white; background: #c62828' if paused else MUTED}; padding: 0 8px;"
        )

    def _missed(self, post) -> None:
        message = (f"“{post.title}” was due at {post.due_at:%H:%M} UTC and did not go out; "
                   "review it in the Schedule panel.")
        self.statusBar().showMessage(message, 30000)
        if self.tray is not None:
            self.tray.showMessage("Scheduled post missed", message)

    def ask_schedule(self, statement) -> None:
        from commsdesk.scheduling.ui.schedule_dialog import ScheduleDialog

        target = self.publishing.destination()
        dialog = ScheduleDialog(
            statement.title, target.label, self.settings.get("team_time_zones"), parent=self
        )

        def chosen() -> None:
            from commsdesk.scheduling.scheduler import PostScheduler

            day, clock, zone_name, fold = dialog.values()
            self.schedule.call(
                PostScheduler.schedule_local, statement.id, day, clock, zone_name,
                fold=fold if fold is not None and fold >= 0 else None,
                account=target.account, sandbox=target.sandbox, as_operator=True,
            )

        dialog.accepted.connect(chosen)
        dialog.open()

    def ask_account(self) -> None:
        if self.publishing is None:
            return
        from commsdesk.keyring_secrets import keyring_status
        from commsdesk.publishing.ui.account_dialog import AccountDialog

        def show(problem: str | None) -> None:
            dialog = AccountDialog(self.publishing, problem, self)

            def chosen() -> None:
                self.bridge.lane.submit(self.settings.save, self.settings.snapshot())
                self._show_destination()

            dialog.accepted.connect(chosen)
            dialog.open()

        # Asking the keyring whether it works is I/O: on the X lane, then the dialog.
        self.publishing.lane.submit(keyring_status, on_done=show)

    def _refused(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        QMessageBox.information(self, "Not done", message)

    def _busy(self, outstanding: int) -> None:
        self.status_work.setText("Working…" if outstanding > 2 else "")

    def _notify(self, events: list) -> None:
        me = self.settings.get("operator_name")
        if self.publishing is not None and any(e.kind == "desk.drill_mode" for e in events):
            self.publishing.read_drill()  # another desk or the command line changed it
        for event in events:
            title = NOTIFY_KINDS.get(event.kind)
            if title and event.actor != me and self.tray is not None:
                self.tray.showMessage(title, f"{event.actor}: {event.summary}")

    # --- actions ---------------------------------------------------------------------------
    def ask_operator(self) -> None:
        from commsdesk.ui.operator_dialog import OperatorDialog

        current = self.settings.get("operator_name")
        dialog = OperatorDialog(current, self, required=not current)
        dialog.setModal(True)

        def accepted() -> None:
            name = dialog.value()
            previous = self.settings.get("operator_name")
            if self.settings.set("operator_name", name):
                self.bridge.lane.submit(self.settings.save, self.settings.snapshot())
                summary = (
                    f"{previous} handed the desk to {name}" if previous else f"{name} took the desk"
                )
                from commsdesk.desk import Desk

                self.bridge.act(Desk.record, "desk.operator", summary)
            self.header.set_operator(name)

        dialog.accepted.connect(accepted)
        dialog.open()

    def ask_required_approvals(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        n, ok = QInputDialog.getInt(
            self,
            "Approvals required",
            "How many people other than the author must approve a statement?\n"
            "(0 lets a solo founder approve by submitting.)",
            self.bridge.required_approvals,
            0,
            9,
        )
        if ok and n != self.bridge.required_approvals:

            def changed(_):
                self.bridge.required_approvals = n
                if self.statements is not None:
                    self.statements.editor.refresh()

            from commsdesk.desk import Desk

            self.bridge.act(Desk.set_required_approvals, n, on_done=changed)

    def edit_or_start(self) -> None:
        if self.incident is None:
            self.start_incident()
        else:
            self.edit_incident()

    @staticmethod
    def _fact_suggestions() -> dict[str, str]:
        from commsdesk.statements.templates import FACT_SUGGESTIONS

        return FACT_SUGGESTIONS

    def start_incident(self) -> None:
        from commsdesk.incidents.ui.incident_dialog import IncidentDialog

        def accepted() -> None:
            from commsdesk.desk import Desk

            self.bridge.act(Desk.start_incident, **dialog.values())

        dialog = IncidentDialog(None, self._fact_suggestions(), self)
        dialog.accepted.connect(accepted)
        dialog.open()

    def edit_incident(self) -> None:
        if self.incident is None:
            return
        from commsdesk.incidents.ui.incident_dialog import IncidentDialog

        incident_id = self.incident.id

        def accepted() -> None:
            from commsdesk.desk import Desk

            self.bridge.act(Desk.update_incident, incident_id, **dialog.values())

        dialog = IncidentDialog(self.incident, self._fact_suggestions(), self)
        dialog.accepted.connect(accepted)
        dialog.open()

    def close_incident(self) -> None:
        if self.incident is None:
            return
        answer = QMessageBox.question(
            self,
            "Close incident",
            f"Close “{self.incident.title}” after {self.incident.elapsed_label(_now())}?\n"
            "Its statements and timeline stay on record; the desk will be ready for a new one.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            from commsdesk.desk import Desk

            self.bridge.act(Desk.close_incident, self.incident.id)

    def show_incidents(self) -> None:
        from commsdesk.desk import Desk
        from commsdesk.incidents.ui.incident_dialog import PastIncidentsDialog

        self.bridge.query(
            Desk.list_incidents, on_done=lambda items: PastIncidentsDialog(items, self).open()
        )

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in SHORTCUTS)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table cellpadding=4>{rows}</table>")

    # --- layout ----------------------------------------------------------------------------
    def _lay_out_docks(self) -> None:
        """Default layout: statements large on the left; the others tabbed on the right, the
        timeline in front. Then the layout remembered from last time, if any."""
        Qt = QtCore.Qt  # noqa: N806 - the namespace, resolved now that the window is up
        for dock in self.docks:
            dock.setParent(self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.docks[0])
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.docks[4])
        for dock in self.docks[1:4]:
            self.tabifyDockWidget(self.docks[4], dock)
        self.docks[4].raise_()
        self.resizeDocks([self.docks[0], self.docks[4]], [1000, 440], Qt.Orientation.Horizontal)
        self._default_state = self.saveState()
        state = self.settings.get("window_state")
        if state:
            self.restoreState(QByteArray.fromBase64(state.encode()))

    def reset_layout(self) -> None:
        if self._default_state is None:  # the docks are not laid out yet
            return
        self.restoreState(self._default_state)
        for dock in self.docks:
            dock.show()

    def remember_layout(self) -> None:
        self.settings.set("window_geometry", bytes(self.saveGeometry().toBase64()).decode())
        if self._default_state is not None:  # closed before the docks were laid out: keep
            self.settings.set("window_state", bytes(self.saveState().toBase64()).decode())

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.statements is not None:
            self.statements.editor.flush()
        if self.schedule is not None:
            self.schedule.stop()
        self.remember_layout()
        self.bridge.lane.submit(self.settings.save, self.settings.snapshot())
        super().closeEvent(event)


def _now():
    from commsdesk.clock import utc_now

    return utc_now()
