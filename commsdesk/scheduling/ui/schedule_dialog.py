"""Choose when a statement goes out: a day, a time and a zone, shown in the team's zones.

A time the clocks skip cannot be chosen; one they show twice asks which of the two.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from commsdesk.scheduling.policy import AmbiguousTime, ScheduleRefused, resolve_local, zone
from commsdesk.team_time import in_zones
from commsdesk.ui.theme import BAD, MUTED


class ScheduleDialog(QDialog):
    def __init__(
        self,
        title: str,
        destination: str,
        zones: list[str],
        *,
        now: datetime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Schedule post")
        self.zones = zones
        start = (now or datetime.now(UTC)) + timedelta(minutes=30)
        local = start.astimezone(zone(zones[0])) if zones else start
        self.day = QDateEdit(QDate(local.year, local.month, local.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.clock = QTimeEdit(QTime(local.hour, local.minute))
        self.clock.setDisplayFormat("HH:mm")
        self.zone = QComboBox()
        self.zone.setEditable(True)
        for name in dict.fromkeys([*zones, "UTC"]):
            self.zone.addItem(name)
        self.shown = QLabel()
        self.shown.setWordWrap(True)
        self.first = QRadioButton()
        self.second = QRadioButton()
        self.which = QButtonGroup(self)
        self.which.addButton(self.first, 0)
        self.which.addButton(self.second, 1)
        self._ambiguous = False
        form = QFormLayout()
        form.addRow(QLabel(f"“{title}” goes to {destination}."))
        form.addRow("Day", self.day)
        form.addRow("Time", self.clock)
        form.addRow("Zone", self.zone)
        form.addRow(self.first)
        form.addRow(self.second)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Schedule")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.shown)
        layout.addWidget(self.buttons)
        for signal in (
            self.day.dateChanged,
            self.clock.timeChanged,
            self.zone.currentTextChanged,
            self.which.idToggled,
        ):
            signal.connect(self._check)
        self._check()

    def values(self) -> tuple[date, time, str, int | None]:
        d, t = self.day.date(), self.clock.time()
        fold = self.which.checkedId() if self._ambiguous else None
        return (
            date(d.year(), d.month(), d.day()),
            time(t.hour(), t.minute()),
            self.zone.currentText().strip(),
            fold,
        )

    def due_at(self) -> datetime | None:
        day, clock, zone_name, fold = self.values()
        try:
            return resolve_local(
                day, clock, zone_name, fold=fold if fold is not None and fold >= 0 else None
            )
        except (ScheduleRefused, AmbiguousTime):
            return None

    def _check(self, *_args) -> None:
        day, clock, zone_name, _ = self.values()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            instant = resolve_local(day, clock, zone_name)
            self._ambiguous = False
            self.first.hide()
            self.second.hide()
        except AmbiguousTime as twice:
            early, late = twice.choices
            if not self._ambiguous:
                self._ambiguous = True
                self.first.setText(f"the first {clock:%H:%M} ({early:%H:%M} UTC)")
                self.second.setText(f"the second {clock:%H:%M} ({late:%H:%M} UTC)")
                self.first.show()
                self.second.show()
            chosen = self.which.checkedId()
            if chosen < 0:
                self._say(str(twice), BAD)
                ok.setEnabled(False)
                return
            instant = late if chosen else early
        except ScheduleRefused as refused:
            self._ambiguous = False
            self.first.hide()
            self.second.hide()
            self._say(str(refused), BAD)
            ok.setEnabled(False)
            return
        if instant <= datetime.now(UTC):
            self._say(f"{in_zones(instant, self.zones)} has already passed.", BAD)
            ok.setEnabled(False)
            return
        self._say("Goes out at " + in_zones(instant, self.zones))
        ok.setEnabled(True)

    def _say(self, text: str, colour: str = MUTED) -> None:
        self.shown.setText(text)
        self.shown.setStyleSheet(f"color: {colour};")
