"""The desk's OBS connection: simpleobsws on its own asyncio loop, in its own thread (the OBS lane).

Every public method hands a coroutine to that loop and returns a `concurrent.futures.Future` at
once; nothing here ever blocks the caller. Listeners (state changes, OBS events, thumbnails) are
called on the OBS thread.

Connecting: a TCP/websocket connect and obs-websocket's Hello + Identify must complete within
`answer_timeout` (5 s), else the state is NOT_ANSWERING. OBS closing with 4009 is a wrong
password: one clear state and no more attempts until `reconnect()`. Other failures retry with a
backoff of 1, 2, 4, 8, then 10 s. While connected a heartbeat (GetStats every 2 s, answered
within the remaining 3 s) notices a frozen OBS within 5 s. A request answered with 207 (OBS not
ready yet) is retried after a short delay.

Nothing is queued across connections: a call made while disconnected fails at once with
"not_connected", and one in flight when the connection ends fails with "connection_lost". A push
is therefore never replayed by a reconnect.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import threading
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import Future
from dataclasses import replace
from typing import Any, TypeVar

import simpleobsws
import websockets

from commsdesk.broadcast.obs import batches
from commsdesk.broadcast.obs.api import (
    COUNTDOWN_INPUT,
    EVENTS,
    SLIDE_INPUT,
    SLIDES_SCENE,
    ConnectionState,
    ConnectionStatus,
    EventListener,
    ObsError,
    PushResult,
    SceneList,
    StateListener,
    StreamReading,
    StreamService,
    ThumbnailListener,
)
from commsdesk.broadcast.obs.batches import ObsRequest
from commsdesk.keyring_secrets import ENV_OBS_PASSWORD

log = logging.getLogger(__name__)
T = TypeVar("T")

ANSWER_TIMEOUT = 5.0
HEARTBEAT_EVERY = 2.0
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 10.0
NOT_READY_DELAY = 0.25
NOT_READY_TRIES = 12  # 207 answers retried for about 3 s
THUMBNAIL_EVERY = 1.0
CLOSE_AUTH_FAILED = 4009
CLOSE_UNSUPPORTED_RPC = 4010
CLOSE_GOING_AWAY = 1001  # OBS shutting down its server
STATUS_NOT_READY = 207
STATUS_NOT_FOUND = 600

_SLIDES_NAMES = {SLIDES_SCENE, SLIDE_INPUT, COUNTDOWN_INPUT}
PASSWORD_REFUSED = {ConnectionState.WRONG_PASSWORD, ConnectionState.NO_PASSWORD}
FRAMES_BEFORE_CHECK = 2  # OBS applies new source settings on its next frame
LOAD_CHECK_TIMEOUT = 3.0  # an OBS rendering no frames for this long cannot tell


class _DebugOnlyJson:
    """simpleobsws speaks msgpack and uses json only to pretty-print every message it sends or
    receives for its debug log, and it does so before asking whether that log is on. Python's
    encoder runs in Python when it indents: several milliseconds for a scene or input list,
    each holding the GIL the UI thread needs. Its `json` is this, which only encodes for a log
    that will be written."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger

    def dumps(self, obj: Any, *args: Any, **kwargs: Any) -> str:
        if not self._logger.isEnabledFor(logging.DEBUG):
            return "(not encoded: debug log off)"
        return json.dumps(obj, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(json, name)


simpleobsws.json = _DebugOnlyJson(simpleobsws.log)


class _Session:
    """One identified websocket connection; `closed` completes when it ends."""

    def __init__(self, client: simpleobsws.WebSocketClient, closed: asyncio.Future) -> None:
        self.client = client
        self.closed = closed


class ObsConnection:
    """`ObsController` over obs-websocket v5. `start()` connects; `close()` ends the lane."""

    def __init__(
        self,
        host: str,
        port: int,
        password: str = "",
        *,
        reconnect: bool = True,
        answer_timeout: float = ANSWER_TIMEOUT,
        heartbeat_every: float = HEARTBEAT_EVERY,
    ) -> None:
        self.host = host
        self.port = port
        self._password = password
        self._auto_reconnect = reconnect
        self.answer_timeout = answer_timeout
        self.heartbeat_every = heartbeat_every
        self.attempts = 0  # connection attempts so far
        self.available_requests: frozenset[str] = frozenset()
        self._status = ConnectionStatus(ConnectionState.DISCONNECTED)
        self._status_lock = threading.Lock()
        self._failing: str | None = None  # the failure logged while retrying, said once
        self._state_listeners: list[StateListener] = []
        self._event_listeners: list[EventListener] = []
        self._session: _Session | None = None
        self._runner: asyncio.Task | None = None
        self._wake: asyncio.Event | None = None
        self._closing = False
        self._exiting = False
        self._program_scene: str | None = None
        self._return_scene: str | None = None
        self._slides_ready = False
        self._has_countdown = False
        self._canvas = (1920, 1080)
        self._target_fps = 0.0
        self._thumbnail_listener: ThumbnailListener | None = None
        self._thumbnail_width = 320
        self._thumbnail_task: asyncio.Task | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="obs-lane", daemon=True)
        self._thread.start()

    # -- the lane -----------------------------------------------------------------------------

    def _submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        if self._loop.is_closed() or self._closing:
            coro.close()
            future: Future[T] = Future()
            future.set_exception(ObsError("not_connected", "The OBS connection is closed."))
            return future
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn, *args)

    # -- state and listeners ------------------------------------------------------------------

    @property
    def status(self) -> ConnectionStatus:
        with self._status_lock:
            return self._status

    def add_state_listener(self, listener: StateListener) -> None:
        self._state_listeners.append(listener)

    def add_event_listener(self, listener: EventListener) -> None:
        self._event_listeners.append(listener)

    def _set_status(self, status: ConnectionStatus) -> None:
        with self._status_lock:
            if status == self._status:
                return
            self._status = status
        # Retrying every few seconds on the same failure is logged once, not twice a retry.
        retrying = status.state is ConnectionState.CONNECTING and self._failing is not None
        again = status.state is ConnectionState.UNREACHABLE and status.detail == self._failing
        if status.state is ConnectionState.UNREACHABLE:
            self._failing = status.detail
        elif not retrying:
            self._failing = None
        log.log(logging.DEBUG if retrying or again else logging.INFO, "OBS %s:%s: %s %s",
                self.host, self.port, status.state, status.detail)  # fmt: skip
        for listener in list(self._state_listeners):
            try:
                listener(status)
            except Exception:  # a listener's fault must not stop the lane
                log.exception("OBS state listener failed")

    def _where(self) -> str:
        return f"{self.host}:{self.port}"

    # -- life ---------------------------------------------------------------------------------

    def start(self) -> None:
        self._call_soon(self._start_runner)

    def reconnect(self, password: str | None = None) -> None:
        def again() -> None:
            if password is not None:
                self._password = password
            if self._runner is None or self._runner.done():
                self._start_runner()
            elif self._wake is not None:
                self._wake.set()

        self._call_soon(again)

    def _start_runner(self) -> None:
        if self._closing or (self._runner is not None and not self._runner.done()):
            return
        self._wake = asyncio.Event()
        self._runner = self._loop.create_task(self._run())

    def close(self, timeout: float = 5.0) -> None:
        """Disconnect and end the lane; afterwards every call fails with "not_connected"."""
        if self._loop.is_closed():
            return
        self._closing = True

        async def shut() -> None:
            for task in (self._runner, self._thumbnail_task):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(BaseException):
                        await task
            session = self._session
            if session is not None:
                await self._drop(session)
            # Calls still running (a load check waiting for frames) end now, as cancelled.
            others = asyncio.all_tasks() - {asyncio.current_task()}
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        if self._thread.is_alive():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(shut(), self._loop).result(timeout)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()
        self._set_status(ConnectionStatus(ConnectionState.DISCONNECTED, "closed by the desk"))

    async def _run(self) -> None:
        delay = BACKOFF_FIRST
        while not self._closing:
            self.attempts += 1
            self._set_status(
                ConnectionStatus(ConnectionState.CONNECTING, f"connecting to {self._where()}")
            )
            was_connected, outcome = await self._one_session()
            if self._closing:
                return
            if was_connected:
                delay = BACKOFF_FIRST
            if outcome.state in PASSWORD_REFUSED or not self._auto_reconnect:
                self._set_status(outcome)
                return
            self._set_status(replace(outcome, retry_in=delay))
            assert self._wake is not None
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            delay = min(delay * 2, BACKOFF_MAX)

    async def _one_session(self) -> tuple[bool, ConnectionStatus]:
        """Connect, identify, then serve until the connection ends: (was connected, why)."""
        where = self._where()
        client = simpleobsws.WebSocketClient(url=f"ws://{where}", password=self._password)
        client.register_event_callback(self._on_event)
        self._exiting = False
        self._slides_ready = False
        deadline = self._loop.time() + self.answer_timeout  # to connect and be identified
        try:
            await asyncio.wait_for(client.connect(), self.answer_timeout)
        except TimeoutError:
            await self._abort(client, graceful=False)
            return False, ConnectionStatus(
                ConnectionState.NOT_ANSWERING,
                f"{where} took the connection but did not answer within "
                f"{self.answer_timeout:g} s",
            )
        except OSError as exc:
            return False, ConnectionStatus(
                ConnectionState.UNREACHABLE,
                f"nothing answers at {where} ({exc.strerror or exc}); is OBS running with its "
                "WebSocket server on?",
            )
        except Exception as exc:  # websockets' handshake errors: not an obs-websocket server
            await self._abort(client)
            return False, ConnectionStatus(
                ConnectionState.UNREACHABLE, f"{where} does not speak obs-websocket ({exc})"
            )
        remaining = max(0.1, deadline - self._loop.time())
        closed = self._loop.create_future()
        client.recv_task.add_done_callback(lambda _: closed.done() or closed.set_result(None))
        identified = asyncio.ensure_future(client.wait_until_identified(remaining + 1))
        done, _ = await asyncio.wait(
            {identified, closed}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
        )
        if not (identified in done and identified.result()):
            identified.cancel()
            code = client.ws.close_code if client.ws is not None else None
            was_closed = closed.done()
            await self._abort(client, graceful=False)
            if code == CLOSE_AUTH_FAILED and not self._password:
                return False, ConnectionStatus(
                    ConnectionState.NO_PASSWORD,
                    f"OBS at {where} asks for a password; none is set (OBS settings… in the "
                    f"desk, or {ENV_OBS_PASSWORD})",
                )
            if code == CLOSE_AUTH_FAILED:
                return False, ConnectionStatus(
                    ConnectionState.WRONG_PASSWORD,
                    f"OBS at {where} refused the password; set the right one to try again",
                )
            if code == CLOSE_UNSUPPORTED_RPC:
                return False, ConnectionStatus(
                    ConnectionState.UNREACHABLE,
                    f"OBS at {where} does not speak obs-websocket v5; OBS 28 or newer is needed",
                )
            if was_closed:
                return False, ConnectionStatus(
                    ConnectionState.UNREACHABLE, f"{where} closed the connection (code {code})"
                )
            return False, ConnectionStatus(
                ConnectionState.NOT_ANSWERING,
                f"{where} did not complete obs-websocket's greeting within "
                f"{self.answer_timeout:g} s",
            )

        session = _Session(client, closed)
        self._session = session
        try:
            version, scenes, video = await self._batch(
                [ObsRequest("GetVersion"), ObsRequest("GetSceneList"),
                 ObsRequest("GetVideoSettings")]
            )  # fmt: skip
        except ObsError as exc:
            await self._drop(session)
            state = (
                ConnectionState.NOT_ANSWERING
                if exc.kind == "not_answering"
                else ConnectionState.UNREACHABLE
            )
            return False, ConnectionStatus(state, f"OBS at {where}: {exc}")
        self.available_requests = frozenset(version.get("availableRequests") or ())
        self._program_scene = batches.scene_list_from(scenes).program
        self._canvas = (int(video.get("baseWidth") or 1920), int(video.get("baseHeight") or 1080))
        self._target_fps = batches.target_fps_from(video)
        obs_version, ws_version = version.get("obsVersion"), version.get("obsWebSocketVersion")
        self._set_status(
            ConnectionStatus(
                ConnectionState.CONNECTED,
                f"OBS {obs_version} (obs-websocket {ws_version}) at {where}",
                obs_version=obs_version,
                websocket_version=ws_version,
            )
        )
        try:
            return True, await self._serve(session)
        finally:
            await self._drop(session)

    async def _serve(self, session: _Session) -> ConnectionStatus:
        """Heartbeat until the connection ends or OBS stops answering."""
        heartbeat_timeout = max(0.5, self.answer_timeout - self.heartbeat_every)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(session.closed), self.heartbeat_every)
            if session.closed.done():
                break
            try:
                await self._call(ObsRequest("GetStats"), timeout=heartbeat_timeout)
            except ObsError as exc:
                if exc.kind == "not_answering":
                    return ConnectionStatus(
                        ConnectionState.NOT_ANSWERING,
                        f"OBS at {self._where()} stopped answering (no answer within "
                        f"{self.answer_timeout:g} s)",
                    )
                if exc.kind in ("connection_lost", "not_connected"):
                    break
        ws = session.client.ws
        if self._exiting or (ws is not None and ws.close_code == CLOSE_GOING_AWAY):
            return ConnectionStatus(ConnectionState.OBS_EXITING, "OBS is closing")
        return ConnectionStatus(
            ConnectionState.UNREACHABLE, f"the connection to OBS at {self._where()} was lost"
        )

    async def _drop(self, session: _Session) -> None:
        if self._session is session:
            self._session = None
        if not session.closed.done():
            session.closed.set_result(None)  # calls still waiting fail as "connection_lost"
        await self._abort(session.client)

    @staticmethod
    async def _abort(client: simpleobsws.WebSocketClient, *, graceful: bool = True) -> None:
        """Close; a peer that does not take the close at once (frozen, silent) is cut off."""
        ws = client.ws
        if client.recv_task is not None:
            client.recv_task.cancel()
        client.ws_open = False
        if ws is None:
            return
        try:
            if not graceful:
                raise TimeoutError
            await asyncio.wait_for(ws.close(), 0.5)
        except BaseException:  # noqa: BLE001 - a frozen or vanished peer: just drop it
            transport = getattr(ws, "transport", None)
            if transport is not None:
                transport.abort()

    async def _on_event(self, event_type: str, data: dict | None) -> None:
        data = data or {}
        if event_type == "ExitStarted":
            self._exiting = True
            self._set_status(ConnectionStatus(ConnectionState.OBS_EXITING, "OBS is closing"))
        elif event_type == "CurrentProgramSceneChanged":
            self._program_scene = data.get("sceneName")
        elif (
            event_type in ("SceneRemoved", "InputRemoved", "SceneItemRemoved")
            and (data.get("sceneName") in _SLIDES_NAMES or data.get("inputName") in _SLIDES_NAMES)
        ) or (
            event_type in ("SceneNameChanged", "InputNameChanged")
            and (data.get("oldSceneName") in _SLIDES_NAMES
                 or data.get("oldInputName") in _SLIDES_NAMES)
        ):  # fmt: skip
            self._slides_ready = False
        if event_type in EVENTS:
            for listener in list(self._event_listeners):
                try:
                    listener(event_type, data)
                except Exception:
                    log.exception("OBS event listener failed")

    # -- requests -----------------------------------------------------------------------------

    def _require_session(self) -> _Session:
        session = self._session
        if session is None or session.closed.done():
            state = self.status.state
            if session is not None or state is ConnectionState.CONNECTED:
                raise ObsError("not_connected", "The connection to OBS has just ended.")
            raise ObsError("not_connected", f"OBS is not connected ({state}).")
        return session

    async def _answered(self, session: _Session, coro: Coroutine, what: str, timeout: float):
        task = asyncio.ensure_future(coro)
        done, _ = await asyncio.wait(
            {task, session.closed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        lost = ObsError(
            "connection_lost",
            f"The connection to OBS ended before it answered {what}; it may or may not "
            "have been done.",
            request_type=what,
        )
        if task in done:
            try:
                return task.result()
            except simpleobsws.NotIdentifiedError:
                raise ObsError("not_connected", "Not connected to OBS.") from None
            except (websockets.exceptions.ConnectionClosed, OSError) as exc:
                # The socket went while the request was being written: OBS may have read it.
                raise lost from exc
        task.cancel()
        if session.closed.done():
            raise lost
        raise ObsError(
            "not_answering",
            f"OBS did not answer {what} within {timeout:g} s; it may or may not have been done.",
            request_type=what,
        )

    async def _call(self, request: ObsRequest, *, timeout: float | None = None) -> dict:
        session = self._require_session()
        for _ in range(NOT_READY_TRIES):
            response = await self._answered(
                session,
                session.client.call(
                    simpleobsws.Request(request.type, dict(request.data) or None), timeout=60
                ),
                request.type,
                timeout or self.answer_timeout,
            )
            if response.requestStatus.code != STATUS_NOT_READY:
                break
            await asyncio.sleep(NOT_READY_DELAY)
        if not response.ok():
            raise _refusal(request.type, response)
        return response.responseData or {}

    async def _batch(self, requests: Sequence[ObsRequest]) -> list[dict]:
        """One RequestBatch, halting at the first failure; the answers' data in order."""
        session = self._require_session()
        what = "+".join(r.type for r in requests)
        for _ in range(NOT_READY_TRIES):
            results = await self._answered(
                session,
                session.client.call_batch(
                    [simpleobsws.Request(r.type, dict(r.data) or None) for r in requests],
                    timeout=60,
                    halt_on_failure=True,
                ),
                what,
                self.answer_timeout,
            )
            failed = next((r for r in results if not r.ok()), None)
            if failed is None or failed.requestStatus.code != STATUS_NOT_READY:
                break
            await asyncio.sleep(NOT_READY_DELAY)
        if failed is not None:
            raise _refusal(failed.requestType, failed)
        if len(results) < len(requests):
            raise ObsError("refused", f"OBS answered only part of {what}.", request_type=what)
        return [r.responseData or {} for r in results]

    # -- the controller -----------------------------------------------------------------------

    def request(self, request: ObsRequest) -> Future[dict]:
        """Any single request (a built `ObsRequest`); its answer's data."""
        return self._submit(self._call(request))

    def scenes(self) -> Future[SceneList]:
        async def scenes() -> SceneList:
            return batches.scene_list_from(await self._call(ObsRequest("GetSceneList")))

        return self._submit(scenes())

    def switch_scene(self, name: str) -> Future[None]:
        async def switch() -> None:
            await self._call(batches.switch_scene(name))

        return self._submit(switch())

    async def _screenshot(self, scene: str, width: int, height: int | None) -> bytes:
        answer = await self._call(batches.program_screenshot(scene, width, height))
        data = answer.get("imageData") or ""
        return base64.b64decode(data.partition("base64,")[2] or data)

    def program_screenshot(self, width: int, height: int | None = None) -> Future[bytes]:
        async def shot() -> bytes:
            self._require_session()
            scene = batches.program_scene_from(
                await self._call(ObsRequest("GetCurrentProgramScene"))
            )
            return await self._screenshot(scene, width, height)

        return self._submit(shot())

    def watch_program(self, listener: ThumbnailListener | None, width: int = 320) -> None:
        def change() -> None:
            self._thumbnail_listener = listener
            self._thumbnail_width = width
            if listener is not None and (
                self._thumbnail_task is None or self._thumbnail_task.done()
            ):
                self._thumbnail_task = self._loop.create_task(self._thumbnails())

        self._call_soon(change)

    async def _thumbnails(self) -> None:
        while self._thumbnail_listener is not None:
            started = self._loop.time()
            scene = self._program_scene
            if self._session is not None and scene:
                try:
                    png = await self._screenshot(scene, self._thumbnail_width, None)
                except ObsError:
                    png = None
                listener = self._thumbnail_listener
                if png and listener is not None:
                    try:
                        listener(png)
                    except Exception:
                        log.exception("OBS thumbnail listener failed")
            await asyncio.sleep(max(0.0, THUMBNAIL_EVERY - (self._loop.time() - started)))

    async def _ensure_slides(self) -> None:
        if self._slides_ready:
            return
        scene_list, input_list, kinds, video = await self._batch(batches.inventory_requests())
        names = {s["sceneName"] for s in scene_list.get("scenes") or []}
        items = []
        if SLIDES_SCENE in names:
            answer = await self._call(
                ObsRequest("GetSceneItemList", {"sceneName": SLIDES_SCENE})
            )
            items = answer.get("sceneItems") or []
        text_kind = batches.choose_text_kind(kinds.get("inputKinds") or ())
        canvas = (int(video.get("baseWidth") or 1920), int(video.get("baseHeight") or 1080))
        inventory = batches.inventory_from(scene_list, input_list, items)
        try:
            setup = batches.slides_setup(inventory, text_kind, canvas[1])
        except batches.SlidesConflict as exc:
            raise ObsError("refused", str(exc)) from None
        if setup:
            answers = await self._batch(setup)
            added = {
                request.data.get("inputName") or request.data.get("sourceName"):
                    answer.get("sceneItemId")
                for request, answer in zip(setup, answers, strict=True)
                if request.type in ("CreateInput", "CreateSceneItem")
            }  # fmt: skip
            layout = batches.slides_layout(
                added.get(SLIDE_INPUT), added.get(COUNTDOWN_INPUT), canvas
            )
            if layout:
                await self._batch(layout)
        self._has_countdown = text_kind is not None
        self._slides_ready = True

    def prepare_slides(self) -> Future[None]:
        return self._submit(self._ensure_slides())

    def push_slide(self, image_path: str, countdown: str | None = None) -> Future[PushResult]:
        async def push() -> PushResult:
            for attempt in range(2):
                await self._ensure_slides()
                requests = batches.slide_push(
                    image_path, countdown, with_countdown=self._has_countdown
                )
                try:
                    answers = await self._batch(requests)
                    break
                except ObsError as exc:
                    # The slides scene or a source was removed in OBS since it was checked:
                    # create it again and push once more, on the same connection.
                    if exc.code != STATUS_NOT_FOUND or attempt:
                        raise
                    self._slides_ready = False
            previous = batches.program_scene_from(answers[0])
            if previous and previous != SLIDES_SCENE:
                self._return_scene = previous
                with contextlib.suppress(ObsError):
                    await self._call(batches.remember_return_scene(previous))
            return PushResult(self._return_scene, image_path, self._has_countdown)

        return self._submit(push())

    def slide_loaded(self, image_path: str) -> Future[bool | None]:
        async def check() -> bool | None:
            # OBS applies new settings to a source on its next frame: until then the size read
            # is the previous image's. Two frames rendered after the push, the answer is this one.
            started = batches.render_frames_from(await self._call(ObsRequest("GetStats")))
            deadline = self._loop.time() + LOAD_CHECK_TIMEOUT
            while True:
                frames = batches.render_frames_from(await self._call(ObsRequest("GetStats")))
                if frames >= started + FRAMES_BEFORE_CHECK:
                    break
                if self._loop.time() > deadline:
                    return None
                await asyncio.sleep(0.02)
            settings = await self._call(batches.slide_settings())
            if (settings.get("inputSettings") or {}).get("file") != image_path:
                return None  # another slide went up meanwhile
            item = await self._call(batches.slide_item_id())
            transform = await self._call(batches.slide_transform(item["sceneItemId"]))
            width, height = batches.source_size_from(transform)
            return width > 0 and height > 0

        return self._submit(check())

    def slide_file(self) -> Future[str]:
        async def read() -> str:
            answer = await self._call(batches.slide_settings())
            return str((answer.get("inputSettings") or {}).get("file") or "")

        return self._submit(read())

    def set_countdown(self, text: str) -> Future[None]:
        async def update() -> None:
            await self._call(batches.countdown_update(text))

        return self._submit(update())

    def back_to_live(self) -> Future[str]:
        async def back() -> str:
            scene = self._return_scene
            if scene is None:
                with contextlib.suppress(ObsError):
                    answer = await self._call(batches.recall_return_scene())
                    scene = answer.get("slotValue") or None
            if scene is None:
                raise ObsError("refused", "No slide was pushed, so there is no scene to return to.")
            for request in batches.back_to_live(scene):
                await self._call(request)
            return scene

        return self._submit(back())

    def stream_reading(self) -> Future[StreamReading]:
        async def reading() -> StreamReading:
            stream, stats = await self._batch(batches.stream_readings())
            return batches.stream_sample_from(
                stream, stats, at=self._loop.time(), target_fps=self._target_fps
            )

        return self._submit(reading())

    def stop_stream(self) -> Future[None]:
        async def stop() -> None:
            await self._call(ObsRequest("StopStream"))

        return self._submit(stop())

    def stream_service(self) -> Future[StreamService]:
        async def read() -> StreamService:
            answer = await self._call(ObsRequest("GetStreamServiceSettings"))
            return batches.stream_service_from(answer)

        return self._submit(read())

    def start_stream(self) -> Future[None]:
        async def start() -> None:
            await self._call(ObsRequest("StartStream"))

        return self._submit(start())

    def start_record(self) -> Future[None]:
        async def start() -> None:
            await self._call(ObsRequest("StartRecord"))

        return self._submit(start())

    def stop_record(self) -> Future[None]:
        async def stop() -> None:
            await self._call(ObsRequest("StopRecord"))

        return self._submit(stop())

    def recording(self) -> Future[bool]:
        async def ask() -> bool:
            return bool((await self._call(ObsRequest("GetRecordStatus"))).get("outputActive"))

        return self._submit(ask())


def _refusal(request_type: str, response: simpleobsws.RequestResponse) -> ObsError:
    status = response.requestStatus
    comment = status.comment or f"status {status.code}"
    return ObsError(
        "refused", f"OBS refused {request_type}: {comment}", code=status.code,
        request_type=request_type,
    )  # fmt: skip
