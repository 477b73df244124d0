"""Audience chart: one new sample with 12 hours on the chart, and the UI thread while fed.

1. Appending one sample (a platform's and the new total) and redrawing, with 43,200 points per
   line (12 hours at one a second) on four lines. The redraw is forced: pending events are
   processed and, if that did not paint the plot, it is repainted at once; every timed
   iteration includes exactly one real paint of the shown widget. Baselines in the same run,
   at the same size, redrawn the same way: bare pyqtgraph (four PlotDataItems given the same
   arrays by setData, with pyqtgraph's defaults, and with the chart's clip-to-view and
   downsampling), and an empty widget (the cost of the redraw alone). Goal: median <= 5 ms.
2. The longest UI-thread stall while three sources each deliver one sample a second (from their
   own threads, through queued signals, as pollers will) for 10 s into a chart holding 12 hours,
   noted by a 5 ms heartbeat timer, in the "all" and "15min" views; against the same chart
   idle. Goal: <= 16 ms.
"""

from __future__ import annotations

import os
import statistics
import threading
import time

from commsdesk.qt_setup import prepare_qt

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
prepare_qt()  # as the desk does

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QObject, Signal  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

HOURS = 12
POINTS = HOURS * 3600
PLATFORMS = ("YouTube", "Twitch", "Kick")
SHARES = (0.6, 0.28, 0.12)
SIZE = (1100, 460)
REPEATS = int(os.environ.get("BENCH_CHART_REPEATS", "150"))
FEED_SECONDS = float(os.environ.get("BENCH_FEED_SECONDS", "10"))


def history(points: int = POINTS, start: float | None = None):
    """12 hours of a stream at one sample a second: times, per-platform values, total."""
    start = time.time() - points if start is None else start
    rng = np.random.default_rng(5)
    t = start + np.arange(points, dtype=float)
    minutes = np.arange(points) / 60
    base = np.maximum(40_000 * np.exp(-minutes / 200), 3_000)
    platforms = {
        name: base * share * (1 + 0.01 * rng.standard_normal(points))
        for name, share in zip(PLATFORMS, SHARES, strict=True)
    }
    platforms["Kick"][20_000:20_300] = np.nan  # a five-minute gap
    total = np.nansum(np.vstack(list(platforms.values())), axis=0)
    return t, platforms, total


