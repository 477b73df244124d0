"""The Audience panel's bridge: viewer sources polled on their own threads, their readings
brought to the UI thread in batches, and the chart, chips, advisor, wall view and timeline kept
in step with them.

Who runs what:
- poller threads (one per source, `ViewerPoller`) only append readings to a locked list;
- a 250 ms timer on the UI thread drains that list: series buffer, running total, chart data,
  chips, the advisor on the total, advice in the panel, the wall's numbers;
- the chart is drawn at most once a second, half-way between two drains, so that a drain and a
  redraw (and the repaint that follows it) never share one pass of the event loop;
- the audience lane reads keyring secrets, builds sources, parses replay files and writes
  samples to the store through a `SampleBatcher` (one transaction per batch);
- the database lane loads the stored series (a restart shows the history, the advisor fed with
  it), records advice on the timeline and reads the chart's markers from it.

Advice is recorded once (the advisor gives a suggestion once until it is withdrawn), and a tray
notification is raised once per suggestion to end and per sudden drop. Advice re-derived from
the stored history after a restart is shown again but neither recorded nor notified again.

Replay sources are stored like the others (kind "replay", one per platform of the file) with
config {file, platform, speed, offset, started_at}: the replay began at `started_at` (epoch) at
`offset` seconds into the file's curve, at `speed`; after a restart it carries on where it would
be by now.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from commsdesk.audience.advisor import Advice, AdviceKind, Advisor, AdvisorSettings
from commsdesk.audience.series import (
    DEFAULT_FRESH_FOR,
    TOTAL,
    AudienceSource,
    SeriesBuffer,
    parse_audience_csv,
)
from commsdesk.audience.sources.reading import Reading, SourceState, ViewerSource
from commsdesk.settings import Settings
from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.lanes import Lane
from commsdesk.ui.steady import set_steady_text

log = logging.getLogger(__name__)

ADVISOR_ACTOR = "CommsDesk advisor"
DRAIN_MS = 250
REDRAW_EVERY = 1.0  # seconds between chart redraws at most
TREND_EVERY = 5.0  # seconds between trend (Theil–Sen) updates for the wall
MARKERS_EVERY = 30.0  # seconds between marker refreshes besides the desk's own changes
FLUSH_EVERY = 2.0  # seconds between flushes of samples still waiting to be written
NO_INCIDENT_HISTORY = 12 * 3600.0  # without an active incident, the last 12 hours are shown

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
NOTIFY_TITLES = {
    AdviceKind.SUGGEST_END: "Audience: time to end the stream?",
    AdviceKind.SUDDEN_DROP: "Audience: sudden drop, check the stream",
}
STATE_WORDS = {
    SourceState.OFFLINE: "offline",
    SourceState.HIDDEN: "count hidden",
    SourceState.NOT_FOUND: "not found",
    SourceState.QUOTA_EXCEEDED: "quota exceeded",
    SourceState.TOKEN_EXPIRED: "token expired",
    SourceState.CREDENTIALS_REFUSED: "key refused",
    SourceState.RATE_LIMITED: "rate limited",
    SourceState.MALFORMED: "malformed answer",
    SourceState.UNREACHABLE: "unreachable",
    SourceState.SLOW: "not answering",
    SourceState.FAILED: "failed",
}
PLATFORM_NAMES = {"youtube": "YouTube", "twitch": "Twitch", "kick": "Kick", "x": "X"}


def advisor_settings(settings: Settings) -> AdvisorSettings:
    """The advisor's thresholds from this desk's settings (percentages and minutes there)."""
    return AdvisorSettings(
        share=settings.get("audience_share_percent") / 100,
        below_for=settings.get("audience_below_minutes") * 60.0,
        min_runtime=settings.get("audience_min_runtime_minutes") * 60.0,
        drop_share=settings.get("audience_drop_percent") / 100,
        drop_window=float(settings.get("audience_drop_seconds")),
    )


def fresh_for(source: AudienceSource) -> float:
    """How long a source's number counts towards the total (AudienceStore.load_series's rule)."""
    return max(DEFAULT_FRESH_FOR, 3 * source.interval)


def chip(reading: Reading) -> tuple[str, str]:
    """(chip colour state "ok" / "gap" / "error", words after the source's name)."""
    if reading.viewers is not None:
        return "ok", f"{round(reading.viewers):,} viewers"
    words = STATE_WORDS.get(reading.state, str(reading.state))
    return ("error" if reading.state.is_error else "gap"), words


class RunningTotal:
    """The summed audience as readings arrive, by SeriesBuffer.total's rule: each moment a
    source reads, the sum of every counting source's latest number, or a gap (NaN) when one of
    them has none (its latest reading is a gap, or older than its `fresh_for`). Times never go
    back: a late reading counts at the latest moment seen."""

    def __init__(self) -> None:
        self.latest: dict[str, tuple[float, float]] = {}
        self.fresh_for: dict[str, float] = {}
        self.last_at = -math.inf

    def set_fresh_for(self, source: str, seconds: float) -> None:
        self.fresh_for[source] = seconds

    def retire(self, source: str) -> None:
        self.latest.pop(source, None)

    def seed(self, buffer: SeriesBuffer) -> None:
        for source in buffer.sources():
            latest = buffer.latest(source)
            if latest is not None:
                self.latest[source] = latest
                self.last_at = max(self.last_at, latest[0])

    def add(self, source: str, at: float, viewers: float | None) -> tuple[float, float]:
        self.latest[source] = (at, math.nan if viewers is None else float(viewers))
        now = self.last_at = max(self.last_at, at)
        total = 0.0
        for name, (when, value) in self.latest.items():
            if now - when > self.fresh_for.get(name, DEFAULT_FRESH_FOR):
                return now, math.nan
            total += value
        return now, total


class _History:
    """What the database lane hands over at start: the stored series and an advisor fed it."""

    def __init__(self, incident_id, sources, buffer, times, totals, advisor, advising) -> None:
        self.incident_id: int | None = incident_id
        self.sources: list[AudienceSource] = sources
        self.buffer: SeriesBuffer = buffer
        self.times = times
        self.totals = totals
        self.advisor: Advisor = advisor
        self.advising: Advice | None = advising  # the advice standing at the end of the history


# --- replay sources (no Qt) ---------------------------------------------------------------------


def replay_config(
    file: str, platform: str, *, speed: float, offset: float = 0.0, started_at: float
) -> dict[str, Any]:
    return {
        "file": file, "platform": platform, "speed": float(speed), "offset": float(offset),
        "started_at": float(started_at),
    }


def build_replays(
    sources: Sequence[AudienceSource], *, now: float | None = None
) -> tuple[list[ViewerSource], dict[str, str]]:
    """Replay sources for stored ones of kind "replay" (files read and parsed here: call off the
    UI thread). Returns (sources, {label: why it cannot replay})."""
    from commsdesk.audience.sources.replay import ReplaySource

    now = time.time() if now is None else now
    parsed: dict[str, Any] = {}
    built: list[ViewerSource] = []
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
        speed = float(config.get("speed", 1.0))
        offset = float(config.get("offset", 0.0))
        started_at = float(config.get("started_at", now))
        moved = offset + max(now - started_at, 0.0) * speed  # curve seconds replayed by now
        first = min(row.at for row in csv.rows)
        built.append(
            ReplaySource(
                source.label, rows, speed=speed, first_at=first + moved,
                starts_at=started_at - offset + moved, clock=time.monotonic,
            )
        )
    return built, problems


# --- the bridge ---------------------------------------------------------------------------------


class AudienceBridge(QObject):
    sources_changed = Signal(object)  # list[AudienceSource], after any change
    history_loaded = Signal(int)  # samples shown from the store
    advice = Signal(object)  # Advice given live (not re-derived from history)
    samples_written = Signal(int)  # rows written by the last batch
    refused = Signal(str)  # something a person asked for that could not be done

    def __init__(
        self,
        desk_bridge: DeskBridge,
        lane: Lane,
        panel=None,
        *,
        notify: Callable[[str, str], None] | None = None,
        drain_ms: int = DRAIN_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk_bridge = desk_bridge
        self.settings = desk_bridge.settings
        self.lane = lane  # secrets, sources, replay files, sample writes
        self.panel = panel
        self.notify = notify
        self.store = None  # AudienceStore, once the desk is open
        self.batcher = None  # SampleBatcher, used on the audience lane only
        self.poller = None
        self.incident_id: int | None = None
        self.sources: dict[str, AudienceSource] = {}  # by label
        self.manual: dict[str, Any] = {}  # ManualSource by label
        self.buffer = SeriesBuffer()
        self.total = RunningTotal()
        self.advisor = Advisor(advisor_settings(self.settings))
        self.started = False
        self.closed = False
        self._pending: list[Reading] = []
        self._lock = threading.Lock()
        self._polled: set[str] = set()
        self._threshold: float | None = None
        self._slope: float | None = None
        self._trend_at = -math.inf
        self._markers_at = -math.inf
        self._flushed_at = time.monotonic()
        self._latest_total: tuple[float, float] | None = None
        self._generation = 0  # bumped when the incident changes: older loads are dropped
        self.timer = QTimer(self)
        self.timer.setInterval(drain_ms)
        self.timer.timeout.connect(self.drain)
        self._drain_ms = drain_ms
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.timeout.connect(self.redraw_chart)
        self._redrawn_at = -math.inf
        if panel is not None:
            panel.set_threshold(None)
            panel.chart.deferred = True
        desk_bridge.timeline_changed.connect(self.refresh_markers)
        desk_bridge.incident_changed.connect(self._incident_changed)

    # --- start and stop ----------------------------------------------------------------------
    def start(self) -> None:
        """Load the active incident's history, then poll the enabled sources. Waits for the
        desk's database if it is not open yet."""
        if self.started or self.closed:
            return
        if self.desk_bridge.desk is None:
            self.desk_bridge.opened.connect(lambda _desk: self.start())
            return
        from commsdesk.audience.sources.poller import ViewerPoller

        self.started = True
        self.store = self.desk_bridge.services.audience
        self.poller = ViewerPoller(self._received)
        self.timer.start()
        self._load()

    def close(self) -> None:
        """Stop polling and write what is waiting (on the audience lane, in order)."""
        if self.closed:
            return
        self.closed = True
        self.timer.stop()
        poller, self.poller = self.poller, None
        if poller is not None:
            self.lane.submit(poller.stop)
        self.drain()
        self._redraw.stop()
        self.redraw_chart()
        if self.batcher is not None:
            self.lane.submit(self.batcher.flush)

    # --- history -----------------------------------------------------------------------------
    def _load(self) -> None:
        self._generation += 1
        generation = self._generation
        store, settings = self.store, advisor_settings(self.settings)

        def load() -> _History:
            desk = store.desk
            incident = desk.active_incident()
            incident_id = incident.id if incident is not None else None
            since = None if incident_id is not None else time.time() - NO_INCIDENT_HISTORY
            sources = store.sources()
            buffer = store.load_series(incident_id=incident_id, since=since)
            for source in sources:
                buffer.add_source(source.label, fresh_for=fresh_for(source))
            times, totals = buffer.total()
            advisor = Advisor(settings)
            standing = None
            for at, value in zip(times.tolist(), totals.tolist(), strict=True):
                for advice in advisor.observe(at, value):
                    standing = None if advice.kind is AdviceKind.WITHDRAWN else advice
            return _History(incident_id, sources, buffer, times, totals, advisor, standing)

        def loaded(history: _History) -> None:
            if generation == self._generation and not self.closed:
                self._show_history(history)

        self.desk_bridge.lane.submit(load, on_done=loaded, on_error=self._refuse)

    def _show_history(self, history: _History) -> None:
        from commsdesk.audience.store import SampleBatcher

        self.incident_id = history.incident_id
        self.buffer = history.buffer
        self.advisor = history.advisor
        self.total = RunningTotal()
        self.total.seed(history.buffer)
        self.sources = {source.label: source for source in history.sources}
        for source in history.sources:
            self.total.set_fresh_for(source.label, fresh_for(source))
            if not source.enabled:
                self.total.retire(source.label)
        batcher = SampleBatcher(
            self.store, incident_id=history.incident_id, on_error=self._write_failed
        )
        old, self.batcher = self.batcher, batcher
        if old is not None:
            self.lane.submit(old.flush)
        panel = self.panel
        if panel is not None:
            panel.chart.clear()
            panel.set_sources(s.label for s in history.sources if s.enabled)
            for name in history.buffer.sources():
                panel.set_series(name, history.buffer.times(name), history.buffer.values(name))
            panel.set_series(TOTAL, history.times, history.totals)
            if history.advising is not None:
                panel.set_advice(str(history.advising.kind), history.advising.message)
            else:
                panel.set_advice("", None)
        if len(history.times):
            self._latest_total = (float(history.times[-1]), float(history.totals[-1]))
        self._threshold = None
        self._trend_at = -math.inf
        self._after_batch()
        self.redraw_chart()
        self.history_loaded.emit(len(history.buffer))
        self.sources_changed.emit(list(self.sources.values()))
        self.refresh_markers()
        self._sync_polling()

    def _incident_changed(self, incident) -> None:
        incident_id = None if incident is None else incident.id
        if self.started and not self.closed and incident_id != self.incident_id:
            self._load()  # a new incident: its own (empty) series, a fresh advisor

    # --- polling -----------------------------------------------------------------------------
    def _sync_polling(self) -> None:
        """Poll every enabled source not polled yet; stop the ones switched off."""
        if self.poller is None:
            return
        wanted = [s for s in self.sources.values() if s.enabled and s.label not in self._polled]
        unwanted = [
            label
            for label in self._polled
            if label not in self.sources or not self.sources[label].enabled
        ]
        poller = self.poller
        self._polled |= {s.label for s in wanted}
        self._polled -= set(unwanted)

        def build():
            from commsdesk.audience.sources.factory import MissingSecret, build_source

            for label in unwanted:
                if label in poller.labels():
                    poller.remove(label)
            made: list[ViewerSource] = []
            problems: dict[str, str] = {}
            replays = [s for s in wanted if s.kind == "replay"]
            if replays:
                built, failed = build_replays(replays)
                made += built
                problems.update(failed)
            for source in wanted:
                if source.kind == "replay":
                    continue
                try:
                    made.append(build_source(source))
                except MissingSecret as exc:
                    problems[source.label] = str(exc)
                except (KeyError, ValueError) as exc:
                    problems[source.label] = f"{source.label} is not set up fully ({exc})"
            for live in made:
                poller.add(live)
            poller.start()
            return made, problems

        def built(result) -> None:
            made, problems = result
            for live in made:
                if live.__class__.__name__ == "ManualSource":
                    self.manual[live.label] = live
            if self.panel is not None:
                for label, why in problems.items():
                    self._show_chip(label, "error", "not set up", why)
                if hasattr(self.panel, "set_manual_sources"):
                    self.panel.set_manual_sources(sorted(self.manual))

        for label in unwanted:
            self.manual.pop(label, None)
        self.lane.submit(build, on_done=built, on_error=self._refuse)

    def _received(self, reading: Reading) -> None:
        """On a poller thread: keep it for the next drain."""
        with self._lock:
            self._pending.append(reading)

    def enter_manual(self, label: str, viewers: float) -> None:
        """A number typed for a manual source: counted now, and held until replaced."""
        source = self.manual.get(label)
        if source is None:
            raise KeyError(f"no manual source called {label!r}")
        source.enter(viewers)
        self._received(source.fetch())

    # --- the UI thread's batch -----------------------------------------------------------------
    def drain(self) -> None:
        with self._lock:
            readings, self._pending = self._pending, []
        now = time.monotonic()
        if readings:
            self._apply(sorted(readings, key=lambda r: r.at))
        if self.batcher is not None and now - self._flushed_at >= FLUSH_EVERY:
            self._flushed_at = now
            self.lane.submit(self.batcher.flush, on_done=self._written)
        if now - self._markers_at >= MARKERS_EVERY:
            self.refresh_markers()

    def _apply(self, readings: list[Reading]) -> None:
        latest: dict[str, Reading] = {}
        new: dict[str, list[tuple[float, float]]] = {}
        totals: list[tuple[float, float]] = []
        given: list[Advice] = []
        for reading in readings:
            source = self.sources.get(reading.source)
            if source is not None and not source.enabled:
                continue  # read just before it was switched off
            value = math.nan if reading.viewers is None else float(reading.viewers)
            self.buffer.append(reading.source, reading.at, reading.viewers,
                               "" if reading.viewers is not None else str(reading.state))
            new.setdefault(reading.source, []).append((reading.at, value))
            latest[reading.source] = reading
            at, total = self.total.add(reading.source, reading.at, reading.viewers)
            totals.append((at, total))
            given += self.advisor.observe(at, total)
        if self.batcher is not None:
            batcher, samples = self.batcher, [r.sample() for r in readings
                                              if r.source in self.sources]
            self.lane.submit(lambda: [batcher.add(s) for s in samples])
        if totals:
            self._latest_total = totals[-1]
            new[TOTAL] = totals
        panel = self.panel
        if panel is not None:
            for name, points in new.items():
                self._draw(name, points)
            for name, reading in latest.items():
                state, words = chip(reading)
                self._show_chip(name, state, words, reading.detail)
        self._after_batch()
        for advice in given:
            self._advise(advice)
        if panel is not None and not self._redraw.isActive():
            # Half a drain after this one, and no sooner than a second after the last redraw.
            wait = max(0.0, REDRAW_EVERY - (time.monotonic() - self._redrawn_at))
            half = self._drain_ms / 2
            steps = math.ceil(max(0.0, wait * 1000 - half) / self._drain_ms)
            self._redraw.start(round(half + steps * self._drain_ms))

    def _draw(self, name: str, points: list[tuple[float, float]]) -> None:
        """Into the chart's data; drawn at the next redraw_chart."""
        self.panel.chart.append_many(name, [p[0] for p in points], [p[1] for p in points])

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
        """Threshold line and wall numbers after new numbers."""
        threshold = self.advisor.threshold
        if self.panel is not None and threshold != self._threshold:
            self._threshold = threshold
            self.panel.set_threshold(threshold)
        now = time.monotonic()
        if now - self._trend_at >= TREND_EVERY:
            self._trend_at = now
            trend = self.advisor.trend()
            self._slope = None if trend is None else trend.per_minute
        if self.panel is None:
            return
        status = self.advisor.status()
        total = self._latest_total[1] if self._latest_total else None
        share = None
        if total is not None and math.isfinite(total) and status.peak:
            share = total / status.peak
        live = None
        if self._latest_total and status.started_at is not None:
            live = self._latest_total[0] - status.started_at
        self.panel.update_wall(total, status.peak, status.peak_at, share, self._slope, live)
        if status.peak and status.peak_at is not None:
            self.panel.chart.set_peak(status.peak_at, status.peak)  # the peak the advice names

    # --- advice -------------------------------------------------------------------------------
    def _advise(self, advice: Advice) -> None:
        if self.panel is not None:
            self.panel.set_advice(str(advice.kind), advice.message)
        store, incident_id = self.store, self.incident_id
        self.desk_bridge.lane.submit(
            lambda: store.record_advice(ADVISOR_ACTOR, advice, incident_id=incident_id),
            on_done=lambda _event: self.desk_bridge.timeline_changed.emit(),
            on_error=self._refuse,
        )
        title = NOTIFY_TITLES.get(advice.kind)
        if title and self.notify is not None:
            self.notify(title, advice.message)
        self.advice.emit(advice)

    # --- markers ------------------------------------------------------------------------------
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

        self.desk_bridge.lane.submit(
            read, on_done=show, on_error=self._quiet, key="audience-markers"
        )

    # --- sources (for the set-up dialog) --------------------------------------------------------
    def list_sources(self, on_done: Callable[[list[AudienceSource]], None]) -> None:
        self.desk_bridge.lane.submit(self.store.sources, on_done=on_done, on_error=self._refuse)

    def keyring_problem(self, on_done: Callable[[str | None], None]) -> None:
        """None when the keyring works, else the sentence to show (asked on the audience lane)."""
        from commsdesk.keyring_secrets import keyring_status

        self.lane.submit(keyring_status, on_done=on_done, on_error=self._refuse)

    def add_source(
        self,
        kind: str,
        label: str,
        config: dict,
        *,
        secrets: dict[str, str] | None = None,
        interval: float | None = None,
        on_done: Callable[[AudienceSource], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Add a source: its row on the database lane, then its secrets in the keyring (on the
        audience lane), then polling."""
        actor = self.desk_bridge.actor
        store = self.store
        interval = float(interval or self.settings.get("audience_poll_seconds"))
        secrets = {k: v for k, v in (secrets or {}).items() if v}
        fail = on_error or self._refuse

        def keep_secrets(source: AudienceSource) -> None:
            from commsdesk.keyring_secrets import store_viewer_secret

            def write():
                for name, value in secrets.items():
                    store_viewer_secret(source.label, name, value)
                return source

            def written(_source) -> None:
                self._added([source])
                if on_done is not None:
                    on_done(source)

            self.lane.submit(write, on_done=written, on_error=fail)

        self.desk_bridge.lane.submit(
            lambda: store.add_source(actor, kind, label, config, interval=interval),
            on_done=keep_secrets, on_error=fail,
        )

    def add_replay(
        self,
        path: str,
        speed: float,
        *,
        on_done: Callable[[list[AudienceSource], list[str]], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Replay a CSV: parsed on the audience lane (bad rows reported by line, good ones
        kept), one source per platform added on the database lane, then polled."""
        from commsdesk.desk import DeskError

        actor, store = self.desk_bridge.actor, self.store
        fail = on_error or self._refuse

        def parse():
            with open(path, encoding="utf-8-sig") as handle:
                parsed = parse_audience_csv(handle.read())
            if not parsed.rows:
                raise DeskError(
                    "No usable rows in the file.\n" + "\n".join(str(p) for p in parsed.problems)
                )
            return parsed

        def add(parsed) -> None:
            problems = [str(problem) for problem in parsed.problems]

            def add_all() -> list[AudienceSource]:
                taken = {source.label for source in store.sources()}
                started_at = time.time()
                added = []
                for platform in parsed.platforms():
                    rows = [row for row in parsed.rows if row.platform == platform]
                    spacing = (rows[-1].at - rows[0].at) / max(len(rows) - 1, 1) or 1.0
                    name = PLATFORM_NAMES.get(platform.lower(), platform)
                    label, n = name, 1
                    while label in taken:
                        n += 1
                        label = f"{name} replay" if n == 2 else f"{name} replay {n - 1}"
                    taken.add(label)
                    config = replay_config(path, platform, speed=speed, started_at=started_at)
                    added.append(store.add_source(actor, "replay", label, config,
                                                  interval=spacing))
                return added

            def added(sources: list[AudienceSource]) -> None:
                self._added(sources)
                if on_done is not None:
                    on_done(sources, problems)

            self.desk_bridge.lane.submit(add_all, on_done=added, on_error=fail)

        self.lane.submit(parse, on_done=add, on_error=fail)

    def set_enabled(
        self, source_id: int, enabled: bool,
        on_done: Callable[[AudienceSource], None] | None = None,
    ) -> None:
        actor, store = self.desk_bridge.actor, self.store

        def changed(source: AudienceSource) -> None:
            self.sources[source.label] = source
            if not enabled:
                self.total.retire(source.label)
                if self.buffer is not None and source.label in self.buffer.sources():
                    self.buffer.retire(source.label, time.time())
                self._show_chip(source.label, "off", "switched off")
            else:
                if self.buffer is not None:
                    self.buffer.reinstate(source.label)  # counted from its next number
                self._show_chip(source.label, "", "waiting")
            self.desk_bridge.timeline_changed.emit()
            self.sources_changed.emit(list(self.sources.values()))
            self._sync_polling()
            if on_done is not None:
                on_done(source)

        self.desk_bridge.lane.submit(
            lambda: store.set_source_enabled(actor, source_id, enabled),
            on_done=changed, on_error=self._refuse,
        )

    def remove_source(
        self, source_id: int,
        on_done: Callable[[AudienceSource], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Remove a source with no numbers on the record (the store refuses any other): its row
        on the database lane, its polling stopped, then its secrets out of the keyring."""
        actor, store = self.desk_bridge.actor, self.store

        def forget(label: str) -> None:
            from commsdesk.keyring_secrets import forget_viewer_secrets

            forget_viewer_secrets(label)

        def removed(source: AudienceSource) -> None:
            self.sources.pop(source.label, None)
            self.total.retire(source.label)
            if self.panel is not None:
                self.panel.set_sources(s.label for s in self.sources.values() if s.enabled)
            self.desk_bridge.timeline_changed.emit()
            self.sources_changed.emit(list(self.sources.values()))
            self._sync_polling()
            self.lane.submit(
                forget, source.label,
                on_error=lambda exc: log.warning("%s's secrets not deleted: %s", source.label, exc),
            )  # fmt: skip
            if on_done is not None:
                on_done(source)

        self.desk_bridge.lane.submit(
            lambda: store.remove_source(actor, source_id),
            on_done=removed, on_error=on_error or self._refuse,
        )  # fmt: skip

    def _added(self, sources: Iterable[AudienceSource]) -> None:
        for source in sources:
            self.sources[source.label] = source
            self.total.set_fresh_for(source.label, fresh_for(source))
            if self.panel is not None:
                self._show_chip(source.label, "", "waiting")
        self.desk_bridge.timeline_changed.emit()
        self.sources_changed.emit(list(self.sources.values()))
        self._sync_polling()

    # --- writes and errors ------------------------------------------------------------------------
    def _written(self, count: int) -> None:
        if count:
            self.samples_written.emit(count)

    def _write_failed(self, exc: BaseException) -> None:
        log.warning("audience samples not written yet (kept for the next try): %s", exc)

    def _refuse(self, exc: BaseException) -> None:
        self.refused.emit(str(exc) or type(exc).__name__)

    @staticmethod
    def _quiet(exc: BaseException) -> None:
        log.debug("audience markers not read: %s", exc)
