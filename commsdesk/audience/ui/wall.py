"""The wall view: the audience in numbers readable across a room, for a second screen.

Current total (with a trend arrow; a partial total says how many platforms are reading), the
peak and when it was, the share of the peak, and how long the stream has been live, light on
dark, in fonts that grow with the window. Numbers are short past ten million ("12.4 M"), so
none outgrows its tile. F11 toggles full screen, Escape leaves it. A number the desk does not
have shows as an em dash, never as zero.
"""

from __future__ import annotations

import math
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from commsdesk.audience.figures import DASH, duration_text, viewers_text

__all__ = ["WallView", "duration_text", "share_text", "trend_arrow", "trend_text", "viewers_text"]

MINUS = "−"
BACKGROUND = "#101418"
TEXT = "#f5f7f8"
CAPTION = "#90a4ae"
RISING = "#66bb6a"
FALLING = "#ffa726"
STEADY = "#b0bec5"

# Trend arrows by the slope as a share of the audience per minute: (at least, arrow).
ARROWS = ((0.02, "↑"), (0.005, "↗"), (-0.005, "→"), (-0.02, "↘"))
STEEPEST_FALL = "↓"
STEADY_BELOW = 1.0  # viewers per minute counted as steady when there is no audience to compare


def _number(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def share_text(share: float | None) -> str:
    """A fraction of the peak as a percentage: 0.63 -> "63%", 0.084 -> "8.4%"."""
    share = _number(share)
    if share is None:
        return DASH
    percent = share * 100
    if percent > 999:
        return "over 999%"
    return f"{percent:.0f}%" if percent >= 10 else f"{percent:.1f}%"


def trend_arrow(slope_per_min: float | None, audience: float | None) -> str:
    """An arrow for a slope in viewers per minute, judged against the audience's size: falling
    35 a minute is steady for 40,000 viewers and a clear fall (↘) for 4,000."""
    slope = _number(slope_per_min)
    if slope is None:
        return DASH
    audience = _number(audience)
    if audience is None or audience <= 0:
        return "→" if abs(slope) < STEADY_BELOW else ("↗" if slope > 0 else "↘")
    rate = slope / audience
    for at_least, arrow in ARROWS:
        if rate >= at_least:
            return arrow
    return STEEPEST_FALL


def trend_text(slope_per_min: float | None) -> str:
    slope = _number(slope_per_min)
    if slope is None:
        return "trend " + DASH
    if round(abs(slope)) == 0:
        return "steady"
    sign = "+" if slope > 0 else MINUS
    return f"{sign}{viewers_text(abs(slope))} per minute"


class WallView(QWidget):
    """A window of its own; `update` sets every number at once."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Audience — wall view")
        self.setObjectName("AudienceWall")
        self.setStyleSheet(
            f"#AudienceWall {{ background: {BACKGROUND}; }} QLabel {{ color: {TEXT}; }}"
        )
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # its keys reach it, not the desk
        self.resize(1280, 720)

        def label(colour: str = TEXT) -> QLabel:
            widget = QLabel(DASH, alignment=Qt.AlignmentFlag.AlignCenter)
            widget.setStyleSheet(f"color: {colour};")
            return widget

        self.total = label()
        self.arrow = label(STEADY)
        self.total_caption = label(CAPTION)
        self.total_caption.setText("watching now")
        self.trend = label(CAPTION)
        self.peak = label()
        self.peak_caption = label(CAPTION)
        self.share = label()
        self.share_caption = label(CAPTION)
        self.share_caption.setText("of peak")
        self.live = label()
        self.live_caption = label(CAPTION)
        self.live_caption.setText("live")
        self._numbers = (self.total, self.arrow)
        self._tiles = (self.peak, self.share, self.live)
        self._captions = (
            self.total_caption, self.trend, self.peak_caption, self.share_caption,
            self.live_caption,
        )

        headline = QGridLayout()
        headline.addWidget(self.total, 0, 0)
        headline.addWidget(self.arrow, 0, 1)
        headline.addWidget(self.total_caption, 1, 0)
        headline.addWidget(self.trend, 1, 1)
        headline.setColumnStretch(0, 3)
        headline.setColumnStretch(1, 1)
        tiles = QGridLayout()
        for column, (number, caption) in enumerate(
            ((self.peak, self.peak_caption), (self.share, self.share_caption),
             (self.live, self.live_caption))
        ):
            tiles.addWidget(number, 0, column)
            tiles.addWidget(caption, 1, column)
            tiles.setColumnStretch(column, 1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(headline, 3)
        layout.addStretch(1)
        layout.addLayout(tiles, 2)
        layout.addStretch(1)

        full = QShortcut(QKeySequence(Qt.Key.Key_F11), self)
        full.activated.connect(self.toggle_full_screen)
        leave = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        leave.activated.connect(self.leave_full_screen)
        self.update(None, None, None, None, None, None)
        self._scale_fonts()

    def update(
        self,
        total: float | None,
        peak: float | None,
        peak_at: float | None,
        share: float | None,
        slope_per_min: float | None,
        live_seconds: float | None,
        *,
        partial: str = "",
    ) -> None:
        """Show the numbers: viewers now, the peak and its epoch time, the share of the peak as
        a fraction (0.1 is 10%), the trend in viewers per minute, seconds live; `partial` says
        how many platforms the total holds when not all ("2 of 3 reading"). None: "—".

        This replaces QWidget.update (a repaint) for Python callers; every argument is required
        so a stray `update()` fails loudly instead of blanking the wall."""
        self.total.setText(viewers_text(total))
        self.total_caption.setText(f"watching now · {partial}" if partial else "watching now")
        self.peak.setText(viewers_text(peak))
        at = _number(peak_at)
        try:
            self.peak_caption.setText(
                "peak at " + datetime.fromtimestamp(at).strftime("%H:%M") if at is not None
                else "peak"
            )
        except (OverflowError, OSError, ValueError):
            self.peak_caption.setText("peak")
        self.share.setText(share_text(share))
        arrow = trend_arrow(slope_per_min, total if _number(total) is not None else peak)
        self.arrow.setText(arrow)
        colour = RISING if arrow in "↑↗" else FALLING if arrow in "↘↓" else STEADY
        self.arrow.setStyleSheet(f"color: {colour};")
        self.trend.setText(trend_text(slope_per_min))
        self.live.setText(duration_text(live_seconds))
        super().update()

    # --- full screen ---------------------------------------------------------------------------
    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def leave_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()

    def showFullScreen(self) -> None:
        super().showFullScreen()
        self.activateWindow()
        self.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape leaves full screen even when its shortcut does not fire (the window manager
        gave the full-screen window no shortcut focus)."""
        if event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.leave_full_screen()
            event.accept()
            return
        super().keyPressEvent(event)

    # --- sizes ---------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._scale_fonts()

    def font_sizes(self) -> tuple[int, int, int]:
        """Pixel sizes of (the total, the tiles' numbers, the captions) for this window: the
        total about a quarter of the height, limited by the width so "40,150 ↘" fits."""
        unit = min(self.width() / 16, self.height() / 9)
        return max(12, int(unit * 2.2)), max(10, int(unit * 1.0)), max(8, int(unit * 0.32))

    def _scale_fonts(self) -> None:
        big, tile, small = self.font_sizes()
        for widgets, size, weight in (
            (self._numbers, big, QFont.Weight.Bold),
            (self._tiles, tile, QFont.Weight.DemiBold),
            (self._captions, small, QFont.Weight.Normal),
        ):
            for widget in widgets:
                font = QFont(widget.font())
                font.setPixelSize(size)
                font.setWeight(weight)
                widget.setFont(font)
