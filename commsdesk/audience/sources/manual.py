"""Manual entry: someone reads the number off the platform and types it. The number holds
until replaced; after `hold_for` seconds with no new number it is a gap ("stale")."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from commsdesk.audience.sources.reading import Reading, SourceState, gap


class ManualSource:
    def __init__(
        self, label: str, *, interval: float = 5.0, hold_for: float = 600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.label = label
        self.interval = interval
        self.hold_for = hold_for
        self.clock = clock
        self._value: float | None = None
        self._entered_at: float | None = None
        self._lock = threading.Lock()

    def enter(self, viewers: float) -> None:
        """The number as typed (any thread)."""
        value = float(viewers)
        if not math.isfinite(value) or value < 0:
            raise ValueError("a viewer count is a number of 0 or more")
        with self._lock:
            self._value, self._entered_at = value, self.clock()

    def fetch(self) -> Reading:
        now = self.clock()
        with self._lock:
            value, entered_at = self._value, self._entered_at
        if value is None or entered_at is None:
            return gap(self.label, SourceState.OFFLINE, "No number typed yet", at=now)
        if now - entered_at > self.hold_for:
            minutes = (now - entered_at) / 60
            return gap(
                self.label, SourceState.OFFLINE,
                f"The typed number is stale: none for {minutes:.0f} min", at=now,
            )
        return Reading(self.label, now, value)

    def close(self) -> None:
        pass
