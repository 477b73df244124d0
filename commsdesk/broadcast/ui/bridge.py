"""The Broadcast panel's way to OBS: one QObject between the Qt UI thread and an ObsController.

The controller is made lazily by a factory on the OBS lane (it reads the password from the
keyring, which can take a while), then started. Its listeners run on the OBS thread; here they
become queued signals. Every call's future comes back on the UI thread through one queued signal
carrying (future, on_done, on_error), so callbacks never run on the OBS thread.

While connected: a stream reading every 2 s (StreamHealth out), thumbnails of the program (at most
one a second, decoded on the OBS thread), and, while a Back-at slide with a countdown is on air,
the countdown text kept current each second.

Slides render on their own lane (latest wins for previews) into a new PNG under the data dir's
`slides/` folder each time; the preview the producer sees is that very file, and a push sends its
path. Every switch, push, back to live, stream end and connection loss (and its return) goes on
the timeline. Nothing is ever pushed again on its own: a push that failed stays failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from commsdesk.broadcast import on_air
from commsdesk.broadcast.obs.api import (
    SLIDES_SCENE,
    ConnectionState,
    ConnectionStatus,
    ObsController,
    ObsError,
    PushResult,
    SceneList,
)
from commsdesk.broadcast.stream_health import StreamHealth, StreamSample, stream_health
from commsdesk.clock import utc_now
from commsdesk.slides.files import new_slide_path, prune, slides_folder
from commsdesk.slides.slide_kinds import BackAt, Slide, SlideRequest, countdown_text
from commsdesk.timeline.chain import EventKind
from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.lanes import Lane

log = logging.getLogger(__name__)

HEALTH_EVERY_MS = 2000
COUNTDOWN_EVERY_MS = 1000
THUMBNAIL_FRAME = (256, 144)  # the panel's picture of the program, border included
THUMBNAIL_BOX = (252, 142)  # what shows inside the border: a 16:9 program comes this size
THUMBNAIL_WIDTH = THUMBNAIL_BOX[0]
PREVIEW_SIZE = (352, 198)

# (host, port, password or None for "the keyring's / COMMSDESK_OBS_PASSWORD") -> a controller.
ObsFactory = Callable[[str, int, "str | None"], ObsController]

SCENE_EVENTS = {
    "CurrentProgramSceneChanged",
    "CurrentPreviewSceneChanged",
    "SceneListChanged",
    "StudioModeStateChanged",
}
# What a failed push means, by why it failed.
GONE = {"not_connected", "unreachable", "wrong_password"}
MAYBE = {"connection_lost", "not_answering"}


@dataclass(frozen=True)
class Rendering:
    """A slide drawn to its own PNG file; `preview` is it scaled for the panel."""

    generation: int
    slide: Slide
    path: Path
    png: bytes
    preview: QImage
    countdown_box: tuple[int, int, int, int] | None
    countdown_px: int
    countdown_color: str
    warnings: list[str] = field(default_factory=list)

    @property
    def alt(self) -> str:
        return on_air.alt_text(self.slide)


@dataclass(frozen=True)
class OnAir:
    """The slide OBS shows now (as far as the desk knows)."""

    slide: Slide
    path: Path
    alt: str
    return_scene: str | None
    countdown: bool  # the desk keeps OBS's countdown text current
    since: datetime

    def line(self, now: datetime) -> str:
        return on_air.on_air_line(self.slide, now)


def render_to_file(
    request: SlideRequest,
    fold: int | None,
    now: datetime,
    folder: Path,
    keep: tuple[Path, ...],
    slides_dir: str | None,
    generation: int = 0,
) -> Rendering:
    """Build, draw and save the slide (runs on the slides lane); raises SlideProblem,
    TemplateProblem, AmbiguousTime or ScheduleRefused with the sentence to show."""
    from commsdesk.atomic_file import write_atomically
    from commsdesk.slides.render import render_slide
    from commsdesk.slides.slide_kinds import build_slide

    slide = build_slide(request, now, fold=fold)
    rendered = render_slide(slide, now=now, slides_dir=slides_dir or None)
    png = rendered.png()
    path = new_slide_path(folder)
    write_atomically(path, png)
    prune(folder, (*keep, path))
    preview = rendered.image.scaled(
        *PREVIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )  # fmt: skip
    return Rendering(
        generation, slide, path, png, preview, rendered.countdown_box, rendered.countdown_px,
        rendered.countdown_color, list(rendered.warnings),
    )  # fmt: skip


def push_failure_text(exc: BaseException) -> str:
    """What the producer reads when a push fails, by why."""
    if isinstance(exc, ObsError):
        if exc.kind in GONE:
            return (
                f"The slide is NOT on air: OBS is not connected ({exc.message}). It will not be "
                "sent by itself when OBS is back; put it on air again then."
            )
        if exc.kind in MAYBE:
            return (
                f"OBS went away during the push ({exc.message}). Check OBS: the slide may or may "
                "not be on air. It will not be sent again by itself."
            )
        return f"The slide is NOT on air: {exc.message}"
    return f"The slide is NOT on air: {exc}"


class BroadcastBridge(QObject):
    status_changed = Signal(object)  # ConnectionStatus
    scenes_changed = Signal(object)  # SceneList
    thumbnail = Signal(object)  # QImage of the program output
    health_changed = Signal(object)  # StreamHealth | None (None: no reading, not connected)
    on_air_changed = Signal(object)  # OnAir | None
    rendered = Signal(object)  # Rendering
    render_failed = Signal(int, str)  # generation, the sentence to show
    failed = Signal(str, str)  # title, message: an action did not happen
    alert = Signal(str, str)  # title, message: worth a tray notification
    done = Signal(str)  # a short line for the status bar

    _obs_state = Signal(object, object)  # controller, ConnectionStatus (from the OBS thread)
    _obs_event = Signal(object, str, object)  # controller, event type, data
    _obs_thumbnail = Signal(object, object)  # controller, QImage
    _resolved = Signal(object)  # (future, on_done, on_error)

    def __init__(
        self,
        desk_bridge: DeskBridge,
        obs_lane: Lane,
        slides_lane: Lane,
        factory: ObsFactory,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk_bridge = desk_bridge
        self.settings = desk_bridge.settings
        self.obs_lane = obs_lane
        self.slides_lane = slides_lane
        self.factory = factory
        self.obs: ObsController | None = None
        self.status = ConnectionStatus(ConnectionState.DISCONNECTED, "not started")
        self.scenes: SceneList | None = None
        self.health: StreamHealth | None = None
        self.on_air: OnAir | None = None
        self._starting = False
        self._closed = False
        self._was_connected = False
        self._lost = False
        self._prepared = False  # prepare_slides done on this connection
        self._last_sample: StreamSample | None = None
        self._reading_pending = False
        self._countdown_pending = False
        self._countdown_sent = ""
        self._render_generation = 0
        self._obs_state.connect(self._on_state)
        self._obs_event.connect(self._on_event)
        self._obs_thumbnail.connect(self._on_thumbnail)
        self._resolved.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._health_timer = QTimer(self, interval=HEALTH_EVERY_MS)
        self._health_timer.timeout.connect(self.read_health)
        self._countdown_timer = QTimer(self, interval=COUNTDOWN_EVERY_MS)
        self._countdown_timer.timeout.connect(self._tick_countdown)

    # --- life ------------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return Path(self.settings.path).parent

    @property
    def connected(self) -> bool:
        return self.status.connected

    def start(self, password: str | None = None) -> None:
        """Make the controller on the OBS lane and start connecting (after the first paint)."""
        if self.obs is not None or self._starting or self._closed:
            return
        self._starting = True
        host, port = self.settings.get("obs_host"), self.settings.get("obs_port")
        self._set_status(
            ConnectionStatus(ConnectionState.CONNECTING, f"connecting to {host}:{port}")
        )
        self.obs_lane.submit(
            self.factory, host, port, password, on_done=self._attach, on_error=self._not_made
        )

    def _attach(self, obs: ObsController) -> None:
        self._starting = False
        if self._closed:
            self.obs_lane.submit(obs.close)
            return
        self.obs = obs
        obs.add_state_listener(lambda status: self._obs_state.emit(obs, status))
        obs.add_event_listener(lambda kind, data: self._obs_event.emit(obs, kind, data))
        obs.start()

    def _not_made(self, exc: BaseException) -> None:
        self._starting = False
        self._set_status(ConnectionStatus(ConnectionState.UNREACHABLE, f"OBS not set up: {exc}"))

    def reconnect(self, password: str | None = None) -> None:
        if self.obs is None:
            self.start(password)
        else:
            self.obs.reconnect(password)

    def apply_settings(self, host: str, port: int, password: str | None) -> None:
        """New host, port and (when given) password: saved, then a fresh connection."""
        moved = (host, port) != (self.settings.get("obs_host"), self.settings.get("obs_port"))
        self.settings.set("obs_host", host)
        self.settings.set("obs_port", port)
        self.desk_bridge.lane.submit(self.settings.save, self.settings.snapshot())
        if password is not None:
            from commsdesk.keyring_secrets import store_obs_password

            self.obs_lane.submit(
                store_obs_password, password,
                on_error=lambda exc: self.failed.emit(
                    "Password kept for this session only",
                    f"{exc} For OBS, COMMSDESK_OBS_PASSWORD can give the password instead.",
                ),
            )  # fmt: skip
        if moved or self.obs is None:
            self._replace(password)
        else:
            self.obs.reconnect(password)

    def _replace(self, password: str | None) -> None:
        old, self.obs = self.obs, None
        if old is not None:
            self._disconnected()
            old.watch_program(None)
            self.obs_lane.submit(old.close)
        self.start(password)

    def close(self) -> None:
        """Stop timers and end the connection (on the OBS lane); safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._health_timer.stop()
        self._countdown_timer.stop()
        obs, self.obs = self.obs, None
        if obs is not None:
            obs.watch_program(None)
            self.obs_lane.submit(obs.close)

    # --- from the OBS thread ---------------------------------------------------------------
    def _set_status(self, status: ConnectionStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

    @Slot(object, object)
    def _on_state(self, obs: ObsController, status: ConnectionStatus) -> None:
        if obs is not self.obs:
            return  # a controller this bridge has let go of
        was_connected = self._was_connected
        self._set_status(status)
        if status.connected:
            self._was_connected = True
            self._prepared = False
            if self._lost:
                self._lost = False
                self._record(
                    EventKind.BROADCAST_CONNECTION,
                    f"OBS connection back: OBS {status.obs_version} "
                    f"(websocket {status.websocket_version})",
                )
            self.refresh_scenes()
            obs.watch_program(self._thumbnail_sink(obs), THUMBNAIL_WIDTH)
            self._health_timer.start()
            self.read_health()
            return
        if status.state is ConnectionState.CONNECTING:
            return
        if was_connected:
            self._was_connected = False
            live = self.health is not None and self.health.live
            self._disconnected()
            if status.state is not ConnectionState.DISCONNECTED:
                self._lost = True
                why = status.detail or str(status.state)
                self._record(EventKind.BROADCAST_CONNECTION, f"OBS connection lost: {why}")
                if live:
                    self.alert.emit(
                        "OBS connection lost during the live stream",
                        f"{why}. The desk keeps trying; the stream itself may still be running.",
                    )

    def _disconnected(self) -> None:
        self._health_timer.stop()
        self._countdown_timer.stop()
        self._prepared = False
        self._last_sample = None
        self._reading_pending = False
        self._countdown_pending = False
        self.health = None
        self.health_changed.emit(None)

    def _thumbnail_sink(self, obs: ObsController) -> Callable[[bytes], None]:
        def sink(png: bytes) -> None:
            """On the OBS thread: decoded (and, for a program that is not 16:9, scaled to the
            box) there, so the UI thread only shows it. The format is named: guessing it
            loads every image plugin Qt has on the first call (5 ms, holding the GIL)."""
            image = QImage.fromData(png, "PNG")
            if image.isNull():
                return
            box = QSize(*THUMBNAIL_BOX)
            if image.width() > box.width() or image.height() > box.height():
                image = image.scaled(
                    box, Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )  # fmt: skip
            self._obs_thumbnail.emit(obs, image)

        return sink

    @Slot(object, object)
    def _on_thumbnail(self, obs: ObsController, image: QImage) -> None:
        if obs is self.obs and self.connected:
            self.thumbnail.emit(image)

    @Slot(object, str, object)
    def _on_event(self, obs: ObsController, kind: str, data: dict) -> None:
        if obs is not self.obs:
            return
        if kind in SCENE_EVENTS:
            cut_away = data.get("sceneName") not in (None, SLIDES_SCENE)
            if kind == "CurrentProgramSceneChanged" and self.on_air is not None and cut_away:
                self._set_on_air(None)  # someone cut away from the slide in OBS
            self.refresh_scenes()
        elif kind == "StreamStateChanged":
            self.read_health()

    # --- futures back on the UI thread -----------------------------------------------------
    def _call(
        self,
        future: Future,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        future.add_done_callback(lambda f: self._resolved.emit((f, on_done, on_error)))

    @Slot(object)
    def _deliver(self, item: tuple) -> None:
        future, on_done, on_error = item
        if future.cancelled():
            on_error(ObsError("not_answering", "the request was cancelled"))
            return
        error = future.exception()
        if error is not None:
            on_error(error)
        else:
            on_done(future.result())

    def _record(self, kind: EventKind, summary: str, data: dict | None = None) -> None:
        """On the timeline under the operator's name (skipped, and logged, without one)."""
        if self.desk_bridge.desk is None or not self.desk_bridge.actor:
            log.info("not on the timeline (no desk or operator yet): %s", summary)
            return
        from commsdesk.desk import Desk  # not at module level: see DeskBridge

        self.desk_bridge.act(
            Desk.record, str(kind), summary, data=data or {},
            on_error=lambda exc: log.warning("timeline: %s", exc),
        )  # fmt: skip

    def _need_obs(self, title: str) -> ObsController | None:
        if self.obs is None:
            self.failed.emit(title, f"OBS is not connected ({self.status.state}).")
            return None
        return self.obs

    # --- scenes ----------------------------------------------------------------------------
    def refresh_scenes(self) -> None:
        if self.obs is None:
            return
        obs = self.obs

        def listed(scenes: SceneList) -> None:
            if obs is self.obs:
                self.scenes = scenes
                self.scenes_changed.emit(scenes)

        self._call(obs.scenes(), listed, lambda exc: log.info("scene list: %s", exc))

    def switch_scene(self, name: str) -> None:
        obs = self._need_obs("Scene not switched")
        if obs is None:
            return
        before = self.scenes.program if self.scenes else None

        def switched(_: object) -> None:
            was = f" (was {before})" if before and before != name else ""
            self._record(EventKind.BROADCAST_SCENE, f"Scene on air: {name}{was}",
                         {"scene": name, "previous": before})  # fmt: skip
            self.done.emit(f"On air: {name}")
            self.refresh_scenes()

        def refused(exc: BaseException) -> None:
            self.failed.emit("Scene not switched", f"{name!r} is not on air: {exc}")

        self._call(obs.switch_scene(name), switched, refused)

    # --- slides ----------------------------------------------------------------------------
    def render(
        self, request: SlideRequest, fold: int | None = None, now: datetime | None = None
    ) -> int:
        """Draw the slide on the slides lane (latest wins); its generation number, which comes
        back with `rendered` or `render_failed`."""
        self._render_generation += 1
        generation = self._render_generation
        keep = (self.on_air.path,) if self.on_air is not None else ()
        self.slides_lane.submit(
            render_to_file, request, fold, now or utc_now(), slides_folder(self.data_dir), keep,
            self.settings.get("slides_dir"), generation,
            key="preview",
            on_done=self.rendered.emit,
            on_error=lambda exc: self.render_failed.emit(generation, str(exc) or repr(exc)),
        )  # fmt: skip
        return generation

    def push(self, rendering: Rendering) -> None:
        """Put the rendered PNG on air (creating the slides scene first on this connection)."""
        obs = self.obs
        if obs is None:
            self._push_failed(rendering, ObsError("not_connected", str(self.status.state)))
            return
        countdown = None
        if isinstance(rendering.slide, BackAt) and rendering.countdown_box is not None:
            countdown = countdown_text(rendering.slide.at, utc_now())

        def pushed(result: PushResult) -> None:
            self._prepared = True
            on_air_now = OnAir(
                rendering.slide, rendering.path, rendering.alt, result.return_scene,
                countdown is not None and result.countdown, utc_now(),
            )  # fmt: skip
            self._countdown_sent = countdown or ""
            self._set_on_air(on_air_now)
            source = f" (from {result.return_scene})" if result.return_scene else ""
            self._record(
                EventKind.BROADCAST_SLIDE,
                f"Slide on air: {on_air.headline(rendering.slide)}{source}",
                {"kind": rendering.slide.kind.value, "file": rendering.path.name,
                 "return_scene": result.return_scene},
            )  # fmt: skip
            self.done.emit(f"Slide on air: {on_air.headline(rendering.slide)}")

        def send(_: object = None) -> None:
            if obs is not self.obs:
                self._push_failed(rendering, ObsError("not_connected", "the connection changed"))
                return
            self._prepared = True
            self._call(
                obs.push_slide(str(rendering.path), countdown), pushed,
                lambda exc: self._push_failed(rendering, exc),
            )  # fmt: skip

        if self._prepared:
            send()
        else:
            self._call(obs.prepare_slides(), send, lambda exc: self._push_failed(rendering, exc))

    def _push_failed(self, rendering: Rendering, exc: BaseException) -> None:
        message = push_failure_text(exc)
        self._record(
            EventKind.BROADCAST_FAILED,
            f"Slide push failed: {on_air.headline(rendering.slide)}: {exc}",
        )
        self.failed.emit("Slide not on air", message)
        self.alert.emit("Slide push failed", message)

    def back_to_live(self) -> None:
        obs = self._need_obs("Not back to live")
        if obs is None:
            return

        def back(scene: str) -> None:
            self._set_on_air(None)
            self._record(EventKind.BROADCAST_LIVE, f"Back to live: {scene}", {"scene": scene})
            self.done.emit(f"Back to live: {scene}")

        self._call(
            obs.back_to_live(), back,
            lambda exc: self.failed.emit("Not back to live", str(exc)),
        )  # fmt: skip

    def _set_on_air(self, slide: OnAir | None) -> None:
        self.on_air = slide
        if slide is not None and slide.countdown:
            self._countdown_timer.start()
        else:
            self._countdown_timer.stop()
        self.on_air_changed.emit(slide)

    def _tick_countdown(self) -> None:
        current, obs = self.on_air, self.obs
        if current is None or obs is None or not isinstance(current.slide, BackAt):
            return
        text = countdown_text(current.slide.at, utc_now())
        if self._countdown_pending or text == self._countdown_sent:
            return  # one update in flight at a time: a slow OBS gets the newest, not a queue
        self._countdown_pending = True

        def sent(_: object) -> None:
            self._countdown_pending = False
            self._countdown_sent = text

        def lost(exc: BaseException) -> None:
            self._countdown_pending = False
            log.info("countdown not updated: %s", exc)

        self._call(obs.set_countdown(text), sent, lost)

    def write_page(
        self,
        request: SlideRequest,
        fold: int | None,
        on_done: Callable[[Path], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """The browser-source page of the slide, written on the slides lane; its path."""
        folder = slides_folder(self.data_dir) / "pages"
        slides_dir = self.settings.get("slides_dir") or None
        now = utc_now()

        def write() -> Path:
            from commsdesk.slides.html_page import write_page
            from commsdesk.slides.slide_kinds import build_slide

            return write_page(build_slide(request, now, fold=fold), folder, now=now,
                              slides_dir=slides_dir)  # fmt: skip

        self.slides_lane.submit(write, on_done=on_done, on_error=on_error)

    # --- the stream ------------------------------------------------------------------------
    def read_health(self) -> None:
        obs = self.obs
        if obs is None or not self.connected or self._reading_pending:
            return
        self._reading_pending = True

        def read(sample: StreamSample) -> None:
            self._reading_pending = False
            if obs is not self.obs:
                return
            self.health = stream_health(self._last_sample, sample)
            self._last_sample = sample
            self.health_changed.emit(self.health)

        def unread(exc: BaseException) -> None:
            self._reading_pending = False
            log.info("stream reading: %s", exc)

        self._call(obs.stream_reading(), read, unread)

    def stop_stream(self) -> None:
        obs = self._need_obs("Stream not ended")
        if obs is None:
            return
        seconds = self.health.live_seconds if self.health else None
        ran = on_air.live_span(seconds) if seconds is not None else "an unknown time"

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
            self.read_health()

        self._call(
            obs.stop_stream(), stopped, lambda exc: self.failed.emit("Stream not ended", str(exc))
        )
