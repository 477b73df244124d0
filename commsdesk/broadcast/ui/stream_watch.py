"""The live stream seen from the Broadcast panel: a reading every 2 s while OBS is connected
(StreamHealth out, None while there is no reading), and End stream through the desk's use case."""

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
