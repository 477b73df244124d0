"""The strip at the top: which incident, how bad, how long; who is at the desk."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QWidget

from commsdesk.clock import utc_now
from commsdesk.incidents.incident import Incident
from commsdesk.ui.theme import MUTED, SEVERITY_COLOURS, badge_style


class HeaderBar(QWidget):
    drill_toggled = Signal(bool)
    update_due = Signal()  # the promised update time has come
    start_requested = Signal()
    edit_requested = Signal()
    operator_requested = Signal()

    def __init__(self, zones: list[str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HeaderBar")
        self.incident: Incident | None = None
        self.zones = zones or ["UTC"]
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.severity = QLabel()
        self.title = QLabel("Opening the desk…")
        self.title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.elapsed = QLabel()
        self.elapsed.setStyleSheet("font-size: 16px;")
        self.elapsed.setAccessibleName("Incident elapsed time")
        self.since = QLabel()
        self.since.setStyleSheet(f"color: {MUTED};")
        self.cadence_label = QLabel()
        self.cadence_label.setToolTip("The update cadence this incident promised")
        self.cadence = None
        self._due_announced = None
        self.incident_button = QPushButton("Start incident…")
        self.incident_button.clicked.connect(self._incident_clicked)
        self.operator_button = QPushButton()
        self.operator_button.setFlat(True)
        self.operator_button.setToolTip("Who is at this desk: every action is recorded under it")
        self.operator_button.clicked.connect(self.operator_requested)
        self.drill = QCheckBox("Drill mode")
        self.drill.setToolTip(
            "Drill mode: posts go to the SANDBOX feed, never to X. Approvals, scheduling and the "
            "timeline run for real."
        )
        self.drill.toggled.connect(self._drill_changed)
        self.drill.toggled.connect(self.drill_toggled)
        for widget in (self.severity, self.title, self.elapsed, self.since, self.cadence_label):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.drill)
        layout.addWidget(self.operator_button)
        layout.addWidget(self.incident_button)
        self._tick = QTimer(self, interval=15_000)
        self._tick.timeout.connect(self._refresh_elapsed)
        self._tick.start()
        self.set_incident(None, loading=True)

    def set_drill(self, on: bool) -> None:
        self.drill.blockSignals(True)
        self.drill.setChecked(on)
        self.drill.blockSignals(False)
        self._drill_changed(on)

    def _drill_changed(self, on: bool) -> None:
        self.drill.setText("DRILL: SANDBOX only" if on else "Drill mode")
        self.drill.setStyleSheet(
            "QCheckBox { background: #6a1b9a; color: white; font-weight: 600; padding: 3px 8px;"
            " border-radius: 4px; }" if on else ""
        )

    def set_operator(self, name: str) -> None:
        self.operator_button.setText(f"At the desk: {name}" if name else "Who is at the desk?")

    def set_incident(self, incident: Incident | None, *, loading: bool = False) -> None:
        self.incident = incident
        if incident is None:
            self.severity.hide()
            self.title.setText("Opening the desk…" if loading else "No active incident")
            self.elapsed.setText("")
            self.since.setText("" if loading else "Start one to draft statements (Ctrl+I)")
            self.incident_button.setText("Start incident…")
            self.incident_button.setEnabled(not loading)
            return
        colour = SEVERITY_COLOURS[incident.severity.value]
        self.severity.setStyleSheet(badge_style(colour))
        self.severity.setText(incident.severity.value)
        self.severity.setToolTip(incident.severity.description)
        self.severity.show()
        self.title.setText(incident.title)
        self.title.setToolTip(incident.summary)
        from commsdesk.team_time import in_zones  # zoneinfo: after the first paint

        self.since.setText("since " + in_zones(incident.started_at, self.zones))
        self.incident_button.setText("Incident…")
        self.incident_button.setEnabled(True)
        self._refresh_elapsed()

    def header_text(self) -> str:
        """What the header says about the incident, as one line ('P1 · T+3h12m')."""
        if self.incident is None:
            return self.title.text()
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
            self.cadence_label.setText("")
            return
        left = (self.cadence.next_due - now).total_seconds()
        colour = "#c62828" if left < 0 else ("#ef6c00" if left < 300 else MUTED)
        self.cadence_label.setText("· " + self.cadence.label(now))
        self.cadence_label.setStyleSheet(f"color: {colour}; font-weight: 600;")
        if self.cadence.is_due(now) and self._due_announced != self.cadence.next_due:
            self._due_announced = self.cadence.next_due
            self.update_due.emit()

    def _incident_clicked(self) -> None:
        if self.incident is None:
            self.start_requested.emit()
        else:
            self.edit_requested.emit()

    def finish(self) -> None:
        """After the first paint (the `Qt` namespace costs start-up time; see MainWindow): the
        incident title becomes selectable, so it can be copied, and the Drill switch leaves the
        keyboard's reach (a space typed into the wrong place must never flip it)."""
        from PySide6.QtCore import Qt

        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.drill.setFocusPolicy(Qt.FocusPolicy.NoFocus)
