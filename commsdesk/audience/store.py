"""Audience sources and viewer-count samples in the desk's database, and the advisor's record.

Samples go in by batches (`SampleBatcher` collects them and writes one transaction per batch:
a 12-hour stream polled every second from three sources is about 130,000 rows) and come back as
a `SeriesBuffer` after a restart. Advice given, withdrawn, and sudden drops go on the timeline.

A person can strike a sample from the record (`strike_sample`): the sample row stays as it was
read, and the strike (who, which sample, why) is a timeline event, in the hash chain like every
other; `load_series` leaves struck samples out of the lines, the total, the peak and the
advisor. It also re-checks what it reads (a count above its platform's bound, a time in the
future: refused now as at the edge), so a record written before the checks cannot poison them.
Like `Desk`, every method opens its own session, so a worker thread can use it.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, insert, select

from commsdesk.audience.advisor import Advice, AdviceKind
from commsdesk.audience.series import (
    DEFAULT_FRESH_FOR,
    SOURCE_KINDS,
    AudienceSource,
    Sample,
    SeriesBuffer,
    secret_config_keys,
)
from commsdesk.audience.validation import (
    CLOCK_SKEW,
    Rejected,
    check_count,
    platform_key,
    viewer_bound,
)
from commsdesk.desk import Desk, DeskError
from commsdesk.store.models import NAME, AudienceSampleRow, AudienceSourceRow, EventRow
from commsdesk.timeline.chain import EventKind, TimelineEvent

if TYPE_CHECKING:
    from commsdesk.audience.sources.reading import Reading

ADVICE_EVENTS = {
    AdviceKind.SUGGEST_END: EventKind.AUDIENCE_ADVICE,
    AdviceKind.WITHDRAWN: EventKind.AUDIENCE_ADVICE_WITHDRAWN,
    AdviceKind.SUDDEN_DROP: EventKind.AUDIENCE_SUDDEN_DROP,
}
SAME_ADVICE_WITHIN = 120.0  # seconds of audience time: another desk's word for the same moment
GAP_REASON = 32  # characters kept of a gap's reason
READ_BATCH = 10_000
SAMPLE_STRUCK = EventKind.AUDIENCE_SAMPLE_STRUCK  # the timeline kind of a strike
REASON = 300  # characters of a strike's reason


@dataclass(frozen=True)
class SampleRecord:
    """One stored sample as the command line and the strike use case show it."""

    id: int
    source: str
    at: float
    viewers: int | None
    gap_reason: str
    struck: bool = False

    def line(self) -> str:
        when = datetime.fromtimestamp(self.at, UTC).strftime("%Y-%m-%d %H:%M:%S")
        count = f"{self.viewers:,}" if self.viewers is not None else f"gap ({self.gap_reason})"
        return f"#{self.id}  {when} UTC  {self.source}: {count}" + ("  STRUCK" if self.struck
                                                                     else "")


def source_fresh_for(source: AudienceSource) -> float:
    """How long a source's number counts towards the total: a minute, or three of its polls;
    a typed number as long as it holds."""
    from commsdesk.audience.sources.manual import MANUAL_HOLD

    held = MANUAL_HOLD if source.kind == "manual" else 0.0
    return max(DEFAULT_FRESH_FOR, 3 * source.interval, held)


def platform_of(source: AudienceSource) -> str:
    """The platform whose bound a source's counts are held to (see validation.platform_key)."""
    return platform_key(source.kind, source.config.get("platform"), source.label)


def _source(row: AudienceSourceRow) -> AudienceSource:
    return AudienceSource(
        row.id, row.kind, row.label, dict(row.config or {}), row.enabled, row.interval
    )


