"""An in-memory OBS for tests of the desk: the `ObsController` interface, answered at once.

It keeps scenes, the program (and preview) scene, the slides scene and its sources, the
countdown text and a stream reading, and tells listeners as the real adapter does (on the
calling thread here). It runs on this machine: a slide loads when its file is a readable PNG.
Scripting: `set_state(...)` moves the connection, `fail_next(kind)` makes the next call fail with
an ObsError, `emit(event, data)` sends an OBS event, `reading` is what `stream_reading()` returns,
`restart(program)` is OBS started again (its program `program`, no events sent).
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any, TypeVar

from commsdesk.broadcast.obs.api import (
    COUNTDOWN_INPUT,
    SLIDE_INPUT,
    SLIDES_SCENE,
    ConnectionState,
    ConnectionStatus,
    EventListener,
    ObsError,
    ObsErrorKind,
    PushResult,
    SceneList,
    StateListener,
    StreamReading,
    StreamService,
    ThumbnailListener,
)
from commsdesk.broadcast.stream_health import StreamSample

T = TypeVar("T")


def _black_png() -> bytes:
    """A 1x1 black PNG, built with its checksums: what the fake "sees" on air."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\x00\x00\x00")  # filter byte, then one black pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(
        b"IEND", b""
    )


BLACK_PNG = _black_png()


