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


def test_chips_wrap_in_a_narrow_dock_instead_of_widening_it(panel, qtbot):
    names = ["YouTube", "Twitch", "Kick", "X (typed)", "YouTube replay", "Rumble (JSON URL)"]
    panel.set_sources(names)
    for name in names:
        panel.set_source_state(name, "error", "malformed answer")
    assert panel.minimumSizeHint().width() <= 400  # a dock can be this narrow
    panel.resize(400, 600)
    qtbot.waitUntil(lambda: panel.width() == 400)
    rows = set()
    for name in names:
        chip = panel.chips[name]
        qtbot.waitUntil(chip.isVisible)
        place = chip.rect().translated(chip.mapTo(panel, chip.rect().topLeft()))
        assert panel.rect().contains(place), name  # every chip inside the panel, readable
        assert chip.text() == f"{name}: malformed answer"
        rows.add(place.top())
    assert len(rows) >= 3  # on several lines
    assert panel.chart.isVisible() and panel.chart.height() > 150


def test_a_removed_source_takes_its_chip_and_its_line_with_it(panel):
    panel.set_sources(["YouTube", "Kcik"])
    panel.set_series("Kcik", [START], [np.nan])
    panel.set_source_state("Kcik", "error", "not found")
    panel.remove_source("Kcik")
    assert list(panel.chips) == ["YouTube"] and "Kcik" not in panel.source_states
    assert "Kcik" not in panel.chart.series_names() and "Kcik" not in panel.chart.legend_labels
    panel.set_sources(["YouTube"])
    assert list(panel.chips) == ["YouTube"]


def test_a_refused_typed_number_is_explained_beside_the_field(panel, qtbot):
    typed = []
    panel.manual_entered.connect(lambda name, text: typed.append((name, text)))
    panel.set_manual_sources(["Kick (typed)"])
    panel.manual_entry.setText("99999999999999999999")
    panel.manual_entry.returnPressed.emit()
    assert typed == [("Kick (typed)", "99999999999999999999")]
    panel.show_manual_result("a 20-digit number of viewers is more than Kick plausibly has")
    qtbot.waitUntil(panel.manual_problem.isVisible)
    assert panel.manual_problem.text().startswith("A 20-digit number of viewers is more than")
    assert panel.manual_entry.text() == "99999999999999999999"  # kept, to be corrected
    panel.show_manual_result(None)
    assert not panel.manual_problem.isVisible() and panel.manual_entry.text() == ""


def test_a_sample_picked_on_the_chart_can_be_struck_with_a_reason(panel, qtbot):
    t = [START, START + 60, START + 120]
    panel.set_series("Kick", t, [2_400, 2_450, 2_430])
    panel.chart.set_flags("Kick", [(START + 90, 2_400_000, "suspect")])
    assert panel.chart.y_range()[1] < 10_000  # the held-back number flattens nothing
    marker = panel.chart.flag_items["suspect"].data[0]
    assert marker["y"] <= panel.chart.y_range()[1]  # pinned to the top edge, in view
    assert "Kick: 2,400,000" in marker["data"] and "suspect" in marker["data"]
    assert panel.chart.pick("Kick", START + 90) == ("Kick", START + 90, 2_400_000, "suspect")
    qtbot.waitUntil(panel.pick_row.isVisible)
    assert panel.picked.text().startswith("Kick: 2,400,000 at ")
    assert panel.picked.text().endswith("(suspect)") and panel.strike_button.isEnabled()
    with qtbot.waitSignal(panel.strike_requested) as asked:
        panel.strike_selected("misread: 2,400")
    assert asked.args == ["Kick", START + 90, "misread: 2,400"]
    assert not panel.pick_row.isVisible() and panel.chart.selected is None
    assert panel.chart.pick("Kick", START + 60)[2] == 2_450  # a number of the line itself
    assert panel.chart.pick("Kick", START + 61) is None
