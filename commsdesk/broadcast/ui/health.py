"""Stream health at a glance: live or not and for how long, bitrate, frame losses, congestion,
OBS's CPU and FPS; a figure turns orange or red when its flag is up. "End stream…" asks first,
naming how long the stream has run. After either confirmation, and when going live or ending swaps
which of the two can be pressed, keyboard focus stays on the stream button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QMessageBox, QPushButton, QWidget

from commsdesk.broadcast.on_air import live_clock, live_span
from commsdesk.broadcast.stream_health import HealthFlag, StreamHealth
from commsdesk.ui.steady import make_steady, set_steady_text
from commsdesk.ui.theme import BAD, MUTED, WARN, badge_style

# Which figure a flag colours, and how loudly.
FLAG_FIGURE = {
    HealthFlag.RECONNECTING: ("bitrate", BAD),
    HealthFlag.NO_DATA: ("bitrate", BAD),
    HealthFlag.DROPPED_FRAMES: ("dropped", BAD),
    HealthFlag.ENCODER_SKIPPING: ("skipped", WARN),
    HealthFlag.RENDER_LAG: ("missed", WARN),
    HealthFlag.CONGESTION: ("congestion", WARN),
    HealthFlag.CPU_HIGH: ("cpu", WARN),
    HealthFlag.LOW_FPS: ("fps", WARN),
}
FIGURES = (
    ("bitrate", "Bitrate"),
    ("dropped", "Dropped"),
    ("skipped", "Skipped"),
    ("missed", "Missed"),
    ("congestion", "Congestion"),
    ("cpu", "OBS CPU"),
    ("fps", "FPS"),
)


# The widest text each figure is expected to show (a wider one widens its label once).
WIDEST = {
    "bitrate": "88,888 kb/s",
    "dropped": "100.0%",
    "skipped": "100.0%",
    "missed": "100.0%",
    "congestion": "100%",
    "cpu": "100%",
    "fps": "60.0 / 60",
}


class HealthView(QWidget):
    stop_requested = Signal()  # the producer confirmed: end the stream
    live_requested = Signal()  # Go live… pressed: the panel reads the plan and asks first

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.health: StreamHealth | None = None
        self.live = QLabel("No stream data")
        self.live.setObjectName("stream-live")
        self.flags = QLabel()
        self.flags.setObjectName("stream-flags")
        self.flags.setWordWrap(True)
        # Room for two lines of flags kept: flags coming and going never change the view's
        # height (the panel holds it at the height it had when built).
        self.flags.setFixedHeight(2 * self.flags.fontMetrics().lineSpacing() + 4)
        self.values: dict[str, QLabel] = {}
        self._parked = None  # where Qt put the focus while both stream buttons were grey
        self.end = QPushButton("End stream…")
        self.end.setToolTip("Stop the live stream in OBS (asks first)")
        self.end.setEnabled(False)
        self.end.clicked.connect(self.confirm_end)
        self.start = QPushButton("Go live…")
        self.start.setToolTip("Start the stream in OBS (asks first, naming where it goes; in a "
                              "drill, OBS records instead unless it goes to a rehearsal "
                              "destination)")  # fmt: skip
        self.start.setEnabled(False)
        self.start.clicked.connect(self.live_requested)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.live, 0, 0, 1, 2)
        grid.addWidget(self.start, 0, 2)
        grid.addWidget(self.end, 0, 3)
        for index, (key, title) in enumerate(FIGURES):
            row, column = 1 + index // 2, (index % 2) * 2
            name = QLabel(title)
            name.setStyleSheet(f"color: {MUTED};")
            # Sized for its widest figure in bold (as when flagged): a new figure only repaints.
            value = QLabel("–")
            value.setStyleSheet("font-weight: 700;")
            make_steady(value, WIDEST[key])
            value.setStyleSheet("")
            value.setObjectName(f"health-{key}")
            grid.addWidget(name, row, column)
            grid.addWidget(value, row, column + 1)
            self.values[key] = value
        grid.addWidget(self.flags, 5, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.show_health(None)

    def colour_of(self, key: str) -> str | None:
        """The colour a figure is shown in now (None: the normal text colour)."""
        return self.values[key].property("flag_colour") or None

    def show_health(self, health: StreamHealth | None) -> None:
        self.health = health
        if health is None:
            self.live.setText("No stream data (OBS not connected)")
            _restyle(self.live, f"color: {MUTED};")
            for value in self.values.values():
                self._set(value, "–", None)
            self.flags.setText("")
            self._enable_buttons(start=False, end=False)
            return
        if health.live:
            self.live.setText(f"LIVE {live_clock(health.live_seconds)}")
            _restyle(self.live, badge_style(BAD))
        else:
            self.live.setText("Not live")
            _restyle(self.live, f"color: {MUTED}; font-weight: 600;")
        self._enable_buttons(start=not health.live, end=health.live)
        flagged = {FLAG_FIGURE[flag][0]: FLAG_FIGURE[flag][1] for flag in health.flags}
        bitrate = "–" if health.bitrate_kbps is None else f"{health.bitrate_kbps:,.0f} kb/s"
        fps = f"{health.fps:.1f}" + (f" / {health.target_fps:g}" if health.target_fps else "")
        texts = {
            "bitrate": bitrate if health.live else "–",
            "dropped": f"{health.dropped_share:.1%}",
            "skipped": f"{health.skipped_share:.1%}",
            "missed": f"{health.missed_share:.1%}",
            "congestion": f"{health.congestion:.0%}",
            "cpu": f"{health.cpu_percent:.0f}%",
            "fps": fps,
        }
        for key, value in self.values.items():
            self._set(value, texts[key], flagged.get(key))
        words = ", ".join(str(flag) for flag in health.flags)
        self.flags.setText(f"Attention: {words}" if words else "")
        worst = BAD if BAD in flagged.values() else WARN
        _restyle(self.flags, f"color: {worst}; font-weight: 600;")

    def _enable_buttons(self, *, start: bool, end: bool) -> None:
        """Go live and End stream enabled as asked; the keyboard focus on one of them moves to
        the other when its own goes grey (Qt would hand it to whatever comes next)."""
        focus = self.window().focusWidget()
        focused = focus in (self.start, self.end) or (
            self._parked is not None and focus is self._parked)
        self.end.setEnabled(end)
        self.start.setEnabled(start)
        if not focused:
            self._parked = None
        elif self.end.isEnabled() or self.start.isEnabled():
            self._parked = None
            self._focus_stream_button()
        else:  # both grey while OBS starts or stops: back on one once it can take it
            self._parked = self.window().focusWidget()

    def _focus_stream_button(self) -> None:
        """Keyboard focus on End stream while it can be pressed, else on Go live (when it can)."""
        target = self.end if self.end.isEnabled() else self.start
        if target.isEnabled() and self.window().focusWidget() is not target:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _after_dialog(self) -> None:
        """A confirmation closed: the desk's window active again, focus on the stream button
        (the dialog may leave no window active, and the focus nowhere a key reaches)."""
        window = self.window()
        if window.isVisible():
            window.activateWindow()
        if self.end.isEnabled() or self.start.isEnabled():
            self._focus_stream_button()
        else:
            self._parked = window.focusWidget()

    @staticmethod
    def _set(label: QLabel, text: str, colour: str | None) -> None:
        label.setProperty("flag_colour", colour or "")
        _restyle(label, f"color: {colour}; font-weight: 700;" if colour else "")
        set_steady_text(label, text)

    def confirm_end(self) -> None:
        health = self.health
        if health is None or not health.live:
            return
        answer = QMessageBox.question(
            self,
            "End the live stream",
            f"End the live stream? It has been live for {live_span(health.live_seconds)}. "
            "Viewers will see it end.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        self._after_dialog()
        if answer == QMessageBox.StandardButton.Yes:
            self.stop_requested.emit()


    def confirm_go_live(self, going) -> bool:
        """Ask before going live, naming where (never the key) and, in a drill, whether OBS
        streams to a rehearsal destination or records instead. Cancel is the default. With
        nowhere to stream to, it says so and starts nothing."""
        if going.refused:
            QMessageBox.warning(self, "Not live", going.refused)
            self._after_dialog()
            return False
        box = QMessageBox(
            QMessageBox.Icon.Warning if going.streams else QMessageBox.Icon.Question,
            "Go live" if going.streams else "Drill: record instead of streaming",
            going.sentence, parent=self,
        )  # fmt: skip
        go = box.addButton("Go live" if going.streams else "Record",
                           QMessageBox.ButtonRole.AcceptRole)  # fmt: skip
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.exec()
        self._after_dialog()
        return box.clickedButton() is go


def _restyle(widget: QWidget, style: str) -> None:
    """Set a style sheet only when it changes: each set re-polishes the widget."""
    if widget.styleSheet() != style:
        widget.setStyleSheet(style)
