"""`commsdesk obs ...` as a script runs it: a real process against a real OBS (and against a
closed port, a wrong password and a server that never answers: exit 2 with one line of reason)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support import obs_studio as studio
from tests.support.obs_studio import ObsStudio, SilentServer, free_port

obs_studio = studio.obs_studio


def run(*args: str, password: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, COMMSDESK_OBS_PASSWORD=password)
    return subprocess.run(
        [sys.executable, "-m", "commsdesk", *args], capture_output=True, text=True, env=env,
        timeout=60,
    )  # fmt: skip


def target(obs: ObsStudio) -> list[str]:
    return ["--host", "127.0.0.1", "--port", str(obs.port)]


def test_status_json(obs_studio: ObsStudio):
    done = run("obs", "status", "--json", *target(obs_studio), password=obs_studio.password)
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["state"] == "connected"
    assert status["obs_version"].startswith("29.") or int(status["obs_version"].split(".")[0]) > 29
    assert status["websocket_version"].startswith("5.")
    assert status["port"] == obs_studio.port
    assert status["scenes"][:2] == ["Camera", "Screen"]
    assert status["stream"]["live"] is False


def test_scenes_then_switch_scene(obs_studio: ObsStudio):
    done = run("obs", "scene", "Screen", *target(obs_studio), password=obs_studio.password)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Program: Screen"
    done = run("obs", "scenes", *target(obs_studio), password=obs_studio.password)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Camera", "Screen  [program]"]
    done = run("obs", "scene", "Camera", *target(obs_studio), password=obs_studio.password)
    assert done.returncode == 0


def test_a_missing_scene_exits_1(obs_studio: ObsStudio):
    done = run("obs", "scene", "Nowhere", *target(obs_studio), password=obs_studio.password)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "Nowhere" not in done.stdout


def test_host_and_port_come_from_the_settings(obs_studio: ObsStudio, isolated_dirs):
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    (isolated_dirs / "desk.json").write_text(
        json.dumps({"obs_host": "127.0.0.1", "obs_port": obs_studio.port}), encoding="utf-8"
    )
    done = run("obs", "status", password=obs_studio.password)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Connected: OBS ")


def test_wrong_password_exits_2_with_one_line(obs_studio: ObsStudio):
    done = run("obs", "status", *target(obs_studio), password="wrong")
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
