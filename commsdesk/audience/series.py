"""Viewer counts over time: samples, the series the chart draws, smoothing, trend, quota, CSV.

Conventions shared with the chart (commsdesk/audience/ui): times are float seconds since the
Unix epoch (UTC); viewers are floats with NaN for a gap. A missing number is a gap, never a zero:
a hidden count, an offline channel, an error or a malformed answer all become NaN with a reason.

- `SeriesBuffer`: growable numpy arrays per source (amortised O(1) append) and the summed total,
  which is a gap wherever any source that has started has no fresh number.
- `Ewma`: exponentially weighted mean for irregular sampling (alpha from the time step).
- `theil_sen`: robust slope with the Mann–Kendall confidence interval of Sen's slope.
- `youtube_quota`: the day's projected use of the YouTube Data API quota for an interval.
- `parse_audience_csv`: `time,viewers[,platform]` rows for replay; bad rows reported by line.

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

    __slots__ = ("times", "values", "size", "fresh_for", "off", "back_at_next")

    def __init__(self, fresh_for: float, capacity: int = _FIRST_CAPACITY) -> None:
        self.times = np.empty(capacity, dtype=np.float64)
        self.values = np.empty(capacity, dtype=np.float64)
        self.size = 0
        self.fresh_for = fresh_for
        self.off: list[list[float]] = []  # [from, until): not counted in the total
        self.back_at_next = False  # switched on again: the next sample ends the last off period

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

    @property
    def nbytes(self) -> int:
        return self.times.nbytes + self.values.nbytes


class SeriesBuffer:
    """Viewer counts per source name, and their total, as numpy arrays for the chart.

    A source counts towards the total from its first sample, except while a person has it
    switched off: from the moment it is retired until its first sample after it is reinstated.
    At each moment any source has a sample, the total is the sum of every counting source's
    latest number, or a gap (NaN) when one of them has none: its latest sample is a gap, or older
    than its `fresh_for` seconds.
    """

    def __init__(self, fresh_for: float = DEFAULT_FRESH_FOR) -> None:
        self.fresh_for = fresh_for
        self._columns: dict[str, _Column] = {}
        self._gap_reasons: dict[str, list[tuple[float, str]]] = {}
        self._version = 0
        self._total_cache: tuple[int, np.ndarray, np.ndarray] | None = None

    # --- writing --------------------------------------------------------------------------------

    def add_source(self, name: str, *, fresh_for: float | None = None) -> None:
        """Declare a source (optional: append does it); `fresh_for` overrides the default, e.g.
        three times a slow source's polling interval."""
        column = self._columns.get(name)
        if column is None:
            self._columns[name] = _Column(fresh_for or self.fresh_for)
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

    def append(self, source: str, at: float, viewers: float | None, gap_reason: str = "") -> None:
        if source == TOTAL:
            raise ValueError(f"{TOTAL!r} is the summed series, not a source name")
        self.add_source(source)
        value = math.nan if viewers is None else float(viewers)
        column = self._columns[source]
        if column.back_at_next:
            column.off[-1][1] = float(at)
            column.back_at_next = False
        column.append(float(at), value)
        if math.isnan(value) and gap_reason:
            self._gap_reasons.setdefault(source, []).append((float(at), gap_reason))
        self._version += 1

    def add(self, sample: Sample) -> None:
        self.append(sample.source, sample.at, sample.viewers, sample.gap_reason)

    def extend(self, source: str, times: Sequence[float], values: Sequence[float]) -> None:
        """Many samples of one source at once (NaN for gaps), e.g. read back from the store."""
        times = np.asarray(times, dtype=np.float64)
        values = np.asarray(values, dtype=np.float64)
        if times.shape != values.shape:
            raise ValueError("times and values differ in length")
        self.add_source(source)
        column = self._columns[source]
        if column.size and len(times) and times[0] < column.times[column.size - 1]:
            for at, value in zip(times.tolist(), values.tolist(), strict=True):
                column.append(at, value)
        else:
            order = np.argsort(times, kind="stable")
            column.reserve(column.size + len(times))
            column.times[column.size : column.size + len(times)] = times[order]
            column.values[column.size : column.size + len(times)] = values[order]
            column.size += len(times)
        self._version += 1

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

    def latest(self, source: str = TOTAL) -> tuple[float, float] | None:
        """(time, value) of the newest sample (value NaN for a gap); None before any."""
        times, values = self.times(source), self.values(source)
        if not len(times):
            return None
        return float(times[-1]), float(values[-1])

    def total(self) -> tuple[np.ndarray, np.ndarray]:
        """(times, sums) at every moment any source has a sample; NaN where a started source has
        no fresh number. Cached until the next append."""
        cached = self._total_cache
        if cached is not None and cached[0] == self._version:
            return cached[1], cached[2]
        columns = [c for c in self._columns.values() if c.size]
        if not columns:
            times = values = np.empty(0, dtype=np.float64)
        else:
            times = np.unique(np.concatenate([c.times[: c.size] for c in columns]))
            values = np.zeros(len(times), dtype=np.float64)
            for column in columns:
                own_times = column.times[: column.size]
                index = np.searchsorted(own_times, times, side="right") - 1
                started = index >= 0
                for start, until in column.off:
                    started &= (times <= start) | (times >= until)
                safe = np.where(started, index, 0)
                latest = column.values[: column.size][safe]
                stale = (times - own_times[safe]) > column.fresh_for
                contribution = np.where(stale, np.nan, latest)
                values += np.where(started, contribution, 0.0)
        times.flags.writeable = False
        values.flags.writeable = False
        self._total_cache = (self._version, times, values)
        return times, values

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
            size += self._total_cache[1].nbytes + self._total_cache[2].nbytes
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


def _parse_time(text: str) -> tuple[float, str]:
    """(seconds, 'seconds' | 'iso'); raises ValueError with the reason."""
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            raise ValueError(f"time {text!r} is not a finite number")
        return seconds, "seconds"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"time {text!r} is neither ISO 8601 nor seconds") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp(), "iso"


def _parse_viewers(text: str) -> float | None:
    cleaned = text.replace(",", "").replace("_", "").replace(" ", "")
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"viewers {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"viewers {text!r} is not a count (negative or not finite)")
    if value != int(value):
        raise ValueError(f"viewers {text!r} is not a whole number")
    return value


def parse_audience_csv(text: str, default_platform: str = "replay") -> AudienceCsv:
    """Rows of `time,viewers[,platform]`: time as ISO 8601 (naive = UTC) or seconds (epoch, or
    from the start when below 1e9); a header line is optional. Bad rows are reported with their
    line number and reason; the good rows are kept. Times in one file must be all ISO or all
    seconds."""
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
        try:
            at, kind = _parse_time(fields[0])
            viewers = _parse_viewers(fields[1])
        except ValueError as exc:
            problems.append(CsvProblem(line, str(exc)))
            continue
        if time_kind is None:
            time_kind = kind
        elif kind != time_kind:
            problems.append(
                CsvProblem(line, f"time {fields[0]!r} mixes formats: earlier rows use {time_kind}")
            )
            continue
        platform = fields[2] if len(fields) == 3 and fields[2] else default_platform
        rows.append(CsvRow(line, at, viewers, platform))
    rows.sort(key=lambda row: row.at)
    return AudienceCsv(rows, problems)


def buffer_from_rows(rows: Iterable[CsvRow], fresh_for: float = DEFAULT_FRESH_FOR) -> SeriesBuffer:
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
