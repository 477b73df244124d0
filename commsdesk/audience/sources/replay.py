"""CSV replay at x1 to x600 through the same path as a live source.

A `ReplaySource` is one platform's rows of a parsed CSV (commsdesk.audience.series) and a clock:
replay time runs `speed` times faster than the clock from `start()`, and each fetch answers the
newest row at or before the replay time, stamped at that row's time moved to begin at
`starts_at` (so the advisor and chart see the curve's own minutes). Its interval is the rows'
spacing divided by the speed; polled late, it skips rows as a live source would, and asked
again before the next row it answers the same stamped reading (the poller passes that on once).
After the last row it answers "replay finished" gaps.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Sequence

from commsdesk.audience.series import CsvRow
from commsdesk.audience.sources.reading import Reading, SourceState, gap

MIN_SPEED, MAX_SPEED = 1.0, 600.0
MIN_INTERVAL = 0.005  # seconds of wall clock between fetches at high speed


def replay_sources(
    rows: Sequence[CsvRow], *, speed: float = 1.0, starts_at: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[ReplaySource]:
    """One source per platform in the rows, sharing one replay timeline."""
    if not rows:
        return []
    first = min(row.at for row in rows)
    platforms = list(dict.fromkeys(row.platform for row in rows))
    return [
        ReplaySource(
            platform, [r for r in rows if r.platform == platform], speed=speed,
            starts_at=starts_at, first_at=first, clock=clock,
        )
        for platform in platforms
    ]


class ReplaySource:
    def __init__(
        self, label: str, rows: Sequence[CsvRow], *, speed: float = 1.0,
        starts_at: float | None = None, first_at: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"replay speed is x{MIN_SPEED:g} to x{MAX_SPEED:g}, not x{speed:g}")
        if not rows:
            raise ValueError("nothing to replay")
        self.label = label
        self.speed = speed
        self.clock = clock
        self._times = [row.at for row in rows]
        self._rows = list(rows)
        self.first_at = self._times[0] if first_at is None else first_at
        self.starts_at = time.time() if starts_at is None else starts_at
        spacing = (self._times[-1] - self._times[0]) / max(len(self._times) - 1, 1)
        self.interval = max(spacing / speed, MIN_INTERVAL)
        self._started: float | None = None
        self._answered = -1

    def start(self) -> None:
        self._started = self.clock()

    def replay_time(self) -> float:
        """Seconds into the curve (from its first row)."""
        if self._started is None:
            self.start()
        return (self.clock() - self._started) * self.speed

    def stamp(self, at: float) -> float:
        return self.starts_at + (at - self.first_at)

    @property
    def finished(self) -> bool:
        return self._answered >= len(self._rows) - 1

    def fetch(self) -> Reading:
        position = self.first_at + self.replay_time()
        index = bisect.bisect_right(self._times, position) - 1
        if index < 0:
            return gap(self.label, SourceState.OFFLINE, "The replay has not reached this source",
                       at=self.stamp(position))
        if index == self._answered and index == len(self._rows) - 1:
            return gap(self.label, SourceState.OFFLINE, "The replay finished",
                       at=self.stamp(position))
        self._answered = index
        row = self._rows[index]
        if row.viewers is None:
            return gap(self.label, SourceState.OFFLINE, f"A gap in the replayed file (line "
                       f"{row.line})", at=self.stamp(row.at))
        return Reading(self.label, self.stamp(row.at), row.viewers)

    def close(self) -> None:
        pass
