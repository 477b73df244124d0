"""Real OBS Studio for tests and benchmarks: Xvfb on a free display, `obs` with a throwaway home.

The home's `global.ini` turns on obs-websocket (OBS 29 / obs-websocket 5.1 read `[OBSWebSocket]`
there) on a free port with a password, and marks the first run as done so no wizard opens. The
scene collection holds two scenes, "Camera" (a red colour source) and "Screen" (a blue one), with
a Cut transition, on a small 640x360 canvas so software rendering stays cheap.

`ObsStudio.start()` returns once the websocket server answers a Hello; `kill()` (SIGKILL, as a
crash), `freeze()`/`thaw()` (SIGSTOP/SIGCONT, as a hung OBS), `quit()` (SIGINT: OBS 29 exits
cleanly on it, sending ExitStarted; SIGTERM ends it at once)
and `restart()` drive it; `stop()` ends OBS and Xvfb. Without `obs` or `Xvfb` the fixtures skip,
except under CI=true, where they fail.

`SilentServer` accepts TCP connections on 127.0.0.1 and never says a word (optionally after
completing the websocket upgrade), for the "OBS does not answer" cases.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PASSWORD_BYTES = 12
CANVAS = (640, 360)
SCENES = {"Camera": 0xFF0000FF, "Screen": 0xFFFF0000}  # OBS colours are ABGR: red, blue
START_TIMEOUT = 60.0


class ObsUnavailable(Exception):
    """`obs` or `Xvfb` is not installed here."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _scene_source(name: str, colour_source: str) -> dict:
    return {
        "id": "scene",
        "versioned_id": "scene",
        "name": name,
        "enabled": True,
        "settings": {
            "custom_size": False,
            "id_counter": 1,
            "items": [
                {
                    "name": colour_source,
                    "id": 1,
                    "visible": True,
                    "locked": False,
                    "pos": {"x": 0.0, "y": 0.0},
                    "scale": {"x": 1.0, "y": 1.0},
                    "align": 5,
                    "bounds_type": 0,
                }
            ],
        },
    }


def scene_collection() -> dict:
    """Camera and Screen, each filled by a colour source of the canvas size; Cut transition."""
    sources = []
    for name, colour in SCENES.items():
        colour_source = f"{name} Colour"
        sources.append(
            {
                "id": "color_source_v3",
                "versioned_id": "color_source_v3",
                "name": colour_source,
                "enabled": True,
                "settings": {"color": colour, "width": CANVAS[0], "height": CANVAS[1]},
            }
        )
        sources.append(_scene_source(name, colour_source))
    return {
        "name": "CommsDesk Test",
        "current_scene": "Camera",
        "current_program_scene": "Camera",
        "current_transition": "Cut",
        "transition_duration": 0,
        "transitions": [],
        "scene_order": [{"name": name} for name in SCENES],
        "sources": sources,
        "groups": [],
        "modules": {},
    }


def write_home(home: Path, port: int, password: str) -> None:
    """OBS's config folder: websocket on `port` with `password`, our profile and scenes."""
    config = home / ".config" / "obs-studio"
    (config / "basic" / "scenes").mkdir(parents=True, exist_ok=True)
    (config / "basic" / "profiles" / "CommsDeskTest").mkdir(parents=True, exist_ok=True)
    (config / "global.ini").write_text(
        "[General]\n"
        "FirstRun=true\n"
        "LastVersion=486539264\n"
        "EnableAutoUpdates=false\n"
        "Pre19Defaults=false\nPre21Defaults=false\nPre23Defaults=false\nPre24.1Defaults=false\n"
        "\n[Basic]\n"
        "Profile=CommsDeskTest\nProfileDir=CommsDeskTest\n"
        "SceneCollection=CommsDesk Test\nSceneCollectionFile=commsdesk-test\n"
        "ConfigOnNewProfile=false\n"
        "\n[BasicWindow]\n"
        "WarnBeforeStartingStream=false\nWarnBeforeStoppingStream=false\n"
        "SysTrayEnabled=true\nSysTrayWhenStarted=true\n"
        "\n[OBSWebSocket]\n"
        "FirstLoad=false\n"
        "ServerEnabled=true\n"
        f"ServerPort={port}\n"
        "AlertsEnabled=false\n"
        "AuthRequired=true\n"
        f"ServerPassword={password}\n",
        encoding="utf-8",
    )
    width, height = CANVAS
    (config / "basic" / "profiles" / "CommsDeskTest" / "basic.ini").write_text(
        "[General]\nName=CommsDeskTest\n"
        f"\n[Video]\nBaseCX={width}\nBaseCY={height}\nOutputCX={width}\nOutputCY={height}\n"
        "FPSType=0\nFPSCommon=30\n",
        encoding="utf-8",
    )
    (config / "basic" / "scenes" / "commsdesk-test.json").write_text(
        json.dumps(scene_collection()), encoding="utf-8"
    )


