"""Synchronous OBS calls for the command line and scripts (never for the Qt UI thread).

`BlockingObs` connects once (no reconnecting), waits at most `timeout` for every answer, and
turns every failure into an `ObsError` whose message is one line for people:

    with BlockingObs("127.0.0.1", 4455, password) as obs:
        obs.push_slide("/path/slide.png", "Back at 18:30")
        ...
        obs.back_to_live()
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from commsdesk.broadcast.obs.api import (
    ConnectionState,
    ConnectionStatus,
    ObsError,
    ObsErrorKind,
    PushResult,
    SceneList,
    StreamReading,
)
from commsdesk.broadcast.obs.connection import ANSWER_TIMEOUT, ObsConnection
from commsdesk.broadcast.stream_health import StreamHealth, stream_health

T = TypeVar("T")
_SETTLED = {
    ConnectionState.CONNECTED,
    ConnectionState.WRONG_PASSWORD,
    ConnectionState.NO_PASSWORD,
    ConnectionState.UNREACHABLE,
    ConnectionState.NOT_ANSWERING,
    ConnectionState.OBS_EXITING,
}
_KIND: dict[ConnectionState, ObsErrorKind] = {
    ConnectionState.WRONG_PASSWORD: "wrong_password",
    ConnectionState.NO_PASSWORD: "wrong_password",
    ConnectionState.UNREACHABLE: "unreachable",
    ConnectionState.NOT_ANSWERING: "not_answering",
    ConnectionState.OBS_EXITING: "unreachable",
}


class BlockingObs:
    def __init__(
        self, host: str, port: int, password: str = "", *, timeout: float = ANSWER_TIMEOUT
    ) -> None:
        self.timeout = timeout
        self.connection = ObsConnection(
            host, port, password, reconnect=False, answer_timeout=timeout
        )
        self.status: ConnectionStatus = self.connection.status

    def open(self) -> BlockingObs:
        settled = threading.Event()

        def heard(status: ConnectionStatus) -> None:
            if status.state in _SETTLED:
                settled.set()

        self.connection.add_state_listener(heard)
        self.connection.start()
        # Connecting and identifying are each bounded by `timeout`; the margin covers the rest.
        settled.wait(self.timeout * 2 + 1)
        self.status = self.connection.status
        if not self.status.connected:
            self.connection.close()
            state = self.status.state
            if state not in _SETTLED:
                raise ObsError("not_answering", f"no answer from OBS within {self.timeout:g} s")
            raise ObsError(_KIND[state], self.status.detail)
        return self

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> BlockingObs:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait(self, future: Future[T]) -> T:
        try:
            return future.result(self.timeout * 3 + 1)
        except FutureTimeout:
            future.cancel()
            raise ObsError(
                "not_answering", f"no answer from OBS within {self.timeout:g} s"
            ) from None

    def scenes(self) -> SceneList:
        return self._wait(self.connection.scenes())

    def switch_scene(self, name: str) -> None:
        self._wait(self.connection.switch_scene(name))

    def program_screenshot(self, width: int, height: int | None = None) -> bytes:
        return self._wait(self.connection.program_screenshot(width, height))

    def prepare_slides(self) -> None:
        self._wait(self.connection.prepare_slides())

    def push_slide(self, image_path: str, countdown: str | None = None) -> PushResult:
        return self._wait(self.connection.push_slide(image_path, countdown))

    def slide_loaded(self, image_path: str) -> bool | None:
        return self._wait(self.connection.slide_loaded(image_path))

    def set_countdown(self, text: str) -> None:
        self._wait(self.connection.set_countdown(text))

    def back_to_live(self) -> str:
        return self._wait(self.connection.back_to_live())

    def stream_reading(self) -> StreamReading:
        return self._wait(self.connection.stream_reading())

    def stream_health(self) -> StreamHealth:
        return stream_health(None, self.stream_reading())

    def stop_stream(self) -> None:
        self._wait(self.connection.stop_stream())

    def stream_service(self):
        return self._wait(self.connection.stream_service())

    def start_stream(self) -> None:
        self._wait(self.connection.start_stream())

    def start_record(self) -> None:
        self._wait(self.connection.start_record())

    def stop_record(self) -> None:
        self._wait(self.connection.stop_record())

    def recording(self) -> bool:
        return self._wait(self.connection.recording())
