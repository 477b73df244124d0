"""The OBS adapter through a real live stream: a real OBS Studio streams by RTMP to a local nginx
with its RTMP module, and the desk's readings follow it from start to stop.

The test owns both ends: nginx runs from a prefix under tmp_path (its own config, error log and
pid file, no daemon) on a free 127.0.0.1 port, and a fresh OBS is pointed at it with
SetStreamServiceSettings before StartStream. Without nginx or its RTMP module the test skips,
except under CI=true, where it fails (Debian: nginx, libnginx-mod-rtmp).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from commsdesk.broadcast.obs.api import StreamReading
from commsdesk.broadcast.obs.batches import ObsRequest
from commsdesk.broadcast.obs.connection import ObsConnection
from commsdesk.broadcast.stream_health import stream_health
from tests.support import obs_studio as studio
from tests.support.obs_studio import Heard, ObsStudio, free_port

own_obs_studio = studio.own_obs_studio  # a fresh OBS for the test (fixture)

ANSWER = 10  # seconds a test waits on a future before calling it a failure
SETTLE = 20.0  # seconds a condition may take to come true before the test fails
STREAM_KEY = "commsdesk-test"
RTMP_MODULE_DIRS = (Path("/usr/lib/nginx/modules"), Path("/usr/share/nginx/modules"))


@dataclass
class RtmpServer:
    """nginx accepting RTMP publishers on `port` under application `live`."""

    port: int
    error_log: Path

    @property
    def url(self) -> str:
        return f"rtmp://127.0.0.1:{self.port}/live"


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _rtmp_module() -> Path | None:
    return next(
        (d / "ngx_rtmp_module.so" for d in RTMP_MODULE_DIRS if (d / "ngx_rtmp_module.so").exists()),
        None,
    )


def _accepts(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


@pytest.fixture
def rtmp_server(tmp_path) -> Iterator[RtmpServer]:
    """A local nginx RTMP server for this test, stopped at teardown."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")  # root's PATH only
    module = _rtmp_module()
    if nginx is None:
        _missing("`nginx` is not installed (Debian: nginx; sh scripts/system-packages.sh)")
    if module is None:
        _missing("nginx's RTMP module is not installed (Debian: libnginx-mod-rtmp)")
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    port = free_port()
    error_log = prefix / "error.log"
    config = prefix / "nginx.conf"
    config.write_text(
        f"load_module {module};\n"
        "daemon off;\n"
        "worker_processes 1;\n"
        f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {error_log} info;\n"
        + ("user root;\n" if os.geteuid() == 0 else "")
        + "events { worker_connections 64; }\n"
        "rtmp {\n"
        "    server {\n"
        f"        listen 127.0.0.1:{port};\n"
        "        application live { live on; record off; }\n"
        "    }\n"
        "}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [nginx, "-p", str(prefix), "-c", str(config), "-e", str(error_log)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(prefix / "stderr.log").open("ab"),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + SETTLE
        while not _accepts(port):
            if process.poll() is not None:
                raise RuntimeError(
                    f"nginx exited with {process.returncode}:\n"
                    + (prefix / "stderr.log").read_text(errors="replace")
                    + (error_log.read_text(errors="replace") if error_log.exists() else "")
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not listen on {port} within {SETTLE:g} s")
            time.sleep(0.1)
        yield RtmpServer(port, error_log)
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


@pytest.fixture
def obs(own_obs_studio: ObsStudio) -> Iterator[tuple[ObsConnection, Heard]]:
    with studio.connected(own_obs_studio) as (connection, heard):
        try:
            yield connection, heard
        finally:
            with contextlib.suppress(Exception):  # a failed test may leave OBS live
                connection.request(ObsRequest("StopStream")).result(ANSWER)


def until(look: Callable[[], object], check: Callable[[object], bool], what: str) -> object:
    """Look again until `check` holds for what `look` returns; fail after SETTLE seconds."""
    deadline = time.monotonic() + SETTLE
    while True:
        seen = look()
        if check(seen):
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {SETTLE:g} s for {what}; last seen: {seen}")
        time.sleep(0.25)


def reading_until(
    connection: ObsConnection, check: Callable[[StreamReading], bool], what: str
) -> StreamReading:
    return until(lambda: connection.stream_reading().result(ANSWER), check, what)


def test_a_live_stream_to_a_local_rtmp_server_is_read_then_stopped(obs, rtmp_server):
    connection, heard = obs
    connection.request(
        ObsRequest(
            "SetStreamServiceSettings",
            {
                "streamServiceType": "rtmp_custom",
                "streamServiceSettings": {"server": rtmp_server.url, "key": STREAM_KEY},
            },
        )
    ).result(ANSWER)
    service = connection.request(ObsRequest("GetStreamServiceSettings")).result(ANSWER)
    assert service["streamServiceType"] == "rtmp_custom"
    assert service["streamServiceSettings"]["server"] == rtmp_server.url

    since = len(heard.events)
    connection.request(ObsRequest("StartStream")).result(ANSWER)
    started = heard.wait_event("StreamStateChanged", since, outputActive=True)
    assert started["outputState"] == "OBS_WEBSOCKET_OUTPUT_STARTED"

    first = reading_until(connection, lambda r: r.active and r.bytes_sent > 0, "bytes sent")
    second = reading_until(
        connection, lambda r: r.active and r.bytes_sent > first.bytes_sent, "more bytes sent"
    )
    health = stream_health(first, second)
    assert health.live and health.live_seconds > 0
    assert health.bitrate_kbps is not None and health.bitrate_kbps > 0
    # The bytes went to our server: nginx logged OBS publishing under our key.
    until(
        lambda: rtmp_server.error_log.read_text(errors="replace"),
        lambda log: f"publish: name='{STREAM_KEY}'" in log,
        "nginx to log the publisher",
    )

    since = len(heard.events)
    connection.stop_stream().result(ANSWER)
    stopped = heard.wait_event("StreamStateChanged", since, outputActive=False,
                               outputState="OBS_WEBSOCKET_OUTPUT_STOPPED")  # fmt: skip
    assert stopped["outputActive"] is False
    # OBS sends the event just before GetStreamStatus drops outputActive: read until it has.
    after = reading_until(connection, lambda r: not r.active, "a reading that is not live")
    assert not stream_health(second, after).live
