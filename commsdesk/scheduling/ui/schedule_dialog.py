"""Choose when a statement goes out: a day, a time and a zone, shown in the team's zones.

The time is typed ("18:30" or "1830") and checked as typed: a time that is not one is said so,
never wrapped round. A time the clocks skip cannot be chosen; one they show twice asks which
of the two. Tab moves from field to field (the day's parts are reached with the arrow keys).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from commsdesk.scheduling.policy import AmbiguousTime, ScheduleRefused, resolve_local, zone
from commsdesk.scheduling.ui.time_entry import parse_clock
from commsdesk.team_time import in_zones
from commsdesk.ui.theme import BAD, MUTED


class DayEdit(QDateEdit):
    """A day field that Tab leaves, like any other field (Qt's walks its day, month and year)."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 - Qt API
        return QWidget.focusNextPrevChild(self, next)


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
        self.day = DayEdit(QDate(local.year, local.month, local.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.clock = QLineEdit(f"{local:%H:%M}")
        self.clock.setPlaceholderText("18:30")
        self.clock.setToolTip("On the 24-hour clock: 18:30, or 1830")
        self.clock.setMaxLength(8)
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
            self.clock.textChanged,
            self.zone.currentTextChanged,
            self.which.idToggled,
        ):
            signal.connect(self._check)
        self._check()

    def values(self) -> tuple[date, time, str, int | None]:
        """Day, time, zone and fold; raises ScheduleRefused while the time typed is not one
        (the Schedule button is disabled then)."""
        d = self.day.date()
        fold = self.which.checkedId() if self._ambiguous else None
        return (
            date(d.year(), d.month(), d.day()),
            parse_clock(self.clock.text()),
            self.zone.currentText().strip(),
            fold,
        )

    def due_at(self) -> datetime | None:
        try:
            day, clock, zone_name, fold = self.values()
            return resolve_local(
                day, clock, zone_name, fold=fold if fold is not None and fold >= 0 else None
            )
        except (ScheduleRefused, AmbiguousTime):
            return None

    def accept(self) -> None:
        """Only a time that passes the checks; Enter on a bad one keeps the dialog open."""
        if self.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled():
            super().accept()

    def _check(self, *_args) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            day, clock, zone_name, _ = self.values()
        except ScheduleRefused as refused:
            self._say(str(refused), BAD)
            ok.setEnabled(False)
            return
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
