"""The Audience panel: source chips, the advice banner, views, export and the wall view."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from commsdesk.audience.ui.chart import TOTAL
from commsdesk.ui.lanes import Lane
from commsdesk.ui.theme import BAD, MUTED, OK, WARN
from tests.audience.ui.conftest import START, decline


@pytest.fixture
def panel(qtbot):
    from commsdesk.audience.ui.panel import AudiencePanel

    lane = Lane("files")
    widget = AudiencePanel(file_lane=lane)
    qtbot.addWidget(widget)
    widget.resize(1100, 600)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    if widget.wall is not None:
        widget.wall.close()
    qtbot.waitUntil(lambda: lane.outstanding == 0)
    lane.stop()


def test_each_source_has_a_chip_that_says_how_it_stands(panel, qtbot):
    assert panel.no_sources.isVisible()
    panel.set_sources(["YouTube", "Twitch", "Kick"])
    assert not panel.no_sources.isVisible()
    assert [chip.text() for chip in panel.chips.values()] == [
        "YouTube: waiting", "Twitch: waiting", "Kick: waiting",
    ]
    assert panel.chip_colour("Kick") == MUTED
    panel.set_source_state("YouTube", "ok", "2,410 viewers")
    panel.set_source_state("Twitch", "gap", "offline")
    panel.set_source_state("Kick", "error", "quota exceeded (403)")
    assert panel.chips["YouTube"].text() == "YouTube: 2,410 viewers"
    assert panel.chip_colour("YouTube") == OK
    assert panel.chips["Twitch"].text() == "Twitch: offline"
    assert panel.chip_colour("Twitch") == WARN
    assert panel.chips["Kick"].text() == "Kick: quota exceeded (403)"
    assert panel.chip_colour("Kick") == BAD
    panel.set_source_state("Kick", "ok", "380 viewers")
    assert panel.chip_colour("Kick") == OK and panel.chips["Kick"].text() == "Kick: 380 viewers"
    # A source not announced gets a chip of its own; a new list replaces the chips.
    panel.set_source_state("X (JSON URL)", "gap", "no number in the answer")
    qtbot.waitUntil(panel.chips["X (JSON URL)"].isVisible)
    panel.set_sources(["Manual"])
    assert list(panel.chips) == ["Manual"]


def test_advice_shows_in_a_banner_until_dismissed(panel, qtbot):
    assert not panel.banner.isVisible()
    message = (
        "4,020 watching = 10% of the 40,150 peak at 14:32; under 10% for 12 min; "
        "falling 35 per minute"
    )
    panel.set_advice("suggest_end", message)
    assert panel.banner.isVisible()
    assert panel.advice_text.text() == message
    assert WARN in panel.banner.styleSheet()
    with qtbot.waitSignal(panel.advice_dismissed) as dismissed:
        qtbot.mouseClick(panel.dismiss, Qt.MouseButton.LeftButton)
    assert dismissed.args == ["suggest_end"]
    assert not panel.banner.isVisible()
    panel.set_advice("sudden_drop", "Viewers halved in 2 minutes: check the stream's health")
    assert panel.banner.isVisible() and BAD in panel.banner.styleSheet()
    panel.set_advice("sudden_drop", None)
    assert not panel.banner.isVisible()


def test_view_buttons_drive_the_chart_and_show_when_it_no_longer_follows(panel, qtbot):
    t, _, total = decline()
    panel.set_series(TOTAL, t, total)
    assert panel.view_buttons["all"].isChecked()
    qtbot.mouseClick(panel.view_buttons["15min"], Qt.MouseButton.LeftButton)
    assert panel.chart.view == "15min"
    assert panel.chart.x_range() == pytest.approx((t[-1] - 900, t[-1]))
    assert panel.view_buttons["15min"].isChecked()
    panel.chart._user_moved()  # what a drag or wheel on the plot signals
    assert panel.panned.isVisible()
    assert not any(button.isChecked() for button in panel.view_buttons.values())
    qtbot.mouseClick(panel.view_buttons["15min"], Qt.MouseButton.LeftButton)
    assert panel.chart.following and not panel.panned.isVisible()
    assert panel.view_buttons["15min"].isChecked()
    # Alt+2 anywhere in the panel picks the last hour.
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    panel.dismiss.setFocus()
    qtbot.keyClick(panel.export_button, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert panel.chart.view == "hour" and panel.view_buttons["hour"].isChecked()


def test_passthroughs_reach_the_chart(panel):
    panel.set_series("YouTube", [START, START + 60], [1_000, 1_200])
    panel.append("YouTube", START + 120, np.nan)
    panel.set_threshold(120)
    panel.set_markers([(START + 30, "Stream started", "Stream started on YouTube")])
    assert np.isnan(panel.chart.series_data("YouTube")[1][-1])
    assert panel.chart.threshold() == 120
    assert len(panel.chart.marker_lines) == 1


def test_export_writes_the_png_off_the_ui_thread(panel, qtbot, tmp_path):
    t, platforms, total = decline()
    for name, values in platforms.items():
        panel.set_series(name, t, values)
    panel.set_series(TOTAL, t, total)
    target = tmp_path / "chart.png"
    with qtbot.waitSignal(panel.png_exported, timeout=10_000) as exported:
        panel.export_to(target)
    assert exported.args == [str(target)]
    image = QImage(str(target))
    assert (image.width(), image.height()) == (panel.chart.width(), panel.chart.height())


# Raising a window already open is a notice the headless platform prints, not our warning.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_the_wall_view_opens_with_the_latest_numbers_and_follows_them(panel, qtbot):
    panel.update_wall(4_020, 40_150, START, 0.1, -35, 6_312)
    wall = panel.open_wall()
    qtbot.waitExposed(wall)
    assert wall.isWindow() and wall.isVisible()
    assert wall.total.text() == "4,020" and wall.live.text() == "1:45:12"
    panel.update_wall(3_900, 40_150, START, 0.097, -40, 6_372)
    assert wall.total.text() == "3,900" and wall.share.text() == "9.7%"
    assert panel.open_wall() is wall  # one wall at a time
    wall.close()
    qtbot.waitUntil(lambda: panel.wall is None)
    panel.update_wall(None, None, None, None, None, None)  # no wall: kept for the next one
    assert panel.open_wall().total.text() == "—"
