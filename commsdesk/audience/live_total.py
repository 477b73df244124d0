"""The summed audience as readings arrive, one reading at a time, by SeriesBuffer.total's rule.

A source counts from its first number until it is retired (switched off or removed). Each
moment a source reads, the total is the sum of the counting sources that are *reading*: whose
latest reading is a number no older than their `fresh_for` seconds. With fewer reading than
counting the total is partial and says which are missing ("2 of 3 reading"); it is a gap only
when no source reads. Times never go back: a late reading counts at the latest moment seen.

Pure Python; no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from commsdesk.audience.series import DEFAULT_FRESH_FOR, SeriesBuffer


@dataclass(frozen=True, slots=True)
class TotalPoint:
    at: float
    viewers: float  # NaN: no source reading
    reading: int
    counting: int
    missing: tuple[str, ...] = ()  # the counting sources not reading, in the order they came

    @property
    def partial(self) -> bool:
        return self.reading < self.counting

    @property
    def coverage(self) -> tuple[int, int]:
        return self.reading, self.counting

    def note(self) -> str:
        """"" for a full total, else "2 of 3 reading" (with what is missing, up to two)."""
        if not self.partial:
            return ""
        text = f"{self.reading} of {self.counting} reading"
        if 0 < len(self.missing) <= 2:
            text += f"; no number from {' or '.join(self.missing)}"
        return text


class LiveTotal:
    def __init__(self) -> None:
        self.latest: dict[str, tuple[float, float]] = {}
        self.fresh_for: dict[str, float] = {}
        self.last_at = -math.inf

    def set_fresh_for(self, source: str, seconds: float) -> None:
        self.fresh_for[source] = seconds

    def retire(self, source: str) -> None:
        self.latest.pop(source, None)

    def seed(self, buffer: SeriesBuffer) -> None:
        """Carry on from a stored series: each source's latest sample."""
        for source in buffer.sources():
            latest = buffer.latest(source)
            if latest is not None and buffer.has_number(source):
                self.latest[source] = latest
                self.last_at = max(self.last_at, latest[0])

    def add(self, source: str, at: float, viewers: float | None) -> TotalPoint:
        value = math.nan if viewers is None else float(viewers)
        self.last_at = max(self.last_at, at)
        if source in self.latest or math.isfinite(value):  # counted from its first number
            self.latest[source] = (at, value)
        return self.now()

    def now(self) -> TotalPoint:
        """The total at the latest moment seen."""
        now = self.last_at
        total, missing = 0.0, []
        for name, (when, value) in self.latest.items():
            if now - when > self.fresh_for.get(name, DEFAULT_FRESH_FOR) or not math.isfinite(value):
                missing.append(name)
            else:
                total += value
        reading = len(self.latest) - len(missing)
        return TotalPoint(now, total if reading else math.nan, reading, len(self.latest),
                          tuple(missing))
