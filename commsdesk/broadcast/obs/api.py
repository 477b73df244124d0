"""What the desk needs from OBS Studio, as plain types: no Qt, no network.

The controller (`ObsController`) is what the Broadcast panel and the command line talk to; the
real one is `connection.ObsConnection` (obs-websocket v5 on its own thread), the test one
`fake.FakeObs`. Every call returns a `concurrent.futures.Future` at once and never blocks the
caller. State changes and OBS events arrive through plain callbacks, called on the OBS thread
(a Qt bridge re-emits them as signals).

Every failure is one `ObsError` whose `kind` says what happened; the careful one is
"connection_lost": the request was sent and the connection ended before the answer, so OBS may or
may not have done it. Nothing is ever sent again on its own after a reconnect.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, Protocol

from commsdesk.broadcast.stream_health import StreamSample

DEFAULT_PORT = 4455
SLIDES_SCENE = "CommsDesk Slides"
SLIDE_INPUT = "CommsDesk Slide"
COUNTDOWN_INPUT = "CommsDesk Countdown"

# The OBS events passed on to listeners (obs-websocket v5 names).
EVENTS = (
    "CurrentProgramSceneChanged",
    "CurrentPreviewSceneChanged",
    "SceneListChanged",
    "StudioModeStateChanged",
    "StreamStateChanged",
    "RecordStateChanged",
    "ExitStarted",
)


class ConnectionState(StrEnum):
    DISCONNECTED = "disconnected"  # not started, or closed by the desk
    CONNECTING = "connecting"
    CONNECTED = "connected"
    WRONG_PASSWORD = "wrong password"  # OBS refused the password: no retry until it changes
    NO_PASSWORD = "no password"  # OBS asks for a password and none is set: no retry either
    UNREACHABLE = "unreachable"  # nothing listens there, or the connection broke
    NOT_ANSWERING = "not answering"  # connected, and no answer within the time allowed
    OBS_EXITING = "OBS exiting"  # OBS said it is closing (ExitStarted / close frame)


@dataclass(frozen=True)
class ConnectionStatus:
    state: ConnectionState
    detail: str = ""  # one line for people: why, or what is next
    obs_version: str | None = None  # when connected
    websocket_version: str | None = None
    retry_in: float | None = None  # seconds until the next attempt, when one is planned

    @property
    def connected(self) -> bool:
        return self.state is ConnectionState.CONNECTED


ObsErrorKind = Literal[
    "not_connected",  # nothing was sent: there is no connection now
    "unreachable",  # could not connect at all
    "wrong_password",
    "not_answering",  # sent, and no answer in time: OBS may have done it
    "connection_lost",  # sent, and the connection ended before the answer: OBS may have done it
    "refused",  # OBS answered and refused (no such scene, stream not running...)
    "unsupported",  # this OBS lacks what the call needs
]


class ObsError(Exception):
    """A failed call. `code` is obs-websocket's request status (600: no such resource)."""

    def __init__(
        self,
        kind: ObsErrorKind,
        message: str,
        *,
        code: int | None = None,
        request_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind: ObsErrorKind = kind
        self.message = message
        self.code = code
        self.request_type = request_type


@dataclass(frozen=True)
class SceneList:
    """Scenes top to bottom as OBS lists them; the preview is set only in studio mode."""

    scenes: tuple[str, ...]
    program: str | None
    preview: str | None = None

    @property
    def studio_mode(self) -> bool:
        return self.preview is not None


@dataclass(frozen=True)
class PushResult:
    """A slide is on air; `return_scene` is where "back to live" goes."""

    return_scene: str | None
    image_path: str
    countdown: bool  # the countdown text source exists and was set


@dataclass(frozen=True)
class StreamService:
    """Where OBS streams to, as its settings say, without the stream key (never read out)."""

    kind: str  # OBS's service type: "rtmp_common" (a listed platform) or "rtmp_custom"
    service: str  # the platform's name for rtmp_common ("YouTube - RTMPS"), else ""
    server: str  # the ingest URL ("rtmps://a.rtmp.youtube.com:443/live2"), or "auto"


# A stream-health reading is the domain's sample (see commsdesk.broadcast.stream_health).
StreamReading = StreamSample

StateListener = Callable[[ConnectionStatus], None]
EventListener = Callable[[str, dict[str, Any]], None]  # (event type, event data)
ThumbnailListener = Callable[[bytes], None]  # a PNG of the program output


class ObsController(Protocol):
    """The desk's OBS. Calls return futures at once; a failed call's future holds an ObsError."""

    @property
    def status(self) -> ConnectionStatus: ...

    def add_state_listener(self, listener: StateListener) -> None: ...

    def add_event_listener(self, listener: EventListener) -> None: ...

    def start(self) -> None:
        """Begin connecting; reconnect with backoff until closed (not after a wrong password)."""

    def reconnect(self, password: str | None = None) -> None:
        """Try again now (after a wrong password: with the new one)."""

    def close(self) -> None: ...

    def scenes(self) -> Future[SceneList]: ...

    def switch_scene(self, name: str) -> Future[None]: ...

    def program_screenshot(self, width: int, height: int | None = None) -> Future[bytes]:
        """A PNG of what is on air now."""

    def watch_program(self, listener: ThumbnailListener | None, width: int = 320) -> None:
        """Thumbnails of the program output to `listener`, at most one per second; None stops."""

    def prepare_slides(self) -> Future[None]:
        """Create the slides scene and its sources if missing; other scenes are never touched."""

    def push_slide(self, image_path: str, countdown: str | None = None) -> Future[PushResult]:
        """Show the PNG at `image_path` (with `countdown` text, or none) on air, in one batch."""

    def slide_loaded(self, image_path: str) -> Future[bool | None]:
        """After a push: did OBS load the image at `image_path`? True when its image source
        has a size, False when it has none (OBS could not read the file), None when OBS could
        not tell (it rendered no frame in time, or the slide was replaced meanwhile)."""

    def slide_file(self) -> Future[str]:
        """The file the slides scene's image source shows ("" when none)."""

    def set_countdown(self, text: str) -> Future[None]: ...

    def back_to_live(self) -> Future[str]:
        """Return to the scene that was on before the first push; its name."""

    def stream_reading(self) -> Future[StreamReading]: ...

    def stop_stream(self) -> Future[None]: ...

    def stream_service(self) -> Future[StreamService]: ...

    def start_stream(self) -> Future[None]: ...

    def start_record(self) -> Future[None]:
        """Record to OBS's recording path instead of streaming (a drill's go-live)."""
        ...

    def stop_record(self) -> Future[None]:
        """Stop recording (the end of a drill that recorded instead of streaming)."""
        ...

    def recording(self) -> Future[bool]:
        """Whether OBS is recording now."""