class PaintCounter(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.widget = widget
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def redraw(app: QApplication, painted: PaintCounter) -> None:
    """Deliver pending events, and make sure the widget really painted itself once."""
    before = painted.count
    app.processEvents()
    if painted.count == before:
        painted.widget.repaint()


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def shown_chart(view: str):
    """A chart on screen holding the 12-hour history, in `view`; (chart, times, lines, total)."""
    from commsdesk.audience.ui.chart import TOTAL, AudienceChart

    t, platforms, total = history()
    chart = AudienceChart()
    chart.resize(*SIZE)
    chart.show()
    for name, values in platforms.items():
        chart.set_series(name, t, values)
    chart.set_series(TOTAL, t, total)
    chart.set_view(view)
    return chart, t, platforms, total


def time_chart(app: QApplication, view: str) -> float:
    from commsdesk.audience.ui.chart import TOTAL

    chart, t, platforms, total = shown_chart(view)
    painted = PaintCounter(chart.plot_widget.viewport())
    redraw(app, painted)
    now, level = t[-1], total[-1]
    samples = []
    for i in range(REPEATS):
        now += 1.0
        start = time.perf_counter()
        chart.append("YouTube", now, level * 0.6 + i % 7)
        chart.append(TOTAL, now, level + i % 7)
        redraw(app, painted)
        samples.append(time.perf_counter() - start)
    chart.close()
    chart.deleteLater()
    return median_ms(samples)


def time_bare(app: QApplication, *, like_chart: bool) -> float:
    """Bare pyqtgraph: four lines of the same arrays; a new sample is setData with one more."""
    import pyqtgraph as pg

    t, platforms, total = history(POINTS + REPEATS + 1)
    widget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
    widget.resize(*SIZE)
    widget.show()
    items = []
    for name, values in (*platforms.items(), ("total", total)):
        item = widget.plot(t[:POINTS], values[:POINTS], name=name, connect="finite")
        if like_chart:
            item.setClipToView(True)
            item.setDownsampling(auto=True, method="peak")
        items.append((item, values))
    youtube, total_item = items[0], items[-1]
    painted = PaintCounter(widget.viewport())
    redraw(app, painted)
    samples = []
    for i in range(REPEATS):
        n = POINTS + i + 1
        start = time.perf_counter()
        for item, values in (youtube, total_item):
            item.setData(t[:n], values[:n])
        redraw(app, painted)
        samples.append(time.perf_counter() - start)
    widget.close()
    widget.deleteLater()
    return median_ms(samples)


def time_empty(app: QApplication) -> float:
    widget = QWidget()
    widget.resize(*SIZE)
    widget.show()
    painted = PaintCounter(widget)
    redraw(app, painted)
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        widget.update()
        redraw(app, painted)
        samples.append(time.perf_counter() - start)
    widget.close()
    return median_ms(samples)


class _Feed(QObject):
    """Lives on the UI thread; sources emit from their own threads (queued to the UI)."""

    sample = Signal(str, float, float)


def worst_stall(app: QApplication, *, fed: bool, view: str = "all") -> int:
    from bench.ui_stall import Heartbeat
    from commsdesk.audience.ui.chart import TOTAL

    chart, t, platforms, total = shown_chart(view)
    redraw(app, PaintCounter(chart.plot_widget.viewport()))
    latest = {name: float(values[-1]) for name, values in platforms.items()}

    def received(name: str, when: float, value: float) -> None:
        latest[name] = value
        chart.append(name, when, value)
        chart.append(TOTAL, when, sum(latest.values()))

    feed = _Feed()
    feed.sample.connect(received)
    stop = threading.Event()
    clock = {"now": float(t[-1])}

    def source(name: str, offset: float) -> None:
        rng = np.random.default_rng(len(name))
        time.sleep(offset)
        while not stop.is_set():
            clock["now"] += 1.0 / len(PLATFORMS)
            feed.sample.emit(name, clock["now"], latest[name] * (1 + 0.01 * rng.normal()))
            stop.wait(1.0)

    threads = [
        threading.Thread(target=source, args=(name, i / 3), daemon=True)
        for i, name in enumerate(PLATFORMS)
    ]
    beat = Heartbeat()
    beat.timer.setInterval(5)
    beat.start()
    if fed:
        for thread in threads:
            thread.start()
    end = time.monotonic() + FEED_SECONDS
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.0005)
    worst = beat.stop()
    stop.set()
    if fed:
        for thread in threads:
            thread.join()
    app.processEvents()
    chart.close()
    chart.deleteLater()
    return worst


def main() -> None:
    app = QApplication.instance() or QApplication([])
    empty = time_empty(app)
    bare_default = time_bare(app, like_chart=False)
    bare_clipped = time_bare(app, like_chart=True)
    for view in ("all", "15min"):
        chart = time_chart(app, view)
        print(
            f"one sample + redraw, 4 lines x {POINTS:,} points, view {view!r}: chart "
            f"{chart:.2f} ms (goal <= 5 ms); bare pyqtgraph setData {bare_default:.2f} ms "
            f"(defaults), {bare_clipped:.2f} ms (clip to view + downsampling); empty widget "
            f"redraw {empty:.2f} ms; ratio to bare {chart / bare_default:.2f}x / "
            f"{chart / bare_clipped:.2f}x"
        )
    idle = worst_stall(app, fed=False)
    for view in ("all", "15min"):
        fed = worst_stall(app, fed=True, view=view)
        print(
            f"longest UI stall over {FEED_SECONDS:.0f} s, 5 ms heartbeat, {POINTS:,} points a "
            f"line, fed one sample/s by 3 sources, view {view!r}: {fed} ms (goal <= 16 ms); "
            f"same chart idle: {idle} ms; ratio {fed / max(1, idle):.1f}x"
        )


if __name__ == "__main__":
    main()