def _hello_answered(port: int, timeout: float = 2.0) -> bool:
    """True when a websocket upgrade on `port` gets obs-websocket's Hello (any bytes back)."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: obswebsocket.json\r\n\r\n"
    )
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(request.encode())
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    return False
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 101"):
                return False
            return bool(rest or sock.recv(4096))
    except OSError:
        return False


class ObsStudio:
    """One OBS under its own Xvfb. `url`, `port` and `password` say how to reach it."""

    def __init__(self, root: Path, *, port: int | None = None, password: str | None = None):
        for tool in ("obs", "Xvfb"):
            if shutil.which(tool) is None:
                raise ObsUnavailable(
                    f"`{tool}` is not installed (Debian: obs-studio, xvfb; "
                    "sh scripts/system-packages.sh)"
                )
        self.root = root
        self.home = root / "home"
        self.port = port or free_port()
        self.password = password or secrets.token_urlsafe(PASSWORD_BYTES)
        self.display: int | None = None
        self._xvfb: subprocess.Popen | None = None
        self._obs: subprocess.Popen | None = None
        write_home(self.home, self.port, self.password)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._obs.pid if self._obs is not None else None

    @property
    def running(self) -> bool:
        return self._obs is not None and self._obs.poll() is None

    # -- life ---------------------------------------------------------------------------------

    def start(self) -> ObsStudio:
        try:
            if self._xvfb is None or self._xvfb.poll() is not None:
                self._start_xvfb()
            self._start_obs()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_xvfb(self) -> None:
        read_fd, write_fd = os.pipe()
        self._xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x720x24", "-nolisten",
             "tcp", "-noreset"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        self.display = int(number)

    def _start_obs(self) -> None:
        env = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_RUNTIME_DIR": str(self.root),
            "DISPLAY": f":{self.display}",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "QT_QPA_PLATFORM": "xcb",
        }
        log = (self.root / "obs.log").open("ab")
        self._obs = subprocess.Popen(
            ["obs", "--multi", "--minimize-to-tray", "--disable-shutdown-check",
             "--disable-updater"],
            cwd=self.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while not _hello_answered(self.port):
            if self._obs.poll() is not None:
                raise RuntimeError(f"OBS exited with {self._obs.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"OBS did not answer within {START_TIMEOUT:.0f} s")
            time.sleep(0.2)

    def log_tail(self, lines: int = 30) -> str:
        path = self.root / "obs.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def _signal(self, sig: int) -> None:
        if self._obs is not None and self._obs.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._obs.pid, sig)

    def kill(self) -> None:
        """End OBS at once, as a crash does: no ExitStarted, no close frame. A frozen OBS is
        killed frozen: woken first, it could still answer what was sent while it slept."""
        self._signal(signal.SIGKILL)
        if self._obs is not None:
            self._obs.wait(10)

    def quit(self, timeout: float = 20.0) -> None:
        """Ask OBS to exit cleanly (SIGINT); SIGKILL if it has not within `timeout`."""
        self._signal(signal.SIGCONT)
        self._signal(signal.SIGINT)
        if self._obs is not None:
            try:
                self._obs.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def freeze(self) -> None:
        """Stop OBS (SIGSTOP): its socket stays open and nothing answers."""
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def restart(self) -> None:
        """Kill OBS if it runs, then start it again on the same port and password."""
        self.kill()
        self._start_obs()

    def stop(self) -> None:
        """OBS and Xvfb both gone; safe to call twice and after a failed start."""
        if self._obs is not None:
            self.quit(timeout=10.0)
            self._obs = None
        if self._xvfb is not None:
            if self._xvfb.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._xvfb.pid, signal.SIGKILL)
            self._xvfb.wait(10)
            self._xvfb = None


@contextlib.contextmanager
def running_obs(root: Path | None = None) -> Iterator[ObsStudio]:
    """A started OBS, stopped on leaving (errors included); a temp root when none is given."""
    with contextlib.ExitStack() as stack:
        if root is None:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="commsdesk-obs-")))
        obs = ObsStudio(root)
        stack.callback(obs.stop)
        yield obs.start()


def _obs_or_skip(root: Path) -> ObsStudio:
    try:
        return ObsStudio(root)
    except ObsUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def obs_studio(tmp_path_factory) -> Iterator[ObsStudio]:
    """One OBS for a test module. Tests on it leave it running (they may switch scenes)."""
    obs = _obs_or_skip(tmp_path_factory.mktemp("obs"))
    try:
        yield obs.start()
    finally:
        obs.stop()


@pytest.fixture
def own_obs_studio(tmp_path) -> Iterator[ObsStudio]:
    """An OBS for one test alone, which may kill, freeze or restart it."""
    obs = _obs_or_skip(tmp_path / "obs")
    try:
        yield obs.start()
    finally:
        obs.stop()


# -- a server that never answers ----------------------------------------------------------------

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SilentServer:
    """Accepts on 127.0.0.1 and never answers; with `upgrade=True` it first completes the HTTP
    websocket upgrade (so the silence is where obs-websocket's Hello should be)."""

    def __init__(self, *, upgrade: bool = False) -> None:
        self.upgrade = upgrade
        self.accepted = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self._clients: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="silent-server", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self._sock.getsockname()[1]

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self._clients.append(client)
            if self.upgrade:
                threading.Thread(target=self._upgrade, args=(client,), daemon=True).start()

    @staticmethod
    def _upgrade(client: socket.socket) -> None:
        data = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in data:
                chunk = client.recv(4096)
                if not chunk:
                    return
                data += chunk
            headers = {}
            for line in data.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            accept = base64.b64encode(
                hashlib.sha1((headers.get("sec-websocket-key", "") + WS_GUID).encode()).digest()
            ).decode()
            protocol = headers.get("sec-websocket-protocol", "").split(",")[0].strip()
            answer = (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n"
            )
            if protocol:
                answer += f"Sec-WebSocket-Protocol: {protocol}\r\n"
            client.sendall((answer + "\r\n").encode())

    def stop(self) -> None:
        self._stopping.set()
        self._sock.close()
        for client in self._clients:
            client.close()
        self._thread.join(5)


@pytest.fixture(params=[False, True], ids=["tcp-only", "after-upgrade"])
def silent_server(request) -> Iterator[SilentServer]:
    server = SilentServer(upgrade=request.param)
    try:
        yield server
    finally:
        server.stop()


# -- listening to the adapter -------------------------------------------------------------------


class Heard:
    """What an OBS connection told its listeners (on its own thread), with waits that fail
    the test when nothing comes within `timeout`."""

    def __init__(self) -> None:
        self.states: list = []  # ConnectionStatus, in order
        self.events: list[tuple[str, dict]] = []
        self._changed = threading.Condition()

    def state(self, status) -> None:
        with self._changed:
            self.states.append(status)
            self._changed.notify_all()

    def event(self, event_type: str, data: dict) -> None:
        with self._changed:
            self.events.append((event_type, data))
            self._changed.notify_all()

    def listen_to(self, connection) -> Heard:
        connection.add_state_listener(self.state)
        connection.add_event_listener(self.event)
        return self

    def wait_for(self, check, what: str, timeout: float = 20.0):
        with self._changed:
            if not self._changed.wait_for(check, timeout):
                raise AssertionError(
                    f"waited {timeout:g} s for {what}; states: "
                    f"{[str(s.state) for s in self.states]}, events: "
                    f"{[e for e, _ in self.events]}"
                )
            return check()

    def wait_state(self, *states, since: int = 0, timeout: float = 20.0):
        """The first status at or after position `since` in one of `states`."""
        def found():
            return next((s for s in self.states[since:] if s.state in states), None)

        return self.wait_for(found, f"state {' or '.join(map(str, states))}", timeout)

    def wait_event(self, event_type: str, since: int = 0, timeout: float = 20.0, **data):
        def found():
            return [
                d for e, d in self.events[since:]
                if e == event_type and all(d.get(k) == v for k, v in data.items())
            ]  # fmt: skip

        return self.wait_for(found, f"event {event_type} {data}", timeout)[0]


@contextlib.contextmanager
def connected(obs: ObsStudio) -> Iterator[tuple[Any, Heard]]:
    """The desk's OBS adapter, connected to `obs` and heard from; closed at the end."""
    from commsdesk.broadcast.obs.api import ConnectionState
    from commsdesk.broadcast.obs.connection import ObsConnection

    connection = ObsConnection("127.0.0.1", obs.port, obs.password)
    heard = Heard().listen_to(connection)
    connection.start()
    try:
        heard.wait_state(ConnectionState.CONNECTED)
        yield connection, heard
    finally:
        connection.close()
