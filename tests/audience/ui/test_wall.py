"""The wall view: numbers readable across a room, a dash where there is no number."""

from __future__ import annotations

import math
from datetime import datetime

import pytest
from PySide6.QtCore import Qt

from commsdesk.audience.ui.wall import (
    WallView,
    duration_text,
    share_text,
    trend_arrow,
    trend_text,
    viewers_text,
)
from tests.audience.ui.conftest import START


@pytest.fixture
def wall(qtbot):
    view = WallView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_numbers_read_like_a_person_would_say_them():
    assert viewers_text(40_150) == "40,150"
    assert viewers_text(4_019.6) == "4,020"
    assert viewers_text(0) == "0"  # a real zero is a number
    assert viewers_text(None) == viewers_text(math.nan) == "—"
    assert share_text(0.63) == "63%"
    assert share_text(0.084) == "8.4%"
    assert share_text(None) == "—"
    assert duration_text(6_312) == "1:45:12"
    assert duration_text(59) == "0:00:59"
    assert duration_text(None) == "—"
    assert trend_text(-35.2) == "−35 per minute"
    assert trend_text(1_200) == "+1,200 per minute"
    assert trend_text(0.2) == "steady"


@pytest.mark.parametrize(
    ("slope", "audience", "arrow"),
    [
        (400, 4_000, "↑"),  # +10% a minute
        (40, 4_000, "↗"),
        (-5, 40_000, "→"),  # a few viewers either way is flat for a big audience
        (3, 4_000, "→"),
        (-35, 4_020, "↘"),  # the example: falling 35 a minute at 4,020
        (-2_000, 40_000, "↓"),
        (None, 4_000, "—"),
        (-3, None, "↘"),
        (0.5, None, "→"),
    ],
)
def test_the_trend_arrow_follows_the_slope_against_the_audience(slope, audience, arrow):
    assert trend_arrow(slope, audience) == arrow


def test_nothing_known_shows_dashes_never_zeros(wall):
    wall.update(None, None, None, None, None, None)
    for label in (wall.total, wall.peak, wall.share, wall.live, wall.arrow):
        assert label.text() == "—"
    assert wall.peak_caption.text() == "peak"
    wall.update(math.nan, 40_150, START, None, None, 60)
    assert wall.total.text() == "—" and wall.share.text() == "—"
    assert "0" not in wall.total.text()


def test_the_numbers_a_room_sees(wall):
    peak_at = START + 600
    wall.update(4_020, 40_150, peak_at, 0.1001, -35, 6_312)
    assert wall.total.text() == "4,020"
    assert wall.peak.text() == "40,150"
    assert wall.peak_caption.text() == "peak at " + datetime.fromtimestamp(peak_at).strftime(
        "%H:%M"
    )
    assert wall.share.text() == "10%"
    assert wall.arrow.text() == "↘"
    assert wall.trend.text() == "−35 per minute"
    assert wall.live.text() == "1:45:12"
    wall.update(9_000, 40_150, peak_at, 0.22, 600, 6_400)
    assert wall.arrow.text() == "↑" and wall.trend.text() == "+600 per minute"
    wall.update(9_000, 40_150, peak_at, 0.22, 2, 6_401)
    assert wall.arrow.text() == "→"


def test_a_stray_repaint_call_cannot_blank_the_wall(wall):
    wall.update(4_020, 40_150, START, 0.1, -35, 60)
    with pytest.raises(TypeError):
        wall.update()
    assert wall.total.text() == "4,020"


def test_fonts_grow_with_the_window(wall, qtbot):
    wall.resize(800, 450)
    qtbot.waitUntil(lambda: wall.width() == 800)
    small = wall.total.font().pixelSize(), wall.live_caption.font().pixelSize()
    wall.resize(1920, 1080)
    qtbot.waitUntil(lambda: wall.width() == 1920)
    big = wall.total.font().pixelSize(), wall.live_caption.font().pixelSize()
    assert big[0] > 2 * small[0] and big[1] > small[1]
    assert big[0] >= 200  # a quarter of a 1080-line screen
    # The headline still fits across: "40,150" with its arrow.
    wall.update(40_150, 40_150, START, 1.0, 0, 600)
    width = wall.total.fontMetrics().horizontalAdvance("40,150")
    assert width + wall.arrow.fontMetrics().horizontalAdvance("↘") < wall.width()


def test_f11_toggles_full_screen_and_escape_leaves_it(wall, qtbot):
    wall.activateWindow()
    qtbot.waitUntil(lambda: wall.isActiveWindow())
    qtbot.keyClick(wall, Qt.Key.Key_F11)
    assert wall.isFullScreen()
    qtbot.keyClick(wall, Qt.Key.Key_Escape)
    assert not wall.isFullScreen()
    qtbot.keyClick(wall, Qt.Key.Key_F11)
    qtbot.keyClick(wall, Qt.Key.Key_F11)
    assert not wall.isFullScreen()


def test_no_figure_outgrows_its_tile(wall):
    wall.update(12_400_000, 99_950_000, START, 0.124, -35_000, 400_000)
    assert wall.total.text() == "12.4 M" and wall.peak.text() == "100 M"
    assert wall.trend.text() == "−35,000 per minute"
    assert wall.live.text() == "4 d 15 h"
    assert viewers_text(9_999_999) == "9,999,999"
    assert viewers_text(10**20) == "over 999 T"
    assert share_text(12.0) == "over 999%"
    for label in (wall.total, wall.peak, wall.live):
        assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()


def test_a_partial_total_says_how_many_platforms_it_holds(wall):
    wall.update(1_910, 4_000, START, 0.48, -5, 600, partial="2 of 3 reading")
    assert wall.total_caption.text() == "watching now · 2 of 3 reading"
    wall.update(3_990, 4_000, START, 0.99, 1, 601)
    assert wall.total_caption.text() == "watching now"


def test_escape_leaves_full_screen_even_without_its_shortcut(wall, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    wall.showFullScreen()
    qtbot.waitUntil(wall.isFullScreen)
    press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(wall, press)  # straight to the window, past the shortcut map
    assert not wall.isFullScreen()
