"""The Broadcast panel: the stream producer's controls for OBS Studio, thin over BroadcastBridge.

Top to bottom: the connection (in words and colour, with OBS settings, Reconnect and, after a
refused or missing password, Enter password…), the scenes (`SceneButtons`; keys 1–9 while the
panel has focus, except in a text field; OBS's program marked ON AIR only while OBS streams or
records, else PROGRAM) with a live thumbnail of the program, what OBS has on air
now (as OBS last said: never ON AIR on a guess) with Back to live (Ctrl+Shift+L), the slide
composer with its preview, a note when OBS runs on another machine, Put on air (Ctrl+Shift+B),
and the stream's health with End stream.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QGuiApplication, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from commsdesk.broadcast.obs.api import ConnectionState, ConnectionStatus, SceneList
from commsdesk.broadcast.on_air import producer_zone
from commsdesk.broadcast.program import Program, Tone, remote_note_parts
from commsdesk.broadcast.ui.bridge import BroadcastBridge
from commsdesk.broadcast.ui.health import HealthView
from commsdesk.broadcast.ui.obs_link import THUMBNAIL_FRAME
from commsdesk.broadcast.ui.rendering import Rendering
from commsdesk.broadcast.ui.scene_buttons import SceneButtons
from commsdesk.clock import utc_now
from commsdesk.slides.slide_kinds import BackAt, SlideKind, countdown_text
from commsdesk.slides.ui.composer import SlideComposer
from commsdesk.ui.steady import Holder, make_steady, set_steady_text
from commsdesk.ui.theme import BAD, MUTED, OK, WARN

# The on-air line looks the same in shape whether a slide is on air or not (only its colours
# change), so switching never lays the panel out again.
ON_AIR_SHAPE = "font-weight: 700; padding: 6px; border-radius: 4px;"
STATUS_SHAPE = "padding: 0 8px; font-weight: 600;"


def connection_words(status: ConnectionStatus, retry_left: int | None) -> tuple[str, str, str]:
    """(the panel's line, the status bar's words, colour) for a connection state."""
    retry = "" if retry_left is None else (
        f", retrying in {retry_left} s" if retry_left > 0 else ", retrying now"
    )
    state = status.state
    if state is ConnectionState.CONNECTED:
        versions = f"OBS {status.obs_version}, websocket {status.websocket_version}"
        return f"Connected: {versions}", f"OBS: connected ({status.obs_version})", OK
    if state is ConnectionState.CONNECTING:
        return "Connecting to OBS…", "OBS: connecting…", WARN
    if state is ConnectionState.WRONG_PASSWORD:
        return ("Wrong password: OBS refused it. Enter the password from OBS's WebSocket "
                "settings.", "OBS: wrong password", BAD)  # fmt: skip
    if state is ConnectionState.NO_PASSWORD:
        return ("OBS asks for a password and none is set. Enter the one from OBS's WebSocket "
                "settings.", "OBS: needs a password", BAD)  # fmt: skip
    if state is ConnectionState.UNREACHABLE:
        return f"Unreachable{retry}", f"OBS: unreachable{retry}", BAD
    if state is ConnectionState.NOT_ANSWERING:
        return f"OBS is not answering{retry}", f"OBS: not answering{retry}", BAD
    if state is ConnectionState.OBS_EXITING:
        return f"OBS is exiting{retry}", "OBS: exiting", WARN
    return "Not connected", "OBS: not connected", MUTED


class BroadcastPanel(QWidget):
    def __init__(
        self,
        bridge: BroadcastBridge,
        *,
        status_label: QLabel | None = None,
        notify: Callable[[str, str], None] | None = None,
        selected_statement: Callable[[], Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.status_label = status_label
        if status_label is not None:
            # One shape in every state, room for the longest words: a new state only repaints.
            status_label.setStyleSheet(f"color: {MUTED}; {STATUS_SHAPE}")
            make_steady(status_label, "OBS: not answering, retrying in 10 s",
                        "OBS: connected (30.2.3)")
        self.notify = notify
        self.selected_statement = selected_statement
        self._retry_at: float | None = None
        self._latest_generation = 0
        self._push_generation: int | None = None
        settings = bridge.settings
        zones = list(settings.get("team_time_zones")) or ["UTC"]

        # --- connection ---
        self.connection = QLabel()
        self.connection.setObjectName("obs-connection")
        self.connection.setWordWrap(True)
        self.enter_password = QPushButton("Enter password…")
        self.enter_password.clicked.connect(lambda: self.ask_settings(ask_password=True))
        self.enter_password.hide()
        self.settings_button = QPushButton("OBS settings…")
        self.settings_button.clicked.connect(lambda: self.ask_settings())
        self.reconnect_button = QPushButton("Reconnect")
        self.reconnect_button.clicked.connect(lambda: self.bridge.reconnect())
        self.connection_detail = QLabel()
        self.connection_detail.setObjectName("obs-connection-detail")
        self.connection_detail.setWordWrap(True)
        self.connection_detail.setStyleSheet(f"color: {MUTED};")
        # Fixed heights, each line held on its own: a state change rewrites these lines; if the
        # panel followed their text, each change would lay out and repaint all of it while OBS
        # comes and goes.
        lines = self.connection.fontMetrics().lineSpacing()
        self.connection.setFixedHeight(2 * lines + 4)
        self.connection_detail.setFixedHeight(2 * lines + 4)
        connection_buttons = QHBoxLayout()
        connection_buttons.addWidget(self.enter_password)
        connection_buttons.addStretch(1)
        connection_buttons.addWidget(self.settings_button)
        connection_buttons.addWidget(self.reconnect_button)
        connection_row = QVBoxLayout()
        connection_row.setSpacing(2)
        connection_row.addWidget(Holder(self.connection))  # held alone: no layout to redo
        connection_row.addWidget(Holder(self.connection_detail))
        connection_row.addLayout(connection_buttons)

        # --- scenes and the program thumbnail ---
        scenes_box = QGroupBox("Scenes: click, or keys 1–9")
        self.scenes = SceneButtons()
        self.scenes.switch_requested.connect(lambda name: self.bridge.switch_scene(name))
        # Switching restyles the buttons (the one on air in bold): that stays in here; the
        # panel is laid out again only when the room the scenes need changes.
        self.scene_holder = Holder(self.scenes)
        self.scenes.room_changed.connect(self.scene_holder.refit)
        self.thumbnail = QLabel("No picture")
        self.thumbnail.setObjectName("program-thumbnail")
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumbnail.setFixedSize(*THUMBNAIL_FRAME)
        self.thumbnail.setStyleSheet(f"background: #111; color: {MUTED}; border: 1px solid #444;")
        self.thumbnail.setToolTip("What is on air now (program output, refreshed each second)")
        scenes_layout = QVBoxLayout(scenes_box)
        scenes_layout.addWidget(self.scene_holder)
        scenes_layout.addWidget(self.thumbnail, 0, Qt.AlignmentFlag.AlignHCenter)

        # --- on air now ---
        self.on_air_label = QLabel()
        self.on_air_label.setObjectName("on-air")
        self.on_air_label.setWordWrap(True)
        self.on_air_label.setStyleSheet(f"color: {MUTED}; {ON_AIR_SHAPE}")
        self.on_air_label.setFixedHeight(3 * self.on_air_label.fontMetrics().lineSpacing() + 16)
        self.back_button = QPushButton("Back to live")
        self.back_button.setToolTip("Return to the scene that was on before the slide "
                                    "(Ctrl+Shift+L)")  # fmt: skip
        self.back_button.clicked.connect(self.back_to_live)
        self.back_button.setEnabled(False)
        on_air_row = QHBoxLayout()
        on_air_row.addWidget(Holder(self.on_air_label), 1)
        on_air_row.addWidget(self.back_button)

        # --- the slide composer ---
        slide_box = QGroupBox("Slide")
        self.composer = SlideComposer(producer_zone(settings.get("producer_zone")), zones)
        self.composer.preview_due.connect(self.request_preview)
        self.composer.moved_on.connect(self._time_moved_on)
        self.composer.changed.connect(self._composer_changed)
        self.composer.statement_wanted.connect(self.use_selected_statement)
        self.put_button = QPushButton("Put on air")
        self.put_button.setToolTip("Show this slide in OBS now (Ctrl+Shift+B)")
        self.put_button.setStyleSheet("font-weight: 700; padding: 6px 14px;")
        self.put_button.clicked.connect(self.put_on_air)
        self.page_button = QPushButton("HTML page for a browser source…")
        self.page_button.setToolTip("Where OBS has a browser source: a page whose countdown runs "
                                    "on its own clock")  # fmt: skip
        self.page_button.clicked.connect(self.write_page)
        self.slide_message = QLabel()
        self.slide_message.setObjectName("slide-message")
        self.slide_message.setWordWrap(True)
        # Its look is set in full now, and its room kept: the first bold text or a new line's
        # height would otherwise cost a font lookup and a relayout in the middle of a push.
        self.slide_message.setStyleSheet(f"color: {MUTED}; font-weight: 600;")
        self.slide_message.setFixedHeight(3 * self.slide_message.fontMetrics().lineSpacing() + 4)
        # Where OBS runs on another machine: it reads slides as files, so say which and where.
        # The sentence wraps as prose; the path has lines of its own, whole where it fits and
        # broken only where it must (after a "/"), with nothing put into it: what is selected
        # and copied is the path itself, and its tooltip has it whole. Their heights follow
        # their text: it only changes with a new slide while OBS is remote.
        self.remote_note = QLabel()
        self.remote_note.setObjectName("obs-remote-note")
        self.remote_note.setTextFormat(Qt.TextFormat.PlainText)
        self.remote_note.setWordWrap(True)
        self.remote_note.setStyleSheet(f"color: {WARN}; font-weight: 600;")
        self.remote_note.hide()
        self.remote_path = QLabel()
        self.remote_path.setObjectName("obs-remote-path")
        self.remote_path.setTextFormat(Qt.TextFormat.PlainText)
        self.remote_path.setWordWrap(True)
        self.remote_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.remote_path.setStyleSheet(f"color: {WARN};")
        # A folder name too long for any line is cut in the label (whole in the tooltip and
        # when copied) rather than widening the panel past its column.
        self.remote_path.setMinimumWidth(1)
        self.remote_path.hide()
        remote_rows = QVBoxLayout()
        remote_rows.setSpacing(2)
        remote_rows.addWidget(self.remote_note)
        remote_rows.addWidget(self.remote_path)
        buttons = QHBoxLayout()
        buttons.addWidget(self.put_button)
        buttons.addStretch(1)
        buttons.addWidget(self.page_button)
        slide_layout = QVBoxLayout(slide_box)
        slide_layout.addWidget(self.composer)
        slide_layout.addLayout(remote_rows)
        slide_layout.addLayout(buttons)
        slide_layout.addWidget(Holder(self.slide_message))

        # --- stream health ---
        health_box = QGroupBox("Stream")
        self.health = HealthView()
        self.health.stop_requested.connect(self.bridge.stream.end)
        self.health.live_requested.connect(
            lambda: self.bridge.stream.prepare_go_live(self._go_live)
        )
        QVBoxLayout(health_box).addWidget(Holder(self.health))

        content = QWidget()
        content.setObjectName("broadcast-content")
        column = QVBoxLayout(content)
        column.addLayout(connection_row)
        column.addSpacing(4)
        column.addWidget(scenes_box)
        column.addLayout(on_air_row)
        column.addWidget(slide_box)
        column.addWidget(health_box)
        column.addStretch(1)
        scroll = self.scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # Never narrower than what it holds: with no horizontal scroll bar, a narrower panel
        # would cut the right of every row off.
        content.ensurePolished()
        scroll.setMinimumWidth(content.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width())  # fmt: skip
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        # Keyboard focus moving to a widget of the panel (Tab, a key, after a dialog) scrolls
        # it into view: Tab from another panel never passes through the scroll area itself.
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._follow_focus)

        # Keys 1–9 while focus is in the panel; a text field takes its digits for itself
        # (line and text edits claim printable keys before shortcuts see them).
        self.scene_keys = []
        for number in range(1, 10):
            key = QShortcut(QKeySequence(str(number)), self)
            key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            key.activated.connect(lambda n=number: self.switch_nth(n))
            self.scene_keys.append(key)
        QShortcut(QKeySequence("Ctrl+Shift+B"), self, self.put_on_air)
        QShortcut(QKeySequence("Ctrl+Shift+L"), self, self.back_to_live)

        self._ticker = QTimer(self, interval=1000)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()

        bridge.status_changed.connect(self.show_status)
        bridge.scenes_changed.connect(self.show_scenes)
        bridge.thumbnail.connect(self.show_thumbnail)
        bridge.health_changed.connect(self.health.show_health)
        bridge.on_air_changed.connect(self.show_on_air)
        bridge.broadcasting_changed.connect(self.scenes.set_live)
        bridge.rendered.connect(self._rendered)
        bridge.render_failed.connect(self._render_failed)
        bridge.place_known.connect(self._show_place)
        bridge.failed.connect(self._failed)
        bridge.alert.connect(self._alert)
        bridge.done.connect(self._done)
        self.scenes.set_live(bridge.broadcasting)
        self.show_status(bridge.status)
        if bridge.scenes is not None:
            self.show_scenes(bridge.scenes)
        self.show_on_air(bridge.program)
        self._show_place()
        self._composer_changed()
        self.composer.flush()
        self.request_preview()

    def _follow_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        content = self.scroll.widget()
        if new is not None and content is not None and content.isAncestorOf(new):
            self.scroll.ensureWidgetVisible(new)

    # --- connection ----------------------------------------------------------------------
    def show_status(self, status: ConnectionStatus) -> None:
        self._retry_at = (
            time.monotonic() + status.retry_in if status.retry_in is not None else None
        )
        self._paint_status(status)
        self.enter_password.setVisible(status.state in (ConnectionState.WRONG_PASSWORD,
                                                        ConnectionState.NO_PASSWORD))  # fmt: skip
        if not status.connected:
            self.thumbnail.setPixmap(QPixmap())
            self.thumbnail.setText("No picture")
            if self.bridge.scenes is not None:  # no scene is known to be on air now
                self.scenes.show_scenes(SceneList(self.bridge.scenes.scenes, None), False)
        self.scenes.set_enabled(status.connected)

    def _paint_status(self, status: ConnectionStatus) -> None:
        left = None
        if self._retry_at is not None:
            left = max(0, round(self._retry_at - time.monotonic()))
        line, short, colour = connection_words(status, left)
        self.connection.setText(f"● {line}")
        self.connection.setToolTip(status.detail)
        self.connection_detail.setText("" if status.connected else status.detail)
        _restyle(self.connection, f"color: {colour}; font-weight: 600;")
        if self.status_label is not None:
            set_steady_text(self.status_label, short)
            self.status_label.setToolTip(status.detail or "Broadcast control: OBS Studio")
            _restyle(self.status_label, f"color: {colour}; {STATUS_SHAPE}")

    def ask_settings(self, *, ask_password: bool = False) -> None:
        from commsdesk.broadcast.ui.obs_settings_dialog import ObsSettingsDialog

        settings = self.bridge.settings
        dialog = ObsSettingsDialog(settings.get("obs_host"), settings.get("obs_port"), self,
                                   ask_password=ask_password,
                                   rehearsal=settings.get("rehearsal_destinations"))  # fmt: skip

        def apply() -> None:
            settings.set("rehearsal_destinations", dialog.rehearsal_destinations())
            self.bridge.apply_settings(*dialog.values())  # saves the settings too

        dialog.accepted.connect(apply)
        dialog.open()
        self.settings_dialog = dialog
        self.bridge.link.keyring_problem(dialog.show_keyring_problem)

    # --- scenes ----------------------------------------------------------------------------
    @property
    def scene_buttons(self) -> list[QPushButton]:
        return self.scenes.buttons

    def show_scenes(self, scenes: SceneList) -> None:
        self.scenes.show_scenes(scenes, self.bridge.connected)

    def switch_nth(self, number: int) -> None:
        scenes = self.bridge.scenes
        if scenes is not None and 1 <= number <= len(scenes.scenes) and self.bridge.connected:
            self.bridge.switch_scene(scenes.scenes[number - 1])

    def _go_live(self, going) -> None:
        if self.health.confirm_go_live(going):
            self.bridge.stream.go_live(going)

    def show_thumbnail(self, image) -> None:
        """`image` comes sized for the frame (see BroadcastBridge)."""
        self.thumbnail.setPixmap(QPixmap.fromImage(image))

    # --- on air ----------------------------------------------------------------------------
    def show_on_air(self, program: Program) -> None:
        """The on-air line as OBS last told it; Back to live while the slides scene is on."""
        self.back_button.setEnabled(program.slide_on_air)
        text, tone = program.banner(utc_now())
        self.on_air_label.setText(text)
        look = {Tone.ON_AIR: f"color: white; background: {BAD};", Tone.OFF: f"color: {MUTED};",
                Tone.UNKNOWN: f"color: {WARN};"}[tone]  # fmt: skip
        _restyle(self.on_air_label, f"{look} {ON_AIR_SHAPE}")

    def _show_place(self) -> None:
        """Where OBS runs on another machine, the note saying where it must find the slide."""
        remote = self.bridge.obs_local is False
        if remote:
            rendering = self.composer.rendering
            sentence, where = remote_note_parts(
                self.bridge.link.host, rendering.path if rendering else None,
                self.bridge.drawer.folder,
            )  # fmt: skip
            self.remote_note.setText(sentence)
            self.remote_path.setText(where)
            self.remote_path.setToolTip(where)
        for label in (self.remote_note, self.remote_path):
            if label.isHidden() == remote:
                label.setVisible(remote)

    def back_to_live(self) -> None:
        self.bridge.back_to_live()

    def slide_on_air(self):
        """The PNG on air, for a post (a ChosenImage), or None."""
        from commsdesk.publishing.ui.post_dialog import ChosenImage

        slide = self.bridge.on_air
        if slide is None or not slide.path.is_file():
            return None
        return ChosenImage(slide.path, slide.alt, "the slide on air")

    def _tick(self) -> None:
        if self.bridge.on_air is not None:
            self.on_air_label.setText(self.bridge.program.banner(utc_now())[0])
        if self._retry_at is not None:
            self._paint_status(self.bridge.status)
        rendering = self.composer.rendering
        if rendering is not None and isinstance(rendering.slide, BackAt):
            self.composer.show_rendering(rendering, countdown_text(rendering.slide.at, utc_now()))

    # --- slides ----------------------------------------------------------------------------
    def _composer_changed(self) -> None:
        self.put_button.setEnabled(self.composer.ready())
        self.page_button.setEnabled(self.composer.ready())

    def request_preview(self, now: datetime | None = None) -> int | None:
        """Draw the slide as the form says, its time read at `now` (default: the composer's
        clock); the generation asked for, or None when the form is not usable yet."""
        if not self.composer.ready():
            if self.composer.values().get("at"):
                self.composer.show_problem("No preview until the time above is usable.")
            else:
                self.composer.show_waiting("Type when you will be back to see the slide.")
            return None
        composer = self.composer
        self._latest_generation = self.bridge.render(composer.request(), composer.fold,
                                                     now or composer.now())  # fmt: skip
        return self._latest_generation

    def _time_moved_on(self) -> None:
        """The clock moved what the Back-at time names: the preview follows, unless a push is
        waiting for its own drawing (read at the push's moment)."""
        if self._push_generation is None:
            self.request_preview()

    def _rendered(self, rendering: Rendering) -> None:
        if rendering.generation != self._latest_generation:
            return  # an older drawing finished after a newer one was asked for
        countdown = None
        if isinstance(rendering.slide, BackAt):
            countdown = countdown_text(rendering.slide.at, utc_now())
        self.composer.show_rendering(rendering, countdown)
        if self.bridge.obs_local is False:
            self._show_place()
        if self._push_generation == rendering.generation:
            self._push_generation = None
            self.bridge.push(rendering)

    def _render_failed(self, generation: int, message: str) -> None:
        if generation != self._latest_generation:
            return
        self.composer.show_problem(message)
        if self._push_generation == generation:
            self._push_generation = None
            self._failed("Slide not on air", f"The slide does not render: {message}")

    def put_on_air(self) -> None:
        """Push what the preview shows, its time read once more now: what goes on air is what
        the line under the time says at this moment. If typing has not paused yet, or the
        preview names another time by now ("+15m" counts from the push), draw it first."""
        now = self.composer.now()
        self.composer.refresh(now)
        if not self.composer.ready():
            self._failed("Slide not on air", "The time is not usable yet; see under it.")
            return
        self._show_message("Putting the slide on air…", MUTED)
        rendering = self.composer.rendering
        due = self.composer.flush()
        if (rendering is not None and not due and rendering.generation == self._latest_generation
                and self.composer.shows(rendering)):  # fmt: skip
            self.bridge.push(rendering)
            return
        self._push_generation = self.request_preview(now)

    def use_selected_statement(self) -> None:
        statement = self.selected_statement() if self.selected_statement else None
        if statement is None:
            self._failed("No statement", "Select a statement in the Statements panel first.")
            return
        self.composer.set_kind(SlideKind.STATEMENT)
        self.composer.set_value("text", statement.approved_text or statement.body)
        self.composer.set_value("author", statement.version_author or statement.created_by)
        if statement.state == "posted":
            self.composer.set_value("posted_at", f"{statement.updated_at:%Y-%m-%dT%H:%MZ}")

    def write_page(self) -> None:
        if not self.composer.ready():
            return

        def written(path: Path) -> None:
            PageDialog(QUrl.fromLocalFile(str(path)).toString(), self).open()

        self.bridge.drawer.write_page(
            self.composer.request(), self.composer.fold, utc_now(), written,
            lambda exc: self._failed("No page written", str(exc)),
        )  # fmt: skip

    # --- messages --------------------------------------------------------------------------
    def _show_message(self, text: str, colour: str) -> None:
        self.slide_message.setText(text)
        _restyle(self.slide_message, f"color: {colour}; font-weight: 600;")

    def _failed(self, title: str, message: str) -> None:
        self._show_message(f"{title}: {message}", BAD)

    def _done(self, message: str) -> None:
        self._show_message(message, OK)

    def _alert(self, title: str, message: str) -> None:
        if self.notify is not None:
            self.notify(title, message)


def _restyle(widget: QWidget, style: str) -> None:
    """Set a style sheet only when it changes: each set re-polishes the widget."""
    if widget.styleSheet() != style:
        widget.setStyleSheet(style)


class PageDialog(QDialog):
    """The browser-source page's address, to copy into OBS (Sources → Browser → Local file)."""

    def __init__(self, url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("HTML page for a browser source")
        self.url = QLineEdit(url)
        self.url.setReadOnly(True)
        self.url.selectAll()
        hint = QLabel("In OBS: add a Browser source, 1920×1080, and give it this address (or tick "
                      "Local file and pick the file). Its countdown runs on its own clock.")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(url))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.url)
        layout.addWidget(buttons)
        self.resize(640, 0)
