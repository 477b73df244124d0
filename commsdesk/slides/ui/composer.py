"""The slide composer: kind, a form from the kind's fields, the Back-at time resolved as it is
typed, and the preview, which is the very PNG that goes on air (drawn on the slides lane once
typing pauses for 250 ms).

The Back-at time is read against the clock: the line under it is kept current (each second), the
preview is drawn again when the minute it names moves on ("+15m" typed at 15:33 reads 15:48; at
15:40 it reads 15:55), and a push reads it once more (`refresh`, `shows`): what goes on air is what
that line says at the moment of pushing.

An ambiguous time (clocks going back) makes the producer pick the earlier or the later one before
anything can go on air.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from commsdesk.broadcast.ui.rendering import PREVIEW_SIZE, Rendering
from commsdesk.clock import as_utc, utc_now
from commsdesk.scheduling.policy import AmbiguousTime, ScheduleRefused
from commsdesk.slides.slide_kinds import (
    BackAt,
    SlideKind,
    SlideProblem,
    SlideRequest,
    fields_of,
    resolve_time_entry,
)
from commsdesk.team_time import clock_in_zones, zone_label
from commsdesk.ui.theme import BAD, MUTED, WARN

KINDS = (
    (SlideKind.BACK_AT, "Back at"),
    (SlideKind.STANDBY, "Standby"),
    (SlideKind.STATEMENT, "Statement"),
    (SlideKind.LOWER_THIRD, "Lower third"),
)
LABELS = {
    "at": "Back at",
    "headline": "Headline",
    "message": "Message",
    "brand": "Brand",
    "text": "Statement",
    "author": "Author",
    "posted_at": "Posted at",
    "name": "Name",
    "title": "Title",
}
PREVIEW_DELAY_MS = 250
CLOCK_EVERY_MS = 1000  # the line under the time follows the clock ("in 42 min", what +15m names)
AT_TIP = (
    "When: 18:30, 6:30 (the next 6:30), 6:30pm, or a delay such as +15m or 1h30m. The time is "
    "read against the clock, and again when you put the slide on air: +15m means 15 minutes "
    "from the moment you put the slide on air. The line below always says the time that would go "
    "on air now, and the slide shows just that."
)



class WheelOnlyWhenChosen(QComboBox):
    """A drop-down the mouse wheel turns only once it has the focus (clicked or tabbed to):
    scrolling the panel over it scrolls the panel and never changes the slide's kind."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not WheelFocus: the wheel gives none

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # to the scroll area around it

