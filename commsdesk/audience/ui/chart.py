"""The audience chart: viewers over time, one line per platform and the total, on pyqtgraph.

Takes plain numpy arrays: times are float seconds since the Unix epoch (UTC), shown in local
time; viewers are floats with NaN for a gap, drawn as a break in the line (connect="finite"),
never as a drop to zero. Marked on it: the total's peak, the advice threshold (a dashed line) and
the timeline's events (vertical lines with short labels, the full text on hover).

Numbers kept out of a line (commsdesk.audience.screening: a suspect held back, an outlier, a
sample struck by a person) are drawn apart as markers (`set_flags`), pinned to the top edge when
they are far above the view, so they never flatten the lines. A click near a platform's sample
(or a marker) picks it (`sample_picked`), for the panel to offer striking it. The legend wraps
onto more lines rather than widening the panel; the total's entry says when it is partial.

Views show the last 15 minutes, the last hour or everything, and follow the live edge until the
user pans or zooms away; choosing a view follows again. Appending a sample is cheap: samples go
into growing buffers and pyqtgraph draws only what is in view, downsampled to the pixels.

With `deferred` set, appends and the peak change the data at once (series_data and peak() see
them) but nothing is drawn until `redraw()`: a caller fed several times a second draws once a
second, at a moment of its choosing, rather than on every batch.

pyqtgraph (and its ~0.6 s import) loads when the first chart is built, never at desk start-up:
import this module only when building the panel.
"""

from __future__ import annotations

import bisect
import math
import os
from collections.abc import Iterable
from datetime import datetime

import numpy as np
from PySide6.QtCore import QSaveFile, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from commsdesk.audience.figures import viewers_text
from commsdesk.audience.ui.chip_flow import ChipFlow
from commsdesk.ui.steady import make_steady, set_steady_text

TOTAL = "total"  # the series name of the sum over platforms; its maximum is the peak

# name: (button text, seconds shown before the latest sample; None shows everything)
VIEWS: dict[str, tuple[str, float | None]] = {
    "15min": ("15 min", 15 * 60),
    "hour": ("1 hour", 60 * 60),
    "all": ("All", None),
}
VIEW_SHORTCUTS = {"15min": "Alt+1", "hour": "Alt+2", "all": "Alt+3"}

# Line colours by lower-case series name; any other platform takes the next of EXTRA_COLOURS.
SERIES_COLOURS = {
    TOTAL: "#263238",
    "youtube": "#e53935",
    "twitch": "#8e24aa",
    "kick": "#43a047",
    "x": "#1e88e5",
    "manual": "#fb8c00",
}
EXTRA_COLOURS = ("#00897b", "#6d4c41", "#3949ab", "#c0ca33", "#d81b60", "#5e35b1")
BACKGROUND = "#ffffff"
AXIS = "#546e7a"
PEAK = "#d84315"
THRESHOLD = "#ef6c00"
MARKER = "#78909c"
MARKER_LABEL_CHARS = 18
# Samples drawn per pixel at most: "peak" downsampling keeps each pixel column's min and max,
# so the line's envelope is exact; pyqtgraph's default (5) draws 5x more for no visible gain.
DOWNSAMPLE_FACTOR = 1.0
ALL_SLACK = 0.01  # the "all" view reaches this share of its span past the latest sample
WINDOW_SLACK = 0.02  # the 15 min and hour views reach this share of their width past it
HEADROOM = 1.18  # space above the highest visible value for the peak's label
PINNED = 0.96  # a marker above the view is drawn at this share of its height
PICK_PIXELS = 10  # a click this close to a sample picks it
# Markers of numbers kept out of the lines: (symbol, pen colour, brush or None for hollow).
FLAG_STYLES = {
    "suspect": ("o", "#ef6c00", None),
    "outlier": ("x", "#ef6c00", "#ef6c00"),
    "struck": ("x", "#78909c", "#78909c"),
}
FLAG_WORDS = {
    "suspect": "suspect, held back until the next reading",
    "outlier": "outlier, not confirmed, never counted",
    "struck": "struck from the record",
}


def viewers(value: float) -> str:
    """40150.0 -> "40,150"; 12,400,000 -> "12.4 M"."""
    return viewers_text(value)


