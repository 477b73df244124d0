"""The strip at the top: which incident, how bad, how long; what needs attention; where posts go;
who is at the desk.

Nothing here takes the keyboard (after the first paint): every button has a menu item or a
shortcut, and a key typed into the wrong place must never flip Drill mode or open a dialog. The
red P-1 button at the right is Ctrl+Shift+1 (and Incident → Press P-1…); beside it, while a
chain exists, a label says how it stands, loud when no one answered.
Texts that can be long shrink with a "…" so the header fits a 1280-pixel screen whatever it says.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from commsdesk.clock import utc_now
from commsdesk.incidents.incident import Incident
from commsdesk.p1.ui.header_parts import P1HeaderParts
from commsdesk.ui.theme import MUTED, SEVERITY_COLOURS, badge_style

SHRUNK_WIDTH = 72  # the least a shrinking text is given, "…" included
MEANINGFUL = 2  # characters a cut text keeps at least, else it shows nothing
# The least the title and a warning are given; less while a P-1 chain's label shows (it comes
# first: NO ONE ANSWERED is shown whole whatever else must shrink).
TITLE_LEAST, WARNING_LEAST = (140, 100), (130, SHRUNK_WIDTH)  # (as a rule, crowded)


def elided(metrics: QFontMetrics, text: str, width: int) -> str:
    """`text` cut to fit `width` pixels, ending in "…" when cut; nothing when not even its
    first characters fit (a lone "…" says nothing)."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if metrics.horizontalAdvance(text[:middle].rstrip() + "…") <= width:
            low = middle
        else:
            high = middle - 1
    shown = text[:low].rstrip()
    return shown + "…" if len(shown) >= MEANINGFUL else ""


