"""Going live from the command line against a real OBS: the destination named, never the key;
a drill records instead unless OBS streams to a rehearsal destination; the stream's start and
end on the timeline once each. The live stream goes to a real RTMP server on this machine
(nginx with its RTMP module), as a rehearsal destination would."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from commsdesk.desk import Desk
from tests.broadcast.test_obs_live_stream import rtmp_server  # noqa: F401
from tests.support.cli import commsdesk
from tests.support.obs_studio import own_obs_studio  # noqa: F401

PAT = "Pat Lee (producer)"
KEY = "sk-live-0123456789abcdef"


def obs_request(obs, request_type: str, data: dict | None = None) -> dict:
    """One request to OBS with its own short-lived client, as a person's OBS settings are set."""
    import simpleobsws

    async def ask() -> dict:
        client = simpleobsws.WebSocketClient(url=obs.url, password=obs.password)
        await client.connect()
        await client.wait_until_identified()
        answer = await client.call(simpleobsws.Request(request_type, data or {}))
        await client.disconnect()
        assert answer.ok(), answer.requestStatus
        return answer.responseData or {}

    return asyncio.run(ask())


@pytest.fixture
def data_dir(isolated_dirs) -> Path:
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    return isolated_dirs


def run(obs, data_dir, *args):
    return commsdesk(*args, "--host", "127.0.0.1", "--port", str(obs.port), data_dir=data_dir,
                     operator=PAT, obs_password=obs.password, timeout=90)  # fmt: skip


def stream_to(obs, server: str) -> None:
    obs_request(obs, "SetStreamServiceSettings", {
        "streamServiceType": "rtmp_custom",
        "streamServiceSettings": {"server": server, "key": KEY},
    })  # fmt: skip


def kinds(data_dir) -> list[str]:
    desk = Desk.open(data_dir)
    try:
        return [e.kind for e in reversed(desk.timeline(limit=50)) if e.kind.startswith("broad")]
    finally:
        desk.close()


@pytest.mark.slow
def test_a_drill_records_instead_of_streaming_to_a_destination_not_marked(
    own_obs_studio, data_dir  # noqa: F811
):
    obs = own_obs_studio
    stream_to(obs, "rtmp://a.rtmp.youtube.com/live2")
    done = run(obs, data_dir, "obs", "stream", "start", "--drill")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        "Drill: OBS records instead of streaming, because rtmp://a.rtmp.youtube.com/live2 is "
        "not marked as a rehearsal destination. Nothing goes to the public."
    )
    assert KEY not in done.stdout + done.stderr
    assert obs_request(obs, "GetRecordStatus")["outputActive"] is True
    assert obs_request(obs, "GetStreamStatus")["outputActive"] is False
    assert kinds(data_dir) == ["broadcast.recording_started"]
    obs_request(obs, "StopRecord")


@pytest.mark.slow
def test_live_to_a_rehearsal_destination_in_a_drill_and_ended_on_the_record_once(
    own_obs_studio, rtmp_server, data_dir  # noqa: F811
):
    obs = own_obs_studio
    server = rtmp_server.url
    stream_to(obs, server)
    (data_dir / "desk.json").write_text(json.dumps({"rehearsal_destinations": [server]}))
    done = run(obs, data_dir, "obs", "stream", "start", "--drill")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"Drill: OBS streams to the rehearsal destination {server}.",
        f"Live stream started to {server}",
    ]
    assert KEY not in done.stdout + done.stderr
    status = json.loads(run(obs, data_dir, "obs", "status", "--json").stdout)
    assert status["stream"]["live"] is True
    time.sleep(2)
    ended = run(obs, data_dir, "obs", "stream", "end")
    assert ended.returncode == 0, ended.stderr
    assert ended.stdout.startswith("Live stream ended after ")
    # One start and one end on the record, however many paths reported them.
    assert kinds(data_dir) == ["broadcast.stream_started", "broadcast.stream_stopped"]
