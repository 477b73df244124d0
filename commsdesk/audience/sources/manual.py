"""Manual entry: someone reads the number off the platform and types it. The number is checked
as typed (commsdesk.audience.validation: a whole number within the platform's bound, the
platform told by the source's label, e.g. "Kick (typed)"). Each typed number is one reading,
stamped when it was typed: asked again, the source answers the same reading (the poller passes
it on once), so a number typed once is never mistaken for a second reading that confirms it.
It counts in the total for `MANUAL_HOLD` seconds (see commsdesk.audience.history.fresh_for),
and after `hold_for` seconds with no new number the source answers a gap ("stale")."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from commsdesk.audience.sources.reading import Reading, SourceState, gap
from commsdesk.audience.validation import parse_count, platform_key

MANUAL_HOLD = 600.0  # seconds a typed number holds


class ManualSource:
    def __init__(
        self, label: str, *, interval: float = 5.0, hold_for: float = MANUAL_HOLD,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.label = label
        self.platform = platform_key(label)
        self.interval = interval
        self.hold_for = hold_for
        self.clock = clock
        self._value: float | None = None
        self._entered_at: float | None = None
        self._lock = threading.Lock()

    def enter(self, viewers: object) -> int:
        """The number as typed, text or a number (any thread); returns it as counted, or
        raises commsdesk.audience.validation.Rejected (a ValueError) saying what is wrong."""
        value = parse_count(viewers, self.platform)
        with self._lock:
            self._value, self._entered_at = float(value), self.clock()
        return value

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
        return Reading(self.label, entered_at, value)

    def close(self) -> None:
        pass