def _switched_off_periods(
    buffer: SeriesBuffer,
    source: AudienceSource,
    times: Sequence[float],
    switches: list[tuple[float, bool]],
) -> None:
    """Off from a switch-off until the first sample after the next switch-on; a source off now,
    or on again with nothing said since, is left as the live buffer would have it."""
    off_since: float | None = None
    waiting = False  # switched on again, no sample since
    for moment, enabled in switches:
        if not enabled:
            off_since = moment if off_since is None else off_since
            waiting = False
        elif off_since is not None:
            later = bisect.bisect_left(times, moment)
            if later < len(times):
                buffer.off_between(source.label, off_since, float(times[later]))
                off_since, waiting = None, False
            else:
                waiting = True
    if off_since is None and not source.enabled and len(times):
        off_since = float(times[-1])  # off, with no switch on the record: after its last sample
    if off_since is not None:
        buffer.retire(source.label, off_since)
        if waiting:
            buffer.reinstate(source.label)


def _timebase(kind: str, config: Mapping[str, Any] | None) -> tuple:
    """Which clock a source's numbers are stamped by: the clock itself, or (for a replay faster
    than ×1, whose curve trails behind the clock) that replay's own start and speed."""
    config = config or {}
    speed = float(config.get("speed", 1.0)) if kind == "replay" else 1.0
    if speed == 1.0:
        return ("clock",)
    return ("replay", float(config.get("started_at", 0.0)), speed)


def _refuse_mixed_clocks(session, kind: str, label: str, config, own_id: int | None = None):
    """A total sums what sources read at the same moments: a fast replay and live sources
    never read at the same moments, so they are not switched on together."""
    mine = _timebase(kind, config)
    others = [
        row for row in session.scalars(
            select(AudienceSourceRow).where(AudienceSourceRow.enabled.is_(True))
        )
        if row.id != own_id and _timebase(row.kind, row.config) != mine
    ]  # fmt: skip
    if not others:
        return
    names = ", ".join(row.label for row in others[:3]) + (" …" if len(others) > 3 else "")
    fast = mine if mine[0] == "replay" else _timebase(others[0].kind, others[0].config)
    raise DeskError(
        f"{label} cannot be on with {names}: a replay at ×{fast[2]:g} stamps its numbers behind "
        "the clock, so it shares no moments with other sources and their total would be always "
        "partial. Switch the others off for the rehearsal (untick them), or replay at ×1."
    )


