"""The Audience panel: per-source status chips, the advice banner, the chart and its views.

Thin: a bridge drives it (`set_sources`, `set_source_state`, `remove_source`, `set_advice`,
`show_manual_result`, and the chart's own calls passed through) and listens to
`advice_dismissed`, `sources_requested` ("Sources…"), `manual_entered` (the text typed for a
manual source, then Enter; `set_manual_sources` shows the field; the bridge checks it and says
what is wrong beside it) and `strike_requested` (a sample picked on the chart, struck with a
reason: the bridge runs the use case). Chips wrap onto more lines rather than widening the
dock. "Export PNG…" saves the chart (on the given file lane when there is one, so a slow disk
never holds the UI thread); "Wall view" opens the big-number window, fed by `update_wall`.

Cheap to import: the chart module (numpy, pyqtgraph) loads when the panel is built.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from commsdesk.audience.figures import viewers_text
from commsdesk.audience.ui.chip_flow import ChipFlow
from commsdesk.ui.lanes import Lane
from commsdesk.ui.steady import make_steady, set_steady_text
from commsdesk.ui.theme import BAD, MUTED, OK, WARN, badge_style

SOURCE_COLOURS = {"ok": OK, "gap": WARN, "error": BAD, "suspect": WARN}
FLAG_WORDS = {"suspect": "suspect", "outlier": "outlier", "struck": "struck"}
ADVICE_COLOURS = {"suggest_end": WARN, "sudden_drop": BAD, "withdrawn": OK}
ADVICE_TITLES = {
    "suggest_end": "Advice",
    "sudden_drop": "Stream problem?",
    "withdrawn": "Advice withdrawn",
}


class AudiencePanel(QWidget):
    advice_dismissed = Signal(str)  # the kind of advice the producer dismissed
    png_exported = Signal(str)  # the path written
    export_failed = Signal(str)  # why
    sources_requested = Signal()  # "Sources…" was clicked
    manual_entered = Signal(str, str)  # (manual source, the text typed)
    strike_requested = Signal(str, float, str)  # (line, sample time, why)

    def __init__(self, file_lane: Lane | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from commsdesk.audience.ui.chart import VIEW_SHORTCUTS, VIEWS, AudienceChart

        self.file_lane = file_lane
        self.wall = None
        self._wall_numbers: tuple = (None,) * 6
        self._wall_partial = ""
        self.chips: dict[str, QLabel] = {}
        self.source_states: dict[str, str] = {}

        self.chip_flow = ChipFlow()
        self.no_sources = QLabel("No viewer sources yet.")
        self.no_sources.setStyleSheet(f"color: {MUTED};")
        self.chip_flow.add(self.no_sources)
        self.sources_button = QPushButton("Sources…")
        self.sources_button.setToolTip("Add, switch on or off the platforms counted")
        self.sources_button.clicked.connect(self.sources_requested)
        self.chip_row = QHBoxLayout()
        self.chip_row.addWidget(self.chip_flow, 1)
        self.chip_row.addWidget(self.sources_button, 0, Qt.AlignmentFlag.AlignTop)

        self.manual_source = QComboBox()
        self.manual_source.setToolTip("The manual source the typed number is for")
        self.manual_entry = QLineEdit()
        self.manual_entry.setPlaceholderText("Viewers seen, then Enter")
        self.manual_entry.setToolTip(
            "Read the number off the platform and type it: it counts now and holds until the "
            "next one"
        )
        self.manual_entry.setFixedWidth(190)
        self.manual_entry.returnPressed.connect(self._enter_manual)
        self.manual_problem = QLabel()
        self.manual_problem.setWordWrap(True)
        self.manual_problem.setStyleSheet(f"color: {BAD};")
        self.manual_problem.hide()
        self.manual_row = QHBoxLayout()
        for widget in (self.manual_source, self.manual_entry):
            widget.hide()
            self.manual_row.addWidget(widget)
        self.manual_row.addStretch(1)

        self.picked = QLabel()
        self.picked.setWordWrap(True)
        self.strike_button = QPushButton("Strike from the record…")
        self.strike_button.setToolTip(
            "The sample stays on record as it was read, counts nowhere from now on, and the "
            "strike goes on the timeline with your name and the reason"
        )
        self.strike_button.clicked.connect(self.ask_strike)
        self.unpick = QPushButton("Keep it")
        self.unpick.clicked.connect(self.clear_pick)
        self.pick_row = QWidget()
        pick_layout = QHBoxLayout(self.pick_row)
        pick_layout.setContentsMargins(0, 0, 0, 0)
        pick_layout.addWidget(self.picked, 1)
        pick_layout.addWidget(self.strike_button)
        pick_layout.addWidget(self.unpick)
        self.pick_row.hide()

        self.banner = QFrame()
        self.banner.setObjectName("AdviceBanner")
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(10, 6, 6, 6)
        self.advice_title = QLabel()
        self.advice_text = QLabel()
        self.advice_text.setWordWrap(True)
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.clicked.connect(self.dismiss_advice)
        banner_row.addWidget(self.advice_title)
        banner_row.addWidget(self.advice_text, 1)
        banner_row.addWidget(self.dismiss)
        self.banner.hide()
        self.advice_kind: str | None = None

        self.chart = AudienceChart(shortcut_scope=self)
        self.chart.view_changed.connect(self._show_view)
        self.chart.following_changed.connect(self._show_following)
        self.chart.sample_picked.connect(self._picked)

        self.view_buttons: dict[str, QPushButton] = {}
        self._view_group = QButtonGroup(self)
        self._view_group.setExclusive(True)
        views, actions = ChipFlow(), ChipFlow()  # wrap in a narrow dock
        for view, (text, _seconds) in VIEWS.items():
            button = QPushButton(text)
            button.setCheckable(True)
            button.setFixedWidth(button.fontMetrics().horizontalAdvance(text) + 32)  # compact
            shown = "Everything" if view == "all" else f"The last {text}"
            button.setToolTip(f"{shown} ({VIEW_SHORTCUTS[view]}); follows the live edge")
            button.clicked.connect(lambda _checked=False, view=view: self.chart.set_view(view))
            self._view_group.addButton(button)
            self.view_buttons[view] = button
            views.add(button)
        self.view_buttons[self.chart.view].setChecked(True)
        self.panned = QLabel("Panned away from the live edge: pick a view to follow it again.")
        self.panned.setStyleSheet(f"color: {MUTED}; font-style: italic;")
        self.panned.setWordWrap(True)
        self.panned.hide()
        self.export_button = QPushButton("Export PNG…")
        self.export_button.clicked.connect(self.ask_export)
        self.wall_button = QPushButton("Wall view")
        self.wall_button.setToolTip("Big numbers for a second screen (F11: full screen)")
        self.wall_button.clicked.connect(self.open_wall)
        actions.add(self.export_button)
        actions.add(self.wall_button)
        controls = QHBoxLayout()
        controls.addWidget(views, 1)
        controls.addWidget(actions, 0, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self.chip_row)
        # In a team, which desk polls the sources (the others show what it reads).
        self.polling_note = QLabel()
        self.polling_note.setObjectName("audience-polling-note")
        self.polling_note.setStyleSheet(f"color: {MUTED};")
        self.polling_note.hide()
        layout.addWidget(self.polling_note)
        layout.addLayout(self.manual_row)
        layout.addWidget(self.manual_problem)
        layout.addWidget(self.banner)
        layout.addWidget(self.pick_row)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.panned)
        layout.addLayout(controls)

    # --- sources -------------------------------------------------------------------------------
    def set_sources(self, names: Iterable[str]) -> None:
        """One chip per source, in this order; a source not heard from yet shows "waiting".
        Chips of sources not named go (with their states)."""
        names = list(dict.fromkeys(names))
        for name in [n for n in self.chips if n not in names]:
            self._drop_chip(name)
        for name in names:
            if name not in self.chips:
                self._add_chip(name)
        self.no_sources.setVisible(not self.chips)

    def remove_source(self, name: str) -> None:
        """A source removed: its chip, its line and its markers go."""
        self._drop_chip(name)
        self.chart.remove_series(name)
        self.no_sources.setVisible(not self.chips)

    def _drop_chip(self, name: str) -> None:
        chip = self.chips.pop(name, None)
        self.source_states.pop(name, None)
        if chip is not None:
            self.chip_flow.remove(chip)

    def set_polling_note(self, text: str) -> None:
        self.polling_note.setText(text)
        self.polling_note.setVisible(bool(text))

    def set_source_state(self, name: str, state: str, text: str) -> None:
        """state: "ok", "gap" or "error" (the chip's colour); text: what it shows after the name,
        such as "2,410 viewers", "count hidden" or "quota exceeded (403)"."""
        chip = self.chips.get(name) or self._add_chip(name)
        self.no_sources.hide()
        self.source_states[name] = state
        set_steady_text(chip, f"{name}: {text}" if text else name)
        style = badge_style(SOURCE_COLOURS.get(state, MUTED))
        if chip.styleSheet() != style:  # restyling repolishes the chip: only on a new colour
            chip.setStyleSheet(style)
        chip.setToolTip(f"{name}: {text}")

    def chip_colour(self, name: str) -> str:
        """The chip's background colour as "#rrggbb" (what the producer sees)."""
        style = self.chips[name].styleSheet()
        return style.split("background:", 1)[1].split(";", 1)[0].strip()

    def _add_chip(self, name: str) -> QLabel:
        chip = QLabel(f"{name}: waiting")
        chip.setStyleSheet(badge_style(MUTED))
        make_steady(chip, f"{name}: 888,888 viewers")  # a new number never relays the panel
        self.chips[name] = chip
        self.chip_flow.add(chip)
        return chip

    # --- manual entry --------------------------------------------------------------------------
    def set_manual_sources(self, names: Iterable[str]) -> None:
        """The manual sources a typed number can be for; none hides the field."""
        names = list(names)
        current = self.manual_source.currentText()
        self.manual_source.clear()
        self.manual_source.addItems(names)
        if current in names:
            self.manual_source.setCurrentText(current)
        self.manual_source.setVisible(len(names) > 1)
        self.manual_entry.setVisible(bool(names))
        if len(names) == 1:
            self.manual_entry.setPlaceholderText(f"{names[0]}: viewers, then Enter")

    def _enter_manual(self) -> None:
        """The text as typed goes to the bridge, which checks it and answers with
        `show_manual_result`."""
        name = self.manual_source.currentText()
        if name:
            self.manual_entered.emit(name, self.manual_entry.text())

    def show_manual_result(self, problem: str | None) -> None:
        """None: the number was counted (the field empties); else what is wrong, beside it."""
        if problem is None:
            self.manual_entry.setStyleSheet("")
            self.manual_entry.clear()
            self.manual_problem.hide()
            return
        text = problem[:1].upper() + problem[1:]
        self.manual_entry.setStyleSheet(f"border: 1px solid {BAD};")
        self.manual_entry.setToolTip(text)
        self.manual_problem.setText(text)
        self.manual_problem.show()

    # --- striking a sample ---------------------------------------------------------------------
    def _picked(self, name: str, at: float, viewers: float, flag: str) -> None:
        from commsdesk.audience.ui.chart import clock

        state = f" ({FLAG_WORDS[flag]})" if flag in FLAG_WORDS else ""
        self.picked.setText(f"{name}: {viewers_text(viewers)} at {clock(at, seconds=True)}{state}")
        self.strike_button.setEnabled(flag != "struck")
        self.pick_row.show()

    def clear_pick(self) -> None:
        self.chart.clear_selection()
        self.pick_row.hide()

    def ask_strike(self) -> None:
        if self.chart.selected is None:
            return
        reason, ok = QInputDialog.getText(
            self, "Strike a sample",
            f"Strike {self.picked.text()} from the record?\nIt stays stored as it was read, "
            "counts nowhere from now on, and the strike goes on the timeline.\n\nWhy?",
        )  # fmt: skip
        if ok and reason.strip():
            self.strike_selected(reason)

    def strike_selected(self, reason: str) -> None:
        """Ask the bridge to strike the picked sample, for this reason."""
        if self.chart.selected is not None:
            name, at, _viewers, _flag = self.chart.selected
            self.strike_requested.emit(name, at, reason)
            self.clear_pick()

    # --- advice --------------------------------------------------------------------------------
    def set_advice(self, kind: str, message: str | None) -> None:
        """Show advice ("suggest_end", "sudden_drop", "withdrawn") in the banner; a None message
        takes the banner down."""
        if message is None:
            self.banner.hide()
            self.advice_kind = None
            return
        self.advice_kind = kind
        colour = ADVICE_COLOURS.get(kind, MUTED)
        self.banner.setStyleSheet(
            f"#AdviceBanner {{ background: {colour}; border-radius: 4px; }}"
            " #AdviceBanner QLabel { color: white; }"
        )
        self.advice_title.setText(f"<b>{ADVICE_TITLES.get(kind, kind)}</b>")
        self.advice_text.setText(message)
        self.banner.show()

    def dismiss_advice(self) -> None:
        kind = self.advice_kind
        self.banner.hide()
        self.advice_kind = None
        if kind is not None:
            self.advice_dismissed.emit(kind)

    # --- chart passthroughs --------------------------------------------------------------------
    def set_series(self, name: str, times, values) -> None:
        self.chart.set_series(name, times, values)

    def append(self, name: str, t: float, value: float) -> None:
        self.chart.append(name, t, value)

    def set_threshold(self, value: float | None) -> None:
        self.chart.set_threshold(value)

    def set_markers(self, markers: Iterable[tuple[float, str, str]]) -> None:
        self.chart.set_markers(markers)

    def set_view(self, view: str) -> None:
        self.chart.set_view(view)

    def _show_view(self, view: str) -> None:
        self.view_buttons[view].setChecked(True)

    def _show_following(self, following: bool) -> None:
        self.panned.setVisible(not following)
        if following:
            self.view_buttons[self.chart.view].setChecked(True)
        else:
            # No view is shown any more; let the current one be clicked to come back.
            self._view_group.setExclusive(False)
            for button in self.view_buttons.values():
                button.setChecked(False)
            self._view_group.setExclusive(True)

    # --- export --------------------------------------------------------------------------------
    def ask_export(self) -> None:
        default = f"audience-{datetime.now():%Y%m%d-%H%M}.png"
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the audience chart", default, "PNG image (*.png)"
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str | os.PathLike[str]) -> None:
        """Render the chart now; write the file on the file lane (or here without one)."""
        from commsdesk.audience.ui.chart import save_png

        image = self.chart.render_image()
        target = os.fspath(path)
        if self.file_lane is None:
            try:
                save_png(image, target)
            except OSError as error:
                self._export_failed(error)
            else:
                self.png_exported.emit(target)
            return
        self.file_lane.submit(
            save_png, image, target,
            on_done=lambda _result: self.png_exported.emit(target),
            on_error=self._export_failed,
        )

    def _export_failed(self, error: BaseException) -> None:
        self.export_failed.emit(str(error))
        QMessageBox.warning(self, "Export PNG", f"The chart was not saved.\n\n{error}")

    # --- wall view -----------------------------------------------------------------------------
    def update_wall(
        self,
        total: float | None,
        peak: float | None,
        peak_at: float | None,
        share: float | None,
        slope_per_min: float | None,
        live_seconds: float | None,
        partial: str = "",
    ) -> None:
        """The wall's numbers (see WallView.update); kept for when the wall opens."""
        self._wall_numbers = (total, peak, peak_at, share, slope_per_min, live_seconds)
        self._wall_partial = partial
        if self.wall is not None:
            self.wall.update(*self._wall_numbers, partial=partial)

    def open_wall(self):
        """Open the wall view (on a second screen when there is one), or raise it."""
        from commsdesk.audience.ui.wall import WallView

        if self.wall is None:
            self.wall = WallView(self)
            self.wall.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.wall.destroyed.connect(self._wall_closed)
            screens = QGuiApplication.screens()
            here = self.screen()
            others = [screen for screen in screens if screen is not here]
            if others:
                self.wall.move(others[0].availableGeometry().topLeft())
        self.wall.update(*self._wall_numbers, partial=self._wall_partial)
        if self.wall.isVisible():
            self.wall.raise_()
            self.wall.activateWindow()
        else:
            self.wall.show()
        return self.wall

    def _wall_closed(self, *_args) -> None:
        self.wall = None