def clock(t: float, seconds: bool = False) -> str:
    """Local wall-clock time of an epoch time: "14:32" (or "14:32:05")."""
    try:
        return datetime.fromtimestamp(t).strftime("%H:%M:%S" if seconds else "%H:%M")
    except (OverflowError, OSError, ValueError):
        return "—"


def short_label(text: str, limit: int = MARKER_LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def save_png(image: QImage, path: str | os.PathLike[str]) -> None:
    """Write an image as PNG atomically (a failed write leaves no half file). Any thread."""
    out = QSaveFile(os.fspath(path))
    if not out.open(QSaveFile.OpenModeFlag.WriteOnly):
        raise OSError(f"cannot write {os.fspath(path)}: {out.errorString()}")
    if not image.save(out, "PNG"):
        out.cancelWriting()
        out.commit()
        raise OSError(f"cannot encode the chart as PNG for {os.fspath(path)}")
    if not out.commit():
        raise OSError(f"cannot write {os.fspath(path)}: {out.errorString()}")


def _viewers_axis(pg):
    """A left axis labelled "45,000" rather than "45000" or "45 k"."""

    class ViewersAxis(pg.AxisItem):
        def tickStrings(self, values, scale, spacing):
            return [viewers(v * scale) for v in values]

    axis = ViewersAxis(orientation="left")
    axis.enableAutoSIPrefix(False)
    return axis


class _Series:
    """One line: growing time/value buffers (amortised O(1) append) and its plot item."""

    def __init__(self, item) -> None:
        self.item = item
        self.colour = ""
        self.t = np.empty(1024)
        self.v = np.empty(1024)
        self.n = 0

    @property
    def times(self) -> np.ndarray:
        return self.t[: self.n]

    @property
    def values(self) -> np.ndarray:
        return self.v[: self.n]

    def replace(self, times: np.ndarray, values: np.ndarray) -> None:
        order = np.argsort(times, kind="stable")
        n = len(times)
        size = max(1024, 1 << (n + n // 4).bit_length())
        self.t, self.v = np.empty(size), np.empty(size)
        self.t[:n], self.v[:n] = times[order], values[order]
        self.n = n

    def push(self, t: float, v: float) -> None:
        if self.n == len(self.t):
            self.t = np.concatenate([self.t, np.empty(len(self.t))])
            self.v = np.concatenate([self.v, np.empty(len(self.v))])
        self.t[self.n], self.v[self.n] = t, v
        self.n += 1

    def draw(self) -> None:
        self.item.setData(self.times, self.values)

    def visible_max(self, x0: float, x1: float) -> float:
        """Largest finite value with x0 <= time <= x1, or -inf."""
        times = self.times
        i0, i1 = bisect.bisect_left(times, x0), bisect.bisect_right(times, x1)
        if i1 <= i0:
            return -math.inf
        return float(np.fmax.reduce(self.v[i0:i1], initial=-math.inf))


class AudienceChart(QWidget):
    """Total and per-platform viewers with the peak, the advice threshold and events marked."""

    view_changed = Signal(str)  # a key of VIEWS
    following_changed = Signal(bool)  # False once the user pans away from the live edge
    sample_picked = Signal(str, float, float, str)  # (line, time, viewers, flag or "")

    def __init__(self, parent: QWidget | None = None, *, shortcut_scope: QWidget | None = None):
        """`shortcut_scope`: the widget within which Alt+1/2/3 pick a view (default: the chart)."""
        super().__init__(parent)
        os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
        import pyqtgraph as pg

        self._pg = pg
        self.plot_widget = pg.PlotWidget(
            background=BACKGROUND,
            axisItems={
                "bottom": pg.DateAxisItem(orientation="bottom"),
                "left": _viewers_axis(pg),
            },
        )
        self.plot_item = self.plot_widget.getPlotItem()
        self.plot_item.hideButtons()
        self.plot_item.setMenuEnabled(False)
        # Only what is in view is drawn, downsampled to the pixels (the line's envelope kept).
        self.plot_item.setClipToView(True)
        self.plot_item.setDownsampling(auto=True, mode="peak")
        # No grid: pyqtgraph's grid repaints the whole plot with its axis (~9 ms each time the
        # view moves, measured in bench/audience_chart.py); the threshold line is the reference.
        for side in ("left", "bottom"):
            axis = self.plot_item.getAxis(side)
            axis.setPen(pg.mkPen(AXIS))
            axis.setTextPen(pg.mkPen(AXIS))
        self.plot_item.getAxis("left").setWidth(60)
        self.view_box = self.plot_item.getViewBox()
        self.view_box.disableAutoRange()
        self.view_box.setMouseEnabled(x=True, y=False)
        self.view_box.sigRangeChangedManually.connect(self._user_moved)
        self.view_box.sigXRangeChanged.connect(lambda *_: self._x_range_changed())
        # The legend is a row of labels above the plot (never over the data), with the
        # latest value of each line; it wraps rather than widening the panel.
        self.legend = ChipFlow(spacing=14)
        self.legend.flow.setContentsMargins(8, 2, 8, 0)
        self.legend_labels: dict[str, QLabel] = {}
        self._total_note = ""

        self._series: dict[str, _Series] = {}
        self._extra_colours = 0
        self.deferred = False  # True: appends wait for redraw() to be drawn
        self._moved_only = False  # the last redraw only moved the view
        self._stale: set[str] = set()  # lines with samples not drawn yet
        self._stale_until = -math.inf  # the latest of those samples
        self._peak_stale = False
        self._peak: tuple[float, float] | None = None
        self._peak_given = False  # set_peak was called: the peak is the caller's, not the maximum
        self.peak_point = pg.ScatterPlotItem(
            size=10, pen=pg.mkPen("#ffffff", width=1.5), brush=pg.mkBrush(PEAK)
        )
        self.peak_point.setZValue(20)
        self.peak_label = pg.TextItem(color=PEAK, anchor=(0, 1))
        self.peak_label.setZValue(21)
        for item in (self.peak_point, self.peak_label):
            item.setVisible(False)
            self.plot_item.addItem(item, ignoreBounds=True)

        self._threshold: float | None = None
        self.threshold_line = pg.InfiniteLine(
            angle=0,
            pen=pg.mkPen(THRESHOLD, width=1.5, style=Qt.PenStyle.DashLine),
            label="",
            labelOpts={
                "position": 0.01,
                "anchors": [(0, 1), (0, 1)],
                "color": THRESHOLD,
                "fill": pg.mkBrush(255, 255, 255, 200),
            },
        )
        self.threshold_line.setZValue(12)  # its label over the lines
        self.threshold_line.setVisible(False)
        self.plot_item.addItem(self.threshold_line, ignoreBounds=True)

        self.marker_lines: list = []

        self._flags: dict[str, list[tuple[float, float, str]]] = {}
        self.flag_items = {}
        for flag, (symbol, pen, brush) in FLAG_STYLES.items():
            item = pg.ScatterPlotItem(
                size=11, symbol=symbol, pen=pg.mkPen(pen, width=2),
                brush=pg.mkBrush(brush) if brush else pg.mkBrush(255, 255, 255, 0),
                hoverable=True, tip=lambda x, y, data: data,
            )
            item.setZValue(22)
            self.plot_item.addItem(item, ignoreBounds=True)
            self.flag_items[flag] = item
        self.selected: tuple[str, float, float, str] | None = None
        self.selection_ring = pg.ScatterPlotItem(
            size=18, symbol="o", pen=pg.mkPen("#263238", width=2), brush=pg.mkBrush(0, 0, 0, 0)
        )
        self.selection_ring.setZValue(23)
        self.selection_ring.setVisible(False)
        self.plot_item.addItem(self.selection_ring, ignoreBounds=True)
        self.plot_widget.scene().sigMouseClicked.connect(self._clicked)
        self.view_box.sigYRangeChanged.connect(lambda *_: self._y_range_changed())

        self._view = "all"
        self._following = True

        self.setAutoFillBackground(True)
        self.setStyleSheet(f"AudienceChart {{ background: {BACKGROUND}; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot_widget, 1)

        scope = shortcut_scope or self
        for view, keys in VIEW_SHORTCUTS.items():
            shortcut = QShortcut(QKeySequence(keys), scope)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda view=view: self.set_view(view))

    # --- data ----------------------------------------------------------------------------------
    def set_series(self, name: str, times: Iterable[float], values: Iterable[float]) -> None:
        """Replace a line's samples (created on first use). NaN values are gaps."""
        t = np.asarray(times, dtype=float)
        v = np.asarray(values, dtype=float)
        if t.shape != v.shape or t.ndim != 1:
            raise ValueError("times and values must be one-dimensional and the same length")
        series = self._series_for(name)
        series.replace(t, v)
        series.draw()
        self._stale.discard(name)
        self._show_latest(name)
        if name == TOTAL and not self._peak_given:
            self._peak = None
            finite = np.isfinite(series.values)
            if finite.any():
                i = int(np.argmax(np.where(finite, series.values, -np.inf)))
                self._peak = (float(series.times[i]), float(series.values[i]))
            self._peak_stale = False
            self._show_peak()
        self._data_changed()

    def append(self, name: str, t: float, value: float) -> None:
        """Add one sample at the end of a line (NaN for a gap)."""
        self.append_many(name, [t], [value])

    def append_many(self, name: str, times: Iterable[float], values: Iterable[float]) -> None:
        """Add samples at the end of a line (NaN for gaps) and draw it once (or at the next
        `redraw()` when deferred): a batch of readings costs one redraw, not one per sample."""
        t = np.asarray(times, dtype=float)
        v = np.asarray(values, dtype=float)
        if t.shape != v.shape or t.ndim != 1:
            raise ValueError("times and values must be one-dimensional and the same length")
        if not len(t):
            return
        series = self._series_for(name)
        if (series.n and t[0] < series.t[series.n - 1]) or np.any(np.diff(t) < 0):
            # Out of order (rare): sort the whole line again.
            self.set_series(name, np.append(series.times, t), np.append(series.values, v))
            return
        for at, value in zip(t.tolist(), v.tolist(), strict=True):
            series.push(at, value)
        self._stale.add(name)
        self._stale_until = max(self._stale_until, float(t[-1]))
        if name == TOTAL and not self._peak_given and np.isfinite(v).any():
            i = int(np.nanargmax(v))
            if self._peak is None or v[i] > self._peak[1]:
                self._peak = (float(t[i]), float(v[i]))
                self._peak_stale = True
        if not self.deferred:
            self.redraw()

    def redraw(self) -> bool:
        """Draw what changed since the last drawing: lines, legend values, the peak, the view.

        A deferred chart that must move its view to follow the live edge only moves it this
        time and returns False: its lines are drawn at the next call. A move redraws every line
        and both axes; new lines on top of it would double the work of that one pass. The next
        call draws whatever happens, so lines whose samples pass the edge at every call (a
        short stream polled often) are still drawn."""
        if not self._stale and not self._peak_stale:
            return True
        moved, self._moved_only = self._moved_only, False
        if (self.deferred and self._stale and self._following and not moved
                and self._target_x() is not None):
            self._apply_view()
            self._moved_only = True
            return False
        stale, self._stale = self._stale, set()
        until, self._stale_until = self._stale_until, -math.inf
        for name in stale:
            if name in self._series:
                self._series[name].draw()
                self._show_latest(name)
        if self._peak_stale:
            self._peak_stale = False
            self._show_peak()
        if stale:
            self._data_changed(until)
        return True

    def set_peak(self, at: float, value: float) -> None:
        """Mark this as the peak instead of the highest sample (the advisor's peak, which one
        glitched reading cannot set), so the chart and the advice name the same number."""
        self._peak_given = True
        if self._peak != (float(at), float(value)):
            self._peak = (float(at), float(value))
            self._peak_stale = True
            if not self.deferred:
                self.redraw()

    def clear(self) -> None:
        """Forget every line, marker and the peak (a new stream)."""
        for series in self._series.values():
            self.plot_item.removeItem(series.item)
        for label in self.legend_labels.values():
            self.legend.remove(label)
        self._series.clear()
        self._flags.clear()
        self._place_flags()
        self.clear_selection()
        self._stale.clear()
        self.legend_labels.clear()
        self._extra_colours = 0
        self._peak = None
        self._peak_given = False
        self._peak_stale = False
        self._show_peak()

    def series_names(self) -> list[str]:
        return list(self._series)

    def series_item(self, name: str):
        """The pyqtgraph PlotDataItem drawing a line."""
        return self._series[name].item

    def series_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        series = self._series[name]
        return series.times.copy(), series.values.copy()

    def peak(self) -> tuple[float, float] | None:
        """(time, viewers) of the total's highest sample, or None."""
        return self._peak

    def _series_for(self, name: str) -> _Series:
        series = self._series.get(name)
        if series is None:
            pg = self._pg
            key = name.lower()
            colour = SERIES_COLOURS.get(key)
            if colour is None:
                colour = EXTRA_COLOURS[self._extra_colours % len(EXTRA_COLOURS)]
                self._extra_colours += 1
            item = pg.PlotDataItem(
                name="Total" if name == TOTAL else name,
                pen=pg.mkPen(colour, width=1),  # wider pens cost ~15x more to draw
                connect="finite",
            )
            item.setZValue(10 if name == TOTAL else 8)
            item.opts["autoDownsampleFactor"] = DOWNSAMPLE_FACTOR
            self.plot_item.addItem(item)  # takes the plot's clip-to-view and downsampling
            series = self._series[name] = _Series(item)
            series.colour = colour
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.RichText)
            # Room for up to 9,999,999 viewers: a new number never lays the panel out again.
            make_steady(label, self._legend_text(name, "8,888,888"))
            self.legend_labels[name] = label
            # The total first, then platforms in the order they came.
            self.legend.add(label, 0 if name == TOTAL else None)
        return series

    def _show_latest(self, name: str) -> None:
        """The legend entry: the line's colour, its name and its latest value (— in a gap)."""
        series = self._series[name]
        latest = series.v[series.n - 1] if series.n else math.nan
        number = viewers(latest) if math.isfinite(latest) else "—"
        if name == TOTAL and self._total_note:
            number += f" ({self._total_note})"
        set_steady_text(self.legend_labels[name], self._legend_text(name, number))

    def _legend_text(self, name: str, number: str) -> str:
        weight = "700" if name == TOTAL else "400"
        return (
            f'<span style="color:{self._series[name].colour}; font-weight:900;">━━</span> '
            f'<span style="color:{AXIS}; font-weight:{weight};">'
            f'{"Total" if name == TOTAL else name} {number}</span>'
        )

    def set_total_note(self, note: str) -> None:
        """What the total holds when it is partial ("2 of 3 reading"); "" when it is whole."""
        if note != self._total_note:
            self._total_note = note
            if TOTAL in self._series:
                self._show_latest(TOTAL)

    def remove_series(self, name: str) -> None:
        """Take a line, its legend entry and its markers off the chart (a source removed)."""
        series = self._series.pop(name, None)
        if series is not None:
            self.plot_item.removeItem(series.item)
            label = self.legend_labels.pop(name)
            self.legend.remove(label)
        self._stale.discard(name)
        if self._flags.pop(name, None) is not None:
            self._place_flags()
        if self.selected is not None and self.selected[0] == name:
            self.clear_selection()

    # --- numbers kept out of the lines, and picking a sample -----------------------------------
    def set_flags(self, name: str, flags: Iterable[tuple[float, float, str]]) -> None:
        """The numbers of a line kept out of it, as (time, viewers, flag): "suspect", "outlier"
        or "struck", drawn as markers (their number on hover)."""
        flags = [(float(t), float(v), str(f)) for t, v, f in flags]
        if flags or self._flags.get(name):
            self._flags[name] = flags
            self._place_flags()

    def flags(self, name: str) -> list[tuple[float, float, str]]:
        return list(self._flags.get(name, ()))

    def _place_flags(self) -> None:
        """Markers at their values, or pinned to the top edge when above the view."""
        _, (_y0, y1) = self.view_box.viewRange()
        ceiling = y1 * PINNED
        for flag, item in self.flag_items.items():
            spots = [
                {"pos": (t, min(v, ceiling)), "data": self._flag_tip(name, t, v, flag)}
                for name, flags in self._flags.items()
                for t, v, f in flags
                if f == flag
            ]
            item.setData(spots)
        if self.selected is not None:
            name, t, v, _flag = self.selected
            self.selection_ring.setData([t], [min(v, ceiling)])

    def _flag_tip(self, name: str, t: float, v: float, flag: str) -> str:
        return f"{name}: {viewers(v)} at {clock(t, seconds=True)}, {FLAG_WORDS.get(flag, flag)}"

    def pick(self, name: str, t: float) -> tuple[str, float, float, str] | None:
        """The sample of a line at time `t` (its own or a marker's), selected and announced."""
        for ft, fv, flag in self._flags.get(name, ()):
            if ft == t:
                return self._select(name, ft, fv, flag)
        series = self._series.get(name)
        if series is None or name == TOTAL:
            return None
        times = series.times
        i = bisect.bisect_left(times, t)
        if i < len(times) and times[i] == t and math.isfinite(series.v[i]):
            return self._select(name, t, float(series.v[i]), "")
        return None

    def _select(self, name: str, t: float, v: float, flag: str):
        self.selected = (name, t, v, flag)
        self.selection_ring.setVisible(True)
        self._place_flags()
        self.sample_picked.emit(name, t, v, flag)
        return self.selected

    def clear_selection(self) -> None:
        self.selected = None
        self.selection_ring.setVisible(False)

    def _clicked(self, event) -> None:
        """A click near a platform's sample or a marker picks it (the total is a sum, not a
        sample)."""
        if event.button() != Qt.MouseButton.LeftButton:
            return
        scene_pos = event.scenePos()
        if not self.view_box.sceneBoundingRect().contains(scene_pos):
            return
        best: tuple[float, str, float] | None = None
        ceiling = self.view_box.viewRange()[1][1] * PINNED
        x0, x1 = self.x_range()
        for name, series in self._series.items():
            if name == TOTAL:
                continue
            times = series.times
            i0 = bisect.bisect_left(times, x0)
            i1 = bisect.bisect_right(times, x1)
            candidates = [(float(times[i]), float(series.v[i])) for i in
                          self._near_indices(times, i0, i1, scene_pos)]
            candidates += [(t, v) for t, v, _f in self._flags.get(name, ())]
            for t, v in candidates:
                if not math.isfinite(v):
                    continue
                point = self.view_box.mapViewToScene(self._pg.Point(t, min(v, ceiling)))
                distance = math.hypot(point.x() - scene_pos.x(), point.y() - scene_pos.y())
                if distance <= PICK_PIXELS and (best is None or distance < best[0]):
                    best = (distance, name, t)
        if best is not None:
            self.pick(best[1], best[2])

    def _near_indices(self, times: np.ndarray, i0: int, i1: int, scene_pos) -> range:
        """Indices of the samples within a few pixels of the click along the time axis."""
        left = self.view_box.mapSceneToView(scene_pos - self._pg.Point(PICK_PIXELS, 0)).x()
        right = self.view_box.mapSceneToView(scene_pos + self._pg.Point(PICK_PIXELS, 0)).x()
        lo = max(i0, bisect.bisect_left(times, left))
        hi = min(i1, bisect.bisect_right(times, right))
        return range(lo, min(hi, lo + 200))

    def _show_peak(self) -> None:
        if self._peak is None:
            self.peak_point.setVisible(False)
            self.peak_label.setVisible(False)
            return
        t, v = self._peak
        self.peak_point.setData([t], [v])
        self.peak_label.setText(f"peak {viewers(v)} at {clock(t)}")
        self.peak_label.setPos(t, v)
        self.peak_point.setVisible(True)
        self.peak_label.setVisible(True)
        self._place_peak_label()

    def _place_peak_label(self) -> None:
        """Keep the peak's label inside the view: to the left of the point in the right half."""
        if self._peak is None:
            return
        (x0, x1), _ = self.view_box.viewRange()
        right_half = self._peak[0] > (x0 + x1) / 2
        self.peak_label.setAnchor((1.0, 1.0) if right_half else (0.0, 1.0))

    # --- threshold and markers -------------------------------------------------------------------
    def set_threshold(self, value: float | None) -> None:
        """The advice threshold in viewers, drawn as a dashed line; None removes it."""
        if value is None or not math.isfinite(value):
            self._threshold = None
            self.threshold_line.setVisible(False)
        else:
            self._threshold = float(value)
            self.threshold_line.setVisible(True)  # first: a hidden label ignores its text
            self.threshold_line.setValue(self._threshold)
            self.threshold_line.label.setFormat(f"advice threshold {viewers(self._threshold)}")
        self._fit_y()

    def threshold(self) -> float | None:
        return self._threshold

    def set_markers(self, markers: Iterable[tuple[float, str, str]]) -> None:
        """Timeline events as (time, short label, full text): a line each, the text on hover."""
        pg = self._pg
        for line in self.marker_lines:
            self.plot_item.removeItem(line)
        self.marker_lines = []
        for t, label, detail in markers:
            line = pg.InfiniteLine(
                pos=float(t),
                angle=90,
                pen=pg.mkPen(MARKER, width=1, style=Qt.PenStyle.DotLine),
                label=short_label(label),
                labelOpts={
                    "position": 0.97,
                    "anchors": [(0, 0), (0, 0)],
                    "color": AXIS,
                    "fill": pg.mkBrush(255, 255, 255, 200),
                },
            )
            tip = f"{clock(float(t), seconds=True)}  {label}"
            if detail and detail != label:
                tip += f"\n{detail}"
            line.setToolTip(tip)
            line.label.setToolTip(tip)
            line.setZValue(4)
            self.plot_item.addItem(line, ignoreBounds=True)
            self.marker_lines.append(line)

    # --- views -----------------------------------------------------------------------------------
    @property
    def view(self) -> str:
        return self._view

    @property
    def following(self) -> bool:
        return self._following

    def set_view(self, view: str) -> None:
        """Show "15min", "hour" or "all", and follow the live edge again."""
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; one of {', '.join(VIEWS)}")
        changed = view != self._view
        self._view = view
        if not self._following:
            self._following = True
            self.following_changed.emit(True)
        self._apply_view()
        if changed:
            self.view_changed.emit(view)

    def x_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.view_box.viewRange()
        return x0, x1

    def y_range(self) -> tuple[float, float]:
        _, (y0, y1) = self.view_box.viewRange()
        return y0, y1

    def _extent(self) -> tuple[float, float] | None:
        firsts = [s.t[0] for s in self._series.values() if s.n]
        if not firsts:
            return None
        lasts = [s.t[s.n - 1] for s in self._series.values() if s.n]
        return float(min(firsts)), float(max(lasts))

    def _target_x(self) -> tuple[float, float] | None:
        """Where the view must move to follow the live edge, or None if it need not move.

        A window (15 min, an hour) ends a little past the latest sample, and "all" runs from
        the first sample to a little past the latest, so that new samples land in view without
        moving it (a moved view redraws every line and both axes); a view moves on when the
        latest sample passes its edge, in steps of WINDOW_SLACK (ALL_SLACK) of its width."""
        extent = self._extent()
        if extent is None:
            return None
        first, latest = extent
        window = VIEWS[self._view][1]
        x0, x1 = self.x_range()
        if window is not None:
            width = window * (1 + WINDOW_SLACK)
            if not (latest <= x1 <= latest + WINDOW_SLACK * window
                    and math.isclose(x1 - x0, width, rel_tol=1e-9)):
                return latest - window, latest + WINDOW_SLACK * window
            return None
        if x0 != first or not latest <= x1 <= latest + 2 * ALL_SLACK * (latest - first):
            span = latest - first if latest > first else 60.0
            return first, latest + ALL_SLACK * span
        return None

    def _apply_view(self) -> None:
        """Follow the live edge: x and y set together, one change of range (each change
        recomputes every line)."""
        target = self._target_x()
        if target is None:
            self._fit_y()
            return
        top = self._top(*target)
        self.view_box.setRange(xRange=target, yRange=(0.0, top), padding=0)

    def _data_changed(self, t: float | None = None) -> None:
        if self._following:
            self._apply_view()
        elif t is None or self._in_view(t):
            self._fit_y()

    def _in_view(self, t: float) -> bool:
        x0, x1 = self.x_range()
        return x0 <= t <= x1

    def _user_moved(self, *_args) -> None:
        if self._following:
            self._following = False
            self.following_changed.emit(False)

    def _x_range_changed(self) -> None:
        self._fit_y()
        self._place_peak_label()

    def _y_range_changed(self) -> None:
        if self._flags or self.selected is not None:
            self._place_flags()

    def _fit_y(self) -> None:
        """From zero to above the highest value in view (and the threshold)."""
        top = self._top(*self.x_range())
        _, (y0, y1) = self.view_box.viewRange()
        if y0 != 0.0 or not math.isclose(y1, top, rel_tol=1e-9):
            self.view_box.setYRange(0.0, top, padding=0)

    def _top(self, x0: float, x1: float) -> float:
        top = max((s.visible_max(x0, x1) for s in self._series.values()), default=-math.inf)
        if self._threshold is not None:
            top = max(top, self._threshold)
        return max(top * HEADROOM, 10.0) if math.isfinite(top) else 10.0

    # --- export --------------------------------------------------------------------------------
    def render_image(self) -> QImage:
        """The chart (legend and plot) as it is on screen, at its size. On the UI thread."""
        return self.grab().toImage()

    def export_png(self, path: str | os.PathLike[str]) -> None:
        """Save the chart as a PNG at `path`; raises OSError if it cannot be written."""
        save_png(self.render_image(), path)
