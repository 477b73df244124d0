"""What the Audience bridge shows in its panel after each batch of readings: chart data (drawn
at most once a second, half-way between two drains), markers of numbers held back, chips, the
threshold line, the total's note, the wall's numbers and the timeline's markers.

A mixin of AudienceBridge (commsdesk.audience.ui.bridge), kept apart so that each file holds one
concern; it reads the bridge's panel, advisor, buffer and latest total.
"""

from __future__ import annotations

import logging
import math
import time
from datetime import UTC

from commsdesk.audience.figures import viewers_text
from commsdesk.audience.screening import Verdict
from commsdesk.audience.sources.reading import Reading
from commsdesk.ui.steady import set_steady_text

log = logging.getLogger("commsdesk.audience.ui.bridge")

REDRAW_EVERY = 1.0  # seconds between chart redraws at most
TREND_EVERY = 5.0  # seconds between trend (Theil–Sen) updates for the wall

# Timeline kinds marked on the chart, with their short label (the summary shows on hover).
MARKER_KINDS = {
    "statement.posted": "Posted",
    "broadcast.slide": "Slide",
    "broadcast.back_live": "Live",
    "broadcast.stream_started": "Stream started",
    "broadcast.stream_stopped": "Stream ended",
    "audience.advice": "Advice",
    "audience.sudden_drop": "Sudden drop",
}


def chip(reading: Reading, verdict: Verdict | None = None) -> tuple[str, str]:
    """(chip colour state "ok" / "suspect" / "gap" / "error", words after the source's name)."""
    if verdict is not None and verdict.suspect:
        return "suspect", f"{viewers_text(reading.viewers)}? held back"
    if reading.viewers is not None:
        return "ok", f"{viewers_text(reading.viewers)} viewers"
    return ("error" if reading.state.is_error else "gap"), reading.state.words


class PanelFeed:
    """The panel kept in step with the readings; mixed into AudienceBridge."""

    def _show_batch(
        self,
        new: dict[str, list[tuple[float, float]]],
        flagged: set[str],
        latest: dict[str, tuple[Reading, Verdict]],
    ) -> None:
        panel = self.panel
        if panel is not None:
            for name, points in new.items():
                panel.chart.append_many(name, [p[0] for p in points], [p[1] for p in points])
            for name in flagged:
                panel.chart.set_flags(name, self.buffer.flags(name))
            for name, (reading, verdict) in latest.items():
                self._show_chip(name, *chip(reading, verdict), reading.detail)
        self._after_batch()

    def _schedule_redraw(self) -> None:
        if self.panel is not None and not self._redraw.isActive():
            # Half a drain after this one, and no sooner than a second after the last redraw.
            wait = max(0.0, REDRAW_EVERY - (time.monotonic() - self._redrawn_at))
            half = self._drain_ms / 2
            steps = math.ceil(max(0.0, wait * 1000 - half) / self._drain_ms)
            self._redraw.start(round(half + steps * self._drain_ms))

    def redraw_chart(self) -> None:
        if self.panel is None:
            return
        self._redrawn_at = time.monotonic()
        if not self.panel.chart.redraw():
            if self.closed:
                self.panel.chart.redraw()
            else:  # it moved its view: the lines follow one drain later, still half-way
                self._redraw.start(self._drain_ms)

    def _show_chip(self, label: str, state: str, words: str, detail: str = "") -> None:
        if self.panel is None:
            return
        chip_widget = self.panel.chips.get(label)
        if chip_widget is not None and self.panel.source_states.get(label) == state:
            # Same colour: no restyling (it is slow); a steady size: no relayout.
            set_steady_text(chip_widget, f"{label}: {words}")
            chip_widget.setToolTip(f"{label}: {detail or words}")
            return
        self.panel.set_source_state(label, state, words)
        if detail:
            self.panel.chips[label].setToolTip(f"{label}: {detail}")

    def _after_batch(self) -> None:
        """Threshold line, the total's note and the wall's numbers after new numbers."""
        threshold = self.advisor.threshold
        if self.panel is not None and threshold != self._threshold:
            self._threshold = threshold
            self.panel.set_threshold(threshold)
        now = time.monotonic()
        if now - self._trend_at >= TREND_EVERY:
            self._trend_at = now
            trend = self.advisor.trend()
            self._slope = None if trend is None else trend.per_minute
        self._update_wall()

    def _update_wall(self) -> None:
        """The wall's numbers; the live time counts from when the audience was first counted
        (never before the incident began), on this desk's clock."""
        self._wall_at = time.monotonic()
        if self.panel is None:
            return
        status = self.advisor.status()
        point = self._latest_total
        total = point.viewers if point is not None else None
        note = point.note() if point is not None else ""
        self.panel.chart.set_total_note(note)
        share = None
        if total is not None and math.isfinite(total) and status.peak:
            share = total / status.peak
        live = None if self.live_since is None else max(time.time() - self.live_since, 0.0)
        self.panel.update_wall(total, status.peak, status.peak_at, share, self._slope, live,
                               note.split(";")[0])
        if status.peak and status.peak_at is not None:
            self.panel.chart.set_peak(status.peak_at, status.peak)  # the peak the advice names

    def refresh_markers(self) -> None:
        """Timeline events on the chart (read on the database lane, latest request wins)."""
        if self.panel is None or self.store is None or self.closed:
            return
        self._markers_at = time.monotonic()
        desk = self.store.desk

        def read() -> list[tuple[float, str, str]]:
            events = desk.timeline(kinds=list(MARKER_KINDS), limit=500)
            return [
                (event.at.replace(tzinfo=UTC).timestamp(), MARKER_KINDS[event.kind],
                 event.summary)
                for event in reversed(events)
            ]

        def show(markers) -> None:
            if self.panel is not None and not self.closed:
                self.panel.set_markers(markers)
                self._follow_stream_start(markers)

        self.desk_bridge.lane.submit(
            read, on_done=show, on_error=self._quiet, key="audience-markers"
        )

    def _follow_stream_start(self, markers) -> None:
        """The stream went live (OBS said so) after the history loaded: the wall's live time
        and the advisor's minimum run time count from then."""
        started = MARKER_KINDS["broadcast.stream_started"]
        starts = [at for at, label, _ in markers if label == started and at >= self.earliest]
        if starts and (self.live_since is None or starts[-1] > self.live_since):
            self.live_since = starts[-1]
            self.advisor.started_at = starts[-1]

    @staticmethod
    def _quiet(exc: BaseException) -> None:
        log.debug("audience markers not read: %s", exc)