class AudienceStore:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._ids: dict[str, int] = {}
        self._ids_lock = threading.Lock()

    # --- sources --------------------------------------------------------------------------------

    def add_source(
        self,
        actor: str,
        kind: str,
        label: str,
        config: Mapping[str, Any] | None = None,
        *,
        interval: float = 15.0,
        enabled: bool = True,
    ) -> AudienceSource:
        label = " ".join(label.split())
        if kind not in SOURCE_KINDS:
            raise DeskError(f"Unknown source kind {kind!r}; one of {', '.join(SOURCE_KINDS)}.")
        if not label or len(label) > NAME:
            raise DeskError(f"A source needs a label of 1 to {NAME} characters.")
        if interval <= 0:
            raise DeskError("A source's interval must be more than 0 seconds.")
        config = dict(config or {})
        secret = secret_config_keys(config)
        if secret:
            raise DeskError(
                f"{', '.join(secret)} look like secrets: they go in the keyring, not the database."
            )
        with self.desk.transaction() as session:
            taken = session.scalar(
                select(AudienceSourceRow.id).where(AudienceSourceRow.label == label)
            )
            if taken is not None:
                raise DeskError(f"There is already a source called {label!r}.")
            if enabled:
                _refuse_mixed_clocks(session, kind, label, config)
            row = AudienceSourceRow(
                kind=kind, label=label, config=config, enabled=enabled, interval=float(interval),
                created_at=self.desk.now(),
            )
            session.add(row)
            session.flush()
            self.desk.append_event(
                session, actor, EventKind.AUDIENCE_SOURCE_ADDED,
                f"Audience source added: {label} ({kind}, every {interval:g} s)",
                data={"source_id": row.id, "kind": kind, "label": label, "interval": interval},
            )
            return _source(row)

    def set_source_enabled(self, actor: str, source_id: int, enabled: bool) -> AudienceSource:
        with self.desk.transaction() as session:
            row = session.get(AudienceSourceRow, source_id)
            if row is None:
                raise DeskError(f"No audience source #{source_id}.")
            if row.enabled != enabled:
                if enabled:
                    _refuse_mixed_clocks(session, row.kind, row.label, row.config, row.id)
                row.enabled = enabled
                self.desk.append_event(
                    session, actor, EventKind.AUDIENCE_SOURCE_CHANGED,
                    f"Audience source {'switched on' if enabled else 'switched off'}: {row.label}",
                    data={"source_id": row.id, "enabled": enabled},
                )
            return _source(row)

    def remove_source(self, actor: str, source_id: int) -> AudienceSource:
        """Remove a source that has counted no viewers (added by mistake: a wrong id polled only
        gaps); the gaps it noted go with it. A source with numbers on the record stays, to be
        switched off, so the record keeps them and who they came from."""
        from sqlalchemy import delete

        samples = AudienceSampleRow.source_id == source_id
        with self.desk.transaction() as session:
            row = session.get(AudienceSourceRow, source_id)
            if row is None:
                raise DeskError(f"No audience source #{source_id}.")
            counted = session.scalar(
                select(func.count()).where(samples, AudienceSampleRow.viewers.is_not(None))
            )
            if counted:
                raise DeskError(
                    f"{row.label} has {counted:,} number(s) on the record, so it stays: switch "
                    "it off instead (untick it) to stop counting and polling it."
                )
            source = _source(row)
            gaps = session.execute(delete(AudienceSampleRow).where(samples)).rowcount
            session.execute(delete(AudienceSourceRow).where(AudienceSourceRow.id == source_id))
            noted = f"; the {gaps:,} gap(s) it noted went with it" if gaps else ""
            self.desk.append_event(
                session, actor, EventKind.AUDIENCE_SOURCE_REMOVED,
                f"Audience source removed: {source.label} ({source.kind}){noted}",
                data={"source_id": source.id, "kind": source.kind, "label": source.label,
                      "gaps_removed": gaps},
            )  # fmt: skip
        with self._ids_lock:
            self._ids.pop(source.label, None)
        return source

    def sources(self, *, enabled_only: bool = False) -> list[AudienceSource]:
        query = select(AudienceSourceRow).order_by(AudienceSourceRow.id)
        if enabled_only:
            query = query.where(AudienceSourceRow.enabled.is_(True))
        with self.desk.reading() as session:
            return [_source(row) for row in session.scalars(query)]

    def _source_id(self, label: str) -> int:
        with self._ids_lock:
            if label not in self._ids:
                for source in self.sources():
                    self._ids[source.label] = source.id
            if label not in self._ids:
                raise DeskError(f"No audience source called {label!r}.")
            return self._ids[label]

    # --- samples --------------------------------------------------------------------------------

    def append_samples(self, samples: Iterable[Sample], *, incident_id: int | None = None) -> int:
        """Write samples (`Sample.source` is the source's label) in one transaction, with one
        multi-row INSERT; returns how many."""
        rows = [
            {
                "incident_id": incident_id,
                "source_id": self._source_id(s.source),
                "at": float(s.at),
                "viewers": viewers,
                "gap_reason": "" if viewers is not None else (reason or "gap")[:GAP_REASON],
            }
            for s in samples
            for viewers, reason in (_storable(s),)
        ]
        if not rows:
            return 0
        with self.desk.transaction() as session:
            session.execute(insert(AudienceSampleRow), rows)
        return len(rows)

    def load_series(
        self,
        *,
        incident_id: int | None = None,
        since: float | None = None,
        fresh_for: float = DEFAULT_FRESH_FOR,
        now: float | None = None,
        unfiled: bool = False,
    ) -> SeriesBuffer:
        """Every stored sample (of one incident, or with `unfiled` of none, from `since`) back in
        a SeriesBuffer, by source label, screened as live numbers are, with the periods each
        source was switched off (read from the timeline) left out of the total, as they were
        when the samples came in.

        Struck samples are shown struck and counted nowhere; a count above its platform's bound
        is a gap; a sample stamped after `now` (default the clock) plus the skew is left out."""
        labels = {source.id: source for source in self.sources()}
        query = select(
            AudienceSampleRow.id, AudienceSampleRow.source_id, AudienceSampleRow.at,
            AudienceSampleRow.viewers,
        ).order_by(AudienceSampleRow.source_id, AudienceSampleRow.at, AudienceSampleRow.id)
        if incident_id is not None:
            query = query.where(AudienceSampleRow.incident_id == incident_id)
        elif unfiled:  # counted while no incident was active
            query = query.where(AudienceSampleRow.incident_id.is_(None))
        if since is not None:
            query = query.where(AudienceSampleRow.at >= since)
        latest = (time.time() if now is None else now) + CLOCK_SKEW
        query = query.where(AudienceSampleRow.at <= latest)
        with self.desk.reading() as session:
            struck_ids = self._struck_ids(session)
            # Plain rows in columns: a long incident has hundreds of thousands of samples.
            columns: tuple[list, list, list, list] = ([], [], [], [])
            result = session.connection().execute(query.execution_options(yield_per=READ_BATCH))
            for rows in result.partitions():
                for column, read in zip(columns, zip(*rows, strict=True), strict=True):
                    column.extend(read)
            switches = self._switches(session)
        ids = np.asarray(columns[0], dtype=np.int64)
        owners = np.asarray(columns[1], dtype=np.int64)
        times = np.asarray(columns[2], dtype=np.float64)
        counts = np.asarray(columns[3], dtype=np.float64)  # None → NaN
        struck = np.isin(ids, np.fromiter(struck_ids, np.int64, len(struck_ids)))
        buffer = SeriesBuffer(fresh_for)
        for source_id in np.unique(owners).tolist():  # rows come ordered by source, then time
            source = labels[source_id]
            own = owners == source_id
            kept = own & ~struck
            values = counts[kept]
            bound = viewer_bound(platform_of(source))
            in_bounds = (values >= 0) & (values <= bound)  # NaN (no number) is never in bounds
            buffer.add_source(source.label, fresh_for=max(fresh_for, source_fresh_for(source)))
            buffer.extend(source.label, times[kept], np.where(in_bounds, values, math.nan))
            for index in np.flatnonzero(own & struck).tolist():
                viewers = columns[3][index]
                buffer.strike(source.label, float(times[index]), viewers)
            _switched_off_periods(buffer, source, times[kept], switches.get(source_id, []))
        return buffer

    # --- striking a sample from the record ------------------------------------------------------

    def strike_sample(self, actor: str, sample_id: int, reason: str) -> TimelineEvent:
        """Strike one sample from the record: it stays stored as it was read, and from now on
        it counts nowhere (lines, total, peak, advisor). The strike goes on the timeline with
        who struck it, which sample (its source, time and number) and why."""
        reason = " ".join(str(reason or "").split())
        if not reason:
            raise DeskError("Say why the sample is struck: the reason goes on the record.")
        if len(reason) > REASON:
            raise DeskError(f"Keep the reason to {REASON} characters.")
        with self.desk.transaction() as session:
            row = session.get(AudienceSampleRow, int(sample_id))
            if row is None:
                raise DeskError(f"No audience sample #{sample_id}.")
            if row.viewers is None:
                raise DeskError(f"Sample #{sample_id} is a gap: there is no number to strike.")
            earlier = self._strike_of(session, row.id)
            if earlier is not None:
                raise DeskError(
                    f"Sample #{row.id} was already struck by {earlier.actor} at "
                    f"{earlier.at:%H:%M:%S} UTC: {earlier.data.get('reason', '')}"
                )
            source = session.get(AudienceSourceRow, row.source_id)
            when = datetime.fromtimestamp(row.at, UTC)
            return self.desk.append_event(
                session, actor, SAMPLE_STRUCK,
                f"Audience sample struck: {source.label} {row.viewers:,} at "
                f"{when:%H:%M:%S} UTC (#{row.id}): {reason}",
                incident_id=row.incident_id,
                data={"sample_id": row.id, "source_id": row.source_id, "source": source.label,
                      "at": row.at, "viewers": row.viewers, "reason": reason},
            )  # fmt: skip

    def find_sample(self, source: str, at: float, *, within: float = 0.5) -> int:
        """The id of `source`'s sample with a number nearest `at` (within `within` seconds), for
        a strike asked for from the chart."""
        source_id = self._source_id(source)
        query = (
            select(AudienceSampleRow.id)
            .where(
                AudienceSampleRow.source_id == source_id,
                AudienceSampleRow.viewers.is_not(None),
                AudienceSampleRow.at.between(at - within, at + within),
            )
            .order_by(func.abs(AudienceSampleRow.at - at), AudienceSampleRow.id)
            .limit(1)
        )
        with self.desk.reading() as session:
            found = session.scalar(query)
        if found is None:
            raise DeskError(
                f"No number of {source} at {datetime.fromtimestamp(at, UTC):%H:%M:%S} UTC on "
                "the record (it may not be written yet: try again in a few seconds)."
            )
        return found

    def samples(
        self, *, source: str | None = None, incident_id: int | None = None, limit: int = 20,
        numbers_only: bool = False,
    ) -> list[SampleRecord]:
        """The newest samples first, with whether each is struck."""
        labels = {s.id: s.label for s in self.sources()}
        query = select(AudienceSampleRow).order_by(
            AudienceSampleRow.at.desc(), AudienceSampleRow.id.desc()
        ).limit(max(1, limit))
        if source is not None:
            query = query.where(AudienceSampleRow.source_id == self._source_id(source))
        if incident_id is not None:
            query = query.where(AudienceSampleRow.incident_id == incident_id)
        if numbers_only:
            query = query.where(AudienceSampleRow.viewers.is_not(None))
        with self.desk.reading() as session:
            struck = self._struck_ids(session)
            return [
                SampleRecord(row.id, labels.get(row.source_id, "?"), row.at, row.viewers,
                             row.gap_reason, row.id in struck)
                for row in session.scalars(query)
            ]

    @staticmethod
    def _struck_ids(session) -> set[int]:
        query = select(EventRow.data).where(EventRow.kind == SAMPLE_STRUCK)
        return {int((data or {}).get("sample_id", -1)) for data in session.scalars(query)}

    @staticmethod
    def _strike_of(session, sample_id: int) -> EventRow | None:
        for row in session.scalars(select(EventRow).where(EventRow.kind == SAMPLE_STRUCK)):
            if int((row.data or {}).get("sample_id", -1)) == sample_id:
                return row
        return None

    @staticmethod
    def _switches(session) -> dict[int, list[tuple[float, bool]]]:
        """When each source was switched off or on, from the timeline, oldest first."""
        query = (
            select(EventRow.at, EventRow.data)
            .where(EventRow.kind == str(EventKind.AUDIENCE_SOURCE_CHANGED))
            .order_by(EventRow.id)
        )
        switches: dict[int, list[tuple[float, bool]]] = {}
        for at, data in session.execute(query):
            data = data or {}
            if "source_id" in data and "enabled" in data:
                moment = at.replace(tzinfo=UTC).timestamp()
                switches.setdefault(int(data["source_id"]), []).append(
                    (moment, bool(data["enabled"]))
                )
        return switches

    def newest_sample_id(self) -> int:
        with self.desk.reading() as session:
            return session.scalar(select(func.max(AudienceSampleRow.id))) or 0

    def samples_since(
        self, after_id: int, *, incident_id: int | None, limit: int = 5000
    ) -> tuple[list[Reading], int]:
        """What another desk polled after sample `after_id` (of one incident), oldest first, as
        the readings it made; and the newest id read. For desks that show the numbers."""
        from commsdesk.audience.sources.reading import Reading, SourceState

        labels = {source.id: source.label for source in self.sources()}
        query = (
            select(AudienceSampleRow.id, AudienceSampleRow.source_id, AudienceSampleRow.at,
                   AudienceSampleRow.viewers, AudienceSampleRow.gap_reason)
            .where(AudienceSampleRow.id > after_id)
            .order_by(AudienceSampleRow.id)
            .limit(limit)
        )  # fmt: skip
        if incident_id is not None:
            query = query.where(AudienceSampleRow.incident_id == incident_id)
        states = {str(state): state for state in SourceState}
        readings, newest = [], after_id
        with self.desk.reading() as session:
            for sample_id, source_id, at, viewers, reason in session.execute(query):
                newest = sample_id
                if source_id in labels:
                    state = SourceState.OK if viewers is not None else (
                        states.get(reason, SourceState.OFFLINE))
                    readings.append(Reading(labels[source_id], at, viewers, state))
        return readings, newest

    def sample_count(self) -> int:
        with self.desk.reading() as session:
            return session.scalar(select(func.count()).select_from(AudienceSampleRow)) or 0

    # --- advice on the timeline -----------------------------------------------------------------

    def record_advice(
        self, actor: str, advice: Advice, *, incident_id: int | None = None
    ) -> TimelineEvent:
        """Advice on the timeline, once: when several desks watch the same audience, each
        advisor reaches the same advice; the first on the record stands for all (same kind,
        nothing else advised since, within SAME_ADVICE_WITHIN seconds of audience time)."""
        kind = ADVICE_EVENTS[advice.kind]
        with self.desk.transaction() as session:
            newest = self.desk.newest_event(
                session, ADVICE_EVENTS.values(), incident_id=incident_id
            )
            if (
                newest is not None
                and newest.kind == str(kind)
                and abs(float(newest.data.get("at", -math.inf)) - advice.at) <= SAME_ADVICE_WITHIN
            ):
                return newest
            return self.desk.append_event(
                session,
                actor,
                kind,
                advice.message,
                incident_id=incident_id,
                data={
                    "kind": str(advice.kind),
                    "at": advice.at,
                    "viewers": round(advice.viewers),
                    "peak": round(advice.peak),
                    "peak_at": advice.peak_at,
                    "slope_per_min": advice.slope_per_min,
                },
            )


