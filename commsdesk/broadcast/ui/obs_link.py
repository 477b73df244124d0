"""The Broadcast bridge's line to OBS: one controller at a time, between the Qt UI thread and it.

The controller is made by a factory on the OBS lane (it reads the password from the keyring,
which can take a while), then started; whether OBS runs on this machine is found out there too.
The controller's listeners run on the OBS thread; here they become queued signals, and only those
of the current controller get through. Every call's future comes back on the UI thread through
one queued signal carrying (future, on_done, on_error), so callbacks never run on the OBS thread.
Thumbnails of the program are decoded and fitted to the panel's box on the OBS thread; the UI
thread only shows them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage

from commsdesk.broadcast.obs.api import ConnectionState, ConnectionStatus, ObsController, ObsError
from commsdesk.ui.lanes import Lane

log = logging.getLogger(__name__)

THUMBNAIL_FRAME = (256, 144)  # the panel's picture of the program, border included
THUMBNAIL_BOX = (252, 142)  # inside the border: each picture fills it along one side
THUMBNAIL_WIDTH = THUMBNAIL_BOX[0]


def fit_to_box(image: QImage) -> QImage:
    """`image` scaled, up or down, to fill THUMBNAIL_BOX along one side, its aspect kept (to the
    nearest pixel). OBS is asked for the box's width, so a picture usually comes fitting and is
    kept as it is; any other size (a program of another shape, an OBS that sent another size)
    is scaled here, never shown smaller or larger than the box."""
    box_w, box_h = THUMBNAIL_BOX
    width, height = image.width(), image.height()
    scale = min(box_w / width, box_h / height)
    size = QSize(min(box_w, max(1, round(width * scale))),
                 min(box_h, max(1, round(height * scale))))  # fmt: skip
    if size == image.size():
        return image
    return image.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)  # fmt: skip


# (host, port, password or None for "the keyring's / COMMSDESK_OBS_PASSWORD") -> a controller.
ObsFactory = Callable[[str, int, "str | None"], ObsController]

NO_KEYRING = (
    "No system keyring works on this computer: the password is kept only until the desk "
    "closes. To keep it, set COMMSDESK_OBS_PASSWORD to it before starting the desk."
)


class ObsLink(QObject):
    status_changed = Signal(object)  # ConnectionStatus of the current controller
    event = Signal(str, object)  # an OBS event: type, data
    thumbnail = Signal(object)  # QImage of the program output, sized for the panel's frame
    place_known = Signal()  # `local` has been found out for the host now set
    replacing = Signal()  # the controller is let go for one to another host or port
    failed = Signal(str, str)  # title, message: a setting was not kept

    _obs_state = Signal(object, object)  # controller, ConnectionStatus (from the OBS thread)
    _obs_event = Signal(object, str, object)  # controller, event type, data
    _obs_thumbnail = Signal(object, object)  # controller, QImage
    _resolved = Signal(object)  # (future, on_done, on_error)

    def __init__(self, settings, obs_lane: Lane, factory: ObsFactory,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.settings = settings
        self.obs_lane = obs_lane
        self.factory = factory
        self.obs: ObsController | None = None
        self.status = ConnectionStatus(ConnectionState.DISCONNECTED, "not started")
        self.local: bool | None = None  # OBS runs on this machine (None: not known yet)
        self._starting = False
        self._closed = False
        self._obs_state.connect(self._on_state)
        self._obs_event.connect(self._on_event)
        self._obs_thumbnail.connect(self._on_thumbnail)
        self._resolved.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def connected(self) -> bool:
        return self.status.connected

    @property
    def host(self) -> str:
        return self.settings.get("obs_host")

    def start(self, password: str | None = None) -> None:
        """Make the controller on the OBS lane and start connecting."""
        if self.obs is not None or self._starting or self._closed:
            return
        self._starting = True
        host, port = self.host, self.settings.get("obs_port")
        self._set_status(
            ConnectionStatus(ConnectionState.CONNECTING, f"connecting to {host}:{port}")
        )
        from commsdesk.broadcast.obs.host import is_this_machine

        self.local = None
        self.obs_lane.submit(is_this_machine, host,
                             on_done=lambda local, h=host: self._placed(h, local))  # fmt: skip
        self.obs_lane.submit(
            self.factory, host, port, password, on_done=self._attach, on_error=self._not_made
        )

    def _placed(self, host: str, local: bool) -> None:
        if host == self.host:
            self.local = local
            self.place_known.emit()

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

    def apply(self, host: str, port: int, password: str | None) -> None:
        """New host, port and (when given) password, into the settings and the keyring; then
        a fresh connection (a new controller when host or port moved)."""
        moved = (host, port) != (self.host, self.settings.get("obs_port"))
        self.settings.set("obs_host", host)
        self.settings.set("obs_port", port)
        if password is not None:
            from commsdesk.keyring_secrets import store_obs_password

            self.obs_lane.submit(store_obs_password, password, on_error=self._password_not_kept)
        if moved or self.obs is None:
            self.replace(password)
        else:
            self.obs.reconnect(password)

    def _password_not_kept(self, exc: BaseException) -> None:
        from commsdesk.keyring_secrets import KeyringUnavailable

        title = "OBS password kept only until the desk closes"
        if isinstance(exc, KeyringUnavailable):
            self.failed.emit(title, "no system keyring works here. Set COMMSDESK_OBS_PASSWORD "
                                    "to keep it.")  # fmt: skip
        else:
            self.failed.emit(title, f"the keyring did not take it ({exc}). Set "
                                    "COMMSDESK_OBS_PASSWORD to keep it.")  # fmt: skip

    def keyring_problem(self, answer: Callable[[str | None], None]) -> None:
        """`answer(NO_KEYRING)` when no keyring can keep the password, else `answer(None)`;
        found on the OBS lane (the keyring is slow to load)."""
        from commsdesk.keyring_secrets import keyring_status

        self.obs_lane.submit(keyring_status, on_done=lambda problem: answer(
            NO_KEYRING if problem else None))  # fmt: skip

    def replace(self, password: str | None) -> None:
        """Let the controller go (another host or port) and start a new one."""
        self.replacing.emit()
        old, self.obs = self.obs, None
        if old is not None:
            old.watch_program(None)
            self.obs_lane.submit(old.close)
        self.start(password)

    def close(self) -> None:
        """End the connection (on the OBS lane); safe to call twice."""
        if self._closed:
            return
        self._closed = True
        obs, self.obs = self.obs, None
        if obs is not None:
            obs.watch_program(None)
            self.obs_lane.submit(obs.close)

    def _set_status(self, status: ConnectionStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

    @Slot(object, object)
    def _on_state(self, obs: ObsController, status: ConnectionStatus) -> None:
        if obs is not self.obs:
            return  # a controller this link has let go of
        if status.connected:
            obs.watch_program(self._thumbnail_sink(obs), THUMBNAIL_WIDTH)
        self._set_status(status)

    @Slot(object, str, object)
    def _on_event(self, obs: ObsController, kind: str, data: dict) -> None:
        if obs is self.obs:
            self.event.emit(kind, data)

    def _thumbnail_sink(self, obs: ObsController) -> Callable[[bytes], None]:
        def sink(png: bytes) -> None:
            """On the OBS thread: decoded and fitted to the box there, so the UI thread only
            shows it. The format is named: guessing it loads every image plugin Qt has on the
            first call (5 ms, holding the GIL)."""
            image = QImage.fromData(png, "PNG")
            if image.isNull():
                return
            self._obs_thumbnail.emit(obs, fit_to_box(image))

        return sink

    @Slot(object, object)
    def _on_thumbnail(self, obs: ObsController, image: QImage) -> None:
        if obs is self.obs and self.connected:
            self.thumbnail.emit(image)

    def call(
        self,
        future: Future,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """`on_done(result)` or `on_error(exc)` on the UI thread once `future` completes."""
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
