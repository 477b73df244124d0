"""The live stream seen from the Broadcast panel: a reading every 2 s while OBS is connected
(StreamHealth out, None while there is no reading); Go live (or, in a drill, record) and End
stream; the stream's start and end on the timeline as OBS reports them."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from commsdesk.broadcast.on_air import live_span
from commsdesk.broadcast.stream_health import StreamHealth, StreamSample, stream_health
from commsdesk.broadcast.ui.obs_link import ObsLink
from commsdesk.ui.desk_bridge import DeskBridge

log = logging.getLogger(__name__)

HEALTH_EVERY_MS = 2000


class StreamWatch(QObject):
    health_changed = Signal(object)  # StreamHealth | None (None: no reading, not connected)
    failed = Signal(str, str)  # title, message
    done = Signal(str)  # a short line for the status bar

    def __init__(self, link: ObsLink, desk_bridge: DeskBridge,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.link = link
        self.desk_bridge = desk_bridge
        self.health: StreamHealth | None = None
        self._last_sample: StreamSample | None = None
        self._pending = False
        self._timer = QTimer(self, interval=HEALTH_EVERY_MS)
        self._timer.timeout.connect(self.read)

    @property
    def live(self) -> bool:
        return self.health is not None and self.health.live

    def start(self) -> None:
        """OBS is connected: read now, then every 2 s."""
        self._timer.start()
        self.read()

    def stop(self) -> None:
        """OBS is gone: no reading."""
        self._timer.stop()
        self._last_sample = None
        self._pending = False
        self.health = None
        self.health_changed.emit(None)

    def read(self) -> None:
        obs = self.link.obs
        if obs is None or not self.link.connected or self._pending:
            return
        self._pending = True

        def read(sample: StreamSample) -> None:
            self._pending = False
            if obs is not self.link.obs:
                return
            self.health = stream_health(self._last_sample, sample)
            self._last_sample = sample
            self.health_changed.emit(self.health)

        def unread(exc: BaseException) -> None:
            self._pending = False
            log.info("stream reading: %s", exc)

        self.link.call(obs.stream_reading(), read, unread)

    # --- going live ---------------------------------------------------------------------------
    def prepare_go_live(self, on_plan) -> None:
        """Read where OBS would stream and whether the desk is in Drill mode; `on_plan(GoLive)`
        on the UI thread, for the confirmation."""
        from commsdesk.broadcast.going_live import REHEARSAL_SETTING, plan

        obs = self.link.obs
        if obs is None or not self.link.connected:
            self.failed.emit("Not live", f"OBS is not connected ({self.link.status.state}).")
            return
        rehearsal = list(self.desk_bridge.settings.get(REHEARSAL_SETTING) or [])

        def with_drill(service) -> None:
            from commsdesk.publishing.holds import drill_mode

            self.desk_bridge.query(
                lambda desk: drill_mode(desk),
                on_done=lambda drill: on_plan(plan(service, drill=drill, rehearsal=rehearsal)),
                on_error=lambda exc: self.failed.emit("Not live", str(exc)),
            )  # fmt: skip

        self.link.call(obs.stream_service(), with_drill,
                       lambda exc: self.failed.emit("Not live", str(exc)))  # fmt: skip

    def go_live(self, going) -> None:
        """Start what the confirmed plan says: the stream, or a drill's recording."""
        obs = self.link.obs
        if obs is None or not self.link.connected:
            self.failed.emit("Not live", f"OBS is not connected ({self.link.status.state}).")
            return
        self._destination = going.destination

        def started(_: object) -> None:
            if not going.streams:
                self._record_event("broadcast.recording_started",
                                   f"Drill: OBS recording instead of streaming ({going.sentence})")
                self.done.emit("Drill: OBS is recording, not streaming")
            else:
                self.done.emit(f"Going live to {going.destination}")
            self.read()

        call = obs.start_stream() if going.streams else obs.start_record()
        self.link.call(call, started, lambda exc: self.failed.emit("Not live", str(exc)))

    def on_stream_event(self, data: dict) -> None:
        """OBS's StreamStateChanged: its start and end on the timeline (once, whichever desk
        or command hears it)."""
        state = data.get("outputState")
        if state not in ("OBS_WEBSOCKET_OUTPUT_STARTED", "OBS_WEBSOCKET_OUTPUT_STOPPED"):
            return
        live = state == "OBS_WEBSOCKET_OUTPUT_STARTED"
        seconds = None if live or self.health is None else self.health.live_seconds
        if self.desk_bridge.desk is None or not self.desk_bridge.actor:
            log.info("not on the timeline (no desk or operator yet): stream %s",
                     "started" if live else "stopped")  # fmt: skip
            return
        from commsdesk.desk import Desk  # not at module level: see DeskBridge

        self.desk_bridge.act(
            Desk.record_stream_state, live, live_seconds=seconds,
            where=getattr(self, "_destination", "") if live else "",
            on_error=lambda exc: log.warning("timeline: %s", exc),
        )  # fmt: skip

    def _record_event(self, kind: str, summary: str) -> None:
        if self.desk_bridge.desk is None or not self.desk_bridge.actor:
            return
        from commsdesk.desk import Desk

        self.desk_bridge.act(Desk.record, kind, summary,
                             on_error=lambda exc: log.warning("timeline: %s", exc))

    def end(self) -> None:
        """Stop the live stream; on the timeline with how long it ran."""
        obs = self.link.obs
        if obs is None or not self.link.connected:
            state = self.link.status.state
            self.failed.emit("Stream not ended", f"OBS is not connected ({state}).")
            return
        seconds = self.health.live_seconds if self.health else None
        ran = live_span(seconds) if seconds is not None else "an unknown time"

        def stopped(_: object) -> None:
            # The same use case as `commsdesk obs stream end`: one wording, one event.
            if self.desk_bridge.desk is not None and self.desk_bridge.actor:
                from commsdesk.desk import Desk  # not at module level: see DeskBridge

                self.desk_bridge.act(
                    Desk.record_stream_ended, seconds,
                    on_error=lambda exc: log.warning("timeline: %s", exc),
                )
            else:
                log.info("not on the timeline (no desk or operator yet): stream ended")
            self.done.emit(f"Live stream ended after {ran}")
            self.read()

        self.link.call(
            obs.stop_stream(), stopped, lambda exc: self.failed.emit("Stream not ended", str(exc))
        )