class TimeResolution(QWidget):
    """Under the Back-at time: what it resolves to, the error in red, or the choice between the
    two moments a fall-back hour names."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setObjectName("time-resolution")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.earlier = QRadioButton()
        self.later = QRadioButton()
        self.group = QButtonGroup(self)
        self.group.addButton(self.earlier, 0)
        self.group.addButton(self.later, 1)
        self.group.idToggled.connect(lambda _id, on: on and self.changed.emit())
        self.choice = QWidget()
        choice = QVBoxLayout(self.choice)
        choice.setContentsMargins(12, 0, 0, 0)
        choice.addWidget(self.earlier)
        choice.addWidget(self.later)
        self.choice.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.choice)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.ok = False
        self.at: datetime | None = None  # the moment the line names, while it is usable
        self._typed = ""

    @property
    def fold(self) -> int | None:
        if self.choice.isHidden():
            return None
        chosen = self.group.checkedId()
        return chosen if chosen in (0, 1) else None

    def resolve(self, typed: str, now: datetime, zone_name: str, zones: list[str]) -> None:
        self.at = None
        if typed != self._typed:  # a new time: any earlier/later choice was for the old one
            self._typed = typed
            self._clear_choice()
        fold = self.fold
        try:
            resolved = resolve_time_entry(typed, now, zone_name, fold=fold)
        except AmbiguousTime as twice:
            self._offer_choice(twice, zone_name)
            self._show(f"{typed.strip()} happens twice in {zone_name} (the clocks go back): "
                       "choose which one.", WARN)  # fmt: skip
            self.ok = False
            return
        except (SlideProblem, ScheduleRefused) as exc:
            self._clear_choice()
            self._show(str(exc), BAD)
            self.ok = False
            return
        if fold is None:
            self._clear_choice()
        said = resolved.describe(now)
        if zone_name not in zones:
            said = said.replace(" ", f" {zone_label(zone_name, resolved.at)} ", 1)
        self._show(f"{said} · {clock_in_zones(resolved.at, zones)}", None)
        self.ok = True
        self.at = resolved.at

    def _show(self, text: str, colour: str | None) -> None:
        """Set only what changed: the line is refreshed each second."""
        style = f"color: {colour}; font-weight: 600;" if colour else "font-weight: 600;"
        if self.label.text() != text:
            self.label.setText(text)
        if self.label.styleSheet() != style:
            self.label.setStyleSheet(style)

    def _offer_choice(self, twice: AmbiguousTime, zone_name: str) -> None:
        from commsdesk.scheduling.policy import zone

        tz = zone(zone_name)
        for button, moment, which in zip(
            (self.earlier, self.later), twice.choices, ("earlier", "later"), strict=True
        ):
            local = as_utc(moment).astimezone(tz)
            button.setText(f"the {which}: {local:%H:%M} {local.tzname()} "
                           f"({as_utc(moment):%H:%M} UTC)")  # fmt: skip
        self.choice.show()

    def _clear_choice(self) -> None:
        self.group.setExclusive(False)
        self.earlier.setChecked(False)
        self.later.setChecked(False)
        self.group.setExclusive(True)
        self.choice.hide()


class SlideComposer(QWidget):
    """Emits `changed` on every edit; the panel asks for a rendering after the pause."""

    changed = Signal()
    preview_due = Signal()  # typing paused: time to draw the preview
    moved_on = Signal()  # the clock moved the time the preview names: draw it again
    statement_wanted = Signal()

    def __init__(self, zone_name: str, zones: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone_name = zone_name
        self.zones = list(zones) or ["UTC"]
        self._values: dict[SlideKind, dict[str, str]] = {kind: {} for kind, _ in KINDS}
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.resolution: TimeResolution | None = None
        self.rendering: Rendering | None = None
        self.now = utc_now  # the clock times are resolved against
        self._redraw_asked: datetime | None = None  # the minute a clock-driven redraw was for

        self.kind = WheelOnlyWhenChosen()
        for kind, label in KINDS:
            self.kind.addItem(label, kind.value)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.use_statement = QPushButton("Use selected statement")
        self.use_statement.setToolTip("Fill the slide from the statement open in Statements")
        self.use_statement.clicked.connect(self.statement_wanted)
        top = QHBoxLayout()
        top.addWidget(QLabel("Slide:"))
        top.addWidget(self.kind, 1)
        top.addWidget(self.use_statement)

        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setContentsMargins(0, 0, 0, 0)

        self.preview = QLabel("The preview appears here.")
        self.preview.setObjectName("slide-preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFixedSize(*PREVIEW_SIZE)
        self.preview.setStyleSheet(f"background: #202124; color: {MUTED}; border: 1px solid #444;")
        self.problems = QLabel()
        self.problems.setObjectName("slide-problems")
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.form_host)
        layout.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.problems)

        self._debounce = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._debounce.timeout.connect(self.preview_due)
        self._clock = QTimer(self, interval=CLOCK_EVERY_MS)  # "in 42 min" moves on; so may "+15m"
        self._clock.timeout.connect(self._clock_moved)
        self._clock.start()
        self._build_form()

    # --- the form --------------------------------------------------------------------------
    @property
    def slide_kind(self) -> SlideKind:
        return SlideKind(self.kind.currentData())

    def set_kind(self, kind: SlideKind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind.value))

    def _kind_changed(self) -> None:
        self._build_form()
        self._edited()

    def _build_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        self.resolution = None
        kind = self.slide_kind
        saved = self._values[kind]
        for spec in fields_of(kind):
            if spec.name == "text":
                editor: QLineEdit | QPlainTextEdit = QPlainTextEdit()
                editor.setPlaceholderText(spec.description)
                editor.setPlainText(saved.get(spec.name, ""))
                editor.setFixedHeight(90)
                editor.textChanged.connect(self._edited)
            else:
                editor = QLineEdit(saved.get(spec.name, ""))
                editor.setPlaceholderText(spec.description)
                editor.textChanged.connect(self._edited)
                if spec.name == "at":
                    editor.setToolTip(AT_TIP)
            editor.setObjectName(f"field-{spec.name}")
            label = LABELS.get(spec.name, spec.name.replace("_", " ").capitalize())
            cell: QWidget = editor
            if spec.name == "at":  # the resolution sits right under the time, in the same cell
                self.resolution = TimeResolution()
                self.resolution.changed.connect(self._edited)
                cell = QWidget()
                stack = QVBoxLayout(cell)
                stack.setContentsMargins(0, 0, 0, 0)
                stack.setSpacing(4)
                stack.addWidget(editor)
                stack.addWidget(self.resolution)
            self.form.addRow(label + (" *" if spec.required else ""), cell)
            self.fields[spec.name] = editor
        self.use_statement.setVisible(kind is SlideKind.STATEMENT)
        self._refresh_resolution()

    def set_value(self, name: str, value: str) -> None:
        editor = self.fields[name]
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(value)
        else:
            editor.setText(value)

    def values(self) -> dict[str, str]:
        out = {}
        for name, editor in self.fields.items():
            text = editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()
            if text.strip():
                out[name] = text
        return out

    def _edited(self) -> None:
        self._values[self.slide_kind] = self.values()
        self._refresh_resolution()
        self.rendering = None
        self.changed.emit()
        self._debounce.start()

    def _refresh_resolution(self, now: datetime | None = None) -> None:
        if self.resolution is None:
            return
        typed = self.values().get("at", "")
        if not typed:
            self.resolution._show("Type when you will be back: 18:30, 6:30pm, +15m.", MUTED)
            self.resolution.ok = False
            self.resolution.at = None
            return
        self.resolution.resolve(typed, now or self.now(), self.zone_name, self.zones)

    def refresh(self, now: datetime | None = None) -> None:
        """Read the time against the clock now (`now`, else `self.now()`): before a push, so that
        the line under the time says what goes on air."""
        self._refresh_resolution(now)

    def _clock_moved(self) -> None:
        """The line follows the clock; when the minute it names is no longer the preview's, the
        preview is drawn again (once per new moment), for the preview is what goes on air."""
        self._refresh_resolution()
        at = self.resolution.at if self.resolution is not None else None
        if (at is None or self.rendering is None or self.shows(self.rendering)
                or _to_minute(at) == self._redraw_asked or self._debounce.isActive()):  # fmt: skip
            return
        self._redraw_asked = _to_minute(at)
        self.moved_on.emit()

    def shows(self, rendering: Rendering) -> bool:
        """Whether `rendering` shows the time the line under the field names now (to the minute,
        as both show it); True for a slide with no time."""
        at = self.resolution.at if self.resolution is not None else None
        if at is None or not isinstance(rendering.slide, BackAt):
            return True
        return _to_minute(at) == _to_minute(rendering.slide.at)

    # --- what to render --------------------------------------------------------------------
    @property
    def fold(self) -> int | None:
        return self.resolution.fold if self.resolution is not None else None

    def ready(self) -> bool:
        """False while the time is wrong or an ambiguous time has no choice yet."""
        return self.resolution is None or self.resolution.ok

    def request(self) -> SlideRequest:
        return SlideRequest(self.slide_kind, self.values(), zone=self.zone_name,
                            zones=tuple(self.zones))  # fmt: skip

    def flush(self) -> bool:
        """Stop waiting for the pause: True when a preview was due."""
        due = self._debounce.isActive()
        self._debounce.stop()
        return due

    # --- the preview -----------------------------------------------------------------------
    def show_rendering(self, rendering: Rendering, countdown: str | None) -> None:
        self.rendering = rendering
        image = QImage(rendering.preview)
        if countdown and rendering.countdown_box:
            _draw_countdown(image, rendering, countdown)
        self.preview.setPixmap(QPixmap.fromImage(image))
        if rendering.warnings:
            self._show_problem("\n".join(rendering.warnings), WARN)
        else:
            self.problems.hide()

    def show_problem(self, message: str) -> None:
        self.rendering = None
        self.preview.setPixmap(QPixmap())
        self.preview.setText("No preview: see below.")
        self._show_problem(message, BAD)

    def show_waiting(self, message: str) -> None:
        """No preview yet, and nothing wrong: say what is needed."""
        self.rendering = None
        self.preview.setPixmap(QPixmap())
        self.preview.setText(message)
        self.problems.hide()

    def _show_problem(self, message: str, colour: str) -> None:
        self.problems.setText(message)
        self.problems.setStyleSheet(f"color: {colour};")
        self.problems.show()


def _to_minute(moment: datetime) -> datetime:
    return as_utc(moment).replace(second=0, microsecond=0)


def _draw_countdown(image: QImage, rendering: Rendering, text: str) -> None:
    """What OBS's countdown text source shows over the slide, drawn on the small preview."""
    scale = image.width() / 1920
    x, y, w, h = rendering.countdown_box
    painter = QPainter(image)
    try:
        font = QFont()
        font.setPixelSize(max(6, round(rendering.countdown_px * scale)))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(rendering.countdown_color))
        painter.drawText(QRectF(x * scale, y * scale, w * scale, h * scale),
                         Qt.AlignmentFlag.AlignCenter, text)  # fmt: skip
    finally:
        painter.end()
