"""The Audience panel's bridge: viewer sources polled on their own threads, their readings
checked and brought to the UI thread in batches, and the chart, chips, advisor, wall view and
timeline kept in step with them.

Who runs what:
- poller threads (one per source, `ViewerPoller`) check each reading at the edge (its count
  within the platform's bound, its time within the incident and not ahead of the clock: see
  commsdesk.audience.validation) and append it to a locked list; a refused one becomes a
  "number refused" gap, noted in the log;
- a 250 ms timer on the UI thread drains that list: series buffer (which holds back a number
  that jumps too far until the next confirms it), running total (the sources reading, partial
  when one is not), chart data, chips, the advisor on the total, advice, the wall's numbers;
- the chart is drawn at most once a second, half-way between two drains, so that a drain and a
  redraw (and the repaint that follows it) never share one pass of the event loop;
- the audience lane reads keyring secrets, builds sources, parses replay files and writes
  samples to the store through a `SampleBatcher` (one transaction per batch);
- the database lane loads the stored history (commsdesk.audience.history), strikes samples,
  records advice on the timeline and reads the chart's markers from it.

Advice is recorded once (the advisor gives a suggestion once until it is withdrawn), and a tray
notification is raised once per suggestion to end and per sudden drop. Advice re-derived from
the stored history (at start, for a new incident, after a strike) is shown again but neither
recorded nor notified again. The sources' set-up is in source_setup.py.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from commsdesk.audience.advisor import ADVISOR_ACTOR, Advice, AdviceKind, Advisor
from commsdesk.audience.figures import viewers_text
from commsdesk.audience.history import History, advisor_settings, fresh_for, load_history
from commsdesk.audience.live_total import LiveTotal, TotalPoint
from commsdesk.audience.screening import Verdict
from commsdesk.audience.series import TOTAL, SeriesBuffer
from commsdesk.audience.sources.reading import Reading, SourceState, checked
from commsdesk.audience.sources.replay import build_replays, replay_config
from commsdesk.audience.store import platform_of
from commsdesk.audience.ui.panel_feed import MARKER_KINDS, PanelFeed, chip
from commsdesk.audience.ui.shared_polling import SharedPolling
from commsdesk.audience.ui.source_setup import SourceSetup
from commsdesk.audience.validation import TimeWindow
from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.lanes import Lane

__all__ = [
    "MARKER_KINDS", "AudienceBridge", "advisor_settings", "build_replays", "chip", "replay_config",
]

log = logging.getLogger(__name__)

DRAIN_MS = 250
WALL_EVERY = 1.0  # seconds between updates of the wall's live time without new numbers
MARKERS_EVERY = 30.0  # seconds between marker refreshes besides the desk's own changes
FLUSH_EVERY = 2.0  # seconds between flushes of samples still waiting to be written

NOTIFY_TITLES = {
    AdviceKind.SUGGEST_END: "Audience: time to end the stream?",
    AdviceKind.SUDDEN_DROP: "Audience: sudden drop, check the stream",
}


class AudienceBridge(SourceSetup, PanelFeed, SharedPolling, QObject):
    sources_changed = Signal(object)  # list[AudienceSource], after any change
    history_loaded = Signal(int)  # samples shown from the store
    advice = Signal(object)  # Advice given live (not re-derived from history)
    samples_written = Signal(int)  # rows written by the last batch
    struck = Signal(object)  # the timeline event of a strike, once the history shows it
    refused = Signal(str)  # something a person asked for that could not be done
    polling_changed = Signal(bool)  # team mode: this desk took over polling, or handed it on

    def __init__(
        self, desk_bridge: DeskBridge, lane: Lane, panel=None, *,
        notify: Callable[[str, str], None] | None = None, drain_ms: int = DRAIN_MS,
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
        self.sources: dict = {}  # AudienceSource by label
        self.manual: dict = {}  # ManualSource by label
        self.replay_earliest: dict[str, float] = {}  # where each replay's curve lands
        self.earliest = time.time()  # readings before this are refused (the incident's start)
        self.live_since: float | None = None  # the stream's start as the desk counted it
        self.buffer = SeriesBuffer()
        self.total = LiveTotal()
        self.advisor = Advisor(advisor_settings(self.settings))
        self.started = self.closed = False
        self._pending: list[Reading] = []
        self._lock = threading.Lock()
        self._polled: set[str] = set()
        self._refusals: dict[str, str] = {}  # the last refusal logged per source
        self._last_seen: dict[str, tuple] = {}  # the last reading taken per source
        self._during_load: list[Reading] | None = None  # applied while a history loads
        self._struck_events: list = []  # strikes whose history is loading
        self._threshold: float | None = None
        self._slope: float | None = None
        self._trend_at = self._markers_at = self._wall_at = -math.inf
        self._flushed_at = time.monotonic()
        self._latest_total: TotalPoint | None = None
        self._generation = 0  # bumped at each load: older loads are dropped
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
            panel.strike_requested.connect(self.strike)
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
        self.started = True
        self.store = self.desk_bridge.services.audience
        self.poller = self.desk_bridge.services.viewer_poller(self._received)
        self._start_sharing()
        self.timer.start()
        self._load()

    def close(self) -> None:
        """Stop polling and write what is waiting (on the audience lane, in order)."""
        if self.closed:
            return
        self.closed = True
        self.timer.stop()
        self._stop_sharing()
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
        self._during_load = []

        def loaded(found: tuple[int, History]) -> None:
            if generation == self._generation and not self.closed:
                self._follow_after, history = found
                self._show_history(history)

        def failed(exc: BaseException) -> None:
            self._during_load = None
            self._refuse(exc)

        self.desk_bridge.lane.submit(
            # The newest sample first: what another desk writes meanwhile is read after.
            lambda: (store.newest_sample_id(), load_history(store, settings)),
            on_done=loaded, on_error=failed,
        )

    def _show_history(self, history: History) -> None:
        from commsdesk.audience.store import SampleBatcher

        self.incident_id = history.incident_id
        self.earliest, self.live_since = history.earliest, history.live_since
        self.buffer, self.advisor = history.buffer, history.advisor
        self.total = LiveTotal()
        self.total.seed(history.buffer)
        self.sources = {source.label: source for source in history.sources}
        for source in history.sources:
            self.total.set_fresh_for(source.label, fresh_for(source))
            if not source.enabled:
                self.total.retire(source.label)
        if self.batcher is None or self.batcher.incident_id != history.incident_id:
            old, self.batcher = self.batcher, SampleBatcher(
                self.store, incident_id=history.incident_id, on_error=self._write_failed
            )
            if old is not None:
                self.lane.submit(old.flush)
        panel = self.panel
        if panel is not None:
            panel.chart.clear()
            panel.set_sources(s.label for s in history.sources if s.enabled)
            self._settle_chips(history.buffer)
            for name in history.buffer.sources():
                panel.set_series(name, history.buffer.times(name), history.buffer.values(name))
                panel.chart.set_flags(name, history.buffer.flags(name))
            panel.set_series(TOTAL, history.times, history.totals)
            standing = history.advising
            panel.set_advice(*((str(standing.kind), standing.message) if standing else ("", None)))
        self._latest_total = None
        if len(history.times):
            self._latest_total = TotalPoint(
                float(history.times[-1]), float(history.totals[-1]),
                int(history.reading[-1]), int(history.counting[-1]),
            )
        self._threshold = None
        self._trend_at = -math.inf
        self._after_batch()
        self.redraw_chart()
        self.history_loaded.emit(len(history.buffer))
        struck, self._struck_events = self._struck_events, []
        for event in struck:
            self.struck.emit(event)
        self.sources_changed.emit(list(self.sources.values()))
        self.refresh_markers()
        self._sync_polling()
        later, self._during_load = self._during_load or [], None
        later = [r for r in later if r.at > (history.buffer.latest(r.source) or (-math.inf,))[0]]
        if later:  # read (and written) while the history loaded, after what it holds
            self._apply(later, write=False)

    def _settle_chips(self, buffer: SeriesBuffer) -> None:
        """A chip showing a number held back that the record no longer holds back (struck):
        its source's latest number counted instead."""
        for label, state in list(self.panel.source_states.items()):
            if state != "suspect" or label not in buffer.sources():
                continue
            latest = buffer.latest(label)
            held = any(flag == "suspect" for _t, _v, flag in buffer.flags(label))
            if not held and latest is not None and math.isfinite(latest[1]):
                self._show_chip(label, "ok", f"{viewers_text(latest[1])} viewers")

    def _incident_changed(self, incident) -> None:
        incident_id = None if incident is None else incident.id
        if self.started and not self.closed and incident_id != self.incident_id:
            self._load()  # a new incident: its own (empty) series, a fresh advisor

    # --- readings in --------------------------------------------------------------------------
    def _received(self, reading: Reading) -> None:
        """On a poller thread: check it at the edge, keep it for the next drain."""
        source = self.sources.get(reading.source)
        earliest = self.replay_earliest.get(reading.source, self.earliest)
        platform = platform_of(source) if source is not None else ""
        reading = checked(reading, platform, TimeWindow(earliest, time.time()))
        refused = reading.state is SourceState.REJECTED
        if refused and self._refusals.get(reading.source) != reading.detail:
            self._refusals[reading.source] = reading.detail  # logged once, not every poll
            log.warning("viewer count refused: %s", reading.detail)
        seen = (reading.at, reading.viewers, reading.state)
        with self._lock:
            if self._last_seen.get(reading.source) == seen:
                return  # the same reading again (a typed number, counted when it was typed)
            self._last_seen[reading.source] = seen
            self._pending.append(reading)

    def enter_manual(self, label: str, viewers: object) -> None:
        """A number typed for a manual source (text or a number): checked, counted now and
        held until replaced; what is wrong with it is shown beside the field."""
        from commsdesk.audience.validation import Rejected

        source = self.manual.get(label)
        try:
            if source is None:
                raise Rejected(f"{label} is not a manual source that is switched on")
            source.enter(viewers)
        except Rejected as exc:
            if self.panel is not None:
                self.panel.show_manual_result(str(exc))
            return
        if self.panel is not None:
            self.panel.show_manual_result(None)
        self._received(source.fetch())

    # --- the UI thread's batch -----------------------------------------------------------------
    def drain(self) -> None:
        with self._lock:
            readings, self._pending = self._pending, []
        now = time.monotonic()
        if readings:
            self._apply(sorted(readings, key=lambda r: r.at))
        elif now - self._wall_at >= WALL_EVERY:
            self._update_wall()  # the live time goes on without new numbers
        if self.batcher is not None and now - self._flushed_at >= FLUSH_EVERY:
            self._flushed_at = now
            self.lane.submit(self.batcher.flush, on_done=self._written)
        if now - self._markers_at >= MARKERS_EVERY:
            self.refresh_markers()

    def _apply(self, readings: list[Reading], *, write: bool = True) -> None:
        latest: dict[str, tuple[Reading, Verdict]] = {}
        new: dict[str, list[tuple[float, float]]] = {}
        flagged: set[str] = set()
        totals: list[TotalPoint] = []
        given: list[Advice] = []
        kept = [r for r in readings if r.source in self.sources
                and self.sources[r.source].enabled]  # removed, or read just before switched off
        if self._during_load is not None:
            self._during_load += kept
        for reading in kept:
            name = reading.source
            verdict = self.buffer.append(name, reading.at, reading.viewers,
                                         "" if reading.viewers is not None else str(reading.state))
            if verdict.confirmed is not None:
                new.setdefault(name, []).append(verdict.confirmed)
            if verdict.suspect or verdict.confirmed or verdict.dismissed:
                flagged.add(name)
            latest[name] = (reading, verdict)
            if verdict.suspect:
                continue  # held back: its line, the total and the advisor wait for the next
            new.setdefault(name, []).append(
                (reading.at, math.nan if reading.viewers is None else float(reading.viewers))
            )
            point = self.total.add(name, reading.at, reading.viewers)
            totals.append(point)
            given += self.advisor.observe(point.at, point.viewers, point.coverage)
        if self.batcher is not None and kept and write:
            batcher, samples = self.batcher, [r.sample() for r in kept]
            self.lane.submit(lambda: [batcher.add(s) for s in samples])
        if totals:
            self._latest_total = totals[-1]
            new[TOTAL] = [(p.at, p.viewers) for p in totals]
            if self.live_since is None and any(math.isfinite(p.viewers) for p in totals):
                self.live_since = max(next(p.at for p in totals if math.isfinite(p.viewers)),
                                      self.earliest if self.incident_id is not None else -math.inf)
        self._show_batch(new, flagged, latest)
        for advice in given:
            self._advise(advice)
        self._schedule_redraw()

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

    # --- striking a sample ----------------------------------------------------------------------
    def strike(self, label: str, at: float, reason: str) -> None:
        """Strike `label`'s sample at `at` from the record, for `reason`, as the person at the
        desk: what waits to be written is written first, then the store's use case runs on the
        database lane, then the history is loaded again without it (peak, threshold, advice)."""
        actor, store, batcher = self.desk_bridge.actor, self.store, self.batcher

        def write():
            return store.strike_sample(actor, store.find_sample(label, at), reason)

        def done(event) -> None:
            self.desk_bridge.timeline_changed.emit()
            self._struck_events.append(event)
            self._load()

        def flushed(_count=None) -> None:
            self.desk_bridge.lane.submit(write, on_done=done, on_error=self._refuse)

        if batcher is None:
            flushed()
        else:
            self.lane.submit(batcher.flush, on_done=flushed, on_error=self._refuse)

    # --- writes and errors ------------------------------------------------------------------------
    def _written(self, count: int) -> None:
        if count:
            self.samples_written.emit(count)

    def _write_failed(self, exc: BaseException) -> None:
        log.warning("audience samples not written yet (kept for the next try): %s", exc)

    def _refuse(self, exc: BaseException) -> None:
        self.refused.emit(str(exc) or type(exc).__name__)

