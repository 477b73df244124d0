"""The end-stream advisor: when the audience has drifted away, say so once, with the reason.

Fed the total audience one observation at a time (`observe(at, viewers | None)`), it gives:
- `suggest_end` when the smoothed audience (EWMA, ~2 min) has stayed below `share` of its peak
  for `below_for` seconds, the trend over the last 15 min is not clearly rising (the lower bound
  of Sen's slope interval is not above zero), and the stream has run `min_runtime`;
- `withdrawn` when, after that advice, the smoothed audience is back at or above the threshold;
  the advisor then re-arms (the below-threshold clock starts again from zero);
- `sudden_drop` when the raw count falls by more than `drop_share` within `drop_window`: likely a
  stream problem (encoder, ingest), not lost interest, so it points at stream health.

The total may be partial (some platforms not reading: `observe(..., coverage=(2, 3))`): the
advisor keeps working on it, and every piece of advice given on a partial total says so. A fall
that comes with a platform no longer reading is not a sudden drop (the count went, not the
audience): the drop window starts again whenever the number of platforms reading changes.

Anything but a finite number of 0 or more is a gap, and a time that is not finite is ignored, so
no value can break the advisor (values are checked at the edge before they get here).

Gaps never count as low. A gap pauses the below-threshold clock: the time inside the gap is not
counted, and the clock goes on from the first number after it. A gap longer than
`gap_resets_after` breaks the clock (it restarts from zero): after that long without a number
nobody knows whether the audience stayed low. The peak is the highest median of three
consecutive numbers, so one glitched reading cannot set it (and the EWMA's lag cannot lower it).

The desk advises; a person decides. Pure Python; no Qt.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum

import numpy as np

from commsdesk.audience.series import Ewma, Trend, theil_sen

ADVISOR_ACTOR = "CommsDesk advisor"  # who the record names for the advisor's word


class AdviceKind(StrEnum):
    SUGGEST_END = "suggest_end"
    WITHDRAWN = "withdrawn"
    SUDDEN_DROP = "sudden_drop"


@dataclass(frozen=True)
class AdvisorSettings:
    """Thresholds and windows; seconds unless said otherwise."""

    share: float = 0.10  # of the peak
    below_for: float = 10 * 60.0
    min_runtime: float = 30 * 60.0
    smoothing: float = 120.0  # EWMA time constant
    trend_window: float = 15 * 60.0
    trend_confidence: float = 0.95
    drop_share: float = 0.5  # a fall by more than this share of the recent high...
    drop_window: float = 120.0  # ...within this many seconds is a sudden drop
    drop_min_viewers: float = 50.0  # recent highs below this never count as a sudden drop
    gap_resets_after: float = 5 * 60.0

    def __post_init__(self) -> None:
        if not 0 < self.share < 1:
            raise ValueError("share must be between 0 and 1")
        if not 0 < self.drop_share < 1:
            raise ValueError("drop_share must be between 0 and 1")
        for name in ("below_for", "smoothing", "trend_window", "drop_window"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")


@dataclass(frozen=True)
class Advice:
    at: float  # seconds since the epoch (or from the start, for a relative replay)
    kind: AdviceKind
    message: str
    viewers: float  # the smoothed audience (raw count, for a sudden drop)
    peak: float
    peak_at: float
    slope_per_min: float | None = None
    partial: str = ""  # "2 of 3 platforms reading" when given on a partial total


@dataclass(frozen=True)
class AdvisorStatus:
    """What the panel and the wall view show between pieces of advice."""

    smoothed: float | None
    peak: float | None
    peak_at: float | None
    share_of_peak: float | None
    below_seconds: float
    advising: bool
    started_at: float | None
    coverage: tuple[int, int] | None = None  # platforms (reading, counting) at the last number


def clock_label(zone: tzinfo = UTC) -> Callable[[float], str]:
    """Times in sentences as HH:MM in `zone`."""

    def label(at: float) -> str:
        try:
            return datetime.fromtimestamp(at, zone).strftime("%H:%M")
        except (OverflowError, OSError, ValueError):
            return "an unknown time"

    return label


def count_text(value: float) -> str:
    return f"{round(value):,}"


def share_text(share: float) -> str:
    percent = share * 100
    return f"{percent:.0f}%" if percent >= 1 or percent == 0 else f"{percent:.1f}%"


def minutes_text(seconds: float) -> str:
    return f"{round(seconds / 60):,} min" if seconds >= 60 else f"{round(seconds):,} s"


def trend_text(trend: Trend | None) -> str:
    if trend is None:
        return "too few numbers for a trend"
    per_minute = abs(trend.per_minute)
    if trend.clearly_falling:
        return f"falling {count_text(per_minute)} per minute"
    if trend.clearly_rising:
        return f"rising {count_text(per_minute)} per minute"
    return "holding steady"


class Advisor:
    """Observations in time order in, advice out. Not thread-safe: feed it from one place."""

    def __init__(
        self,
        settings: AdvisorSettings | None = None,
        *,
        started_at: float | None = None,
        time_label: Callable[[float], str] | None = None,
    ) -> None:
        self.settings = settings or AdvisorSettings()
        self.started_at = started_at  # the stream's start; else the first observation
        self.time_label = time_label or clock_label()
        self._ewma = Ewma(self.settings.smoothing)
        self._smoothed: float | None = None
        self._peak: float | None = None
        self._peak_at: float | None = None
        self._last_at: float | None = None
        self._last_number_at: float | None = None
        self._was_below = False
        self._below_seconds = 0.0
        self._advising = False
        self._in_gap = False
        self._last3: deque[float] = deque(maxlen=3)  # for the peak
        self._recent: deque[tuple[float, float]] = deque()  # raw numbers, trend window
        self._highs: deque[tuple[float, float]] = deque()  # decreasing maxima, drop window
        self._quiet_until = -math.inf  # no second sudden-drop flag before this
        self._coverage: tuple[int, int] | None = None

    # --- reading ---------------------------------------------------------------------------------

    @property
    def threshold(self) -> float | None:
        return None if self._peak is None else self._peak * self.settings.share

    def trend(self) -> Trend | None:
        """Sen's slope over the trend window, of the raw numbers (smoothing would make
        neighbouring values dependent and the interval too narrow)."""
        if len(self._recent) < 3:
            return None
        data = np.array(self._recent, dtype=np.float64)
        return theil_sen(data[:, 0], data[:, 1], confidence=self.settings.trend_confidence)

    def status(self) -> AdvisorStatus:
        share = None
        if self._smoothed is not None and self._peak:
            share = self._smoothed / self._peak
        return AdvisorStatus(
            smoothed=self._smoothed,
            peak=self._peak,
            peak_at=self._peak_at,
            share_of_peak=share,
            below_seconds=self._below_seconds,
            advising=self._advising,
            started_at=self.started_at,
            coverage=self._coverage,
        )

    @property
    def partial(self) -> str:
        """"" when every platform counted was reading at the last number, else how many were."""
        coverage = self._coverage
        if coverage is None or coverage[0] >= coverage[1]:
            return ""
        return f"{coverage[0]} of {coverage[1]} platforms reading"

    # --- feeding ---------------------------------------------------------------------------------

    def observe(
        self, at: float, viewers: float | None, coverage: tuple[int, int] | None = None
    ) -> list[Advice]:
        """One observation of the total audience; None (or NaN, or anything but a count) is a
        gap. `coverage`: (platforms reading, platforms counted) when known. Returns the advice
        it gives rise to (usually none)."""
        try:
            at = float(at)
        except (TypeError, ValueError, OverflowError):
            return []
        if not math.isfinite(at) or (self._last_at is not None and at < self._last_at):
            return []  # not a moment, or out of order: the advisor only moves forward
        if self.started_at is None:
            self.started_at = at
        self._last_at = at
        if not _is_count(viewers):
            self._in_gap = True
            return []
        viewers = float(viewers)
        s = self.settings
        advice: list[Advice] = []
        if coverage is not None and coverage != self._coverage:
            if self._coverage is not None and coverage[0] != self._coverage[0]:
                self._highs.clear()  # a platform came or went: not a change of audience
            self._coverage = (int(coverage[0]), int(coverage[1]))

        if self._in_gap:
            self._in_gap = False
            gap = at - (self._last_number_at if self._last_number_at is not None else at)
            if gap > s.gap_resets_after:
                self._below_seconds = 0.0
            self._was_below = False  # the clock resumes from this number, the gap not counted
        drop = self._sudden_drop(at, viewers)
        if drop is not None:
            advice.append(drop)
        previous_at = self._last_number_at
        self._last_number_at = at
        self._recent.append((at, viewers))
        while self._recent and self._recent[0][0] < at - s.trend_window:
            self._recent.popleft()

        smoothed = self._ewma.update(at, viewers)
        self._smoothed = smoothed
        self._last3.append(viewers)
        steady = sorted(self._last3)[len(self._last3) // 2]
        if self._peak is None or steady > self._peak:
            self._peak, self._peak_at = steady, at
        threshold = self._peak * s.share
        below = smoothed < threshold

        if not below:
            self._was_below = False
            self._below_seconds = 0.0
            if self._advising:
                self._advising = False
                advice.append(self._withdrawn(at, smoothed))
            return advice
        if self._was_below and previous_at is not None:
            self._below_seconds += at - previous_at
        self._was_below = True
        if (
            not self._advising
            and self._below_seconds >= s.below_for
            and at - self.started_at >= s.min_runtime
        ):
            trend = self.trend()
            if trend is None or not trend.clearly_rising:
                self._advising = True
                advice.append(self._suggest_end(at, smoothed, trend))
        return advice

    # --- the sentences ---------------------------------------------------------------------------

    def _suggest_end(self, at: float, smoothed: float, trend: Trend | None) -> Advice:
        s = self.settings
        message = (
            f"{count_text(smoothed)} watching = {share_text(smoothed / self._peak)} of the "
            f"{count_text(self._peak)} peak at {self.time_label(self._peak_at)}; under "
            f"{share_text(s.share)} for {minutes_text(self._below_seconds)}; {trend_text(trend)}"
        )
        return Advice(
            at, AdviceKind.SUGGEST_END, self._noted(message), smoothed, self._peak,
            self._peak_at, None if trend is None else trend.per_minute, self.partial,
        )

    def _withdrawn(self, at: float, smoothed: float) -> Advice:
        message = (
            f"Advice withdrawn: {count_text(smoothed)} watching = "
            f"{share_text(smoothed / self._peak)} of the {count_text(self._peak)} peak, back above "
            f"{share_text(self.settings.share)}"
        )
        return Advice(
            at, AdviceKind.WITHDRAWN, self._noted(message), smoothed, self._peak, self._peak_at,
            partial=self.partial,
        )

    def _sudden_drop(self, at: float, viewers: float) -> Advice | None:
        """Keep the window's maxima in a monotonic deque; flag a fall by more than drop_share
        from the window's high (once per window). A fall that goes on after it was flagged
        (one platform's count falls a reading after another's) is the same drop: its lows
        become the window's high, so it is not flagged a second time."""
        s = self.settings
        highs = self._highs
        if at < self._quiet_until and highs and viewers <= highs[0][1]:
            highs.clear()  # the told fall going on
        while highs and highs[0][0] < at - s.drop_window:
            highs.popleft()
        high_at, high = highs[0] if highs else (at, viewers)
        while highs and highs[-1][1] <= viewers:
            highs.pop()
        highs.append((at, viewers))
        if at < self._quiet_until or high < s.drop_min_viewers:
            return None
        if viewers >= high * (1 - s.drop_share):
            return None
        self._quiet_until = at + s.drop_window
        highs.clear()  # this fall is told: another needs a new high to fall from
        highs.append((at, viewers))
        fall = 1 - viewers / high
        message = (
            f"Sudden drop: {count_text(high)} → {count_text(viewers)} watching within "
            f"{minutes_text(at - high_at)} (−{fall:.0%}); likely a stream problem, not lost "
            "interest: check stream health (encoder, ingest, the platform's stream page)"
        )
        return Advice(
            at, AdviceKind.SUDDEN_DROP, self._noted(message), viewers, self._peak or high,
            self._peak_at if self._peak_at is not None else high_at, partial=self.partial,
        )

    def _noted(self, message: str) -> str:
        partial = self.partial
        return f"{message} (partial total: {partial})" if partial else message


def steady_peak(values) -> float | None:
    """The peak the advisor measures against, for a whole series at once: the highest median
    of three numbers in a row (gaps skipped), the first two numbers standing for themselves as
    the advisor's first readings do. None with no number."""
    numbers = np.asarray(values, dtype=np.float64)
    numbers = numbers[np.isfinite(numbers) & (numbers >= 0)]
    if not len(numbers):
        return None
    highest = max(numbers[0], numbers[:2].max())  # one reading, then the higher of two
    if len(numbers) >= 3:
        rows = np.stack([numbers[:-2], numbers[1:-1], numbers[2:]])
        highest = max(highest, float(np.median(rows, axis=0).max()))
    return float(highest)


def _is_count(value: object) -> bool:
    """A finite number of 0 or more (bools and text are not)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        return False
    try:
        number = float(value)
    except OverflowError:
        return False
    return math.isfinite(number) and number >= 0