class _Shrinking:
    """Mixed into a label or button: asks for room for its whole text, accepts less, and then
    shows as much as fits; `full_text` is what it says."""

    full_text = ""
    least = SHRUNK_WIDTH
    modest = False  # asks for no room: takes what the others leave

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self._fit()
        self.updateGeometry()

    def _fit(self) -> None:
        room = self.width() - self._padding()
        shown = elided(self.fontMetrics(), self.full_text, room) if self.isVisible() else None
        super().setText(shown if shown is not None else self.full_text)

    def _padding(self) -> int:
        return 0

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().sizeHint()
        if self.modest:
            return QSize(self.least, hint.height())
        width = self.fontMetrics().horizontalAdvance(self.full_text) + self._padding() + 2
        return QSize(max(width, hint.width()), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = self.sizeHint()
        return QSize(min(self.least, hint.width()), hint.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._fit()


class ShrinkingLabel(_Shrinking, QLabel):
    def __init__(self, text: str = "", least: int = SHRUNK_WIDTH, *, modest=False) -> None:
        super().__init__()
        self.least = least
        self.modest = modest
        self.set_full_text(text)


class ShrinkingButton(_Shrinking, QPushButton):
    """A flat button whose text shrinks; clicked by the mouse only."""

    def __init__(self, text: str = "", least: int = SHRUNK_WIDTH) -> None:
        super().__init__()
        self.least = least
        self.setFlat(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # may shrink
        self.set_full_text(text)

    def _padding(self) -> int:
        return 18


class HeaderBar(P1HeaderParts, QWidget):
    drill_toggled = Signal(bool)
    update_due = Signal()  # the promised update time has come
    start_requested = Signal()
    edit_requested = Signal()
    operator_requested = Signal()
    destination_requested = Signal()  # "where do posts go?" was clicked
    warning_clicked = Signal(str)  # the topic of a warning (see set_warning)
    p1_requested = Signal()  # the P-1 button: the press confirmation
    p1_acknowledge_requested = Signal()
    p1_cancel_requested = Signal()
    p1_status_requested = Signal()

    def __init__(self, zones: list[str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HeaderBar")
        self.incident: Incident | None = None
        self.zones = zones or ["UTC"]
        self.warnings: dict[str, ShrinkingButton] = {}
        self.layout_ = layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.severity = QLabel()
        self.title = ShrinkingLabel("Opening the desk…", least=TITLE_LEAST[0])
        self.title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.elapsed = QLabel()
        self.elapsed.setStyleSheet("font-size: 16px;")
        self.elapsed.setAccessibleName("Incident elapsed time")
        self.since = ShrinkingLabel(least=0, modest=True)  # the room the others leave
        self.since.setStyleSheet(f"color: {MUTED};")
        self.cadence_label = ShrinkingLabel(least=0)
        self.cadence_label.setToolTip("The update cadence this incident promised")
        self.cadence = None
        self._due_announced = None
        self.incident_button = QPushButton("Start incident…")
        self.incident_button.clicked.connect(self._incident_clicked)
        self.operator_button = ShrinkingButton(least=110)
        self.operator_button.setToolTip("Who is at this desk: every action is recorded under it")
        self.operator_button.clicked.connect(self.operator_requested)
        self.destination = ShrinkingButton(least=125)  # "Posts → SANDBOX" whole
        self.destination.clicked.connect(self.destination_requested)
        self.destination.hide()  # until the window knows where posts go
        self.drill = QCheckBox("Drill mode")
        self.drill.setToolTip(
            "Drill mode: posts go to the SANDBOX feed, never to X. Approvals, scheduling and the "
            "timeline run for real."
        )
        self.drill.setEnabled(False)  # until the database has said whether it is on
        self.drill.toggled.connect(self._drill_changed)
        self.drill.toggled.connect(self.drill_toggled)
        # Team mode: what the team last put on air, from the record (any desk's OBS).
        self.team_on_air = ShrinkingLabel(least=0)
        self.team_on_air.setObjectName("team-on-air")
        self.team_on_air.setStyleSheet("color: #c62828; font-weight: 600;")
        self.team_on_air.hide()
        for widget in (self.severity, self.title, self.elapsed, self.cadence_label):
            layout.addWidget(widget)
        layout.addWidget(self.since, 1)
        layout.addWidget(self.team_on_air)
        self._warnings_at = layout.count()  # warnings go in here, before the switches
        self._build_p1()
        for widget in (self.drill, self.destination, self.operator_button, self.incident_button,
                       self.p1_chain, self.p1_button):  # fmt: skip
            layout.addWidget(widget)
        # A toolbar gives its widgets their size hint and hides what does not fit: the header
        # asks for no more than its least and takes the toolbar's whole width (expanding).
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._tick = QTimer(self, interval=15_000)
        self._tick.timeout.connect(self._refresh_elapsed)
        self._tick.start()
        self.set_incident(None, loading=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.minimumSizeHint()

    # --- room for the P-1 chain's label (commsdesk.p1.ui.header_parts) ---------------------------
    def _make_room(self, crowded: bool) -> None:
        self.title.least = TITLE_LEAST[crowded]
        self.title.updateGeometry()
        for button in self.warnings.values():
            button.least = WARNING_LEAST[crowded]
            button.updateGeometry()

    # --- where posts go -------------------------------------------------------------------------
    def set_drill(self, on: bool) -> None:
        """Drill mode as the database holds it; the switch works from the first time it is told."""
        self.drill.blockSignals(True)
        self.drill.setChecked(on)
        self.drill.blockSignals(False)
        self.drill.setEnabled(True)
        self._drill_changed(on)

    def _drill_changed(self, on: bool) -> None:
        self.drill.setText("DRILL: SANDBOX only" if on else "Drill mode")
        self.drill.setStyleSheet(
            "QCheckBox { background: #6a1b9a; color: white; font-weight: 600; padding: 3px 5px;"
            " border-radius: 4px; }" if on else ""
        )

    def set_destination(self, short: str, label: str, sandbox: bool) -> None:
        """Where posts go now ("X: SANDBOX (drill)"); a click shows the SANDBOX feed, or the
        X account."""
        where = short.removeprefix("X: ").split(" (")[0]  # why: in the tooltip and the switch
        self.destination.set_full_text(f"Posts → {where}")
        if sandbox:
            tip = (f"Posts go to {label}: a feed inside this desk, never X. Click to see what "
                   "was posted there (View → SANDBOX feed).")
        else:
            tip = f"Posts go to {label}, in public. Click for the X account."
        self.destination.setToolTip(tip)
        self.destination.setStyleSheet(
            "color: #6a1b9a; font-weight: 600; text-decoration: underline;" if sandbox
            else "text-decoration: underline;"
        )
        self.destination.show()

    # --- what needs attention -------------------------------------------------------------------
    def set_warning(self, topic: str, text: str, detail: str, colour: str) -> None:
        """Show (or change) the warning for `topic` until clear_warning(topic)."""
        button = self.warnings.get(topic)
        if button is None:
            button = self.warnings[topic] = ShrinkingButton(least=WARNING_LEAST[0])
            button.setFlat(False)
            button.setMaximumWidth(280)
            button.setObjectName(f"warning-{topic}")
            button.clicked.connect(lambda _=False, t=topic: self.warning_clicked.emit(t))
            if self._finished:
                button.setFocusPolicy(self.drill.focusPolicy())
            self.layout_.insertWidget(self._warnings_at, button)
            self._make_room(not self.p1_chain.isHidden())
        button.setStyleSheet(
            f"QPushButton {{ background: {colour}; color: white; font-weight: 600;"
            " border-radius: 4px; padding: 3px 9px; }"
        )
        button.set_full_text(text)
        button.setToolTip(detail + "\n\nClick to see it.")
        button.show()

    def clear_warning(self, topic: str) -> None:
        button = self.warnings.pop(topic, None)
        if button is not None:
            button.hide()
            button.deleteLater()

    # --- who and which incident -----------------------------------------------------------------
    def set_operator(self, name: str) -> None:
        self.operator_button.set_full_text(
            f"At the desk: {name}" if name else "Who is at the desk?"
        )

    def set_team(
        self, name: str, database: str, connected: bool = True, people: tuple[str, str] = ("", "")
    ) -> None:
        """Team mode: who the server signed in, on which database, whether it answers, and who
        else has a desk open (a short text and its tooltip)."""
        where = database if connected else f"{database} NOT REACHABLE, reconnecting"
        present, named = people if connected else ("", "")
        self.operator_button.set_full_text(
            f"{name} · team {where}" + (f" · {present}" if present else "")
        )
        self.operator_button.setToolTip(
            f"Signed in to the team database {database} as {name}. {named} Desk → Connect to a "
            "team… changes it."
        )

    def set_team_on_air(self, text: str, detail: str) -> None:
        self.team_on_air.set_full_text(text)
        self.team_on_air.setToolTip(detail)
        self.team_on_air.setVisible(bool(text))

    def set_incident(self, incident: Incident | None, *, loading: bool = False) -> None:
        self.incident = incident
        if incident is None:
            self.severity.hide()
            self.title.set_full_text("Opening the desk…" if loading else "No active incident")
            self.title.setToolTip("")
            self.elapsed.setText("")
            self.since.set_full_text("" if loading else "Start one to draft statements (Ctrl+I)")
            self.incident_button.setText("Start incident…")
            self.incident_button.setEnabled(not loading)
            return
        colour = SEVERITY_COLOURS[incident.severity.value]
        self.severity.setStyleSheet(badge_style(colour))
        self.severity.setText(incident.severity.value)
        self.severity.setToolTip(incident.severity.description)
        self.severity.show()
        self.title.set_full_text(incident.title)
        self.title.setToolTip(f"{incident.title}\n\n{incident.summary}".strip())
        from commsdesk.team_time import in_zones  # zoneinfo: after the first paint

        self.since.set_full_text("since " + in_zones(incident.started_at, self.zones))
        self.since.setToolTip(self.since.full_text)
        self.incident_button.setText("Incident…")
        self.incident_button.setEnabled(True)
        self._refresh_elapsed()

    def header_text(self) -> str:
        """What the header says about the incident, as one line ('P1 · T+3h12m')."""
        if self.incident is None:
            return self.title.full_text
        return self.incident.header_label(utc_now())

    def set_cadence(self, cadence) -> None:
        """The incident's promised update rhythm (None: no promise)."""
        self.cadence = cadence
        self._refresh_elapsed()

    def _refresh_elapsed(self) -> None:
        now = utc_now()
        if self.incident is not None:
            self.elapsed.setText("· " + self.incident.elapsed_label(now))
        if self.cadence is None or self.incident is None:
            self.cadence_label.set_full_text("")
            return
        left = (self.cadence.next_due - now).total_seconds()
        colour = "#c62828" if left < 0 else ("#ef6c00" if left < 300 else MUTED)
        self.cadence_label.set_full_text("· " + self.cadence.label(now))
        self.cadence_label.setStyleSheet(f"color: {colour}; font-weight: 600;")
        if self.cadence.is_due(now) and self._due_announced != self.cadence.next_due:
            self._due_announced = self.cadence.next_due
            self.update_due.emit()

    def _incident_clicked(self) -> None:
        if self.incident is None:
            self.start_requested.emit()
        else:
            self.edit_requested.emit()

    _finished = False

    def finish(self) -> None:
        """After the first paint (the `Qt` namespace costs start-up time; see MainWindow): the
        incident title becomes selectable, so it can be copied, and no button here takes the
        keyboard (a space typed into the wrong place must never flip Drill mode, hand the desk
        over or start an incident)."""
        from PySide6.QtCore import Qt

        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for button in (self.drill, self.operator_button, self.incident_button, self.destination,
                       self.p1_button, self.p1_chain, *self.warnings.values()):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            if button.hasFocus():
                button.clearFocus()
        self._finished = True
