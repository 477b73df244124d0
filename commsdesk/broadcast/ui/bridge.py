"""The Broadcast panel's use of OBS on the UI thread: scenes, slides, what is on air, the stream.

Its parts: `ObsLink` (the controller, its signals, answers back on the UI thread),
`SlideDrawer` (slides drawn on the slides lane, latest wins) and `StreamWatch` (stream health,
End stream). While a Back-at slide with a countdown is on air, the countdown text is kept current
each second.

What is on air comes from OBS (`Program`): its program scene is read on every (re)connect and on
each CurrentProgramSceneChanged; a slide is on air only while that is the slides scene. After a
push, OBS is asked whether it could load the image (a remote OBS cannot read the desk's files).
Whether OBS streams or records (`broadcasting`: its program goes out) comes from the stream
readings and, for recording, from OBS asked on each connect and its RecordStateChanged.

Every switch, push, back to live, stream end and connection loss (and its return) goes on the
timeline. Nothing is ever pushed again on its own: a push that failed stays failed.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

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
from commsdesk.broadcast.program import (
    OnAir,
    Program,
    not_loaded_text,
    push_failure_text,
    put_up_words,
)
from commsdesk.broadcast.stream_health import StreamHealth
from commsdesk.broadcast.ui.obs_link import ObsFactory, ObsLink
from commsdesk.broadcast.ui.rendering import Rendering, SlideDrawer
from commsdesk.broadcast.ui.stream_watch import StreamWatch
from commsdesk.clock import utc_now
from commsdesk.slides.slide_kinds import BackAt, SlideRequest, countdown_text
from commsdesk.timeline.chain import EventKind
from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.lanes import Lane

log = logging.getLogger(__name__)

COUNTDOWN_EVERY_MS = 1000
SCENE_EVENTS = {
    "CurrentProgramSceneChanged",
    "CurrentPreviewSceneChanged",
    "SceneListChanged",
    "StudioModeStateChanged",
}


class BroadcastBridge(QObject):
    status_changed = Signal(object)  # ConnectionStatus
    scenes_changed = Signal(object)  # SceneList
    thumbnail = Signal(object)  # QImage of the program output
    health_changed = Signal(object)  # StreamHealth | None (None: no reading, not connected)
    on_air_changed = Signal(object)  # Program: what OBS has on air, as far as the desk knows
    broadcasting_changed = Signal(bool)  # OBS streams or records, as far as the desk knows
    place_known = Signal()  # whether OBS runs on this machine is known (`obs_local`)
    rendered = Signal(object)  # Rendering
    render_failed = Signal(int, str)  # generation, the sentence to show
    failed = Signal(str, str)  # title, message: an action did not happen
    alert = Signal(str, str)  # title, message: worth a tray notification
    done = Signal(str)  # a short line for the status bar

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
        self.link = ObsLink(self.settings, obs_lane, factory, self)
        self.drawer = SlideDrawer(self.settings, slides_lane, self)
        self.stream = StreamWatch(self.link, desk_bridge, self)
        self.scenes: SceneList | None = None
        self.program = Program()
        self._was_connected = False
        self._lost = False
        self._prepared = False  # prepare_slides done on this connection
        self._countdown_pending = False
        self._countdown_sent = ""
        self._recording = False  # OBS records, as it last said
        self.broadcasting = False  # OBS streams or records: what its program shows goes out
        self.link.status_changed.connect(self._on_status)
        self.link.event.connect(self._on_event)
        self.link.thumbnail.connect(self.thumbnail)
        self.link.place_known.connect(self.place_known)
        self.link.replacing.connect(self._forget_obs)
        self.link.failed.connect(self.failed)
        self.drawer.rendered.connect(self.rendered)
        self.drawer.render_failed.connect(self.render_failed)
        self.stream.health_changed.connect(self.health_changed)
        self.stream.health_changed.connect(lambda _health: self._follow_outputs())
        self.stream.failed.connect(self.failed)
        self.stream.done.connect(self.done)
        self._countdown_timer = QTimer(self, interval=COUNTDOWN_EVERY_MS)
        self._countdown_timer.timeout.connect(self._tick_countdown)

    # --- life ------------------------------------------------------------------------------
    @property
    def obs(self) -> ObsController | None:
        return self.link.obs

    @property
    def status(self) -> ConnectionStatus:
        return self.link.status

    @property
    def connected(self) -> bool:
        return self.link.connected

    @property
    def obs_local(self) -> bool | None:
        """OBS runs on this machine, so it can read the slide files (None: not known yet)."""
        return self.link.local

    @property
    def on_air(self) -> OnAir | None:
        """The desk's slide while OBS has it on air."""
        return self.program.on_air

    @property
    def health(self) -> StreamHealth | None:
        return self.stream.health

    def start(self, password: str | None = None) -> None:
        """Make the controller on the OBS lane and start connecting (after the first paint)."""
        self.link.start(password)

    def reconnect(self, password: str | None = None) -> None:
        self.link.reconnect(password)

    def apply_settings(self, host: str, port: int, password: str | None) -> None:
        """New host, port and (when given) password: saved, then a fresh connection."""
        self.link.apply(host, port, password)
        self.desk_bridge.lane.submit(self.settings.save, self.settings.snapshot())

    def _forget_obs(self) -> None:
        """Another OBS from now on: nothing known of the last one holds."""
        self._disconnected()
        self._was_connected = self._lost = False
        self._set_program(Program())
        self.scenes = None
        self.scenes_changed.emit(SceneList((), None))

    def close(self) -> None:
        """Stop timers and end the connection (on the OBS lane); safe to call twice."""
        self.stream.stop()
        self._countdown_timer.stop()
        self.link.close()

    # --- the connection --------------------------------------------------------------------
    def _on_status(self, status: ConnectionStatus) -> None:
        was_connected = self._was_connected
        self.status_changed.emit(status)
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
            # Until OBS says what its program is, the desk does not know what is on air.
            self._set_program(replace(self.program, reachable=True, scene=None))
            self.refresh_scenes()
            self.stream.start()
            self._read_recording()
            return
        if status.state is ConnectionState.CONNECTING or not was_connected:
            return
        self._was_connected = False
        live = self.stream.live
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
        self._prepared = False
        self._countdown_pending = False
        self._recording = False  # not known now: asked again on the next connect
        self._set_program(self.program.lost())
        self.stream.stop()
        self._follow_outputs()

    def _on_event(self, kind: str, data: dict) -> None:
        if kind == "CurrentProgramSceneChanged":
            self._read_program(data.get("sceneName"))
        if kind in SCENE_EVENTS:
            self.refresh_scenes()
        elif kind == "StreamStateChanged":
            self.stream.on_stream_event(data)
            self.stream.read()
        elif kind == "RecordStateChanged":
            active = data.get("outputActive")
            if isinstance(active, bool):
                self._recording = active
                self._follow_outputs()
            else:
                self._read_recording()

    # --- streaming or recording ------------------------------------------------------------
    def _read_recording(self) -> None:
        obs = self.obs
        if obs is None:
            return

        def told(recording: bool) -> None:
            if obs is self.obs and self.connected:
                self._recording = bool(recording)
                self._follow_outputs()

        self.link.call(obs.recording(), told, lambda exc: log.info("recording: %s", exc))

    def _follow_outputs(self) -> None:
        """`broadcasting` from what OBS last said of its stream and its recording."""
        broadcasting = self.connected and (self.stream.live or self._recording)
        if broadcasting != self.broadcasting:
            self.broadcasting = broadcasting
            self.broadcasting_changed.emit(broadcasting)

    # --- the timeline ----------------------------------------------------------------------
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
        if self.obs is None or not self.connected:
            self.failed.emit(title, f"OBS is not connected ({self.status.state}).")
            return None
        return self.obs

    # --- what is on air --------------------------------------------------------------------
    def _set_program(self, program: Program) -> None:
        self.program = program
        current = program.on_air
        if current is not None and current.countdown:
            self._countdown_timer.start()
        else:
            self._countdown_timer.stop()
        self.on_air_changed.emit(program)

    def _read_program(self, scene: str | None) -> None:
        """OBS says `scene` is its program: on air follows; on coming to the slides scene, ask
        which file it shows (it may not be the desk's slide: another desk, a restart)."""
        if not self.connected:
            return
        before = self.program
        self._set_program(before.read(scene, utc_now()))
        if scene != SLIDES_SCENE or before.slide_on_air:
            return
        self._read_slide_file()

    def _read_slide_file(self) -> None:
        """Ask OBS which file the slides scene shows: the desk's slide, or another's."""
        obs = self.obs
        if obs is None:
            return

        def showing(file: str) -> None:
            if obs is self.obs and self.program.slide_on_air:
                self._set_program(self.program.showing_file(file))
                if self.program.other_file:
                    self._who_put_up(file)

        self.link.call(obs.slide_file(), showing, lambda exc: log.info("slide file: %s", exc))

    def slides_pushed_elsewhere(self, events: list) -> None:
        """Timeline events from any desk or the command line: a slide put on air other than
        this window's own while its slide is up means OBS may show another now, so which file
        it shows is read again (this window stops writing its countdown over another's)."""
        mine = self.program.slide
        if not self.connected or not self.program.slide_on_air:
            return
        if any(e.kind == EventKind.BROADCAST_SLIDE
               and (mine is None or e.data.get("file") != mine.path.name) for e in events):
            self._read_slide_file()

    def _who_put_up(self, file: str) -> None:
        """A slide this window did not push: the timeline may say who did (the command line, a
        drill, a desk before a restart)."""
        if self.desk_bridge.desk is None:
            return
        from commsdesk.desk import Desk  # not at module level: see DeskBridge

        def read(events) -> None:
            words = put_up_words(file, events)
            if words:
                self._set_program(self.program.told(file, words))

        self.desk_bridge.query(Desk.timeline, kinds=[str(EventKind.BROADCAST_SLIDE)], limit=50,
                               on_done=read, on_error=lambda exc: log.info("slide: %s", exc),
                               key="slide-put-up")  # fmt: skip

    # --- scenes ----------------------------------------------------------------------------
    def refresh_scenes(self) -> None:
        obs = self.obs
        if obs is None:
            return

        def listed(scenes: SceneList) -> None:
            if obs is self.obs:
                self.scenes = scenes
                self.scenes_changed.emit(scenes)
                self._read_program(scenes.program)

        self.link.call(obs.scenes(), listed, lambda exc: log.info("scene list: %s", exc))

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

        self.link.call(obs.switch_scene(name), switched, refused)

    # --- slides ----------------------------------------------------------------------------
    def render(
        self, request: SlideRequest, fold: int | None = None, now: datetime | None = None
    ) -> int:
        """Draw the slide on the slides lane (latest wins); its generation number, which comes
        back with `rendered` or `render_failed`. The slide on air, or the desk's last one while
        the program is another scene (it may come back on air), is never pruned."""
        mine = self.program.slide or self.program.last
        keep = (mine.path,) if mine is not None else ()
        return self.drawer.render(request, fold, now or utc_now(), keep)

    def push(self, rendering: Rendering) -> None:
        """Put the rendered PNG on air (creating the slides scene first on this connection),
        then ask OBS whether it could load it."""
        obs = self.obs
        if obs is None or not self.connected:
            self._push_failed(rendering, ObsError("not_connected",
                                                  f"OBS is not connected ({self.status.state})"))
            return
        countdown = None
        if isinstance(rendering.slide, BackAt) and rendering.countdown_box is not None:
            countdown = countdown_text(rendering.slide.at, utc_now())

        def pushed(result: PushResult) -> None:
            self._prepared = True
            slide = OnAir(
                rendering.slide, rendering.path, rendering.alt, result.return_scene,
                countdown is not None and result.countdown, utc_now(),
            )  # fmt: skip
            self._countdown_sent = countdown or ""
            self._set_program(self.program.pushed(slide, utc_now()))
            source = f" (from {result.return_scene})" if result.return_scene else ""
            self._record(
                EventKind.BROADCAST_SLIDE,
                f"Slide on air: {on_air.headline(rendering.slide)}{source}",
                {"kind": rendering.slide.kind.value, "file": rendering.path.name,
                 "return_scene": result.return_scene},
            )  # fmt: skip
            self.done.emit(f"Slide on air: {on_air.headline(rendering.slide)}")
            self.link.call(obs.slide_loaded(str(rendering.path)),
                           lambda loaded: self._loaded(obs, slide, loaded),
                           lambda exc: log.info("slide load check: %s", exc))  # fmt: skip

        def send(_: object = None) -> None:
            if obs is not self.obs:
                self._push_failed(rendering, ObsError("not_connected",
                                                      "the connection to OBS changed"))
                return
            self._prepared = True
            self.link.call(
                obs.push_slide(str(rendering.path), countdown), pushed,
                lambda exc: self._push_failed(rendering, exc),
            )  # fmt: skip

        if self._prepared:
            send()
        else:
            self.link.call(obs.prepare_slides(), send,
                           lambda exc: self._push_failed(rendering, exc))  # fmt: skip

    def _loaded(self, obs: ObsController, slide: OnAir, loaded: bool | None) -> None:
        current = self.program.slide
        if obs is not self.obs or loaded is None or current is None or current.path != slide.path:
            return
        self._set_program(replace(self.program, slide=replace(current, loaded=loaded)))
        if not loaded:
            message = not_loaded_text(slide.path, self.link.host, self.obs_local)
            self._record(EventKind.BROADCAST_FAILED,
                         f"Slide blank in OBS: {on_air.headline(slide.slide)}: OBS could not "
                         f"load {slide.path}")  # fmt: skip
            self.failed.emit("Slide blank in OBS", message)
            self.alert.emit("Slide blank in OBS", message)

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
            self._read_program(scene)
            self._record(EventKind.BROADCAST_LIVE, f"Back to live: {scene}", {"scene": scene})
            self.done.emit(f"Back to live: {scene}")

        self.link.call(
            obs.back_to_live(), back,
            lambda exc: self.failed.emit("Not back to live", str(exc)),
        )  # fmt: skip

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

        self.link.call(obs.set_countdown(text), sent, lost)
