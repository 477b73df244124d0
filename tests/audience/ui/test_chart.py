"""The audience chart: gaps stay gaps, the peak, threshold and events are marked, views follow
the live edge, and the PNG export is the chart as drawn."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication

from commsdesk.audience.ui.chart import TOTAL, short_label
from tests.audience.ui.conftest import START, decline


def drawn_segments(item):
    """The (x0, x1) spans of every drawn stroke of a line, from its painter path."""
    path = item.curve.getPath()
    spans = []
    for i in range(1, path.elementCount()):
        element = path.elementAt(i)
        if element.isLineTo():
            spans.append((path.elementAt(i - 1).x, element.x))
    return spans, [path.elementAt(i).y for i in range(path.elementCount())]


def test_a_gap_is_a_break_in_the_line_never_a_drop_to_zero(chart, qtbot):
    t = START + np.arange(20.0) * 60
    v = np.linspace(1_000, 3_000, 20)
    v[8:11] = np.nan  # three minutes the platform gave no number
    chart.set_series(TOTAL, t, v)
    qtbot.wait(10)
    item = chart.series_item(TOTAL)
    assert item.opts["connect"] == "finite"
    _, shown = item.getData()
    assert np.isnan(shown[8:11]).all() and np.isfinite(np.delete(shown, [8, 9, 10])).all()
    spans, ys = drawn_segments(item)
    assert spans, "the line is drawn"
    last_before, first_after = t[7], t[11]
    assert not any(x0 <= last_before and x1 >= first_after for x0, x1 in spans)
    assert min(ys) >= 1_000  # nothing drawn at zero
    assert chart.legend_labels[TOTAL].text().endswith("3,000</span>")


def test_a_platform_gap_in_a_realistic_curve_shows_in_its_line(chart, qtbot):
    t, platforms, total = decline()
    for name, values in platforms.items():
        chart.set_series(name, t, values)
    chart.set_series(TOTAL, t, total)
    qtbot.wait(10)
    _, kick = chart.series_data("Kick")
    assert np.isnan(kick).sum() == 300
    gap_start, gap_end = START + 50 * 60, START + 55 * 60
    spans, ys = drawn_segments(chart.series_item("Kick"))
    assert not any(x0 < gap_start and x1 >= gap_end for x0, x1 in spans)
    assert min(ys) > 0
    assert chart.series_names() == ["YouTube", "Twitch", "Kick", TOTAL]


def test_the_peak_is_marked_at_the_totals_highest_sample(chart):
    t = START + np.arange(6.0) * 60
    v = np.array([30_000, 38_000, 40_150, np.nan, 39_000, 12_000])
    chart.set_series(TOTAL, t, v)
    assert chart.peak() == (t[2], 40_150)
    xs, ys = chart.peak_point.getData()
    assert (xs[0], ys[0]) == (t[2], 40_150)
    at = datetime.fromtimestamp(t[2]).strftime("%H:%M")
    assert chart.peak_label.toPlainText() == f"peak 40,150 at {at}"
    assert chart.peak_label.isVisible()
    # A higher sample moves it; a lower one or a gap does not.
    chart.append(TOTAL, t[-1] + 60, 41_002)
    chart.append(TOTAL, t[-1] + 120, 5_000)
    chart.append(TOTAL, t[-1] + 180, np.nan)
    assert chart.peak() == (t[-1] + 60, 41_002)
    assert chart.peak_label.toPlainText().startswith("peak 41,002 at ")
    # The peak is the total's, not a platform's.
    chart.set_series("YouTube", t, v * 2)
    assert chart.peak()[1] == 41_002


def test_no_total_no_peak(chart):
    chart.set_series("YouTube", [START, START + 60], [100, 200])
    assert chart.peak() is None
    assert not chart.peak_point.isVisible()


def test_the_advice_threshold_is_a_dashed_line_at_its_value(chart):
    t, _, total = decline()
    chart.set_series(TOTAL, t, total)
    chart.set_threshold(4_015)
    line = chart.threshold_line
    assert line.isVisible() and line.value() == 4_015
    assert line.pen.style() == Qt.PenStyle.DashLine
    assert line.label.toPlainText() == "advice threshold 4,015"
    # Drawn where the axis says 4,015 is.
    view_box = chart.view_box
    expected = view_box.mapViewToScene(QPointF(t[0], 4_015)).y()
    assert line.mapToScene(QPointF(0, 0)).y() == pytest.approx(expected, abs=0.5)
    # Kept in view even when every visible sample is far below it.
    chart.set_series(TOTAL, t, np.full_like(total, 300.0))
    assert chart.y_range()[1] > 4_015
    chart.set_threshold(None)
    assert not line.isVisible()
    assert chart.y_range()[1] < 4_015


def test_markers_carry_short_labels_and_the_full_text_on_hover(chart, qtbot):
    t, _, total = decline()
    chart.set_series(TOTAL, t, total)
    detail = "Statement v3 posted to X: withdrawals remain paused while every wallet is re-keyed"
    chart.set_markers([
        (START + 30, "Stream started", "Stream started on YouTube, Twitch and Kick"),
        (START + 1_500, "Statement posted to X", detail),
    ])
    qtbot.wait(10)
    assert [line.value() for line in chart.marker_lines] == [START + 30, START + 1_500]
    first, second = chart.marker_lines
    assert first.label.toPlainText() == "Stream started"
    assert second.label.toPlainText() == short_label("Statement posted to X")
    assert second.label.toPlainText().endswith("…") and len(second.label.toPlainText()) <= 18
    # What the pointer finds over the label is an item whose tooltip is the full text.
    scene = chart.plot_widget.scene()
    centre = second.label.sceneBoundingRect().center()
    tips = [item.toolTip() for item in scene.items(centre) if item.toolTip()]
    assert tips and detail in tips[0] and "Statement posted to X" in tips[0]
    # Replacing the markers removes the old ones from the plot.
    chart.set_markers([(START + 60, "Slide pushed", "Slide 'Back at 18:30' on air")])
    assert len(chart.marker_lines) == 1
    assert first.scene() is None and second.scene() is None


def test_views_show_the_last_15_minutes_the_last_hour_and_everything(chart):
    t, platforms, total = decline()
    for name, values in platforms.items():
        chart.set_series(name, t, values)
    chart.set_series(TOTAL, t, total)
    latest = t[-1]
    x0, x1 = chart.x_range()
    assert x0 == START and latest <= x1 <= latest + 0.02 * (latest - START)
    chart.set_view("15min")  # ends a little past the latest sample, as "all" does
    assert chart.x_range() == pytest.approx((latest - 900, latest + 0.02 * 900))
    # The value axis fits what is in view: the early 40,000 peak is not.
    visible = total[t >= latest - 900]
    assert visible.max() <= chart.y_range()[1] < 2 * visible.max()
    chart.set_view("hour")
    assert chart.x_range() == pytest.approx((latest - 3_600, latest + 0.02 * 3_600))
    # New samples land in view; the window moves on in a step when they pass its edge.
    held = chart.x_range()
    chart.append(TOTAL, latest + 1, 3_900)
    assert chart.x_range() == held
    chart.append(TOTAL, held[1] + 1, 3_900)
    assert chart.x_range() == pytest.approx((held[1] + 1 - 3_600, held[1] + 1 + 0.02 * 3_600))
    latest = held[1] + 1
    chart.set_view("all")
    x0, x1 = chart.x_range()
    assert x0 == START and latest <= x1 <= latest + 0.02 * (latest - START)
    assert chart.y_range()[1] >= 40_000
    # New samples land in view; the view moves on when they reach its edge.
    chart.append(TOTAL, latest + 1, 3_900)
    assert chart.x_range() == (x0, x1)
    chart.append(TOTAL, x1 + 1, 3_900)
    assert chart.x_range()[0] == START and chart.x_range()[1] > x1 + 1
    with pytest.raises(ValueError):
        chart.set_view("week")


def test_a_view_follows_the_live_edge_until_the_user_pans_away(chart, qtbot):
    t, _, total = decline(seconds=1_800)
    chart.set_series(TOTAL, t, total)
    chart.set_view("15min")
    chart.append(TOTAL, t[-1] + 1, 4_100)
    chart.append(TOTAL, t[-1] + 2, 4_090)
    assert chart.x_range() == pytest.approx((t[-1] - 900, t[-1] + 18))  # not moved yet
    # The producer scrolls the wheel over the plot: the view stays where they put it.
    with qtbot.waitSignal(chart.following_changed) as moved:
        viewport = chart.plot_widget.viewport()
        at = QPointF(viewport.width() / 2, viewport.height() / 2)
        wheel = QWheelEvent(
            at, viewport.mapToGlobal(at), QPoint(0, 0), QPoint(0, 120),
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase, False,
        )
        QApplication.sendEvent(viewport, wheel)
    assert moved.args == [False] and not chart.following
    held = chart.x_range()
    assert held != pytest.approx((t[-1] - 900, t[-1] + 18))
    chart.append(TOTAL, t[-1] + 3, 4_080)
    assert chart.x_range() == pytest.approx(held)
    # Choosing a view follows again.
    with qtbot.waitSignal(chart.following_changed) as back:
        chart.set_view("15min")
    assert back.args == [True]
    assert chart.x_range() == pytest.approx((t[-1] + 3 - 900, t[-1] + 3 + 18))


def test_appends_grow_the_line_in_order(chart):
    for i in range(3_000):
        chart.append("Kick", START + i, float(i % 500))
    chart.append("Kick", START + 10.5, 7.0)  # late: goes where it belongs
    times, values = chart.series_data("Kick")
    assert len(times) == 3_001 and (np.diff(times) >= 0).all()
    assert values[11] == 7.0 and values[-1] == 2_999 % 500
    x, _ = chart.series_item("Kick").getOriginalDataset()
    assert len(x) == 3_001


def test_series_must_be_matching_arrays(chart):
    with pytest.raises(ValueError):
        chart.set_series(TOTAL, [START, START + 1], [1.0])


def test_export_png_is_the_chart_as_drawn(chart, qtbot, tmp_path):
    t, platforms, total = decline()
    for name, values in platforms.items():
        chart.set_series(name, t, values)
    chart.set_series(TOTAL, t, total)
    chart.set_threshold(4_015)
    qtbot.wait(10)
    target = tmp_path / "audience.png"
    chart.export_png(target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(target))
    assert not image.isNull()
    ratio = chart.devicePixelRatioF()
    assert (image.width(), image.height()) == (
        round(chart.width() * ratio), round(chart.height() * ratio)
    )
    pixels = image.convertToFormat(QImage.Format.Format_RGB32)
    data = np.frombuffer(pixels.constBits(), dtype=np.uint32).reshape(
        pixels.height(), pixels.bytesPerLine() // 4
    )[:, : pixels.width()]
    colours, counts = np.unique(data & 0xFFFFFF, return_counts=True)
    assert (counts > 30).sum() >= 6  # background, axes, and the four lines
    present = set(colours[counts > 30].tolist())
    for line in ("#e53935", "#8e24aa", "#43a047", "#263238"):  # YouTube, Twitch, Kick, total
        assert int(line[1:], 16) in present


def test_export_to_an_unwritable_place_raises(chart, tmp_path):
    chart.set_series(TOTAL, [START, START + 60], [1.0, 2.0])
    with pytest.raises(OSError):
        chart.export_png(tmp_path / "no such folder" / "audience.png")


def test_the_panel_module_does_not_load_the_chart_library_on_import():
    code = (
        "import sys, commsdesk.audience.ui.panel, commsdesk.audience.ui.wall; "
        "print('pyqtgraph' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]


def test_a_given_peak_replaces_the_highest_sample(chart):
    import numpy as np

    times = np.arange(0.0, 600.0, 60.0)
    values = np.array([100, 40_300, 39_000, 39_557, 39_200, 30_000, 20_000, 9_000, 5_000, 4_000.0])
    chart.set_series("total", times, values)
    assert chart.peak() == (60.0, 40_300.0)  # a one-reading glitch
    chart.set_peak(180.0, 39_557.0)  # the advisor's steady peak
    chart.append("total", 600.0, 45_000.0)
    assert chart.peak() == (180.0, 39_557.0)
    assert "39,557" in chart.peak_label.toPlainText()


def test_a_deferred_chart_holds_new_samples_until_it_is_redrawn(chart):
    t = START + np.arange(10.0)
    chart.set_series(TOTAL, t, np.full(10, 1_000.0))
    chart.deferred = True
    chart.append_many(TOTAL, [t[-1] + 1, t[-1] + 2], [1_500.0, 1_200.0])
    chart.set_peak(t[-1] + 1, 1_500.0)
    # The data and the peak are current at once; the drawing waits.
    assert chart.series_data(TOTAL)[1][-2:].tolist() == [1_500.0, 1_200.0]
    assert chart.peak() == (t[-1] + 1, 1_500.0)
    drawn, _ = chart.series_item(TOTAL).getOriginalDataset()
    assert len(drawn) == 10
    assert "1,000" in chart.peak_label.toPlainText()
    assert chart.legend_labels[TOTAL].text().endswith("1,000</span>")
    if not chart.redraw():  # the new samples were past the view's edge: it moved first
        assert chart.redraw()
    drawn, _ = chart.series_item(TOTAL).getOriginalDataset()
    assert len(drawn) == 12
    assert "1,500" in chart.peak_label.toPlainText()
    assert chart.legend_labels[TOTAL].text().endswith("1,200</span>")
    assert chart.x_range()[1] >= t[-1] + 2  # the view followed the new samples


def test_a_deferred_chart_moves_its_view_and_draws_its_lines_in_separate_redraws(chart):
    t = START + np.arange(600.0)
    chart.set_series(TOTAL, t, np.full(600, 1_000.0))
    chart.set_view("15min")
    chart.deferred = True
    edge = chart.x_range()[1]
    chart.append_many(TOTAL, [edge + 5], [2_000.0])  # past the view's edge
    assert chart.redraw() is False  # this time only the view moved...
    assert chart.x_range()[1] > edge + 5
    assert chart.y_range()[1] >= 2_000.0  # (x and y together)
    drawn, _ = chart.series_item(TOTAL).getOriginalDataset()
    assert len(drawn) == 600
    assert chart.redraw() is True  # ...the next draws the line
    drawn, _ = chart.series_item(TOTAL).getOriginalDataset()
    assert len(drawn) == 601
    chart.deferred = False
    chart.append_many(TOTAL, [chart.x_range()[1] + 5], [1_500.0])  # not deferred: all at once
    drawn, _ = chart.series_item(TOTAL).getOriginalDataset()
    assert len(drawn) == 602 and chart.x_range()[1] > drawn[-1]