class FakeObs:
    def __init__(self, scenes: tuple[str, ...] = ("Camera", "Screen")) -> None:
        self.scene_names = list(scenes)
        self.program: str | None = scenes[0] if scenes else None
        self.preview: str | None = None
        self.inputs: dict[str, dict[str, Any]] = {}
        self.reading: StreamReading = StreamSample(at=0.0, active=False, target_fps=30.0)
        self.calls: list[str] = []
        self.thumbnail_listener: ThumbnailListener | None = None
        self._status = ConnectionStatus(ConnectionState.DISCONNECTED)
        self._state_listeners: list[StateListener] = []
        self._event_listeners: list[EventListener] = []
        self._failures: list[ObsError] = []
        self._return_scene: str | None = None
        self.service = StreamService("rtmp_custom", "", "rtmp://127.0.0.1/live")
        self.records = False

    # -- scripting ----------------------------------------------------------------------------

    def set_state(self, state: ConnectionState, detail: str = "") -> None:
        connected = state is ConnectionState.CONNECTED
        self._status = ConnectionStatus(
            state, detail, obs_version="29.0.2" if connected else None,
            websocket_version="5.1.0" if connected else None,
        )  # fmt: skip
        for listener in list(self._state_listeners):
            listener(self._status)

    def fail_next(self, kind: ObsErrorKind, message: str = "", *, times: int = 1) -> None:
        for _ in range(times):
            self._failures.append(ObsError(kind, message or f"scripted failure: {kind}"))

    def restart(self, program: str) -> None:
        """OBS came back with `program` on air, as after a crash: nothing is announced."""
        self.program = program
        self._return_scene = None

    def emit(self, event_type: str, data: dict[str, Any] | None = None) -> None:
        for listener in list(self._event_listeners):
            listener(event_type, data or {})

    # -- the controller -----------------------------------------------------------------------

    @property
    def status(self) -> ConnectionStatus:
        return self._status

    def add_state_listener(self, listener: StateListener) -> None:
        self._state_listeners.append(listener)

    def add_event_listener(self, listener: EventListener) -> None:
        self._event_listeners.append(listener)

    def start(self) -> None:
        self.set_state(ConnectionState.CONNECTED, "fake OBS")

    def reconnect(self, password: str | None = None) -> None:
        self.start()

    def close(self) -> None:
        self.set_state(ConnectionState.DISCONNECTED, "closed by the desk")

    def _answer(self, name: str, fn: Any) -> Future:
        self.calls.append(name)
        future: Future = Future()
        try:
            if self._failures:
                raise self._failures.pop(0)
            if not self._status.connected:
                raise ObsError("not_connected", f"OBS is not connected ({self._status.state}).")
            future.set_result(fn())
        except ObsError as exc:
            future.set_exception(exc)
        return future

    def _set_program(self, name: str) -> None:
        if name not in self.scene_names:
            raise ObsError("refused", f"OBS refused SetCurrentProgramScene: no scene {name!r}",
                           code=600, request_type="SetCurrentProgramScene")
        if name != self.program:
            self.program = name
            self.emit("CurrentProgramSceneChanged", {"sceneName": name})

    def scenes(self) -> Future[SceneList]:
        return self._answer(
            "scenes", lambda: SceneList(tuple(self.scene_names), self.program, self.preview)
        )

    def switch_scene(self, name: str) -> Future[None]:
        return self._answer("switch_scene", lambda: self._set_program(name))

    def program_screenshot(self, width: int, height: int | None = None) -> Future[bytes]:
        return self._answer("program_screenshot", lambda: BLACK_PNG)

    def watch_program(self, listener: ThumbnailListener | None, width: int = 320) -> None:
        self.thumbnail_listener = listener
        if listener is not None and self._status.connected:
            listener(BLACK_PNG)

    def _ensure_slides(self) -> None:
        if SLIDES_SCENE not in self.scene_names:
            self.scene_names.append(SLIDES_SCENE)
            self.emit("SceneListChanged", {"scenes": list(self.scene_names)})
        self.inputs.setdefault(SLIDE_INPUT, {"file": ""})
        self.inputs.setdefault(COUNTDOWN_INPUT, {"text": ""})

    def prepare_slides(self) -> Future[None]:
        return self._answer("prepare_slides", self._ensure_slides)

    def push_slide(self, image_path: str, countdown: str | None = None) -> Future[PushResult]:
        def push() -> PushResult:
            self._ensure_slides()
            if self.program != SLIDES_SCENE:
                self._return_scene = self.program
            self.inputs[SLIDE_INPUT]["file"] = image_path
            self.inputs[COUNTDOWN_INPUT]["text"] = countdown or ""
            self._set_program(SLIDES_SCENE)
            return PushResult(self._return_scene, image_path, True)

        return self._answer("push_slide", push)

    def slide_loaded(self, image_path: str) -> Future[bool | None]:
        def loaded() -> bool | None:
            if self.inputs.get(SLIDE_INPUT, {}).get("file") != image_path:
                return None
            try:
                with open(image_path, "rb") as file:
                    return file.read(8) == b"\x89PNG\r\n\x1a\n"
            except OSError:
                return False

        return self._answer("slide_loaded", loaded)

    def slide_file(self) -> Future[str]:
        return self._answer("slide_file", lambda: self.inputs.get(SLIDE_INPUT, {}).get("file", ""))

    def set_countdown(self, text: str) -> Future[None]:
        def update() -> None:
            self._ensure_slides()
            self.inputs[COUNTDOWN_INPUT]["text"] = text

        return self._answer("set_countdown", update)

    def back_to_live(self) -> Future[str]:
        def back() -> str:
            if self._return_scene is None:
                raise ObsError("refused", "No slide was pushed, so there is no scene to return to.")
            self._set_program(self._return_scene)
            return self._return_scene

        return self._answer("back_to_live", back)

    def stream_reading(self) -> Future[StreamReading]:
        return self._answer("stream_reading", lambda: self.reading)

    def stop_stream(self) -> Future[None]:
        def stop() -> None:
            if not self.reading.active:
                raise ObsError("refused", "OBS refused StopStream: the stream is not running",
                               code=501, request_type="StopStream")
            self.reading = StreamSample(at=self.reading.at, active=False,
                                        target_fps=self.reading.target_fps)
            self.emit("StreamStateChanged",
                      {"outputActive": False, "outputState": "OBS_WEBSOCKET_OUTPUT_STOPPED"})

        return self._answer("stop_stream", stop)

    def stream_service(self) -> Future[StreamService]:
        return self._answer("stream_service", lambda: self.service)

    def start_stream(self) -> Future[None]:
        def start() -> None:
            if self.reading.active:
                raise ObsError("refused", "OBS refused StartStream: the stream is running",
                               code=500, request_type="StartStream")
            self.reading = StreamSample(at=self.reading.at, active=True,
                                        target_fps=self.reading.target_fps)
            self.emit("StreamStateChanged",
                      {"outputActive": True, "outputState": "OBS_WEBSOCKET_OUTPUT_STARTED"})

        return self._answer("start_stream", start)

    def start_record(self) -> Future[None]:
        def start() -> None:
            self.records = True
            self.emit("RecordStateChanged",
                      {"outputActive": True, "outputState": "OBS_WEBSOCKET_OUTPUT_STARTED"})

        return self._answer("start_record", start)

    def stop_record(self) -> Future[None]:
        def stop() -> None:
            if not self.records:
                raise ObsError("refused", "StopRecord refused: Not recording.")
            self.records = False
            self.emit("RecordStateChanged",
                      {"outputActive": False, "outputState": "OBS_WEBSOCKET_OUTPUT_STOPPED"})

        return self._answer("stop_record", stop)

    def recording(self) -> Future[bool]:
        return self._answer("recording", lambda: self.records)
