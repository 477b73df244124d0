"""`commsdesk obs ...` as a script runs it: a real process against a real OBS (and against a
closed port, a wrong password and a server that never answers: exit 2 with one line of reason).
`obs stream end` stops a real live stream (to a local RTMP server) and puts it on the timeline."""

from __future__ import annotations

import json
import re
from functools import partial

import pytest

from commsdesk.broadcast.obs import blocking
from commsdesk.broadcast.obs.batches import ObsRequest
from commsdesk.broadcast.obs.fake import FakeObs
from commsdesk.broadcast.stream_health import StreamSample
from commsdesk.cli.main import main
from commsdesk.desk import Desk
from tests.broadcast import test_obs_live_stream as live
from tests.broadcast.test_obs_live_stream import STREAM_KEY, reading_until
from tests.support import obs_studio as studio
from tests.support.cli import commsdesk
from tests.support.obs_studio import ObsStudio, SilentServer, free_port

obs_studio = studio.obs_studio
own_obs_studio = studio.own_obs_studio
obs, rtmp_server = live.obs, live.rtmp_server  # the adapter on a fresh OBS; a server to stream to


# No OBS password unless the test gives one.
run = partial(commsdesk, obs_password="")


def target(obs: ObsStudio) -> list[str]:
    return ["--host", "127.0.0.1", "--port", str(obs.port)]


def test_status_json(obs_studio: ObsStudio):
    done = run("obs", "status", "--json", *target(obs_studio), obs_password=obs_studio.password)
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["state"] == "connected"
    assert status["obs_version"].startswith("29.") or int(status["obs_version"].split(".")[0]) > 29
    assert status["websocket_version"].startswith("5.")
    assert status["port"] == obs_studio.port
    assert status["scenes"][:2] == ["Camera", "Screen"]
    assert status["stream"]["live"] is False


def test_scenes_then_switch_scene(obs_studio: ObsStudio):
    done = run("obs", "scene", "Screen", *target(obs_studio), obs_password=obs_studio.password)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Program: Screen"
    done = run("obs", "scenes", *target(obs_studio), obs_password=obs_studio.password)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Camera", "Screen  [program]"]
    done = run("obs", "scene", "Camera", *target(obs_studio), obs_password=obs_studio.password)
    assert done.returncode == 0


def test_a_missing_scene_exits_1(obs_studio: ObsStudio):
    done = run("obs", "scene", "Nowhere", *target(obs_studio), obs_password=obs_studio.password)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "Nowhere" not in done.stdout


def test_host_and_port_come_from_the_settings(obs_studio: ObsStudio, isolated_dirs):
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    (isolated_dirs / "desk.json").write_text(
        json.dumps({"obs_host": "127.0.0.1", "obs_port": obs_studio.port}), encoding="utf-8"
    )
    done = run("obs", "status", obs_password=obs_studio.password)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Connected: OBS ")


def test_wrong_password_exits_2_with_one_line(obs_studio: ObsStudio):
    done = run("obs", "status", *target(obs_studio), obs_password="wrong")
    assert done.returncode == 2
    reason = done.stderr.strip().splitlines()
    assert len(reason) == 1 and "refused the password" in reason[0]


def test_unreachable_exits_2_with_one_line():
    done = run("obs", "scenes", "--host", "127.0.0.1", "--port", str(free_port()))
    assert done.returncode == 2
    reason = done.stderr.strip().splitlines()
    assert len(reason) == 1 and "nothing answers" in reason[0]


def test_a_silent_server_exits_2_with_one_line():
    server = SilentServer(upgrade=True)
    try:
        done = run("obs", "scene", "Camera", "--host", "127.0.0.1", "--port", str(server.port))
    finally:
        server.stop()
    assert done.returncode == 2
    reason = done.stderr.strip().splitlines()
    assert len(reason) == 1 and "within 5 s" in reason[0]


def test_ending_a_stream_that_is_not_live_is_refused_and_not_recorded(
    obs_studio: ObsStudio, isolated_dirs
):
    done = run("--as", "Mira Chen", "obs", "stream", "end", *target(obs_studio),
               obs_password=obs_studio.password)  # fmt: skip
    assert done.returncode == 1
    reason = done.stderr.strip().splitlines()
    assert len(reason) == 1 and reason[0].startswith("commsdesk: OBS: ")
    desk = Desk.open(isolated_dirs)
    try:
        assert desk.timeline(kinds=["broadcast"]) == []
    finally:
        desk.close()


def test_ending_the_stream_says_how_long_it_ran_as_the_panel_does(
    monkeypatch, isolated_dirs, capsys
):
    """Through main(), the in-memory OBS in place of the websocket connection: live 1 h 45."""
    fake = FakeObs()
    fake.reading = StreamSample(at=0.0, active=True, duration_ms=6_300_000, target_fps=30.0)
    monkeypatch.setattr(blocking, "ObsConnection", lambda *args, **kwargs: fake)
    with pytest.raises(SystemExit) as ended:
        main(["--as", "Mira Chen", "obs", "stream", "end", "--host", "127.0.0.1", "--port", "1"])
    assert ended.value.code == 0
    assert capsys.readouterr().out == "Live stream ended after 1 h 45 min\n"
    assert "stop_stream" in fake.calls and not fake.reading.active
    desk = Desk.open(isolated_dirs)
    try:
        [event] = desk.timeline(kinds=["broadcast.stream_stopped"])
    finally:
        desk.close()
    assert (event.actor, event.summary) == ("Mira Chen", "Live stream ended after 1 h 45 min")
    assert event.data == {"live_seconds": 6300.0}


def test_ending_a_real_live_stream_stops_it_and_records_it(
    own_obs_studio, obs, rtmp_server, isolated_dirs
):
    connection, _ = obs
    service = {"server": rtmp_server.url, "key": STREAM_KEY}
    connection.request(ObsRequest("SetStreamServiceSettings", {
        "streamServiceType": "rtmp_custom", "streamServiceSettings": service,
    })).result(10)  # fmt: skip
    connection.request(ObsRequest("StartStream")).result(10)
    reading_until(connection, lambda r: r.active and r.bytes_sent > 0, "the stream to go live")

    done = run("--as", "Mira Chen", "obs", "stream", "end", *target(own_obs_studio),
               obs_password=own_obs_studio.password)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"Live stream ended after \d+ s\n", done.stdout)
    reading_until(connection, lambda r: not r.active, "the stream to stop")
    desk = Desk.open(isolated_dirs)
    try:
        [event] = desk.timeline(kinds=["broadcast.stream_stopped"])
    finally:
        desk.close()
    assert event.actor == "Mira Chen" and event.summary == done.stdout.strip()
