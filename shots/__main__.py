"""`make shots`: pictures of the desk window in set states, at 1280×720 and 1920×1080.

For each size it starts an X server of that size (Xvfb) with a window manager (openbox), so the
window opens, is framed and placed as on a desktop; each state then runs in its own process
(shots/scene.py) and writes `shots/out/STATE-WxH.png`. OBS Studio, when installed, runs on its
own hidden X server with four scenes (see tests/support/obs_studio.py); without it an in-memory
stand-in answers for it.

    python -m shots [STATE ...]        # every state when none is named
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from shots.scene import STATES

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"
SIZES = ((1280, 720), (1920, 1080))
FOUR_SCENES = {"Camera": 0xFF3A2BC6, "Screen": 0xFFB0651E, "Guest": 0xFF2E7D32,
               "Wide shot": 0xFF6A1B9A}  # OBS colours are ABGR  # fmt: skip


def need(program: str, package: str) -> None:
    """Install a Debian package when its program is missing (as root), else say what to
    install."""
    if shutil.which(program):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", package], check=True)
    if not shutil.which(program):
        raise SystemExit(f"`{program}` is needed: apt-get install {package}")


@contextlib.contextmanager
def x_server(width: int, height: int):
    """An Xvfb of that size on a free display, with openbox managing its windows."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        display = f":{pipe.readline().strip()}"
    env = dict(os.environ, DISPLAY=display)
    wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    time.sleep(1.0)  # openbox takes the screen before the first window maps
    try:
        yield display
    finally:
        for process in (wm, xvfb):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(10)


@contextlib.contextmanager
def obs_studio():
    """A real OBS Studio with four scenes, or None where it is not installed."""
    if not shutil.which("obs"):
        yield None
        return
    from tests.support import obs_studio as studio

    studio.SCENES = FOUR_SCENES  # the scene collection it writes reads this
    with tempfile.TemporaryDirectory(prefix="commsdesk-shots-obs-") as root:
        obs = studio.ObsStudio(Path(root)).start()
        try:
            yield obs
        finally:
            obs.stop()


def scene_env(display: str, obs, home: Path) -> dict:
    env = dict(
        os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT),
        HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", LANG="C.UTF-8",
    )  # fmt: skip
    env.pop("SHOTS_OBS_PORT", None)
    if obs is not None:
        env["SHOTS_OBS_PORT"] = str(obs.port)
        env["COMMSDESK_OBS_PASSWORD"] = obs.password
    return env


def shoot(state: str, size: tuple[int, int], display: str, obs, home: Path) -> None:
    suffix = f"{size[0]}x{size[1]}"
    command = [sys.executable, "-m", "shots.scene", state, str(OUT), suffix]
    env = scene_env(display, obs, home)
    if state == "obs-lost" and obs is not None:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)  # fmt: skip
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.strip() == "ready":
                obs.kill()  # as a crash: the desk sees the connection go
                process.stdin.write("go\n")
                process.stdin.flush()
        code = process.wait(120)
        obs.restart()
    else:
        code = subprocess.run(command, env=env, cwd=ROOT, timeout=400).returncode
    if code != 0:
        raise SystemExit(f"the {state} picture at {suffix} failed (exit {code})")


def main(states: list[str]) -> None:
    unknown = set(states) - set(STATES)
    if unknown:
        raise SystemExit(f"unknown state(s) {', '.join(sorted(unknown))}; one of {STATES}")
    need("Xvfb", "xvfb")
    need("openbox", "openbox")
    OUT.mkdir(exist_ok=True)
    with obs_studio() as obs, tempfile.TemporaryDirectory(prefix="commsdesk-shots-") as home:
        if obs is None:
            print("OBS Studio is not installed: an in-memory stand-in plays OBS", flush=True)
        for size in SIZES:
            with x_server(*size) as display:
                for state in states or STATES:
                    shoot(state, size, display, obs, Path(home))
    print(f"pictures in {OUT}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
