"""The scene buttons: one per OBS scene, the program marked ON AIR in red while OBS streams or
records (PROGRAM in grey when it does neither: nothing goes out), the preview in green (studio
mode), the first nine numbered for their keys.

They sit in two columns when the longest text any of them can show fits twice across, else in
one, so a name is never cut. A new list of scenes or a change of columns changes the room they
need (`room_changed`): the one relayout worth having. A switch only restyles them in place.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from commsdesk.broadcast.obs.api import SLIDES_SCENE, SceneList
from commsdesk.ui.theme import BAD, MUTED

PREVIEW_GREEN = "#2e7d32"
PROGRAM_GREY = "#546e7a"  # OBS's program while nothing goes out: marked, not alarming
SHAPE = "text-align: left; padding: 6px 10px;"
PADDING = 2 * 10 + 8  # the style's padding either side, and room for the button's frame
ON_AIR_MARK = "   ● ON AIR"
PROGRAM_MARK = "   ● PROGRAM"
PREVIEW_MARK = "   PREVIEW"
MARKS = (ON_AIR_MARK, PROGRAM_MARK, PREVIEW_MARK)
SPACING = 6


def label_of(index: int, name: str) -> str:
    """What a scene's button reads before its mark: '1  Camera'."""
    return f"{index + 1}  {name}" if index < 9 else name


class SceneButtons(QWidget):
    switch_requested = Signal(str)  # a scene's name
    room_changed = Signal()  # the rows they take changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("obs-scenes")
        self.buttons: list[QPushButton] = []
        self._names: tuple[str, ...] | None = None
        self._widest = 0  # the widest any button can get (its longest text, bold)
        self._columns = 2
        self.live = False  # OBS streams or records: its program goes out
        self._shown: SceneList | None = None
        self._enabled = False
        self.grid = QGridLayout()
        self.grid.setSpacing(SPACING)
        self.hint = QLabel("Scenes appear when OBS is connected.")
        self.hint.setStyleSheet(f"color: {MUTED};")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.hint)
        column.addLayout(self.grid)
        column.addStretch(1)
        # Shown now, not when the panel first shows: a holder measures only shown widgets.
        self.hint.setVisible(True)

    def set_live(self, live: bool) -> None:
        """OBS streams or records (`live`): its program is ON AIR, else only its PROGRAM."""
        if live != self.live:
            self.live = live
            if self._shown is not None:
                self.show_scenes(self._shown, self._enabled)

    def show_scenes(self, scenes: SceneList, enabled: bool) -> None:
        """Buttons for `scenes`, marked; rebuilt only when the list of names changed."""
        self._shown = scenes
        room = False
        if scenes.scenes != self._names:
            self._rebuild(scenes.scenes)
            room = True
        if self.hint.isHidden() == (not scenes.scenes):  # the hint comes or goes
            self.hint.setVisible(not scenes.scenes)
            room = True
        for index, (name, button) in enumerate(zip(scenes.scenes, self.buttons, strict=True)):
            text = label_of(index, name)
            style = SHAPE
            tip = f"Put {name} on air" + (f" (key {index + 1})" if index < 9 else "")
            if name == scenes.program and self.live:
                text += ON_AIR_MARK
                style += f" background: {BAD}; color: white; font-weight: 700;"
                tip = f"{name} is on air"
            elif name == scenes.program:
                text += PROGRAM_MARK
                style += f" background: {PROGRAM_GREY}; color: white; font-weight: 700;"
                tip = (f"{name} is OBS's program; OBS is not streaming or recording, so it is "
                       "not on air")  # fmt: skip
            elif name == scenes.preview:
                text += PREVIEW_MARK
                style += f" background: {PREVIEW_GREEN}; color: white; font-weight: 600;"
            if name == SLIDES_SCENE:
                style += " font-style: italic;"
            if button.text() != text:
                button.setText(text)
            if button.styleSheet() != style:  # each set re-polishes the button
                button.setStyleSheet(style)
            button.setToolTip(tip)
        self.set_enabled(enabled)
        if room:
            self._room_changed()

    def set_enabled(self, on: bool) -> None:
        self._enabled = on
        for button in self.buttons:
            button.setEnabled(on)

    def _rebuild(self, names: tuple[str, ...]) -> None:
        for button in self.buttons:
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        self._names = names
        bold = QFont(self.font())
        bold.setBold(True)
        bold.setItalic(True)
        metrics = QFontMetrics(bold)
        self._widest = 0
        for index, name in enumerate(names):
            button = QPushButton(label_of(index, name), self)
            button.setObjectName(f"scene-{index + 1}")
            # Its width comes from the columns, never from its text: a mark that comes or goes
            # repaints the button and lays nothing out.
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, n=name: self.switch_requested.emit(n))
            button.setVisible(True)  # measured at once (see the hint)
            self.buttons.append(button)
            longest = max((label_of(index, name) + mark for mark in MARKS),
                          key=metrics.horizontalAdvance)  # fmt: skip
            self._widest = max(self._widest, metrics.horizontalAdvance(longest) + PADDING)
        if self.buttons:
            self._fix_height(self.buttons[0], label_of(0, names[0]))
        self._columns = self._columns_for(self.width())
        self._place()

    def _fix_height(self, probe: QPushButton, label: str) -> None:
        """Every button as tall as one marked ON AIR (its bold text, and the mark, which may
        come from a taller fallback font): marks that move then never change a row's height."""
        probe.setText(label + ON_AIR_MARK)
        probe.setStyleSheet(f"{SHAPE} font-weight: 700; font-style: italic;")
        height = probe.sizeHint().height()
        for button in self.buttons:
            button.setFixedHeight(height)

    def _columns_for(self, width: int) -> int:
        return 2 if 2 * self._widest + SPACING <= width else 1

    def _place(self) -> None:
        for button in self.buttons:
            self.grid.removeWidget(button)
        for index, button in enumerate(self.buttons):
            self.grid.addWidget(button, index // self._columns, index % self._columns)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1 if self._columns == 2 else 0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        columns = self._columns_for(self.width())
        if self.buttons and columns != self._columns:
            self._columns = columns
            self._place()
            self._room_changed()

    def _room_changed(self) -> None:
        # The column's layout keeps the grid's old size until its next pass: measured now, it
        # would give the old room. Made to measure again first.
        self.layout().invalidate()
        self.room_changed.emit()
