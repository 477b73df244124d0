"""Viewer counts over time: samples, the series the chart draws, smoothing, trend, quota, CSV.

Conventions shared with the chart (commsdesk/audience/ui): times are float seconds since the
Unix epoch (UTC); viewers are floats with NaN for a gap. A missing number is a gap, never a zero:
a hidden count, an offline channel, an error or a malformed answer all become NaN with a reason.

- `SeriesBuffer`: growable numpy arrays per source (amortised O(1) append), each number screened
  for jumps (commsdesk.audience.screening), and the summed total: the sum of the sources reading,
  with how many of the sources counted were reading (`coverage`), a gap only when none is.
- `Ewma`: exponentially weighted mean for irregular sampling (alpha from the time step).
- `theil_sen`: robust slope with the Mann–Kendall confidence interval of Sen's slope.
- `youtube_quota`: the day's projected use of the YouTube Data API quota for an interval.
- `parse_audience_csv`: `time,viewers[,platform]` rows for replay, checked at the edge
  (commsdesk.audience.validation); bad rows reported by line.

Pure Python and numpy; no Qt.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from statistics import NormalDist
from zoneinfo import ZoneInfo

import numpy as np

from commsdesk.audience.screening import Flag, Screen, Verdict
from commsdesk.audience.validation import (
    EARLIEST_TIME,
    MAX_RECORDING,
    Rejected,
    TimeWindow,
    parse_count,
    platform_key,
    shown,
)

TOTAL = "total"
DEFAULT_FRESH_FOR = 60.0  # seconds a number counts towards the total after it was read
_FIRST_CAPACITY = 1024


@dataclass(frozen=True, slots=True)
class Sample:
    """One reading of one source: `viewers` None is a gap, and `gap_reason` says why."""

    at: float  # seconds since the Unix epoch, UTC
    source: str
    viewers: float | None
    gap_reason: str = ""

    @property
    def is_gap(self) -> bool:
        return self.viewers is None


class _Column:
    """Times and values of one source in arrays that double when full."""

    __slots__ = ("times", "values", "size", "fresh_for", "off", "back_at_next", "first_number")

    def __init__(self, fresh_for: float, capacity: int = _FIRST_CAPACITY) -> None:
        self.times = np.empty(capacity, dtype=np.float64)
        self.values = np.empty(capacity, dtype=np.float64)
        self.size = 0
        self.fresh_for = fresh_for
        self.off: list[list[float]] = []  # [from, until): not counted in the total
        self.back_at_next = False  # switched on again: the next sample ends the last off period
        self.first_number = math.inf  # the time of its first number: it counts from then

    def reserve(self, needed: int) -> None:
        if needed <= len(self.times):
            return
        capacity = max(needed, 2 * len(self.times))
        for name in ("times", "values"):
            grown = np.empty(capacity, dtype=np.float64)
            grown[: self.size] = getattr(self, name)[: self.size]
            setattr(self, name, grown)

    def append(self, at: float, value: float) -> None:
        n = self.size
        if n and at < self.times[n - 1]:  # late arrival: keep the arrays in time order
            i = int(np.searchsorted(self.times[:n], at, side="right"))
            self.reserve(n + 1)
            self.times[i + 1 : n + 1] = self.times[i:n].copy()
            self.values[i + 1 : n + 1] = self.values[i:n].copy()
            self.times[i], self.values[i] = at, value
        else:
            if n == len(self.times):
                self.reserve(n + 1)
            self.times[n], self.values[n] = at, value
        self.size = n + 1
        if value == value and at < self.first_number:  # a number (not NaN), earlier than any
            self.first_number = at

    def remove(self, at: float) -> float | None:
        """Take out the sample at exactly `at`; its value, or None when there is none."""
        n = self.size
        i = int(np.searchsorted(self.times[:n], at, side="left"))
        if i >= n or self.times[i] != at:
            return None
        value = float(self.values[i])
        self.times[i : n - 1] = self.times[i + 1 : n].copy()
        self.values[i : n - 1] = self.values[i + 1 : n].copy()
        self.size = n - 1
        numbers = np.flatnonzero(np.isfinite(self.values[: self.size]))
        self.first_number = float(self.times[numbers[0]]) if len(numbers) else math.inf
        return value

    def latest_number(self) -> float | None:
        values = self.values[: self.size]
        finite = np.flatnonzero(np.isfinite(values))
        return float(values[finite[-1]]) if len(finite) else None

    @property
    def nbytes(self) -> int:
        return self.times.nbytes + self.values.nbytes


class SeriesBuffer:
    """Viewer counts per source name, and their total, as numpy arrays for the chart.

    Each number passes its source's `Screen` first: one that jumps too far is held back (kept
    in `flags`, not in the source's line) until the next number confirms it. A NaN, infinite or
    negative value is a gap. Samples struck by a person (`strike`) leave the line too.

    A source counts towards the total from its first number (a source that has only ever
    failed is not yet part of the total; its chip says why), except while a person has it
    switched off: from the moment it is retired until its first sample after it is reinstated.
    A counting source is *reading* at a moment when its latest sample then is a number no older
    than its `fresh_for` seconds. At each moment any source has a sample, the total is the sum
    of the reading sources' numbers, and `coverage` says how many of the counting sources were
    reading; the total is a gap (NaN) only when none was.
    """

    def __init__(self, fresh_for: float = DEFAULT_FRESH_FOR) -> None:
        self.fresh_for = fresh_for
        self._columns: dict[str, _Column] = {}
        self._screens: dict[str, Screen] = {}
        self._flags: dict[str, dict[float, tuple[float, Flag]]] = {}
        self._gap_reasons: dict[str, list[tuple[float, str]]] = {}
        self._version = 0
        self._total_cache: tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    # --- writing --------------------------------------------------------------------------------

    def add_source(self, name: str, *, fresh_for: float | None = None) -> None:
        """Declare a source (optional: append does it); `fresh_for` overrides the default, e.g.
        three times a slow source's polling interval."""
        if name == TOTAL:
            raise ValueError(f"{TOTAL!r} is the summed series, not a source name")
        column = self._columns.get(name)
        if column is None:
            self._columns[name] = _Column(fresh_for or self.fresh_for)
            self._screens[name] = Screen()
        elif fresh_for is not None:
            column.fresh_for = fresh_for

    def retire(self, source: str, at: float) -> None:
        """The source stops counting towards the total after `at` (it was switched off)."""
        self.add_source(source)
        column = self._columns[source]
        if column.back_at_next:  # off again before any new sample: one longer off period
            column.back_at_next = False
        elif not column.off or column.off[-1][1] != math.inf:
            column.off.append([float(at), math.inf])
        self._version += 1

    def reinstate(self, source: str) -> None:
        """Switched on again: the source counts from its next sample (until then its last
        number is from before it was switched off, and would only make the total a gap)."""
        column = self._columns.get(source)
        if column is not None and column.off and column.off[-1][1] == math.inf:
            column.back_at_next = True

    def off_between(self, source: str, start: float, until: float = math.inf) -> None:
        """A period the source was switched off, read back from the record."""
        self.add_source(source)
        self._columns[source].off.append([float(start), float(until)])
        self._version += 1

    def append(
        self, source: str, at: float, viewers: float | None, gap_reason: str = ""
    ) -> Verdict:
        """One reading, screened; returns the screen's verdict (a confirmed suspect is in the
        line from now on, at its own time)."""
        self.add_source(source)
        value = math.nan if viewers is None else float(viewers)
        if viewers is not None and not 0 <= value < math.inf:
            value, gap_reason = math.nan, gap_reason or "invalid"
        column = self._columns[source]
        at = float(at)
        verdict = self._screens[source].check(at, value)
        if verdict.confirmed is not None:
            self._unflag(source, verdict.confirmed[0])
            column.append(*verdict.confirmed)
        if verdict.dismissed is not None:
            self._flag(source, *verdict.dismissed, Flag.OUTLIER)
        if verdict.suspect:
            self._flag(source, at, value, Flag.SUSPECT)
        else:
            if column.back_at_next:
                column.off[-1][1] = at
                column.back_at_next = False
            column.append(at, value)
            if math.isnan(value) and gap_reason:
                self._gap_reasons.setdefault(source, []).append((at, gap_reason))
        self._version += 1
        return verdict

    def add(self, sample: Sample) -> Verdict:
        return self.append(sample.source, sample.at, sample.viewers, sample.gap_reason)

    def extend(self, source: str, times: Sequence[float], values: Sequence[float]) -> None:
        """Many samples of one source at once (NaN for gaps), e.g. read back from the store;
        screened like appended ones."""
        times = np.asarray(times, dtype=np.float64)
        values = np.asarray(values, dtype=np.float64)
        if times.shape != values.shape:
            raise ValueError("times and values differ in length")
        self.add_source(source)
        column, screen = self._columns[source], self._screens[source]
        order = np.argsort(times, kind="stable")
        times, values = times[order], values[order]
        values = np.where(values >= 0, values, np.nan)  # NaN stays NaN; negatives are gaps
        late = column.size and len(times) and times[0] < column.times[column.size - 1]
        if late or screen.held is not None or column.back_at_next:
            for at, value in zip(times.tolist(), values.tolist(), strict=True):
                self.append(source, at, value)
            return
        keep, flags = screen.screen_many(times, values)
        for index, flag in flags:
            self._flag(source, float(times[index]), float(values[index]), flag)
        keep |= np.isnan(values)  # gaps stay gaps in the line
        kept_times, kept_values = times[keep], values[keep]
        column.reserve(column.size + len(kept_times))
        column.times[column.size : column.size + len(kept_times)] = kept_times
        column.values[column.size : column.size + len(kept_times)] = kept_values
        column.size += len(kept_times)
        numbers = np.flatnonzero(np.isfinite(kept_values))
        if len(numbers):
            column.first_number = min(column.first_number, float(kept_times[numbers[0]]))
        self._version += 1

    def strike(self, source: str, at: float, viewers: float | None = None) -> bool:
        """A sample struck by a person: out of the line (or no longer a suspect) and flagged
        struck. True when the buffer held it."""
        column = self._columns.get(source)
        if column is None:
            return False
        at = float(at)
        value = column.remove(at)
        screen = self._screens[source]
        held = self._flags.get(source, {}).get(at)
        if value is None and held is None:
            if viewers is None:
                return False
            value = float(viewers)  # struck before it reached this buffer: shown as struck
        elif value is None:
            value = held[0]
        screen.forget(at)
        if screen.last is not None and screen.held is None:
            screen.last = column.latest_number()
        self._flag(source, at, value, Flag.STRUCK)
        self._version += 1
        return True

    def _flag(self, source: str, at: float, value: float, flag: Flag) -> None:
        self._flags.setdefault(source, {})[float(at)] = (float(value), flag)

    def _unflag(self, source: str, at: float) -> None:
        self._flags.get(source, {}).pop(float(at), None)

    # --- reading --------------------------------------------------------------------------------

    def sources(self) -> list[str]:
        return list(self._columns)

    def __len__(self) -> int:
        return sum(column.size for column in self._columns.values())

    def times(self, source: str = TOTAL) -> np.ndarray:
        """A read-only view of the filled part (the total: a new array)."""
        if source == TOTAL:
            return self.total()[0]
        column = self._columns[source]
        view = column.times[: column.size]
        view.flags.writeable = False
        return view

    def values(self, source: str = TOTAL) -> np.ndarray:
        if source == TOTAL:
            return self.total()[1]
        column = self._columns[source]
        view = column.values[: column.size]
        view.flags.writeable = False
        return view

    def gap_reasons(self, source: str) -> list[tuple[float, str]]:
        return list(self._gap_reasons.get(source, ()))

    def flags(self, source: str) -> list[tuple[float, float, Flag]]:
        """(time, viewers, flag) of the numbers kept out of the source's line, in time order."""
        marks = self._flags.get(source, {})
        return [(at, *marks[at]) for at in sorted(marks)]

    def has_number(self, source: str) -> bool:
        column = self._columns.get(source)
        return column is not None and column.first_number != math.inf

    def latest(self, source: str = TOTAL) -> tuple[float, float] | None:
        """(time, value) of the newest sample (value NaN for a gap); None before any."""
        times, values = self.times(source), self.values(source)
        if not len(times):
            return None
        return float(times[-1]), float(values[-1])

    def total(self) -> tuple[np.ndarray, np.ndarray]:
        """(times, sums) at every moment any source has a sample: the sum of the sources
        reading, NaN only where none is. Cached until the next change."""
        cached = self._summed()
        return cached[1], cached[2]

    def coverage(self) -> tuple[np.ndarray, np.ndarray]:
        """(reading, counting) per moment of `total`: how many sources had a fresh number, of
        how many counted then. Fewer reading than counting: the total is partial."""
        cached = self._summed()
        return cached[3], cached[4]

    def _summed(self) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        cached = self._total_cache
        if cached is not None and cached[0] == self._version:
            return cached
        columns = [c for c in self._columns.values() if c.size]
        if not columns:
            times = values = np.empty(0, dtype=np.float64)
            reading = counting = np.empty(0, dtype=np.int32)
        else:
            times = np.unique(np.concatenate([c.times[: c.size] for c in columns]))
            values = np.zeros(len(times), dtype=np.float64)
            reading = np.zeros(len(times), dtype=np.int32)
            counting = np.zeros(len(times), dtype=np.int32)
            for column in columns:
                own_times = column.times[: column.size]
                index = np.searchsorted(own_times, times, side="right") - 1
                counts = (index >= 0) & (times >= column.first_number)
                for start, until in column.off:
                    counts &= (times <= start) | (times >= until)
                safe = np.where(counts, index, 0)
                latest = column.values[: column.size][safe]
                fresh = (times - own_times[safe]) <= column.fresh_for
                reads = counts & fresh & np.isfinite(latest)
                values += np.where(reads, latest, 0.0)
                reading += reads
                counting += counts
            values[reading == 0] = np.nan
        for array in (times, values, reading, counting):
            array.flags.writeable = False
        self._total_cache = (self._version, times, values, reading, counting)
        return self._total_cache

    def peak(self, source: str = TOTAL) -> tuple[float, float] | None:
        """(time, value) of the highest number (the first time it was reached); None when the
        series has no number at all."""
        values = self.values(source)
        if not len(values) or np.isnan(values).all():
            return None
        i = int(np.nanargmax(values))
        return float(self.times(source)[i]), float(values[i])

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays (capacity included) and the cached total."""
        size = sum(column.nbytes for column in self._columns.values())
        if self._total_cache is not None:
            size += sum(array.nbytes for array in self._total_cache[1:])
        return size


# --- smoothing and trend ------------------------------------------------------------------------


class Ewma:
    """Exponentially weighted mean for irregular sampling: each new value weighs
    alpha = 1 - exp(-dt / tau), so a sample after a long pause (a gap) counts almost fully and
    two samples a moment apart barely move the mean. `tau` ~ 2 minutes for viewer counts."""

    def __init__(self, tau: float = 120.0) -> None:
        if tau <= 0:
            raise ValueError("tau must be positive")
        self.tau = tau
        self.value: float | None = None
        self.at: float | None = None

    def update(self, at: float, value: float) -> float:
        if self.value is None or self.at is None:
            self.value, self.at = float(value), at
            return self.value
        dt = max(at - self.at, 0.0)
        alpha = 1.0 - math.exp(-dt / self.tau)
        self.value += alpha * (float(value) - self.value)
        self.at = at
        return self.value


@dataclass(frozen=True)
class Trend:
    """Sen's slope in viewers per second with its confidence interval (Mann–Kendall)."""

    slope: float
    lower: float
    upper: float
    points: int

    @property
    def per_minute(self) -> float:
        return self.slope * 60.0

    @property
    def clearly_rising(self) -> bool:
        return self.lower > 0

    @property
    def clearly_falling(self) -> bool:
        return self.upper < 0