def _storable(sample: Sample) -> tuple[int | None, str]:
    """(viewers, gap reason) as the table can hold them: a count that is not a whole number
    within any stream's bound is stored as a refused gap, never written as a number."""
    value = sample.viewers
    if value is None:
        return None, sample.gap_reason
    if isinstance(value, float) and math.isfinite(value):
        value = round(value)
    try:
        return check_count(value), ""
    except Rejected:
        return None, "rejected"


class SampleBatcher:
    """Collects samples from any thread and writes them in batches: when `max_rows` are
    waiting, or the oldest has waited `max_age` seconds (checked at each add), and at `flush()`.
    A failed write keeps the samples for the next try and is reported to `on_error`."""

    def __init__(
        self,
        store: AudienceStore,
        *,
        incident_id: int | None = None,
        max_rows: int = 500,
        max_age: float = 5.0,
        on_error: Callable[[BaseException], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.incident_id = incident_id
        self.max_rows = max_rows
        self.max_age = max_age
        self.on_error = on_error
        self.clock = clock
        self._waiting: list[Sample] = []
        self._oldest: float | None = None
        self._lock = threading.Lock()
        self._writing = threading.Lock()

    def add(self, sample: Sample) -> None:
        with self._lock:
            if not self._waiting:
                self._oldest = self.clock()
            self._waiting.append(sample)
            due = len(self._waiting) >= self.max_rows or (
                self._oldest is not None and self.clock() - self._oldest >= self.max_age
            )
        if due:
            self.flush()

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

    def flush(self) -> int:
        """Write what is waiting now; returns how many were written."""
        with self._writing:
            with self._lock:
                batch, self._waiting, self._oldest = self._waiting, [], None
            if not batch:
                return 0
            try:
                return self.store.append_samples(batch, incident_id=self.incident_id)
            except Exception as exc:
                with self._lock:
                    self._waiting[:0] = batch
                    self._oldest = self._oldest or self.clock()
                if self.on_error is None:
                    raise
                self.on_error(exc)
                return 0
