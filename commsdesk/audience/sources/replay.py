"""A recorded curve (a CSV of viewer counts) replayed as if it were a live source.

A `ReplaySource` is one platform's rows of a parsed CSV (commsdesk.audience.series) and a clock:
from `started_at` (epoch seconds) the curve plays `speed` times faster than the clock, from
`start_position` (a time of the curve). Each fetch answers the newest row at or before the
replayed position, polled late it skips rows as a live source would, and asked again before the
next row it answers the same reading (the poller passes that on once).

Readings keep the curve's own spacing (so the advisor and the chart see its minutes) and land at
present or past times only: the curve is laid so that its last row lands at the moment the
replay ends, `started_at + (end_position - start_position) / speed`. At ×1 that is the clock
itself; faster, the replayed part trails behind the clock and catches it up at the end. No
reading is ever stamped later than the clock. After the last row the source answers one
"replay finished" gap.

Stored replay sources (kind "replay") keep `replay_config`: the file, the platform, the speed,
the curve offset replayed at `started_at`; `build_replays` makes them live again, after a restart
carrying on where the replay would be by now.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Sequence
from typing import Any

from commsdesk.audience.series import AudienceSource, CsvRow, parse_audience_csv
from commsdesk.audience.sources.reading import Reading, SourceState, gap

MIN_SPEED, MAX_SPEED = 1.0, 600.0
MIN_INTERVAL = 0.005  # seconds of wall clock between fetches at high speed
FINISHED_INTERVAL = 60.0  # seconds between fetches once the replay has finished


def replay_config(
    file: str, platform: str, *, speed: float, offset: float = 0.0, started_at: float
) -> dict[str, Any]:
    """What a stored replay source keeps: replaying began at `started_at` (epoch), `offset`
    seconds into the file's curve, at `speed`."""
    return {
        "file": file, "platform": platform, "speed": float(speed), "offset": float(offset),
        "started_at": float(started_at),
    }


def replay_sources(
    rows: Sequence[CsvRow], *, speed: float = 1.0, started_at: float | None = None,
    offset: float = 0.0, clock: Callable[[], float] = time.time,
) -> list[ReplaySource]:
    """One source per platform in the rows, sharing one replay timeline."""
    if not rows:
        return []
    first = min(row.at for row in rows)
    last = max(row.at for row in rows)
    started_at = clock() if started_at is None else started_at
    platforms = list(dict.fromkeys(row.platform for row in rows))
    return [
        ReplaySource(
            platform, [r for r in rows if r.platform == platform], speed=speed,
            started_at=started_at, start_position=first + offset, end_position=last, clock=clock,
        )
        for platform in platforms
    ]


class ReplaySource:
    def __init__(
        self, label: str, rows: Sequence[CsvRow], *, speed: float = 1.0, started_at: float,
        start_position: float | None = None, end_position: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"replay speed is x{MIN_SPEED:g} to x{MAX_SPEED:g}, not x{speed:g}")
        if not rows:
            raise ValueError("nothing to replay")
        self.label = label
        self.speed = speed
        self.clock = clock
        self._rows = sorted(rows, key=lambda row: row.at)
        self._times = [row.at for row in self._rows]
        self.started_at = float(started_at)
        self.start_position = self._times[0] if start_position is None else start_position
        end = self._times[-1] if end_position is None else end_position
        self.end_position = max(end, self._times[-1])
        remaining = max(self.end_position - self.start_position, 0.0)
        self.ends_at = self.started_at + remaining / speed  # when the last row is replayed
        self._shift = self.ends_at - self.end_position  # curve time + shift = stamp
        spacing = (self._times[-1] - self._times[0]) / max(len(self._times) - 1, 1)
        self.interval = max(spacing / speed, MIN_INTERVAL)
        self._answered = -1
        self._finished_at: float | None = None

    def stamp(self, at: float) -> float:
        """The moment a curve time lands at (never after the replay has reached it)."""
        return at + self._shift

    @property
    def earliest(self) -> float:
        """Where the curve's first row lands: the start of this replay's time window."""
        return self.stamp(self._times[0])

    def position(self) -> float:
        """The curve time replayed by now."""
        return self.start_position + self.speed * max(self.clock() - self.started_at, 0.0)

    @property
    def finished(self) -> bool:
        return self._answered >= len(self._rows) - 1

    def fetch(self) -> Reading:
        now = self.clock()
        position = self.position()
        index = bisect.bisect_right(self._times, position) - 1
        if index < 0:
            return gap(self.label, SourceState.OFFLINE, "The replay has not reached this source",
                       at=min(self.stamp(position), now))
        if index == self._answered and index == len(self._rows) - 1:
            if self._finished_at is None:
                self._finished_at = now
                self.interval = FINISHED_INTERVAL
            return gap(self.label, SourceState.OFFLINE, "The replay finished",
                       at=self._finished_at)
        self._answered = index
        row = self._rows[index]
        if row.viewers is None:
            return gap(self.label, SourceState.OFFLINE, f"A gap in the replayed file (line "
                       f"{row.line})", at=self.stamp(row.at))
        return Reading(self.label, self.stamp(row.at), row.viewers)

    def close(self) -> None:
        pass


def build_replays(
    sources: Sequence[AudienceSource], *, clock: Callable[[], float] = time.time
) -> tuple[list[ReplaySource], dict[str, str]]:
    """Live replay sources for stored ones of kind "replay" (files read and parsed here: call
    off the UI thread). Returns (sources, {label: why it cannot replay})."""
    parsed: dict[str, Any] = {}
    built: list[ReplaySource] = []
    problems: dict[str, str] = {}
    for source in sources:
        config = source.config
        path = str(config.get("file", ""))
        if path not in parsed:
            try:
                with open(path, encoding="utf-8-sig") as handle:
                    parsed[path] = parse_audience_csv(handle.read())
            except (OSError, UnicodeDecodeError) as exc:
                parsed[path] = exc
        csv = parsed[path]
        if isinstance(csv, BaseException):
            problems[source.label] = f"cannot read {path}: {csv}"
            continue
        rows = [row for row in csv.rows if row.platform == config.get("platform")]
        if not rows:
            problems[source.label] = f"{path} has no rows for {config.get('platform')!r}"
            continue
        try:
            built.append(
                ReplaySource(
                    source.label, rows, speed=float(config.get("speed", 1.0)),
                    started_at=float(config.get("started_at", clock())),
                    start_position=csv.rows[0].at + float(config.get("offset", 0.0)),
                    end_position=csv.rows[-1].at, clock=clock,
                )
            )
        except (TypeError, ValueError) as exc:
            problems[source.label] = f"{source.label} cannot replay: {exc}"
    return built, problems
