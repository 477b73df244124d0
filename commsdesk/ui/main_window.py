"""The desk's window: header, five panels in docks, status bar; the layout is remembered.

The window is the shell that holds the parts together; each part lives beside it:
window_docks (panels and fitting the screen), window_menus (menus, shortcuts, the F1 list),
posting_flow (where posts go, Drill mode, Post now), notices (tray and the header's warnings),
incident_actions (the incident, its cadence, who is at the desk), and commsdesk.p1.ui.controls
(the P-1 button, its chain and dialogs).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSystemTrayIcon,
    QToolBar,
    QWidget,
)

from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.header_bar import HeaderBar
from commsdesk.ui.incident_actions import IncidentActions
from commsdesk.ui.lanes import Lane
from commsdesk.ui.notices import Notices
from commsdesk.ui.posting_flow import PostingFlow
from commsdesk.ui.theme import MUTED
from commsdesk.ui.window_docks import PanelDocks, first_size, keep_on_screen, largest_size
from commsdesk.ui.window_menus import WindowMenus

SANDBOX_PANEL = 3  # the Schedule panel holds the SANDBOX feed
AUDIENCE_PANEL = 2
SETTLE_AT_LATEST_MS = 5000
PRESENCE_EVERY_MS = 20_000


class MainWindow(IncidentActions, QMainWindow):
    """The shell (header, menus, status bar) paints first; `build_panels` then lays out the docks
    and fills them.

    Panels import widget-heavy modules; building them after the first paint keeps the window on
    screen at once on a cold start. Before that paint nothing here touches PySide's `Qt`
    namespace: its first use builds every enum in it, about 30 ms, as long as a third of a bare
    window's whole start. Hence `QtCore.Qt` (resolved when used) instead of importing `Qt`.
    """

    first_painted = Signal()
    statements_listed = Signal(int)
    # The first listing is on screen (or there is no incident to list): the slower parts
    # (the scheduler, the Audience panel, OBS) start now rather than compete with it.
    settled = Signal()

    def __init__(
        self,
        bridge: DeskBridge,
        text_lane: Lane,
        *,
        publishing=None,
        schedule=None,
        obs=None,
        p1=None,
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
        self.incident = None
        self.text_lane = text_lane
        self.statements = self.timeline = self.broadcast = self.audience = None
        self.schedule_panel = None
        self._painted = False
        self._settled = False
        self._audience_waiting = False
        self._record_checked = False
        self._team_was_lost = False
        self._refusal_box = None
        self.setObjectName("CommsDeskMainWindow")
        self.setWindowTitle("CommsDesk" + (" — DEMO" if demo else ""))
        self.setDockNestingEnabled(True)

        self.header = HeaderBar(self.settings.get("team_time_zones"))
        header_bar = QToolBar("Incident")
        header_bar.setObjectName("IncidentHeader")
        header_bar.setMovable(False)
        header_bar.addWidget(self.header)
        self.addToolBar(header_bar)  # the top area

        self.panel_docks = PanelDocks(self)
        self.docks = self.panel_docks.docks  # laid out after the first paint
        central = QWidget()
        central.setMaximumSize(0, 0)
        self.setCentralWidget(central)

        self._build_status_bar()
        self.tray = self._make_tray()
        self.notices = Notices(self)
        self.posting = PostingFlow(self, publishing, schedule)
        self.menus = WindowMenus(self)
        self.statement_actions = self.menus.statement_actions
        self.incident_action = self.menus.incident_action
        self.cadence_action = self.menus.cadence_action
        self.close_incident_action = self.menus.close_incident_action
        self.p1_controls = None  # the P-1 button works with a P1Bridge (the app's wiring)
        if p1 is not None:
            from commsdesk.p1.ui.controls import P1Controls

            self.p1_controls = P1Controls(self, p1)

        header = self.header
        header.start_requested.connect(self.start_incident)
        header.edit_requested.connect(self.edit_incident)
        header.operator_requested.connect(self.ask_operator)
        header.drill_toggled.connect(self.posting.set_drill_mode)
        header.destination_requested.connect(self.show_destination)
        header.warning_clicked.connect(self.notices.show_topic)
        header.update_due.connect(self._update_due)
        header.set_operator(self.settings.get("operator_name"))
        self.posting.show_destination()
        bridge.incident_changed.connect(self._incident_changed)
        bridge.timeline_changed.connect(self._refresh_cadence)
        bridge.refused.connect(self._refused)
        bridge.lane.busy_changed.connect(self._busy)
        self._place(self.settings.get("window_geometry"))

    # --- construction ----------------------------------------------------------------------
    def _place(self, geometry: str | None) -> None:
        """Size and place before the first show: as remembered, else as much of the preferred
        size as the screen has room for; never larger than the screen (the dock layout comes
        after the first paint). Qt refuses a geometry remembered on a screen more than a
        quarter narrower or wider: the window then opens as on a first run."""
        screen = self.screen()
        available = screen.availableGeometry() if screen is not None else None
        restored = bool(geometry) and self.restoreGeometry(
            QByteArray.fromBase64(geometry.encode())
        )
        if not restored and available is not None:
            self.resize(*first_size(available))
            self.move(available.center() - self.rect().center())
        if available is not None and not self.isMaximized():
            most_width, most_height = largest_size(available)
            if self.width() > most_width or self.height() > most_height:
                self.resize(min(self.width(), most_width), min(self.height(), most_height))

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

    def _make_tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(self.windowIcon(), self)
        tray.setToolTip("CommsDesk")
        tray.show()
        return tray

    def build_panels(self, *, audience_later: bool = False) -> None:
        """Build and lay out every panel. With `audience_later`, the Audience panel (its chart
        library is the slowest import of all) is built once the desk has settled."""
        from commsdesk.slides.render import register_emoji_font
        from commsdesk.statements.ui.panel import StatementsPanel
        from commsdesk.timeline.ui.timeline_panel import TimelinePanel
        from commsdesk.ui.placeholders import audience_placeholder, broadcast_placeholder

        if self.statements is not None:
            return
        register_emoji_font()  # before the editor: its font falls back on it for emoji
        self.statements = StatementsPanel(self.bridge, self.text_lane)
        self.statements.counts_changed.connect(self._show_counts)
        self.statements.loaded.connect(self.statements_listed)
        self.statements.loaded.connect(lambda _n: self._settle())
        self.statements.editor.post_requested.connect(self.posting.confirm_post)
        self.timeline = TimelinePanel(self.bridge)
        self.timeline.new_events.connect(self.notices.timeline_events)
        self.timeline.new_events.connect(self._follow_incident)
        if self.obs is not None:
            self.timeline.new_events.connect(self.obs.slides_pushed_elsewhere)
        self.broadcast = self._build_broadcast() if self.obs is not None else (
            broadcast_placeholder())
        if self.audience_lane is None:
            self.audience = audience_placeholder()
        elif audience_later:
            from commsdesk.ui.placeholders import opening_placeholder

            self.audience = opening_placeholder("Audience")
            self._audience_waiting = True
        else:
            self.audience = self._build_audience()
        self.schedule_panel = self._build_schedule()
        panels = (
            self.statements, self.broadcast, self.audience, self.schedule_panel, self.timeline
        )
        for dock, panel in zip(self.docks, panels, strict=True):
            dock.setWidget(panel)
        for panel in (self.statements, self.schedule_panel):  # changes from other desks
            if hasattr(panel, "events_arrived"):
                self.timeline.new_events.connect(panel.events_arrived)
        keep_on_screen(self)  # the frame is known now
        self.panel_docks.lay_out(self.settings.get("window_state"))
        self.menus.bind_shortcuts()
        self.header.finish()
        self.statements.set_incident(self.incident)
        self.panel_docks.show_panel(0)  # the keyboard starts in Statements, never the header

    def _build_schedule(self):
        if self.schedule is None:
            from commsdesk.ui.placeholders import schedule_placeholder

            return schedule_placeholder()
        from commsdesk.scheduling.ui.schedule_panel import SchedulePanel

        panel = SchedulePanel(self.schedule)
        panel.summary_changed.connect(self._show_schedule)
        self.statements.editor.schedule_requested.connect(self.posting.ask_schedule)
        self.schedule.missed.connect(self._missed)
        self.schedule.refused.connect(self._refused)
        return panel

    def _build_audience(self):
        from commsdesk.audience.ui.bridge import AudienceBridge
        from commsdesk.audience.ui.panel import AudiencePanel

        panel = AudiencePanel(file_lane=self.audience_lane)
        self.audience_bridge = AudienceBridge(
            self.bridge, self.audience_lane, panel, notify=self.notices.notify, parent=self
        )
        panel.sources_requested.connect(self.ask_audience_sources)
        panel.manual_entered.connect(self.audience_bridge.enter_manual)
        self.audience_bridge.refused.connect(self._refused)
        self.audience_bridge.advice.connect(self.notices.advice)
        self.audience_bridge.start()  # polls once the database is open
        return panel

    def _build_broadcast(self):
        from commsdesk.broadcast.ui.panel import BroadcastPanel

        panel = BroadcastPanel(
            self.obs, status_label=self.status_obs, notify=self.notices.notify,
            selected_statement=lambda: self.statements.editor.statement,
        )  # fmt: skip
        self.slide_on_air = panel.slide_on_air
        self.obs.health_changed.connect(self.notices.stream_health)
        self.obs.alert.connect(self.notices.stream_alert)
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

    def editor_call(self, method: str):
        def call() -> None:
            if self.statements is not None:
                getattr(self.statements.editor, method)()

        return call

    def statements_call(self, method: str):
        def call() -> None:
            if self.statements is not None:
                getattr(self.statements, method)()

        return call

    def new_statement(self, title: str = "", body: str = "") -> None:
        """A new statement, with the keyboard in its text once it is shown."""
        if self.statements is None or self.incident is None:
            return
        self.show_panel(0)
        self.statements.new_statement(title, body)  # which puts the keyboard in its text

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
        self.timeline.start()
        self.bridge.query(Desk.active_incident, on_done=self._first_incident)
        from commsdesk.drill.run import cut_short_drill

        self.bridge.query(cut_short_drill, on_done=self._ask_put_right)
        # Should the first listing fail, the rest of the desk still starts.
        QTimer(self, singleShot=True, interval=SETTLE_AT_LATEST_MS, timeout=self._settle).start()
        person = self.bridge.desk.person if self.bridge.desk is not None else None
        if person is not None:
            self._show_team(True, "")
            self.bridge.connection_changed.connect(self._show_team)
            self.bridge.remote_change.connect(self._team_change)
            # A desk killed says nothing as it goes: who is at a desk is read again now and then.
            QTimer(self, interval=PRESENCE_EVERY_MS, timeout=self._read_team).start()
        elif not self.settings.get("operator_name"):
            self.ask_operator()

    def _first_incident(self, incident) -> None:
        self._incident_changed(incident)
        if incident is None:  # nothing to list
            self._settle()

    def _settle(self) -> None:
        """Once, after the first listing: start the scheduler, build the Audience panel if it
        waited, and say so (the app connects OBS then)."""
        if self._settled or self.statements is None:
            return
        self._settled = True
        if self._audience_waiting:
            self._audience_waiting = False
            waiting, self.audience = self.audience, self._build_audience()
            self.docks[AUDIENCE_PANEL].setWidget(self.audience)
            waiting.deleteLater()
        if self.schedule is not None:
            self.schedule.start()
        self.settled.emit()

    def _incident_changed(self, incident) -> None:
        super()._incident_changed(incident)
        if not self._record_checked and self.bridge.desk is not None:
            self._record_checked = True  # after the statements' first listing, on the lane
            self.notices.check_record()

    def _ask_put_right(self, started) -> None:
        """A drill began and never finished (its desk was killed): offer to put the desk back
        as it was before it. Only a person can tell it is not running elsewhere now."""
        if started is None or self.findChildren(QDialog, "drill-dialog"):
            return
        name = started.data.get("name") or started.data.get("scenario") or "a drill"
        box = self.put_right_box = QMessageBox(
            QMessageBox.Icon.Warning, "A drill did not finish",
            f"The drill “{name}” began at {started.at:%H:%M} UTC and did not finish: the desk "
            "was closed or stopped during it. It may have left Drill mode on, the approvals "
            "asked raised and its incident open.\n\nIf it is not running anywhere now, put the "
            "desk back as it was before it?", parent=self,
        )  # fmt: skip
        mend = box.addButton("&Put right", QMessageBox.ButtonRole.AcceptRole)
        leave = box.addButton("&Leave as it is", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(leave)
        box.setEscapeButton(leave)

        def answered() -> None:
            if box.clickedButton() is not mend:
                return
            from commsdesk.drill.run import put_right

            def done(lines) -> None:
                said = "; ".join(lines) or "nothing was left to put back"
                self.statusBar().showMessage(f"Drill put right: {said}.", 20_000)
                if self.publishing is not None:
                    self.publishing.read_drill()

            self.bridge.act(put_right, on_done=done)

        box.finished.connect(answered)
        box.open()

    def _follow_incident(self, events: list) -> None:
        """An incident started, changed or closed elsewhere (the command line, a drill, another
        desk): the header and the panels follow it."""
        if self.bridge.desk is None or not any(e.kind.startswith("incident.") for e in events):
            return
        from commsdesk.desk import Desk

        self.bridge.query(Desk.active_incident, on_done=self.bridge.incident_changed.emit,
                          key="active-incident")  # fmt: skip

    def _show_counts(self, counts: dict) -> None:
        waiting = counts.get("in_review", 0)
        self.status_review.setText(f"{waiting} awaiting approval" if waiting else "")

    def _show_schedule(self, text: str, paused: bool) -> None:
        self.status_schedule.setText(text)
        self.status_schedule.setStyleSheet(
            f"color: {'white; background: #c62828' if paused else MUTED}; padding: 0 8px;"
        )

    def _missed(self, post) -> None:
        message = (f"“{post.title}” was due at {post.due_at:%H:%M} UTC and did not go out; "
                   "review it in the Schedule panel.")
        self.statusBar().showMessage(message, 30000)
        self.notices.notify("Scheduled post missed", message)

    def _refused(self, message: str) -> None:
        """In a box that does not stop the window (no nested event loop); one at a time. A
        team database out of reach is said in the header instead: no box takes the keyboard
        from someone typing while the desk reconnects."""
        from commsdesk.ui.desk_bridge import lost_connection

        lost = lost_connection(message) if self.bridge.desk is not None else None
        if lost is not None and getattr(self.bridge.desk, "person", None) is not None:
            self.bridge.connection_changed.emit(False, lost)
            return
        self.statusBar().showMessage(message, 8000)
        box = self._refusal_box
        if box is None or not box.isVisible():
            box = self._refusal_box = QMessageBox(
                QMessageBox.Icon.Information, "Not done", message, parent=self
            )
            box.open()
        else:
            box.setText(message)

    def _busy(self, outstanding: int) -> None:
        self.status_work.setText("Working…" if outstanding > 2 else "")

    # --- posting (see posting_flow) -------------------------------------------------------
    def ask_account(self) -> None:
        self.posting.ask_account()

    def show_destination(self) -> None:
        """The header's "Posts → …" was clicked: the SANDBOX feed, or the X account."""
        if self.publishing is not None and not self.publishing.destination().sandbox:
            self.posting.ask_account()
        else:
            self.show_sandbox_feed()

    def show_sandbox_feed(self) -> None:
        """The SANDBOX feed (in the Schedule panel) in front, with the keyboard in it."""
        if self.schedule_panel is None:
            return
        self.show_panel(SANDBOX_PANEL)
        feed = getattr(self.schedule_panel, "feed", None)
        if feed is not None:
            feed.setFocus()
            self.statusBar().showMessage(
                "The SANDBOX feed: what drills and desks without an X account posted. "
                "Nothing here reached X.", 8000,
            )

    # --- layout ----------------------------------------------------------------------------
    def show_panel(self, index: int) -> None:
        self.panel_docks.show_panel(index)

    def reset_layout(self) -> None:
        self.panel_docks.reset()

    def remember_layout(self) -> None:
        self.settings.set("window_geometry", bytes(self.saveGeometry().toBase64()).decode())
        state = self.panel_docks.state()
        if state is not None:  # closed before the docks were laid out: keep the remembered
            self.settings.set("window_state", state)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        drilling = next((d for d in self.findChildren(QDialog, "drill-dialog")
                         if getattr(d, "running", False)), None)  # fmt: skip
        if drilling is not None:  # a drill left running would leave drill mode on for all
            event.ignore()
            drilling.close_with_window()
            return
        if self.statements is not None:
            self.statements.editor.flush()
        if self.schedule is not None:
            self.schedule.stop()
        self.remember_layout()
        self.bridge.lane.submit(self.settings.save, self.settings.snapshot())
        super().closeEvent(event)