def theil_sen(
    times: Sequence[float] | np.ndarray,
    values: Sequence[float] | np.ndarray,
    *,
    confidence: float = 0.95,
    max_points: int = 150,
) -> Trend | None:
    """Median of pairwise slopes, and the interval from the Mann–Kendall variance of S
    (Gilbert 1987, ties corrected). NaN values are left out; more than `max_points` values are
    thinned evenly first (pairs grow as n²). None with fewer than 3 numbers."""
    t = np.asarray(times, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    keep = np.isfinite(v) & np.isfinite(t)
    t, v = t[keep], v[keep]
    if len(t) > max_points:
        pick = np.linspace(0, len(t) - 1, max_points).round().astype(int)
        t, v = t[pick], v[pick]
    n = len(t)
    if n < 3:
        return None
    i, j = np.triu_indices(n, k=1)
    dt = t[j] - t[i]
    usable = dt != 0
    slopes = np.sort((v[j] - v[i])[usable] / dt[usable])
    if not len(slopes):
        return None
    slope = float(np.median(slopes))
    _, tie_counts = np.unique(v, return_counts=True)
    ties = tie_counts[tie_counts > 1].astype(np.float64)
    var_s = (n * (n - 1) * (2 * n + 5) - float(np.sum(ties * (ties - 1) * (2 * ties + 5)))) / 18
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    c = z * math.sqrt(max(var_s, 0.0))
    count = len(slopes)
    m1 = int(round((count - c) / 2))  # 1-based rank of the lower limit
    m2 = int(round((count + c) / 2))  # the upper limit is rank m2 + 1
    lower = float(slopes[min(max(m1 - 1, 0), count - 1)])
    upper = float(slopes[min(max(m2, 0), count - 1)])
    return Trend(slope, lower, upper, n)


# --- YouTube quota ------------------------------------------------------------------------------

YOUTUBE_DAILY_UNITS = 10_000
YOUTUBE_UNITS_PER_CALL = 1  # videos.list
YOUTUBE_QUOTA_ZONE = ZoneInfo("America/Los_Angeles")  # the quota resets at midnight Pacific


@dataclass(frozen=True)
class QuotaProjection:
    interval: float  # seconds between calls
    units_per_day: int  # at this interval for a whole day
    used: int  # units used so far today
    projected: int  # used + the calls left until the reset
    resets_at: datetime  # next midnight Pacific, in UTC
    runs_out_at: datetime | None  # None when today's quota lasts until the reset
    warn: bool  # the projection reaches the warning share of the daily quota

    def sentence(self) -> str:
        text = (
            f"Polling every {self.interval:g} s uses {self.units_per_day:,} of "
            f"{YOUTUBE_DAILY_UNITS:,} YouTube units a day; {self.projected:,} projected today."
        )
        if self.runs_out_at is not None:
            text += f" The quota runs out at {self.runs_out_at:%H:%M} UTC."
        return text


def next_youtube_reset(now: datetime) -> datetime:
    local = now.astimezone(YOUTUBE_QUOTA_ZONE)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
    return midnight.replace(tzinfo=YOUTUBE_QUOTA_ZONE).astimezone(UTC)


def youtube_quota(
    interval: float,
    *,
    now: datetime,
    used: int = 0,
    daily: int = YOUTUBE_DAILY_UNITS,
    units_per_call: int = YOUTUBE_UNITS_PER_CALL,
    warn_share: float = 0.9,
) -> QuotaProjection:
    """Project today's use of the quota if polling continues every `interval` seconds."""
    if interval <= 0:
        raise ValueError("the interval must be positive")
    now = now.astimezone(UTC)
    resets_at = next_youtube_reset(now)
    calls_left_today = int((resets_at - now).total_seconds() // interval)
    projected = used + calls_left_today * units_per_call
    runs_out_at = None
    if projected > daily:
        calls_possible = max(daily - used, 0) // units_per_call
        runs_out_at = now + timedelta(seconds=calls_possible * interval)
    return QuotaProjection(
        interval=interval,
        units_per_day=int(86_400 // interval) * units_per_call,
        used=used,
        projected=projected,
        resets_at=resets_at,
        runs_out_at=runs_out_at,
        warn=projected >= warn_share * daily,
    )


# --- CSV for replay -----------------------------------------------------------------------------

RELATIVE_BEFORE = 1_000_000_000.0  # plain seconds below this are "from the start", not epoch


@dataclass(frozen=True)
class CsvRow:
    line: int
    at: float
    viewers: float | None  # an empty viewers field is a recorded gap
    platform: str


@dataclass(frozen=True)
class CsvProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class AudienceCsv:
    rows: list[CsvRow]  # good rows, in time order
    problems: list[CsvProblem] = field(default_factory=list)

    @property
    def relative(self) -> bool:
        """Times are seconds from the start, not instants."""
        return bool(self.rows) and self.rows[0].at < RELATIVE_BEFORE

    def platforms(self) -> list[str]:
        return list(dict.fromkeys(row.platform for row in self.rows))


def _parse_time(text: str, now: float) -> tuple[float, str]:
    """(seconds, 'relative' | 'epoch' | 'iso'), each kind within its bounds: seconds from the
    start up to MAX_RECORDING; instants from EARLIEST_TIME to now (plus the clock skew).
    Raises ValueError with the reason."""
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            raise ValueError(f"time {text!r} is not a finite number")
        if seconds < 0:
            raise ValueError(f"time {text!r} is before the start (below 0)")
        if seconds < RELATIVE_BEFORE:
            if seconds > MAX_RECORDING:
                raise ValueError(
                    f"time {text!r} is {seconds / 86_400:,.0f} days from the start; a recording "
                    f"spans at most {MAX_RECORDING / 86_400:.0f} days"
                )
            return seconds, "relative"
        return _instant(text, seconds, now), "epoch"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"time {text!r} is neither ISO 8601 nor seconds") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _instant(text, moment.timestamp(), now), "iso"


def _instant(text: str, at: float, now: float) -> float:
    try:
        return TimeWindow(EARLIEST_TIME, now).check(at)
    except Rejected as exc:
        raise ValueError(str(exc).replace(f"time {shown(at)}", f"time {text!r}", 1)) from None


_KIND_WORDS = {"relative": "seconds from the start", "epoch": "epoch seconds", "iso": "ISO 8601"}


def _parse_viewers(text: str, platform: str) -> float | None:
    if not text.strip():
        return None
    return float(parse_count(text, platform_key(platform)))


def parse_audience_csv(
    text: str, default_platform: str = "replay", *, now: float | None = None
) -> AudienceCsv:
    """Rows of `time,viewers[,platform]`: time as ISO 8601 (naive = UTC) or seconds (epoch, or
    from the start when below 1e9); a header line is optional. Bad rows are reported with their
    line number and reason; the good rows are kept. Times in one file are all of one kind.

    Checked as every source's numbers are (commsdesk.audience.validation): viewers a whole
    number within the platform's bound; instants not in the future (`now`, default the clock)
    nor before 2005; seconds from the start at most MAX_RECORDING; a row far from the rest of
    the file (more than half of MAX_RECORDING from its median time) is reported, not kept; a
    platform's time given twice keeps the first."""
    import time

    now = time.time() if now is None else now
    rows: list[CsvRow] = []
    problems: list[CsvProblem] = []
    time_kind: str | None = None
    reader = csv.reader(io.StringIO(text))
    for record in reader:
        line = reader.line_num
        fields = [f.strip() for f in record]
        if not fields or all(not f for f in fields) or fields[0].startswith("#"):
            continue
        if not rows and not problems and fields[0].lower() in {"time", "at", "timestamp", "t"}:
            continue  # the header
        if len(fields) not in (2, 3):
            problems.append(
                CsvProblem(line, f"expected time,viewers[,platform], found {len(fields)} fields")
            )
            continue
        platform = fields[2] if len(fields) == 3 and fields[2] else default_platform
        try:
            at, kind = _parse_time(fields[0], now)
            viewers = _parse_viewers(fields[1], platform)
        except ValueError as exc:
            problems.append(CsvProblem(line, str(exc)))
            continue
        if time_kind is None:
            time_kind = kind
        elif kind != time_kind:
            problems.append(
                CsvProblem(
                    line,
                    f"time {fields[0]!r} mixes formats: earlier rows use {_KIND_WORDS[time_kind]}",
                )
            )
            continue
        rows.append(CsvRow(line, at, viewers, platform))
    rows, far = _near_the_rest(rows)
    problems += far
    rows.sort(key=lambda row: row.at)
    kept: list[CsvRow] = []
    seen: dict[tuple[str, float], int] = {}
    for row in rows:
        first = seen.setdefault((row.platform, row.at), row.line)
        if first != row.line:
            problems.append(CsvProblem(row.line, f"{row.platform} already has line {first} at "
                                                 "this time"))
            continue
        kept.append(row)
    problems.sort(key=lambda problem: problem.line)
    return AudienceCsv(kept, problems)


def _near_the_rest(rows: list[CsvRow]) -> tuple[list[CsvRow], list[CsvProblem]]:
    """Rows within half of MAX_RECORDING of the file's median time, and the others as problems."""
    if len(rows) < 3:
        return rows, []
    middle = float(np.median([row.at for row in rows]))
    near, far = [], []
    for row in rows:
        if abs(row.at - middle) <= MAX_RECORDING / 2:
            near.append(row)
        else:
            days = abs(row.at - middle) / 86_400
            far.append(CsvProblem(row.line, f"time is {days:,.0f} days from the rest of the file"))
    return near, far


def buffer_from_rows(rows: Iterable[CsvRow], fresh_for: float = DEFAULT_FRESH_FOR) -> SeriesBuffer:
    """The rows as the desk would have counted them: each platform screened for jumps."""
    buffer = SeriesBuffer(fresh_for)
    for row in rows:
        buffer.append(row.platform, row.at, row.viewers, "" if row.viewers is not None else "csv")
    return buffer


# --- sources as configured ----------------------------------------------------------------------

SOURCE_KINDS = ("youtube", "twitch", "kick", "json_url", "manual", "replay")
SECRET_WORDS = ("key", "secret", "token", "password")


@dataclass(frozen=True)
class AudienceSource:
    """A configured source. `config` holds only what is not secret (video id, channel login,
    URL, JSON pointer); keys and secrets live in the keyring under the label."""

    id: int
    kind: str
    label: str
    config: dict
    enabled: bool
    interval: float  # seconds between polls


def secret_config_keys(config: dict) -> list[str]:
    """Names in a source's config that look like secrets, which belong in the keyring."""
    return sorted(k for k in config if any(word in k.lower() for word in SECRET_WORDS))
